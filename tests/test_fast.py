"""--fast and the fast recipes: precision (bfloat16 only where measured faster, layers
untouched), the smoothed loss, test-time flip, flip augmentation, and a cifar10-fast run."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import convscope
from convscope import precision
from convscope.augmentation import Augmentation
from convscope.callbacks import Lookahead
from convscope.evaluation import predict_probabilities
from convscope.inspection import feature_maps
from convscope.layers import PatchWhitening
from convscope.losses import SmoothedSparseCrossentropy
from convscope.models import build_model, load_keras_model
from convscope.recipes import get_recipe
from convscope.recipes.course import MNIST


@pytest.fixture
def bfloat16_faster(monkeypatch, tmp_path):
    """The precision probe finds bfloat16 twice as fast (no test times the machine), and keeps
    that in a cache of the test's own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(precision, "measure", lambda network, batch, timer=None: {
        "float32": 1000.0, "mixed_bfloat16": 2000.0})
    monkeypatch.setattr(precision, "visible_gpus", lambda: [])


def test_mixed_precision_model_keeps_float32_weights_and_output():
    before = keras.config.dtype_policy().name
    model = MNIST.build(precision="mixed_bfloat16")
    assert keras.config.dtype_policy().name == before  # the global policy is restored
    conv = model.get_layer("conv1")
    assert conv.compute_dtype == "bfloat16" and conv.variable_dtype == "float32"
    output = model.layers[-1]
    assert output.compute_dtype == "float32"
    assert model.count_params() == 130_394
    probabilities = model.predict(np.zeros((2, 28, 28, 1), np.float32), verbose=0)
    assert probabilities.dtype == np.float32


def test_fast_changes_training_never_layers():
    fast = MNIST.faster()
    assert fast.precision == "auto"
    assert (fast.batch_size, fast.schedule) == (MNIST.fast.batch_size, "warmup-cosine")
    assert fast.build().count_params() == MNIST.build().count_params() == 130_394
    assert MNIST.batch_size == 32 and MNIST.precision == "float32"  # the course's, untouched
    plain = get_recipe("catsdogs").faster()  # nothing measured: only the precision changes
    assert plain.batch_size == 32 and plain.precision == "auto"


def test_fast_run_records_its_choices_and_reloads(tmp_path, bfloat16_faster):
    run = convscope.train("mnist", fast=True, epochs=2, limit=4000, seed=0,
                          out=tmp_path / "fast", progress=False)
    config = run.config
    assert config.precision == "mixed_bfloat16"
    assert config.batch_size == MNIST.fast.batch_size
    assert config.schedule == "warmup-cosine"
    assert run.metrics["test_accuracy"] > 0.8
    model = load_keras_model(run.path / "model.keras")
    assert model.get_layer("conv2").compute_dtype == "bfloat16"
    [maps] = feature_maps(model, np.zeros((28, 28, 1), np.float32), ["conv1"])
    assert maps.maps.dtype == np.float32  # NumPy has no bfloat16: inspection converts


def test_fast_recipe_uses_bfloat16_where_measured_faster(bfloat16_faster):
    recipe = get_recipe("mnist-fast")
    assert recipe.build().count_params() == 421_642
    model = build_model(recipe)
    assert model.get_layer("conv1").compute_dtype == "bfloat16"


def test_flip_mirrors_about_half_and_shift_moves():
    images = np.arange(200 * 4 * 4, dtype=np.uint8).reshape(200, 4, 4, 1)
    flipped = Augmentation(flip=True).apply_numpy(images, np.random.default_rng(0))
    mirrored = [np.array_equal(f, i[:, ::-1]) for f, i in zip(flipped, images, strict=True)]
    kept = [np.array_equal(f, i) for f, i in zip(flipped, images, strict=True)]
    assert all(m or k for m, k in zip(mirrored, kept, strict=True))
    assert 70 < sum(mirrored) < 130
    assert np.array_equal(Augmentation().apply_numpy(images, np.random.default_rng(0)), images)


def test_smoothed_loss_matches_keras_on_one_hot_labels():
    probabilities = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]], np.float32)
    labels = np.array([0, 1])
    ours = SmoothedSparseCrossentropy(0.2)(labels, probabilities)
    theirs = keras.losses.CategoricalCrossentropy(label_smoothing=0.2)(
        np.eye(3, dtype=np.float32)[labels], probabilities)
    assert float(ours) == pytest.approx(float(theirs), rel=1e-5)


def test_cifar10_fast_trains_saves_and_reloads(tmp_path, monkeypatch):
    recipe = get_recipe("cifar10-fast")
    assert (recipe.optimizer, recipe.augmentation.flip, recipe.label_smoothing) == ("sgd", True,
                                                                                    0.2)
    blends = []
    kept = Lookahead.kept
    monkeypatch.setattr(Lookahead, "kept", lambda self, step: blends.append(step) or kept(
        self, step))
    run = convscope.train("cifar10-fast", epochs=1, limit=512, batch_size=128,
                          out=tmp_path / "run", progress=False)
    assert blends == [4]  # the weights were averaged: at the last of its 4 steps
    config = run.config
    assert config.optimizer == "sgd" and config.flip is True
    assert config.label_smoothing == 0.2
    assert (config.momentum, config.lookahead) == (0.85, True)
    model = load_keras_model(run.path / "model.keras")  # safe mode, convscope's loss and layers
    assert isinstance(model.loss, SmoothedSparseCrossentropy)
    # The whitening filters were fitted to the (normalised) training images, and stay frozen.
    whiten = model.get_layer("whiten")
    expected = PatchWhitening()
    train_images = run.data.x_train[:512].astype(np.float32) / 255
    expected.adapt(keras.ops.convert_to_numpy(model.get_layer("normalize")(train_images)))
    np.testing.assert_allclose(whiten.kernel.numpy(), expected.kernel.numpy(), rtol=1e-4,
                               atol=1e-4)
    assert config.test_time_flip is True  # its predictions average each image's mirror
    x = run.data.x_test[:8].astype(np.float32) / 255
    np.testing.assert_allclose(run.predict_arrays(x), predict_probabilities(model, x, mirror=True),
                               rtol=1e-4, atol=1e-6)
    assert (run.path / "figures" / "training_batch.png").is_file()


def test_test_time_flip_averages_each_image_with_its_mirror():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(3, activation="softmax")])
    x = np.random.default_rng(0).random((10, 4, 4, 1)).astype(np.float32)
    plain, mirror = model.predict(x, verbose=0), model.predict(x[:, :, ::-1], verbose=0)
    assert not np.allclose(plain, mirror)  # the check below would pass without any mirroring
    averaged = predict_probabilities(model, x, mirror=True)
    np.testing.assert_allclose(averaged, (plain + mirror) / 2, rtol=1e-5)
    np.testing.assert_allclose(predict_probabilities(model, x), plain, rtol=1e-5)

    class Batches(keras.utils.PyDataset):  # photo folders arrive as (images, labels) batches
        def __len__(self):
            return 3

        def __getitem__(self, index):
            return x[4 * index:4 * index + 4], np.zeros(len(x[4 * index:4 * index + 4]))

    np.testing.assert_allclose(predict_probabilities(model, Batches(), mirror=True), averaged,
                               rtol=1e-5)
