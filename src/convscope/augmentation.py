"""Augmentation: what a recipe changes in its training images, anew each epoch, and only while
training. One declaration per recipe (``Recipe.augmentation``), read by the training loop, by
the figure of a training batch, by the report and by ``--augment``'s guard.

Two places do the changing:

- the input pipeline, in NumPy: half the images mirrored (``flip``) and each moved by up to
  ``shift`` pixels. Batch ``step`` of epoch ``e`` draws its changes from ``(seed, e, step)``
  only, so a resumed run sees exactly the images an uninterrupted one would have;
- random Keras layers in front of the network (``layers``): saved with the model, active only
  in ``fit`` (a prediction sees the image as it is).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np


@dataclass(frozen=True)
class Augmentation:
    """The random changes of a recipe's training images (none by default)."""

    flip: bool = False  # half the images mirrored left-right
    shift: int = 0  # each image moved by up to this many pixels, zeros coming in
    # Random layers put in front of the network, in order; called for fresh layers.
    layers: Callable[[], list] | None = None

    def __bool__(self) -> bool:
        return bool(self.flip or self.shift or self.layers)

    def front_layers(self) -> list:
        return [] if self.layers is None else self.layers()

    def with_layers(self, layers: Callable[[], list]) -> Augmentation:
        return replace(self, layers=layers)

    def in_front_of(self, model) -> list:
        """The model's own augmentation layers (its first ones, by their names)."""
        names = [layer.name for layer in self.front_layers()]
        return [layer for layer in model.layers[:len(names)] if layer.name in names]

    def describe(self, words) -> str:
        """What changes, in ``words``' language: ``mirrored, shifted up to 2 px, random
        rotation, zoom`` (what each random layer changes, by its own account)."""
        said = [words("aug_mirrored")] if self.flip else []
        said += [words("aug_shift", pixels=self.shift)] if self.shift else []
        kinds = [kind for layer in self.front_layers() for kind in kinds_of(layer)]
        if kinds:
            said.append(words("aug_random", kinds=", ".join(words(f"kind_{k}") for k in kinds)))
        return ", ".join(said)

    def apply_numpy(self, images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """The input pipeline's part: mirrored (``flip``), then moved (``shift``)."""
        if self.flip:
            images = images.copy()
            mirrored = rng.random(len(images)) < 0.5
            images[mirrored] = images[mirrored, :, ::-1]
        return random_shift(images, self.shift, rng) if self.shift else images


def batch_generator(seed: int, epoch: int, step: int) -> np.random.Generator:
    """Where the random changes of batch ``step`` of epoch ``epoch`` are drawn from."""
    return np.random.default_rng([seed, epoch, step])


def kinds_of(layer) -> list[str]:
    """What a random layer changes, as keys of the words (``kind_rotation``, …): convscope's
    layers say (``kinds``); Keras's mirror says by its class."""
    from keras import layers

    if isinstance(layer, layers.RandomFlip):
        return ["flip"]
    return list(getattr(layer, "kinds", ()))


def random_shift(images: np.ndarray, limit: int, rng: np.random.Generator) -> np.ndarray:
    """Move each image by up to ``limit`` pixels in each direction, filling with zeros."""
    n, h, w = images.shape[:3]
    padded = np.pad(images, ((0, 0), (limit, limit), (limit, limit), (0, 0)))
    dy = rng.integers(-limit, limit + 1, n)
    dx = rng.integers(-limit, limit + 1, n)
    out = np.empty_like(images)
    for y in range(-limit, limit + 1):
        for x in range(-limit, limit + 1):
            idx = np.flatnonzero((dy == y) & (dx == x))
            out[idx] = padded[idx, limit + y : limit + y + h, limit + x : limit + x + w]
    return out
