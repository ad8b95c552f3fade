"""Training batches for Keras's one ``fit`` over all epochs: a new order each epoch, drawn so
that epoch ``e`` sees the same images in the same order, changed the same way, whether the run
was interrupted before it or not.

Keras asks a ``PyDataset`` for its batches by number, 0 to ``len - 1``, each epoch; which
epoch it is, a callback says as the epoch begins (``callbacks.DataOrder``), before Keras asks
for its first batch. Keras may also look at a batch before training starts, to learn the
shapes: that changes nothing.
"""

from __future__ import annotations

import keras
import numpy as np

from ..augmentation import batch_generator


def epoch_order(seed: int, epoch: int, count: int) -> np.ndarray:
    """The order of the training images in epoch ``epoch``: from ``(seed, epoch)`` only."""
    return np.random.default_rng([seed, epoch]).permutation(count)


class EpochBatches(keras.utils.PyDataset):
    """(scaled images, labels) batches of a training set, epoch after epoch.

    ``read(picks, observer)`` gives the uint8 images and labels of the training images
    ``picks`` (a photo folder may leave out one that no longer decodes, and say so to
    ``observer``). ``augmentation``'s NumPy part (mirror, shift) is applied to each batch with
    changes drawn from ``(seed, epoch, step)``.

    One Keras worker: ``fit`` then runs this ahead of the training steps in tf.data's prefetch
    thread, which measured faster on cached photos than Keras's own thread pool.
    """

    def __init__(self, read, count: int, batch_size: int, scale: float, seed: int,
                 first_epoch: int = 0, augmentation=None, observer=None):
        super().__init__(workers=1, use_multiprocessing=False)
        self.read, self.count, self.batch_size = read, count, batch_size
        self.scale, self.seed = np.float32(scale), seed
        self.augmentation = augmentation if augmentation else None
        self.observer = observer
        self.start_epoch(first_epoch)

    def start_epoch(self, epoch: int) -> None:
        """Batches of epoch ``epoch`` from now on."""
        self.epoch, self._order = epoch, epoch_order(self.seed, epoch, self.count)

    def __len__(self) -> int:
        return -(-self.count // self.batch_size)

    def __getitem__(self, step: int):
        picks = self._order[step * self.batch_size:(step + 1) * self.batch_size]
        images, labels = self.read(picks, self.observer)
        x = images.astype(np.float32) * self.scale
        if self.augmentation is not None:
            x = self.augmentation.apply_numpy(x, batch_generator(self.seed, self.epoch, step))
        return x, labels
