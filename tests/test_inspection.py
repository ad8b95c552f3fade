"""Study 4: feature maps, filter responses, kernels, Grad-CAM, layer table, on any model."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from helpers import run_cli
from PIL import Image

from convscope import inspection
from convscope.layer_table import layer_table
from convscope.models import build_model


def _probe(model, layer, x):
    """The independent reference: a sub-model ending at ``layer``."""
    return keras.Model(model.inputs, layer.output)([x]).numpy()


def test_feature_maps_equal_an_independent_sub_model():
    keras.utils.set_random_seed(1)
    model = build_model("mnist-viz")
    x = np.random.default_rng(0).random((3, 28, 28, 1), dtype=np.float32)
    layers = inspection.visual_layers(model)
    assert [type(layer).__name__ for layer in layers] == ["Conv2D", "Conv2D", "MaxPooling2D"]
    ours = inspection.layer_outputs(model, x, layers)
    for layer, maps in zip(layers, ours, strict=True):
        np.testing.assert_allclose(maps, _probe(model, layer, x), rtol=1e-5, atol=1e-6)


def test_first_layer_map_is_a_cross_correlation_plus_bias_then_relu():
    keras.utils.set_random_seed(2)
    model = build_model("mnist-viz")
    image = np.random.default_rng(1).random((28, 28, 1), dtype=np.float32)
    maps = inspection.feature_maps(model, image, layers=[1])[0].maps
    kernel, bias = inspection.kernels(model, 1)
    padded = np.pad(image[..., 0], 1)
    for k in (0, 7, 15):
        expected = np.zeros((28, 28), np.float32)
        for i in range(28):
            for j in range(28):
                expected[i, j] = np.sum(padded[i:i + 3, j:j + 3] * kernel[:, :, 0, k]) + bias[k]
        np.testing.assert_allclose(maps[..., k], np.maximum(expected, 0), atol=1e-5)


def test_pooling_maps_are_the_2x2_max_of_the_previous_layer():
    keras.utils.set_random_seed(3)
    model = build_model("mnist-viz")
    image = np.random.default_rng(2).random((28, 28, 1), dtype=np.float32)
    second, pooled = (fm.maps for fm in inspection.feature_maps(model, image, layers=[2, 3]))
    expected = second.reshape(14, 2, 14, 2, 16).max(axis=(1, 3))
    np.testing.assert_allclose(pooled, expected, atol=1e-6)


def test_filter_responses_and_errors():
    model = build_model("mnist-viz")
    images = np.random.default_rng(3).random((5, 28, 28, 1), dtype=np.float32)
    responses = inspection.filter_responses(model, images, 2, 16)
    assert responses.shape == (5, 28, 28)
    with pytest.raises(Exception, match="has 16 filters"):
        inspection.filter_responses(model, images, 2, 17)
    with pytest.raises(Exception, match="layer 4 does not exist"):
        inspection.find_layer(model, 4)


def test_layer_table_explains_each_count():
    rows = layer_table(build_model("mnist"))
    assert [r["formula"] for r in rows] == [
        "3×3×1 × 32 + 32 = 320", "3×3×32 × 16 + 16 = 4,624", "no weights",
        "(12,544 + 1) × 10 = 125,450",
    ]
    assert rows[0]["output_shape"] == (28, 28, 32)


# -- any Keras classifier: Sequential without Input, functional, nested ------------------------


def _corner_data(n=600, size=24, seed=0):
    """Images with a bright square in the top-left corner (class 1) or none (class 0)."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, size, size, 1), dtype=np.float32) * 0.3
    y = rng.integers(0, 2, n)
    x[y == 1, 2:8, 2:8, 0] = 1.0
    return x, y


def _sequential_without_input():
    return keras.Sequential([
        keras.layers.Conv2D(8, 3, padding="same", activation="relu"),
        keras.layers.Conv2D(8, 3, padding="same", activation="relu"),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(2, activation="softmax"),
    ])


def _functional():
    inputs = keras.Input((24, 24, 1))
    h = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(inputs)
    h = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(h)
    h = keras.layers.GlobalAveragePooling2D()(h)
    return keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(h))


def _nested():
    backbone = keras.Sequential([
        keras.Input((24, 24, 1)),
        keras.layers.Conv2D(8, 3, padding="same", activation="relu"),
        keras.layers.Conv2D(8, 3, padding="same", activation="relu"),
    ], name="backbone")
    inputs = keras.Input((24, 24, 1))
    h = keras.layers.GlobalAveragePooling2D()(backbone(inputs))
    return keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(h))


@pytest.mark.parametrize("make", [_sequential_without_input, _functional, _nested],
                         ids=["sequential-no-input", "functional", "nested"])
def test_grad_cam_finds_the_bright_corner(make, tmp_path):
    keras.utils.set_random_seed(0)
    x, y = _corner_data()
    model = make()
    model.compile(keras.optimizers.Adam(3e-3), "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=20, batch_size=32, verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    model = keras.saving.load_model(path)  # as a user would bring it
    image = x[np.flatnonzero(y == 1)[0]]
    cam = inspection.grad_cam(model, image)
    assert cam.class_index == 1 and cam.probabilities[1] > 0.9
    assert cam.heatmap.shape == (24, 24)
    corner = cam.heatmap[:12, :12].mean()
    assert corner > 2 * cam.heatmap[12:, 12:].mean() and corner > cam.heatmap.mean()
    maps = inspection.feature_maps(model, image)
    assert [fm.maps.shape for fm in maps] == [(24, 24, 8), (24, 24, 8)]


def test_grad_cam_uses_scores_before_the_softmax():
    """A saturated softmax has ~zero gradients; the map must still show where the evidence is."""
    keras.utils.set_random_seed(0)
    x, y = _corner_data()
    model = _functional()
    model.compile(keras.optimizers.Adam(3e-3), "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=20, verbose=0)
    dense = model.layers[-1]
    kernel, bias = dense.get_weights()
    dense.set_weights([kernel * 50, bias * 50])  # saturate: probabilities of exactly 0 and 1
    image = x[np.flatnonzero(y == 1)[0]]
    cam = inspection.grad_cam(model, image, class_index=1)
    assert cam.heatmap.max() == pytest.approx(1.0)
    assert cam.heatmap[:12, :12].mean() > cam.heatmap[12:, 12:].mean()


# -- the command line on a trained run --------------------------------------------------------


def test_see_writes_one_figure_per_layer(tiny_run, tmp_path):
    result = run_cli("see", tiny_run.path, "--test-index", "4", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    written = sorted(p.name for p in tmp_path.glob("*.png"))
    assert written == ["see-test4-layer1.png", "see-test4-layer2.png"]  # mnist: 2 convolutions


def test_filter_kernels_explain_and_summary(tiny_run, tmp_path):
    digit = tmp_path / "digit.png"
    img = Image.new("L", (80, 80), 255)
    img.paste(0, (35, 10, 45, 70))  # a "1"
    img.save(digit)
    assert run_cli("filter", tiny_run.path, "--layer", "2", "--filter", "3", "--images", "10",
                   "--out", tmp_path).returncode == 0
    assert (tmp_path / "filter-layer2-filter3.png").is_file()
    assert run_cli("kernels", tiny_run.path, "--out", tmp_path).returncode == 0
    assert {"kernels-layer1.png", "kernels-layer2.png"} <= {p.name for p in tmp_path.iterdir()}
    result = run_cli("explain", tiny_run.path, digit, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "predicted" in result.stdout and list(tmp_path.glob("explain-digit-*.png"))
    result = run_cli("summary", "mnist", "--out", tmp_path / "arch.png")
    assert result.returncode == 0 and "3×3×1 × 32 + 32 = 320" in result.stdout
    assert "130,394" in result.stdout and (tmp_path / "arch.png").is_file()


def test_commands_accept_a_bare_keras_file(tiny_run, tmp_path):
    model_file = tiny_run.path / "model.keras"
    result = run_cli("see", model_file, tmp_path / "missing.png", "--out", tmp_path)
    assert result.returncode == 1 and "no such file" in result.stderr
    img = tmp_path / "four.png"
    Image.new("L", (50, 50), 0).save(img)
    Image.open(img)
    arr = np.zeros((50, 50), np.uint8)
    arr[10:40, 24:28] = 255
    Image.fromarray(arr).save(img)
    result = run_cli("see", model_file, img, "--out", tmp_path, "--layers", "1")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "see-four-layer1.png").is_file()


def test_default_map_is_not_empty_for_a_flatten_dense_head(tiny_run):
    """The course's nets end in Flatten → Dense, where plain Grad-CAM often comes out empty."""
    x_test = tiny_run.data.x_test
    cam = inspection.grad_cam(tiny_run.model, tiny_run.scale(x_test[7]))
    assert cam.method == "hirescam" and cam.heatmap.max() == pytest.approx(1.0)
    both = inspection.grad_cam(tiny_run.model, tiny_run.scale(x_test[7]), method="gradcam")
    assert both.heatmap.shape == cam.heatmap.shape
