"""Hardware probing: which backend runs, which GPU, and what needs TensorFlow (which precision
is fast: tests/test_precision.py). The GPU path itself is checked by hand on a GPU machine
(README, "On a GPU")."""

from __future__ import annotations

import pytest

from convscope import hardware
from convscope.devices import place
from convscope.errors import ConvscopeError
from convscope.hardware import backend, device_name, visible_gpus


def test_tensorflow_is_the_default_backend_here():
    import tensorflow as tf

    assert backend() == ("tensorflow", tf.__version__)
    assert visible_gpus() == []  # CI has no GPU
    assert device_name() == hardware.cpu_name()


def test_devices_and_workers_need_tensorflow(monkeypatch):
    monkeypatch.setattr("convscope.devices.backend", lambda: ("jax", "0.10.2"))
    assert place().strategy is None  # one device: any backend
    with pytest.raises(ConvscopeError, match="devices needs Keras's TensorFlow backend"):
        place(devices=2)
    with pytest.raises(ConvscopeError, match="workers needs Keras's TensorFlow backend"):
        place(workers="localhost:2222,localhost:2223", worker_index=0)
