"""The photos of one folder (one part: train or test) as an array of uint8 images, decoded
only where indexed: from the cache of decoded photos (``cache``), or by Pillow (``decoding``)
in parallel threads, which release the GIL while they decode and resize. Memory stays bounded
by the batch, whatever the number of photos. ``image_files`` lists a folder (``finding``) and
opens its cache; ``ImageFiles.check`` decodes every photo once and sets aside those that fail,
with their reasons.
"""


from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np

from ..errors import DataError
from ..events import Observer, PhotoSkipped, Progress, Throttled, emit
from .cache import ImageCache, open_cache
from .decoding import decode_image
from .finding import Skipped, find_images

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
