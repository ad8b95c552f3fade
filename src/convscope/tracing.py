"""Inside one number: the arithmetic behind any value of any layer, for one image.

``trace(run_or_model, image, layer, position, channel)`` runs the network once on the image,
keeps what the chosen layer received and gave, and computes the chosen value again from
those inputs and the layer's weights, in float64 and in the course's terms:

- a convolution: the input patch under the kernel (zeros where the padding is), the kernel,
  their products, the sum over each input map, the bias, the pre-activation, the activation
  function. Keras computes a correlation: the kernel is laid on the patch as it is, not
  flipped as a convolution in the mathematical sense would be (the course's note);
- a pooling: the window and its winner (max) or its mean (average), global poolings too;
- a dense layer: every input times its weight, the largest contributions first, the bias;
  for the output layer the scores of every class (logits) and the softmax that turns them
  into the probabilities ``predict`` shows;
- batch normalisation and the other value-by-value layers: the scale and shift they apply,
  or their function; an addition (a residual block): the values added; flatten: where the
  value was in the maps.

``value`` (recomputed) equals ``activation`` (what the network computed) to float32
precision for every layer explained (the tests check it on the course's networks, ``photos``,
``cifar10-fast`` and others); ``receptive_field`` says which input pixels it depends on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import keras
import numpy as np

from .errors import ConvscopeError
from .inspection import _run, find_layer, visual_layers
from .layer_table import traced_layers
from .models import all_layers
from .trace_terms import EXPLAINED, explain


@dataclass(frozen=True)
class Trace:
    """One value of one layer's output for one image, and the arithmetic that gives it.

    ``position`` is (row, col) in the layer's output, None for a layer that gives a vector
    (dense, flatten, global pooling); ``channel`` the map (or unit, or class) from 0.
    ``terms`` holds the parts of the arithmetic, by kind (see ``trace_terms``).
    """

    layer: str
    layer_type: str
    kind: str  # convolution, pooling, dense, scale, function, identity, sum, flatten, softmax
    number: int | None  # the course's layer number (convolutions and poolings, from 1)
    position: tuple[int, int] | None
    channel: int
    activation: float  # what the network computed there
    value: float  # the same, computed again from ``terms`` in float64
    receptive_field: tuple[int, int, int, int] | None  # top, left, bottom, right (exclusive)
    terms: dict = field(repr=False)
    input: np.ndarray | None = field(default=None, repr=False)  # the layer's (first) input
    precision: str = "float32"  # the layer's arithmetic: bfloat16 for a --fast run

    @property
    def difference(self) -> float:
        return abs(self.value - self.activation)

    @property
    def scale(self) -> float:
        """The size of the numbers summed: what float32's rounding is relative to."""
        return float(self.terms.get("magnitude", abs(self.value))) + 1.0

    def agrees(self, tolerance: float = 1e-5) -> bool:
        """Whether value and activation are equal to float32 precision (relative to the
        numbers summed); a bfloat16 layer rounds to about 1 %."""
        tolerance = 2e-2 if self.precision == "bfloat16" else tolerance
        return self.difference <= tolerance * self.scale

    def largest_maps(self, count: int) -> list[tuple[int, float]]:
        """A convolution's ``count`` largest contributions (in size) by input map: (map from
        0, the sum of patch × kernel over that map), largest first."""
        sums = np.asarray(self.terms["channel_sums"])
        order = np.argsort(-np.abs(sums), kind="stable")[:count]
        return [(int(self.terms["inputs"][i]), float(sums[i])) for i in order]

    def to_dict(self) -> dict:
        """Plain values (lists for arrays), as ``convscope trace --json`` prints them."""
        return {
            "layer": self.layer, "layer_type": self.layer_type, "kind": self.kind,
            "number": self.number,
            "position": None if self.position is None else list(self.position),
            "channel": self.channel, "activation": self.activation, "value": self.value,
            "receptive_field": None if self.receptive_field is None
            else list(self.receptive_field),
            "precision": self.precision,
            "terms": {key: _plain(value) for key, value in self.terms.items()},
        }


def _plain(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def trace(model_or_run, image, layer, position=None, channel: int | None = None) -> Trace:
    """The arithmetic behind one value of ``layer``'s output for ``image``.

    ``model_or_run``: a ``Run`` (or anything with ``model`` and ``as_input``) or a Keras model.
    ``image``: an array shaped as the network's input (used as it is), or, with a run, a
    picture (a path or a Pillow image, prepared as ``predict`` prepares it). ``layer``: a
    layer's name, the course's number (from 1, among convolutions and poolings) or the layer.
    ``position``: (row, col) in the layer's output, for a layer that gives maps; ``channel``:
    which map, unit or class, from 0 (default: the largest value there).
    """
    model = getattr(model_or_run, "model", model_or_run)
    x = _prepared(model_or_run, model, image)
    chosen = _layer(model, layer)
    if not isinstance(chosen, EXPLAINED):
        raise ConvscopeError(f"layer {chosen.name!r} ({type(chosen).__name__}): convscope "
                             "cannot explain its arithmetic; choose a convolution, pooling, "
                             "dense, normalisation, activation or addition layer")
    inputs, output, origin = _observe(model, x, chosen)
    row_col, channel = _where(chosen, output, position, channel)
    index = channel if row_col is None else (*row_col, channel)
    kind, value, terms = explain(chosen, inputs, row_col, channel, origin)
    number = None
    visual = visual_layers(model)
    if any(chosen is v for v in visual):
        number = [id(v) for v in visual].index(id(chosen)) + 1
    return Trace(chosen.name, type(chosen).__name__, kind, number,
                 None if row_col is None else tuple(int(v) for v in row_col), int(channel),
                 float(output[index]), float(value), _pixels(model, chosen, row_col, x.shape),
                 terms, inputs[0] if inputs[0].ndim == 3 else None,
                 "bfloat16" if "bfloat16" in str(chosen.compute_dtype) else "float32")


# -- what the network did ---------------------------------------------------------------------


def _prepared(model_or_run, model, image) -> np.ndarray:
    shape = tuple(model.inputs[0].shape[1:])
    if isinstance(image, np.ndarray) and image.shape == shape:
        return image.astype(np.float32, copy=False)
    if isinstance(image, np.ndarray) and image.shape == (1, *shape):
        return image[0].astype(np.float32, copy=False)
    if hasattr(model_or_run, "as_input"):
        return model_or_run.as_input(image)
    raise ConvscopeError(f"give the `image` as an array of shape {shape} (the network's "
                         "input), or a run instead of the model to prepare a picture")


def _layer(model, which):
    """A layer by name (any layer, nested models included), course number or itself."""
    if isinstance(which, keras.layers.Layer):
        return which
    if isinstance(which, int) or (isinstance(which, str) and which.isdigit()):
        return find_layer(model, which)
    for layer in all_layers(model):
        if layer.name == which:
            return layer
    names = ", ".join(layer.name for layer in all_layers(model)
                      if not isinstance(layer, keras.layers.InputLayer))
    raise ConvscopeError(f"no layer named {which!r}; choose one of {names} (or a "
                         "convolution's or pooling's number, from 1)")


def _observe(model, x: np.ndarray, chosen) -> tuple[list[np.ndarray], np.ndarray, tuple | None]:
    """What ``chosen`` received and gave for ``x`` (float32, batch axis dropped), and, when
    it received a vector flattened from maps, those maps' shape."""
    made_by: dict = {}  # id(tensor) → (tensor, the layer that made it, what it received)
    seen: dict = {}

    def watch(layer, inputs, out):
        received = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if not any(out is r for r in received):  # dropout hands its input on as it is
            made_by[id(out)] = (out, layer, received)
        if layer is chosen and not seen:
            seen["inputs"], seen["output"] = received, out

    _run(model, keras.ops.convert_to_tensor(x[None]), {}, set(), hook=watch)
    if not seen:
        raise ConvscopeError(f"layer {chosen.name!r} is not on the way from the input to the "
                             "output of this model")
    inputs = [_array(t) for t in seen["inputs"]]
    return inputs, _array(seen["output"]), _flattened_from(seen["inputs"][0], made_by)


def _array(tensor) -> np.ndarray:
    # float32 also for a model computing in bfloat16 (--fast): NumPy has no bfloat16.
    return keras.ops.convert_to_numpy(keras.ops.cast(tensor, "float32"))[0]


def _flattened_from(tensor, made_by: dict) -> tuple | None:
    """The (height, width, maps) a vector was flattened from, through layers that leave
    values as they are when predicting (dropout)."""
    while id(tensor) in made_by:
        _, layer, received = made_by[id(tensor)]
        if isinstance(layer, keras.layers.Flatten):
            shape = tuple(received[0].shape[1:])
            return shape if len(shape) == 3 else None
        if not isinstance(layer, (keras.layers.Dropout, keras.layers.Identity)):
            return None
        tensor = received[0]
    return None


def _where(layer, output: np.ndarray, position, channel) -> tuple[tuple | None, int]:
    """The value asked for, checked: (row, col) or None, and the channel."""
    if output.ndim == 3:
        height, width, channels = output.shape
        if position is None or len(tuple(position)) != 2:
            raise ConvscopeError(f"layer {layer.name!r} gives {channels} maps of {height}×"
                                 f"{width}: pass `position` (row, col), from (0, 0) to "
                                 f"({height - 1}, {width - 1})")
        row, col = (int(v) for v in position)
        if not (0 <= row < height and 0 <= col < width):
            raise ConvscopeError(f"The `position` must be within ({height - 1}, {width - 1}) "
                                 f"for layer {layer.name!r}'s {height}×{width} maps; got "
                                 f"({row}, {col})")
        at = output[row, col]
        where = (row, col)
    elif output.ndim == 1:
        if position not in (None, ()):
            raise ConvscopeError(f"layer {layer.name!r} gives {output.shape[0]} values, not "
                                 "maps: pass no `position`, and `channel` for the value")
        at, where, channels = output, None, output.shape[0]
    else:
        raise ConvscopeError(f"layer {layer.name!r} gives values shaped {output.shape}: "
                             "convscope explains maps and vectors only")
    if channel is None:
        return where, int(np.argmax(at))
    if not 0 <= int(channel) < channels:
        raise ConvscopeError(f"The `channel` must be in 0–{channels - 1} for layer "
                             f"{layer.name!r}; got {channel}", count=channels)
    return where, int(channel)


def _pixels(model, layer, row_col, input_shape) -> tuple[int, int, int, int] | None:
    """The input pixels the value depends on: (top, left, bottom, right), clipped."""
    _, found = traced_layers(model).get(id(layer), (None, None))
    if found is None:
        return None
    row, col = row_col if row_col is not None else (0, 0)
    return found.at(row, col, *input_shape[:2])



def flattened_input(model, layer) -> tuple | None:
    """The (height, width, maps) that ``layer`` (a dense one) receives flattened into one
    vector, None when its input is not maps laid in a row. The network runs once on zeros:
    which tensor feeds which layer is known only by running it."""
    shape = tuple(model.inputs[0].shape[1:])
    return _observe(model, np.zeros(shape, np.float32), layer)[2]
