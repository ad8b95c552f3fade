"""CIFAR-10: 60,000 colour photos, 32×32, in 10 classes, from the canonical "python version".

Accepted in a data folder: ``cifar-10-python.tar.gz`` (read in place, nothing is extracted) or
the extracted ``cifar-10-batches-py/`` folder. Batches are unpickled with a restricted
unpickler that only builds NumPy arrays, lists, strings and numbers, so a tampered archive
cannot run code; archive members that are links, that would land outside the archive's folder,
or that are not one of the expected files are refused. Each batch is checked for shape, type,
label range and count; class names come from ``batches.meta``.

A local archive whose checksum differs from the official one (such as the rebuilt copy in
``shared/datasets``) is used after those checks, with a one-line ``Notice`` to the observer.
"""

from __future__ import annotations

import codecs
import io
import pickle
import tarfile
import zlib
from pathlib import Path, PurePosixPath

import numpy as np

from ..errors import DataError
from ..events import Notice, Observer, emit
from ._files import RemoteFile, cache_dir, candidate_dirs, download, hashes_of
from .base import ArrayDataset

ARCHIVE = "cifar-10-python.tar.gz"
FOLDER = "cifar-10-batches-py"
TRAIN_BATCHES = [f"data_batch_{i}" for i in range(1, 6)]
TEST_BATCH = "test_batch"
META = "batches.meta"
EXPECTED = {*TRAIN_BATCHES, TEST_BATCH, META, "readme.html"}
BATCH_SIZE = 10_000
_MAX_MEMBER = 40_000_000  # a batch pickle is ≈ 31 MB; refuse anything that could exhaust memory
OFFICIAL = RemoteFile(
    ARCHIVE,
    "md5:c58f30108f718f92721af3b95e74349a",  # as published on the CIFAR-10 page
    170_498_071,
    ["https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"],
)
# Archives already reported as unofficial in this process (to an observer: a notice nobody
# heard does not count, so the next load that is watched still says it).
_NOTICED: set[str] = set()
_FIX = f"replace it with the official {ARCHIVE} or delete it to download it again"


def load_cifar10(data_dir=None, download_missing: bool = True,
                 observer: Observer | None = None) -> ArrayDataset:
    """Load CIFAR-10 from the first folder that holds it, downloading into the cache if none.

    ``observer`` receives the download's ``Progress`` and the notice about an unofficial
    archive (once per archive and process).
    """
    looked = candidate_dirs("cifar10", data_dir)
    for folder in looked:
        if (folder / ARCHIVE).is_file():
            return _from_archive(folder / ARCHIVE, observer)
        if (folder / FOLDER).is_dir():
            return _from_folder(folder / FOLDER)
    if not download_missing or data_dir is not None:
        raise DataError(_not_found_message(looked))
    try:
        path = download(OFFICIAL, cache_dir() / "cifar10", observer)
    except DataError as exc:
        raise DataError(f"{exc}. {_not_found_message(looked)}") from None
    return _from_archive(path, observer)


def _not_found_message(looked: list[Path]) -> str:
    where = ", ".join(str(p) for p in looked)
    return (
        f"CIFAR-10 not found (looked in {where}). Put {ARCHIVE} (or the extracted {FOLDER}/) "
        "in one of these folders, or pass `data_dir` (or set CONVSCOPE_DATA) to a folder "
        "holding cifar10/."
    )


def _from_archive(path: Path, observer: Observer | None = None) -> ArrayDataset:
    members = read_archive(path)
    data = _assemble(members, str(path))
    digests = hashes_of(path, "md5", "sha256")
    md5 = digests["md5"]
    if md5 != OFFICIAL.digest and observer is not None and str(path) not in _NOTICED:
        _NOTICED.add(str(path))
        emit(observer, Notice(_unofficial(path, md5)))
    return ArrayDataset(name="cifar10", **data, files={str(path): digests["sha256"]})


# The copy of CIFAR-10 shared with the course (its md5): a rebuild of the original from JPEG files.
JPEG_REBUILD_MD5 = "d6ab7b182ab28cdd28c95c70e325d24a"


def _unofficial(path: Path, md5: str) -> str:
    """What to know of an archive that is not the published one, in one line."""
    if md5 == JPEG_REBUILD_MD5:
        return (f"{path}: the copy of CIFAR-10 rebuilt from JPEG files (labels exact, pixels "
                "slightly changed by the compression: accuracies a point or two below those "
                "published for the original)")
    return (f"{path}: not byte for byte the published CIFAR-10 archive (md5 {md5}), but every "
            "batch has the expected shape and labels: used as it is")


def read_archive(path: Path) -> dict[str, bytes]:
    """The expected members of a CIFAR-10 archive, refusing anything unsafe or unexpected."""
    members: dict[str, bytes] = {}
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                name = _safe_member_name(path, member)
                if name is None:
                    continue
                if member.size > _MAX_MEMBER:
                    raise DataError(f"{path}: member {member.name!r} is {member.size:,} bytes, "
                                    f"far more than a CIFAR-10 batch; {_FIX}")
                members[name] = tar.extractfile(member).read()
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise DataError(f"{path}: damaged archive ({exc}); {_FIX}") from None
    return members


def _safe_member_name(path: Path, member: tarfile.TarInfo) -> str | None:
    """The member's file name if it is one we read, None for its folder; DataError if unsafe."""
    pure = PurePosixPath(member.name)
    if pure.is_absolute() or ".." in pure.parts:
        raise DataError(f"{path}: refused unsafe member {member.name!r} (path leaves the "
                        f"archive's folder); {_FIX}")
    if member.issym() or member.islnk():
        raise DataError(f"{path}: refused link member {member.name!r} -> {member.linkname!r}; "
                        f"{_FIX}")
    if member.isdir() and pure.parts in ((FOLDER,), ()):
        return None
    if not member.isfile() or len(pure.parts) != 2 or pure.parts[0] != FOLDER \
            or pure.name not in EXPECTED:
        raise DataError(f"{path}: unexpected member {member.name!r}; a CIFAR-10 archive holds "
                        f"only {FOLDER}/{{{', '.join(sorted(EXPECTED))}}}; {_FIX}")
    return pure.name


def _from_folder(folder: Path) -> ArrayDataset:
    members = {}
    for name in EXPECTED - {"readme.html"}:
        path = folder / name
        if path.is_symlink():
            raise DataError(f"{path}: refused symbolic link; put the real file there")
        if path.is_file():
            members[name] = path.read_bytes()
    data = _assemble(members, str(folder))
    files = {str(folder / n): hashes_of(folder / n, "sha256")["sha256"] for n in sorted(members)}
    return ArrayDataset(name="cifar10", **data, files=files)


def _assemble(members: dict[str, bytes], where: str) -> dict:
    missing = sorted({*TRAIN_BATCHES, TEST_BATCH, META} - set(members))
    if missing:
        raise DataError(f"{where}: missing {', '.join(missing)}; {_FIX}")
    meta = _unpickle(members[META], f"{where}:{META}")
    names = meta.get("label_names")
    if not isinstance(names, list) or len(names) != 10:
        raise DataError(f"{where}:{META}: label_names should list 10 class names; {_FIX}")
    train = [_batch(members[b], f"{where}:{b}") for b in TRAIN_BATCHES]
    x_test, y_test = _batch(members[TEST_BATCH], f"{where}:{TEST_BATCH}")
    return {
        "x_train": np.concatenate([x for x, _ in train]),
        "y_train": np.concatenate([y for _, y in train]),
        "x_test": x_test,
        "y_test": y_test,
        "class_names": [_text(n) for n in names],
    }


def _batch(raw: bytes, where: str) -> tuple[np.ndarray, np.ndarray]:
    batch = _unpickle(raw, where)
    data, labels = batch.get("data"), batch.get("labels")
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 \
            or data.shape != (BATCH_SIZE, 3072):
        got = f"{data.dtype}{data.shape}" if isinstance(data, np.ndarray) else type(data).__name__
        raise DataError(f"{where}: data is {got}, expected uint8 ({BATCH_SIZE}, 3072); {_FIX}")
    labels = np.asarray(labels)
    if labels.shape != (BATCH_SIZE,) or labels.dtype.kind not in "iu" \
            or labels.min() < 0 or labels.max() > 9:
        raise DataError(f"{where}: expected {BATCH_SIZE:,} labels in 0–9; {_FIX}")
    # Rows are 1024 red, 1024 green, 1024 blue values, each a 32×32 image in row order.
    images = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels.astype(np.int64)


class _ArraysOnly(pickle.Unpickler):
    """Builds NumPy arrays and plain containers; refuses every other class (no code runs)."""

    _ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"): np._core.multiarray._reconstruct,
        ("numpy._core.multiarray", "_reconstruct"): np._core.multiarray._reconstruct,
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
        # Python 3 writes bytes into protocol-2 pickles as _codecs.encode(text, "latin1").
        ("_codecs", "encode"): codecs.encode,
    }

    def find_class(self, module, name):
        try:
            return self._ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"refused to load {module}.{name}") from None


def _unpickle(raw: bytes, where: str) -> dict:
    try:
        obj = _ArraysOnly(io.BytesIO(raw), encoding="latin1").load()
    except Exception as exc:  # any malformed pickle: report it, never crash with a traceback
        raise DataError(f"{where}: not a CIFAR-10 batch ({exc}); {_FIX}") from None
    if not isinstance(obj, dict):
        raise DataError(f"{where}: not a CIFAR-10 batch (a {type(obj).__name__}); {_FIX}")
    return {_text(k): v for k, v in obj.items()}


def _text(value) -> str:
    return value.decode("latin1") if isinstance(value, bytes) else str(value)
