"""The ``convscope`` command: each subcommand is a thin wrapper over the Python API.

Exit codes: 0 success, 1 a problem with the input (one line on stderr, no traceback),
2 bad usage, 130 interrupted by Ctrl-C (the last completed epoch is kept).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Annotated

import typer

from . import __version__
from ._setup import import_keras_quietly
from .errors import ConvscopeError

app = typer.Typer(
    help="Train, evaluate and look inside convolutional image classifiers (the course's "
    "networks, or your own).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", "--data", help="Folder holding the dataset (else "
                 "$CONVSCOPE_DATA, then the user cache, then a verified download)."),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print only results and errors.")]


def _fail(message: str, code: int = 1):
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def user_errors(command):
    """Turn a ConvscopeError into one line on stderr and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        import_keras_quietly()
        try:
            return command(*args, **kwargs)
        except ConvscopeError as exc:
            _fail(str(exc))
        except KeyboardInterrupt:
            typer.echo("\ninterrupted", err=True)
            raise typer.Exit(130) from None

    return wrapper


def _version(value: bool):
    if value:
        typer.echo(f"convscope {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
):
    """Train, evaluate and look inside convolutional image classifiers."""


@app.command("recipes")
@user_errors
def recipes_command(
    name: Annotated[str | None, typer.Argument(help="Show one recipe in full.",
                                               show_default=False)] = None,
):
    """List the networks convscope can train: name, dataset, input, parameters, description."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from .recipes import RECIPES, count_params, get_recipe

    if name is not None:
        r = get_recipe(name)
        typer.echo(f"{r.name}: {r.summary}\n"
                   f"  dataset {r.dataset}, input {'×'.join(map(str, r.input_shape))}, "
                   f"{count_params(r):,} weights\n"
                   f"  training: "
                   f"{f'SGD (Nesterov {r.momentum:g})' if r.optimizer == 'sgd' else 'Adam'} "
                   f"lr {r.learning_rate:g}"
                   f"{f', weight decay {r.weight_decay:g}' if r.weight_decay else ''}"
                   f"{f', label smoothing {r.label_smoothing:g}' if r.label_smoothing else ''}"
                   f"{', mirrored' if r.flip else ''}"
                   f"{', lookahead averaging' if r.lookahead else ''}"
                   f"{', ' + r.schedule + ' decay' if r.schedule else ''}, batch {r.batch_size}, "
                   f"{r.epochs} epochs{f', shifts up to {r.shift} px' if r.shift else ''}"
                   f"{', bfloat16 where fast' if r.precision == 'auto' else ''}\n"
                   f"{_MIRROR_LINE if r.test_time_flip else ''}"
                   f"{_fast_line(r)}"
                   f"  {r.expected}")
        return

    table = Table("recipe", "dataset", "input", "parameters", "epochs", "batch", "description",
                  box=None, pad_edge=False)
    for r in RECIPES.values():
        table.add_row(r.name, r.dataset, "×".join(map(str, r.input_shape)),
                      f"{count_params(r):,}", str(r.epochs), str(r.batch_size),
                      escape(r.summary))
    Console(width=120).print(table)


@app.command("train")
@user_errors
def train_command(
    recipe: Annotated[str | None, typer.Argument(
        help="Recipe name (see `convscope recipes`), or `folder` to train on your own photos.",
        show_default=False)] = None,
    folder: Annotated[Path | None, typer.Argument(
        help="With `folder`: DIR/train/<class>/ and DIR/test/<class>/ (or DIR/<class>/ with "
        "--validation-split).", show_default=False)] = None,
    network: Annotated[str, typer.Option("--recipe", help="With `folder`: the network to "
                                         "train (its input size is the photos' size; the "
                                         "output layer fits your classes).")] = "catsdogs",
    validation_split: Annotated[float | None, typer.Option(
        help="Hold out this fraction of each class for testing (seeded, file-level; the files "
        "of each part are listed in the run's files.json).", show_default=False)] = None,
    augment: Annotated[bool, typer.Option(help="Random flips, small rotations, shifts and "
                                          "zooms of each training image (layers in the model, "
                                          "off at prediction).")] = False,
    cache: Annotated[bool, typer.Option(help="Keep decoded, resized photos in the user cache "
                                        "so later epochs and runs skip decoding.")] = True,
    devices: Annotated[str | None, typer.Option(
        help="Train on N devices in step (GPUs; on a CPU-only machine, N logical CPU devices: "
        "the same code path, not faster), or 'all'. Batch and learning rate grow N times.",
        show_default=False)] = None,
    workers: Annotated[str | None, typer.Option(
        help="Train on several machines: host:port of every worker, comma-separated, the same "
        "on each machine (or set TF_CONFIG). Start the command on every worker; worker 0 "
        "writes the run.", show_default=False)] = None,
    worker_index: Annotated[int | None, typer.Option(
        help="With --workers: which of them this machine is (0, 1, …).", min=0,
        show_default=False)] = None,
    schedule: Annotated[str | None, typer.Option(
        help="Learning rate: constant, cosine (decays to 0 over the epochs) or warmup-cosine "
        "(rises over the first tenth, then cosine). Default: the recipe's; warmup-cosine "
        "with --augment.", show_default=False)] = None,
    fast: Annotated[bool, typer.Option(
        "--fast", help="Same layers, less time: bfloat16 where this machine computes it fast, "
        "and the recipe's measured larger batch and learning-rate schedule (`convscope "
        "recipes` shows them).")] = False,
    epochs: Annotated[int | None, typer.Option(help="Epochs to train (default: the recipe's).",
                                               min=1, show_default=False)] = None,
    batch_size: Annotated[int | None, typer.Option(help="Images per gradient step (default: "
                                                   "the recipe's).", min=1,
                                                   show_default=False)] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed for weights and data order "
                                             "[default: 0].", min=0, show_default=False)] = None,
    limit: Annotated[int | None, typer.Option(help="Train on the first N training images only "
                                              "(quick trials).", min=1,
                                              show_default=False)] = None,
    until_accuracy: Annotated[float | None, typer.Option(
        help="Stop at the first epoch whose test accuracy reaches this (e.g. 0.99); --epochs "
        "is then the cap.", show_default=False)] = None,
    out: Annotated[Path | None, typer.Option(help="Run directory to create (default: "
                                             "runs/<recipe>-<timestamp>).",
                                             show_default=False)] = None,
    resume: Annotated[Path | None, typer.Option(help="Continue an interrupted run from its "
                                                "directory.", show_default=False)] = None,
    data_dir: DataDir = None,
    quiet: Quiet = False,
):
    """Train a recipe and write a run directory (model, config, history, metrics, figures).

    Ctrl-C keeps the last completed epoch; continue later with --resume RUN_DIR.

    Examples: convscope train mnist --epochs 5; convscope train mnist --fast;
    convscope train catsdogs --data DIR --augment --epochs 100;
    convscope train folder my_photos --validation-split 0.2
    """
    from .training import TrainingInterrupted, train
    from .training import resume as resume_run

    if recipe == "folder" and folder is None:
        _fail("`convscope train folder` needs the folder: convscope train folder DIR", 2)
    if folder is not None and recipe != "folder":
        _fail(f"unexpected argument {folder}; to train on a folder of photos use "
              f"`convscope train folder {folder} --recipe {recipe}`", 2)
    try:
        if resume is not None:
            if (recipe or batch_size or limit or out or seed is not None or until_accuracy
                    or augment or validation_split is not None or schedule or devices or fast
                    or workers or worker_index is not None):
                _fail("--resume continues a run with its own settings; pass only --resume, "
                      "--epochs and --data-dir", 2)
            run = resume_run(resume, data_dir, epochs=epochs, progress=not quiet)
        elif recipe is None:
            _fail("name a recipe (e.g. `convscope train mnist`) or pass --resume RUN_DIR", 2)
        else:
            run = train(network if folder else recipe, data_dir, folder=folder,
                        validation_split=validation_split, augment=augment, cache=cache,
                        schedule=schedule, fast=fast, devices=devices, workers=workers,
                        worker_index=worker_index,
                        epochs=epochs, batch_size=batch_size, seed=seed or 0, limit=limit,
                        until_accuracy=until_accuracy, out=out, progress=not quiet)
    except TrainingInterrupted as stop:
        kept = (f"kept epoch {stop.epochs_done}/{stop.epochs}" if stop.epochs_done
                else "no epoch had ended yet")
        typer.echo(
            f"\nInterrupted: {kept} in {stop.run_dir}.\n"
            f"Resume with: convscope train --resume {stop.run_dir}",
            err=True,
        )
        raise typer.Exit(130) from None
    typer.echo(str(run.path))


_MIRROR_LINE = "  predictions: each image's probabilities averaged with its mirror image's\n"


def _fast_line(recipe) -> str:
    """What ``--fast`` changes in ``recipe``, for ``convscope recipes NAME``."""
    if recipe.precision == "auto":
        return ""  # a fast recipe already
    fast = recipe.fast
    changes = (f"batch {fast.batch_size}, Adam lr {fast.learning_rate:g}, {fast.schedule} "
               "decay, " if fast else "")
    measured = f"\n    {fast.measured}" if fast and fast.measured else ""
    return f"  --fast: {changes}bfloat16 where fast{measured}\n"


@app.command("scan")
@user_errors
def scan_command(
    folder: Annotated[Path, typer.Argument(help="DIR/train/<class>/ and DIR/test/<class>/, or "
                                           "DIR/<class>/.")],
    size: Annotated[int, typer.Option(help="Side in pixels the photos are decoded to (and "
                                      "cached at, so training at that size starts warm).",
                                      min=1)] = 64,
    cache: Annotated[bool, typer.Option(help="Keep the decoded photos in the user cache.")] = True,
    quiet: Quiet = False,
):
    """Check a folder of photos: counts per class, sizes, and every skipped file with its reason.

    Every photo is decoded, so damaged, truncated and mislabelled files show up here rather
    than during training. Exit status 0 even when files are skipped (training skips them too).
    """
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from .datasets.folders import scan_folder

    report = scan_folder(folder, (size, size, 3), cache=cache, progress=not quiet)
    table = Table("part", "class", "photos", "width min / median / max",
                  "height min / median / max", box=None, pad_edge=False)
    for row in report.rows():
        w, h = row["width"], row["height"]
        table.add_row(row["part"], escape(row["class"]), f"{row['photos']:,}",
                      f"{w['min']} / {w['median']} / {w['max']}",
                      f"{h['min']} / {h['median']} / {h['max']}")
    Console(width=120).print(table)
    skipped = report.skipped
    typer.echo(f"{len(skipped)} file(s) skipped" + (":" if skipped else ""))
    for item in skipped:
        typer.echo(f"  {item}")


prepare_app = typer.Typer(help="Make train/ and test/ photo folders from raw photos "
                          "(copies; the originals are never moved or changed).",
                          no_args_is_help=True)
app.add_typer(prepare_app, name="prepare")

TestFraction = Annotated[float | None, typer.Option(
    help="Fraction of each class held out for testing [default: 0.2, the course's 2,500 of "
    "12,500].", show_default=False)]
PerClass = Annotated[int | None, typer.Option(
    help="Use only N photos of each class in all (e.g. 1000 for a first, quick run).",
    show_default=False)]
PrepareOut = Annotated[Path, typer.Option("--out", help="Folder to create (train/ and test/ "
                                          "inside).")]
PrepareForce = Annotated[bool, typer.Option(help="Write into --out even if it is not empty "
                                            "(files of the same name are replaced).")]


def _prepare(function, source: Path, out: Path, quiet: bool, **options) -> None:
    from rich.progress import Progress

    with Progress(disable=quiet, transient=True) as bar:
        task = bar.add_task("copying photos", total=None)
        report = function(source, out, **options,
                          progress=lambda done, total: bar.update(task, completed=done,
                                                                  total=total))
    typer.echo(report.describe())


@prepare_app.command("catsdogs")
@user_errors
def prepare_catsdogs_command(
    source: Annotated[Path, typer.Argument(help="Kaggle's Dogs vs. Cats train.zip, or a folder "
                                           "of its cat.N.jpg / dog.N.jpg photos.")],
    out: PrepareOut,
    test_fraction: TestFraction = None,
    per_class: PerClass = None,
    seed: Annotated[int, typer.Option(help="The same seed gives the same split.", min=0)] = 0,
    force: PrepareForce = False,
    quiet: Quiet = False,
):
    """The course's layout: OUT/train/{cats,dogs} (10,000 each) and OUT/test/{cats,dogs} (2,500).

    Zip members that would land outside OUT, links and non-photos are reported and skipped.
    Then: convscope train catsdogs --data OUT
    """
    from .datasets.prepare import prepare_catsdogs

    _prepare(prepare_catsdogs, source, out, quiet, test_fraction=test_fraction,
             per_class=per_class, seed=seed, force=force)


@prepare_app.command("split")
@user_errors
def prepare_split_command(
    source: Annotated[Path, typer.Argument(help="A folder with one sub-folder of photos per "
                                           "class.")],
    out: PrepareOut,
    test_fraction: Annotated[float, typer.Option(help="Fraction of each class held out for "
                                                 "testing.")] = 0.2,
    per_class: PerClass = None,
    seed: Annotated[int, typer.Option(help="The same seed gives the same split.", min=0)] = 0,
    force: PrepareForce = False,
    quiet: Quiet = False,
):
    """Split any folder-per-class set into OUT/train/<class> and OUT/test/<class> (copies).

    Then: convscope train folder OUT
    """
    from .datasets.prepare import split_folder

    _prepare(split_folder, source, out, quiet, test_fraction=test_fraction, per_class=per_class,
             seed=seed, force=force)


@app.command("evaluate")
@user_errors
def evaluate_command(
    run_dir: Annotated[Path, typer.Argument(help="A run directory.")],
    data_dir: DataDir = None,
):
    """Recompute a run's test metrics and figures (writes metrics.json and figures/)."""
    from .runs import load_run

    run = load_run(run_dir)
    metrics = run.evaluate(data_dir)
    typer.echo(f"test accuracy {metrics['test_accuracy']:.2%}  loss {metrics['test_loss']:.4f}  "
               f"({metrics['test_images']:,} images)")
    for name, acc in metrics["per_class_accuracy"].items():
        typer.echo(f"  {name:>12}  {acc:.2%}")
    typer.echo(f"figures in {run.path / 'figures'}")


@app.command("predict")
@user_errors
def predict_command(
    run_dir: Annotated[Path, typer.Argument(help="A run directory.")],
    images: Annotated[list[Path], typer.Argument(help="Image files (PNG, JPEG, …).")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON record per line: path, "
                                          "predicted class, probabilities.")] = False,
):
    """Predict the class of your own images, with every class's probability.

    For a digit run, a photo or scan of one handwritten digit (dark on light or light on dark)
    is prepared the way MNIST was made: grey, ink cropped, fitted in 20×20, centred in 28×28.
    """
    from .runs import load_run

    run = load_run(run_dir)
    failed = False
    for p in run.predict(images, skip_errors=True):
        if p.error:
            failed = True
            typer.echo(f"error: {p.error}", err=True)
            if as_json:
                typer.echo(json.dumps(p.to_dict()))
            continue
        if as_json:
            typer.echo(json.dumps(p.to_dict()))
        else:
            probs = "  ".join(f"{k}:{v:.3f}" for k, v in p.probabilities.items())
            typer.echo(f"{p.source}: {p.label} ({p.confidence:.1%})   {probs}")
    if failed:
        raise typer.Exit(1)


@app.command("compare")
@user_errors
def compare_command(
    run_dirs: Annotated[list[Path], typer.Argument(help="Run directories to compare.")],
    out: Annotated[Path | None, typer.Option(help="Figure to write (PNG); the table goes beside "
                                             "it as .csv. Default: runs/comparison-<time>.png",
                                             show_default=False)] = None,
    force: Annotated[bool, typer.Option(help="Overwrite --out if it exists.")] = False,
):
    """Compare runs: parameters, seconds per epoch, best and final accuracies, learning curves.

    Shows what pooling buys (cifar10 vs cifar10-nopool) and where training and test accuracy
    part ways (over-fitting).
    """
    import csv
    import time

    from rich.console import Console
    from rich.table import Table

    from . import _io, plots
    from .evaluation import compare_runs
    from .runs import load_run

    runs = [load_run(d) for d in run_dirs]
    rows = compare_runs(runs)
    if out is None:
        out = Path("runs") / f"comparison-{time.strftime('%Y%m%d-%H%M%S')}.png"
    out = out.with_suffix(".png")
    table_path = out.with_suffix(".csv")
    for path in (out, table_path):
        if path.exists() and not force:
            raise ConvscopeError(f"{path}: already exists; pass --force to overwrite it or "
                                 "choose another --out")
    table = Table("run", "recipe", "parameters", "epochs", "s/epoch", "best test", "final test",
                  "best train", "final train", box=None, pad_edge=False)
    for r in rows:
        table.add_row(Path(r["run"]).name, r["recipe"],
                      f"{r['parameters']:,}" if r["parameters"] else "?", str(r["epochs"]),
                      f"{r['seconds_per_epoch']:.1f}",
                      f"{r['best_test_accuracy']:.2%} (ep {r['best_epoch']})",
                      f"{r['final_test_accuracy']:.2%}", f"{r['best_train_accuracy']:.2%}",
                      f"{r['final_train_accuracy']:.2%}")
    Console(width=160).print(table)
    out.parent.mkdir(parents=True, exist_ok=True)
    labels = [r["recipe"] if Path(r["run"]).name == r["recipe"]
              else f"{r['recipe']} ({Path(r['run']).name})" for r in rows]
    _io.save_figure(plots.compare_curves([run.history for run in runs], labels), out)
    with open(table_path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    typer.echo(f"figure: {out}\ntable: {table_path}")


# -- study 4: what does the network see? -------------------------------------------------------

Target = Annotated[Path, typer.Argument(help="A run directory, or any Keras .keras classifier.")]
OutDir = Annotated[Path | None, typer.Option("--out", help="Folder for the figures (default: the "
                                             "run's figures/inspect/).", show_default=False)]
Force = Annotated[bool, typer.Option(help="Overwrite figures that already exist in --out.")]


def _out_dir(run, out: Path | None) -> Path:
    folder = out if out is not None else run.figures_dir / "inspect"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _save(fig, path: Path, force: bool, owned: bool) -> Path:
    """Save a figure; outside convscope's own figure folders, never replace a file unasked."""
    from . import _io

    if path.exists() and not (owned or force):
        import matplotlib.pyplot as plt

        plt.close(fig)
        raise ConvscopeError(f"{path}: already exists; pass --force to overwrite it or choose "
                             "another --out")
    return _io.save_figure(fig, path)


def _one_image(run, image: Path | None, test_index: int | None, data_dir):
    """(prepared image, description, file-name tag) from a file or the run's test set."""
    if (image is None) == (test_index is None):
        raise ConvscopeError("give either an IMAGE file or --test-index I")
    if image is not None:
        return run.prepare(image), image.name, image.stem
    x_test, y_test = run.test_images(data_dir)
    if not 0 <= test_index < len(x_test):
        raise ConvscopeError(f"--test-index must be in 0–{len(x_test) - 1}; got {test_index}")
    label = run.class_names[int(y_test[test_index])]
    return run.scale(x_test[test_index]), f"test image #{test_index} ({label})", \
        f"test{test_index}"


def _say_written(paths) -> None:
    for path in paths:
        typer.echo(str(path))


@app.command("see")
@user_errors
def see_command(
    target: Target,
    image: Annotated[Path | None, typer.Argument(help="An image file.", show_default=False)] = None,
    test_index: Annotated[int | None, typer.Option(help="Use test image number I instead.",
                                                   show_default=False)] = None,
    layers: Annotated[str | None, typer.Option(help="Layers to show, by number from 1 (conv and "
                                               "pooling layers only) or name: e.g. 1,2,3.",
                                               show_default=False)] = None,
    per_map_scale: Annotated[bool, typer.Option(help="Stretch each map to its own range "
                                                "(default: one scale per layer).")] = False,
    out: OutDir = None,
    force: Force = False,
    data_dir: DataDir = None,
):
    """Feature maps: what each convolution and pooling layer outputs for one image.

    One figure per layer, maps numbered from 1, white = high, black = low, the input beside
    (the course's §4.2). Example: convscope see runs/mnist-viz-… --test-index 4
    """
    from . import inspection, plots
    from .runs import load_run

    run = load_run(target)
    prepared, what, tag = _one_image(run, image, test_index, data_dir)
    chosen = None if layers is None else [w.strip() for w in layers.split(",") if w.strip()]
    written = []
    folder = _out_dir(run, out)
    for fm in inspection.feature_maps(run.model, prepared, chosen):
        title = (f"Layer {fm.number} ({fm.layer}, {fm.kind}): {fm.maps.shape[-1]} feature maps "
                 f"of {what}")
        fig = plots.feature_maps_grid(fm.maps, prepared, title, shared_scale=not per_map_scale)
        written.append(_save(fig, folder / f"see-{tag}-layer{fm.number}.png", force, out is None))
    _say_written(written)


@app.command("filter")
@user_errors
def filter_command(
    target: Target,
    images: Annotated[list[Path] | None, typer.Argument(help="Image files (default: test images).",
                                                        show_default=False)] = None,
    layer: Annotated[str, typer.Option(help="Layer number from 1 (conv/pooling) or name.")] = "1",
    filter_number: Annotated[int, typer.Option("--filter", help="Filter number, from 1.",
                                               min=1)] = 1,
    count: Annotated[int, typer.Option("--images", help="How many test images (when no files "
                                       "are given), cycling through the classes.", min=1)] = 16,
    out: OutDir = None,
    force: Force = False,
    data_dir: DataDir = None,
):
    """One filter's output across many images, with its kernel (the course's §4.3)."""
    import numpy as np

    from . import inspection, plots
    from .runs import load_run

    run = load_run(target)
    if images:
        batch = np.stack([run.prepare(p) for p in images])
        captions = [p.name for p in images]
    else:
        x_test, y_test = run.test_images(data_dir)
        picks = _spread_over_classes(y_test, count)
        batch = run.scale(x_test[picks])
        captions = [run.class_names[int(y_test[i])] for i in picks]
    chosen = inspection.find_layer(run.model, layer)
    responses = inspection.filter_responses(run.model, batch, chosen, filter_number)
    source = inspection.pooled_from(run.model, chosen) if inspection.is_pooling(chosen) \
        else chosen
    kernel = None
    if source is not None:
        weights, _ = inspection.kernels(run.model, source)
        kernel = weights[..., filter_number - 1]
    number = inspection.layer_number(run.model, chosen)
    title = f"Layer {number} ({chosen.name}), filter {filter_number}, on {len(batch)} images"
    fig = plots.filter_across_images(batch, responses, kernel, title, captions)
    path = _out_dir(run, out) / f"filter-layer{number}-filter{filter_number}.png"
    _say_written([_save(fig, path, force, out is None)])


def _spread_over_classes(labels, count: int):
    """Indices of ``count`` test images taking the classes in turn (0, 1, 2, …, 0, 1, …)."""
    import numpy as np

    by_class = [list(np.flatnonzero(labels == c)) for c in np.unique(labels)]
    picks = []
    while len(picks) < count and any(by_class):
        for members in by_class:
            if members and len(picks) < count:
                picks.append(members.pop(0))
    return np.array(picks)


@app.command("kernels")
@user_errors
def kernels_command(
    target: Target,
    layer: Annotated[str | None, typer.Option(help="Convolution layer number from 1 or name "
                                              "(default: every convolution layer).",
                                              show_default=False)] = None,
    out: OutDir = None,
    force: Force = False,
):
    """The learned 3×3 kernels as small images (in colour for a colour network's first layer)."""
    from . import inspection, plots
    from .runs import load_run

    run = load_run(target)
    chosen = inspection.conv_layers(run.model) if layer is None else \
        [inspection.find_layer(run.model, layer)]
    written = []
    for conv in chosen:
        weights, _ = inspection.kernels(run.model, conv)
        number = inspection.layer_number(run.model, conv)
        kh, kw, cin, cout = weights.shape
        title = f"Layer {number} ({conv.name}): {cout} kernels of {kh}×{kw}×{cin}"
        path = _out_dir(run, out) / f"kernels-layer{number}.png"
        written.append(_save(plots.kernels_grid(weights, title), path, force, out is None))
    _say_written(written)


@app.command("explain")
@user_errors
def explain_command(
    target: Target,
    image: Annotated[Path | None, typer.Argument(help="An image file.", show_default=False)] = None,
    test_index: Annotated[int | None, typer.Option(help="Use test image number I instead.",
                                                   show_default=False)] = None,
    class_name: Annotated[str | None, typer.Option("--class", help="Class to explain, by name or "
                                                   "number (default: the predicted one).",
                                                   show_default=False)] = None,
    method: Annotated[str, typer.Option(help="hirescam (maps × gradients, position by "
                                        "position) or gradcam (maps × mean gradients).")
                      ] = "hirescam",
    out: OutDir = None,
    force: Force = False,
    data_dir: DataDir = None,
):
    """Grad-CAM: which part of the image made the network decide, with its probabilities.

    The default, HiResCAM, is Grad-CAM without averaging the gradients over the image: the
    same map for networks ending in global pooling, and a faithful one for Flatten → Dense
    heads like the course's, where plain Grad-CAM often comes out empty.
    """
    from . import inspection, plots
    from .runs import load_run

    run = load_run(target)
    prepared, what, tag = _one_image(run, image, test_index, data_dir)
    names = run.class_names
    index = None
    if class_name is not None:
        if class_name in names:
            index = names.index(class_name)
        elif class_name.isdigit() and int(class_name) < len(names):
            index = int(class_name)
        else:
            raise ConvscopeError(f"unknown class {class_name!r}; classes: {', '.join(names)}")
    cam = inspection.grad_cam(run.model, prepared, index, method=method)
    title = f"{'HiResCAM' if method == 'hirescam' else 'Grad-CAM'} on {what} (layer {cam.layer})"
    fig = plots.grad_cam(prepared, cam.heatmap, cam.probabilities, names, cam.class_index, title)
    path = _out_dir(run, out) / f"explain-{tag}-class{cam.class_index}.png"
    best = int(cam.probabilities.argmax())
    typer.echo(f"{what}: predicted {names[best]} ({cam.probabilities[best]:.1%}); "
               f"explained class {names[cam.class_index]}")
    _say_written([_save(fig, path, force, out is None)])


@app.command("summary")
@user_errors
def summary_command(
    target: Annotated[str, typer.Argument(help="A recipe name, a run directory or a .keras file.")],
    out: Annotated[Path | None, typer.Option(help="Diagram PNG to write (default: "
                                             "<recipe>-architecture.png, or in the run's "
                                             "figures/).", show_default=False)] = None,
    force: Force = False,
):
    """The layer table (output shape, weights, how each count comes about) and a block diagram."""
    from rich.console import Console
    from rich.table import Table

    from . import inspection, plots
    from .recipes import RECIPES, build_model
    from .runs import load_run

    owned = False
    if target in RECIPES:
        model, name = build_model(target), target
        path = out or Path(f"{target}-architecture.png")
    else:
        run = load_run(Path(target))
        model, name = run.model, run.recipe
        owned = out is None
        path = out or run.figures_dir / "architecture.png"
    rows = inspection.layer_table(model)
    table = Table("layer", "type", "output shape", "weights", "how", box=None, pad_edge=False)
    for r in rows:
        table.add_row(r["name"], r["type"], "×".join(map(str, r["output_shape"])),
                      f"{r['parameters']:,}", r["formula"])
    console = Console(width=120)
    console.print(table)
    console.print(f"total: {sum(r['parameters'] for r in rows):,} weights")
    input_shape = tuple(model.inputs[0].shape[1:])
    path.parent.mkdir(parents=True, exist_ok=True)
    _say_written([_save(plots.architecture(rows, input_shape, name), path, force, owned)])


def main() -> None:
    app(prog_name="convscope")
