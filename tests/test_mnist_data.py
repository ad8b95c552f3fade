"""The MNIST loader: the real files, search order, verified downloads, and damaged files (on the
session's synthetic MNIST, which has the same layout)."""

from __future__ import annotations

import gzip
import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import REAL_DATA, REAL_MNIST

from convscope.datasets import load_dataset
from convscope.datasets._files import RemoteFile, download
from convscope.datasets.mnist import REMOTE_FILES, load_mnist
from convscope.errors import DataError
from convscope.events import Collector, Progress

# Published md5s of the canonical files (as listed in shared/datasets/SOURCES.md).
MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}


def test_shared_files_match_the_published_checksums():
    for remote in REMOTE_FILES.values():
        data = (REAL_MNIST / remote.name).read_bytes()
        assert hashlib.md5(data).hexdigest() == MD5[remote.name]
        assert f"sha256:{hashlib.sha256(data).hexdigest()}" == remote.checksum
        assert len(data) == remote.size


def test_loads_the_real_files():
    data = load_dataset("mnist", REAL_DATA)
    assert data.x_train.shape == (60_000, 28, 28, 1) and data.x_train.dtype == np.uint8
    assert data.x_test.shape == (10_000, 28, 28, 1)
    assert np.bincount(data.y_train).tolist() == [
        5923,
        6742,
        5958,
        6131,
        5842,
        5421,
        5918,
        6265,
        5851,
        5949,
    ]
    assert len(data.y_test) == 10_000 and data.y_test.max() == 9
    assert data.class_names == [str(d) for d in range(10)]
    assert len(data.files) == 4  # fingerprints for the run's config


@pytest.fixture
def mnist_copy(tmp_path, mnist_dir):
    """A writable copy of the session's MNIST files (1,000 test images), to damage."""
    folder = tmp_path / "mnist"
    shutil.copytree(mnist_dir, folder)
    return folder


def _rewrite(path: Path, transform) -> None:
    raw = gzip.decompress(path.read_bytes())
    path.write_bytes(gzip.compress(transform(bytearray(raw))))


def test_data_dir_comes_before_the_environment(mnist_copy, monkeypatch):
    monkeypatch.setenv("CONVSCOPE_DATA", str(mnist_copy.parent / "nowhere"))
    data = load_mnist(mnist_copy.parent, download_missing=False)
    assert all(str(mnist_copy) in p for p in data.files)
    data = load_mnist(mnist_copy, download_missing=False)  # the mnist/ folder itself also works
    assert len(data.x_test) == 1_000


def test_uncompressed_idx_files_are_read(mnist_copy):
    for path in list(mnist_copy.glob("*.gz")):
        path.with_suffix("").write_bytes(gzip.decompress(path.read_bytes()))
        path.unlink()
    assert load_mnist(mnist_copy, download_missing=False).x_train.shape[0] == 3_000


def test_keras_npz_is_read(tmp_path, mnist_dir):
    data = load_mnist(mnist_dir, download_missing=False)
    folder = tmp_path / "mnist"
    folder.mkdir()
    np.savez(
        folder / "mnist.npz",
        x_train=data.x_train[..., 0],
        y_train=data.y_train,
        x_test=data.x_test[..., 0],
        y_test=data.y_test,
    )
    from_npz = load_mnist(tmp_path, download_missing=False)
    np.testing.assert_array_equal(from_npz.x_test, data.x_test)


def test_truncated_file_is_a_clear_error(mnist_copy):
    path = mnist_copy / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:50_000])
    with pytest.raises(DataError, match=r"t10k-images-idx3-ubyte\.gz: damaged or truncated"):
        load_mnist(mnist_copy, download_missing=False)


def test_truncated_payload_is_a_clear_error(mnist_copy):
    _rewrite(mnist_copy / "t10k-images-idx3-ubyte.gz", lambda b: b[:-784])
    with pytest.raises(DataError, match=r"t10k-images.*announces 1,000 items"):
        load_mnist(mnist_copy, download_missing=False)


def test_wrong_magic_is_a_clear_error(mnist_copy):
    def swap_magic(b):
        b[3] = 0x01  # an images file claiming to be a labels file
        return b

    _rewrite(mnist_copy / "train-images-idx3-ubyte.gz", swap_magic)
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte\.gz: wrong magic number"):
        load_mnist(mnist_copy, download_missing=False)


def test_label_count_mismatch_is_a_clear_error(mnist_copy):
    def drop_one(b):
        b[4:8] = (999).to_bytes(4, "big")
        return b[:-1]

    _rewrite(mnist_copy / "t10k-labels-idx1-ubyte.gz", drop_one)
    with pytest.raises(DataError, match=r"t10k-labels.*999 labels for 1,000 images"):
        load_mnist(mnist_copy, download_missing=False)


def test_out_of_range_label_is_a_clear_error(mnist_copy):
    def bad_label(b):
        b[8 + 123] = 11
        return b

    _rewrite(mnist_copy / "train-labels-idx1-ubyte.gz", bad_label)
    with pytest.raises(DataError, match=r"label 11 at index 123 is out of range"):
        load_mnist(mnist_copy, download_missing=False)


def test_incomplete_folder_names_the_missing_files(mnist_copy):
    (mnist_copy / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError, match="missing t10k-labels-idx1-ubyte.gz"):
        load_mnist(mnist_copy, download_missing=False)


def test_an_explicit_data_dir_is_final(tmp_path):
    """A wrong --data-dir must not silently fall back to other data, or download."""
    with pytest.raises(DataError, match=rf"MNIST not found \(looked in {tmp_path}"):
        load_mnist(tmp_path)  # CONVSCOPE_DATA is set and valid in the tests


def test_nothing_found_lists_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVSCOPE_DATA", str(tmp_path / "env"))
    with pytest.raises(DataError) as err:
        load_mnist(None, download_missing=False)
    message = str(err.value)
    assert str(tmp_path / "env" / "mnist") in message
    assert "convscope" in message and "data_dir" in message  # the cache, and how to fix it


def _remote_for(path: Path, **changes) -> RemoteFile:
    data = path.read_bytes()
    fields = {
        "name": path.name,
        "checksum": "sha256:" + hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "urls": [path.as_uri()],
    }
    return RemoteFile(**{**fields, **changes})


def test_download_verifies_then_renames(tmp_path, mnist_dir):
    source = mnist_dir / "t10k-labels-idx1-ubyte.gz"
    target = download(_remote_for(source), tmp_path / "cache")
    assert target.read_bytes() == source.read_bytes()
    assert [p.name for p in target.parent.iterdir()] == [source.name]  # no temporary left


def test_download_reports_its_progress_in_bytes(tmp_path, mnist_dir):
    source = mnist_dir / "t10k-images-idx3-ubyte.gz"  # several blocks
    collector = Collector()
    download(_remote_for(source), tmp_path / "cache", observer=collector)
    progress = collector.of(Progress)
    size = source.stat().st_size
    task = f"downloading {source.name}"
    assert progress[0] == Progress(task, 0, size) and progress[-1] == Progress(task, size, size)
    done = [p.done for p in progress]
    assert done == sorted(set(done))  # growing, the last one sent once


def test_download_with_wrong_checksum_leaves_nothing(tmp_path, mnist_dir):
    source = mnist_dir / "t10k-labels-idx1-ubyte.gz"
    with pytest.raises(DataError, match="checksum mismatch"):
        download(_remote_for(source, checksum="sha256:" + "0" * 64), tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []


def test_download_tries_the_next_mirror(tmp_path, mnist_dir):
    source = mnist_dir / "t10k-labels-idx1-ubyte.gz"
    remote = _remote_for(source)
    remote = _remote_for(source, urls=[(tmp_path / "missing.gz").as_uri(), *remote.urls])
    assert download(remote, tmp_path / "cache").is_file()


def test_offline_download_failure_says_where_to_put_files(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVSCOPE_DATA", str(tmp_path / "env"))
    bad = {
        k: RemoteFile(r.name, r.checksum, r.size, [(tmp_path / r.name).as_uri()])
        for k, r in REMOTE_FILES.items()
    }
    monkeypatch.setattr("convscope.datasets.mnist.REMOTE_FILES", bad)
    with pytest.raises(DataError, match=r"could not download .*MNIST not found \(looked in"):
        load_mnist(None)
