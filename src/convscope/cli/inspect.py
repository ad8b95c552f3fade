"""Study 4, what does the network see: ``see``, ``filter``, ``kernels``, ``explain``, ``summary``.

Figures go to the run's ``figures/inspect/`` (redrawn freely there) or to ``--out`` (where an
existing file is replaced only with ``--force``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import (
    DataDir,
    Force,
    OutDir,
    Target,
    app,
    fail,
    notices,
    say_written,
    user_errors,
    with_keras,
)

TestIndex = Annotated[int | None, typer.Option(help="Use test image number I instead.",
                                               show_default=False)]
FirstOf = Annotated[str | None, typer.Option(
    "--first-of", metavar="CLASS", help="Use the first test image of this class instead (its "
    "name or number).", show_default=False)]
ImageFile = Annotated[Path | None, typer.Argument(help="An image file.", show_default=False)]


def _refuse_unused(out: Path | None, force: bool, image=None, data_dir=None) -> None:
    """Options that would be ignored are refused: --force without --out (the run's own
    figure folder is redrawn freely anyway), --data-dir for an image file (no test image is
    read)."""
    if force and out is None:
        fail("--force replaces figures in --out; without --out they go to the run's own "
             "figures/inspect/, which is redrawn anyway", 2)
    if image is not None and data_dir is not None:
        fail("--data-dir says where the test images are; with an IMAGE file none is read", 2)


def _save(figures, run, out: Path | None, force: bool) -> None:
    """Save the figures into --out (an existing file replaced only with --force) or the run's
    own figures/inspect/ (redrawn freely); each path printed, "(replaced)" when it was there."""
    from ..figures import save_figures

    folder = out if out is not None else run.inspect_dir
    there = {f.name for f in figures if (Path(folder) / f"{f.name}.png").exists()}
    for path in save_figures(figures, folder, overwrite=force or out is None):
        typer.echo(f"{path} (replaced)" if path.stem in there else str(path))


@app.command("see")
@user_errors
def see_command(
    target: Target,
    image: ImageFile = None,
    test_index: TestIndex = None,
    first_of: FirstOf = None,
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
    from ..runs import load_run

    _refuse_unused(out, force, image, data_dir)
    run = load_run(target, observer=notices(), data_dir=data_dir)
    with_keras()
    from ..views import see

    chosen = None if layers is None else [w.strip() for w in layers.split(",") if w.strip()]
    figures = see(run, image, test_index=test_index, class_name=first_of, layers=chosen,
                  per_map_scale=per_map_scale)
    _save(figures, run, out, force)


@app.command("filter")
@user_errors
def filter_command(
    target: Target,
    images: Annotated[list[Path] | None, typer.Argument(help="Image files (default: test images).",
                                                        show_default=False)] = None,
    layer: Annotated[str, typer.Option(help="Layer number from 1 (conv/pooling) or name.")] = "1",
    filter_number: Annotated[int, typer.Option("--filter", help="Filter number, from 1.",
                                               min=1)] = 1,
    count: Annotated[int | None, typer.Option(
        "--images", help="How many test images, cycling through the classes (when no files are "
        "given) [default: 16].", min=1, show_default=False)] = None,
    out: OutDir = None,
    force: Force = False,
    data_dir: DataDir = None,
):
    """One filter's output across many images, with its kernel (the course's §4.3)."""
    from ..runs import load_run

    _refuse_unused(out, force, images or None, data_dir)
    if images and count is not None:
        fail("--images counts test images; with image files given, those are the images", 2)
    run = load_run(target, observer=notices(), data_dir=data_dir)
    with_keras()
    from ..views import FILTER_IMAGES, filter_figure

    figure = filter_figure(run, images, layer=layer, filter_number=filter_number,
                           count=count or FILTER_IMAGES)
    _save([figure], run, out, force)


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
    from ..runs import load_run

    _refuse_unused(out, force)
    run = load_run(target)
    with_keras()
    from ..views import kernel_figures

    _save(kernel_figures(run, layer), run, out, force)


@app.command("explain")
@user_errors
def explain_command(
    target: Target,
    image: ImageFile = None,
    test_index: TestIndex = None,
    first_of: FirstOf = None,
    class_name: Annotated[str | None, typer.Option("--class", help="Class to explain, by name or "
                                                   "number (default: the predicted one).",
                                                   show_default=False)] = None,
    method: Annotated[str, typer.Option(help="hirescam (maps × gradients, position by "
                                        "position) or gradcam (maps × mean gradients).")
                      ] = "hirescam",
    check: Annotated[bool, typer.Option("--check", help="Check whether the map can be "
                                        "trusted: erase the learnt weights layer by layer "
                                        "from the top, and compare with the runner-up "
                                        "class's map.")] = False,
    out: OutDir = None,
    force: Force = False,
    data_dir: DataDir = None,
):
    """Grad-CAM: which part of the image made the network decide, with its probabilities.

    The default, HiResCAM, is Grad-CAM without averaging the gradients over the image: the
    same map for networks ending in global pooling, and a faithful one for Flatten → Dense
    heads like the course's, where plain Grad-CAM often comes out empty.
    """
    from ..runs import load_run

    _refuse_unused(out, force, image, data_dir)
    run = load_run(target, observer=notices(), data_dir=data_dir)
    if check and class_name is not None:
        fail("--check explains the predicted class against the runner-up; leave out "
             "--class", 2)
    with_keras()
    if check:
        _check(run, image, test_index, first_of, method, out, force)
        return
    from ..views import explain

    result = explain(run, image, test_index=test_index, class_name=first_of,
                     explain_class=class_name, method=method)
    typer.echo(f"{result.description}: predicted {result.predicted} ({result.confidence:.1%}); "
               f"explained class {result.explained}")
    _save([result.figure], run, out, force)


def _field(row: dict) -> tuple[str, str]:
    """Receptive field and step in input pixels, as the summary prints them."""
    if row["receptive_field"] is None:
        return "", ""
    size = "×".join(map(str, row["receptive_field"]))
    return size, "" if row["step"] is None else "×".join(map(str, row["step"]))


def _check(run, image, test_index, first_of, method, out, force) -> None:
    from ..views import check_explanation

    checked = check_explanation(run, image, test_index=test_index, class_name=first_of,
                                method=method)
    check = checked.check
    if check.runner_up is not None:
        typer.echo(f"runner-up class {run.class_names[check.runner_up.class_index]}: rank "
                   f"correlation {check.runner_up_correlation:.2f}")
    for step in check.steps:
        typer.echo(f"weights erased down to {step.layer}: rank correlation "
                   f"{step.correlation:.2f}")
    typer.echo(checked.sentence)
    _save([checked.figure], run, out, force)


@app.command("summary")
@user_errors
def summary_command(
    target: Annotated[str, typer.Argument(help="A recipe name, a run directory or a .keras file.")],
    out: Annotated[Path | None, typer.Option(help="Diagram PNG to write (default: "
                                             "<recipe>-architecture.png, or in the run's "
                                             "figures/).", show_default=False)] = None,
    force: Force = False,
):
    """The layer table (output shape, weights, how each count comes about, the input pixels
    each value sees and the step between neighbours) and a block diagram."""
    from rich.console import Console
    from rich.table import Table

    from ..recipes import RECIPES
    from ..runs import load_run

    with_keras()
    from ..views import summary

    if target in RECIPES:
        result, owned = summary(target), False
        path = out or Path(f"{target}-architecture.png")
    else:
        run = load_run(Path(target))
        result, owned = summary(run), out is None
        path = out or run.figures_dir / "architecture.png"
    table = Table("layer", "type", "output shape", "weights", "how", "sees", "step", box=None,
                  pad_edge=False)
    for r in result.rows:
        table.add_row(r["name"], r["type"], "×".join(map(str, r["output_shape"])),
                      f"{r['parameters']:,}", r["formula"], *_field(r))
    console = Console(width=120)
    console.print(table)
    console.print(f"total: {result.total:,} weights")
    result.figure.name = path.stem
    say_written([result.figure.save(path.parent, overwrite=owned or force)])
