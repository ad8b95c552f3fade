"""Arrays to pictures with NumPy and Pillow, fast enough for every stroke of the app, and the
one rule that turns a drawn figure into PNG.

The feature maps of a layer are drawn here, once for every face: ``maps_sheet`` is the figure
of ``convscope see``, the report's grid and the app's answer. matplotlib takes 100–300 ms to
draw a layer's maps (an Axes per map); a sheet takes a few milliseconds. Maps are numbered from
1, white = high, on one scale per layer unless asked otherwise; the input beside them is shown
as the network sees it; Grad-CAM's heat is the ``jet`` colours over the image.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

# Maps are enlarged by whole pixels (never blurred) to about this many pixels a side.
TILE = 56
# Maps per row: 8 as in the course's figures, 16 for layers of many maps (CIFAR-10's 64),
# which would otherwise make a page some metres long.
COLUMNS, WIDE_COLUMNS, MANY_MAPS = 8, 16, 32
GAP = 4  # pixels between maps
LABEL = 13  # height of a map's number
TITLE = 22  # height of a title line
INK, PAPER = 40, 255  # grey levels: sheets are grey pictures, a third of RGB's bytes to encode
HEAT_ALPHA = 0.45  # the heat map's opacity over the image
STACK_GAP = 10  # pixels between pictures stacked one under the other


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


def outlined(image: np.ndarray, box: tuple[int, int, int, int], size: int = 224,
             colour: tuple[int, int, int] = (230, 30, 30)) -> np.ndarray:
    """``image`` (a model input) enlarged as ``enlarged`` does, with the pixels
    ``box`` = (top, left, bottom, right), bottom and right excluded, outlined."""
    shown = enlarged(as_rgb(image), size)
    factor = shown.shape[0] // image.shape[0]
    top, left, bottom, right = (v * factor for v in box)
    picture = Image.fromarray(shown)
    ImageDraw.Draw(picture).rectangle((left, top, right - 1, bottom - 1), outline=colour,
                                      width=max(2, factor // 3))
    return np.asarray(picture)


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


def scale_range(maps: np.ndarray) -> tuple[float, float]:
    """The lowest and highest value of a layer's maps: its one scale."""
    return float(maps.min()), float(maps.max())


def maps_sheet(maps: np.ndarray, title: str, note: str = "", image: np.ndarray | None = None,
               tile: int = TILE, shared_scale: bool = True) -> np.ndarray:
    """One layer's maps (height, width, count) in a grid, numbered from 1, white = high, under
    ``title`` and a ``note`` line (the scale, in words), with the input ``image`` on the left
    when given. Grey, or RGB when the image is in colour.

    ``shared_scale``: every map on the layer's one scale, so a dim map really is weak;
    otherwise each map is stretched to its own range to show its shape.
    """
    height, width, count = maps.shape
    if shared_scale:
        low, high = scale_range(maps)
        grey = (maps - low) * (255 / (high - low if high > low else 1.0))
    else:
        low, high = maps.min(axis=(0, 1)), maps.max(axis=(0, 1))
        grey = (maps - low) * (255 / np.where(high > low, high - low, 1.0))
    shown = None if image is None else _shown(image, _factor(maps.shape, tile) * height)
    at = SheetLayout.of(maps.shape, bool(note), None if shown is None else shown.shape, tile)
    factor, columns, left, top, tall = at.factor, at.columns, at.left, at.top, at.tall
    tile_h, tile_w = at.tile_h, at.tile_w
    grey = np.repeat(np.repeat(grey.astype(np.uint8), factor, axis=0), factor, axis=1)
    # Wide enough for the text, in steps of 40 pixels so that the frame is drawn again only
    # when the note's numbers get much longer.
    wide = -(-int(max(_font(14).getlength(title), _font(12).getlength(note)) + 4) // 40) * 40
    sheet = _frame(title, count, columns, tile_h, tile_w, left, top, tall, wide).copy()
    if note:
        _write(sheet, (0, TITLE + 3), note, 12)
    for k in range(count):
        y, x = at.corner(k)
        sheet[y:y + tile_h, x:x + tile_w] = grey[..., k]
    if shown is None:
        return sheet
    colour = bool(np.any(shown[..., 0] != shown[..., 1]) or np.any(shown[..., 1] != shown[..., 2]))
    picture = np.repeat(sheet[..., None], 3, axis=-1) if colour else sheet
    picture[top + LABEL:tall, :shown.shape[1]] = shown if colour else shown[..., 0]
    return picture


def _factor(maps_shape: tuple, tile: int) -> int:
    """How many pixels a side each map's value takes on a sheet."""
    return max(1, round(tile / max(maps_shape[:2])))


def _shown(image: np.ndarray, tile_h: int) -> np.ndarray:
    """The input as a sheet shows it on its left: twice a map's height, 112 pixels at least."""
    return enlarged(as_rgb(image), max(2 * tile_h, 112))


@dataclass(frozen=True)
class SheetLayout:
    """Where ``maps_sheet`` puts each map: the one geometry of a sheet, read both to draw it
    and to find which value a click on it points at (``sheet_position``)."""

    count: int
    factor: int
    columns: int
    tile_h: int
    tile_w: int
    left: int  # where the first column starts (after the input, when shown)
    top: int  # where the first row's labels start (under the title and note)
    tall: int  # the height the input needs, 0 without one

    @classmethod
    def of(cls, maps_shape: tuple, note: bool = True, shown_shape: tuple | None = None,
           tile: int = TILE) -> SheetLayout:
        """The layout of a sheet of maps shaped ``maps_shape`` (height, width, count), with a
        note line or not, and the input beside them shown ``shown_shape`` large (or none)."""
        height, width, count = maps_shape
        factor = _factor(maps_shape, tile)
        columns = min(WIDE_COLUMNS if count > MANY_MAPS else COLUMNS, count)
        left = 0 if shown_shape is None else shown_shape[1] + 3 * GAP
        top = TITLE * (2 if note else 1)
        tall = 0 if shown_shape is None else top + LABEL + shown_shape[0]
        return cls(count, factor, columns, height * factor, width * factor, left, top, tall)

    @property
    def height(self) -> int:
        """The sheet's height in pixels."""
        rows = -(-self.count // self.columns)
        return max(self.top + rows * (LABEL + self.tile_h + GAP), self.tall)

    def corner(self, k: int) -> tuple[int, int]:
        """The top-left pixel (y, x) of map ``k`` (from 0)."""
        return (self.top + (k // self.columns) * (LABEL + self.tile_h + GAP) + LABEL,
                self.left + (k % self.columns) * (self.tile_w + GAP))

    def position(self, x: int, y: int) -> tuple[int, int, int] | None:
        """(map, row, col) of the value under pixel (x, y), all from 0; None off the maps
        (a gap, a number, the title, the input)."""
        cell_w, cell_h = self.tile_w + GAP, LABEL + self.tile_h + GAP
        if x < self.left or y < self.top:
            return None
        column, across = divmod(x - self.left, cell_w)
        row, down = divmod(y - self.top, cell_h)
        down -= LABEL
        k = row * self.columns + column
        if column >= self.columns or k >= self.count or not (0 <= down < self.tile_h) \
                or across >= self.tile_w:
            return None
        return k, down // self.factor, across // self.factor


def sheet_position(maps_shape: tuple, x: int, y: int, note: bool = True,
                   image_shape: tuple | None = None, tile: int = TILE
                   ) -> tuple[int, int, int] | None:
    """Which value of a ``maps_sheet`` pixel (x, y) shows: (map, row, col) from 0, or None.

    The sheet's arguments as ``maps_sheet`` took them: the maps' shape, whether it had a note,
    the shape of the input ``image`` beside them (none: None), the tile size."""
    shown = None
    if image_shape is not None:
        shown = _shown(np.zeros(image_shape, np.float32), _factor(maps_shape, tile)
                       * maps_shape[0]).shape
    return SheetLayout.of(maps_shape, note, shown, tile).position(x, y)


@cache
def _frame(title: str, count: int, columns: int, tile_h: int, tile_w: int, left: int,
           top: int, tall: int, wide: int) -> np.ndarray:
    """A sheet without its maps: white, with the title and each map's number, at least
    ``tall`` pixels high and ``wide`` wide. The same for every stroke, so drawn once (text is
    the slow part of a sheet)."""
    rows = -(-count // columns)
    cell_w, cell_h = tile_w + GAP, LABEL + tile_h + GAP
    width = max(left + columns * cell_w, wide)
    height = max(top + rows * cell_h, tall)
    picture = Image.new("L", (width, height), PAPER)
    pen = ImageDraw.Draw(picture)
    pen.text((0, 3), title, fill=INK, font=_font(14))
    for k in range(count):
        y = top + (k // columns) * cell_h
        pen.text((left + (k % columns) * cell_w + tile_w // 2, y), str(k + 1), fill=INK,
                 font=_font(11), anchor="mt")
    return np.asarray(picture)


def _write(sheet: np.ndarray, at: tuple[int, int], text: str, size: int) -> None:
    """One line of text written into a grey sheet, in place."""
    height = size + 6
    band = Image.fromarray(sheet[at[1]:at[1] + height])
    ImageDraw.Draw(band).text((at[0], 0), text, fill=INK, font=_font(size))
    sheet[at[1]:at[1] + height] = np.asarray(band)


def stacked(sheets: list[np.ndarray], gap: int = STACK_GAP) -> np.ndarray:
    """Pictures one under the other on white, left-aligned (grey, or RGB if any is)."""
    colour = any(s.ndim == 3 for s in sheets)
    if colour:
        sheets = [s if s.ndim == 3 else np.repeat(s[..., None], 3, axis=-1) for s in sheets]
    width = max(s.shape[1] for s in sheets)
    height = sum(s.shape[0] for s in sheets) + gap * (len(sheets) - 1)
    out = np.full((height, width, 3) if colour else (height, width), PAPER, np.uint8)
    top = 0
    for s in sheets:
        out[top:top + s.shape[0], :s.shape[1]] = s
        top += s.shape[0] + gap
    return out


def stacked_position(heights: list[int], y: int, gap: int = STACK_GAP
                     ) -> tuple[int, int] | None:
    """Which of the pictures ``stacked`` put one under the other (their ``heights``) row
    ``y`` falls in, and the row within it; None in a gap or below them."""
    top = 0
    for index, height in enumerate(heights):
        if top <= y < top + height:
            return index, y - top
        top += height + gap
    return None


def png(figure, dpi: float = 100, close: bool = True) -> bytes:
    """A drawn figure as PNG: a matplotlib figure (cropped to what is drawn unless it was laid
    out exactly, on white; closed afterwards unless ``close`` is false) or a picture (a uint8
    array)."""
    buffer = io.BytesIO()
    if isinstance(figure, np.ndarray):
        Image.fromarray(figure).save(buffer, "PNG")
        return buffer.getvalue()
    import matplotlib.pyplot as plt

    try:
        # Cropping to the drawn content costs a second drawing; figures laid out exactly
        # (``plots._Sheet``) have nothing to crop.
        crop = None if getattr(figure, "exact_layout", False) else "tight"
        figure.savefig(buffer, format="png", dpi=dpi, bbox_inches=crop, facecolor="white")
    finally:
        if close:
            plt.close(figure)
    return buffer.getvalue()


def picture(figure, dpi: float = 90) -> Image.Image:
    """A drawn figure as a Pillow picture (for a page that shows it)."""
    if isinstance(figure, np.ndarray):
        return Image.fromarray(figure)
    return Image.open(io.BytesIO(png(figure, dpi)))
