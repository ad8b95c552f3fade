"""What counts as a photo, and in what order photos are listed: one rule for every listing.

``prepare`` (copying raw photos into train/ and test/) and the image-folder listing
(``finding``) both decide here which files are candidate photos, so a file refused by one is
refused by the other, with the same reason. Candidates are recognised by name, size and, when
the caller can afford it, their first bytes; nothing is decoded here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

# The file types read as photos (what Pillow decodes and cameras write).
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp")
# Larger "photos" are refused: a camera's photo is a few MB, and a zip member must not be able
# to fill the disk or the memory by claiming to be one.
MAX_PHOTO_BYTES = 64 << 20
# Enough first bytes to recognise every format of IMAGE_EXTENSIONS (WebP needs 12).
HEAD_BYTES = 12


def natural_key(name: str) -> list:
    """Sort key under which ``cat.2.jpg`` comes before ``cat.10.jpg`` (and class 2 before 10)."""
    return [int(t) if i % 2 else t for i, t in enumerate(re.split(r"(\d+)", name.lower()))]


def looks_like_image(head: bytes) -> bool:
    """JPEG, PNG, GIF, BMP or WebP, by their first bytes (no decoding)."""
    return (head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM"))
            or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"))


def photo_problem(name: str, size: int | None = None,
                  read_head: Callable[[], bytes] | None = None) -> str | None:
    """Why a file is not a candidate photo, or None.

    ``name`` is the file's base name (hidden files and other extensions are refused); ``size``
    its size in bytes, when known (empty and oversized files are refused); ``read_head`` returns
    its first ``HEAD_BYTES`` bytes, and is called only when everything else passed. Leaving it
    out spares reading every file when the photos are decoded anyway. Errors of ``read_head``
    are the caller's to report.
    """
    if name.startswith("."):
        return "hidden file"
    extension = os.path.splitext(name)[1].lower()
    if extension not in IMAGE_EXTENSIONS:
        return f"not an image ({extension or 'no extension'})"
    if size is not None:
        if size == 0:
            return "empty file"
        if size > MAX_PHOTO_BYTES:
            return f"too large for a photo ({size / 2**20:,.0f} MiB)"
    if read_head is not None and not looks_like_image(read_head()):
        return "not an image (its first bytes are not those of a JPEG, PNG, BMP, GIF or WebP)"
    return None
