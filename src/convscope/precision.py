"""Which precision trains a network fastest on this machine: float32 or mixed bfloat16,
decided by measuring it.

bfloat16 arithmetic (Keras's ``mixed_bfloat16``: bfloat16 computations, float32 weights) pays
only where the hardware has units for it *and* the network keeps them busy. A rule by CPU flag
got both sides wrong: on a 2-core AMD Zen 4 (AVX512-BF16, no AMX) ``mnist`` trains ×1.7
faster in bfloat16 at batch 128 while ``photos`` gains nothing (its batch normalisations). So
for a network and a batch size, ``choose`` trains a few steps on random batches in each
precision, interleaved, and keeps bfloat16 only when it is at least ``MARGIN`` faster. The
answer is kept in the user cache per machine (backend, device, cores), network shape and
batch, so the probe runs once (a few seconds) and every later run reads it.

GPUs keep their rule, bfloat16 from compute capability 8.0 (measured on an H200:
``benchmarks/RESULTS.md`` § 7): on a GPU a probe would mostly time XLA compiling.

``"auto"`` asks for this choice; ``"float32"`` and ``"bfloat16"`` are kept as asked. The
``Choice`` says what was used and why, for the run's ``config.json``, its card and
``convscope recipes NAME``.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from . import _io
from .datasets import cache_dir
from .events import Notice, emit
from .hardware import PRECISIONS, backend, check_precision, device_name, visible_gpus

# bfloat16 must train at least this much faster to be chosen: it rounds every product to 8
# bits of mantissa, and a shared machine's speed wanders by ±10 % from one second to the next.
MARGIN = 1.10
ROUNDS = 3  # interleaved rounds; each precision keeps its fastest
ROUND_SECONDS = 0.3  # each precision's share of a round
MAX_STEPS = 100  # per round, for networks whose step takes under 3 ms
CACHE_FILE = "precision.json"
GPU_RULE = (8, 0)  # compute capability from which GPUs compute bfloat16 fast


@dataclass(frozen=True)
class Network:
    """What the probe trains: ``make(precision)`` gives the network compiled for training in
    that precision; ``signature`` names its shape for the cache (layer kinds, output shapes,
    weights)."""

    make: Callable[[str], object]
    input_shape: tuple[int, ...]
    num_classes: int
    signature: str


@dataclass(frozen=True)
class Choice:
    """The precision a training uses, and why: ``reason`` is ``asked``, ``measured`` (with
    the training images/s of each precision at ``batch_size``) or ``gpu`` (the GPU rule)."""

    precision: str  # "float32" or "mixed_bfloat16"
    reason: str
    float32: float | None = None
    bfloat16: float | None = None
    batch_size: int | None = None
    cached: bool = False  # measured by an earlier probe on this machine

    @property
    def speedup(self) -> float | None:
        """bfloat16's images/s over float32's, as measured."""
        return self.bfloat16 / self.float32 if self.float32 and self.bfloat16 else None

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Choice:
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        return cls(**known)

    def describe(self, words) -> str:
        """One line in ``words``' language, e.g. ``bfloat16: ×1.73 measured here (batch
        128)``."""
        name = short_name(self.precision)
        if self.reason == "gpu":
            return words("precision_gpu", precision=name)
        if self.reason != "measured" or self.speedup is None:
            return words("precision_asked", precision=name)
        key = "precision_measured" if self.precision != "float32" else "precision_not_worth"
        return words(key, precision=name, speedup=words.number(self.speedup, 2),
                     batch=self.batch_size)


def short_name(precision: str) -> str:
    """``bfloat16`` for Keras's ``mixed_bfloat16`` (its weights stay float32)."""
    return "bfloat16" if precision == "mixed_bfloat16" else precision


def choose(asked: str, network: Network | None, batch_size: int, *, observer=None,
           timer: Callable[[], float] = time.perf_counter) -> Choice:
    """The precision to train ``network`` at ``batch_size`` with: ``asked`` if it names one
    (``network`` may then be None), else the GPU's rule, else the faster of the two measured
    here (probed once per machine, network shape and batch; ``timer`` is the probe's
    clock)."""
    asked = check_precision(asked)
    if asked != "auto":
        return Choice(asked, "asked")
    gpus = visible_gpus()
    if gpus:
        fast = gpus[0].compute_capability >= GPU_RULE
        return Choice("mixed_bfloat16" if fast else "float32", "gpu")
    key = cache_key(network, batch_size)
    cached = read_cache().get(key)
    if cached is not None:
        return Choice.from_json({**cached, "cached": True})
    emit(observer, Notice(f"Measuring float32 against bfloat16 for this network at batch "
                          f"{batch_size} (a few seconds, once on this machine)…"))
    speeds = measure(network, batch_size, timer)
    faster = speeds["mixed_bfloat16"] >= MARGIN * speeds["float32"]
    choice = Choice("mixed_bfloat16" if faster else "float32", "measured",
                    float32=round(speeds["float32"], 1),
                    bfloat16=round(speeds["mixed_bfloat16"], 1), batch_size=batch_size)
    write_cache(key, choice)
    return choice


def measure(network: Network, batch_size: int,
            timer: Callable[[], float] = time.perf_counter) -> dict[str, float]:
    """Training images/s of ``network`` in each precision, on one random batch: each model
    warmed up by one step (which traces its graph), then timed in ``ROUNDS`` interleaved rounds
    of about ``ROUND_SECONDS`` each, the fastest round kept (a busy moment slows one round,
    never speeds one up). A network whose one step takes longer than a round (cifar10-fast at
    batch 1024: seconds a step) is timed on that one step and one round more."""
    rng = np.random.default_rng(0)
    x = rng.random((batch_size, *network.input_shape), dtype=np.float32)
    y = rng.integers(0, network.num_classes, batch_size)
    if network.num_classes == 2:  # one sigmoid unit: labels as floats
        y = y.astype(np.float32)
    models = {precision: network.make(precision) for precision in PRECISIONS}
    steps, fastest = {}, {}
    for precision, model in models.items():
        model.train_on_batch(x, y)
        fastest[precision] = _timed(model, x, y, 1, timer)
        steps[precision] = int(np.clip(ROUND_SECONDS / max(fastest[precision], 1e-6), 1,
                                       MAX_STEPS))
    slow = max(fastest.values()) > ROUND_SECONDS
    for _ in range(1 if slow else ROUNDS):
        for precision, model in models.items():
            seconds = _timed(model, x, y, steps[precision], timer) / steps[precision]
            fastest[precision] = min(fastest[precision], seconds)
    return {precision: batch_size / max(seconds, 1e-9) for precision, seconds in fastest.items()}


def _timed(model, x, y, steps: int, timer: Callable[[], float]) -> float:
    began = timer()
    for _ in range(steps):
        model.train_on_batch(x, y)
    return timer() - began


# -- the cache -----------------------------------------------------------------------------------


def machine() -> str:
    """What a measurement holds for: the backend and its version, the device, the cores."""
    name, version = backend()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{name} {version} · {device_name()} · {cores} cores"


def cache_key(network: Network, batch_size: int) -> str:
    shape = hashlib.sha256(network.signature.encode()).hexdigest()[:16]
    return f"{machine()} · network {shape} · batch {batch_size}"


def cache_path():
    return cache_dir() / CACHE_FILE


def read_cache() -> dict[str, dict]:
    """Every measurement kept on this computer, by ``cache_key`` (empty when there is none,
    or when the file is damaged: measuring again is cheap)."""
    try:
        data = _io.read_json(cache_path())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_cache(key: str, choice: Choice) -> None:
    """Keep one measurement (beside the others; written whole, atomically)."""
    path = cache_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    entries = read_cache()
    entries[key] = {**choice.to_json(), "cached": False,
                    "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    _io.write_json(path, entries)


def signature_of(model) -> str:
    """A network's shape for the cache: its input, each layer's kind, output shape and weight
    count (not its names: Keras numbers unnamed layers anew each time)."""
    layers = [(type(layer).__name__, str(tuple(layer.output.shape)), layer.count_params())
              for layer in model.layers]
    return json.dumps([str(tuple(model.inputs[0].shape)), layers])
