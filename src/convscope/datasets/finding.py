"""Listing the photos of an image folder, ``root/<class>/…``, and what is set aside, with reasons.

The class of a photo is the name of the folder under ``root`` it lies in, at any depth below
it. Classes and photos are sorted naturally (``2`` before ``10``). Files that cannot be photos
(``photos.photo_problem``: hidden, other extensions, empty, oversized), broken links, link loops
and links that leave their class folder are skipped, each with its reason. Photos are not
opened here: decoding them (``ImageFiles.check``) finds the damaged ones.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError
from .photos import IMAGE_EXTENSIONS, natural_key, photo_problem


@dataclass(frozen=True)
class Skipped:
    """A file that is not used, and why (shown by ``convscope scan`` and during training)."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def class_folders(root: Path) -> list[str]:
    """The visible sub-folders of ``root`` in natural order: the class names."""
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"{root}: no such folder")
    return sorted((p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
                  key=natural_key)


def find_images(root, class_names: list[str] | None = None) -> tuple[list[Path], np.ndarray,
                                                                       list[str], list[Skipped]]:
    """The photos under ``root/<class>/`` (any depth) with their labels, and what was skipped.

    ``class_names`` fixes the classes and their order (a test folder must use the training
    folder's); by default they are ``root``'s sub-folders. Returns (paths, labels, class
    names, skipped).
    """
    root = Path(root)
    found = class_folders(root)
    names = list(class_names) if class_names is not None else found
    if class_names is not None:
        unknown = sorted(set(found) - set(names), key=natural_key)
        if unknown:
            raise DataError(f"{root}: class folder(s) {', '.join(unknown)} are not among the "
                            f"training classes ({', '.join(names)})")
    skipped = [Skipped(str(p), "not inside a class folder") for p in sorted(root.iterdir())
               if p.is_file() and not p.name.startswith(".")]
    paths, labels = [], []
    for label, name in enumerate(names):
        folder = root / name
        if not folder.is_dir():
            continue
        for path in _walk(folder, skipped):
            paths.append(path)
            labels.append(label)
    if not paths:
        raise DataError(
            f"0 images found in {root} (looked for {', '.join('*' + e for e in IMAGE_EXTENSIONS)}"
            f" inside class folders {root}/<class>/)"
        )
    return paths, np.asarray(labels, dtype=np.int64), names, skipped


def _walk(folder: Path, skipped: list[Skipped]) -> list[Path]:
    """Image files under ``folder``, following links that stay inside it, each folder once.

    A link out of the class folder would put another class's photos (or the test photos) under
    this label, and a link back up would loop: both are skipped with their reason.
    """
    seen: set[tuple[int, int]] = set()
    out: list[Path] = []
    home = folder.resolve()

    def visit(directory: Path) -> None:
        try:
            info = directory.stat()
            real = directory.resolve()
        except (OSError, RuntimeError) as exc:
            skipped.append(Skipped(str(directory), f"cannot open folder ({exc})"))
            return
        if (info.st_dev, info.st_ino) in seen:
            skipped.append(Skipped(str(directory), "symbolic link loop (folder already seen)"))
            return
        if not real.is_relative_to(home):
            skipped.append(Skipped(str(directory), "symbolic link leads outside its class "
                                                   f"folder (to {real})"))
            return
        seen.add((info.st_dev, info.st_ino))
        try:
            entries = sorted(os.scandir(directory), key=lambda e: natural_key(e.name))
        except OSError as exc:
            skipped.append(Skipped(str(directory), f"cannot list folder ({exc.strerror})"))
            return
        for entry in entries:
            path = Path(entry.path)
            kind, problem = _entry_kind(entry)
            if kind == "folder":
                visit(path)
            elif problem is not None:
                skipped.append(Skipped(str(path), problem))
            elif kind == "photo":
                out.append(path)

    visit(folder)
    return out


def _entry_kind(entry: os.DirEntry) -> tuple[str, str | None]:
    """What an entry of a class folder is ("folder", "photo", "hidden folder" or "file") and,
    for a file that is no candidate photo, why."""
    if entry.name.startswith("."):
        # Hidden folders (.git, thumbnails) are passed over silently, hidden files reported
        # (as prepare reports them).
        return ("hidden folder", None) if entry.is_dir() else ("file",
                                                                photo_problem(entry.name))
    try:
        is_dir = entry.is_dir()  # follows links
        is_file = entry.is_file()
        size = entry.stat().st_size if is_file else None
    except OSError as exc:  # e.g. a link to itself: "too many levels of links"
        return "file", f"unreadable ({exc.strerror})"
    if is_dir:
        return "folder", None
    if not is_file:
        return "file", "broken symbolic link" if entry.is_symlink() else "not a regular file"
    # Name and size only: every photo is decoded next (``check``), which tells more than its
    # first bytes would, so they are not read here.
    problem = photo_problem(entry.name, size)
    return ("photo", None) if problem is None else ("file", problem)
