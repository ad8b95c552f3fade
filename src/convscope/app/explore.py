"""Explore a run: its curves and metrics, its confusion matrix (a cell → its test images), its
most confident mistakes, any test image's maps layer by layer, one filter across many images,
its kernels, and its HTML report when there is one.

The test set is predicted once per run (``Catalog.evaluation``); every later question is
answered from those predictions, as fastai's interpretation objects do.
"""

# No `from __future__ import annotations` here: Gradio finds the parameters that receive event
# data (gr.SelectData, gr.Request) by their annotations, which must be the classes themselves.

from dataclasses import dataclass, field

import numpy as np

from .. import plots
from ..errors import ConvscopeError
from .catalog import Catalog
from .looking import look
from .page import failure, markdown_line
from .pictures import as_rgb, enlarged, figure_picture
from .text import say

GALLERY_IMAGES = 24  # test images shown for a confusion cell, and mistakes shown
THUMBNAIL = 96  # pixels a side of a test image in a gallery
REPORT = "report.html"  # written by `convscope report` into the run directory


@dataclass
class Overview:
    """What the Explore tab shows when a run is chosen."""

    summary: str  # Markdown
    curves: object | None  # a picture, None before the first epoch
    confusion: list[list]  # rows for a Dataframe: true class, then counts per predicted class
    confusion_headers: list[str]
    mistakes: list[tuple[np.ndarray, str]]  # (thumbnail, caption) for a Gallery
    mistake_indices: list[int]
    classes: list[str]
    layers: list[tuple[str, str]]  # (label, number) of convolution and pooling layers
    conv_layers: list[tuple[str, str]]
    report: str | None  # the report's path when the run has one


@dataclass
class Inspection:
    """One test image looked at: its answer, the image as seen, Grad-CAM, each layer's maps."""

    message: str
    probabilities: dict[str, float] | None = None
    seen: np.ndarray | None = None
    cam: np.ndarray | None = None
    maps: np.ndarray | None = None  # every layer's maps, one sheet under another
    layers: list[str] = field(default_factory=list)  # the layers' titles, in order


def overview(catalog: Catalog, key: str, lang: str = "en") -> Overview:
    """A run at a glance (its test set predicted the first time it is asked)."""
    run = catalog.run(key)
    evaluation = catalog.evaluation(key)
    names = run.class_names
    matrix = evaluation.confusion_matrix()
    data = catalog.data(key)
    wrong = evaluation.mistakes(GALLERY_IMAGES)
    mistakes = [(_thumbnail(run, data, i),
                 say(lang, "mistake_caption", true=names[evaluation.labels[i]],
                     predicted=names[evaluation.predictions[i]],
                     confidence=f"{evaluation.probabilities[i].max():.0%}"))
                for i in wrong]
    from .. import inspection  # Keras: imported once the server is up (server.warm_up)

    history = run.history
    curves = figure_picture(plots.learning_curves(history, title=run.path.name)) if history \
        else None
    model = run.model
    visual = inspection.visual_layers(model)
    layers = [(f"{n} — {layer.name}", str(n)) for n, layer in enumerate(visual, 1)]
    conv = [(label, number) for (label, number), layer in zip(layers, visual, strict=True)
            if not inspection.is_pooling(layer)]
    report = run.path / REPORT if run.path.is_dir() else None
    return Overview(
        summary=summary(run, evaluation, lang),
        curves=curves,
        confusion=[[names[t], *map(int, matrix[t])] for t in range(len(names))],
        confusion_headers=[say(lang, "confusion_corner"), *names],
        mistakes=mistakes,
        mistake_indices=[int(i) for i in wrong],
        classes=names,
        layers=layers,
        conv_layers=conv,
        report=str(report) if report is not None and report.is_file() else None,
    )


def summary(run, evaluation, lang: str) -> str:
    """The run's card: recipe, data, epochs, accuracy, weights, time; accuracy per class."""
    config, metrics = run.config, run.metrics
    seconds = metrics.get("train_seconds")
    rows = [
        (say(lang, "row_recipe"), run.recipe + (" --fast" if config.fast else "")
         + (" --augment" if config.augment_layers else "")),
        (say(lang, "row_data"), f"{config.dataset or '—'}, {config.train_images:,} "
                                f"{say(lang, 'training_images')}"),
        (say(lang, "row_epochs"), f"{run.epochs_done}/{run.epochs} ({run.status})"),
        (say(lang, "row_accuracy"), f"{evaluation.accuracy:.2%} "
                                    f"({len(evaluation.labels):,} {say(lang, 'test_images')})"),
        (say(lang, "row_weights"), f"{config.parameters:,}" if config.parameters else "—"),
        (say(lang, "row_time"), "—" if seconds is None else f"{seconds / 60:.1f} min"),
    ]
    table = "\n".join(f"| {name} | {value} |" for name, value in rows)
    per_class = " · ".join(f"{name} {accuracy:.1%}"
                           for name, accuracy in evaluation.per_class_accuracy().items())
    heading = f"| {say(lang, 'row_run')} | {markdown_line(run.path.name)} |\n|---|---|"
    return f"{heading}\n{table}\n\n**{say(lang, 'per_class')}** {per_class}"


def cell_images(catalog: Catalog, key: str, true: int, predicted: int, lang: str = "en"
                ) -> tuple[list[tuple[np.ndarray, str]], list[int], str]:
    """The test images of one confusion cell (true class, predicted class), surest first."""
    run = catalog.run(key)
    evaluation = catalog.evaluation(key)
    names = run.class_names
    if not (0 <= true < len(names) and 0 <= predicted < len(names)):
        raise ConvscopeError(f"no cell ({true}, {predicted}) in a {len(names)}-class matrix")
    members = np.flatnonzero((evaluation.labels == true) & (evaluation.predictions == predicted))
    members = members[np.argsort(-evaluation.probabilities[members, predicted], kind="stable")]
    shown = members[:GALLERY_IMAGES]
    data = catalog.data(key)
    items = [(_thumbnail(run, data, i), f"#{int(i)} · {evaluation.probabilities[i, predicted]:.0%}")
             for i in shown]
    message = say(lang, "cell_message", count=len(members), true=names[true],
                  predicted=names[predicted], shown=len(shown))
    return items, [int(i) for i in shown], message


def first_of_class(catalog: Catalog, key: str, class_name: str) -> int:
    """The number of the first test image of a class."""
    run = catalog.run(key)
    wanted = run.class_index(class_name)
    members = np.flatnonzero(np.asarray(catalog.data(key).y_test) == wanted)
    if not len(members):
        raise ConvscopeError(f"no test image of class {class_name!r}")
    return int(members[0])


def inspect_test_image(catalog: Catalog, key: str, index, lang: str = "en") -> Inspection:
    """Test image number ``index``: its answer, Grad-CAM and every layer's maps."""
    run = catalog.run(key)
    data = catalog.data(key)
    count = len(data.x_test)
    if index is None or not 0 <= int(index) < count:
        raise ConvscopeError(say(lang, "index_range", last=count - 1))
    index = int(index)
    label = run.class_names[int(data.y_test[index])]
    seen = look(run, run.scale(data.x_test[index]), lang)
    verdict = "right" if seen.predicted == label else "wrong"
    return Inspection(say(lang, f"inspect_{verdict}", index=index, true=label,
                          predicted=seen.predicted, confidence=f"{seen.confidence:.0%}"),
                      seen.probabilities, seen.seen, seen.cam, seen.maps,
                      seen.titles)


def filter_picture(catalog: Catalog, key: str, layer: str, filter_number, count) -> object:
    """One filter's output on ``count`` test images taking the classes in turn (course §4.3)."""
    from .. import views

    run = catalog.run(key)
    return figure_picture(views.filter_figure(run, layer=layer, filter_number=int(filter_number),
                                              count=int(count)).figure)


def kernels_picture(catalog: Catalog, key: str, layer: str) -> object:
    """The learned kernels of one convolution layer."""
    from .. import views

    run = catalog.run(key)
    return figure_picture(views.kernel_figures(run, layer)[0].figure)


def _thumbnail(run, data, index) -> np.ndarray:
    return enlarged(as_rgb(run.scale(data.x_test[int(index)])), THUMBNAIL)


# -- the tab ----------------------------------------------------------------------------------


def build(page) -> None:
    """The Explore tab's components and events (inside a ``gr.Tab``)."""
    import gradio as gr
    import pandas as pd

    text = page.text
    run = page.picker(text(gr.Dropdown(page.catalog.choices(), value=None, elem_id="explore-run",
                                       label=say("en", "explore_run")), "explore_run"))
    message = text(gr.Markdown(say("en", "explore_start"), elem_id="explore-message"),
                   "explore_start", "value")
    with gr.Row(equal_height=False):
        summary_md = gr.Markdown(elem_id="explore-summary")
        report = gr.HTML(elem_id="explore-report")
    curves = text(gr.Image(elem_id="explore-curves", format="png", interactive=False,
                           label=say("en", "curves")), "curves")
    confusion = text(gr.Dataframe(elem_id="explore-confusion", interactive=False,
                                  label=say("en", "confusion")), "confusion")
    cell_message = text(gr.Markdown(say("en", "cell_help")), "cell_help", "value")
    cell_gallery = gr.Gallery(elem_id="explore-cell", columns=8, height="auto",
                              allow_preview=False, show_label=False)
    mistakes = text(gr.Gallery(elem_id="explore-mistakes", columns=8, height="auto",
                               allow_preview=False, label=say("en", "mistakes")), "mistakes")
    text(gr.Markdown(say("en", "inspect_heading")), "inspect_heading", "value")
    with gr.Row(equal_height=True):
        index = text(gr.Number(0, precision=0, minimum=0, elem_id="explore-index",
                               label=say("en", "test_index")), "test_index")
        show = text(gr.Button(say("en", "show"), elem_id="explore-show"), "show", "value")
        klass = text(gr.Dropdown([], elem_id="explore-class", label=say("en", "first_of")),
                     "first_of")
    inspected = gr.Markdown(elem_id="explore-inspected")
    with gr.Row(equal_height=False):
        probabilities = text(gr.Label(num_top_classes=10, label=say("en", "probabilities")),
                             "probabilities")
        seen = text(gr.Image(format="png", height=200, interactive=False, buttons=[],
                             label=say("en", "photo_seen")), "photo_seen")
        cam = text(gr.Image(format="png", height=200, interactive=False, buttons=[],
                            label=say("en", "gradcam")), "gradcam")
    text(gr.Markdown(say("en", "maps_heading")), "maps_heading", "value")
    layer_maps = gr.Image(elem_id="explore-layers", format="png", interactive=False,
                          show_label=False, buttons=["fullscreen"])
    with text(gr.Accordion(say("en", "filter_heading"), open=False,
                           elem_id="explore-filter"), "filter_heading"):
        with gr.Row(equal_height=True):
            filter_layer = text(gr.Dropdown([], label=say("en", "layer")), "layer")
            filter_number = text(gr.Number(1, precision=0, minimum=1, label=say("en", "filter")),
                                 "filter")
            filter_count = text(gr.Slider(4, 32, value=16, step=4, label=say("en", "images")),
                                "images")
            filter_go = text(gr.Button(say("en", "show"), elem_id="explore-filter-show"), "show",
                             "value")
        filter_image = gr.Image(format="png", interactive=False, show_label=False,
                                elem_id="explore-filter-image")
    with text(gr.Accordion(say("en", "kernels_heading"), open=False,
                           elem_id="explore-kernels"), "kernels_heading"):
        with gr.Row(equal_height=True):
            kernel_layer = text(gr.Dropdown([], label=say("en", "layer")), "layer")
            kernel_go = text(gr.Button(say("en", "show"), elem_id="explore-kernels-show"),
                             "show", "value")
        kernel_image = gr.Image(format="png", interactive=False, show_label=False,
                                elem_id="explore-kernels-image")
    cell_indices, mistake_indices = gr.State([]), gr.State([])
    lang = page.language

    def on_run(key, lang):
        if not key:
            return (say(lang, "explore_start"), *[gr.skip()] * 9)
        try:
            o = overview(page.catalog, key, lang)
        except Exception as exc:  # noqa: BLE001  (one line in the page, never a traceback)
            return (markdown_line(failure(exc, lang)), *[gr.skip()] * 9)
        link = "" if o.report is None else \
            f'<a href="{page.file_url(o.report)}" target="_blank">{say(lang, "report_link")}</a>'
        first = lambda choices: choices[0][1] if choices else None  # noqa: E731
        return ("", o.summary, link, o.curves,
                pd.DataFrame(o.confusion, columns=o.confusion_headers),
                o.mistakes, o.mistake_indices,
                gr.update(choices=o.classes, value=None),
                gr.update(choices=o.layers, value=first(o.layers)),
                gr.update(choices=o.conv_layers, value=first(o.conv_layers)))

    overview_outputs = [message, summary_md, report, curves, confusion, mistakes,
                        mistake_indices, klass, filter_layer, kernel_layer]
    run.change(on_run, [run, lang], overview_outputs)
    page.on_language(on_run, [run, lang], overview_outputs)

    def on_cell(key, lang, evt: gr.SelectData):
        row, column = evt.index
        if column == 0:
            return gr.skip(), gr.skip(), gr.skip()
        try:
            items, shown, text_ = cell_images(page.catalog, key, int(row), int(column) - 1, lang)
            return items, shown, markdown_line(text_)
        except Exception as exc:  # noqa: BLE001
            return [], [], markdown_line(failure(exc, lang))

    confusion.select(on_cell, [run, lang], [cell_gallery, cell_indices, cell_message])

    def on_inspect(key, number, lang):
        try:
            seen_ = inspect_test_image(page.catalog, key, number, lang)
        except Exception as exc:  # noqa: BLE001
            return markdown_line(failure(exc, lang)), None, None, None, None
        return (markdown_line(seen_.message), seen_.probabilities, seen_.seen, seen_.cam,
                seen_.maps)

    shown_outputs = [inspected, probabilities, seen, cam, layer_maps]

    def picked(indices, evt: gr.SelectData):
        return indices[evt.index] if 0 <= evt.index < len(indices) else gr.skip()

    for gallery, indices in ((cell_gallery, cell_indices), (mistakes, mistake_indices)):
        gallery.select(picked, indices, index).then(on_inspect, [run, index, lang],
                                                    shown_outputs)
    show.click(on_inspect, [run, index, lang], shown_outputs)

    def on_class(key, name, lang):
        if not name:
            return gr.skip()
        try:
            return first_of_class(page.catalog, key, name)
        except Exception:  # noqa: BLE001  (the inspection that follows says what is wrong)
            return gr.skip()

    klass.input(on_class, [run, klass, lang], index).then(on_inspect, [run, index, lang],
                                                          shown_outputs)

    def on_picture(make):
        def handler(*args):
            lang_ = args[-1]
            try:
                return make(page.catalog, *args[:-1]), ""
            except Exception as exc:  # noqa: BLE001
                return None, markdown_line(failure(exc, lang_))
        return handler

    filter_go.click(on_picture(filter_picture), [run, filter_layer, filter_number, filter_count,
                                                 lang], [filter_image, message])
    kernel_go.click(on_picture(kernels_picture), [run, kernel_layer, lang],
                    [kernel_image, message])
