"""Inside one number in a real browser (Debian's chromium through Playwright): a stroke on
the canvas, then a click on one value of the first layer's maps shows its arithmetic and its
receptive field, and undoing the drawing takes it away. Screenshot:
``test-artefacts/app-arithmetic.png``."""

from __future__ import annotations

import os

import pytest

pytest.importorskip("gradio")

from browser import browser_page, save_screenshot, stroke  # noqa: E402
from test_app_browser import WAIT_MS, open_page  # noqa: E402

# Where on the displayed picture a pixel of its own lies: Gradio shows it scaled down to fit
# (never up) and centred, and reads a click back the same way (its ImagePreview).
CLIENT_POINT = """([x, y]) => {
  const img = document.querySelector('#draw-maps img');
  const box = img.getBoundingClientRect();
  const r = Math.min(box.width / img.naturalWidth, box.height / img.naturalHeight, 1);
  return [box.left + (box.width - img.naturalWidth * r) / 2 + (x + 0.5) * r,
          box.top + (box.height - img.naturalHeight * r) / 2 + (y + 0.5) * r];
}"""


@pytest.fixture(scope="module")
def app(tiny_run, tmp_path_factory):
    from convscope.app import start, stop
    from convscope.app.server import free_port

    home = tmp_path_factory.mktemp("app-cwd")
    before = os.getcwd()
    os.chdir(home)
    try:
        url, page, blocks = start(runs=[tiny_run.path], runs_root="runs",
                                  port=free_port("127.0.0.1", 0), quiet=True)
        yield url
        stop(page, blocks)
    finally:
        os.chdir(before)


def test_a_click_on_a_map_shows_the_arithmetic_of_that_value(app, tiny_run):
    from convscope.pictures import SheetLayout

    layer = tiny_run.model.layers[0]
    first = SheetLayout.of(tuple(layer.output.shape[1:]))
    y, x = first.corner(4)  # map 5, value at row 12, column 13
    x, y = x + 13 * first.factor + first.factor // 2, y + 12 * first.factor + first.factor // 2
    with browser_page(height=1400) as page:
        open_page(page, app)
        stroke(page, "#draw-canvas canvas")
        page.wait_for_selector("#draw-maps img", timeout=WAIT_MS)
        page.wait_for_function("document.querySelector('#draw-maps img').naturalWidth > 0")
        page.locator("#draw-maps img").scroll_into_view_if_needed()
        page.mouse.click(*page.evaluate(CLIENT_POINT, [x, y]))
        page.wait_for_function(
            "document.querySelector('#draw-arithmetic').innerText.includes('map 5 at row 12')",
            timeout=WAIT_MS)
        page.wait_for_selector("#draw-field img", timeout=WAIT_MS)
        text = page.locator("#draw-arithmetic").inner_text()
        for said in ("input patch", "× kernel", "= products", "correlation", "+ bias",
                     "Recomputed"):
            assert said in text
        assert page.locator("#draw-arithmetic table").count() == 1
        page.locator("#draw-arithmetic").scroll_into_view_if_needed()
        save_screenshot(page, "app-arithmetic")
        # The drawing undone: the panel explains nothing it no longer shows.
        page.locator("#draw-canvas button.undo").click()
        page.wait_for_function(
            "document.querySelector('#draw-arithmetic').innerText.includes('Click inside')",
            timeout=WAIT_MS)


def test_a_class_score_picked_in_the_probabilities_shows_its_sum_and_softmax(app):
    with browser_page(height=1400) as page:
        open_page(page, app)
        stroke(page, "#draw-canvas canvas")
        page.wait_for_selector("#draw-probabilities .confidence-set", timeout=WAIT_MS)
        page.wait_for_selector("#draw-maps img", timeout=WAIT_MS)
        page.locator('#draw-probabilities [data-testid="3-confidence-set"]').click()
        page.wait_for_function(
            "document.querySelector('#draw-arithmetic').innerText.includes('class 3')",
            timeout=WAIT_MS)
        text = page.locator("#draw-arithmetic").inner_text()
        for said in ("the score of class 3", "Its 12,544 inputs", "× weight", "Σ of all 12,544",
                     "+ bias", "Softmax turns the 10 scores", "probability", "Recomputed"):
            assert said in text
        assert page.locator("#draw-arithmetic table").count() == 2  # products, softmax
        page.locator("#draw-arithmetic").scroll_into_view_if_needed()
        save_screenshot(page, "app-class-score")


def test_the_trust_box_ticked_shows_the_check(app):
    with browser_page(height=1400) as page:
        open_page(page, app)
        stroke(page, "#draw-canvas canvas")
        page.wait_for_selector("#draw-maps img", timeout=WAIT_MS)
        assert page.locator("#draw-trust-maps img").count() == 0  # nothing until ticked
        page.locator("#draw-trust input[type=checkbox]").check()
        page.wait_for_selector("#draw-trust-maps img", timeout=WAIT_MS)
        page.wait_for_function(
            "document.querySelector('#draw-trust-sentence').innerText.length > 20",
            timeout=WAIT_MS)
        page.locator("#draw-trust-maps").scroll_into_view_if_needed()
        save_screenshot(page, "app-trust")
        # Ticked, the check follows the drawing: another stroke, another check.
        before = page.get_attribute("#draw-trust-maps img", "src")
        page.locator("#draw-canvas canvas").scroll_into_view_if_needed()
        box = page.locator("#draw-canvas canvas").first.bounding_box()
        page.mouse.move(box["x"] + 0.3 * box["width"], box["y"] + 0.3 * box["height"])
        page.mouse.down()
        page.mouse.move(box["x"] + 0.6 * box["width"], box["y"] + 0.3 * box["height"], steps=6)
        page.mouse.up()
        page.wait_for_function(f"document.querySelector('#draw-trust-maps img')?.src "
                               f"!== {before!r}", timeout=WAIT_MS)


def test_the_panel_follows_a_stroke_only_when_something_was_clicked(app, monkeypatch):
    """Every event a stroke starts costs the server time while the page waits for its
    pictures (benchmarks/RESULTS.md § 11.2): the arithmetic panel is computed again after a
    stroke only when a value or a class was clicked, then for the new drawing."""
    import time

    from convscope.app import arithmetic

    computed = []
    for name in ("clicked", "scored"):
        original = getattr(arithmetic, name)
        monkeypatch.setattr(arithmetic, name, lambda *a, _f=original, _n=name, **k:
                            computed.append(_n) or _f(*a, **k))

    def after_a_stroke(page, x, y) -> list:
        """What the panel computed after a short stroke at (x, y) (fractions of the canvas)."""
        time.sleep(1.0)  # earlier events done
        answered = page.inner_text("#draw-answered")
        computed.clear()
        box = page.locator("#draw-canvas canvas").first.bounding_box()
        page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"])
        page.mouse.down()
        page.mouse.move(box["x"] + (x + 0.15) * box["width"], box["y"] + y * box["height"],
                        steps=6)
        page.mouse.up()
        page.wait_for_function(f"document.querySelector('#draw-answered').innerText "
                               f"!== {answered!r}", timeout=WAIT_MS)
        time.sleep(1.5)  # any follow-up done by now
        return list(computed)

    with browser_page(height=1400) as page:
        open_page(page, app)
        stroke(page, "#draw-canvas canvas")
        page.wait_for_selector("#draw-maps img", timeout=WAIT_MS)
        assert after_a_stroke(page, 0.3, 0.3) == []
        page.locator('#draw-probabilities [data-testid="3-confidence-set"]').click()
        page.wait_for_function(
            "document.querySelector('#draw-arithmetic').innerText.includes('class 3')",
            timeout=WAIT_MS)
        assert after_a_stroke(page, 0.3, 0.7) == ["scored"]
