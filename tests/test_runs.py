"""Using a finished run or a bare ``.keras`` model: loading it, scoring it again, and commands
that read it without spoiling a user's folder."""

from __future__ import annotations

import keras
import pytest
from helpers import run_cli
from PIL import Image

from convscope.errors import RunError
from convscope.runs import Run, load_run


def test_evaluate_reproduces_metrics_json(tiny_run):
    saved = tiny_run.metrics
    again = Run(tiny_run.path).evaluate()
    assert again["test_accuracy"] == saved["test_accuracy"]
    assert again["confusion_matrix"] == saved["confusion_matrix"]
    assert again["test_loss"] == pytest.approx(saved["test_loss"], rel=1e-6)
    # and it matches what Keras itself reports during training
    assert again["test_accuracy"] == pytest.approx(tiny_run.history[-1]["test_accuracy"],
                                                   abs=1e-6)


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


def test_summary_of_a_missing_run_is_one_line(tmp_path):
    result = run_cli("summary", tmp_path / "nope")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1


def test_inspection_figures_are_not_overwritten_in_a_users_folder(tiny_run, tmp_path):
    assert run_cli("kernels", tiny_run.path, "--out", tmp_path).returncode == 0
    again = run_cli("kernels", tiny_run.path, "--out", tmp_path)
    assert again.returncode == 1 and "--force" in again.stderr
    assert run_cli("kernels", tiny_run.path, "--out", tmp_path, "--force").returncode == 0
    # inside the run's own figures/ folder, figures are simply redrawn
    for _ in range(2):
        assert run_cli("kernels", tiny_run.path).returncode == 0
