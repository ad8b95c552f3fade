"""The library behind the inspection commands: ``views`` returns figures (and small results)
without saving anything, ``figures.save_figures`` saves them, and ``Run`` picks the images they
show (``pick_image``, ``class_index``, ``spread_test_images``)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

import convscope
from convscope import inspection, views
from convscope.errors import ConvscopeError
from convscope.figures import Figure, save_figures
from convscope.runs import Run

DIGITS = [str(d) for d in range(10)]
NAMES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def files_under(folder):
    """Every file under ``folder`` with its size and modification time."""
    return {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


def close(figures):
    for figure in figures:
        figure.close()


@pytest.fixture(scope="module")
def tiny_run2(tmp_path_factory):
    """A second quick run, in a folder named after its recipe."""
    out = tmp_path_factory.mktemp("views") / "mnist"
    return convscope.train("mnist", epochs=1, limit=300, out=out, progress=False)


@pytest.fixture
def named_run(tiny_run, tmp_path):
    """The tiny run's configuration with its classes named in words (no model needed)."""
    config = json.loads((tiny_run.path / "config.json").read_text())
    config["class_names"] = NAMES
    (tmp_path / "config.json").write_text(json.dumps(config))
    return Run(tmp_path)


@pytest.fixture
def digit(tmp_path):
    """A "1" drawn dark on white, as a user's own picture."""
    path = tmp_path / "digit.png"
    img = Image.new("L", (80, 80), 255)
    img.paste(0, (35, 10, 45, 70))
    img.save(path)
    return path


# -- views: figures, nothing written -----------------------------------------------------------


def test_see_returns_one_figure_per_layer_and_writes_nothing(tiny_run):
    before = files_under(tiny_run.path)
    figures = views.see(tiny_run, test_index=3)
    assert all(isinstance(f, Figure) and f.caption for f in figures)
    layers = inspection.visual_layers(tiny_run.model)  # mnist: two convolutions, no pooling
    assert [f.name for f in figures] == [f"see-test3-layer{n}" for n in
                                         range(1, len(layers) + 1)]
    assert len(figures) == 2
    assert files_under(tiny_run.path) == before
    close(figures)
    [second] = views.see(tiny_run.path, test_index=3, layers=[2])  # a run directory works too
    assert second.name == "see-test3-layer2"
    second.close()


def test_filter_and_kernel_figures_are_named_after_their_layer(tiny_run, digit):
    before = files_under(tiny_run.path)
    figure = views.filter_figure(tiny_run, layer="2", filter_number=3, count=10)
    assert figure.name == "filter-layer2-filter3"
    figure.close()
    figure = views.filter_figure(tiny_run, [digit], filter_number=5)  # the user's images
    assert figure.name == "filter-layer1-filter5"
    figure.close()
    kernels = views.kernel_figures(tiny_run)
    assert [f.name for f in kernels] == ["kernels-layer1", "kernels-layer2"]
    close(kernels)
    [only] = views.kernel_figures(tiny_run, layer=2)
    assert only.name == "kernels-layer2"
    only.close()
    assert files_under(tiny_run.path) == before


def test_explain_gives_the_predicted_class_and_a_heatmap_of_the_image(tiny_run, digit):
    explanation = views.explain(tiny_run, digit)
    probabilities = tiny_run.predict_arrays(tiny_run.as_input(digit)[None])[0]
    best = int(np.argmax(probabilities))
    assert explanation.predicted == DIGITS[best] == explanation.explained
    assert explanation.confidence == pytest.approx(float(probabilities[best]), abs=1e-5)
    assert explanation.description == "digit.png"
    assert explanation.figure.name == f"explain-digit-class{best}"
    heatmap = explanation.heatmap
    assert heatmap.shape == (28, 28)
    assert heatmap.min() >= 0 and heatmap.max() <= 1 and heatmap.max() > 0
    explanation.figure.close()
    other = views.explain(tiny_run, test_index=0, explain_class="3")
    assert other.explained == "3" and other.figure.name == "explain-test0-class3"
    assert other.heatmap.shape == (28, 28)
    other.figure.close()


def test_summary_of_a_recipe_and_of_a_run(tiny_run):
    recipe = views.summary("mnist")
    assert recipe.name == "mnist" and recipe.total == 130_394
    assert recipe.rows[0]["formula"] == "3×3×1 × 32 + 32 = 320"
    assert recipe.figure.name == "architecture"
    recipe.figure.close()
    run = views.summary(tiny_run)
    assert run.name == "mnist" and run.total == 130_394
    assert [r["formula"] for r in run.rows] == [r["formula"] for r in recipe.rows]
    run.figure.close()


def test_compare_rows_labels_and_a_save_that_never_overwrites(tiny_run, tiny_run2, tmp_path):
    comparison = views.compare([tiny_run, tiny_run2.path])
    assert [r["run"] for r in comparison.rows] == [str(tiny_run.path), str(tiny_run2.path)]
    assert [r["parameters"] for r in comparison.rows] == [130_394, 130_394]
    assert [r["epochs"] for r in comparison.rows] == [1, 1]
    assert comparison.labels == ["mnist — tiny", "mnist"]  # a folder named after its recipe
    lines = comparison.csv().splitlines()
    assert lines[0].startswith("run,recipe,parameters") and len(lines) == 3

    png, table, images = comparison.save(tmp_path / "cmp.png")
    assert png.is_file() and table == tmp_path / "cmp.csv" and table.is_file()
    assert images == tmp_path / "cmp-images.png" and images.is_file()  # one test set
    written = files_under(tmp_path)
    with pytest.raises(ConvscopeError, match="already exists"):
        views.compare([tiny_run, tiny_run2]).save(tmp_path / "cmp.png")
    assert files_under(tmp_path) == written
    views.compare([tiny_run2]).save(tmp_path / "cmp.png", overwrite=True)
    assert len(table.read_text().splitlines()) == 2


def test_save_figures_writes_nothing_when_one_file_exists(tiny_run, tmp_path):
    (tmp_path / "kernels-layer2.png").write_bytes(b"the user's own")
    with pytest.raises(ConvscopeError, match="kernels-layer2.png: already exists"):
        save_figures(views.kernel_figures(tiny_run), tmp_path, overwrite=False)
    assert [p.name for p in tmp_path.iterdir()] == ["kernels-layer2.png"]
    assert (tmp_path / "kernels-layer2.png").read_bytes() == b"the user's own"
    paths = save_figures(views.kernel_figures(tiny_run), tmp_path / "new", overwrite=False)
    assert [p.name for p in paths] == ["kernels-layer1.png", "kernels-layer2.png"]
    assert all(p.is_file() for p in paths)


# -- Run: which images to show -----------------------------------------------------------------


def test_pick_image_by_test_index_class_or_file(tiny_run, named_run, digit):
    x_test, y_test = tiny_run.data.x_test, tiny_run.data.y_test
    by_index = tiny_run.pick_image(test_index=5)
    assert by_index.tag == "test5" and by_index.label == y_test[5]
    assert by_index.description == f"test image #5 ({y_test[5]})"
    np.testing.assert_array_equal(by_index.image, tiny_run.scale(x_test[5]))

    first_seven = int(np.flatnonzero(y_test == 7)[0])
    by_class = named_run.pick_image(class_name="seven")
    assert by_class.tag == f"test{first_seven}" and by_class.label == 7
    assert by_class.description == f"test image #{first_seven} (seven)"
    assert tiny_run.pick_image(class_name=7).tag == f"test{first_seven}"

    by_file = tiny_run.pick_image(digit)
    assert (by_file.tag, by_file.description, by_file.label) == ("digit", "digit.png", None)
    assert by_file.image.shape == (28, 28, 1)
    np.testing.assert_array_equal(by_file.image, tiny_run.as_input(digit))


def test_pick_image_wants_exactly_one_image(tiny_run, digit):
    with pytest.raises(ConvscopeError, match="give exactly one of an image file, a test_index "
                                             "or a class_name"):
        tiny_run.pick_image()
    with pytest.raises(ConvscopeError, match="give exactly one"):
        tiny_run.pick_image(digit, test_index=0)
    with pytest.raises(ConvscopeError, match="give exactly one"):
        tiny_run.pick_image(test_index=0, class_name="1")
    with pytest.raises(ConvscopeError, match="test_index must be in 0–999; got 1000"):
        tiny_run.pick_image(test_index=1_000)


def test_class_index_by_name_or_number(named_run, tiny_run):
    assert named_run.class_index("three") == 3
    assert named_run.class_index("3") == named_run.class_index(3) == 3
    assert tiny_run.class_index("7") == tiny_run.class_index(7) == 7
    with pytest.raises(ConvscopeError, match="unknown class 'ten'; classes: zero, one, two"):
        named_run.class_index("ten")
    with pytest.raises(ConvscopeError, match="unknown class '10'"):
        named_run.class_index(10)


def test_spread_test_images_take_the_classes_in_turn(tiny_run):
    images, names = tiny_run.spread_test_images(12)
    assert names == DIGITS + ["0", "1"]
    assert images.shape == (12, 28, 28, 1) and images.dtype == np.float32
    x_test, y_test = tiny_run.data.x_test, tiny_run.data.y_test
    firsts = [int(np.flatnonzero(y_test == c)[0]) for c in (0, 1)]
    seconds = [int(np.flatnonzero(y_test == c)[1]) for c in (0, 1)]
    np.testing.assert_array_equal(images[:2], tiny_run.scale(x_test[firsts]))
    np.testing.assert_array_equal(images[10:], tiny_run.scale(x_test[seconds]))


def test_the_reports_comparison_shows_the_same_images_through_each_network(tiny_run, tiny_run2,
                                                                          tmp_path):
    page = convscope.report([tiny_run, tiny_run2], tmp_path / "both.html", lang="en")
    text = page.read_text("utf-8")
    compared = text[text.index('id="compare"'):text.index('id="r0"')]
    assert "The same test images through each network" in compared
