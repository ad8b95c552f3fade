"""Image-folder datasets: ``root/<class>/*.jpg`` photos as train and test parts, streamed.

The course's third study trains on photos of every size that do not fit in memory. Each part
is an ``ImageFiles`` (``photo_files``): an array-like that decodes only what is indexed.
``load_folder`` lists and checks both parts, or holds out a seeded validation split
(``splitting``), and reports every file it leaves out; ``load_manifest_parts`` opens exactly
the files a run was trained on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError, check_fraction
from ..events import Observer, PhotoSkipped, emit
from .base import Dataset
from .cache import ImageCache, open_cache
from .finding import Skipped
from .photo_files import ImageFiles, TestBatches, image_files
from .splitting import stratified_split

# -- a dataset of folders ---------------------------------------------------------------------

@dataclass
class FolderDataset(Dataset):
    """Train and test photos from folders: ``x_train``/``x_test`` are ``ImageFiles`` (decoded
    on demand), ``y_train``/``y_test`` their labels."""

    photos = True
    name: str
    train: ImageFiles
    test: ImageFiles
    split: str  # "folders" or "validation-split <fraction>"

    @property
    def x_train(self) -> ImageFiles:
        return self.train

    @property
    def x_test(self) -> ImageFiles:
        return self.test

    @property
    def y_train(self) -> np.ndarray:
        return self.train.labels

    @property
    def y_test(self) -> np.ndarray:
        return self.test.labels

    @property
    def class_names(self) -> list[str]:
        return self.train.class_names

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return self.train.shape

    @property
    def files(self) -> dict[str, str]:
        return {"train": self.train.fingerprint(), "test": self.test.fingerprint()}

    @property
    def skipped(self) -> list[Skipped]:
        return self.train.skipped + self.test.skipped

    def limit(self, n: int | None) -> FolderDataset:
        """Keep ``n`` training photos, drawn at random (fixed draw) so every class is present."""
        if n is None or n >= len(self.train):
            return self
        picks = np.sort(np.random.default_rng(0).permutation(len(self.train))[:n])
        return FolderDataset(self.name, self.train.subset(picks), self.test, self.split)

    def describe(self) -> str:
        h, w, c = self.input_shape
        parts = []
        for part_name, part in (("training", self.train), ("test", self.test)):
            counts = ", ".join(f"{n:,} {name}" for name, n in part.counts().items())
            parts.append(f"{len(part):,} {part_name} photos ({counts})")
        return (f"{self.name}: {' and '.join(parts)}, resized to {h}×{w}×{c}; "
                f"classes: {', '.join(self.class_names)}")

    def test_inputs(self, scale: float, batch_size: int = 256) -> TestBatches:
        """The test photos, in order, as batches read from the cache or decoded."""
        return TestBatches(self.test, batch_size, scale)

    def _read_training(self, picks: np.ndarray, observer=None):
        return self.train.read(picks, observer)

    def test_name(self, i: int) -> str:
        return self.test.paths[i].name

    def record(self, cache: bool) -> dict:
        return {"folder": str(self.train.root), "split": self.split, "cache": cache,
                "files": self.files}

    def manifest(self) -> dict:
        """The files of each part, written to the run directory: train and test are disjoint."""
        return {
            "root": str(self.train.root),
            "test_root": str(self.test.root),
            "split": self.split,
            "class_names": self.class_names,
            "train": [[self.train.rel(i), int(self.train.labels[i])]
                      for i in range(len(self.train))],
            "test": [[self.test.rel(i), int(self.test.labels[i])] for i in range(len(self.test))],
            "skipped": [[s.path, s.reason] for s in self.skipped],
        }

    def close(self) -> None:
        for part in (self.train, self.test):
            if part.cache is not None:
                part.cache.close()


def load_folder(root, shape: tuple[int, int, int], *, validation_split: float | None = None,
                seed: int = 0, cache: bool = True, observer: Observer | None = None,
                name: str | None = None) -> FolderDataset:
    """Photos from ``root/train/<class>`` and ``root/test/<class>`` (the course's layout), or
    from ``root/<class>`` with a seeded, per-class ``validation_split`` held out for testing
    (``splitting.stratified_split``).

    Every photo is decoded once up front (into the cache), so unreadable ones are reported and
    left out before training starts. ``observer`` receives the checks' ``Progress`` and one
    ``PhotoSkipped`` for each file left out, whatever the reason; the dataset's ``skipped``
    lists the same files.
    """
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"{root}: no such folder")
    name = name or root.name
    has_parts = (root / "train").is_dir() and (root / "test").is_dir()
    if has_parts and validation_split is None:
        train = image_files(root / "train", shape, None, cache, observer)
        test = image_files(root / "test", shape, train.class_names, cache, observer)
        split = "folders"
    elif has_parts:
        raise DataError(f"{root}: has its own train/ and test/ folders; leave out "
                        f"`validation_split` (or point at {root / 'train'} to split it)",
                        path=root)
    elif validation_split is None:
        raise DataError(f"{root}: no train/ and test/ folders inside; pass "
                        "`validation_split=0.2` to hold out a fifth of each class for testing",
                        path=root)
    else:
        check_fraction("validation_split", validation_split)
        everything = image_files(root, shape, None, cache, observer)
        everything = everything.check(observer, f"checking {len(everything):,} photos")
        train_idx, test_idx = stratified_split(everything.labels, everything.class_names,
                                               validation_split, seed, root)
        train, test = everything.subset(train_idx), everything.subset(test_idx)
        train.skipped = everything.skipped
        split = f"validation-split {validation_split:g} (seed {seed})"
        return FolderDataset(name, train, test, split)
    train = train.check(observer, f"checking {len(train):,} training photos")
    test = test.check(observer, f"checking {len(test):,} test photos")
    train = _without_test_files(train, test, observer)
    for part, where in ((train, root / "train"), (test, root / "test")):
        if len(part) == 0:
            raise DataError(f"{where}: none of its photos could be read")
    if len(set(train.labels.tolist())) < 2:
        raise DataError(f"{root / 'train'}: photos of at least two classes are needed")
    return FolderDataset(name, train, test, split)


def _without_test_files(train: ImageFiles, test: ImageFiles,
                        observer: Observer | None = None) -> ImageFiles:
    """Drop from training any file that is also a test file (same file through a link)."""
    def identity(path: Path) -> tuple[int, int]:
        info = path.stat()
        return info.st_dev, info.st_ino

    tested = {identity(p): p for p in test.paths}
    keep = []
    for i, path in enumerate(train.paths):
        twin = tested.get(identity(path))
        if twin is None:
            keep.append(i)
        else:
            reason = f"the same file as test photo {twin}: a photo is never in both parts"
            train.skipped.append(Skipped(str(path), reason))
            emit(observer, PhotoSkipped(str(path), reason))
    if len(keep) == len(train):
        return train
    kept = train.subset(keep)
    kept.skipped = train.skipped
    return kept


def load_manifest_parts(manifest: dict, shape, cache: bool = True, root: Path | None = None,
                        observer: Observer | None = None) -> FolderDataset:
    """The exact train and test files a run was trained on (for resume and evaluate).

    ``observer`` hears only of a cache that cannot be used: the files are not checked again.
    """
    train_root = Path(root) if root is not None else Path(manifest["root"])
    test_root = Path(manifest["test_root"])
    if root is not None:
        old = Path(manifest["root"])
        test_root = train_root / os.path.relpath(test_root, old)
    names = list(manifest["class_names"])
    stores: dict[Path, ImageCache | None] = {}  # a validation split's parts share one folder

    def part(where: Path, rows) -> ImageFiles:
        missing = [rel for rel, _ in rows if not (where / rel).is_file()]
        if missing:
            raise DataError(f"{where / missing[0]}: missing ({len(missing)} of the run's "
                            "photos are); pass `data_dir`: the folder it was trained on",
                            path=where / missing[0])
        if where not in stores:
            stores[where] = open_cache(where, shape, observer) if cache else None
        files = ImageFiles(where, [where / rel for rel, _ in rows],
                           np.asarray([label for _, label in rows], dtype=np.int64), names,
                           tuple(shape), stores[where])
        files.prime()
        return files

    return FolderDataset(train_root.name, part(train_root, manifest["train"]),
                         part(test_root, manifest["test"]), manifest["split"])
