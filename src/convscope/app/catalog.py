"""The runs the app serves, opened once and kept: their models, test sets and evaluations.

Handlers run in Gradio's worker threads, so the cache is guarded by a lock. A run is opened
again when its ``model.keras`` changes (a training or a resume in progress saves one per epoch).
Evaluating a run predicts its whole test set; that is done once per model, as fastai's
interpretation objects do, and the confusion matrix, the mistakes and the picked test images
all come from it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import RunError
from ..evaluation import Evaluation
from ..runs import MODEL, Run, load_run
from .paths import Roots


@dataclass
class _Opened:
    run: Run
    stamp: float  # model.keras's modification time when opened
    data: object = None
    evaluation: Evaluation | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


class Catalog:
    """Runs by key (see ``Roots.key``), with their choices for the pickers."""

    def __init__(self, roots: Roots):
        self.roots = roots
        self._opened: dict[Path, _Opened] = {}
        self._lock = threading.Lock()

    # -- pickers ---------------------------------------------------------------------------

    def choices(self, kind: str | None = None, status: str | None = None) -> list[tuple[str, str]]:
        """(label, key) of every run with a model, optionally only digit or photo runs
        (``kind``) or only runs in one state (``status``: ``interrupted``, …)."""
        found = []
        for path in self.roots.run_paths():
            try:
                # A bare .keras file opens by loading its model: once, kept with the others.
                run = self._entry(self.roots.key(path)).run if path.is_file() else Run(path)
            except RunError:
                continue  # damaged or half-written: not offered
            if kind is not None and run.config.input_kind != kind:
                continue
            if status is not None and run.status != status:
                continue
            if not path.is_file() and not (path / MODEL).is_file():
                continue  # stopped before its first epoch ended: nothing to look at
            found.append((describe(run, self.roots.key(path)), self.roots.key(path)))
        return found

    # -- opening ---------------------------------------------------------------------------

    def _entry(self, key: str) -> _Opened:
        path = self.roots.run_path(key)
        model_file = path if path.is_file() else path / MODEL
        stamp = model_file.stat().st_mtime if model_file.is_file() else 0.0
        with self._lock:
            entry = self._opened.get(path)
            if entry is None or entry.stamp != stamp:
                entry = _Opened(load_run(path), stamp)
                self._opened[path] = entry
            return entry

    def run(self, key: str) -> Run:
        """The run, its model loaded (in Keras's safe mode)."""
        entry = self._entry(key)
        entry.run.model  # noqa: B018  (loads it now, under no lock the handlers share)
        return entry.run

    def data(self, key: str):
        """The run's dataset (loaded once)."""
        entry = self._entry(key)
        with entry.lock:
            if entry.data is None:
                entry.data = entry.run.dataset()
            return entry.data

    def evaluation(self, key: str) -> Evaluation:
        """The run's predictions on its test set (computed once per model)."""
        entry = self._entry(key)
        data = self.data(key)
        with entry.lock:
            if entry.evaluation is None:
                entry.evaluation = entry.run.evaluation(data)
            return entry.evaluation

    def forget(self, path: Path) -> None:
        """Open a run afresh next time (after a training wrote to it)."""
        with self._lock:
            self._opened.pop(Path(path).resolve(), None)


def describe(run: Run, key: str) -> str:
    """A picker's label: name, recipe, test accuracy and state, e.g.
    ``mnist-viz · mnist-viz · 99.0 %``."""
    accuracy = run.metrics.get("test_accuracy")
    if accuracy is None and run.path.is_dir():
        history = run.history
        accuracy = history[-1]["test_accuracy"] if history else None
    parts = [key if len(key) <= 40 else f"…{key[-39:]}", run.recipe]
    if accuracy is not None:
        parts.append(f"{accuracy:.1%}")
    if run.path.is_dir() and run.status != "complete":
        parts.append(f"{run.status} {run.epochs_done}/{run.epochs}")
    return " · ".join(parts)
