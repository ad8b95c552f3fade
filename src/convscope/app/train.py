"""Train: choose a recipe and its data (built in, a ``--photos`` folder, or photos dropped into
the page class by class), see the photos scanned, start; curves and the epoch table grow as it
trains; Stop keeps the last completed epoch, Resume continues it.

The training itself belongs to the server (``trainer.Trainer``); the page only asks, and
reads ``Trainer.snapshot`` once a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import ConvscopeError
from ..pictures import picture
from ..plots import learning_curves
from ..recipes import RECIPES, get_recipe
from ..words import Words, say
from .page import Page, answers, failure, markdown_line
from .trainer import Request, Snapshot, Trainer, local_data
from .uploads import keep_for_training

SKIPPED_SHOWN = 30  # skipped files listed in the page (the scan's report has them all)
OWN_DATA = ""  # the dataset picker's value for a recipe's own dataset


def start(trainer: Trainer, recipe: str, photos: str | None, epochs, fast: bool, augment: bool,
          limit, lang: str = "en") -> str:
    """Start a training; the one line the page shows (a refusal, if one is running)."""
    request = Request(recipe, photos or None, epochs=int(epochs) if epochs else None,
                      fast=bool(fast), augment=bool(augment),
                      limit=int(limit) if limit else None, lang=lang)
    try:
        run_dir = trainer.start(request)
    except ConvscopeError as exc:
        return failure(exc, lang)
    return say(lang, "train_started", recipe=recipe, run=run_dir.name)


def resume(trainer: Trainer, key: str | None, lang: str = "en") -> str:
    """Resume a stopped run; the one line the page shows."""
    if not key:
        return say(lang, "resume_choose")
    try:
        run_dir = trainer.resume(key, lang=lang)
    except ConvscopeError as exc:
        return failure(exc, lang)
    return say(lang, "train_resumed", run=run_dir.name)


def stop(trainer: Trainer, lang: str = "en") -> str:
    return say(lang, "train_stopping" if trainer.stop() else "train_nothing")


def scan(page: Page, recipe: str, photos: str | None, lang: str = "en") -> tuple[str, str]:
    """What the chosen data holds, as the recipe will see it: (counts, skipped files)."""
    shape = get_recipe(recipe).input_shape
    if not photos:
        dataset = get_recipe(recipe).dataset
        where = local_data(dataset)
        return markdown_line(say(lang, "own_data", dataset=dataset, where=str(where))), ""
    from ..datasets.scan import scan_folder  # Keras (the photo batches)

    folder = page.roots.photo_set(photos)
    report = scan_folder(folder, shape, cache=False)
    lines = [f"| {say(lang, 'part')} | {say(lang, 'app_class')} | {say(lang, 'photos')} |",
             "|---|---|---|"]
    lines += [f"| {r['part']} | {markdown_line(r['class'])} | {r['photos']:,} |"
              for r in report.rows()]
    counts = "\n".join(lines) + "\n\n" + say(lang, "scanned", height=shape[0], width=shape[1])
    skipped = [f"- {markdown_line(str(s))}" for s in report.skipped[:SKIPPED_SHOWN]]
    if len(report.skipped) > SKIPPED_SHOWN:
        skipped.append(say(lang, "app_more_skipped",
                           count=len(report.skipped) - SKIPPED_SHOWN))
    heading = say(lang, "skipped_heading", count=len(report.skipped))
    return counts, heading + ("\n" + "\n".join(skipped) if skipped else "")


def add_photos(page: Page, set_name: str, class_name: str, files, lang: str = "en") -> str:
    """Keep photos dropped for one class under the runs root; the one line the page shows."""
    if not files:
        return say(lang, "add_none")
    uploads = [(Path(f), Path(f).name) for f in files]
    try:
        kept, refused = keep_for_training(page.roots, set_name, class_name, uploads)
    except ConvscopeError as exc:
        return failure(exc, lang)
    message = say(lang, "added", count=len(kept), klass=class_name, set=set_name)
    return message + ("".join(f"\n- {line}" for line in refused) if refused else "")


@dataclass
class TrainView:
    """The Train tab's live part, from one snapshot."""

    status: str
    progress: str
    table: list[list]  # epoch rows, formatted
    skipped: str
    busy: bool


def render(shot: Snapshot, lang: str = "en") -> TrainView:
    """The page's view of a training snapshot."""
    if shot.state == "idle":
        return TrainView(say(lang, "train_idle"), "", [], "", False)
    run = shot.run_dir.name if shot.run_dir else "?"
    status = say(lang, f"state_{shot.state}", recipe=shot.recipe, run=run,
                 error=shot.error or "", epochs=len(shot.history), planned=shot.epochs)
    if shot.state == "complete" and shot.metrics:
        status += " " + say(lang, "final_accuracy",
                            accuracy=Words(lang).percent(shot.metrics["test_accuracy"]))
    progress = ""
    if shot.active and shot.epochs:
        progress = say(lang, "progress", epoch=shot.epoch, epochs=shot.epochs,
                       step=shot.step, steps=shot.steps or "?")
    if shot.dataset and shot.active:
        progress += "\n\n" + markdown_line(shot.dataset)
    table = [[r["epoch"], f"{r['loss']:.4f}", f"{r['accuracy']:.2%}", f"{r['test_loss']:.4f}",
              f"{r['test_accuracy']:.2%}", f"{r['seconds']:.0f}"] for r in shot.history]
    skipped = ""
    if shot.skipped:
        listed = [f"- {markdown_line(f'{path}: {reason}')}"
                  for path, reason in shot.skipped[:SKIPPED_SHOWN]]
        skipped = say(lang, "skipped_heading", count=len(shot.skipped)) + "\n" + \
            "\n".join(listed)
    return TrainView(status, progress, table, skipped, shot.active)


def table_headers(lang: str) -> list[str]:
    return [say(lang, key) for key in ("col_epoch", "col_loss", "col_accuracy", "col_test_loss",
                                       "col_test_accuracy", "col_seconds")]


# -- the tab ----------------------------------------------------------------------------------


def build(page: Page) -> None:
    """The Train tab's components and events (inside a ``gr.Tab``)."""
    import gradio as gr

    lang = page.language
    status = gr.Markdown(elem_id="train-status")
    recipe, data, scanned, skipped, choices = _choice_widgets(page)
    start_button, stop_button, stopped, resume_button = _control_widgets(page)
    said = gr.Markdown(elem_id="train-message")
    progress = gr.Markdown(elem_id="train-progress")
    curves = page.labelled(gr.Image, "curves", elem_id="train-curves", format="png",
                           interactive=False)
    table = page.labelled(gr.Dataframe, "epoch_table", elem_id="train-table", interactive=False)
    skipped_live = gr.Markdown(elem_id="train-skipped-live")  # photos the training left out
    set_name, class_name, files, add_button, added = _drop_widgets(page)

    @answers(lambda line: (markdown_line(line), ""))
    def on_scan(recipe_, photos, lang):
        return scan(page, recipe_, photos, lang)

    for trigger in (recipe.change, data.change):
        trigger(on_scan, [recipe, data, lang], [scanned, skipped])
    recipe.change(lambda name: get_recipe(name).epochs, recipe, choices[0])

    def on_add(set_, class_, files_, lang_):
        message = add_photos(page, set_, class_, files_, lang_)
        return markdown_line(message), gr.update(choices=_data_choices(page, lang_)), None

    add_button.click(on_add, [set_name, class_name, files, lang], [added, data, files])
    start_button.click(lambda *a: markdown_line(start(page.trainer, *a)),
                       [recipe, data, *choices, lang], said)
    stop_button.click(lambda lang_: markdown_line(stop(page.trainer, lang_)), lang, said)
    resume_button.click(lambda key, lang_: markdown_line(resume(page.trainer, key, lang_)),
                        [stopped, lang], said)

    # Once a second every page reads the training's snapshot; it redraws only what changed.
    seen = gr.State({"events": -1, "generation": -1, "epochs": -1, "state": "", "lang": ""})
    pickers = [dropdown for dropdown, _, _ in page.pickers]

    def on_tick(last, lang_):
        shot = page.trainer.snapshot()
        now = {"events": shot.events, "generation": shot.generation,
               "epochs": len(shot.history), "state": shot.state, "lang": lang_}
        if now == last:
            return (gr.skip(),) * (9 + len(pickers))
        view = render(shot, lang_)
        redraw = now["epochs"] != last["epochs"] or now["generation"] != last["generation"] \
            or now["lang"] != last["lang"]
        words = Words(lang_)
        shown = picture(learning_curves(shot.history, words, words(
            "fig_curves_title", title=shot.recipe))) if redraw and shot.history else (
            None if redraw else gr.skip())
        frame = _frame(view.table, lang_)
        runs_changed = now["state"] != last["state"] or now["generation"] != last["generation"]
        refreshed = page.refreshed_pickers() if runs_changed and last["events"] >= 0 \
            else [gr.skip()] * len(pickers)
        if runs_changed and shot.state == "interrupted":  # offer it to Resume at once
            refreshed[pickers.index(stopped)] = gr.update(
                choices=page.catalog.choices(status="interrupted"),
                value=page.roots.key(shot.run_dir))
        idle = gr.update(interactive=not view.busy)
        return (markdown_line(view.status), view.progress, shown, frame, view.skipped, idle,
                gr.update(interactive=view.busy), idle, now, *refreshed)

    timer = gr.Timer(1.0)
    timer.tick(on_tick, [seen, lang], [status, progress, curves, table, skipped_live,
                                       start_button, stop_button, resume_button, seen, *pickers],
               show_progress="hidden")
    page.on_language(lambda lang_: gr.update(choices=_data_choices(page, lang_)), lang, data)


def _frame(rows: list[list], lang: str):
    import pandas as pd

    return pd.DataFrame(rows, columns=table_headers(lang))


def _choice_widgets(page: Page):
    """The recipe, its data (scanned as soon as chosen) and the training's choices: epochs,
    a limit, --fast, augmentation."""
    import gradio as gr

    recipes = [(f"{r.name} — {r.dataset}, {'×'.join(map(str, r.input_shape))}", r.name)
               for r in RECIPES.values()]
    with gr.Row(equal_height=True):
        recipe = page.labelled(gr.Dropdown, "recipe", choices=recipes, value="mnist",
                               elem_id="train-recipe")
        data = page.labelled(gr.Dropdown, "dataset", choices=_data_choices(page, "en"),
                             value=OWN_DATA, elem_id="train-data")
    try:
        first_scan = scan(page, "mnist", OWN_DATA)[0]
    except ConvscopeError as exc:
        first_scan = markdown_line(failure(exc, "en"))
    scanned = gr.Markdown(first_scan, elem_id="train-scan")
    skipped = gr.Markdown(elem_id="train-skipped")
    with gr.Row(equal_height=True):
        epochs = page.labelled(gr.Number, "epochs", value=get_recipe("mnist").epochs,
                               precision=0, minimum=1, elem_id="train-epochs")
        limit = page.labelled(gr.Number, "limit", value=0, precision=0, minimum=0,
                              elem_id="train-limit")
        fast = page.labelled(gr.Checkbox, "fast", value=False, elem_id="train-fast")
        augment = page.labelled(gr.Checkbox, "augment", value=False, elem_id="train-augment")
    return recipe, data, scanned, skipped, [epochs, fast, augment, limit]


def _control_widgets(page: Page):
    """Start, Stop, and Resume with its picker of stopped runs."""
    import gradio as gr

    with gr.Row():
        start_button = page.labelled(gr.Button, "start", "value", variant="primary",
                                     elem_id="train-start")
        stop_button = page.labelled(gr.Button, "stop", "value", variant="stop",
                                    elem_id="train-stop", interactive=False)
    with gr.Row(equal_height=True):
        stopped = page.picker(page.labelled(gr.Dropdown, "resume_run",
                                            choices=page.catalog.choices(status="interrupted"),
                                            value=None, elem_id="train-resume-run"),
                              status="interrupted")
        resume_button = page.labelled(gr.Button, "resume", "value", elem_id="train-resume")
    return start_button, stop_button, stopped, resume_button


def _drop_widgets(page: Page):
    """Photos dropped into the page, class by class, kept as a photo set to train on."""
    import gradio as gr

    with page.labelled(gr.Accordion, "drop_heading", open=False):
        page.labelled(gr.Markdown, "drop_help", "value")
        with gr.Row(equal_height=True):
            set_name = page.labelled(gr.Textbox, "set_name", value="my-photos",
                                     elem_id="drop-set")
            class_name = page.labelled(gr.Textbox, "class_name", elem_id="drop-class")
        files = page.labelled(gr.File, "drop_files", file_count="multiple",
                              file_types=["image"], type="filepath", elem_id="drop-files")
        add_button = page.labelled(gr.Button, "add", "value", elem_id="drop-add")
        added = gr.Markdown(elem_id="drop-message")
    return set_name, class_name, files, add_button, added


def _data_choices(page: Page, lang: str) -> list[tuple[str, str]]:
    """The dataset picker: the recipe's own dataset, then every photo folder served."""
    return [(say(lang, "own_dataset"), OWN_DATA)] + \
        [(key, key) for key in page.roots.photo_sets()]
