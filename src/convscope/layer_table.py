"""The layer table: one row per layer with its output shape, its weight count the course's way
(3×3×1 × 32 + 32 = 320) and the input pixels each of its values sees (receptive field and step,
traced from the layers without computing anything).

``summary``, the report and the app show it; ``tracing`` asks it for one layer's field.
"""

from __future__ import annotations

import keras
import numpy as np

from . import receptive
from .inspection import _run
from .models import all_layers


def layer_table(model) -> list[dict]:
    """One row per layer: type, output shape, parameters, how the count comes about, and the
    input pixels each of its values sees: ``receptive_field`` (height, width) and ``step``
    (rows, columns between neighbouring values; None for a layer that mixes every position),
    both None where convscope cannot tell."""
    rows = []
    traced = traced_layers(model)
    for layer in all_layers(model):
        if isinstance(layer, keras.layers.InputLayer):
            continue
        shape, field = traced.get(id(layer), (None, None))
        rows.append({
            "name": layer.name,
            "type": type(layer).__name__,
            "output_shape": shape or _output_shape(layer),
            "parameters": int(layer.count_params()),
            "formula": _formula(layer),
            "receptive_field": None if field is None else _clipped(field.size, model),
            "step": None if field is None or field.whole else field.step,
        })
    return rows


def _clipped(size: tuple[int, int], model) -> tuple[int, int]:
    """A field's size, at most the picture's (padding lets it reach past the edges)."""
    height, width = model.input_shape[1:3]
    return min(size[0], height), min(size[1], width)


def traced_layers(model) -> dict:
    """id(layer) → (output shape, ``receptive.Field``) for every layer, nested models
    included, traced from the model's input shape without computing anything: a block
    written as a model of its own leaves its height and width open (None), which only the
    enclosing model knows."""
    shape = getattr(model, "input_shape", None)
    if not isinstance(shape, tuple) or None in shape[1:]:
        return {}
    x = keras.KerasTensor((1, *shape[1:]))
    # id(tensor) → (tensor, its field): the tensor is kept so that its id stays its own.
    fields: dict = {id(x): (x, receptive.INPUT)}
    found: dict = {}

    def follow(layer, inputs, out):
        received = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        known = [fields.get(id(t), (None, None))[1] for t in received]
        size = tuple(received[0].shape[1:3]) if len(received[0].shape) == 4 else None
        field = receptive.output_field(layer, known, size)
        fields[id(out)] = (out, field)
        found[id(layer)] = (tuple(out.shape[1:]), field)

    try:
        _run(model, x, {}, set(), hook=follow)
    except (TypeError, ValueError, AttributeError):  # a layer that cannot be traced alone
        return {}
    return found


def _output_shape(layer) -> tuple:
    try:
        shape = layer.output.shape
    except (AttributeError, ValueError):
        return ()
    return tuple(shape[1:])


def _n(value: int) -> str:
    return f"{value:,}"


def _formula(layer) -> str:
    """The course's way of counting: e.g. 3×3×1 × 32 + 32 = 320."""
    total = int(layer.count_params())
    weights = [tuple(w.shape) for w in layer.weights]
    if isinstance(layer, keras.layers.Conv2D) and weights:
        kh, kw, cin, cout = weights[0]
        bias = f" + {cout}" if len(weights) > 1 else ""
        return f"{kh}×{kw}×{cin} × {cout}{bias} = {_n(total)}"
    if isinstance(layer, keras.layers.Dense) and weights:
        fan_in, units = weights[0]
        if len(weights) > 1:
            return f"({_n(fan_in)} + 1) × {units} = {_n(total)}"
        return f"{_n(fan_in)} × {units} = {_n(total)}"
    if isinstance(layer, keras.layers.BatchNormalization) and weights:
        trainable = sum(int(np.prod(w.shape)) for w in layer.trainable_weights)
        return (f"{len(weights)} × {weights[0][0]} = {_n(total)} "
                f"({_n(trainable) if trainable else 'none'} trainable)")
    if total == 0:
        return "no weights"
    return " + ".join(_n(int(np.prod(w))) for w in weights) + f" = {_n(total)}"
