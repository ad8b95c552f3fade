"""A run's summary card (what a ``Run`` shows in Jupyter and the head of each run in a
report) and a comparison's (its table and curves)."""

from __future__ import annotations

from pathlib import Path

from .escape import esc
from .images import Embedded, embed_figure, embed_file
from .verdict import learning_verdict

# The card's look, scoped to it, so that it also works inside a notebook's page.
CARD_CSS = """
.cs-card{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;
 border:1px solid #d5dae3;border-radius:8px;padding:14px 18px;margin:8px 0;max-width:1060px;
 background:#fff;line-height:1.45}
.cs-card h3{margin:0 0 8px;font-size:1.15em}
.cs-card .cs-numbers{display:flex;flex-wrap:wrap;gap:10px 28px;margin:6px 0 10px}
.cs-card .cs-number b{display:block;font-size:1.5em;line-height:1.2}
.cs-card .cs-number span{font-size:.85em;color:#59627a}
.cs-card dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:6px 0;
 font-size:.92em}
.cs-card dt{color:#59627a}.cs-card dd{margin:0;overflow-wrap:anywhere}
.cs-card .cs-verdict{margin:8px 0;font-size:.95em}
.cs-card .cs-problem{color:#a3261b;margin:4px 0;font-size:.92em}
.cs-card img{max-width:100%;height:auto}
.cs-card table{border-collapse:collapse;font-size:.9em;margin:6px 0}
.cs-card th,.cs-card td{padding:3px 8px;border-bottom:1px solid #e3e7ee;text-align:right}
.cs-card th:first-child,.cs-card td:first-child{text-align:left;overflow-wrap:anywhere}
.cs-compare{font-size:.92em}
.cs-compare th,.cs-compare td{text-align:right;overflow-wrap:normal}
.cs-compare td{white-space:nowrap}.cs-compare small{color:#59627a}
.cs-compare th:first-child,.cs-compare td:first-child{text-align:left;white-space:normal}
"""


def _read(run, attribute: str, default, problems: list[str], words, what: str):
    """One of a run's files through its property, or ``default`` with the problem noted."""
    try:
        value = getattr(run, attribute)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        problems.append(words("card_damaged", what=what, why=str(exc) or type(exc).__name__))
        return default
    if not value:
        problems.append(words("card_missing", what=what))
    return value


def run_card(run, words, curves: bool = True, problems=(), summary: bool = True) -> str:
    """A run's summary as an HTML fragment, in ``words``' language: name, key numbers, data,
    machine, the verdict of its learning curves and (with ``curves``) a small picture of
    them. Without ``summary`` (inside a page that has them) no title and no verdict.

    Never raises for a missing or damaged file of the run: the card says what is missing.
    ``problems``: more lines to say so, from the caller.
    """
    problems = list(problems)
    metrics = {} if run.bare else _read(run, "metrics", {}, problems, words, "metrics.json")
    history = [] if run.bare else _read(run, "history", [], problems, words, "history.csv")
    title = words("card_model", name=Path(run.path).name) if run.bare else run.label
    verdict = learning_verdict(history) if history else None
    parts = [f'<div class="cs-card"><h3>{esc(title)}</h3>' if summary else
             '<div class="cs-card">']
    numbers = _numbers(run, metrics, history, words)
    if numbers:
        parts.append('<div class="cs-numbers">' + "".join(
            f'<div class="cs-number"><b>{esc(value)}</b><span>{esc(label)}</span></div>'
            for value, label in numbers) + "</div>")
    parts.append("<dl>" + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>"
                                  for k, v in _facts(run, metrics, history, words)) + "</dl>")
    if verdict is not None and summary:
        parts.append(f'<p class="cs-verdict">{esc(verdict.sentence(words))}</p>')
    parts += [f'<p class="cs-problem">{esc(p)}</p>' for p in problems]
    if curves and history:
        picture = _small_curves(run, history, words)
        if picture is not None:
            parts.append(picture.tag(words("card_curves"),
                                     display_width=min(picture.width, 640)))
    parts.append("</div>")
    return "".join(parts)


def _numbers(run, metrics: dict, history: list[dict], words) -> list[tuple[str, str]]:
    """The big numbers: final and best test accuracy, training time, images/s (from the
    files that could be read)."""
    if run.bare:
        return []
    numbers = []
    final = metrics.get("test_accuracy", history[-1].get("test_accuracy") if history else None)
    if final is not None:
        numbers.append((words.percent(final), words("card_final")))
    best = run.best if history or run.state.get("best") else None
    if best:
        numbers.append((words.percent(best["test_accuracy"]),
                        f"{words('card_best')} ({words('card_epoch')} {best['epoch']})"))
    training = run.state.get("training") or metrics
    if training.get("train_seconds"):
        numbers.append((words.duration(training["train_seconds"]), words("card_time")))
    if training.get("images_per_second"):
        numbers.append((words.number(training["images_per_second"]), words("card_speed")))
    return numbers


def _facts(run, metrics: dict, history: list[dict], words) -> list[tuple[str, str]]:
    """What the run is: recipe, data, classes, epochs, weights, machine, versions, date."""
    config = run.config
    facts = []
    if run.bare:
        facts.append((words("card_data"), words("card_no_model_data")))
    else:
        facts.append((words("card_recipe"),
                      f"{config.label} ({config.describe_training(words)})"))
        changes = run.augmentation.describe(words)
        if changes:
            facts.append((words("card_augmentation"), changes))
        counts = [f"{words.number(config.train_images)} {words('card_train_images')}"] \
            if config.train_images else []
        if metrics.get("test_images"):
            counts.append(f"{words.number(metrics['test_images'])} "
                          f"{words('card_test_images')}")
        facts.append((words("card_data"), ", ".join([config.dataset] + counts)))
    names = config.class_names
    facts.append((words("card_classes"), ", ".join(names[:20]) + (
        f", {words('card_more')} ({len(names)})" if len(names) > 20 else "")))
    if not run.bare:
        facts.append((words("card_epochs"), _epochs(run, history, words)))
    facts += [(words(key), value) for key, value in (
        ("card_weights", config.parameters and words.number(config.parameters)),
        ("card_device", config.device),
        ("card_precision", None if run.bare else precision_line(config, words)),
        ("card_versions", ", ".join(f"{k} {v}" for k, v in config.versions.items())),
        ("card_date", config.created and _date(config.created))) if value]
    if not run.bare:
        facts.append((words("card_seed"), str(config.seed)))
    return facts


def precision_line(config, words) -> str:
    """The arithmetic a run trained in and why, e.g. ``bfloat16: ×1.73 measured here (batch
    128)``; runs of earlier versions recorded only the precision."""
    from ..precision import Choice, short_name

    if config.precision_choice:
        return Choice.from_json(config.precision_choice).describe(words)
    return short_name(config.precision)


def _epochs(run, history: list[dict], words) -> str:
    """``5 of 5``, or why not all: stopped at a target accuracy, interrupted, running."""
    done = run.epochs_done or len(history)
    epochs = f"{done} {words('card_of')} {run.epochs}"
    target = run.config.until_accuracy
    if target and done < run.epochs and run.status == "complete":
        return epochs + " — " + words("card_target", target=words.percent(target, 0))
    if run.status != "complete":
        return epochs + f" — {words(f'card_{run.status}')}"
    return epochs


def _date(created: str) -> str:
    """``2026-12-02T14:56:56+0000`` as ``2026-12-02 14:56 UTC`` (other zones as offsets)."""
    from datetime import datetime

    try:
        when = datetime.strptime(created, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return created
    zone = when.strftime("%z")
    return when.strftime("%Y-%m-%d %H:%M ") + ("UTC" if zone == "+0000" else zone)


def _small_curves(run, history, words) -> Embedded | None:
    """The run's learning-curves figure, small: the stored one when it is in ``words``'
    language, else drawn from the history."""
    from .. import plots

    path = Path(run.figures_dir) / "learning_curves.png"
    if path.is_file() and run.figures_language == words.lang:
        try:
            return embed_file(path, max_width=640)
        except ValueError:
            pass
    try:
        return embed_figure(plots.learning_curves(history, words, run.label), dpi=60,
                            max_width=640)
    except (KeyError, ValueError, TypeError):  # a history without the usual columns
        return None


def comparison_table(rows: list[dict], labels: list[str], words) -> str:
    """The table of ``evaluation.compare_runs`` rows, one run per line."""
    head = ["run", "parameters", "epochs", "s_epoch", "best_test", "final_test", "best_train",
            "final_train"]
    body = []
    for label, r in zip(labels, rows, strict=True):
        # The best epoch under its accuracy, so that eight columns fit a page's width.
        best = (f"{esc(words.percent(r['best_test_accuracy']))}<br>"
                f"<small>{esc(words('card_epoch'))} {r['best_epoch']}</small>")
        cells = [esc(label), esc(words.number(r["parameters"])) if r["parameters"] else "?",
                 str(r["epochs"]), esc(words.number(r["seconds_per_epoch"], 1)), best,
                 esc(words.percent(r["final_test_accuracy"])),
                 esc(words.percent(r["best_train_accuracy"])),
                 esc(words.percent(r["final_train_accuracy"]))]
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return ('<table class="cs-compare"><thead><tr>'
            + "".join(f"<th>{esc(words(f'card_{h}'))}</th>" for h in head)
            + "</tr></thead><tbody>" + "".join(body) + "</tbody></table>")


def comparison_card(rows: list[dict], labels: list[str], figure, words) -> str:
    """Several runs side by side: the table, and their curves (a ``figures.Figure``)."""
    parts = [f'<div class="cs-card"><h3>{esc(words("card_compared"))}</h3>',
             comparison_table(rows, labels, words)]
    if figure is not None:
        picture = embed_figure(figure.figure, dpi=70, close=False)  # the caller's figure
        parts.append(picture.tag(words("card_compare_curves")))
    parts.append("</div>")
    return "".join(parts)


def notebook(fragment: str) -> str:
    """A fragment with the card's style, for ``_repr_html_``."""
    return f"<style>{CARD_CSS}</style>{fragment}"
