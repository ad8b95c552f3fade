"""``convscope recipes`` and ``convscope train``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import DataDir, Quiet, app, fail, notices, user_errors, with_keras


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

    from ..recipes import RECIPES, get_recipe

    if name is not None:
        typer.echo(describe_recipe(get_recipe(name)))
        return
    table = Table("recipe", "dataset", "input", "parameters", "epochs", "batch", "description",
                  box=None, pad_edge=False)
    for r in RECIPES.values():
        table.add_row(r.name, r.dataset, "×".join(map(str, r.input_shape)),
                      f"{r.parameters:,}", str(r.epochs), str(r.batch_size),
                      escape(r.summary))
    Console(width=120).print(table)


def describe_recipe(recipe) -> str:
    """``convscope recipes NAME``: the recipe, with the precision its training (with --fast,
    for a recipe not fast already) uses on this machine, measured the first time (seconds; the
    library's notice says so only then)."""
    from ..models import choose_precision
    from ..words import Words

    fast = recipe if recipe.precision == "auto" else recipe.faster()
    choice = choose_precision(fast, observer=notices())
    return recipe.describe(choice.describe(Words("en")))


@app.command("train")
@user_errors
def train_command(
    recipe: Annotated[str | None, typer.Argument(
        help="Recipe name (see `convscope recipes`), or `folder` to train on your own photos.",
        show_default=False)] = None,
    folder: Annotated[Path | None, typer.Argument(
        help="With `folder`: DIR/train/<class>/ and DIR/test/<class>/ (or DIR/<class>/ with "
        "--validation-split).", show_default=False)] = None,
    network: Annotated[str | None, typer.Option(
        "--recipe", help="With `folder`: the network to train (its input size is the photos' "
        "size; the output layer fits your classes) [default: catsdogs].",
        show_default=False)] = None,
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
        "--fast", help="Same layers, less time: bfloat16 where it measures faster on this "
        "machine, and the recipe's measured larger batch and learning-rate schedule "
        "(`convscope recipes NAME` shows them).")] = False,
    precision: Annotated[str | None, typer.Option(
        help="Arithmetic: float32, bfloat16 (float32 weights), or auto: the faster of the two "
        "for this network and batch on this machine, measured once in a few seconds "
        "(default: the recipe's; auto with --fast).", show_default=False)] = None,
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
    report: Annotated[bool, typer.Option(
        help="Write report.html into the run directory at the end: the whole run on one "
        "page (a few seconds; `convscope report` writes it later).")] = True,
    quiet: Quiet = False,
):
    """Train a recipe and write a run directory (model, config, history, metrics, figures).

    Ctrl-C keeps the last completed epoch; continue later with --resume RUN_DIR.

    Examples: convscope train mnist --epochs 5; convscope train mnist --fast;
    convscope train catsdogs --data-dir DIR --augment --epochs 100;
    convscope train folder my_photos --validation-split 0.2
    """
    if recipe == "folder" and folder is None:
        fail("`convscope train folder` needs the folder: convscope train folder DIR", 2)
    if folder is not None and recipe != "folder":
        fail(f"unexpected argument {folder}; to train on a folder of photos use "
             f"`convscope train folder {folder} --recipe {recipe}`", 2)
    if network is not None and recipe != "folder":
        fail(f"--recipe {network} applies only to `convscope train folder DIR`, where it "
             "chooses the network for your photos", 2)
    choices = dict(epochs=epochs, batch_size=batch_size, seed=seed, limit=limit,
                   until_accuracy=until_accuracy, schedule=schedule, fast=fast or None,
                   precision=precision,
                   augment=augment or None, validation_split=validation_split,
                   cache=None if cache else False, devices=devices, workers=workers,
                   worker_index=worker_index)
    given = {name: value for name, value in choices.items() if value is not None}
    if recipe not in (None, "folder"):
        from ..recipes import get_recipe

        get_recipe(recipe)  # a misspelled name is said at once
    with_keras()
    from ..training import TrainingInterrupted, train
    from ..training import resume as resume_run

    try:
        if resume is not None:
            if recipe or set(given) - {"epochs"}:
                fail("--resume continues a run with its own settings; pass only --resume, "
                     "--epochs and --data-dir", 2)
            run = resume_run(resume, data_dir, epochs=epochs, progress=not quiet,
                             report=report)
        elif recipe is None:
            fail("name a recipe (e.g. `convscope train mnist`) or pass --resume RUN_DIR", 2)
        else:
            run = train((network or "catsdogs") if folder else recipe, data_dir, folder=folder,
                        out=out, progress=not quiet, report=report, **given)
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
