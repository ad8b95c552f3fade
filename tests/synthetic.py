"""Small datasets made by code, for the tests where real data is not the point.

``write_mnist`` writes a synthetic MNIST in the canonical IDX layout (gzipped, as the real
files are): digits drawn as pen strokes and rendered from fonts by ``foreign_digits`` (with
another seed than its yardstick), made MNIST-style (ink cropped, fitted in 20×20, centred by
mass in 28×28) by the library's own ``digit_as_mnist``. A network learns them to about 90 % in
one epoch of a few thousand, as it does real MNIST, in a fraction of the time; the tests that
measure on the real data are marked ``slow``.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

SEED = 7  # not foreign_digits.SEED: the yardstick is never training data

NAMES = {"train_images": "train-images-idx3-ubyte.gz", "train_labels": "train-labels-idx1-ubyte.gz",
         "test_images": "t10k-images-idx3-ubyte.gz", "test_labels": "t10k-labels-idx1-ubyte.gz"}


def digits(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``count`` MNIST-style digits (uint8, N×28×28) and their labels, classes in turn."""
    from foreign_digits import _font_digit, _pen_digit

    from convscope.datasets.digits import digit_as_mnist

    rng = np.random.default_rng(seed)
    images = np.empty((count, 28, 28), np.uint8)
    labels = np.arange(count, dtype=np.uint8) % 10
    for i, label in enumerate(labels):
        size = int(rng.integers(48, 96))
        draw = _pen_digit if rng.random() < 0.7 else _font_digit
        ink, _ = draw(int(label), rng, size)
        images[i] = np.round(digit_as_mnist(ink * 255) * 255).astype(np.uint8)
    order = rng.permutation(count)
    return images[order], labels[order]


def idx_bytes(array: np.ndarray) -> bytes:
    """An unsigned-byte IDX file: magic 0x0000080N, the N dimensions, then the bytes."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape)
    return header + np.ascontiguousarray(array, np.uint8).tobytes()


def write_mnist(folder: Path, train: int = 3000, test: int = 1000, seed: int = SEED) -> Path:
    """A synthetic MNIST in ``folder`` (created), in the four canonical gzipped files."""
    folder.mkdir(parents=True, exist_ok=True)
    x_train, y_train = digits(train, seed)
    x_test, y_test = digits(test, seed + 1)
    arrays = {"train_images": x_train, "train_labels": y_train, "test_images": x_test,
              "test_labels": y_test}
    for key, array in arrays.items():
        (folder / NAMES[key]).write_bytes(gzip.compress(idx_bytes(array), mtime=0))
    return folder
