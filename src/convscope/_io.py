"""Writes that never leave a half-written file: write to a temporary name, then rename.

``os.replace`` is atomic on one filesystem, so a reader (or a run interrupted mid-save) sees
either the old file or the new one, never a torn one.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()  # what open() would give a new file


def _temp_beside(path: Path, suffix: str = "") -> Path:
    """A new empty file next to ``path`` (same filesystem, so the final rename is atomic)."""
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=suffix or path.suffix,
                                dir=path.parent)
    os.close(fd)
    os.chmod(name, _FILE_MODE)  # mkstemp makes 0600; the result should look like any file
    return Path(name)


@contextlib.contextmanager
def replacing(path: Path, suffix: str = ".tmp"):
    """A temporary name beside ``path`` to write to; renamed to ``path`` when the block ends
    without an error, removed otherwise (``suffix``: what the writer needs the name to end
    with, e.g. ``.keras``)."""
    tmp = _temp_beside(Path(path), suffix)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: Path, data: bytes) -> None:
    with replacing(path) as tmp:
        tmp.write_bytes(data)


def write_json(path: Path, data) -> None:
    write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def read_json(path: Path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def copy_file(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` atomically (cheaper than saving a model twice)."""
    import shutil

    with replacing(target, target.suffix) as tmp:
        shutil.copyfile(source, tmp)


def save_model(model, path: Path) -> None:
    """Save a Keras model atomically (Keras needs the temporary name to end in ``.keras``)."""
    with replacing(path, ".keras") as tmp:
        model.save(tmp)
