"""Photo: a photo uploaded, dropped, pasted or taken with the webcam, seen by any run.

The upload is checked (``uploads.check_upload``: bytes, photo header, pixels) before anything
decodes it, then prepared by ``Run.as_input`` from its file — for a photo network the same
decoding as a folder of training photos (upright, centre-cropped, resized), for a digit network
the MNIST-style preparation of ``convscope predict``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..words import say
from .arithmetic import build as arithmetic_panel
from .catalog import Catalog
from .looking import look
from .page import Page, answer_widgets, answers, maps_widget, markdown_line
from .trust import build as trust_panel
from .unsure import unsure_line
from .uploads import MAX_UPLOAD_BYTES, check_upload


@dataclass
class PhotoView:
    """What the Photo tab shows for one photo."""

    message: str
    probabilities: dict[str, float] | None = None
    seen: np.ndarray | None = None
    cam: np.ndarray | None = None
    maps: np.ndarray | None = None

    def outputs(self) -> tuple:
        return (markdown_line(self.message), self.probabilities, self.seen, self.cam,
                self.maps)


def photo(catalog: Catalog, run_key: str | None, path, lang: str = "en") -> PhotoView:
    """The chosen run's answer for the photo at ``path`` (an upload in Gradio's folder)."""
    if not run_key:
        return PhotoView(say(lang, "photo_no_run"))
    if not path:
        return PhotoView(say(lang, "photo_start"))
    run = catalog.run(run_key)
    image = run.as_input(check_upload(path))
    seen = look(run, image, lang, say(lang, "your_photo"))
    height, width = image.shape[:2]
    return PhotoView(say(lang, "photo_answer", label=seen.predicted,
                         confidence=f"{seen.confidence:.0%}", height=height, width=width)
                     + unsure_line(run, seen.confidence, lang),
                     seen.probabilities, seen.seen, seen.cam, seen.maps)


def _photo_input(page: Page):
    """gr.Image, except that the upload reaches the handler as a file path without Gradio
    opening it: only ``check_upload`` and ``Run.as_input`` read a photo."""
    import types

    import gradio as gr

    photo_input = page.labelled(gr.Image, "photo_input", sources=["upload", "webcam", "clipboard"],
                                type="filepath", format="png", elem_id="photo-input",
                                height=320)
    inline = photo_input.preprocess  # a webcam picture may come inline, not as a file

    def path_only(self, payload):
        if payload is not None and payload.path is not None:
            return payload.path
        return inline(payload)

    # On this one component, not in a subclass: Gradio writes a .pyi stub beside the source
    # of every component class defined, and the app writes nothing outside its folders.
    photo_input.preprocess = types.MethodType(path_only, photo_input)
    return photo_input


# -- the tab ----------------------------------------------------------------------------------


def build(page: Page) -> None:
    """The Photo tab's components and events (inside a ``gr.Tab``)."""
    import gradio as gr

    runs = page.catalog.choices()
    photo_runs = [key for _, key in page.catalog.choices("photo")]
    first = photo_runs[0] if photo_runs else (runs[0][1] if runs else None)
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=320):
            run = page.picker(page.labelled(gr.Dropdown, "photo_run", choices=runs,
                                            value=first, elem_id="photo-run"))
            upload = _photo_input(page)
            page.labelled(gr.Markdown, "photo_help", "value",
                          {"megabytes": MAX_UPLOAD_BYTES >> 20})
        with gr.Column(scale=3, min_width=320):
            message, probabilities, seen, cam = answer_widgets(page, "photo")
    maps = maps_widget(page, "photo")
    def uploaded(run_, path):
        return run_.as_input(check_upload(path)) if path else None

    arithmetic_panel(page, "photo", maps, run, upload, uploaded, probabilities)
    trust_panel(page, "photo", maps, run, upload, uploaded)

    @answers(lambda line: PhotoView(line).outputs())
    def on_photo(run_key, path, lang):
        with page.trainer.priority.answering():  # a training's steps wait meanwhile
            return photo(page.catalog, run_key, path, lang).outputs()

    outputs = [message, probabilities, seen, cam, maps]
    upload.change(on_photo, [run, upload, page.language], outputs, trigger_mode="always_last")
    run.change(on_photo, [run, upload, page.language], outputs)
    page.on_language(on_photo, [run, upload, page.language], outputs)
