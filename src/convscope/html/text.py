"""Words and numbers for the pages: the language (English or French, the course's), numbers
written each language's way, and text made safe inside HTML."""

from __future__ import annotations

import html
import locale
import os

LANGUAGES = ("en", "fr")


def default_language() -> str:
    """``fr`` when the system's locale is French, else ``en`` (the POSIX order of variables)."""
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value and value not in ("C", "POSIX"):
            return "fr" if value.lower().startswith("fr") else "en"
    name = locale.getlocale()[0] or ""
    return "fr" if name.lower().startswith("fr") else "en"


def check_language(lang: str | None) -> str:
    from ..errors import ConvscopeError

    lang = default_language() if lang is None else lang
    if lang not in LANGUAGES:
        raise ConvscopeError(f"The 'lang' parameter of report must be one of "
                             f"{', '.join(LANGUAGES)}. Got {lang!r} instead.")
    return lang


_THIN = "\u202f"  # French groups digits and sets "%" apart with a narrow no-break space


def number(value, lang: str, digits: int = 0) -> str:
    text = f"{value:,.{digits}f}"
    if lang == "fr":
        text = text.replace(",", _THIN).replace(".", ",")
    return text


def percent(value: float, lang: str, digits: int = 2) -> str:
    text = f"{100 * value:.{digits}f}"
    return f"{text.replace('.', ',')}{_THIN}%" if lang == "fr" else f"{text}%"


def duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def esc(value) -> str:
    """Text safe inside an element or a quoted attribute (``<``, ``&`` and both quotes)."""
    return html.escape(str(value), quote=True)
