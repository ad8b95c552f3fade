"""Metrics from predicted probabilities: accuracy, loss, per-class accuracy, confusion, mistakes.

Predictions are computed once (``evaluate_model``); the :class:`Evaluation` then answers small
questions about them without touching the model again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .calibration import Calibration, calibration
from .errors import RunError

# Keras clips probabilities to [eps, 1 - eps] before the log in its cross-entropy.
_EPSILON = 1e-7


@dataclass(frozen=True)
class Evaluation:
    """Probabilities for a labelled set of images, and what follows from them."""

    probabilities: np.ndarray  # (N, num_classes)
    labels: np.ndarray  # (N,) integer true classes
    class_names: list[str]

    @property
    def predictions(self) -> np.ndarray:
        return self.probabilities.argmax(axis=1)

    @property
    def accuracy(self) -> float:
        return float(np.mean(self.predictions == self.labels))

    @property
    def loss(self) -> float:
        """Mean cross-entropy, as Keras computes it."""
        p = self.probabilities[np.arange(len(self.labels)), self.labels]
        return float(np.mean(-np.log(np.clip(p, _EPSILON, 1 - _EPSILON))))

    def confusion_matrix(self) -> np.ndarray:
        """Counts, rows = true class, columns = predicted class."""
        k = len(self.class_names)
        return np.bincount(self.labels * k + self.predictions, minlength=k * k).reshape(k, k)

    def per_class_accuracy(self) -> dict[str, float]:
        cm = self.confusion_matrix()
        totals = cm.sum(axis=1)
        return {
            name: float(cm[i, i] / totals[i]) if totals[i] else float("nan")
            for i, name in enumerate(self.class_names)
        }

    def mistakes(self, n: int | None = None) -> np.ndarray:
        """Indices of wrong predictions, most confident first."""
        wrong = np.flatnonzero(self.predictions != self.labels)
        confidence = self.probabilities[wrong, self.predictions[wrong]]
        return wrong[np.argsort(-confidence, kind="stable")][:n]

    def calibration(self) -> Calibration:
        """How often its answers were right at each confidence, and the unsure threshold."""
        return calibration(self.probabilities, self.labels)

    def to_metrics(self) -> dict:
        return {
            "test_loss": self.loss,
            "test_accuracy": self.accuracy,
            "test_images": int(len(self.labels)),
            "per_class_accuracy": self.per_class_accuracy(),
            "confusion_matrix": self.confusion_matrix().tolist(),
            "calibration": self.calibration().to_dict(),
        }


@dataclass(frozen=True)
class Prediction:
    """One image's predicted class and probabilities (``error`` set when it could not be read)."""

    source: str
    label: str | None = None
    index: int | None = None
    probabilities: dict[str, float] | None = None
    error: str | None = None
    # True when its confidence falls where the run's test answers were right less than 90 %
    # of the time (``calibration``); None when the run has no test answers to tell.
    unsure: bool | None = None

    @property
    def confidence(self) -> float | None:
        return None if self.probabilities is None else self.probabilities[self.label]

    def to_dict(self) -> dict:
        return {"path": self.source, "predicted": self.label, "index": self.index,
                "probabilities": self.probabilities, "unsure": self.unsure,
                "error": self.error}


def prediction(source: str, probs: np.ndarray, names: list[str],
               calibrated: Calibration | None = None) -> Prediction:
    """The Prediction of one image from its probabilities (``names``: the classes), unsure
    or not by the run's ``calibrated`` confidence."""
    index = int(np.argmax(probs))
    unsure = None if calibrated is None else calibrated.unsure(float(probs[index]))
    return Prediction(source, names[index], index,
                      {name: float(p) for name, p in zip(names, probs, strict=True)},
                      unsure=unsure)


def predict_probabilities(model, x, batch_size: int = 256, mirror: bool = False) -> np.ndarray:
    """Class probabilities for images already scaled as the model expects.

    ``x`` is an array, or batches (a Keras ``PyDataset`` of images or of (images, labels), as
    for photo folders). ``mirror`` averages each image's probabilities with its mirror
    image's (``Recipe.test_time_flip``).

    Batch by batch through ``predict_on_batch``, with no data pipeline of Keras's own: one
    made inside ``fit`` (the test set after each epoch) measured to slow the next epochs and to
    hold ``fit`` up for seconds after its last one.
    """
    forward = _forward(model)
    probs = []
    for batch in _batches(x, batch_size):
        p = forward(batch)
        if mirror:
            p = (p + forward(batch[:, :, ::-1])) / 2
        probs.append(p)
    probs = np.concatenate(probs) if probs else np.zeros((0, model.outputs[0].shape[-1]))
    if probs.ndim == 2 and probs.shape[1] == 1:  # one sigmoid output: P(class 1)
        probs = np.concatenate([1 - probs, probs], axis=1)
    return probs


def _forward(model):
    """One batch's probabilities: Keras's ``predict_on_batch``, or, for a model trained on
    several devices in step (whose ``predict_on_batch`` returns each replica's rows), a plain
    call of the model."""
    import keras

    strategy = getattr(model, "distribute_strategy", None)
    if strategy is not None and strategy.num_replicas_in_sync > 1:
        return lambda batch: np.asarray(keras.ops.convert_to_numpy(
            model(batch, training=False)), dtype=np.float64)
    return lambda batch: np.asarray(model.predict_on_batch(batch), dtype=np.float64)


def _batches(x, batch_size: int):
    """The images of ``x`` batch by batch: slices of an array, or a PyDataset's batches."""
    if isinstance(x, np.ndarray):
        for start in range(0, len(x), batch_size):
            yield x[start:start + batch_size]
        return
    for index in range(len(x)):
        batch = x[index]
        yield batch[0] if isinstance(batch, tuple) else batch


def evaluate_model(model, x, labels: np.ndarray, class_names: list[str],
                   batch_size: int = 256, mirror: bool = False) -> Evaluation:
    return Evaluation(predict_probabilities(model, x, batch_size, mirror), np.asarray(labels),
                      class_names)


def compare_runs(runs) -> list[dict]:
    """One summary row per run (anything with ``path``, ``recipe``, ``config.parameters`` and
    ``history``): size, speed, and best/final accuracies from its history."""
    rows = []
    for run in runs:
        history = run.history
        if not history:
            raise RunError(f"{run.path}: no completed epoch to compare")
        best = max(history, key=lambda r: r["test_accuracy"])
        rows.append({
            "run": str(run.path),
            "recipe": run.recipe,
            "parameters": run.config.parameters,
            "epochs": len(history),
            "seconds_per_epoch": sum(r["seconds"] for r in history) / len(history),
            "best_test_accuracy": best["test_accuracy"],
            "best_epoch": best["epoch"],
            "final_test_accuracy": history[-1]["test_accuracy"],
            "best_train_accuracy": max(r["accuracy"] for r in history),
            "final_train_accuracy": history[-1]["accuracy"],
        })
    return rows
