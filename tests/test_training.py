"""Training writes a complete run directory, survives interruption and resumes exactly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest

import convscope
from convscope import _io
from convscope.callbacks import save_epoch
from convscope.errors import RunError
from convscope.run_files import BEST, MODEL
from convscope.runs import Run
from convscope.training import TrainingInterrupted

ARTEFACTS = ["config.json", "state.json", "history.csv", "metrics.json", "model.keras",
             "best.keras", "figures/learning_curves.png", "figures/confusion_matrix.png",
             "figures/predictions.png", "figures/mistakes.png"]


def test_tiny_run_writes_every_artefact(tiny_run):
    for name in ARTEFACTS:
        assert (tiny_run.path / name).is_file(), name
    config = tiny_run.config
    assert config.recipe == "mnist" and config.seed == 0 and config.limit == 2000
    assert set(config.versions) >= {"python", "keras", "tensorflow", "convscope"}
    assert len(config.data["files"]) == 4
    metrics = tiny_run.metrics
    assert metrics["test_accuracy"] > 0.8
    assert metrics["images_per_second"] > 0 and metrics["train_seconds"] > 0
    assert np.array(metrics["confusion_matrix"]).sum() == len(tiny_run.data.y_test)
    assert set(metrics["per_class_accuracy"]) == set("0123456789")
    assert tiny_run.state["status"] == "complete"


def test_out_is_never_overwritten(tiny_run):
    before = (tiny_run.path / MODEL).read_bytes()
    with pytest.raises(RunError, match="already exists and is not empty"):
        convscope.train("mnist", epochs=1, limit=100, out=tiny_run.path, progress=False)
    assert (tiny_run.path / MODEL).read_bytes() == before


class _StopAtEpoch(keras.callbacks.Callback):
    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.epoch:
            raise KeyboardInterrupt


def test_interrupted_run_resumes_where_it_stopped(tmp_path):
    settings = dict(epochs=3, limit=1500, seed=3, progress=False)
    straight = convscope.train("mnist", out=tmp_path / "straight", **settings)

    with pytest.raises(TrainingInterrupted) as stop:
        convscope.train("mnist", out=tmp_path / "cut", callbacks=[_StopAtEpoch(1)], **settings)
    assert stop.value.epochs_done == 1
    cut = Run(tmp_path / "cut")
    assert cut.state["status"] == "interrupted" and len(cut.history) == 1
    steps_per_epoch = -(-1500 // 32)
    assert int(cut.model.optimizer.iterations.numpy()) == steps_per_epoch

    resumed = convscope.resume(tmp_path / "cut", progress=False)
    assert [r["epoch"] for r in resumed.history] == [1, 2, 3]
    assert int(resumed.model.optimizer.iterations.numpy()) == 3 * steps_per_epoch
    # Same data order, same optimizer state: the resumed epochs retrace the uninterrupted ones
    # (no loss spike from a reset Adam); tolerance covers CPU thread-order rounding.
    for a, b in zip(straight.history, resumed.history, strict=True):
        assert a["loss"] == pytest.approx(b["loss"], rel=0.02)
        assert a["test_accuracy"] == pytest.approx(b["test_accuracy"], abs=0.01)
    assert resumed.state["status"] == "complete"
    with pytest.raises(RunError, match="already trained 3/3 epochs"):
        convscope.resume(tmp_path / "cut", progress=False)


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


def test_best_model_is_never_replaced_by_a_worse_one(tiny_run, tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    model = tiny_run.model
    state = {"best": {"epoch": 1, "test_accuracy": 0.9}}
    save_epoch(model, run_dir, state, [], {"epoch": 2, "test_accuracy": 0.95}, {})
    best_bytes = (run_dir / BEST).read_bytes()
    save_epoch(model, run_dir, state, [], {"epoch": 3, "test_accuracy": 0.91}, {})
    assert state["best"] == {"epoch": 2, "test_accuracy": 0.95}
    assert (run_dir / BEST).read_bytes() == best_bytes
    assert _io.read_json(run_dir / "state.json")["epochs_done"] == 3


def test_a_failed_save_keeps_the_previous_model(tiny_run, tmp_path, monkeypatch):
    target = tmp_path / MODEL
    _io.save_model(tiny_run.model, target)
    before = target.read_bytes()

    def broken_save(self, path, *args, **kwargs):
        open(path, "wb").write(b"half a model")
        raise OSError("disk full")

    monkeypatch.setattr(type(tiny_run.model), "save", broken_save)
    with pytest.raises(OSError):
        _io.save_model(tiny_run.model, target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [MODEL]  # no temporary left behind


def test_models_are_loaded_in_safe_mode(tiny_run, tmp_path):
    """A run directory from someone else cannot run code: lambdas are refused."""
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Lambda(lambda x: x * 2),
                              keras.layers.Flatten(), keras.layers.Dense(10)])
    run_dir = tmp_path / "foreign"
    run_dir.mkdir()
    (run_dir / "config.json").write_text((tiny_run.path / "config.json").read_text())
    model.save(run_dir / MODEL)
    with pytest.raises(RunError, match="cannot load this model"):
        _ = Run(run_dir).model


def test_ctrl_c_keeps_the_last_epoch_and_exits_130(tmp_path):
    """A real SIGINT to the command line, after its first epoch has been saved."""
    run_dir = tmp_path / "run"
    proc = subprocess.Popen(
        [sys.executable, "-m", "convscope", "train", "mnist", "--limit", "3000", "--epochs",
         "30", "--out", str(run_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy(),
    )
    state = run_dir / "state.json"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if state.is_file() and json.loads(state.read_text()).get("epochs_done", 0) >= 1:
            break
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert f"Resume with: convscope train --resume {run_dir}" in err
    assert "Traceback" not in err
    run = Run(run_dir)
    done = run.state["epochs_done"]
    assert run.state["status"] == "interrupted" and done >= 1
    assert len(run.history) == done
    assert int(run.model.optimizer.iterations.numpy()) == done * -(-3000 // 32)


@pytest.mark.slow
def test_one_epoch_on_the_full_training_set(tmp_path):
    from conftest import REAL_DATA

    run = convscope.train("mnist", REAL_DATA, epochs=1, seed=0, out=tmp_path / "full",
                          progress=False)
    assert run.metrics["test_accuracy"] >= 0.975
    for name in ARTEFACTS:
        assert (run.path / name).is_file(), name
    assert run.config.train_images == 60_000


def test_each_epoch_reads_its_own_seeded_order_in_one_fit(tmp_path):
    """One Keras fit over all epochs: the images of epoch e come in the order drawn from
    (seed, e) only (what lets a resumed run see what an uninterrupted one would have)."""
    from convscope.datasets.batches import EpochBatches, epoch_order
    from convscope.models import steps_per_execution

    asked: dict[int, np.ndarray] = {}

    class Recorded(EpochBatches):
        def __getitem__(self, index):
            x, y = super().__getitem__(index)
            asked[index] = self._order.copy()[self.position(index)[1] * 4:][:4]
            return x, y

    def read(picks, observer=None):
        return np.zeros((len(picks), 4, 4, 1), np.uint8), np.zeros(len(picks), np.int64)

    batches = Recorded(read, 10, 4, 1 / 255, seed=5, first_epoch=2, epochs=5)
    model = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(2, activation="softmax")])
    assert steps_per_execution(batches.steps) == 3  # 3 steps an epoch: never across two
    model.compile("adam", "sparse_categorical_crossentropy", steps_per_execution=3)
    model.fit(batches.for_fit(), initial_epoch=2, epochs=5, verbose=0, shuffle=False,
              steps_per_epoch=batches.steps)
    assert set(range(3 * batches.steps)) <= set(asked)  # every step of the three epochs
    for epoch in (2, 3, 4):
        first = (epoch - 2) * batches.steps
        got = np.concatenate([asked[i] for i in range(first, first + batches.steps)])
        np.testing.assert_array_equal(got, epoch_order(5, epoch, 10))
