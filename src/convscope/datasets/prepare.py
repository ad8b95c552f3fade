"""Train/test image folders from raw photos: Kaggle's Dogs vs. Cats, or any folder per class.

Both functions copy a seeded, per-class (stratified) share of the photos into
``OUT/train/<class>/`` and ``OUT/test/<class>/`` and record the split in ``OUT/split.json``, so
that which photo went where can be checked and the split made again.

They only read the source (photos are copied, never moved or deleted) and only write inside
OUT, always to ``OUT/<part>/<class>/<base name>``: a zip member named ``../x.jpg`` or
``/etc/x.jpg`` could not land anywhere else, but it is refused and reported all the same, as are
symbolic links (never followed), hidden files and anything that is not a photo. Photos are
recognised by their name, size and first bytes (``photos.photo_problem``, the rule image folders
use too), not decoded, so 25,000 of them take seconds.

The split (``splitting.stratified_split``, the one ``load_folder``'s validation split uses)
depends only on the seed and the photos' names (naturally sorted), not on the order of a zip's
members or of a folder listing. Progress and every skipped entry are sent to an ``observer``
as events.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .._io import _temp_beside, write_json
from ..errors import ConvscopeError, DataError, check_fraction, check_int
from ..events import Observer, PhotoSkipped, Progress, Throttled, emit
from .photos import IMAGE_EXTENSIONS, natural_key
from .sources import (
    ZIP_READ_ERRORS,
    Photo,
    Skip,
    scan_catsdogs_folder,
    scan_catsdogs_zip,
    scan_class_folders,
    sorted_entries,
)
from .splitting import stratified_split

PARTS = ("train", "test")
MANIFEST = "split.json"
DEFAULT_TEST_FRACTION = 0.2
COPYING = "copying photos"  # the task of the Progress events
COURSE_PER_CLASS = 12_500  # the course's 10,000 train + 2,500 test photos of each class



@dataclass
class PrepareReport:
    """What a split wrote, and what it skipped and why (the CLI prints ``describe()``).

    ``counts`` is ``{part: {class: number of photos}}``; ``skipped`` lists ``(entry, reason)``
    with entry a zip member's name or a path relative to the source folder; ``leftovers`` are
    files and folders under ``OUT/train`` and ``OUT/test`` that were there before (``force``)
    and are not part of this split.
    """

    out: Path
    counts: dict[str, dict[str, int]]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)

    @property
    def manifest(self) -> Path:
        return self.out / MANIFEST

    def describe(self, limit: int = 20) -> str:
        """A short summary: photos per part and class, then each skipped entry (up to ``limit``)."""
        width = max((len(part) for part in self.counts), default=4) + 1
        lines = [f"Wrote {self.out} (split recorded in {MANIFEST})"]
        for part, classes in self.counts.items():
            each = ", ".join(f"{name} {n:,}" for name, n in classes.items())
            lines.append(f"  {part + ':':<{width}} {each} (total {sum(classes.values()):,})")
        if self.skipped:
            s = "y" if len(self.skipped) == 1 else "ies"
            lines.append(f"Skipped {len(self.skipped):,} entr{s}:")
            lines += [f"  {entry}: {reason}" for entry, reason in self.skipped[:limit]]
            if len(self.skipped) > limit:
                lines.append(f"  ... and {len(self.skipped) - limit:,} more (all listed in "
                             f"{MANIFEST})")
        else:
            lines.append("Skipped nothing.")
        if self.leftovers:
            shown = ", ".join(self.leftovers[:5]) + (", ..." if len(self.leftovers) > 5 else "")
            n = len(self.leftovers)
            lines.append(f"Warning: {n:,} entr{'y' if n == 1 else 'ies'} under train/ and test/ "
                         f"{'was' if n == 1 else 'were'} there before and not part of this split "
                         f"({shown}); delete "
                         f"{self.out} and run again for a clean split.")
        return "\n".join(lines)


def prepare_catsdogs(source, out, *, test_fraction: float | None = None,
                     per_class: int | None = None, seed: int = 0, force: bool = False,
                     observer: Observer | None = None) -> PrepareReport:
    """Split Kaggle's Dogs vs. Cats photos into ``OUT/{train,test}/{cats,dogs}``.

    ``source`` is Kaggle's ``train.zip`` (members ``train/cat.123.jpg``, ``train/dog.45.jpg``;
    the class is the name's prefix) or a folder of those photos, searched at its top level and
    in its ``train/`` sub-folder. By default this is the course's split: at most 12,500 photos
    of each class, a fifth of them for testing (10,000 + 2,500 from the full set).
    ``test_fraction`` changes the fifth; ``per_class=N`` uses exactly N photos of each class.
    ``observer`` receives ``Progress("copying photos", done, total)`` as photos are copied and
    a ``PhotoSkipped`` for each skipped entry (also listed in the report).
    """
    fraction, per_class, seed = _checked("prepare_catsdogs", test_fraction, per_class, seed)
    source, out = _check_paths(source, out, force)
    skipped: list[tuple[str, str]] = []
    skip = _skipper(skipped, observer)
    limit = COURSE_PER_CLASS if per_class is None else per_class
    settings = dict(kind="catsdogs", test_fraction=fraction, per_class=per_class,
                    limit=limit, seed=seed, observer=observer)
    if source.is_dir():
        photos = scan_catsdogs_folder(source, skip)
        _require_photos(photos, source, "in the folder and its train/ sub-folder")
        return _split(photos, source, out, skipped, skip, **settings)
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise DataError(f"{source}: not a zip file, or a damaged one ({exc}); expected Kaggle's "
                        f"Dogs vs. Cats train.zip or a folder of its photos") from None
    except OSError as exc:
        raise DataError(f"{source}: cannot read it ({exc.strerror or exc})") from None
    with archive:
        photos = scan_catsdogs_zip(archive, skip)
        _require_photos(photos, source, "in the zip")
        return _split(photos, source, out, skipped, skip, **settings)


def split_folder(source_dir, out, *, test_fraction: float = DEFAULT_TEST_FRACTION,
                 per_class: int | None = None, seed: int = 0, force: bool = False,
                 observer: Observer | None = None) -> PrepareReport:
    """Split a folder-per-class set ``SOURCE/<class>/*.jpg`` into ``OUT/{train,test}/<class>``.

    Each class is split on its own (stratified): ``test_fraction`` of its photos for testing,
    the rest for training; ``per_class=N`` uses exactly N photos of each class. Hidden entries,
    non-images, sub-sub-folders and symbolic links are skipped and reported; a folder with no
    photos is not taken as a class. ``observer`` receives the events ``prepare_catsdogs`` sends.
    """
    fraction, per_class, seed = _checked("split_folder", test_fraction, per_class, seed)
    source, out = _check_paths(source_dir, out, force)
    if not source.is_dir():
        raise DataError(f"{source}: not a folder; expected one sub-folder of photos per class")
    skipped: list[tuple[str, str]] = []
    skip = _skipper(skipped, observer)
    photos = scan_class_folders(source, skip)
    if not photos:
        raise DataError(f"{source}: no class folders with photos found (looked for "
                        f"<class>/*{{{','.join(sorted(IMAGE_EXTENSIONS))}}})")
    return _split(photos, source, out, skipped, skip, kind="folder", test_fraction=fraction,
                  per_class=per_class, limit=per_class, seed=seed, observer=observer)


# --- checks -----------------------------------------------------------------------------------

def _checked(where: str, test_fraction, per_class, seed) -> tuple[float, int | None, int]:
    """The split's choices checked, with scikit-learn's error shape."""
    fraction = DEFAULT_TEST_FRACTION if test_fraction is None else check_fraction(
        "test_fraction", test_fraction, where)
    per_class = None if per_class is None else check_int("per_class", per_class, 2, where)
    return fraction, per_class, check_int("seed", seed, 0, where)


def _check_paths(source, out, force: bool) -> tuple[Path, Path]:
    """The source exists; OUT is not inside it, holds no part of it, and is empty unless forced."""
    source, out = Path(source), Path(out)
    if not source.exists():
        raise DataError(f"{source}: no such file or folder")
    src, dst = source.resolve(), out.resolve()
    if source.is_dir() and (dst == src or src in dst.parents):
        raise ConvscopeError(f"{out}: is inside the source folder {source}; choose an `out` "
                             f"outside it")
    for part in PARTS:
        if src == dst / part or (dst / part) in src.parents:
            raise ConvscopeError(f"{source}: is inside {out / part}, where the split is written; "
                                 f"choose another `out`")
    if out.exists() or out.is_symlink():
        if not out.is_dir():
            raise ConvscopeError(f"{out}: exists and is not a folder; choose another `out`")
        if not force and any(out.iterdir()):
            raise ConvscopeError(f"{out}: already exists and is not empty; pass `force=True` to "
                                 f"write into it (files of the same name are overwritten) or "
                                 f"choose another `out`")
    return source, out


def _require_photos(photos: dict[str, list[Photo]], source: Path, where: str) -> None:
    if not any(photos.values()):
        raise DataError(f"{source}: no Dogs vs. Cats photos found {where} (looked for "
                        f"cat.<number>.jpg and dog.<number>.jpg; also .jpeg, .png, .bmp, .gif, "
                        f".webp)")


def _skipper(skipped: list[tuple[str, str]], observer: Observer | None) -> Skip:
    """Record each skipped entry in ``skipped`` (for the report) and send it to ``observer``."""
    def skip(entry: str, reason: str) -> None:
        skipped.append((entry, reason))
        emit(observer, PhotoSkipped(entry, reason))

    return skip


# --- splitting and writing --------------------------------------------------------------------

def _dedupe(photos: list[Photo], skip: Skip) -> list[Photo]:
    """One photo per output name (case-insensitively: some file systems ignore case), in
    natural order of the names."""
    kept: dict[str, Photo] = {}
    for photo in sorted(photos, key=lambda p: (natural_key(p.name), p.name, p.entry)):
        first = kept.setdefault(photo.name.lower(), photo)
        if first is not photo:
            skip(photo.entry, f"same file name as {first.entry} (kept that one)")
    return list(kept.values())


def _plan(photos: dict[str, list[Photo]], source: Path, fraction: float, per_class: int | None,
          limit: int | None, seed: int) -> dict[str, dict[str, list[Photo]]]:
    """``{part: {class: photos}}``: the stratified split of each class's naturally sorted photos."""
    classes = sorted(photos, key=natural_key)
    if per_class is not None:
        for cls in classes:
            if len(photos[cls]) < per_class:
                raise DataError(f"{source}: only {len(photos[cls]):,} photos of class {cls!r}, "
                                f"fewer than the `per_class` {per_class:,} asked for")
    flat = [photo for cls in classes for photo in photos[cls]]
    labels = np.repeat(np.arange(len(classes)), [len(photos[cls]) for cls in classes])
    train, test = stratified_split(labels, classes, fraction, seed, source, limit)
    plan: dict[str, dict[str, list[Photo]]] = {part: {} for part in PARTS}
    for part, picked in (("train", train), ("test", test)):
        for label, cls in enumerate(classes):
            # sorted indices keep each class's photos in natural order (see _dedupe)
            plan[part][cls] = [flat[i] for i in picked[labels[picked] == label]]
    return plan


def _folder_in(out: Path, *names: str) -> Path:
    """``out/<names...>``, created; never through a symbolic link left in an existing OUT."""
    folder = out
    for name in names:
        folder = folder / name
        if folder.is_symlink():
            raise ConvscopeError(f"{folder}: is a symbolic link; refusing to write through it "
                                 f"(choose another `out`)")
        try:
            folder.mkdir(exist_ok=True)
        except FileExistsError:
            raise ConvscopeError(f"{folder}: exists and is not a folder; choose another "
                                 f"`out`") from None
        except OSError as exc:
            raise ConvscopeError(f"{folder}: cannot create it ({exc.strerror or exc})") from None
    return folder


def _copy_photo(photo: Photo, target: Path) -> str | None:
    """Copy atomically (no half-written photo, and a symbolic link at ``target`` is replaced,
    not written through). Returns why a zip member could not be read, or None."""
    try:
        tmp = _temp_beside(target, target.suffix)
    except OSError as exc:
        raise ConvscopeError(f"{target.parent}: cannot write in it ({exc.strerror or exc})") \
            from None
    try:
        photo.copy(tmp)
        os.replace(tmp, target)
    except ZIP_READ_ERRORS as exc:
        return f"damaged in the zip ({exc})"
    except OSError as exc:
        raise ConvscopeError(f"cannot copy {photo.entry} to {target} "
                             f"({exc.strerror or exc})") from None
    finally:
        tmp.unlink(missing_ok=True)
    return None


def _leftovers(out: Path, written: dict[str, dict[str, list[str]]]) -> list[str]:
    """Entries under OUT/train and OUT/test that this split did not write."""
    found = []
    for part, classes in written.items():
        for top in sorted_entries(out / part):
            if top.name not in classes:
                found.append(f"{part}/{top.name}")
                continue
            ours = set(classes[top.name])
            found += [f"{part}/{top.name}/{e.name}" for e in sorted_entries(Path(top.path))
                      if e.name not in ours]
    return found


def _split(photos: dict[str, list[Photo]], source: Path, out: Path, skipped, skip: Skip, *,
           kind: str, test_fraction: float, per_class: int | None, limit: int | None, seed: int,
           observer: Observer | None) -> PrepareReport:
    photos = {cls: _dedupe(items, skip) for cls, items in photos.items()}
    plan = _plan(photos, source, test_fraction, per_class, limit, seed)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConvscopeError(f"{out}: cannot create it ({exc.strerror or exc})") from None
    total = sum(len(items) for classes in plan.values() for items in classes.values())
    done, throttle = 0, Throttled()
    throttle.due()  # the first Progress, 0 done, is always sent
    emit(observer, Progress(COPYING, done, total))
    written: dict[str, dict[str, list[str]]] = {part: {} for part in PARTS}
    for part, classes in plan.items():
        for cls, items in classes.items():
            folder = _folder_in(out, part, cls)
            names = written[part][cls] = []
            for photo in items:
                problem = _copy_photo(photo, folder / photo.name)
                if problem is None:
                    names.append(photo.name)
                else:
                    skip(photo.entry, problem)
                done += 1
                if observer is not None and throttle.due(final=done == total):
                    observer(Progress(COPYING, done, total))
    counts = {part: {cls: len(names) for cls, names in classes.items()}
              for part, classes in written.items()}
    report = PrepareReport(out, counts, skipped, _leftovers(out, written))
    _write_manifest(report, written, source, kind, test_fraction, limit, seed)
    return report


def _write_manifest(report: PrepareReport, written, source: Path, kind: str,
                    test_fraction: float, limit: int | None, seed: int) -> None:
    manifest = {
        "kind": kind,
        "source": str(source.resolve()),
        "seed": seed,
        "test_fraction": test_fraction,
        "per_class_limit": limit,
        "counts": report.counts,
        "files": written,
        "skipped": [{"entry": entry, "reason": reason} for entry, reason in report.skipped],
        "leftovers": report.leftovers,
    }
    try:
        write_json(report.manifest, manifest)
    except OSError as exc:
        raise ConvscopeError(f"{report.manifest}: cannot write it ({exc.strerror or exc})") \
            from None


__all__ = ["PrepareReport", "prepare_catsdogs", "split_folder"]
