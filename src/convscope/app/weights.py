"""What each class looks for, in the Explore tab: the output layer's weights laid back as the
maps it receives (``weight_maps``), for the class the learner chooses, on one colour scale
shared by every class (``views.class_weights_figure``)."""

from __future__ import annotations

from dataclasses import dataclass

from .. import pictures
from ..words import Words, say
from .catalog import Catalog
from .page import Page, answers, markdown_line


@dataclass
class WeightsView:
    """The classes (or units) one can choose, the chosen one's maps, and a line."""

    choices: list[tuple[str, int]]
    figure: object | None = None
    message: str = ""


def class_weights(catalog: Catalog, key: str | None, unit, lang: str = "en") -> WeightsView:
    """The weight maps of ``unit`` (a class of the output, from 0; None: none chosen yet) of
    run ``key``'s dense layer fed by flattened maps, or a line saying it has none."""
    from .. import views, weight_maps  # Keras: imported once the server is up

    if not key:
        return WeightsView([])
    run = catalog.run(key)
    found = weight_maps.weight_maps(run.model)
    if found is None:
        return WeightsView([], None, say(lang, "weights_none"))
    names = views.weight_names(found, run.class_names, Words(lang))
    choices = [(name, k) for k, name in enumerate(names)]
    if unit is None:
        return WeightsView(choices, None, say(lang, "weights_choose"))
    drawn = views.weights_figure(found, run.class_names, int(unit), Words(lang))
    return WeightsView(choices, pictures.picture(drawn.figure, dpi=72), drawn.caption)


def build(page: Page, run) -> None:
    """A closed accordion under the Explore tab's other views (``run``: its run picker)."""
    import gradio as gr

    with page.labelled(gr.Accordion, "weights_heading", open=False,
                       elem_id="explore-weights"):
        unit = page.labelled(gr.Dropdown, "weights_class", choices=[], value=None,
                             elem_id="explore-weights-class")
        message = gr.Markdown(elem_id="explore-weights-message")
        image = gr.Image(format="png", interactive=False, show_label=False,
                         elem_id="explore-weights-image", buttons=["fullscreen"])

    @answers(lambda line: (gr.skip(), None, markdown_line(line)))
    def on_run(key, lang):
        view = class_weights(page.catalog, key, None, lang)
        return gr.update(choices=view.choices, value=None), None, markdown_line(view.message)

    @answers(lambda line: (None, markdown_line(line)))
    def on_unit(key, chosen, lang):
        view = class_weights(page.catalog, key, chosen, lang)
        return view.figure, markdown_line(view.message)

    run.change(on_run, [run, page.language], [unit, image, message])
    unit.input(on_unit, [run, unit, page.language], [image, message])
    page.on_language(on_unit, [run, unit, page.language], [image, message])
