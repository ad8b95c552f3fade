"""The training loop's concerns, one Keras callback each, inside Keras's own ``fit``.

Each epoch's images come in its own order from the training batches themselves
(``datasets.batches``). In ``fit``'s order at the end of an epoch: ``EpochClock``
(how long the training steps took), ``TestEvaluation`` (the test set predicted once: the
learning curves' test points), ``RunRecord`` (the history row, the models, the state: the
epoch saved), ``EpochEvents`` (the observer told, with the time left) and ``UntilAccuracy``
(stop at a target). During it: ``StopOnRequest`` (a cancel token), ``StepEvents`` (progress
within the epoch) and airbench's ``Lookahead``; before it, ``FitsWhitening`` (a new network's
whitening filters).

An epoch is kept when ``TestEvaluation`` put its numbers in the epoch's logs: a stop during
its steps leaves them out, and then nothing after it saves, reports or stops on its account.
"""

from __future__ import annotations

import time
from pathlib import Path

import keras
import numpy as np

from . import _io
from .evaluation import Evaluation, evaluate_model
from .events import BatchProgress, CancelToken, EpochEnded, Notice, Throttled, emit
from .run_files import BEST, HISTORY, MODEL, STATE, read_history, write_history

# airbench fits its whitening filters to 5,000 training images.
WHITENING_IMAGES = 5000
# Batch size for the test-set evaluation after each epoch: larger than training batches
# because no gradients are kept, so it costs less per image.
EVAL_BATCH_SIZE = 256


class StopOnRequest(keras.callbacks.Callback):
    """Ends ``fit`` after the current step once ``token`` is set (from any thread).

    Not marked ``async_safe``, nor is ``StepEvents``: dispatched to Keras's thread, these calls
    fell behind the training steps (the batches' own Python thread takes the interpreter
    often) and ``fit`` then waited ~10 s an epoch after its last epoch for them to drain
    (benchmarks/RESULTS.md, issue 27).
    """

    def __init__(self, token: CancelToken):
        super().__init__()
        self.token = token

    def on_train_batch_end(self, batch, logs=None):
        if self.token.cancelled:
            self.model.stop_training = True


class StepEvents(keras.callbacks.Callback):
    """Sends ``BatchProgress`` a few times a second."""

    def __init__(self, observer, epochs: int, steps: int, interval: float = 0.2):
        super().__init__()
        self.observer, self.epochs, self.steps = observer, epochs, steps
        self.epoch = 0
        self.clock = Throttled(interval)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch + 1

    def on_train_batch_end(self, batch, logs=None):
        # With several steps per call into the backend, Keras reports the end of the call,
        # which can pass the epoch's last, partial batch.
        step = min(batch + 1, self.steps)
        if self.clock.due(final=step >= self.steps):
            emit(self.observer, BatchProgress(self.epoch, self.epochs, step, self.steps))


class EpochClock(keras.callbacks.Callback):
    """When the epoch began, and how long its training steps took (``train_seconds``)."""

    def on_epoch_begin(self, epoch, logs=None):
        self.began = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs["train_seconds"] = time.perf_counter() - self.began
        logs["began"] = self.began


class TestEvaluation(keras.callbacks.Callback):
    """After each complete epoch, the test set predicted once: ``test_loss`` and
    ``test_accuracy`` in the epoch's logs, and ``last``, the ``Evaluation`` of the last one
    (the run's final metrics and figures need no second pass)."""

    def __init__(self, inputs, labels, class_names, mirror: bool, token: CancelToken):
        super().__init__()
        self.inputs, self.labels, self.class_names = inputs, labels, class_names
        self.mirror, self.token = mirror, token
        self.last: Evaluation | None = None

    def on_epoch_end(self, epoch, logs=None):
        if self.token.cancelled:  # an epoch cut short is not kept
            return
        self.last = evaluate_model(self.model, self.inputs, self.labels, self.class_names,
                                   EVAL_BATCH_SIZE, mirror=self.mirror)
        logs["test_loss"], logs["test_accuracy"] = self.last.loss, self.last.accuracy


class RunLog:
    """A run directory's progress: its state (``state.json``), its history rows and its
    training totals, saved after each epoch. Models first, then the state that points at
    them, so that a hard kill leaves a consistent run."""

    def __init__(self, run_dir: Path, epochs: int):
        self.run_dir = Path(run_dir)
        path = self.run_dir / STATE
        self.state = _io.read_json(path) if path.is_file() else {}
        # A hard kill between saving the model and saving the state can leave one row too
        # many.
        self.history = read_history(self.run_dir / HISTORY)[:self.epochs_done]
        self.training = self.state.get("training", {"train_seconds": 0.0, "train_images": 0})
        self.state.update(status="running", epochs_planned=epochs)

    @property
    def epochs_done(self) -> int:
        return int(self.state.get("epochs_done", 0))

    def save_epoch(self, model, row: dict, train_seconds: float, images: int) -> None:
        self.history.append(row)
        self.training["train_seconds"] += train_seconds
        self.training["train_images"] += images
        self.training["images_per_second"] = (self.training["train_images"]
                                              / self.training["train_seconds"])
        save_epoch(model, self.run_dir, self.state, self.history, row, self.training)

    def end(self, status: str) -> None:
        self.state["status"] = status
        _io.write_json(self.run_dir / STATE, self.state)


def save_epoch(model, run_dir: Path, state: dict, history: list[dict], row: dict,
               training: dict) -> None:
    """Persist one completed epoch: models first, then the state that points at them; the
    best model only when the epoch beats every earlier one."""
    _io.save_model(model, run_dir / MODEL)
    best = state.get("best")
    if best is None or row["test_accuracy"] > best["test_accuracy"]:
        _io.copy_file(run_dir / MODEL, run_dir / BEST)
        state["best"] = {"epoch": row["epoch"], "test_accuracy": row["test_accuracy"]}
    write_history(run_dir / HISTORY, history)
    state.update(epochs_done=row["epoch"], training=training)
    _io.write_json(run_dir / STATE, state)


class RunRecord(keras.callbacks.Callback):
    """Each kept epoch becomes a row of ``history.csv`` and is saved (``RunLog``)."""

    def __init__(self, log: RunLog, images: int):
        super().__init__()
        self.log, self.images = log, images

    def on_epoch_end(self, epoch, logs=None):
        if "test_accuracy" not in logs:
            return
        row = {
            "epoch": epoch + 1,
            "loss": float(logs["loss"]),
            "accuracy": float(logs["accuracy"]),
            "test_loss": logs["test_loss"],
            "test_accuracy": logs["test_accuracy"],
            "seconds": round(time.perf_counter() - logs["began"], 3),
            "learning_rate": float(keras.ops.convert_to_numpy(
                self.model.optimizer.learning_rate)),
        }
        self.log.save_epoch(self.model, row, logs["train_seconds"], self.images)


class EpochEvents(keras.callbacks.Callback):
    """``EpochEnded`` for each kept epoch, with the time left estimated from the last three."""

    def __init__(self, observer, log: RunLog, epochs: int):
        super().__init__()
        self.observer, self.log, self.epochs = observer, log, epochs

    def on_epoch_end(self, epoch, logs=None):
        if "test_accuracy" not in logs:
            return
        row = self.log.history[-1]
        recent = [r["seconds"] for r in self.log.history[-3:]]
        emit(self.observer, EpochEnded(self.log.run_dir, row["epoch"], self.epochs, row,
                                       (self.epochs - row["epoch"]) * sum(recent) / len(recent)))


class UntilAccuracy(keras.callbacks.Callback):
    """Stops after the first kept epoch whose test accuracy reaches ``target``."""

    def __init__(self, target: float, log: RunLog, observer):
        super().__init__()
        self.target, self.log, self.observer = target, log, observer

    def on_epoch_end(self, epoch, logs=None):
        if logs.get("test_accuracy", -1) >= self.target:
            self.log.state["reached_target"] = epoch + 1
            emit(self.observer, Notice(f"reached {self.target:.2%} test accuracy at epoch "
                                       f"{epoch + 1}: stopping"))
            self.model.stop_training = True


class FitsWhitening(keras.callbacks.Callback):
    """Before a new network's first step, each ``PatchWhitening`` layer learns the patches of a
    seeded sample of the training images (photo folders list theirs class by class), as they
    reach it."""

    def __init__(self, data, scale: float, seed: int):
        super().__init__()
        self.data, self.scale, self.seed = data, scale, seed

    def on_train_begin(self, logs=None):
        from .layers import PatchWhitening

        for i, layer in enumerate(self.model.layers):
            if not isinstance(layer, PatchWhitening):
                continue
            count = len(self.data.y_train)
            sample = np.sort(np.random.default_rng([self.seed, 1]).permutation(count)[
                :WHITENING_IMAGES])
            x = self.data.x_train[sample].astype(np.float32) * np.float32(self.scale)
            for before in self.model.layers[:i]:  # augmentation passes images unchanged
                x = before(x, training=False)
            layer.adapt(keras.ops.convert_to_numpy(x))


class Lookahead(keras.callbacks.Callback):
    """airbench's weight averaging: every ``every`` steps the weights become a blend of their
    running average and themselves, the average weighing ``0.95 ** every × progress³``:
    nothing at first, three quarters at the end. Training ends on the average, which is
    steadier than the last weights. A resumed run starts a new average."""

    def __init__(self, total_steps: int, every: int = 5):
        super().__init__()
        self.total_steps, self.every = int(total_steps), int(every)
        self.average, self.last = None, 0

    def on_train_begin(self, logs=None):
        if self.average is None:
            self.average = self.model.get_weights()
            self.last = int(self.model.optimizer.iterations)

    def on_train_batch_end(self, batch, logs=None):
        step = int(self.model.optimizer.iterations)
        if step - self.last >= self.every or step >= self.total_steps:
            weight = self.kept(step)
            self.average = [weight * a + (1 - weight) * w
                            for a, w in zip(self.average, self.model.get_weights(), strict=True)]
            self.model.set_weights(self.average)
            self.last = step

    def kept(self, step: int) -> float:
        """The average's weight in a blend at ``step``. With several steps per call into the
        backend blends come less often: each then keeps what ``every``-step blends would
        have kept over the same steps."""
        progress = min(1.0, step / self.total_steps)
        return (0.95 ** self.every * progress ** 3) ** ((step - self.last) / self.every)
