"""Inside one number, in the app: click a value in a layer's maps, see the arithmetic that
gives it.

The maps picture is the sheets ``looking.look`` draws, one under another; a click's pixel
(``gr.SelectData.index``, in the picture's own pixels) is found in it by the sheets' own
geometry (``looking.value_at``), then ``trace`` computes that value again from what its layer
received, for the tab's current input. The panel shows the input with the value's receptive
field outlined, and the arithmetic in the course's terms, in the words the report's "Inside
one number" uses: a first convolution's patch, kernel and products as a table, then the sum,
the bias, the ReLU and the value; a deeper convolution's largest contributions by input map;
a pooling's window and its winner. New maps (a stroke, another photo) compute the clicked
place again, so the panel always explains the picture shown.
"""

# No `from __future__ import annotations` here: Gradio finds the parameter that receives the
# click (gr.SelectData) by its annotation, which must be the class itself.

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..pictures import outlined
from ..runs import Run
from ..tracing import Trace, trace
from ..words import Words, say
from .catalog import Catalog
from .looking import value_at
from .page import Page, answers, markdown_line

MAPS_SAID = 5  # a deeper convolution's input maps named, largest contribution first


@dataclass
class ArithmeticView:
    """What the panel shows: the arithmetic (Markdown) and the input with its field."""

    text: str
    field: np.ndarray | None = None

    def outputs(self) -> tuple:
        return self.text, self.field


def as_input(run: Run, source) -> np.ndarray | None:
    """What the tab holds (a drawing, a photo's file) prepared as ``predict`` prepares it."""
    return None if source is None else run.as_input(source)


def clicked(catalog: Catalog, run_key: str | None, source, where, lang: str = "en",
            prepare: Callable = as_input) -> ArithmeticView:
    """The arithmetic behind the value at pixel ``where`` = (x, y) of the maps picture, for
    the tab's ``source``, which ``prepare(run, source)`` makes the network's input (None:
    nothing yet); an invitation when nothing is clicked or the click fell beside the maps."""
    from .. import inspection  # Keras: imported once the server is up

    run = catalog.run(run_key) if run_key else None
    image = None if run is None or where is None else prepare(run, source)
    if image is None:
        return ArithmeticView(say(lang, "arith_invite"))
    found = value_at(inspection.feature_maps(run.model, image), *(int(v) for v in where))
    if found is None:
        return ArithmeticView(say(lang, "arith_invite"))
    maps, (channel, row, col) = found
    t = trace(run, image, maps.layer, (row, col), channel)
    field = None if t.receptive_field is None else outlined(image, t.receptive_field)
    return ArithmeticView(arithmetic_text(t, Words(lang)), field)


def arithmetic_text(t: Trace, words: Words) -> str:
    """The arithmetic of a convolution's or pooling's value, as Markdown."""
    n = words.number
    where = words("trace_where", row=t.position[0], col=t.position[1])
    head = words("trace_head", layer=t.layer, map=t.channel + 1, where=where)
    lines = [f"**{markdown_line(head)}**"]
    if t.receptive_field is not None:
        top, left, bottom, right = t.receptive_field
        lines.append(words("arith_field", top=top, bottom=bottom - 1, left=left,
                           right=right - 1, height=bottom - top, width=right - left))
    lines += _convolution(t, words) if t.kind == "convolution" else _pooling(t, words)
    lines.append(words("trace_check", value=n(t.value, 6), activation=n(t.activation, 6)))
    return "\n\n".join(lines)


def _convolution(t: Trace, words: Words) -> list[str]:
    terms, n = t.terms, words.number
    end = words("trace_end", sum=n(terms["sum"], 4), bias=n(terms["bias"], 4),
                pre=n(terms["pre_activation"], 4), function=terms["function"],
                value=n(t.value, 4))
    if len(terms["inputs"]) == 1:
        grids = [(words("trace_patch"), terms["patch"][..., 0]),
                 (words("trace_kernel"), terms["kernel"][..., 0]),
                 (words("trace_products"), terms["products"][..., 0])]
        return [_table(grids, words), words("trace_correlation"), end]
    largest = ", ".join(words("trace_map_sum", map=k + 1, value=n(total, 3))
                        for k, total in t.largest_maps(MAPS_SAID))
    return [words("trace_maps", n=len(terms["inputs"]), largest=largest),
            words("trace_correlation"), end]


def _pooling(t: Trace, words: Words) -> list[str]:
    terms = t.terms
    window = np.where(terms["inside"], terms["window"], np.nan)
    winner = tuple(terms["winner"]) if "winner" in terms else None
    said = words("trace_max" if winner else "trace_mean", value=words.number(t.value, 4))
    return [_table([("", window)], words, winner), said]


def _table(grids: list[tuple[str, np.ndarray]], words: Words, bold=None) -> str:
    """Small grids of numbers side by side in one Markdown table, each under its title
    (a blank column between them); padding shows as a blank, ``bold`` = (row, col) stands
    out."""
    def cell(grid, r, c):
        value = grid[r, c]
        text = "" if np.isnan(value) else words.number(float(value), 2)
        return f"**{text}**" if bold == (r, c) and text else text

    header, rule, rows = [], [], [[] for _ in range(max(g.shape[0] for _, g in grids))]
    for i, (title, grid) in enumerate(grids):
        spacer = [""] if i else []
        header += spacer + [markdown_line(title)] + [""] * (grid.shape[1] - 1)
        rule += ["-"] * len(spacer) + ["--:"] * grid.shape[1]
        for r, row in enumerate(rows):
            row += spacer + [cell(grid, r, c) for c in range(grid.shape[1])]
    return "\n".join("| " + " | ".join(line) + " |" for line in [header, rule, *rows])


# -- the panel --------------------------------------------------------------------------------


def build(page: Page, tab: str, maps, run, source_input, prepare: Callable) -> None:
    """The panel under a tab's maps picture ``maps``, answering a click on it. ``run``: the
    tab's run picker; ``source_input``: the component (or state) holding its input, which
    ``prepare(run, value)`` makes the network's input (see ``clicked``)."""
    import gradio as gr

    page.labelled(gr.Markdown, "arith_heading", "value")
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=200):
            field = page.labelled(gr.Image, "arith_field_picture", elem_id=f"{tab}-field",
                                  format="png", height=224, interactive=False, buttons=[])
        with gr.Column(scale=3, min_width=320):
            # Not relabelled with the page: its answer is given again in the new language.
            text = gr.Markdown(say("en", "arith_invite"), elem_id=f"{tab}-arithmetic")
    clicks = gr.State(None)  # where the page's maps were last clicked: (x, y)

    @answers(lambda line: ArithmeticView(line).outputs())
    def shown(run_key, source, lang, where):
        return clicked(page.catalog, run_key, source, where, lang, prepare).outputs()

    def on_click(run_key, source, lang, evt: gr.SelectData):
        where = tuple(evt.index)
        return (*shown(run_key, source, lang, where), where)

    maps.select(on_click, [run, source_input, page.language], [text, field, clicks],
                show_progress="hidden")
    # New maps (a stroke, another photo or run): the same place, computed again for them,
    # so that the panel never explains a picture no longer shown.
    again = [run, source_input, page.language, clicks]
    maps.change(shown, again, [text, field], show_progress="hidden")
    page.on_language(shown, again, [text, field])
