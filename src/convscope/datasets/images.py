"""Single images from disk, prepared the way a network's training data was made.

``prepare_digit`` turns a photo or scan of one handwritten digit into an MNIST-like 28×28
array, following MNIST's own recipe: grey levels, light ink on a black background, the ink
cropped and fitted into a 20×20 box (aspect ratio kept), then placed in a 28×28 field so that
its centre of mass is at the centre (pixel 14, 14).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import DataError

MNIST_SIZE = 28
MNIST_BOX = 20


@contextlib.contextmanager
def pillow_errors(path):
    """Pillow's ways of failing on a file, as one DataError line naming the file."""
    try:
        yield
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder, not an image") from None
    except UnidentifiedImageError:
        raise DataError(f"{path}: not an image Pillow can read") from None
    except Image.DecompressionBombError as exc:
        raise DataError(f"{path}: image too large to decode safely ({exc})") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise DataError(f"{path}: damaged image ({exc})") from None


def load_image(path) -> Image.Image:
    """Open and fully decode an image, upright (EXIF orientation applied), or raise DataError."""
    path = Path(path)
    with pillow_errors(path), Image.open(path) as img:
        img.load()
        return ImageOps.exif_transpose(img)


def to_rgb(image: Image.Image) -> Image.Image:
    """Any Pillow mode as 8-bit RGB: transparency over white paper, 16-bit scaled to 8-bit.

    Covers what photos and scans come as: palette, greyscale, CMYK, RGBA, 16-bit PNG.
    """
    try:
        if image.mode.startswith("I;16") or image.mode == "I":
            # 16-bit samples: 65535 is white, whatever the brightest pixel of this image is.
            a = np.clip(np.asarray(image, dtype=np.float32) / 257.0, 0, 255)
            image = Image.fromarray(a.astype(np.uint8))
        elif image.mode == "F":
            image = Image.fromarray(np.clip(np.asarray(image), 0, 255).astype(np.uint8))
        if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
            # Transparent pixels become white paper: a digit drawn on a transparent background
            # reads as dark ink on light paper.
            background = Image.new("RGBA", image.size, "white")
            image = Image.alpha_composite(background, image.convert("RGBA"))
        return image.convert("RGB")
    except (ValueError, OSError) as exc:
        raise DataError(f"cannot convert a {image.mode} image to RGB ({exc})") from None


def to_grey(image: Image.Image | np.ndarray) -> np.ndarray:
    """Grey levels 0–255 as float32, from a Pillow image (any mode) or an array."""
    if isinstance(image, Image.Image):
        return np.asarray(to_rgb(image).convert("L"), dtype=np.float32)
    a = np.asarray(image, dtype=np.float32)
    if a.ndim == 3:
        a = a[..., :3].mean(axis=-1) if a.shape[-1] >= 3 else a[..., 0]
    return a


def prepare_digit(image: Image.Image | np.ndarray, source: str = "image") -> np.ndarray:
    """An MNIST-style (28, 28) float32 array in [0, 1] (ink = 1) from one digit's picture."""
    grey = to_grey(image)
    ink = _ink_strength(grey)
    mask = ink > 0
    if not mask.any():
        raise DataError(f"{source}: no ink found (the image is blank or uniform)")
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    boxed = _fit_in_box(crop, MNIST_BOX)
    return _centre_by_mass(boxed, MNIST_SIZE)


def _ink_strength(grey: np.ndarray) -> np.ndarray:
    """Ink as 0–1 (paper = 0), inverted when the paper is lighter than the ink.

    The paper's level is estimated locally (photos of paper are lit unevenly) and subtracted;
    what is left within a quarter of the way to the strongest ink counts as paper too (grain,
    shadows, JPEG noise).
    """
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    if np.median(border) > 127:
        grey = 255.0 - grey
    ink = grey - _paper_level(grey)
    strongest = float(np.percentile(ink, 99.5))
    if strongest < 16:  # less contrast than this is noise, not writing
        return np.zeros_like(grey)
    low = 0.25 * strongest
    return np.clip((ink - low) / (strongest - low), 0.0, 1.0)


def _paper_level(grey: np.ndarray, blocks: int = 8) -> np.ndarray:
    """A smooth map of the paper's level: the 30th percentile of each block, interpolated.

    Ink covers a minority of most blocks, so a low percentile (after inversion, paper is dark)
    lands on paper. Small images, like MNIST's own, are taken to be evenly lit.
    """
    h, w = grey.shape
    if min(h, w) < 8 * blocks:
        border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
        return np.full_like(grey, float(np.median(border)))
    rows = np.array_split(np.arange(h), blocks)
    cols = np.array_split(np.arange(w), blocks)
    grid = np.array([[np.percentile(grey[r[0]:r[-1] + 1, c[0]:c[-1] + 1], 30) for c in cols]
                     for r in rows], dtype=np.float32)
    level = Image.fromarray(grid, mode="F").resize((w, h), Image.BILINEAR)
    return np.asarray(level, dtype=np.float32)


def _fit_in_box(crop: np.ndarray, box: int) -> np.ndarray:
    """Resize so the longer side is ``box`` pixels, keeping the aspect ratio."""
    h, w = crop.shape
    scale = box / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    resized = Image.fromarray(crop.astype(np.float32), mode="F").resize(size, Image.LANCZOS)
    return np.clip(np.asarray(resized), 0.0, 1.0)


def _centre_by_mass(digit: np.ndarray, size: int) -> np.ndarray:
    """Place ``digit`` in a size×size field with its centre of mass at (size/2, size/2)."""
    h, w = digit.shape
    total = digit.sum()
    cy = (digit.sum(axis=1) * np.arange(h)).sum() / total
    cx = (digit.sum(axis=0) * np.arange(w)).sum() / total
    top = int(np.clip(round(size / 2 - cy), 0, size - h))
    left = int(np.clip(round(size / 2 - cx), 0, size - w))
    field = np.zeros((size, size), dtype=np.float32)
    field[top : top + h, left : left + w] = digit
    return field


def fit_photo(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Centre-crop ``image`` to the aspect ratio of ``size`` (height, width), then resize.

    Cropping (rather than squashing) keeps objects their natural shape. Training on image
    folders and ``predict`` both use this, so a photo is seen the same way by both.
    """
    height, width = size
    return ImageOps.fit(image, (width, height), Image.BICUBIC)


def prepare_photo(image: Image.Image | np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """A (height, width, 3) float32 array in [0, 1]: any mode as RGB, centre-cropped, resized."""
    if not isinstance(image, Image.Image):
        image = Image.fromarray(np.asarray(image).astype(np.uint8))
    return np.asarray(fit_photo(to_rgb(image), size), dtype=np.float32) / 255.0
