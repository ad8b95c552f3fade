"""Image-folder datasets: ``root/<class>/*.jpg``, checked, decoded in parallel, cached, streamed.

The course's third study trains on photos of every size that do not fit in memory. Here:

- ``find_images`` lists the photos (class = folder name, sorted naturally so ``2`` comes before
  ``10``) and sets aside what cannot be one (hidden files, other extensions, empty files, broken
  links, link loops), each with its reason;
- ``decode_image`` turns one file into a fixed-size uint8 array, shrinking large JPEGs while
  decoding (Pillow's draft mode: the DCT is scaled by 1/2, 1/4 or 1/8 before any pixel exists);
- ``ImageCache`` keeps decoded, resized images in one file in the user cache, one row per
  photo, keyed by path, size, modification time and target shape, so later epochs (and later
  runs) read 12 KB per photo instead of decoding a JPEG;
- ``ImageFiles`` is one part (train or test) as an array-like: ``files[indices]`` gives uint8
  images, read from the cache or decoded in parallel threads (Pillow releases the GIL while
  it decodes and resizes). Memory stays bounded by the batch, whatever the number of photos.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import sys
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np
from PIL import Image, ImageOps

from ..errors import DataError
from ._files import cache_dir
from .images import IMAGE_EXTENSIONS, fit_photo, natural_key, pillow_errors, to_rgb

# Pillow warns (and above twice this, refuses) for images of more pixels than this: a small
# file can expand to gigabytes (a "decompression bomb"). We refuse them all with a clear reason
# instead, so the warning itself is only noise.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
# Draft mode decodes at the smallest DCT scale (1/2, 1/4, 1/8) that still covers this many
# times the target's side; the final resize does the rest. Measured on 100 shared photos at
# 64×64: 1 gives images within 2.3 grey levels (mean absolute difference) of a full-size decode,
# 2 within 0.9 — invisible both — and 1 decodes fastest.
DRAFT_MARGIN = 1
# Everything that decides a cached photo's pixels besides the file and the target shape: a
# change here must not reuse rows decoded the old way.
DECODER = f"v2-draft{DRAFT_MARGIN}-crop-bicubic"


@dataclass(frozen=True)
class Skipped:
    """A file that is not used, and why (shown by ``convscope scan`` and during training)."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


# -- finding the photos ----------------------------------------------------------------------

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
            if entry.name.startswith("."):
                if not entry.is_dir():
                    skipped.append(Skipped(str(path), "hidden file"))
                continue
            try:
                is_dir = entry.is_dir()  # follows links
                is_file = entry.is_file()
            except OSError as exc:  # e.g. a link to itself: "too many levels of links"
                skipped.append(Skipped(str(path), f"unreadable ({exc.strerror})"))
                continue
            if is_dir:
                visit(path)
            elif not is_file:
                reason = ("broken symbolic link" if entry.is_symlink()
                          else "not a regular file")
                skipped.append(Skipped(str(path), reason))
            elif path.suffix.lower() not in IMAGE_EXTENSIONS:
                skipped.append(Skipped(str(path), f"not an image file extension "
                                                  f"({path.suffix or 'none'})"))
            elif entry.stat().st_size == 0:
                skipped.append(Skipped(str(path), "empty file (0 bytes)"))
            else:
                out.append(path)

    visit(folder)
    return out


# -- decoding one photo ----------------------------------------------------------------------

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


# -- the cache of decoded photos -------------------------------------------------------------

class ImageCache:
    """Decoded, resized photos of one folder, in the user cache: one fixed-size row per photo.

    ``pixels.u8`` holds the rows; ``index.json`` maps each photo's path (relative to the
    folder) to ``[size, mtime_ns, row, width, height]``, or ``[size, mtime_ns, -1, reason]``
    for a file that could not be decoded. A photo whose size or modification time changed is
    decoded again into a new row. Rows are read with ``pread`` (no memory map), so the process
    holds only the rows of the current batch.

    Rows are only ever appended, never rewritten, so an index entry stays true forever: several
    processes can share a cache. Appending a row and merging the index take a short lock.
    """

    def __init__(self, root: Path, shape: tuple[int, int, int], folder: Path | None = None):
        self.root, self.shape = Path(root).resolve(), tuple(shape)
        self.row_bytes = int(np.prod(self.shape))
        key = hashlib.sha256(f"{self.root}|{self.shape}|{DECODER}".encode()).hexdigest()
        self.folder = folder or cache_dir() / "images" / f"{self.root.name}-{key[:16]}"
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = open(self.folder / "lock", "a")  # noqa: SIM115 - closed by close()
        self._fd = os.open(self.folder / "pixels.u8", os.O_RDWR | os.O_CREAT, 0o644)
        self._mutex = threading.Lock()
        self._new: dict[str, list] = {}  # entries not yet in index.json
        with self._locked():
            self.index = self._read_index()

    @contextlib.contextmanager
    def _locked(self):
        """Exclusive use of the cache files, across threads and processes, for a moment."""
        with self._mutex:
            fcntl.flock(self._lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._lock, fcntl.LOCK_UN)

    def _read_index(self) -> dict[str, list]:
        try:
            data = json.loads((self.folder / "index.json").read_text(encoding="utf-8"))
            if data.get("decoder") == DECODER and tuple(data["shape"]) == self.shape:
                return data["entries"]
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return {}

    def lookup(self, rel: str, size: int, mtime_ns: int):
        """The cached entry of a photo if it is still current, else None."""
        entry = self._new.get(rel) or self.index.get(rel)
        if entry is not None and entry[0] == size and entry[1] == mtime_ns:
            return entry
        return None

    def read(self, row: int) -> np.ndarray:
        return np.frombuffer(self._pread(row), dtype=np.uint8).reshape(self.shape)

    def read_rows(self, rows: np.ndarray) -> np.ndarray:
        """Several rows at once (a batch), in the given order."""
        out = np.empty((len(rows), *self.shape), dtype=np.uint8)
        flat = out.reshape(len(rows), -1)
        for k, row in enumerate(rows.tolist()):
            flat[k] = np.frombuffer(self._pread(row), dtype=np.uint8)
        return out

    def _pread(self, row: int) -> bytes:
        data = os.pread(self._fd, self.row_bytes, row * self.row_bytes)
        if len(data) != self.row_bytes:
            raise DataError(f"{self.folder}: the image cache is damaged; delete this folder")
        return data

    def store(self, rel: str, size: int, mtime_ns: int, image: np.ndarray,
              original: tuple[int, int]) -> int:
        """Append a decoded photo; returns its row."""
        data = np.ascontiguousarray(image).tobytes()
        with self._locked():
            row = -(-os.fstat(self._fd).st_size // self.row_bytes)  # append after the last row
            os.pwrite(self._fd, data, row * self.row_bytes)
            self._new[rel] = [size, mtime_ns, row, *original]
        return row

    def store_failure(self, rel: str, size: int, mtime_ns: int, reason: str) -> None:
        with self._mutex:
            self._new[rel] = [size, mtime_ns, -1, reason]

    def flush(self) -> None:
        """Merge our new entries into index.json (after the rows they point to), atomically."""
        from .._io import write_text

        if not self._new:
            return
        os.fsync(self._fd)
        with self._locked():
            self.index = {**self._read_index(), **self._new}
            self._new = {}
            write_text(self.folder / "index.json", json.dumps({
                "decoder": DECODER, "shape": list(self.shape), "root": str(self.root),
                "entries": self.index}))

    def close(self) -> None:
        if self._fd is not None:
            self.flush()
            os.close(self._fd)
            self._lock.close()
            self._fd = None

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown; the next run decodes again
            pass


def open_cache(root: Path, shape) -> ImageCache | None:
    """The cache for ``root`` at ``shape``, or None (with a note) when it cannot be used."""
    try:
        return ImageCache(root, shape)
    except OSError as exc:
        print(f"note: decoding {root} without the image cache ({exc.strerror or exc})",
              file=sys.stderr)
        return None


# -- one part (train or test) as an array-like -----------------------------------------------

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

    def check(self, progress: bool = False, description: str = "checking photos") -> ImageFiles:
        """Decode every photo once (into the cache) and keep only those that decode."""
        from rich.progress import track

        results = _pool().map(self._decode, range(len(self)))
        console = _stderr_console()
        shown = progress and console.is_terminal  # a bar in a log file is only a blank line
        keep = []
        for i, (image, info) in enumerate(track(results, total=len(self), disable=not shown,
                                                description=description, transient=True,
                                                console=console)):
            if image is None:
                self.skipped.append(Skipped(str(self.paths[i]), info))
            else:
                keep.append(i)
                self.sizes[i] = info
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

    def batches(self, order: np.ndarray, batch_size: int, scale: float, **kwargs):
        """A Keras ``PyDataset`` of (scaled images, labels) in ``order``."""
        return PhotoBatches(self, order, batch_size, scale, **kwargs)


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


class PhotoBatches(keras.utils.PyDataset):
    """Training batches of an ``ImageFiles`` in a given order.

    Checked photos are read from the cache (a batch of 32 in about 0.3 ms); others are decoded
    by the decoding threads. One Keras worker: ``fit`` then runs this generator ahead of the
    training steps in tf.data's prefetch thread, while Keras's own thread pool (``workers>1``)
    measured 7× slower on cached batches (15,000 vs 110,000 photos/s, 64×64).

    A photo that fails to decode (it changed since it was checked) is left out of its batch with
    a one-line warning: training never stops for one photo.
    """

    def __init__(self, files: ImageFiles, order: np.ndarray, batch_size: int, scale: float,
                 augment=None, strict: bool = False):
        super().__init__(workers=1, use_multiprocessing=False)
        self.files, self.order, self.batch_size = files, np.asarray(order), batch_size
        self.scale = np.float32(scale)
        self.augment, self.strict = augment, strict

    def __len__(self) -> int:
        return -(-len(self.order) // self.batch_size)

    def __getitem__(self, step: int):
        picks = self.order[step * self.batch_size:(step + 1) * self.batch_size]
        cached = self.files.cached(picks)
        if cached is not None:  # every photo checked and cached: one read each, no decoding
            return self._finish(cached, self.files.labels[picks], step)
        picks = picks.tolist()
        results = list(_pool().map(self.files._decode, picks))
        images, labels = [], []
        for i, (image, info) in zip(picks, results, strict=True):
            if image is None and self.strict:  # labels must stay aligned with predictions
                raise DataError(f"{self.files.paths[i]}: {info} (it changed since it was checked)")
            if image is None:
                print(f"warning: skipping {self.files.paths[i]}: {info}", file=sys.stderr)
                continue
            images.append(image)
            labels.append(self.files.labels[i])
        return self._finish(np.stack(images), np.asarray(labels), step)

    def _finish(self, images: np.ndarray, labels: np.ndarray, step: int):
        x = images.astype(np.float32) * self.scale
        if self.augment is not None:
            x = self.augment(x, step)
        return x, labels


# -- a dataset of folders ---------------------------------------------------------------------

@dataclass
class FolderDataset:
    """Train and test photos from folders, with the shape of ``ArrayDataset`` where it matters.

    ``x_train``/``x_test`` are ``ImageFiles`` (decoded on demand), ``y_train``/``y_test``
    their labels.
    """

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
    def num_classes(self) -> int:
        return len(self.class_names)

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

    def test_inputs(self, scale: float, batch_size: int = 256) -> PhotoBatches:
        """The test photos, in order, as batches read from the cache or decoded."""
        return self.test.batches(np.arange(len(self.test)), batch_size, scale, strict=True)

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
                seed: int = 0, cache: bool = True, progress: bool = False,
                name: str | None = None) -> FolderDataset:
    """Photos from ``root/train/<class>`` and ``root/test/<class>`` (the course's layout), or
    from ``root/<class>`` with a seeded, per-class ``validation_split`` held out for testing.

    Every photo is decoded once up front (into the cache), so unreadable ones are reported and
    left out before training starts.
    """
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"{root}: no such folder")
    name = name or root.name
    has_parts = (root / "train").is_dir() and (root / "test").is_dir()
    if has_parts and validation_split is None:
        train = image_files(root / "train", shape, None, cache)
        test = image_files(root / "test", shape, train.class_names, cache)
        split = "folders"
    elif has_parts:
        raise DataError(f"{root}: has its own train/ and test/ folders; drop --validation-split "
                        f"(or point at {root / 'train'} to split it)")
    elif validation_split is None:
        raise DataError(f"{root}: no train/ and test/ folders inside; pass --validation-split "
                        "0.2 to hold out a fifth of each class for testing")
    else:
        if not 0 < validation_split < 1:
            raise DataError(f"--validation-split must be between 0 and 1; got {validation_split}")
        everything = image_files(root, shape, None, cache)
        everything = everything.check(progress, f"checking {len(everything):,} photos")
        train_idx, test_idx = split_indices(everything.labels, validation_split, seed,
                                            everything.class_names, root)
        train, test = everything.subset(train_idx), everything.subset(test_idx)
        train.skipped = everything.skipped
        split = f"validation-split {validation_split:g} (seed {seed})"
        return FolderDataset(name, train, test, split)
    train = train.check(progress, f"checking {len(train):,} training photos")
    test = test.check(progress, f"checking {len(test):,} test photos")
    train = _without_test_files(train, test)
    for part, where in ((train, root / "train"), (test, root / "test")):
        if len(part) == 0:
            raise DataError(f"{where}: none of its photos could be read")
    if len(set(train.labels.tolist())) < 2:
        raise DataError(f"{root / 'train'}: photos of at least two classes are needed")
    return FolderDataset(name, train, test, split)


def _without_test_files(train: ImageFiles, test: ImageFiles) -> ImageFiles:
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
            train.skipped.append(Skipped(str(path), f"the same file as test photo {twin}: a "
                                                    "photo is never in both parts"))
    if len(keep) == len(train):
        return train
    kept = train.subset(keep)
    kept.skipped = train.skipped
    return kept


def image_files(folder: Path, shape, class_names=None, cache: bool = True) -> ImageFiles:
    """The photos of ``folder/<class>/`` as an ``ImageFiles`` (not yet checked), with a cache."""
    paths, labels, names, skipped = find_images(folder, class_names)
    if class_names is None and len(names) < 2:
        raise DataError(f"{folder}: needs at least two class folders (found "
                        f"{', '.join(names) or 'none'})")
    store = open_cache(folder, shape) if cache else None
    return ImageFiles(folder, paths, labels, names, tuple(shape), store, skipped)


def split_indices(labels: np.ndarray, fraction: float, seed: int, class_names: list[str],
                  where: Path) -> tuple[np.ndarray, np.ndarray]:
    """A seeded per-class split: ``fraction`` of each class (at least one photo) held out."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for label, name in enumerate(class_names):
        members = np.flatnonzero(labels == label)
        if len(members) < 2:
            raise DataError(f"{where}: class {name!r} has {len(members)} readable photo(s); at "
                            "least 2 are needed to hold some out for testing")
        members = rng.permutation(members)
        n_test = min(len(members) - 1, max(1, round(len(members) * fraction)))
        test.extend(members[:n_test])
        train.extend(members[n_test:])
    return np.sort(np.asarray(train)), np.sort(np.asarray(test))


def load_manifest_parts(manifest: dict, shape, cache: bool = True,
                        root: Path | None = None) -> FolderDataset:
    """The exact train and test files a run was trained on (for resume and evaluate)."""
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
                            "photos are); pass --data-dir to the folder it was trained on")
        if where not in stores:
            stores[where] = open_cache(where, shape) if cache else None
        files = ImageFiles(where, [where / rel for rel, _ in rows],
                           np.asarray([label for _, label in rows], dtype=np.int64), names,
                           tuple(shape), stores[where])
        files.prime()
        return files

    return FolderDataset(train_root.name, part(train_root, manifest["train"]),
                         part(test_root, manifest["test"]), manifest["split"])


@dataclass
class ScanReport:
    """What ``convscope scan`` found: the readable photos of each part, and what was skipped."""

    root: Path
    parts: dict[str, ImageFiles]

    @property
    def skipped(self) -> list[Skipped]:
        return [s for part in self.parts.values() for s in part.skipped]

    def rows(self) -> list[dict]:
        """Per part and class: count and the photos' original width and height statistics."""
        rows = []
        for part_name, part in self.parts.items():
            for label, name in enumerate(part.class_names):
                members = np.flatnonzero(part.labels == label)
                sizes = np.array([part.sizes[i] for i in members]).reshape(-1, 2)
                row = {"part": part_name, "class": name, "photos": int(len(members))}
                for axis, key in ((0, "width"), (1, "height")):
                    values = sizes[:, axis] if len(sizes) else np.zeros(1, dtype=int)
                    row[key] = {"min": int(values.min()), "median": int(np.median(values)),
                                "max": int(values.max())}
                rows.append(row)
        return rows


def scan_folder(root, shape: tuple[int, int, int] = (64, 64, 3), *, cache: bool = True,
                progress: bool = False) -> ScanReport:
    """Check every photo under ``root`` (course layout or ``root/<class>``) by decoding it.

    Decoded photos go to the cache at ``shape``, so a training run at that size starts warm.
    """
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"{root}: no such folder")
    if (root / "train").is_dir() and (root / "test").is_dir():
        train = image_files(root / "train", shape, None, cache)
        test = image_files(root / "test", shape, train.class_names, cache)
        parts = {"train": train, "test": test}
    else:
        parts = {"all": image_files(root, shape, None, cache)}
    try:
        checked = {name: part.check(progress, f"checking {len(part):,} {name} photos")
                   for name, part in parts.items()}
    finally:
        for part in parts.values():
            if part.cache is not None:
                part.cache.close()
    return ScanReport(root, checked)
