"""A run's summary card (what a ``Run`` shows in Jupyter and the head of each run in a
report) and a comparison's (its table and curves)."""

from __future__ import annotations

from pathlib import Path

from .images import Embedded, embed_figure, embed_file
from .text import duration, esc, number, percent
from .verdict import learning_verdict

WORDS = {
    "en": {
        "final": "final test accuracy", "best": "best test accuracy", "time": "training time",
        "speed": "images/s", "epoch": "epoch", "recipe": "recipe", "model": "your model",
        "data": "data", "classes": "classes", "train_images": "training images",
        "test_images": "test images", "epochs": "epochs", "weights": "weights",
        "device": "device", "versions": "versions", "date": "date", "seed": "seed",
        "status": "status", "complete": "complete", "running": "running or stopped "
        "abruptly", "interrupted": "interrupted (continue with convscope train --resume)",
        "missing": "not in this run: {what}", "damaged": "{what} is damaged ({why})",
        "curves": "Learning curves: training and test accuracy and loss per epoch.",
        "no_model_data": "a bare model: no dataset", "unknown": "unknown",
        "of": "of", "more": "…",
        "target": "stopped on reaching {target} test accuracy (--until-accuracy)",
        "compared": "Runs compared", "run": "run", "parameters": "weights",
        "s_epoch": "s/epoch", "best_train": "best training", "final_train": "final training",
        "final_test": "final test", "best_test": "best test",
        "compare_curves": "Test (solid) and training (dashed) accuracy of each run: where a "
                          "run's two lines part, it learns its training images by heart.",
    },
    "fr": {
        "final": "précision finale (test)", "best": "meilleure précision (test)",
        "time": "durée d'apprentissage", "speed": "images/s", "epoch": "époque",
        "recipe": "recette", "model": "votre modèle", "data": "données",
        "classes": "classes", "train_images": "images d'apprentissage",
        "test_images": "images de test", "epochs": "époques", "weights": "poids",
        "device": "machine", "versions": "versions", "date": "date", "seed": "graine",
        "status": "état", "complete": "terminé", "running": "en cours ou arrêté net",
        "interrupted": "interrompu (reprendre avec convscope train --resume)",
        "missing": "absent de ce run : {what}", "damaged": "{what} est endommagé ({why})",
        "curves": "Courbes d'apprentissage : précision et erreur par époque, apprentissage "
                  "et test.",
        "no_model_data": "un modèle seul : pas de données", "unknown": "inconnu",
        "of": "sur", "more": "…",
        "target": "arrêté en atteignant {target} de précision de test (--until-accuracy)",
        "compared": "Runs comparés", "run": "run", "parameters": "poids",
        "s_epoch": "s/époque", "best_train": "meilleure (apprentissage)",
        "final_train": "finale (apprentissage)", "final_test": "finale (test)",
        "best_test": "meilleure (test)",
        "compare_curves": "Précision de test (trait plein) et d'apprentissage (tirets) de chaque "
                          "run : là où les deux lignes d'un run se séparent, il apprend ses "
                          "images d'apprentissage par cœur.",
    },
}

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
.cs-compare th,.cs-compare td{text-align:right;white-space:nowrap;overflow-wrap:normal}
.cs-compare th:first-child,.cs-compare td:first-child{text-align:left;white-space:normal}
"""


def _read(run, attribute: str, default, problems: list[str], words: dict, what: str):
    """One of a run's files through its property, or ``default`` with the problem noted."""
    try:
        value = getattr(run, attribute)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        problems.append(words["damaged"].format(what=what, why=str(exc) or type(exc).__name__))
        return default
    if not value and attribute != "state":
        problems.append(words["missing"].format(what=what))
    return value


def run_card(run, lang: str = "en", curves: bool = True, problems=(),
             summary: bool = True) -> str:
    """A run's summary as an HTML fragment: name, key numbers, data, machine, the verdict of
    its learning curves and (with ``curves``) a small picture of them. Without ``summary``
    (inside a page that has them) no title and no verdict.

    Never raises for a missing or damaged file of the run: the card says what is missing.
    ``problems``: more lines to say so, from the caller.
    """
    words = WORDS[lang]
    problems = list(problems)
    config = run.config
    bare = config.dataset is None
    state = _read(run, "state", {}, problems, words, "state.json") if not bare else {}
    metrics = _read(run, "metrics", {}, problems, words, "metrics.json") if not bare else {}
    history = _read(run, "history", [], problems, words, "history.csv") if not bare else []
    name = Path(run.path).name
    title = (f"{words['model']}: {name}" if bare else
             config.recipe + (" --fast" if config.fast else "")
             + ("" if name == config.recipe else f" — {name}"))
    verdict = learning_verdict(history) if history else None

    numbers = []
    final = metrics.get("test_accuracy", history[-1].get("test_accuracy") if history else None)
    if final is not None:
        numbers.append((percent(final, lang), words["final"]))
    best = state.get("best") or ({"epoch": verdict.best_epoch,
                                  "test_accuracy": verdict.best_accuracy} if verdict else None)
    if best:
        numbers.append((percent(best["test_accuracy"], lang),
                        f"{words['best']} ({words['epoch']} {best['epoch']})"))
    training = state.get("training") or metrics
    if training.get("train_seconds"):
        numbers.append((duration(training["train_seconds"]), words["time"]))
    if training.get("images_per_second"):
        numbers.append((number(training["images_per_second"], lang), words["speed"]))

    facts = []
    if bare:
        facts.append((words["data"], words["no_model_data"]))
    else:
        recipe = config.recipe + (" --fast" if config.fast else "")
        facts.append((words["recipe"], f"{recipe} ({config.describe_training()})"))
        counts = [f"{number(config.train_images, lang)} {words['train_images']}"] \
            if config.train_images else []
        if metrics.get("test_images"):
            counts.append(f"{number(metrics['test_images'], lang)} {words['test_images']}")
        facts.append((words["data"], ", ".join([config.dataset] + counts)))
    names = config.class_names
    shown = ", ".join(names[:20]) + (f", {words['more']} ({len(names)})" if len(names) > 20
                                     else "")
    facts.append((words["classes"], shown))
    if not bare:
        done = state.get("epochs_done", len(history))
        status = state.get("status", "complete" if done else "running")
        epochs = f"{done} {words['of']} {config.epochs}"
        if config.until_accuracy and done < config.epochs and status == "complete":
            epochs += " — " + words["target"].format(target=percent(config.until_accuracy,
                                                                      lang, 0))
        elif status != "complete":
            epochs += f" — {words.get(status, status)}"
        facts.append((words["epochs"], epochs))
    if config.parameters:
        facts.append((words["weights"], number(config.parameters, lang)))
    if config.device:
        facts.append((words["device"], config.device))
    if config.versions:
        facts.append((words["versions"], ", ".join(f"{k} {v}" for k, v in
                                                     config.versions.items())))
    if config.created:
        facts.append((words["date"], _date(config.created)))
    if not bare:
        facts.append((words["seed"], str(config.seed)))

    parts = [f'<div class="cs-card"><h3>{esc(title)}</h3>' if summary else
             '<div class="cs-card">']
    if numbers:
        parts.append('<div class="cs-numbers">' + "".join(
            f'<div class="cs-number"><b>{esc(value)}</b><span>{esc(label)}</span></div>'
            for value, label in numbers) + "</div>")
    parts.append("<dl>" + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in facts)
                 + "</dl>")
    if verdict is not None and summary:
        parts.append(f'<p class="cs-verdict">{esc(verdict.sentence(lang))}</p>')
    parts += [f'<p class="cs-problem">{esc(p)}</p>' for p in problems]
    if curves and history:
        picture = _small_curves(run, history)
        if picture is not None:
            parts.append(picture.tag(words["curves"], display_width=min(picture.width, 640)))
    parts.append("</div>")
    return "".join(parts)


def _date(created: str) -> str:
    """``2026-12-02T14:56:56+0000`` as ``2026-12-02 14:56 UTC`` (other zones as offsets)."""
    from datetime import datetime

    try:
        when = datetime.strptime(created, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return created
    zone = when.strftime("%z")
    return when.strftime("%Y-%m-%d %H:%M ") + ("UTC" if zone == "+0000" else zone)


def _small_curves(run, history) -> Embedded | None:
    """The run's learning-curves figure, small; drawn from the history when the file is
    missing or damaged."""
    from .. import plots

    path = Path(run.figures_dir) / "learning_curves.png"
    if path.is_file():
        try:
            return embed_file(path, max_width=640)
        except ValueError:
            pass
    try:
        return embed_figure(plots.learning_curves(history), dpi=60, max_width=640)
    except (KeyError, ValueError, TypeError):  # a history without the usual columns
        return None


def comparison_table(rows: list[dict], labels: list[str], lang: str = "en") -> str:
    """The table of ``evaluation.compare_runs`` rows, one run per line."""
    words = WORDS[lang]
    head = ["run", "parameters", "epochs", "s_epoch", "best_test", "final_test", "best_train",
            "final_train"]
    body = []
    for label, r in zip(labels, rows, strict=True):
        cells = [label, number(r["parameters"], lang) if r["parameters"] else "?",
                 str(r["epochs"]), number(r["seconds_per_epoch"], lang, 1),
                 f"{percent(r['best_test_accuracy'], lang)} ({words['epoch']} "
                 f"{r['best_epoch']})", percent(r["final_test_accuracy"], lang),
                 percent(r["best_train_accuracy"], lang), percent(r["final_train_accuracy"],
                                                                  lang)]
        body.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>")
    return ('<table class="cs-compare"><thead><tr>'
            + "".join(f"<th>{esc(words[h])}</th>" for h in head)
            + "</tr></thead><tbody>" + "".join(body) + "</tbody></table>")


def comparison_card(rows: list[dict], labels: list[str], figure=None, lang: str = "en") -> str:
    """Several runs side by side: the table, and their curves (a ``figures.Figure``)."""
    words = WORDS[lang]
    parts = [f'<div class="cs-card"><h3>{esc(words["compared"])}</h3>',
             comparison_table(rows, labels, lang)]
    if figure is not None:
        picture = embed_figure(figure.figure, dpi=70, close=False)  # the caller's figure
        parts.append(picture.tag(words["compare_curves"]))
    parts.append("</div>")
    return "".join(parts)


def notebook(fragment: str) -> str:
    """A fragment with the card's style, for ``_repr_html_``."""
    return f"<style>{CARD_CSS}</style>{fragment}"
