"""What each class looks for: the weights of a dense layer fed by flattened maps, laid back
as those maps.

The course's MNIST network ends with a dense layer of 12,544 inputs (its 16 maps of 28×28,
flattened) per class: each class's score is the sum of every map value times its weight.
Laid back as 16 maps of 28×28, a class's weights show where, in which map, a high value
raises the score (positive weight) or lowers it (negative). Keras's ``Flatten`` lays the
maps out row by row, each position's maps side by side (channels last), so input number
``(row × width + col) × maps + map`` is the value at (row, col) of ``map``: the kernel's rows
reshape to (height, width, maps) in that order.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from .models import all_layers
from .tracing import flattened_input


@dataclass(frozen=True)
class WeightMaps:
    """A dense layer's weights, one set of maps per unit (per class for the output)."""

    layer: str
    weights: np.ndarray  # (units, height, width, maps)
    bias: np.ndarray  # (units,)
    is_output: bool  # the network's last layer: one unit per class (or one for two)

    @property
    def limit(self) -> float:
        """The largest weight in size: one colour scale for every unit's maps."""
        return float(np.abs(self.weights).max()) or 1.0


def weight_maps(model) -> WeightMaps | None:
    """The weights of the last dense layer whose input is flattened maps, laid back as those
    maps; None when the network has none (a global pooling feeds its dense layer, or none)."""
    denses = [layer for layer in all_layers(model) if isinstance(layer, keras.layers.Dense)]
    for dense in reversed(denses):
        shape = flattened_input(model, dense)
        if shape is None:
            continue
        kernel = np.asarray(keras.ops.convert_to_numpy(dense.kernel), np.float32)
        units = kernel.shape[1]
        bias = np.zeros(units, np.float32) if dense.bias is None else \
            np.asarray(keras.ops.convert_to_numpy(dense.bias), np.float32)
        # (inputs, units) → (units, height, width, maps): Flatten's order, channels last.
        weights = np.moveaxis(kernel, 1, 0).reshape(units, *shape)
        return WeightMaps(dense.name, weights, bias, dense is all_layers(model)[-1])
    return None
