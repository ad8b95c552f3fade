"""Training: from a recipe and a dataset to a run directory, one saved epoch at a time.

``train`` = ``load_training_data`` + ``build_model`` + ``fit``, each usable alone; ``resume``
continues a run through the same ``fit``. ``fit`` is one Keras ``fit`` over all the epochs, each
of its concerns a callback (``convscope.callbacks``). Every completed epoch is saved before the
next one starts (model with optimizer state, best model, history, state), so a stop loses at
most the epoch in progress and ``resume`` continues exactly where the run stopped:

- the order of the training images in epoch ``e``, and their random changes, depend only on
  ``(seed, e)`` (``datasets.batches``);
- the optimizer's moments, step count and learning-rate schedule live in ``model.keras``;
- the best test accuracy so far lives in ``state.json``, so ``best.keras`` only improves.

At the end the run's metrics, figures and, unless asked not to, ``report.html`` are written,
whoever trained it (the command line, the app, a script).

Progress goes to an ``observer`` as events (``convscope.events``); ``progress=True`` adds the
console display. A ``CancelToken`` set from any thread stops training after the current step:
``train`` then returns the run, which ``resume`` continues. Ctrl-C sets the token too, and then
raises ``TrainingInterrupted`` once the last epoch is safe, as a script expects of Ctrl-C.
"""

from __future__ import annotations

import platform
import time
from dataclasses import replace
from pathlib import Path

import keras
import numpy as np

from . import _io
from .callbacks import (
    EpochClock,
    EpochEvents,
    FitsWhitening,
    Lookahead,
    RunLog,
    RunRecord,
    StepEvents,
    StopOnRequest,
    TestEvaluation,
    UntilAccuracy,
)
from .config import RunConfig, TrainOptions
from .datasets import FOLDER_DATASET_SOURCES, find_folder_dataset, load_dataset
from .datasets.folders import load_folder
from .devices import build_for_workers, place
from .errors import ConvscopeError, RunError, check_int
from .events import (
    CTRL_C,
    CancelToken,
    FiguresWritten,
    Notice,
    RunFinished,
    RunStarted,
    RunStopped,
    ctrl_c_cancels,
    emit,
    observer_of,
)
from .hardware import backend, check_precision, device_name
from .models import (
    build_model,
    choose_precision,
    load_keras_model,
    loss_name,
    run_steps_per_execution,
    steps_per_execution,
    with_schedule,
)
from .recipes import Recipe, augmentation_of, get_recipe
from .run_files import FILES, HISTORY, MODEL, STATE, new_run_dir, write_config
from .runs import Run

# Random changes make every epoch's images new, so the loss stays noisy to the end: a warm-up
# keeps the start from stalling, and a cosine decay lets the last epochs settle.
AUGMENT_SCHEDULE = "warmup-cosine"


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
          options: TrainOptions | None = None, out=None, progress: bool = True, observer=None,
          cancel: CancelToken | None = None, callbacks=(), report: bool = True,
          lang: str | None = None, **choices) -> Run:
    """Train a recipe on its dataset (or on a ``folder`` of photos) into a new run directory.

    ``data_dir``: where the recipe's dataset is (for photo recipes, their folder);
    ``folder``: ``folder/train/<class>`` and ``folder/test/<class>``, or ``folder/<class>``
    with ``validation_split``. The training choices (``epochs=5``, ``fast=True``, …) are those
    of ``config.TrainOptions``, given one by one or as ``options``. ``out`` names the run
    directory (default ``runs/<recipe>-<timestamp>``). ``report`` writes ``report.html`` at
    the end, in ``lang`` (default: the system's language), like the figures.
    ``progress`` shows progress on the console; ``observer`` receives every event; ``cancel``
    stops after the current step when set; ``callbacks`` are extra Keras callbacks.
    """
    options = TrainOptions.of(options, choices)
    observer = _observer(progress, observer)
    # First: splitting the CPU, or joining other workers, must precede TensorFlow's start.
    placement = place(options.devices, options.workers, options.worker_index)
    recipe = recipe_asked(get_recipe(recipe), options)
    data = load_training_data(recipe, data_dir, folder, options, observer)
    run_dir = _new_run_dir(placement, out, recipe.name)
    config = make_config(recipe, data, options, placement, observer)
    keras.utils.set_random_seed(options.seed)
    with placement.scope():
        model = new_model(recipe, config)
    config = config.replace(parameters=int(model.count_params()), loss=loss_name(model))
    manifest = data.manifest()
    if manifest is not None:
        _io.write_json(run_dir / FILES, manifest)
    write_config(run_dir, config)
    emit(observer, RunStarted(run_dir, config, data.describe(), placement.describe()))
    return _train(run_dir, config, data, model, placement, observer, cancel, callbacks,
                  report, lang)


def recipe_asked(recipe: Recipe, options: TrainOptions) -> Recipe:
    """The recipe as the options change it: ``--fast``'s training, ``--augment``'s layers, the
    precision and the learning-rate schedule asked for (or implied by ``augment``)."""
    recipe = recipe.faster() if options.fast else recipe
    if options.precision is not None:
        recipe = replace(recipe, precision=check_precision(options.precision))
    recipe = recipe.augmented() if options.augment else recipe
    schedule = options.schedule
    if schedule is None:
        schedule = AUGMENT_SCHEDULE if options.augment else recipe.schedule
    return with_schedule(recipe, schedule)


def resume(run_dir, data_dir=None, *, epochs: int | None = None, progress: bool = True,
           observer=None, cancel: CancelToken | None = None, callbacks=(),
           report: bool = True, lang: str | None = None) -> Run:
    """Continue a stopped run up to its planned epochs (or to ``epochs`` if given)."""
    observer = _observer(progress, observer)
    run = Run(run_dir, observer, data_dir)
    config = resumable(run, epochs)
    placement = place(len(config.devices) if config.devices else None)
    data = run.data.limit(config.limit)
    started_with = set(config.data.get("files", {}).values())
    if started_with and set(data.files.values()) != started_with:
        raise RunError(f"{run.path}: the {config.dataset} files differ from those the run "
                       "started with (see data.files in config.json); pass `data_dir` to the "
                       "original files", path=run.path)
    write_config(run.path, config)
    done = run.epochs_done
    emit(observer, RunStarted(run.path, config, data.describe(), placement.describe(),
                              resumed_at=done))
    with placement.scope():
        if done == 0 or not (run.path / MODEL).is_file():
            # Stopped during its first epoch: start again exactly as `train` did.
            keras.utils.set_random_seed(int(config.seed))
            model = new_model(get_recipe(config.recipe), config)
            _io.write_json(run.path / STATE, {**run.state, "epochs_done": 0})
            (run.path / HISTORY).unlink(missing_ok=True)
        else:
            model = load_keras_model(run.path / MODEL)
    return _train(run.path, config, data, model, placement, observer, cancel, callbacks,
                  report, lang)


def resumable(run: Run, epochs: int | None = None) -> RunConfig:
    """The run's config for resuming it (to ``epochs`` if given), or why it can't be."""
    config, done = run.config, run.epochs_done
    if epochs is not None and epochs != config.epochs and config.schedule:
        raise RunError(f"{run.path}: its learning-rate schedule was planned for "
                       f"{config.epochs} epochs and is saved with the model; it cannot be "
                       "stretched. Start a new run with `epochs=N`", path=run.path)
    if epochs is not None:
        check_int("epochs", epochs, where="resume")
        if epochs < done:
            raise RunError(f"{run.path}: already trained {done} epochs; `epochs` must be ≥ "
                           f"{done}", path=run.path)
        config = config.replace(epochs=epochs)
    if run.state.get("reached_target"):
        raise RunError(f"{run.path}: complete, it reached its target accuracy at epoch "
                       f"{run.state['reached_target']}", path=run.path)
    if done >= config.epochs:
        raise RunError(f"{run.path}: already trained {done}/{config.epochs} epochs; pass "
                       "`epochs=N` to train it further", path=run.path)
    if run.bare:
        raise RunError(f"{run.path}: not a training run", path=run.path)
    return config


def _train(run_dir: Path, config: RunConfig, data, model, placement, observer, cancel,
           callbacks, report: bool, lang: str | None) -> Run:
    """What ``train`` and ``resume`` share: ``fit``, then the run's results."""
    with placement.scope():
        evaluation = fit(model, data, run_dir, config, observer=observer, cancel=cancel,
                         callbacks=callbacks)
    return _finish(run_dir, data, model, evaluation, observer, report, lang)


def load_training_data(recipe: Recipe, data_dir=None, folder=None,
                       options: TrainOptions | None = None, observer=None):
    """The recipe's dataset, or a folder of photos prepared for the recipe's input."""
    options = options or TrainOptions()
    if folder is None and recipe.dataset in FOLDER_DATASET_SOURCES:
        folder = find_folder_dataset(recipe.dataset, data_dir)
    elif folder is not None and data_dir is not None:
        raise ConvscopeError("give the photos' `folder` or the dataset's `data_dir`, not both")
    if folder is not None:
        return load_folder(folder, recipe.input_shape,
                           validation_split=options.validation_split, seed=options.seed,
                           cache=options.cache, observer=observer).limit(options.limit)
    if options.validation_split is not None:
        raise ConvscopeError(f"`validation_split` is for folders of photos; {recipe.dataset} "
                             "has its own test set")
    if not options.cache:
        raise ConvscopeError(f"`cache=False` is for folders of photos; {recipe.dataset} is "
                             "read whole into memory")
    return load_dataset(recipe.dataset, data_dir, observer=observer).limit(options.limit)


def make_config(recipe: Recipe, data, options: TrainOptions, placement,
                observer=None) -> RunConfig:
    """Everything that produced a run, written to its ``config.json``: the recipe's training
    choices (with the options' overrides: epochs, batch size, seed, …), the precision it
    computes in and why (measured here for ``auto``), and the run's data, classes, versions
    and device. Several devices or workers multiply batch and rate."""
    from . import __version__

    backend_name, backend_version = backend()
    own_photos = data.photos and recipe.dataset not in FOLDER_DATASET_SOURCES
    # Measured at each device's batch, before the run's seed is set (the probe draws weights).
    precision = choose_precision(recipe, batch_size=options.batch_size or recipe.batch_size,
                                 num_classes=len(data.class_names),
                                 input_shape=tuple(data.input_shape), observer=observer)
    return RunConfig.from_recipe(
        recipe,
        recipe=recipe.name,
        dataset="folder" if own_photos else recipe.dataset,
        epochs=options.epochs or recipe.epochs,
        batch_size=(options.batch_size or recipe.batch_size) * placement.replicas,
        learning_rate=recipe.learning_rate * placement.replicas,
        precision=precision.precision,
        precision_choice=precision.to_json(),
        seed=options.seed,
        limit=options.limit,
        until_accuracy=options.until_accuracy,
        fast=options.fast,
        flip=recipe.augmentation.flip,
        shift=recipe.augmentation.shift,
        augment_layers=options.augment,
        input_shape=tuple(data.input_shape),
        class_names=list(data.class_names),
        input_kind="photo" if data.photos else recipe.input_kind,
        train_images=len(data.y_train),
        data=data.record(options.cache),
        versions={"convscope": __version__, "python": platform.python_version(),
                  "keras": keras.__version__, backend_name: backend_version,
                  "numpy": np.__version__},
        device=device_name(),
        created=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        devices=list(placement.devices) or None,
        workers=list(placement.workers) or None,
    )


def _new_run_dir(placement, out, name: str) -> Path:
    """The run directory; workers other than the chief write their copy beside it."""
    if placement.chief:
        return new_run_dir(out, name)
    suffix = f"-worker{placement.worker_index}"
    return new_run_dir(None if out is None else f"{out}{suffix}", f"{name}{suffix}")


def new_model(recipe: Recipe, config: RunConfig):
    """The untrained model a run's config describes (its classes, input, augmentation)."""
    steps = -(-int(config.train_images) // int(config.batch_size))
    if config.augment_layers and recipe.augmentation.layers is None:
        recipe = recipe.augmented()
    return build_model(recipe, training=config,
                       # Keras 3.15 on TensorFlow 2.21 fails to run several steps per call
                       # under a MirroredStrategy ("must feed a value for placeholder").
                       steps_per_execution=1 if config.several_devices
                       else steps_per_execution(steps),
                       decay_steps=int(config.epochs) * steps,
                       num_classes=len(config.class_names),
                       input_shape=tuple(config.input_shape), precision=config.precision)


def _target_missed(best: dict, epochs: int, target: float, observer) -> None:
    """The epoch cap came first: said, so that nobody takes the run for one that got there."""
    emit(observer, Notice(
        f"{epochs} epoch{'s' * (epochs != 1)} trained without reaching {target:.2%} test "
        f"accuracy (the best: {best.get('test_accuracy', 0):.2%} at epoch "
        f"{best.get('epoch', '?')}); resume the run with more epochs to go on", "warning"))


def fit(model, data, run_dir: Path, config: RunConfig, *, observer=None,
        cancel: CancelToken | None = None, callbacks=()):
    """Train ``model`` from the run's saved state to ``config.epochs``: one Keras ``fit``,
    each epoch saved as it ends (see ``convscope.callbacks``).

    Returns the ``Evaluation`` of the last epoch's test predictions (the final metrics and
    figures need no second pass), or None when ``cancel`` stopped training (the run's state
    says ``interrupted``; ``resume`` continues it).
    """
    run_dir = Path(run_dir)
    if not (run_dir / "config.json").is_file():  # fit used on its own: make the folder a run
        write_config(run_dir, config)
    token = cancel if cancel is not None else CancelToken()
    epochs, seed = int(config.epochs), int(config.seed)
    log = RunLog(run_dir, epochs)
    start = log.epochs_done
    batches = data.training_batches(int(config.batch_size), config.input_scale, seed, start,
                                    epochs, augmentation_of(config), observer)
    run_steps_per_execution(model, batches.steps)
    evaluation = TestEvaluation(data.test_inputs(config.input_scale), data.y_test,
                                data.class_names, config.test_time_flip, token)
    concerns = [
        # Before anything reads the weights (Lookahead's first average): a new network's
        # whitening filters.
        *([FitsWhitening(data, config.input_scale, seed)] if start == 0 else []),
        StopOnRequest(token),
        StepEvents(observer, epochs, batches.steps),
        *([Lookahead(epochs * batches.steps)] if config.lookahead else []),
        EpochClock(),
        evaluation,
        RunRecord(log, len(data.y_train)),
        EpochEvents(observer, log, epochs),
        *([UntilAccuracy(config.until_accuracy, log, observer)]
          if config.until_accuracy is not None else []),
        *callbacks,
    ]
    if start < epochs and _multi_worker():
        build_for_workers(model, *batches[0])
    try:
        with ctrl_c_cancels(token, observer):
            if not token.cancelled:
                # The batches hold every epoch, each in its own order: Keras must not shuffle
                # them again, and learns from steps_per_epoch where an epoch ends.
                model.fit(batches.for_fit(), initial_epoch=start, epochs=epochs, verbose=0,
                          shuffle=False, steps_per_epoch=batches.steps, callbacks=concerns)
    except KeyboardInterrupt:
        _stopped(log, observer, epochs, CTRL_C)
        raise TrainingInterrupted(run_dir, log.epochs_done, epochs) from None
    if token.cancelled and not log.state.get("reached_target") and log.epochs_done < epochs:
        _stopped(log, observer, epochs, token.reason)
        if token.reason == CTRL_C:
            raise TrainingInterrupted(run_dir, log.epochs_done, epochs)
        return None
    if config.until_accuracy is not None and not log.state.get("reached_target"):
        _target_missed(log.state.get("best", {}), epochs, config.until_accuracy, observer)
    log.end("complete")
    return evaluation.last


def _stopped(log: RunLog, observer, epochs: int, reason: str) -> None:
    log.end("interrupted")
    emit(observer, RunStopped(log.run_dir, log.epochs_done, epochs, reason))


def _multi_worker() -> bool:
    if keras.backend.backend() != "tensorflow":
        return False
    import tensorflow as tf

    return isinstance(tf.distribute.get_strategy(), tf.distribute.MultiWorkerMirroredStrategy)


def _finish(run_dir: Path, data, model, evaluation, observer, report: bool,
            lang: str | None) -> Run:
    """The run's final metrics, figures and report (none when training was stopped)."""
    run = Run(run_dir, observer)
    run.model, run.data = model, data  # what training has in memory already
    if evaluation is None:
        return run
    run.evaluation = evaluation
    emit(observer, Notice("Drawing figures…"))
    metrics = run.write_metrics(figures=False)
    emit(observer, FiguresWritten(tuple(run.write_figures(lang))))
    if report:
        write_report(run, observer, lang)
    emit(observer, RunFinished(run_dir, metrics))
    return run


def write_report(run: Run, observer, lang: str | None) -> Path | None:
    """The run's ``report.html``. The run is saved by now: a failure here costs only the page,
    and is said as a warning."""
    from .reports import report

    try:
        path = report(run, lang=lang, observer=observer)
    except Exception as exc:  # noqa: BLE001  (whatever it is, the finished run must stand)
        emit(observer, Notice(f"report.html not written ({exc}); the run is complete, and "
                              "convscope.report(run) writes its page", "warning"))
        return None
    emit(observer, Notice(f"Report: {path}"))
    return path
