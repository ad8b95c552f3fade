"""Draw: a digit drawn on a canvas, and on every stroke what a digit network makes of it.

The drawing is prepared exactly as ``convscope predict`` prepares a photo of a digit
(``Run.as_input``: ink found, cropped, fitted into 20×20 and centred in 28×28 by its mass), then
one look (``looking.look``) gives the probabilities, the maps of every layer and Grad-CAM.

The canvas is a plain HTML canvas (a ``gr.HTML`` component with a few lines of script), not
Gradio's Sketchpad: after each stroke the Sketchpad exports three pictures through WebGL and
uploads them, 1.1 s of the 1.4 s a stroke took to show its answer in a browser without a GPU;
this canvas sends one small PNG with the event (benchmarks/RESULTS.md, "App latency").

**No answer lost, none out of date.** The page numbers its drawings (each stroke, undo or
clear makes the next one) and sends the number with the PNG; the server keeps the latest it
heard per page (``Sketch``), answers only that one, and writes the number it answered into the
page (``#draw-answered``). A drawing not answered within a few seconds is sent again: while the
app starts, Gradio's loading veil and its not-yet-ready event queue swallowed the first strokes
of pages opened with it (benchmarks/RESULTS.md, "The app under load"). After
``BUSY_SECONDS`` without an answer the page says the server is busy. When other answers are
being computed or a training runs, a stroke is answered with its probabilities at once and its
maps and Grad-CAM follow in a second step, skipped if the drawing changed meanwhile.
"""

# No `from __future__ import annotations` here: Gradio finds the parameter that receives the
# event's data (gr.EventData) by its annotation, which must be the class itself.

import base64
import binascii
import io
import itertools
from dataclasses import dataclass

import numpy as np
from PIL import Image

from ..datasets.images import pillow_errors
from ..errors import DataError
from ..words import say
from .arithmetic import as_input as clicked_input
from .arithmetic import build as arithmetic_panel
from .catalog import Catalog
from .looking import look
from .page import Page, answer_widgets, answers, maps_widget, markdown_line, served, skipped
from .trust import build as trust_panel
from .unsure import unsure_line

# The canvas's pixels a side (it is shown larger or smaller to fit the page): ample for
# MNIST's 20-pixel box, and few for Run.as_input to read.
CANVAS = 280
# Radius of the pen, in canvas pixels: a digit drawn across most of the canvas then has
# strokes about an eighth of its height thick, as MNIST's digits have.
PEN = 11
# A drawing arrives as a PNG data URL; a 280-pixel drawing is a few KB. Anything larger, or of
# another kind, did not come from this canvas.
MAX_DRAWING_CHARS = 1 << 20
PNG_URL = "data:image/png;base64,"
# Each mark a new value, so that its change event fires.
MARKS = map(str, itertools.count(1))
# A drawing not answered after this long is sent again (then after twice as long, …): an
# answer takes 0.1–1 s even with a class drawing and a training running.
RESEND_SECONDS = 3.0
RESENDS = 4
# After this long without an answer the page says that the server is busy.
BUSY_SECONDS = 1.0

CANVAS_HTML = f"""
<div class="pad">
  <canvas width="{CANVAS}" height="{CANVAS}"></canvas>
  <div class="tools">
    <button class="undo" type="button" title="Undo · Annuler">↶</button>
    <button class="clear" type="button" title="Clear · Effacer">✕</button>
  </div>
</div>
<p class="busy" hidden></p>
"""
CANVAS_CSS = """
.pad { display: flex; gap: 8px; align-items: flex-start; }
.pad canvas { width: min(100%, 360px); aspect-ratio: 1; background: white; cursor: crosshair;
              border: 1px solid var(--border-color-primary); border-radius: 8px;
              touch-action: none; }
.tools { display: flex; flex-direction: column; gap: 6px; }
.tools button { width: 40px; height: 40px; font-size: 20px; border-radius: 8px;
                border: 1px solid var(--border-color-primary);
                background: var(--background-fill-secondary); cursor: pointer; }
.busy { margin: 6px 0 0; padding: 4px 8px; color: var(--body-text-color);
        border-left: 3px solid var(--color-accent); background: var(--background-fill-secondary); }
"""
# Strokes are kept as lists of points so that Undo can draw the others again; after each
# stroke, undo or clear the drawing goes to the server as a PNG in the event's data, with its
# number. ``answered`` reads the number the server last answered from the page.
CANVAS_JS = f"""
const canvas = element.querySelector('canvas');
const notice = element.querySelector('.busy');
const pen = canvas.getContext('2d');
const strokes = [];
let current = null, version = 0, resend = null, busy = null;
const at = (e) => {{
  const box = canvas.getBoundingClientRect();
  return [(e.clientX - box.left) * canvas.width / box.width,
          (e.clientY - box.top) * canvas.height / box.height];
}};
const paint = (points) => {{
  pen.lineCap = 'round'; pen.lineJoin = 'round'; pen.lineWidth = {2 * PEN};
  pen.strokeStyle = 'black';
  pen.beginPath();
  pen.moveTo(...points[0]);
  for (const p of points) pen.lineTo(...p);
  pen.stroke();
}};
const repaint = () => {{
  pen.clearRect(0, 0, canvas.width, canvas.height);
  strokes.forEach(paint);
}};
const answered = () => Number(document.querySelector('#draw-answered')?.innerText || -1);
const french = () => document.querySelector('#language input[value="fr"]')?.checked;
const post = (attempt) => {{
  trigger('change', {{png: strokes.length ? canvas.toDataURL('image/png') : null, version}});
  clearTimeout(resend);
  if (attempt < {RESENDS}) resend = setTimeout(() => {{
    if (answered() < version) post(attempt + 1);
  }}, {RESEND_SECONDS * 1000} * 2 ** attempt);
}};
const recheck = () => {{
  if (answered() >= version) notice.hidden = true;
  else busy = setTimeout(recheck, 250);
}};
const send = () => {{
  version += 1;
  notice.hidden = true;
  clearTimeout(busy);
  busy = setTimeout(() => {{
    if (answered() >= version) return;
    notice.textContent = french() ? {say("fr", "draw_busy")!r} : {say("en", "draw_busy")!r};
    notice.hidden = false;
    recheck();
  }}, {BUSY_SECONDS * 1000});
  post(0);
}};
canvas.addEventListener('pointerdown', (e) => {{
  canvas.setPointerCapture(e.pointerId);
  current = [at(e)];
  paint(current);
}});
canvas.addEventListener('pointermove', (e) => {{
  if (!current) return;
  current.push(at(e));
  paint(current.slice(-2));
}});
const finish = () => {{
  if (!current) return;
  strokes.push(current);
  current = null;
  send();
}};
canvas.addEventListener('pointerup', finish);
canvas.addEventListener('pointercancel', finish);
element.querySelector('.undo').addEventListener('click', () => {{
  strokes.pop(); repaint(); send();
}});
element.querySelector('.clear').addEventListener('click', () => {{
  strokes.length = 0; repaint(); send();
}});
"""


@dataclass
class Sketch:
    """A page's drawing as the server last heard it (one per page: a ``gr.State``): the
    drawing's number, its PNG, the number last answered, and the number whose maps are still
    to be drawn (``None``: none)."""

    version: int = 0
    png: str | None = None
    answered: int = 0
    maps_due: int | None = None

    def heard(self, version: int, png: str | None) -> bool:
        """Take the page's drawing ``version``; False when a later one was heard already, or
        this one was answered already (a copy sent again)."""
        if version < self.version or version <= self.answered:
            return False
        self.version, self.png = version, png
        return True

    def current(self, version: int) -> bool:
        """Whether ``version`` is still the page's latest drawing."""
        return version == self.version


@dataclass
class DrawView:
    """What the Draw tab shows after a stroke."""

    message: str
    probabilities: dict[str, float] | None = None
    seen: np.ndarray | None = None  # the 28×28 input, enlarged
    maps: np.ndarray | None = None
    cam: np.ndarray | None = None

    def outputs(self) -> tuple:
        return (markdown_line(self.message), self.probabilities, self.seen, self.maps,
                self.cam)


def drawing(canvas) -> Image.Image | None:
    """The picture drawn, None before anything is: the canvas's PNG data URL, or an array
    or picture as a canvas gives it (RGBA, ink on transparent paper)."""
    if canvas is None:
        return None
    if isinstance(canvas, str):
        return from_data_url(canvas)
    if isinstance(canvas, Image.Image):
        return canvas
    array = np.asarray(canvas)
    if array.dtype != np.uint8:
        array = np.clip(array, 0, 255).astype(np.uint8)
    # RGBA keeps its transparency: Run.as_input puts transparent pixels on white paper.
    return Image.fromarray(array)


def from_data_url(text: str) -> Image.Image:
    """The canvas's PNG, decoded; DataError for anything this canvas does not send."""
    if len(text) > MAX_DRAWING_CHARS or not text.startswith(PNG_URL):
        raise DataError("the drawing did not come as a small PNG; draw again")
    try:
        data = base64.b64decode(text[len(PNG_URL):], validate=True)
    except (binascii.Error, ValueError):
        raise DataError("the drawing arrived damaged; draw again") from None
    with pillow_errors("the drawing"), Image.open(io.BytesIO(data)) as picture:
        if picture.format != "PNG" or max(picture.size) > 4 * CANVAS:
            raise DataError("the drawing is not one this canvas made; draw again")
        picture.load()
        return picture.convert("RGBA")


def panels_marked(clicked, ticked) -> tuple:
    """The marks that make the arithmetic panel (a value or class was clicked) and the trust
    check (its box is ticked) follow new maps; left as they are otherwise."""
    import gradio as gr

    return (next(MARKS) if clicked is not None else gr.skip(),
            next(MARKS) if ticked else gr.skip())


def stroke(catalog: Catalog, run_key: str | None, canvas, lang: str = "en",
           maps: bool = True) -> DrawView:
    """The network's answer to the drawing so far (a blank canvas gets an invitation);
    without its maps and Grad-CAM unless ``maps``."""
    if not run_key:
        return DrawView(say(lang, "draw_no_run"))
    picture = drawing(canvas)
    if picture is None:
        return DrawView(say(lang, "draw_start"))
    run = catalog.run(run_key)
    try:
        image = run.as_input(picture)
    except DataError:  # no ink: nothing drawn yet, or everything erased
        return DrawView(say(lang, "draw_start"))
    seen = look(run, image, lang, say(lang, "your_drawing"), maps=maps)
    return DrawView(say(lang, "draw_answer", label=seen.predicted,
                        confidence=f"{seen.confidence:.0%}")
                    + unsure_line(run, seen.confidence, lang),
                    seen.probabilities, seen.seen, seen.maps, seen.cam)


# -- the tab ----------------------------------------------------------------------------------


def build(page: Page) -> None:
    """The Draw tab's components and events (inside a ``gr.Tab``)."""
    import gradio as gr

    digit_runs = page.catalog.choices("digit")
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=320):
            run = page.picker(page.labelled(
                gr.Dropdown, "draw_run", choices=digit_runs,
                value=digit_runs[0][1] if digit_runs else None, elem_id="draw-run"), "digit")
            pad = gr.HTML(CANVAS_HTML, css_template=CANVAS_CSS, js_on_load=CANVAS_JS,
                          elem_id="draw-canvas")
            page.labelled(gr.Markdown, "draw_help", "value")
        with gr.Column(scale=3, min_width=320):
            message, probabilities, seen, cam = answer_widgets(page, "draw")
    maps = maps_widget(page, "draw")
    # The number of the drawing last answered, read by the canvas's script (hidden).
    answered = gr.HTML("0", elem_id="draw-answered", elem_classes="answered-mark")
    sketch = gr.State(lambda: Sketch())  # a new one per page (a class would be read as data)
    # Hidden marks an answer changes only when something follows it: the maps of a drawing
    # answered without them, the arithmetic of a value clicked earlier, the check while its
    # box is ticked. Listening to the maps' change instead cost three events per stroke, a
    # fifth of a stroke's time in the browser (benchmarks/RESULTS.md § 11.2).
    maps_mark, panel_mark, trust_mark = (gr.HTML("", elem_classes="mark") for _ in range(3))

    def drawn(run_, sketch_):
        return clicked_input(run_, drawing(sketch_.png))

    clicks = arithmetic_panel(page, "draw", maps, run, sketch, drawn, probabilities,
                              refresh=panel_mark)
    tick = trust_panel(page, "draw", maps, run, sketch, drawn, refresh=trust_mark)
    priority = page.trainer.priority
    outputs = [message, probabilities, seen, maps, cam, answered, maps_mark, panel_mark,
               trust_mark]

    @answers(lambda line: DrawView(line).outputs())
    def answer(run_key, png, lang, maps_now=True):
        shown = stroke(page.catalog, run_key, png, lang, maps_now).outputs()
        # The pictures (seen, maps, Grad-CAM) written as PNG files here, faster than Gradio
        # would write them.
        return (*shown[:2], *(served(picture, maps.GRADIO_CACHE) for picture in shown[2:]))

    def answer_current(run_key, lang, sketch_: Sketch, clicked, ticked, maps_now: bool):
        """The answer to the page's latest drawing, its number and the marks of what follows
        it; nothing if a later drawing came while it was computed (that one's own answer
        follows)."""
        version = sketch_.version
        with priority.answering():
            shown = answer(run_key, sketch_.png, lang, maps_now)
        if not sketch_.current(version):
            return skipped(len(outputs))
        sketch_.answered = version
        sketch_.maps_due = None if maps_now else version
        if not maps_now:  # the last drawing's maps go; this one's follow (maps_later)
            return (*shown[:3], None, None, str(version), next(MARKS), *skipped(2))
        return (*shown, str(version), *skipped(1), *panels_marked(clicked, ticked))

    def on_stroke(run_key, lang, sketch_: Sketch, clicked, ticked, evt: gr.EventData):
        version, png = int(getattr(evt, "version", 0) or 0), getattr(evt, "png", None)
        if not sketch_.heard(version, png):  # out of date, or answered already: say which
            return (*skipped(5), str(sketch_.answered), *skipped(3))
        # Busy: other answers being computed, or a training: the maps wait for a quiet moment.
        return answer_current(run_key, lang, sketch_, clicked, ticked,
                              priority.answers == 0 and not page.trainer.running)

    def on_again(run_key, lang, sketch_: Sketch, clicked, ticked):
        return answer_current(run_key, lang, sketch_, clicked, ticked, True)

    def maps_later(run_key, lang, sketch_: Sketch, clicked, ticked):
        version = sketch_.maps_due
        if version is None:
            return skipped(4)
        priority.wait_for_answers()  # strokes first
        if not sketch_.current(version):
            return skipped(4)
        shown = on_again(run_key, lang, sketch_, clicked, ticked)
        return (*shown[3:5], *shown[7:9])

    inputs = [run, page.language, sketch, clicks, tick]
    # Only the last drawing matters: strokes made while one is computed are merged.
    pad.change(on_stroke, inputs, outputs, trigger_mode="always_last", show_progress="hidden",
               concurrency_limit=None)
    maps_mark.change(maps_later, inputs, [maps, cam, panel_mark, trust_mark],
                     show_progress="hidden")
    run.change(on_again, inputs, outputs, show_progress="hidden")
    page.on_language(on_again, inputs, outputs)
