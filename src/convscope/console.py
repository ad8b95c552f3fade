"""The console display: an observer that shows convscope's events on stderr with Rich.

Epoch lines with an ETA for the whole run, a step bar inside each epoch and bars for long data
steps (only on a terminal: in a log file a bar is only noise), one warning line per skipped
photo (the first ``SKIPPED_SHOWN``), and notes. The command line uses it; from Python,
``train(progress=True)`` does too.
"""

from __future__ import annotations

import threading

from .events import (
    BatchProgress,
    EpochEnded,
    Event,
    Notice,
    PhotoSkipped,
    Progress,
    RunFinished,
    RunStarted,
    RunStopped,
)

SKIPPED_SHOWN = 20


class ConsoleDisplay:
    """Shows events as they come. ``show_skipped=False`` leaves skipped files to the caller
    (``convscope scan`` lists them all at the end)."""

    def __init__(self, show_skipped: bool = True, console=None):
        from rich.console import Console

        self.console = console or Console(stderr=True, highlight=False, soft_wrap=True)
        self.show_skipped = show_skipped
        self.skipped = 0
        self._bar = None
        self._tasks: dict[str, int] = {}
        self._lock = threading.RLock()

    def __call__(self, event: Event) -> None:
        with self._lock:
            if not isinstance(event, PhotoSkipped):
                self._more_skipped()
            handler = getattr(self, f"_on_{type(event).__name__}", None)
            if handler is not None:
                handler(event)

    def print(self, message: str) -> None:
        self.console.print(message, markup=False)

    # -- events ---------------------------------------------------------------------------

    def _on_Notice(self, event: Notice) -> None:
        self.print(f"warning: {event.message}" if event.level == "warning" else event.message)

    def _on_PhotoSkipped(self, event: PhotoSkipped) -> None:
        if not self.show_skipped:
            return
        self.skipped += 1
        if self.skipped <= SKIPPED_SHOWN:
            self.print(f"warning: skipping {event.path}: {event.reason}")

    def _more_skipped(self) -> None:
        if self.skipped > SKIPPED_SHOWN:
            self.print(f"warning: … and {self.skipped - SKIPPED_SHOWN} more files skipped "
                       "(`convscope scan` lists them all)")
        self.skipped = min(self.skipped, SKIPPED_SHOWN)

    def _on_Progress(self, event: Progress) -> None:
        self._advance(event.task, event.done, event.total)
        if event.total is not None and event.done >= event.total:
            self._end(event.task)

    def _on_RunStarted(self, event: RunStarted) -> None:
        config = event.config
        if event.resumed_at:
            self.print(f"Resuming {event.run_dir} at epoch {event.resumed_at + 1}/"
                       f"{config.epochs}")
            return
        self.print(event.dataset)
        if event.placement:
            self.print(event.placement)
        backend = ", ".join(f"{k} {v}" for k, v in config.versions.items()
                            if k not in ("convscope", "python", "keras", "numpy"))
        self.print(f"{config.recipe}: {config.parameters:,} parameters → {event.run_dir}")
        self.print(f"training on {config.device} (Keras {config.versions.get('keras', '?')}, "
                   f"{backend}, {config.precision})")

    def _on_BatchProgress(self, event: BatchProgress) -> None:
        self._advance(f"epoch {event.epoch}/{event.epochs}", event.step, event.steps)

    def _on_EpochEnded(self, event: EpochEnded) -> None:
        self._end(f"epoch {event.epoch}/{event.epochs}")
        row = event.row
        eta = (f"  ETA {_duration(event.seconds_left)}"
               if event.seconds_left is not None and event.epoch < event.epochs else "")
        self.print(f"epoch {row['epoch']}/{event.epochs}  loss {row['loss']:.4f}  "
                   f"accuracy {row['accuracy']:.2%}  test loss {row['test_loss']:.4f}  "
                   f"test accuracy {row['test_accuracy']:.2%}  {row['seconds']:.0f}s{eta}")

    def _on_RunStopped(self, event: RunStopped) -> None:
        self._close_bar()

    def _on_RunFinished(self, event: RunFinished) -> None:
        self._close_bar()
        metrics = event.metrics
        self.print(f"Test accuracy {metrics['test_accuracy']:.2%}, loss "
                   f"{metrics['test_loss']:.4f} — {event.run_dir}")

    # -- bars ------------------------------------------------------------------------------

    def _advance(self, task: str, done: int, total: int | None) -> None:
        if not self.console.is_terminal:
            return
        if self._bar is None:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                 MofNCompleteColumn(), TimeRemainingColumn(),
                                 console=self.console, transient=True)
            self._bar.start()
        if task not in self._tasks:
            self._tasks[task] = self._bar.add_task(task, total=total)
        self._bar.update(self._tasks[task], completed=done, total=total)

    def _end(self, task: str) -> None:
        if task in self._tasks and self._bar is not None:
            self._bar.remove_task(self._tasks.pop(task))
        if not self._tasks:
            self._close_bar()

    def _close_bar(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar, self._tasks = None, {}


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"
