"""A recipe's own augmentation, in NumPy: mirrored images and small shifts (``Training.flip``,
``Training.shift``), drawn so that the changes of epoch ``e`` depend only on the run's seed
and ``e`` (a resumed run sees exactly the images an uninterrupted one would have).

``--augment``'s random layers are different: they live in the model (``recipes``) and act
only while training.
"""

from __future__ import annotations

import numpy as np


def augment_array(images: np.ndarray, shift: int, flip: bool,
                  rng: np.random.Generator) -> np.ndarray:
    """Half the images mirrored left-right (``flip``), then each moved by up to ``shift``
    pixels."""
    if flip:
        images = images.copy()
        mirrored = rng.random(len(images)) < 0.5
        images[mirrored] = images[mirrored, :, ::-1]
    return random_shift(images, shift, rng) if shift else images


def random_shift(images: np.ndarray, limit: int, rng: np.random.Generator) -> np.ndarray:
    """Move each image by up to ``limit`` pixels in each direction, filling with zeros.

    Done in NumPy on the epoch's array, so the model keeps exactly its layers.
    """
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


def batch_augmenter(shift: int, flip: bool, seed: int, epoch: int):
    """``augment_array`` for streamed batches: each batch's changes depend on (seed, epoch,
    step). None when the recipe changes nothing."""
    if not (shift or flip):
        return None
    return lambda x, step: augment_array(x, shift, flip,
                                         np.random.default_rng([seed, epoch, step]))
