"""A run's standard figures, ready to save: what training leaves in ``figures/``.

``run_figures`` draws them from a run's history, its test-set predictions and its data (with
``plots``), in the language of the ``words`` given; ``Figure`` is a drawn figure (matplotlib,
or a picture from ``pictures``) with its file name and a one-line caption saying what to look
at, and ``save_figures`` writes figures into a folder. The inspection views (``see``,
``filter``, ``kernels``, ``explain``, ``summary``, ``compare``) are in ``views``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import _io, pictures, plots
from .errors import AlreadyExists, refuse_existing

# How many test images the prediction and mistake figures show.
FIGURE_SAMPLES = 12
MISTAKES_SHOWN = 24  # misclassified photos, shown with their file names
TRAINING_BATCH_SHOWN = 24


@dataclass
class Figure:
    """A drawn figure (a matplotlib Figure, or a picture: a uint8 array), the file name it is
    saved under, and what to look at."""

    name: str  # file name without ".png"
    figure: object
    caption: str = ""

    def save(self, folder: Path, overwrite: bool = True) -> Path:
        """Write ``folder/<name>.png``. Without ``overwrite`` an existing file is an error."""
        path = Path(folder) / f"{self.name}.png"
        try:
            refuse_existing(path, overwrite)
        except AlreadyExists:
            self.close()
            raise
        path.parent.mkdir(parents=True, exist_ok=True)
        _io.write_bytes(path, pictures.png(self.figure, dpi=120))
        return path

    def close(self) -> None:
        if not isinstance(self.figure, np.ndarray):
            import matplotlib.pyplot as plt

            plt.close(self.figure)


def save_figures(figures: list[Figure], folder: Path, overwrite: bool = True) -> list[Path]:
    """Save each figure into ``folder`` (created); without ``overwrite`` nothing existing is
    replaced, and nothing is written if any file exists."""
    folder = Path(folder)
    try:
        for figure in figures:
            refuse_existing(folder / f"{figure.name}.png", overwrite)
    except AlreadyExists:
        for figure in figures:
            figure.close()
        raise
    folder.mkdir(parents=True, exist_ok=True)
    return [figure.save(folder) for figure in figures]


def run_figures(run, words) -> list[Figure]:
    """Learning curves, a training batch, confusion matrix, predictions, probabilities and
    mistakes, drawn from a run's history, test predictions and data (``run``: a ``Run``)."""
    evaluation, data = run.evaluation, run.data
    names = run.class_names
    figures = []
    if run.history:
        figures.append(Figure("learning_curves", plots.learning_curves(
            run.history, words, words("fig_curves_title", title=run.label)),
            words("cap_fig_curves")))
    if len(data.y_train):
        figures.append(training_batch_figure(run, words))
    figures.append(Figure("confusion_matrix", plots.confusion_matrix(
        evaluation.confusion_matrix(), names, words,
        words("fig_matrix_title", accuracy=words.percent(evaluation.accuracy))),
        words("cap_fig_matrix")))
    # A fixed, spread-out sample of the test set, so figures of two runs show the same images.
    sample = np.linspace(0, len(data.y_test) - 1, FIGURE_SAMPLES).astype(int)
    figures.append(Figure("predictions", plots.predictions(
        run.scale(data.x_test[sample]), evaluation.probabilities[sample],
        evaluation.labels[sample], names, words, words("fig_predictions_title")),
        words("cap_fig_predictions")))
    figures.append(Figure("probabilities", plots.probability_histograms(
        evaluation.probabilities, evaluation.labels, names, words,
        words("fig_probabilities_title")), words("cap_fig_probabilities")))
    mistakes = _mistakes_figure(run, words)
    if mistakes is not None:
        figures.append(mistakes)
    return figures


def _mistakes_figure(run, words) -> Figure | None:
    """The most confident mistakes: photos with their file names, or digits with their bars."""
    evaluation, data, names = run.evaluation, run.data, run.class_names
    wrong = evaluation.mistakes(MISTAKES_SHOWN if data.photos else FIGURE_SAMPLES)
    if not len(wrong):
        return None
    caption = words("cap_fig_mistakes")
    if data.photos:
        captions = []
        for i in wrong:
            true = int(evaluation.labels[i])
            captions.append(words("fig_wrong_photo", name=shortened(data.test_name(i)),
                                  true=names[true], predicted=names[evaluation.predictions[i]],
                                  p=words.number(evaluation.probabilities[i, true], 2)))
        fig = plots.image_grid(run.scale(data.x_test[wrong]), captions,
                               caption_color="crimson", max_cols=6,
                               title=words("fig_wrong_photos_title",
                                           count=words.number(len(evaluation.mistakes()))))
        return Figure("mistakes", fig, caption)
    fig = plots.predictions(run.scale(data.x_test[wrong]), evaluation.probabilities[wrong],
                            evaluation.labels[wrong], names, words, words("fig_mistakes_title"),
                            captions=[words("fig_test_number", i=i) for i in wrong])
    return Figure("mistakes", fig, caption)


def shortened(name: str, limit: int = 28) -> str:
    """A file name cut in the middle to fit under a photo of the grid (``IMG_2024…0042.jpg``)."""
    if len(name) <= limit:
        return name
    keep = limit - 1
    return f"{name[:keep - keep // 2]}…{name[-(keep // 2):]}"


def training_batch_figure(run, words) -> Figure:
    """The start of the first training batch, as the network receives it: the run's
    augmentation (``run.augmentation``) applied, its random layers on."""
    import keras

    from .augmentation import batch_generator
    from .datasets.batches import epoch_order

    augmentation, data = run.augmentation, run.data
    seed = int(run.config.seed)
    order = epoch_order(seed, 0, len(data.y_train))[:TRAINING_BATCH_SHOWN]
    x = augmentation.apply_numpy(run.scale(data.x_train[order]), batch_generator(seed, 0, 0))
    for layer in augmentation.in_front_of(run.model):
        x = keras.ops.convert_to_numpy(layer(x, training=True))
    changes = augmentation.describe(words)
    names = run.class_names
    title = words("fig_batch_title") + (f" ({changes})" if changes else "")
    fig = plots.image_grid(x, [names[int(y)] for y in data.y_train[order]], title=title)
    return Figure("training_batch", fig,
                  words("cap_fig_batch_changed" if changes else "cap_fig_batch"))

