"""HTML pieces: a run's summary card, embedded images, text made safe for a page.

The card (``run_card``) is what a ``Run`` shows of itself in Jupyter and the head of each run
in ``convscope report``; ``comparison_card`` is a comparison's. Images are embedded as data
URIs (``images``), so a page needs nothing beside it. ``learning_verdict`` reads a history and
says, in words, whether training and test part (``verdict``). Every word comes from
``convscope.words``.

Nothing here imports ``runs``: the card reads what it needs from any object that has a run's
``config``, ``state``, ``metrics``, ``history``, ``label``, ``status``, ``best`` and
``figures_dir``.
"""

from .card import CARD_CSS, comparison_card, comparison_table, notebook, run_card
from .escape import esc
from .images import MAX_WIDTH, Embedded, embed_array, embed_figure, embed_file, encode
from .verdict import LearningVerdict, learning_verdict

__all__ = ["CARD_CSS", "MAX_WIDTH", "Embedded", "LearningVerdict", "comparison_card",
           "comparison_table", "embed_array", "embed_figure", "embed_file", "encode", "esc",
           "learning_verdict", "notebook", "run_card"]
