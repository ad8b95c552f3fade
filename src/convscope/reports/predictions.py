"""The predictions section: test images with their probability bars, how sure the network is,
the most confident mistakes, the confusion matrix whose cells open onto their test images, the
accuracy of each class, and the reliability diagram (how far its confidence can be trusted).

The matrix is an HTML table: a click on a cell shows that cell's images below it (a few lines
of script; without script, the cell's link still shows them through CSS ``:target``).
"""

from __future__ import annotations

import numpy as np

from .. import plots
from ..calibration import Calibration
from ..evaluation import Evaluation
from ..figures import shortened
from ..html import embed_figure, esc
from ..words import Words
from .sections import figure, note, table
from .subject import Subject

RIGHT_SHOWN = 8  # test images shown for a cell of the diagonal
WRONG_SHOWN = 16  # for a cell of mistakes, the most confident first
PANEL_IMAGES = 800  # at most, over all cells: with many classes, fewer images a cell
YOURS_SHOWN = 24  # of the user's images, in the probability-bars figure


def predictions_section(subject: Subject, text: Words) -> str:
    parts = []
    if not subject.bare:
        for name in ("predictions", "probabilities", "mistakes"):
            parts.append(figure(subject.stored_figure(name), text(f"alt_{name}"),
                                text(f"cap_{name}")))
    if subject.yours is not None:
        parts.append(_your_images(subject, text))
    evaluation = subject.evaluation
    if evaluation is not None:
        parts.append(confusion_matrix(subject, evaluation, text))
        parts.append(per_class(evaluation, text))
        parts.append(reliability(subject, evaluation.calibration(), text))
    elif not subject.bare:
        parts.append(figure(subject.stored_figure("confusion_matrix"), text("alt_matrix"),
                            text("cap_matrix_still")))
        parts.append(per_class_from_metrics(subject.metrics, text))
        stored = subject.metrics.get("calibration")
        if stored:
            parts.append(reliability(subject, Calibration.from_dict(stored), text))
    if not any(parts):
        parts.append(note(text("no_predictions")))
    return "".join(parts)


def _your_images(subject: Subject, text: Words) -> str:
    yours = subject.yours
    n = min(len(yours.paths), YOURS_SHOWN)
    fig = plots.predictions(yours.images[:n], yours.probabilities[:n],
                            None if yours.labels is None else yours.labels[:n],
                            list(yours.class_names), text, text("yours_title"),
                            captions=[shortened(p.name, 20) for p in yours.paths[:n]])
    return (f"<h4>{esc(text('h_yours'))}</h4>"
            + figure(embed_figure(fig, subject.photos, dpi=90), text("alt_yours"),
                     text("cap_yours", shown=n, n=len(yours.paths))))


# -- the confusion matrix ---------------------------------------------------------------------


def confusion_matrix(subject: Subject, evaluation: Evaluation, text: Words) -> str:
    """The matrix as a table of links, and one panel of images per non-empty cell."""
    cm = evaluation.confusion_matrix()
    names = list(evaluation.class_names)
    rates = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    wrong = cm - np.diag(np.diag(cm))
    opened = np.unravel_index(np.argmax(wrong), cm.shape) if wrong.any() else (0, 0)
    prefix = f"{subject.anchor}-cm"

    head = "".join(f'<th scope="col">{esc(n)}</th>' for n in names)
    rows = []
    for i, true in enumerate(names):
        cells = []
        for j, predicted in enumerate(names):
            count = int(cm[i, j])
            if not count:
                cells.append("<td></td>")
                continue
            # Right answers in blue by their share of the class; mistakes in red, stretched
            # so that a few of them still show.
            shade = rates[i, j] if i == j else min(1.0, 4 * rates[i, j])
            colour = "31,119,180" if i == j else "214,39,40"
            ink = ' class="dark"' if shade > 0.55 else ""
            current = ' aria-current="true"' if (i, j) == opened else ""
            label = text("cell_label", n=text.number(count), true=true, predicted=predicted)
            cells.append(f'<td style="background:rgba({colour},{shade:.2f})"{ink}>'
                         f'<a class="cm-cell" href="#{prefix}-{i}-{j}"{current} '
                         f'title="{esc(label)}">{text.number(count)}</a></td>')
        rows.append(f'<tr><th scope="row">{esc(true)}</th>{"".join(cells)}</tr>')
    true, predicted = text("cm_corner").split("|")
    matrix = (f'<div class="wide"><table class="cm"><thead><tr><th class="corner">'
              f'{esc(predicted)}<br>{esc(true)}</th>{head}</tr></thead><tbody>{"".join(rows)}'
              "</tbody></table></div>")
    share = max(1, PANEL_IMAGES // np.count_nonzero(cm))
    panels = [_cell_panel(subject, evaluation, i, j, prefix, text, (i, j) == opened,
                          min(share, RIGHT_SHOWN if i == j else WRONG_SHOWN))
              for i in range(len(names)) for j in range(len(names)) if cm[i, j]]
    return (f'<h4 id="{prefix}">{esc(text("h_matrix"))}</h4>'
            f'<div class="cm-box">{matrix}<p class="caption">{esc(text("cap_matrix"))}</p>'
            f'{"".join(panels)}</div>')


def _cell_panel(subject: Subject, evaluation: Evaluation, i: int, j: int, prefix: str,
                text: Words, opened: bool, limit: int) -> str:
    names = evaluation.class_names
    members = np.flatnonzero((evaluation.labels == i) & (evaluation.predictions == j))
    confidence = evaluation.probabilities[members, j]
    if i != j:
        members = members[np.argsort(-confidence, kind="stable")]  # surest mistakes first
    shown = members[:limit]
    thumbs = []
    for index in shown:
        name = subject.image_name(int(index))
        p = text.percent(float(evaluation.probabilities[index, j]), 0)
        alt = text("thumb_alt", name=name, true=names[i], predicted=names[j], p=p)
        picture = subject.thumbnail(int(index))
        thumbs.append(f'<figure class="thumb">{picture.tag(alt, title=name)}'
                      f"<figcaption>{esc(shortened(name, 18))} · {esc(p)}</figcaption></figure>")
    heading = text("cell_heading", true=names[i], predicted=names[j],
                   n=text.number(len(members)), shown=len(shown))
    return (f'<div class="cm-panel{" open" if opened else ""}" id="{prefix}-{i}-{j}">'
            f'<h5>{esc(heading)}</h5><div class="thumbs">{"".join(thumbs)}</div></div>')


def per_class(evaluation: Evaluation, text: Words) -> str:
    """Each class's accuracy as a number and a bar."""
    cm = evaluation.confusion_matrix()
    rows = []
    for i, (name, accuracy) in enumerate(evaluation.per_class_accuracy().items()):
        total = int(cm[i].sum())
        width = 0 if np.isnan(accuracy) else round(100 * accuracy, 1)
        value = "—" if np.isnan(accuracy) else text.percent(accuracy, 1)
        rows.append(f"<tr><td>{esc(name)}</td><td class=num>{text.number(total)}</td>"
                    f"<td class=num>{esc(value)}</td><td class=bar><span "
                    f'style="width:{width}%"></span></td></tr>')
    head = "".join(f"<th>{esc(text(k))}</th>" for k in ("class", "test_images", "accuracy"))
    return (f"<h4>{esc(text('h_per_class'))}</h4>"
            f'<div class="wide"><table class="per-class"><thead><tr>{head}<th></th></tr>'
            f"</thead><tbody>{''.join(rows)}</tbody></table></div>"
            f'<p class="caption">{esc(text("cap_per_class"))}</p>')


def per_class_from_metrics(metrics: dict, text: Words) -> str:
    """Each class's accuracy as training recorded it, when predictions can't be made now."""
    accuracies = metrics.get("per_class_accuracy") or {}
    if not accuracies:
        return ""
    rows = [[name, text.percent(value, 1)] for name, value in accuracies.items()]
    return (f"<h4>{esc(text('h_per_class'))}</h4>"
            + table([text("class"), text("accuracy")], rows, (1,)))


def reliability(subject: Subject, calibration: Calibration, text: Words) -> str:
    """The reliability diagram, its expected calibration error and the unsure threshold."""
    target = text.percent(calibration.target, 0)
    unsure = (text("unsure_always", target=target) if calibration.unsure_below is None else
              text("unsure_below", p=text.percent(calibration.unsure_below, 0), target=target))
    fig = plots.reliability(calibration, text)
    return (f"<h4>{esc(text('h_reliability'))}</h4>"
            + figure(embed_figure(fig, False, dpi=90), text("alt_reliability"),
                     text("cap_reliability", ece=text.percent(calibration.ece, 1),
                          unsure=unsure)))
