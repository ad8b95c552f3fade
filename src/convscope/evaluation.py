"""Metrics from predicted probabilities: accuracy, loss, per-class accuracy, confusion, mistakes.

Predictions are computed once (``evaluate_model``); the :class:`Evaluation` then answers small
questions about them without touching the model again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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

    def to_metrics(self) -> dict:
        return {
            "test_loss": self.loss,
            "test_accuracy": self.accuracy,
            "test_images": int(len(self.labels)),
            "per_class_accuracy": self.per_class_accuracy(),
            "confusion_matrix": self.confusion_matrix().tolist(),
        }


def predict_probabilities(model, x, batch_size: int = 256, mirror: bool = False) -> np.ndarray:
    """Class probabilities for images already scaled as the model expects.

    ``x`` is an array, or batches (a Keras ``PyDataset``, as for photo folders). ``mirror``
    averages each image's probabilities with its mirror image's (``Recipe.test_time_flip``).
    """
    probs = _predict(model, x, batch_size)
    if mirror:
        probs = (probs + _predict(model, _mirrored(x), batch_size)) / 2
    if probs.ndim == 2 and probs.shape[1] == 1:  # one sigmoid output: P(class 1)
        probs = np.concatenate([1 - probs, probs], axis=1)
    return probs


def _predict(model, x, batch_size: int) -> np.ndarray:
    if isinstance(x, np.ndarray):
        probs = model.predict(x, batch_size=batch_size, verbose=0)
    else:
        probs = model.predict(x, verbose=0)
    return np.asarray(probs, dtype=np.float64)


def _mirrored(x):
    """``x`` mirrored left-right: an array, or a ``PyDataset`` whose batches are mirrored."""
    if isinstance(x, np.ndarray):
        return x[:, :, ::-1]
    import keras

    class Mirrored(keras.utils.PyDataset):
        def __len__(self):
            return len(x)

        def __getitem__(self, index):
            batch = x[index]
            if isinstance(batch, tuple):
                return (batch[0][:, :, ::-1], *batch[1:])
            return batch[:, :, ::-1]

    return Mirrored()


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
