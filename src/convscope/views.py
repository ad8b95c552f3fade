"""What the network sees, and how runs compare, as figures: the library behind ``see``,
``filter``, ``kernels``, ``explain``, ``summary`` and ``compare``.

Each function takes a run (a ``Run``, a run directory or a ``.keras`` file) and returns
``figures.Figure`` objects (or a small result holding them) without saving anything: the
caller chooses the folder (``figures.save_figures``; a run's own is ``run.inspect_dir``).
Arrays come from ``inspection``, drawings from ``plots`` and ``pictures``; the words are in
``lang`` (default: the system's language).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import _io, inspection, inspection_plots, pictures, plots
from .errors import AlreadyExists, ConvscopeError, refuse_existing
from .evaluation import compare_runs
from .figures import Figure
from .layer_table import layer_table
from .runs import Run, load_run
from .sanity import SanityCheck, sanity_check
from .weight_maps import WeightMaps, weight_maps
from .words import Words

FILTER_IMAGES = 16  # images shown by default in one filter's figure, the classes in turn


def see(run, image=None, *, test_index: int | None = None, class_name=None, layers=None,
        per_map_scale: bool = False, data_dir=None, lang: str | None = None) -> list[Figure]:
    """Feature maps: what each convolution and pooling layer outputs for one image (the
    course's §4.2), one figure per layer, maps numbered from 1, white = high.

    The image: a file (``image``), test image ``test_index``, or the first test image of
    ``class_name``. ``layers``: numbers (from 1) or names; default all.
    """
    run, words = load_run(run, data_dir=data_dir), Words(lang)
    picked = run.pick_image(image, test_index=test_index, class_name=class_name)
    description = described(picked, run, words)
    return [Figure(f"see-{picked.tag}-layer{fm.number}",
                   maps_picture(fm, words, description, picked.image, 112, not per_map_scale),
                   words("cap_fig_maps", n=fm.number, kind=words(f"kind_{fm.kind}")))
            for fm in inspection.feature_maps(run.model, picked.image, layers)]


def maps_picture(fm, words, description: str, image=None, tile: int = pictures.TILE,
                 shared_scale: bool = True) -> np.ndarray:
    """One layer's maps as every face shows them (``pictures.maps_sheet``): titled with the
    layer's number, name and kind, the scale said in words, the input beside."""
    title = words("fig_layer_maps", n=fm.number, layer=fm.layer, kind=words(f"kind_{fm.kind}"),
                  count=fm.maps.shape[-1], image=description)
    low, high = pictures.scale_range(fm.maps)
    note = (words("fig_one_scale", low=words.number(low, 2), high=words.number(high, 2))
            if shared_scale else words("fig_own_scale"))
    return pictures.maps_sheet(fm.maps, title, note, image, tile, shared_scale)


def described(picked, run, words) -> str:
    """A picked image's name in ``words``' language: its file, or test image #i (its class)."""
    if picked.test_index is None:
        return picked.description
    return words("test_image", i=picked.test_index, name=run.class_names[picked.label])


def filter_figure(run, images=None, *, layer="1", filter_number: int = 1,
                  count: int = FILTER_IMAGES, data_dir=None, lang: str | None = None) -> Figure:
    """One filter's output across many images, with its kernel (the course's §4.3).

    ``images``: files; default ``count`` test images taking the classes in turn. For a pooling
    layer the kernel shown is that of the convolution it pools.
    """
    run, words = load_run(run, data_dir=data_dir), Words(lang)
    if images:
        batch = np.stack([run.as_input(p) for p in images])
        captions = [Path(p).name for p in images]
    else:
        batch, captions = run.spread_test_images(count)
    chosen = inspection.find_layer(run.model, layer)
    responses = inspection.filter_responses(run.model, batch, chosen, filter_number)
    source = inspection.pooled_from(run.model, chosen) if inspection.is_pooling(chosen) \
        else chosen
    kernel = None
    if source is not None:
        weights, _ = inspection.kernels(run.model, source)
        kernel = weights[..., filter_number - 1]
    number = inspection.layer_number(run.model, chosen)
    title = words("fig_filter_title", n=number, layer=chosen.name, f=filter_number,
                  count=len(batch))
    fig = inspection_plots.filter_across_images(batch, responses, kernel, words, title,
                                                captions)
    return Figure(f"filter-layer{number}-filter{filter_number}", fig,
                  words("cap_fig_filter", f=filter_number, n=number))


def kernel_figures(run, layer=None, lang: str | None = None) -> list[Figure]:
    """The learned kernels of a convolution layer (default: every one) as small images, in
    colour for a colour network's first layer."""
    run, words = load_run(run), Words(lang)
    chosen = inspection.conv_layers(run.model) if layer is None else \
        [inspection.find_layer(run.model, layer)]
    figures = []
    for conv in chosen:
        weights, _ = inspection.kernels(run.model, conv)
        number = inspection.layer_number(run.model, conv)
        kh, kw, cin, cout = weights.shape
        title = words("fig_kernels_title", n=number, layer=conv.name, count=cout, kh=kh, kw=kw,
                      cin=cin)
        figures.append(Figure(f"kernels-layer{number}",
                              inspection_plots.kernels_grid(weights, words, title),
                              words("cap_fig_kernels", count=cout, kh=kh, kw=kw, n=number)))
    return figures


def weight_names(found: WeightMaps, class_names: list[str], words) -> list[str]:
    """What each unit of ``found``'s layer scores: a class of the output (the second class
    for a single sigmoid unit, whose probability it gives), else "unit N"."""
    units = found.weights.shape[0]
    if found.is_output and units == len(class_names):
        return list(class_names)
    if found.is_output and units == 1 and len(class_names) == 2:
        return [class_names[1]]
    return [words("fig_weights_unit", n=k + 1) for k in range(units)]


def class_weights_figure(run, unit: int = 0, lang: str | None = None) -> Figure | None:
    """What a class looks for: the weights of unit ``unit`` (a class of the output) of the
    last dense layer fed by flattened maps, laid back as those maps on one diverging scale;
    None when the network has no such layer (``weight_maps``)."""
    run, words = load_run(run), Words(lang)
    found = weight_maps(run.model)
    return None if found is None else weights_figure(found, run.class_names, unit, words)


def weights_figure(found: WeightMaps, class_names: list[str], unit: int, words) -> Figure:
    """``class_weights_figure`` for weights already laid back as maps (``found``)."""
    names = weight_names(found, class_names, words)
    if not 0 <= unit < len(names):
        raise ConvscopeError(f"The `unit` must be in 0–{len(names) - 1} for layer "
                             f"{found.layer!r}; got {unit}", count=len(names))
    _, height, width, maps = found.weights.shape
    title = words("fig_weights_title", name=names[unit], layer=found.layer,
                  count=words.number(height * width * maps), maps=maps, height=height,
                  width=width)
    drawing = inspection_plots.weight_maps(found.weights[unit], found.limit, title,
                                           words("fig_weights_legend"),
                                           words("fig_weights_map"))
    return Figure(f"weights-{unit + 1}", drawing, words("cap_fig_weights", name=names[unit]))


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
            explain_class=None, method: str = "hirescam", data_dir=None,
            lang: str | None = None) -> Explanation:
    """Grad-CAM: which part of the image made the network decide, with its probabilities.

    The image: a file, test image ``test_index``, or the first test image of ``class_name``.
    ``explain_class``: the class whose evidence is shown, by name or number (default: the
    predicted one). The default method, HiResCAM, is Grad-CAM without averaging the gradients
    over the image (see ``inspection.grad_cam``).
    """
    run, words = load_run(run, data_dir=data_dir), Words(lang)
    picked = run.pick_image(image, test_index=test_index, class_name=class_name)
    names = run.class_names
    index = None if explain_class is None else run.class_index(explain_class)
    cam = inspection.grad_cam(run.model, picked.image, index, method=method)
    title = words("fig_cam_title", method="HiResCAM" if method == "hirescam" else "Grad-CAM",
                  image=described(picked, run, words), layer=cam.layer)
    fig = inspection_plots.grad_cam(picked.image, cam.heatmap, cam.probabilities, names,
                                    cam.class_index, words, title)
    best = int(cam.probabilities.argmax())
    figure = Figure(f"explain-{picked.tag}-class{cam.class_index}", fig,
                    words("cap_fig_cam", name=names[cam.class_index]))
    return Explanation(figure, picked.description, names[best], float(cam.probabilities[best]),
                       names[cam.class_index], cam.heatmap)


SHOWN_STEPS = 8  # randomised networks drawn, from the output down (every one is measured)


@dataclass
class Checked:
    """``explain --check``: the sanity checks of one Grad-CAM map, drawn and said."""

    figure: Figure
    check: SanityCheck
    sentence: str  # what the checks mean for this run, in one sentence


def check_explanation(run, image=None, *, test_index: int | None = None, class_name=None,
                      method: str = "hirescam", data_dir=None,
                      lang: str | None = None) -> Checked:
    """Can the Grad-CAM map of this image be trusted? Cascading randomisation and the
    runner-up class's map (``sanity.sanity_check``), side by side."""
    run, words = load_run(run, data_dir=data_dir), Words(lang)
    picked = run.pick_image(image, test_index=test_index, class_name=class_name)
    check = sanity_check(run.model, picked.image, method=method)
    title = words("fig_check_title", image=described(picked, run, words),
                  layer=check.trained.layer)
    drawing, sentence = drawn_check(check, picked.image, run.class_names, words, title)
    return Checked(Figure(f"check-{picked.tag}", drawing, words("cap_fig_check")), check,
                   sentence)


def drawn_check(check: SanityCheck, image: np.ndarray, names: list[str], words,
                title: str) -> tuple:
    """The maps of a sanity check side by side (a matplotlib figure), and the sentence of
    what it means."""
    rho = (lambda value: words.number(value, 2))  # noqa: E731  (said twice below)
    maps = [(words("fig_check_trained", name=names[check.trained.class_index]),
             check.trained.heatmap)]
    if check.runner_up is not None:
        maps.append((words("fig_check_runner_up", name=names[check.runner_up.class_index],
                           rho=rho(check.runner_up_correlation)), check.runner_up.heatmap))
    if check.steps:
        shown = np.unique(np.linspace(0, len(check.steps) - 1, SHOWN_STEPS).round().astype(int))
        maps += [(words("fig_check_erased", layer=check.steps[i].layer,
                        rho=rho(check.steps[i].correlation)), check.steps[i].heatmap)
                 for i in shown]
    last = check.steps[-1].correlation if check.steps else 1.0
    alike = check.runner_up_correlation if check.runner_up_correlation is not None else 0.0
    sentence = words(f"check_{check.verdict}",
                     rho=rho(last if check.verdict == "ignores_weights" else alike))
    panels = [(caption, image, heatmap) for caption, heatmap in maps]
    return inspection_plots.heat_grid(panels, title), sentence


def as_received(run, image, lang: str | None = None) -> Figure:
    """A user's picture beside the input the network received from it (for digits: the
    MNIST-style 28×28), with the prediction: ``predict --show``."""
    from .datasets.images import load_image, to_rgb

    run, words = load_run(run), Words(lang)
    received = run.as_input(image)
    probabilities = run.predict_arrays(received[None])[0]
    picture = load_image(image) if isinstance(image, (str, Path)) else image
    if not isinstance(picture, np.ndarray):
        picture = np.asarray(to_rgb(picture))
    name = Path(image).stem if isinstance(image, (str, Path)) else "image"
    title = Path(image).name if isinstance(image, (str, Path)) else words("fig_your_picture")
    drawing = inspection_plots.as_received(picture, received, probabilities, run.class_names,
                                           words, title)
    return Figure(f"received-{name}", drawing,
                  words("cap_fig_received"))


@dataclass
class Summary:
    """A network's layers, their output shapes and weight counts, and a block diagram."""

    name: str
    rows: list[dict]  # see layer_table.layer_table
    figure: Figure

    @property
    def total(self) -> int:
        return sum(r["parameters"] for r in self.rows)


def summary(target, lang: str | None = None) -> Summary:
    """The layer table and diagram of a recipe (by name), a run, or a ``.keras`` file."""
    from .recipes import RECIPES

    if isinstance(target, str) and target in RECIPES:
        from .models import build_model

        model, name = build_model(target), target
    else:
        run = load_run(target)
        model, name = run.model, run.recipe
    rows = layer_table(model)
    input_shape = tuple(model.inputs[0].shape[1:])
    words = Words(lang)
    return Summary(name, rows, Figure("architecture",
                                      inspection_plots.architecture(rows, input_shape, words,
                                                                    name),
                                      words("cap_fig_architecture")))


@dataclass
class Comparison:
    """Several runs side by side: one table row each, and their learning curves together."""

    runs: list[Run]
    rows: list[dict]  # see evaluation.compare_runs
    labels: list[str]
    figure: Figure
    images: Figure | None = None  # the same test images through each network

    def _repr_html_(self) -> str:
        """In Jupyter, a comparison shows its table and curves."""
        from .html import comparison_card, notebook

        return notebook(comparison_card(self.rows, self.labels, self.figure, Words()))

    def csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, list(self.rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows)
        return buffer.getvalue()

    def save(self, png: Path, overwrite: bool = False) -> tuple[Path, Path, Path | None]:
        """Write the figure to ``png``, the table beside it as ``.csv`` and the same images
        through each network as ``-images.png`` (None when the runs share no test set)."""
        png = Path(png).with_suffix(".png")
        table = png.with_suffix(".csv")
        images = None if self.images is None else png.with_name(png.stem + "-images.png")
        try:
            for path in (png, table, images):
                if path is not None:
                    refuse_existing(path, overwrite)
        except AlreadyExists:
            for figure in (self.figure, self.images):
                if figure is not None:
                    figure.close()
            raise
        png.parent.mkdir(parents=True, exist_ok=True)
        _io.write_bytes(png, pictures.png(self.figure.figure, dpi=120))
        _io.write_text(table, self.csv())
        if images is not None:
            _io.write_bytes(images, pictures.png(self.images.figure, dpi=90))
        return png, table, images


def compare(runs, lang: str | None = None) -> Comparison:
    """Compare runs: parameters, seconds per epoch, best and final accuracies, and every run's
    test (solid) and training (dashed) curves together."""
    runs, words = [load_run(r) for r in runs], Words(lang)
    rows = compare_runs(runs)
    labels = [run.label for run in runs]
    fig = plots.compare_curves([run.history for run in runs], labels, words)
    return Comparison(runs, rows, labels, Figure("comparison", fig, words("cap_fig_compare")),
                      same_images(runs, labels, words))


COMPARED_IMAGES = 4  # test images shown through every network compared


def same_images(runs: list[Run], labels: list[str], words,
                count: int = COMPARED_IMAGES) -> Figure | None:
    """The same test images through each network (a row per run): Grad-CAM over each, with
    its answer; None when the runs do not share one test set."""
    try:
        tests = [np.asarray(run.data.y_test) for run in runs]
    except ConvscopeError:  # a bare model, or data no longer there
        return None
    names = runs[0].class_names
    if any(run.class_names != names or not np.array_equal(t, tests[0])
           for run, t in zip(runs, tests, strict=True)):
        return None
    indices = [int(np.flatnonzero(tests[0] == c)[0]) for c in range(len(names))
               if np.any(tests[0] == c)][:count]
    panels = []
    for run, label in zip(runs, labels, strict=True):
        inputs = run.data.test_inputs(run.config.input_scale)
        for i in indices:
            cam = inspection.grad_cam(run.model, inputs[i])
            p = words.percent(float(cam.probabilities[cam.class_index]), 0)
            panels.append((words("fig_through", label=label, name=names[cam.class_index], p=p),
                           inputs[i], cam.heatmap))
    title = words("fig_same_images", images=", ".join(f"#{i}" for i in indices))
    return Figure("comparison-images", inspection_plots.heat_grid(panels, title,
                                                                  len(indices)),
                  words("cap_fig_same_images"))
