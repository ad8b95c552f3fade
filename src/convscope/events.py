"""Progress as events, stopping as a token: how long work talks to whoever is watching.

Library code never prints. Training and the long data steps (decoding a photo folder,
``prepare``, downloads) take an ``observer``: any callable that receives one event at a time.
The command line passes a console display (``convscope.console``), the tests and the app a
:class:`Collector`; ``None`` means nobody is watching. Observers may be called from worker
threads (photo decoding, the training loop in an app's thread), so they must not assume the
main thread.

Stopping is a :class:`CancelToken` that any thread can set: training stops after the current
step and keeps the last completed epoch. Ctrl-C is one way to set it (``ctrl_c_cancels``).
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Event:
    """Base class of everything an observer receives."""


@dataclass(frozen=True)
class Notice(Event):
    """A one-line message worth showing (a note, a warning, a decision taken)."""

    message: str
    level: str = "info"  # "info" or "warning"


@dataclass(frozen=True)
class Progress(Event):
    """``done`` of ``total`` items of a long step (``total`` None when unknown)."""

    task: str  # e.g. "checking 2,000 training photos", "copying photos", "downloading …"
    done: int
    total: int | None = None


@dataclass(frozen=True)
class PhotoSkipped(Event):
    """A file left out of a photo set, with the reason (it never stops the work)."""

    path: str
    reason: str


@dataclass(frozen=True)
class RunStarted(Event):
    """Training begins (or resumes) in ``run_dir``."""

    run_dir: Path
    config: Any  # the run's RunConfig
    dataset: str  # shapes and counts, one line
    placement: str = ""  # several devices or workers, in words; "" for one device
    resumed_at: int = 0  # epochs already done when resuming


@dataclass(frozen=True)
class BatchProgress(Event):
    """Training steps done in the current epoch (sent a few times a second, not every step)."""

    epoch: int  # from 1
    epochs: int
    step: int
    steps: int


@dataclass(frozen=True)
class EpochEnded(Event):
    """An epoch ended and was saved; ``row`` is its line of ``history.csv``."""

    run_dir: Path
    epoch: int
    epochs: int
    row: dict
    seconds_left: float | None = None  # estimated from the last epochs


@dataclass(frozen=True)
class FiguresWritten(Event):
    paths: tuple[Path, ...]


@dataclass(frozen=True)
class RunFinished(Event):
    """Training ended (all epochs, or the target accuracy reached) and metrics were written."""

    run_dir: Path
    metrics: dict


@dataclass(frozen=True)
class RunStopped(Event):
    """Training was stopped; the last completed epoch is kept and ``resume`` continues it."""

    run_dir: Path
    epochs_done: int
    epochs: int
    reason: str = ""


Observer = Callable[[Event], object]


def observer_of(observers: Observer | Iterable[Observer] | None) -> Observer | None:
    """One observer from None, one observer, or several (each receives every event)."""
    if observers is None or callable(observers):
        return observers
    chosen = [o for o in observers if o is not None]
    if not chosen:
        return None
    if len(chosen) == 1:
        return chosen[0]

    def broadcast(event: Event) -> None:
        for observer in chosen:
            observer(event)

    return broadcast


def emit(observer: Observer | None, event: Event) -> None:
    if observer is not None:
        observer(event)


@dataclass
class Collector:
    """An observer that keeps every event, in order (for tests and for the app's page state)."""

    events: list[Event] = field(default_factory=list)

    def __post_init__(self):
        self._lock = threading.Lock()

    def __call__(self, event: Event) -> None:
        with self._lock:
            self.events.append(event)

    def of(self, kind: type) -> list:
        """The events of one kind, e.g. ``collector.of(EpochEnded)``."""
        with self._lock:
            return [e for e in self.events if isinstance(e, kind)]


class Throttled:
    """Calls ``send`` at most every ``interval`` seconds, and always for the last item."""

    def __init__(self, interval: float = 0.2):
        self.interval, self.last = interval, float("-inf")

    def due(self, final: bool = False) -> bool:
        now = time.monotonic()
        if final or now - self.last >= self.interval:
            self.last = now
            return True
        return False


class CancelToken:
    """A request to stop, settable from any thread: ``token.cancel()``.

    Training checks it after every step; what was completed stays saved.
    """

    def __init__(self):
        self._event = threading.Event()
        self.reason = ""

    def cancel(self, reason: str = "stop requested") -> None:
        if not self._event.is_set():
            self.reason = reason
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._event.wait(timeout)


CTRL_C = "Ctrl-C"


@contextlib.contextmanager
def ctrl_c_cancels(token: CancelToken, observer: Observer | None = None):
    """While inside, the first Ctrl-C sets ``token``; a second one interrupts at once.

    Letting SIGINT raise wherever Python happens to be is not reliable: raised inside an
    object's ``__del__`` (TensorFlow finalises iterators between epochs) it is printed and
    ignored, and training goes on. Setting a token lets training stop at a point it chooses.
    Only the main thread receives signals; elsewhere this changes nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield token
        return

    def handle(signum, frame):
        if token.cancelled:
            raise KeyboardInterrupt
        token.cancel(CTRL_C)
        emit(observer, Notice("Ctrl-C: stopping after the current step (again to stop at once)"))

    previous = signal.signal(signal.SIGINT, handle)
    try:
        yield token
    finally:
        signal.signal(signal.SIGINT, previous)
