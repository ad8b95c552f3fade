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

Several machines: ``--workers host:port,host:port,…`` with ``--worker-index I`` on each
machine (or TensorFlow's usual ``TF_CONFIG`` variable) trains with
``tf.distribute.MultiWorkerMirroredStrategy``: every worker runs the same command on its own
copy of the data, takes its share of each batch, and the gradients are averaged over the
network. Worker 0 (the chief) writes the run directory; worker I writes its identical copy
beside it, as ``<run>-workerI``.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass

from .errors import ConvscopeError
from .hardware import backend


def _needs_tensorflow(option: str) -> None:
    name, _ = backend()
    if name != "tensorflow":
        raise ConvscopeError(f"{option} needs Keras's TensorFlow backend; this process uses "
                             f"{name} (unset KERAS_BACKEND or set it to tensorflow)")


@dataclass(frozen=True)
class Placement:
    """The devices a run trains on, and the strategy that keeps them in step."""

    strategy: object | None  # a tf.distribute strategy, or None for one device
    devices: tuple[str, ...]
    workers: tuple[str, ...] = ()  # host:port of every worker, when training on several
    worker_index: int = 0  # this process's place in ``workers``; 0 is the chief

    @property
    def replicas(self) -> int:
        if self.workers:
            return self.strategy.num_replicas_in_sync
        return max(1, len(self.devices))

    @property
    def chief(self) -> bool:
        """Whether this process writes the run directory (always, except workers 1, 2, …)."""
        return self.worker_index == 0

    def scope(self):
        """Build, compile, train and load models inside this (a no-op for one device)."""
        return self.strategy.scope() if self.strategy is not None else contextlib.nullcontext()

    def describe(self) -> str:
        if self.strategy is None:
            return ""
        if self.workers:
            return (f"worker {self.worker_index} of {len(self.workers)} "
                    f"({', '.join(self.workers)}); {self.replicas} replicas in step; "
                    f"batch and learning rate × {self.replicas}")
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
        raise ConvscopeError(f"`devices` must be a number of devices (1, 2, …) or 'all'; "
                             f"got {value!r}")
    return count


def parse_workers(workers, worker_index) -> tuple[tuple[str, ...], int]:
    """``workers`` (``"host:port,host:port"`` or a list) and ``worker_index`` checked, or
    ``TF_CONFIG``'s workers when both are ``None``; ``((), 0)`` when training on one machine."""
    if workers is None:
        if worker_index is not None:
            raise ConvscopeError("`worker_index` needs `workers`: host:port,host:port,…")
        return _tf_config_workers()
    listed = workers.split(",") if isinstance(workers, str) else list(workers)
    names = tuple(str(w).strip() for w in listed if str(w).strip())
    for name in names:
        host, _, port = name.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ConvscopeError(f"`workers`: {name!r} is not host:port (e.g. 10.0.0.2:2222)")
    if len(set(names)) < 2:
        raise ConvscopeError(f"`workers` needs at least two different host:port; got "
                             f"{workers!r}")
    if worker_index is None or not 0 <= int(worker_index) < len(names):
        raise ConvscopeError(f"`worker_index` must say which of the {len(names)} workers this "
                             f"machine is: 0 to {len(names) - 1} (0 writes the run)")
    return names, int(worker_index)


def _tf_config_workers() -> tuple[tuple[str, ...], int]:
    raw = os.environ.get("TF_CONFIG")
    if not raw:
        return (), 0
    try:
        config = json.loads(raw)
        names = tuple(config["cluster"]["worker"])
        index = int(config["task"]["index"]) if config["task"]["type"] == "worker" else -1
    except (ValueError, KeyError, TypeError):
        raise ConvscopeError("TF_CONFIG is set but is not {\"cluster\": {\"worker\": [...]}, "
                             "\"task\": {\"type\": \"worker\", \"index\": I}}; fix it or "
                             "unset it") from None
    if len(names) < 2:
        return (), 0
    if not 0 <= index < len(names):
        raise ConvscopeError(f"TF_CONFIG: this task must be one of its {len(names)} workers")
    return names, index


def place(devices=None, workers=None, worker_index=None) -> Placement:
    """The placement for ``devices`` or ``workers`` (see the module's docstring)."""
    names, index = parse_workers(workers, worker_index)
    if names:
        if devices is not None:
            raise ConvscopeError("`devices` and `workers` don't mix: each worker uses its "
                                 "machine's default device")
        _needs_tensorflow("`workers`")
        return _place_workers(names, index)
    devices = parse_devices(devices)
    if devices is None or devices == 1:
        return Placement(None, ())
    _needs_tensorflow("`devices`")
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        names = [f"/gpu:{i}" for i in range(len(gpus))]
        if devices != "all" and devices > len(names):
            raise ConvscopeError(f"`devices={devices}`: only {len(names)} GPU(s) visible")
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
            f"`devices={count}`: TensorFlow already started with {existing} CPU device(s) in "
            "this process; the CPU can be split only before (use a fresh process)"
        ) from None
    return count


def _place_workers(workers: tuple[str, ...], index: int) -> Placement:
    """A ``MultiWorkerMirroredStrategy`` over ``workers``; this process is worker ``index``.

    It waits until every worker has started (TensorFlow's own behaviour), so start the same
    command on each machine.
    """
    os.environ["TF_CONFIG"] = json.dumps({"cluster": {"worker": list(workers)},
                                          "task": {"type": "worker", "index": index}})
    import tensorflow as tf

    _patch_keras_multi_worker_reduce()
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    return Placement(strategy, (), workers, index)


def build_for_workers(model, x, y) -> None:
    """Let ``model.fit`` run under a ``MultiWorkerMirroredStrategy`` (keras-team/keras#20585).

    Keras 3 builds a model's metrics from the first batch averaged over replicas, which fails
    on several workers; build them here from one local batch instead, then skip that step.
    """
    model._symbolic_build(data_batch=(x[:1], y[:1]))
    model._maybe_symbolic_build = lambda iterator=None, data_batch=None: None


def _patch_keras_multi_worker_reduce() -> None:
    """Average each step's loss and metrics over workers as scalars (keras-team/keras#20585).

    Keras 3 reduces them along axis 0, which scalars don't have. Only multi-worker strategies
    take the changed branch; everything else goes to Keras's own function.
    """
    from keras.src import tree
    from keras.src.backend.tensorflow import trainer

    original = trainer.reduce_per_replica
    if getattr(original, "convscope_patch", False):
        return

    def reduce_per_replica(values, strategy, reduction="auto"):
        if reduction in ("auto", "mean") and trainer._collective_all_reduce_multi_worker(
                strategy):
            return tree.map_structure(lambda v: strategy.reduce("MEAN", v, axis=None), values)
        return original(values, strategy, reduction)

    reduce_per_replica.convscope_patch = True
    trainer.reduce_per_replica = reduce_per_replica
