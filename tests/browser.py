"""Debian's chromium driven by Playwright, for the tests that open a page in a real browser.

No browser is downloaded: Playwright starts ``/usr/bin/chromium`` (``apt-get install -y
chromium``; ``.ci/run`` installs it when missing). Without it, or without Playwright, the
browser tests are skipped with the reason.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CONVSCOPE_CHROMIUM", "/usr/bin/chromium")
# Headless, as root in a container, and quiet on a machine without internet: without the
# background-networking flags chromium keeps trying to reach Google's hosts.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-default-apps", "--mute-audio"]
# Screenshots the tests take, kept for a person to look at (CI keeps this folder).
ARTEFACTS = Path(os.environ.get("CONVSCOPE_TEST_ARTEFACTS",
                                Path(__file__).resolve().parents[1] / "test-artefacts"))


@contextlib.contextmanager
def browser_page(width: int = 1280, height: int = 900):
    """A fresh chromium page (its own profile), closed afterwards."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"no chromium at {CHROMIUM} (apt-get install -y chromium)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with tempfile.TemporaryDirectory() as profile, playwright_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": width, "height": height})
        try:
            page = context.pages[0] if context.pages else context.new_page()
            yield page
        finally:
            context.close()


def save_screenshot(page, name: str) -> Path:
    """A full-page screenshot in the artefacts folder, for a person to look at."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def stroke(page, selector: str, moves: int = 12) -> None:
    """A vertical stroke down the middle of a canvas."""
    box = page.locator(selector).first.bounding_box()
    x, top, height = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.2, box["height"]
    page.mouse.move(x, top)
    page.mouse.down()
    for i in range(1, moves + 1):
        page.mouse.move(x, top + 0.6 * height * i / moves)
    page.mouse.up()
