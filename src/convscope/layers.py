"""Layers Keras lacks: three building blocks of airbench (Keller Jordan's fast CIFAR-10
training), which ``cifar10-fast`` uses, and the one-step random geometry of ``--augment``.

Each is registered with Keras, so a ``model.keras`` holding them loads in safe mode like any
other.
"""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import ops


@keras.saving.register_keras_serializable(package="convscope")
class PatchWhitening(keras.layers.Layer):
    """A 2×2 convolution with fixed filters that decorrelate the training images' patches,
    so the network starts from features it would otherwise spend its first epochs learning.

    ``adapt`` sets the filters: the eigenvectors of the patches' second moments (a 2×2×3
    patch has 12 values), each divided by the square root of its eigenvalue, then their
    negatives. Only the bias trains.
    """

    def __init__(self, size: int = 2, epsilon: float = 5e-4, **kwargs):
        super().__init__(**kwargs)
        self.size, self.epsilon = int(size), float(epsilon)

    def build(self, input_shape):
        values = self.size * self.size * input_shape[-1]
        self.kernel = self.add_weight(shape=(self.size, self.size, input_shape[-1], 2 * values),
                                      initializer="zeros", trainable=False, name="kernel")
        self.bias = self.add_weight(shape=(2 * values,), initializer="zeros", name="bias")

    def adapt(self, images: np.ndarray) -> None:
        """Sets the filters from ``images`` (N, H, W, C), as the layer's input will be."""
        images = np.asarray(images, np.float64)
        if not self.built:
            self.build(images.shape)
        s, (h, w) = self.size, images.shape[1:3]
        # Each patch flattened in the kernel's (row, column, channel) order.
        patches = np.stack([images[:, i:h - s + 1 + i, j:w - s + 1 + j, :]
                            for i in range(s) for j in range(s)], axis=3)
        flat = patches.reshape(-1, s * s * images.shape[-1])
        values, vectors = np.linalg.eigh(flat.T @ flat / len(flat))
        filters = vectors / np.sqrt(values + self.epsilon)
        kernel = np.concatenate([filters, -filters], axis=1)
        self.kernel.assign(kernel.reshape(self.kernel.shape).astype(np.float32))

    def call(self, x):
        kernel = ops.cast(self.kernel, x.dtype)
        return ops.conv(x, kernel, padding="valid") + ops.cast(self.bias, x.dtype)

    def compute_output_shape(self, input_shape):
        n, h, w, c = input_shape
        shrink = self.size - 1
        return (n, None if h is None else h - shrink, None if w is None else w - shrink,
                2 * self.size * self.size * c)

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size, "epsilon": self.epsilon}


@keras.saving.register_keras_serializable(package="convscope")
class ScaledBias(keras.layers.Layer):
    """Adds ``scale × b`` per channel: gradient descent then moves the bias ``scale²`` times
    faster than the other weights (airbench: 64 = 8²), where a shared learning rate would be
    too slow for it. Follows a batch normalisation that has no bias of its own."""

    def __init__(self, scale: float = 8.0, regularizer=None, **kwargs):
        super().__init__(**kwargs)
        self.scale = float(scale)
        self.regularizer = keras.regularizers.get(regularizer)

    def build(self, input_shape):
        self.bias = self.add_weight(shape=(input_shape[-1],), initializer="zeros",
                                    regularizer=self.regularizer, name="bias")

    def call(self, x):
        return x + ops.cast(self.bias * self.scale, x.dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "scale": self.scale,
                "regularizer": keras.regularizers.serialize(self.regularizer)}


@keras.saving.register_keras_serializable(package="convscope")
class PartialIdentity(keras.initializers.Initializer):
    """A 3×3 convolution that starts by passing its first input channels through unchanged
    (airbench's Dirac initialisation): each layer begins as a near-identity, like a residual
    connection without one. The other weights are as PyTorch's default draws them."""

    def __call__(self, shape, dtype=None):
        fan_in = int(np.prod(shape[:-1]))
        limit = 1 / np.sqrt(fan_in)
        kernel = ops.convert_to_numpy(keras.random.uniform(shape, -limit, limit)).copy()
        kh, kw, cin, cout = shape
        for c in range(min(cin, cout)):
            kernel[:, :, :, c] = 0
            kernel[kh // 2, kw // 2, c, c] = 1
        return ops.convert_to_tensor(kernel, dtype=dtype or "float32")


@keras.saving.register_keras_serializable(package="convscope")
class RandomAffine(keras.layers.Layer):
    """Random rotation, shift and zoom of each training image in one step, copying whole
    pixels (nearest neighbour); images pass unchanged outside training.

    Keras's ``RandomRotation``, ``RandomTranslation`` and ``RandomZoom`` each resample the
    image with bilinear interpolation, so the network trains on blurred images and is tested on
    sharp ones; chained, they lose half of a photo's fine detail. Copying pixels keeps all of
    it, and one transform instead of three is cheaper (benchmarks/RESULTS.md has the numbers).

    ``rotation``: up to this fraction of a full turn either way; ``shift``: up to this fraction
    of the height and width; ``zoom``: the scale varies by up to this fraction. Uncovered
    corners are filled by reflection, as Keras's layers do. Takes batches (N, H, W, C), and
    changes them only when called with ``training=True``, as ``fit`` does.
    """

    def __init__(self, rotation: float = 0.0, shift: float = 0.0, zoom: float = 0.0,
                 seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.rotation, self.shift, self.zoom = float(rotation), float(shift), float(zoom)
        self.seed = seed
        self.generator = keras.random.SeedGenerator(seed)
        # TensorFlow's image transform has no XLA kernel; JAX's compiles.
        self.supports_jit = keras.backend.backend() == "jax"

    @property
    def kinds(self) -> list[str]:
        """What it changes, in words (for figure titles)."""
        amounts = {"rotation": self.rotation, "shift": self.shift, "zoom": self.zoom}
        return [kind for kind, amount in amounts.items() if amount]

    def call(self, x, training=False):
        if not training:
            return x
        n = ops.shape(x)[0]
        h, w = (ops.cast(ops.shape(x)[i], "float32") for i in (1, 2))

        def uniform(limit):
            return keras.random.uniform((n, 1), -limit, limit, seed=self.generator)

        transform = affine_transform_rows(uniform(2 * math.pi * self.rotation),
                                          1 + uniform(self.zoom), uniform(self.shift) * w,
                                          uniform(self.shift) * h, h, w)
        moved = ops.image.affine_transform(ops.cast(x, "float32"), transform,
                                           interpolation="nearest", fill_mode="reflect",
                                           data_format="channels_last")
        return ops.cast(moved, x.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "rotation": self.rotation, "shift": self.shift,
                "zoom": self.zoom, "seed": self.seed}


def affine_transform_rows(angle, scale, dx, dy, height, width):
    """Rows of 8 numbers, one per image, in the form ``ops.image.affine_transform`` takes:
    output pixel p reads input pixel c + scale·R(angle)·(p − c) + (dx, dy), c the centre.
    Each argument is a column (n, 1), or a number for height and width."""
    cos, sin = ops.cos(angle) * scale, ops.sin(angle) * scale
    cx, cy = (width - 1) / 2, (height - 1) / 2
    return ops.concatenate([
        cos, -sin, cx - cos * cx + sin * cy + dx,
        sin, cos, cy - sin * cx - cos * cy + dy,
        ops.zeros_like(cos), ops.zeros_like(cos),
    ], axis=1)


@keras.saving.register_keras_serializable(package="convscope")
class DigitDistortions(keras.layers.Layer):
    """Random changes of handwritten digits like those between writers, pens and cameras:
    an affine warp (rotation, shear, zoom, shift), an elastic wobble of the strokes, thinner or
    thicker strokes, blur and fainter ink. Images pass unchanged outside training.

    ``rotation`` in degrees either way; ``shear`` as a slope; ``zoom`` and ``shift`` as
    fractions of the size; ``elastic``: how far, in pixels, a smooth random field moves each
    point; ``thickness``: the largest change of stroke width, as a fraction of a 3×3 dilation
    (or erosion); ``blur``: the largest blend with a 3×3 average; ``fade``: ink scaled by up to
    this much less. Takes batches (N, H, W, 1) with ink bright, as MNIST's.
    """

    def __init__(self, rotation: float = 0.0, shear: float = 0.0, zoom: float = 0.0,
                 shift: float = 0.0, elastic: float = 0.0, thickness: float = 0.0,
                 blur: float = 0.0, fade: float = 0.0, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.rotation, self.shear, self.zoom, self.shift = (float(rotation), float(shear),
                                                            float(zoom), float(shift))
        self.elastic, self.thickness = float(elastic), float(thickness)
        self.blur, self.fade = float(blur), float(fade)
        self.seed = seed
        self.generator = keras.random.SeedGenerator(seed)

    @property
    def kinds(self) -> list[str]:
        """What it changes, in words (for figure titles)."""
        amounts = {"rotation": self.rotation, "shear": self.shear, "zoom": self.zoom,
                   "shift": self.shift, "elastic": self.elastic, "thickness": self.thickness,
                   "blur": self.blur, "fade": self.fade}
        return [kind for kind, amount in amounts.items() if amount]

    def _uniform(self, shape, low, high):
        return keras.random.uniform(shape, low, high, seed=self.generator)

    def call(self, x, training=False):
        if not training:
            return x
        x = ops.cast(x, "float32")
        n, h, w = ops.shape(x)[0], ops.shape(x)[1], ops.shape(x)[2]
        if self.thickness:
            # A continuous blend towards the 3×3 dilation (thicker) or erosion (thinner).
            amount = self._uniform((n, 1, 1, 1), -self.thickness, self.thickness)
            dilated = ops.max_pool(x, 3, 1, "same")
            eroded = -ops.max_pool(-x, 3, 1, "same")
            x = x + ops.maximum(amount, 0) * (dilated - x) + ops.maximum(-amount, 0) * (eroded - x)
        if self.blur:
            x = x + self._uniform((n, 1, 1, 1), 0, self.blur) * (
                ops.average_pool(x, 3, 1, "same") - x)
        x = self._warp(x, n, h, w)
        if self.fade:
            x = x * self._uniform((n, 1, 1, 1), 1 - self.fade, 1.0)
        return x

    def _warp(self, x, n, h, w):
        """Each output pixel reads the input at an affinely moved point, plus a smooth random
        displacement; bilinear, zeros outside (MNIST's background)."""
        hf, wf = ops.cast(h, "float32"), ops.cast(w, "float32")
        angle = self._uniform((n, 1, 1), -1.0, 1.0) * (math.pi * self.rotation / 180)
        shear = self._uniform((n, 1, 1), -self.shear, self.shear)
        scale = 1 + self._uniform((n, 1, 1), -self.zoom, self.zoom)
        dy = self._uniform((n, 1, 1), -self.shift, self.shift) * hf
        dx = self._uniform((n, 1, 1), -self.shift, self.shift) * wf
        rows = ops.arange(h, dtype="float32")[None, :, None] - (hf - 1) / 2
        cols = ops.arange(w, dtype="float32")[None, None, :] - (wf - 1) / 2
        cos, sin = ops.cos(angle) / scale, ops.sin(angle) / scale
        y = cos * rows - sin * cols + (hf - 1) / 2 + dy
        x_ = sin * rows + cos * cols + shear * rows + (wf - 1) / 2 + dx
        if self.elastic:
            coarse = keras.random.normal((n, 4, 4, 2), seed=self.generator) * self.elastic
            field = ops.image.resize(coarse, (h, w), interpolation="bilinear")
            y, x_ = y + field[..., 0], x_ + field[..., 1]
        return _bilinear(x[..., 0], y, x_)[..., None]

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "rotation": self.rotation, "shear": self.shear,
                "zoom": self.zoom, "shift": self.shift, "elastic": self.elastic,
                "thickness": self.thickness, "blur": self.blur, "fade": self.fade,
                "seed": self.seed}


def _bilinear(images, y, x):
    """``images`` (N, H, W) read at rows ``y`` and columns ``x`` (N, H, W), bilinearly, zero
    outside. Four gathers from the flattened batch: several times faster on TensorFlow's CPU
    than ``ops.image.map_coordinates``."""
    n, h, w = ops.shape(images)[0], ops.shape(images)[1], ops.shape(images)[2]
    flat = ops.reshape(images, (-1,))
    y0, x0 = ops.floor(y), ops.floor(x)
    base = ops.cast(ops.arange(n), "int32")[:, None, None] * (h * w)
    out = 0.0
    for dy in (0, 1):
        for dx in (0, 1):
            yy, xx = y0 + dy, x0 + dx
            weight = (1 - ops.abs(y - yy)) * (1 - ops.abs(x - xx))
            inside = (yy >= 0) & (yy <= ops.cast(h - 1, "float32")) & (xx >= 0) & (
                xx <= ops.cast(w - 1, "float32"))
            index = base + ops.cast(ops.clip(yy, 0, h - 1), "int32") * w + ops.cast(
                ops.clip(xx, 0, w - 1), "int32")
            out = out + ops.where(inside, weight * ops.take(flat, index), 0.0)
    return out

