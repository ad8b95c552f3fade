"""What this machine has: Keras's backend, the GPUs it sees, the CPU, and the precisions a
network may compute in (which one is fast here is measured: ``convscope.precision``).
"""

from __future__ import annotations

import contextlib
import importlib
import platform
from dataclasses import dataclass
from pathlib import Path

from .errors import ConvscopeError

PRECISIONS = ("float32", "mixed_bfloat16")


def backend() -> tuple[str, str]:
    """Keras's backend and its version, e.g. ``("tensorflow", "2.21.0")``."""
    import keras

    name = keras.backend.backend()
    return name, getattr(importlib.import_module(name), "__version__", "?")


@dataclass(frozen=True)
class Gpu:
    name: str
    compute_capability: tuple[int, int]


def visible_gpus() -> list[Gpu]:
    """The GPUs Keras's backend sees (it trains on the first one)."""
    name, _ = backend()
    if name == "tensorflow":
        import tensorflow as tf

        found = []
        for gpu in tf.config.list_physical_devices("GPU"):
            details = tf.config.experimental.get_device_details(gpu)
            found.append(Gpu(details.get("device_name", gpu.name),
                             tuple(details.get("compute_capability", (0, 0)))))
        return found
    if name == "jax":
        import jax

        return [Gpu(d.device_kind, _capability(getattr(d, "compute_capability", "0.0")))
                for d in jax.devices() if d.platform == "gpu"]
    if name == "torch":
        import torch

        return [Gpu(torch.cuda.get_device_name(i), tuple(torch.cuda.get_device_capability(i)))
                for i in range(torch.cuda.device_count())]
    return []


def _capability(text: str) -> tuple[int, int]:
    major, _, minor = str(text).partition(".")
    return (int(major), int(minor or 0)) if major.isdigit() else (0, 0)


def _cpuinfo(prefixes: tuple[str, ...]) -> str | None:
    """The value of the first ``/proc/cpuinfo`` line starting with one of ``prefixes``."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(prefixes):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def cpu_flags() -> set[str]:
    """The CPU's feature flags as Linux reports them (empty elsewhere), for the benchmarks'
    headers: no choice of convscope depends on them (the precision is measured)."""
    return set((_cpuinfo(("flags", "Features")) or "").split())


def cpu_name() -> str:
    """The CPU's model name, as Linux reports it (else what Python knows)."""
    return _cpuinfo(("model name",)) or platform.processor() or platform.machine()


def device_name() -> str:
    """What trains: the first GPU's name, else the CPU's model name."""
    gpus = visible_gpus()
    return gpus[0].name if gpus else cpu_name()


def check_precision(precision: str) -> str:
    """``precision`` as Keras names it (``bfloat16`` is Keras's ``mixed_bfloat16``: bfloat16
    arithmetic, float32 weights), or ``auto`` (measured: ``convscope.precision``); an error
    naming the choices for anything else."""
    precision = {"bfloat16": "mixed_bfloat16"}.get(precision, precision)
    if precision != "auto" and precision not in PRECISIONS:
        raise ConvscopeError(f"unknown precision {precision!r}; choose one of: auto, float32, "
                             "bfloat16", name=precision)
    return precision


@contextlib.contextmanager
def precision_policy(precision: str):
    """Layers built inside compute in ``precision`` (Keras's global dtype policy, restored
    afterwards, so building one model never changes the next)."""
    import keras

    before = keras.config.dtype_policy()
    keras.config.set_dtype_policy(precision)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(before)
