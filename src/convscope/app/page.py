"""What the four tabs share: the app's state (roots, runs, trainer), the page's language, its
run pickers, and one way for every handler to fail — a line in the page, never a traceback.
"""

from __future__ import annotations

import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConvscopeError
from .catalog import Catalog
from .paths import Roots
from .text import say
from .trainer import Trainer


@dataclass
class Page:
    """The app's state and the components that more than one tab updates.

    ``texts``: (component, property, text key, values) of everything to relabel when the language
    changes; ``pickers``: (dropdown, kind, status) of every run picker, refreshed when a
    training adds or changes a run.
    """

    roots: Roots
    catalog: Catalog
    trainer: Trainer
    language: object = None  # the gr.Radio holding "en" or "fr"
    texts: list[tuple[object, str, str, dict]] = field(default_factory=list)
    pickers: list[tuple[object, str | None, str | None]] = field(default_factory=list)
    # (handler, inputs, outputs) to run again when the language changes: their answers speak
    redo: list[tuple] = field(default_factory=list)
    blocks: object = None  # the gr.Blocks, once built
    temp: Path | None = None  # Gradio's folder for this app (uploads, served pictures)

    def text(self, component, key: str, prop: str = "label", **values):
        """Register ``component``'s ``prop`` as the text ``key`` (with ``values`` filled in);
        returns the component."""
        self.texts.append((component, prop, key, values))
        return component

    def picker(self, dropdown, kind: str | None = None, status: str | None = None):
        """Register a run picker (``kind``: only digit or photo runs; ``status``: only runs in
        that state); returns it."""
        self.pickers.append((dropdown, kind, status))
        return dropdown

    def on_language(self, handler, inputs, outputs) -> None:
        """Run ``handler`` again after the language changes (its messages are in words)."""
        self.redo.append((handler, inputs, outputs))

    def relabel(self, lang: str) -> list:
        """Updates giving every registered text in ``lang``."""
        import gradio as gr

        return [gr.update(**{prop: say(lang, key, **values)})
                for _, prop, key, values in self.texts]

    def refreshed_pickers(self) -> list:
        """Updates giving every run picker the runs there are now (keeping its choice)."""
        import gradio as gr

        return [gr.update(choices=self.catalog.choices(kind, status))
                for _, kind, status in self.pickers]

    def file_url(self, path) -> str:
        """A link that opens one file of a run in the browser (its HTML report). Only that
        file is added to what the server may send; Gradio serves nothing else of the runs."""
        path = str(Path(path).resolve())
        if path not in self.blocks.allowed_paths:
            self.blocks.allowed_paths.append(path)
        return f"/gradio_api/file={path}"


def failure(exc: BaseException, lang: str) -> str:
    """One line for the page: the library's message for a problem the person can fix, else
    the error's kind (the traceback goes to the terminal running the app)."""
    if isinstance(exc, ConvscopeError):
        return say(lang, "problem", message=str(exc))
    print(f"convscope app: unexpected error in a handler:\n{traceback.format_exc()}",
          file=sys.stderr)
    return say(lang, "unexpected", error=f"{type(exc).__name__}: {exc}")


def markdown_line(text: str) -> str:
    """``text`` shown as it is in a Markdown component (paths hold _ and *)."""
    for char in "\\`*_[]<>#|":
        text = text.replace(char, "\\" + char)
    return text


def answer_widgets(page: Page, tab: str):
    """What the Draw and Photo tabs answer with: a message, the probabilities, the input as
    the network sees it, Grad-CAM, and every layer's maps. ``tab``: "draw" or "photo" (their
    element ids and texts)."""
    import gradio as gr

    message = page.text(gr.Markdown(say("en", f"{tab}_start"), elem_id=f"{tab}-message"),
                        f"{tab}_start", "value")
    probabilities = page.text(gr.Label(num_top_classes=10, elem_id=f"{tab}-probabilities",
                                       label=say("en", "probabilities")), "probabilities")
    with gr.Row():
        seen = page.text(gr.Image(elem_id=f"{tab}-seen", format="png", height=200,
                                  interactive=False, buttons=[],
                                  label=say("en", f"{tab}_seen")), f"{tab}_seen")
        cam = page.text(gr.Image(elem_id=f"{tab}-cam", format="png", height=200,
                                 interactive=False, buttons=[], label=say("en", "gradcam")),
                        "gradcam")
    return message, probabilities, seen, cam


def maps_widget(page: Page, tab: str):
    """Every layer's feature maps, under the course's heading."""
    import gradio as gr

    page.text(gr.Markdown(say("en", "maps_heading")), "maps_heading", "value")
    return gr.Image(elem_id=f"{tab}-maps", format="png", interactive=False, show_label=False,
                    buttons=["fullscreen"])
