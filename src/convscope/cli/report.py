"""``convscope report``: one self-contained HTML page of runs (or of a model and your images)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import DataDir, Quiet, app, console_display, user_errors, with_keras


@app.command("report")
@user_errors
def report_command(
    targets: Annotated[list[Path], typer.Argument(
        help="Run directories (several are compared first), or a .keras model with --images.",
        show_default=False)],
    out: Annotated[Path | None, typer.Option(
        help="HTML file to write (default: RUN_DIR/report.html; for several runs "
        "runs/report-<time>.html).", show_default=False)] = None,
    lang: Annotated[str | None, typer.Option(
        help="Language of the page: en or fr (default: the system's).",
        show_default=False)] = None,
    images: Annotated[Path | None, typer.Option(
        help="A folder of your images to predict and look inside (what a bare .keras model is "
        "shown with; sub-folders named after classes give the true classes).",
        show_default=False)] = None,
    force: Annotated[bool, typer.Option(help="Replace --out if it exists.")] = False,
    data_dir: DataDir = None,
    quiet: Quiet = False,
):
    """Write one HTML page of everything a run learned, to open offline in any browser.

    In the course's order: the run, its data, the network, the learning curves, predictions
    (with a confusion matrix whose cells show their test images) and what the network sees.
    Example: convscope report runs/cifar10-… runs/cifar10-nopool-… --lang fr
    """
    with_keras()
    from ..reports import report

    path = report(targets, out, lang=lang, images=images, data_dir=data_dir, overwrite=force,
                  observer=console_display(quiet))
    typer.echo(str(path))
