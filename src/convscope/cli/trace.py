"""``convscope trace``: the arithmetic behind one value of one layer, for one of your images.

The library's ``Trace`` holds the numbers; this module writes them in the course's words:
a convolution's patch, kernel, products, sum, bias and activation; a pooling's window and
winner; a dense layer's largest contributions, and the softmax of the output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from ..errors import ConvscopeError
from ._common import Target, app, fail, user_errors, with_keras

MAPS_LISTED = 8  # a deeper convolution's input maps listed, largest contribution first


@app.command("trace")
@user_errors
def trace_command(
    target: Target,
    image: Annotated[Path, typer.Argument(help="An image file, prepared as predict prepares "
                                          "it.")],
    layer: Annotated[str, typer.Option(help="Layer number from 1 (conv/pooling) or any "
                                       "layer's name (see `convscope summary`).")],
    at: Annotated[str | None, typer.Option("--at", metavar="ROW,COL", help="Position in the "
                                           "layer's maps, from 0,0 (not for dense layers).",
                                           show_default=False)] = None,
    filter_number: Annotated[int | None, typer.Option(
        "--filter", min=1, help="Map (or unit, or class) number, from 1 [default: the "
        "largest value there].", show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Every number as one JSON "
                                          "record.")] = False,
):
    """Inside one number: how one value of a layer is computed from its inputs.

    Example: convscope trace runs/mnist-… my-digit.png --layer 1 --at 10,12 --filter 3
    prints the 3×3 patch of pixels, the kernel, their products, the sum, + bias, the
    ReLU and the value, recomputed and checked against what the network computed.
    """
    from ..runs import load_run
    from ..tracing import trace

    position = _position(at)
    run = load_run(target)
    with_keras()
    channel = None if filter_number is None else filter_number - 1
    try:
        result = trace(run, image, layer, position, channel)
    except ConvscopeError as exc:
        if "channel" in exc.parameters:
            fail(f"--filter must be from 1 to {exc.facts['count']} for layer {layer}")
        raise
    if as_json:
        typer.echo(json.dumps(result.to_dict()))
        return
    names = run.class_names if result.terms.get("probabilities") is not None else None
    typer.echo("\n".join(describe(result, names)))


def _position(at: str | None) -> tuple[int, int] | None:
    if at is None:
        return None
    try:
        row, col = (int(v) for v in at.split(","))
    except ValueError:
        fail(f"--at takes ROW,COL (two numbers from 0, e.g. 10,12); got {at!r}", 2)
    return row, col


def describe(t, class_names=None) -> list[str]:
    """The lines ``convscope trace`` prints for Trace ``t``."""
    lines = [_headline(t, class_names), *_field(t)]
    lines += _BY_KIND.get(t.kind, _plain_terms)(t, class_names)
    verdict = "equal" if t.agrees() else "NOT equal"
    lines.append(f"= {_n(t.value)} recomputed (float64); the network computed "
                 f"{_n(t.activation)} in {t.precision}: {verdict} to {t.precision} precision")
    return lines


def _headline(t, class_names) -> str:
    number = f", layer {t.number}" if t.number else ""
    if class_names:
        return f"{t.layer} ({t.layer_type}): the probability of class {class_names[t.channel]}"
    where = "" if t.position is None else f" at row {t.position[0]}, column {t.position[1]}"
    what = "map" if t.position is not None else "value"
    return f"{t.layer} ({t.layer_type}{number}): {what} {t.channel + 1}{where}"


def _field(t) -> list[str]:
    if t.receptive_field is None:
        return []
    top, left, bottom, right = t.receptive_field
    return [f"sees input pixels rows {top}–{bottom - 1}, columns {left}–{right - 1} "
            f"({bottom - top}×{right - left})"]


def _convolution(t, _names) -> list[str]:
    terms = t.terms
    maps = list(terms["inputs"])
    lines = ["Keras computes a correlation: the kernel is laid on the patch as it is, not "
             "flipped."]
    if len(maps) == 1:
        lines += _side_by_side(("input patch", terms["patch"][..., 0]),
                               ("× kernel", terms["kernel"][..., 0]),
                               ("= products", terms["products"][..., 0]))
        lines.append(f"sum of the products: {_n(terms['sum'])}")
    else:
        largest = t.largest_maps(MAPS_LISTED)
        lines.append(f"patch × kernel, summed over each of the {len(maps)} input maps "
                     "(largest first):")
        lines += [f"  map {k + 1}: {_n(total)}" for k, total in largest]
        if len(maps) > MAPS_LISTED:
            rest = float(np.sum(terms["channel_sums"])) - sum(total for _, total in largest)
            lines.append(f"  the {len(maps) - MAPS_LISTED} other maps: {_n(rest)}")
        lines.append(f"sum over the maps: {_n(terms['sum'])}")
    return lines + _bias_and_function(terms)


def _bias_and_function(terms) -> list[str]:
    return [f"+ bias {_n(terms['bias'])} = {_n(terms['pre_activation'])} (pre-activation)",
            f"activation: {terms['function']}"]


def _pooling(t, _names) -> list[str]:
    terms = t.terms
    window = np.where(terms["inside"], terms["window"], np.nan)
    lines = _side_by_side(("window", window))
    if "winner" in terms:
        row, col = terms["winner"]
        return [*lines, f"max: the winner is at row {row}, column {col} of the window"]
    return [*lines, f"mean of the {int(np.sum(terms['inside']))} values"]


def _dense(t, names) -> list[str]:
    terms = t.terms
    lines = [f"{len(terms['inputs'])} inputs × their weights; the largest products:"]
    for c in terms["largest"]:
        where = "" if c["map_position"] is None else \
            " (row {}, column {}, map {})".format(c["map_position"][0], c["map_position"][1],
                                                  c["map_position"][2] + 1)
        lines.append(f"  input {c['index'] + 1}{where}: {_n(c['input'])} × "
                     f"{_n(c['weight'])} = {_n(c['product'])}")
    lines.append(f"sum of all {len(terms['products'])} products: {_n(terms['sum'])}")
    lines += _bias_and_function(terms)
    if terms.get("probabilities") is not None:
        lines += _softmax(t, names)
    return lines


def _softmax(t, names) -> list[str]:
    terms = t.terms
    probabilities = np.asarray(terms["probabilities"])
    lines = ["softmax: every class's score (logit) → probability = exp(score) / Σ exp:"]
    for i in np.argsort(-probabilities, kind="stable"):
        name = names[i] if names else str(i)
        lines.append(f"  {name}: {_n(terms['logits'][i])} → {probabilities[i]:.2%}")
    return lines


def _scale(t, _names) -> list[str]:
    terms = t.terms
    lines = [f"input {_n(terms['input'])} × scale {_n(terms['scale'])} + shift "
             f"{_n(terms['shift'])}"]
    if "gamma" in terms:
        lines.append(f"  (batch normalisation: scale = gamma / √(variance + ε) = "
                     f"{_n(terms['gamma'])} / √({_n(terms['variance'])} + "
                     f"{terms['epsilon']:g}), shift = beta − mean × scale, mean "
                     f"{_n(terms['mean'])}, beta {_n(terms['beta'])})")
    return lines


def _sum(t, _names) -> list[str]:
    return [" + ".join(_n(v) for v in t.terms["addends"]) + " (the values added)"]


def _plain_terms(t, _names) -> list[str]:
    terms = t.terms
    if "function" in terms:
        return [f"{terms['function']}({_n(terms['input'])})"]
    if "map_position" in terms:
        row, col, channel = terms["map_position"]
        return [f"the value at row {row}, column {col} of map {channel + 1}, laid in a row"]
    if "logits" in terms:
        return _softmax(t, None)
    return [f"input {_n(terms['input'])}, passed on unchanged when predicting"]


_BY_KIND = {"convolution": _convolution, "pooling": _pooling, "dense": _dense,
            "scale": _scale, "sum": _sum}


def _side_by_side(*grids) -> list[str]:
    """Small grids of numbers printed next to each other under their titles."""
    cells = [[[_n(v) for v in row] for row in grid] for _, grid in grids]
    width = max(len(c) for grid in cells for row in grid for c in row)
    blocks = [[" ".join(c.rjust(width) for c in row) for row in grid] for grid in cells]
    spans = [max(len(title), len(block[0])) for (title, _), block in zip(grids, blocks,
                                                                         strict=True)]
    lines = ["   ".join(title.ljust(s) for (title, _), s in zip(grids, spans, strict=True))]
    for r in range(max(len(b) for b in blocks)):
        lines.append("   ".join(b[r].ljust(s) if r < len(b) else " " * s
                                for b, s in zip(blocks, spans, strict=True)))
    return lines


def _n(value) -> str:
    value = float(value)
    if np.isnan(value):
        return "pad"
    return f"{value:.4g}"
