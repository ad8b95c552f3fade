"""convscope.layers (airbench's building blocks, the one-step random geometry of --augment)
and airbench's weight averaging (training.Lookahead)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from convscope.callbacks import Lookahead
from convscope.layers import (
    PartialIdentity,
    PatchWhitening,
    RandomAffine,
    ScaledBias,
    affine_transform_rows,
)


def correlated_images(n=400, size=8, seed=0):
    """Smooth colour images: neighbouring pixels and channels strongly correlated."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(n, size + 1, size + 1, 1))
    smooth = (base[:, 1:, 1:] + base[:, :-1, 1:] + base[:, 1:, :-1] + base[:, :-1, :-1]) / 4
    return (smooth * [1.0, 0.8, 0.6] + 0.2 * rng.normal(size=(n, size, size, 3))).astype(
        np.float32)


def test_patch_whitening_decorrelates_the_patches_it_was_fitted_to():
    x = correlated_images()
    layer = PatchWhitening(epsilon=1e-6)
    layer.adapt(x)
    out = keras.ops.convert_to_numpy(layer(x)).astype(np.float64)
    assert out.shape == (len(x), 7, 7, 24)
    first = out[..., :12].reshape(-1, 12)
    covariance = first.T @ first / len(first)  # the patches' second moments, as adapt's
    np.testing.assert_allclose(covariance, np.eye(12), atol=1e-3)
    np.testing.assert_allclose(out[..., 12:], -out[..., :12], atol=1e-5)  # and their negatives
    raw = np.stack([x[:, :7, :7], x[:, :7, 1:], x[:, 1:, :7], x[:, 1:, 1:]], 3).reshape(-1, 12)
    assert np.abs(np.corrcoef(raw.T) - np.eye(12)).max() > 0.5  # they were correlated


def test_patch_whitening_trains_only_its_bias_and_survives_a_save(tmp_path):
    x = correlated_images(50)
    model = keras.Sequential([keras.Input((8, 8, 3)), PatchWhitening(name="whiten"),
                              keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(2)])
    model.layers[0].adapt(x)
    assert [w.name for w in model.trainable_weights[:1]] == ["bias"]
    assert model.layers[0].kernel.trainable is False
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_scaled_bias_adds_its_scale_times_the_bias_and_learns_scale_squared_faster():
    layer = ScaledBias(8.0)
    x = np.zeros((2, 3, 3, 4), np.float32)
    layer.build(x.shape)
    layer.bias.assign(np.arange(4, dtype=np.float32))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x))[0, 0, 0], 8 * np.arange(4))
    # The gradient reaching the bias is 8 times the output's: a step of SGD moves the bias
    # 8 times further, and the output (8 × the bias) 64 times.
    import tensorflow as tf

    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(layer(x))
    (grad,) = tape.gradient(loss, [layer.bias.value])
    np.testing.assert_allclose(grad.numpy(), np.full(4, 8 * 18 / 72), rtol=1e-6)  # 18 of 72 values


def test_partial_identity_passes_the_first_channels_through():
    keras.utils.set_random_seed(0)
    conv = keras.layers.Conv2D(6, 3, padding="same", use_bias=False,
                               kernel_initializer=PartialIdentity())
    x = np.random.default_rng(0).normal(size=(2, 5, 5, 4)).astype(np.float32)
    y = keras.ops.convert_to_numpy(conv(x))
    np.testing.assert_allclose(y[..., :4], x, atol=1e-6)
    rest = keras.ops.convert_to_numpy(conv.kernel)[..., 4:]
    assert 0 < np.abs(rest).max() <= 1 / np.sqrt(3 * 3 * 4)  # PyTorch's default draw


def tiny_model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    return model


@pytest.mark.parametrize("steps_per_call", [1, 4])
def test_lookahead_blends_weights_with_their_average_and_ends_on_it(steps_per_call):
    x = np.random.default_rng(1).normal(size=(64, 3)).astype(np.float32)
    y = x @ np.array([[1.0], [-2.0], [0.5]], np.float32)
    plain = tiny_model()
    plain.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)

    averaged = tiny_model()
    averaged.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse",
                     steps_per_execution=steps_per_call)
    lookahead = Lookahead(total_steps=16, every=2)
    blends = []
    original = Lookahead.on_train_batch_end

    def spy(self, batch, logs=None):
        before = self.last
        original(self, batch, logs)
        if self.last != before:
            blends.append(self.last)

    lookahead.on_train_batch_end = spy.__get__(lookahead)
    for _ in range(2):  # one fit per epoch, as convscope trains: the average carries over
        averaged.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0,
                     callbacks=[lookahead])
    assert blends[-1] == 16  # the last step always blends
    assert all(b - a >= 2 for a, b in zip(blends, blends[1:], strict=False))
    for w, a in zip(averaged.get_weights(), lookahead.average, strict=True):
        np.testing.assert_array_equal(w, a)  # it ends on the average
    # The average changed the path (weights differ from plain SGD's), not the destination.
    assert not np.allclose(averaged.get_weights()[0], plain.get_weights()[0])
    assert averaged.evaluate(x, y, verbose=0) < 0.5 * tiny_model().evaluate(x, y, verbose=0)


def test_lookahead_keeps_what_airbench_keeps_whatever_the_steps_between_blends():
    lookahead = Lookahead(total_steps=100, every=5)
    lookahead.last = 45
    assert lookahead.kept(50) == pytest.approx(0.95 ** 5 * 0.5 ** 3)  # airbench's, at half-way
    lookahead.last = 92
    assert lookahead.kept(100) == pytest.approx(0.95 ** 8)  # 8 steps at once: 0.95 a step
    lookahead.last = 0
    assert lookahead.kept(5) == pytest.approx(0.95 ** 5 * 0.05 ** 3)  # nearly none at first
    # Two blends 4 steps apart keep what one 8-step blend keeps, up to the progress factor.
    lookahead.last = 40
    first = lookahead.kept(44)
    lookahead.last = 44
    assert first * lookahead.kept(48) == pytest.approx(
        (0.95 ** 5) ** 1.6 * (0.44 * 0.48) ** (3 * 0.8), rel=1e-9)


def numbered_images(n=8, size=32):
    """Every pixel of every image a different number, so each output pixel names its source."""
    return np.arange(n * size * size * 3, dtype=np.float32).reshape(n, size, size, 3)


def test_random_affine_changes_images_only_while_training():
    x = numbered_images()
    layer = RandomAffine(rotation=0.05, shift=0.1, zoom=0.1, seed=0)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x)), x)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(RandomAffine(seed=0)(x, training=True)), x)
    moved = keras.ops.convert_to_numpy(layer(x, training=True))
    assert moved.shape == x.shape
    assert all(not np.array_equal(a, b) for a, b in zip(moved, x, strict=True))  # one each


def test_random_affine_copies_whole_pixels_so_nothing_is_blurred():
    x = numbered_images()
    moved = keras.ops.convert_to_numpy(
        RandomAffine(rotation=0.05, shift=0.1, zoom=0.1, seed=1)(x, training=True))
    assert np.isin(moved, x).all()  # no value that is a blend of neighbours


def test_random_affine_shifts_by_whole_pixels_within_its_range():
    x = numbered_images(n=16, size=40)[:, :, :24]  # 40 high, 24 wide: shifts of ≤ 4 and ≤ 2
    moved = keras.ops.convert_to_numpy(RandomAffine(shift=0.1, seed=2)(x, training=True))
    rows, cols = slice(6, -6), slice(4, -4)  # away from the reflected borders
    shifts = []
    for before, after in zip(x, moved, strict=True):
        dy, dx = (int(v) for v in np.argwhere(before == after[rows, cols][0, 0])[0][:2]
                  - (6, 4))
        assert abs(dy) <= 4 and abs(dx) <= 2
        np.testing.assert_array_equal(after[rows, cols], before[6 + dy:34 + dy, 4 + dx:20 + dx])
        shifts.append((dy, dx))
    assert max(abs(dy) for dy, _ in shifts) >= 3 and max(abs(dx) for _, dx in shifts) >= 1


def test_random_affine_draws_up_to_its_full_ranges(monkeypatch):
    """With every random number at its maximum, the transform is the largest one asked for:
    rotation a fraction of a full turn, shift a fraction of each side, zoom a fraction."""
    x = numbered_images(n=2, size=40)[:, :, :24]
    drawn = []
    monkeypatch.setattr(keras.random, "uniform",
                        lambda shape, minval, maxval, seed=None: np.full(shape, maxval,
                                                                         np.float32))
    monkeypatch.setattr(keras.ops.image, "affine_transform",
                        lambda images, rows, **kwargs: drawn.append(rows) or images)
    RandomAffine(rotation=0.05, shift=0.1, zoom=0.2)(x, training=True)
    column = np.ones((2, 1), np.float32)
    expected = affine_transform_rows(column * 2 * np.pi * 0.05, column * 1.2, column * 2.4,
                                     column * 4.0, 40.0, 24.0)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(drawn[0]),
                               keras.ops.convert_to_numpy(expected), rtol=1e-6)


def test_random_affine_acts_in_fit_not_in_predict_and_compiles_only_on_jax():
    model = keras.Sequential([keras.Input((12, 12, 1)), RandomAffine(shift=0.3, seed=4)])
    x = numbered_images(n=4, size=12)[..., :1]
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)
    assert not np.array_equal(keras.ops.convert_to_numpy(model(x, training=True)), x)
    assert model.layers[0].supports_jit == (keras.backend.backend() == "jax")


def test_affine_rows_rotate_and_zoom_about_the_centre():
    image = numbered_images(1, 6)

    def apply(angle, scale):
        rows = affine_transform_rows(np.array([[angle]], np.float32),
                                     np.array([[scale]], np.float32),
                                     np.zeros((1, 1), np.float32), np.zeros((1, 1), np.float32),
                                     6.0, 6.0)
        return keras.ops.convert_to_numpy(keras.ops.image.affine_transform(
            image, rows, interpolation="nearest", data_format="channels_last"))

    np.testing.assert_array_equal(apply(0.0, 1.0), image)
    quarter = apply(np.pi / 2, 1.0)[0]
    assert any(np.array_equal(quarter, np.rot90(image[0], k)) for k in (1, 3))
    np.testing.assert_array_equal(apply(np.pi, 1.0)[0], image[0, ::-1, ::-1])
    np.testing.assert_array_equal(apply(0.0, 0.5)[0, 1:5, 1:5],  # zoomed in 2×: the centre
                                  image[0, 2:4, 2:4].repeat(2, 0).repeat(2, 1))


def test_random_affine_survives_a_safe_mode_save(tmp_path):
    model = keras.Sequential([keras.Input((16, 16, 3)),
                              RandomAffine(rotation=0.02, shift=0.05, zoom=0.1, seed=3,
                                           name="random_affine"),
                              keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(2)])
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    layer = loaded.get_layer("random_affine")
    assert (layer.rotation, layer.shift, layer.zoom, layer.seed) == (0.02, 0.05, 0.1, 3)
    assert layer.kinds == ["rotation", "shift", "zoom"]
    assert RandomAffine(shift=0.1).kinds == ["shift"]


def digit_batch(n=8):
    """MNIST-like: bright strokes on black, 28×28."""
    from convscope.datasets import load_dataset

    return load_dataset("mnist").x_test[:n].astype(np.float32) / 255


def test_digit_distortions_change_digits_only_while_training():
    from convscope.layers import DigitDistortions

    x = digit_batch()
    layer = DigitDistortions(shift=0.1, thickness=1.0, blur=0.6, fade=0.5, seed=0)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x)), x)
    changed = keras.ops.convert_to_numpy(layer(x, training=True))
    assert changed.shape == x.shape
    assert all(not np.allclose(a, b) for a, b in zip(changed, x, strict=True))
    assert changed.min() >= 0 and changed.max() <= 1 + 1e-6  # still pixels


def test_digit_distortions_thicken_thin_blur_and_fade_strokes():
    from convscope.layers import DigitDistortions

    x = digit_batch(64)
    ink = (x > 0.5).sum()

    def apply(**kwargs):
        return keras.ops.convert_to_numpy(DigitDistortions(seed=0, **kwargs)(x, training=True))

    # Thickness draws each image's change from [-1, 1]: some strokes grow, others shrink.
    thick = apply(thickness=1.0)
    grown = [(a > 0.5).sum() > (b > 0.5).sum() for a, b in zip(thick, x, strict=True)]
    assert 0 < sum(grown) < len(x)
    assert (apply(fade=0.5).max(axis=(1, 2, 3)) <= x.max(axis=(1, 2, 3)) + 1e-6).all()
    assert (apply(blur=0.6) > 0.5).sum() < ink  # edges soften
    moved = apply(shift=0.1)
    centres = [np.argwhere(m[..., 0] > 0.5).mean(0) - np.argwhere(o[..., 0] > 0.5).mean(0)
               for m, o in zip(moved, x, strict=True)]
    assert np.abs(centres).max() <= 0.1 * 28 + 1 and np.abs(centres).max() > 0.5


def test_digit_distortions_survive_a_safe_mode_save(tmp_path):
    from convscope.layers import DigitDistortions

    model = keras.Sequential([keras.Input((28, 28, 1)),
                              DigitDistortions(shift=0.1, thickness=1.0, blur=0.6, fade=0.5,
                                               name="distort"),
                              keras.layers.Flatten(), keras.layers.Dense(10)])
    model.save(tmp_path / "m.keras")
    layer = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True).get_layer("distort")
    assert (layer.shift, layer.thickness, layer.blur, layer.fade) == (0.1, 1.0, 0.6, 0.5)
    assert layer.kinds == ["shift", "thickness", "blur", "fade"]
