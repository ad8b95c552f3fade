"""Images embedded in a page as data URIs, so the page needs nothing beside it: drawings as
palette PNGs, photos as JPEGs, at the size they are shown."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .escape import esc

# Widest figure on the page in CSS pixels: a 1280-pixel screen minus margins.
MAX_WIDTH = 1060
PALETTE_COLOURS = 256  # drawings have flat colours; anti-aliasing needs a few shades more
NEAR_WHITE = 244  # palette colours this light (each of R, G, B) are drawn white
JPEG_QUALITY = 82


@dataclass(frozen=True)
class Embedded:
    """An encoded image, ready to be an ``<img>``."""

    data: bytes
    mime: str
    width: int
    height: int

    def tag(self, alt: str, css_class: str = "", title: str = "", display_width=None) -> str:
        width = display_width or self.width
        height = round(self.height * width / self.width)
        uri = f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"
        extra = f' class="{css_class}"' if css_class else ""
        extra += f' title="{esc(title)}"' if title else ""
        return f'<img src="{uri}" alt="{esc(alt)}" width="{width}" height="{height}"{extra}>'

    @property
    def size(self) -> int:
        return len(self.data) * 4 // 3  # as base64


def encode(image, photo: bool = False, max_width: int = MAX_WIDTH) -> Embedded:
    """A Pillow image for the page: at most ``max_width`` wide, a JPEG when ``photo`` (photos
    have too many colours for a palette), else a palette PNG (drawings, digits)."""
    from PIL import Image

    if image.width > max_width:
        image = image.resize((max_width, round(image.height * max_width / image.width)),
                             Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    if photo:
        image.convert("RGB").save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
        return Embedded(buffer.getvalue(), "image/jpeg", image.width, image.height)
    if image.mode not in ("L", "P"):
        image = image.convert("RGB").quantize(PALETTE_COLOURS, Image.Quantize.FASTOCTREE,
                                              dither=Image.Dither.NONE)
        image.putpalette(_white_kept(image.getpalette()))
    image.save(buffer, "PNG")
    return Embedded(buffer.getvalue(), "image/png", image.width, image.height)


def _white_kept(palette: list[int]) -> list[int]:
    """The octree averages white with the anti-aliasing around it into a faint grey, which
    shows as a box on a white page: colours that near white are made white again."""
    for i in range(0, len(palette), 3):
        if min(palette[i:i + 3]) >= NEAR_WHITE:
            palette[i:i + 3] = [255, 255, 255]
    return palette


def embed_file(path: Path, photo: bool = False, max_width: int = MAX_WIDTH) -> Embedded:
    """A PNG or JPEG file, re-encoded for the page. A damaged file raises ``ValueError``."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            image.load()
            return encode(image, photo, max_width)
    except (OSError, SyntaxError) as exc:  # Pillow's ways of saying "not an image"
        raise ValueError(f"{Path(path).name}: not a readable image ({exc})") from None


def embed_figure(fig, photo: bool = False, dpi: float = 100, max_width: int = MAX_WIDTH,
                 close: bool = True) -> Embedded:
    """A drawn figure (``pictures.png``: matplotlib, closed unless ``close`` is false, or a
    picture), at ``dpi``."""
    from PIL import Image

    from ..pictures import png

    with Image.open(io.BytesIO(png(fig, dpi, close))) as image:
        return encode(image, photo, max_width)


def embed_array(image: np.ndarray, photo: bool = False) -> Embedded:
    """An image (values 0–1, or uint8), grey or colour, at its own size: a page enlarges
    small ones with ``image-rendering: pixelated``, so they stay sharp and weigh little."""
    from PIL import Image

    pixels = np.asarray(image)
    if pixels.dtype != np.uint8:
        pixels = (np.clip(pixels, 0, 1) * 255).round().astype(np.uint8)
    if pixels.ndim == 3 and pixels.shape[-1] == 1:
        pixels = pixels[..., 0]
    picture = Image.fromarray(pixels)
    buffer = io.BytesIO()
    if photo and pixels.ndim == 3:
        picture.save(buffer, "JPEG", quality=JPEG_QUALITY)
        return Embedded(buffer.getvalue(), "image/jpeg", picture.width, picture.height)
    picture.save(buffer, "PNG")
    return Embedded(buffer.getvalue(), "image/png", picture.width, picture.height)
