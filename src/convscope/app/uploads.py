"""Photos coming from the browser: checked for size before anything decodes them, decoded only
by the library's safe path, and kept (for training) only under the runs root.

A photo upload is refused, with one line saying why, when it is larger than
``MAX_UPLOAD_BYTES`` (the server also stops the upload there), when its name or first bytes
are not those of a photo (``datasets.photos.photo_problem``, the rule of photo folders), or when
its header announces more than ``MAX_UPLOAD_PIXELS``. Decoding then happens in
``Run.prepare``, as for ``convscope predict``, or in the scan of a photo folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from PIL import Image

from ..datasets.images import pillow_errors
from ..datasets.photos import HEAD_BYTES, photo_problem
from ..errors import DataError
from .paths import Roots

# A phone's photo is 2–10 MB; more is a raw file or not a photo.
MAX_UPLOAD_BYTES = 25 << 20
# 50 megapixels: the largest phone cameras. Decoding one takes ~150 MB of memory; the pixel
# count comes from the header, before any pixel is decoded (a small file can claim gigapixels).
MAX_UPLOAD_PIXELS = 50_000_000


def check_upload(path, name: str | None = None) -> Path:
    """``path`` if it may be decoded as a photo, else DataError with one line.

    ``name``: the file's name in the browser (Gradio stores uploads under its own names).
    """
    path = Path(path)
    shown = name or path.name
    try:
        size = path.stat().st_size
    except OSError:
        raise DataError(f"{shown}: the upload did not arrive; try again") from None
    if size > MAX_UPLOAD_BYTES:
        raise DataError(f"{shown}: {size / 2**20:.0f} MB is more than the "
                        f"{MAX_UPLOAD_BYTES >> 20} MB a photo may have here")

    def head() -> bytes:
        with open(path, "rb") as f:
            return f.read(HEAD_BYTES)

    # Gradio names webcam and clipboard pictures without a photo extension; only a name the
    # person chose is held to the photo folders' rule of extensions.
    problem = photo_problem(shown if name else "upload.png", size, head)
    if problem is not None:
        raise DataError(f"{shown}: {problem}")
    with pillow_errors(shown), Image.open(path) as image:
        width, height = image.size
    if width * height > MAX_UPLOAD_PIXELS:
        raise DataError(f"{shown}: {width}×{height} pixels is more than the "
                        f"{MAX_UPLOAD_PIXELS / 1e6:.0f} megapixels a photo may have here")
    return path


def keep_for_training(roots: Roots, set_name: str, class_name: str,
                      files: list[tuple[Path, str]]) -> tuple[list[str], list[str]]:
    """Copy uploaded photos into ``photos/<set>/<class>/`` under the runs root.

    ``files``: (where the upload is, its name in the browser). Returns (kept names, refused
    lines). Names are reduced to safe characters and never overwrite a photo already there.
    """
    folder = roots.upload_folder(set_name, class_name)
    kept, refused = [], []
    for path, name in files:
        try:
            check_upload(path, name)
        except DataError as exc:
            refused.append(str(exc))
            continue
        target = _free_name(folder, _safe_file_name(name))
        shutil.copyfile(path, target)
        kept.append(target.name)
    return kept, refused


def _safe_file_name(name: str) -> str:
    stem, suffix = Path(Path(name).name).stem, Path(name).suffix.lower()
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in stem).strip("_")[:60]
    return f"{stem or 'photo'}{suffix}"


def _free_name(folder: Path, name: str) -> Path:
    target = folder / name
    stem, suffix = target.stem, target.suffix
    n = 2
    while target.exists():
        target = folder / f"{stem}-{n}{suffix}"
        n += 1
    return target
