"""Image folders: finding, checking, decoding and caching photos; training and predicting on them.

Everything is generated here: small photos of every kind a real folder holds (odd modes, EXIF
rotation, huge and tiny sizes, other formats) and every kind of file that must be skipped.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from helpers import run_cli
from PIL import Image, ImageDraw, ImageOps

import convscope
from convscope import _io
from convscope.datasets import cache as image_cache
from convscope.datasets import photo_files
from convscope.datasets.batches import EpochBatches, epoch_order
from convscope.datasets.decoding import decode_image
from convscope.datasets.finding import class_folders, find_images
from convscope.datasets.folders import image_files, load_folder
from convscope.datasets.scan import scan_folder
from convscope.errors import DataError
from convscope.events import Collector, Notice, PhotoSkipped, Progress

# Pillow's decompression-bomb limit for this module: the 2000×1500 photo (3.0 M pixels) is
# below it, the 2000×2000 "bomb" (4.0 M) above, so the test stays cheap.
PIXEL_LIMIT = 3_200_000
# decoding.py silences this warning (it refuses such images with a reason); pytest resets filters
pytestmark = pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
RUN_FILES = ["model.keras", "best.keras", "config.json", "state.json", "history.csv",
             "metrics.json", "files.json"]
FIGURES = ["learning_curves", "confusion_matrix", "predictions", "probabilities",
           "training_batch"]


# -- making photos ---------------------------------------------------------------------------

def picture(size, seed: int = 0, mode: str = "RGB") -> Image.Image:
    """A smooth picture (gradient, shapes): resizing it any sensible way gives the same result."""
    rng = np.random.default_rng(seed)
    w, h = size
    base = rng.integers(0, 256, 3)
    ramp = np.linspace(0, 1, w)[None, :, None] * np.linspace(0.3, 1, h)[:, None, None]
    pixels = (base * (1 - ramp) + (255 - base) * ramp).astype(np.uint8)
    img = Image.fromarray(pixels, "RGB")
    draw = ImageDraw.Draw(img)
    for _ in range(3):
        x, y = rng.integers(0, w), rng.integers(0, h)
        r = int(rng.integers(max(2, min(w, h) // 10), max(3, min(w, h) // 3)))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
    return img.convert(mode)


def jpeg_bytes(img: Image.Image, **options) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90, **options)
    return buf.getvalue()


def halves(size=(60, 30)) -> Image.Image:
    """Left half red, right half blue."""
    img = Image.new("RGB", size, (0, 0, 255))
    ImageDraw.Draw(img).rectangle((0, 0, size[0] // 2 - 1, size[1]), fill=(255, 0, 0))
    return img


def save_rotated(path: Path, img: Image.Image, orientation: int = 6) -> Path:
    """A JPEG stored sideways, with the EXIF tag saying how to turn it upright."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    img.save(path, "JPEG", quality=95, exif=exif)
    return path


def save_odd_photos(folder: Path, kinds: list[str]) -> list[str]:
    """Good photos in unusual modes, sizes and formats; returns their names."""
    makers = {
        "cmyk.jpg": lambda p: picture((90, 70), 11, "CMYK").save(p, "JPEG"),
        "grey.jpg": lambda p: picture((70, 90), 12, "L").save(p, "JPEG"),
        "palette.png": lambda p: picture((64, 48), 13, "P").save(p, "PNG"),
        "rgba.png": lambda p: picture((50, 50), 14, "RGBA").save(p, "PNG"),
        "deep.png": lambda p: Image.fromarray(
            (np.linspace(0, 65535, 40 * 30).reshape(30, 40)).astype(np.uint16)).save(p, "PNG"),
        "rotated.jpg": lambda p: save_rotated(p, halves((120, 60))),
        "tiny.jpg": lambda p: picture((195, 33), 15).save(p, "JPEG"),
        "large.jpg": lambda p: picture((2000, 1500), 16).save(p, "JPEG", quality=85),
        "photo.webp": lambda p: picture((80, 60), 17).save(p, "WEBP"),
        "photo.bmp": lambda p: picture((60, 80), 18).save(p, "BMP"),
        "UPPER.JPG": lambda p: picture((100, 75), 19).save(p, "JPEG"),
    }
    for name in kinds:
        makers[name](folder / name)
    return kinds


def save_bad_files(folder: Path) -> dict[str, str]:
    """One file of each kind that must be skipped: name → what its reason must say."""
    rng = np.random.default_rng(99)
    real = jpeg_bytes(Image.fromarray(rng.integers(0, 256, (200, 300, 3), dtype=np.uint8)))
    (folder / "corrupt.jpg").write_bytes(rng.integers(0, 256, 3000, dtype=np.uint8).tobytes())
    (folder / "truncated.jpg").write_bytes(real[: len(real) // 2])
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "notes.png").write_text("not a picture, just text\n" * 20)
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1" + bytes(100))
    (folder / "._cat.jpg").write_bytes(b"\x00\x05\x16\x07" + bytes(100))
    (folder / "readme.txt").write_text("photos of my cats")
    os.symlink(folder / "no-such-photo.jpg", folder / "gone.jpg")
    os.symlink(".", folder / "loop")  # a folder link to the folder it is in
    Image.new("L", (2000, 2000)).save(folder / "bomb.png")  # 4 M pixels, a few KB on disk
    return {
        "corrupt.jpg": "not an image|damaged image",
        "truncated.jpg": "damaged image",
        "empty.jpg": "empty file",
        "notes.png": "not an image|damaged image",
        ".DS_Store": "hidden file",
        "._cat.jpg": "hidden file",
        "readme.txt": r"not an image \(\.txt\)",
        "gone.jpg": "broken symbolic link",
        "loop": "symbolic link loop",
        "bomb.png": "too large",
    }


def save_plain(folder: Path, n: int, seed: int, sizes=((80, 60), (300, 200), (120, 160))):
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for i in range(n):
        name = f"{folder.name}.{i + 1}.jpg"
        picture(sizes[i % len(sizes)], seed * 100 + i).save(folder / name, "JPEG")
        names.append(name)
    return names


# -- module fixtures -------------------------------------------------------------------------

@pytest.fixture(scope="module", autouse=True)
def _module_env(tmp_path_factory):
    """The pixel limit, and the private cache for module fixtures too.

    conftest's ``_private_cache`` is function-scoped, so it is set only after module-scoped
    fixtures ran: without this, the module's runs would use the user's real cache.
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache"))
        mp.setattr(Image, "MAX_IMAGE_PIXELS", PIXEL_LIMIT)
        yield


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    """root/{train,test}/{cats,dogs}: good photos, odd-but-good ones and one of each bad kind.

    Returns (root, good, bad): ``good`` maps part → class → names, ``bad`` maps a skipped
    path → the reason pattern it must be reported with.
    """
    root = tmp_path_factory.mktemp("messy") / "pets"
    good = {"train": {}, "test": {}}
    for part, per_class in (("train", 6), ("test", 3)):
        for seed, name in enumerate(("cats", "dogs")):
            good[part][name] = save_plain(root / part / name, per_class,
                                          seed + (10 if part == "test" else 0))
    good["train"]["cats"] += save_odd_photos(root / "train" / "cats", [
        "cmyk.jpg", "grey.jpg", "palette.png", "rgba.png", "deep.png", "rotated.jpg"])
    good["train"]["dogs"] += save_odd_photos(root / "train" / "dogs", [
        "tiny.jpg", "large.jpg", "photo.webp", "photo.bmp", "UPPER.JPG"])
    cats = root / "train" / "cats"
    bad = {str(cats / name): reason for name, reason in save_bad_files(cats).items()}
    # the test part is checked as well
    rng = np.random.default_rng(5)
    (root / "test" / "cats" / "broken.jpg").write_bytes(rng.bytes(500))
    (root / "test" / "dogs" / "empty.png").write_bytes(b"")
    bad[str(root / "test" / "cats" / "broken.jpg")] = "not an image|damaged image"
    bad[str(root / "test" / "dogs" / "empty.png")] = "empty file"
    return root, good, bad


@pytest.fixture(scope="module")
def catsdogs_run(messy, tmp_path_factory):
    root, _, _ = messy
    out = tmp_path_factory.mktemp("runs") / "catsdogs"
    return convscope.train("catsdogs", folder=root, augment=True, epochs=1, out=out,
                           progress=False)


@pytest.fixture(scope="module")
def three_classes(tmp_path_factory):
    """A flat root/<class>/ folder of three classes, five photos each."""
    root = tmp_path_factory.mktemp("flat") / "shapes"
    for seed, name in enumerate(("circle", "square", "star")):
        save_plain(root / name, 5, 20 + seed, sizes=((40, 30), (30, 40), (50, 50)))
    return root


@pytest.fixture(scope="module")
def cifar_run(three_classes, tmp_path_factory):
    """`convscope train folder DIR --recipe cifar10 --validation-split 0.3` (one epoch)."""
    out = tmp_path_factory.mktemp("runs") / "shapes"
    result = run_cli("train", "folder", three_classes, "--recipe", "cifar10",
                     "--validation-split", "0.3", "--epochs", "1", "--out", out, "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out)
    return out


# -- 1. scan and train on a messy folder -----------------------------------------------------

def test_scan_reports_every_bad_file_and_keeps_the_odd_good_ones(messy):
    root, good, bad = messy
    report = scan_folder(root)
    reasons = {s.path: s.reason for s in report.skipped}
    assert set(reasons) == set(bad), sorted(reasons)
    for path, pattern in bad.items():
        assert re.search(pattern, reasons[path]), f"{path}: {reasons[path]}"
    rows = {(r["part"], r["class"]): r for r in report.rows()}
    assert set(rows) == {(p, c) for p in ("train", "test") for c in ("cats", "dogs")}
    for (part, name), row in rows.items():
        assert row["photos"] == len(good[part][name]), (part, name)
    kept = {(part, Path(p).name) for part, files in report.parts.items() for p in files.paths}
    assert kept == {(part, n) for part, classes in good.items() for names in classes.values()
                    for n in names}
    # original sizes: the large photo and the tiny one are measured as they are on disk
    assert rows["train", "dogs"]["width"]["max"] == 2000
    assert rows["train", "dogs"]["height"]["min"] == 33


def test_cli_scan_lists_the_skipped_files_with_reasons_and_exits_0(messy):
    root, good, bad = messy
    result = run_cli("scan", root, "--quiet")
    assert result.returncode == 0, result.stderr
    assert f"{len(bad)} file(s) skipped:" in result.stdout
    lines = [line.strip() for line in result.stdout.splitlines()]
    for path, pattern in bad.items():
        line = next((line for line in lines if line.startswith(f"{path}: ")), None)
        assert line is not None, path
        assert re.search(pattern, line), line
    table = [line.split() for line in lines if line.startswith(("train", "test"))]
    counts = {(cells[0], cells[1]): int(cells[2]) for cells in table}
    assert counts == {(p, c): len(good[p][c]) for p in good for c in good[p]}


def test_training_on_a_messy_folder_skips_bad_files(catsdogs_run, messy):
    root, good, bad = messy
    path = catsdogs_run.path
    for name in RUN_FILES:
        assert (path / name).is_file(), name
    for name in FIGURES:
        assert (path / "figures" / f"{name}.png").is_file(), name
    metrics = catsdogs_run.metrics
    assert metrics["test_images"] == 6
    assert (path / "figures" / "mistakes.png").is_file() == (metrics["test_accuracy"] < 1)
    config = catsdogs_run.config
    assert config.class_names == ["cats", "dogs"]
    assert config.input_shape == (64, 64, 3) and config.parameters == 206_785
    assert config.train_images == sum(len(n) for n in good["train"].values())
    assert len(catsdogs_run.history) == 1 and catsdogs_run.state["status"] == "complete"

    manifest = _io.read_json(path / "files.json")
    assert manifest["class_names"] == ["cats", "dogs"] and manifest["split"] == "folders"
    for part in ("train", "test"):
        expected = sorted([f"{name}/{n}", label] for label, name in enumerate(("cats", "dogs"))
                          for n in good[part][name])
        assert sorted(manifest[part]) == expected, part
    listed = {str(Path(manifest["root"]) / rel) for rel, _ in manifest["train"]} | \
        {str(Path(manifest["test_root"]) / rel) for rel, _ in manifest["test"]}
    assert not listed & set(bad)
    assert {p for p, _ in manifest["skipped"]} == set(bad)

    def identities(root, rows):  # the same file, whatever its path (links, hard links)
        return {((Path(root) / rel).stat().st_dev, (Path(root) / rel).stat().st_ino)
                for rel, _ in rows}

    assert not (identities(manifest["root"], manifest["train"])
                & identities(manifest["test_root"], manifest["test"]))


# -- 2. decoding one photo -------------------------------------------------------------------

def test_exif_orientation_is_applied(tmp_path):
    # stored 60 wide × 30 tall, left red; orientation 6 = turn 90° clockwise: red on top
    photo = save_rotated(tmp_path / "side.jpg", halves((60, 30)))
    image, original = decode_image(photo, (64, 32, 3))
    assert image.shape == (64, 32, 3) and image.dtype == np.uint8
    assert original == (60, 30)
    top, bottom = image[:24].reshape(-1, 3).mean(0), image[-24:].reshape(-1, 3).mean(0)
    assert top[0] > 200 and top[2] < 60, top
    assert bottom[2] > 200 and bottom[0] < 60, bottom


def test_exif_orientation_is_applied_to_large_photos_decoded_in_draft_mode(tmp_path):
    photo = save_rotated(tmp_path / "side.jpg", halves((2000, 1000)))
    image, _ = decode_image(photo, (64, 64, 3))
    top, bottom = image[:16].reshape(-1, 3).mean(0), image[-16:].reshape(-1, 3).mean(0)
    assert top[0] > 200 and top[2] < 60 and bottom[2] > 200 and bottom[0] < 60


def test_odd_modes_become_three_channel_uint8_of_the_exact_shape(tmp_path):
    kinds = ["cmyk.jpg", "grey.jpg", "palette.png", "rgba.png", "deep.png", "tiny.jpg",
             "photo.webp", "photo.bmp", "UPPER.JPG"]
    save_odd_photos(tmp_path, kinds)
    for name in kinds:
        image, _ = decode_image(tmp_path / name, (48, 40, 3))
        assert image.shape == (48, 40, 3) and image.dtype == np.uint8, name
        grey, _ = decode_image(tmp_path / name, (20, 24, 1))
        assert grey.shape == (20, 24, 1) and grey.dtype == np.uint8, name


def test_colours_survive_cmyk_transparency_and_16_bits(tmp_path):
    Image.new("CMYK", (50, 40), (0, 255, 255, 0)).save(tmp_path / "red.jpg", "JPEG")
    red, _ = decode_image(tmp_path / "red.jpg", (16, 16, 3))
    assert red[..., 0].min() > 200 and red[..., 1:].max() < 60
    Image.new("RGBA", (30, 30), (0, 0, 0, 0)).save(tmp_path / "clear.png")
    clear, _ = decode_image(tmp_path / "clear.png", (16, 16, 3))
    assert clear.min() == 255  # transparent = white paper
    Image.fromarray(np.full((20, 20), 32768, np.uint16)).save(tmp_path / "mid.png")
    mid, _ = decode_image(tmp_path / "mid.png", (16, 16, 3))
    assert np.all(np.abs(mid.astype(int) - 127) <= 1)  # 16-bit scaled, not clipped to 255


def test_draft_mode_decodes_large_jpegs_small_without_losing_quality(tmp_path, monkeypatch):
    # shapes over a texture of ~10-pixel grains: shrinking without filtering would alias it
    rng = np.random.default_rng(3)
    grain = Image.fromarray(rng.integers(0, 256, (150, 200, 3), dtype=np.uint8))
    grain = grain.resize((2000, 1500), Image.BILINEAR)
    path = tmp_path / "large.jpg"
    Image.blend(picture((2000, 1500), 3), grain, 0.5).save(path, "JPEG", quality=90)
    drafted = []
    jpeg_class = type(Image.open(path))
    real_draft = jpeg_class.draft

    def spy(self, mode, size):
        result = real_draft(self, mode, size)
        drafted.append(self.size)
        return result

    monkeypatch.setattr(jpeg_class, "draft", spy)
    image, original = decode_image(path, (64, 64, 3))
    assert image.shape == (64, 64, 3) and image.dtype == np.uint8 and original == (2000, 1500)
    assert drafted and max(drafted[0]) < 2000  # decoded at a fraction of its size
    with Image.open(path) as img:
        rgb = img.convert("RGB")
    full = np.asarray(ImageOps.fit(rgb, (64, 64), Image.BICUBIC)).astype(float)
    assert np.abs(image - full).mean() < 6
    aliased = np.asarray(ImageOps.fit(rgb, (64, 64), Image.NEAREST))
    assert np.abs(aliased - full).mean() > 6  # what a careless shrink would give


def test_a_decompression_bomb_is_refused_before_decoding(tmp_path, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100_000)
    Image.new("RGB", (400, 400)).save(tmp_path / "bomb.png")
    with pytest.raises(DataError, match="too large"):
        decode_image(tmp_path / "bomb.png", (32, 32, 3))


# -- 3. the cache of decoded photos ----------------------------------------------------------

def counting(monkeypatch) -> list[str]:
    """Record the files really decoded (not read from the cache)."""
    calls, real = [], decode_image  # the original, even when photo_files.decode_image is patched

    def decode(path, shape):
        calls.append(Path(path).name)
        return real(path, shape)

    monkeypatch.setattr(photo_files, "decode_image", decode)
    return calls


def test_cache_serves_later_loads_and_notices_changed_files(tmp_path, monkeypatch):
    root = tmp_path / "data"
    for seed, name in enumerate(("a", "b")):
        (root / name).mkdir(parents=True)
        for i in range(3):  # BMP: rewriting with other pixels keeps the byte size
            picture((40, 30), seed * 10 + i).save(root / name / f"{i}.bmp")
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    shape = (16, 16, 3)

    calls = counting(monkeypatch)
    first = image_files(root, shape).check()
    assert first.cache is not None and len(first) == 6 and sorted(calls) == sorted(
        ["0.bmp", "1.bmp", "2.bmp"] * 2)
    images = first[np.arange(6)]
    assert len(calls) == 6  # indexing read the cache
    first.cache.close()
    cache_home = Path(os.environ["XDG_CACHE_HOME"]).resolve()
    assert first.cache.folder.resolve().is_relative_to(cache_home)
    assert (first.cache.folder / "index.json").is_file()
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before  # nothing written there

    def refuse(path, shape):
        raise AssertionError(f"{path} decoded again")

    monkeypatch.setattr(photo_files, "decode_image", refuse)
    second = image_files(root, shape).check()
    assert len(second) == 6 and not second.skipped
    np.testing.assert_array_equal(second[np.arange(6)], images)
    second.cache.close()

    changed = root / "a" / "1.bmp"
    size, mtime = changed.stat().st_size, changed.stat().st_mtime_ns
    Image.new("RGB", (40, 30), (255, 0, 255)).save(changed)
    assert changed.stat().st_size == size
    os.utime(changed, ns=(mtime + 5_000_000_000, mtime + 5_000_000_000))
    calls = counting(monkeypatch)
    third = image_files(root, shape).check()
    assert calls == ["1.bmp"]
    i = third.paths.index(changed)
    assert np.all(third[i] == (255, 0, 255))
    others = [k for k in range(6) if k != i]
    np.testing.assert_array_equal(third[np.array(others)], images[others])
    third.cache.close()

    broken, gone = root / "b" / "2.bmp", root / "b" / "0.bmp"
    broken.write_bytes(b"no longer a picture" * 10)
    fourth = image_files(root, shape)
    gone.unlink()  # after the listing, before the check
    checked = fourth.check()
    fourth.cache.close()
    reasons = {s.path: s.reason for s in checked.skipped}
    assert set(reasons) == {str(broken), str(gone)}
    assert "not an image" in reasons[str(broken)] and "cannot read" in reasons[str(gone)]
    assert len(checked) == 4


def test_scan_warms_the_cache_for_training_at_the_same_size(messy, monkeypatch):
    root, good, _ = messy
    scan_folder(root)  # at 64×64, the catsdogs input
    calls = counting(monkeypatch)
    data = load_folder(root, (64, 64, 3))
    data.close()
    assert calls == []
    assert len(data.train) == sum(len(n) for n in good["train"].values())


# -- 4. classes, errors and validation splits ------------------------------------------------

def test_classes_and_photos_are_sorted_naturally(tmp_path):
    for name in ("10", "2", "1"):
        (tmp_path / name).mkdir()
        for i in (10, 2, 1):
            Image.new("RGB", (8, 8)).save(tmp_path / name / f"p{i}.png")
    assert class_folders(tmp_path) == ["1", "2", "10"]
    paths, labels, names, skipped = find_images(tmp_path)
    assert names == ["1", "2", "10"] and not skipped
    assert [f"{p.parent.name}/{p.name}" for p in paths] == [
        f"{c}/p{i}.png" for c in ("1", "2", "10") for i in (1, 2, 10)]
    assert labels.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    data = load_folder(tmp_path, (8, 8, 3), validation_split=0.3, cache=False)
    assert data.class_names == ["1", "2", "10"]


def test_no_images_is_a_clear_error(tmp_path):
    for part in ("train", "test"):
        for name in ("cats", "dogs"):
            (tmp_path / part / name).mkdir(parents=True)
            (tmp_path / part / name / "readme.txt").write_text("nothing here")
    with pytest.raises(DataError) as caught:
        load_folder(tmp_path, (16, 16, 3), cache=False)
    assert str(caught.value).startswith(f"0 images found in {tmp_path / 'train'}")


def test_validation_split_is_seeded_per_class_and_disjoint(three_classes):
    def split(seed):
        data = load_folder(three_classes, (16, 16, 3), validation_split=0.4, seed=seed,
                           cache=False)
        manifest = data.manifest()
        assert manifest["split"] == f"validation-split 0.4 (seed {seed})"
        return ({rel for rel, _ in manifest["train"]}, {rel for rel, _ in manifest["test"]},
                manifest)

    train, test, manifest = split(1)
    assert not train & test
    assert train | test == {f"{p.parent.name}/{p.name}" for p in three_classes.rglob("*.jpg")}
    for label in range(3):
        assert sum(1 for _, y in manifest["test"] if y == label) == 2
        assert sum(1 for _, y in manifest["train"] if y == label) == 3
    assert split(1)[:2] == (train, test)
    assert split(2)[:2] != (train, test)


def test_validation_split_refuses_a_class_too_small_to_split(tmp_path):
    save_plain(tmp_path / "many", 3, 0)
    save_plain(tmp_path / "one", 1, 1)
    (tmp_path / "one" / "broken.jpg").write_bytes(b"\xff\xd8 not a jpeg")
    with pytest.raises(DataError, match=r"class 'one' has 1 usable photo\(s\); at least 2 are "
                                        "needed"):
        load_folder(tmp_path, (16, 16, 3), validation_split=0.2, cache=False)


def test_a_flat_folder_needs_a_validation_split(three_classes):
    with pytest.raises(DataError, match="validation_split=0.2"):
        load_folder(three_classes, (16, 16, 3), cache=False)
    result = run_cli("train", "folder", three_classes, "--recipe", "cifar10", "--epochs", "1")
    assert result.returncode == 1
    assert "--validation-split" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr.strip().count("\n") == 0


# -- 5. other recipes on other classes -------------------------------------------------------

def test_train_folder_with_another_recipe_and_predict(cifar_run, three_classes):
    run = convscope.load_run(cifar_run)
    names = ["circle", "square", "star"]
    assert run.config.recipe == "cifar10" and run.config.class_names == names
    assert run.config.dataset == "folder" and run.config.input_shape == (32, 32, 3)
    assert tuple(run.model.outputs[0].shape) == (None, 3)
    # cifar10's 153,546 weights with its 10-way output replaced by a 3-way one
    assert run.config.parameters == 153_546 - 40_970 + (4_096 + 1) * 3
    manifest = _io.read_json(cifar_run / "files.json")
    assert manifest["split"] == "validation-split 0.3 (seed 0)"
    train = {rel for rel, _ in manifest["train"]}
    test = {rel for rel, _ in manifest["test"]}
    assert len(train) + len(test) == 15 and not train & test
    assert {y for _, y in manifest["test"]} == {0, 1, 2}
    assert run.metrics["test_images"] == len(test)

    photo = three_classes / "star" / "star.2.jpg"
    result = run_cli("predict", cifar_run, photo, "--json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["predicted"] in names and set(record["probabilities"]) == set(names)
    assert sum(record["probabilities"].values()) == pytest.approx(1, abs=1e-5)


def test_augmented_run_saves_its_random_layers_and_shows_them(catsdogs_run, monkeypatch,
                                                               tmp_path):
    from convscope import plots
    from convscope.figures import training_batch_figure
    from convscope.runs import load_run
    from convscope.words import Words

    assert catsdogs_run.config.augment_layers is True
    model = load_run(catsdogs_run.path).model  # read back from model.keras, in safe mode
    assert [layer.name for layer in model.layers[:2]] == ["random_flip", "random_affine"]
    titles, image_grid = [], plots.image_grid

    def recorded(*args, title, **kwargs):
        titles.append(title)
        return image_grid(*args, title=title, **kwargs)

    monkeypatch.setattr(plots, "image_grid", recorded)
    training_batch_figure(load_run(catsdogs_run.path), Words("en"))
    training_batch_figure(load_run(catsdogs_run.path), Words("fr"))
    assert titles == ["A training batch as the network sees it "
                      "(random flip, rotation, shift, zoom)",
                      "Un lot d'apprentissage tel que le réseau le voit "
                      "(retournement, rotation, décalage, zoom au hasard)"]


# -- 6. predicting odd photos ----------------------------------------------------------------

def test_predict_cmyk_and_rotated_photos(catsdogs_run, messy):
    root, _, _ = messy
    photos = [root / "train" / "cats" / "cmyk.jpg", root / "train" / "cats" / "rotated.jpg"]
    predictions = catsdogs_run.predict(photos)
    assert [p.source for p in predictions] == [str(p) for p in photos]
    for p in predictions:
        assert p.error is None and p.label in ["cats", "dogs"]
        assert set(p.probabilities) == {"cats", "dogs"}
        assert sum(p.probabilities.values()) == pytest.approx(1, abs=1e-5)


# -- 7. resuming a folder run ----------------------------------------------------------------

def test_a_folder_run_resumes_on_the_same_files(cifar_run, tmp_path):
    run_dir = tmp_path / "resumed"
    shutil.copytree(cifar_run, run_dir)
    manifest = (run_dir / "files.json").read_bytes()
    fingerprints = _io.read_json(run_dir / "config.json")["data"]["files"]
    run = convscope.resume(run_dir, epochs=2, progress=False)
    assert [row["epoch"] for row in run.history] == [1, 2]
    assert run.state["epochs_done"] == 2 and run.state["status"] == "complete"
    assert (run_dir / "files.json").read_bytes() == manifest
    assert run.config.data["files"] == fingerprints and run.config.epochs == 2


# -- links must not mix classes or parts ---------------------------------------------------

def test_a_link_to_the_parent_folder_does_not_pull_in_other_classes(tmp_path):
    save_plain(tmp_path / "cats", 2, 0)
    save_plain(tmp_path / "dogs", 2, 1)
    os.symlink("..", tmp_path / "cats" / "up")
    paths, labels, _, skipped = find_images(tmp_path)
    cats = [p for p, y in zip(paths, labels, strict=True) if y == 0]
    assert all("dogs" not in p.parts for p in cats), cats
    assert len(paths) == 4


@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_train_and_test_never_share_a_photo(tmp_path, link):
    for part, seed in (("train", 0), ("test", 5)):
        for k, name in enumerate(("cats", "dogs")):
            save_plain(tmp_path / part / name, 2, seed + k)
    if link == "symlink":
        os.symlink(tmp_path / "test" / "cats", tmp_path / "train" / "cats" / "more")
    else:
        shared = next((tmp_path / "test" / "cats").iterdir())
        os.link(shared, tmp_path / "train" / "cats" / "copy.jpg")
    data = load_folder(tmp_path, (16, 16, 3), cache=False)
    manifest = data.manifest()

    def identities(root, rows):  # the same file, whatever its path (links, hard links)
        return {((Path(root) / rel).stat().st_dev, (Path(root) / rel).stat().st_ino)
                for rel, _ in rows}

    assert not (identities(manifest["root"], manifest["train"])
                & identities(manifest["test_root"], manifest["test"]))
    assert len(manifest["test"]) == 4 and len(manifest["train"]) == 4
    assert any("never in both parts" in reason or "outside its class folder" in reason
               for _, reason in manifest["skipped"])


def test_two_users_of_one_cache_never_overwrite_each_other(tmp_path):
    """Rows are appended under a lock and indexes merged: two processes (here two caches)
    filling the same cache both keep their photos, and a third reads them all."""
    save_plain(tmp_path / "cats", 2, 0)
    save_plain(tmp_path / "dogs", 2, 1)
    first = photo_files.image_files(tmp_path, (16, 16, 3))
    second = photo_files.image_files(tmp_path, (16, 16, 3))
    assert first.cache is not None and second.cache is not None
    a, _ = first._decode(0)
    b, _ = second._decode(3)
    first.cache.close()
    second.cache.close()
    third = photo_files.image_files(tmp_path, (16, 16, 3))
    assert third.cache.lookup(third.rel(0), *_stat(third.paths[0])) is not None
    assert third.cache.lookup(third.rel(3), *_stat(third.paths[3])) is not None
    np.testing.assert_array_equal(third[0], a)
    np.testing.assert_array_equal(third[3], b)
    third.cache.close()


def test_a_new_decoder_does_not_reuse_old_rows(tmp_path, monkeypatch):
    save_plain(tmp_path / "cats", 1, 0)
    save_plain(tmp_path / "dogs", 1, 1)
    files = photo_files.image_files(tmp_path, (16, 16, 3))
    files.check()
    files.cache.close()
    monkeypatch.setattr(image_cache, "DECODER", "some-other-decoder")
    again = photo_files.image_files(tmp_path, (16, 16, 3))
    assert again.cache.lookup(again.rel(0), *_stat(again.paths[0])) is None
    again.cache.close()


def _stat(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_size, info.st_mtime_ns


def test_checked_photos_are_read_from_their_cache_rows(tmp_path, monkeypatch):
    """After the check, batches come straight from the cache: no decoding, same pixels."""
    save_plain(tmp_path / "cats", 3, 0)
    save_plain(tmp_path / "dogs", 3, 1)
    files = photo_files.image_files(tmp_path, (16, 16, 3)).check()
    assert (files.rows >= 0).all()
    expected = np.stack([photo_files.decode_image(p, (16, 16, 3))[0] for p in files.paths])

    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded again")

    monkeypatch.setattr(photo_files, "decode_image", no_decoding)
    batches = EpochBatches(files.read, len(files), 4, 1 / 255, seed=3, first_epoch=0, epochs=1)
    order = epoch_order(3, 0, len(files))
    x, y = batches[0]
    np.testing.assert_allclose(x, expected[order[:4]] / 255, atol=1e-6)
    np.testing.assert_array_equal(y, files.labels[order[:4]])
    assert batches.steps == 2 and len(batches[1][0]) == 2  # the last, smaller batch is kept
    np.testing.assert_array_equal(files[np.array([2, 4])], expected[[2, 4]])
    files.cache.close()


# -- events: what a load reports to its observer ---------------------------------------------

def skips(collector: Collector) -> Counter:
    return Counter((e.path, e.reason) for e in collector.of(PhotoSkipped))


def listed(skipped) -> Counter:
    return Counter((s.path, s.reason) for s in skipped)


def test_a_load_reports_every_skipped_file_exactly_once(tmp_path):
    """Listing skips, photos that do not decode and train files that are test files: each is
    one PhotoSkipped event, and the events are exactly the dataset's ``skipped`` list."""
    for part, seed in (("train", 0), ("test", 5)):
        for k, name in enumerate(("cats", "dogs")):
            save_plain(tmp_path / part / name, 3, seed + k)
    cats = tmp_path / "train" / "cats"
    (cats / "readme.txt").write_text("photos of my cats")  # refused by the listing
    (cats / "empty.jpg").write_bytes(b"")  # refused by the listing
    (cats / "broken.jpg").write_bytes(b"\xff\xd8 not a jpeg")  # refused by decoding
    (tmp_path / "test" / "dogs" / "cut.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # decoding
    twin = tmp_path / "train" / "dogs" / "twin.jpg"
    os.link(tmp_path / "test" / "cats" / "cats.1.jpg", twin)  # the same file as a test photo

    for cache in (True, False, True):  # the second cached load reads the failures back
        collector = Collector()
        data = load_folder(tmp_path, (16, 16, 3), cache=cache, observer=collector)
        data.close()
        assert skips(collector) == listed(data.skipped)
        assert max(skips(collector).values()) == 1
        reasons = {Path(path).name: reason for path, reason in skips(collector)}
        assert reasons["readme.txt"] == "not an image (.txt)"
        assert reasons["empty.jpg"] == "empty file"
        assert re.search("not an image|damaged image", reasons["broken.jpg"])
        assert re.search("not an image|damaged image", reasons["cut.png"])
        assert "never in both parts" in reasons["twin.jpg"]
        assert len(reasons) == 5
        assert {(p, r) for p, r in data.manifest()["skipped"]} == set(skips(collector))

    collector = Collector()
    report = scan_folder(tmp_path, (16, 16, 3), observer=collector)
    assert skips(collector) == listed(report.skipped) and len(report.skipped) == 4


def test_a_validation_split_reports_every_skipped_file_exactly_once(tmp_path):
    save_plain(tmp_path / "ants", 4, 0)
    save_plain(tmp_path / "bees", 4, 1)
    (tmp_path / "notes.txt").write_text("outside the classes")
    (tmp_path / "ants" / ".hidden.jpg").write_bytes(b"x")
    (tmp_path / "bees" / "broken.jpg").write_bytes(b"\xff\xd8 not a jpeg")
    collector = Collector()
    data = load_folder(tmp_path, (16, 16, 3), validation_split=0.25, cache=False,
                       observer=collector)
    assert skips(collector) == listed(data.skipped)
    assert {Path(p).name for p, _ in skips(collector)} == {"notes.txt", ".hidden.jpg",
                                                           "broken.jpg"}
    assert len(data.train) + len(data.test) == 8


def test_check_reports_progress_up_to_the_last_photo(tmp_path):
    save_plain(tmp_path / "cats", 5, 0)
    save_plain(tmp_path / "dogs", 4, 1)
    (tmp_path / "dogs" / "broken.jpg").write_bytes(b"\xff\xd8 not a jpeg")
    collector = Collector()
    files = image_files(tmp_path, (16, 16, 3), cache=False)
    checked = files.check(collector, "checking 10 photos")
    progress = collector.of(Progress)
    assert progress[0] == Progress("checking 10 photos", 0, 10)
    assert progress[-1] == Progress("checking 10 photos", 10, 10)
    done = [p.done for p in progress]
    assert done == sorted(done) and all(p.total == 10 for p in progress)
    assert [e.path for e in collector.of(PhotoSkipped)] == [str(tmp_path / "dogs" / "broken.jpg")]
    assert len(checked) == 9


def test_a_photo_that_fails_during_training_is_an_event_not_a_crash(tmp_path):
    save_plain(tmp_path / "cats", 2, 0)
    save_plain(tmp_path / "dogs", 2, 1)
    files = image_files(tmp_path, (16, 16, 3), cache=False)  # not checked: batches decode
    broken = files.paths[1]
    broken.write_bytes(b"no longer a picture")
    collector = Collector()
    x, y = files.read(np.arange(4), observer=collector)
    assert len(x) == len(y) == 3
    assert [e.path for e in collector.of(PhotoSkipped)] == [str(broken)]
    with pytest.raises(DataError, match="changed since it was checked"):
        files.read(np.arange(4), strict=True)


def test_an_unusable_cache_is_a_warning_event(tmp_path, monkeypatch):
    save_plain(tmp_path / "cats", 2, 0)
    save_plain(tmp_path / "dogs", 2, 1)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    collector = Collector()
    data = load_folder(tmp_path, (16, 16, 3), validation_split=0.5, observer=collector)
    assert data.train.cache is None and len(data.train) + len(data.test) == 4
    [notice] = collector.of(Notice)
    assert notice.level == "warning"
    assert notice.message.startswith(f"decoding {tmp_path} without the image cache (")
