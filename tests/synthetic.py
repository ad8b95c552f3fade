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
from PIL import Image

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


def soft_digit_pictures() -> dict[str, Image.Image]:
    """Soft ink (issue 31), one picture per rule of the preparation, for the tests that keep
    its three copies equal: a scan blurred by a tenth of the digit's height (read with a wider
    paper window), a 12×12 thumbnail enlarged 16 times by repeating its pixels (read back at
    12×12), a felt pen's strokes wider than half the usual window (read with the widest), a
    felt pen's 8 covering more than half of its picture (the ink's side read from the frame),
    and an out-of-focus photo (paper under uneven light, blurred, noisy, JPEG)."""
    from foreign_digits import _felt_pen, _ink_height, _pen_digit, _scan, _unfocused
    from PIL import ImageFilter

    rng = np.random.default_rng(31)
    ink, _ = _pen_digit(3, rng, 160)
    blurred = _scan(ink, rng).filter(ImageFilter.GaussianBlur(0.1 * _ink_height(ink)))
    ink, _ = _pen_digit(5, rng, 120)
    pixelated = _scan(ink, rng).resize((12, 12), Image.BOX).resize((192, 192), Image.NEAREST)
    rng = np.random.default_rng(1)
    ink, _ = _pen_digit(2, rng, 200, pen_range=(0.15, 0.28))
    felt_pen = _felt_pen(ink, rng)
    rng = np.random.default_rng(4)
    ink, _ = _pen_digit(9, rng, 240, pen_range=(0.06, 0.13))
    return {"blurred": blurred, "pixelated": pixelated, "felt-pen": felt_pen,
            "felt-pen filling": felt_eight(), "unfocused": _unfocused(ink, rng)}


def felt_eight(side: int = 160, margin: int = 0) -> Image.Image:
    """A felt pen's 8 (strokes 22 % of the picture, edges bled a little) that covers more
    than half of its picture, on a sheet ``margin`` pixels wider on every side."""
    from PIL import ImageDraw, ImageFilter

    img = Image.new("L", (side + 2 * margin,) * 2, 238)
    draw = ImageDraw.Draw(img)
    pen, m = int(0.22 * side), margin
    draw.ellipse([m + 0.1 * side, m + 0.04 * side, m + 0.9 * side, m + 0.55 * side],
                 outline=30, width=pen)
    draw.ellipse([m + 0.05 * side, m + 0.42 * side, m + 0.95 * side, m + 0.96 * side],
                 outline=30, width=pen)
    return img.filter(ImageFilter.GaussianBlur(2))
