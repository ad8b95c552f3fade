"""What the network sees, and how runs compare, as figures: the library behind ``see``,
``filter``, ``kernels``, ``explain``, ``summary`` and ``compare``.

Each function takes a run (a ``Run``, a run directory or a ``.keras`` file) and returns
``figures.Figure`` objects (or a small result holding them) without saving anything: the
caller chooses the folder (``figures.save_figures``; a run's own is ``run.inspect_dir``).
Arrays come from ``inspection``, drawings from ``plots``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import _io, inspection, plots
from .evaluation import compare_runs
from .figures import Figure
from .runs import Run, load_run

FILTER_IMAGES = 16  # images shown by default in one filter's figure, the classes in turn


def see(run, image=None, *, test_index: int | None = None, class_name=None, layers=None,
        per_map_scale: bool = False, data_dir=None) -> list[Figure]:
    """Feature maps: what each convolution and pooling layer outputs for one image (the
    course's §4.2), one figure per layer, maps numbered from 1, white = high.

    The image: a file (``image``), test image ``test_index``, or the first test image of
    ``class_name``. ``layers``: numbers (from 1) or names; default all.
    """
    run = load_run(run)
    picked = run.pick_image(image, test_index=test_index, class_name=class_name,
                            data_dir=data_dir)
    figures = []
    for fm in inspection.feature_maps(run.model, picked.image, layers):
        title = (f"Layer {fm.number} ({fm.layer}, {fm.kind}): {fm.maps.shape[-1]} feature maps "
                 f"of {picked.description}")
        fig = plots.feature_maps_grid(fm.maps, picked.image, title,
                                      shared_scale=not per_map_scale)
        figures.append(Figure(f"see-{picked.tag}-layer{fm.number}", fig,
                              f"What layer {fm.number} ({fm.kind}) outputs for this image: one "
                              "map per filter, white where it responds strongly."))
    return figures


def filter_figure(run, images=None, *, layer="1", filter_number: int = 1,
                  count: int = FILTER_IMAGES, data_dir=None) -> Figure:
    """One filter's output across many images, with its kernel (the course's §4.3).

    ``images``: files; default ``count`` test images taking the classes in turn. For a pooling
    layer the kernel shown is that of the convolution it pools.
    """
    run = load_run(run)
    if images:
        batch = np.stack([run.prepare(p) for p in images])
        captions = [Path(p).name for p in images]
    else:
        batch, captions = run.spread_test_images(count, data_dir)
    chosen = inspection.find_layer(run.model, layer)
    responses = inspection.filter_responses(run.model, batch, chosen, filter_number)
    source = inspection.pooled_from(run.model, chosen) if inspection.is_pooling(chosen) \
        else chosen
    kernel = None
    if source is not None:
        weights, _ = inspection.kernels(run.model, source)
        kernel = weights[..., filter_number - 1]
    number = inspection.layer_number(run.model, chosen)
    title = f"Layer {number} ({chosen.name}), filter {filter_number}, on {len(batch)} images"
    fig = plots.filter_across_images(batch, responses, kernel, title, captions)
    return Figure(f"filter-layer{number}-filter{filter_number}", fig,
                  f"Filter {filter_number} of layer {number} on many images: what it picks out "
                  "(edges of one direction, strokes, textures) shows where it is white.")


def kernel_figures(run, layer=None) -> list[Figure]:
    """The learned kernels of a convolution layer (default: every one) as small images, in
    colour for a colour network's first layer."""
    run = load_run(run)
    chosen = inspection.conv_layers(run.model) if layer is None else \
        [inspection.find_layer(run.model, layer)]
    figures = []
    for conv in chosen:
        weights, _ = inspection.kernels(run.model, conv)
        number = inspection.layer_number(run.model, conv)
        kh, kw, cin, cout = weights.shape
        title = f"Layer {number} ({conv.name}): {cout} kernels of {kh}×{kw}×{cin}"
        figures.append(Figure(f"kernels-layer{number}", plots.kernels_grid(weights, title),
                              f"The {cout} learned {kh}×{kw} kernels of layer {number}: "
                              "light weights add, dark ones subtract."))
    return figures


@dataclass
class Explanation:
    """A Grad-CAM explanation of one prediction."""

    figure: Figure
    description: str  # which image
    predicted: str
    confidence: float
    explained: str  # the class whose evidence is shown
    heatmap: np.ndarray  # (height, width), 0–1


def explain(run, image=None, *, test_index: int | None = None, class_name=None,
            explain_class=None, method: str = "hirescam", data_dir=None) -> Explanation:
    """Grad-CAM: which part of the image made the network decide, with its probabilities.

    The image: a file, test image ``test_index``, or the first test image of ``class_name``.
    ``explain_class``: the class whose evidence is shown, by name or number (default: the
    predicted one). The default method, HiResCAM, is Grad-CAM without averaging the gradients
    over the image (see ``inspection.grad_cam``).
    """
    run = load_run(run)
    picked = run.pick_image(image, test_index=test_index, class_name=class_name,
                            data_dir=data_dir)
    names = run.class_names
    index = None if explain_class is None else run.class_index(explain_class)
    cam = inspection.grad_cam(run.model, picked.image, index, method=method)
    title = (f"{'HiResCAM' if method == 'hirescam' else 'Grad-CAM'} on {picked.description} "
             f"(layer {cam.layer})")
    fig = plots.grad_cam(picked.image, cam.heatmap, cam.probabilities, names, cam.class_index,
                         title)
    best = int(cam.probabilities.argmax())
    figure = Figure(f"explain-{picked.tag}-class{cam.class_index}", fig,
                    f"Where the evidence for '{names[cam.class_index]}' lies: the warm areas "
                    "raised its score the most.")
    return Explanation(figure, picked.description, names[best], float(cam.probabilities[best]),
                       names[cam.class_index], cam.heatmap)


def as_received(run, image) -> Figure:
    """A user's picture beside the input the network received from it (for digits: the
    MNIST-style 28×28), with the prediction: ``predict --show``."""
    from .datasets.images import load_image, to_rgb

    run = load_run(run)
    received = run.prepare(image)
    probabilities = run.predict_arrays(received[None])[0]
    picture = load_image(image) if isinstance(image, (str, Path)) else image
    if not isinstance(picture, np.ndarray):
        picture = np.asarray(to_rgb(picture))
    name = Path(image).stem if isinstance(image, (str, Path)) else "image"
    title = Path(image).name if isinstance(image, (str, Path)) else "your picture"
    return Figure(f"received-{name}", plots.as_received(picture, received, probabilities,
                                                        run.class_names, title),
                  "Your picture, what the network received from it, and its answer.")


@dataclass
class Summary:
    """A network's layers, their output shapes and weight counts, and a block diagram."""

    name: str
    rows: list[dict]  # see inspection.layer_table
    figure: Figure

    @property
    def total(self) -> int:
        return sum(r["parameters"] for r in self.rows)


def summary(target) -> Summary:
    """The layer table and diagram of a recipe (by name), a run, or a ``.keras`` file."""
    from .recipes import RECIPES

    if isinstance(target, str) and target in RECIPES:
        from .models import build_model

        model, name = build_model(target), target
    else:
        run = load_run(target)
        model, name = run.model, run.recipe
    rows = inspection.layer_table(model)
    input_shape = tuple(model.inputs[0].shape[1:])
    return Summary(name, rows, Figure("architecture", plots.architecture(rows, input_shape, name),
                                      "The network's blocks in order, with the shape of what "
                                      "each one outputs and its weights."))


@dataclass
class Comparison:
    """Several runs side by side: one table row each, and their learning curves together."""

    runs: list[Run]
    rows: list[dict]  # see evaluation.compare_runs
    labels: list[str]
    figure: Figure

    def _repr_html_(self) -> str:
        """In Jupyter, a comparison shows its table and curves."""
        from .html import comparison_card, default_language, notebook

        return notebook(comparison_card(self.rows, self.labels, self.figure,
                                        default_language()))

    def csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, list(self.rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows)
        return buffer.getvalue()

    def save(self, png: Path, overwrite: bool = False) -> tuple[Path, Path]:
        """Write the figure to ``png`` and the table beside it as ``.csv``."""
        from .errors import ConvscopeError

        png = Path(png).with_suffix(".png")
        table = png.with_suffix(".csv")
        for path in (png, table):
            if path.exists() and not overwrite:
                self.figure.close()
                raise ConvscopeError(f"{path}: already exists; pass --force to overwrite it or "
                                     "choose another --out")
        png.parent.mkdir(parents=True, exist_ok=True)
        _io.save_figure(self.figure.figure, png)
        _io.write_text(table, self.csv())
        return png, table


def compare(runs) -> Comparison:
    """Compare runs: parameters, seconds per epoch, best and final accuracies, and every run's
    test (solid) and training (dashed) curves together."""
    runs = [load_run(r) for r in runs]
    rows = compare_runs(runs)
    labels = [r["recipe"] if Path(r["run"]).name == r["recipe"]
              else f"{r['recipe']} ({Path(r['run']).name})" for r in rows]
    fig = plots.compare_curves([run.history for run in runs], labels)
    return Comparison(runs, rows, labels, Figure(
        "comparison", fig, "Test (solid) and training (dashed) accuracy of each run: where "
        "a run's two curves part, it learns its training images by heart."))
