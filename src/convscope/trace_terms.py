"""The terms of one value, layer kind by layer kind, computed in float64 from what the layer
received and its weights (``trace`` gathers them; this module only does the arithmetic).

``explain(layer, inputs, row_col, channel, origin)`` returns (kind, value, terms). Each kind
keeps the course's words for its parts:

==============  ==========================================================================
convolution     patch, kernel, products, channel_sums (one per input map), sum, bias,
                pre_activation, function; window (top, left of the patch in the input),
                inside (False where the patch lies on padding), inputs (the maps summed)
pooling         window (its values), inside, winner (row, col in the window) or mean
dense           inputs, weights, products, largest (index, input, weight, product, map
                position when flattened from maps), sum, bias, pre_activation, function;
                for a softmax output: logits and probabilities of every class
scale           input, scale, shift (batch normalisation: mean, variance, gamma, beta)
function        input, function (an activation layer)
identity        input (dropout and augmentation: nothing changes when predicting)
sum             addends (an addition)
flatten         input, map position
softmax         logits, probabilities
==============  ==========================================================================

``magnitude`` (the size of the numbers summed) is what float32's rounding is relative to.
"""

from __future__ import annotations

import math

import keras
import numpy as np

from .layers import DigitDistortions, PatchWhitening, RandomAffine, ScaledBias
from .receptive import padding_before, window_of

LARGEST = 10  # contributions of a dense layer listed, largest first (all are in ``products``)

_CONVOLUTIONS = (keras.layers.Conv2D, keras.layers.DepthwiseConv2D, PatchWhitening)
_POOLINGS = (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)
_GLOBAL = (keras.layers.GlobalAveragePooling2D, keras.layers.GlobalMaxPooling2D)
_FUNCTIONS = (keras.layers.Activation, keras.layers.ReLU)
_SCALES = (keras.layers.BatchNormalization, keras.layers.Rescaling, keras.layers.Normalization,
           ScaledBias)
# Nothing changes when the network predicts: dropout off, augmentation off.
_IDENTITIES = (keras.layers.Dropout, keras.layers.SpatialDropout2D, keras.layers.GaussianNoise,
               keras.layers.GaussianDropout, keras.layers.Identity, keras.layers.RandomFlip,
               keras.layers.RandomRotation, keras.layers.RandomTranslation,
               keras.layers.RandomZoom, keras.layers.RandomContrast, RandomAffine,
               DigitDistortions)
EXPLAINED = (_CONVOLUTIONS + _POOLINGS + _GLOBAL + _FUNCTIONS + _SCALES + _IDENTITIES
             + (keras.layers.Dense, keras.layers.Add, keras.layers.Flatten,
                keras.layers.Softmax))


def explain(layer, inputs: list[np.ndarray], row_col, channel: int, origin) -> tuple:
    """(kind, value, terms) of value ``channel`` at ``row_col`` of ``layer``'s output."""
    x = inputs[0].astype(np.float64)
    if isinstance(layer, _CONVOLUTIONS):
        return _convolution(layer, x, row_col, channel)
    if isinstance(layer, _POOLINGS):
        return _pooling(layer, x, row_col, channel)
    if isinstance(layer, _GLOBAL):
        return _global_pooling(layer, x, channel)
    if isinstance(layer, keras.layers.Dense):
        return _dense(layer, x if row_col is None else x[row_col], channel, origin)
    if isinstance(layer, keras.layers.Add):
        addends = np.array([_at(i.astype(np.float64), row_col, channel) for i in inputs])
        return "sum", addends.sum(), {"addends": addends,
                                      "magnitude": float(np.abs(addends).sum())}
    if isinstance(layer, keras.layers.Flatten):
        return _flatten(x, channel)
    if isinstance(layer, keras.layers.Softmax):
        logits = x if row_col is None else x[row_col]
        probabilities = _softmax(logits)
        return "softmax", probabilities[channel], {"logits": logits,
                                                   "probabilities": probabilities}
    value = _at(x, row_col, channel)
    if isinstance(layer, _SCALES):
        return _scale(layer, value, channel)
    if isinstance(layer, _FUNCTIONS):
        name, function = _function_of(layer)
        return "function", function(value), {"input": value, "function": name,
                                             "magnitude": abs(value)}
    return "identity", value, {"input": value, "magnitude": abs(value)}


def _at(x: np.ndarray, row_col, channel: int) -> float:
    return float(x[channel] if row_col is None else x[(*row_col, channel)])


# -- windows ----------------------------------------------------------------------------------


def _window(layer, x: np.ndarray, row: int, col: int):
    """The input rows and columns under the window of output (row, col), and which of them
    lie inside the input (the others are padding)."""
    (kh, kw), (sh, sw), (dh, dw), padding = window_of(layer)
    height, width = x.shape[:2]
    top = row * sh - padding_before(height, kh, sh, dh, padding)
    left = col * sw - padding_before(width, kw, sw, dw, padding)
    rows, cols = top + dh * np.arange(kh), left + dw * np.arange(kw)
    inside = ((rows >= 0) & (rows < height))[:, None] & ((cols >= 0) & (cols < width))[None]
    patch = x[np.clip(rows, 0, height - 1)][:, np.clip(cols, 0, width - 1)]
    return patch * inside[..., None], inside, (int(top), int(left))


def _convolution(layer, x: np.ndarray, row_col, channel: int) -> tuple:
    patch, inside, corner = _window(layer, x, *row_col)
    kernel = np.asarray(keras.ops.convert_to_numpy(layer.kernel), np.float64)
    if isinstance(layer, keras.layers.DepthwiseConv2D):
        multiplier = kernel.shape[-1]
        maps = [channel // multiplier]
        kernel = kernel[:, :, maps[0], channel % multiplier][..., None]
    else:
        groups = getattr(layer, "groups", 1)
        per_group = kernel.shape[2]
        group = channel // (kernel.shape[-1] // groups)
        maps = list(range(group * per_group, (group + 1) * per_group))
        kernel = kernel[..., channel]
    patch = patch[..., maps]
    products = patch * kernel  # a correlation: the kernel as it is, not flipped
    channel_sums = products.sum(axis=(0, 1))
    bias = 0.0
    if getattr(layer, "bias", None) is not None:
        bias = float(keras.ops.convert_to_numpy(layer.bias)[channel])
    pre = float(channel_sums.sum()) + bias
    name, function = _function_of(layer)
    return "convolution", function(pre), {
        "patch": patch, "kernel": kernel, "products": products, "channel_sums": channel_sums,
        "inputs": np.array(maps), "sum": float(channel_sums.sum()), "bias": bias,
        "pre_activation": pre, "function": name, "window": corner, "inside": inside,
        "magnitude": float(np.abs(products).sum() + abs(bias)),
    }


def _pooling(layer, x: np.ndarray, row_col, channel: int) -> tuple:
    window, inside, corner = _window(layer, x[..., channel:channel + 1], *row_col)
    window = window[..., 0]
    terms = {"window": window, "inside": inside, "corner": corner,
             "magnitude": float(np.abs(window).max())}
    if isinstance(layer, keras.layers.MaxPooling2D):
        masked = np.where(inside, window, -np.inf)
        winner = np.unravel_index(int(np.argmax(masked)), window.shape)
        terms["winner"] = tuple(int(v) for v in winner)
        return "pooling", float(window[winner]), terms
    # Keras averages only the positions inside the input ("same" padding adds no zeros).
    mean = float(window[inside].mean())
    terms["mean"] = mean
    return "pooling", mean, terms


def _global_pooling(layer, x: np.ndarray, channel: int) -> tuple:
    window = x[..., channel]
    terms = {"window": window, "inside": np.ones(window.shape, bool), "corner": (0, 0),
             "magnitude": float(np.abs(window).max())}
    if isinstance(layer, keras.layers.GlobalMaxPooling2D):
        winner = np.unravel_index(int(np.argmax(window)), window.shape)
        terms["winner"] = tuple(int(v) for v in winner)
        return "pooling", float(window[winner]), terms
    terms["mean"] = float(window.mean())
    return "pooling", terms["mean"], terms


# -- dense layers -----------------------------------------------------------------------------


def _dense(layer, x: np.ndarray, unit: int, origin) -> tuple:
    weights = np.asarray(keras.ops.convert_to_numpy(layer.kernel), np.float64)
    bias = np.zeros(weights.shape[1]) if layer.bias is None else \
        np.asarray(keras.ops.convert_to_numpy(layer.bias), np.float64)
    products = x * weights[:, unit]
    largest = np.argsort(-np.abs(products), kind="stable")[:LARGEST]
    name, function = _function_of(layer)
    terms = {
        "inputs": x, "weights": weights[:, unit], "products": products,
        "largest": [_contribution(int(i), x, weights[:, unit], products, origin)
                    for i in largest],
        "sum": float(products.sum()), "bias": float(bias[unit]),
        "pre_activation": float(products.sum() + bias[unit]), "function": name,
        "origin": origin, "magnitude": float(np.abs(products).sum() + abs(bias[unit])),
    }
    if name == "softmax":
        logits = x @ weights + bias
        terms["logits"], terms["probabilities"] = logits, _softmax(logits)
        return "dense", float(terms["probabilities"][unit]), terms
    return "dense", function(terms["pre_activation"]), terms


def _contribution(index: int, x, weights, products, origin) -> dict:
    where = None if origin is None else [int(v) for v in np.unravel_index(index, origin)]
    return {"index": index, "input": float(x[index]), "weight": float(weights[index]),
            "product": float(products[index]), "map_position": where}


def _flatten(x: np.ndarray, index: int) -> tuple:
    where = [int(v) for v in np.unravel_index(index, x.shape)]
    value = float(x.reshape(-1)[index])
    return "flatten", value, {"input": value, "map_position": where, "shape": list(x.shape),
                              "magnitude": abs(value)}


# -- value by value ---------------------------------------------------------------------------


def _scale(layer, value: float, channel: int) -> tuple:
    """value × scale + shift, with the layer's own parameters."""
    def weight(w, default=None):
        return default if w is None else np.asarray(keras.ops.convert_to_numpy(w), np.float64)

    terms: dict = {"input": value}
    if isinstance(layer, keras.layers.BatchNormalization):
        mean = weight(layer.moving_mean)[channel]
        variance = weight(layer.moving_variance)[channel]
        gamma = 1.0 if layer.gamma is None else weight(layer.gamma)[channel]
        beta = 0.0 if layer.beta is None else weight(layer.beta)[channel]
        scale = gamma / math.sqrt(variance + layer.epsilon)
        shift = beta - mean * scale
        terms.update(mean=mean, variance=variance, gamma=gamma, beta=beta,
                     epsilon=layer.epsilon)
    elif isinstance(layer, keras.layers.Normalization):
        mean, variance = (_per_channel(w, channel) for w in (layer.mean, layer.variance))
        scale = 1 / max(math.sqrt(variance), keras.config.epsilon())
        shift = -mean * scale
        terms.update(mean=mean, variance=variance)
    elif isinstance(layer, ScaledBias):
        scale, shift = 1.0, float(weight(layer.bias)[channel]) * layer.scale
    else:  # Rescaling
        scale, shift = _per_channel(layer.scale, channel), _per_channel(layer.offset, channel)
    terms.update(scale=float(scale), shift=float(shift),
                 magnitude=abs(value * scale) + abs(shift))
    return "scale", value * scale + shift, terms


def _per_channel(weight, channel: int) -> float:
    """A layer's parameter for one channel: one value per channel, or one for all."""
    values = np.asarray(keras.ops.convert_to_numpy(weight), np.float64).reshape(-1)
    return float(values[channel if values.size > 1 else 0])


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max())
    return shifted / shifted.sum()


def _gelu(v: float) -> float:
    return 0.5 * v * (1 + math.erf(v / math.sqrt(2)))


# The activations in float64, by Keras's names; any other is computed by Keras itself (in
# float32).
_MATH = {
    "linear": lambda v: v,
    "relu": lambda v: max(v, 0.0),
    "sigmoid": lambda v: 1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v)),
    "tanh": math.tanh,
    "gelu": _gelu,
    "elu": lambda v: v if v > 0 else math.expm1(v),
    "softplus": lambda v: math.log1p(math.exp(-abs(v))) + max(v, 0.0),
    "silu": lambda v: v / (1 + math.exp(-v)),
    "swish": lambda v: v / (1 + math.exp(-v)),
    "relu6": lambda v: min(max(v, 0.0), 6.0),
}


def _function_of(layer) -> tuple[str, object]:
    """The activation a layer applies: its name and, as a function of one float, its math."""
    if isinstance(layer, PatchWhitening):
        return "linear", _MATH["linear"]
    activation = getattr(layer, "activation", None)
    name = getattr(activation, "__name__", "linear")
    if isinstance(layer, keras.layers.ReLU):
        plain = (layer.negative_slope, layer.max_value, layer.threshold) == (0, None, 0)
        name, activation = ("relu" if plain else "relu (with its options)"), layer
    if name in _MATH:
        return name, _MATH[name]

    def by_keras(v: float) -> float:
        return float(keras.ops.convert_to_numpy(activation(np.array([v], "float32")))[0])

    return name, by_keras
