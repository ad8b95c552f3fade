"""How long the app's Draw tab takes to answer a stroke: the handler alone, and end to end in a
real browser. Target (issue 21): median under 100 ms and 95th percentile under 200 ms on a
2-core CPU, for the course's digit networks (mnist, mnist-viz).

- **handler**: ``convscope.app.draw.stroke`` on a canvas drawn stroke by stroke, sent as the
  page sends it (a PNG data URL): decoded, prepared MNIST-style, probabilities, every layer's
  maps, Grad-CAM, the pictures; then the same plus Gradio's encoding of the three pictures to
  PNG (what the server adds before answering);
- **click** (``--clicks``): a click on a value of the maps picture (``app.arithmetic.clicked``:
  the value found, the drawing prepared, ``trace``, the receptive field drawn), at random
  values of every layer of a drawn digit; then the same plus Gradio's encoding of the field's
  picture to PNG;
- **browser** (``--browser``): the app on a free port, Debian's chromium driven by Playwright
  draws short strokes; from the pointer's release to the maps picture loaded in the page, on
  the page's own clock, and where that time goes: the page exporting the canvas, sending it,
  the handler, the answer's pictures encoded, sent and shown;
- **browser clicks** (``--browser-clicks N``): in the same page, a 7 drawn, then N clicks,
  in turn on a random value of a random layer's maps and on a class in the probabilities
  (its score); from the click to the arithmetic panel's new text shown and its picture of
  the receptive field loaded, on the page's clock.

    CONVSCOPE_DATA=../shared/datasets python benchmarks/app_latency.py runs/mnist runs/mnist-viz
    CONVSCOPE_DATA=../shared/datasets python benchmarks/app_latency.py runs/mnist --browser
    CONVSCOPE_DATA=../shared/datasets python benchmarks/app_latency.py runs/mnist --strokes 0 \
        --clicks 100
    CONVSCOPE_DATA=../shared/datasets python benchmarks/app_latency.py runs/mnist --strokes 0 \
        --browser --browser-strokes 0 --browser-clicks 80
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from mnist_vs_course import cpu_name
from PIL import Image, ImageDraw

# Digits as strokes on a 400-pixel canvas (x, y points; scaled to the app's canvas), drawn one
# stroke at a time.
DIGITS = {
    "1": [[(200, 70), (205, 330)]],
    "7": [[(120, 90), (290, 90)], [(290, 90), (180, 330)]],
    "4": [[(230, 70), (120, 230), (300, 230)], [(240, 150), (240, 330)]],
    "0": [[(200, 70), (130, 140), (125, 260), (200, 330), (275, 260), (270, 140), (200, 70)]],
    "2": [[(130, 120), (200, 70), (270, 120), (260, 180), (130, 320)], [(130, 320), (290, 320)]],
    "3": [[(130, 90), (270, 100), (190, 190)], [(190, 190), (280, 260), (200, 330), (130, 300)]],
}
WARM_UP = 3


def percentiles(samples: list[float]) -> str:
    a = np.asarray(samples)
    return (f"p50 {np.percentile(a, 50):6.1f} ms   p95 {np.percentile(a, 95):6.1f} ms   "
            f"mean {a.mean():6.1f} ms   n={len(a)}")


def canvases(count: int):
    """``count`` canvases (RGBA, ink on transparent paper), each one stroke more than the
    last; a new digit starts on a clear canvas."""
    from convscope.app.draw import CANVAS, PEN

    made = 0
    while True:
        for strokes in DIGITS.values():
            canvas = Image.new("RGBA", (CANVAS, CANVAS), (0, 0, 0, 0))
            pen = ImageDraw.Draw(canvas)
            for points in strokes:
                scaled = [(x * CANVAS / 400, y * CANVAS / 400) for x, y in points]
                pen.line(scaled, fill=(0, 0, 0, 255), width=2 * PEN, joint="curve")
                yield np.asarray(canvas).copy()
                made += 1
                if made == count:
                    return


def time_handler(run_dir: Path, strokes: int) -> None:
    import gradio as gr

    from convscope.app import draw
    from convscope.app.catalog import Catalog
    from convscope.app.page import served
    from convscope.app.paths import Roots

    with tempfile.TemporaryDirectory() as root:
        roots = Roots.of(root, [run_dir])
        catalog = Catalog(roots)
        key = roots.key(run_dir.resolve())
        picture = gr.Image(format="png")
        alone, by_gradio, by_app = [], [], []
        for i, canvas in enumerate(canvases(strokes + WARM_UP)):
            sent = io.BytesIO()
            Image.fromarray(canvas).save(sent, "png")
            data_url = draw.PNG_URL + base64.b64encode(sent.getvalue()).decode()
            began = time.perf_counter()
            view = draw.stroke(catalog, key, data_url)
            middle = time.perf_counter()
            pictures = (view.seen, view.maps, view.cam)
            for array in pictures:
                picture.postprocess(array)
            gradio_done = time.perf_counter()
            for array in pictures:
                served(array, root)
            app_done = time.perf_counter()
            if i >= WARM_UP:
                alone.append((middle - began) * 1000)
                by_gradio.append((gradio_done - began) * 1000)
                by_app.append((app_done - gradio_done + middle - began) * 1000)
        if alone:
            print(f"  handler alone             {percentiles(alone)}")
            print(f"  + Gradio's PNG encoding   {percentiles(by_gradio)}")
            print(f"  + the app's PNG files     {percentiles(by_app)}")


def time_clicks(run_dir: Path, clicks: int) -> None:
    """A click on random values of every layer's maps of a drawn 7."""
    import gradio as gr

    from convscope import inspection
    from convscope.app import arithmetic, draw
    from convscope.app.catalog import Catalog
    from convscope.app.paths import Roots
    from convscope.pictures import STACK_GAP, SheetLayout

    with tempfile.TemporaryDirectory() as root:
        roots = Roots.of(root, [run_dir])
        catalog = Catalog(roots)
        key = roots.key(run_dir.resolve())
        drawing = draw.drawing(list(canvases(3))[-1])  # the 7, both strokes
        run = catalog.run(key)
        layers = inspection.feature_maps(run.model, run.as_input(drawing))
        tops = np.cumsum([0] + [SheetLayout.of(fm.maps.shape).height + STACK_GAP
                                for fm in layers])
        picture, rng = gr.Image(format="png"), np.random.default_rng(0)
        alone, encoded = [], []
        for i in range(clicks + WARM_UP):
            index = int(rng.integers(len(layers)))
            at = SheetLayout.of(layers[index].maps.shape)
            height, width, count = layers[index].maps.shape
            y, x = at.corner(int(rng.integers(count)))
            where = (x + int(rng.integers(width)) * at.factor + at.factor // 2,
                     tops[index] + y + int(rng.integers(height)) * at.factor + at.factor // 2)
            began = time.perf_counter()
            view = arithmetic.clicked(catalog, key, drawing, where)
            middle = time.perf_counter()
            picture.postprocess(view.field)
            ended = time.perf_counter()
            if i >= WARM_UP:
                alone.append((middle - began) * 1000)
                encoded.append((ended - began) * 1000)
        print(f"  click alone               {percentiles(alone)}")
        print(f"  click + PNG encoding      {percentiles(encoded)}")


# The page's clock: pointer released → the maps picture that answers it loaded.
INSTRUMENT = """
() => {
  window.__latencies = [];
  document.addEventListener('pointerup', () => { window.__up = performance.now(); }, true);
  let last = null;
  const seen = () => {
    const img = document.querySelector('#draw-maps img');
    if (!img || !img.src || img.src === last || window.__up === undefined) return;
    last = img.src;
    const up = window.__up;
    const done = () => window.__latencies.push(performance.now() - up);
    if (img.complete && img.naturalWidth) done();
    else img.addEventListener('load', done, {once: true});
  };
  new MutationObserver(seen).observe(document.querySelector('#draw-maps'),
                                     {subtree: true, childList: true, attributes: true});
}
"""


# The page's clock: a click on the maps or the probabilities → the arithmetic panel's new
# text shown and its receptive field's picture loaded (both come in one update).
INSTRUMENT_CLICKS = """
() => {
  window.__clicks = [];
  const panel = document.querySelector('#draw-arithmetic');
  // The Markdown's own text: Gradio's timer of a pending event shows beside it.
  const said = () => (panel.querySelector('.prose') || panel).innerText;
  document.addEventListener('click', (e) => {
    if (!e.target.closest('#draw-maps, #draw-probabilities')) return;
    window.__clicked = performance.now();
    window.__before = said();
  }, true);
  const seen = () => {
    const clicked = window.__clicked;
    if (clicked === undefined || said() === window.__before) return;
    window.__clicked = undefined;
    const img = document.querySelector('#draw-field img');
    const done = () => window.__clicks.push(performance.now() - clicked);
    if (!img || (img.complete && img.naturalWidth)) done();
    else img.addEventListener('load', done, {once: true});
  };
  new MutationObserver(seen).observe(panel, {subtree: true, childList: true,
                                             characterData: true});
}
"""
# Where on the displayed maps picture one of its own pixels lies (Gradio scales it down to
# fit, never up, and centres it), as tests/test_app_arithmetic_browser.py finds it.
CLIENT_POINT = """([x, y]) => {
  const img = document.querySelector('#draw-maps img');
  img.scrollIntoView({block: 'center'});
  const box = img.getBoundingClientRect();
  const r = Math.min(box.width / img.naturalWidth, box.height / img.naturalHeight, 1);
  return [box.left + (box.width - img.naturalWidth * r) / 2 + (x + 0.5) * r,
          box.top + (box.height - img.naturalHeight * r) / 2 + (y + 0.5) * r];
}"""


def time_browser(run_dirs: list[Path], strokes: int, moves: int, clicks: int = 0,
                 compare: bool = False) -> None:
    """End to end in chromium, with where the time goes: the drawing reaching the handler
    (from the pointer's release), the handler, and the answer's pictures encoded, sent and
    shown. The app runs in this process, so one clock times both. ``compare``: every other
    stroke has its pictures encoded by Gradio (arrays, as before issue 32) rather than written
    by the app (``page.served``), and both are timed."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from browser import browser_page

    from convscope.app import draw, start, stop
    from convscope.app.server import free_port

    handled: list[tuple[float, float]] = []
    stroke = draw.stroke

    def timed(*args, **kwargs):
        began = time.perf_counter()
        try:
            return stroke(*args, **kwargs)
        finally:
            handled.append((began, time.perf_counter()))

    draw.stroke = timed
    served = draw.served

    def variant(i: int) -> str:
        # Every other stroke, shifted by one each digit (4 strokes, then a clear): each way
        # gets as many first strokes on a clear canvas (its pictures new to the page) as others.
        by_gradio = compare and (i + i // 4) % 2 == 1
        draw.served = (lambda picture, folder: picture) if by_gradio else served
        return "Gradio's PNG" if by_gradio else "app's PNG"

    with tempfile.TemporaryDirectory() as root:
        url, page_state, blocks = start(runs=run_dirs, runs_root=root,
                                        port=free_port("127.0.0.1", 0), quiet=True)
        try:
            for run_dir in run_dirs:
                key = page_state.roots.key(run_dir.resolve())
                with browser_page() as page:
                    page.goto(url)
                    page.wait_for_selector("#draw-canvas canvas", timeout=60_000)
                    page.locator("#draw-run input").click()
                    page.get_by_role("option", name=key).first.click()
                    page.evaluate(INSTRUMENT)
                    if strokes:
                        phases = _strokes(page, strokes + WARM_UP, moves, handled, variant)
                        for name in sorted({p["variant"] for p in phases}, reverse=not compare):
                            _print_phases(run_dir.name if not compare
                                          else f"{run_dir.name}, {name}",
                                          [p for p in phases[WARM_UP:] if p["variant"] == name])
                    if clicks:
                        _print_clicks(run_dir, _clicks(page, page_state.catalog.run(key),
                                                       clicks + 2 * WARM_UP))
        finally:
            stop(page_state, blocks)
            draw.stroke, draw.served = stroke, served


def _print_phases(title: str, phases: list[dict]) -> None:
    print(f"  {title:24} browser   {percentiles([p['shown'] for p in phases])}", flush=True)
    for name in ("sent", "handler", "after handler"):
        values = [p[name] for p in phases if p[name] == p[name]]
        print(f"      {name:14} median {np.median(values):6.0f} ms")


def _print_clicks(run_dir: Path, timed: list[tuple[str, float]]) -> None:
    for kind in ("map value", "class score"):
        values = [ms for k, ms in timed if k == kind][WARM_UP:]
        if values:
            print(f"  {run_dir.name:12} {kind:12} click → panel   {percentiles(values)}",
                  flush=True)


def _clicks(page, run, count: int) -> list[tuple[str, float]]:
    """A 7 drawn, then ``count`` clicks, in turn on a random map value and on a class in the
    probabilities: (which, ms from the click to the panel shown) for each."""
    from browser import stroke
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    from convscope import inspection
    from convscope.pictures import STACK_GAP, SheetLayout

    stroke(page, "#draw-canvas canvas")
    page.wait_for_function("document.querySelector('#draw-maps img')?.naturalWidth > 0",
                           timeout=60_000)
    page.evaluate(INSTRUMENT_CLICKS)
    shapes = [tuple(layer.output.shape[1:]) for layer in inspection.visual_layers(run.model)]
    tops = np.cumsum([0] + [SheetLayout.of(shape).height + STACK_GAP for shape in shapes])
    rng, timed, unseen = np.random.default_rng(0), [], 0
    for i in range(count):
        before = page.evaluate("window.__clicks.length")
        if i % 2 == 0:
            index = int(rng.integers(len(shapes)))
            at, (height, width, maps) = SheetLayout.of(shapes[index]), shapes[index]
            y, x = at.corner(int(rng.integers(maps)))
            where = (x + int(rng.integers(width)) * at.factor + at.factor // 2,
                     tops[index] + y + int(rng.integers(height)) * at.factor + at.factor // 2)
            page.mouse.click(*page.evaluate(CLIENT_POINT, [int(v) for v in where]))
        else:
            name = run.class_names[(i // 2) % len(run.class_names)]
            page.locator(f'#draw-probabilities [data-testid="{name}-confidence-set"]').click()
        try:
            page.wait_for_function(f"window.__clicks.length > {before}", timeout=15_000)
        except PlaywrightTimeout:  # the same value as before: nothing changed to time
            unseen += 1
            continue
        timed.append(("map value" if i % 2 == 0 else "class score",
                      page.evaluate("window.__clicks")[-1]))
        time.sleep(0.2)
    if unseen:
        print(f"      ({unseen} clicks left the panel unchanged and were not timed)")
    return timed


def _strokes(page, count: int, moves: int, handled: list, variant) -> list[dict]:
    """Short strokes across the canvas, a clear every few; the phases of each (ms).

    Each stroke has its own slant and length: the app names its pictures by their content,
    and a stroke that prepared to the same 28×28 image (a digit is centred) would change
    nothing in the page to time."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.locator("#draw-canvas canvas").first.bounding_box()
    rng = np.random.default_rng(0)
    phases, unseen = [], 0
    for i in range(count):
        if i % 4 == 0 and i:
            page.locator("#draw-canvas button.clear").click()
            time.sleep(1.0)
        before = page.evaluate("window.__latencies.length")
        name = variant(i)
        slant, length = rng.uniform(-0.25, 0.25), rng.uniform(0.3, 0.6)
        x0, x1 = box["x"] + box["width"] * (0.5 + np.array([-slant, slant]) / 2)
        y0, y1 = box["y"] + box["height"] * (0.5 + np.array([-length, length]) / 2)
        page.mouse.move(x0, y0)
        page.mouse.down()
        for k in range(1, moves + 1):
            page.mouse.move(x0 + (x1 - x0) * k / moves, y0 + (y1 - y0) * k / moves)
        handled.clear()
        released = time.perf_counter()
        page.mouse.up()
        try:
            page.wait_for_function(f"window.__latencies.length > {before}", timeout=15_000)
        except PlaywrightTimeout:  # the same picture as before: nothing to time
            unseen += 1
            continue
        shown = page.evaluate("window.__latencies")[-1]
        began, ended = handled[-1] if handled else (float("nan"), float("nan"))
        phases.append({"variant": name, "shown": shown, "sent": (began - released) * 1000,
                       "handler": (ended - began) * 1000,
                       "after handler": shown - (ended - released) * 1000})
        time.sleep(0.3)
    if unseen:
        print(f"      ({unseen} strokes left the pictures unchanged and were not timed)")
    return phases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", type=Path, nargs="+", help="digit run directories")
    parser.add_argument("--strokes", type=int, default=60, help="strokes timed per run")
    parser.add_argument("--clicks", type=int, default=0,
                        help="clicks on the maps timed per run (the arithmetic panel)")
    parser.add_argument("--browser", action="store_true", help="also end to end in chromium")
    parser.add_argument("--browser-strokes", type=int, default=30)
    parser.add_argument("--browser-clicks", type=int, default=0,
                        help="with --browser: clicks on the maps and the class scores timed")
    parser.add_argument("--moves", type=int, default=12, help="mouse moves per stroke")
    parser.add_argument("--compare-encoding", action="store_true",
                        help="in the browser, every other stroke's pictures encoded by Gradio")
    args = parser.parse_args()
    import convscope.app  # noqa: F401  (Gradio's settings)
    from convscope._setup import import_keras_quietly

    import_keras_quietly()

    load = os.getloadavg()[0]
    print(f"CPU: {cpu_name()}, {os.cpu_count()} cores; load average {load:.1f} at start")
    for run_dir in args.runs:
        print(f"{run_dir}:")
        if args.strokes:
            time_handler(run_dir, args.strokes)
        if args.clicks:
            time_clicks(run_dir, args.clicks)
    if args.browser:
        time_browser(args.runs, args.browser_strokes, args.moves, args.browser_clicks,
                     args.compare_encoding)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
