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
    typer.Option("--data-dir", help="Folder holding the dataset (else $CONVSCOPE_DATA, then the "
                 "user cache, then a verified download)."),
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
def recipes_command():
    """List the networks convscope can train: name, dataset, input, parameters, description."""
    from rich.console import Console
    from rich.table import Table

    from .recipes import RECIPES, count_params

    table = Table("recipe", "dataset", "input", "parameters", "epochs", "batch", "description",
                  box=None, pad_edge=False)
    for r in RECIPES.values():
        table.add_row(r.name, r.dataset, "×".join(map(str, r.input_shape)),
                      f"{count_params(r):,}", str(r.epochs), str(r.batch_size), r.summary)
    Console().print(table)


@app.command("train")
@user_errors
def train_command(
    recipe: Annotated[str | None, typer.Argument(help="Recipe name (see `convscope recipes`).",
                                                 show_default=False)] = None,
    epochs: Annotated[int | None, typer.Option(help="Epochs to train (default: the recipe's).",
                                               min=1, show_default=False)] = None,
    batch_size: Annotated[int | None, typer.Option(help="Images per gradient step (default: "
                                                   "the recipe's).", min=1,
                                                   show_default=False)] = None,
    seed: Annotated[int, typer.Option(help="Random seed for weights and data order.",
                                      min=0)] = 0,
    limit: Annotated[int | None, typer.Option(help="Train on the first N training images only "
                                              "(quick trials).", min=1,
                                              show_default=False)] = None,
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

    Example: convscope train mnist --epochs 5
    """
    from .training import TrainingInterrupted, resume as resume_run, train

    try:
        if resume is not None:
            if recipe or batch_size or limit or out or seed:
                _fail("--resume continues a run with its own settings; pass only --resume, "
                      "--epochs and --data-dir", 2)
            run = resume_run(resume, data_dir, epochs=epochs, progress=not quiet)
        elif recipe is None:
            _fail("name a recipe (e.g. `convscope train mnist`) or pass --resume RUN_DIR", 2)
        else:
            run = train(recipe, data_dir, epochs=epochs, batch_size=batch_size, seed=seed,
                        limit=limit, out=out, progress=not quiet)
    except TrainingInterrupted as stop:
        typer.echo(
            f"\nInterrupted: kept epoch {stop.epochs_done}/{stop.epochs} in {stop.run_dir}.\n"
            f"Resume with: convscope train --resume {stop.run_dir}",
            err=True,
        )
        raise typer.Exit(130) from None
    typer.echo(str(run.path))


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


def main() -> None:
    app(prog_name="convscope")
