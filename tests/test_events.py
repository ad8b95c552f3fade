"""Training as a library call: events for whoever watches, a token to stop it from any thread,
and run directories of convscope 0.1.0 still usable."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from conftest import REAL_DATA
from fixtures.v010_run import CONFIG, make_v010_run

import convscope
from convscope.config import RunConfig, Training
from convscope.events import (
    BatchProgress,
    CancelToken,
    Collector,
    EpochEnded,
    FiguresWritten,
    Notice,
    RunFinished,
    RunStarted,
    RunStopped,
)
from convscope.runs import Run


def _in_thread(function, **kwargs):
    """Run ``function`` in a worker thread, as an app does; returns (result, exception)."""
    outcome = {}

    def work():
        try:
            outcome["result"] = function(**kwargs)
        except BaseException as exc:  # noqa: BLE001 - the test inspects it
            outcome["error"] = exc

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=600)
    assert not thread.is_alive()
    return outcome.get("result"), outcome.get("error")


def test_a_training_thread_reports_every_epoch_to_its_observer(tmp_path):
    events = Collector()
    run, error = _in_thread(convscope.train, recipe="mnist", epochs=2, limit=300,
                            out=tmp_path / "run", progress=False, observer=events)
    assert error is None
    kinds = [type(e) for e in events.events]
    assert kinds[0] is RunStarted and kinds[-1] is RunFinished
    started = events.of(RunStarted)[0]
    assert isinstance(started.config, RunConfig) and started.config.epochs == 2
    assert started.dataset.startswith("mnist: 300 training")
    epochs = events.of(EpochEnded)
    assert [e.epoch for e in epochs] == [1, 2]
    assert [e.row for e in epochs] == run.history  # the history row, exactly as saved
    steps = events.of(BatchProgress)
    assert steps and steps[-1].step == steps[-1].steps == -(-300 // 32)
    written = events.of(FiguresWritten)[0].paths
    assert {p.name for p in written} >= {"learning_curves.png", "confusion_matrix.png"}
    assert events.of(RunFinished)[0].metrics == run.metrics


def test_the_token_stops_after_the_step_and_the_run_resumes(tmp_path):
    token, events = CancelToken(), Collector()

    def observer(event):
        events(event)
        # Stop from inside epoch 2, after one of its steps.
        if isinstance(event, BatchProgress) and event.epoch == 2:
            token.cancel()

    run, error = _in_thread(convscope.train, recipe="mnist", epochs=3, limit=2000,
                            out=tmp_path / "run", progress=False, observer=observer,
                            cancel=token)
    assert error is None  # nothing raised in the caller's thread
    assert run.status == "interrupted" and run.epochs_done == 1
    assert len(run.history) == 1
    stopped = events.of(RunStopped)
    assert len(stopped) == 1 and stopped[0].epochs_done == 1 and stopped[0].epochs == 3
    assert not events.of(RunFinished) and not (run.path / "metrics.json").exists()
    # The saved model is epoch 1's: its optimizer took exactly one epoch of steps.
    assert int(Run(run.path).model.optimizer.iterations.numpy()) == -(-2000 // 32)

    resumed = convscope.resume(run.path, progress=False)
    assert resumed.status == "complete" and [r["epoch"] for r in resumed.history] == [1, 2, 3]
    assert resumed.metrics["test_accuracy"] > 0.8


def test_a_token_set_before_the_start_trains_nothing(tmp_path):
    token = CancelToken()
    token.cancel("closed")
    events = Collector()
    run = convscope.train("mnist", epochs=1, limit=100, out=tmp_path / "run", progress=False,
                          observer=events, cancel=token)
    assert run.status == "interrupted" and run.epochs_done == 0
    assert events.of(RunStopped)[0].reason == "closed"


def test_until_accuracy_is_announced(tmp_path):
    events = Collector()
    convscope.train("mnist", epochs=3, limit=500, until_accuracy=0.1, out=tmp_path / "run",
                    progress=False, observer=events)
    assert [e.epoch for e in events.of(EpochEnded)] == [1]
    assert any("reached 10.00% test accuracy at epoch 1" in e.message
               for e in events.of(Notice))


# -- the typed configuration and runs of convscope 0.1.0 ------------------------------------


def test_config_json_reads_and_writes_0_1_0s_layout():
    config = RunConfig.from_json(CONFIG)
    assert config.recipe == "mnist" and config.input_shape == (28, 28, 1)
    assert config.input_kind == "digit" and config.input_scale == pytest.approx(1 / 255)
    assert config.momentum == 0.9  # 0.1.0 writes null for Adam; the default stands in
    assert config.extra == {"comment": CONFIG["comment"]}
    assert config.to_json() == CONFIG  # key for key, unknown keys kept
    assert list(config.to_json()) == list(CONFIG)  # in the same order


def test_every_training_choice_reaches_config_json():
    """A training choice is declared once (config.Training): runs record it by its name."""
    from dataclasses import fields

    from convscope.recipes import get_recipe

    config = RunConfig.from_recipe(get_recipe("cifar10-fast"), recipe="cifar10-fast",
                                   input_shape=(32, 32, 3), class_names=["a", "b"])
    written = config.to_json()
    for f in fields(Training):
        if f.name in ("shift", "flip"):
            assert written["augment"][f.name] == getattr(config, f.name)
        else:
            assert written[f.name] == getattr(config, f.name), f.name
    assert RunConfig.from_json(written) == config


def test_a_damaged_config_is_one_clear_error(tmp_path):
    from convscope.errors import RunError

    (tmp_path / "config.json").write_text('{"recipe": "mnist"}')
    with pytest.raises(RunError, match="damaged run configuration"):
        Run(tmp_path)


def test_a_0_1_0_run_loads_evaluates_predicts_and_resumes(tmp_path):
    run_dir = make_v010_run(tmp_path / "old")
    # It was trained on the real MNIST, whose files its config.json names by their hashes.
    run = convscope.load_run(run_dir, data_dir=REAL_DATA)
    assert run.recipe == "mnist" and run.epochs_done == 1 and run.status == "interrupted"
    digits = np.zeros((2, 28, 28), dtype=np.uint8)
    digits[:, 4:24, 13:15] = 255  # a "1", light ink on black as in MNIST
    predictions = run.predict(list(digits))
    assert len(predictions) == 2 and set(predictions[0].probabilities) == set(CONFIG["class_names"])
    metrics = run.write_metrics()
    assert metrics["test_images"] == 10_000 and (run_dir / "figures" / "predictions.png").exists()
    resumed = convscope.resume(run_dir, REAL_DATA, progress=False)
    assert resumed.status == "complete" and [r["epoch"] for r in resumed.history] == [1, 2]
    assert resumed.config.extra["comment"] == CONFIG["comment"]  # kept through the rewrite
