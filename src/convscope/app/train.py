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
from ..plots import learning_curves
from ..recipes import RECIPES, get_recipe
from .page import Page, failure, markdown_line
from .pictures import figure_picture
from .text import say
from .trainer import Request, Snapshot, Trainer, local_data
from .uploads import keep_for_training

SKIPPED_SHOWN = 30  # skipped files listed in the page (the scan's report has them all)
OWN_DATA = ""  # the dataset picker's value for a recipe's own dataset


def start(trainer: Trainer, recipe: str, photos: str | None, epochs, fast: bool, augment: bool,
          limit, lang: str = "en") -> str:
    """Start a training; the one line the page shows (a refusal, if one is running)."""
    request = Request(recipe, photos or None, epochs=int(epochs) if epochs else None,
                      fast=bool(fast), augment=bool(augment),
                      limit=int(limit) if limit else None)
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
        run_dir = trainer.resume(key)
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
        try:
            where = local_data(dataset)
        except ConvscopeError as exc:
            return markdown_line(failure(exc, lang)), ""
        return markdown_line(say(lang, "own_data", dataset=dataset, where=str(where))), ""
    from ..datasets.scan import scan_folder  # Keras (the photo batches)

    folder = page.roots.photo_set(photos)
    report = scan_folder(folder, shape, cache=False)
    lines = [f"| {say(lang, 'part')} | {say(lang, 'class')} | {say(lang, 'photos')} |",
             "|---|---|---|"]
    lines += [f"| {r['part']} | {markdown_line(r['class'])} | {r['photos']:,} |"
              for r in report.rows()]
    counts = "\n".join(lines) + "\n\n" + say(lang, "scanned", height=shape[0], width=shape[1])
    skipped = [f"- {markdown_line(str(s))}" for s in report.skipped[:SKIPPED_SHOWN]]
    if len(report.skipped) > SKIPPED_SHOWN:
        skipped.append(say(lang, "more_skipped", count=len(report.skipped) - SKIPPED_SHOWN))
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
                            accuracy=f"{shot.metrics['test_accuracy']:.2%}")
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
    import pandas as pd

    text, lang = page.text, page.language
    recipes = [(f"{r.name} — {r.dataset}, {'×'.join(map(str, r.input_shape))}", r.name)
               for r in RECIPES.values()]
    status = gr.Markdown(elem_id="train-status")
    with gr.Row(equal_height=True):
        recipe = text(gr.Dropdown(recipes, value="mnist", elem_id="train-recipe",
                                  label=say("en", "recipe")), "recipe")
        data = text(gr.Dropdown(_data_choices(page, "en"), value=OWN_DATA,
                                elem_id="train-data", label=say("en", "dataset")), "dataset")
    scanned = gr.Markdown(scan(page, "mnist", OWN_DATA)[0], elem_id="train-scan")
    skipped = gr.Markdown(elem_id="train-skipped")
    with gr.Row(equal_height=True):
        epochs = text(gr.Number(get_recipe("mnist").epochs, precision=0, minimum=1,
                                elem_id="train-epochs", label=say("en", "epochs")), "epochs")
        limit = text(gr.Number(0, precision=0, minimum=0, elem_id="train-limit",
                               label=say("en", "limit")), "limit")
        fast = text(gr.Checkbox(False, elem_id="train-fast", label=say("en", "fast")), "fast")
        augment = text(gr.Checkbox(False, elem_id="train-augment", label=say("en", "augment")),
                       "augment")
    with gr.Row():
        start_button = text(gr.Button(say("en", "start"), variant="primary",
                                      elem_id="train-start"), "start", "value")
        stop_button = text(gr.Button(say("en", "stop"), variant="stop", elem_id="train-stop",
                                     interactive=False), "stop", "value")
    with gr.Row(equal_height=True):
        stopped = page.picker(text(gr.Dropdown(page.catalog.choices(status="interrupted"),
                                               value=None, elem_id="train-resume-run",
                                               label=say("en", "resume_run")), "resume_run"),
                              status="interrupted")
        resume_button = text(gr.Button(say("en", "resume"), elem_id="train-resume"), "resume",
                             "value")
    said = gr.Markdown(elem_id="train-message")
    progress = gr.Markdown(elem_id="train-progress")
    curves = text(gr.Image(elem_id="train-curves", format="png", interactive=False,
                           label=say("en", "curves")), "curves")
    table = text(gr.Dataframe(elem_id="train-table", interactive=False,
                              label=say("en", "epoch_table")), "epoch_table")
    skipped_live = gr.Markdown(elem_id="train-skipped-live")  # photos the training left out
    with text(gr.Accordion(say("en", "drop_heading"), open=False), "drop_heading"):
        text(gr.Markdown(say("en", "drop_help")), "drop_help", "value")
        with gr.Row(equal_height=True):
            set_name = text(gr.Textbox("my-photos", elem_id="drop-set",
                                       label=say("en", "set_name")), "set_name")
            class_name = text(gr.Textbox(elem_id="drop-class", label=say("en", "class_name")),
                              "class_name")
        files = text(gr.File(file_count="multiple", file_types=["image"], type="filepath",
                             elem_id="drop-files", label=say("en", "drop_files")), "drop_files")
        add_button = text(gr.Button(say("en", "add"), elem_id="drop-add"), "add", "value")
        added = gr.Markdown(elem_id="drop-message")

    def on_scan(recipe_, photos, lang_):
        try:
            return scan(page, recipe_, photos, lang_)
        except Exception as exc:  # noqa: BLE001  (one line in the page, never a traceback)
            return markdown_line(failure(exc, lang_)), ""

    for trigger in (recipe.change, data.change):
        trigger(on_scan, [recipe, data, lang], [scanned, skipped])
    recipe.change(lambda name: get_recipe(name).epochs, recipe, epochs)

    def on_add(set_, class_, files_, lang_):
        message = add_photos(page, set_, class_, files_, lang_)
        return markdown_line(message), gr.update(choices=_data_choices(page, lang_)), None

    add_button.click(on_add, [set_name, class_name, files, lang], [added, data, files])
    start_button.click(lambda *a: markdown_line(start(page.trainer, *a)),
                       [recipe, data, epochs, fast, augment, limit, lang], said)
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
        redraw = now["epochs"] != last["epochs"] or now["generation"] != last["generation"]
        picture = figure_picture(learning_curves(shot.history, title=shot.recipe)) \
            if redraw and shot.history else (None if redraw else gr.skip())
        frame = pd.DataFrame(view.table, columns=table_headers(lang_))
        runs_changed = now["state"] != last["state"] or now["generation"] != last["generation"]
        refreshed = page.refreshed_pickers() if runs_changed and last["events"] >= 0 \
            else [gr.skip()] * len(pickers)
        if runs_changed and shot.state == "interrupted":  # offer it to Resume at once
            refreshed[pickers.index(stopped)] = gr.update(
                choices=page.catalog.choices(status="interrupted"),
                value=page.roots.key(shot.run_dir))
        idle = gr.update(interactive=not view.busy)
        return (markdown_line(view.status), view.progress, picture, frame, view.skipped, idle,
                gr.update(interactive=view.busy), idle, now, *refreshed)

    timer = gr.Timer(1.0)
    timer.tick(on_tick, [seen, lang], [status, progress, curves, table, skipped_live,
                                       start_button, stop_button, resume_button, seen, *pickers],
               show_progress="hidden")
    page.on_language(lambda lang_: gr.update(choices=_data_choices(page, lang_)), lang, data)


def _data_choices(page: Page, lang: str) -> list[tuple[str, str]]:
    """The dataset picker: the recipe's own dataset, then every photo folder served."""
    return [(say(lang, "own_dataset"), OWN_DATA)] + \
        [(key, key) for key in page.roots.photo_sets()]
