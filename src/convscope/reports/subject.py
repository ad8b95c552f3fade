"""One run as the report sees it: the ``Run`` (which loads its data and predicts its test set
once, for the report as for anyone else asking), and what the report adds: the user's own
images, and a note of each thing that could not be had.

Nothing here raises for a missing or damaged file of the run: what cannot be had is ``None``,
and the reason goes to ``problems`` (a text key and its values), which the page shows.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import numpy as np

from .. import _io
from ..errors import ConvscopeError
from ..evaluation import Evaluation
from ..html import Embedded, embed_array, embed_figure, embed_file
from ..run_files import FIGURES, FILES
from ..runs import Run, load_run

# Stored figures made of photos (for photo runs) are JPEGs on the page; the others palette
# PNGs.
PHOTO_FIGURES = ("training_batch", "predictions", "mistakes")
# What can go wrong while reading a run's files or computing from them. A report is written
# whatever happens to one of its parts, so these become lines on the page, never a traceback.
TROUBLE = (ConvscopeError, OSError, ValueError, KeyError, TypeError, IndexError)


def reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


class Subject:
    """A run directory, a ``.keras`` file (with ``images`` of the user's), or a ``Run``."""

    def __init__(self, target, index: int, words, images=None, data_dir=None):
        self.index, self.words = index, words
        self.problems: list[tuple[str, dict]] = []
        self.path = Path(target.path if isinstance(target, Run) else target)
        self.image_paths = _image_files(images) if images is not None else []
        # A run given as a Run is the caller's: its data stays loaded for its next question.
        self.owned = not isinstance(target, Run)
        try:
            self.run: Run | None = load_run(target, data_dir=data_dir)
        except ConvscopeError as exc:
            self.run = None
            self.problems.append(("unreadable_run", {"why": str(exc)}))
        self._drawn: dict = {}

    # -- what the run directory holds ----------------------------------------------------

    @property
    def anchor(self) -> str:
        return f"r{self.index}"

    @property
    def bare(self) -> bool:
        """A model file with no dataset of its own."""
        return self.run is not None and self.run.bare

    @property
    def photos(self) -> bool:
        return self.run is not None and self.run.config.input_kind == "photo" \
            and self.run.config.input_shape[-1] == 3

    @property
    def name(self) -> str:
        return self.path.name

    def title(self, text) -> str:
        """The run's heading: its label, or "your model" and the file."""
        if self.bare:
            return text("your_model", name=self.name)
        return self.name if self.run is None else self.run.label

    @cached_property
    def history(self) -> list[dict]:
        if self.run is None or self.bare:
            return []
        try:
            return self.run.history
        except TROUBLE:  # the run's card says that history.csv is damaged
            return []

    @cached_property
    def metrics(self) -> dict:
        try:
            return self.run.metrics if self.run is not None else {}
        except TROUBLE:  # the run's card says that metrics.json is damaged
            return {}

    @cached_property
    def files(self) -> dict | None:
        """``files.json`` of a photo-folder run: its files, classes and skipped files."""
        path = self.path / FILES
        if self.run is None or not path.is_file():
            return None
        try:
            files = _io.read_json(path)
            if not isinstance(files, dict):
                raise ValueError("not a JSON object")
            return files
        except TROUBLE as exc:
            self.problems.append(("damaged", {"what": FILES, "why": reason(exc)}))
            return None

    @cached_property
    def model(self):
        if self.run is None:
            return None
        try:
            return self.run.model
        except TROUBLE as exc:
            self.problems.append(("no_model", {"why": reason(exc)}))
            return None

    # -- data and predictions, computed once ---------------------------------------------

    @cached_property
    def data(self):
        """The run's dataset (``Run.data``), or None with the reason noted."""
        if self.run is None or self.bare or self.model is None:
            return None
        try:
            return self.run.data
        except TROUBLE as exc:
            self.problems.append(("no_data", {"why": reason(exc)}))
            return None

    @cached_property
    def evaluation(self) -> Evaluation | None:
        """Predictions on the whole test set (``Run.evaluation``), or on the user's labelled
        images."""
        if self.bare:
            return self.yours.evaluation if self.yours is not None else None
        if self.data is None:
            return None
        try:
            return self.run.evaluation
        except TROUBLE as exc:
            self.problems.append(("no_predictions", {"why": reason(exc)}))
            return None

    @cached_property
    def yours(self) -> YourImages | None:
        """The user's images, prepared and predicted (``images=``)."""
        if not self.image_paths or self.model is None:
            return None
        prepared, kept, failed = [], [], []
        for path in self.image_paths:
            try:
                prepared.append(self.run.as_input(path))
                kept.append(path)
            except TROUBLE as exc:
                failed.append((path, reason(exc)))
        for path, why in failed:
            self.problems.append(("unreadable_image", {"what": str(path), "why": why}))
        if not kept:
            return None
        x = np.stack(prepared)
        try:
            probabilities = self.run.predict_arrays(x)
        except TROUBLE as exc:
            self.problems.append(("no_predictions", {"why": reason(exc)}))
            return None
        labels = _labels_from_folders(kept, self.run.class_names)
        return YourImages(kept, x, probabilities, labels, self.run.class_names)

    def test_images(self, indices) -> np.ndarray:
        """Test images (or the user's) as the network sees them, scaled."""
        indices = np.asarray(indices, dtype=int)
        if self.bare:
            return self.yours.images[indices]
        return self.run.scale(self.data.x_test[indices])

    def image_name(self, i: int) -> str:
        """A test image's name: its file (photo folders, the user's images) or its number."""
        if self.bare:
            return self.yours.paths[i].name
        return self.data.test_name(i)

    # -- figures -------------------------------------------------------------------------

    def stored_figure(self, name: str) -> Embedded | None:
        """A figure training left in ``figures/``; drawn again when it is in another language
        than the page, or (the page says so) missing or damaged, where the model and data
        allow it."""
        if self.run is None or self.bare:
            return None
        path = self.path / FIGURES / f"{name}.png"
        photo = self.photos and name in PHOTO_FIGURES
        problem = None
        if not path.is_file():
            problem = ("missing", {"what": f"{FIGURES}/{name}.png"})
        elif self.run.figures_language == self.words.lang:
            try:
                return embed_file(path, photo)
            except ValueError as exc:
                problem = ("damaged", {"what": f"{FIGURES}/{name}.png", "why": reason(exc)})
        drawn = self._redrawn().get(name)
        if drawn is None:
            if problem and (name != "mistakes" or self.evaluation is None
                            or len(self.evaluation.mistakes())):
                self.problems.append(problem)
            return None
        if problem:
            self.problems.append(("redrawn", problem[1]))
        return embed_figure(drawn.figure, photo, dpi=110)

    def _redrawn(self) -> dict:
        """The run's standard figures drawn again, once, in the page's language."""
        if "standard" not in self._drawn:
            figures = {}
            if self.evaluation is not None and self.data is not None:
                try:
                    figures = {f.name: f for f in self.run.standard_figures(self.words.lang)}
                except TROUBLE:
                    figures = {}
            self._drawn["standard"] = figures
        return self._drawn["standard"]

    def thumbnail(self, i: int) -> Embedded:
        """A test image at its own size (the page enlarges it, pixels kept sharp)."""
        return embed_array(self.test_images([i])[0], photo=self.photos)

    def close(self) -> None:
        import matplotlib.pyplot as plt

        for figure in self._drawn.get("standard", {}).values():
            plt.close(figure.figure)
        if self.owned and self.run is not None:
            self.run.close()


class YourImages:
    """The user's own images, prepared, with the network's probabilities (and true classes
    when they sit in folders named after the classes)."""

    def __init__(self, paths, images, probabilities, labels, class_names):
        self.paths, self.images, self.probabilities = paths, images, probabilities
        self.labels, self.class_names = labels, class_names

    @property
    def evaluation(self) -> Evaluation | None:
        if self.labels is None:
            return None
        return Evaluation(self.probabilities, self.labels, list(self.class_names))


def _image_files(images) -> list[Path]:
    """Image files: a folder (searched at any depth) or a list of files."""
    from ..datasets.photos import IMAGE_EXTENSIONS, natural_key

    if isinstance(images, (str, Path)) and Path(images).is_dir():
        found = [p for p in Path(images).rglob("*") if p.is_file()
                 and p.suffix.lower() in IMAGE_EXTENSIONS and not p.name.startswith(".")]
        return sorted(found, key=lambda p: natural_key(str(p.relative_to(images))))
    if isinstance(images, (str, Path)):
        if not Path(images).exists():
            raise ConvscopeError(f"{images}: no such file or folder; pass a folder of images "
                                 "or image files")
        return [Path(images)]
    return [Path(p) for p in images]


def _labels_from_folders(paths: list[Path], class_names: list[str]) -> np.ndarray | None:
    """True classes from the folders the images sit in, when every folder is a class."""
    names = [p.parent.name for p in paths]
    if not all(name in class_names for name in names):
        return None
    return np.array([class_names.index(name) for name in names])
