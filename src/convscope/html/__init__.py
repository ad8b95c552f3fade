"""HTML pieces: a run's summary card, embedded images, words and numbers in English or French.

The card (``run_card``) is what a ``Run`` shows of itself in Jupyter and the head of each run
in ``convscope report``; ``comparison_card`` is a comparison's. Images are embedded as data
URIs (``images``), so a page needs nothing beside it. ``learning_verdict`` reads a history and
says, in words, whether training and test part (``verdict``).

Nothing here imports ``runs``: the card reads what it needs from any object that has a run's
``config``, ``state``, ``metrics``, ``history``, ``path`` and ``figures_dir``.
"""

from .card import CARD_CSS, comparison_card, comparison_table, notebook, run_card
from .images import MAX_WIDTH, Embedded, embed_array, embed_figure, embed_file, encode
from .text import (
    LANGUAGES,
    check_language,
    default_language,
    duration,
    esc,
    number,
    percent,
)
from .verdict import LearningVerdict, learning_verdict

__all__ = ["CARD_CSS", "LANGUAGES", "MAX_WIDTH", "Embedded", "LearningVerdict",
           "check_language", "comparison_card", "comparison_table", "default_language",
           "duration", "embed_array", "embed_figure", "embed_file", "encode", "esc",
           "learning_verdict", "notebook", "number", "percent", "run_card"]
