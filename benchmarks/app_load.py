"""The app under a class: N browser pages (each its own profile, a learner each) open the app
right after it starts (cold) and again once it has answered (warm), each drawing strokes on the
Draw tab (a clear between digits), with and without a training running in the server.

Per case: strokes drawn and answered (an answer is the page showing the number of its latest
drawing), the time from the pointer's release to that answer (p50 / p95 / max), how many
answers the server computed at once at most (``Priority``: what the queue does), and how often a
page said the server is busy. No stroke may go unanswered.

    CONVSCOPE_DATA=../shared/datasets python benchmarks/app_load.py runs/mnist \\
        --sessions 2 4 8 --strokes 8 --training
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the project's chromium settings (tests/browser.py)

PAUSE_SECONDS = 0.5  # between a learner's answer and their next stroke
ANSWER_SECONDS = 60  # longer than this counts as no answer


async def draw(page, k: int) -> None:
    """One short stroke, placed by its number (a learner's strokes differ)."""
    box = await page.locator("#draw-canvas canvas").first.bounding_box()
    x = box["x"] + box["width"] * (0.3 + 0.1 * (k % 4))
    top, height = box["y"] + box["height"] * 0.2, box["height"]
    await page.mouse.move(x, top)
    await page.mouse.down()
    for i in range(1, 7):
        await page.mouse.move(x + 2 * i, top + 0.6 * height * i / 6)
    await page.mouse.up()


async def learner(browser, url: str, strokes: int, results: list) -> None:
    """Open the app, draw ``strokes`` strokes (a clear every two), time each answer."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await page.add_init_script(BUSY_COUNTER)
    await page.goto(url, timeout=ANSWER_SECONDS * 1000)
    await page.wait_for_selector("#draw-canvas canvas", timeout=ANSWER_SECONDS * 1000)
    version = 0
    for k in range(strokes):
        if k and k % 2 == 0:
            await page.locator("#draw-canvas button.clear").click()
            version += 1
            await answered(page, version)
        await draw(page, k)
        version += 1
        began = time.perf_counter()
        ok = await answered(page, version)
        results.append(time.perf_counter() - began if ok else None)
        await asyncio.sleep(PAUSE_SECONDS)
    results.append(("busy", await page.evaluate("window.busyShown || 0")))
    await context.close()


# Counts the times the page's busy notice appears.
BUSY_COUNTER = """
new MutationObserver(() => {
  const notice = document.querySelector('#draw-canvas .busy');
  if (notice && !notice.hidden && !notice.dataset.counted) {
    window.busyShown = (window.busyShown || 0) + 1; notice.dataset.counted = '1';
  }
  if (notice && notice.hidden) delete notice.dataset.counted;
}).observe(document, {subtree: true, attributes: true, childList: true});
"""


async def answered(page, version: int) -> bool:
    try:
        await page.wait_for_function(
            f"Number(document.querySelector('#draw-answered')?.innerText) >= {version}",
            timeout=ANSWER_SECONDS * 1000, polling=10)
        return True
    except Exception:  # Playwright's timeout: the stroke got no answer
        return False


async def class_draws(url: str, sessions: int, strokes: int) -> tuple[list, int]:
    from browser import CHROMIUM, FLAGS
    from playwright.async_api import async_playwright

    results: list = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        await asyncio.gather(*(learner(browser, url, strokes, results)
                               for _ in range(sessions)))
        await browser.close()
    busy = sum(r[1] for r in results if isinstance(r, tuple))
    return [r for r in results if not isinstance(r, tuple)], busy


class Peak:
    """The most answers the server computed at once, sampled every 10 ms."""

    def __init__(self, priority):
        self.priority, self.most, self._done = priority, 0, threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self):
        while not self._done.wait(0.01):
            self.most = max(self.most, self.priority.answers)

    def stop(self) -> int:
        self._done.set()
        self._thread.join()
        return self.most


def case(runs, sessions: int, strokes: int, training: bool, root: Path) -> list[dict]:
    """Cold then warm, for one number of sessions; a fresh app each time."""
    from convscope.app import start, stop
    from convscope.app.server import free_port
    from convscope.app.trainer import Request

    url, page, blocks = start(runs=runs, runs_root=root, port=free_port("127.0.0.1", 0),
                              quiet=True)
    rows = []
    try:
        if training:  # long enough to outlast the strokes; stopped after them
            page.trainer.start(Request("mnist", epochs=50, limit=20_000))
        for phase in ("cold", "warm"):
            peak = Peak(page.trainer.priority)
            times, busy = asyncio.run(class_draws(url, sessions, strokes))
            rows.append(summary(sessions, phase, training, times, busy, peak.stop()))
    finally:
        stop(page, blocks)
    return rows


def summary(sessions, phase, training, times, busy, peak) -> dict:
    done = np.asarray([t for t in times if t is not None]) * 1000
    return {"sessions": sessions, "phase": phase, "training": training,
            "strokes": len(times), "answered": len(done),
            "p50": float(np.percentile(done, 50)) if len(done) else float("nan"),
            "p95": float(np.percentile(done, 95)) if len(done) else float("nan"),
            "max": float(done.max()) if len(done) else float("nan"),
            "peak": peak, "busy": busy}


def table(rows: list[dict]) -> str:
    lines = ["| sessions | app | training | strokes answered | p50 ms | p95 ms | max ms "
             "| answers at once (most) | busy notices |", "|---|---|---|---|---|---|---|---|---|"]
    lines += [f"| {r['sessions']} | {r['phase']} | {'yes' if r['training'] else 'no'} "
              f"| {r['answered']}/{r['strokes']} | {r['p50']:.0f} | {r['p95']:.0f} "
              f"| {r['max']:.0f} | {r['peak']} | {r['busy']} |" for r in rows]
    return "\n".join(lines)


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path, help="digit runs the app serves")
    parser.add_argument("--sessions", type=int, nargs="+", default=[2, 4, 8])
    parser.add_argument("--strokes", type=int, default=8, help="per session and phase")
    parser.add_argument("--training", action="store_true",
                        help="each case again with an mnist training running")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as root:
        for training in (False, True) if args.training else (False,):
            for sessions in args.sessions:
                rows += case(args.runs, sessions, args.strokes, training, Path(root) / "runs")
                print("\n".join(table(rows[-2:]).splitlines()[2:]), flush=True)
    print(f"\nCPU: {cpu()} ({os.cpu_count()} logical cores)\n")
    print(table(rows))
    return rows


def cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


if __name__ == "__main__":
    main()
