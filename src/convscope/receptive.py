"""Which input pixels a value depends on: each layer's receptive field and step, in the
network input's pixels, computed from the layers themselves (kernel sizes, strides, dilations,
padding), as the course counts them ("layer 3 sees 6×6 pixels, one every 2").

Along one axis, position ``o`` of a layer's output depends on the input pixels
``[offset + o·step, offset + o·step + size)``, clipped to the picture: a ``Span``. Every layer
turns the spans of its inputs into the span of its output (``output_field``):

- a window (convolution, pooling) of ``k`` positions, dilated by ``d`` and moved by ``s``,
  with ``p`` positions of padding before the first: the size grows by ``(k - 1)·d`` input
  steps, the step is multiplied by ``s``, the offset moves back by ``p`` steps;
- a layer that works position by position (activation, batch normalisation, addition of a
  residual block) keeps the union of its inputs' spans;
- a layer that mixes every position (flatten, dense, global pooling) sees its whole input.

``layer_table.layer_table`` gives each layer's field; ``trace`` the pixels of one value, and
its tests check them by changing the pixels outside.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import keras

from .layers import DigitDistortions, PatchWhitening, RandomAffine, ScaledBias


@dataclass(frozen=True)
class Span:
    """Position ``o`` sees input pixels ``[offset + o·step, offset + o·step + size)``."""

    offset: int
    step: int
    size: int

    def window(self, o: int, length: int) -> tuple[int, int]:
        """The pixels position ``o`` sees, clipped to an input ``length`` pixels long."""
        start = self.offset + o * self.step
        return max(0, start), min(length, start + self.size)


@dataclass(frozen=True)
class Field:
    """A layer output's receptive field along rows and columns; ``whole`` when its values
    each depend on every position of its input (dense, flatten, global pooling)."""

    rows: Span
    cols: Span
    whole: bool = False

    @property
    def size(self) -> tuple[int, int]:
        return self.rows.size, self.cols.size

    @property
    def step(self) -> tuple[int, int]:
        return self.rows.step, self.cols.step

    def at(self, row: int, col: int, height: int, width: int) -> tuple[int, int, int, int]:
        """(top, left, bottom, right) of the pixels value (row, col) depends on, bottom and
        right exclusive, clipped to a ``height`` × ``width`` input."""
        if self.whole:
            row = col = 0
        top, bottom = self.rows.window(row, height)
        left, right = self.cols.window(col, width)
        return top, left, bottom, right


# The network's input: each pixel sees itself.
INPUT = Field(Span(0, 1, 1), Span(0, 1, 1))

# Layers that work value by value (or are the identity when predicting): they keep their
# input's field. Augmentation layers are off when the network predicts.
_POSITIONWISE = (
    keras.layers.Activation, keras.layers.ReLU, keras.layers.LeakyReLU, keras.layers.ELU,
    keras.layers.PReLU, keras.layers.Softmax, keras.layers.BatchNormalization,
    keras.layers.LayerNormalization, keras.layers.Normalization, keras.layers.Rescaling,
    keras.layers.Dropout, keras.layers.SpatialDropout2D, keras.layers.GaussianNoise,
    keras.layers.GaussianDropout, keras.layers.Add, keras.layers.Subtract,
    keras.layers.Multiply, keras.layers.Average, keras.layers.Maximum, keras.layers.Minimum,
    keras.layers.Concatenate, keras.layers.Identity, keras.layers.RandomFlip,
    keras.layers.RandomRotation, keras.layers.RandomTranslation, keras.layers.RandomZoom,
    keras.layers.RandomContrast, keras.layers.RandomBrightness, keras.layers.RandomCrop,
    ScaledBias, RandomAffine, DigitDistortions,
)
# Layers whose every output value depends on every position of their input.
_MIXING = (keras.layers.Flatten, keras.layers.Dense, keras.layers.GlobalAveragePooling2D,
           keras.layers.GlobalMaxPooling2D, keras.layers.Reshape)


def window_of(layer) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int], str] | None:
    """(kernel, strides, dilation, padding) of a layer that slides a window over its input:
    2-D convolutions of every kind, the whitening layer of ``cifar10-fast``, 2-D poolings."""
    if isinstance(layer, PatchWhitening):
        return (layer.size, layer.size), (1, 1), (1, 1), "valid"
    if isinstance(layer, (keras.layers.Conv2D, keras.layers.DepthwiseConv2D,
                          keras.layers.SeparableConv2D)):
        return (tuple(layer.kernel_size), tuple(layer.strides), tuple(layer.dilation_rate),
                layer.padding)
    if isinstance(layer, (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)):
        return tuple(layer.pool_size), tuple(layer.strides), (1, 1), layer.padding
    return None


def padding_before(length: int, kernel: int, stride: int, dilation: int, padding: str) -> int:
    """Positions of zeros (or nothing, for a pooling) added before the first input position:
    none for ``valid``; for ``same`` half the padding that keeps ⌈length / stride⌉ outputs,
    the odd one going after (TensorFlow's and XLA's rule, which Keras follows)."""
    if padding != "same":
        return 0
    reach = (kernel - 1) * dilation + 1
    total = max((math.ceil(length / stride) - 1) * stride + reach - length, 0)
    return total // 2


def output_field(layer, fields: list[Field | None], input_size: tuple | None) -> Field | None:
    """The field of ``layer``'s output, from its inputs' fields and its (first) input's
    (height, width); None when convscope does not know how the layer moves positions."""
    if not fields or any(f is None for f in fields):
        return None
    window = window_of(layer)
    if window is not None:
        if input_size is None or None in input_size:
            return None
        (field,) = fields[:1]
        spans = [_windowed(span, k, s, d, padding_before(n, k, s, d, window[3]))
                 for span, k, s, d, n in zip((field.rows, field.cols), *window[:3],
                                             input_size, strict=True)]
        return Field(*spans)
    if isinstance(layer, keras.layers.Dense) and input_size is not None:
        return fields[0]  # a dense layer applied to maps works position by position
    if isinstance(layer, _MIXING):
        (field,) = fields[:1]
        if field.whole:
            return field
        rows, cols = (_whole(span, n) for span, n in zip((field.rows, field.cols),
                                                          input_size or (None, None),
                                                          strict=True))
        return None if rows is None or cols is None else Field(rows, cols, whole=True)
    if isinstance(layer, _POSITIONWISE):
        return _union(fields)
    if isinstance(layer, (keras.layers.ZeroPadding2D, keras.layers.Cropping2D)):
        (top, _), (left, _) = layer.padding if isinstance(layer, keras.layers.ZeroPadding2D) \
            else layer.cropping
        sign = -1 if isinstance(layer, keras.layers.ZeroPadding2D) else 1
        (field,) = fields[:1]
        return Field(Span(field.rows.offset + sign * top * field.rows.step, field.rows.step,
                          field.rows.size),
                     Span(field.cols.offset + sign * left * field.cols.step, field.cols.step,
                          field.cols.size))
    return None


def _windowed(span: Span, kernel: int, stride: int, dilation: int, before: int) -> Span:
    return Span(span.offset - before * span.step, span.step * stride,
                span.size + (kernel - 1) * dilation * span.step)


def _whole(span: Span, length) -> Span | None:
    """One span covering every one of ``length`` positions."""
    if length is None:
        return None
    return Span(span.offset, span.step, (length - 1) * span.step + span.size)


def _union(fields: list[Field]) -> Field | None:
    """The pixels any of ``fields`` sees (the inputs of an addition): spans sharing a step,
    whose union is one span (a residual block's 1×1 shortcut lies inside its 3×3 path)."""
    if len(fields) == 1:
        return fields[0]
    if len({(f.step, f.whole) for f in fields}) != 1:
        return None
    spans = []
    for axis in ("rows", "cols"):
        parts = [getattr(f, axis) for f in fields]
        start = min(p.offset for p in parts)
        stop = max(p.offset + p.size for p in parts)
        spans.append(Span(start, parts[0].step, stop - start))
    return Field(*spans, whole=fields[0].whole)
