"""The web app's handlers as plain functions (no browser, no server): drawing, photos, paths,
uploads, exploring a run, and training through the manager (start, Stop, Resume, one at a
time). ``test_app_browser.py`` drives the same app in a real browser."""

from __future__ import annotations

import re
import threading
import time

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("gradio")

from convscope.app import draw, explore, photo, train  # noqa: E402
from convscope.app.catalog import Catalog  # noqa: E402
from convscope.app.page import Page  # noqa: E402
from convscope.app.paths import PathRefused, Roots  # noqa: E402
from convscope.app.server import language_of  # noqa: E402
from convscope.app.trainer import Trainer  # noqa: E402
from convscope.app.uploads import MAX_UPLOAD_PIXELS, check_upload, keep_for_training  # noqa: E402
from convscope.errors import DataError  # noqa: E402
from convscope.words import say  # noqa: E402

CANVAS = draw.CANVAS


def vertical_stroke() -> np.ndarray:
    """A "1" as the canvas sends it: RGBA, black ink on transparent paper."""
    canvas = np.zeros((CANVAS, CANVAS, 4), np.uint8)
    canvas[CANVAS // 5:CANVAS * 4 // 5, CANVAS * 7 // 16:CANVAS * 9 // 16] = (0, 0, 0, 255)
    return canvas


@pytest.fixture
def served(tiny_run, tmp_path):
    """A catalog serving the tiny MNIST run (given on the command line) and a runs root."""
    roots = Roots.of(tmp_path / "runs", [tiny_run.path])
    return Catalog(roots), roots.key(tiny_run.path.resolve())


# -- Draw ---------------------------------------------------------------------------------------


def test_a_drawn_one_is_read_as_one_with_its_maps_and_grad_cam(served):
    catalog, key = served
    view = draw.stroke(catalog, key, vertical_stroke())
    assert max(view.probabilities, key=view.probabilities.get) == "1"
    assert view.probabilities["1"] > 0.5
    assert sum(view.probabilities.values()) == pytest.approx(1, abs=1e-4)
    assert "1" in view.message
    assert view.seen.shape[:2] == (28 * 8, 28 * 8)  # the 28×28 input, each pixel a square
    assert view.cam.shape == view.seen.shape
    # the mnist recipe: 32 maps of conv1 then 16 of conv2, all on one sheet
    assert view.maps.ndim == 2 and view.maps.shape[0] > 300  # grey: white = high


def drawn_four(width: int) -> Image.Image:
    """A "4" as a 400-pixel canvas sends it, in two strokes of a pen ``width`` pixels wide."""
    from PIL import ImageDraw

    canvas = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    pen = ImageDraw.Draw(canvas)
    pen.line([(255, 55), (105, 240), (315, 240)], fill=(0, 0, 0, 255), width=width,
             joint="curve")
    pen.line([(255, 145), (255, 350)], fill=(0, 0, 0, 255), width=width)
    return canvas


def likeness(received: np.ndarray, canvas: Image.Image) -> float:
    """How much the 28×28 input looks like the drawing: the best correlation with the drawn
    ink cropped and fitted into 20×20, over every place in the 28×28 field."""
    ink = np.asarray(canvas)[..., 3].astype(np.float32) / 255
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    crop = Image.fromarray(ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1])
    scale = 20 / max(crop.size)
    crop = np.asarray(crop.resize((max(1, round(crop.size[0] * scale)),
                                   max(1, round(crop.size[1] * scale))), Image.BOX))
    best = -1.0
    for top in range(29 - crop.shape[0]):
        for left in range(29 - crop.shape[1]):
            field = np.zeros((28, 28), np.float32)
            field[top:top + crop.shape[0], left:left + crop.shape[1]] = crop
            best = max(best, float(np.corrcoef(field.ravel(), received.ravel())[0, 1]))
    return best


@pytest.mark.parametrize("width", [20, 24, 28, 32, 36])
def test_a_drawing_reaches_the_network_as_drawn(served, width):
    """Clean drawings of thick strokes once came out as a blob (the ink taken for the paper)."""
    catalog, key = served
    canvas = drawn_four(width)
    received = catalog.run(key).as_input(canvas)[..., 0]
    assert likeness(received, canvas) > 0.8


def test_one_pass_gives_the_maps_and_grad_cam_of_separate_calls(tiny_run):
    """What the Draw tab computes per stroke (``inspection.maps_and_grad_cam``)."""
    from convscope import inspection

    x_test = tiny_run.data.x_test
    image = tiny_run.scale(x_test[3])
    layers, cam = inspection.maps_and_grad_cam(tiny_run.model, image)
    alone = inspection.grad_cam(tiny_run.model, image)
    for together, apart in zip(layers, inspection.feature_maps(tiny_run.model, image),
                               strict=True):
        assert (together.layer, together.number, together.kind) == (apart.layer, apart.number,
                                                                    apart.kind)
        np.testing.assert_allclose(together.maps, apart.maps, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(cam.heatmap, alone.heatmap, atol=1e-5)
    np.testing.assert_allclose(cam.probabilities, tiny_run.predict_arrays(image[None])[0],
                               atol=1e-5)


def as_data_url(canvas: np.ndarray) -> str:
    """The canvas as the page sends it: a PNG data URL in the event's data."""
    import base64
    import io

    sent = io.BytesIO()
    Image.fromarray(canvas).save(sent, "png")
    return draw.PNG_URL + base64.b64encode(sent.getvalue()).decode()


def test_the_page_s_png_is_read_and_anything_else_refused_in_one_line(served):
    catalog, key = served
    sent = draw.stroke(catalog, key, as_data_url(vertical_stroke()))
    direct = draw.stroke(catalog, key, vertical_stroke())
    assert sent.probabilities == pytest.approx(direct.probabilities)
    for bad, why in (("data:image/jpeg;base64,AAAA", "small PNG"),
                     (draw.PNG_URL + "not base64!", "damaged"),
                     (draw.PNG_URL + "A" * draw.MAX_DRAWING_CHARS, "small PNG"),
                     (draw.PNG_URL + "iVBORw0KGgoAAAAA", "the drawing")):
        with pytest.raises(DataError, match=why) as caught:
            draw.stroke(catalog, key, bad)
        assert "\n" not in str(caught.value)
    huge = np.zeros((4 * CANVAS + 1, 8, 4), np.uint8)
    with pytest.raises(DataError, match="not one this canvas made"):
        draw.stroke(catalog, key, as_data_url(huge))


def test_a_blank_canvas_gets_an_invitation_not_an_error(served):
    catalog, key = served
    blank = np.zeros((CANVAS, CANVAS, 4), np.uint8)
    for canvas in (blank, as_data_url(blank), None):
        view = draw.stroke(catalog, key, canvas)
        assert view.message == say("en", "draw_start")
        assert view.probabilities is None and view.maps is None
    assert draw.stroke(catalog, key, None, "fr").message == say("fr", "draw_start")
    assert draw.stroke(catalog, None, vertical_stroke()).message == say("en", "draw_no_run")


def test_an_older_drawing_or_a_copy_sent_again_is_not_answered():
    sketch = draw.Sketch()
    assert sketch.heard(2, "two") and sketch.current(2)
    assert not sketch.heard(1, "one")  # came late: the page already shows a later one
    assert sketch.png == "two"
    sketch.answered = 2
    assert not sketch.heard(2, "two")  # sent again after its answer: answered already
    assert sketch.heard(3, None) and not sketch.current(2)


def test_a_busy_server_answers_a_stroke_first_and_its_maps_later(served):
    catalog, key = served
    quick = draw.stroke(catalog, key, vertical_stroke(), maps=False)
    full = draw.stroke(catalog, key, vertical_stroke())
    assert quick.message == full.message and quick.maps is None and quick.cam is None
    assert quick.probabilities == pytest.approx(full.probabilities, abs=1e-4)


def test_a_training_step_waits_while_a_page_is_answered():
    from convscope.app.trainer import Priority

    priority, order = Priority(), []
    with priority.answering():
        assert priority.answers == 1
        waiting = threading.Thread(
            target=lambda: (priority.wait_for_answers(limit=60), order.append("step")))
        waiting.start()
        waiting.join(0.3)
        order.append("answer")
    waiting.join(60)
    assert order == ["answer", "step"] and priority.answers == 0


# -- Photo and uploads --------------------------------------------------------------------------


def test_a_photo_of_a_digit_is_prepared_and_answered(served, tmp_path):
    catalog, key = served
    picture = Image.new("L", (300, 300), 255)
    picture.paste(0, (140, 40, 165, 260))  # dark ink on white paper: a 1
    path = tmp_path / "one.png"
    picture.save(path)
    view = photo.photo(catalog, key, str(path))
    assert max(view.probabilities, key=view.probabilities.get) == "1"
    assert "28×28" in view.message and view.cam is not None


@pytest.mark.parametrize("content, name, expected", [
    (b"\xff\xd8\xff\xe0" + b"\x00" * 40, "broken.jpg", "not an image Pillow can read"),
    (None, "cut.png", "damaged image"),  # a real PNG, cut in the middle
    (b"hello, not a photo", "notes.jpg", "not an image"),
    (b"", "empty.png", "empty file"),
])
def test_a_damaged_upload_gets_one_line(served, tmp_path, content, name, expected):
    catalog, key = served
    path = tmp_path / name
    if content is None:
        noise = np.random.default_rng(0).integers(0, 255, (200, 200, 3), dtype=np.uint8)
        Image.fromarray(noise).save(path)
        content = path.read_bytes()[:60_000]
    path.write_bytes(content)
    with pytest.raises(DataError) as caught:
        photo.photo(catalog, key, str(path))
    assert expected in str(caught.value) and "\n" not in str(caught.value)


def test_the_page_shows_a_damaged_upload_as_one_line(served, tmp_path):
    """What the Gradio handler returns: the message, no traceback, nothing else shown."""
    from convscope.app.page import failure

    catalog, key = served
    path = tmp_path / "broken.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 40)
    try:
        photo.photo(catalog, key, str(path))
    except Exception as exc:  # noqa: BLE001
        line = failure(exc, "en")
    assert line.startswith("Problem: ") and "broken.jpg" in line and "\n" not in line
    assert "Traceback" not in line


def test_an_upload_claiming_too_many_pixels_is_refused_before_decoding(tmp_path):
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I",
                                                                       zlib.crc32(kind + data))

    side = int(MAX_UPLOAD_PIXELS ** 0.5) + 10
    # A PNG announcing side × side pixels with almost no data: decoding it would fail (or,
    # complete, take gigabytes); the check reads only its header.
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))
    path = tmp_path / "huge.png"
    path.write_bytes(png)
    with pytest.raises(DataError, match="megapixels"):
        check_upload(path)


def test_an_upload_too_large_in_bytes_is_refused_unread(tmp_path):
    from convscope.app.uploads import MAX_UPLOAD_BYTES

    path = tmp_path / "huge.jpg"
    with open(path, "wb") as f:  # sparse: no disk used
        f.write(b"\xff\xd8\xff")
        f.truncate(MAX_UPLOAD_BYTES + 1)
    with pytest.raises(DataError, match="MB is more than the 25 MB"):
        check_upload(path)


def test_dropped_training_photos_are_checked_and_kept_under_the_runs_root(tmp_path):
    roots = Roots.of(tmp_path / "runs")
    good = tmp_path / "My cat!.jpg"
    Image.new("RGB", (40, 30), "orange").save(good)
    bad = tmp_path / "notes.jpg"
    bad.write_text("not a photo")
    kept, refused = keep_for_training(roots, "pets", "cats", [(good, good.name),
                                                                (bad, bad.name)])
    assert kept == ["My_cat.jpg"] and len(refused) == 1 and "notes.jpg" in refused[0]
    assert (tmp_path / "runs" / "photos" / "pets" / "cats" / "My_cat.jpg").is_file()
    kept, _ = keep_for_training(roots, "pets", "cats", [(good, good.name)])
    assert kept == ["My_cat-2.jpg"]  # never overwrites
    assert "pets" in roots.photo_sets()
    for set_name, class_name in (("pets", "../escape"), ("../up", "cats"), (".hidden", "x"),
                                 ("pets", "a/b"), ("pets", "")):
        with pytest.raises(PathRefused):
            keep_for_training(roots, set_name, class_name, [(good, good.name)])


# -- paths --------------------------------------------------------------------------------------


def test_runs_outside_the_runs_root_are_refused(tiny_run, tmp_path):
    root = tmp_path / "runs"
    roots = Roots.of(root)  # tiny_run lives elsewhere and is not given
    catalog = Catalog(roots)
    outside = str(tiny_run.path.resolve())
    (root / "link").symlink_to(tiny_run.path.resolve())  # a link out of the root
    for key in (outside, "../" * 8 + outside.lstrip("/"), "link", "/etc", "", "photos"):
        with pytest.raises(PathRefused):
            roots.run_path(key)
        with pytest.raises(PathRefused):
            catalog.run(key)
    view = None
    try:
        draw.stroke(catalog, outside, vertical_stroke())
    except PathRefused as exc:
        view = str(exc)
    assert view is not None and "not a run this app serves" in view
    assert catalog.choices() == []  # the link is not offered either
    with pytest.raises(PathRefused):
        roots.photo_set("/etc")
    # The same run given on the command line is served.
    given = Roots.of(root, [tiny_run.path])
    assert given.run_path(outside) == tiny_run.path.resolve()
    assert [key for _, key in Catalog(given).choices("digit")] == [outside]


def test_runs_under_the_runs_root_are_found_by_name(tiny_run, tmp_path):
    import shutil

    root = tmp_path / "runs"
    shutil.copytree(tiny_run.path, root / "group" / "mine")
    roots = Roots.of(root)
    assert roots.run_path("group/mine") == (root / "group" / "mine").resolve()
    labels = Catalog(roots).choices()
    assert [key for _, key in labels] == ["group/mine"]
    assert "mnist" in labels[0][0] and "%" in labels[0][0]


def test_a_bare_keras_model_given_on_the_command_line_can_be_drawn_on(tiny_run, tmp_path):
    import shutil

    model = tmp_path / "mine.keras"
    shutil.copyfile(tiny_run.path / "model.keras", model)
    roots = Roots.of(tmp_path / "runs", [model])
    catalog = Catalog(roots)
    assert [key for _, key in catalog.choices("digit")] == [str(model.resolve())]
    view = draw.stroke(catalog, str(model.resolve()), vertical_stroke())
    assert view.probabilities is not None and view.maps is not None
    with pytest.raises(Exception, match="no dataset"):
        explore.overview(catalog, str(model.resolve()))


# -- Explore ------------------------------------------------------------------------------------


def test_exploring_a_run(served):
    catalog, key = served
    seen = explore.overview(catalog, key)
    run = catalog.run(key)
    total = sum(sum(row[1:]) for row in seen.confusion)
    assert total == len(run.data.y_test) and len(seen.confusion_headers) == 11
    wrong = len(run.evaluation.mistakes())
    assert len(seen.mistakes) == len(seen.mistake_indices) == min(wrong, explore.GALLERY_IMAGES)
    assert [number for _, number in seen.layers] == ["1", "2"]
    assert "| Recipe | mnist |" in seen.summary and seen.curves is not None
    assert "| Unsure below |" in seen.summary and "calibration error" in seen.summary
    assert seen.report == str(run.path / "report.html")  # training wrote it
    matrix = np.array([row[1:] for row in seen.confusion])
    true, predicted = np.unravel_index(np.argmax(matrix - np.diag(np.diag(matrix))),
                                       matrix.shape)
    items, indices, message = explore.cell_images(catalog, key, int(true), int(predicted))
    assert len(items) == len(indices) == min(matrix[true, predicted], explore.GALLERY_IMAGES)
    assert f"taken for {predicted}" in message
    first_seven = explore.first_of_class(catalog, key, "7")
    looked = explore.inspect_test_image(catalog, key, first_seven)
    assert "(7)" in looked.message and looked.maps.shape[0] > 300
    last = len(run.data.y_test) - 1
    with pytest.raises(Exception, match=f"between 0 and {last}"):
        explore.inspect_test_image(catalog, key, last + 1)
    assert explore.filter_picture(catalog, key, "2", 3, 8, "en").size[0] > 100
    assert explore.kernels_picture(catalog, key, "1", "fr").size[0] > 100


def test_a_report_beside_the_run_is_linked(tiny_run, tmp_path):
    import shutil

    root = tmp_path / "runs"
    shutil.copytree(tiny_run.path, root / "with-report")
    (root / "with-report" / "report.html").write_text("<html></html>")
    seen = explore.overview(Catalog(Roots.of(root)), "with-report")
    assert seen.report.endswith("with-report/report.html")


# -- Train --------------------------------------------------------------------------------------


def _wait_for(condition, seconds: float = 240):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_training_reports_to_the_page_stops_and_resumes(tmp_path):
    """Start → events reach the page's view → a second Start is refused → Stop keeps the last
    complete epoch → the run is offered to Resume, which finishes it."""
    roots = Roots.of(tmp_path / "runs")
    catalog = Catalog(roots)
    trainer = Trainer(roots, on_change=catalog.forget)
    said = train.start(trainer, "mnist", None, epochs=3, fast=False, augment=False, limit=300)
    assert said.startswith("Started mnist → mnist-")
    refused = train.start(trainer, "mnist", None, 1, False, False, 300)
    assert refused.startswith("Problem: a training is already running")
    assert "started at " in refused
    shot = _wait_for(lambda: (s := trainer.snapshot()).history and s)
    refused = train.start(trainer, "mnist", None, 1, False, False, 300)
    assert re.search(r"/3 epochs done, ends about \d\d:\d\d", refused), refused
    assert train.stop(trainer) == say("en", "train_stopping")
    assert trainer.wait(120)
    shot = trainer.snapshot()
    assert shot.state == "interrupted" and 1 <= len(shot.history) < 3
    view = train.render(shot)
    assert view.status.startswith("Stopped mnist → mnist-") and not view.busy
    assert len(view.table) == len(shot.history) and view.table[0][0] == 1
    assert "mnist: 300 training and 1,000 test images" in shot.dataset
    stopped = catalog.choices(status="interrupted")
    assert [key for _, key in stopped] == [shot.run_dir.name]
    assert train.stop(trainer) == say("en", "train_nothing")

    assert train.resume(trainer, shot.run_dir.name).startswith("Resuming mnist-")
    assert trainer.wait(240)
    shot = trainer.snapshot()
    assert shot.state == "complete" and len(shot.history) == 3, shot.error
    assert train.render(shot, "fr").status.startswith("Terminé : mnist")
    from convscope.runs import Run

    assert Run(shot.run_dir).status == "complete" and Run(shot.run_dir).epochs_done == 3
    assert catalog.choices(status="interrupted") == []
    assert [p.name for p in (tmp_path / "runs").iterdir()] == [shot.run_dir.name]
    # Written by the library at the end of the training, as for every face, in the language
    # of the page that resumed it.
    page = (shot.run_dir / "report.html").read_text(encoding="utf-8")
    assert 'lang="en"' in page and 'id="r0-seeing"' in page


def test_a_library_error_reaches_the_page_in_its_words(tmp_path, tiny_run):
    """The library names what fixes a problem by its parameters; the page says them as its
    own controls, in its language, never as the command line's flags."""
    roots = Roots.of(tmp_path / "runs", [tiny_run.path])
    trainer = Trainer(roots)
    key = roots.key(tiny_run.path.resolve())
    for lang, control in (("en", "“Epochs”"), ("fr", "« Époques »")):
        said = train.resume(trainer, key, lang)
        assert "already trained 1/1 epochs" in said and control in said, said
        assert "--" not in said and "epochs=" not in said and "\n" not in said


def test_training_on_missing_data_fails_in_one_line_and_leaves_no_run(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVSCOPE_DATA", str(tmp_path / "nowhere"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    roots = Roots.of(tmp_path / "runs")
    said = train.start(Trainer(roots), "cifar10", None, 1, False, False, 100)
    assert said.startswith("Problem: cifar10 is not on this computer") and "\n" not in said
    assert list((tmp_path / "runs").iterdir()) == []


def test_a_photo_set_is_scanned_with_its_skipped_files(tmp_path):
    roots = Roots.of(tmp_path / "runs")
    for name, colour in (("red", "red"), ("blue", "blue")):
        files = []
        for i in range(3):
            path = tmp_path / f"{name}{i}.png"
            Image.new("RGB", (50, 40), colour).save(path)
            files.append((path, path.name))
        keep_for_training(roots, "colours", name, files)
    (roots.uploads / "colours" / "red" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n0000")
    page = Page(roots, Catalog(roots), Trainer(roots))
    counts, skipped = train.scan(page, "catsdogs", "colours")
    assert "| all | blue | 3 |" in counts and "| all | red | 3 |" in counts
    assert "Files skipped: 1" in skipped and "broken.png" in skipped
    with pytest.raises(PathRefused):
        train.scan(page, "catsdogs", "/etc")


# -- words --------------------------------------------------------------------------------------


def test_the_language_follows_the_browser():
    assert language_of("fr-FR,fr;q=0.9,en;q=0.8") == "fr"
    assert language_of("de-DE,fr;q=0.5") == "fr"
    assert language_of("en-GB,en;q=0.9") == "en"
    assert language_of(None) == "en" and language_of("ja") == "en"


def test_the_whole_page_relabels_in_both_languages(served, tmp_path):
    from convscope.app.server import build

    catalog, _ = served
    page = Page(catalog.roots, catalog, Trainer(catalog.roots))
    build(page)
    french = page.relabel("fr")
    assert len(french) == len(page.texts) > 40
    assert {"label": "Dessiner", "__type__": "update"} in french
    assert {"label": "Draw", "__type__": "update"} in page.relabel("en")
    # Gradio writes a .pyi stub beside the source of a component class: the app defines none.
    from pathlib import Path

    import convscope.app

    assert list(Path(convscope.app.__file__).parent.glob("*.pyi")) == []


def test_the_server_starts_locally_and_calls_nothing_outside(served, tmp_path, monkeypatch):
    """Launching and serving the page connects to nothing but this computer (no analytics,
    no version check, no fonts), and a taken port is swapped for a free one."""
    import socket
    import urllib.request

    from convscope.app import start, stop

    catalog, key = served
    reached = []
    connect = socket.socket.connect

    def recording(self, address):
        reached.append(address)
        return connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", recording)
    monkeypatch.chdir(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        url, page, blocks = start(runs=[key], runs_root="runs", port=port, quiet=True)
    try:
        assert not url.endswith(f":{port}/") and url.startswith("http://127.0.0.1:")
        html = urllib.request.urlopen(url, timeout=30).read().decode()
        assert "<html" in html.lower()
        assert not any(host in html for host in ("googleapis", "cdn.", "unpkg", "jsdelivr"))
    finally:
        stop(page, blocks)
    outside = [a for a in reached if isinstance(a, tuple) and a[0] not in ("127.0.0.1", "::1",
                                                                           "localhost")]
    assert outside == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs"]


def test_the_command_is_there_and_refuses_a_bad_run_in_one_line(tmp_path):
    from helpers import run_cli

    shown = run_cli("app", "--help")
    assert shown.returncode == 0 and "RUN_DIR" in shown.stdout and "--photos" in shown.stdout
    refused = run_cli("app", tmp_path / "nowhere", "--runs-root", tmp_path / "runs")
    assert refused.returncode == 1
    assert refused.stderr.strip().startswith("error: ") and "nowhere" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "runs").exists()  # a refused command leaves nothing behind


def test_an_answer_below_the_runs_unsure_threshold_says_so(served, tiny_run, monkeypatch):
    from convscope.calibration import Calibration

    catalog, key = served
    run = catalog.run(key)
    sure = draw.stroke(catalog, key, vertical_stroke())
    never = Calibration([], 0.0, None)  # a run whose test answers never reached 90 %
    monkeypatch.setitem(run.__dict__, "calibration", never)
    unsure = draw.stroke(catalog, key, vertical_stroke(), "fr")
    assert unsure.message.endswith(say("fr", "unsure_always_answer", target="90\u202f%"))
    threshold = tiny_run.calibration.unsure_below
    confidence = max(sure.probabilities.values())
    assert ("Unsure" in sure.message) == (threshold is None or confidence < threshold)
