"""``convscope export``: a run's network for another runtime, checked in that runtime."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import DataDir, Quiet, app, console_display, user_errors


@app.command("export")
@user_errors
def export_command(
    run_dir: Annotated[Path, typer.Argument(help="A run directory.")],
    format: Annotated[str, typer.Option(
        "--format", help="onnx (ONNX Runtime), litert (.tflite), saved_model (TensorFlow "
        "Serving) or page (a web page that runs it offline).")] = "onnx",
    out: Annotated[Path | None, typer.Option(
        help="Folder to write (default: RUN_DIR/export/FORMAT).", show_default=False)] = None,
    quantize: Annotated[str | None, typer.Option(
        help="int8: 8-bit weights and activations (litert only), measured on the run's "
        "training images.", show_default=False)] = None,
    force: Annotated[bool, typer.Option(help="Replace --out if it exists.")] = False,
    data_dir: DataDir = None,
    quiet: Quiet = False,
):
    """Export a run's network, check it in its own runtime against Keras, and say how it did.

    The folder holds the model, export.json (what the network expects of a picture, its
    classes, the check's numbers) and, for onnx, predict.py: a standalone example. Needs
    pip install 'convscope[export]'. Example: convscope export runs/mnist-… --format page
    """
    from ..export import export
    from ..runs import load_run

    run = load_run(run_dir, data_dir=data_dir)
    result = export(run, format, out, quantize=quantize, overwrite=force,
                    observer=console_display(quiet))
    say_check(result.record)
    typer.echo(str(result.model_file))


def say_check(record: dict) -> None:
    """The check's numbers, one line each."""
    check = record["check"]
    typer.echo(f"checked on {check['images']:,} test images against Keras: largest "
               f"probability difference {check['keras']['max_probability_difference']:.2g}, "
               f"same class {check['keras']['argmax_agreement']:.2%}")
    if record["quantized"]:
        typer.echo(f"accuracy {check['keras_accuracy']:.2%} → {check['export_accuracy']:.2%} "
                   f"({100 * check['accuracy_change']:+.2f} points)")
    typer.echo(f"{record['bytes'] / 1e6:.2f} MB, class names inside: "
               f"{', '.join(record['class_names'])}")
