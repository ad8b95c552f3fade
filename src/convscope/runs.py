"""Run directories: what a training run leaves behind, and how later commands use it.

A run directory holds everything needed to continue, evaluate or inspect a run::

    config.json    recipe, training choices, seed, classes, versions, dataset fingerprints
    state.json     progress: epochs done, best epoch, status (running / interrupted / complete)
    history.csv    one row per completed epoch
    model.keras    the model after the last completed epoch, optimizer state included
    best.keras     the model at its best test accuracy so far
    metrics.json   test metrics of model.keras, training time and throughput
    figures/       learning curves, confusion matrix, predictions, mistakes (inspect/: see,
                   filter, kernels, explain)
    files.json     for photo folders: the files of each part (train and test are disjoint)

``Run`` opens one and answers what the commands ask of it: its model (loaded in Keras's safe
mode, so a run directory from someone else cannot run code), its data, a prepared image,
predictions and metrics. A bare ``.keras`` classifier opens as a ``ModelFileRun``.
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
from .config import RunConfig
from .errors import ConvscopeError, DataError, RunError
from .evaluation import Evaluation, evaluate_model, predict_probabilities
from .figures import Figure, run_figures, save_figures
from .models import load_keras_model

CONFIG = "config.json"
STATE = "state.json"
HISTORY = "history.csv"
METRICS = "metrics.json"
MODEL = "model.keras"
BEST = "best.keras"
FIGURES = "figures"
INSPECT = "inspect"
FILES = "files.json"
HISTORY_FIELDS = ["epoch", "loss", "accuracy", "test_loss", "test_accuracy", "seconds",
                  "learning_rate"]


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


def write_config(run_dir: Path, config: RunConfig) -> None:
    _io.write_json(Path(run_dir) / CONFIG, config.to_json())


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


@dataclass(frozen=True)
class PickedImage:
    """One image chosen for inspection, prepared as the model's input."""

    image: np.ndarray  # (height, width, channels), scaled as the model expects
    description: str  # "test image #4 (4)" or the file's name, for titles
    tag: str  # for file names: "test4" or the file's stem
    label: int | None = None  # its true class, when known


class Run:
    """A trained (or partly trained) run, loaded from its directory."""

    def __init__(self, path: str | Path, observer=None):
        self.path = Path(path)
        self.observer = observer  # receives the events of loading its data
        if self.path.is_file() and self.path.suffix == ".keras":
            raise RunError(f"{self.path}: a model file, not a run directory; use load_run()")
        if not (self.path / CONFIG).is_file():
            raise RunError(
                f"{self.path}: not a run directory (no {CONFIG}); "
                "pass a folder written by `convscope train`"
            )
        try:
            self.config = RunConfig.from_json(_io.read_json(self.path / CONFIG),
                                              str(self.path / CONFIG))
            self.state = _io.read_json(self.path / STATE) if (self.path / STATE).is_file() else {}
        except ValueError as exc:
            raise RunError(f"{self.path}: damaged run files ({exc})") from None

    def __repr__(self) -> str:
        done = self.state.get("epochs_done", 0)
        return f"Run({str(self.path)!r}, recipe={self.recipe!r}, epochs={done}/{self.epochs})"

    def _repr_html_(self) -> str:
        """In Jupyter, a run shows its summary: key numbers, data, machine, learning curves."""
        from .html import default_language, notebook, run_card

        return notebook(run_card(self, default_language()))

    @property
    def recipe(self) -> str:
        return self.config.recipe

    @property
    def epochs(self) -> int:
        return int(self.config.epochs)

    @property
    def epochs_done(self) -> int:
        return int(self.state.get("epochs_done", 0))

    @property
    def status(self) -> str:
        """``running``, ``interrupted`` (stopped; ``resume`` continues it) or ``complete``."""
        return self.state.get("status", "complete" if self.epochs_done else "running")

    @property
    def class_names(self) -> list[str]:
        return list(self.config.class_names)

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

    @property
    def inspect_dir(self) -> Path:
        """Where inspection figures go by default (see, filter, kernels, explain)."""
        return self.figures_dir / INSPECT

    @property
    def figures(self) -> list[Path]:
        return sorted(self.figures_dir.glob("*.png"))

    def dataset(self, data_dir=None, observer=None):
        """The data this run was trained on: a named dataset, or exactly its photo files.

        For photo folders ``data_dir`` points at the folder if it moved since training.
        ``observer`` (default: the run's) receives the events of loading it.
        """
        observer = observer or self.observer
        from .datasets import load_dataset
        from .datasets.folders import load_manifest_parts

        if not self.config.dataset:
            raise RunError(f"{self.path}: no dataset is attached to this model; pass image files")
        if (self.path / FILES).is_file():
            return load_manifest_parts(_io.read_json(self.path / FILES),
                                       self.config.input_shape,
                                       cache=self.config.data.get("cache", True),
                                       root=data_dir, observer=observer)
        return load_dataset(self.config.dataset, data_dir, observer=observer)

    def test_images(self, data_dir=None):
        """The run's test set (uint8 images, labels), for figures that need examples.

        For photo folders the images are an array-like that decodes only what is indexed.
        """
        data = self.dataset(data_dir)
        return data.x_test, data.y_test

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
        return np.asarray(x, dtype=np.float32) * np.float32(self.config.input_scale)

    def prepare(self, image) -> np.ndarray:
        """One image (path, Pillow image or array) as the model's input, without a batch axis."""
        from .datasets.decoding import decode_image
        from .datasets.digits import prepare_digit
        from .datasets.images import load_image, prepare_photo

        kind = self.config.input_kind
        path = image if isinstance(image, (str, Path)) else None
        if kind == "photo":
            shape = tuple(self.config.input_shape)
            if path is not None:  # exactly as training decodes a folder of photos
                return self.scale(decode_image(path, shape)[0])
            photo = prepare_photo(image, shape[:2])
            return photo.mean(axis=-1, keepdims=True) if shape[2] == 1 else photo
        if kind == "digit":
            picture = load_image(path) if path is not None else image
            return prepare_digit(picture, str(path) if path is not None else "image")[..., None]
        raise RunError(f"{self.path}: unknown input kind {kind!r} in {CONFIG}")

    def class_index(self, name_or_number: str | int) -> int:
        """A class by its name (``"dogs"``) or its number from 0 (``"1"`` or ``1``)."""
        names = self.class_names
        text = str(name_or_number)
        if text in names:
            return names.index(text)
        if text.isdigit() and int(text) < len(names):
            return int(text)
        raise ConvscopeError(f"unknown class {text!r}; classes: {', '.join(names)}")

    def pick_image(self, image=None, *, test_index: int | None = None,
                   class_name: str | int | None = None, data_dir=None) -> PickedImage:
        """One image to inspect: a file (path), test image number ``test_index``, or the first
        test image of class ``class_name``. Exactly one of them."""
        if sum(x is not None for x in (image, test_index, class_name)) != 1:
            raise ConvscopeError("give either an IMAGE file, --test-index I or a class")
        if image is not None:
            name = Path(image).name if isinstance(image, (str, Path)) else "image"
            tag = Path(image).stem if isinstance(image, (str, Path)) else "image"
            return PickedImage(self.prepare(image), name, tag)
        x_test, y_test = self.test_images(data_dir)
        if class_name is not None:
            wanted = self.class_index(class_name)
            members = np.flatnonzero(np.asarray(y_test) == wanted)
            if not len(members):
                raise ConvscopeError(f"no test image of class {self.class_names[wanted]!r}")
            test_index = int(members[0])
        if not 0 <= test_index < len(x_test):
            raise ConvscopeError(f"--test-index must be in 0–{len(x_test) - 1}; got {test_index}")
        label = int(y_test[test_index])
        return PickedImage(self.scale(x_test[test_index]),
                           f"test image #{test_index} ({self.class_names[label]})",
                           f"test{test_index}", label)

    def spread_test_images(self, count: int, data_dir=None) -> tuple[np.ndarray, list[str]]:
        """``count`` test images taking the classes in turn (0, 1, 2, …, 0, 1, …), prepared,
        with their class names."""
        x_test, y_test = self.test_images(data_dir)
        labels = np.asarray(y_test)
        by_class = [list(np.flatnonzero(labels == c)) for c in np.unique(labels)]
        picks: list[int] = []
        while len(picks) < count and any(by_class):
            for members in by_class:
                if members and len(picks) < count:
                    picks.append(members.pop(0))
        picks_array = np.array(picks)
        return (self.scale(x_test[picks_array]),
                [self.class_names[int(labels[i])] for i in picks_array])

    # -- predictions and metrics -----------------------------------------------------------

    def predict_arrays(self, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
        """Probabilities for a batch already prepared (scaled to the model's range)."""
        return predict_probabilities(self.model, x, batch_size,
                                     mirror=self.config.test_time_flip)

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

    def evaluation(self, data=None, data_dir=None) -> Evaluation:
        """Predictions of ``model.keras`` on the whole test set (computed once per call)."""
        data = data if data is not None else self.dataset(data_dir)
        return evaluate_model(self.model, data.test_inputs(self.config.input_scale), data.y_test,
                              self.class_names, mirror=self.config.test_time_flip)

    def evaluate(self, data_dir=None, figures: bool = True, data=None,
                 evaluation: Evaluation | None = None) -> dict:
        """Recompute test metrics (and figures) of ``model.keras``; writes ``metrics.json``.

        ``data``: the already loaded dataset; ``evaluation``: predictions already made on its
        test set by this model (training passes both, to avoid doing the work twice).
        """
        if data is None:
            data = self.dataset(data_dir)
        if evaluation is None:
            evaluation = self.evaluation(data)
        metrics = {
            **evaluation.to_metrics(),
            "epochs_done": self.state.get("epochs_done"),
            **self.state.get("training", {}),
        }
        _io.write_json(self.path / METRICS, metrics)
        if figures:
            self.write_figures(evaluation, data)
        return metrics

    def standard_figures(self, evaluation: Evaluation, data) -> list[Figure]:
        """The run's figures after training, drawn from its history and a test evaluation."""
        recipe = self.recipe + (" --fast" if self.config.fast else "")
        title = recipe if self.path.name == self.recipe else f"{recipe} — {self.path.name}"
        return run_figures(self.config, title, self.history, evaluation, data, self.model)

    def write_figures(self, evaluation: Evaluation, data) -> list[Path]:
        return save_figures(self.standard_figures(evaluation, data), self.figures_dir)


def _prediction(source: str, probs: np.ndarray, names: list[str]) -> Prediction:
    index = int(np.argmax(probs))
    return Prediction(source, names[index], index,
                      {name: float(p) for name, p in zip(names, probs, strict=True)})


def load_run(path: str | Path, observer=None) -> Run:
    """Open a run directory written by ``convscope train``, or any Keras ``.keras`` classifier.

    A bare ``.keras`` file is taken to expect pixels scaled to [0, 1]; its classes are numbered
    from 0, and 28×28×1 inputs are prepared like MNIST digits.
    """
    if isinstance(path, Run):
        return path
    path = Path(path)
    if path.is_file() and path.suffix == ".keras":
        return ModelFileRun(path, observer)
    return Run(path, observer)


class ModelFileRun(Run):
    """A user's own ``.keras`` model, used like a run directory that has no dataset."""

    def __init__(self, path: Path, observer=None):
        self.path, self.observer = Path(path), observer
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
        self.config = RunConfig(
            recipe=path.stem, dataset=None, epochs=0, batch_size=0,
            input_shape=tuple(shape),
            class_names=[str(i) for i in range(max(int(classes), 2))],
            input_kind="digit" if shape == [28, 28, 1] else "photo",
        )
        self.state = {}

    @cached_property
    def model(self):
        return load_keras_model(self.path)

    def evaluate(self, data_dir=None, figures: bool = True, data=None,
                 evaluation=None) -> dict:
        raise RunError(f"{self.path}: a bare model file has no test set; train a run with "
                       "`convscope train` to evaluate it")
