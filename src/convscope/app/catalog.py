"""The runs the app serves, opened once and kept: each a ``Run``, which loads its model, its data
and its test-set predictions once, whoever asks (every tab, every page, the report).

Handlers run in Gradio's worker threads: the catalog's table is guarded by a lock, and a
``Run`` computes each of its values once even when asked at the same time. A run is opened
again when its ``model.keras`` changes (a training or a resume in progress saves one per
epoch).
"""

from __future__ import annotations

import threading
from pathlib import Path

from ..errors import RunError
from ..run_files import MODEL
from ..runs import Run, load_run
from .paths import Roots


class Catalog:
    """Runs by key (see ``Roots.key``), with their choices for the pickers."""

    def __init__(self, roots: Roots):
        self.roots = roots
        self._opened: dict[Path, tuple[Run, float]] = {}  # path -> (run, model.keras's mtime)
        self._lock = threading.Lock()

    def choices(self, kind: str | None = None, status: str | None = None) -> list[tuple[str, str]]:
        """(label, key) of every run with a model, optionally only digit or photo runs
        (``kind``) or only runs in one state (``status``: ``interrupted``, …)."""
        found = []
        for path in self.roots.run_paths():
            key = self.roots.key(path)
            try:
                # A bare .keras file opens by loading its model: once, kept with the others.
                run = self.run(key) if path.is_file() else Run(path)
            except RunError:
                continue  # damaged or half-written: not offered
            if kind is not None and run.config.input_kind != kind:
                continue
            if status is not None and run.status != status:
                continue
            if not path.is_file() and not (path / MODEL).is_file():
                continue  # stopped before its first epoch ended: nothing to look at
            found.append((describe(run, key), key))
        return found

    def run(self, key: str) -> Run:
        """The run a key names, opened once (again when its model changed on disk)."""
        path = self.roots.run_path(key)
        model_file = path if path.is_file() else path / MODEL
        stamp = model_file.stat().st_mtime if model_file.is_file() else 0.0
        with self._lock:
            opened = self._opened.get(path)
            if opened is None or opened[1] != stamp:
                opened = (load_run(path), stamp)
                self._opened[path] = opened
            return opened[0]

    def forget(self, path: Path) -> None:
        """Open a run afresh next time (after a training wrote to it)."""
        with self._lock:
            self._opened.pop(Path(path).resolve(), None)


def describe(run: Run, key: str) -> str:
    """A picker's label: name, recipe, test accuracy and state, e.g.
    ``mnist-viz · mnist-viz · 99.0 %``."""
    accuracy = None if run.bare else run.final_accuracy
    parts = [key if len(key) <= 40 else f"…{key[-39:]}", run.recipe]
    if accuracy is not None:
        parts.append(f"{accuracy:.1%}")
    if not run.bare and run.status != "complete":
        parts.append(f"{run.status} {run.epochs_done}/{run.epochs}")
    return " · ".join(parts)
