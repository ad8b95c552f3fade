"""Edge cases found in review: binary models, early interrupts, schedules, data dirs, images."""

from __future__ import annotations

import subprocess
import sys

import keras
import numpy as np
import pytest
from PIL import Image

import convscope
from convscope.datasets.images import to_rgb
from convscope.datasets.mnist import load_mnist
from convscope.errors import DataError, RunError
from convscope.runs import load_run
from convscope.training import TrainingInterrupted


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "convscope", *args], capture_output=True,
                          text=True)


def test_a_bare_binary_model_predicts_two_probabilities(tmp_path):
    model = keras.Sequential([keras.Input((16, 16, 3)), keras.layers.Conv2D(4, 3),
                              keras.layers.GlobalAveragePooling2D(),
                              keras.layers.Dense(1, activation="sigmoid")])
    path = tmp_path / "binary.keras"
    model.save(path)
    photo = tmp_path / "photo.jpg"
    Image.new("RGB", (40, 30), (200, 100, 50)).save(photo)
    (prediction,) = load_run(path).predict([photo])
    assert set(prediction.probabilities) == {"0", "1"}
    assert sum(prediction.probabilities.values()) == pytest.approx(1)


def test_a_model_with_a_flexible_input_size_is_refused_clearly(tmp_path):
    inputs = keras.Input((None, None, 3))
    outputs = keras.layers.Dense(2)(keras.layers.GlobalAveragePooling2D()(inputs))
    path = tmp_path / "flexible.keras"
    keras.Model(inputs, outputs).save(path)
    with pytest.raises(RunError, match="fixed input"):
        load_run(path)


class _StopAtFirstBatch(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        raise KeyboardInterrupt


def test_a_run_interrupted_in_its_first_epoch_can_be_resumed(tmp_path):
    with pytest.raises(TrainingInterrupted) as stop:
        convscope.train("mnist", epochs=1, limit=500, out=tmp_path / "run", progress=False,
                        callbacks=[_StopAtFirstBatch()])
    assert stop.value.epochs_done == 0
    run = convscope.resume(tmp_path / "run", progress=False)
    assert [r["epoch"] for r in run.history] == [1] and run.metrics["test_accuracy"] > 0.5


def test_a_scheduled_run_cannot_be_stretched(tmp_path):
    run = convscope.train("mnist-viz", epochs=1, limit=300, out=tmp_path / "run",
                          progress=False)
    with pytest.raises(RunError, match="schedule was planned for 1 epochs"):
        convscope.resume(run.path, epochs=3, progress=False)


def test_an_explicit_data_dir_is_final(tmp_path):
    """A wrong --data-dir must not silently fall back to other data, or download."""
    with pytest.raises(DataError, match=rf"MNIST not found \(looked in {tmp_path}"):
        load_mnist(tmp_path)  # CONVSCOPE_DATA is set and valid in the tests


def test_sixteen_bit_images_keep_their_brightness():
    a = np.full((8, 8), 32_896, dtype=np.uint16)  # 50 % grey in 16 bits
    rgb = np.asarray(to_rgb(Image.fromarray(a)))
    assert rgb.shape == (8, 8, 3) and abs(int(rgb[0, 0, 0]) - 128) <= 1


def test_summary_of_a_missing_run_is_one_line(tmp_path):
    result = _cli("summary", str(tmp_path / "nope"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1


def test_inspection_figures_are_not_overwritten_in_a_users_folder(tiny_run, tmp_path):
    assert _cli("kernels", str(tiny_run.path), "--out", str(tmp_path)).returncode == 0
    again = _cli("kernels", str(tiny_run.path), "--out", str(tmp_path))
    assert again.returncode == 1 and "--force" in again.stderr
    assert _cli("kernels", str(tiny_run.path), "--out", str(tmp_path), "--force").returncode == 0
    # inside the run's own figures/ folder, figures are simply redrawn
    for _ in range(2):
        assert _cli("kernels", str(tiny_run.path)).returncode == 0
