"""Single images from disk, read safely and prepared the way a network's training data was
made: photos here, digits in ``digits``."""

from __future__ import annotations

import contextlib
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import DataError


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


def fit_photo(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Centre-crop ``image`` to the aspect ratio of ``size`` (height, width), then resize.

    Cropping (rather than squashing) keeps objects their natural shape. Training on image
    folders and ``predict`` both use this, so a photo is seen the same way by both.
    """
    height, width = size
    return ImageOps.fit(image, (width, height), Image.BICUBIC)


def photo_as_input(image: Image.Image | np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """A (height, width, 3) float32 array in [0, 1]: any mode as RGB, centre-cropped, resized."""
    if not isinstance(image, Image.Image):
        image = Image.fromarray(np.asarray(image).astype(np.uint8))
    return np.asarray(fit_photo(to_rgb(image), size), dtype=np.float32) / 255.0
