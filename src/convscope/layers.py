"""Three building blocks of airbench (Keller Jordan's fast CIFAR-10 training) that Keras lacks.

``cifar10-fast`` uses them. Each is registered with Keras, so a ``model.keras`` holding them
loads in safe mode like any other.
"""

from __future__ import annotations

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
