"""Every word convscope shows a person, in English and in French (the course's language).

One table, ``TABLE``: a key, then its English and its French, side by side, so that neither
can be missing. The report, a run's card, the app and the figures all take their words from it
through ``Words(lang)``; numbers, percentages and durations are written each language's way
here too. The table is assembled from one module per face (``figures``, ``card``, ``report``,
``app``, ``export``), each a dictionary of the same shape; a key belongs to one of them only.

The French follows the course's vocabulary: *précision* for accuracy, *époque* for epoch,
*couche* for layer, *carte* for feature map, *motif* for kernel.
"""

from __future__ import annotations

import locale
import os

from . import app, card, export, figures, report

LANGUAGES = ("en", "fr")


def _assembled(*tables: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    table: dict[str, tuple[str, str]] = {}
    for part in tables:
        shared = table.keys() & part.keys()
        if shared:
            raise KeyError(f"words used by two faces: {', '.join(sorted(shared))}")
        table.update(part)
    return table


TABLE = _assembled(figures.WORDS, card.WORDS, report.WORDS, app.WORDS, export.WORDS)


def default_language() -> str:
    """``fr`` when the system's locale is French, else ``en`` (the POSIX order of variables)."""
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value and value not in ("C", "POSIX"):
            return "fr" if value.lower().startswith("fr") else "en"
    name = locale.getlocale()[0] or ""
    return "fr" if name.lower().startswith("fr") else "en"


def check_language(lang: str | None) -> str:
    """``lang`` checked (``None``: the system's language)."""
    from ..errors import ConvscopeError

    lang = default_language() if lang is None else lang
    if lang not in LANGUAGES:
        raise ConvscopeError(f"The `lang` parameter must be one of {', '.join(LANGUAGES)}. "
                             f"Got {lang!r} instead.")
    return lang


_THIN = "\u202f"  # French groups digits and sets "%" apart with a narrow no-break space


class Words:
    """The words of one language: ``words("cap_maps", n=1, kind="convolution", maps=32)``,
    and its way of writing numbers."""

    def __init__(self, lang: str | None = None):
        self.lang = check_language(lang)
        self._column = LANGUAGES.index(self.lang)

    def __call__(self, key: str, **values) -> str:
        return TABLE[key][self._column].format(**values)

    def counted(self, key: str, count: int, **values) -> str:
        """``key`` for ``count`` things: its ``_one`` form for one (in French for zero too)."""
        one = count == 1 or (self.lang == "fr" and count == 0)
        return self(f"{key}_one" if one and f"{key}_one" in TABLE else key, count=count,
                    **values)

    def __repr__(self) -> str:
        return f"Words({self.lang!r})"

    def number(self, value, digits: int = 0) -> str:
        text = f"{value:,.{digits}f}"
        if self.lang == "fr":
            text = text.replace(",", _THIN).replace(".", ",")
        return text

    def percent(self, value: float, digits: int = 2) -> str:
        text = f"{100 * value:.{digits}f}"
        return f"{text.replace('.', ',')}{_THIN}%" if self.lang == "fr" else f"{text}%"

    def duration(self, seconds: float) -> str:
        seconds = round(seconds)
        if seconds < 60:
            return f"{seconds} s"
        minutes, seconds = divmod(seconds, 60)
        if minutes < 60:
            return f"{minutes} min {seconds:02d} s"
        hours, minutes = divmod(minutes, 60)
        return f"{hours} h {minutes:02d} min"


def say(lang: str | None, key: str, **values) -> str:
    """The text ``key`` in ``lang``, with ``values`` filled in."""
    return Words(lang)(key, **values)


__all__ = ["LANGUAGES", "TABLE", "Words", "check_language", "default_language", "say"]
