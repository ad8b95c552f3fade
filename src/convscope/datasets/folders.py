"""Image-folder datasets: ``root/<class>/*.jpg`` photos as train and test parts, streamed.

The course's third study trains on photos of every size that do not fit in memory. An
``ImageFiles`` is one part (train or test) as an array-like: ``files[indices]`` gives uint8
images, read from the cache (``cache``) or decoded (``decoding``) in parallel threads (Pillow
releases the GIL while it decodes and resizes). Memory stays bounded by the batch, whatever the
number of photos. ``load_folder`` lists (``finding``) and checks both parts, or holds out a
seeded validation split (``splitting``), and reports every file it leaves out.
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np

from ..errors import DataError, check_fraction
from ..events import Observer, PhotoSkipped, Progress, Throttled, emit
from .base import Dataset
from .cache import ImageCache, open_cache
from .decoding import decode_image
from .finding import Skipped, find_images
from .splitting import stratified_split

_POOL: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    """Decoding threads, one per core (Pillow decodes and resizes without holding the GIL)."""
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=os.cpu_count() or 2,
                                   thread_name_prefix="convscope-decode")
    return _POOL


@dataclass
class ImageFiles:
    """A list of photos with labels, indexable like an array of uint8 images.

    ``files[i]`` or ``files[indices]`` decodes (or reads from the cache) only those photos.
    ``check()`` decodes them all once, in parallel, and drops those that fail, with reasons.
    """

    root: Path
    paths: list[Path]
    labels: np.ndarray
    class_names: list[str]
    shape: tuple[int, int, int]
    cache: ImageCache | None = None
    skipped: list[Skipped] = field(default_factory=list)
    sizes: dict[int, tuple[int, int]] = field(default_factory=dict)  # index -> original (w, h)
    # Each photo's row in the cache once known (-1: not yet), so that batches of checked
    # photos are read straight from the cache, without a look at the file.
    rows: np.ndarray | None = None

    def __post_init__(self):
        if self.rows is None:
            self.rows = np.full(len(self.paths), -1, dtype=np.int64)
        self._rel = [os.path.relpath(path, self.root) for path in self.paths]

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index):
        if isinstance(index, (int, np.integer)):
            return self._load(int(index))
        picks = np.arange(len(self))[index]
        cached = self.cached(picks)
        if cached is not None:
            return cached
        images = list(_pool().map(self._load, picks.tolist()))
        if not images:
            return np.zeros((0, *self.shape), dtype=np.uint8)
        return np.stack(images)

    def rel(self, i: int) -> str:
        return self._rel[i]

    def cached(self, picks: np.ndarray) -> np.ndarray | None:
        """The photos ``picks`` read from the cache when all of them were checked, else None."""
        rows = self.rows[picks]
        if self.cache is None or len(rows) == 0 or rows.min() < 0:
            return None
        return self.cache.read_rows(rows)

    def prime(self) -> None:
        """Find the cache rows of photos still as they were cached (no decoding)."""
        if self.cache is None:
            return
        for i, path in enumerate(self.paths):
            try:
                info = path.stat()
            except OSError:
                continue
            entry = self.cache.lookup(self.rel(i), info.st_size, info.st_mtime_ns)
            if entry is not None and entry[2] >= 0:
                self.rows[i] = entry[2]
                self.sizes[i] = (entry[3], entry[4])

    def _load(self, i: int) -> np.ndarray:
        image, _ = self._decode(i)
        if image is None:
            raise DataError(f"{self.paths[i]}: could not be read any more "
                            "(changed since it was checked?)")
        return image

    def _decode(self, i: int) -> tuple[np.ndarray | None, str | tuple[int, int]]:
        """(image, original size) or (None, reason); uses and fills the cache."""
        path = self.paths[i]
        try:
            info = path.stat()
        except OSError as exc:
            return None, f"cannot read ({exc.strerror})"
        rel = self.rel(i)
        if self.cache is not None:
            entry = self.cache.lookup(rel, info.st_size, info.st_mtime_ns)
            if entry is not None:
                if entry[2] < 0:
                    return None, entry[3]
                self.rows[i] = entry[2]
                return self.cache.read(entry[2]), (entry[3], entry[4])
        try:
            image, original = decode_image(path, self.shape)
        except DataError as exc:
            reason = str(exc).removeprefix(f"{path}: ")
            if self.cache is not None:
                self.cache.store_failure(rel, info.st_size, info.st_mtime_ns, reason)
            return None, reason
        if self.cache is not None:
            self.rows[i] = self.cache.store(rel, info.st_size, info.st_mtime_ns, image, original)
        return image, original

    def check(self, observer: Observer | None = None,
              description: str = "checking photos") -> ImageFiles:
        """Decode every photo once (into the cache) and keep only those that decode.

        ``observer`` receives ``Progress(description, done, total)`` a few times a second (and
        always the last), and a ``PhotoSkipped`` for each photo that does not decode.
        """
        results = _pool().map(self._decode, range(len(self)))
        total, throttle = len(self), Throttled()
        throttle.due()  # the first Progress, 0 done, is always sent
        emit(observer, Progress(description, 0, total))
        keep = []
        for i, (image, info) in enumerate(results):
            if image is None:
                self.skipped.append(Skipped(str(self.paths[i]), info))
                emit(observer, PhotoSkipped(str(self.paths[i]), info))
            else:
                keep.append(i)
                self.sizes[i] = info
            if observer is not None and throttle.due(final=i + 1 == total):
                observer(Progress(description, i + 1, total))
        if self.cache is not None:
            self.cache.flush()
        sizes = {new: self.sizes[old] for new, old in enumerate(keep)}
        return ImageFiles(self.root, [self.paths[i] for i in keep], self.labels[keep],
                          self.class_names, self.shape, self.cache, self.skipped, sizes,
                          self.rows[keep])

    def subset(self, indices) -> ImageFiles:
        indices = np.asarray(indices, dtype=np.int64)
        return ImageFiles(self.root, [self.paths[i] for i in indices], self.labels[indices],
                          self.class_names, self.shape, self.cache, [],
                          {n: self.sizes[i] for n, i in enumerate(indices) if i in self.sizes},
                          self.rows[indices])

    def counts(self) -> dict[str, int]:
        counts = np.bincount(self.labels, minlength=len(self.class_names))
        return {name: int(n) for name, n in zip(self.class_names, counts, strict=True)}

    def fingerprint(self) -> str:
        """A digest of the file list with sizes and modification times (cheap to recompute)."""
        digest = hashlib.sha256()
        for i, path in enumerate(self.paths):
            info = path.stat()
            digest.update(f"{self.rel(i)}\t{self.labels[i]}\t{info.st_size}\t"
                          f"{info.st_mtime_ns}\n".encode())
        return "listing-sha256:" + digest.hexdigest()

    def read(self, picks: np.ndarray, observer: Observer | None = None,
             strict: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """The photos ``picks`` (uint8) and their labels, from the cache or decoded.

        A photo that fails to decode (it changed since it was checked) is left out and
        reported to ``observer`` as a ``PhotoSkipped``: training never stops for one photo.
        With ``strict`` (test photos, whose labels must stay aligned with the predictions) it
        is a DataError instead.
        """
        cached = self.cached(picks)
        if cached is not None:  # every photo checked and cached: one read each, no decoding
            return cached, self.labels[picks]
        picks = picks.tolist()
        images, labels = [], []
        for i, (image, info) in zip(picks, _pool().map(self._decode, picks), strict=True):
            if image is None and strict:
                raise DataError(f"{self.paths[i]}: {info} (it changed since it was checked)")
            if image is None:
                emit(observer, PhotoSkipped(str(self.paths[i]), info))
                continue
            images.append(image)
            labels.append(self.labels[i])
        return np.stack(images), np.asarray(labels)


class TestBatches(keras.utils.PyDataset):
    """The test photos in order, as scaled batches for ``model.predict`` (one worker, as
    ``batches.EpochBatches``)."""

    def __init__(self, files: ImageFiles, batch_size: int, scale: float):
        super().__init__(workers=1, use_multiprocessing=False)
        self.files, self.batch_size, self.scale = files, batch_size, np.float32(scale)

    def __len__(self) -> int:
        return -(-len(self.files) // self.batch_size)

    def __getitem__(self, step: int):
        picks = np.arange(step * self.batch_size, min(len(self.files),
                                                      (step + 1) * self.batch_size))
        images, labels = self.files.read(picks, strict=True)
        return images.astype(np.float32) * self.scale, labels


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


def image_files(folder: Path, shape, class_names=None, cache: bool = True,
                observer: Observer | None = None) -> ImageFiles:
    """The photos of ``folder/<class>/`` as an ``ImageFiles`` (not yet checked), with a cache.

    ``observer`` receives a ``PhotoSkipped`` for each file the listing sets aside.
    """
    paths, labels, names, skipped = find_images(folder, class_names)
    if class_names is None and len(names) < 2:
        raise DataError(f"{folder}: needs at least two class folders (found "
                        f"{', '.join(names) or 'none'})")
    for item in skipped:
        emit(observer, PhotoSkipped(item.path, item.reason))
    store = open_cache(folder, shape, observer) if cache else None
    return ImageFiles(folder, paths, labels, names, tuple(shape), store, skipped)


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
