"""Whether training and test part, read from a run's history and said in words: the sentence
under the learning curves (the network learning its training images by heart)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Training and test accuracy this far apart (as a fraction) count as parted.
PARTED = 0.02
# A test loss this much above its lowest value has really risen (not noise).
LOSS_RISE = 1.05


@dataclass(frozen=True)
class LearningVerdict:
    """What the training and test curves of a history show, in numbers; ``sentence`` in words.

    ``kind``: ``one_epoch``, ``parted`` (training pulls away from test: over-fitting),
    ``test_above`` (test stays above training: dropout or augmentation) or ``together``.
    """

    kind: str
    epochs: int
    train_accuracy: float
    test_accuracy: float
    best_epoch: int
    best_accuracy: float
    parted_at: int | None = None  # first epoch from which the gap stays above PARTED
    lowest_loss_epoch: int | None = None  # when the test loss has risen since: that epoch
    lowest_loss: float | None = None
    final_loss: float | None = None
    still_rising: bool = False  # the last epoch is the best one so far

    @property
    def gap(self) -> float:
        return self.train_accuracy - self.test_accuracy

    def sentence(self, words) -> str:
        """The verdict in one or two sentences, with its numbers, in ``words``' language."""
        values = {"train": words.percent(self.train_accuracy, 1),
                  "test": words.percent(self.test_accuracy, 1),
                  "points": words.number(abs(100 * self.gap), 1), "parted": self.parted_at,
                  "low_epoch": self.lowest_loss_epoch,
                  "low": words.number(self.lowest_loss or 0, 3),
                  "end": words.number(self.final_loss or 0, 3),
                  "best": words.percent(self.best_accuracy), "best_epoch": self.best_epoch}
        kind = self.kind
        if kind == "together" and self.lowest_loss_epoch is not None:
            kind = "together_loss_rises"
        parts = [kind]
        if kind in ("parted", "test_above") and self.lowest_loss_epoch is not None:
            parts.append("loss_rises")
        if kind == "together" and self.still_rising:
            parts.append("still_rising")
        if kind != "one_epoch":
            parts.append("best")
        return " ".join(words(f"verdict_{part}", **values) for part in parts)


def learning_verdict(history: list[dict]) -> LearningVerdict | None:
    """Whether training and test part, computed from a run's history (None when empty)."""
    rows = [r for r in history if "accuracy" in r and "test_accuracy" in r]
    if not rows:
        return None
    last = rows[-1]
    best = max(rows, key=lambda r: r["test_accuracy"])
    facts = dict(epochs=len(rows), train_accuracy=last["accuracy"],
                 test_accuracy=last["test_accuracy"], best_epoch=int(best["epoch"]),
                 best_accuracy=best["test_accuracy"])
    if len(rows) == 1:
        return LearningVerdict("one_epoch", **facts)
    losses = [r.get("test_loss") for r in rows]
    if None not in losses:
        lowest = int(np.argmin(losses))
        if lowest < len(rows) - 1 and losses[-1] > LOSS_RISE * losses[lowest]:
            facts.update(lowest_loss_epoch=int(rows[lowest]["epoch"]),
                         lowest_loss=losses[lowest], final_loss=losses[-1])
    gaps = [r["accuracy"] - r["test_accuracy"] for r in rows]
    if gaps[-1] > PARTED:
        start = len(gaps) - 1
        while start > 0 and gaps[start - 1] > PARTED:
            start -= 1
        return LearningVerdict("parted", parted_at=int(rows[start]["epoch"]), **facts)
    if gaps[-1] < -PARTED:
        return LearningVerdict("test_above", **facts)
    return LearningVerdict("together", still_rising=best is last, **facts)
