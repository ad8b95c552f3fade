"""Training batches for Keras's one ``fit`` over all epochs: a new order each epoch, drawn so
that epoch ``e`` sees the same images in the same order, changed the same way, whether the run
was interrupted before it or not.

One ``PyDataset`` holds every remaining epoch, one after the other (``fit`` is told how many
steps an epoch has): batch ``i`` is step ``i % steps`` of epoch ``first + i // steps``, a pure
function of its number. Nothing has to tell the batches which epoch it is, so nothing can tell
them late, and Keras keeps one iterator for the whole training. (A dataset made again each
epoch measured up to twice as slow for some of the epochs on TensorFlow.)
"""

from __future__ import annotations

import itertools

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

    @property
    def num_batches(self):
        """None: one stream, epoch after epoch, for as long as ``fit`` lasts (it is told
        ``steps_per_epoch``)."""
        return None

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

    def for_fit(self):
        """What ``model.fit`` reads: on TensorFlow, this stream as a ``tf.data.Dataset`` that
        prefetches two batches and does not autotune. Keras's own pipeline for a ``PyDataset``
        autotunes, and the autotuning thread of a long ``fit`` sleeps up to a minute between
        rounds: its iterator's end waited for it, and held ``fit`` up to 30 s after its last
        epoch (benchmarks/RESULTS.md, issue 27). Other backends read the batches as they are.
        """
        if keras.backend.backend() != "tensorflow":
            return self
        import tensorflow as tf

        x, y = self[0]
        signature = (tf.TensorSpec((None, *x.shape[1:]), tf.float32),
                     tf.TensorSpec((None,), tf.as_dtype(y.dtype)))
        stream = tf.data.Dataset.from_generator(
            lambda: (self[i] for i in itertools.count()), output_signature=signature)
        options = tf.data.Options()
        options.autotune.enabled = False
        return stream.prefetch(2).with_options(options)
