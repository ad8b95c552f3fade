"""Keras's JAX backend (how a GPU machine without TensorFlow runs convscope): each test starts
a fresh process, since a process keeps the backend it started with."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from helpers import run_cli

from convscope import Run
from convscope import hardware as speed


def test_run_trained_on_jax_explains_there_and_evaluates_on_tensorflow(tmp_path):
    """The same commands on JAX (how a GPU machine without TensorFlow trains), and a run
    directory that TensorFlow then reads and scores alike."""
    pytest.importorskip("jax")

    def convscope(*args):
        result = run_cli(*args, env={"KERAS_BACKEND": "jax"}, process=True, timeout=600)
        assert result.returncode == 0, result.stderr
        return result.stdout

    run_dir = tmp_path / "jax-run"
    convscope("train", "mnist", "--limit", "1000", "--epochs", "1", "--quiet",
              "--out", run_dir)
    config = json.loads((run_dir / "config.json").read_text())
    assert "jax" in config["versions"] and "tensorflow" not in config["versions"]
    assert config["device"] == speed.cpu_name()
    assert "explained class" in convscope("explain", run_dir, "--test-index", "0")
    assert list((run_dir / "figures" / "inspect").glob("explain-test0-class*.png"))

    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["test_accuracy"] > 0.7
    again = Run(run_dir).write_metrics()  # this process: TensorFlow
    assert again["test_accuracy"] == pytest.approx(metrics["test_accuracy"], abs=0.002)


def test_augmented_models_compile_whole_on_jax(tmp_path):
    """Keras's rotation/translation/zoom layers would turn compilation off for the whole model;
    on JAX that means op-by-op training (×5 slower on a GPU). convscope's --augment layer
    compiles; a loaded model holding Keras's layers is compiled whole too."""
    pytest.importorskip("jax")
    path = tmp_path / "model.keras"
    code = ("import keras;"
            "from convscope.models import build_model;"
            "from convscope.models import load_keras_model;"
            "k = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.RandomRotation(0.1),"
            " keras.layers.RandomZoom(0.1), keras.layers.Flatten(), keras.layers.Dense(2)]);"
            "k.compile(optimizer='adam', loss='mse');"
            f"k.save(r'{path}');"
            "from convscope.recipes import get_recipe;"
            "print(build_model(get_recipe('catsdogs').augmented()).jit_compile, k.jit_compile,"
            f" load_keras_model(r'{path}').jit_compile)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "KERAS_BACKEND": "jax"}, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["True", "False", "True"]
