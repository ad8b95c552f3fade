"""Decoding one photo into a fixed-size uint8 array: upright, centre-cropped, resized.

Large JPEGs are shrunk while they are decoded (Pillow's draft mode: the DCT is scaled by 1/2,
1/4 or 1/8 before any pixel exists), rather than decoded at full size and then resized.
"""

from __future__ import annotations

import warnings

import numpy as np
from PIL import Image, ImageOps

from ..errors import DataError
from .images import fit_photo, pillow_errors, to_rgb

# Pillow warns (and above twice this, refuses) for images of more pixels than this: a small
# file can expand to gigabytes (a "decompression bomb"). We refuse them all with a clear reason
# instead, so the warning itself is only noise.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
# Draft mode decodes at the smallest DCT scale (1/2, 1/4, 1/8) that still covers this many
# times the target's side; the final resize does the rest. 1 is the fastest, and its images
# differ from a full-size decode by less than the eye can see (benchmarks/RESULTS.md).
DRAFT_MARGIN = 1
# Everything that decides a cached photo's pixels besides the file and the target shape: a
# change here must not reuse rows decoded the old way.
DECODER = f"v2-draft{DRAFT_MARGIN}-crop-bicubic"


def decode_image(path, shape: tuple[int, int, int]) -> tuple[np.ndarray, tuple[int, int]]:
    """One photo as a ``shape`` (height, width, channels) uint8 array, and its original size.

    Upright (EXIF orientation), centre-cropped to the target's aspect ratio and resized — the
    same preparation ``convscope predict`` applies. Raises DataError with the reason.
    """
    height, width, channels = shape
    with pillow_errors(path), Image.open(path) as img:
        original = img.size
        limit = Image.MAX_IMAGE_PIXELS
        if limit and original[0] * original[1] > limit:
            raise DataError(f"{path}: image too large to decode safely ({original[0]}×"
                            f"{original[1]} pixels; the limit is {limit:,})")
        if img.format == "JPEG":
            scale = max(width / original[0], height / original[1]) * DRAFT_MARGIN
            if scale < 1:
                img.draft(img.mode if img.mode in ("L", "RGB") else None,
                          (max(1, round(original[0] * scale)),
                           max(1, round(original[1] * scale))))
        img.load()
        img = to_rgb(ImageOps.exif_transpose(img))
        if channels == 1:
            img = img.convert("L")
        fitted = fit_photo(img, (height, width))
    array = np.asarray(fitted, dtype=np.uint8)
    return array.reshape(height, width, channels), original
