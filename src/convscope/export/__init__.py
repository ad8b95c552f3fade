"""A trained run taken out of convscope: its network written for another runtime, checked in
that runtime against Keras, with what it expects of a picture written beside it.

    export(run, "onnx")                       # → RUN/export/onnx/model.onnx + export.json
    export(run, "litert", quantize="int8")    # → RUN/export/litert-int8/model.tflite
    export(run, "page")                       # → RUN/export/page/index.html, offline

In order: the network as a prediction computes it (``graph``), written through Keras's own
``model.export`` (``formats``), loaded again in its own runtime and compared with Keras on the
run's test images (``verify``), then ``export.json`` (``preparation`` says what the network
expects) and, for ONNX, ``predict.py``, a standalone example; the page (``web``) is an ONNX
export in a folder with the in-browser runtime. A failed check raises ``ExportError`` after
writing ``export.json``, so the files can be looked at.

Needs convscope's ``export`` extra and Keras's TensorFlow backend.
"""

from __future__ import annotations

import datetime
import importlib.util
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import _io
from ..errors import ConvscopeError, RunError, refuse_existing
from ..events import Progress, emit

FORMATS = ("onnx", "litert", "saved_model", "page")
QUANTIZATIONS = ("int8",)
EXPORT_JSON = "export.json"
EXAMPLE = "predict.py"
# The modules each format needs (pip names them tf2onnx, onnx, onnxruntime, ai-edge-litert).
NEEDS = {"onnx": ("tf2onnx", "onnx", "onnxruntime"), "litert": ("ai_edge_litert",),
         "saved_model": (), "page": ("tf2onnx", "onnx", "onnxruntime")}


class ExportError(ConvscopeError):
    """An export that its own runtime does not run as Keras does."""


@dataclass(frozen=True)
class Export:
    """What ``export`` wrote and what its check found."""

    format: str
    folder: Path  # everything written: the model, export.json, and the example or the page
    model_file: Path
    record: dict  # export.json

    @property
    def passed(self) -> bool:
        return bool(self.record["passed"])

    @property
    def check(self) -> dict:
        return self.record["check"]


def export(run, format: str = "onnx", out=None, quantize: str | None = None,
           overwrite: bool = False, observer=None) -> Export:
    """Write ``run``'s network as ``format`` (``onnx``, ``litert``, ``saved_model`` or
    ``page``) into the folder ``out`` (default: the run's ``export/<format>``), check it in
    its own runtime against Keras on the run's test images, and write ``export.json``.

    ``quantize="int8"`` (``litert`` only): 8-bit weights and activations, measured on the
    run's training images. Raises ``ExportError`` when the check fails.
    """
    _check_choices(run, format, quantize)
    _check_installed(format)
    folder = Path(out) if out is not None else default_folder(run, format, quantize)
    refuse_existing(folder, overwrite)
    folder.parent.mkdir(parents=True, exist_ok=True)
    # Written beside it, then renamed: an export that stops half-way leaves nothing.
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    os.chmod(work, 0o777 & ~_umask())  # as a folder made by mkdir, not mkdtemp's 0700
    try:
        written = _export_into(run, format, quantize, work, observer)
        if folder.exists():
            shutil.rmtree(folder)
        work.rename(folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = Export(format, folder, folder / written.model_file.name, written.record)
    if not result.passed:
        raise ExportError(f"{folder}: the {format} file does not run as Keras does "
                          f"({result.record['check']['reason']}); its files are kept there "
                          "to be looked at", path=folder)
    return result


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def default_folder(run, format: str, quantize: str | None = None) -> Path:
    """``RUN/export/<format>`` (``litert-int8`` when quantized)."""
    return Path(run.path) / "export" / (f"{format}-{quantize}" if quantize else format)


def _export_into(run, format: str, quantize: str | None, folder: Path, observer) -> Export:
    from . import formats, verify
    from .graph import dropped_layer_names, inference_model
    from .preparation import describe

    steps = 4
    task = f"exporting to {format}" + (f" ({quantize})" if quantize else "")
    emit(observer, Progress(task, 0, steps))
    model = inference_model(run.model, mirror=bool(run.config.test_time_flip))
    description = describe(run)
    runtime_format = "onnx" if format == "page" else format
    model_file = folder / formats.FILES[runtime_format]
    representative = verify.representative_sample(run) if quantize else None
    emit(observer, Progress(task, 1, steps))
    formats.write(runtime_format, model, model_file, run.class_names, description,
                  representative)
    emit(observer, Progress(task, 2, steps))
    x, labels = verify.test_sample(run)
    check = verify.check(verify.batched(formats.runtime(runtime_format, model_file), x),
                         verify.batched(verify.keras_predictor(model), x),
                         run.predict_arrays(x), labels, quantized=quantize is not None)
    emit(observer, Progress(task, 3, steps))
    if format == "page":
        from .web import write_page

        model_file = write_page(folder, model_file, description, run.label, run.final_accuracy)
    elif format == "onnx":
        shutil.copyfile(Path(__file__).with_name("files") / EXAMPLE, folder / EXAMPLE)
    record = {
        "format": format,
        "file": model_file.name,
        "bytes": formats.size_of(folder if format == "page" else model_file),
        "quantized": quantize,
        "run": {"path": str(run.path), "recipe": run.recipe, "label": run.label},
        "created": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "versions": _versions(runtime_format),
        "left_out": dropped_layer_names(run.model),
        **description,
        "check": check.to_json(),
        "passed": check.passed,
    }
    _io.write_json(folder / EXPORT_JSON, record)
    emit(observer, Progress(task, steps, steps))
    return Export(format, folder, model_file, record)


def _check_choices(run, format: str, quantize: str | None) -> None:
    if format not in FORMATS:
        raise ConvscopeError(f"unknown export format {format!r}; choose one of: "
                             f"{', '.join(FORMATS)}", format=format, choices=list(FORMATS))
    if quantize is not None and quantize not in QUANTIZATIONS:
        raise ConvscopeError(f"unknown quantization {quantize!r}; choose one of: "
                             f"{', '.join(QUANTIZATIONS)}")
    if quantize is not None and format != "litert":
        raise ConvscopeError(f"`quantize` applies to the litert format only, not to {format}",
                             format=format)
    if run.bare:
        raise RunError(f"{run.path}: a model with no test images attached; export checks the "
                       "file on a run's test images: export a run directory", path=run.path)


def _check_installed(format: str) -> None:
    """The export extra's packages, and Keras on TensorFlow (which every exporter here uses)."""
    import keras

    missing = [name for name in ("tensorflow", *NEEDS[format])
               if importlib.util.find_spec(name) is None]
    if missing:
        raise ConvscopeError(
            f"exporting to {format} needs convscope's export extra (missing: "
            f"{', '.join(missing)}): pip install 'convscope[export]'", missing=missing)
    if keras.backend.backend() != "tensorflow":
        raise ConvscopeError(f"exporting needs Keras's TensorFlow backend (KERAS_BACKEND="
                             f"tensorflow); this one runs {keras.backend.backend()}")


def _versions(format: str) -> dict:
    import importlib.metadata

    import keras

    from .. import __version__

    packages = {"onnx": ("tensorflow", "tf2onnx", "onnx", "onnxruntime"),
                "litert": ("tensorflow", "ai-edge-litert"),
                "saved_model": ("tensorflow",)}[format]
    found = {}
    for name in packages:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:  # tensorflow-cpu's distribution
            found[name] = importlib.metadata.version(f"{name}-cpu")
    return {"convscope": __version__, "keras": keras.__version__, **found}


__all__ = ["EXPORT_JSON", "FORMATS", "QUANTIZATIONS", "Export", "ExportError", "default_folder",
           "export"]
