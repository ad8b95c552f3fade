"""Training batches for Keras's one ``fit`` over all epochs: a new order each epoch, drawn so
that epoch ``e`` sees the same images in the same order, changed the same way, whether the run
was interrupted before it or not.

One ``PyDataset`` holds every remaining epoch, one after the other (``fit`` is told how many
steps an epoch has): batch ``i`` is step ``i % steps`` of epoch ``first + i // steps``, a pure
function of its number. Nothing has to tell the batches which epoch it is, so nothing can tell
them late, and Keras keeps one iterator for the whole training. (A dataset remade each epoch
measured twice as slow for some epochs on TensorFlow: Keras abandons an iterator it has just
made, whose prefetching then competes with training.)
"""

from __future__ import annotations

import keras
import numpy as np

from ..augmentation import batch_generator


def epoch_order(seed: int, epoch: int, count: int) -> np.ndarray:
    """The order of the training images in epoch ``epoch``: from ``(seed, epoch)`` only."""
    return np.random.default_rng([seed, epoch]).permutation(count)


class EpochBatches(keras.utils.PyDataset):
    """(scaled images, labels) batches of a training set, epoch after epoch, from
    ``first_epoch`` up to (not including) ``epochs``.

    ``read(picks, observer)`` gives the uint8 images and labels of the training images
    ``picks`` (a photo folder may leave out one that no longer decodes, and say so to
    ``observer``). ``augmentation``'s NumPy part (mirror, shift) is applied to each batch with
    changes drawn from ``(seed, epoch, step)``.

    One Keras worker: ``fit`` then runs this ahead of the training steps in tf.data's prefetch
    thread, which measured faster on cached photos than Keras's own thread pool.
    """

    def __init__(self, read, count: int, batch_size: int, scale: float, seed: int,
                 first_epoch: int, epochs: int, augmentation=None, observer=None):
        super().__init__(workers=1, use_multiprocessing=False)
        self.read, self.count, self.batch_size = read, count, batch_size
        self.scale, self.seed = np.float32(scale), seed
        self.first_epoch, self.epochs = first_epoch, epochs
        self.augmentation = augmentation if augmentation else None
        self.observer = observer
        self.steps = -(-count // batch_size)  # an epoch's steps; the last batch may be smaller
        self._epoch, self._order = None, None

    def __len__(self) -> int:
        return self.steps * max(0, self.epochs - self.first_epoch)

    def position(self, index: int) -> tuple[int, int]:
        """(epoch, step) of batch ``index``."""
        epoch, step = divmod(index, self.steps)
        return self.first_epoch + epoch, step

    def __getitem__(self, index: int):
        epoch, step = self.position(index)
        if epoch != self._epoch:
            self._epoch, self._order = epoch, epoch_order(self.seed, epoch, self.count)
        picks = self._order[step * self.batch_size:(step + 1) * self.batch_size]
        images, labels = self.read(picks, self.observer)
        x = images.astype(np.float32) * self.scale
        if self.augmentation is not None:
            x = self.augmentation.apply_numpy(x, batch_generator(self.seed, epoch, step))
        return x, labels
