"""The drawings of what the network sees (the course's §4): one filter across many images,
the learned kernels, Grad-CAM over an image, a user's picture beside what the network received,
and the network's block diagram. Feature maps are ``pictures.maps_sheet``'s.

Like ``plots``, each function takes arrays and the page's ``words`` and returns a matplotlib
Figure.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np

from .plots import grid_shape, show_image


def filter_across_images(images: np.ndarray, responses: np.ndarray, kernel: np.ndarray | None,
                         words, title: str, captions=None):
    """One filter on many images: each image above the filter's output for it; kernel beside."""
    n = len(images)
    cols = min(n, 8)
    rows = -(-n // cols)
    fig = plt.figure(figsize=(1.6 * cols + 2.4, 3.3 * rows + 0.6))
    grid = fig.add_gridspec(2 * rows, cols + 2, width_ratios=[1.6, 0.25] + [1] * cols)
    if kernel is not None:
        ax = fig.add_subplot(grid[0:2, 0])
        _draw_kernel(ax, kernel, numbers=kernel.shape[0] * kernel.shape[1] <= 25)
        ax.set_title(words("fig_kernel_summed" if kernel.ndim == 3 and kernel.shape[-1] > 1
                           else "fig_kernel"), fontsize=9)
    low, high = float(responses.min()), float(responses.max())
    for i in range(n):
        r, c = 2 * (i // cols), 2 + i % cols
        ax = fig.add_subplot(grid[r, c])
        show_image(ax, images[i])
        if captions is not None:
            ax.set_title(str(captions[i]), fontsize=8)
        ax = fig.add_subplot(grid[r + 1, c])
        ax.imshow(responses[i], cmap="gray", vmin=low, vmax=high if high > low else low + 1e-9,
                  interpolation="nearest")
        ax.axis("off")
    fig.suptitle(f"{title}\n{words('fig_filter_note')}", fontsize=11)
    return fig


def _draw_kernel(ax, kernel: np.ndarray, numbers: bool) -> None:
    """A kh×kw kernel (summed over input channels if several) with red < 0 < blue."""
    k = kernel.sum(axis=-1) if kernel.ndim == 3 else kernel
    limit = float(np.abs(k).max()) or 1.0
    ax.imshow(k, cmap="RdBu", vmin=-limit, vmax=limit)
    if numbers:
        for (i, j), v in np.ndenumerate(k):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7)
    ax.set_xticks([])
    ax.set_yticks([])


def _cells(axes, count: int) -> list:
    """The first ``count`` Axes of a grid, without ticks, for one small picture each; the
    grid's other Axes hidden."""
    for k, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if k >= count:
            ax.axis("off")
    return list(axes.flat)[:count]


def kernels_grid(weights: np.ndarray, words, title: str):
    """Learned kernels as small images: RGB for a colour first layer, else one per filter.

    ``weights`` is (kh, kw, in_channels, filters). With three input channels each kernel is
    shown in colour (scaled to 0–1 together); otherwise summed over the input channels, red
    for negative and blue for positive weights.
    """
    filters = weights.shape[-1]
    rows, cols = grid_shape(filters, 16)
    fig, axes = plt.subplots(rows, cols, figsize=(0.95 * cols + 0.6, 1.05 * rows + 0.8),
                             squeeze=False)
    colour = weights.shape[2] == 3
    if colour:
        low, high = float(weights.min()), float(weights.max())
    else:
        summed = weights.sum(axis=2)
        limit = float(np.abs(summed).max()) or 1.0
    for k, ax in enumerate(_cells(axes, filters)):
        if colour:
            ax.imshow((weights[..., k] - low) / (high - low or 1), interpolation="nearest")
        else:
            ax.imshow(summed[..., k], cmap="RdBu", vmin=-limit, vmax=limit,
                      interpolation="nearest")
        ax.set_title(str(k + 1), fontsize=8)
    how = words("fig_kernels_colour" if colour else "fig_kernels_summed")
    fig.suptitle(f"{title}\n{how}", fontsize=11)
    fig.tight_layout()
    return fig


def grad_cam(image: np.ndarray, heatmap: np.ndarray, probabilities: np.ndarray,
             class_names: list[str], class_index: int, words, title: str):
    """The image, the Grad-CAM heat-map over it, and the predicted probabilities."""
    fig, (img_ax, cam_ax, bar_ax) = plt.subplots(1, 3, figsize=(12, 3.8),
                                                 gridspec_kw={"width_ratios": [1, 1, 1.3]})
    for ax in (img_ax, cam_ax):
        show_image(ax, image)
    img_ax.set_title(words("fig_input"))
    overlay = cam_ax.imshow(heatmap, cmap="jet", alpha=0.45, vmin=0, vmax=1)
    cam_ax.set_title(words("fig_evidence", name=class_names[class_index]))
    fig.colorbar(overlay, ax=cam_ax, fraction=0.046, pad=0.04)
    order = np.argsort(probabilities)[::-1][:10][::-1]
    colors = ["crimson" if i == class_index else "#1f77b4" for i in order]
    bar_ax.barh([class_names[i] for i in order], probabilities[order], color=colors)
    bar_ax.set_xlim(0, 1)
    bar_ax.set_xlabel(words("fig_probability"))
    bar_ax.set_title(words("fig_prediction"))
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def as_received(original: np.ndarray, received: np.ndarray, probabilities: np.ndarray,
                class_names: list[str], words, title: str):
    """A user's picture, the input the network received from it, and what it predicted: where
    a wrong answer comes from is usually visible in the middle panel."""
    fig, (orig_ax, in_ax, bar_ax) = plt.subplots(1, 3, figsize=(11, 3.6),
                                                 gridspec_kw={"width_ratios": [1, 1, 1.3]})
    orig_ax.imshow(original, cmap="gray" if original.ndim == 2 else None)
    orig_ax.set_xticks([])
    orig_ax.set_yticks([])
    orig_ax.set_title(words("fig_your_picture"))
    show_image(in_ax, received)
    h, w = received.shape[:2]
    in_ax.set_title(words("fig_received", height=h, width=w))
    best = int(np.argmax(probabilities))
    order = np.argsort(probabilities)[::-1][:10][::-1]
    colors = ["#1f77b4" if i == best else "#9bbbd9" for i in order]
    bar_ax.barh([class_names[i] for i in order], probabilities[order], color=colors)
    bar_ax.set_xlim(0, 1)
    bar_ax.set_xlabel(words("fig_probability"))
    bar_ax.set_title(words("fig_predicted", name=class_names[best],
                           p=words.percent(probabilities[best], 0)))
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def architecture(rows: list[dict], input_shape, words, title: str):
    """A block diagram: one box per layer, its output shape and its weight count."""
    n = len(rows) + 1
    fig, ax = plt.subplots(figsize=(9, 0.75 * n + 0.8))
    ax.set_xlim(0, 1)
    ax.set_ylim(n, -0.6)
    ax.axis("off")
    palette = {"Conv2D": "#9ecae1", "MaxPooling2D": "#fdd0a2", "AveragePooling2D": "#fdd0a2",
               "Dense": "#c7e9c0", "Flatten": "#e0e0e0", "Dropout": "#f2f2f2"}
    boxes = [("Input", "×".join(map(str, input_shape)), "")] + [
        (f"{r['type']}  ({r['name']})", "×".join(map(str, r["output_shape"])),
         r["formula"] if r["parameters"] else "") for r in rows
    ]
    for i, (name, shape, formula) in enumerate(boxes):
        kind = name.split()[0]
        ax.add_patch(plt.Rectangle((0.05, i - 0.32), 0.9, 0.64, color=palette.get(kind, "#ddd"),
                                   ec="black", lw=0.8))
        ax.text(0.08, i, name, va="center", fontsize=9, weight="bold")
        ax.text(0.42, i, shape, va="center", fontsize=9)
        ax.text(0.93, i, formula, va="center", ha="right", fontsize=8)
        if i:
            ax.annotate("", (0.5, i - 0.32), (0.5, i - 0.68),
                        arrowprops={"arrowstyle": "->", "lw": 0.8})
    total = sum(r["parameters"] for r in rows)
    ax.set_title(words("fig_weights_total", title=title, total=words.number(total)),
                 fontsize=11)
    return fig


def heat_grid(panels: list[tuple[str, np.ndarray, np.ndarray]], title: str, cols: int = 5):
    """Grad-CAM maps over their images, each under its own caption: (caption, image, heat
    map) panels, ``cols`` a row (a sanity check's maps; the same images through several
    networks)."""
    rows, cols = grid_shape(len(panels), max_cols=cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2.6 * cols, 2.8 * rows + 0.5),
                             squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, (caption, image, heatmap) in zip(axes.flat, panels, strict=False):
        show_image(ax, image)
        ax.imshow(heatmap, cmap="jet", alpha=0.45, vmin=0, vmax=1)
        ax.set_title(caption, fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def weight_maps(weights: np.ndarray, limit: float, title: str, legend: str, map_word: str):
    """One unit's weights laid back as the maps its dense layer received: (height, width,
    maps), one small picture per map on one diverging scale shared by every unit (``limit``:
    the largest weight in size), red positive, blue negative, white zero; ``legend`` labels
    the colour bar."""
    count = weights.shape[-1]
    rows, cols = grid_shape(count, 8 if count > 16 else 4)
    fig, axes = plt.subplots(rows, cols, figsize=(1.6 * cols + 1.2, 1.75 * rows + 0.9),
                             squeeze=False)
    shown = None
    for k, ax in enumerate(_cells(axes, count)):
        shown = ax.imshow(weights[..., k], cmap="RdBu_r", vmin=-limit, vmax=limit,
                          interpolation="nearest")
        ax.set_title(f"{map_word} {k + 1}", fontsize=8)
    fig.suptitle("\n".join(textwrap.wrap(title, 64)), fontsize=11)
    fig.tight_layout(rect=(0, 0, 0.86, 1))
    bar = fig.colorbar(shown, ax=axes.ravel().tolist(), fraction=0.04, pad=0.03)
    bar.set_label("\n".join(textwrap.wrap(legend, 60)), fontsize=8)  # as long as the bar
    bar.ax.tick_params(labelsize=7)
    return fig
