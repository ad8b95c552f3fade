"""When the network should not be sure: how often a run's answers are right at each
confidence, measured on its own test set.

A network's probabilities always sum to 1, whatever it is shown: a digit network answers a
drawn letter or a cat with a digit, often at 90 % or more. Its test answers say how far its
confidence can be taken at its word:

- the **reliability diagram**: the test answers grouped by confidence (0–10 %, 10–20 %, …),
  each group's mean confidence against how many of its answers were right. A calibrated
  network's points lie on the diagonal;
- the **expected calibration error** (ECE): the gap between confidence and accuracy, averaged
  over the groups weighted by their size (Guo et al., 2017);
- the **unsure threshold**: the confidence below which the test answers were right less than
  90 % of the time. The accuracy is fitted as a curve that never falls as confidence grows
  (isotonic regression), so one lucky group of answers does not move it; an answer below the
  threshold is called "unsure". None when no confidence reaches 90 % (every answer unsure).

Stored with the run in ``metrics.json`` (``calibration``), written at the end of training and
by ``Run.write_metrics``; ``Run.calibration`` computes it for runs that predate it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

BINS = 10  # groups of confidence, each a tenth wide
RELIABLE = 0.90  # an answer is "sure" where the test answers were right at least this often


@dataclass(frozen=True)
class Calibration:
    """A run's confidence measured against its test answers (see the module's docstring)."""

    bins: list[dict]  # low, high, count, confidence (mean), accuracy (None when empty)
    ece: float
    unsure_below: float | None  # None: no confidence reaches ``target``
    target: float = RELIABLE
    answers: int = 0

    def unsure(self, confidence: float) -> bool:
        """Whether an answer this sure falls where test answers were right < ``target``."""
        return self.unsure_below is None or confidence < self.unsure_below

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Calibration:
        return cls(list(data["bins"]), float(data["ece"]),
                   None if data.get("unsure_below") is None else float(data["unsure_below"]),
                   float(data.get("target", RELIABLE)), int(data.get("answers", 0)))


def calibration(probabilities: np.ndarray, labels: np.ndarray, bins: int = BINS,
                target: float = RELIABLE) -> Calibration:
    """The calibration of answers with ``probabilities`` (N, classes) against ``labels``."""
    probabilities = np.asarray(probabilities, np.float64)
    confidence = probabilities.max(axis=1)
    correct = (probabilities.argmax(axis=1) == np.asarray(labels)).astype(np.float64)
    groups = reliability(confidence, correct, bins)
    return Calibration(groups, expected_calibration_error(groups, len(confidence)),
                       unsure_threshold(confidence, correct, target), target, len(confidence))


def reliability(confidence: np.ndarray, correct: np.ndarray, bins: int = BINS) -> list[dict]:
    """The answers in ``bins`` equal groups of confidence: each group's size, mean confidence
    and accuracy (the points of the reliability diagram)."""
    edges = np.linspace(0, 1, bins + 1)
    # A confidence of exactly 1 belongs to the last group.
    which = np.minimum(np.searchsorted(edges, confidence, side="right") - 1, bins - 1)
    groups = []
    for b in range(bins):
        members = which == b
        count = int(members.sum())
        groups.append({"low": float(edges[b]), "high": float(edges[b + 1]), "count": count,
                       "confidence": float(confidence[members].mean()) if count else None,
                       "accuracy": float(correct[members].mean()) if count else None})
    return groups


def expected_calibration_error(groups: list[dict], total: int) -> float:
    """Σ (size / total) × |accuracy − confidence| over the groups."""
    if not total:
        return 0.0
    return float(sum(g["count"] / total * abs(g["accuracy"] - g["confidence"])
                     for g in groups if g["count"]))


def unsure_threshold(confidence: np.ndarray, correct: np.ndarray,
                     target: float = RELIABLE) -> float | None:
    """The lowest confidence from which the fitted accuracy (never falling as confidence
    grows) reaches ``target``; None if it never does. Below the least sure test answer
    nothing was measured, so that counts as unsure too."""
    if not len(confidence):
        return None
    levels, inverse = np.unique(confidence, return_inverse=True)
    hits = np.bincount(inverse, weights=correct)
    counts = np.bincount(inverse).astype(np.float64)
    fitted = isotonic(hits / counts, counts)
    reached = np.flatnonzero(fitted >= target)
    return float(levels[reached[0]]) if len(reached) else None


def isotonic(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The non-decreasing sequence closest to ``values`` in weighted least squares (pool
    adjacent violators: neighbours out of order are merged into their weighted mean)."""
    means, sizes, lengths = [], [], []
    for value, weight in zip(values, weights, strict=True):
        means.append(float(value))
        sizes.append(float(weight))
        lengths.append(1)
        while len(means) > 1 and means[-2] > means[-1]:
            weight = sizes[-2] + sizes[-1]
            means[-2] = (means[-2] * sizes[-2] + means[-1] * sizes[-1]) / weight
            sizes[-2], lengths[-2] = weight, lengths[-2] + lengths[-1]
            del means[-1], sizes[-1], lengths[-1]
    return np.repeat(means, lengths)
