"""One handwritten digit's picture prepared the way MNIST was made.

MNIST's recipe: grey levels, light ink on a black background, the ink cropped and fitted into
a 20×20 box (aspect ratio kept), then placed in a 28×28 field so that its centre of mass is at
the centre. A photo or a drawing needs more before that recipe applies, in this order:

1. **Ink and paper.** The paper is whatever the ink is not: the side of the grey levels the
   median pixel is on, or the picture's frame where it is of one even level (a felt pen's
   digit may hold more ink than paper). A dark-on-light photo is inverted so that ink is
   bright.
2. **Uneven light.** Photos of paper are lit unevenly and cross shadows. The paper's own level
   is estimated by a grey *closing* (a maximum, then a minimum filter) wider than any pen
   stroke: it erases the strokes and keeps light gradients and shadow edges; the ink is then
   measured relative to the paper around it.
3. **Specks and borders.** Pieces of ink far lighter than the main stroke (dust, grain, JPEG
   blocks) and lines along the picture's edge (a sheet's border, a table) are dropped; two
   digits side by side are refused rather than read as one.
4. **Stroke width.** MNIST's strokes are 2–3 pixels wide in the 20-pixel box. A hairline from
   a fine pen on a large photo would shrink to nothing, and a mouse drawing's strokes fill the
   box: both are brought back towards MNIST's width before the fit.

Soft ink (a blurred or out-of-focus digit, a thumbnail enlarged) is kept whole, grey levels and
mass, as MNIST's own blurred digits are: whether ink is soft is read from the picture, its
edges' width against its strokes' width (``soft_width``). Soft ink gets a paper window wide
enough for its faint sides (else its middle or sides count as paper and an outline is left),
and it is not thinned (its width is the blur's, not the pen's). A picture enlarged by repeating
pixels is first brought back to its own resolution, so that its blocks' corners are not read
as sharp edges, and enlarged again smoothly.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from ..errors import DataError

MNIST_SIZE = 28
MNIST_BOX = 20
# The longest side a picture is reduced to before anything else: ample for a 20-pixel box,
# and it keeps the filters fast on a 12-megapixel photo.
WORKING_SIDE = 256
# Stroke widths in 20-box pixels: MNIST's are about 2–3; outside this range they are changed.
THINNEST, THICKEST, TARGET_WIDTH = 1.5, 4.5, 2.5
SPECK = 0.04  # pieces with less ink than this fraction of the largest piece are dropped
EDGE_BAND = 0.06  # the border band, as a fraction of the picture's shorter side
SOFT = 0.5  # ink whose edges are wider than this fraction of its strokes is soft
THICK_PEN = 0.5  # strokes wider than this fraction of the paper's window are a felt pen's
FRAME = 0.02  # the picture's frame, as a fraction of its shorter side
EVEN_FRAME = 0.25  # a frame whose levels spread less than this fraction of the picture's is even


def digit_as_mnist(image, source: str = "image") -> np.ndarray:
    """An MNIST-style (28, 28) float32 array in [0, 1] (ink = 1) from one digit's picture
    (a Pillow image of any mode, or an array of grey levels 0–255)."""
    from .images import to_grey

    grey = _reduced(_native(to_grey(image)))
    ink = ink_strength(grey)
    if not (ink > 0).any():
        raise DataError(f"{source}: no ink found (the image is blank or uniform)")
    ink = ink * digit_mask(ink, source)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    crop = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    crop = _normalise_stroke(crop)
    return _centre_by_mass(_fit_in_box(crop, MNIST_BOX), MNIST_SIZE)


def _native(grey: np.ndarray) -> np.ndarray:
    """A picture enlarged by repeating its pixels (a thumbnail zoomed in by a viewer) as the
    same picture enlarged smoothly: its blocks hold one pixel's worth of detail each, so it is
    brought back to its own resolution, then enlarged again (bicubic) to its size. A stroke
    then has the soft edges and the width in pixels of a smoothly enlarged one, which the
    preparation reads whole, rather than the few grey pixels of a thumbnail."""
    block = min(_repeat(grey), _repeat(grey.T))
    if block < 2:
        return grey
    h, w = grey.shape
    size = (max(1, round(w / block)), max(1, round(h / block)))
    small = Image.fromarray(grey, mode="F").resize(size, Image.BOX)
    return np.asarray(small.resize((w, h), Image.BICUBIC), np.float32)


def _repeat(grey: np.ndarray) -> int:
    """How many times each row is repeated: the spacing of the rows that change, when nearly
    all of them fall on one grid; 1 otherwise."""
    changes = np.flatnonzero(np.abs(np.diff(grey, axis=0)).max(axis=1) > 0.5) + 1
    if len(changes) < 6:
        return 1
    block = int(np.bincount(np.diff(changes)).argmax())
    on_grid = np.mean((changes - changes[0]) % block == 0) if block > 1 else 0.0
    return block if on_grid >= 0.9 else 1


def _reduced(grey: np.ndarray) -> np.ndarray:
    h, w = grey.shape
    if max(h, w) <= WORKING_SIDE:
        return grey
    scale = WORKING_SIDE / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return np.asarray(Image.fromarray(grey, mode="F").resize(size, Image.BOX), np.float32)


def ink_strength(grey: np.ndarray) -> np.ndarray:
    """Ink as 0–1 (paper = 0), ink bright whatever its colour on the picture.

    The paper's level is taken over a window wider than the strokes; a stroke wider than the
    window would keep only its outline (the window would take its middle for paper). Two
    kinds of ink need a wider one: soft ink (blurred, enlarged from a few pixels), whose faint
    sides reach out over its edges' width, and a felt pen's strokes, thicker than the usual
    window."""
    dark = _dark_ink(grey)
    size = _ground_size(grey)
    widest = min(grey.shape) // 2
    # A felt pen's strokes come first: the usual window leaves blocks of their middle as
    # paper, a broken ink whose edges would read as soft.
    wide = _scaled(_contrast(grey, dark, widest))
    if stroke_width(wide) > THICK_PEN * size:
        return wide
    ink = _scaled(_contrast(grey, dark, size))
    reach = soft_width(ink)
    if reach > 0:
        soft = _scaled(_contrast(grey, dark, max(size, min(round(3 * reach), widest))))
        # Ink over most of a small picture leaves the wider window too little paper to tell
        # ink from noise: the usual window's reading stands.
        return soft if soft.any() else ink
    return ink


def _contrast(grey: np.ndarray, dark: bool, size: int) -> np.ndarray:
    """The ink's contrast against the ground around it, in grey levels."""
    ground = _background(grey, dark_ink=dark, size=size)
    if dark:
        # Dark ink on lighter paper. Light reflected by the paper and by the ink both scale
        # with the light falling on them, so the ink's contrast is taken relative to the
        # paper around it: the same in the light and in a shadow.
        # Smoothing spills the lit paper's level over a shadow's edge, where the shaded paper
        # would then read as ink: the paper is never taken lighter than the closing found it.
        paper = np.minimum(ground, _smooth(ground))
        return 255.0 * np.clip(paper - grey, 0, None) / np.maximum(paper, 1.0)
    # light ink (chalk, a scan of MNIST) on a dark ground: its light adds
    return grey - np.maximum(ground, _smooth(ground))


def _scaled(ink: np.ndarray) -> np.ndarray:
    """Contrast as 0–1 of the strongest ink; all 0 where no ink stands out of the noise."""
    from scipy import ndimage

    # The strongest ink, ignoring single noisy pixels: a stroke, however thin, keeps its level
    # over two pixels in a row, across or down.
    strongest = max(float(ndimage.minimum_filter(ink, size=(1, 2)).max()),
                    float(ndimage.minimum_filter(ink, size=(2, 1)).max()))
    # Less contrast than this is noise or grain, not writing: 16 grey levels, and six times
    # the spread of the ground's own noise.
    noise = 1.4826 * np.median(np.abs(ink - np.median(ink)))
    if strongest < max(16.0, 6 * noise):
        return np.zeros_like(ink)
    # What is left within a quarter of the way to the strongest ink counts as paper too
    # (grain, faint shadows, JPEG noise).
    low_ink = 0.25 * strongest
    return np.clip((ink - low_ink) / (strongest - low_ink), 0.0, 1.0).astype(np.float32)


def _dark_ink(grey: np.ndarray) -> bool:
    """Whether the ink is darker than the ground: on the far side of the ground's level from
    the picture's darker or its lighter end. The ground's level is the picture's frame where
    the frame is of one even level (paper all round: a digit may cover most of its picture, a
    felt pen's more than half), else the median (a photo's frame may hold a table, a shadow,
    a dark corner). When the ink is too little to reach the 1st or 99th percentile (a hairline
    on a large sheet), the lopsided departures from the median decide: noise spreads evenly,
    ink only one way."""
    low, high = np.percentile(grey, [1, 99])
    frame = _frame(grey)
    edge_low, edge, edge_high = np.percentile(frame, [10, 50, 90])
    if high - low >= 32 and edge_high - edge_low < EVEN_FRAME * (high - low):
        return bool(edge - low > high - edge)
    if min(grey.shape) >= 64:
        from scipy import ndimage

        # Light changing across a photo (a lamp, a lens's dark corners) would spread the
        # ground's levels as wide as the ink's: it is taken away first, at a scale far wider
        # than a stroke.
        grey = grey - ndimage.gaussian_filter(grey, min(grey.shape) / 6)
    low, median, high = np.percentile(grey, [1, 50, 99])
    if high - low >= 32:
        return bool(median - low > high - median)
    return bool(np.clip(median - grey, 0, None).sum() > np.clip(grey - median, 0, None).sum())


def _frame(grey: np.ndarray) -> np.ndarray:
    """The levels of the picture's outermost rows and columns (2 % of its shorter side)."""
    band = max(1, round(FRAME * min(grey.shape)))
    return np.concatenate([grey[:band].ravel(), grey[-band:].ravel(),
                           grey[:, :band].ravel(), grey[:, -band:].ravel()])


def _background(grey: np.ndarray, dark_ink: bool, size: int) -> np.ndarray:
    """The ground's level at each pixel, the strokes erased.

    A grey closing (for dark ink) or opening (for light ink) wider than the strokes removes
    them, whatever their direction, and keeps the light's gradients and shadow edges. Small
    pictures, like MNIST's own, are taken to be evenly lit.
    """
    from scipy import ndimage

    h, w = grey.shape
    if min(h, w) < 64:
        return np.full_like(grey, float(np.median(grey)))
    first, then = ((ndimage.maximum_filter, ndimage.minimum_filter) if dark_ink
                   else (ndimage.minimum_filter, ndimage.maximum_filter))
    return then(first(grey, size=size), size=size)


def _ground_size(grey: np.ndarray) -> int:
    """Wider than any stroke, narrower than the light's changes."""
    return max(5, round(0.2 * min(grey.shape)))


def _smooth(ground: np.ndarray) -> np.ndarray:
    """A closing or opening is blocky; the light it stands for is smooth."""
    from scipy import ndimage

    # Evenly lit paper (a drawing on a canvas, a clean scan) is one level: smoothing it
    # changes nothing and would cost most of a drawing's preparation.
    if ground.min() == ground.max():
        return ground
    return ndimage.gaussian_filter(ground, sigma=max(1.25, 0.05 * min(ground.shape)))


def digit_mask(ink: np.ndarray, source: str = "image") -> np.ndarray:
    """Which ink belongs to the digit: specks and lines along the edges dropped; a DataError
    when the picture holds several digits side by side."""
    from scipy import ndimage

    labels, count = ndimage.label(ink > 0, structure=np.ones((3, 3)))
    if count <= 1:
        return labels > 0
    index = np.arange(1, count + 1)
    mass = np.asarray(ndimage.sum(ink, labels, index))
    boxes = ndimage.find_objects(labels)
    h, w = ink.shape
    keep = mass >= SPECK * mass.max()
    # The edges of a sheet, a table around it, a dark corner: ink lying mostly along the
    # picture's border is not the digit's.
    band = max(2, round(EDGE_BAND * min(h, w)))
    near_edge = np.zeros_like(ink, dtype=bool)
    near_edge[:band], near_edge[-band:], near_edge[:, :band], near_edge[:, -band:] = (True,) * 4
    on_edge = np.asarray(ndimage.mean(near_edge, labels, index))
    for i, (rows, cols) in enumerate(boxes):
        height, width = rows.stop - rows.start, cols.stop - cols.start
        long_thin = (height > 0.8 * h and width < 0.1 * w) or (width > 0.8 * w and height < 0.1 * h)
        touches = rows.start == 0 or cols.start == 0 or rows.stop == h or cols.stop == w
        if touches and (long_thin or on_edge[i] > 0.5):
            keep[i] = False
    if not keep.any():
        keep[np.argmax(mass)] = True
    _refuse_several_digits([boxes[i] for i in np.flatnonzero(keep)], mass[keep], source)
    return np.isin(labels, index[keep])


def _refuse_several_digits(boxes, mass: np.ndarray, source: str) -> None:
    """Pieces whose columns overlap belong to one digit (a 5's bar, a crossed 7, an open 4);
    two groups apart, each tall and inky, are two digits."""
    spans = sorted(zip([b[1].start for b in boxes], [b[1].stop for b in boxes],
                       [b[0].start for b in boxes], [b[0].stop for b in boxes], mass, strict=True))
    groups: list[list] = []
    for x0, x1, y0, y1, m in spans:
        if groups and x0 < groups[-1][1]:
            g = groups[-1]
            g[1], g[2], g[3], g[4] = max(g[1], x1), min(g[2], y0), max(g[3], y1), g[4] + m
        else:
            groups.append([x0, x1, y0, y1, m])
    if len(groups) < 2:
        return
    tallest = max(g[3] - g[2] for g in groups)
    total = sum(g[4] for g in groups)
    digits = [g for g in groups if g[3] - g[2] >= 0.5 * tallest and g[4] >= 0.15 * total]
    if len(digits) >= 2:
        raise DataError(f"{source}: {len(digits)} digits side by side; crop the picture to "
                        "one digit")


def stroke_width(ink: np.ndarray) -> float:
    """The typical width of the strokes, in pixels: twice the distance from the middle of a
    stroke to its edge."""
    from scipy import ndimage

    mask = ink > 0.5
    if not mask.any():
        return 0.0
    distance = ndimage.distance_transform_edt(np.pad(mask, 1))[1:-1, 1:-1]
    ridge = mask & (distance >= ndimage.maximum_filter(distance, size=3))
    return float(2 * np.median(distance[ridge]))


def edge_width(ink: np.ndarray, width: float) -> float:
    """The typical width of the ink's edges, in pixels: the strength of the stroke nearby
    over the slope at its edge; about 2 for sharp ink, more for blurred ink. ``width`` is the
    strokes' width, the reach of "nearby"."""
    from scipy import ndimage

    if min(ink.shape) < 3:
        return 0.0
    peak = ndimage.maximum_filter(ink, size=2 * max(1, round(width)) + 1)
    rows, cols = np.gradient(ink)
    slope = np.hypot(rows, cols)
    edge = (ink > 0.25 * peak) & (ink < 0.75 * peak) & (slope > 1e-3) & (peak > 0.2)
    return float(np.median(peak[edge] / slope[edge])) if edge.any() else 0.0


def soft_width(ink: np.ndarray) -> float:
    """How far soft ink's strokes reach beyond their middle, in pixels (their half-width
    and their edges' width); 0 for sharp ink."""
    width = stroke_width(ink)
    edge = edge_width(ink, width)
    return width / 2 + edge if edge > SOFT * width else 0.0


def _normalise_stroke(crop: np.ndarray) -> np.ndarray:
    """Thicken hairlines and thin blobs towards MNIST's stroke width (in the 20-pixel box)."""
    from scipy import ndimage

    scale = MNIST_BOX / max(crop.shape)
    width = stroke_width(crop) * scale
    if THINNEST <= width <= THICKEST or width == 0:
        return crop
    # A soft stroke is thick by its blur, not by its pen: thinning would cut it to a thin
    # core and lose its mass.
    if width > THICKEST and edge_width(crop, width / scale) > SOFT * width / scale:
        return crop
    radius = round(abs(TARGET_WIDTH - width) / 2 / scale)
    if radius < 1:
        return crop
    disk = np.add.outer(np.arange(-radius, radius + 1) ** 2,
                        np.arange(-radius, radius + 1) ** 2) <= radius * radius
    if width < THINNEST:
        padded = np.pad(crop, radius)
        return ndimage.grey_dilation(padded, footprint=disk)
    thinner = ndimage.grey_erosion(crop, footprint=disk)
    return thinner if thinner.max() > 0 else crop


def _fit_in_box(crop: np.ndarray, box: int) -> np.ndarray:
    """Resize so the longer side is ``box`` pixels, keeping the aspect ratio."""
    h, w = crop.shape
    scale = box / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    resized = Image.fromarray(crop.astype(np.float32), mode="F").resize(size, Image.LANCZOS)
    return np.clip(np.asarray(resized), 0.0, 1.0)


def _centre_by_mass(digit: np.ndarray, size: int) -> np.ndarray:
    """Place ``digit`` in a size×size field with its centre of mass at (size/2, size/2)."""
    h, w = digit.shape
    total = digit.sum()
    cy = (digit.sum(axis=1) * np.arange(h)).sum() / total
    cx = (digit.sum(axis=0) * np.arange(w)).sum() / total
    top = int(np.clip(round(size / 2 - cy), 0, size - h))
    left = int(np.clip(round(size / 2 - cx), 0, size - w))
    field = np.zeros((size, size), dtype=np.float32)
    field[top:top + h, left:left + w] = digit
    return field
