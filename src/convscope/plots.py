"""Every figure, drawn from arrays. Nothing here trains, loads or computes a metric.

Each function takes results (arrays, lists) and the page's ``words`` (``convscope.words``: the
figure's titles, axes and legends in its language) and returns a matplotlib Figure; the caller
saves it (``pictures.png``). Greyscale images are shown as the network sees them: black = 0,
white = 1. Feature maps are drawn by ``pictures.maps_sheet``, for every face.
"""

from __future__ import annotations

import matplotlib
import matplotlib.patches
import matplotlib.ticker

matplotlib.use("Agg")  # files only; never needs a display

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def show_image(ax, image: np.ndarray) -> None:
    """An input image as the network sees it: grey (black = 0, white = 1) or colour."""
    shown = display_image(image)
    ax.imshow(shown, cmap="gray" if shown.ndim == 2 else None, vmin=0, vmax=1,
              interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])


def _marked(symbol: str, epochs: int) -> dict:
    """A marker on every epoch while the points can be told apart; beyond 50 epochs they
    pile into a thick band, and the line alone reads better."""
    return {"marker": symbol} if epochs <= 50 else {}


def learning_curves(history: list[dict], words, title: str):
    """Accuracy (in %) and loss per epoch, training vs test, side by side."""
    epochs = [row["epoch"] for row in history]
    fig, (acc_ax, loss_ax) = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, key in ((acc_ax, "accuracy"), (loss_ax, "loss")):
        ax.plot(epochs, [r[key] for r in history], label=words("fig_training"),
                **_marked("o", len(epochs)))
        ax.plot(epochs, [r[f"test_{key}"] for r in history], label=words("fig_test"),
                **_marked("s", len(epochs)))
        ax.set_xlabel(words("fig_epoch"))
        ax.set_ylabel(words(f"fig_{key}"))
        ax.set_title(words(f"fig_{key}_title"))
        ax.grid(alpha=0.3)
        ax.legend()
        if len(epochs) <= 20:
            ax.set_xticks(epochs)
        else:  # a tick every few epochs, never outside the run
            ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(10, integer=True))
            ax.set_xlim(0, epochs[-1] + 1)
    acc_ax.yaxis.set_major_formatter(_percent(words))
    best = max(history, key=lambda r: r["test_accuracy"])
    # Below the point (the training curve usually runs above it), kept inside the axes, on a
    # white ground so no curve runs through the text.
    acc_ax.annotate(
        words("fig_best_test", accuracy=words.percent(best["test_accuracy"])),
        (best["epoch"], best["test_accuracy"]),
        textcoords="offset points", xytext=(0, -12), va="top", fontsize=9,
        ha="right" if best["epoch"] == epochs[-1] and len(epochs) > 1 else "center",
        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1.5},
    )
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def _percent(words):
    """Tick labels of a 0–1 axis as percentages, written the page's way."""
    return matplotlib.ticker.FuncFormatter(lambda value, _: words.percent(value, 0))


def confusion_matrix(cm: np.ndarray, class_names: list[str], words, title: str):
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
    ax.set_xlabel(words("fig_predicted_class"))
    ax.set_ylabel(words("fig_true_class"))
    ax.set_title(title)
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label=words("fig_fraction_true"),
                 format=_percent(words))
    fig.tight_layout()
    return fig


def predictions(images: np.ndarray, probabilities: np.ndarray, labels: np.ndarray | None,
                class_names: list[str], words, title: str, captions=None):
    """Each image above a bar chart of its class probabilities (the course's vector Y).

    The predicted class's bar is blue when right, red when wrong; the true class is outlined.
    """
    n = len(images)
    predicted = probabilities.argmax(axis=1)
    right = [labels is None or labels[i] == predicted[i] for i in range(n)]
    heads = []
    for i in range(n):
        head = f"{class_names[predicted[i]]} ({words.percent(probabilities[i, predicted[i]], 0)})"
        if captions is not None:
            head = f"{captions[i]}: {head}"
        if not right[i]:
            head += "\n" + words("fig_true_was", name=class_names[labels[i]])
        heads.append(head)
    image_size, chart_height, gap = 1.75, 0.8, 0.12
    charts = _BarCharts(class_names, width=1.8, height=chart_height)
    sheet = _Sheet(*grid_shape(n, 6), title,
                   cell_width=max(2.4, _text_width(heads, 9) + 0.2),
                   cell_height=_text_height(heads, 9) + image_size + gap + chart_height
                   + charts.names_height)
    for i in range(n):
        x, y = sheet.cell(i)
        centre = x + sheet.cell_width / 2
        image_y = y + charts.names_height + chart_height + gap
        top = sheet.image(images[i], centre, image_y, image_size)
        sheet.text(centre, top + 0.04, heads[i], fontsize=9, va="bottom",
                   color="black" if right[i] else "crimson")
        charts.add(sheet, centre, y + charts.names_height, probabilities[i],
                   predicted=int(predicted[i]), right=right[i],
                   truth=None if labels is None else int(labels[i]), scale=i % sheet.cols == 0)
    charts.draw(sheet)
    return sheet.fig


def image_grid(images: np.ndarray, captions: list[str], title: str, max_cols: int = 8,
               caption_color: str = "black"):
    """Images with a caption each, in rows of up to ``max_cols``."""
    image_size = 1.6
    sheet = _Sheet(*grid_shape(len(images), max_cols), title,
                   cell_width=max(1.9, _text_width(captions, 7.5) + 0.2),
                   cell_height=_text_height(captions, 7.5) + image_size + 0.1)
    for i, image in enumerate(images):
        x, y = sheet.cell(i)
        centre = x + sheet.cell_width / 2
        top = sheet.image(image, centre, y + 0.1, image_size)
        sheet.text(centre, top + 0.04, captions[i], fontsize=7.5,
                   color=caption_color, va="bottom")
    return sheet.fig


# Grids of many small images. Drawn the usual way (an Axes per image and per chart, placed by a
# layout engine) a dozen images take over a second: every Axes brings ticks, spines and labels
# to measure and draw, two or three times over. These grids instead draw on one Axes that
# spans the figure and measures in inches, with every size worked out in advance from the
# text it must hold: the same picture in a third of the time, which a training run pays for
# three grids.


def _text_width(texts: list[str], fontsize: float) -> float:
    """Inches taken by the longest line of ``texts`` at ``fontsize`` points, generously
    (0.65 em per character covers capitals and digits in matplotlib's DejaVu Sans)."""
    longest = max((len(line) for t in texts for line in t.split("\n")), default=0)
    return longest * fontsize * 0.65 / 72


def _text_height(texts: list[str], fontsize: float) -> float:
    """Inches taken by the tallest of ``texts`` (lines of ``fontsize`` points), plus a gap."""
    lines = max((t.count("\n") + 1 for t in texts), default=1)
    return 0.1 + lines * fontsize * 1.25 / 72


class _Sheet:
    """A figure of ``rows`` × ``cols`` cells under a title, drawn on one Axes whose units are
    inches from the bottom left corner."""

    TITLE_SIZE, TITLE_HEIGHT = 12, 0.45

    def __init__(self, rows: int, cols: int, title: str, cell_width: float, cell_height: float):
        self.cols, self.cell_width, self.cell_height = cols, cell_width, cell_height
        width = max(cols * cell_width, _text_width([title], self.TITLE_SIZE) + 0.4)
        self.left = (width - cols * cell_width) / 2  # cells centred under a wider title
        self.height = rows * cell_height + self.TITLE_HEIGHT
        self.fig = plt.figure(figsize=(width, self.height))
        self.fig.exact_layout = True  # read by pictures.png: nothing to crop
        self.ax = self.fig.add_axes((0, 0, 1, 1))
        self.ax.set_xlim(0, width)
        self.ax.set_ylim(0, self.height)
        self.ax.set_autoscale_on(False)
        self.ax.axis("off")
        self.text(width / 2, self.height - 0.12, title, fontsize=self.TITLE_SIZE, va="top")

    def cell(self, i: int) -> tuple[float, float]:
        """The bottom left corner of cell ``i`` (row by row from the top left)."""
        row, col = divmod(i, self.cols)
        return (self.left + col * self.cell_width,
                self.height - self.TITLE_HEIGHT - (row + 1) * self.cell_height)

    def image(self, image: np.ndarray, centre_x: float, y: float, size: float) -> float:
        """An input image as the network sees it, fitted in a ``size`` square from ``y`` up,
        framed; returns where its top edge is, for a caption right above it."""
        shown = display_image(image)
        h, w = shown.shape[:2]
        width, height = (size, size * h / w) if w >= h else (size * w / h, size)
        left = centre_x - width / 2
        self.ax.imshow(shown, cmap="gray" if shown.ndim == 2 else None, vmin=0, vmax=1,
                       interpolation="nearest", aspect="auto",
                       extent=(left, left + width, y, y + height))
        self.ax.add_patch(matplotlib.patches.Rectangle((left, y), width, height, fill=False,
                                                       linewidth=0.8, edgecolor="#444444"))
        return y + height

    def text(self, x: float, y: float, text: str, **kwargs) -> None:
        """Text placed in inches, centred on ``x`` unless ``ha`` says otherwise."""
        kwargs.setdefault("ha", "center")
        self.ax.text(x, y, text, **kwargs)


class _BarCharts:
    """Small bar charts of class probabilities, ``width`` × ``height`` inches each, all their
    bars drawn in one call; class names under them, written upwards when they don't fit."""

    def __init__(self, class_names: list[str], width: float, height: float):
        self.names, self.width, self.height = class_names, width, height
        self.step = width / len(class_names)
        self.upright = _text_width(class_names, 7) > self.step
        self.name_size = 6 if self.upright else 7
        self.names_height = 0.12 + (_text_width(class_names, 6) if self.upright
                                    else self.name_size * 1.25 / 72)
        self.bars = {"x": [], "height": [], "bottom": [], "color": [], "edgecolor": []}

    def add(self, sheet: _Sheet, centre_x: float, y: float, p: np.ndarray, predicted: int,
            right: bool, truth: int | None, scale: bool) -> None:
        """One chart with its bottom at ``y``: grey bars, the predicted class's blue when
        ``right`` else red, the true class's outlined; the 0 / .5 / 1 scale when ``scale``."""
        x, ax = centre_x - self.width / 2, sheet.ax
        ax.add_patch(matplotlib.patches.Rectangle((x, y), self.width, self.height, fill=False,
                                                  linewidth=0.8))
        ax.plot([x, x + self.width], [y + self.height / 2] * 2, color="#dddddd", linewidth=0.6)
        for c, name in enumerate(self.names):
            centre = x + (c + 0.5) * self.step
            self.bars["x"].append(centre)
            self.bars["height"].append(float(p[c]) * self.height)
            self.bars["bottom"].append(y)
            self.bars["color"].append(
                ("#1f77b4" if right else "crimson") if c == predicted else "#bbbbbb")
            self.bars["edgecolor"].append("black" if c == truth else "none")
            ax.text(centre, y - 0.04, name, ha="center", va="top", fontsize=self.name_size,
                    rotation=90 if self.upright else 0)
        if scale:
            for value, label in ((0, "0"), (0.5, ".5"), (1, "1")):
                ax.text(x - 0.04, y + value * self.height, label, ha="right", va="center",
                        fontsize=7)

    def draw(self, sheet: _Sheet) -> None:
        bars = self.bars
        sheet.ax.bar(bars["x"], bars["height"], width=0.8 * self.step,
                     bottom=bars["bottom"], color=bars["color"], edgecolor=bars["edgecolor"],
                     linewidth=1.2)


def probability_histograms(probabilities: np.ndarray, labels: np.ndarray,
                           class_names: list[str], words, title: str):
    """How sure the network is, per true class.

    Two classes: the predicted probability of the second class (e.g. P(dogs)) for the photos
    of each true class, overlaid — well separated humps at 0 and 1 mean a confident network,
    mass in the middle means doubt. More classes: for each true class, the share of its images
    given < 0.5, 0.5–0.9 and ≥ 0.9 probability of being what they are.
    """
    bins = np.linspace(0, 1, 21)
    if len(class_names) == 2:
        fig, ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
        for label, color in ((0, "#1f77b4"), (1, "#ff7f0e")):
            values = probabilities[labels == label, 1]
            ax.hist(values, bins=bins, alpha=0.6, color=color, edgecolor="white",
                    label=words("fig_true_count", name=class_names[label],
                                count=words.number(len(values))))
        ax.axvline(0.5, color="black", lw=1, ls="--", label=words("fig_threshold"))
        ax.set_xlabel(words("fig_probability_of", name=class_names[1]))
        ax.set_ylabel(words("fig_test_images"))
        ax.legend()
        ax.grid(alpha=0.3)
        ax.set_title(title)
        return fig
    # More classes: per true class, the share of its images by how much probability the
    # network gave the right answer (a histogram with three bins, as stacked bars).
    k = len(class_names)
    bands = ((words("fig_band_wrong"), 0.0, 0.5, "crimson"),
             (words("fig_band_unsure"), 0.5, 0.9, "#f5a623"),
             (words("fig_band_sure"), 0.9, 1.01, "#1f77b4"))
    fig, ax = plt.subplots(figsize=(8, max(3.0, 0.42 * k + 1.6)))
    left = np.zeros(k)
    for name, low, high, color in bands:
        share = np.array([np.mean((p >= low) & (p < high)) if len(p) else 0.0
                          for p in (probabilities[labels == c, c] for c in range(k))])
        ax.barh(range(k), share, left=left, color=color, label=name)
        for c in range(k):
            if share[c] >= 0.04:
                ax.text(left[c] + share[c] / 2, c, words.percent(share[c], 0), ha="center",
                        va="center", fontsize=7, color="white")
        left += share
    ax.set_yticks(range(k), class_names)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(_percent(words))
    ax.set_xlabel(words("fig_share_of_class"))
    ax.set_ylabel(words("fig_true_class"))
    ax.legend(title=words("fig_probability_given"), fontsize=8, title_fontsize=8,
              loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def compare_curves(histories: list[list[dict]], labels: list[str], words):
    """Test accuracy (solid) and training accuracy (dashed) per epoch for several runs.

    Where a run's dashed line climbs away from its solid one, it is over-fitting.
    """
    fig, (acc_ax, loss_ax) = plt.subplots(1, 2, figsize=(12, 4.6))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (history, label) in enumerate(zip(histories, labels, strict=True)):
        color = colors[i % len(colors)]
        epochs = [r["epoch"] for r in history]
        for ax, key in ((acc_ax, "accuracy"), (loss_ax, "loss")):
            ax.plot(epochs, [r[f"test_{key}"] for r in history], color=color,
                    label=words("fig_run_test", label=label), **_marked("o", len(epochs)))
            ax.plot(epochs, [r[key] for r in history], "--", color=color, alpha=0.7,
                    label=words("fig_run_training", label=label))
    for ax, key in ((acc_ax, "accuracy"), (loss_ax, "loss")):
        ax.set_xlabel(words("fig_epoch"))
        ax.set_ylabel(words(f"fig_{key}"))
        ax.set_title(words("fig_solid_dashed", name=words(f"fig_{key}_title")))
        ax.grid(alpha=0.3)
    acc_ax.yaxis.set_major_formatter(_percent(words))
    acc_ax.legend(fontsize=8)
    fig.suptitle(words("fig_compared"))
    fig.tight_layout()
    return fig


def grid_shape(n: int, max_cols: int = 8) -> tuple[int, int]:
    cols = min(n, max_cols)
    return -(-n // cols), cols


def display_image(image: np.ndarray) -> np.ndarray:
    """An input image for display: greyscale squeezed, colour clipped to 0–1."""
    image = np.asarray(image, dtype=np.float32)
    return image[..., 0] if image.ndim == 3 and image.shape[-1] == 1 else np.clip(image, 0, 1)


def reliability(calibration, words):
    """The reliability diagram: the test answers grouped by confidence, each group's accuracy
    as a bar against the diagonal where a calibrated network's bars would end; the unsure
    threshold as a dashed line."""
    fig, ax = plt.subplots(figsize=(5.6, 5.4), layout="constrained")
    groups = [g for g in calibration.bins if g["count"]]
    lows = [g["low"] for g in groups]
    width = groups[0]["high"] - groups[0]["low"] if groups else 0.1
    ax.bar(lows, [g["accuracy"] for g in groups], width=width, align="edge", color="#1f77b4",
           edgecolor="white", label=words("fig_accuracy_of_group"))
    ax.plot([0, 1], [0, 1], color="black", lw=1, ls=":", label=words("fig_calibrated"))
    ax.plot([g["confidence"] for g in groups], [g["accuracy"] for g in groups], "o",
            color="crimson", ms=4, label=words("fig_mean_confidence"))
    for g in groups:  # how many answers each bar stands for: few answers, a shaky bar
        ax.text(g["low"] + width / 2, min(g["accuracy"], 0.93) + 0.02, words.number(g["count"]),
                ha="center", fontsize=6)
    if calibration.unsure_below is not None:
        ax.axvline(calibration.unsure_below, color="#f5a623", lw=1.5, ls="--",
                   label=words("fig_unsure_below", p=words.percent(calibration.unsure_below, 0)))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.xaxis.set_major_formatter(_percent(words))
    ax.yaxis.set_major_formatter(_percent(words))
    ax.set_xlabel(words("fig_confidence"))
    ax.set_ylabel(words("fig_right_answers"))
    ax.set_title(words("fig_reliability_title", ece=words.percent(calibration.ece, 1)))
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14))
    ax.grid(alpha=0.3)
    return fig
