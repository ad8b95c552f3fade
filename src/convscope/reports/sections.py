"""The first sections of a run's part of the page, in the course's order: the run, its data
(photo folders: the class folders and the skipped files), the network, and how it learned.

Each section is a function ``(subject, text) -> HTML``; ``figure`` and ``table`` are the
pieces they share with the later sections (``predictions``, ``seeing``).
"""

from __future__ import annotations

from ..html import Embedded, esc, learning_verdict, run_card
from ..layer_table import layer_table
from ..words import Words
from .subject import Subject

SKIPPED_SHOWN = 100  # rows of the skipped-files table; the rest are counted


def figure(picture: Embedded | None, alt: str, caption: str) -> str:
    """An image with its one-line caption; nothing when there is no image."""
    if picture is None:
        return ""
    return f"<figure>{picture.tag(alt)}<figcaption>{esc(caption)}</figcaption></figure>"


def table(head: list[str], rows: list[list], numeric=(), css_class: str = "") -> str:
    """A table of escaped text; columns in ``numeric`` are right-aligned."""
    def cells(row, tag):
        return "".join(f'<{tag}{" class=num" if i in numeric else ""}>{esc(c)}</{tag}>'
                       for i, c in enumerate(row))

    extra = f' class="{css_class}"' if css_class else ""
    body = "".join(f"<tr>{cells(row, 'td')}</tr>" for row in rows)
    return (f'<div class="wide"><table{extra}><thead><tr>{cells(head, "th")}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def note(text: str) -> str:
    return f'<p class="note">{esc(text)}</p>'


# -- the run ----------------------------------------------------------------------------------


def run_header(subject: Subject, text: Words) -> str:
    """The card (key numbers, data, machine, versions) and what is missing from the run."""
    problems = [text(f"problem_{key}", **values) for key, values in subject.problems]
    if subject.run is None:
        present = sorted(p.name for p in subject.path.iterdir()) if subject.path.is_dir() \
            else []
        body = "".join(f'<p class="problem">{esc(p)}</p>' for p in problems)
        if present:
            body += note(text("present", files=", ".join(present)))
        return body
    card = run_card(subject.run, text, curves=False, summary=False)
    if not subject.bare:
        card += note(text("report_export", path=subject.run.path))
    if problems:
        card += (f'<div class="problems"><h4>{esc(text("problems"))}</h4><ul>'
                 + "".join(f"<li>{esc(p)}</li>" for p in problems) + "</ul></div>")
    return card


# -- the data ---------------------------------------------------------------------------------


def data_section(subject: Subject, text: Words) -> str:
    """The training batch as the network sees it; for photo folders, the class folders and
    every file left out, with its reason."""
    parts = [figure(subject.stored_figure("training_batch"), text("alt_batch"),
                    text("cap_batch"))]
    files = subject.files
    if files is not None:
        parts.append(_class_folders(files, text))
        parts.append(_skipped(files.get("skipped", []), text))
    return "".join(parts)


def _class_folders(files: dict, text: Words) -> str:
    names = list(files.get("class_names", []))
    counts = {part: [0] * len(names) for part in ("train", "test")}
    for part in counts:
        for _, label in files.get(part, []):
            if 0 <= int(label) < len(names):
                counts[part][int(label)] += 1
    root, test_root = files.get("root", "?"), files.get("test_root", "?")
    split = str(files.get("split", ""))
    where = (text("folders_split", root=root, split=split) if split.startswith("validation")
             else text("folders_parts", train=root, test=test_root))
    rows = [[name, text.number(counts["train"][i]), text.number(counts["test"][i])]
            for i, name in enumerate(names)]
    rows.append([text("total"), text.number(sum(counts["train"])),
                 text.number(sum(counts["test"]))])
    return (f"<h4>{esc(text('h_folders'))}</h4>{note(where)}"
            + table([text("class"), text("train_photos"), text("test_photos")], rows, (1, 2)))


def _skipped(skipped: list, text: Words) -> str:
    head = f"<h4>{esc(text('h_skipped'))}</h4>"
    if not skipped:
        return head + note(text("none_skipped"))
    rows = [[str(path), str(why)] for path, why in skipped[:SKIPPED_SHOWN]]
    more = len(skipped) - len(rows)
    return (head + note(text("skipped_intro", n=text.number(len(skipped))))
            + table([text("file"), text("reason")], rows, css_class="files")
            + (note(text("more_skipped", n=text.number(more))) if more > 0 else ""))


# -- the network ------------------------------------------------------------------------------


def network_section(subject: Subject, text: Words) -> str:
    """The layer table of the course's §1.2: output shapes and how the weights add up."""
    if subject.model is None:
        return note(text("no_model"))
    rows = layer_table(subject.model)
    total = sum(r["parameters"] for r in rows)
    body = [[r["name"], r["type"], " × ".join(map(str, r["output_shape"])),
             text.number(r["parameters"]), _formula(r["formula"], text), *_field(r, text)]
            for r in rows]
    body.append([text("total"), "", "", text.number(total), "", "", ""])
    return (note(text("network_intro") + " " + text("fields_intro"))
            + table([text("layer"), text("type"), text("output"), text("weights"),
                     text("how"), text("sees"), text("step")], body, (3,), "layers"))


def _field(row: dict, text: Words) -> list[str]:
    """A layer's receptive field (rows × columns of input pixels) and step, or blanks."""
    if row["receptive_field"] is None:
        return ["", ""]
    size = " × ".join(map(str, row["receptive_field"]))
    if row["step"] is None:
        return [f"{size} ({text('whole')})", ""]
    return [size, " × ".join(map(str, row["step"]))]


def _formula(formula: str, text: Words) -> str:
    """The count's formula with numbers written the page's way (and "no weights" in words)."""
    if formula == "no weights":
        return text("no_weights")
    return formula.replace(",", "\u202f") if text.lang == "fr" else formula


# -- learning ---------------------------------------------------------------------------------


def learning_section(subject: Subject, text: Words) -> str:
    """The learning curves and, computed from the history, whether training and test part."""
    history = subject.history
    if not history:
        return note(text("no_history"))
    verdict = learning_verdict(history)
    sentence = f'<p class="verdict">{esc(verdict.sentence(text))}</p>' if verdict else ""
    return figure(subject.stored_figure("learning_curves"), text("alt_curves"),
                  text("cap_curves")) + sentence
