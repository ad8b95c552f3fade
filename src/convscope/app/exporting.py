"""Explore's "Take it with you": the chosen run exported (``convscope.export``), checked, and
offered as one zip to download.

The export is written in the app's temporary folder (removed at exit), never into the run's
own folder, and zipped there; the page says how the check went.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..words import Words, say
from .page import answers, markdown_line

# What the format picker offers: (words key, format, quantization).
CHOICES = (("export_format_onnx", "onnx", None), ("export_format_litert", "litert", None),
           ("export_format_litert_int8", "litert", "int8"),
           ("export_format_saved_model", "saved_model", None),
           ("export_format_page", "page", None))


@dataclass
class Exported:
    """What the panel shows after an export: a line, and the zip to download."""

    message: str
    download: Path | None = None


def choices(lang: str) -> list[tuple[str, str]]:
    """(shown, value) of the format picker, in ``lang``."""
    return [(say(lang, key), key) for key, _, _ in CHOICES]


def export_for_download(catalog, key: str | None, choice: str, lang: str, temp: Path) -> Exported:
    """Export run ``key`` as the picker's ``choice`` into ``temp`` and zip it."""
    from ..export import export

    if not key:
        return Exported(say(lang, "export_no_run"))
    run = catalog.run(key)
    _, format, quantize = next(c for c in CHOICES if c[0] == choice)
    name = f"{run.path.stem}-{format}" + (f"-{quantize}" if quantize else "")
    work = Path(tempfile.mkdtemp(prefix="export-", dir=temp))
    result = export(run, format, work / name, quantize=quantize)
    archive = shutil.make_archive(str(work / name), "zip", work, name)
    return Exported(said(result.record, Words(lang)), Path(archive))


def said(record: dict, words: Words) -> str:
    """The check's numbers in the page's language."""
    check = record["check"]
    text = words("export_done", images=words.number(check["images"]),
                 difference=f"{check['keras']['max_probability_difference']:.1e}",
                 agreement=words.percent(check["keras"]["argmax_agreement"], 1),
                 size=f"{words.number(record['bytes'] / 1e6, 2)} MB")
    if record["quantized"]:
        text += " " + words("export_int8", before=words.percent(check["keras_accuracy"]),
                            after=words.percent(check["export_accuracy"]))
    return text


def build(page, run_picker) -> None:
    """The panel, under Explore's other parts, following ``run_picker``."""
    import gradio as gr

    with page.labelled(gr.Accordion, "export_heading", open=False, elem_id="explore-export"):
        with gr.Row(equal_height=True):
            format_picker = gr.Dropdown(choices=choices("en"), value=CHOICES[0][0],
                                        label=say("en", "export_format"),
                                        elem_id="explore-export-format")
            go = page.labelled(gr.Button, "export_button", "value", elem_id="explore-export-go")
        message = gr.Markdown(elem_id="explore-export-message")
        download = page.labelled(gr.File, "export_file", interactive=False,
                                 elem_id="explore-export-file")

    @answers(lambda line: (markdown_line(line), None))
    def on_export(key, choice, lang):
        done = export_for_download(page.catalog, key, choice, lang, page.temp)
        return markdown_line(done.message), str(done.download) if done.download else None

    go.click(on_export, [run_picker, format_picker, page.language], [message, download])
    page.on_language(lambda lang: gr.update(choices=choices(lang),
                                            label=say(lang, "export_format")),
                     [page.language], [format_picker])
