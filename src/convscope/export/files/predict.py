"""Predict pictures with a network exported by convscope: ONNX Runtime, Pillow and NumPy only.

    pip install onnxruntime pillow numpy
    python predict.py my_picture.jpg [more.png ...]

It reads ``model.onnx`` and ``export.json`` beside it, prepares each picture the way
``convscope predict`` does (export.json's ``input.preparation``), and prints the class the
network gives with every class's probability: the same answer as ``convscope predict``.

A photo is turned upright, cropped to the network's aspect ratio, resized (bicubic) and scaled
to 0-1. A handwritten digit is prepared the way MNIST was made; ``digit_as_mnist`` below is
convscope's own preparation (``convscope/datasets/digits.py``) with SciPy's filters written
in NumPy.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import onnxruntime
from PIL import Image, ImageOps

HERE = Path(__file__).resolve().parent
SPEC = json.loads((HERE / "export.json").read_text(encoding="utf-8"))


def main(paths: list[str]) -> None:
    session = onnxruntime.InferenceSession(str(HERE / "model.onnx"))
    names = SPEC["class_names"]
    for path in paths:
        image = prepared(path)[None]  # a batch of one
        probabilities = session.run(None, {SPEC["input"]["name"]: image})[0][0]
        best = int(probabilities.argmax())
        others = "  ".join(f"{n}:{p:.3f}" for n, p in zip(names, probabilities, strict=True))
        print(f"{path}: {names[best]} ({probabilities[best]:.1%})   {others}")


def prepared(path: str) -> np.ndarray:
    """One picture as the network's input: (height, width, channels), float32 in 0-1."""
    spec = SPEC["input"]
    if spec["kind"] == "digit":
        return digit_as_mnist(grey(open_upright(path)))[..., None]
    return photo(path, spec["height"], spec["width"], spec["channels"])


def open_upright(path: str, draft_to: tuple[int, int] | None = None) -> Image.Image:
    """The picture decoded, EXIF orientation applied. ``draft_to`` (width, height): a large
    JPEG is decoded directly at 1/2, 1/4 or 1/8 of its size, as long as that still covers it
    (what convscope does when it reads photos)."""
    with Image.open(path) as img:
        if draft_to is not None and img.format == "JPEG":
            scale = max(draft_to[0] / img.size[0], draft_to[1] / img.size[1])
            if scale < 1:
                img.draft(img.mode if img.mode in ("L", "RGB") else None,
                          (max(1, round(img.size[0] * scale)),
                           max(1, round(img.size[1] * scale))))
        img.load()
        return ImageOps.exif_transpose(img)


def rgb(img: Image.Image) -> Image.Image:
    """8-bit RGB, transparent pixels over white paper."""
    if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
        paper = Image.new("RGBA", img.size, "white")
        img = Image.alpha_composite(paper, img.convert("RGBA"))
    return img.convert("RGB")


def photo(path: str, height: int, width: int, channels: int) -> np.ndarray:
    img = rgb(open_upright(path, draft_to=(width, height)))
    if channels == 1:
        img = img.convert("L")
    fitted = ImageOps.fit(img, (width, height), Image.BICUBIC)  # centre crop, then resize
    return np.asarray(fitted, np.float32).reshape(height, width, channels) / 255


def grey(img: Image.Image) -> np.ndarray:
    return np.asarray(rgb(img).convert("L"), np.float32)


# -- a handwritten digit, the way MNIST was made ---------------------------------------------

WORKING_SIDE, BOX, SIZE = 256, 20, 28
THINNEST, THICKEST, TARGET_WIDTH = 1.5, 4.5, 2.5
SPECK, EDGE_BAND = 0.04, 0.06
SOFT, THICK_PEN = 0.5, 0.5
FRAME, EVEN_FRAME = 0.02, 0.25


def digit_as_mnist(grey: np.ndarray) -> np.ndarray:
    """A (28, 28) float32 array, ink = 1, from grey levels 0-255."""
    grey = native(grey)
    h, w = grey.shape
    if max(h, w) > WORKING_SIDE:
        scale = WORKING_SIDE / max(h, w)
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        grey = np.asarray(Image.fromarray(grey, mode="F").resize(size, Image.BOX), np.float32)
    ink = ink_strength(grey)
    if not (ink > 0).any():
        raise ValueError("no ink found (the picture is blank or uniform)")
    ink = ink * digit_mask(ink)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    crop = normalise_stroke(ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1])
    h, w = crop.shape
    scale = BOX / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    digit = np.clip(np.asarray(Image.fromarray(crop.astype(np.float32), mode="F")
                               .resize(size, Image.LANCZOS)), 0.0, 1.0)
    return centre_by_mass(digit)


def native(grey: np.ndarray) -> np.ndarray:
    """A picture enlarged by repeating its pixels, back at its own resolution, then enlarged
    again smoothly (bicubic) to its size."""
    block = min(repeat(grey), repeat(grey.T))
    if block < 2:
        return grey
    h, w = grey.shape
    size = (max(1, round(w / block)), max(1, round(h / block)))
    small = Image.fromarray(grey, mode="F").resize(size, Image.BOX)
    return np.asarray(small.resize((w, h), Image.BICUBIC), np.float32)


def repeat(grey: np.ndarray) -> int:
    """How many times each row is repeated (1: not an enlarged picture)."""
    changes = np.flatnonzero(np.abs(np.diff(grey, axis=0)).max(axis=1) > 0.5) + 1
    if len(changes) < 6:
        return 1
    block = int(np.bincount(np.diff(changes)).argmax())
    on_grid = np.mean((changes - changes[0]) % block == 0) if block > 1 else 0.0
    return block if on_grid >= 0.9 else 1


def ink_strength(grey: np.ndarray) -> np.ndarray:
    """Ink as 0-1 (paper = 0); the paper's window widened for soft ink and felt pens."""
    dark = dark_ink(grey)
    size = max(5, round(0.2 * min(grey.shape)))
    widest = min(grey.shape) // 2
    wide = scaled(contrast(grey, dark, widest))
    if stroke_width(wide) > THICK_PEN * size:  # a felt pen's strokes, before the soft test
        return wide
    ink = scaled(contrast(grey, dark, size))
    reach = soft_width(ink)
    if reach > 0:
        soft = scaled(contrast(grey, dark, max(size, min(round(3 * reach), widest))))
        return soft if soft.any() else ink
    return ink


def dark_ink(grey: np.ndarray) -> bool:
    """Ink on the far side of the ground's level: the frame's where it is even, else the
    median's."""
    low, high = np.percentile(grey, [1, 99])
    band = max(1, round(FRAME * min(grey.shape)))
    frame = np.concatenate([grey[:band].ravel(), grey[-band:].ravel(),
                            grey[:, :band].ravel(), grey[:, -band:].ravel()])
    edge_low, edge, edge_high = np.percentile(frame, [10, 50, 90])
    if high - low >= 32 and edge_high - edge_low < EVEN_FRAME * (high - low):
        return bool(edge - low > high - edge)
    if min(grey.shape) >= 64:  # the light's changes across a photo taken away first
        grey = grey - gaussian(grey, min(grey.shape) / 6)
    low, median, high = np.percentile(grey, [1, 50, 99])
    if high - low >= 32:
        return bool(median - low > high - median)
    return bool(np.clip(median - grey, 0, None).sum() > np.clip(grey - median, 0, None).sum())


def contrast(grey: np.ndarray, dark: bool, size: int) -> np.ndarray:
    """The ink's contrast against the paper around it, relative to the paper for dark ink."""
    ground = background(grey, dark, size)
    smooth = gaussian(ground, max(1.25, 0.05 * min(ground.shape)))
    if dark:
        paper = np.minimum(ground, smooth)
        return 255.0 * np.clip(paper - grey, 0, None) / np.maximum(paper, 1.0)
    return grey - np.maximum(ground, smooth)


def scaled(ink: np.ndarray) -> np.ndarray:
    """Contrast as 0-1 of the strongest ink; all 0 where none stands out of the noise."""
    strongest = max(float(window(ink, (1, 2), np.min).max()),
                    float(window(ink, (2, 1), np.min).max()))
    noise = 1.4826 * np.median(np.abs(ink - np.median(ink)))
    if strongest < max(16.0, 6 * noise):
        return np.zeros_like(ink)
    low_ink = 0.25 * strongest
    return np.clip((ink - low_ink) / (strongest - low_ink), 0.0, 1.0).astype(np.float32)


def background(grey: np.ndarray, dark: bool, size: int) -> np.ndarray:
    """The paper's level: a grey closing (or opening) wider than the strokes."""
    if min(grey.shape) < 64:
        return np.full_like(grey, float(np.median(grey)))
    first, then = (np.max, np.min) if dark else (np.min, np.max)
    return window(window(grey, (size, size), first), (size, size), then)


def window(a: np.ndarray, size: tuple[int, int], reduce) -> np.ndarray:
    """SciPy's maximum_filter / minimum_filter (``reduce``: np.max or np.min), mode
    'reflect': one axis after the other."""
    for axis, k in enumerate(size):
        if k > 1:
            pad = [(0, 0), (0, 0)]
            pad[axis] = (k // 2, k - 1 - k // 2)
            padded = np.pad(a, pad, mode="symmetric")
            a = reduce(np.lib.stride_tricks.sliding_window_view(padded, k, axis=axis), axis=-1)
    return a


def gaussian(a: np.ndarray, sigma: float) -> np.ndarray:
    """SciPy's gaussian_filter (truncated at 4 sigma, mode 'reflect'), axis by axis."""
    radius = int(4.0 * sigma + 0.5)
    x = np.arange(-radius, radius + 1)
    weights = np.exp(-0.5 / sigma**2 * x**2)
    weights /= weights.sum()
    for axis in (0, 1):
        pad = [(0, 0), (0, 0)]
        pad[axis] = (radius, radius)
        padded = np.pad(a.astype(np.float64), pad, mode="symmetric")
        views = np.lib.stride_tricks.sliding_window_view(padded, 2 * radius + 1, axis=axis)
        a = (views @ weights).astype(a.dtype)
    return a


def components(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """Pieces of touching pixels (8 neighbours), numbered from 1 in reading order."""
    labels = np.zeros(mask.shape, np.int32)
    h, w = mask.shape
    count = 0
    for start in zip(*np.nonzero(mask), strict=True):
        if labels[start]:
            continue
        count += 1
        labels[start] = count
        todo = [start]
        while todo:
            y, x = todo.pop()
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    v, u = y + dy, x + dx
                    if 0 <= v < h and 0 <= u < w and mask[v, u] and not labels[v, u]:
                        labels[v, u] = count
                        todo.append((v, u))
    return labels, count


def digit_mask(ink: np.ndarray) -> np.ndarray:
    """The digit's ink: specks and lines along the edges dropped; several digits refused."""
    labels, count = components(ink > 0)
    if count <= 1:
        return labels > 0
    flat = labels.ravel()
    mass = np.bincount(flat, weights=ink.ravel().astype(np.float64), minlength=count + 1)[1:]
    h, w = ink.shape
    keep = mass >= SPECK * mass.max()
    band = max(2, round(EDGE_BAND * min(h, w)))
    near_edge = np.zeros_like(ink, dtype=bool)
    near_edge[:band], near_edge[-band:], near_edge[:, :band], near_edge[:, -band:] = (True,) * 4
    on_edge = (np.bincount(flat, weights=near_edge.ravel(), minlength=count + 1)[1:]
               / np.bincount(flat, minlength=count + 1)[1:])
    boxes = []
    for i in range(count):
        ys, xs = np.nonzero(labels == i + 1)
        y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        boxes.append((y0, y1, x0, x1))
        long_thin = ((y1 - y0 > 0.8 * h and x1 - x0 < 0.1 * w)
                     or (x1 - x0 > 0.8 * w and y1 - y0 < 0.1 * h))
        touches = y0 == 0 or x0 == 0 or y1 == h or x1 == w
        if touches and (long_thin or on_edge[i] > 0.5):
            keep[i] = False
    if not keep.any():
        keep[np.argmax(mass)] = True
    refuse_several_digits([boxes[i] for i in np.flatnonzero(keep)], mass[keep])
    return np.isin(labels, np.flatnonzero(keep) + 1)


def refuse_several_digits(boxes, mass) -> None:
    """Pieces whose columns overlap are one digit; two tall, inky groups apart are two."""
    groups: list[list] = []
    for x0, x1, y0, y1, m in sorted((b[2], b[3], b[0], b[1], m)
                                    for b, m in zip(boxes, mass, strict=True)):
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
        raise ValueError(f"{len(digits)} digits side by side; crop the picture to one digit")


def distance_to_paper(mask: np.ndarray) -> np.ndarray:
    """Each ink pixel's Euclidean distance to the nearest paper pixel (SciPy's
    distance_transform_edt), column by column, then row by row."""
    far = np.where(mask, np.inf, 0.0)

    def along_columns(a: np.ndarray) -> np.ndarray:  # min over k of a[k, j] + (i - k)²
        n = a.shape[0]
        steps = (np.arange(n)[:, None] - np.arange(n)[None, :]) ** 2.0
        return np.stack([np.min(column[None, :] + steps, axis=1) for column in a.T], axis=1)

    across = along_columns(along_columns(far).T).T
    return np.sqrt(across)


def stroke_width(ink: np.ndarray) -> float:
    mask = ink > 0.5
    if not mask.any():
        return 0.0
    distance = distance_to_paper(np.pad(mask, 1))[1:-1, 1:-1]
    ridge = mask & (distance >= window(distance, (3, 3), np.max))
    return float(2 * np.median(distance[ridge]))


def edge_width(ink: np.ndarray, width: float) -> float:
    """The ink's edges' typical width in pixels: about 2 when sharp, more when blurred."""
    if min(ink.shape) < 3:
        return 0.0
    reach = 2 * max(1, round(width)) + 1
    peak = window(ink, (reach, reach), np.max)
    rows, cols = np.gradient(ink)
    slope = np.hypot(rows, cols)
    edge = (ink > 0.25 * peak) & (ink < 0.75 * peak) & (slope > 1e-3) & (peak > 0.2)
    return float(np.median(peak[edge] / slope[edge])) if edge.any() else 0.0


def soft_width(ink: np.ndarray) -> float:
    """How far soft ink reaches beyond its strokes' middle; 0 for sharp ink."""
    width = stroke_width(ink)
    edge = edge_width(ink, width)
    return width / 2 + edge if edge > SOFT * width else 0.0


def normalise_stroke(crop: np.ndarray) -> np.ndarray:
    """Hairlines thickened and blobs thinned towards MNIST's stroke width; soft ink kept."""
    scale = BOX / max(crop.shape)
    width = stroke_width(crop) * scale
    if THINNEST <= width <= THICKEST or width == 0:
        return crop
    if width > THICKEST and edge_width(crop, width / scale) > SOFT * width / scale:
        return crop
    radius = round(abs(TARGET_WIDTH - width) / 2 / scale)
    if radius < 1:
        return crop
    if width < THINNEST:
        return disk_filter(np.pad(crop, radius), radius, np.max)
    thinner = disk_filter(crop, radius, np.min)
    return thinner if thinner.max() > 0 else crop


def disk_filter(a: np.ndarray, radius: int, reduce) -> np.ndarray:
    """SciPy's grey_dilation (np.max) or grey_erosion (np.min) with a disk, mode 'reflect'."""
    padded = np.pad(a, radius, mode="symmetric")
    h, w = a.shape
    shifts = [padded[radius + dy:radius + dy + h, radius + dx:radius + dx + w]
              for dy in range(-radius, radius + 1) for dx in range(-radius, radius + 1)
              if dy * dy + dx * dx <= radius * radius]
    return reduce(np.stack(shifts), axis=0)


def centre_by_mass(digit: np.ndarray) -> np.ndarray:
    h, w = digit.shape
    total = digit.sum()
    cy = (digit.sum(axis=1) * np.arange(h)).sum() / total
    cx = (digit.sum(axis=0) * np.arange(w)).sum() / total
    top = int(np.clip(round(SIZE / 2 - cy), 0, SIZE - h))
    left = int(np.clip(round(SIZE / 2 - cx), 0, SIZE - w))
    field = np.zeros((SIZE, SIZE), dtype=np.float32)
    field[top:top + h, left:left + w] = digit
    return field


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
