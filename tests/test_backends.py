"""Keras backends: TensorFlow (the default, every feature), JAX and PyTorch (one device, a GPU
included). The GPU path itself is checked by hand on a GPU machine (README, "On a GPU")."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from convscope import Run
from convscope import hardware as speed
from convscope.devices import place
from convscope.errors import ConvscopeError
from convscope.hardware import Gpu, backend, device_name, visible_gpus


@pytest.fixture
def gpu(monkeypatch):
    """Pretend that the backend sees one GPU of the given compute capability."""

    def use(capability):
        monkeypatch.setattr("convscope.hardware.visible_gpus",
                            lambda: [Gpu("Test GPU", capability)])
        monkeypatch.setattr(speed, "cpu_flags", lambda: {"amx_bf16"})
        speed.fast_precision.cache_clear()

    yield use
    speed.fast_precision.cache_clear()


def test_gpu_compute_capability_decides_bfloat16(gpu):
    gpu((9, 0))  # H100, H200
    assert speed.resolve_precision("auto") == "mixed_bfloat16"
    gpu((7, 5))  # T4: no fast bfloat16, whatever the CPU has
    assert speed.resolve_precision("auto") == "float32"


def test_tensorflow_is_the_default_backend_here():
    import tensorflow as tf

    assert backend() == ("tensorflow", tf.__version__)
    assert visible_gpus() == []  # CI has no GPU
    assert device_name() == speed.cpu_name()


def test_devices_and_workers_need_tensorflow(monkeypatch):
    monkeypatch.setattr("convscope.devices.backend", lambda: ("jax", "0.10.2"))
    assert place().strategy is None  # one device: any backend
    with pytest.raises(ConvscopeError, match="--devices needs Keras's TensorFlow backend"):
        place(devices=2)
    with pytest.raises(ConvscopeError, match="--workers needs Keras's TensorFlow backend"):
        place(workers="localhost:2222,localhost:2223", worker_index=0)


def test_run_trained_on_jax_explains_there_and_evaluates_on_tensorflow(tmp_path):
    """The same commands on JAX (how a GPU machine without TensorFlow trains), and a run
    directory that TensorFlow then reads and scores alike."""
    pytest.importorskip("jax")
    env = {**os.environ, "KERAS_BACKEND": "jax"}

    def convscope(*args):
        result = subprocess.run([sys.executable, "-m", "convscope", *args], env=env,
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr
        return result.stdout

    run_dir = tmp_path / "jax-run"
    convscope("train", "mnist", "--limit", "1000", "--epochs", "1", "--quiet",
              "--out", str(run_dir))
    config = json.loads((run_dir / "config.json").read_text())
    assert "jax" in config["versions"] and "tensorflow" not in config["versions"]
    assert config["device"] == speed.cpu_name()
    assert "explained class" in convscope("explain", str(run_dir), "--test-index", "0")
    assert list((run_dir / "figures" / "inspect").glob("explain-test0-class*.png"))

    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["test_accuracy"] > 0.7
    again = Run(run_dir).evaluate()  # this process: TensorFlow
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
            "print(build_model('catsdogs', augment=True).jit_compile, k.jit_compile,"
            f" load_keras_model(r'{path}').jit_compile)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "KERAS_BACKEND": "jax"}, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["True", "False", "True"]
