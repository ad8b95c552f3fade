"""Where ``prepare`` finds raw photos: Kaggle's Dogs vs. Cats ``train.zip`` (or a folder of its
``cat.N.jpg`` / ``dog.N.jpg``), or a folder with one sub-folder per class.

Each finder lists the candidate photos of each class (``Photo``: a name, how it was found, and
how to copy it) and reports every entry it leaves out, with its reason, through ``skip``:
unsafe zip members (absolute, ``..``, drives), links (never followed), hidden files, and files
that are not photos by name, size or first bytes (``photos.photo_problem``). Nothing is
decoded.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import stat
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from ..errors import DataError
from .photos import HEAD_BYTES, natural_key, photo_problem

_CATSDOGS = re.compile(r"(cat|dog)\.\d+\.[^.]+", re.IGNORECASE)
_CATSDOGS_CLASSES = {"cat": "cats", "dog": "dogs"}
_DRIVE = re.compile(r"[A-Za-z]:")
# Unreadable zip members (damaged, encrypted, unknown compression); OSError is not among them.
ZIP_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError,
                    ValueError)

Skip = Callable[[str, str], None]  # skip(entry, reason): record a skipped entry and report it


@dataclass(frozen=True)
class Photo:
    name: str  # base name, kept in OUT
    entry: str  # as reported: a zip member's name, or a path relative to the source folder
    copy: Callable[[Path], None]  # writes the photo's bytes to the given (new) file


def _catsdogs_class(base: str) -> str | None:
    if not _CATSDOGS.fullmatch(base):
        return None
    return _CATSDOGS_CLASSES[base.split(".", 1)[0].lower()]


def _member_problem(info: zipfile.ZipInfo) -> str | None:
    """Why a zip member is not used (None: a candidate photo). Unsafe names are named so."""
    if stat.S_ISLNK(info.external_attr >> 16):
        return "symbolic link"
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or _DRIVE.match(name):
        return "absolute path"
    parts = posixpath.normpath(name).split("/")
    if parts[0] == "..":
        return "path escapes the output folder"
    if info.is_dir():
        return None  # a plain folder entry; the scan passes over it silently
    if "__MACOSX" in parts:
        return "macOS metadata (__MACOSX), not a photo"
    if any(p.startswith(".") and p not in (".", "..") for p in parts[:-1]):
        return "inside a hidden folder"
    return photo_problem(parts[-1])  # by name only: the naming rule of the class comes next


def scan_catsdogs_zip(archive: zipfile.ZipFile, skip: Skip) -> dict[str, list[Photo]]:
    photos: dict[str, list[Photo]] = {"cats": [], "dogs": []}
    for info in sorted(archive.infolist(), key=lambda i: (natural_key(i.filename), i.filename)):
        entry = info.filename
        problem = _member_problem(info)
        if problem is None and info.is_dir():
            continue  # a plain folder entry: its files are members of their own
        if problem is None:
            base = entry.replace("\\", "/").rsplit("/", 1)[-1]
            cls = _catsdogs_class(base)
            if cls is None:
                problem = "not named cat.<number>.<ext> or dog.<number>.<ext>"
            else:
                try:
                    problem = photo_problem(base, info.file_size,
                                            partial(_member_head, archive, info))
                except ZIP_READ_ERRORS as exc:
                    problem = f"cannot be read from the zip ({exc})"
        if problem is None:
            photos[cls].append(Photo(base, entry, partial(_copy_member, archive, info)))
        else:
            skip(entry, problem)
    return photos


def _member_head(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with archive.open(info) as f:
        return f.read(HEAD_BYTES)


def _copy_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> None:
    with archive.open(info) as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)


def sorted_entries(folder: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as it:
            return sorted(it, key=lambda e: (natural_key(e.name), e.name))
    except OSError as exc:
        raise DataError(f"{folder}: cannot list it ({exc.strerror or exc})") from None


def _file_problem(entry: os.DirEntry) -> str | None:
    """Why a folder entry is not a photo, by its kind and name (None: it may be one)."""
    if entry.is_symlink():
        return "symbolic link (not followed)"
    if entry.is_dir(follow_symlinks=False):
        return "folder (not searched)"
    if not entry.is_file(follow_symlinks=False):
        return "not a regular file"
    return photo_problem(entry.name)


def _file_content_problem(entry: os.DirEntry) -> str | None:
    """Why a regular file is not a photo, by its name, size and first bytes (None: it is one)."""
    def head() -> bytes:
        with open(entry.path, "rb") as f:
            return f.read(HEAD_BYTES)

    try:
        return photo_problem(entry.name, entry.stat(follow_symlinks=False).st_size, head)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"


def _folder_photo(entry: os.DirEntry, rel: str) -> Photo:
    return Photo(entry.name, rel, partial(shutil.copyfile, entry.path))


def scan_catsdogs_folder(source: Path, skip: Skip) -> dict[str, list[Photo]]:
    """Photos at the top of ``source`` and in its ``train/`` sub-folder (nothing deeper)."""
    photos: dict[str, list[Photo]] = {"cats": [], "dogs": []}

    def consider(entry: os.DirEntry, rel: str) -> None:
        problem = _file_problem(entry)
        if problem == "folder (not searched)":
            problem = "folder (only the source folder and its train/ are searched)"
        cls = None
        if problem is None:
            cls = _catsdogs_class(entry.name)
            problem = ("not named cat.<number>.<ext> or dog.<number>.<ext>" if cls is None
                       else _file_content_problem(entry))
        if problem is None:
            photos[cls].append(_folder_photo(entry, rel))
        else:
            skip(rel, problem)

    train_folders = []
    for entry in sorted_entries(source):
        if entry.name.lower() == "train" and entry.is_dir(follow_symlinks=False):
            train_folders.append(entry)  # not a symbolic link: is_dir would not follow it
        else:
            consider(entry, entry.name)
    for folder in train_folders:
        for entry in sorted_entries(Path(folder.path)):
            consider(entry, f"{folder.name}/{entry.name}")
    return photos


def scan_class_folders(source: Path, skip: Skip) -> dict[str, list[Photo]]:
    """``{class: photos}`` from ``source/<class>/*``; a folder with no photos is no class."""
    photos: dict[str, list[Photo]] = {}
    for top in sorted_entries(source):
        if top.is_symlink():
            skip(top.name, "symbolic link (not followed)")
        elif not top.is_dir(follow_symlinks=False):
            skip(top.name, "hidden file" if top.name.startswith(".") else "not in a class folder")
        elif top.name.startswith("."):
            skip(top.name + "/", "hidden folder")
        else:
            found = []
            for entry in sorted_entries(Path(top.path)):
                rel = f"{top.name}/{entry.name}"
                problem = _file_problem(entry) or _file_content_problem(entry)
                if problem is None:
                    found.append(_folder_photo(entry, rel))
                else:
                    skip(rel, problem)
            if found:
                photos[top.name] = found
            else:
                skip(top.name + "/", "no photos in it, so not a class")
    return photos
