"""The app's training manager: one training at a time, in a worker thread, stopped by a token,
and giving way to the pages' answers.

``Trainer.start`` (or ``resume``) runs ``convscope.train`` (or ``resume``) in a thread of the
server, not of a page: closing the browser changes nothing, and every page sees the same
training (``snapshot``), so a second page is told that one is running. ``stop`` sets the
cancel token: training ends after the current step and keeps the last completed epoch, which
``resume`` continues. Stopping the server stops the training the same way (``shutdown``).

The training shares the server's cores with every page's answers: ``Priority`` counts the
answers being computed, and the training waits between its steps while there are any
(``YieldToAnswers``, at most ``YIELD_SECONDS`` a step), so that a stroke is answered almost as
fast with a training running as without.

Everything is written under the runs root: the run directory (with its ``report.html``, in the
language of the page that started it), and no image cache (photos are decoded again each epoch
rather than cached in the user's folders). Built-in datasets are used only where they already
are: the app never downloads.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from ..datasets import LOADERS, candidate_dirs
from ..errors import ConvscopeError, DataError
from ..events import (
    BatchProgress,
    CancelToken,
    Collector,
    EpochEnded,
    Event,
    Notice,
    PhotoSkipped,
    RunFinished,
    RunStarted,
    RunStopped,
)
from ..recipes import get_recipe
from .paths import Roots

# How long ``shutdown`` waits for the current step to end before the server exits anyway
# (every completed epoch is already saved, atomically).
SHUTDOWN_SECONDS = 60
# The longest a training waits between two steps for the pages' answers: answers come one
# after another in a busy class, and the training must still move.
YIELD_SECONDS = 2.0


class Busy(ConvscopeError):
    """A training is already running."""


class Priority:
    """The answers being computed for the pages (drawings, photos), which come before training
    steps. Thread-safe: handlers run in Gradio's worker threads."""

    def __init__(self):
        self._answering = 0
        self._quiet = threading.Condition()

    @contextlib.contextmanager
    def answering(self):
        """Count one answer in progress for the block's duration."""
        with self._quiet:
            self._answering += 1
        try:
            yield
        finally:
            with self._quiet:
                self._answering -= 1
                self._quiet.notify_all()

    @property
    def answers(self) -> int:
        """How many answers are being computed now."""
        return self._answering

    def wait_for_answers(self, limit: float = YIELD_SECONDS) -> None:
        """Wait until no answer is being computed, at most ``limit`` seconds."""
        with self._quiet:
            self._quiet.wait_for(lambda: self._answering == 0, timeout=limit)


def yield_to_answers(priority: Priority):
    """A Keras callback: between training steps (every call into the backend, a few steps),
    wait while the pages' answers are computed."""
    import keras

    class YieldToAnswers(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if priority.answers:
                priority.wait_for_answers()

    return YieldToAnswers()


@dataclass(frozen=True)
class Request:
    """A training asked for in the page."""

    recipe: str
    photos: str | None = None  # a photo set (Roots.photo_sets); None: the recipe's own data
    epochs: int | None = None  # None: the recipe's
    fast: bool = False
    augment: bool = False
    limit: int | None = None  # train on the first N images (quick trials)
    validation_split: float = 0.2  # held out of a photo folder without train/ and test/
    lang: str = "en"  # the language of the run's figures and report


@dataclass
class Snapshot:
    """What the page shows of the current (or last) training."""

    state: str = "idle"  # idle, running, stopping, complete, interrupted, failed
    run_dir: Path | None = None
    recipe: str = ""
    epoch: int = 0  # the epoch in progress, from 1
    epochs: int = 0
    step: int = 0
    steps: int = 0
    dataset: str = ""
    history: list[dict] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    error: str | None = None
    metrics: dict | None = None
    events: int = 0  # events received so far: the page redraws when this changes
    generation: int = 0  # trainings started so far (a new run directory each)

    @property
    def active(self) -> bool:
        return self.state in ("running", "stopping")


@dataclass
class _Job:
    run_dir: Path
    recipe: str
    started: float = field(default_factory=time.time)
    thread: threading.Thread | None = None
    token: CancelToken = field(default_factory=CancelToken)
    events: Collector = field(default_factory=Collector)
    error: str | None = None
    done: bool = False


class Trainer:
    """Starts, stops and reports one training at a time (thread-safe)."""

    def __init__(self, roots: Roots, on_change=None):
        self.roots = roots
        self.on_change = on_change  # called with a run directory a training wrote to
        self.priority = Priority()  # the pages' answers, which the training gives way to
        self._lock = threading.Lock()
        self._job: _Job | None = None
        self._generation = 0

    # -- starting and stopping -------------------------------------------------------------

    def start(self, request: Request) -> Path:
        """Start training ``request`` into a new run directory under the runs root."""
        from ..config import TrainOptions
        from ..training import train

        recipe = get_recipe(request.recipe)
        split = None
        if request.photos is not None:
            where = {"folder": self.roots.photo_set(request.photos)}
            parts = (where["folder"] / "train").is_dir() and (where["folder"] / "test").is_dir()
            split = None if parts else request.validation_split
        else:
            where = {"data_dir": local_data(recipe.dataset)}
        # Photos are decoded again each epoch rather than cached in the user's folders.
        in_memory = request.photos is None and recipe.dataset in LOADERS
        options = TrainOptions(augment=request.augment, fast=request.fast,
                               epochs=request.epochs, limit=request.limit, cache=in_memory,
                               validation_split=split)
        with self._lock:
            self._refuse_if_busy()
            run_dir = self.roots.new_run_dir(recipe.name + ("-folder" if request.photos else ""))
            job = _Job(run_dir, recipe.name)
            self._launch(job, lambda: train(recipe.name, options=options, out=run_dir,
                                            progress=False, observer=job.events,
                                            cancel=job.token, lang=request.lang,
                                            callbacks=[yield_to_answers(self.priority)],
                                            **where))
        return run_dir

    def resume(self, key: str, epochs: int | None = None, lang: str = "en") -> Path:
        """Continue a stopped run (a key of the run pickers) up to its planned epochs."""
        from ..runs import Run
        from ..training import resumable, resume

        run_dir = self.roots.run_path(key)
        run = Run(run_dir)
        resumable(run, epochs)  # why it can't be, said at once rather than by the thread
        dataset = run.config.dataset
        data_dir = local_data(dataset) if dataset in LOADERS else None
        with self._lock:
            self._refuse_if_busy()
            job = _Job(run_dir, run.recipe)
            self._launch(job, lambda: resume(run_dir, data_dir, epochs=epochs, progress=False,
                                             observer=job.events, cancel=job.token,
                                             lang=lang,
                                             callbacks=[yield_to_answers(self.priority)]))
        return run_dir

    @property
    def running(self) -> bool:
        """Whether a training is running now."""
        job = self._job
        return job is not None and not job.done

    def stop(self) -> bool:
        """Ask the training to end after its current step; False if none runs."""
        with self._lock:
            job = self._job
        if job is None or job.done:
            return False
        job.token.cancel("stopped from the page")
        return True

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the training to end (tests, shutdown); True if none is running."""
        with self._lock:
            job = self._job
        if job is None or job.thread is None:
            return True
        job.thread.join(timeout)
        return not job.thread.is_alive()

    def shutdown(self) -> None:
        """Stop the training, if any, and wait for its last step (the server is closing)."""
        if self.stop():
            print("convscope app: stopping the training after its current step…",
                  file=sys.stderr)
            self.wait(SHUTDOWN_SECONDS)

    def _refuse_if_busy(self) -> None:
        """Busy, saying which training runs, since when and until about when."""
        job = self._job
        if job is None or job.done:
            return
        shot = self._shot(job, self._generation)
        done, now = len(shot.history), time.time()
        ended = len(job.events.of(EpochEnded))  # by this job (a resumed run had others)
        when = f"started at {_clock(job.started)}"
        if shot.epochs:  # known once the data is loaded
            when += f", {done}/{shot.epochs} epochs done"
        if ended:  # the epochs left at the pace of those this job did
            left = (now - job.started) / ended * (shot.epochs - done)
            when += f", ends about {_clock(now + left)}"
        raise Busy(f"a training is already running ({job.recipe} → {job.run_dir.name}, {when}); "
                   "wait for it to end, or stop it")

    def _launch(self, job: _Job, call) -> None:
        self._job = job
        self._generation += 1
        job.thread = threading.Thread(target=self._work, args=(job, call),
                                      name="convscope-training", daemon=True)
        job.thread.start()
        self._changed(job.run_dir)

    def _work(self, job: _Job, call) -> None:
        try:
            call()
        except ConvscopeError as exc:
            job.error = str(exc)
        except Exception as exc:  # noqa: BLE001  (shown in the page; details in the terminal)
            job.error = f"{type(exc).__name__}: {exc}"
            print(f"convscope app: the training failed:\n{traceback.format_exc()}",
                  file=sys.stderr)
        finally:
            job.done = True
            if job.run_dir.is_dir() and not any(job.run_dir.iterdir()):
                job.run_dir.rmdir()  # failed before writing anything: leave no empty run
            self._changed(job.run_dir)

    def _changed(self, run_dir: Path) -> None:
        if self.on_change is not None:
            self.on_change(run_dir)

    # -- what the page shows ---------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """The current (or last) training, from its events."""
        with self._lock:
            job, generation = self._job, self._generation
        if job is None:
            return Snapshot(generation=generation)
        return self._shot(job, generation)

    @staticmethod
    def _shot(job: _Job, generation: int) -> Snapshot:
        events = job.events.of(Event)
        shot = Snapshot(state="running", run_dir=job.run_dir, recipe=job.recipe,
                        events=len(events), generation=generation)
        for event in events:
            _fold(shot, event)
        if job.done:
            shot.state = ("failed" if job.error else
                          "interrupted" if any(isinstance(e, RunStopped) for e in events)
                          else "complete")
            shot.error = job.error
        elif job.token.cancelled:
            shot.state = "stopping"
        return shot


def _fold(shot: Snapshot, event) -> None:
    """One event into the snapshot."""
    if isinstance(event, RunStarted):
        shot.epochs, shot.dataset = int(event.config.epochs), event.dataset
        shot.epoch = event.resumed_at + 1
        if event.resumed_at:
            from ..run_files import read_history

            shot.history = read_history(Path(event.run_dir) / "history.csv")[:event.resumed_at]
    elif isinstance(event, BatchProgress):
        shot.epoch, shot.epochs, shot.step, shot.steps = (event.epoch, event.epochs, event.step,
                                                          event.steps)
    elif isinstance(event, EpochEnded):
        shot.history.append(dict(event.row))
        shot.epoch = min(event.epoch + 1, event.epochs)
        shot.step = 0
    elif isinstance(event, PhotoSkipped):
        shot.skipped.append((event.path, event.reason))
    elif isinstance(event, Notice):
        shot.notices.append(event.message)
    elif isinstance(event, RunFinished):
        shot.metrics = event.metrics


def local_data(dataset: str) -> Path:
    """The folder on this computer that holds a built-in dataset (the app never downloads)."""
    looked = candidate_dirs(dataset)
    for folder in looked:
        if folder.is_dir():
            return folder
    raise DataError(f"{dataset} is not on this computer (looked in "
                    f"{', '.join(map(str, looked))}) and the app never downloads; run "
                    f"`convscope train` for it once in a terminal, or set CONVSCOPE_DATA")


def _clock(seconds: float) -> str:
    """A moment as the server's local time of day (the class shares one clock)."""
    return time.strftime("%H:%M", time.localtime(seconds))
