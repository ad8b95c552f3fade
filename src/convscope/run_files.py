"""A run directory's layout and its files: their names, a new directory never reused, the
history (``history.csv``), the config (``config.json``) and the status ``state.json`` gives.

``runs.Run`` reads them; training (``callbacks.RunLog``) writes them.
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

from . import _io
from .config import RunConfig
from .errors import RunError

CONFIG = "config.json"
STATE = "state.json"
HISTORY = "history.csv"
METRICS = "metrics.json"
MODEL = "model.keras"
BEST = "best.keras"
FIGURES = "figures"
INSPECT = "inspect"
FILES = "files.json"
REPORT = "report.html"
HISTORY_FIELDS = ["epoch", "loss", "accuracy", "test_loss", "test_accuracy", "seconds",
                  "learning_rate"]


def new_run_dir(out: str | Path | None, recipe: str, root: str | Path = "runs") -> Path:
    """Create a fresh run directory; an existing non-empty one is never reused."""
    if out is not None:
        path = Path(out)
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise RunError(f"{path}: already exists and is not empty; choose another `out` "
                           "(a run is never overwritten)", path=path)
        path.mkdir(parents=True, exist_ok=True)
        return path
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    stem = f"{recipe}-{time.strftime('%Y%m%d-%H%M%S')}"
    for n in range(1, 1000):
        path = root / (stem if n == 1 else f"{stem}-{n}")
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
    raise RunError(f"{root}: could not create a new run directory named {stem}-N")


def read_history(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [{k: (int(v) if k == "epoch" else float(v)) for k, v in row.items() if v != ""}
            for row in rows]


def write_history(path: Path, history: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, HISTORY_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(history)
    _io.write_text(path, buffer.getvalue())


def write_config(run_dir: Path, config: RunConfig) -> None:
    _io.write_json(Path(run_dir) / CONFIG, config.to_json())


def run_status(state: dict) -> str:
    """``running``, ``interrupted`` (stopped; ``resume`` continues it) or ``complete``: what
    ``state.json`` says, or for runs that predate the field, complete once an epoch ended."""
    return state.get("status", "complete" if state.get("epochs_done") else "running")
