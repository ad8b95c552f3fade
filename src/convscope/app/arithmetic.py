"""Inside one number, in the app: click a value in a layer's maps, see the arithmetic that
gives it.

The maps picture is the sheets ``looking.look`` draws, one under another; a click's pixel
(``gr.SelectData.index``, in the picture's own pixels) is found in it by the sheets' own
geometry (``looking.value_at``), then ``trace`` computes that value again from what its layer
received, for the tab's current input. The panel shows the input with the value's receptive
field outlined, and the arithmetic in the course's terms, in the words the report's "Inside
one number" uses: a first convolution's patch, kernel and products as a table, then the sum,
the bias, the ReLU and the value; a deeper convolution's largest contributions by input map;
a pooling's window and its winner. A click on a class in the probabilities shows that
class's score: the output layer's largest weight × input products, their sum and the bias,
then the softmax (or the sigmoid of a two-class network) that turns the scores into the
probabilities shown. New maps (a stroke, another photo) compute the clicked place again, so
the panel always explains the picture shown.
"""

# No `from __future__ import annotations` here: Gradio finds the parameter that receives the
# click (gr.SelectData) by its annotation, which must be the class itself.

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..models import all_layers
from ..pictures import outlined
from ..runs import Run
from ..tracing import Trace, trace
from ..words import Words, say
from .catalog import Catalog
from .looking import value_at
from .page import Page, answers, markdown_line

MAPS_SAID = 5  # a deeper convolution's input maps named, largest contribution first
PRODUCTS_SHOWN = 8  # a class score's weight × input products listed, largest first


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


def scored(catalog: Catalog, run_key: str | None, source, name: str, lang: str = "en",
           prepare: Callable = as_input) -> ArithmeticView:
    """The arithmetic behind class ``name``'s score and probability, for the tab's
    ``source`` (see ``clicked``): the network's last dense layer, traced."""
    import keras

    run = catalog.run(run_key) if run_key else None
    image = None if run is None or name not in getattr(run, "class_names", []) \
        else prepare(run, source)
    if image is None:
        return ArithmeticView(say(lang, "arith_invite"))
    dense = [layer for layer in all_layers(run.model) if isinstance(layer, keras.layers.Dense)]
    if not dense:
        return ArithmeticView(say(lang, "arith_no_dense"))
    index = run.class_names.index(name)
    if dense[-1].units == 1:  # one sigmoid unit: the second class's score, the first the rest
        index = len(run.class_names) - 1
    t = trace(run, image, dense[-1], None, min(index, dense[-1].units - 1))
    height, width = image.shape[:2]
    field = outlined(image, (0, 0, height, width))  # a score sees the whole input
    return ArithmeticView(score_text(t, run.class_names, index, Words(lang)), field)


def score_text(t: Trace, names: list[str], index: int, words: Words) -> str:
    """A class score's arithmetic as Markdown: the largest products, the sum and bias, then
    the softmax (or sigmoid) giving the probabilities the tab shows."""
    terms, n = t.terms, words.number
    lines = [f"**{markdown_line(words('trace_class_head', layer=t.layer, name=names[index]))}**"]
    origin = terms["origin"]
    laid = "" if origin is None else words("arith_laid", maps=origin[2], height=origin[0],
                                           width=origin[1])
    lines.append(words("arith_products", n=n(len(terms["inputs"])), laid=laid,
                       shown=min(PRODUCTS_SHOWN, len(terms["inputs"]))))
    rows = [[_input_name(c, words), n(c["input"], 3), n(c["weight"], 3), n(c["product"], 3)]
            for c in terms["largest"][:PRODUCTS_SHOWN]]
    lines.append(_rows([words("arith_input"), words("arith_value"), words("arith_weight"),
                        words("arith_product")], rows))
    lines.append(words("arith_score", n=n(len(terms["inputs"])), sum=n(terms["sum"], 4),
                       bias=n(terms["bias"], 4), score=n(terms["pre_activation"], 4)))
    if terms.get("probabilities") is not None:
        lines += _softmax(terms, names, index, words)
    elif terms["function"] == "sigmoid" and len(names) == 2:
        lines.append(words("arith_sigmoid", score=n(terms["pre_activation"], 4),
                           p=words.percent(t.value, 2), second=names[1], first=names[0],
                           q=words.percent(1 - t.value, 2)))
    else:
        lines.append(words("arith_function", function=terms["function"], value=n(t.value, 4)))
    lines.append(words("trace_check", value=n(t.value, 6), activation=n(t.activation, 6)))
    return "\n\n".join(lines)


def _input_name(contribution: dict, words: Words) -> str:
    where = contribution["map_position"]
    if where is None:
        return words("arith_input_number", i=contribution["index"] + 1)
    return words("arith_input_at", row=where[0], col=where[1], map=where[2] + 1)


def _softmax(terms: dict, names: list[str], index: int, words: Words) -> list[str]:
    """Every class's score, exp(score − the largest) and its probability, the clicked class
    in bold."""
    logits, probabilities = np.asarray(terms["logits"]), np.asarray(terms["probabilities"])
    top = float(logits.max())
    shifted = np.exp(logits - top)
    rows = []
    for k in np.argsort(-probabilities, kind="stable"):
        row = [markdown_line(names[k]), words.number(float(logits[k]), 3),
               words.number(float(shifted[k]), 4), words.percent(float(probabilities[k]), 2)]
        rows.append([f"**{cell}**" for cell in row] if k == index else row)
    said = words("arith_softmax", count=len(names), top=words.number(top, 3),
                 total=words.number(float(shifted.sum()), 4))
    return [said, _rows([words("arith_class"), words("arith_score_column"),
                         words("arith_exp", top=words.number(top, 3)),
                         words("arith_probability")], rows)]


def _rows(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table: a text column, then numbers (right-aligned)."""
    rule = ["---"] + ["--:"] * (len(header) - 1)
    return "\n".join("| " + " | ".join(line) + " |"
                     for line in [[markdown_line(h) for h in header], rule, *rows])


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


def build(page: Page, tab: str, maps, run, source_input, prepare: Callable,
          scores=None, refresh=None):
    """The panel under a tab's maps picture ``maps``, answering a click on it, or on a class
    of ``scores`` (the tab's probabilities, a ``gr.Label``). ``run``: the tab's run picker;
    ``source_input``: the component (or state) holding its input, which ``prepare(run,
    value)`` makes the network's input (see ``clicked``). The panel is computed again when
    the maps change, or when ``refresh`` does if given (a tab that changes it only while
    something was clicked). Returns the state holding what was clicked (None: nothing)."""
    import gradio as gr

    page.labelled(gr.Markdown, "arith_heading", "value")
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=200):
            field = page.labelled(gr.Image, "arith_field_picture", elem_id=f"{tab}-field",
                                  format="png", height=224, interactive=False, buttons=[])
        with gr.Column(scale=3, min_width=320):
            # Not relabelled with the page: its answer is given again in the new language.
            text = gr.Markdown(say("en", "arith_invite"), elem_id=f"{tab}-arithmetic")
    # What was last clicked: (x, y) in the maps picture, or a class's name in the scores.
    clicks = gr.State(None)

    @answers(lambda line: ArithmeticView(line).outputs())
    def shown(run_key, source, lang, where):
        if isinstance(where, str):
            return scored(page.catalog, run_key, source, where, lang, prepare).outputs()
        return clicked(page.catalog, run_key, source, where, lang, prepare).outputs()

    def on_click(run_key, source, lang, evt: gr.SelectData):
        where = tuple(evt.index)
        return (*shown(run_key, source, lang, where), where)

    maps.select(on_click, [run, source_input, page.language], [text, field, clicks],
                show_progress="hidden")
    if scores is not None:
        def on_score(run_key, source, lang, evt: gr.SelectData):
            name = str(evt.value)
            return (*shown(run_key, source, lang, name), name)

        scores.select(on_score, [run, source_input, page.language], [text, field, clicks],
                      show_progress="hidden")
    # New maps (a stroke, another photo or run): the same place, computed again for them,
    # so that the panel never explains a picture no longer shown.
    again = [run, source_input, page.language, clicks]
    trigger = maps if refresh is None else refresh
    trigger.change(shown, again, [text, field], show_progress="hidden")
    page.on_language(shown, again, [text, field])
    return clicks
