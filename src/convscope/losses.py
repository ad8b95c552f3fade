"""Cross-entropy on integer labels with label smoothing (Keras smooths only one-hot labels).

Registered with Keras, so a model compiled with it saves and loads in safe mode like any other.
"""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="convscope")
class SmoothedSparseCrossentropy(keras.losses.Loss):
    """The target puts ``1 - smoothing`` on the true class and spreads ``smoothing`` over all
    classes: the network is never pushed to certainty, which regularises short trainings."""

    def __init__(self, smoothing: float = 0.1, name: str = "smoothed_sparse_crossentropy",
                 **kwargs):
        super().__init__(name=name, **kwargs)
        self.smoothing = float(smoothing)

    def call(self, y_true, y_pred):
        classes = ops.shape(y_pred)[-1]
        labels = ops.one_hot(ops.cast(ops.reshape(y_true, (-1,)), "int32"), classes)
        target = labels * (1.0 - self.smoothing) + self.smoothing / classes
        return -ops.sum(target * ops.log(ops.clip(y_pred, 1e-7, 1.0)), axis=-1)

    def get_config(self) -> dict:
        return {**super().get_config(), "smoothing": self.smoothing}
