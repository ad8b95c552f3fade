"""Inside one number, in the report: for one image, one value of each convolution and
pooling layer and the class score, with the arithmetic that gives it (``trace``): the first
layer's patch, kernel and products as small tables; a deeper convolution's largest
contributions by input map; a pooling's window and winner; the output's softmax."""

from __future__ import annotations

import numpy as np

from .. import inspection
from ..html import esc
from ..tracing import Trace, trace
from ..words import Words
from .sections import note

MAPS_SAID = 3  # a deeper convolution's input maps named, largest contribution first


def arithmetic_section(subject, image: np.ndarray, description: str, text: Words) -> str:
    """One value per layer for ``image`` (prepared as the model's input)."""
    model = subject.model
    parts = [note(text("trace_intro", image=description))]
    visual = inspection.visual_layers(model)
    outputs = inspection.layer_outputs(model, image[None], visual)
    for layer, maps in zip(visual, outputs, strict=True):
        # The layer's largest value: where its filter found what it looks for.
        row, col, channel = np.unravel_index(int(np.argmax(maps[0])), maps[0].shape)
        t = trace(model, image, layer, (int(row), int(col)), int(channel))
        parts.append(_value(t, subject.run.class_names, text))
    parts.append(_value(trace(model, image, model.layers[-1]), subject.run.class_names, text))
    return "".join(parts)


def _value(t: Trace, names: list[str], text: Words) -> str:
    n = text.number
    where = ("" if t.position is None
             else text("trace_where", row=t.position[0], col=t.position[1]))
    head = text("trace_head", layer=t.layer, map=t.channel + 1, where=where)
    terms = t.terms
    if t.kind == "convolution":
        body = _convolution(t, text)
    elif t.kind == "pooling":
        body = _grid(np.where(terms["inside"], terms["window"], np.nan), text) + esc(text(
            "trace_max" if "winner" in terms else "trace_mean", value=n(t.value, 4)))
    elif terms.get("probabilities") is not None:
        head = text("trace_class_head", layer=t.layer, name=names[t.channel])
        body = esc(text("trace_softmax", n=len(terms["inputs"]), score=n(terms["sum"], 3),
                        bias=n(terms["bias"], 3), logit=n(terms["pre_activation"], 3),
                        p=text.percent(t.value, 2)))
    else:
        return ""
    check = text("trace_check", value=n(t.value, 6), activation=n(t.activation, 6))
    return (f'<div class="trace"><p><b>{esc(head)}</b></p>{body}'
            f'<p class="caption">{esc(check)}</p></div>')


def _convolution(t: Trace, text: Words) -> str:
    terms, n = t.terms, text.number
    end = esc(text("trace_end", sum=n(terms["sum"], 4), bias=n(terms["bias"], 4),
                   pre=n(terms["pre_activation"], 4), function=terms["function"],
                   value=n(t.value, 4)))
    if len(terms["inputs"]) == 1:
        grids = [(text("trace_patch"), terms["patch"][..., 0]),
                 (text("trace_kernel"), terms["kernel"][..., 0]),
                 (text("trace_products"), terms["products"][..., 0])]
        tables = "".join(f'<div class="kernel">{_grid(g, text)}<span>{esc(title)}</span></div>'
                         for title, g in grids)
        return (f'<div class="filter-row">{tables}</div>'
                f'<p>{esc(text("trace_correlation"))} {end}</p>')
    largest = ", ".join(text("trace_map_sum", map=k + 1, value=n(total, 3))
                        for k, total in t.largest_maps(MAPS_SAID))
    return f'<p>{esc(text("trace_maps", n=len(terms["inputs"]), largest=largest))} {end}</p>'


def _grid(values: np.ndarray, text: Words) -> str:
    cells = "".join("<tr>" + "".join(
        f'<td style="background:#eef1f6">{"" if np.isnan(v) else text.number(float(v), 2)}</td>'
        for v in row) + "</tr>"
        for row in values)
    return f"<table>{cells}</table>"
