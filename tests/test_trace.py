"""Inside one number: ``trace`` recomputes any value of any layer from its terms, and the
receptive fields say which input pixels a value depends on."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest
from helpers import run_cli
from PIL import Image

from convscope.errors import ConvscopeError
from convscope.layer_table import layer_table, traced_layers
from convscope.layers import PatchWhitening
from convscope.models import all_layers, build_model
from convscope.tracing import trace

RECIPES = ["mnist", "mnist-viz", "mnist-fast", "digits", "cifar10", "cifar10-fast", "catsdogs",
           "photos"]


def _image(model, seed: int = 0) -> np.ndarray:
    shape = tuple(model.inputs[0].shape[1:])
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


def _places(shape) -> list:
    """The first map at the top left corner (padding), the last map at the bottom right;
    for a vector, its first and last value."""
    if len(shape) != 3:
        return [(None, 0), (None, shape[0] - 1)]
    height, width, channels = shape
    return [((0, 0), 0), ((height - 1, width - 1), channels - 1)]


def _check_every_layer(model, x):
    """Every layer, at two places: value == activation."""
    shapes = traced_layers(model)
    checked = 0
    for layer in all_layers(model):
        if isinstance(layer, keras.layers.InputLayer) or isinstance(layer, keras.Model):
            continue
        for position, channel in _places(shapes[id(layer)][0]):
            t = trace(model, x, layer.name, position, channel)
            assert t.agrees(), (layer.name, t.kind, position, t.value, t.activation)
            checked += 1
    return checked


@pytest.mark.parametrize("recipe", RECIPES)
def test_every_layer_of_the_course_networks_is_recomputed_to_float32_precision(recipe):
    keras.utils.set_random_seed(0)
    model = build_model(recipe, precision="float32")
    x = _image(model)
    for layer in all_layers(model):
        if isinstance(layer, PatchWhitening):  # cifar10-fast's whitening, fitted on images
            layer.adapt(np.random.default_rng(1).random((50, *x.shape), dtype=np.float32))
    _set_batch_statistics(model)
    assert _check_every_layer(model, x) > 0


def test_a_bfloat16_network_is_recomputed_to_bfloat16_precision():
    keras.utils.set_random_seed(0)
    model = build_model("photos", precision="mixed_bfloat16")
    t = trace(model, _image(model), "block2_conv1", (3, 5), 7)
    assert t.precision == "bfloat16" and t.agrees()


def _set_batch_statistics(model):
    """Batch normalisation with means and variances of its own (not 0 and 1), so that its
    scale and shift are really tested."""
    rng = np.random.default_rng(2)
    for layer in all_layers(model):
        if isinstance(layer, keras.layers.BatchNormalization):
            n = layer.moving_mean.shape[0]
            layer.moving_mean.assign(rng.normal(0, 0.5, n).astype("float32"))
            layer.moving_variance.assign(rng.uniform(0.5, 2, n).astype("float32"))
            if layer.gamma is not None:
                layer.gamma.assign(rng.uniform(0.5, 1.5, n).astype("float32"))


def _made_model():
    """Strides, dilation, same and valid padding, depthwise, both poolings, batch
    normalisation, a residual addition, a nested block and a functional graph."""
    inputs = keras.Input((19, 17, 2))
    x = keras.layers.Conv2D(4, 3, strides=2, padding="same", name="strided")(inputs)
    x = keras.layers.BatchNormalization(name="norm")(x)
    x = keras.layers.Activation("tanh", name="tanh")(x)
    y = keras.layers.Conv2D(4, 3, dilation_rate=2, padding="same", name="dilated")(x)
    y = keras.layers.DepthwiseConv2D(3, padding="same", depth_multiplier=1,
                                     name="depthwise")(y)
    x = keras.layers.Add(name="add")([x, y])
    x = keras.layers.AveragePooling2D(3, strides=2, padding="same", name="average")(x)
    block = keras.Sequential([keras.Input((None, None, 4)),
                              keras.layers.Conv2D(5, (2, 3), padding="valid", name="inner"),
                              keras.layers.MaxPooling2D(2, padding="same", name="inner_max")],
                             name="block")
    x = block(x)
    x = keras.layers.GlobalAveragePooling2D(name="global")(x)
    x = keras.layers.Dense(6, activation="relu", name="hidden")(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs)


def test_every_layer_of_a_made_up_functional_network_with_a_nested_block():
    keras.utils.set_random_seed(3)
    model = _made_model()
    _set_batch_statistics(model)
    assert _check_every_layer(model, _image(model, 4)) >= 20


def test_the_output_terms_are_the_logits_and_their_softmax():
    keras.utils.set_random_seed(3)
    model = _made_model()
    x = _image(model)
    t = trace(model, x, "output")
    probabilities = model(x[None]).numpy()[0]
    assert t.kind == "dense" and t.channel == int(np.argmax(probabilities))
    np.testing.assert_allclose(t.terms["probabilities"], probabilities, rtol=1e-5)
    assert t.terms["pre_activation"] == pytest.approx(t.terms["logits"][t.channel])


def test_the_first_convolution_is_patch_times_kernel_summed_plus_bias_through_relu():
    keras.utils.set_random_seed(1)
    model = build_model("mnist-viz")
    x = _image(model)
    t = trace(model, x, 1, (0, 5), 2)
    kernel = model.layers[0].kernel.numpy()[..., 0, 2]
    patch = np.pad(x[..., 0], 1)[0:3, 5:8]  # "same" padding: one row of zeros above
    assert t.kind == "convolution" and t.number == 1
    np.testing.assert_allclose(t.terms["patch"][..., 0], patch)
    np.testing.assert_allclose(t.terms["products"][..., 0], patch * kernel, rtol=1e-6)
    assert not t.terms["inside"][0].any() and t.terms["inside"][1:].all()
    expected = max((patch * kernel).sum() + model.layers[0].bias.numpy()[2], 0)
    assert t.value == pytest.approx(expected, rel=1e-5, abs=1e-7)
    assert t.receptive_field == (0, 4, 2, 7)


def test_convscope_trace_is_the_library_function():
    import convscope

    model = build_model("mnist-viz")
    assert convscope.trace(model, _image(model), 2, (3, 4)).agrees()


def test_max_pooling_names_its_winner():
    keras.utils.set_random_seed(1)
    model = build_model("mnist-viz")
    x = _image(model)
    t = trace(model, x, 3, (4, 6), 1)
    window = t.terms["window"]
    assert t.kind == "pooling" and window[t.terms["winner"]] == window.max() == t.value


@pytest.mark.parametrize("layer, position", [("strided", (4, 3)), ("dilated", (5, 8)),
                                             ("depthwise", (9, 0)), ("average", (2, 2)),
                                             ("inner", (1, 1)), ("inner_max", (1, 0))])
def test_a_value_depends_on_its_receptive_field_and_on_nothing_outside(layer, position):
    """Pixels outside the field change nothing; each corner pixel of the field changes it
    (a network without ReLU, so that no change is hidden)."""
    keras.utils.set_random_seed(5)
    model = _made_model()
    x = _image(model)
    t = trace(model, x, layer, position, 1)
    top, left, bottom, right = t.receptive_field
    outside = np.random.default_rng(6).random(x.shape, dtype=np.float32)
    outside[top:bottom, left:right] = x[top:bottom, left:right]
    assert trace(model, outside, layer, position, 1).activation == \
        pytest.approx(t.activation, rel=1e-5, abs=1e-6)
    if layer == "inner_max":  # a maximum ignores the pixels that do not win
        return
    for row, col in ((top, left), (bottom - 1, right - 1)):
        nudged = x.copy()
        nudged[row, col] += 1.0
        assert trace(model, nudged, layer, position, 1).activation != \
            pytest.approx(t.activation, rel=1e-6, abs=1e-7), (row, col)


def test_the_layer_table_gives_each_layer_its_receptive_field_and_step():
    model = build_model("mnist-viz")
    rows = {r["name"]: r for r in layer_table(model)}
    assert [(r["receptive_field"], r["step"]) for r in rows.values()][:3] == \
        [((3, 3), (1, 1)), ((5, 5), (1, 1)), ((6, 6), (2, 2))]
    assert rows["output"]["receptive_field"] == (28, 28) and rows["output"]["step"] is None


def test_the_layer_table_agrees_with_trace_in_the_middle_of_the_picture():
    keras.utils.set_random_seed(3)
    model = _made_model()
    x = _image(model)
    table = {r["name"]: r for r in layer_table(model)}
    for name, (row, col) in {"strided": (4, 4), "dilated": (4, 4), "depthwise": (4, 4)}.items():
        top, left, bottom, right = trace(model, x, name, (row, col), 0).receptive_field
        next_top = trace(model, x, name, (row + 1, col + 1), 0).receptive_field[0]
        assert table[name]["receptive_field"] == (bottom - top, right - left)
        assert table[name]["step"][0] == next_top - top


def test_a_layer_it_cannot_explain_gets_one_line_naming_it():
    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.UpSampling2D(name="up"),
                              keras.layers.Flatten(), keras.layers.Dense(2)])
    with pytest.raises(ConvscopeError, match="'up' \\(UpSampling2D\\): convscope cannot"):
        trace(model, np.zeros((8, 8, 1), np.float32), "up", (0, 0))


def test_a_position_outside_the_maps_is_refused_with_the_range():
    model = build_model("mnist-viz")
    with pytest.raises(ConvscopeError, match="within \\(27, 27\\)"):
        trace(model, _image(model), 1, (28, 0))


def test_convscope_trace_prints_the_arithmetic_and_json(tiny_run, tmp_path):
    picture = tmp_path / "digit.png"
    Image.fromarray((tiny_run.data.x_test[0][..., 0]).astype(np.uint8)).save(picture)
    shown = run_cli("trace", tiny_run.path, picture, "--layer", "1", "--at", "10,12",
                    "--filter", "3")
    assert shown.returncode == 0, shown.stderr
    for words in ("input patch", "× kernel", "= products", "+ bias", "relu",
                  "rows 9–11, columns 11–13", "equal to float32 precision", "correlation"):
        assert words in shown.stdout
    record = json.loads(run_cli("trace", tiny_run.path, picture, "--layer", "output",
                                "--json").stdout)
    assert record["kind"] == "dense" and len(record["terms"]["probabilities"]) == 10
    assert abs(record["value"] - record["activation"]) < 1e-5
    wrong = run_cli("trace", tiny_run.path, picture, "--layer", "1", "--at", "3,3",
                    "--filter", "99")
    assert wrong.returncode == 1 and "--filter must be from 1 to" in wrong.stderr
    missing = run_cli("trace", tiny_run.path, picture, "--layer", "1")
    assert missing.returncode == 1 and "--at" in missing.stderr


def test_the_report_shows_one_value_per_layer_with_its_arithmetic(tiny_run, tmp_path):
    import re

    import convscope

    page = convscope.report(tiny_run, tmp_path / "page.html", lang="en").read_text("utf-8")
    start = page.index("Inside one number")
    section = page[start:page.index("</section>", start)]
    assert "input patch" in section and "× kernel" in section and "= products" in section
    assert "summed over each of the 32 input maps" in section  # conv2, the deeper layer
    assert "the score of class" in section and "softmax" in section
    checks = re.findall(r"Recomputed: ([-\d.,]+); the network: ([-\d.,]+)\.", section)
    assert len(checks) == 3
    for recomputed, computed in checks:  # equal to float32 precision
        assert float(recomputed.replace(",", "")) == pytest.approx(
            float(computed.replace(",", "")), rel=2e-6, abs=2e-6)
