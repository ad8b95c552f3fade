"""One prepared image through one run: its probabilities, every layer's maps and Grad-CAM, as
the pictures the page shows. Draw, Photo and Explore all look at an image this way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ConvscopeError
from ..pictures import (
    SheetLayout,
    as_rgb,
    enlarged,
    heat_overlay,
    sheet_position,
    stacked,
    stacked_position,
)
from ..runs import Run
from ..words import Words


@dataclass
class Look:
    """What the page shows of one image: every field a picture or a value ready for Gradio."""

    probabilities: dict[str, float]  # class name → probability (for gr.Label)
    predicted: str
    confidence: float
    seen: np.ndarray  # the image as the network receives it, enlarged
    maps: np.ndarray | None  # every layer's maps, one sheet under another
    cam: np.ndarray | None  # Grad-CAM over the image; None when it cannot be computed


def look(run: Run, image: np.ndarray, lang: str, description: str,
         maps: bool = True) -> Look:
    """Predict ``image`` (prepared: ``run.as_input``), with its maps and its Grad-CAM unless
    not ``maps``; ``description`` names the image in the maps' titles."""
    from .. import inspection, views  # Keras: imported once the server is up (warm_up)

    if not maps:
        return _looked(run, image, run.predict_arrays(image[None])[0], [], None)
    model = run.model
    try:
        layers, cam = inspection.maps_and_grad_cam(model, image)
    except ConvscopeError:  # e.g. no convolution layer: the rest still shows
        layers, cam = inspection.feature_maps(model, image), None
    if cam is not None and not run.config.test_time_flip:
        probabilities = cam.probabilities  # what `predict` gives, from the same pass
    else:
        probabilities = run.predict_arrays(image[None])[0]
    words = Words(lang)
    sheets = [views.maps_picture(fm, words, description) for fm in layers]
    return _looked(run, image, probabilities, sheets, cam)


def value_at(layers: list, x: int, y: int) -> tuple | None:
    """Which value pixel (x, y) of the maps picture ``look`` draws shows: (the layer's
    ``FeatureMaps``, (map, row, col) from 0), None off the maps. The geometry is the
    drawing's own (``pictures.SheetLayout``): sheets with their note, no input beside."""
    heights = [SheetLayout.of(fm.maps.shape).height for fm in layers]
    found = stacked_position(heights, y)
    if found is None:
        return None
    index, y_in_sheet = found
    where = sheet_position(layers[index].maps.shape, x, y_in_sheet)
    return None if where is None else (layers[index], where)


def _looked(run: Run, image: np.ndarray, probabilities, sheets: list, cam) -> Look:
    names = run.class_names
    best = int(np.argmax(probabilities))
    return Look(
        probabilities={name: float(p) for name, p in zip(names, probabilities, strict=True)},
        predicted=names[best],
        confidence=float(probabilities[best]),
        seen=enlarged(as_rgb(image)),
        maps=stacked(sheets) if sheets else None,
        cam=None if cam is None else heat_overlay(image, cam.heatmap),
    )
