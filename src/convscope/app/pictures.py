"""Arrays to pictures for the page, with NumPy and Pillow: fast enough for every stroke.

matplotlib takes 100–300 ms to draw a layer's maps; a stroke has 100 ms for everything. The
pictures here follow the library's figures (``plots``): maps numbered from 1, white = high on
one scale per layer, the input grey or in colour, Grad-CAM's heat in the ``jet`` colours over
the image.
"""

from __future__ import annotations

import io
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageDraw, ImageFont

if TYPE_CHECKING:
    from ..inspection import FeatureMaps

# Maps are enlarged by whole pixels (never blurred) to about this many pixels a side.
TILE = 56
# Maps per row: 8 as in the library's figures, 16 for layers of many maps (CIFAR-10's 64),
# which would otherwise make a page some metres long.
COLUMNS, WIDE_COLUMNS, MANY_MAPS = 8, 16, 32
GAP = 4  # pixels between maps
LABEL = 13  # height of a map's number
TITLE = 22  # height of a layer's title
INK, PAPER = 40, 255  # grey levels: sheets are grey pictures, a third of RGB's bytes to encode
HEAT_ALPHA = 0.45  # as plots.grad_cam


@cache
def _font(size: int) -> ImageFont.ImageFont:
    # matplotlib's DejaVu Sans has the "—" and "×" of the titles; Pillow's own font does not.
    import matplotlib

    return ImageFont.truetype(f"{matplotlib.get_data_path()}/fonts/ttf/DejaVuSans.ttf", size)


def as_rgb(image: np.ndarray) -> np.ndarray:
    """A model input (height, width, 1 or 3) in 0–1 as uint8 RGB, as the network sees it."""
    image = np.clip(np.asarray(image, dtype=np.float32), 0, 1)
    if image.ndim == 2:
        image = image[..., None]
    if image.shape[-1] == 1:
        image = np.repeat(image, 3, axis=-1)
    return (image * 255 + 0.5).astype(np.uint8)


def enlarged(image: np.ndarray, size: int = 224) -> np.ndarray:
    """``image`` (uint8) enlarged by a whole factor to about ``size`` pixels on its long side,
    each pixel a square: a 28×28 input should look like 28×28 pixels, not a blur."""
    factor = max(1, round(size / max(image.shape[:2])))
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)


@cache
def _jet() -> np.ndarray:
    import matplotlib

    return (matplotlib.colormaps["jet"](np.linspace(0, 1, 256))[:, :3] * 255).astype(np.float32)


def heat_overlay(image: np.ndarray, heatmap: np.ndarray, size: int = 224) -> np.ndarray:
    """Grad-CAM's heat (0–1, the image's height and width) over the image, enlarged."""
    base = as_rgb(image).astype(np.float32)
    heat = _jet()[np.clip((heatmap * 255).astype(np.int32), 0, 255)]
    mixed = (1 - HEAT_ALPHA) * base + HEAT_ALPHA * heat
    return enlarged(mixed.astype(np.uint8), size)


def layer_sheet(layer: FeatureMaps, title: str) -> np.ndarray:
    """One layer's maps in a grid, numbered from 1, white = high on the layer's one scale."""
    maps = layer.maps
    height, width, count = maps.shape
    factor = max(1, round(TILE / max(height, width)))
    columns = min(WIDE_COLUMNS if count > MANY_MAPS else COLUMNS, count)
    low, high = float(maps.min()), float(maps.max())
    grey = ((maps - low) * (255 / (high - low if high > low else 1.0))).astype(np.uint8)
    grey = np.repeat(np.repeat(grey, factor, axis=0), factor, axis=1)
    tile_h, tile_w = height * factor, width * factor
    sheet = _frame(title, count, columns, tile_h, tile_w).copy()
    for k in range(count):
        top = TITLE + (k // columns) * (LABEL + tile_h + GAP) + LABEL
        left = (k % columns) * (tile_w + GAP)
        sheet[top:top + tile_h, left:left + tile_w] = grey[..., k]
    return sheet


@cache
def _frame(title: str, count: int, columns: int, tile_h: int, tile_w: int) -> np.ndarray:
    """A layer sheet without its maps: white, with the title and each map's number. The same
    for every stroke, so drawn once (text is the slow part of a sheet)."""
    rows = -(-count // columns)
    cell_w, cell_h = tile_w + GAP, LABEL + tile_h + GAP
    picture = Image.new("L", (max(columns * cell_w, 360), TITLE + rows * cell_h), PAPER)
    pen = ImageDraw.Draw(picture)
    pen.text((0, 3), title, fill=INK, font=_font(14))
    for k in range(count):
        top = TITLE + (k // columns) * cell_h
        pen.text(((k % columns) * cell_w + tile_w // 2, top), str(k + 1), fill=INK,
                 font=_font(11), anchor="mt")
    return np.asarray(picture)


def stacked(sheets: list[np.ndarray], gap: int = 10) -> np.ndarray:
    """Grey pictures one under the other on white, left-aligned."""
    width = max(s.shape[1] for s in sheets)
    height = sum(s.shape[0] for s in sheets) + gap * (len(sheets) - 1)
    out = np.full((height, width), PAPER, np.uint8)
    top = 0
    for s in sheets:
        out[top:top + s.shape[0], :s.shape[1]] = s
        top += s.shape[0] + gap
    return out


def figure_picture(figure) -> Image.Image:
    """A matplotlib figure as a picture, and the figure closed (pyplot keeps every open one)."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    try:
        crop = None if getattr(figure, "exact_layout", False) else "tight"
        figure.savefig(buffer, format="png", dpi=90, bbox_inches=crop, facecolor="white")
    finally:
        plt.close(figure)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")
