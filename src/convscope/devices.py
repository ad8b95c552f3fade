"""Where training runs: one device, or several in step (data parallelism).

By default TensorFlow uses one GPU when it sees one, else the CPU. ``--devices N`` (or ``all``)
trains on N devices at once with ``tf.distribute.MirroredStrategy``: each device takes its own
share of every batch, the gradients are averaged, every copy of the weights gets the same
update. The batch grows with the number of devices (each device keeps the recipe's batch), and
so does the learning rate (the linear scaling rule: N times the images per step, N times the
step), so an epoch needs N times fewer steps.

On a machine without GPUs, ``--devices N`` splits the CPU into N logical devices. That is not
faster (they share the same cores) but runs exactly the code path of N GPUs, which is how the
tests check it without one. The split must be made before TensorFlow starts, so ``place`` is
called before any model is built.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from .errors import ConvscopeError


@dataclass(frozen=True)
class Placement:
    """The devices a run trains on, and the strategy that keeps them in step."""

    strategy: object | None  # a tf.distribute strategy, or None for one device
    devices: tuple[str, ...]

    @property
    def replicas(self) -> int:
        return max(1, len(self.devices))

    def scope(self):
        """Build, compile, train and load models inside this (a no-op for one device)."""
        return self.strategy.scope() if self.strategy is not None else contextlib.nullcontext()

    def describe(self) -> str:
        if self.strategy is None:
            return ""
        return (f"training on {self.replicas} devices in step ({', '.join(self.devices)}); "
                f"batch and learning rate × {self.replicas}")


def parse_devices(value) -> int | str | None:
    """``None``, ``"all"`` or a positive number of devices, from the command line or the API."""
    if value is None or value == "all":
        return value
    try:
        count = int(value)
    except (TypeError, ValueError):
        count = 0
    if isinstance(value, bool) or count < 1 or str(count) != str(value).strip():
        raise ConvscopeError(f"--devices must be a number of devices (1, 2, …) or 'all'; "
                             f"got {value!r}")
    return count


def place(devices=None) -> Placement:
    """The placement for ``devices`` (see the module's docstring)."""
    devices = parse_devices(devices)
    if devices is None or devices == 1:
        return Placement(None, ())
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        names = [f"/gpu:{i}" for i in range(len(gpus))]
        if devices != "all" and devices > len(names):
            raise ConvscopeError(f"--devices {devices}: only {len(names)} GPU(s) visible")
        names = names if devices == "all" else names[:devices]
    else:
        count = len(tf.config.list_logical_devices("CPU")) if devices == "all" else devices
        names = [f"/cpu:{i}" for i in range(_split_cpu(count))]
    if len(names) == 1:
        return Placement(None, ())
    return Placement(tf.distribute.MirroredStrategy(names), tuple(names))


def _split_cpu(count: int) -> int:
    """Make ``count`` logical CPU devices (possible only before TensorFlow starts)."""
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    current = tf.config.get_logical_device_configuration(cpu)
    if current is not None and len(current) == count:
        return count
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(count)])
    except RuntimeError:
        existing = len(tf.config.list_logical_devices("CPU"))
        if existing == count:
            return count
        raise ConvscopeError(
            f"--devices {count}: TensorFlow already started with {existing} CPU device(s) in "
            "this process; the CPU can be split only before (use a fresh process)"
        ) from None
    return count
