"""Where dataset files are looked for, and how missing ones are downloaded once.

Search order, first match wins:
  1. the ``data_dir`` argument: ``<data_dir>/<name>/`` or ``<data_dir>`` itself
     — when given, nothing else is searched and nothing is downloaded (a typo must not silently
     fall back to other data or to a long download);
  2. ``$CONVSCOPE_DATA/<name>/``;
  3. the user cache, ``<user cache dir>/convscope/<name>/``.
Only when none of them holds the files is anything downloaded, into the cache, to a temporary
name that is renamed into place after its checksum has been verified. Download progress goes
to an ``observer`` as ``Progress`` events (bytes).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from ..errors import DataError
from ..events import Observer, Progress, Throttled, emit

ENV_VAR = "CONVSCOPE_DATA"


@dataclass(frozen=True)
class RemoteFile:
    """A file of a published dataset: its name, size and checksum, and where to fetch it.

    ``checksum`` is ``"sha256:<hex>"`` or ``"md5:<hex>"`` (whichever its publisher gives).
    """

    name: str
    checksum: str
    size: int
    urls: Sequence[str]

    @property
    def algorithm(self) -> str:
        return self.checksum.split(":", 1)[0]

    @property
    def digest(self) -> str:
        return self.checksum.split(":", 1)[1]


def cache_dir() -> Path:
    """The user cache directory convscope owns (downloads, extractions, decoded images)."""
    return Path(platformdirs.user_cache_dir("convscope", appauthor=False))


def candidate_dirs(name: str, data_dir: str | os.PathLike | None = None) -> list[Path]:
    """The folders searched for dataset ``name``, in order."""
    if data_dir is not None:
        return [Path(data_dir) / name, Path(data_dir)]
    dirs: list[Path] = []
    env = os.environ.get(ENV_VAR)
    if env:
        dirs.append(Path(env) / name)
    dirs.append(cache_dir() / name)
    return dirs


def sha256_of(path: Path) -> str:
    return hash_of(path, "sha256")


def hash_of(path: Path, algorithm: str) -> str:
    return hashes_of(path, algorithm)[algorithm]


def hashes_of(path: Path, *algorithms: str, chunk: int = 1 << 20) -> dict[str, str]:
    """Several digests of one file in a single read."""
    digests = {name: hashlib.new(name) for name in algorithms}
    with open(path, "rb") as f:
        while block := f.read(chunk):
            for digest in digests.values():
                digest.update(block)
    return {name: digest.hexdigest() for name, digest in digests.items()}


def download(remote: RemoteFile, folder: Path, observer: Observer | None = None) -> Path:
    """Fetch ``remote`` into ``folder``; the final name appears only once the checksum matches.

    ``observer`` receives ``Progress(f"downloading {name}", bytes done, total bytes)`` a few
    times a second, the first and the last always; each mirror tried starts again from 0.
    """
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / remote.name
    failures = []
    for url in remote.urls:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{remote.name}.", suffix=".part", dir=folder)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                _fetch(url, out, remote, observer)
            got = hash_of(tmp, remote.algorithm)
            if got != remote.digest:
                failures.append(f"{url}: checksum mismatch ({remote.algorithm} {got[:12]}…)")
                continue
            os.replace(tmp, target)
            return target
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            failures.append(f"{url}: {getattr(exc, 'reason', exc)}")
        finally:
            tmp.unlink(missing_ok=True)
    raise DataError(f"could not download {remote.name}: " + "; ".join(failures))


def _fetch(url: str, out, remote: RemoteFile, observer: Observer | None) -> None:
    task = f"downloading {remote.name}"
    with urllib.request.urlopen(url, timeout=30) as response:
        total = int(response.headers.get("Content-Length") or remote.size)
        done, sent, throttle = 0, 0, Throttled()
        throttle.due()  # the first Progress, 0 bytes, is always sent
        emit(observer, Progress(task, done, total))
        while block := response.read(1 << 16):
            out.write(block)
            done += len(block)
            if observer is not None and throttle.due():
                observer(Progress(task, done, total))
                sent = done
        if observer is not None and sent != done:  # the last one, always
            observer(Progress(task, done, total))
