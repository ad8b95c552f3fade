"""Several devices in step: the CPU split into two logical devices runs the multi-GPU path."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from convscope.devices import parse_devices
from convscope.errors import ConvscopeError


def train(tmp_path, name, *extra):
    """A fresh process each: the CPU can be split only before TensorFlow starts."""
    out = tmp_path / name
    result = subprocess.run([sys.executable, "-m", "convscope", "train", "mnist", "--limit",
                             "10000", "--epochs", "2", "--seed", "0", "--quiet", "--out",
                             str(out), *extra], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads((out / "metrics.json").read_text()), json.loads(
        (out / "config.json").read_text())


@pytest.mark.slow
def test_two_logical_devices_train_like_one(tmp_path):
    one, _ = train(tmp_path, "one")
    two, config = train(tmp_path, "two", "--devices", "2")
    assert config["devices"] == ["/cpu:0", "/cpu:1"]
    assert config["batch_size"] == 64 and config["learning_rate"] == pytest.approx(0.002)
    assert abs(two["test_accuracy"] - one["test_accuracy"]) <= 0.005
    assert two["test_accuracy"] > 0.95


@pytest.mark.parametrize("value, expected", [(None, None), ("all", "all"), ("2", 2), (3, 3)])
def test_devices_values(value, expected):
    assert parse_devices(value) == expected


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5", True])
def test_bad_devices_value_is_a_clear_error(value):
    with pytest.raises(ConvscopeError, match="--devices must be a number of devices"):
        parse_devices(value)
