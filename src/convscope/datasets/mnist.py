"""MNIST: 70,000 handwritten digits, 28×28 grey, read from the canonical IDX files or mnist.npz.

Accepted in a data folder (first complete set wins):
  - the four IDX files, gzipped or not: ``train-images-idx3-ubyte[.gz]``,
    ``train-labels-idx1-ubyte[.gz]``, ``t10k-images-idx3-ubyte[.gz]``,
    ``t10k-labels-idx1-ubyte[.gz]``;
  - Keras's ``mnist.npz`` (arrays ``x_train``, ``y_train``, ``x_test``, ``y_test``).
Every file is checked (magic number, dimensions, counts, label range) before it is used.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..events import Observer
from ._files import RemoteFile, cache_dir, candidate_dirs, download, sha256_of
from .base import ArrayDataset

CLASS_NAMES = [str(d) for d in range(10)]

_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
# Published checksums of the canonical files (the md5s torchvision verifies, as SHA-256).
REMOTE_FILES = {
    "train_images": RemoteFile(
        "train-images-idx3-ubyte.gz",
        "sha256:440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        9_912_422,
        [m + "train-images-idx3-ubyte.gz" for m in _MIRRORS],
    ),
    "train_labels": RemoteFile(
        "train-labels-idx1-ubyte.gz",
        "sha256:3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        28_881,
        [m + "train-labels-idx1-ubyte.gz" for m in _MIRRORS],
    ),
    "test_images": RemoteFile(
        "t10k-images-idx3-ubyte.gz",
        "sha256:8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        1_648_877,
        [m + "t10k-images-idx3-ubyte.gz" for m in _MIRRORS],
    ),
    "test_labels": RemoteFile(
        "t10k-labels-idx1-ubyte.gz",
        "sha256:f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        4_542,
        [m + "t10k-labels-idx1-ubyte.gz" for m in _MIRRORS],
    ),
}

_IMAGES_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions
_LABELS_MAGIC = 0x00000801  # unsigned bytes, 1 dimension
_FIX = (
    "replace it with the canonical file "
    "(http://yann.lecun.com/exdb/mnist/ or a mirror) or delete it to download it again"
)


def load_mnist(data_dir=None, download_missing: bool = True,
               observer: Observer | None = None) -> ArrayDataset:
    """Load MNIST from the first folder that holds it, downloading into the cache if none does.

    ``observer`` receives the downloads' ``Progress``.
    """
    looked = candidate_dirs("mnist", data_dir)
    for folder in looked:
        files = _idx_files(folder)
        if files:
            return _from_idx(files)
        npz = folder / "mnist.npz"
        if npz.is_file():
            return _from_npz(npz)
    if not download_missing or data_dir is not None:
        raise DataError(_not_found_message(looked))
    target = cache_dir() / "mnist"
    try:
        files = {key: download(remote, target, observer) for key, remote in REMOTE_FILES.items()}
    except DataError as exc:
        raise DataError(f"{exc}. {_not_found_message(looked)}") from None
    return _from_idx(files)


def _not_found_message(looked: list[Path]) -> str:
    where = ", ".join(str(p) for p in looked)
    names = ", ".join(r.name for r in REMOTE_FILES.values())
    return (
        f"MNIST not found (looked in {where}). Put {names} (or mnist.npz) in one of these "
        "folders, or pass `data_dir` (or set CONVSCOPE_DATA) to a folder holding mnist/."
    )


def _idx_files(folder: Path) -> dict[str, Path] | None:
    """The four IDX files in ``folder`` (gzipped or not), None if there are none at all."""
    found: dict[str, Path] = {}
    for key, remote in REMOTE_FILES.items():
        plain = remote.name.removesuffix(".gz")
        for name in (remote.name, plain):
            if (folder / name).is_file():
                found[key] = folder / name
                break
    if not found:
        return None
    missing = [REMOTE_FILES[k].name for k in REMOTE_FILES if k not in found]
    if missing:
        raise DataError(
            f"{folder}: incomplete MNIST, missing {', '.join(missing)} "
            "(gzipped or not); add the missing files or remove the folder's MNIST files"
        )
    return found


def _from_idx(files: dict[str, Path]) -> ArrayDataset:
    x_train = _read_idx(files["train_images"], _IMAGES_MAGIC)
    y_train = _read_idx(files["train_labels"], _LABELS_MAGIC)
    x_test = _read_idx(files["test_images"], _IMAGES_MAGIC)
    y_test = _read_idx(files["test_labels"], _LABELS_MAGIC)
    _check_pair(files["train_images"], x_train, files["train_labels"], y_train)
    _check_pair(files["test_images"], x_test, files["test_labels"], y_test)
    return ArrayDataset(
        name="mnist",
        x_train=x_train[..., None],
        y_train=y_train.astype(np.int64),
        x_test=x_test[..., None],
        y_test=y_test.astype(np.int64),
        class_names=CLASS_NAMES,
        files={str(p): sha256_of(p) for p in files.values()},
    )


def _read_bytes(path: Path) -> bytes:
    raw = path.read_bytes()
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, zlib.error) as exc:
        raise DataError(f"{path}: damaged or truncated gzip data ({exc}); {_FIX}") from None


def read_idx(path: Path) -> np.ndarray:
    """Read any unsigned-byte IDX file (gzipped or not) into an array of its declared shape."""
    return _read_idx(Path(path), None)


def _read_idx(path: Path, magic: int | None) -> np.ndarray:
    data = _read_bytes(path)
    if len(data) < 8:
        raise DataError(f"{path}: too short to be an IDX file ({len(data)} bytes); {_FIX}")
    got = int.from_bytes(data[:4], "big")
    if got >> 8 != 0x08 or (magic is not None and got != magic):
        want = f"0x{magic:08x}" if magic is not None else "0x0000080N"
        raise DataError(f"{path}: wrong magic number 0x{got:08x} (expected {want}); {_FIX}")
    ndim = got & 0xFF
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataError(f"{path}: truncated header; {_FIX}")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(shape))
    if len(data) - header != expected:
        raise DataError(
            f"{path}: header announces {shape[0]:,} items of shape {shape[1:]} "
            f"({expected:,} bytes) but the file holds {len(data) - header:,}; {_FIX}"
        )
    if magic == _IMAGES_MAGIC and shape[1:] != (28, 28):
        raise DataError(f"{path}: images are {shape[1:]}, MNIST images are 28×28; {_FIX}")
    return np.frombuffer(data, np.uint8, offset=header).reshape(shape)


def _check_pair(images_path: Path, x: np.ndarray, labels_path: Path, y: np.ndarray) -> None:
    if len(x) != len(y):
        raise DataError(
            f"{labels_path}: {len(y):,} labels for {len(x):,} images in {images_path.name}; {_FIX}"
        )
    if len(y) and y.max() > 9:
        bad = int(np.argmax(y > 9))
        raise DataError(
            f"{labels_path}: label {int(y[bad])} at index {bad} is out of range 0–9; {_FIX}"
        )


def _from_npz(path: Path) -> ArrayDataset:
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in ("x_train", "y_train", "x_test", "y_test")}
    except KeyError as exc:
        raise DataError(f"{path}: missing array {exc}; expected Keras's mnist.npz") from None
    except (OSError, ValueError, zlib.error) as exc:
        raise DataError(f"{path}: not a readable .npz file ({exc}); {_FIX}") from None
    for part in ("train", "test"):
        x, y = arrays[f"x_{part}"], arrays[f"y_{part}"]
        if x.ndim != 3 or x.shape[1:] != (28, 28) or x.dtype != np.uint8:
            raise DataError(f"{path}: x_{part} is {x.dtype}{x.shape}, expected uint8 (N, 28, 28)")
        if y.ndim != 1 or len(y) != len(x):
            raise DataError(f"{path}: y_{part} has shape {y.shape} for {len(x):,} images")
        if len(y) and (y.min() < 0 or y.max() > 9):
            raise DataError(f"{path}: y_{part} holds labels outside 0–9")
    return ArrayDataset(
        name="mnist",
        x_train=arrays["x_train"][..., None],
        y_train=arrays["y_train"].astype(np.int64),
        x_test=arrays["x_test"][..., None],
        y_test=arrays["y_test"].astype(np.int64),
        class_names=CLASS_NAMES,
        files={str(path): sha256_of(path)},
    )
