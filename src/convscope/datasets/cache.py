"""The cache of decoded photos: one file of fixed-size rows per folder and shape, in the user cache.

Decoded, resized photos are kept one row per photo, keyed by path, size, modification time and
target shape, so later epochs (and later runs, and training after ``convscope scan``) read
12 KB per photo (64×64×3) instead of decoding a JPEG. Nothing is written in the photo folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import threading
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..events import Notice, Observer, emit
from ._files import cache_dir
from .decoding import DECODER


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


def open_cache(root: Path, shape, observer: Observer | None = None) -> ImageCache | None:
    """The cache for ``root`` at ``shape``, or None (with a warning) when it cannot be used."""
    try:
        return ImageCache(root, shape)
    except OSError as exc:
        emit(observer, Notice(f"decoding {root} without the image cache "
                              f"({exc.strerror or exc})", "warning"))
        return None
