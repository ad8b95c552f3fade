"""Explore a run: its curves and metrics, its confusion matrix (a cell → its test images), its
most confident mistakes, any test image's maps layer by layer, one filter across many images,
its kernels, and its HTML report when there is one.

The test set is predicted once per run (``Run.evaluation``); every later question is answered
from those predictions, as fastai's interpretation objects do.
"""

# No `from __future__ import annotations` here: Gradio finds the parameters that receive event
# data (gr.SelectData, gr.Request) by their annotations, which must be the classes themselves.

from dataclasses import dataclass

import numpy as np

from .. import pictures, plots
from ..errors import ConvscopeError
from ..run_files import REPORT
from ..words import Words, say
from .arithmetic import build as arithmetic_panel
from .catalog import Catalog
from .exporting import build as export_panel
from .looking import look
from .page import answers, markdown_line
from .trust import build as trust_panel
from .weights import build as weights_panel

GALLERY_IMAGES = 24  # test images shown for a confusion cell, and mistakes shown
THUMBNAIL = 96  # pixels a side of a test image in a gallery


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

    def outputs(self) -> tuple:
        return markdown_line(self.message), self.probabilities, self.seen, self.cam, self.maps


def overview(catalog: Catalog, key: str, lang: str = "en") -> Overview:
    """A run at a glance (its test set predicted the first time it is asked)."""
    from .. import inspection  # Keras: imported once the server is up (server.warm_up)

    run = catalog.run(key)
    evaluation, words = run.evaluation, Words(lang)
    names = run.class_names
    matrix = evaluation.confusion_matrix()
    wrong = evaluation.mistakes(GALLERY_IMAGES)
    mistakes = [(_thumbnail(run, i),
                 say(lang, "mistake_caption", true=names[evaluation.labels[i]],
                     predicted=names[evaluation.predictions[i]],
                     confidence=words.percent(evaluation.probabilities[i].max(), 0)))
                for i in wrong]
    curves = pictures.picture(plots.learning_curves(
        run.history, words, words("fig_curves_title", title=run.label))) if run.history \
        else None
    visual = inspection.visual_layers(run.model)
    layers = [(f"{n} — {layer.name}", str(n)) for n, layer in enumerate(visual, 1)]
    conv = [(label, number) for (label, number), layer in zip(layers, visual, strict=True)
            if not inspection.is_pooling(layer)]
    report = run.path / REPORT if run.path.is_dir() else None
    return Overview(
        summary=summary(run, evaluation, words),
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


def summary(run, evaluation, words) -> str:
    """The run's card: recipe, data, epochs, accuracy, weights, time; accuracy per class."""
    config, metrics = run.config, run.metrics
    seconds = metrics.get("train_seconds")
    status = words(f"status_{run.status}")
    rows = [
        (words("row_recipe"), config.label),
        (words("row_data"), f"{config.dataset or '—'}, {words.number(config.train_images)} "
                            f"{words('training_images')}"),
        (words("row_epochs"), f"{run.epochs_done}/{run.epochs} ({status})"),
        (words("row_accuracy"), f"{words.percent(evaluation.accuracy)} "
                                f"({words.number(len(evaluation.labels))} "
                                f"{words('app_test_images')})"),
        (words("row_weights"), words.number(config.parameters) if config.parameters else "—"),
        (words("row_time"), "—" if seconds is None else words.duration(seconds)),
        (words("row_unsure"), _unsure(run.calibration, words)),
    ]
    table = "\n".join(f"| {name} | {markdown_line(value)} |" for name, value in rows)
    per_class = " · ".join(f"{markdown_line(name)} {words.percent(accuracy, 1)}"
                           for name, accuracy in evaluation.per_class_accuracy().items())
    heading = f"| {words('row_run')} | {markdown_line(run.path.name)} |\n|---|---|"
    return f"{heading}\n{table}\n\n**{words('per_class')}** {per_class}"


def _unsure(calibration, words) -> str:
    """The confidence below which this run's answers are called unsure, and its ECE."""
    if calibration is None:  # a bare model: no test answers of its own
        return "—"
    ece = words.percent(calibration.ece, 1)
    if calibration.unsure_below is None:
        return words("unsure_row_always", ece=ece)
    return words("unsure_row", p=words.percent(calibration.unsure_below, 0), ece=ece)


def cell_images(catalog: Catalog, key: str, true: int, predicted: int, lang: str = "en"
                ) -> tuple[list[tuple[np.ndarray, str]], list[int], str]:
    """The test images of one confusion cell (true class, predicted class), surest first."""
    run = catalog.run(key)
    evaluation, words = run.evaluation, Words(lang)
    names = run.class_names
    if not (0 <= true < len(names) and 0 <= predicted < len(names)):
        raise ConvscopeError(f"no cell ({true}, {predicted}) in a {len(names)}-class matrix")
    members = np.flatnonzero((evaluation.labels == true) & (evaluation.predictions == predicted))
    members = members[np.argsort(-evaluation.probabilities[members, predicted], kind="stable")]
    shown = members[:GALLERY_IMAGES]
    items = [(_thumbnail(run, i),
              f"#{int(i)} · {words.percent(evaluation.probabilities[i, predicted], 0)}")
             for i in shown]
    message = say(lang, "cell_message", count=len(members), true=names[true],
                  predicted=names[predicted], shown=len(shown))
    return items, [int(i) for i in shown], message


def first_of_class(catalog: Catalog, key: str, class_name: str) -> int:
    """The number of the first test image of a class."""
    return catalog.run(key).pick_image(class_name=class_name).test_index


def inspect_test_image(catalog: Catalog, key: str, index, lang: str = "en") -> Inspection:
    """Test image number ``index``: its answer, Grad-CAM and every layer's maps."""
    run = catalog.run(key)
    count = len(run.data.y_test)
    if index is None or not 0 <= int(index) < count:
        raise ConvscopeError(say(lang, "index_range", last=count - 1))
    picked = run.pick_image(test_index=int(index))
    label = run.class_names[picked.label]
    description = say(lang, "test_image", i=picked.test_index, name=label)
    seen = look(run, picked.image, lang, description)
    verdict = "right" if seen.predicted == label else "wrong"
    return Inspection(say(lang, f"inspect_{verdict}", index=picked.test_index, true=label,
                          predicted=seen.predicted,
                          confidence=Words(lang).percent(seen.confidence, 0)),
                      seen.probabilities, seen.seen, seen.cam, seen.maps)


def inspected_input(run, index) -> np.ndarray | None:
    """Test image number ``index`` as the network receives it (for a click on its maps)."""
    return None if index is None else run.pick_image(test_index=int(index)).image


def filter_picture(catalog: Catalog, key: str, layer: str, filter_number, count, lang: str):
    """One filter's output on ``count`` test images taking the classes in turn (course §4.3)."""
    from .. import views

    return pictures.picture(views.filter_figure(catalog.run(key), layer=layer, lang=lang,
                                                filter_number=int(filter_number),
                                                count=int(count)).figure)


def kernels_picture(catalog: Catalog, key: str, layer: str, lang: str):
    """The learned kernels of one convolution layer."""
    from .. import views

    return pictures.picture(views.kernel_figures(catalog.run(key), layer, lang)[0].figure)


def _thumbnail(run, index) -> np.ndarray:
    return pictures.enlarged(pictures.as_rgb(run.scale(run.data.x_test[int(index)])), THUMBNAIL)


# -- the tab ----------------------------------------------------------------------------------


def build(page) -> None:
    """The Explore tab's components and events (inside a ``gr.Tab``)."""
    import gradio as gr

    run = page.picker(page.labelled(gr.Dropdown, "explore_run", choices=page.catalog.choices(),
                                    value=None, elem_id="explore-run"))
    message = page.labelled(gr.Markdown, "explore_start", "value", elem_id="explore-message")
    with gr.Row(equal_height=False):
        summary_md = gr.Markdown(elem_id="explore-summary")
        report = gr.HTML(elem_id="explore-report")
    curves = page.labelled(gr.Image, "curves", elem_id="explore-curves", format="png",
                           interactive=False)
    confusion = page.labelled(gr.Dataframe, "confusion", elem_id="explore-confusion",
                              interactive=False)
    cell_message = page.labelled(gr.Markdown, "cell_help", "value")
    cell_gallery = gr.Gallery(elem_id="explore-cell", columns=8, height="auto",
                              allow_preview=False, show_label=False)
    mistakes = page.labelled(gr.Gallery, "mistakes", elem_id="explore-mistakes", columns=8,
                             height="auto", allow_preview=False)
    index, show, klass, inspected_outputs = _inspection_widgets(page)
    arithmetic_panel(page, "explore", inspected_outputs[-1], run, index, inspected_input,
                     inspected_outputs[1])
    trust_panel(page, "explore", inspected_outputs[-1], run, index, inspected_input)
    filter_layer, filter_go, filter_inputs, filter_image = _filter_widgets(page)
    kernel_layer, kernel_go, kernel_image = _kernel_widgets(page)
    weights_panel(page, run)
    cell_indices, mistake_indices = gr.State([]), gr.State([])
    lang = page.language

    def first(choices):
        return choices[0][1] if choices else None

    @answers(lambda line: (markdown_line(line), *[gr.skip()] * 9))
    def on_run(key, lang):
        if not key:
            return (say(lang, "explore_start"), *[gr.skip()] * 9)
        o = overview(page.catalog, key, lang)
        link = "" if o.report is None else \
            f'<a href="{page.file_url(o.report)}" target="_blank">{say(lang, "report_link")}</a>'
        return ("", o.summary, link, o.curves, _table(o), o.mistakes, o.mistake_indices,
                gr.update(choices=o.classes, value=None),
                gr.update(choices=o.layers, value=first(o.layers)),
                gr.update(choices=o.conv_layers, value=first(o.conv_layers)))

    overview_outputs = [message, summary_md, report, curves, confusion, mistakes,
                        mistake_indices, klass, filter_layer, kernel_layer]
    run.change(on_run, [run, lang], overview_outputs)
    page.on_language(on_run, [run, lang], overview_outputs)

    @answers(lambda line: ([], [], markdown_line(line)))
    def on_cell(key, lang, evt: gr.SelectData):
        row, column = evt.index
        if column == 0:
            return gr.skip(), gr.skip(), gr.skip()
        items, shown, said = cell_images(page.catalog, key, int(row), int(column) - 1, lang)
        return items, shown, markdown_line(said)

    confusion.select(on_cell, [run, lang], [cell_gallery, cell_indices, cell_message])

    @answers(lambda line: Inspection(line).outputs())
    def on_inspect(key, number, lang):
        return inspect_test_image(page.catalog, key, number, lang).outputs()

    def picked(indices, evt: gr.SelectData):
        return indices[evt.index] if 0 <= evt.index < len(indices) else gr.skip()

    for gallery, indices in ((cell_gallery, cell_indices), (mistakes, mistake_indices)):
        gallery.select(picked, indices, index).then(on_inspect, [run, index, lang],
                                                    inspected_outputs)

    # A class that has no test image: the inspection that follows says what is wrong.
    @answers(lambda line: gr.skip())
    def on_class(key, name, lang):
        return first_of_class(page.catalog, key, name) if name else gr.skip()

    klass.input(on_class, [run, klass, lang], index).then(on_inspect, [run, index, lang],
                                                          inspected_outputs)
    show.click(on_inspect, [run, index, lang], inspected_outputs)

    @answers(lambda line: (None, markdown_line(line)))
    def on_filter(key, layer, number, count, lang):
        return filter_picture(page.catalog, key, layer, number, count, lang), ""

    @answers(lambda line: (None, markdown_line(line)))
    def on_kernels(key, layer, lang):
        return kernels_picture(page.catalog, key, layer, lang), ""

    filter_go.click(on_filter, [run, *filter_inputs, lang], [filter_image, message])
    kernel_go.click(on_kernels, [run, kernel_layer, lang], [kernel_image, message])
    export_panel(page, run)


def _inspection_widgets(page):
    """Any test image looked at: its number (or the first of a class), then its answer, the
    image as the network sees it, Grad-CAM and every layer's maps."""
    import gradio as gr

    page.labelled(gr.Markdown, "inspect_heading", "value")
    with gr.Row(equal_height=True):
        index = page.labelled(gr.Number, "test_index", value=0, precision=0, minimum=0,
                              elem_id="explore-index")
        show = page.labelled(gr.Button, "show", "value", elem_id="explore-show")
        klass = page.labelled(gr.Dropdown, "first_of", choices=[], elem_id="explore-class")
    inspected = gr.Markdown(elem_id="explore-inspected")
    with gr.Row(equal_height=False):
        probabilities = page.labelled(gr.Label, "probabilities", num_top_classes=10)
        seen = page.labelled(gr.Image, "photo_seen", format="png", height=200,
                             interactive=False, buttons=[])
        cam = page.labelled(gr.Image, "gradcam", format="png", height=200, interactive=False,
                            buttons=[])
    page.labelled(gr.Markdown, "maps_heading", "value")
    layer_maps = gr.Image(elem_id="explore-layers", format="png", interactive=False,
                          show_label=False, buttons=["fullscreen"])
    return index, show, klass, [inspected, probabilities, seen, cam, layer_maps]


def _filter_widgets(page):
    """One filter across many images (the course's §4.3), in a closed accordion."""
    import gradio as gr

    with page.labelled(gr.Accordion, "filter_heading", open=False, elem_id="explore-filter"):
        with gr.Row(equal_height=True):
            layer = page.labelled(gr.Dropdown, "app_layer", choices=[])
            number = page.labelled(gr.Number, "filter", value=1, precision=0, minimum=1)
            count = page.labelled(gr.Slider, "images", minimum=4, maximum=32, value=16, step=4)
            go = page.labelled(gr.Button, "show", "value", elem_id="explore-filter-show")
        image = gr.Image(format="png", interactive=False, show_label=False,
                         elem_id="explore-filter-image")
    return layer, go, [layer, number, count], image


def _kernel_widgets(page):
    """The learned kernels of a layer, in a closed accordion."""
    import gradio as gr

    with page.labelled(gr.Accordion, "kernels_heading", open=False, elem_id="explore-kernels"):
        with gr.Row(equal_height=True):
            layer = page.labelled(gr.Dropdown, "app_layer", choices=[])
            go = page.labelled(gr.Button, "show", "value", elem_id="explore-kernels-show")
        image = gr.Image(format="png", interactive=False, show_label=False,
                         elem_id="explore-kernels-image")
    return layer, go, image


def _table(o: Overview):
    import pandas as pd

    return pd.DataFrame(o.confusion, columns=o.confusion_headers)
