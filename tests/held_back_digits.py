"""Held-back digits: low-resolution and out-of-focus handwriting by other writers, to check a
change of the digit preparation made on the foreign-digit yardstick (``foreign_digits.py``).

Never tuned on: a preparation is shaped on the yardstick, to a principle (soft ink stays
whole), then read once on this set. So it differs from the yardstick wherever it can: another
seed; other writers (other shapes of each digit: an angular 2, a 4 in one stroke, a 9 like a g,
an S-shaped 5…); other blurs and enlargements (a defocused lens's disk instead of a Gaussian, a
shaken camera's streak, bilinear reductions and Hamming or bicubic enlargements, a web
thumbnail's JPEG); no fonts.

    from held_back_digits import held_back_digits
    for sample in held_back_digits(per_class=30):  # 300 samples
        sample.image, sample.label, sample.style, sample.medium
"""

from __future__ import annotations

import math

import numpy as np
from foreign_digits import Sample, _ellipse, _jpeg, _paper_under_light, _pen_digit, _scan
from PIL import Image, ImageFilter

SEED = 3101  # neither the yardstick's nor the synthetic MNIST's

MEDIA = ("thumbnail", "defocused", "shaken", "marker")

# Other writers' digits, in the yardstick's box (0.6 wide, 1 high, y downwards).
WRITERS: dict[int, dict[str, list[list[tuple[float, float]]]]] = {
    0: {"tilted": [_ellipse(0.32, 0.5, 0.22, 0.5, -120, 250)],
        "pointed": [[(0.4, 0.02), (0.1, 0.3), (0.12, 0.8), (0.35, 1.0), (0.55, 0.7),
                     (0.5, 0.2), (0.36, 0.04)]]},
    1: {"short-flag": [[(0.2, 0.15), (0.36, 0.0), (0.3, 1.0)]],
        "serif": [[(0.3, 0.0), (0.3, 1.0)], [(0.12, 1.0), (0.48, 1.0)]]},
    2: {"angular": [[(0.05, 0.15), (0.3, 0.0), (0.55, 0.15), (0.5, 0.35), (0.04, 0.98),
                     (0.6, 0.98)]],
        "curly": [[(0.06, 0.3), (0.2, 0.04), (0.5, 0.08), (0.48, 0.42), (0.1, 0.92),
                   (0.3, 0.84), (0.45, 1.0), (0.6, 0.9)]]},
    3: {"pointed": [[(0.05, 0.08), (0.5, 0.05), (0.22, 0.44), (0.56, 0.66), (0.45, 0.95),
                     (0.05, 0.92)]],
        "two-arcs": [_ellipse(0.3, 0.26, 0.24, 0.24, -160, 95),
                     _ellipse(0.3, 0.74, 0.28, 0.26, -95, 160)]},
    4: {"one-stroke": [[(0.4, 0.02), (0.02, 0.64), (0.6, 0.62), (0.46, 0.45), (0.44, 1.0)]],
        "long-bar": [[(0.3, 0.0), (0.05, 0.6), (0.6, 0.6)], [(0.42, 0.3), (0.4, 1.0)]]},
    5: {"s-shaped": [[(0.55, 0.04), (0.15, 0.06), (0.1, 0.4), (0.45, 0.45), (0.58, 0.7),
                      (0.4, 0.97), (0.04, 0.85)]],
        "square": [[(0.12, 0.04), (0.1, 0.45), (0.5, 0.45), (0.55, 0.95), (0.05, 0.95)],
                   [(0.12, 0.04), (0.56, 0.04)]]},
    6: {"small-loop": [[(0.5, 0.0), (0.2, 0.35), (0.1, 0.75), (0.3, 1.0), (0.5, 0.85),
                        (0.35, 0.65), (0.12, 0.78)]],
        "round": [[(0.55, 0.1), (0.3, 0.0), (0.08, 0.4), (0.12, 0.88), (0.35, 1.0),
                   (0.55, 0.8), (0.45, 0.55), (0.2, 0.58), (0.1, 0.72)]]},
    7: {"european": [[(0.05, 0.12), (0.1, 0.02), (0.58, 0.02), (0.28, 1.0)],
                     [(0.2, 0.5), (0.52, 0.48)]],
        "curved": [[(0.02, 0.04), (0.58, 0.04), (0.4, 0.4), (0.3, 0.7), (0.28, 1.0)]]},
    8: {"top-right": [[(0.52, 0.06), (0.28, 0.0), (0.1, 0.2), (0.5, 0.6), (0.52, 0.9),
                       (0.25, 1.0), (0.06, 0.85), (0.12, 0.6), (0.48, 0.3), (0.52, 0.06)]],
        "circles": [_ellipse(0.3, 0.25, 0.24, 0.25), _ellipse(0.3, 0.75, 0.24, 0.25)]},
    9: {"g-like": [_ellipse(0.3, 0.28, 0.24, 0.26), [(0.54, 0.28), (0.52, 0.8), (0.3, 1.0),
                                                     (0.08, 0.9)]],
        "round-tail": [[(0.55, 0.25), (0.3, 0.0), (0.05, 0.25), (0.3, 0.5), (0.55, 0.25),
                        (0.4, 0.75), (0.3, 1.0)]]},
}


def _ink_height(ink) -> int:
    rows = np.flatnonzero((ink > 0.5).any(axis=1))
    return int(rows[-1] - rows[0] + 1) if rows.size else ink.shape[0]


def _thumbnail(ink, rng):
    """A web thumbnail: the scan reduced bilinearly to 10–20 pixels, saved as JPEG, enlarged
    by a viewer (bicubic, Hamming or nearest)."""
    pixels = int(rng.integers(10, 21))
    small = _scan(ink, rng).resize((pixels, pixels), Image.BILINEAR, reducing_gap=2.0)
    small = _jpeg(small, int(rng.integers(50, 90)))
    side = pixels * int(rng.integers(5, 20))
    return small.resize((side, side), int(rng.choice([Image.BICUBIC, Image.HAMMING,
                                                      Image.NEAREST])))


def _disk(radius: float) -> np.ndarray:
    r = max(1, math.ceil(radius))
    yy, xx = np.mgrid[-r:r + 1, -r:r + 1]
    kernel = (xx * xx + yy * yy <= radius * radius).astype(np.float32)
    return kernel / kernel.sum()


def _blur_photo(ink, rng, kernel: np.ndarray):
    """A photo of the paper, blurred by ``kernel``, the sensor's noise after it, JPEG."""
    from scipy import ndimage

    rgb = np.asarray(_paper_under_light(ink, rng), np.float32)
    blurred = np.stack([ndimage.convolve(rgb[..., c], kernel, mode="nearest")
                        for c in range(3)], axis=-1)
    blurred += rng.normal(0, rng.uniform(2, 6), blurred.shape)
    image = Image.fromarray(np.clip(blurred, 0, 255).astype(np.uint8), "RGB")
    return _jpeg(image, int(rng.integers(40, 90)))


def _defocused(ink, rng):
    """A lens out of focus: a disk of up to 12 % of the digit's height."""
    return _blur_photo(ink, rng, _disk(rng.uniform(0.04, 0.12) * _ink_height(ink)))


def _shaken(ink, rng):
    """A shaken camera: a streak of up to 15 % of the digit's height in any direction."""
    length = max(2, round(rng.uniform(0.05, 0.15) * _ink_height(ink)))
    angle = rng.uniform(0, math.pi)
    kernel = np.zeros((2 * length + 1, 2 * length + 1), np.float32)
    for t in np.linspace(-length / 2, length / 2, 4 * length):
        kernel[round(length + t * math.sin(angle)), round(length + t * math.cos(angle))] = 1
    return _blur_photo(ink, rng, kernel / kernel.sum())


def _marker(ink, rng):
    """A marker's thick strokes, photographed small: 20–32 pixels, a little blur."""
    image = _scan(ink, rng).filter(ImageFilter.GaussianBlur(ink.shape[0] / 150))
    pixels = int(rng.integers(20, 33))
    small = image.resize((pixels, pixels), Image.BILINEAR, reducing_gap=2.0)
    side = pixels * int(rng.integers(4, 10))
    return small.resize((side, side), Image.BICUBIC)


def held_back_digits(per_class: int = 30, seed: int = SEED) -> list[Sample]:
    """``per_class`` samples of each digit, media in turn, the same for the same seed."""
    rng = np.random.default_rng(seed)
    render = {"thumbnail": _thumbnail, "defocused": _defocused, "shaken": _shaken,
              "marker": _marker}
    samples = []
    for i in range(per_class):
        for label in range(10):
            medium = MEDIA[(i + label) % len(MEDIA)]
            size = int(rng.integers(120, 360))
            pen = (0.16, 0.26) if medium == "marker" else (0.06, 0.14)
            ink, style = _pen_digit(label, rng, size, pen_range=pen, strokes=WRITERS)
            samples.append(Sample(render[medium](ink, rng), label, style, medium))
    return samples
