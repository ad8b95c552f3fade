"""Can this map be trusted? in the app: a tick box under a tab's maps (Draw, Photo, Explore)
that runs ``explain --check`` on the tab's current picture.

The check (``sanity.sanity_check``) computes Grad-CAM again for the runner-up class and on
copies of the network whose weights are re-initialised layer by layer from the top, with
each map's rank correlation to the trained one: a few seconds for the course's network. So
it runs only while the box is ticked: unticked, a new picture costs one event that returns at
once, after the stroke's answer is shown, never before it. The figure and its sentence are
``views.drawn_check``'s, as the report and the command show them.
"""

# No `from __future__ import annotations` here, as in the other tabs' modules.

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import views
from ..pictures import picture
from ..sanity import sanity_check
from ..words import Words, say
from .catalog import Catalog
from .page import Page, answers, markdown_line, skipped


@dataclass
class TrustView:
    """What the check shows: its maps side by side, and what they mean."""

    figure: object | None = None  # a picture
    sentence: str = ""

    def outputs(self) -> tuple:
        return self.figure, self.sentence


def checked(catalog: Catalog, run_key: str | None, source, ticked: bool, lang: str,
            prepare: Callable) -> TrustView:
    """The sanity check of the Grad-CAM map of the tab's ``source`` (made the network's
    input by ``prepare(run, source)``); nothing, and nothing computed, unless ``ticked``."""
    if not ticked:
        return TrustView()
    run = catalog.run(run_key) if run_key else None
    image = None if run is None else prepare(run, source)
    if image is None:
        return TrustView(None, say(lang, "trust_nothing"))
    check = sanity_check(run.model, np.asarray(image))
    words = Words(lang)
    title = words("trust_title", layer=check.trained.layer)
    drawing, sentence = views.drawn_check(check, image, run.class_names, words, title)
    return TrustView(picture(drawing, dpi=72), markdown_line(sentence))


def build(page: Page, tab: str, maps, run, source_input, prepare: Callable, refresh=None):
    """The tick box and, while ticked, the check of the picture whose maps ``maps`` shows
    (the same ``run``, ``source_input`` and ``prepare`` as the arithmetic panel's), done
    again when the maps change, or when ``refresh`` does if given (a tab that changes it
    only while the box is ticked). Returns the tick box."""
    import gradio as gr

    tick = page.labelled(gr.Checkbox, "trust_tick", value=False, elem_id=f"{tab}-trust")
    page.labelled(gr.Markdown, "trust_help", "value")
    figure = gr.Image(elem_id=f"{tab}-trust-maps", format="png", interactive=False,
                      show_label=False, buttons=["fullscreen"], visible=False)
    sentence = gr.Markdown(elem_id=f"{tab}-trust-sentence")

    def visible(view: TrustView) -> tuple:
        # The figure's frame takes room only while there is a figure.
        return gr.update(value=view.figure, visible=view.figure is not None), view.sentence

    @answers(lambda line: visible(TrustView(None, line)))
    def shown(run_key, source, ticked, lang):
        return visible(checked(page.catalog, run_key, source, ticked, lang, prepare))

    def again(run_key, source, ticked, lang):
        # Unticked: nothing to do, and nothing shown changes.
        return shown(run_key, source, ticked, lang) if ticked else skipped(2)

    inputs = [run, source_input, tick, page.language]
    # Gradio's progress (a timer over the figure) shows while the check runs.
    tick.change(shown, inputs, [figure, sentence], show_progress="full")
    trigger = maps if refresh is None else refresh
    trigger.change(again, inputs, [figure, sentence], show_progress="full",
                   trigger_mode="always_last")
    page.on_language(again, inputs, [figure, sentence])
    return tick
