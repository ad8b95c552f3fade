"""A run's standard figures, ready to save: what training leaves in ``figures/``.

``run_figures`` draws them from a run's config, history and one test-set evaluation (with
``plots``); ``Figure`` is a drawn figure with its file name and a one-line caption saying what
to look at, and ``save_figures`` writes figures into a folder. The inspection views (``see``,
``filter``, ``kernels``, ``explain``, ``summary``, ``compare``) are in ``views``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import _io, plots
from .augmentation import augment_array
from .config import RunConfig
from .errors import ConvscopeError
from .evaluation import Evaluation

# How many test images the prediction and mistake figures show.
FIGURE_SAMPLES = 12
MISTAKES_SHOWN = 24  # misclassified photos, shown with their file names
TRAINING_BATCH_SHOWN = 24


@dataclass
class Figure:
    """A drawn matplotlib figure, the file name it is saved under, and what to look at."""

    name: str  # file name without ".png"
    figure: object  # a matplotlib Figure
    caption: str = ""

    def save(self, folder: Path, overwrite: bool = True) -> Path:
        """Write ``folder/<name>.png``. Without ``overwrite`` an existing file is an error."""
        path = Path(folder) / f"{self.name}.png"
        if path.exists() and not overwrite:
            self.close()
            raise ConvscopeError(f"{path}: already exists; pass --force to overwrite it or "
                                 "choose another --out")
        return _io.save_figure(self.figure, path)

    def close(self) -> None:
        import matplotlib.pyplot as plt

        plt.close(self.figure)


def save_figures(figures: list[Figure], folder: Path, overwrite: bool = True) -> list[Path]:
    """Save each figure into ``folder`` (created); without ``overwrite`` nothing existing is
    replaced, and nothing is written if any file exists."""
    folder = Path(folder)
    if not overwrite:
        for figure in figures:
            if (folder / f"{figure.name}.png").exists():
                for other in figures:
                    other.close()
                raise ConvscopeError(f"{folder / figure.name}.png: already exists; pass --force "
                                     "to overwrite it or choose another --out")
    folder.mkdir(parents=True, exist_ok=True)
    return [figure.save(folder) for figure in figures]


def run_figures(config: RunConfig, title: str, history: list[dict], evaluation: Evaluation,
                data, model) -> list[Figure]:
    """Learning curves, a training batch, confusion matrix, predictions, probabilities and
    mistakes, drawn from a run's ``history`` and an ``evaluation`` of its test set.

    ``data``: the dataset (test images, and training images for the batch figure); ``model``:
    for its random layers, which the training batch goes through.
    """
    names = list(config.class_names)
    x_test = data.x_test
    figures = []
    if history:
        figures.append(Figure("learning_curves",
                              plots.learning_curves(history, title=f"Learning curves — {title}"),
                              "Training (dashed in comparisons) and test accuracy and loss per "
                              "epoch: where they part, the network learns its training images "
                              "by heart."))
    if data is not None and len(data.x_train):
        figures.append(training_batch_figure(config, data, model))
    figures.append(Figure("confusion_matrix", plots.confusion_matrix(
        evaluation.confusion_matrix(), names,
        title=f"Confusion matrix — test accuracy {evaluation.accuracy:.2%}"),
        "Rows are the true classes, columns the predicted ones: off the diagonal are the "
        "mistakes, and which classes are taken for which."))
    # A fixed, spread-out sample of the test set, so figures of two runs show the same images.
    sample = np.linspace(0, len(x_test) - 1, FIGURE_SAMPLES).astype(int)
    figures.append(Figure("predictions", plots.predictions(
        _scaled(config, x_test[sample]), evaluation.probabilities[sample],
        evaluation.labels[sample], names, title="Test images and their predicted probabilities"),
        "Each test image with the probability the network gives every class."))
    figures.append(Figure("probabilities", plots.probability_histograms(
        evaluation.probabilities, evaluation.labels, names,
        title="Predicted probabilities on the test set, by true class"),
        "How sure the network is, class by class: a sure network piles up near 1."))
    mistakes = _mistakes_figure(config, evaluation, x_test)
    if mistakes is not None:
        figures.append(mistakes)
    return figures


def _scaled(config: RunConfig, x) -> np.ndarray:
    return np.asarray(x, dtype=np.float32) * np.float32(config.input_scale)


def _mistakes_figure(config: RunConfig, evaluation: Evaluation, x_test) -> Figure | None:
    """The most confident mistakes: photos with their file names, or digits with their bars."""
    names = list(config.class_names)
    photos = hasattr(x_test, "paths")
    wrong = evaluation.mistakes(MISTAKES_SHOWN if photos else FIGURE_SAMPLES)
    if not len(wrong):
        return None
    caption = "The mistakes the network was surest of: often a hard or mislabelled image."
    if photos:
        captions = []
        for i in wrong:
            true = int(evaluation.labels[i])
            captions.append(f"{shortened(x_test.paths[i].name)}\ntrue {names[true]}, predicted "
                            f"{names[evaluation.predictions[i]]}\n"
                            f"P({names[true]}) = {evaluation.probabilities[i, true]:.2f}")
        fig = plots.image_grid(_scaled(config, x_test[wrong]), captions, caption_color="crimson",
                               title=f"Misclassified test photos, most confident first "
                                     f"({len(evaluation.mistakes()):,} in all)", max_cols=6)
        return Figure("mistakes", fig, caption)
    fig = plots.predictions(_scaled(config, x_test[wrong]), evaluation.probabilities[wrong],
                            evaluation.labels[wrong], names, title="Most confident mistakes",
                            captions=[f"test #{i}" for i in wrong])
    return Figure("mistakes", fig, caption)


def shortened(name: str, limit: int = 28) -> str:
    """A file name cut in the middle to fit under a photo of the grid (``IMG_2024…0042.jpg``)."""
    if len(name) <= limit:
        return name
    keep = limit - 1
    return f"{name[:keep - keep // 2]}…{name[-(keep // 2):]}"


def training_batch_figure(config: RunConfig, data, model) -> Figure:
    """The start of the first training batch, as the network receives it (augmentation on)."""
    import keras

    rng = np.random.default_rng([int(config.seed), 0])
    order = rng.permutation(len(data.x_train))[:TRAINING_BATCH_SHOWN]
    x = augment_array(_scaled(config, data.x_train[order]), config.shift, config.flip, rng)
    changes = ["mirrored"] if config.flip else []
    changes += [f"shifts up to {config.shift} px"] if config.shift else []
    randomizers = [layer for layer in model.layers if _changes_images(layer)]
    for layer in randomizers:
        x = keras.ops.convert_to_numpy(layer(x, training=True))
    kinds = [kind for layer in randomizers for kind in _changes_made_by(layer)]
    if kinds:
        changes.append("random " + ", ".join(kinds))
    names = list(config.class_names)
    fig = plots.image_grid(x, [names[int(y)] for y in data.y_train[order]],
                           title="A training batch as the network sees it"
                                 + (f" ({'; '.join(changes)})" if changes else ""))
    return Figure("training_batch", fig, "What the network trains on, after the random "
                  "changes it is shown (augmentation)." if changes else
                  "What the network trains on: the images, scaled, as the first batch holds "
                  "them.")


def _changes_images(layer) -> bool:
    """Keras's random layers, and convscope's, which say what they change (``kinds``)."""
    return type(layer).__name__.startswith("Random") or hasattr(layer, "kinds")


def _changes_made_by(layer) -> list[str]:
    """What a random layer changes, in words: ``RandomAffine`` says; Keras's by their name."""
    default = [type(layer).__name__.removeprefix("Random").lower()]
    return getattr(layer, "kinds", default)
