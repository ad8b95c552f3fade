"""CIFAR-10: the loader on the real archive, tampered archives, photos, and a run (its
figures, predict, compare)."""

from __future__ import annotations

import io
import pickle
import tarfile

import numpy as np
import pytest
from conftest import REAL_DATA as DATA
from helpers import run_cli
from PIL import Image

import convscope
from convscope.datasets.cifar10 import ARCHIVE, FOLDER, load_cifar10
from convscope.datasets.images import photo_as_input
from convscope.errors import DataError
from convscope.events import Collector, Notice

CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
           "truck"]


@pytest.fixture(scope="module")
def cifar():
    return load_cifar10(DATA, download_missing=False)


def test_loads_the_real_archive(cifar):
    assert cifar.x_train.shape == (50_000, 32, 32, 3) and cifar.x_train.dtype == np.uint8
    assert cifar.x_test.shape == (10_000, 32, 32, 3)
    assert np.bincount(cifar.y_train).tolist() == [5_000] * 10
    assert np.bincount(cifar.y_test).tolist() == [1_000] * 10
    assert cifar.class_names == CLASSES
    # pixels are laid out as images (not as 1024 R, 1024 G, 1024 B rows): neighbours correlate
    a = cifar.x_test[:200].astype(float)
    assert np.corrcoef(a[:, :, :-1].ravel(), a[:, :, 1:].ravel())[0, 1] > 0.8


def test_rebuilt_archive_is_used_with_a_one_line_notice(capsys, monkeypatch):
    monkeypatch.setattr("convscope.datasets.cifar10._NOTICED", set())
    load_cifar10(DATA, download_missing=False)  # nobody watching: the notice is kept for later
    collector = Collector()
    load_cifar10(DATA, download_missing=False, observer=collector)
    load_cifar10(DATA, download_missing=False, observer=collector)  # once per process
    [notice] = collector.of(Notice)
    # The course's copy is recognised and said for what it is, without alarm.
    assert "rebuilt from JPEG files (labels exact" in notice.message
    assert "\n" not in notice.message
    assert capsys.readouterr() == ("", "")  # nothing printed


def test_extracted_folder_gives_the_same_arrays(cifar, tmp_path):
    with tarfile.open(DATA / "cifar10" / ARCHIVE) as tar:
        tar.extractall(tmp_path, filter="data")
    from_folder = load_cifar10(tmp_path, download_missing=False)
    np.testing.assert_array_equal(from_folder.x_test, cifar.x_test)
    np.testing.assert_array_equal(from_folder.y_train, cifar.y_train)


# -- tampered archives: small synthetic ones -------------------------------------------------


def _pickled_batch(rows=10_000, labels=None):
    data = np.zeros((rows, 3072), np.uint8)
    labels = [0] * rows if labels is None else labels
    return pickle.dumps({b"batch_label": b"x", b"labels": labels, b"data": data}, protocol=2)


def _meta():
    return pickle.dumps({b"label_names": [c.encode() for c in CLASSES]}, protocol=2)


def _members(**overrides):
    members = {f"{FOLDER}/batches.meta": _meta()}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        members[f"{FOLDER}/{name}"] = b"placeholder"
    members[f"{FOLDER}/data_batch_1"] = _pickled_batch(rows=100)
    members.update(overrides)
    return {k: v for k, v in members.items() if v is not None}


def _write_archive(folder, members, links=()):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ARCHIVE
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in links:
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            tar.addfile(info)
    return path


def _load_tampered(tmp_path, members, links=()):
    data_dir = tmp_path / "data"
    _write_archive(data_dir / "cifar10", members, links)
    before = sorted(p for p in tmp_path.rglob("*"))
    try:
        load_cifar10(data_dir, download_missing=False)
    finally:
        assert sorted(p for p in tmp_path.rglob("*")) == before  # nothing written anywhere


def test_member_escaping_the_folder_is_refused(tmp_path):
    members = _members(**{"../evil.sh": b"echo pwned"})
    with pytest.raises(DataError, match=r"refused unsafe member '\.\./evil\.sh'"):
        _load_tampered(tmp_path, members)
    assert not (tmp_path / "evil.sh").exists()


def test_absolute_member_is_refused(tmp_path):
    with pytest.raises(DataError, match="refused unsafe member '/tmp/evil'"):
        _load_tampered(tmp_path, _members(**{"/tmp/evil": b"x"}))


def test_symlink_member_is_refused(tmp_path):
    with pytest.raises(DataError, match=r"refused link member .*test_batch.*/etc/passwd"):
        _load_tampered(tmp_path, _members(**{f"{FOLDER}/test_batch": None}),
                       links=[(f"{FOLDER}/test_batch", "/etc/passwd")])


def test_missing_batch_is_refused(tmp_path):
    with pytest.raises(DataError, match="missing data_batch_3"):
        _load_tampered(tmp_path, _members(**{f"{FOLDER}/data_batch_3": None}))


def test_batch_of_the_wrong_shape_is_refused(tmp_path):
    with pytest.raises(DataError, match=r"data_batch_1: data is uint8\(100, 3072\), expected"):
        _load_tampered(tmp_path, _members())


def test_unexpected_member_is_refused(tmp_path):
    with pytest.raises(DataError, match="unexpected member"):
        _load_tampered(tmp_path, _members(**{f"{FOLDER}/notes.txt": b"hi"}))


def test_pickle_that_would_run_code_is_refused(tmp_path):
    class Exploit:
        def __reduce__(self):
            return (print, ("pwned",))

    evil = pickle.dumps({b"label_names": Exploit()}, protocol=2)
    with pytest.raises(DataError, match=r"batches\.meta: not a CIFAR-10 batch \(refused to load"):
        _load_tampered(tmp_path, _members(**{f"{FOLDER}/batches.meta": evil}))


def test_damaged_archive_is_a_clear_error(tmp_path):
    folder = tmp_path / "cifar10"
    folder.mkdir()
    (folder / ARCHIVE).write_bytes((DATA / "cifar10" / ARCHIVE).read_bytes()[:1_000_000])
    with pytest.raises(DataError, match=f"{ARCHIVE}: damaged archive"):
        load_cifar10(tmp_path, download_missing=False)


# -- photos ------------------------------------------------------------------------------------


def test_prepare_photo_crops_the_centre_of_a_non_square_image():
    img = Image.new("RGB", (300, 100), (255, 0, 0))  # red bands left and right…
    img.paste((0, 0, 255), (100, 0, 200, 100))  # …a blue square in the middle
    a = photo_as_input(img, (32, 32))
    assert a.shape == (32, 32, 3) and a.dtype == np.float32
    assert a[..., 2].mean() > 0.95 and a[..., 0].mean() < 0.05


def test_prepare_photo_respects_exif_orientation(tmp_path):
    from convscope.datasets.images import load_image

    img = Image.new("RGB", (60, 40), (0, 0, 0))
    img.paste((255, 255, 255), (0, 0, 60, 20))  # white top half
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: viewers turn it 90° clockwise
    path = tmp_path / "rotated.jpg"
    img.save(path, exif=exif)
    upright = load_image(path)
    assert upright.size == (40, 60)
    a = np.asarray(upright, dtype=float)
    assert a[:, 30:].mean() > 200 and a[:, :10].mean() < 50  # white half now on the right


@pytest.fixture(scope="module")
def cifar_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cifar") / "run"
    return convscope.train("cifar10", epochs=1, limit=1000, out=out, progress=False)


def test_cifar_run_has_named_classes_and_colour_figures(cifar_run):
    assert cifar_run.class_names == CLASSES
    assert cifar_run.config.parameters == 153_546
    names = {p.name for p in cifar_run.figures}
    assert {"learning_curves.png", "confusion_matrix.png", "predictions.png"} <= names


def test_predict_on_a_non_square_png(cifar_run, tmp_path):
    path = tmp_path / "wide.png"
    Image.new("RGB", (300, 120), (30, 120, 200)).save(path)
    result = run_cli("predict", cifar_run.path, path)
    assert result.returncode == 0, result.stderr
    assert any(name in result.stdout for name in CLASSES)
    assert "airplane:" in result.stdout and "truck:" in result.stdout  # all 10 probabilities


def test_compare_writes_its_table_and_figure(cifar_run, tiny_run, tmp_path):
    out = tmp_path / "cmp.png"
    result = run_cli("compare", cifar_run.path, tiny_run.path, "--out", out)
    assert result.returncode == 0, result.stderr
    assert "153,546" in result.stdout and "130,394" in result.stdout
    assert out.is_file() and out.stat().st_size > 10_000
    table = out.with_suffix(".csv").read_text().splitlines()
    assert table[0].startswith("run,recipe,parameters") and len(table) == 3
    again = run_cli("compare", tiny_run.path, "--out", out)
    assert again.returncode == 1 and "already exists" in again.stderr


@pytest.mark.slow
def test_one_epoch_on_10000_images_reaches_40_percent(tmp_path):
    run = convscope.train("cifar10", epochs=1, limit=10_000, out=tmp_path / "run",
                          progress=False)
    assert run.metrics["test_accuracy"] >= 0.40


def test_oversized_member_is_refused(tmp_path):
    huge = b"\0" * 41_000_000
    with pytest.raises(DataError, match="far more than a CIFAR-10 batch"):
        _load_tampered(tmp_path, _members(**{f"{FOLDER}/data_batch_2": huge}))
