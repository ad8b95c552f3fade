"""The web app in a real browser (Debian's chromium through Playwright): a stroke on the canvas,
a photo uploaded, a run explored, a short training with live curves and Stop, the page in
French; no request leaves the app, and nothing is written outside its runs root. Screenshots go
to ``test-artefacts/app-*.png`` for a person to look at.

Software rendering takes 100–150 ms per mouse event here, so strokes are short (12 moves).
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("gradio")

from browser import browser_page, save_screenshot, stroke  # noqa: E402

WAIT_MS = 120_000


@pytest.fixture(scope="module")
def photo_run(tmp_path_factory):
    """A two-class photo run in seconds: red and blue pictures, the catsdogs network."""
    import convscope

    folder = tmp_path_factory.mktemp("colours")
    rng = np.random.default_rng(0)
    for name, channel in (("red", 0), ("blue", 2)):
        (folder / name).mkdir()
        for i in range(16):
            picture = rng.integers(0, 90, (60, 80, 3), dtype=np.uint8)
            picture[..., channel] = 200
            Image.fromarray(picture).save(folder / name / f"{name}{i}.png")
    out = tmp_path_factory.mktemp("photo-runs") / "colours"
    return convscope.train("catsdogs", folder=folder, validation_split=0.25, epochs=1, out=out,
                           progress=False, cache=False)


@pytest.fixture(scope="module")
def app(tiny_run, photo_run, tmp_path_factory):
    """The app on a free port, serving the tiny MNIST run and the photo run, with its own
    runs root; started from an empty folder to see that it writes nothing there."""
    import shutil

    from convscope.app import start, stop
    from convscope.app.server import free_port

    home = tmp_path_factory.mktemp("app-cwd")
    # A run under the runs root with an HTML report beside it (as `convscope report` writes).
    shutil.copytree(tiny_run.path, home / "runs" / "reported")
    (home / "runs" / "reported" / "report.html").write_text(
        "<!doctype html><title>the report</title><p>report of reported</p>", encoding="utf-8")
    before = os.getcwd()
    os.chdir(home)
    try:
        url, page, blocks = start(runs=[tiny_run.path, photo_run.path], runs_root="runs",
                                  port=free_port("127.0.0.1", 0), quiet=True)
        yield url, page
        stop(page, blocks)
        assert not page.temp.exists()  # Gradio's uploads and pictures went with it
        assert sorted(p.name for p in home.iterdir()) == ["runs"]
    finally:
        os.chdir(before)


def open_page(page, url: str) -> list[str]:
    """Load the app; returns the list that collects every URL the page requests."""
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.set_default_timeout(WAIT_MS)  # a busy 2-core machine can take its time
    page.goto(url)
    page.wait_for_selector("#draw-canvas canvas", timeout=WAIT_MS)
    return requested


def assert_stays_local(requested: list[str], url: str) -> None:
    outside = [u for u in requested if not u.startswith(url) and not u.startswith("data:")
               and not u.startswith("blob:")]
    assert outside == []


def text_of(page, selector: str) -> str:
    return page.locator(selector).inner_text()


def test_a_stroke_gives_a_prediction_maps_and_grad_cam(app):
    url, state = app
    with browser_page() as page:
        requested = open_page(page, url)
        stroke(page, "#draw-canvas canvas")
        page.wait_for_function(
            "document.querySelector('#draw-message').innerText.includes('reads')",
            timeout=WAIT_MS)
        page.wait_for_selector("#draw-maps img", timeout=WAIT_MS)
        page.wait_for_selector("#draw-cam img", timeout=WAIT_MS)
        assert re.search(r"The network reads \d \(\d+% sure\)", text_of(page, "#draw-message"))
        assert "%" in text_of(page, "#draw-probabilities")
        maps = page.locator("#draw-maps img").first.bounding_box()
        assert maps["height"] > 200
        # The three pictures are the PNG files the app wrote in Gradio's folder, named by their
        # content, grey ones in one channel (issue 32: not Gradio's encoding).
        for name, mode in (("seen", "L"), ("maps", "L"), ("cam", "RGB")):
            src = unquote(page.locator(f"#draw-{name} img").first.get_attribute("src"))
            path = Path(src.partition("file=")[2])
            assert path.parent.parent == state.temp and path.name == "image.png", src
            assert path.parent.name == hashlib.sha256(path.read_bytes()).hexdigest()
            with Image.open(path) as shown:
                assert (shown.format, shown.mode) == ("PNG", mode)
        save_screenshot(page, "app-draw")
        # Undo the only stroke, then draw again: the answer comes back; ✕ clears.
        page.locator("#draw-canvas button.undo").click()
        page.wait_for_function(
            "document.querySelector('#draw-message').innerText.includes('Draw a digit')",
            timeout=WAIT_MS)
        stroke(page, "#draw-canvas canvas")
        page.wait_for_function(
            "document.querySelector('#draw-message').innerText.includes('reads')",
            timeout=WAIT_MS)
        page.locator("#draw-canvas button.clear").click()
        page.wait_for_function(
            "document.querySelector('#draw-message').innerText.includes('Draw a digit')",
            timeout=WAIT_MS)
        assert_stays_local(requested, url)


def test_an_uploaded_photo_gives_a_class_and_grad_cam(app, tmp_path):
    url, _ = app
    picture = np.zeros((300, 400, 3), np.uint8)
    picture[..., 0] = 210
    Image.fromarray(picture).save(tmp_path / "red.jpg")
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 64)
    with browser_page() as page:
        requested = open_page(page, url)
        page.get_by_role("tab", name="Photo").click()
        page.locator("#photo-run input").click()
        page.get_by_role("option", name=re.compile("colours")).first.click()
        page.locator("#photo-input input[type=file]").set_input_files(str(tmp_path / "red.jpg"))
        page.wait_for_function(
            "document.querySelector('#photo-message').innerText.includes('sees')",
            timeout=WAIT_MS)
        page.wait_for_selector("#photo-cam img", timeout=WAIT_MS)
        assert re.search(r"The network sees (red|blue) \(\d+% sure\) in the photo made 64×64",
                         text_of(page, "#photo-message"))
        save_screenshot(page, "app-photo")
        # A damaged file: one line in the page, no traceback, no error pop-up.
        open_page(page, url)
        page.get_by_role("tab", name="Photo").click()
        page.locator("#photo-input input[type=file]").set_input_files(
            str(tmp_path / "broken.jpg"))
        page.wait_for_function(
            "document.querySelector('#photo-message').innerText.includes('Problem')",
            timeout=WAIT_MS)
        message = text_of(page, "#photo-message")
        assert message.startswith("Problem: ") and "broken.jpg" in message
        assert "\n" not in message.strip() and "Traceback" not in page.content()
        assert_stays_local(requested, url)


def test_a_run_is_explored_down_to_one_mistake(app):
    url, _ = app
    with browser_page() as page:
        requested = open_page(page, url)
        page.get_by_role("tab", name="Explore a run").click()
        page.locator("#explore-run input").click()
        page.get_by_role("option", name=re.compile("tiny")).first.click()
        page.wait_for_selector("#explore-mistakes button.thumbnail-item", timeout=WAIT_MS)
        assert "| Recipe" not in text_of(page, "#explore-summary")  # a table, not raw text
        page.locator("#explore-confusion [data-testid='cell-4-5']").click()  # 4 read as 4
        page.wait_for_selector("#explore-cell button.thumbnail-item", timeout=WAIT_MS)
        assert "test images of 4 taken for 4" in page.inner_text("body")
        page.locator("#explore-mistakes button.thumbnail-item").first.click()
        page.wait_for_function(
            "document.querySelector('#explore-inspected').innerText.includes('wrong')",
            timeout=WAIT_MS)
        page.wait_for_selector("#explore-layers img", timeout=WAIT_MS)
        save_screenshot(page, "app-explore")
        assert_stays_local(requested, url)


def test_a_short_training_grows_live_and_stops_keeping_its_epochs(app):
    url, state = app
    with browser_page() as page:
        requested = open_page(page, url)
        page.get_by_role("tab", name="Train").click()
        # Enough epochs that Stop, clicked after the first one, always lands mid-run.
        page.locator("#train-epochs input").fill("30")
        page.locator("#train-limit input").fill("300")
        page.locator("#train-start").click()
        page.wait_for_function(
            "document.querySelector('#train-progress').innerText.includes('Epoch')",
            timeout=WAIT_MS)
        page.wait_for_selector("#train-curves img", timeout=WAIT_MS)  # after the first epoch
        assert "Training mnist" in text_of(page, "#train-status")
        page.locator("#train-stop").click()
        page.wait_for_function(
            "document.querySelector('#train-status').innerText.includes('Stopped')",
            timeout=WAIT_MS)
        done = re.search(r"after (\d+)/30 epochs", text_of(page, "#train-status"))
        assert done and 1 <= int(done[1]) < 30
        # Gradio's table keeps only some of its rows in the page's tree as it scrolls.
        assert 1 <= page.locator("#train-table tbody tr").count() <= int(done[1])
        save_screenshot(page, "app-train")
        assert_stays_local(requested, url)
    shot = state.trainer.snapshot()
    assert shot.state == "interrupted" and Path(shot.run_dir).parent.name == "runs"
    assert shot.run_dir.name in [key for _, key in state.catalog.choices(status="interrupted")]


def test_a_run_s_report_opens_and_nothing_else_of_it_is_served(app):
    url, _ = app
    with browser_page() as page:
        open_page(page, url)
        page.get_by_role("tab", name="Explore a run").click()
        page.locator("#explore-run input").click()
        page.get_by_role("option", name=re.compile("^reported ")).first.click()
        link = page.locator("#explore-report a")
        link.wait_for(timeout=WAIT_MS)
        with page.context.expect_page() as opened:
            link.click()
        report = opened.value
        report.wait_for_load_state()
        assert report.title() == "the report"
        run_dir = link.get_attribute("href").split("=", 1)[1].rsplit("/", 1)[0]
        for other in (f"{run_dir}/config.json", f"{run_dir}/model.keras", "/etc/passwd"):
            assert page.request.get(f"{url}gradio_api/file={other}").status == 403


def test_the_page_speaks_french(app):
    url, _ = app
    with browser_page() as page:
        open_page(page, url)
        page.locator("#language label", has_text="Français").click()
        page.get_by_role("tab", name="Dessiner").wait_for(timeout=WAIT_MS)
        assert page.get_by_role("tab", name="Entraîner").count() == 1
        time.sleep(0.5)
        save_screenshot(page, "app-french")
