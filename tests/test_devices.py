"""Several devices in step: the CPU split into two logical devices runs the multi-GPU path."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest
from helpers import run_cli

from convscope.devices import parse_devices, parse_workers
from convscope.errors import ConvscopeError


def train_args(out, *extra):
    return ["train", "mnist", "--limit", "10000", "--epochs", "2", "--seed", "0", "--quiet",
            "--out", str(out), *extra]


def results(out):
    return json.loads((out / "metrics.json").read_text()), json.loads(
        (out / "config.json").read_text())


def train(tmp_path, name, *extra):
    """A fresh process each: the CPU can be split only before TensorFlow starts."""
    out = tmp_path / name
    result = run_cli(*train_args(out, *extra), process=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return results(out)


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("localhost", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


@pytest.mark.slow
def test_two_logical_devices_train_like_one(tmp_path):
    one, _ = train(tmp_path, "one")
    two, config = train(tmp_path, "two", "--devices", "2")
    assert config["devices"] == ["/cpu:0", "/cpu:1"]
    assert config["batch_size"] == 64 and config["learning_rate"] == pytest.approx(0.002)
    assert abs(two["test_accuracy"] - one["test_accuracy"]) <= 0.005
    assert two["test_accuracy"] > 0.95


@pytest.mark.slow
def test_two_localhost_workers_train_like_one(tmp_path):
    one, _ = train(tmp_path, "one")
    workers = ",".join(f"localhost:{port}" for port in free_ports(2))
    out = tmp_path / "two"
    processes = [
        subprocess.Popen([sys.executable, "-m", "convscope",
                          *train_args(out, "--workers", workers, "--worker-index", str(i))],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for i in range(2)]
    try:
        errors = [p.communicate(timeout=600)[1] for p in processes]
    finally:
        for p in processes:
            p.kill()
    assert [p.returncode for p in processes] == [0, 0], errors
    chief, config = results(out)
    other, _ = results(tmp_path / "two-worker1")  # worker 1's copy, beside the chief's run
    assert config["workers"] == workers.split(",") and config["devices"] is None
    assert config["batch_size"] == 64 and config["learning_rate"] == pytest.approx(0.002)
    assert other["test_accuracy"] == chief["test_accuracy"]  # the same weights on both
    assert abs(chief["test_accuracy"] - one["test_accuracy"]) <= 0.005
    assert chief["test_accuracy"] > 0.95


@pytest.mark.parametrize("workers, index, message", [
    ("localhost:1,localhost:2", None, "worker_index must say which"),
    ("localhost:1,localhost:2", 2, "worker_index must say which"),
    ("localhost:1", 0, "at least two different"),
    ("localhost,localhost:2", 0, "is not host:port"),
    ("localhost:1,localhost:99999", 0, "is not host:port"),
    (None, 1, "worker_index needs workers"),
])
def test_bad_workers_are_clear_errors(workers, index, message):
    with pytest.raises(ConvscopeError, match=message):
        parse_workers(workers, index)


def test_tf_config_names_the_workers(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    assert parse_workers(None, None) == ((), 0)
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": {"worker": ["a:1", "b:2"]},
                                                "task": {"type": "worker", "index": 1}}))
    assert parse_workers(None, None) == (("a:1", "b:2"), 1)
    assert parse_workers(["a:1", "b:2"], 0) == parse_workers("a:1, b:2", 0) == (("a:1", "b:2"), 0)
    monkeypatch.setenv("TF_CONFIG", "{not json")
    with pytest.raises(ConvscopeError, match="TF_CONFIG is set but"):
        parse_workers(None, None)


@pytest.mark.parametrize("value, expected", [(None, None), ("all", "all"), ("2", 2), (3, 3)])
def test_devices_values(value, expected):
    assert parse_devices(value) == expected


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5", True])
def test_bad_devices_value_is_a_clear_error(value):
    with pytest.raises(ConvscopeError, match="devices must be a number of devices"):
        parse_devices(value)
