"""What each class looks for: a dense layer's weights laid back as the maps it receives,
checked against the network itself (Flatten's order), and its figure."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from convscope import views
from convscope.errors import ConvscopeError
from convscope.weight_maps import weight_maps

HEIGHT, WIDTH, MAPS, UNITS = 4, 5, 3, 6


def flat_model():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((HEIGHT, WIDTH, MAPS))
    outputs = keras.layers.Dense(UNITS, bias_initializer="glorot_uniform")(
        keras.layers.Flatten()(inputs))
    return keras.Model(inputs, outputs)


def test_the_weights_are_laid_back_where_the_network_reads_them():
    model = flat_model()
    found = weight_maps(model)
    assert found.weights.shape == (UNITS, HEIGHT, WIDTH, MAPS) and found.is_output
    kernel = np.asarray(model.layers[-1].kernel)
    bias = model.predict(np.zeros((1, HEIGHT, WIDTH, MAPS), np.float32), verbose=0)[0]
    np.testing.assert_allclose(found.bias, bias, atol=1e-6)
    for row, col, k in [(0, 0, 0), (1, 3, 2), (3, 4, 1), (2, 0, 2)]:
        # One value set to 1 in the maps: each output moves by that value's weight.
        x = np.zeros((1, HEIGHT, WIDTH, MAPS), np.float32)
        x[0, row, col, k] = 1.0
        moved = model.predict(x, verbose=0)[0] - bias
        np.testing.assert_allclose(found.weights[:, row, col, k], moved, atol=1e-5)
        index = np.ravel_multi_index((row, col, k), (HEIGHT, WIDTH, MAPS))
        np.testing.assert_array_equal(found.weights[:, row, col, k], kernel[index])
    assert found.limit == pytest.approx(float(np.abs(kernel).max()))


def test_the_last_dense_layer_fed_by_flattened_maps_is_chosen_through_dropout():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3, name="conv"),
        keras.layers.Flatten(), keras.layers.Dropout(0.5), keras.layers.Dense(4, name="hidden"),
        keras.layers.Dense(3, name="out")])
    found = weight_maps(model)
    assert found.layer == "hidden" and found.weights.shape == (4, 6, 6, 2)
    assert not found.is_output


def test_a_network_whose_maps_are_pooled_has_none():
    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3),
                              keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(3)])
    assert weight_maps(model) is None


def test_the_figure_of_one_class_on_the_shared_scale(tiny_run):
    found = weight_maps(tiny_run.model)
    drawn = views.class_weights_figure(tiny_run, 7, "fr")
    images = [ax.images[0] for ax in drawn.figure.axes if ax.images]
    assert len(images) == found.weights.shape[-1]  # one picture per map the layer receives
    for k, shown in enumerate(images):
        np.testing.assert_array_equal(shown.get_array(), found.weights[7, ..., k])
        assert shown.get_clim() == (-found.limit, found.limit)
        assert shown.get_cmap().name == "RdBu_r"  # red positive, blue negative, white 0
    assert "« 7 »" in drawn.figure._suptitle.get_text()
    assert "rouge" in drawn.figure.axes[-1].get_ylabel()  # the colour bar's legend
    with pytest.raises(ConvscopeError, match="unit must be in 0–9"):
        views.class_weights_figure(tiny_run, 10)
