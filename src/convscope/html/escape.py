"""Text made safe inside HTML: the one escaping rule of every page convscope writes."""

from __future__ import annotations

import html


def esc(value) -> str:
    """Text safe inside an element or a quoted attribute (``<``, ``&`` and both quotes)."""
    return html.escape(str(value), quote=True)
