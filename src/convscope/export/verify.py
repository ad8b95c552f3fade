"""An export checked, not hoped for: the written file, run in its own runtime, against Keras
on the run's test images.

Two Keras references, both on the same images:

- ``keras``: the very graph that was exported (``graph.inference_model``: float32, no
  training-only layers) predicted by Keras. A float export must give its probabilities within
  ``FLOAT_TOLERANCE``; an int8 one must lose at most ``INT8_MAX_ACCURACY_LOSS`` of accuracy.
- ``as_trained``: the run's own model as ``convscope predict`` uses it, for the record. It
  differs from ``keras`` only where the run computes in bfloat16 (``--fast``, and the
  recipes that choose so on a CPU with AMX).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

# Largest difference of one probability allowed between a float32 export and Keras: float32
# arithmetic in another order (fused kernels, other convolution algorithms) moves the 7th
# digit; 1e-4 is far above that and far below what changes an answer.
FLOAT_TOLERANCE = 1e-4
# Accuracy an int8 export may lose against Keras on the same images: one point.
INT8_MAX_ACCURACY_LOSS = 0.01
# Test images compared: all of them up to this many, spread over the test set.
MAX_IMAGES = 2000
BATCH = 256


@dataclass(frozen=True)
class Agreement:
    """How one set of probabilities agrees with another on the same images."""

    max_probability_difference: float
    argmax_agreement: float  # the fraction of images given the same class

    @classmethod
    def between(cls, a: np.ndarray, b: np.ndarray) -> Agreement:
        return cls(float(np.abs(a - b).max()) if len(a) else 0.0,
                   float(np.mean(a.argmax(axis=1) == b.argmax(axis=1))) if len(a) else 1.0)


@dataclass(frozen=True)
class Check:
    """The verdict on one exported file."""

    images: int
    keras: Agreement  # against the exported graph in Keras
    as_trained: Agreement  # against the run's own model, as `predict` uses it
    keras_accuracy: float
    export_accuracy: float
    quantized: bool
    passed: bool
    reason: str  # why it failed; "" when it passed

    @property
    def accuracy_change(self) -> float:
        return self.export_accuracy - self.keras_accuracy

    def to_json(self) -> dict:
        return {**asdict(self), "accuracy_change": self.accuracy_change,
                "tolerance": ({"accuracy_loss": INT8_MAX_ACCURACY_LOSS} if self.quantized
                              else {"probability": FLOAT_TOLERANCE})}


def test_sample(run, limit: int = MAX_IMAGES) -> tuple[np.ndarray, np.ndarray]:
    """Up to ``limit`` test images, spread evenly over the test set, prepared, with labels."""
    labels = np.asarray(run.data.y_test)
    picks = np.unique(np.linspace(0, len(labels) - 1, min(limit, len(labels))).astype(int))
    return run.scale(run.data.x_test[picks]), labels[picks]


def representative_sample(run, count: int = 200, seed: int = 0) -> np.ndarray:
    """Training images for measuring int8 ranges: a seeded sample, prepared."""
    total = len(run.data.y_train)
    picks = np.sort(np.random.default_rng(seed).choice(total, min(count, total), replace=False))
    return run.scale(run.data.x_train[picks])


def keras_predictor(model):
    """Keras's probabilities for a batch (a plain call: ``predict_on_batch`` would trace its
    function again for the last, smaller batch)."""
    import keras

    return lambda x: keras.ops.convert_to_numpy(model(x, training=False))


def batched(predict, x: np.ndarray) -> np.ndarray:
    return np.concatenate([np.asarray(predict(x[i:i + BATCH]), np.float64)
                           for i in range(0, len(x), BATCH)])


def check(exported: np.ndarray, keras: np.ndarray, as_trained: np.ndarray, labels: np.ndarray,
          quantized: bool) -> Check:
    """The verdict from the three sets of probabilities on the same labelled images."""
    against_keras = Agreement.between(exported, keras)
    keras_accuracy = float(np.mean(keras.argmax(axis=1) == labels))
    export_accuracy = float(np.mean(exported.argmax(axis=1) == labels))
    if quantized:
        passed = keras_accuracy - export_accuracy <= INT8_MAX_ACCURACY_LOSS
        reason = "" if passed else (f"int8 loses {keras_accuracy - export_accuracy:.2%} of "
                                    f"accuracy (at most {INT8_MAX_ACCURACY_LOSS:.0%} allowed)")
    else:
        passed = against_keras.max_probability_difference <= FLOAT_TOLERANCE
        reason = "" if passed else (
            f"probabilities differ from Keras's by up to "
            f"{against_keras.max_probability_difference:.2g} (at most {FLOAT_TOLERANCE:g} "
            "allowed)")
    return Check(len(labels), against_keras, Agreement.between(exported, as_trained),
                 keras_accuracy, export_accuracy, quantized, passed, reason)
