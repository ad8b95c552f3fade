"""``convscope app``: a local web app to draw digits, try photos, explore runs and train them,
watching what the networks see (Gradio; ``pip install 'convscope[app]'``).

One module per job: ``server`` (the page and a launch that stays local), ``paths`` (what the
page may touch), ``uploads`` (photos from the browser), ``catalog`` (runs opened once),
``looking`` and ``pictures`` (one image through a network, as pictures, fast), a module per tab
(``draw``, ``photo``, ``explore``, ``train``), ``arithmetic`` (a click on the maps: the
arithmetic of that value), ``trainer`` (one training at a time, in a
thread) and ``text`` (English and French).
"""

import os

# Gradio reads these when it is imported: no usage statistics sent, no Hugging Face telemetry.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"

from .server import serve, start, stop  # noqa: E402

__all__ = ["serve", "start", "stop"]
