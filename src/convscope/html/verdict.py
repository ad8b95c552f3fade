"""Whether training and test part, read from a run's history and said in words: the sentence
under the learning curves (the network learning its training images by heart)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .text import number, percent

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

    def sentence(self, lang: str = "en") -> str:
        """The verdict in one or two sentences, with its numbers."""
        fr = lang == "fr"
        values = {"train": percent(self.train_accuracy, lang, 1),
                  "test": percent(self.test_accuracy, lang, 1),
                  "points": number(abs(100 * self.gap), lang, 1), "parted": self.parted_at,
                  "low_epoch": self.lowest_loss_epoch,
                  "low": number(self.lowest_loss or 0, lang, 3),
                  "end": number(self.final_loss or 0, lang, 3),
                  "best": percent(self.best_accuracy, lang), "best_epoch": self.best_epoch}
        words = _VERDICT["fr" if fr else "en"]
        kind = self.kind
        if kind == "together" and self.lowest_loss_epoch is not None:
            kind = "together_loss_rises"
        parts = [words[kind]]
        if kind in ("parted", "test_above") and self.lowest_loss_epoch is not None:
            parts.append(words["loss_rises"])
        if kind == "together" and self.still_rising:
            parts.append(words["still_rising"])
        if kind != "one_epoch":
            parts.append(words["best"])
        return " ".join(parts).format(**values)


_VERDICT = {
    "en": {
        "one_epoch": "One epoch only: {train} training accuracy, {test} test accuracy; too "
                     "early to see the curves part.",
        "parted": "From epoch {parted} on, training accuracy pulls away from test accuracy: "
                  "{train} against {test} at the end, {points} points apart. The network is "
                  "learning its training images by heart (over-fitting).",
        "test_above": "Test accuracy is above training accuracy ({test} against {train} at "
                      "the end): the training figure is an average over epochs in which the "
                      "network kept improving, on images made harder (dropout, augmentation); "
                      "the network is not learning its training images by heart.",
        "together": "Training and test accuracy stay together ({points} points apart at the "
                    "end): no sign of over-fitting.",
        "together_loss_rises": "Training and test accuracy stay close ({points} points apart "
                               "at the end), but the test loss is lowest at epoch {low_epoch} "
                               "({low}) and rises afterwards ({end} at the end): a first sign "
                               "of over-fitting.",
        "loss_rises": "The test loss is lowest at epoch {low_epoch} ({low}) and rises "
                      "afterwards ({end} at the end).",
        "still_rising": "Test accuracy was still rising at the last epoch: more epochs may "
                        "help.",
        "best": "Best test accuracy: {best} at epoch {best_epoch}.",
    },
    "fr": {
        "one_epoch": "Une seule époque : précision de {train} en apprentissage et de {test} en "
                     "test ; trop tôt pour voir les courbes se séparer.",
        "parted": "À partir de l'époque {parted}, la précision d'apprentissage s'écarte de "
                  "celle de test : {train} contre {test} à la fin, {points} points d'écart. Le "
                  "réseau apprend ses images d'apprentissage par cœur (sur-apprentissage).",
        "test_above": "La précision de test est au-dessus de celle d'apprentissage ({test} "
                      "contre {train} à la fin) : celle d'apprentissage est une moyenne sur des "
                      "époques où le réseau progressait encore, sur des images rendues plus "
                      "difficiles (dropout, augmentation) ; le réseau n'apprend pas ses images "
                      "par cœur.",
        "together": "Les précisions d'apprentissage et de test restent proches ({points} "
                    "points d'écart à la fin) : pas de signe de sur-apprentissage.",
        "together_loss_rises": "Les précisions d'apprentissage et de test restent proches "
                               "({points} points d'écart à la fin), mais l'erreur de test est "
                               "au plus bas à l'époque {low_epoch} ({low}) puis remonte ({end} "
                               "à la fin) : premier signe de sur-apprentissage.",
        "loss_rises": "L'erreur de test est au plus bas à l'époque {low_epoch} ({low}) puis "
                      "remonte ({end} à la fin).",
        "still_rising": "La précision de test montait encore à la dernière époque : plus "
                        "d'époques peuvent aider.",
        "best": "Meilleure précision de test : {best} à l'époque {best_epoch}.",
    },
}


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
