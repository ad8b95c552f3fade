"""Every figure, drawn from arrays. Nothing here trains, loads or computes a metric.

Each function takes results (arrays, lists) and returns a matplotlib Figure; the caller saves
it (``_io.save_figure``). Greyscale images are shown as the network sees them: black = 0,
white = 1.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # files only; never needs a display

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def _show_image(ax, image: np.ndarray) -> None:
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 3 and image.shape[-1] == 1:
        ax.imshow(image[..., 0], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    else:
        ax.imshow(np.clip(image, 0, 1), interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])


def learning_curves(history: list[dict], title: str = "Learning curves"):
    """Accuracy and loss per epoch, training vs test, side by side."""
    epochs = [row["epoch"] for row in history]
    fig, (acc_ax, loss_ax) = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, key, label in ((acc_ax, "accuracy", "Accuracy"), (loss_ax, "loss", "Loss")):
        ax.plot(epochs, [r[key] for r in history], "o-", label="training")
        ax.plot(epochs, [r[f"test_{key}"] for r in history], "s-", label="test")
        ax.set_xlabel("epoch")
        ax.set_ylabel(label.lower())
        ax.set_title(label)
        ax.grid(alpha=0.3)
        ax.legend()
        ax.set_xticks(epochs if len(epochs) <= 20 else ax.get_xticks())
    best = max(history, key=lambda r: r["test_accuracy"])
    acc_ax.annotate(
        f"best test {best['test_accuracy']:.2%}",
        (best["epoch"], best["test_accuracy"]),
        textcoords="offset points", xytext=(0, -18), ha="center", fontsize=9,
    )
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def confusion_matrix(cm: np.ndarray, class_names: list[str], title: str = "Confusion matrix"):
    """Counts with true class on rows; the diagonal is what the network got right."""
    k = len(class_names)
    size = max(5.0, 0.55 * k + 2)
    fig, ax = plt.subplots(figsize=(size + 1, size))
    rates = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    im = ax.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    for i in range(k):
        for j in range(k):
            if cm[i, j]:
                ax.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=8,
                        color="white" if rates[i, j] > 0.5 else "black")
    ax.set_xticks(range(k), class_names, rotation=45 if max(map(len, class_names)) > 2 else 0)
    ax.set_yticks(range(k), class_names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="fraction of the true class")
    fig.tight_layout()
    return fig


def predictions(images: np.ndarray, probabilities: np.ndarray, labels: np.ndarray | None,
                class_names: list[str], title: str = "Predictions", captions=None):
    """Each image above a bar chart of its class probabilities (the course's vector Y).

    The predicted class's bar is blue when right, red when wrong; the true class is outlined.
    """
    n = len(images)
    cols = min(n, 6)
    rows = -(-n // cols)
    fig, axes = plt.subplots(2 * rows, cols, figsize=(2.3 * cols, 4.1 * rows),
                             gridspec_kw={"height_ratios": [1.25, 1] * rows}, squeeze=False)
    k = len(class_names)
    for slot in range(rows * cols):
        img_ax, bar_ax = axes[2 * (slot // cols), slot % cols], axes[2 * (slot // cols) + 1,
                                                                       slot % cols]
        if slot >= n:
            img_ax.axis("off")
            bar_ax.axis("off")
            continue
        p = probabilities[slot]
        pred = int(np.argmax(p))
        truth = None if labels is None else int(labels[slot])
        _show_image(img_ax, images[slot])
        ok = truth is None or truth == pred
        head = f"{class_names[pred]} ({p[pred]:.0%})"
        if truth is not None and not ok:
            head += f"\ntrue: {class_names[truth]}"
        if captions is not None:
            head = f"{captions[slot]}\n{head}"
        img_ax.set_title(head, fontsize=9, color="black" if ok else "crimson")
        colors = ["#bbbbbb"] * k
        colors[pred] = "#1f77b4" if ok else "crimson"
        bars = bar_ax.bar(range(k), p, color=colors)
        if truth is not None:
            bars[truth].set_edgecolor("black")
            bars[truth].set_linewidth(1.2)
        bar_ax.set_ylim(0, 1)
        bar_ax.set_xticks(range(k), class_names if k <= 10 and max(map(len, class_names)) <= 2
                          else range(k), fontsize=7)
        bar_ax.tick_params(axis="y", labelsize=7)
        bar_ax.grid(axis="y", alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    return fig
