"""Foreign digits: a yardstick of handwritten-looking digits that MNIST's writers did not write.

Made by code, with a fixed seed, so nothing is committed but this file: digits rendered from
the fonts matplotlib ships (plain, bold, italic, typewriter, Computer Modern), and digits drawn
as pen strokes with the conventions MNIST's American writers rarely use (a 1 with a long flag
or a base, a crossed 7, an open 4, a 9 with a straight stem, a flat-topped 3, a looped 2) and
the variety of other writers: pen widths, slants, sizes, positions and wobble. Each digit is
then put on a medium: a clean scan, grey paper photographed under uneven light with a shadow
(blur, noise, JPEG, perspective), a mouse drawing on a canvas (thick strokes, transparent or
white), chalk on a board, or a tiny low-resolution scan. Then as many again on soft media
(issue 31), ink without a sharp edge: a digit 8 to 16 pixels wide enlarged by repeating its
pixels ("pixelated") or smoothly ("enlarged"), a Gaussian blur of up to a tenth of the digit's
height ("blurred"), an out-of-focus photo (blur, noise, JPEG: "unfocused"), and a felt pen's
thick strokes ("felt-pen").

It is a test set, never training data: ``benchmarks/digits_vs_course.py`` and
``tests/test_digits.py`` measure recipes on it.

    from foreign_digits import foreign_digits
    for sample in foreign_digits(per_class=50):  # 1,000 samples: 500 sharp, 500 soft
        sample.image, sample.label, sample.style, sample.medium
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

SEED = 2026

# Fonts shipped with matplotlib (a dependency), so every machine has them.
FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSerif.ttf",
         "DejaVuSerif-Italic.ttf", "DejaVuSansMono.ttf", "STIXGeneral.ttf",
         "STIXGeneralItalic.ttf", "cmr10.ttf", "cmss10.ttf", "cmtt10.ttf", "cmti10.ttf")

SHARP_MEDIA = ("scan", "photo", "canvas", "chalk", "tiny")
SOFT_MEDIA = ("pixelated", "enlarged", "blurred", "unfocused", "felt-pen")
MEDIA = SHARP_MEDIA + SOFT_MEDIA


@dataclass(frozen=True)
class Sample:
    image: Image.Image
    label: int
    style: str  # "font:<name>" or "pen:<variant>"
    medium: str  # one of MEDIA


# -- the digits as pen strokes --------------------------------------------------------------
# Each variant is a list of strokes; a stroke is a list of (x, y) control points in a box 0.6
# wide and 1 high, y downwards, joined by a smooth curve.

def _ellipse(cx, cy, rx, ry, start=-90, end=270, n=14):
    return [(cx + rx * math.cos(math.radians(a)), cy + ry * math.sin(math.radians(a)))
            for a in np.linspace(start, end, n)]


STROKES: dict[int, dict[str, list[list[tuple[float, float]]]]] = {
    0: {"oval": [_ellipse(0.3, 0.5, 0.27, 0.48)],
        "slashed": [_ellipse(0.3, 0.5, 0.27, 0.48), [(0.5, 0.1), (0.1, 0.9)]],
        "open": [_ellipse(0.3, 0.5, 0.27, 0.48, -80, 240)]},
    1: {"stick": [[(0.32, 0.0), (0.3, 1.0)]],
        "flag": [[(0.05, 0.3), (0.34, 0.0), (0.32, 1.0)]],
        "flag-base": [[(0.1, 0.22), (0.34, 0.0), (0.33, 1.0)], [(0.1, 1.0), (0.56, 1.0)]]},
    2: {"plain": [[(0.04, 0.22), (0.2, 0.02), (0.45, 0.04), (0.56, 0.25), (0.42, 0.52),
                   (0.04, 1.0), (0.6, 0.98)]],
        "loop": [[(0.05, 0.25), (0.25, 0.0), (0.52, 0.1), (0.5, 0.4), (0.15, 0.85), (0.05, 0.98),
                  (0.2, 0.82), (0.35, 0.95), (0.6, 0.97)]]},
    3: {"round": [[(0.04, 0.12), (0.3, 0.0), (0.55, 0.15), (0.48, 0.36), (0.24, 0.47),
                   (0.55, 0.62), (0.58, 0.86), (0.3, 1.0), (0.02, 0.9)]],
        "flat-top": [[(0.04, 0.02), (0.56, 0.02), (0.26, 0.4), (0.55, 0.56), (0.58, 0.84),
                      (0.3, 1.0), (0.02, 0.9)]]},
    4: {"closed": [[(0.45, 1.0), (0.45, 0.0), (0.0, 0.66), (0.6, 0.66)]],
        "open": [[(0.12, 0.0), (0.04, 0.62), (0.6, 0.62)], [(0.44, 0.22), (0.44, 1.0)]]},
    5: {"one-stroke": [[(0.55, 0.02), (0.1, 0.02), (0.07, 0.44), (0.3, 0.37), (0.55, 0.55),
                        (0.55, 0.82), (0.3, 1.0), (0.02, 0.92)]],
        "bar-apart": [[(0.1, 0.02), (0.07, 0.44), (0.32, 0.37), (0.56, 0.56), (0.54, 0.84),
                       (0.28, 1.0), (0.02, 0.9)], [(0.12, 0.02), (0.56, 0.0)]]},
    6: {"plain": [[(0.5, 0.02), (0.24, 0.2), (0.07, 0.56), (0.1, 0.86), (0.3, 1.0),
                   (0.52, 0.86), (0.5, 0.6), (0.28, 0.52), (0.09, 0.66)]],
        "straight": [[(0.45, 0.0), (0.1, 0.6), (0.12, 0.9), (0.32, 1.0), (0.52, 0.84),
                      (0.46, 0.6), (0.22, 0.58), (0.1, 0.7)]]},
    7: {"plain": [[(0.02, 0.03), (0.58, 0.03), (0.24, 1.0)]],
        "crossed": [[(0.02, 0.03), (0.58, 0.03), (0.26, 1.0)], [(0.16, 0.52), (0.54, 0.5)]],
        "hooked": [[(0.02, 0.16), (0.04, 0.02), (0.58, 0.04), (0.36, 0.5), (0.3, 1.0)]]},
    8: {"eight": [[(0.5, 0.12), (0.3, 0.0), (0.08, 0.14), (0.14, 0.36), (0.48, 0.62),
                   (0.56, 0.86), (0.3, 1.0), (0.04, 0.86), (0.12, 0.62), (0.46, 0.36),
                   (0.52, 0.14), (0.3, 0.0)]],
        "two-loops": [_ellipse(0.3, 0.24, 0.2, 0.23), _ellipse(0.3, 0.72, 0.26, 0.27)]},
    9: {"straight": [[(0.52, 0.28), (0.32, 0.02), (0.08, 0.16), (0.1, 0.42), (0.34, 0.5),
                      (0.52, 0.32)], [(0.53, 0.1), (0.5, 1.0)]],
        "curved": [[(0.52, 0.3), (0.3, 0.02), (0.06, 0.2), (0.14, 0.44), (0.4, 0.46),
                    (0.52, 0.28), (0.5, 0.7), (0.34, 0.96), (0.1, 0.98)]]},
}


def _smooth(points, per_segment: int = 12) -> np.ndarray:
    """A Catmull-Rom curve through ``points``."""
    p = np.asarray(points, dtype=np.float64)
    if len(p) < 3:
        t = np.linspace(0, 1, per_segment * 2)[:, None]
        return p[0] * (1 - t) + p[-1] * t
    padded = np.vstack([p[0], p, p[-1]])
    out = []
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1:i + 3]
        for t in np.linspace(0, 1, per_segment, endpoint=False):
            t2, t3 = t * t, t * t * t
            out.append(0.5 * ((2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t2
                              + (-p0 + 3 * p1 - 3 * p2 + p3) * t3))
    out.append(p[-1])
    return np.asarray(out)


def _pen_digit(label: int, rng: np.random.Generator, size: int, pen_range=(0.035, 0.13),
               strokes=STROKES) -> tuple[np.ndarray, str]:
    """Ink (0–1) of a pen-drawn digit on a ``size``×``size`` field, and its variant; the pen's
    width is drawn from ``pen_range`` (fractions of the digit's height)."""
    variant = rng.choice(sorted(strokes[label]))
    slant = rng.uniform(-0.35, 0.25)  # most people lean right; some left
    aspect = rng.uniform(0.7, 1.35)
    rotation = math.radians(rng.uniform(-10, 10))
    wobble = rng.uniform(0.005, 0.03)
    height = rng.uniform(0.45, 0.85) * size
    pen = max(1.0, rng.uniform(*pen_range) * height)
    centre = rng.uniform(0.35, 0.65, 2) * size
    scale = 4  # drawn at 4× and reduced: smooth edges
    canvas = Image.new("L", (size * scale, size * scale), 0)
    draw = ImageDraw.Draw(canvas)
    for stroke in strokes[label][variant]:
        points = np.asarray(stroke) + rng.normal(0, wobble, (len(stroke), 2))
        curve = _smooth(points)
        x, y = (curve[:, 0] - 0.3) * aspect, curve[:, 1] - 0.5
        x = x - slant * y
        xr = x * math.cos(rotation) - y * math.sin(rotation)
        yr = x * math.sin(rotation) + y * math.cos(rotation)
        xy = np.stack([centre[0] + xr * height, centre[1] + yr * height], axis=1) * scale
        width = pen * scale * rng.uniform(0.85, 1.15)
        draw.line([tuple(v) for v in xy], fill=255, width=max(1, int(width)), joint="curve")
        r = width / 2
        for px, py in (xy[0], xy[-1]):
            draw.ellipse((px - r, py - r, px + r, py + r), fill=255)
    ink = canvas.resize((size, size), Image.LANCZOS)
    return np.asarray(ink, dtype=np.float32) / 255, f"pen:{variant}"


def _font_digit(label: int, rng: np.random.Generator, size: int) -> tuple[np.ndarray, str]:
    import matplotlib

    name = str(rng.choice(FONTS))
    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name
    points = int(rng.uniform(0.45, 0.85) * size)
    font = ImageFont.truetype(str(path), points)
    canvas = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(canvas)
    box = draw.textbbox((0, 0), str(label), font=font)
    w, h = box[2] - box[0], box[3] - box[1]
    x = rng.uniform(0.2, 0.8) * (size - w) - box[0]
    y = rng.uniform(0.2, 0.8) * (size - h) - box[1]
    draw.text((x, y), str(label), fill=255, font=font)
    canvas = canvas.rotate(rng.uniform(-8, 8), resample=Image.BICUBIC)
    return np.asarray(canvas, dtype=np.float32) / 255, f"font:{name.removesuffix('.ttf')}"


# -- the media ------------------------------------------------------------------------------

def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    return Image.open(buffer).convert(image.mode)


def _scan(ink, rng):
    paper, ink_level = rng.uniform(225, 255), rng.uniform(0, 70)
    grey = paper - ink * (paper - ink_level) + rng.normal(0, 3, ink.shape)
    return Image.fromarray(np.clip(grey, 0, 255).astype(np.uint8))


def _photo(ink, rng):
    """Grey paper under uneven light, a soft shadow, a tilted camera, blur, noise and JPEG."""
    image = _paper_under_light(ink, rng)
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.6)))
    return _jpeg(image, int(rng.integers(35, 85)))


def _paper_under_light(ink, rng):
    """Grey paper under uneven light, a soft shadow, a tilted camera, noise: still sharp."""
    h, w = ink.shape
    yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
    angle = rng.uniform(0, 2 * math.pi)
    light = rng.uniform(120, 215) + rng.uniform(25, 60) * (np.cos(angle) * xx
                                                          + np.sin(angle) * yy - 0.5)
    light -= rng.uniform(0, 45) * ((xx - 0.5) ** 2 + (yy - 0.5) ** 2) * 4  # vignette
    if rng.random() < 0.6:  # a shadow across part of the sheet, soft-edged
        a = rng.uniform(0, 2 * math.pi)
        edge = np.cos(a) * (xx - rng.uniform(0.2, 0.8)) + np.sin(a) * (yy - rng.uniform(0.2, 0.8))
        light *= 1 - rng.uniform(0.2, 0.45) / (1 + np.exp(-edge * 40))
    tint = np.array([1.0, rng.uniform(0.95, 1.02), rng.uniform(0.85, 1.0)])
    ink_level = rng.uniform(10, 60)
    grey = light - ink * np.maximum(light - ink_level, 0) * rng.uniform(0.75, 1.0)
    rgb = np.clip(grey[..., None] * tint + rng.normal(0, rng.uniform(2, 8), (h, w, 3)), 0, 255)
    image = Image.fromarray(rgb.astype(np.uint8), "RGB")
    d = rng.uniform(0, 0.08, 8) * w
    quad = (d[0], d[1], d[2], h - d[3], w - d[4], h - d[5], w - d[6], d[7])
    return image.transform((w, h), Image.QUAD, quad, Image.BICUBIC, fillcolor=(60, 60, 60))


def _canvas(ink, rng):
    """A mouse drawing: ink already thick; transparent background or white."""
    alpha = (np.clip(ink * 1.4, 0, 1) * 255).astype(np.uint8)
    if rng.random() < 0.5:
        colour = rng.integers(0, 80, 3)
        rgba = np.zeros((*ink.shape, 4), dtype=np.uint8)
        rgba[..., :3] = colour
        rgba[..., 3] = alpha
        return Image.fromarray(rgba, "RGBA")
    grey = 255 - alpha.astype(np.float32) * rng.uniform(0.7, 1.0)
    return Image.fromarray(grey.astype(np.uint8), "L")


def _chalk(ink, rng):
    """Light chalk on a dark board, grainy."""
    board = rng.uniform(25, 70)
    grain = rng.random(ink.shape) < rng.uniform(0.7, 0.95)
    grey = board + ink * grain * rng.uniform(150, 220) + rng.normal(0, 6, ink.shape)
    rgb = np.clip(grey[..., None] * np.array([0.9, 1.0, 0.95]), 0, 255).astype(np.uint8)
    return Image.fromarray(rgb, "RGB").filter(ImageFilter.GaussianBlur(0.6))


def _tiny(ink, rng):
    image = _scan(ink, rng)
    side = int(rng.integers(24, 48))
    return image.resize((side, side), Image.BILINEAR)


def _render(label, rng, medium):
    size = {"photo": int(rng.integers(240, 720)), "canvas": 280, "tiny": 160}.get(
        medium, int(rng.integers(96, 400)))
    pen = medium in ("canvas", "chalk") or rng.random() < 0.6
    ink, style = _pen_digit(label, rng, size) if pen else _font_digit(label, rng, size)
    if medium == "canvas":  # mouse strokes: thick
        from scipy.ndimage import grey_dilation

        ink = grey_dilation(ink, size=int(size * rng.uniform(0.01, 0.03)) | 1)
    return {"scan": _scan, "photo": _photo, "canvas": _canvas, "chalk": _chalk,
            "tiny": _tiny}[medium](ink, rng), style


# -- soft ink -------------------------------------------------------------------------------
# Ink without a sharp edge: a digit in a picture 8 to 16 pixels wide (a thumbnail, a digit cut
# from a low-resolution scan) enlarged back, by repeating pixels or smoothly; a Gaussian blur up
# to a tenth of the digit's height; an out-of-focus phone photo. And felt-pen strokes, thicker
# than any of MNIST's.

def _ink_height(ink) -> int:
    rows = np.flatnonzero((ink > 0.5).any(axis=1))
    return int(rows[-1] - rows[0] + 1) if rows.size else ink.shape[0]


def _low_resolution(ink, rng, smooth: bool):
    """The scanned digit in a square picture 8 to 16 pixels wide, with a margin of about a
    pixel, enlarged 6 to 25 times."""
    rows, cols = np.flatnonzero((ink > 0.1).any(axis=1)), np.flatnonzero((ink > 0.1).any(axis=0))
    side = max(rows[-1] - rows[0], cols[-1] - cols[0]) * rng.uniform(1.15, 1.35)
    pad = int(side)  # paper enough around the digit for the square
    cy, cx = pad + (rows[0] + rows[-1]) / 2, pad + (cols[0] + cols[-1]) / 2
    box = (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)
    pixels = int(rng.integers(8, 17))
    small = _scan(np.pad(ink, pad), rng).resize((pixels, pixels), Image.BOX, box=box)
    enlarged = pixels * int(rng.integers(6, 26))
    resample = rng.choice([Image.BILINEAR, Image.BICUBIC, Image.LANCZOS]) if smooth \
        else Image.NEAREST
    return small.resize((enlarged, enlarged), int(resample))


def _blurred(ink, rng):
    """A scan blurred by a Gaussian of up to a tenth of the digit's height."""
    sigma = rng.uniform(0.02, 0.1) * _ink_height(ink)
    return _scan(ink, rng).filter(ImageFilter.GaussianBlur(sigma))


def _unfocused(ink, rng):
    """An out-of-focus photo: paper under uneven light, a blur of up to 7 % of the digit's
    height, the sensor's noise after it, JPEG."""
    blur = rng.uniform(0.02, 0.07) * _ink_height(ink)
    image = _paper_under_light(ink, rng).filter(ImageFilter.GaussianBlur(blur))
    rgb = np.asarray(image, np.float32) + rng.normal(0, rng.uniform(2, 8), (*ink.shape, 3))
    return _jpeg(Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB"),
                 int(rng.integers(30, 80)))


def _felt_pen(ink, rng):
    """A felt pen's strokes (drawn thick by ``_render_soft``), their edges bled a little into
    the paper, the ink streaked."""
    streaks = _streaks(ink.shape, rng)
    bled = Image.fromarray((ink * streaks * 255).astype(np.uint8)).filter(
        ImageFilter.GaussianBlur(rng.uniform(0.2, 0.8) * ink.shape[0] / 100))
    return _scan(np.asarray(bled, np.float32) / 255, rng)


def _streaks(shape, rng):
    """A felt pen's uneven ink: 0.7–1, varying over about a tenth of the picture."""
    from scipy import ndimage

    coarse = rng.uniform(0.7, 1.0, (10, 10))
    return np.clip(ndimage.zoom(coarse, (shape[0] / 10, shape[1] / 10), order=1), 0.7, 1.0)


SOFT = {"pixelated": lambda ink, rng: _low_resolution(ink, rng, smooth=False),
        "enlarged": lambda ink, rng: _low_resolution(ink, rng, smooth=True),
        "blurred": _blurred, "unfocused": _unfocused, "felt-pen": _felt_pen}


def _render_soft(label, rng, medium):
    size = int(rng.integers(96, 400))
    if medium == "felt-pen":
        ink, style = _pen_digit(label, rng, size, pen_range=(0.15, 0.28))
    elif medium == "unfocused":  # a thinner pen, out of focus, fades into the photo's noise
        ink, style = _pen_digit(label, rng, size, pen_range=(0.06, 0.13))
    else:
        ink, style = (_pen_digit if rng.random() < 0.6 else _font_digit)(label, rng, size)
    return SOFT[medium](ink, rng), style


def _samples(per_class, rng, media, render) -> list[Sample]:
    samples = []
    for i in range(per_class):
        for label in range(10):
            medium = media[(i + label) % len(media)]
            image, style = render(label, rng, medium)
            samples.append(Sample(image, label, style, medium))
    return samples


def foreign_digits(per_class: int = 50, seed: int = SEED) -> list[Sample]:
    """``per_class`` samples of each digit on the sharp media, then as many on the soft ones,
    media in turn, the same for the same seed (the sharp ones as before the soft were added)."""
    return (_samples(per_class, np.random.default_rng(seed), SHARP_MEDIA, _render)
            + _samples(per_class, np.random.default_rng([seed, 1]), SOFT_MEDIA, _render_soft))


def contact_sheet(samples: list[Sample], path: Path, columns: int = 20, cell: int = 64) -> Path:
    """All samples on one image, to look at the set."""
    rows = -(-len(samples) // columns)
    sheet = Image.new("RGB", (columns * cell, rows * cell), "white")
    for k, s in enumerate(samples):
        thumb = s.image.convert("RGBA")
        background = Image.new("RGBA", thumb.size, (200, 230, 200, 255))
        thumb = Image.alpha_composite(background, thumb).convert("RGB")
        thumb.thumbnail((cell - 2, cell - 2))
        sheet.paste(thumb, ((k % columns) * cell + 1, (k // columns) * cell + 1))
    sheet.save(path)
    return path


if __name__ == "__main__":
    import sys

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "foreign_digits.png")
    print(contact_sheet(foreign_digits(per_class=int(sys.argv[2]) if len(sys.argv) > 2
                                       else 10), out))
