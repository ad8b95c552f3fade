"""``convscope evaluate``, ``predict`` and ``compare``: using finished runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ._common import DataDir, app, notices, user_errors, with_keras


@app.command("evaluate")
@user_errors
def evaluate_command(
    run_dir: Annotated[Path, typer.Argument(help="A run directory.")],
    data_dir: DataDir = None,
):
    """Recompute a run's test metrics and figures (writes metrics.json and figures/)."""
    from ..runs import load_run

    run = load_run(run_dir, observer=notices(), data_dir=data_dir)
    with_keras()
    metrics = run.write_metrics()
    typer.echo(f"test accuracy {metrics['test_accuracy']:.2%}  loss {metrics['test_loss']:.4f}  "
               f"({metrics['test_images']:,} images)")
    for name, acc in metrics["per_class_accuracy"].items():
        typer.echo(f"  {name:>12}  {acc:.2%}")
    typer.echo(f"figures in {run.figures_dir}")


@app.command("predict")
@user_errors
def predict_command(
    run_dir: Annotated[Path, typer.Argument(help="A run directory.")],
    images: Annotated[list[Path], typer.Argument(help="Image files (PNG, JPEG, …).")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON record per line: path, "
                                          "predicted class, probabilities, unsure.")] = False,
    show: Annotated[bool, typer.Option("--show", help="Also draw each picture beside the input "
                                       "the network received from it, into the run's "
                                       "figures/predict/.")] = False,
):
    """Predict the class of your own images, with every class's probability.

    An answer is called unsure when its confidence falls where the run's own test answers
    were right less than 90 % of the time: a network answers anything it is shown (a letter
    gets a digit), so its confidence is worth what its test set says it is worth.

    For a digit run, a photo or scan of one handwritten digit (dark on light or light on dark)
    is prepared the way MNIST was made: grey, ink cropped, fitted in 20×20, centred in 28×28.
    """
    from ..runs import load_run

    with_keras()  # a .keras file is read by loading its model
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
            typer.echo(f"{p.source}: {p.label} ({p.confidence:.1%}){_unsure(p, run)}   {probs}")
        if show:
            from ..views import as_received

            path = as_received(run, Path(p.source)).save(run.figures_dir / "predict")
            typer.echo(f"  drawn: {path}", err=as_json)
    if failed:
        raise typer.Exit(1)


def _unsure(prediction, run) -> str:
    """", unsure: …" when the run's own test answers at this confidence were often wrong."""
    if not prediction.unsure:
        return ""
    threshold = run.calibration.unsure_below
    where = ("below " + f"{threshold:.0%}") if threshold is not None else "at any confidence"
    return (f", unsure: {where} its test answers were right less than "
            f"{run.calibration.target:.0%} of the time")


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
    import time

    from rich.console import Console
    from rich.table import Table

    with_keras()
    from ..views import compare

    comparison = compare(run_dirs)
    if out is None:
        out = Path("runs") / f"comparison-{time.strftime('%Y%m%d-%H%M%S')}.png"
    table = Table("run", "recipe", "parameters", "epochs", "s/epoch", "best test", "final test",
                  "best train", "final train", box=None, pad_edge=False)
    for r in comparison.rows:
        table.add_row(Path(r["run"]).name, r["recipe"],
                      f"{r['parameters']:,}" if r["parameters"] else "?", str(r["epochs"]),
                      f"{r['seconds_per_epoch']:.1f}",
                      f"{r['best_test_accuracy']:.2%} (ep {r['best_epoch']})",
                      f"{r['final_test_accuracy']:.2%}", f"{r['best_train_accuracy']:.2%}",
                      f"{r['final_train_accuracy']:.2%}")
    png, csv, images = comparison.save(out, overwrite=force)
    Console(width=160).print(table)
    typer.echo(f"figure: {png}\ntable: {csv}")
    if images is not None:
        typer.echo(f"the same test images through each network: {images}")
