"""Writing the inference model in each format, with its class names inside, and running the
written file again in its own runtime.

Every format goes through Keras's own ``model.export`` (or its ``ExportArchive``, which
``model.export`` uses for a SavedModel), on TensorFlow:

=============  ==================  ==========================================================
format         file                runtime that checks it; where the class names go
=============  ==================  ==========================================================
onnx           ``model.onnx``      ONNX Runtime; ``metadata_props`` (``class_names``,
                                   ``convscope``)
litert         ``model.tflite``    the LiteRT interpreter (``ai-edge-litert``); the
                                   flatbuffer's ``metadata`` entries of the same names
saved_model    ``saved_model/``    TensorFlow (``tf.saved_model.load``); the variables
                                   ``class_names`` and ``convscope``
=============  ==================  ==========================================================

``int8``: LiteRT's post-training quantisation, weights and activations in 8 bits, with the
activation ranges measured on a representative sample of the run's training images; input
and output stay float32, so the file is used exactly as the float one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from .graph import INPUT_NAME, OUTPUT_NAME

FILES = {"onnx": "model.onnx", "litert": "model.tflite", "saved_model": "saved_model"}
# The name of the metadata entry holding export.json's description of the input.
METADATA = "convscope"


# -- writing ----------------------------------------------------------------------------------


def write(format: str, model, path: Path, class_names: list[str], description: dict,
          representative: Iterable[np.ndarray] | None = None) -> None:
    """Write ``model`` (an ``graph.inference_model``) as ``format`` to ``path``, with the class
    names and ``description`` embedded; ``representative``: images for int8 quantisation."""
    if format == "onnx":
        _write_onnx(model, path, class_names, description)
    elif format == "litert":
        _write_litert(model, path, class_names, description, representative)
    else:
        _write_saved_model(model, path, class_names, description)


def _write_onnx(model, path: Path, class_names: list[str], description: dict) -> None:
    import warnings

    import onnx

    with warnings.catch_warnings():
        # Keras's patch of tf2onnx for NumPy 2 asks NumPy for `np.object`, which warns.
        warnings.filterwarnings("ignore", "In the future `np.object`", FutureWarning)
        model.export(str(path), format="onnx", verbose=False)
    graph = onnx.load(str(path))
    _rename_output(graph.graph, OUTPUT_NAME)
    for tensor in (*graph.graph.input, *graph.graph.output):  # "unk__175" → "batch"
        tensor.type.tensor_type.shape.dim[0].dim_param = "batch"
    onnx.helper.set_model_props(graph, {"class_names": json.dumps(class_names),
                                        METADATA: json.dumps(description)})
    onnx.save(graph, str(path))


def _rename_output(graph, name: str) -> None:
    """The graph's one output called ``name`` (tf2onnx names it after TensorFlow's tensor)."""
    old = graph.output[0].name
    for node in graph.node:
        node.output[:] = [name if o == old else o for o in node.output]
        node.input[:] = [name if i == old else i for i in node.input]
    graph.output[0].name = name


def _write_litert(model, path: Path, class_names: list[str], description: dict,
                  representative) -> None:
    import tensorflow as tf

    options = {}
    if representative is not None:
        options = {"optimizations": [tf.lite.Optimize.DEFAULT],
                   "representative_dataset": lambda: ([image[None]] for image in representative)}
    model.export(str(path), format="litert", verbose=False, **options)
    path.write_bytes(_with_litert_metadata(path.read_bytes(), {
        "class_names": json.dumps(class_names), METADATA: json.dumps(description)}))


def _with_litert_metadata(flatbuffer: bytes, entries: dict[str, str]) -> bytes:
    """A LiteRT model with named metadata entries added (runtimes ignore what they do not
    know; ``litert_metadata`` reads them back)."""
    from ai_edge_litert import schema_py_generated as schema

    model = schema.ModelT.InitFromPackedBuf(bytearray(flatbuffer), 0)
    model.metadata = list(model.metadata or [])
    for name, text in entries.items():
        buffer = schema.BufferT()
        buffer.data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
        model.buffers.append(buffer)
        entry = schema.MetadataT()
        entry.name, entry.buffer = name, len(model.buffers) - 1
        model.metadata.append(entry)
    import flatbuffers

    builder = flatbuffers.Builder(len(flatbuffer) + 1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def litert_metadata(path: Path, name: str) -> str:
    """The text of a LiteRT file's metadata entry ``name``."""
    from ai_edge_litert import schema_py_generated as schema

    model = schema.ModelT.InitFromPackedBuf(bytearray(Path(path).read_bytes()), 0)
    entries = {entry.name.decode(): entry.buffer for entry in model.metadata or []}
    return bytes(model.buffers[entries[name]].data).decode("utf-8")


def _write_saved_model(model, path: Path, class_names: list[str], description: dict) -> None:
    import keras
    import tensorflow as tf
    from keras.src.export.export_utils import get_input_signature

    # What model.export(format="tf_saved_model") does, plus two string variables.
    archive = keras.export.ExportArchive()
    archive.track_and_add_endpoint("serve", model, get_input_signature(model))
    archive.add_variable_collection("class_names", [tf.Variable(class_names, trainable=False)])
    archive.add_variable_collection(METADATA, [tf.Variable(json.dumps(description),
                                                           trainable=False)])
    archive.write_out(str(path), verbose=False)


# -- running the written file -------------------------------------------------------------------


Predictor = Callable[[np.ndarray], np.ndarray]  # a batch of prepared images → probabilities


def runtime(format: str, path: Path) -> Predictor:
    """The written file, loaded in its own runtime (not Keras): images → probabilities."""
    return {"onnx": _onnx_runtime, "litert": _litert_runtime,
            "saved_model": _saved_model_runtime}[format](path)


def _onnx_runtime(path: Path) -> Predictor:
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return lambda x: session.run([OUTPUT_NAME], {INPUT_NAME: np.asarray(x, np.float32)})[0]


def _litert_runtime(path: Path) -> Predictor:
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(path))
    signature = interpreter.get_signature_runner()
    output = interpreter.get_signature_list()["serving_default"]["outputs"][0]

    # The signature runner resizes the file's batch dimension (1) to the batch it is given.
    return lambda x: signature(**{INPUT_NAME: np.asarray(x, np.float32)})[output]


def _saved_model_runtime(path: Path) -> Predictor:
    import tensorflow as tf

    loaded = tf.saved_model.load(str(path))
    return lambda x: loaded.serve(tf.constant(x, tf.float32)).numpy()


def embedded_class_names(format: str, path: Path) -> list[str]:
    """The class names read back from the written file itself."""
    if format == "onnx":
        import onnx

        props = {p.key: p.value for p in onnx.load(str(path), load_external_data=False)
                 .metadata_props}
        return json.loads(props["class_names"])
    if format == "litert":
        return json.loads(litert_metadata(path, "class_names"))
    import tensorflow as tf

    names = tf.saved_model.load(str(path)).class_names[0].numpy()
    return [name.decode("utf-8") for name in names]


def size_of(path: Path) -> int:
    """Bytes on disk: a file's, or all the files under a folder."""
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
