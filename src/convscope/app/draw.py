"""Draw: a digit drawn on a canvas, and on every stroke what a digit network makes of it.

The drawing is prepared exactly as ``convscope predict`` prepares a photo of a digit
(``Run.as_input``: ink found, cropped, fitted into 20×20 and centred in 28×28 by its mass), then
one look (``looking.look``) gives the probabilities, the maps of every layer and Grad-CAM.

The canvas is a plain HTML canvas (a ``gr.HTML`` component with a few lines of script), not
Gradio's Sketchpad: after each stroke the Sketchpad exports three pictures through WebGL and
uploads them, 1.1 s of the 1.4 s a stroke took to show its answer in a browser without a GPU;
this canvas sends one small PNG with the event (benchmarks/RESULTS.md, "App latency").
"""

# No `from __future__ import annotations` here: Gradio finds the parameter that receives the
# event's data (gr.EventData) by its annotation, which must be the class itself.

import base64
import binascii
import io
from dataclasses import dataclass

import numpy as np
from PIL import Image

from ..datasets.images import pillow_errors
from ..errors import DataError
from ..words import say
from .catalog import Catalog
from .looking import look
from .page import Page, answer_widgets, answers, maps_widget, markdown_line
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

CANVAS_HTML = f"""
<div class="pad">
  <canvas width="{CANVAS}" height="{CANVAS}"></canvas>
  <div class="tools">
    <button class="undo" type="button" title="Undo · Annuler">↶</button>
    <button class="clear" type="button" title="Clear · Effacer">✕</button>
  </div>
</div>
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
"""
# Strokes are kept as lists of points so that Undo can draw the others again; after each
# stroke, undo or clear the drawing goes to the server as a PNG in the event's data.
CANVAS_JS = f"""
const canvas = element.querySelector('canvas');
const pen = canvas.getContext('2d');
const strokes = [];
let current = null;
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
const send = () => trigger('change', {{png: strokes.length ? canvas.toDataURL('image/png')
                                                            : null}});
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


def stroke(catalog: Catalog, run_key: str | None, canvas, lang: str = "en") -> DrawView:
    """The network's answer to the drawing so far (a blank canvas gets an invitation)."""
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
    seen = look(run, image, lang, say(lang, "your_drawing"))
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
    # The last drawing, for answering again when the run or the language changes.
    drawn = gr.State(None)

    @answers(lambda line: DrawView(line).outputs())
    def answer(run_key, png, lang):
        return stroke(page.catalog, run_key, png, lang).outputs()

    def on_stroke(run_key, lang, evt: gr.EventData):
        png = getattr(evt, "png", None)
        return (png, *answer(run_key, png, lang))

    outputs = [message, probabilities, seen, maps, cam]
    # Only the last drawing matters: strokes made while one is computed are merged.
    pad.change(on_stroke, [run, page.language], [drawn, *outputs],
               trigger_mode="always_last", show_progress="hidden")
    run.change(answer, [run, drawn, page.language], outputs, show_progress="hidden")
    page.on_language(answer, [run, drawn, page.language], outputs)
