"""One prepared image through one run: its probabilities, every layer's maps and Grad-CAM, as
the pictures the page shows. Draw, Photo and Explore all look at an image this way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..errors import ConvscopeError
from ..runs import Run
from .pictures import as_rgb, enlarged, heat_overlay, layer_sheet, stacked
from .text import say

if TYPE_CHECKING:
    from ..inspection import FeatureMaps


@dataclass
class Look:
    """What the page shows of one image: every field a picture or a value ready for Gradio."""

    probabilities: dict[str, float]  # class name → probability (for gr.Label)
    predicted: str
    confidence: float
    seen: np.ndarray  # the image as the network receives it, enlarged
    maps: np.ndarray | None  # every layer's maps, one sheet under another
    cam: np.ndarray | None  # Grad-CAM over the image; None when it cannot be computed
    titles: list[str]  # each layer's title, in the order of the sheets


def look(run: Run, image: np.ndarray, lang: str = "en") -> Look:
    """Predict ``image`` (prepared: ``run.prepare``), with its maps and its Grad-CAM."""
    from .. import inspection  # Keras: imported once the server is up (server.warm_up)

    model = run.model
    try:
        layers, cam = inspection.maps_and_grad_cam(model, image)
    except ConvscopeError:  # e.g. no convolution layer: the rest still shows
        layers, cam = inspection.feature_maps(model, image), None
    if cam is not None and not run.config.test_time_flip:
        probabilities = cam.probabilities  # what `predict` gives, from the same pass
    else:
        probabilities = run.predict_arrays(image[None])[0]
    names = run.class_names
    best = int(np.argmax(probabilities))
    titles = [layer_title(fm, lang) for fm in layers]
    sheets = [layer_sheet(fm, title) for fm, title in zip(layers, titles, strict=True)]
    return Look(
        probabilities={name: float(p) for name, p in zip(names, probabilities, strict=True)},
        predicted=names[best],
        confidence=float(probabilities[best]),
        seen=enlarged(as_rgb(image)),
        maps=stacked(sheets) if sheets else None,
        cam=None if cam is None else heat_overlay(image, cam.heatmap),
        titles=titles,
    )


def layer_title(fm: FeatureMaps, lang: str) -> str:
    """``Layer 2 — conv2 (convolution): 16 maps of 28×28``, in the page's language."""
    height, width, count = fm.maps.shape
    return say(lang, "layer_title", number=fm.number, name=fm.layer,
               kind=say(lang, f"kind_{fm.kind}"), count=count, height=height, width=width)
