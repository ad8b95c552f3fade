"""Errors a user can fix, in the library's words; each face says them its own way.

A message says what is wrong, and names what fixes it by the library's own parameters, in
backquotes: `overwrite=True`, `data_dir`, `epochs=N`. ``str(error)`` writes them as Python
(``overwrite=True``); ``error.say(spell)`` lets a face write them its way: the command line as
its flags (``--force``), the app as its controls. A message never names a face's words itself.

The command line prints one line and exits with status 1; the app shows one line in the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

# `name` or `name=VALUE` inside a message: a parameter of the library that fixes the problem.
PARAMETER = re.compile(r"`([a-z_]+)(?:=([^`]*))?`")

Spell = Callable[[str, str | None], str]  # (parameter, value or None) -> the face's words


def python_spelling(name: str, value: str | None) -> str:
    return name if value is None else f"{name}={value}"


class ConvscopeError(Exception):
    """A problem caused by input, files or arguments, not by a bug.

    ``facts`` keep the values the message was made from (a path, a count), for a face that
    wants to say more than the message.
    """

    def __init__(self, message: str, **facts):
        super().__init__(message)
        self.message, self.facts = message, facts

    @property
    def parameters(self) -> list[str]:
        """The parameters the message names as fixes, in order."""
        return [match.group(1) for match in PARAMETER.finditer(self.message)]

    def say(self, spell: Spell = python_spelling) -> str:
        """The message with each parameter written by ``spell(name, value)``."""
        return PARAMETER.sub(lambda match: spell(match.group(1), match.group(2)), self.message)

    def __str__(self) -> str:
        return self.say()


class DataError(ConvscopeError):
    """A dataset file is missing, damaged or not what it claims to be."""


class RunError(ConvscopeError):
    """A run directory is missing, incomplete or cannot be used as asked."""


class AlreadyExists(ConvscopeError):
    """A file or folder the user named is there already: replaced only when asked."""

    def __init__(self, path, what: str = "already exists"):
        super().__init__(f"{path}: {what}; pass `overwrite=True` to replace it or choose "
                         "another `out`", path=Path(path))


def refuse_existing(path, overwrite: bool) -> None:
    """The one rule for a user's files: an existing ``path`` is replaced only with
    ``overwrite``."""
    if not overwrite and Path(path).exists():
        raise AlreadyExists(path)


def check_int(name: str, value, low: int = 1, where: str = "train") -> int:
    """Validate an integer parameter with scikit-learn's error shape."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConvscopeError(
            f"The `{name}` parameter of {where} must be an int in the range [{low}, inf). "
            f"Got {value!r} instead.", parameter=name, value=value)
    return value


def check_fraction(name: str, value, where: str = "train", closed: bool = False) -> float:
    """Validate a fraction in (0, 1) (``closed``: (0, 1]) with the same error shape."""
    number = not isinstance(value, bool) and isinstance(value, (int, float))
    if not number or not (0 < value and (value <= 1 if closed else value < 1)):
        interval = "(0, 1]" if closed else "(0, 1)"
        raise ConvscopeError(
            f"The `{name}` parameter of {where} must be a float in the range {interval}. "
            f"Got {value!r} instead.", parameter=name, value=value)
    return float(value)
