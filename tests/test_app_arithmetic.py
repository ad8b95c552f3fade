"""Inside one number in the app: a click on a feature map's value gives the arithmetic behind
it, as plain handler calls (no browser; ``test_app_browser.py`` clicks in a real one)."""

from __future__ import annotations

import re

import numpy as np
import pytest

pytest.importorskip("gradio")

from convscope import inspection  # noqa: E402
from convscope.app import arithmetic, draw, explore  # noqa: E402
from convscope.app.catalog import Catalog  # noqa: E402
from convscope.app.looking import look  # noqa: E402
from convscope.app.paths import Roots  # noqa: E402
from convscope.pictures import STACK_GAP, SheetLayout  # noqa: E402
from convscope.words import say  # noqa: E402

CANVAS = draw.CANVAS


@pytest.fixture
def served(tiny_run, tmp_path):
    """A catalog serving the tiny MNIST run, and a drawn "1" as the canvas sends it."""
    roots = Roots.of(tmp_path / "runs", [tiny_run.path])
    canvas = np.zeros((CANVAS, CANVAS, 4), np.uint8)
    canvas[CANVAS // 5:CANVAS * 4 // 5, CANVAS * 7 // 16:CANVAS * 9 // 16] = (0, 0, 0, 255)
    return Catalog(roots), roots.key(tiny_run.path.resolve()), draw.drawing(canvas)


def centre_of(layers, index: int, k: int, row: int, col: int) -> tuple[int, int]:
    """The pixel (x, y) at the centre of value (row, col) of map k of sheet ``index`` in the
    maps picture, from the sheets' geometry."""
    top = sum(SheetLayout.of(fm.maps.shape).height + STACK_GAP for fm in layers[:index])
    at = SheetLayout.of(layers[index].maps.shape)
    y, x = at.corner(k)
    return x + col * at.factor + at.factor // 2, top + y + row * at.factor + at.factor // 2


def the_network_s_value(text: str) -> float:
    return float(re.search(r"(?:the network|le réseau) ?: (-?\d[\d.,]*\d)", text)[1]
                 .replace(",", "."))


def test_a_click_on_a_first_layer_value_shows_its_arithmetic(served, tiny_run):
    catalog, key, picture = served
    image = tiny_run.as_input(picture)
    layers = inspection.feature_maps(tiny_run.model, image)
    shown = look(tiny_run, image, "en", "your drawing").maps
    k, row, col = 4, 12, 13
    x, y = centre_of(layers, 0, k, row, col)
    # The point clicked is that value in the picture the page shows (white = high).
    low, high = float(layers[0].maps.min()), float(layers[0].maps.max())
    assert abs(int(shown[y, x]) - (layers[0].maps[row, col, k] - low) * 255 / (high - low)) <= 1
    view = arithmetic.clicked(catalog, key, picture, (x, y))
    assert view.text.startswith(f"**{layers[0].layer}, map {k + 1} at row {row}, column {col}**")
    assert the_network_s_value(view.text) == pytest.approx(float(layers[0].maps[row, col, k]),
                                                           abs=1e-5)
    table = [line for line in view.text.splitlines() if line.startswith("|")]
    assert len(table) == 2 + 3  # titles, rule, the 3×3 patch, kernel and products
    assert "input patch" in table[0] and "× kernel" in table[0] and "= products" in table[0]
    assert "correlation" in view.text and ", relu → " in view.text
    assert "rows 11–13, columns 12–14 (3×3 pixels" in view.text  # its receptive field
    # The input enlarged 8 times, the field outlined in red around rows 11–13, columns 12–14.
    assert view.field.shape == (224, 224, 3)
    red = (view.field[..., 0] > 200) & (view.field[..., 1] < 80)
    rows, cols = np.nonzero(red)
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (11 * 8, 14 * 8 - 1,
                                                                12 * 8, 15 * 8 - 1)


def test_a_click_on_a_deeper_layer_names_its_largest_contributions(served, tiny_run):
    catalog, key, picture = served
    layers = inspection.feature_maps(tiny_run.model, tiny_run.as_input(picture))
    for index, fm in enumerate(layers[1:], 1):
        height, width, count = fm.maps.shape
        k, row, col = count - 1, height - 1, width // 2
        view = arithmetic.clicked(catalog, key, picture, centre_of(layers, index, k, row, col))
        assert view.text.startswith(f"**{fm.layer}, map {count} at row {row}, column {col}**")
        assert the_network_s_value(view.text) == pytest.approx(float(fm.maps[row, col, k]),
                                                               abs=1e-5)
        said = ("The largest of the window" if fm.kind == "pooling"
                else "summed over each of the")
        assert said in view.text


def test_a_click_beside_the_maps_or_before_drawing_gets_an_invitation(served, tiny_run):
    catalog, key, picture = served
    layers = inspection.feature_maps(tiny_run.model, tiny_run.as_input(picture))
    x, y = centre_of(layers, 0, 0, 0, 0)
    for where in [(x, 3), (x + SheetLayout.of(layers[0].maps.shape).tile_w, y), (x, 10 ** 5)]:
        view = arithmetic.clicked(catalog, key, picture, where, "fr")
        assert view.text == say("fr", "arith_invite") and view.field is None
    assert arithmetic.clicked(catalog, key, None, (x, y)).text == say("en", "arith_invite")
    assert arithmetic.clicked(catalog, key, picture, None).text == say("en", "arith_invite")


def test_a_click_on_an_explored_test_image_s_maps(served, tiny_run):
    catalog, key, _ = served
    image = tiny_run.pick_image(test_index=7).image
    layers = inspection.feature_maps(tiny_run.model, image)
    shown = explore.inspect_test_image(catalog, key, 7).maps
    assert shown.shape[0] == sum(SheetLayout.of(fm.maps.shape).height + STACK_GAP
                                 for fm in layers) - STACK_GAP
    view = arithmetic.clicked(catalog, key, 7, centre_of(layers, 1, 2, 3, 4), "en",
                              explore.inspected_input)
    assert view.text.startswith(f"**{layers[1].layer}, map 3 at row 3, column 4**")
    assert the_network_s_value(view.text) == pytest.approx(float(layers[1].maps[3, 4, 2]),
                                                           abs=1e-5)


def test_the_arithmetic_speaks_french(served, tiny_run):
    catalog, key, picture = served
    layers = inspection.feature_maps(tiny_run.model, tiny_run.as_input(picture))
    view = arithmetic.clicked(catalog, key, picture, centre_of(layers, 0, 1, 10, 10), "fr")
    assert view.text.startswith(f"**{layers[0].layer}, carte 2, ligne 10, colonne 10**")
    for french in ("morceau de l'entrée", "× motif", "= produits", "corrélation", "+ biais",
                   "Recalculé", "champ récepteur"):
        assert french in view.text
    assert the_network_s_value(view.text) == pytest.approx(float(layers[0].maps[10, 10, 1]),
                                                           abs=1e-5)


def test_a_pooling_value_shows_its_window_and_winner_in_bold():
    """``mnist-viz`` has a pooling layer (layer 3), as the course's figure."""
    import keras

    from convscope.models import build_model
    from convscope.tracing import trace
    from convscope.words import Words

    keras.utils.set_random_seed(1)
    model = build_model("mnist-viz")
    x = np.random.default_rng(0).random(tuple(model.inputs[0].shape[1:]), dtype=np.float32)
    t = trace(model, x, 3, (4, 6), 1)
    text = arithmetic.arithmetic_text(t, Words("en"))
    table = [line for line in text.splitlines() if line.startswith("|")]
    window = t.terms["window"]
    assert len(table) == 2 + window.shape[0]
    row, col = t.terms["winner"]
    winner = Words("en").number(float(window[row, col]), 2)
    assert table[2 + row].split("|")[1 + col].strip() == f"**{winner}**"
    assert f"The largest of the window: {Words('en').number(t.value, 4)}." in text


def test_a_class_score_shows_its_weighted_sum_and_the_softmax(served, tiny_run):
    catalog, key, picture = served
    image = tiny_run.as_input(picture)
    probabilities = tiny_run.predict_arrays(image[None])[0]
    view = arithmetic.clicked(catalog, key, picture, None)  # nothing clicked yet
    assert view.text == say("en", "arith_invite")
    view = arithmetic.scored(catalog, key, picture, "3")
    assert view.text.startswith("**output: the score of class 3**")
    assert "Its 12,544 inputs (its 16 maps of 28×28 laid in a row)" in view.text
    assert the_network_s_value(view.text) == pytest.approx(float(probabilities[3]), abs=1e-5)
    tables = [line for line in view.text.splitlines() if line.startswith("|")]
    assert len(tables) == 2 + arithmetic.PRODUCTS_SHOWN + 2 + 10  # products, then softmax
    assert tables[2].startswith("| map ")  # where the largest product's input lies
    assert re.search(r"Σ of all 12,544 products = -?[\d.]+, \+ bias -?[\d.]+ = -?[\d.]+",
                     view.text)
    assert "Softmax turns the 10 scores into the probabilities shown" in view.text
    # Every class in the softmax table, surest first; the clicked one in bold.
    softmax = tables[-10:]
    assert [row.split("|")[1].strip(" *") for row in softmax] == \
        [str(k) for k in np.argsort(-probabilities, kind="stable")]
    assert [row for row in softmax if row.startswith("| **3**")]
    assert view.field.shape == (224, 224, 3)  # the whole input: a score sees every pixel


def test_a_class_score_in_french_and_an_unknown_class(served):
    catalog, key, picture = served
    view = arithmetic.scored(catalog, key, picture, "7", "fr")
    for french in ("le score de la classe 7", "Ses 12\u202f544 entrées", "× poids",
                   "La softmax transforme", "probabilité", "Recalculé"):
        assert french in view.text
    assert arithmetic.scored(catalog, key, picture, "cat").text == say("en", "arith_invite")
    assert arithmetic.scored(catalog, key, None, "7").text == say("en", "arith_invite")


def test_a_class_score_of_an_explored_test_image(served, tiny_run):
    catalog, key, _ = served
    image = tiny_run.pick_image(test_index=7).image
    probabilities = tiny_run.predict_arrays(image[None])[0]
    view = arithmetic.scored(catalog, key, 7, "5", "en", explore.inspected_input)
    assert view.text.startswith("**output: the score of class 5**")
    assert the_network_s_value(view.text) == pytest.approx(float(probabilities[5]), abs=1e-5)


def test_a_two_class_network_s_single_output_is_its_sigmoid():
    import keras

    from convscope.tracing import trace
    from convscope.words import Words

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((6, 6, 1)), keras.layers.Conv2D(2, 3),
                              keras.layers.GlobalAveragePooling2D(),
                              keras.layers.Dense(1, activation="sigmoid")])
    x = np.random.default_rng(0).random((6, 6, 1), dtype=np.float32)
    t = trace(model, x, model.layers[-1], None, 0)
    text = arithmetic.score_text(t, ["cats", "dogs"], 1, Words("en"))
    assert "Its 2 inputs, each times" in text and "| input 1 |" in text
    assert f"gives {Words('en').percent(t.value, 2)}, the probability of dogs" in text
    assert the_network_s_value(text) == pytest.approx(t.activation, abs=1e-6)


def test_the_weight_maps_panel_offers_the_classes_then_draws_one(served):
    from convscope.app import weights

    catalog, key, _ = served
    view = weights.class_weights(catalog, key, None, "en")
    assert view.choices == [(str(k), k) for k in range(10)] and view.figure is None
    assert view.message == say("en", "weights_choose")
    view = weights.class_weights(catalog, key, 4, "en")
    assert view.figure.size[0] > 400 and "'4'" in view.message
