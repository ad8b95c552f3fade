"""What the four tabs share: the app's state (roots, runs, trainer), the page's language, its
run pickers, and the one error boundary of every handler — a line in the page, never a
traceback.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import io
import os
import sys
import tempfile
import traceback
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from ..errors import ConvscopeError
from ..words import say
from .catalog import Catalog
from .paths import Roots
from .trainer import Trainer

# The languages of the page's switch: (shown, value).
LANGUAGES = (("English", "en"), ("Français", "fr"))

# How the answers' pictures are written as PNG: zlib's run-length strategy at level 1, where
# Gradio writes its pictures at Pillow's default (level 6). On the `digits` network's maps
# (976×2658 grey pixels) ×1.7 faster for 26 % more bytes, which cost nothing from 127.0.0.1;
# smaller than level 6 for the drawing and Grad-CAM (benchmarks/RESULTS.md § 11.1).
PNG_OPTIONS = {"compress_level": 1, "compress_type": zlib.Z_RLE}

# What a library error's parameters are called on the page (``ConvscopeError.say``): the
# control that sets them, where the page has one.
CONTROLS = {"epochs": "epochs", "limit": "limit", "augment": "augment",
            "test_index": "test_index", "class_name": "first_of",
            "data_dir": "control_data_dir", "validation_split": "control_validation_split"}


@dataclass
class Page:
    """The app's state and the components that more than one tab updates.

    ``texts``: (component, property, text key, values) of everything to relabel when the
    language changes; ``pickers``: (dropdown, kind, status) of every run picker, refreshed
    when a training adds or changes a run.
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

    def labelled(self, make, key: str, prop: str = "label", values: dict | None = None,
                 **kwargs):
        """``make(**kwargs)`` with its ``prop`` (label, value) the text ``key``, following the
        page's language from then on: each component names its text once."""
        values = values or {}
        component = make(**{prop: say("en", key, **values)}, **kwargs)
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
    """One line for the page: the library's message for a problem the person can fix, its
    parameters named as the page's controls, else the error's kind (the traceback goes to the
    terminal running the app)."""
    if isinstance(exc, ConvscopeError):
        return say(lang, "problem", message=exc.say(lambda name, value: spelled(name, lang)))
    print(f"convscope app: unexpected error in a handler:\n{traceback.format_exc()}",
          file=sys.stderr)
    return say(lang, "unexpected", error=f"{type(exc).__name__}: {exc}")


def spelled(parameter: str, lang: str) -> str:
    """A library parameter as the page calls it: its control's label, in quotes."""
    key = CONTROLS.get(parameter)
    name = say(lang, key) if key else parameter.replace("_", " ")
    return say(lang, "control", name=name)


def answers(failed: Callable[[str], tuple]):
    """The error boundary of a handler: its outputs, or ``failed(line)`` when it raises (the
    line in the words of the handler's ``lang`` parameter, to be shown as it is)."""

    def boundary(handler):
        signature = inspect.signature(handler)

        @functools.wraps(handler)
        def answered(*args, **kwargs):
            try:
                return handler(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001  (one line in the page, never a traceback)
                lang = signature.bind_partial(*args, **kwargs).arguments.get("lang", "en")
                return failed(failure(exc, lang))

        return answered

    return boundary


def skipped(count: int) -> tuple:
    """``count`` outputs left as they are."""
    import gradio as gr

    return (gr.skip(),) * count


def markdown_line(text: str) -> str:
    """``text`` shown as it is in a Markdown component (paths hold _ and *)."""
    for char in "\\`*_[]<>#|":
        text = text.replace(char, "\\" + char)
    return text


def served(picture, folder: str | Path):
    """An answer's picture (an array) as the page is sent it: a PNG file in Gradio's picture
    folder ``folder``, in a subfolder named by its content as Gradio names its own (there
    Gradio serves it as it is, without encoding or copying it); grey pictures as one channel.
    Anything else (None: nothing to show) is returned as it is."""
    if not isinstance(picture, np.ndarray):
        return picture
    if picture.ndim == 3 and (picture == picture[..., :1]).all():
        picture = picture[..., 0]
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, "PNG", **PNG_OPTIONS)
    data = buffer.getvalue()
    path = Path(folder) / hashlib.sha256(data).hexdigest() / "image.png"
    if not path.exists():
        # Written under another name, then renamed: a page never fetches half a picture.
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, staged = tempfile.mkstemp(dir=path.parent, prefix=".image.")
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(staged, path)
    return str(path)


def answer_widgets(page: Page, tab: str):
    """What the Draw and Photo tabs answer with: a message, the probabilities, the input as
    the network sees it, Grad-CAM, and every layer's maps. ``tab``: "draw" or "photo" (their
    element ids and texts)."""
    import gradio as gr

    message = page.labelled(gr.Markdown, f"{tab}_start", "value", elem_id=f"{tab}-message")
    probabilities = page.labelled(gr.Label, "probabilities", num_top_classes=10,
                                  elem_id=f"{tab}-probabilities")
    with gr.Row():
        seen = page.labelled(gr.Image, f"{tab}_seen", elem_id=f"{tab}-seen", format="png",
                             height=200, interactive=False, buttons=[])
        cam = page.labelled(gr.Image, "gradcam", elem_id=f"{tab}-cam", format="png",
                            height=200, interactive=False, buttons=[])
    return message, probabilities, seen, cam


def maps_widget(page: Page, tab: str):
    """Every layer's feature maps, under the course's heading."""
    import gradio as gr

    page.labelled(gr.Markdown, "maps_heading", "value")
    return gr.Image(elem_id=f"{tab}-maps", format="png", interactive=False, show_label=False,
                    buttons=["fullscreen"])
