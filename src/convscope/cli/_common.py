"""What every command shares: the Typer app, common options, and how errors end a command.

Exit codes: 0 success, 1 a problem with the input (one line on stderr, no traceback),
2 bad usage, 130 interrupted by Ctrl-C (the last completed epoch is kept).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated

import typer

from .. import __version__
from .._setup import import_keras_quietly
from ..errors import ConvscopeError

app = typer.Typer(
    help="Train, evaluate and look inside convolutional image classifiers (the course's "
    "networks, or your own).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Where the dataset is: its own folder, or a folder of "
                 "datasets holding it as <name>/ (default: $CONVSCOPE_DATA/<name>/, then the "
                 "user cache, then a verified download).", show_default=False),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print only results and errors.")]
Target = Annotated[Path, typer.Argument(help="A run directory, or any Keras .keras classifier.")]
OutDir = Annotated[Path | None, typer.Option("--out", help="Folder for the figures (default: the "
                                             "run's figures/inspect/).", show_default=False)]
Force = Annotated[bool, typer.Option(help="Overwrite figures that already exist in --out.")]


# The library's parameters, as this command line spells them where it names a fix
# (``ConvscopeError.say``); any other is its option of the same name (``--test-index``).
OPTIONS = {"overwrite": "--force", "data_dir": "--data-dir", "explain_class": "--class",
           "filter_number": "--filter", "class_name": "--first-of", "image": "IMAGE",
           "folder": "FOLDER", "position": "--at", "channel": "--filter"}


def spelled(parameter: str, value: str | None) -> str:
    """A library parameter as an option of the command line, with its value if it takes one:
    ``epochs=N`` → ``--epochs N``; ``overwrite=True`` → ``--force``."""
    option = OPTIONS.get(parameter, "--" + parameter.replace("_", "-"))
    if value == "False":  # a switch turned off
        return "--no-" + option.removeprefix("--")
    return option if value in (None, "True") else f"{option} {value}"


def fail(message: str, code: int = 1):
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def with_keras() -> None:
    """Start Keras and its backend (seconds), their C++ start-up notices kept off the terminal:
    called by the commands that need a model, once they know they will run (an error in the
    arguments is said at once)."""
    import_keras_quietly()


def user_errors(command):
    """Turn a ConvscopeError into one line on stderr (its fixes named as options) and exit
    status 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ConvscopeError as exc:
            fail(exc.say(spelled))
        except KeyboardInterrupt:
            typer.echo("\ninterrupted", err=True)
            raise typer.Exit(130) from None

    return wrapper


def console_display(quiet: bool = False, show_skipped: bool = True):
    """The console observer (None with --quiet)."""
    from ..console import ConsoleDisplay

    return None if quiet else ConsoleDisplay(show_skipped=show_skipped)


def notices():
    """An observer that shows only one-line notes (e.g. about a dataset's files)."""
    from ..console import ConsoleDisplay
    from ..events import Notice

    display = ConsoleDisplay(show_skipped=False)
    return lambda event: display(event) if isinstance(event, Notice) else None


def say_written(paths) -> None:
    for path in paths:
        typer.echo(str(path))


def _version(value: bool):
    if value:
        typer.echo(f"convscope {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
):
    """Train, evaluate and look inside convolutional image classifiers."""
