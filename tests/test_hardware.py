"""Hardware probing: which backend runs, which GPU (and whether it computes bfloat16 fast), and
what needs TensorFlow. The GPU path itself is checked by hand on a GPU machine (README,
"On a GPU")."""

from __future__ import annotations

import pytest

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
    with pytest.raises(ConvscopeError, match="devices needs Keras's TensorFlow backend"):
        place(devices=2)
    with pytest.raises(ConvscopeError, match="workers needs Keras's TensorFlow backend"):
        place(workers="localhost:2222,localhost:2223", worker_index=0)
