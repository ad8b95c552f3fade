"""Training: from a recipe and a dataset to a run directory, one saved epoch at a time.

``train`` = ``load_training_data`` + ``build_model`` + ``fit``, each usable alone. Every
completed epoch is saved before the next one starts (model with optimizer state, best model,
history, state), so a stop loses at most the epoch in progress and ``resume`` continues
exactly where the run stopped:

- the order of the training images in epoch ``e`` depends only on ``(seed, e)``;
- the optimizer's moments, step count and learning-rate schedule live in ``model.keras``;
- the best test accuracy so far lives in ``state.json``, so ``best.keras`` only improves.

Progress goes to an ``observer`` as events (``convscope.events``); ``progress=True`` adds the
console display. A ``CancelToken`` set from any thread stops training after the current step:
``train`` then returns the run, which ``resume`` continues. Ctrl-C sets the token too, and then
raises ``TrainingInterrupted`` once the last epoch is safe, as a script expects of Ctrl-C.
"""

from __future__ import annotations

import platform
import time
from pathlib import Path

import keras
import numpy as np

from . import _io
from .augmentation import augment_array, batch_augmenter
from .callbacks import Lookahead, StepEvents, StopOnRequest
from .config import RunConfig
from .datasets import FOLDER_DATASETS, ArrayDataset, find_folder_dataset, load_dataset
from .datasets.folders import FolderDataset, load_folder
from .devices import place, prepare_for_workers
from .errors import ConvscopeError, RunError, check_int
from .evaluation import evaluate_model
from .events import (
    CTRL_C,
    CancelToken,
    EpochEnded,
    FiguresWritten,
    Notice,
    RunFinished,
    RunStarted,
    RunStopped,
    ctrl_c_cancels,
    emit,
    observer_of,
)
from .hardware import backend, device_name, resolve_precision
from .models import STEPS_PER_EXECUTION, build_model, load_keras_model, loss_name, with_schedule
from .recipes import Recipe, get_recipe
from .runs import (
    BEST,
    FILES,
    HISTORY,
    MODEL,
    STATE,
    Run,
    new_run_dir,
    read_history,
    write_config,
    write_history,
)

# Random changes make every epoch's images new, so the loss stays noisy to the end: a warm-up
# keeps the start from stalling, and a cosine decay lets the last epochs settle.
AUGMENT_SCHEDULE = "warmup-cosine"

# Batch size for the test-set evaluation after each epoch: larger than training batches
# because no gradients are kept, so it costs less per image.
EVAL_BATCH_SIZE = 256

# airbench fits its whitening filters to 5,000 training images.
WHITENING_IMAGES = 5000


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C during training: the last completed epoch is saved in ``run_dir``."""

    def __init__(self, run_dir: Path, epochs_done: int, epochs: int):
        super().__init__(f"interrupted after epoch {epochs_done}/{epochs}")
        self.run_dir, self.epochs_done, self.epochs = run_dir, epochs_done, epochs


def _observer(progress: bool, observer):
    """The observers of a call: the console display when ``progress``, and the caller's."""
    console = None
    if progress:
        from .console import ConsoleDisplay

        console = ConsoleDisplay()
    return observer_of([console, observer])


def train(recipe: str | Recipe = "mnist", data_dir=None, *, folder=None,
          validation_split: float | None = None, augment: bool = False, cache: bool = True,
          schedule: str | None = None, fast: bool = False, devices=None,
          workers=None, worker_index: int | None = None, epochs: int | None = None,
          batch_size: int | None = None, seed: int = 0, limit: int | None = None,
          until_accuracy: float | None = None, out=None, progress: bool = True,
          observer=None, cancel: CancelToken | None = None, callbacks=()) -> Run:
    """Train a recipe on its dataset (or on a ``folder`` of photos) into a new run directory.

    ``folder``: ``folder/train/<class>`` and ``folder/test/<class>``, or ``folder/<class>``
    with ``validation_split`` (a seeded fraction of each class held out for testing);
    ``augment`` adds random flips, rotations, shifts and zooms to the model (and, unless
    ``schedule`` says otherwise, ``AUGMENT_SCHEDULE``);
    ``schedule`` is one of ``models.SCHEDULES`` (default: the recipe's); ``fast`` trains the
    same layers with the recipe's measured faster choices (``Recipe.faster``); ``devices``
    (a number or ``"all"``) trains on several devices in step, ``workers`` (``host:port``
    of each, comma-separated) with ``worker_index`` on several machines (see
    ``convscope.devices``);
    ``cache`` keeps decoded photos in the user cache. ``limit`` keeps the first N training
    images (quick trials); ``until_accuracy`` stops at the first epoch whose test accuracy
    reaches it (``epochs`` is then the cap); ``out`` names the run directory (default
    ``runs/<recipe>-<timestamp>``).
    ``progress`` shows progress on the console; ``observer`` receives every event;
    ``cancel`` stops after the current step when set; ``callbacks`` are extra Keras callbacks.
    """
    observer = _observer(progress, observer)
    # First: splitting the CPU, or joining other workers, must precede TensorFlow's start.
    placement = place(devices, workers, worker_index)
    recipe = get_recipe(recipe)
    recipe = recipe.faster() if fast else recipe
    recipe = with_schedule(recipe, chosen_schedule(recipe, schedule, augment))
    epochs = check_int("epochs", recipe.epochs if epochs is None else epochs)
    batch_size = check_int("batch_size", recipe.batch_size if batch_size is None else batch_size)
    check_int("seed", seed, low=0)
    if limit is not None:
        check_int("limit", limit)
    if until_accuracy is not None and not 0 < until_accuracy <= 1:
        raise ConvscopeError(
            "The 'until_accuracy' parameter of train must be a float in the range (0, 1]. "
            f"Got {until_accuracy!r} instead."
        )
    data = load_training_data(recipe, data_dir, folder, validation_split=validation_split,
                              seed=seed, cache=cache, observer=observer).limit(limit)
    run_dir = _new_run_dir(placement, out, recipe.name)
    config = make_config(recipe, data, epochs=epochs, seed=seed, limit=limit,
                         until_accuracy=until_accuracy, augment=augment, cache=cache,
                         fast=fast, batch_size=batch_size * placement.replicas,
                         learning_rate=recipe.learning_rate * placement.replicas,
                         devices=list(placement.devices) or None,
                         workers=list(placement.workers) or None)
    keras.utils.set_random_seed(seed)
    with placement.scope():
        model = _new_model(recipe, config)
    config = config.replace(parameters=int(model.count_params()), loss=loss_name(model))
    if isinstance(data, FolderDataset):
        _io.write_json(run_dir / FILES, data.manifest())
    write_config(run_dir, config)
    emit(observer, RunStarted(run_dir, config, data.describe(), placement.describe()))
    with placement.scope():
        evaluation = fit(model, data, run_dir, config, observer=observer, cancel=cancel,
                         callbacks=callbacks)
    return _finish(run_dir, data, observer, evaluation, model)


def chosen_schedule(recipe: Recipe, schedule: str | None, augment: bool) -> str | None:
    """The learning-rate schedule a run uses: asked for, else implied by ``augment``, else the
    recipe's. ``None`` (or ``"constant"``) is a constant rate."""
    if schedule is None:
        return AUGMENT_SCHEDULE if augment else recipe.schedule
    return with_schedule(recipe, schedule).schedule


def resume(run_dir, data_dir=None, *, epochs: int | None = None, progress: bool = True,
           observer=None, cancel: CancelToken | None = None, callbacks=()) -> Run:
    """Continue a stopped run up to its planned epochs (or to ``epochs`` if given)."""
    observer = _observer(progress, observer)
    run = Run(run_dir)
    config, state = run.config, run.state
    placement = place(len(config.devices) if config.devices else None)
    done = int(state.get("epochs_done", 0))
    if epochs is not None and epochs != config.epochs and config.schedule:
        raise RunError(
            f"{run.path}: its learning-rate schedule was planned for {config.epochs} "
            "epochs and is saved with the model; it cannot be stretched. Start a new run with "
            "--epochs N"
        )
    if epochs is not None:
        check_int("epochs", epochs, where="resume")
        if epochs < done:
            raise RunError(f"{run.path}: already trained {done} epochs; --epochs must be ≥ {done}")
        config = config.replace(epochs=epochs)
    if state.get("reached_target"):
        raise RunError(
            f"{run.path}: complete, it reached its target accuracy at epoch "
            f"{state['reached_target']}"
        )
    if done >= config.epochs:
        raise RunError(
            f"{run.path}: already trained {done}/{config.epochs} epochs; "
            "pass --epochs N to train it further"
        )
    if not config.dataset:
        raise RunError(f"{run.path}: not a training run")
    data = run.dataset(data_dir, observer=observer).limit(config.limit)
    started_with = set(config.data.get("files", {}).values())
    if started_with and set(data.files.values()) != started_with:
        raise RunError(
            f"{run.path}: the {config.dataset} files differ from those the run started with "
            "(see data.files in config.json); pass --data-dir to the original files"
        )
    write_config(run.path, config)
    emit(observer, RunStarted(run.path, config, data.describe(), placement.describe(),
                              resumed_at=done))
    with placement.scope():
        if done == 0 or not (run.path / MODEL).is_file():
            # Stopped during its first epoch: start again exactly as `train` did.
            keras.utils.set_random_seed(int(config.seed))
            model = _new_model(get_recipe(config.recipe), config)
            state.update(epochs_done=0)
            _io.write_json(run.path / STATE, state)
            (run.path / HISTORY).unlink(missing_ok=True)
        else:
            model = load_keras_model(run.path / MODEL)
        evaluation = fit(model, data, run.path, config, observer=observer, cancel=cancel,
                         callbacks=callbacks)
    return _finish(run.path, data, observer, evaluation, model)


def load_training_data(recipe: Recipe, data_dir=None, folder=None, *,
                       validation_split: float | None = None, seed: int = 0, cache: bool = True,
                       observer=None) -> ArrayDataset | FolderDataset:
    """The recipe's dataset, or a folder of photos prepared for the recipe's input."""
    if folder is None and recipe.dataset in FOLDER_DATASETS:
        folder = find_folder_dataset(recipe.dataset, data_dir)
    if folder is not None:
        return load_folder(folder, recipe.input_shape, validation_split=validation_split,
                           seed=seed, cache=cache, observer=observer)
    if validation_split is not None:
        raise ConvscopeError(f"--validation-split is for folders of photos; {recipe.dataset} "
                             "has its own test set")
    return load_dataset(recipe.dataset, data_dir, observer=observer)


def make_config(recipe: Recipe, data: ArrayDataset | FolderDataset, *, augment: bool = False,
                cache: bool = True, **run) -> RunConfig:
    """Everything that produced a run, written to its ``config.json``: the recipe's training
    choices (with ``run``'s overrides: epochs, batch size, seed, …) and the run's data,
    classes, versions and device."""
    from . import __version__

    folder = isinstance(data, FolderDataset)
    backend_name, backend_version = backend()
    return RunConfig.from_recipe(
        recipe,
        recipe=recipe.name,
        dataset="folder" if folder and recipe.dataset not in FOLDER_DATASETS else recipe.dataset,
        precision=resolve_precision(recipe.precision),
        augment_layers=augment,
        input_shape=tuple(data.input_shape),
        class_names=list(data.class_names),
        input_kind="digit" if recipe.dataset == "mnist" and not folder else "photo",
        train_images=len(data.x_train),
        data=({"folder": str(data.train.root), "split": data.split, "cache": cache,
               "files": data.files} if folder else {"files": data.files}),
        versions={"convscope": __version__, "python": platform.python_version(),
                  "keras": keras.__version__, backend_name: backend_version,
                  "numpy": np.__version__},
        device=device_name(),
        created=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        **run,
    )


def _new_run_dir(placement, out, name: str) -> Path:
    """The run directory; workers other than the chief write their copy beside it."""
    if placement.chief:
        return new_run_dir(out, name)
    suffix = f"-worker{placement.worker_index}"
    return new_run_dir(None if out is None else f"{out}{suffix}", f"{name}{suffix}")


def _new_model(recipe: Recipe, config: RunConfig):
    """The untrained model a run's config describes (its classes, input, augmentation)."""
    steps = -(-int(config.train_images) // int(config.batch_size))
    return build_model(recipe, training=config,
                       # Keras 3.15 on TensorFlow 2.21 fails to run several steps per call
                       # under a MirroredStrategy ("must feed a value for placeholder").
                       steps_per_execution=1 if config.several_devices else STEPS_PER_EXECUTION,
                       decay_steps=int(config.epochs) * steps,
                       num_classes=len(config.class_names), augment=config.augment_layers,
                       input_shape=tuple(config.input_shape), precision=config.precision)


def _fit_whitening(model, data, x_train, scale: float, seed: int) -> None:
    """Fits each ``PatchWhitening`` layer to a seeded sample of the training images (photo
    folders list theirs class by class) as they reach it. ``x_train``: the training images
    already scaled, or None for photos streamed from disk."""
    from .layers import PatchWhitening

    for i, layer in enumerate(model.layers):
        if not isinstance(layer, PatchWhitening):
            continue
        n_train = len(data.x_train)
        sample = np.sort(np.random.default_rng([seed, 1]).permutation(n_train)[
            :WHITENING_IMAGES])
        if x_train is None:
            batches = data.train.batches(sample, 250, scale)
            x = np.concatenate([batches[b][0] for b in range(len(batches))])
        else:
            x = x_train[sample]
        for before in model.layers[:i]:  # augmentation layers pass images through unchanged
            x = before(x, training=False)
        layer.adapt(keras.ops.convert_to_numpy(x))


def fit(model, data: ArrayDataset | FolderDataset, run_dir: Path, config: RunConfig, *,
        observer=None, cancel: CancelToken | None = None, callbacks=()):
    """Train ``model`` epoch by epoch from the run's saved state, saving after each epoch.

    After each epoch the test set is predicted once: that gives the learning curves' test
    points, and the last epoch's predictions are returned (an ``Evaluation``) so the final
    metrics and figures need no second pass. Returns None when ``cancel`` stopped training
    (the run's state says ``interrupted``; ``resume`` continues it).
    """
    run_dir = Path(run_dir)
    token = cancel if cancel is not None else CancelToken()
    state = _io.read_json(run_dir / STATE) if (run_dir / STATE).is_file() else {}
    start, epochs = int(state.get("epochs_done", 0)), int(config.epochs)
    # A hard kill between saving the model and saving the state can leave one row too many.
    history = read_history(run_dir / HISTORY)[:start]
    if not (run_dir / "config.json").is_file():  # fit used on its own: make the folder a run
        write_config(run_dir, config)
    seed, batch_size = int(config.seed), int(config.batch_size)
    scale = np.float32(config.input_scale)
    photos = isinstance(data, FolderDataset)  # streamed from disk, not held in memory
    x_train = None if photos else data.x_train.astype(np.float32) * scale
    x_test = data.test_inputs(scale)
    n_train = len(data.x_train)
    steps = -(-n_train // batch_size)
    training = state.get("training", {"train_seconds": 0.0, "train_images": 0})
    state.update(status="running", epochs_planned=epochs)
    averaging = [Lookahead(epochs * steps)] if config.lookahead else []
    evaluation = None
    if start == 0:  # a new network: its whitening layers, if any, learn the images' patches
        _fit_whitening(model, data, x_train, float(scale), seed)
    try:
        with ctrl_c_cancels(token, observer):
            for epoch in range(start, epochs):
                if token.cancelled:
                    break
                rng = np.random.default_rng([seed, epoch])
                order = rng.permutation(n_train)
                if photos:
                    inputs = {"x": data.train.batches(
                        order, batch_size, scale, observer=observer,
                        augment=batch_augmenter(config.shift, config.flip, seed, epoch))}
                else:
                    x_epoch = augment_array(x_train[order], config.shift, config.flip, rng)
                    inputs = {"x": x_epoch, "y": data.y_train[order], "batch_size": batch_size}
                if epoch == start and _multi_worker():
                    prepare_for_workers(model, *_first_batch(inputs))
                keras.utils.set_random_seed(seed * 100_003 + epoch)
                began = time.perf_counter()
                logs = model.fit(
                    **inputs, initial_epoch=epoch, epochs=epoch + 1, shuffle=False, verbose=0,
                    callbacks=[StopOnRequest(token), *averaging,
                               StepEvents(observer, epoch + 1, epochs, steps), *callbacks],
                ).history
                if token.cancelled:  # an epoch cut short is not kept
                    break
                train_seconds = time.perf_counter() - began
                evaluation = evaluate_model(model, x_test, data.y_test, data.class_names,
                                            EVAL_BATCH_SIZE, mirror=config.test_time_flip)
                row = {
                    "epoch": epoch + 1,
                    "loss": logs["loss"][-1],
                    "accuracy": logs["accuracy"][-1],
                    "test_loss": evaluation.loss,
                    "test_accuracy": evaluation.accuracy,
                    "seconds": round(time.perf_counter() - began, 3),
                    "learning_rate": float(keras.ops.convert_to_numpy(
                        model.optimizer.learning_rate)),
                }
                history.append(row)
                training["train_seconds"] += train_seconds
                training["train_images"] += n_train
                training["images_per_second"] = (training["train_images"]
                                                 / training["train_seconds"])
                _save_epoch(model, run_dir, state, history, row, training)
                recent = [r["seconds"] for r in history[-3:]]
                emit(observer, EpochEnded(run_dir, row["epoch"], epochs, row,
                                          (epochs - row["epoch"]) * sum(recent) / len(recent)))
                if config.until_accuracy is not None and \
                        row["test_accuracy"] >= config.until_accuracy:
                    state["reached_target"] = row["epoch"]
                    emit(observer, Notice(f"reached {config.until_accuracy:.2%} test accuracy "
                                          f"at epoch {row['epoch']}: stopping"))
                    break
    except KeyboardInterrupt:
        _stopped(run_dir, state, observer, epochs, CTRL_C)
        raise TrainingInterrupted(run_dir, int(state.get("epochs_done", 0)), epochs) from None
    if token.cancelled and not state.get("reached_target") and \
            int(state.get("epochs_done", 0)) < epochs:
        _stopped(run_dir, state, observer, epochs, token.reason)
        if token.reason == CTRL_C:
            raise TrainingInterrupted(run_dir, int(state.get("epochs_done", 0)), epochs)
        return None
    state["status"] = "complete"
    _io.write_json(run_dir / STATE, state)
    return evaluation


def _stopped(run_dir: Path, state: dict, observer, epochs: int, reason: str) -> None:
    state["status"] = "interrupted"
    _io.write_json(run_dir / STATE, state)
    emit(observer, RunStopped(run_dir, int(state.get("epochs_done", 0)), epochs, reason))


def _multi_worker() -> bool:
    if keras.backend.backend() != "tensorflow":
        return False
    import tensorflow as tf

    return isinstance(tf.distribute.get_strategy(), tf.distribute.MultiWorkerMirroredStrategy)


def _first_batch(inputs: dict) -> tuple:
    """Images and labels of one training batch, from ``model.fit``'s arguments."""
    if "y" in inputs:
        return inputs["x"][:1], inputs["y"][:1]
    images, labels = inputs["x"][0][:2]
    return images[:1], labels[:1]


def _save_epoch(model, run_dir: Path, state: dict, history: list[dict], row: dict,
                training: dict) -> None:
    """Persist one completed epoch: models first, then the state that points at them."""
    _io.save_model(model, run_dir / MODEL)
    best = state.get("best")
    if best is None or row["test_accuracy"] > best["test_accuracy"]:
        _io.copy_file(run_dir / MODEL, run_dir / BEST)
        state["best"] = {"epoch": row["epoch"], "test_accuracy": row["test_accuracy"]}
    write_history(run_dir / HISTORY, history)
    state.update(epochs_done=row["epoch"], training=training)
    _io.write_json(run_dir / STATE, state)


def _finish(run_dir: Path, data, observer, evaluation, model) -> Run:
    """The run's final metrics and figures (none when training was stopped)."""
    run = Run(run_dir)
    run.model = model  # the model.keras just saved, already in memory
    try:
        if evaluation is None:
            return run
        emit(observer, Notice("Drawing figures…"))
        metrics = run.evaluate(data=data, evaluation=evaluation, figures=False)
        emit(observer, FiguresWritten(tuple(run.write_figures(evaluation, data))))
    finally:
        if isinstance(data, FolderDataset):
            data.close()
    emit(observer, RunFinished(run_dir, metrics))
    return run
