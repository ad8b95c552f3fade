"""Plots: the image grids drawn on one sheet (complete, inside the figure, nothing
overlapping), and learning curves."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from matplotlib.colors import to_rgba
from PIL import Image

from convscope import pictures, plots
from convscope.figures import shortened as _shortened
from convscope.words import Words

DIGITS = [str(i) for i in range(10)]
CIFAR = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
         "truck"]


def _extents(fig):
    """Window extents (pixels) of every text and every image drawn in ``fig``."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    texts = [t.get_window_extent(renderer) for t in ax.texts if t.get_text()]
    images = [im.get_window_extent(renderer) for im in ax.images]
    return texts, images


def _assert_laid_out(fig):
    """Every text and image inside the figure, no text over an image or another text."""
    texts, images = _extents(fig)
    frame = fig.bbox
    for box in texts + images:
        assert frame.x0 - 0.5 <= box.x0 and box.x1 <= frame.x1 + 0.5, box
        assert frame.y0 - 0.5 <= box.y0 and box.y1 <= frame.y1 + 0.5, box
    for a, b in itertools.combinations(texts + images, 2):
        overlap = min(a.x1, b.x1) - max(a.x0, b.x0), min(a.y1, b.y1) - max(a.y0, b.y0)
        assert min(overlap) <= 0.5, (a, b)


@pytest.mark.parametrize("names,shape,n,captions", [
    (DIGITS, (28, 28, 1), 12, None),
    (CIFAR, (32, 32, 3), 12, [f"test #{i * 731}" for i in range(12)]),  # names drawn upwards
    (["cats", "dogs"], (64, 48, 3), 5, None),  # portrait photos, two classes
    (["golden_retriever_dogs", "labrador_retriever_dogs"], (48, 64, 3), 1, ["test #7"]),
])
def test_predictions_draw_each_probability_vector(names, shape, n, captions):
    rng = np.random.default_rng(0)
    k = len(names)
    probs = rng.dirichlet(np.full(k, 0.3), n)
    labels = rng.integers(0, k, n)
    fig = plots.predictions(rng.random((n, *shape)), probs, labels, names, Words("en"),
                            "Test images and their predicted probabilities", captions=captions)
    ax = fig.axes[0]
    assert len(fig.axes) == 1 and len(ax.images) == n
    bars = ax.containers[0].patches
    assert len(bars) == n * k
    heights = np.array([b.get_height() for b in bars]).reshape(n, k)
    np.testing.assert_allclose(heights / heights.sum(axis=1, keepdims=True), probs, rtol=1e-6)
    for i in range(n):  # the prediction coloured (blue right, red wrong), the truth outlined
        pred, truth = int(np.argmax(probs[i])), int(labels[i])
        for c in range(k):
            bar = bars[i * k + c]
            expected = ("#1f77b4" if pred == truth else "crimson") if c == pred else "#bbbbbb"
            assert bar.get_facecolor() == to_rgba(expected)
            assert bar.get_edgecolor() == to_rgba("black" if c == truth else "none")
    heads = [t.get_text() for t in ax.texts]
    wrong = int(np.sum(np.argmax(probs, axis=1) != labels))
    assert sum("\ntrue: " in h for h in heads) == wrong
    upright = [t for t in ax.texts if t.get_text() in names and t.get_rotation() == 90]
    assert len(upright) == (0 if names in (DIGITS, ["cats", "dogs"]) else n * k)
    _assert_laid_out(fig)


@pytest.mark.parametrize("n", [1, 8])
def test_image_grid_captions_fit_their_cells(n):
    rng = np.random.default_rng(0)
    captions = [f"{_shortened(f'holiday_photo_{i}_' + 'x' * 30 + '.jpg')}\ntrue "
                f"golden_retriever, predicted labrador_retriever\nP(golden_retriever) = 0.{i:02d}"
                for i in range(n)]
    fig = plots.image_grid(rng.random((n, 64, 64, 3)), captions, max_cols=6,
                           title="Misclassified test photos, most confident first (123 in all)")
    assert len(fig.axes[0].images) == n
    _assert_laid_out(fig)


def test_exact_figures_are_saved_uncropped(tmp_path):
    """A sheet is laid out to the inch: saved whole, without a second drawing to crop it."""
    fig = plots.image_grid(np.zeros((3, 28, 28, 1)), ["0", "1", "2"], title="Digits")
    width, height = fig.get_size_inches()
    path = tmp_path / "grid.png"
    path.write_bytes(pictures.png(fig, dpi=100))
    assert Image.open(path).size == (round(width * 100), round(height * 100))


def test_long_file_names_are_shortened_in_the_middle():
    assert _shortened("cat.12.jpg") == "cat.12.jpg"
    short = _shortened("IMG_20240512_183455_HDR_portrait_mode.jpg")
    assert len(short) == 28 and short.startswith("IMG_2024") and short.endswith("mode.jpg")


def test_learning_curves_drop_markers_on_long_runs():
    """Markers on each epoch read well for the course's 5–40 epochs, not for 200."""

    def history(n):
        return [{"epoch": e, "accuracy": 0.5, "test_accuracy": 0.5 + e / 1000, "loss": 1.0,
                 "test_loss": 1.0} for e in range(1, n + 1)]

    short = plots.learning_curves(history(10), Words("en"), "short")
    long = plots.learning_curves(history(200), Words("en"), "long")
    assert short.axes[0].lines[0].get_marker() == "o"
    assert long.axes[0].lines[0].get_marker() in ("None", None, "")


@pytest.mark.parametrize("shape, image", [((26, 26, 32), None), ((13, 13, 64), None),
                                          ((11, 11, 10), (28, 28, 1)), ((5, 5, 3), (32, 32, 3))])
def test_a_click_on_a_sheet_finds_the_map_and_value_it_shows(shape, image):
    """Each map drawn a different constant, each value of map 0 another: the pixel at the
    centre of a value's square on the drawn sheet maps back to (map, row, col)."""
    height, width, count = shape
    maps = np.zeros(shape, np.float32) + np.arange(count, dtype=np.float32)
    maps[..., 0] = np.arange(height * width).reshape(height, width) / (height * width)
    picture = None if image is None else np.full(image, 0.5, np.float32)
    sheet = pictures.maps_sheet(maps, "Layer 1 — title", "one scale", picture)
    tile_h = pictures.SheetLayout.of(shape).tile_h
    layout = pictures.SheetLayout.of(shape, True, None if picture is None
                                     else pictures._shown(picture, tile_h).shape)
    assert sheet.shape[0] == layout.height
    grey = sheet if sheet.ndim == 2 else sheet[..., 0]
    low, high = float(maps.min()), float(maps.max())
    for k, row, col in [(0, 0, 0), (0, height - 1, width - 1), (0, height // 2, 1),
                        (count - 1, 2, 3), (count // 2, height - 1, 0)]:
        y, x = layout.corner(k)
        y += row * layout.factor + layout.factor // 2
        x += col * layout.factor + layout.factor // 2
        assert pictures.sheet_position(shape, x, y, True, image) == (k, row, col)
        expected = (maps[row, col, k] - low) * 255 / (high - low)
        assert abs(int(grey[y, x]) - expected) <= 1  # the pixel does show that value
    first_y, first_x = layout.corner(0)
    off = [(first_x + layout.tile_w + 1, first_y + 2),  # the gap right of map 1
           (first_x + 2, first_y - 3),  # map 1's number
           (5, 5),  # the title
           (first_x + 2, first_y + layout.tile_h + 1)]  # the gap under map 1
    if count % layout.columns:  # where a next map would be, at the end of the last row
        y, x = layout.corner(count)
        off.append((x + 2, y + 2))
    for x, y in off:
        assert pictures.sheet_position(shape, x, y, True, image) is None
    if image is not None:  # the input on the left is not a map
        assert pictures.sheet_position(shape, 3, layout.top + 20, True, image) is None


def test_a_row_of_a_stack_is_found_in_its_picture():
    sheets = [np.zeros((30, 40), np.uint8), np.zeros((50, 20), np.uint8)]
    stack = pictures.stacked(sheets)
    assert stack.shape[0] == 30 + pictures.STACK_GAP + 50
    assert pictures.stacked_position([30, 50], 0) == (0, 0)
    assert pictures.stacked_position([30, 50], 29) == (0, 29)
    assert pictures.stacked_position([30, 50], 30) is None  # the gap
    assert pictures.stacked_position([30, 50], 30 + pictures.STACK_GAP + 7) == (1, 7)
    assert pictures.stacked_position([30, 50], stack.shape[0]) is None
