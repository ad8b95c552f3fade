"""The exported page in a real browser (Debian's chromium through Playwright), opened from
disk: the network runs in ONNX Runtime Web and gives Keras's probabilities; a digit drawn on
its canvas is prepared exactly as `convscope predict` prepares the same drawing, and gets the
app's answer; a dropped picture is prepared as `predict` prepares it; English and French; a
phone's width; no request leaves the page. Screenshots: ``test-artefacts/export-page-*.png``.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import time

import numpy as np
import pytest
from browser import browser_page, save_screenshot
from exporting import shape_picture
from PIL import Image
from synthetic import soft_digit_pictures

from convscope.export import web
from convscope.export.graph import inference_model
from convscope.export.verify import batched, keras_predictor

WAIT_MS = 60_000
# Float32 in another runtime: the same sums in another order move the 7th digit.
FLOAT_TOLERANCE = 1e-5


@pytest.fixture(scope="module")
def digit_page(tiny_run, tmp_path_factory):
    return tiny_run.export("page", out=tmp_path_factory.mktemp("pages") / "digits")


@pytest.fixture(scope="module")
def photo_page(shapes_run, tmp_path_factory):
    return shapes_run.export("page", out=tmp_path_factory.mktemp("pages") / "shapes")


def wait_until(page, expression: str, timeout_ms: int = WAIT_MS) -> None:
    """Poll ``expression`` from outside the page: Playwright's own waiting evaluates strings
    inside it, which the page's Content-Security-Policy forbids (as it should)."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false: {expression}"
        time.sleep(0.05)


def opened(page, export, requests: list):
    page.on("request", lambda r: requests.append(r.url))
    page.goto(export.model_file.as_uri())
    wait_until(page, "window.convscope !== undefined")
    page.evaluate("window.convscope.ready")
    return page


def only_local(requests: list) -> bool:
    return all(url.split(":", 1)[0] in ("file", "blob", "data") for url in requests)


def page_probabilities(page, x: np.ndarray) -> np.ndarray:
    values = page.evaluate("([v, n]) => window.convscope.predict(new Float32Array(v), n)",
                           [x.ravel().tolist(), len(x)])
    return np.array(values).reshape(len(x), -1)


def drawn(page, strokes) -> None:
    """Strokes with the mouse, each a list of points in 0-1 of the canvas's side."""
    box = page.locator("#pad").bounding_box()
    for points in strokes:
        at = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in points]
        page.mouse.move(*at[0])
        page.mouse.down()
        for point in at[1:]:
            page.mouse.move(*point, steps=3)
        page.mouse.up()


def canvas_picture(page) -> Image.Image:
    url = page.evaluate("document.getElementById('pad').toDataURL('image/png')")
    return Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))


def test_the_page_runs_the_network_as_keras_does(tiny_run, digit_page):
    """20 test images through ONNX Runtime Web: MNIST's run computes in float32, so its own
    predictions are Keras's."""
    x = tiny_run.scale(tiny_run.data.x_test[:20])
    requests = []
    with browser_page() as page:
        opened(page, digit_page, requests)
        got = page_probabilities(page, x)
    np.testing.assert_allclose(got, tiny_run.predict_arrays(x), atol=FLOAT_TOLERANCE)
    assert requests and only_local(requests), requests


def test_a_photo_page_runs_the_mirror_averaged_network(shapes_run, photo_page):
    x = shapes_run.scale(shapes_run.data.x_test[:20])
    keras = batched(keras_predictor(inference_model(shapes_run.model, mirror=True)), x)
    requests = []
    with browser_page() as page:
        opened(page, photo_page, requests)
        got = page_probabilities(page, x)
    assert got.shape == (20, 2)
    np.testing.assert_allclose(got, keras, atol=FLOAT_TOLERANCE)
    assert only_local(requests), requests


DIGITS = {  # strokes in 0-1 of the canvas
    "seven": [[(0.3, 0.2), (0.65, 0.2), (0.45, 0.8)]],
    "one": [[(0.5, 0.15), (0.5, 0.85)]],
    "zero": [[(0.5, 0.15), (0.7, 0.3), (0.72, 0.6), (0.5, 0.85), (0.3, 0.6), (0.32, 0.3),
              (0.5, 0.15)]],
    "four": [[(0.55, 0.15), (0.25, 0.6), (0.75, 0.6)], [(0.6, 0.35), (0.6, 0.85)]],
    "tiny": [[(0.48, 0.45), (0.52, 0.45), (0.5, 0.55)]],  # strokes thinned in the 20-pixel box
}


@pytest.mark.parametrize("name", DIGITS)
def test_a_drawn_digit_is_prepared_as_predict_does_and_gets_the_apps_answer(tiny_run,
                                                                             digit_page, name):
    from convscope.app.draw import drawing

    requests = []
    with browser_page(900, 900) as page:
        opened(page, digit_page, requests)
        drawn(page, DIGITS[name])
        wait_until(page, "document.querySelectorAll('#bars li').length === 10")
        prepared = np.array(page.evaluate("Array.from(window.convscope.drawnDigit())"))
        verdict = page.inner_text("#verdict")
        picture = canvas_picture(page)
        if name == "seven":
            save_screenshot(page, "export-page-digit")
    # What the app does with a drawing: the canvas's PNG, prepared by Run.as_input.
    expected = tiny_run.as_input(drawing(picture))[..., 0]
    np.testing.assert_allclose(prepared.reshape(28, 28), expected, atol=1e-5)
    answer = tiny_run.predict([picture])[0]
    assert verdict.startswith(f"{answer.label} (")
    assert only_local(requests), requests


def test_two_digits_side_by_side_are_refused_as_predict_refuses_them(tiny_run, digit_page):
    from convscope.errors import DataError

    with browser_page() as page:
        opened(page, digit_page, [])
        drawn(page, [[(0.2, 0.2), (0.2, 0.8)], [(0.7, 0.2), (0.7, 0.8)]])
        wait_until(page, "document.getElementById('verdict').textContent.includes("
                               "'side by side')")
        picture = canvas_picture(page)
    with pytest.raises(DataError, match="side by side"):
        tiny_run.as_input(picture)


def test_a_dropped_picture_is_prepared_as_predict_does(shapes_run, photo_page, tmp_path):
    """PNG pictures of several shapes: their 8-bit RGB is the same in the browser and in
    Pillow, so the crop and bicubic resize give the same 64×64; a large JPEG, nearly."""
    rng = np.random.default_rng(3)
    with browser_page(390, 844) as page:  # a phone's width
        opened(page, photo_page, [])
        for i, kind in enumerate(["discs", "squares", "discs"]):
            path = tmp_path / f"{i}.png"
            shape_picture(kind, rng).resize((150 + 37 * i, 90 + 11 * i)).save(path)
            page.evaluate("document.getElementById('bars').replaceChildren()")
            page.set_input_files("#file", str(path))
            wait_until(page, "document.querySelectorAll('#bars li').length === 2")
            prepared = np.array(page.evaluate(
                "async () => Array.from(window.convscope.preparedPhoto("
                "await window.convscope.pictureFrom(document.getElementById('file').files[0])))"))
            np.testing.assert_allclose(prepared.reshape(64, 64, 3), shapes_run.as_input(path),
                                       atol=1e-6)
            answer = shapes_run.predict([path])[0]
            assert page.inner_text("#verdict").startswith(f"{answer.label} (")
        # A large JPEG: convscope decodes it at a quarter of its size (Pillow's draft mode),
        # the page whole then averaged by blocks; two decoders: close, not equal.
        path = tmp_path / "large.jpg"
        shape_picture("squares", rng).resize((420, 360)).save(path, quality=90)
        page.set_input_files("#file", str(path))
        prepared = np.array(page.evaluate(
            "async () => Array.from(window.convscope.preparedPhoto("
            "await window.convscope.pictureFrom(document.getElementById('file').files[0])))"))
        difference = np.abs(prepared.reshape(64, 64, 3) - shapes_run.as_input(path))
        assert difference.mean() < 1 / 255 and difference.max() < 24 / 255
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        save_screenshot(page, "export-page-photo-phone")


def test_the_page_speaks_french(digit_page):
    with browser_page() as page:
        opened(page, digit_page, [])
        page.click("button[data-lang=fr]")
        drawn(page, DIGITS["one"])
        wait_until(page, "document.querySelectorAll('#bars li').length === 10")
        assert page.inner_text("h2[data-word=page_draw]") == "Dessinez un chiffre"
        assert "hors ligne" in page.inner_text("#offline")
        assert "\u202f%" in page.inner_text("#verdict")
        save_screenshot(page, "export-page-french")


def test_the_folder_holds_what_the_page_needs_and_the_published_runtime(digit_page):
    folder = digit_page.folder
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert names == {"index.html", "page.js", "prepare.js", "pillow.js", "page.css",
                     "model.js", "export.json", "runtime/ort.wasm.min.js",
                     "runtime/ort-wasm-loader.js", "runtime/ort-wasm-binary.js",
                     "runtime/LICENSE"}
    wasm = gzip.decompress((web.VENDOR / "ort-wasm-simd-threaded.wasm.gz").read_bytes())
    assert hashlib.sha256(wasm).hexdigest() == web.WASM_SHA256
    assert "MIT License" in (folder / "runtime" / "LICENSE").read_text()
    assert digit_page.record["bytes"] < 7_000_000


def test_a_dropped_soft_digit_is_prepared_as_predict_does(tiny_run, digit_page, tmp_path):
    """Blurred, pixelated, felt-pen and out-of-focus digits dropped as PNGs (one covering most of
    its picture): the page's 28×28 is Python's."""
    differences = {}
    with browser_page() as page:
        opened(page, digit_page, [])
        for medium, picture in soft_digit_pictures().items():
            path = tmp_path / f"{medium}.png"
            picture.save(path)
            page.set_input_files("#file", str(path))
            prepared = np.array(page.evaluate(
                "async () => { const p = await window.convscope.pictureFrom("
                "document.getElementById('file').files[0]); return Array.from(Prepare.digit("
                "Prepare.luma(Prepare.rgbOverWhite(p.data)), p.width, p.height)); }"))
            expected = tiny_run.as_input(path)[..., 0]
            differences[medium] = float(np.abs(prepared.reshape(28, 28) - expected).max())
    assert max(differences.values()) <= 1e-5, differences
