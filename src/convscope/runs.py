"""Run directories: what a training run leaves behind, and how later commands use it.

A run directory holds everything needed to continue, evaluate or inspect a run::

    config.json    recipe, hyper-parameters, seed, versions, dataset fingerprints
    state.json     progress: epochs done, best epoch, status (running / interrupted / complete)
    history.csv    one row per completed epoch
    model.keras    the model after the last completed epoch, optimizer state included
    best.keras     the model at its best test accuracy so far
    metrics.json   test metrics of model.keras, training time and throughput
    figures/       learning curves, confusion matrix, predictions, mistakes
    files.json     for photo folders: the files of each part (train and test are disjoint)

Models are loaded with Keras's safe mode, so a run directory from someone else cannot run code.
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from . import _io
from .errors import DataError, RunError

CONFIG = "config.json"
STATE = "state.json"
HISTORY = "history.csv"
METRICS = "metrics.json"
MODEL = "model.keras"
BEST = "best.keras"
FIGURES = "figures"
FILES = "files.json"
HISTORY_FIELDS = ["epoch", "loss", "accuracy", "test_loss", "test_accuracy", "seconds",
                  "learning_rate"]
# How many test images the prediction and mistake figures show.
FIGURE_SAMPLES = 12
MISTAKES_SHOWN = 24  # misclassified photos, shown with their file names
TRAINING_BATCH_SHOWN = 24


def new_run_dir(out: str | Path | None, recipe: str, root: str | Path = "runs") -> Path:
    """Create a fresh run directory; an existing non-empty one is never reused."""
    if out is not None:
        path = Path(out)
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise RunError(
                f"{path}: already exists and is not empty; choose another --out "
                "(convscope never overwrites a run)"
            )
        path.mkdir(parents=True, exist_ok=True)
        return path
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    stem = f"{recipe}-{time.strftime('%Y%m%d-%H%M%S')}"
    for n in range(1, 1000):
        path = root / (stem if n == 1 else f"{stem}-{n}")
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
    raise RunError(f"{root}: could not create a new run directory named {stem}-N")


def read_history(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [{k: (int(v) if k == "epoch" else float(v)) for k, v in row.items() if v != ""}
            for row in rows]


def write_history(path: Path, history: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, HISTORY_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(history)
    _io.write_text(path, buffer.getvalue())


def load_keras_model(path: Path):
    """Load a ``.keras`` file in safe mode (no arbitrary code from lambdas or pickles)."""
    import keras

    # Registers convscope's loss and layers, which models may use.
    from . import layers, losses  # noqa: F401
    from .speed import compile_whole_model_on_jax

    try:
        model = keras.saving.load_model(path, safe_mode=True)
    except FileNotFoundError:
        raise RunError(f"{path}: no such model file") from None
    except (ValueError, OSError, KeyError, TypeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RunError(f"{path}: cannot load this model ({first})") from None
    compile_whole_model_on_jax(model)
    return model


@dataclass(frozen=True)
class Prediction:
    """One image's predicted class and probabilities (``error`` set when it could not be read)."""

    source: str
    label: str | None = None
    index: int | None = None
    probabilities: dict[str, float] | None = None
    error: str | None = None

    @property
    def confidence(self) -> float | None:
        return None if self.probabilities is None else self.probabilities[self.label]

    def to_dict(self) -> dict:
        return {"path": self.source, "predicted": self.label, "index": self.index,
                "probabilities": self.probabilities, "error": self.error}


class Run:
    """A trained (or partly trained) run, loaded from its directory."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if self.path.is_file() and self.path.suffix == ".keras":
            raise RunError(f"{self.path}: a model file, not a run directory; use load_run()")
        if not (self.path / CONFIG).is_file():
            raise RunError(
                f"{self.path}: not a run directory (no {CONFIG}); "
                "pass a folder written by `convscope train`"
            )
        try:
            self.config = _io.read_json(self.path / CONFIG)
            self.state = _io.read_json(self.path / STATE) if (self.path / STATE).is_file() else {}
        except ValueError as exc:
            raise RunError(f"{self.path}: damaged run files ({exc})") from None

    def __repr__(self) -> str:
        done = self.state.get("epochs_done", 0)
        return f"Run({str(self.path)!r}, recipe={self.recipe!r}, epochs={done}/{self.epochs})"

    @property
    def recipe(self) -> str:
        return self.config["recipe"]

    @property
    def epochs(self) -> int:
        return int(self.config["epochs"])

    @property
    def class_names(self) -> list[str]:
        return list(self.config["class_names"])

    @property
    def history(self) -> list[dict]:
        return read_history(self.path / HISTORY)

    @property
    def metrics(self) -> dict:
        path = self.path / METRICS
        return _io.read_json(path) if path.is_file() else {}

    @property
    def figures_dir(self) -> Path:
        """Where figures go: the run's figures/, or <model>-figures/ beside a bare model file."""
        if self.path.is_file():
            return self.path.with_name(f"{self.path.stem}-figures")
        return self.path / FIGURES

    def dataset(self, data_dir=None):
        """The data this run was trained on: a named dataset, or exactly its photo files.

        For photo folders ``data_dir`` points at the folder if it moved since training.
        """
        from .datasets import load_dataset
        from .datasets.folders import load_manifest_parts

        if not self.config.get("dataset"):
            raise RunError(f"{self.path}: no dataset is attached to this model; pass image files")
        if (self.path / FILES).is_file():
            return load_manifest_parts(_io.read_json(self.path / FILES),
                                       self.config["input_shape"],
                                       cache=self.config["data"].get("cache", True),
                                       root=data_dir)
        return load_dataset(self.config["dataset"], data_dir)

    def test_images(self, data_dir=None):
        """The run's test set (uint8 images, labels), for figures that need examples.

        For photo folders the images are an array-like that decodes only what is indexed.
        """
        data = self.dataset(data_dir)
        return data.x_test, data.y_test

    @property
    def figures(self) -> list[Path]:
        return sorted((self.path / FIGURES).glob("*.png"))

    @cached_property
    def model(self):
        if not (self.path / MODEL).is_file():
            raise RunError(
                f"{self.path}: no {MODEL} yet (the run stopped before its first epoch ended); "
                "start a new run"
            )
        return load_keras_model(self.path / MODEL)

    # -- inputs ----------------------------------------------------------------------------

    def scale(self, x: np.ndarray) -> np.ndarray:
        """uint8 pixels → the float32 range the model was trained on."""
        return np.asarray(x, dtype=np.float32) * np.float32(self.config["input"]["scale"])

    def prepare(self, image) -> np.ndarray:
        """One image (path, Pillow image or array) as the model's input, without a batch axis."""
        from .datasets.folders import decode_image
        from .datasets.images import load_image, prepare_digit, prepare_photo

        kind = self.config["input"]["kind"]
        path = image if isinstance(image, (str, Path)) else None
        if kind == "photo":
            shape = tuple(self.config["input_shape"])
            if path is not None:  # exactly as training decodes a folder of photos
                return self.scale(decode_image(path, shape)[0])
            photo = prepare_photo(image, shape[:2])
            return photo.mean(axis=-1, keepdims=True) if shape[2] == 1 else photo
        if kind == "digit":
            picture = load_image(path) if path is not None else image
            return prepare_digit(picture, str(path) if path is not None else "image")[..., None]
        raise RunError(f"{self.path}: unknown input kind {kind!r} in {CONFIG}")

    # -- predictions and metrics -----------------------------------------------------------

    def predict_arrays(self, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
        """Probabilities for a batch already prepared (scaled to the model's range)."""
        from .evaluation import predict_probabilities

        return predict_probabilities(self.model, x, batch_size,
                                     mirror=self.config.get("test_time_flip", False))

    def predict(self, images, skip_errors: bool = False) -> list[Prediction]:
        """Predict the class of each image (paths, Pillow images or arrays).

        With ``skip_errors`` an unreadable image gives a Prediction with ``error`` set instead of
        raising, so the other images are still predicted.
        """
        prepared, results = [], []
        for image in images:
            source = str(image) if isinstance(image, (str, Path)) else f"image {len(results)}"
            try:
                prepared.append(self.prepare(image))
                results.append(Prediction(source))
            except DataError as exc:
                if not skip_errors:
                    raise
                results.append(Prediction(source, error=str(exc)))
        if prepared:
            probs = self.predict_arrays(np.stack(prepared))
            names = self.class_names
            it = iter(probs)
            results = [r if r.error else _prediction(r.source, next(it), names) for r in results]
        return results

    def evaluate(self, data_dir=None, figures: bool = True, data=None,
                 evaluation=None) -> dict:
        """Recompute test metrics (and figures) of ``model.keras``; writes ``metrics.json``.

        ``data``: the already loaded dataset; ``evaluation``: predictions already made on its
        test set by this model (training passes both, to avoid doing the work twice).
        """
        from .evaluation import evaluate_model

        if data is None:
            data = self.dataset(data_dir)
        if evaluation is None:
            evaluation = evaluate_model(self.model, data.test_inputs(self.config["input"]["scale"]),
                                        data.y_test, self.class_names,
                                        mirror=self.config.get("test_time_flip", False))
        metrics = {
            **evaluation.to_metrics(),
            "epochs_done": self.state.get("epochs_done"),
            **self.state.get("training", {}),
        }
        _io.write_json(self.path / METRICS, metrics)
        if figures:
            write_figures(self, evaluation, data.x_test, data)
        return metrics


def _prediction(source: str, probs: np.ndarray, names: list[str]) -> Prediction:
    index = int(np.argmax(probs))
    return Prediction(source, names[index], index,
                      {name: float(p) for name, p in zip(names, probs, strict=True)})


def write_figures(run: Run, evaluation, x_test, data=None) -> list[Path]:
    """The run's standard figures, drawn from its history and a test-set evaluation.

    ``x_test``: the test images (an array, or a photo folder's array-like); ``data``: the
    dataset, for the training-batch figure.
    """
    from . import plots

    folder = run.path / FIGURES
    recipe = run.recipe + (" --fast" if run.config.get("fast") else "")
    title = recipe if run.path.name == run.recipe else f"{recipe} — {run.path.name}"
    written = []
    history = run.history
    if history:
        fig = plots.learning_curves(history, title=f"Learning curves — {title}")
        written.append(_io.save_figure(fig, folder / "learning_curves.png"))
    if data is not None:
        written.append(_training_batch_figure(run, data, folder))
    cm = evaluation.confusion_matrix()
    fig = plots.confusion_matrix(
        cm, run.class_names, title=f"Confusion matrix — test accuracy {evaluation.accuracy:.2%}"
    )
    written.append(_io.save_figure(fig, folder / "confusion_matrix.png"))
    # A fixed, spread-out sample of the test set, so figures of two runs show the same images.
    sample = np.linspace(0, len(x_test) - 1, FIGURE_SAMPLES).astype(int)
    fig = plots.predictions(run.scale(x_test[sample]), evaluation.probabilities[sample],
                            evaluation.labels[sample], run.class_names,
                            title="Test images and their predicted probabilities")
    written.append(_io.save_figure(fig, folder / "predictions.png"))
    fig = plots.probability_histograms(evaluation.probabilities, evaluation.labels,
                                       run.class_names, title="Predicted probabilities on the "
                                       "test set, by true class")
    written.append(_io.save_figure(fig, folder / "probabilities.png"))
    photos = hasattr(x_test, "paths")
    wrong = evaluation.mistakes(MISTAKES_SHOWN if photos else FIGURE_SAMPLES)
    if len(wrong) and photos:
        names = run.class_names
        captions = []
        for i in wrong:
            true = int(evaluation.labels[i])
            captions.append(f"{_shortened(x_test.paths[i].name)}\ntrue {names[true]}, predicted "
                            f"{names[evaluation.predictions[i]]}\n"
                            f"P({names[true]}) = {evaluation.probabilities[i, true]:.2f}")
        fig = plots.image_grid(run.scale(x_test[wrong]), captions, caption_color="crimson",
                               title=f"Misclassified test photos, most confident first "
                                     f"({len(evaluation.mistakes()):,} in all)", max_cols=6)
        written.append(_io.save_figure(fig, folder / "mistakes.png"))
    elif len(wrong):
        fig = plots.predictions(run.scale(x_test[wrong]), evaluation.probabilities[wrong],
                                evaluation.labels[wrong], run.class_names,
                                title="Most confident mistakes",
                                captions=[f"test #{i}" for i in wrong])
        written.append(_io.save_figure(fig, folder / "mistakes.png"))
    return written


def _shortened(name: str, limit: int = 28) -> str:
    """A file name cut in the middle to fit under a photo of the grid (``IMG_2024…0042.jpg``)."""
    if len(name) <= limit:
        return name
    keep = limit - 1
    return f"{name[:keep - keep // 2]}…{name[-(keep // 2):]}"


def _training_batch_figure(run: Run, data, folder: Path) -> Path:
    """The start of the first training batch, as the network receives it (augmentation on)."""
    import keras

    from . import plots
    from .training import augment_array

    seed = int(run.config.get("seed", 0))
    rng = np.random.default_rng([seed, 0])
    order = rng.permutation(len(data.x_train))[:TRAINING_BATCH_SHOWN]
    x = run.scale(data.x_train[order])
    changes = []
    shift = int(run.config.get("augment", {}).get("shift", 0))
    flip = bool(run.config.get("augment", {}).get("flip", False))
    x = augment_array(x, shift, flip, rng)
    changes += ["mirrored"] if flip else []
    changes += [f"shifts up to {shift} px"] if shift else []
    randomizers = [layer for layer in run.model.layers
                   if type(layer).__name__.startswith("Random")]
    for layer in randomizers:
        x = keras.ops.convert_to_numpy(layer(x, training=True))
    kinds = [kind for layer in randomizers for kind in _changes_made_by(layer)]
    if kinds:
        changes.append("random " + ", ".join(kinds))
    names = run.class_names
    fig = plots.image_grid(x, [names[int(y)] for y in data.y_train[order]],
                           title="A training batch as the network sees it"
                                 + (f" ({'; '.join(changes)})" if changes else ""))
    return _io.save_figure(fig, folder / "training_batch.png")


def _changes_made_by(layer) -> list[str]:
    """What a random layer changes, in words: ``RandomAffine`` says; Keras's by their name."""
    default = [type(layer).__name__.removeprefix("Random").lower()]
    return getattr(layer, "kinds", default)


def load_run(path: str | Path) -> Run:
    """Open a run directory written by ``convscope train``, or any Keras ``.keras`` classifier.

    A bare ``.keras`` file is taken to expect pixels scaled to [0, 1]; its classes are numbered
    from 0, and 28×28×1 inputs are prepared like MNIST digits.
    """
    path = Path(path)
    if path.is_file() and path.suffix == ".keras":
        return ModelFileRun(path)
    return Run(path)


class ModelFileRun(Run):
    """A user's own ``.keras`` model, used like a run directory that has no dataset."""

    def __init__(self, path: Path):
        self.path = Path(path)
        model = self.model
        shape = list(model.inputs[0].shape[1:]) if model.inputs else []
        classes = model.outputs[0].shape[-1] if model.outputs else None
        if len(shape) != 3 or None in shape or shape[2] not in (1, 3) or not classes:
            raise RunError(
                f"{path}: convscope needs an image classifier with a fixed input of height × "
                f"width × 1 or 3 channels and a class output; this one takes {shape} and gives "
                f"{classes} outputs"
            )
        shape = [int(d) for d in shape]
        self.config = {
            "recipe": path.stem,
            "dataset": None,
            "epochs": 0,
            "input_shape": shape,
            "class_names": [str(i) for i in range(max(int(classes), 2))],
            "input": {"scale": 1 / 255,
                      "kind": "digit" if shape == [28, 28, 1] else "photo"},
        }
        self.state = {}

    @cached_property
    def model(self):
        return load_keras_model(self.path)

    def evaluate(self, data_dir=None, figures: bool = True, data=None,
                 evaluation=None) -> dict:
        raise RunError(f"{self.path}: a bare model file has no test set; train a run with "
                       "`convscope train` to evaluate it")
