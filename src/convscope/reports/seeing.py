"""What the network sees (the course's §4): the feature maps of every convolution and pooling
layer for a few images, one filter across many images, the kernels of the first layer, and
Grad-CAM on a few right and a few wrong predictions, and whether its map can be trusted
(``sanity``: one check per report, on the first image).

The arrays come from ``inspection``, as for ``convscope see``, ``filter``, ``kernels`` and
``explain``; a layer's maps are the sheet every face draws (``views.maps_picture``), which
takes milliseconds where matplotlib took seconds: what lets training write every run's
report. The rest the page lays out itself, as grids of small images with their numbers in
text.

The images are chosen from the predictions: one test image of each of the two classes the
network confuses most (like the course's 4 and 9), so the maps show how it tells them apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import inspection, views
from ..html import embed_array, embed_figure, esc
from ..pictures import heat_overlay
from ..sanity import sanity_check
from ..weight_maps import weight_maps
from ..words import Words
from .arithmetic import arithmetic_section
from .sections import figure, note
from .subject import TROUBLE, Subject, reason

MAPS_IMAGES = 2  # images whose feature maps are shown, layer by layer
FILTER_IMAGES = 16  # images one filter is shown on
CAM_RIGHT, CAM_WRONG = 2, 2  # Grad-CAM on this many right and wrong predictions
CAM_CLASSES = 3  # probabilities shown beside each Grad-CAM
KERNEL_NUMBERS = 25  # kernels up to 5×5 are shown with their weights written in


@dataclass(frozen=True)
class Pick:
    """An image to look inside: a test image (``test_index``) or one of the user's files."""

    description: str
    test_index: int | None = None
    path: object = None
    label: int | None = None  # its true class, when known


def seeing_section(subject: Subject, text: Words) -> str:
    model = subject.model
    if model is None:
        return note(text("no_model"))
    if not inspection.visual_layers(model):
        return note(text("no_conv"))
    parts = [note(text("seeing_intro"))]
    picks = _picks(subject, text)
    steps = [("h_maps", lambda: _feature_maps(subject, picks, text)),
             ("h_filter", lambda: _filters(subject, text)),
             ("h_kernels", lambda: _kernels(subject, text)),
             ("h_class_weights", lambda: _class_weights(subject, picks, text)),
             ("h_cam", lambda: _grad_cams(subject, picks, text)),
             ("h_check", lambda: _check(subject, picks, text)),
             ("h_trace", lambda: _arithmetic(subject, picks, text))]
    for heading, draw in steps:
        try:
            body = draw()
        except TROUBLE as exc:
            body = note(text("problem_section_failed", what=text(heading), why=reason(exc)))
        if body:
            parts.append(f"<h4>{esc(text(heading))}</h4>{body}")
    return "".join(parts)


def _picks(subject: Subject, text: Words) -> list[Pick]:
    """The images for feature maps: of the two most confused classes, a right answer each."""
    if subject.bare:
        yours = subject.yours
        paths = [] if yours is None else yours.paths[:MAPS_IMAGES]
        return [Pick(p.name, path=p) for p in paths]
    if subject.data is None:
        return []
    labels = np.asarray(subject.data.y_test)
    evaluation = subject.evaluation
    classes = [0, 1]
    right = np.ones(len(labels), dtype=bool)
    if evaluation is not None:
        cm = evaluation.confusion_matrix()
        pairs = np.triu(cm + cm.T, 1)
        if pairs.any():
            classes = [int(c) for c in np.unravel_index(np.argmax(pairs), pairs.shape)]
        right = evaluation.predictions == labels
    picks = []
    for c in classes[:MAPS_IMAGES]:
        members = np.flatnonzero(labels == c)
        if not len(members):
            continue
        good = members[right[members]]
        index = int((good if len(good) else members)[0])
        picks.append(Pick(text("test_image", i=index, name=subject.run.class_names[c]),
                          test_index=index, label=c))
    return picks


def _prepared(subject: Subject, pick: Pick) -> np.ndarray:
    return subject.run.pick_image(pick.path, test_index=pick.test_index).image


def _on_one_scale(values: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Values stretched to 0–1 together (a dim map stays dim), with the range they had."""
    low, high = float(values.min()), float(values.max())
    scaled = (values - low) / (high - low) if high > low else np.zeros_like(values)
    return scaled, low, high


def _coloured(values: np.ndarray, colours: str, limit: float) -> np.ndarray:
    """Values from -limit to +limit through a matplotlib colour map, as RGB in 0–1."""
    import matplotlib

    return matplotlib.colormaps[colours]((values / (2 * limit or 1)) + 0.5)[..., :3]


# -- feature maps ----------------------------------------------------------------------------


def _feature_maps(subject: Subject, picks: list[Pick], text: Words) -> str:
    """Every map of every layer for each picked image, numbered from 1, one scale a layer."""
    if not picks:
        return note(text("no_images"))
    parts = []
    for pick in picks:
        image = _prepared(subject, pick)
        parts.append(f"<h5>{esc(pick.description)}</h5>")
        for maps in inspection.feature_maps(subject.model, image):
            kind = text("pooling" if maps.kind == "pooling" else "convolution")
            sheet = views.maps_picture(maps, text, pick.description, image)
            alt = text("maps_alt", n=maps.number, image=pick.description)
            caption = text("cap_maps", n=maps.number, kind=kind, maps=maps.maps.shape[-1])
            parts.append(f'<figure class="maps">{embed_array(sheet).tag(alt)}'
                         f"<figcaption>{esc(caption)}</figcaption></figure>")
    return "".join(parts)


# -- one filter, many images -----------------------------------------------------------------


def _filters(subject: Subject, text: Words) -> str:
    """One filter of the first and of the last convolution layer, each on many images."""
    if subject.bare:
        if subject.yours is None:
            return note(text("no_images"))
        images = subject.yours.images[:FILTER_IMAGES]
        names = [p.name for p in subject.yours.paths[:FILTER_IMAGES]]
    elif subject.data is not None:
        images, names = subject.run.spread_test_images(FILTER_IMAGES)
    else:
        return note(text("no_images"))
    convs = inspection.conv_layers(subject.model)
    inputs = [embed_array(image, photo=subject.photos) for image in images]
    parts = []
    for layer in [convs[0]] + ([convs[-1]] if len(convs) > 1 else []):
        number_ = inspection.layer_number(subject.model, layer)
        (out,) = inspection.layer_outputs(subject.model, images, [layer])
        # The filter whose answer differs most from image to image: the one that tells them
        # apart, rather than one that lights up (or stays dark) everywhere.
        chosen = int(np.argmax(out.mean(axis=(1, 2)).std(axis=0)))
        responses, low, high = _on_one_scale(out[..., chosen])
        weights, _ = inspection.kernels(subject.model, layer)
        pairs = []
        for i, name in enumerate(names):
            response = embed_array(responses[i]).tag(text("response_alt", image=name))
            pairs.append(f'<div class="pair">{inputs[i].tag(name)}{response}'
                         f"<span>{esc(name)}</span></div>")
        caption = text("cap_filter", f=chosen + 1, n=number_, low=text.number(low, 2),
                       high=text.number(high, 2))
        parts.append(f'<figure class="filter"><div class="filter-row">'
                     f"{_kernel_table(weights[..., chosen], text)}"
                     f'<div class="pairs">{"".join(pairs)}</div></div>'
                     f"<figcaption>{esc(caption)}</figcaption></figure>")
    return "".join(parts)


def _kernel_table(kernel: np.ndarray, text: Words) -> str:
    """A kh×kw kernel (summed over its input channels) as a table, red < 0 < blue."""
    summed = kernel.sum(axis=-1)
    limit = float(np.abs(summed).max()) or 1.0
    colours = _coloured(summed, "RdBu", limit)
    rows = []
    for i in range(summed.shape[0]):
        cells = []
        for j in range(summed.shape[1]):
            r, g, b = (int(255 * c) for c in colours[i, j])
            ink = ' class="dark"' if abs(summed[i, j]) > 0.6 * limit else ""
            value = text.number(float(summed[i, j]), 2) \
                if summed.size <= KERNEL_NUMBERS else ""
            cells.append(f'<td style="background:rgb({r},{g},{b})"{ink}>{value}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    label = text("kernel_summed" if kernel.shape[-1] > 1 else "kernel")
    return (f'<div class="kernel"><table>{"".join(rows)}</table><span>{esc(label)}</span>'
            "</div>")


# -- kernels ---------------------------------------------------------------------------------


def _kernels(subject: Subject, text: Words) -> str:
    """The first layer's kernels as small images: in colour for a colour network."""
    weights, _ = inspection.kernels(subject.model, inspection.conv_layers(subject.model)[0])
    kh, kw, channels, count = weights.shape
    if channels == 3:
        scaled, _, _ = _on_one_scale(weights)
        pictures = [scaled[..., k] for k in range(count)]
        key = "cap_kernels_colour"
    else:
        summed = weights.sum(axis=2)
        limit = float(np.abs(summed).max()) or 1.0
        pictures = [_coloured(summed[..., k], "RdBu", limit) for k in range(count)]
        key = "cap_kernels"
    cells = [f'<div class="map kernel-cell">{embed_array(p).tag(text("kernel_alt", k=k + 1))}'
             f"<span>{k + 1}</span></div>" for k, p in enumerate(pictures)]
    return (f'<figure class="kernels"><div class="maps-grid">{"".join(cells)}</div>'
            f"<figcaption>{esc(text(key, count=count, kh=kh, kw=kw))}</figcaption></figure>")


def _class_weights(subject: Subject, picks: list[Pick], text: Words) -> str:
    """What the class predicted for the first image looks for: the weights of the last dense
    layer fed by flattened maps, laid back as those maps (its first unit when it is not the
    output; one line for a network without such a layer)."""
    found = weight_maps(subject.model)
    if found is None:
        return note(text("weights_none"))
    names = views.weight_names(found, subject.run.class_names, text)
    unit = 0
    if picks and found.is_output and len(names) == len(subject.run.class_names):
        image = _prepared(subject, picks[0])
        unit = int(np.argmax(subject.run.predict_arrays(image[None])[0]))
    drawn = views.weights_figure(found, subject.run.class_names, unit, text)
    alt = text("alt_weights", layer=found.layer, name=names[unit])
    return figure(embed_figure(drawn.figure, dpi=72), alt, drawn.caption)


# -- Grad-CAM --------------------------------------------------------------------------------


def _grad_cams(subject: Subject, picks: list[Pick], text: Words) -> str:
    """HiResCAM on the pictures above (right answers) and on the surest mistakes."""
    evaluation = subject.evaluation
    chosen: list[Pick] = []
    if subject.bare:
        yours = subject.yours
        if yours is not None:
            chosen = [Pick(p.name, path=p) for p in yours.paths[:CAM_RIGHT + CAM_WRONG]]
    else:
        chosen = picks[:CAM_RIGHT]
        if evaluation is not None:
            names = subject.run.class_names
            chosen += [Pick(text("test_image", i=int(i), name=names[evaluation.labels[i]]),
                            test_index=int(i), label=int(evaluation.labels[i]))
                       for i in evaluation.mistakes(CAM_WRONG)]
    if not chosen:
        return note(text("no_images"))
    cards, layer = [], ""
    for pick in chosen:
        image = _prepared(subject, pick)
        cam = inspection.grad_cam(subject.model, image)
        layer = cam.layer
        cards.append(_cam_card(subject, pick, image, cam, text))
    return (f'<figure class="cams"><div class="cam-grid">{"".join(cards)}</div>'
            f"<figcaption>{esc(text('cap_cam', layer=layer))}</figcaption></figure>")


def _cam_card(subject: Subject, pick: Pick, image: np.ndarray, cam: inspection.GradCam,
              text: Words) -> str:
    """The image, the heat map over it, and the most probable classes."""
    names = subject.run.class_names
    overlay = heat_overlay(image, cam.heatmap, size=max(image.shape[:2]))
    predicted = cam.class_index
    p = text.percent(float(cam.probabilities[predicted]), 1)
    alt = text("alt_cam", image=pick.description, predicted=names[predicted])
    pictures = (f'<div class="cam-img">{embed_array(image, subject.photos).tag(pick.description)}'
                f"<span>{esc(text('input'))}</span></div>"
                f'<div class="cam-img">{embed_array(overlay, subject.photos).tag(alt)}'
                f"<span>{esc(text('evidence', name=names[predicted]))}</span></div>")
    bars = []
    for c in np.argsort(cam.probabilities)[::-1][:CAM_CLASSES]:
        share = float(cam.probabilities[c])
        bars.append(f'<tr{" class=top" if c == predicted else ""}><td>{esc(names[c])}</td>'
                    f'<td class="bar"><span style="width:{100 * share:.1f}%"></span></td>'
                    f"<td class=num>{esc(text.percent(share, 1))}</td></tr>")
    heading = text("cam_heading", image=pick.description, predicted=names[predicted], p=p)
    wrong = ' class="wrong"' if pick.label is not None and pick.label != predicted else ""
    return (f'<div class="cam"><p{wrong}>{esc(heading)}</p><div class="cam-row">{pictures}'
            f'<table class="probs">{"".join(bars)}</table></div></div>')


def _check(subject: Subject, picks: list[Pick], text: Words) -> str:
    """The sanity checks of the Grad-CAM map of the first image, and what they mean."""
    if not picks:
        return ""
    image = _prepared(subject, picks[0])
    check = sanity_check(subject.model, image)
    names = subject.run.class_names
    title = text("fig_check_title", image=picks[0].description, layer=check.trained.layer)
    drawing, sentence = views.drawn_check(check, image, names, text, title)
    return (figure(embed_figure(drawing, subject.photos, dpi=80), text("alt_check"),
                   text("cap_fig_check"))
            + f'<p class="verdict">{esc(sentence)}</p>')


def _arithmetic(subject: Subject, picks: list[Pick], text: Words) -> str:
    if not picks:
        return ""
    return arithmetic_section(subject, _prepared(subject, picks[0]), picks[0].description, text)
