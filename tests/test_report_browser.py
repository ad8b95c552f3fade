"""The report in a real browser (Debian's chromium, through Playwright): opened from disk, it
shows every image, raises no console error, fits 1280 pixels, opens a confusion-matrix cell
on a click, and prints on A4. Full-page screenshots go to test-artefacts/ for a person."""

from __future__ import annotations

import pytest
from browser import ARTEFACTS, browser_page, save_screenshot
from test_report import ODD_CLASS, make_photo_folder

import convscope

WIDTH = 1280


@pytest.fixture(scope="module")
def mnist_page(tiny_run, tmp_path_factory):
    return convscope.report(tiny_run, tmp_path_factory.mktemp("pages") / "mnist.html",
                            lang="en")


@pytest.fixture(scope="module")
def folder_page(tmp_path_factory):
    root = make_photo_folder(tmp_path_factory.mktemp("photos") / "odd")
    run = convscope.train("catsdogs", folder=root, validation_split=0.4, epochs=1,
                          out=tmp_path_factory.mktemp("runs") / "odd", progress=False)
    return convscope.report(run, lang="fr")


@pytest.fixture(scope="module")
def comparison_page(tiny_run, tmp_path_factory):
    """Two runs compared, the second with a long name: the table must still fit the page."""
    import shutil

    twin = tmp_path_factory.mktemp("runs") / "tiny-with-a-rather-long-run-folder-name"
    shutil.copytree(tiny_run.path, twin, dirs_exist_ok=True)
    return convscope.report([tiny_run.path, twin],
                            tmp_path_factory.mktemp("pages") / "compare.html", lang="fr")


def open_page(page, path) -> list[str]:
    """Load ``path`` from disk and return the console errors and page errors it raised."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.resolve().as_uri())
    page.wait_for_load_state("load")
    return errors


def undecoded(page) -> list[str]:
    """The alt text of every image that did not decode (none, when all is well)."""
    return page.evaluate("""() => [...document.images]
        .filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.alt)""")


def horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_mnist_report_in_chromium(mnist_page):
    with browser_page(WIDTH) as page:
        errors = open_page(page, mnist_page)
        assert errors == []
        assert page.evaluate("document.images.length") > 100
        assert undecoded(page) == []
        assert horizontal_overflow(page) <= 0
        # One panel is open at first: the most frequent mistake.
        opened = page.locator(".cm-panel.open")
        assert opened.count() == 1 and opened.is_visible()
        first = opened.get_attribute("id")
        # A click on a diagonal cell shows that cell's images, and only those.
        cell = page.locator('a.cm-cell[href="#r0-cm-3-3"]')
        cell.scroll_into_view_if_needed()
        y_before = page.evaluate("window.scrollY")
        cell.click()
        panel = page.locator("#r0-cm-3-3")
        assert panel.is_visible() and not page.locator(f"#{first}").is_visible()
        assert "True 3, predicted 3" in panel.inner_text()
        assert panel.locator("img").count() > 0
        assert panel.locator("img").first.evaluate("img => img.naturalWidth") > 0
        assert cell.get_attribute("aria-current") == "true"
        assert page.evaluate("window.scrollY") == y_before  # opened in place, no jump
        save_screenshot(page, "report-mnist")


def test_mnist_report_prints_on_a4(mnist_page):
    with browser_page(WIDTH) as page:
        open_page(page, mnist_page)
        page.emulate_media(media="print")
        assert horizontal_overflow(page) <= 0
        assert page.locator(".cm-panel.open").count() == 1
        assert page.locator(".cm-panel:not(.open)").first.is_hidden()
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF")
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        (ARTEFACTS / "report-mnist.pdf").write_bytes(pdf)


def test_photo_folder_report_in_french_in_chromium(folder_page):
    with browser_page(WIDTH) as page:
        errors = open_page(page, folder_page)
        assert errors == []
        assert undecoded(page) == []
        assert horizontal_overflow(page) <= 0
        assert page.evaluate("document.documentElement.lang") == "fr"
        text = page.evaluate("document.body.innerText")
        # The odd names are shown as they are, and made no element of the page.
        assert ODD_CLASS in text and "broken <&>.jpg" in text
        assert page.locator("td b, th b, h5 b, figcaption b").count() == 0
        assert "Que voit le réseau ?" in text
        page.locator("a.cm-cell").first.click()
        assert page.locator(".cm-panel.open img").count() > 0
        save_screenshot(page, "report-folder-fr")


def table_overflow(page, selector: str) -> int:
    """How many pixels the widest of these tables runs past its box (scrolls sideways)."""
    return page.evaluate(f"""() => Math.max(...[...document.querySelectorAll('{selector}')]
        .map(t => t.scrollWidth - t.parentElement.clientWidth))""")


@pytest.mark.parametrize("width", [1280, 900])
def test_comparison_table_fits_without_scrolling_sideways(comparison_page, width):
    with browser_page(width) as page:
        assert open_page(page, comparison_page) == []
        assert page.locator("table.cs-compare tbody tr").count() == 2
        assert table_overflow(page, "table.cs-compare") <= 0
        page.emulate_media(media="print")
        assert table_overflow(page, "table.cs-compare") <= 0
        if width == 900:
            save_screenshot(page, "report-compare-fr")
