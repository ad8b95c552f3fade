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
