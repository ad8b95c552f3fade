"""The network as it is exported: what a prediction computes, and nothing that only training
does.

A run's Keras model holds more than a prediction needs, and computes it in a way other
runtimes do not all share:

- random layers in front of it (``RandomAffine``, ``DigitDistortions``, Keras's random flips,
  rotations, …) and ``Dropout`` act only in training; they are left out of the copy;
- a recipe may compute in bfloat16 (``--fast``, the recipes marked ``precision="auto"``, on
  a CPU with AMX); ONNX Runtime's and LiteRT's CPU kernels take float32, so the copy computes
  in float32 with the same weights;
- TensorFlow computes the exact GELU through ``erfc``, which the ONNX converter lacks; the
  copy computes it through ``erf``, the same function;
- a ``Normalization`` layer keeps its mean and variance as tensors that the ONNX converter
  takes for missing inputs; the copy holds them as the constants of a ``Rescaling``;
- ``convscope predict`` averages a ``test_time_flip`` recipe's probabilities with the mirror
  image's, and gives two probabilities for a network with one sigmoid output: the exported
  graph does both, so every runtime gives exactly what ``predict`` prints, one probability per
  class in the run's order.
"""

from __future__ import annotations

import numpy as np

from ..models import all_layers

INPUT_NAME = "image"
OUTPUT_NAME = "probabilities"


def training_only_layers() -> tuple[type, ...]:
    """Layers whose prediction is their input: random changes of the training images, and
    the layers that drop or blur activations while training."""
    from keras import layers

    from ..layers import DigitDistortions, RandomAffine

    return (layers.Dropout, layers.SpatialDropout1D, layers.SpatialDropout2D,
            layers.SpatialDropout3D, layers.GaussianDropout, layers.GaussianNoise,
            layers.AlphaDropout, layers.RandomFlip, layers.RandomRotation,
            layers.RandomTranslation, layers.RandomZoom, layers.RandomContrast,
            layers.RandomBrightness, RandomAffine, DigitDistortions)


def inference_model(model, mirror: bool = False):
    """A Keras model that takes a batch of images as ``model`` does and returns one probability
    per class: float32, without training-only layers, averaged with the mirror image's when
    ``mirror``."""
    import keras
    from keras import ops

    body = float32_copy(model)
    image = keras.Input(tuple(body.inputs[0].shape[1:]), name=INPUT_NAME)
    probabilities = body(image)
    if mirror:  # width is axis 2 of (batch, height, width, channels)
        probabilities = (probabilities + body(ops.flip(image, axis=2))) / 2
    if probabilities.shape[-1] == 1:  # one sigmoid unit: P(second class)
        probabilities = ops.concatenate([1 - probabilities, probabilities], axis=-1)
    exported = keras.Model(image, probabilities, name=OUTPUT_NAME)
    # Keras exports only a model that has been called once.
    exported(np.zeros((1, *image.shape[1:]), np.float32))
    return exported


def float32_copy(model):
    """``model`` rebuilt in float32 with its weights, training-only layers replaced by
    identities (which no exporter keeps)."""
    import keras

    dropped = training_only_layers()

    def rebuilt(layer):
        if isinstance(layer, dropped):
            return keras.layers.Identity(name=layer.name)
        if isinstance(layer, keras.layers.Normalization) and not layer.invert:
            return as_rescaling(layer)
        twin = type(layer).from_config({**layer.get_config(), "dtype": "float32"})
        if getattr(twin, "activation", None) is keras.activations.gelu:
            twin.activation = gelu_through_erf
        return twin

    copy = keras.models.clone_model(model, clone_function=rebuilt, recursive=True)
    for original, twin in zip(all_layers(model), all_layers(copy), strict=True):
        if not isinstance(original, dropped):
            twin.set_weights(original.get_weights())
    return copy


def as_rescaling(layer):
    """``layer`` (a built ``Normalization``) as the ``Rescaling`` that computes the same:
    (x − mean) / std = x · (1 / std) − mean / std."""
    import keras
    from keras import ops

    mean = ops.convert_to_numpy(layer.mean).astype(np.float32)
    std = np.maximum(np.sqrt(ops.convert_to_numpy(layer.variance)), keras.config.epsilon())
    return keras.layers.Rescaling(scale=(1 / std).astype(np.float32),
                                  offset=(-mean / std).astype(np.float32), name=layer.name)


def gelu_through_erf(x):
    """Keras's exact GELU, x·Φ(x), written with ``erf``."""
    from keras import ops

    return 0.5 * x * (1 + ops.erf(x / np.sqrt(2).astype(np.float32)))


def dropped_layer_names(model) -> list[str]:
    """The names of ``model``'s layers that the export leaves out."""
    return [layer.name for layer in all_layers(model)
            if isinstance(layer, training_only_layers())]
