"""Precision by measurement (``convscope.precision``): the probe keeps the faster of float32 and
bfloat16 for a network and batch, with a margin, on a fake clock (no test times the machine);
its answer is cached per machine, network and batch; ``precision=`` / ``--precision``
overrides it; and a run's config and card say what was used and why."""

from __future__ import annotations

import json

import pytest
from helpers import run_cli

import convscope
from convscope import precision
from convscope.errors import ConvscopeError
from convscope.hardware import check_precision
from convscope.html.card import precision_line
from convscope.precision import Choice, Network
from convscope.words import Words


class Clock:
    """A fake clock that only the fake models move."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class SteppingModel:
    """A stand-in for a compiled model: each training step takes ``seconds`` on the clock."""

    def __init__(self, clock: Clock, seconds: float):
        self.clock, self.seconds = clock, seconds

    def train_on_batch(self, x, y):
        self.clock.now += self.seconds


def fake_network(clock: Clock, float32: float, bfloat16: float, made: list,
                 name: str = "fake") -> Network:
    """A network whose steps take ``float32`` / ``bfloat16`` seconds on ``clock``."""
    seconds = {"float32": float32, "mixed_bfloat16": bfloat16}

    def make(which: str):
        made.append(which)
        return SteppingModel(clock, seconds[which])

    return Network(make, (4, 4, 1), 10, signature=name)


@pytest.fixture
def probe(monkeypatch, tmp_path, real_precision_probe):
    """The real probe, its cache in a folder of the test's own, on a CPU."""
    monkeypatch.setattr(precision, "measure", real_precision_probe)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(precision, "visible_gpus", lambda: [])


@pytest.mark.parametrize(("float32", "bfloat16", "chosen"), [
    (0.020, 0.010, "mixed_bfloat16"),  # float32 made slower: bfloat16 ×2
    (0.010, 0.020, "float32"),  # bfloat16 made slower
    (0.010, 0.0095, "float32"),  # bfloat16 ×1.05: within the margin, float32 kept
])
def test_probe_picks_the_faster_precision(probe, float32, bfloat16, chosen):
    clock, made = Clock(), []
    choice = precision.choose("auto", fake_network(clock, float32, bfloat16, made), 64,
                              timer=clock)
    assert choice.precision == chosen and choice.reason == "measured"
    assert choice.float32 == pytest.approx(64 / float32, rel=1e-3)
    assert choice.bfloat16 == pytest.approx(64 / bfloat16, rel=1e-3)
    assert sorted(made) == ["float32", "mixed_bfloat16"]
    # Each precision trained for about ROUND_SECONDS a round, plus a few warm-up steps.
    assert clock.now == pytest.approx(precision.ROUNDS * 2 * precision.ROUND_SECONDS, rel=0.1)


def test_probe_is_measured_once_then_read_from_the_cache(probe):
    clock, made = Clock(), []
    first = precision.choose("auto", fake_network(clock, 0.02, 0.01, made), 64, timer=clock)
    assert not first.cached and len(made) == 2
    again = precision.choose("auto", fake_network(clock, 0.01, 0.02, made), 64, timer=clock)
    assert len(made) == 2  # nothing trained the second time
    assert again.cached and again.precision == first.precision == "mixed_bfloat16"
    assert again.speedup == pytest.approx(first.speedup)
    # Another batch size, or another network, is measured anew.
    other = precision.choose("auto", fake_network(clock, 0.01, 0.02, made), 32, timer=clock)
    assert not other.cached and other.precision == "float32" and len(made) == 4
    precision.choose("auto", fake_network(clock, 0.01, 0.02, made, "wider"), 64, timer=clock)
    assert len(made) == 6
    kept = json.loads(precision.cache_path().read_text())
    assert len(kept) == 3 and all(precision.machine() in key for key in kept)


def test_asked_precision_is_kept_without_measuring(probe):
    clock, made = Clock(), []
    network = fake_network(clock, 0.02, 0.01, made)
    assert precision.choose("float32", network, 64).to_json()["reason"] == "asked"
    assert precision.choose("bfloat16", None, 64).precision == "mixed_bfloat16"
    assert made == []
    with pytest.raises(ConvscopeError, match="choose one of: auto, float32, bfloat16"):
        check_precision("float16")


def test_gpus_keep_their_rule(probe, monkeypatch):
    from convscope.hardware import Gpu

    monkeypatch.setattr(precision, "visible_gpus", lambda: [Gpu("H100", (9, 0))])
    assert precision.choose("auto", None, 64) == Choice("mixed_bfloat16", "gpu")
    monkeypatch.setattr(precision, "visible_gpus", lambda: [Gpu("T4", (7, 5))])
    assert precision.choose("auto", None, 64).precision == "float32"


def test_run_config_records_what_was_used_and_why(probe, monkeypatch, tmp_path):
    """``fast=True`` asks for ``auto``: the recipe's network is probed at --fast's batch, and
    the run's config and card say what was chosen and why."""
    speeds = {"float32": 1000.0, "mixed_bfloat16": 1700.0}
    asked = []
    monkeypatch.setattr(precision, "measure",
                        lambda network, batch, timer=None: asked.append(batch) or speeds)
    run = convscope.train("mnist", fast=True, epochs=1, limit=512, out=tmp_path / "run",
                          progress=False, report=False)
    config = json.loads((run.path / "config.json").read_text())
    assert config["precision"] == "mixed_bfloat16"
    assert config["precision_choice"] == {
        "precision": "mixed_bfloat16", "reason": "measured", "float32": 1000.0,
        "bfloat16": 1700.0, "batch_size": 256, "cached": False}
    assert asked == [256]
    assert run.model.get_layer("conv1").compute_dtype == "bfloat16"
    assert precision_line(run.config, Words("en")) == "bfloat16: ×1.70 measured here (batch 256)"
    assert precision_line(run.config, Words("fr")) == \
        "bfloat16 : ×1,70 mesuré ici (lots de 256)"
    # The second run reads the cache.
    again = convscope.train("mnist", fast=True, epochs=1, limit=512, out=tmp_path / "again",
                            progress=False, report=False)
    assert asked == [256] and again.config.precision_choice["cached"] is True


def test_precision_option_overrides_the_probe(probe, monkeypatch, tmp_path):
    def refuse(network, batch, timer=None):
        raise AssertionError("measured although a precision was asked for")

    monkeypatch.setattr(precision, "measure", refuse)
    result = run_cli("train", "mnist-fast", "--precision", "float32", "--epochs", "1",
                     "--limit", "512", "--out", tmp_path / "f32", "--no-report", "--quiet")
    assert result.returncode == 0, result.stderr
    config = json.loads((tmp_path / "f32" / "config.json").read_text())
    assert (config["precision"], config["precision_choice"]["reason"]) == ("float32", "asked")
    run = convscope.train("mnist", precision="bfloat16", epochs=1, limit=512,
                          out=tmp_path / "bf16", progress=False, report=False)
    assert run.config.precision == "mixed_bfloat16"
    assert precision_line(run.config, Words("en")) == "bfloat16 (asked)"
    assert run_cli("train", "mnist", "--precision", "float16").returncode == 1
    assert run_cli("train", "--resume", tmp_path / "f32", "--precision",
                   "bfloat16").returncode == 2


def test_recipes_says_what_the_probe_chose(probe, monkeypatch):
    monkeypatch.setattr(precision, "measure", lambda network, batch, timer=None: {
        "float32": 1000.0, "mixed_bfloat16": 1730.0})
    first = run_cli("recipes", "mnist")
    assert "--fast: batch 256, Adam lr 0.004, warmup-cosine decay, bfloat16: ×1.73 measured " \
           "here (batch 256)" in first.stdout
    assert "Measuring float32 against bfloat16" in first.stderr
    again = run_cli("recipes", "mnist")
    assert "×1.73 measured here" in again.stdout
    assert "Measuring" not in again.stderr  # the cached measure is not announced as a new one
    monkeypatch.setattr(precision, "measure", lambda network, batch, timer=None: {
        "float32": 1000.0, "mixed_bfloat16": 1020.0})
    shown = run_cli("recipes", "photos").stdout
    assert "precision: float32: bfloat16 only ×1.02 measured here (batch 32)" in shown
