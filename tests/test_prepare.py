"""prepare_catsdogs / split_folder: safe, seeded, copy-only splits into train/ and test/."""

from __future__ import annotations

import io
import os
import stat
import uuid
import zipfile
from pathlib import Path

import numpy as np
import pytest
from helpers import run_cli
from PIL import Image

from convscope._io import read_json
from convscope.datasets.finding import find_images
from convscope.datasets.photos import MAX_PHOTO_BYTES
from convscope.datasets.prepare import PrepareReport, prepare_catsdogs, split_folder
from convscope.datasets.splitting import stratified_split
from convscope.errors import ConvscopeError, DataError
from convscope.events import Collector, PhotoSkipped, Progress

TAG = uuid.uuid4().hex[:12]  # unique names, so a stray write outside OUT can be looked for
ABSOLUTE = Path(f"/tmp/abs_evil_{TAG}.jpg")


def jpeg(i: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), (i * 7 % 256, i * 13 % 256, 90)).save(buf, "JPEG")
    return buf.getvalue()


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()}


def split_of(out: Path) -> dict[str, set[str]]:
    return {part: {p.relative_to(out / part).as_posix() for p in (out / part).rglob("*.jpg")}
            for part in ("train", "test")}


def add(archive: zipfile.ZipFile, name: str, data: bytes | str, mode: int | None = None):
    info = zipfile.ZipInfo(name)
    if mode is not None:
        info.external_attr = mode << 16
    archive.writestr(info, data)


def make_zip(path: Path, n: int = 10, reverse: bool = False, extras: bool = True) -> Path:
    names = [f"train/{kind}.{i}.jpg" for kind in ("cat", "dog") for i in range(n)]
    with zipfile.ZipFile(path, "w") as archive:
        add(archive, "train/", b"")  # a folder entry: neither a photo nor worth reporting
        for k, name in enumerate(reversed(names) if reverse else names):
            add(archive, name, jpeg(k))
        if extras:
            add(archive, f"../evil_{TAG}.jpg", jpeg(0))
            add(archive, str(ABSOLUTE), jpeg(0))
            add(archive, f"..\\evil_win_{TAG}.jpg", jpeg(0))
            add(archive, f"C:\\evil_drive_{TAG}.jpg", jpeg(0))
            add(archive, "train/cat.99.jpg", "/etc/passwd", stat.S_IFLNK | 0o777)
            add(archive, "train/readme.txt", "not a photo")
            add(archive, "__MACOSX/train/._cat.1.jpg", b"\x00\x05\x16\x07")
            add(archive, "train/.DS_Store", b"\x00\x00\x00\x01Bud1")
            add(archive, "train/dog.77.jpg", b"not really a jpeg")
            add(archive, "train/1.jpg", jpeg(1))  # Kaggle's test1.zip naming: no class
    return path


@pytest.fixture
def kaggle_zip(tmp_path) -> Path:
    return make_zip(tmp_path / "train.zip")


def test_zip_refuses_unsafe_members_and_writes_only_inside_out(tmp_path, kaggle_zip):
    before = (kaggle_zip.read_bytes(), kaggle_zip.stat().st_mtime_ns)
    out = tmp_path / "out"
    collector = Collector()
    report = prepare_catsdogs(kaggle_zip, out, observer=collector)

    assert [(e.path, e.reason) for e in collector.of(PhotoSkipped)] == report.skipped
    reasons = dict(report.skipped)
    assert reasons[f"../evil_{TAG}.jpg"] == "path escapes the output folder"
    assert reasons[f"..\\evil_win_{TAG}.jpg"] == "path escapes the output folder"
    assert reasons[str(ABSOLUTE)] == "absolute path"
    assert reasons[f"C:\\evil_drive_{TAG}.jpg"] == "absolute path"
    assert reasons["train/cat.99.jpg"] == "symbolic link"
    assert reasons["train/readme.txt"] == "not an image (.txt)"
    assert reasons["__MACOSX/train/._cat.1.jpg"].startswith("macOS metadata")
    assert reasons["train/.DS_Store"] == "hidden file"
    assert reasons["train/dog.77.jpg"].startswith("not an image (its first bytes")
    assert reasons["train/1.jpg"].startswith("not named cat.")
    assert len(report.skipped) == 10

    # Nothing outside OUT: the temp folder holds only the zip and OUT, no evil file anywhere.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "train.zip"]
    assert not list(tmp_path.parent.rglob(f"*{TAG}*"))
    assert not ABSOLUTE.exists()
    assert not Path(f"/evil_drive_{TAG}.jpg").exists()
    written = tree(out)
    assert set(written) == {"split.json"} | {f"{part}/{name}" for part, names in
                                             split_of(out).items() for name in names}
    assert not any(p.is_symlink() for p in out.rglob("*"))
    assert "cat.99.jpg" not in {Path(name).name for name in written}

    # The source is untouched.
    assert (kaggle_zip.read_bytes(), kaggle_zip.stat().st_mtime_ns) == before

    assert report.counts == {"train": {"cats": 8, "dogs": 8}, "test": {"cats": 2, "dogs": 2}}
    assert report.leftovers == []


def test_split_is_disjoint_covers_the_photos_and_copies_them_byte_for_byte(tmp_path, kaggle_zip):
    out = tmp_path / "out"
    prepare_catsdogs(kaggle_zip, out)
    split = split_of(out)
    assert not split["train"] & split["test"]
    expected = {f"{cls}s/{cls}.{i}.jpg" for cls in ("cat", "dog") for i in range(10)}
    assert split["train"] | split["test"] == expected
    with zipfile.ZipFile(kaggle_zip) as archive:
        for part, names in split.items():
            for name in names:
                original = archive.read(f"train/{Path(name).name}")
                assert (out / part / name).read_bytes() == original


def test_seed_decides_the_split_not_member_order(tmp_path, kaggle_zip):
    shuffled = make_zip(tmp_path / "reversed.zip", reverse=True)
    prepare_catsdogs(kaggle_zip, tmp_path / "a", seed=3)
    prepare_catsdogs(shuffled, tmp_path / "b", seed=3)
    prepare_catsdogs(kaggle_zip, tmp_path / "c", seed=4)
    assert split_of(tmp_path / "a") == split_of(tmp_path / "b")
    assert split_of(tmp_path / "a") != split_of(tmp_path / "c")


def test_counts_follow_test_fraction_and_per_class(tmp_path, kaggle_zip):
    report = prepare_catsdogs(kaggle_zip, tmp_path / "half", test_fraction=0.5)
    assert report.counts == {"train": {"cats": 5, "dogs": 5}, "test": {"cats": 5, "dogs": 5}}
    report = prepare_catsdogs(kaggle_zip, tmp_path / "six", per_class=6, test_fraction=0.5)
    assert report.counts == {"train": {"cats": 3, "dogs": 3}, "test": {"cats": 3, "dogs": 3}}
    assert sum(len(names) for names in split_of(tmp_path / "six").values()) == 12

    manifest = read_json(tmp_path / "six" / "split.json")
    assert manifest["seed"] == 0 and manifest["test_fraction"] == 0.5
    assert manifest["counts"] == report.counts
    assert {f"{cls}/{name}" for cls, names in manifest["files"]["test"].items()
            for name in names} == split_of(tmp_path / "six")["test"]
    assert manifest["source"] == str(kaggle_zip.resolve())

    with pytest.raises(DataError, match="fewer than the per_class 11"):
        prepare_catsdogs(kaggle_zip, tmp_path / "x", per_class=11)
    with pytest.raises(DataError, match="leave its test part empty"):
        prepare_catsdogs(kaggle_zip, tmp_path / "x", per_class=2)
    with pytest.raises(ConvscopeError, match="The test_fraction parameter"):
        prepare_catsdogs(kaggle_zip, tmp_path / "x", test_fraction=1.0)
    with pytest.raises(ConvscopeError, match="The per_class parameter"):
        prepare_catsdogs(kaggle_zip, tmp_path / "x", per_class=1)
    assert not (tmp_path / "x").exists()  # argument errors come before anything is written


def test_non_empty_out_needs_force_and_force_deletes_nothing(tmp_path, kaggle_zip):
    out = tmp_path / "out"
    (out / "train" / "cats").mkdir(parents=True)
    (out / "notes.txt").write_text("mine")
    (out / "train" / "cats" / "old.jpg").write_bytes(jpeg(1))
    with pytest.raises(ConvscopeError, match=r"already exists and is not empty; pass force=True"):
        prepare_catsdogs(kaggle_zip, out)
    assert sorted(p.name for p in out.rglob("*")) == ["cats", "notes.txt", "old.jpg", "train"]

    report = prepare_catsdogs(kaggle_zip, out, force=True)
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "train" / "cats" / "old.jpg").exists()
    assert report.leftovers == ["train/cats/old.jpg"]
    assert "Warning: 1 entry under train/ and test/ was there before" in report.describe()
    # A second forced run over its own output overwrites the same names, adds nothing.
    first = tree(out)
    prepare_catsdogs(kaggle_zip, out, force=True)
    assert tree(out) == first

    empty = tmp_path / "empty"
    empty.mkdir()
    prepare_catsdogs(kaggle_zip, empty)  # an existing empty folder is fine

    (tmp_path / "afile").write_text("x")
    with pytest.raises(ConvscopeError, match="exists and is not a folder"):
        prepare_catsdogs(kaggle_zip, tmp_path / "afile", force=True)


def test_force_does_not_write_through_a_symlink_in_out(tmp_path, kaggle_zip):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "train").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(ConvscopeError, match="symbolic link; refusing to write through it"):
        prepare_catsdogs(kaggle_zip, out, force=True)
    assert list(elsewhere.iterdir()) == []


def make_folder(root: Path, n: int = 6) -> Path:
    (root / "train").mkdir(parents=True)
    for kind in ("cat", "dog"):
        for i in range(n):
            (root / "train" / f"{kind}.{i}.jpg").write_bytes(jpeg(i))
    return root


def test_folder_source_copies_and_does_not_follow_symlinks(tmp_path):
    source = make_folder(tmp_path / "kaggle")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.jpg").write_bytes(jpeg(5))
    (source / "train" / "cat.50.jpg").symlink_to(outside / "secret.jpg")
    (source / "train" / "linked").symlink_to(outside, target_is_directory=True)
    (source / "dog.100.jpg").write_bytes(jpeg(100))  # top level is searched too
    (source / "test1").mkdir()
    (source / "sampleSubmission.csv").write_text("id,label\n")
    before = tree(source)

    out = tmp_path / "out"
    report = prepare_catsdogs(source, out, test_fraction=0.5)
    reasons = dict(report.skipped)
    assert reasons["train/cat.50.jpg"].startswith("symbolic link")
    assert reasons["train/linked"].startswith("symbolic link")
    assert reasons["test1"].startswith("folder")
    assert reasons["sampleSubmission.csv"] == "not an image (.csv)"
    # 7 dogs at 0.5: 3.5 test photos round up to 4.
    assert report.counts == {"train": {"cats": 3, "dogs": 3}, "test": {"cats": 3, "dogs": 4}}
    assert "cats/cat.50.jpg" not in split_of(out)["train"] | split_of(out)["test"]
    assert tree(source) == before  # originals all still there, unchanged
    assert (source / "train" / "cat.50.jpg").is_symlink()


def test_out_inside_or_equal_to_source_is_refused(tmp_path):
    source = make_folder(tmp_path / "kaggle")
    with pytest.raises(ConvscopeError, match="is inside the source folder"):
        prepare_catsdogs(source, source / "split")
    with pytest.raises(ConvscopeError, match="is inside the source folder"):
        split_folder(source, source, force=True)
    with pytest.raises(ConvscopeError, match="where the split is written"):
        split_folder(source / "train", source, force=True)
    assert not (source / "split").exists()


def test_split_folder_three_classes(tmp_path):
    source = tmp_path / "flowers"
    for k, cls in enumerate(("daisy", "rose", "tulip")):
        (source / cls).mkdir(parents=True)
        for i in range(8):
            (source / cls / f"img{i}.{'png' if k == 1 else 'jpg'}").write_bytes(
                png(i) if k == 1 else jpeg(i))
    (source / "rose" / ".hidden.jpg").write_bytes(jpeg(0))
    (source / "tulip" / "notes.txt").write_text("x")
    (source / ".cache").mkdir()
    (source / "empty").mkdir()
    (source / "LICENSE").write_text("x")

    collector = Collector()
    out = tmp_path / "out"
    report = split_folder(source, out, test_fraction=0.25, seed=1, observer=collector)
    assert report.counts == {"train": {c: 6 for c in ("daisy", "rose", "tulip")},
                             "test": {c: 2 for c in ("daisy", "rose", "tulip")}}
    assert dict(report.skipped) == {".cache/": "hidden folder", "LICENSE": "not in a class folder",
                                    "empty/": "no photos in it, so not a class",
                                    "rose/.hidden.jpg": "hidden file",
                                    "tulip/notes.txt": "not an image (.txt)"}
    progress = collector.of(Progress)
    assert progress[0] == Progress("copying photos", 0, 24)
    assert progress[-1] == Progress("copying photos", 24, 24)
    assert [p.done for p in progress] == sorted(p.done for p in progress)
    assert [(e.path, e.reason) for e in collector.of(PhotoSkipped)] == report.skipped
    assert len(list((out / "test" / "rose").glob("*.png"))) == 2
    assert sorted(p.name for p in out.iterdir()) == ["split.json", "test", "train"]

    text = report.describe()
    assert "train: daisy 6, rose 6, tulip 6 (total 18)" in text
    assert "Skipped 5 entries:" in text and "tulip/notes.txt: not an image (.txt)" in text
    again = split_folder(source, tmp_path / "again", test_fraction=0.25, seed=1)
    assert again.counts == report.counts
    assert split_of(tmp_path / "again") == split_of(out)


def png(i: int) -> bytes:
    buf = io.BytesIO()
    Image.new("L", (20, 20), i * 20).save(buf, "PNG")
    return buf.getvalue()


def test_damaged_zip_names_the_file(tmp_path, kaggle_zip):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(os.urandom(2000))
    with pytest.raises(DataError, match=r"junk\.zip: not a zip file, or a damaged one"):
        prepare_catsdogs(junk, tmp_path / "out")
    cut = tmp_path / "cut.zip"
    cut.write_bytes(kaggle_zip.read_bytes()[:-300])
    with pytest.raises(DataError, match=r"cut\.zip: not a zip file, or a damaged one"):
        prepare_catsdogs(cut, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_empty_or_missing_sources_give_clear_errors(tmp_path):
    with pytest.raises(DataError, match=r"nothing-here: no such file or folder"):
        prepare_catsdogs(tmp_path / "nothing-here", tmp_path / "out")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataError, match=r"empty: no Dogs vs\. Cats photos found in the folder"):
        prepare_catsdogs(empty, tmp_path / "out")
    with pytest.raises(DataError, match="no class folders with photos found"):
        split_folder(empty, tmp_path / "out")
    bare = make_zip(tmp_path / "bare.zip", n=0)
    with pytest.raises(DataError, match=r"bare\.zip: no Dogs vs\. Cats photos found in the zip"):
        prepare_catsdogs(bare, tmp_path / "out")
    only_cats = tmp_path / "cats"
    only_cats.mkdir()
    for i in range(4):
        (only_cats / f"cat.{i}.jpg").write_bytes(jpeg(i))
    with pytest.raises(DataError, match=r"class 'dogs' has 0 usable photo\(s\); at least 2 are "
                                        "needed"):
        prepare_catsdogs(only_cats, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_report_describe():
    report = PrepareReport(Path("data/catsdogs"),
                           {"train": {"cats": 10_000, "dogs": 10_000},
                            "test": {"cats": 2_500, "dogs": 2_500}},
                           [(f"x{i}.txt", "not an image (.txt)") for i in range(25)])
    text = report.describe()
    assert text.splitlines()[:3] == [
        "Wrote data/catsdogs (split recorded in split.json)",
        "  train: cats 10,000, dogs 10,000 (total 20,000)",
        "  test:  cats 2,500, dogs 2,500 (total 5,000)",
    ]
    assert "Skipped 25 entries:" in text and "... and 5 more" in text


def test_cli_prepare_catsdogs_then_refuses_to_write_again(tmp_path, kaggle_zip):
    out = tmp_path / "donnees"
    result = run_cli("prepare", "catsdogs", kaggle_zip, "--out", out, "--per-class", "10",
                     "--quiet")
    assert result.returncode == 0, result.stderr
    assert "train: cats 8, dogs 8" in result.stdout and "path escapes" in result.stdout
    assert split_of(out)["test"] and (out / "split.json").is_file()
    again = run_cli("prepare", "catsdogs", kaggle_zip, "--out", out)
    assert again.returncode == 1 and "--force" in again.stderr


def test_cli_prepare_split(tmp_path):
    for k, cls in enumerate(("ants", "bees")):
        (tmp_path / "src" / cls).mkdir(parents=True)
        for i in range(5):
            (tmp_path / "src" / cls / f"{i}.jpg").write_bytes(jpeg(10 * k + i))
    result = run_cli("prepare", "split", tmp_path / "src", "--out", tmp_path / "out",
                     "--test-fraction", "0.4")
    assert result.returncode == 0, result.stderr
    assert {p: len(v) for p, v in split_of(tmp_path / "out").items()} == {"train": 6, "test": 4}


# -- one photo rule and one splitter for prepare and image folders ----------------------------

def test_prepare_and_image_folders_refuse_the_same_files_for_the_same_reasons(tmp_path):
    source = tmp_path / "src"
    for k, cls in enumerate(("ants", "bees")):
        (source / cls).mkdir(parents=True)
        for i in range(4):
            (source / cls / f"{cls}.{i}.jpg").write_bytes(jpeg(10 * k + i))
    bad = source / "ants"
    (bad / "x.txt").write_text("notes")
    (bad / "noext").write_bytes(jpeg(1))
    (bad / "empty.jpg").write_bytes(b"")
    (bad / ".hidden.jpg").write_bytes(jpeg(2))
    with open(bad / "huge.jpg", "wb") as f:  # sparse: takes no room on disk
        f.truncate(MAX_PHOTO_BYTES + 1)
    names = {"x.txt", "noext", "empty.jpg", ".hidden.jpg", "huge.jpg"}

    report = split_folder(source, tmp_path / "out", test_fraction=0.5)
    by_prepare = {Path(entry).name: reason for entry, reason in report.skipped}
    _, _, _, skipped = find_images(source)
    by_listing = {Path(s.path).name: s.reason for s in skipped}
    assert set(by_prepare) == set(by_listing) == names
    assert by_prepare == by_listing
    assert by_prepare["x.txt"] == "not an image (.txt)"
    assert by_prepare["noext"] == "not an image (no extension)"
    assert by_prepare["empty.jpg"] == "empty file"
    assert by_prepare[".hidden.jpg"] == "hidden file"
    assert by_prepare["huge.jpg"].startswith("too large for a photo")


def test_prepare_and_a_validation_split_hold_out_the_same_photos(tmp_path):
    from convscope.datasets.folders import load_folder

    source = tmp_path / "src"
    for k, cls in enumerate(("ants", "bees", "wasps")):
        (source / cls).mkdir(parents=True)
        for i in range(7 + 2 * k):
            (source / cls / f"{i}.jpg").write_bytes(jpeg(10 * k + i))
    split_folder(source, tmp_path / "out", test_fraction=0.3, seed=7)
    data = load_folder(source, (8, 8, 3), validation_split=0.3, seed=7, cache=False)
    assert {rel for rel, _ in data.manifest()["test"]} == split_of(tmp_path / "out")["test"]


def test_stratified_split_is_seeded_and_keeps_each_class_share():
    labels = np.array([0] * 10 + [1] * 7 + [2] * 4)
    rng = np.random.default_rng(0)
    labels = labels[rng.permutation(len(labels))]  # members of a class need not be together
    names = ["a", "b", "c"]
    train, test = stratified_split(labels, names, 0.25, seed=3, where=Path("here"))
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(len(labels)))
    assert train.tolist() == sorted(train.tolist()) and test.tolist() == sorted(test.tolist())
    # 2.5 rounds up to 3, 1.75 to 2 and 1.0 stays 1
    assert np.bincount(labels[test], minlength=3).tolist() == [3, 2, 1]
    assert np.bincount(labels[train], minlength=3).tolist() == [7, 5, 3]
    again = stratified_split(labels, names, 0.25, seed=3, where=Path("here"))
    assert [a.tolist() for a in again] == [train.tolist(), test.tolist()]
    other = stratified_split(labels, names, 0.25, seed=4, where=Path("here"))
    assert other[1].tolist() != test.tolist()

    train, test = stratified_split(labels, names, 0.5, seed=3, where=Path("here"), limit=4)
    assert np.bincount(labels[test], minlength=3).tolist() == [2, 2, 2]
    assert np.bincount(labels[train], minlength=3).tolist() == [2, 2, 2]


def test_stratified_split_refuses_an_empty_part_or_a_tiny_class():
    labels = np.array([0] * 6 + [1] * 3)
    with pytest.raises(DataError, match=r"here: 3 photos of class 'b' with a test fraction of "
                                        r"0\.1 leave its test part empty; use more photos"):
        stratified_split(labels, ["a", "b"], 0.1, seed=0, where=Path("here"))
    with pytest.raises(DataError, match="leave its train part empty"):
        stratified_split(labels, ["a", "b"], 0.9, seed=0, where=Path("here"))
    with pytest.raises(DataError, match=r"class 'c' has 1 usable photo\(s\); at least 2 are "
                                        "needed"):
        stratified_split(np.array([0, 0, 1, 1, 2]), ["a", "b", "c"], 0.5, seed=0,
                         where=Path("here"))
