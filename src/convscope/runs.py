"""Run directories: what a training run leaves behind, and the one object that answers for it.

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
    report.html    the whole run on one page (``convscope.reports``)

``Run`` is the one owner of a run's state, as fastai's ``Interpretation`` is of a learner's
predictions: it reads its files, loads its model (in Keras's safe mode, so a run directory
from someone else cannot run code), its data and its test-set predictions once, when first
asked, and answers every later question (its label, status, best epoch, a picked image,
metrics, figures) from them. The command line, the report and the app all ask it. A bare
``.keras`` classifier opens as a ``ModelFileRun``: a run with a model and no data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import _io
from ._once import computed_once, forget
from .calibration import Calibration
from .config import RunConfig
from .errors import ConvscopeError, DataError, RunError
from .evaluation import Evaluation, Prediction, evaluate_model, predict_probabilities, prediction
from .figures import Figure, run_figures, save_figures
from .models import load_keras_model
from .run_files import (
    CONFIG,
    FIGURES,
    FILES,
    HISTORY,
    INSPECT,
    METRICS,
    MODEL,
    STATE,
    read_history,
    run_status,
)


@dataclass(frozen=True)
class PickedImage:
    """One image chosen for inspection, prepared as the model's input."""

    image: np.ndarray  # (height, width, channels), scaled as the model expects
    description: str  # "test image #4 (4)" or the file's name, for titles
    tag: str  # for file names: "test4" or the file's stem
    label: int | None = None  # its true class, when known
    test_index: int | None = None


class Run:
    """A trained (or partly trained) run, opened from its directory.

    ``data_dir``: where its dataset is, when it is no longer where the run found it;
    ``observer`` receives the events of loading its data.
    """

    def __init__(self, path: str | Path, observer=None, data_dir=None):
        self.path = Path(path)
        self.observer, self.data_dir = observer, data_dir
        self.config, self.state = self._read_files()

    def _read_files(self) -> tuple[RunConfig, dict]:
        if self.path.is_file() and self.path.suffix == ".keras":
            raise RunError(f"{self.path}: a model file, not a run directory; use load_run()")
        if not self.path.exists():
            raise RunError(f"{self.path}: no such run directory", path=self.path)
        if not (self.path / CONFIG).is_file():
            raise RunError(f"{self.path}: not a run directory (no {CONFIG}); pass a folder "
                           "written by training", path=self.path)
        try:
            config = RunConfig.from_json(_io.read_json(self.path / CONFIG),
                                         str(self.path / CONFIG))
            state = _io.read_json(self.path / STATE) if (self.path / STATE).is_file() else {}
        except ValueError as exc:
            raise RunError(f"{self.path}: damaged run files ({exc})") from None
        return config, state

    def __repr__(self) -> str:
        return (f"Run({str(self.path)!r}, recipe={self.recipe!r}, "
                f"epochs={self.epochs_done}/{self.epochs})")

    def _repr_html_(self) -> str:
        """In Jupyter, a run shows its summary: key numbers, data, machine, learning curves."""
        from .html import notebook, run_card
        from .words import Words

        return notebook(run_card(self, Words()))

    # -- what it is ------------------------------------------------------------------------

    @property
    def bare(self) -> bool:
        """A model with no dataset of its own (a ``.keras`` file)."""
        return self.config.dataset is None

    @property
    def recipe(self) -> str:
        return self.config.recipe

    @property
    def label(self) -> str:
        """How the run is named on pages and figures: ``mnist --fast``, or with its folder's
        name when that is not the recipe's (``mnist — mnist-20261201-101500``)."""
        label = self.config.label
        return label if self.path.name == self.recipe else f"{label} — {self.path.name}"

    @property
    def epochs(self) -> int:
        return int(self.config.epochs)

    @property
    def epochs_done(self) -> int:
        return int(self.state.get("epochs_done", 0))

    @property
    def status(self) -> str:
        """``running``, ``interrupted`` (stopped; ``resume`` continues it) or ``complete``."""
        return run_status(self.state)

    @property
    def class_names(self) -> list[str]:
        return list(self.config.class_names)

    @computed_once
    def history(self) -> list[dict]:
        return read_history(self.path / HISTORY)

    @computed_once
    def metrics(self) -> dict:
        path = self.path / METRICS
        return _io.read_json(path) if path.is_file() else {}

    @property
    def best(self) -> dict | None:
        """``{"epoch", "test_accuracy"}`` of its best epoch so far: as training recorded it,
        else from its history."""
        if self.state.get("best"):
            return dict(self.state["best"])
        if not self.history:
            return None
        row = max(self.history, key=lambda r: r["test_accuracy"])
        return {"epoch": int(row["epoch"]), "test_accuracy": row["test_accuracy"]}

    @property
    def final_accuracy(self) -> float | None:
        """Test accuracy of ``model.keras``: its metrics, else its history's last epoch."""
        accuracy = self.metrics.get("test_accuracy")
        if accuracy is None and self.history:
            accuracy = self.history[-1].get("test_accuracy")
        return accuracy

    @property
    def augmentation(self):
        """What training changed in its images (``augmentation.Augmentation``)."""
        from .recipes import augmentation_of

        return augmentation_of(self.config)

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

    # -- what it computes once -------------------------------------------------------------

    @computed_once
    def model(self):
        if not (self.path / MODEL).is_file():
            raise RunError(f"{self.path}: no {MODEL} yet (the run stopped before its first epoch "
                           "ended); start a new run")
        return load_keras_model(self.path / MODEL)

    @computed_once
    def data(self):
        """The data this run was trained on: a named dataset, or exactly its photo files
        (``data_dir``: where they are now, if they moved)."""
        from .datasets import load_dataset
        from .datasets.folders import load_manifest_parts

        if self.bare:
            raise RunError(f"{self.path}: a model with no dataset attached; give it images",
                           path=self.path)
        if (self.path / FILES).is_file():
            return load_manifest_parts(_io.read_json(self.path / FILES), self.config.input_shape,
                                       cache=self.config.data.get("cache", True),
                                       root=self.data_dir, observer=self.observer)
        return load_dataset(self.config.dataset, self.data_dir, observer=self.observer)

    @computed_once
    def evaluation(self) -> Evaluation:
        """Predictions of ``model.keras`` on the whole test set, made once."""
        data = self.data
        return evaluate_model(self.model, data.test_inputs(self.config.input_scale),
                              data.y_test, self.class_names, mirror=self.config.test_time_flip)

    @computed_once
    def calibration(self) -> Calibration | None:
        """How far its confidence can be trusted, from its test answers: as training stored
        it in metrics.json, else measured now (runs that predate it); None for a model with
        no test set."""
        stored = self.metrics.get("calibration")
        if stored:
            return Calibration.from_dict(stored)
        return None if self.bare else self.evaluation.calibration()

    def use_data_dir(self, data_dir) -> Run:
        """Read the data from ``data_dir`` from now on (again, if it was read elsewhere)."""
        if data_dir is not None and data_dir != self.data_dir:
            self.data_dir = data_dir
            self.close()
        return self

    def close(self) -> None:
        """Let go of the data (and the predictions made on it)."""
        data = self.__dict__.get("data")
        forget(self, "data")
        forget(self, "evaluation")
        if data is not None:
            data.close()

    # -- inputs ----------------------------------------------------------------------------

    def scale(self, x: np.ndarray) -> np.ndarray:
        """uint8 pixels → the float32 range the model was trained on."""
        return np.asarray(x, dtype=np.float32) * np.float32(self.config.input_scale)

    def as_input(self, image) -> np.ndarray:
        """One image (path, Pillow image or array) as the model's input, without a batch axis:
        a digit as MNIST's were made, a photo as the training photos were decoded."""
        from .datasets.decoding import decode_image
        from .datasets.digits import digit_as_mnist
        from .datasets.images import load_image, photo_as_input

        kind = self.config.input_kind
        path = image if isinstance(image, (str, Path)) else None
        if kind == "photo":
            shape = tuple(self.config.input_shape)
            if path is not None:  # exactly as training decodes a folder of photos
                return self.scale(decode_image(path, shape)[0])
            photo = photo_as_input(image, shape[:2])
            return photo.mean(axis=-1, keepdims=True) if shape[2] == 1 else photo
        if kind == "digit":
            picture = load_image(path) if path is not None else image
            return digit_as_mnist(picture, str(path) if path is not None else "image")[..., None]
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
                   class_name: str | int | None = None) -> PickedImage:
        """One image to inspect: a file (path), test image number ``test_index``, or the first
        test image of class ``class_name``. Exactly one of them."""
        if sum(x is not None for x in (image, test_index, class_name)) != 1:
            raise ConvscopeError("give exactly one of an `image` file, a `test_index` or a "
                                 "`class_name`")
        if image is not None:
            name = Path(image).name if isinstance(image, (str, Path)) else "image"
            tag = Path(image).stem if isinstance(image, (str, Path)) else "image"
            return PickedImage(self.as_input(image), name, tag)
        data = self.data
        if class_name is not None:
            wanted = self.class_index(class_name)
            members = np.flatnonzero(np.asarray(data.y_test) == wanted)
            if not len(members):
                raise ConvscopeError(f"no test image of class {self.class_names[wanted]!r}")
            test_index = int(members[0])
        if not 0 <= test_index < len(data.y_test):
            raise ConvscopeError(f"The `test_index` must be in 0–{len(data.y_test) - 1}; got "
                                 f"{test_index}", test_index=test_index)
        label = int(data.y_test[test_index])
        return PickedImage(self.scale(data.x_test[test_index]),
                           f"test image #{test_index} ({self.class_names[label]})",
                           f"test{test_index}", label, test_index)

    def spread_test_images(self, count: int) -> tuple[np.ndarray, list[str]]:
        """``count`` test images taking the classes in turn (0, 1, 2, …, 0, 1, …), prepared,
        with their class names."""
        labels = np.asarray(self.data.y_test)
        by_class = [list(np.flatnonzero(labels == c)) for c in np.unique(labels)]
        picks: list[int] = []
        while len(picks) < count and any(by_class):
            for members in by_class:
                if members and len(picks) < count:
                    picks.append(members.pop(0))
        picks_array = np.array(picks)
        return (self.scale(self.data.x_test[picks_array]),
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
                prepared.append(self.as_input(image))
                results.append(Prediction(source))
            except DataError as exc:
                if not skip_errors:
                    raise
                results.append(Prediction(source, error=str(exc)))
        if prepared:
            probs = self.predict_arrays(np.stack(prepared))
            names, calibrated = self.class_names, self.calibration
            it = iter(probs)
            results = [r if r.error else prediction(r.source, next(it), names, calibrated)
                       for r in results]
        return results

    def export(self, format: str = "onnx", out=None, quantize: str | None = None,
               overwrite: bool = False, observer=None):
        """Its network as ``onnx``, ``litert``, ``saved_model`` or a ``page``, checked in its
        own runtime against Keras (``convscope.export.export``)."""
        from .export import export

        return export(self, format, out, quantize, overwrite, observer or self.observer)

    def write_metrics(self, figures: bool = True, lang: str | None = None) -> dict:
        """Write ``metrics.json`` (and, with ``figures``, the standard figures, in ``lang``)
        from the run's test-set predictions."""
        metrics = {
            **self.evaluation.to_metrics(),
            "epochs_done": self.state.get("epochs_done"),
            **self.state.get("training", {}),
        }
        _io.write_json(self.path / METRICS, metrics)
        self.metrics = metrics
        forget(self, "calibration")
        if figures:
            self.write_figures(lang)
        return metrics

    def standard_figures(self, lang: str | None = None) -> list[Figure]:
        """The run's figures after training, drawn from its history and test predictions."""
        from .words import Words

        return run_figures(self, Words(lang))

    def write_figures(self, lang: str | None = None) -> list[Path]:
        from .words import Words

        words = Words(lang)
        paths = save_figures(self.standard_figures(words.lang), self.figures_dir)
        self.state["figures_language"] = words.lang
        _io.write_json(self.path / STATE, self.state)
        return paths

    @property
    def figures_language(self) -> str:
        """The language its stored figures are written in (English before it was recorded)."""
        return self.state.get("figures_language", "en")


def load_run(path, observer=None, data_dir=None) -> Run:
    """Open a run directory written by training, or any Keras ``.keras`` classifier.

    A bare ``.keras`` file is taken to expect pixels scaled to [0, 1]; its classes are numbered
    from 0, and 28×28×1 inputs are prepared like MNIST digits. A ``Run`` is returned as it is
    (reading its data from ``data_dir`` if given).
    """
    if isinstance(path, Run):
        return path.use_data_dir(data_dir)
    path = Path(path)
    if path.is_file() and path.suffix == ".keras":
        return ModelFileRun(path, observer)
    return Run(path, observer, data_dir)


class ModelFileRun(Run):
    """A user's own ``.keras`` model: a run whose model is the file, with no data."""

    def _read_files(self) -> tuple[RunConfig, dict]:
        model = self.model
        shape = list(model.inputs[0].shape[1:]) if model.inputs else []
        classes = model.outputs[0].shape[-1] if model.outputs else None
        if len(shape) != 3 or None in shape or shape[2] not in (1, 3) or not classes:
            raise RunError(
                f"{self.path}: convscope needs an image classifier with a fixed input of height "
                f"× width × 1 or 3 channels and a class output; this one takes {shape} and "
                f"gives {classes} outputs", path=self.path)
        shape = [int(d) for d in shape]
        config = RunConfig(
            recipe=self.path.stem, dataset=None, epochs=0, batch_size=0,
            input_shape=tuple(shape),
            class_names=[str(i) for i in range(max(int(classes), 2))],
            input_kind="digit" if shape == [28, 28, 1] else "photo",
        )
        return config, {}

    @computed_once
    def model(self):
        return load_keras_model(self.path)
