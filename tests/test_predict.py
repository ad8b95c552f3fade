"""Preparing a user's own digit picture the way MNIST was made (and any image's pixels), and
predicting it."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import run_cli
from PIL import Image, ImageDraw
from test_digits import similarity

from convscope.datasets.digits import digit_as_mnist
from convscope.datasets.images import to_rgb
from convscope.errors import DataError


def draw_seven(size=(300, 220), box=(170, 30, 260, 190), ink=30, paper=235, width=14):
    """A large, off-centre 7 in dark ink on light paper."""
    img = Image.new("L", size, paper)
    draw = ImageDraw.Draw(img)
    x0, y0, x1, y1 = box
    draw.line([(x0, y0), (x1, y0), (x0 + 20, y1)], fill=ink, width=width)
    return img


def ink_box(a, threshold=0.0):
    rows, cols = np.flatnonzero((a > threshold).any(1)), np.flatnonzero((a > threshold).any(0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def centre_of_mass(a):
    ii = np.arange(a.shape[0])
    return (a.sum(1) * ii).sum() / a.sum(), (a.sum(0) * ii).sum() / a.sum()


def test_dark_on_white_digit_becomes_mnist_like():
    a = digit_as_mnist(draw_seven())
    assert a.shape == (28, 28) and a.dtype == np.float32
    assert 0 <= a.min() and a.max() <= 1 and a.max() > 0.9  # inverted: ink is bright
    assert max(ink_box(a)) == 20  # the longer side fitted into 20 pixels
    cy, cx = centre_of_mass(a)
    assert abs(cy - 14) <= 0.5 and abs(cx - 14) <= 0.5
    assert a[:, :3].max() == 0 and a[:, -3:].max() == 0  # black margins, like MNIST


def test_aspect_ratio_is_kept():
    a = digit_as_mnist(draw_seven())
    h, w = ink_box(a, 0.05)
    assert h == 20 and 9 <= w <= 14  # drawn 160 tall × ~104 wide


def test_light_on_dark_and_colour_give_the_same_digit():
    dark_on_light = digit_as_mnist(draw_seven())
    light_on_dark = digit_as_mnist(draw_seven(ink=230, paper=20))
    colour = digit_as_mnist(draw_seven().convert("RGB"))
    np.testing.assert_allclose(light_on_dark, dark_on_light, atol=0.05)
    np.testing.assert_allclose(colour, dark_on_light, atol=1e-6)


def test_small_digit_is_scaled_up():
    a = digit_as_mnist(draw_seven(size=(40, 40), box=(5, 5, 15, 30), width=2))
    assert max(ink_box(a)) == 20


def test_blank_image_is_a_clear_error():
    with pytest.raises(DataError, match="no ink found"):
        digit_as_mnist(Image.new("L", (50, 50), 255), "blank.png")


def test_predict_recognises_real_test_digits(tiny_run):
    from convscope.datasets import load_dataset

    data = load_dataset("mnist")
    images = [Image.fromarray(255 - data.x_test[i, ..., 0]) for i in range(20)]  # as on paper
    predictions = tiny_run.predict(images)
    right = sum(p.index == data.y_test[i] for i, p in enumerate(predictions))
    assert right >= 16
    assert sum(predictions[0].probabilities.values()) == pytest.approx(1, abs=1e-5)


def test_cli_predict_reports_bad_files_and_goes_on(tiny_run, tmp_path):
    good = tmp_path / "seven.jpg"
    draw_seven().convert("RGB").save(good, quality=90)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    result = run_cli("predict", tiny_run.path, good, broken, "--json")
    assert result.returncode == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["path"] for r in records] == [str(good), str(broken)]
    assert records[0]["predicted"] in "0123456789" and len(records[0]["probabilities"]) == 10
    assert records[1]["error"] and records[1]["predicted"] is None
    assert f"error: {broken}:" in result.stderr and "Traceback" not in result.stderr


def test_predict_show_draws_the_picture_beside_what_the_network_received(tiny_run, tmp_path):
    picture = tmp_path / "my seven.png"
    draw_seven().save(picture)
    result = run_cli("predict", tiny_run.path, picture, "--show")
    assert result.returncode == 0, result.stderr
    drawn = tiny_run.path / "figures" / "predict" / "received-my seven.png"
    assert f"drawn: {drawn}" in result.stdout
    with Image.open(drawn) as figure:
        assert figure.width > 600 and figure.height > 200


def test_uneven_lighting_and_paper_grain_are_ignored():
    """A phone photo: paper lit unevenly (a gradient), grain, a blurred JPEG."""
    from PIL import ImageFilter

    rng = np.random.default_rng(0)
    clean = draw_seven(paper=255, ink=0)
    paper = np.linspace(165, 230, 300)[None, :] * np.ones((220, 1)) + rng.normal(0, 6, (220, 300))
    photo = np.minimum(np.asarray(clean, dtype=float), np.clip(paper, 0, 255))
    photo = Image.fromarray(photo.astype(np.uint8)).filter(ImageFilter.GaussianBlur(1.5))
    a, b = digit_as_mnist(clean), digit_as_mnist(photo)
    assert max(ink_box(b, 0.05)) == 20
    # The same digit: the blur widens the strokes, which moves the fit by a pixel or less.
    assert similarity(a, b) > 0.9


def test_sixteen_bit_images_keep_their_brightness():
    a = np.full((8, 8), 32_896, dtype=np.uint16)  # 50 % grey in 16 bits
    rgb = np.asarray(to_rgb(Image.fromarray(a)))
    assert rgb.shape == (8, 8, 3) and abs(int(rgb[0, 0, 0]) - 128) <= 1
