"""``--fast``: the same network trained in less time, with choices measured on the machine.

The course trains with Keras's defaults: float32 and batch 32. On CPUs that multiply
bfloat16 matrices in hardware (Intel AMX) and on recent GPUs, ``--fast`` computes in bfloat16
with float32 weights (Keras's ``mixed_bfloat16``), and the recipe's measured larger batch
(fewer, larger steps: less time spent between them). Measured with
``benchmarks/precision.py`` on a 2-core Intel Xeon with AMX (training images/s, best of 2–3
interleaved rounds; this VM's speed swings by up to ×2, so the small MNIST net's numbers are
noisy):

=============================  ======  =======  ========  ======
network                        batch   float32  bfloat16  ratio
=============================  ======  =======  ========  ======
course CIFAR-10 (``cifar10``)  32      397      1,564     ×3.9
course CIFAR-10 (``cifar10``)  128     582      2,177     ×3.7
earlier ``cifar10-fast``       256     535      1,049     ×2.0
course MNIST (``mnist``)       32      4,833    7,268     ×1.5
course MNIST (``mnist``)       512     3,159    11,651    ×3.7
=============================  ======  =======  ========  ======

What is left as it is, because it measured no faster here: XLA compilation (slower than
TensorFlow's own CPU kernels for these networks; Keras already leaves it off on CPU-only
machines), more than 8 steps per call into TensorFlow (32 ≈ 8), thread settings (TensorFlow's
defaults use both cores). bfloat16 is not used on CPUs without AMX: those we could not
measure, and only a measurement should switch it on.

The earlier ``cifar10-fast`` (convs 24 → 48 → 96 → 192, batch 256) gained least from bfloat16
because batch normalisation, not arithmetic, took a large part of its step here:
``benchmarks/normalization.py`` gave ×1.4 to ×2.0 without any (not trainable at its learning
rate; it only shows where the time goes), and XLA ×0.4 to ×0.5. TensorFlow's fused
batch-norm kernel (×0.77 to ×1.66) and leaving the first convolution without it (×1.02 to
×1.53, and 87.1 % instead of 87.7 % after 15 epochs) measured too unevenly on this VM to be
adopted.

That recipe reached 87.7 % after 15 epochs. airbench's whitened first layer alone did not
change that (87.7 %; 86.4 % after a 10-epoch schedule). A port of airbench94's whole training
(a probe: widths 64/256/256) reached 87.9 % after 5 epochs, but at about 200 s an epoch on
this CPU: the epochs 90 % needs do not fit in the course's time. ``cifar10-fast`` is now
airbench93, the same network at widths 64/128/128 (about 85 to 145 s an epoch here, as the
VM's speed varies), with airbench's training but for details: its triangular schedule (a
warm-up and cosine decay here), flips that alternate by epoch, reflected borders on shifts,
six-view test-time averaging (mirrored only here), 11 epochs (10 here), a whitening bias
frozen after 3 epochs, lookahead every 5 steps (every 8, the steps per call into TensorFlow,
here) and each epoch's last, partial batch dropped. 88.9 % after 10 epochs (seed 0); a probe
with the first four: 88.9 %. airbench93
reaches 93 % in 11 epochs on genuine CIFAR-10; the shared copy's pixels went through JPEG
(quality 75, 4:2:0), and every method here loses accuracy on it. Its batch normalisation too
takes a third of each step (``benchmarks/normalization.py``: ×1.48 without any, fused kernel
×0.87, XLA ×0.22), so it trains at a quarter of the CPU's bfloat16 matmul speed.
"""

from __future__ import annotations

import contextlib
import functools
import platform
from pathlib import Path

PRECISIONS = ("float32", "mixed_bfloat16")


def cpu_flags() -> set[str]:
    """The CPU's feature flags as Linux reports them (empty elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("flags", "Features")):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def cpu_name() -> str:
    """The CPU's model name, as Linux reports it (else what Python knows)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


@functools.cache
def fast_precision() -> str:
    """``mixed_bfloat16`` where bfloat16 is fast on the device that will train, else float32.

    A GPU trains when one is visible: bfloat16 is fast from compute capability 8.0 (A100,
    H100, RTX 30xx…). On a CPU, only with AMX tiles for bfloat16 (Intel Sapphire Rapids and
    later).
    """
    from .devices import visible_gpus

    gpus = visible_gpus()
    if gpus:
        fast = gpus[0].compute_capability >= (8, 0)
    else:
        fast = "amx_bf16" in cpu_flags()
    return "mixed_bfloat16" if fast else "float32"


def resolve_precision(precision: str) -> str:
    """``"auto"`` → what is fast here; an explicit precision is checked and kept."""
    if precision == "auto":
        return fast_precision()
    if precision not in PRECISIONS:
        from .errors import ConvscopeError

        raise ConvscopeError(f"unknown precision {precision!r}; choose one of: "
                             f"auto, {', '.join(PRECISIONS)}")
    return precision


def compile_whole_model_on_jax(model) -> None:
    """Let JAX compile loaded models that hold Keras's random rotation, translation or zoom
    layers (runs trained before ``--augment`` used ``layers.RandomAffine``, or anyone's
    ``.keras`` file).

    Keras marks those layers as not compilable with XLA (true of TensorFlow's transform op
    behind them), and one such layer turns compilation off for the whole model. On TensorFlow
    that still leaves a graph; on JAX, which has no graph without XLA, every operation then
    runs on its own: ``catsdogs --augment`` took 29 s an epoch on an H200, and 11 s instead of
    6 s for 500 photos on this CPU. JAX's versions of these layers compile, so there they are
    marked so after the model is loaded.
    """
    import keras

    if keras.backend.backend() != "jax":
        return
    from keras import layers

    from .inspection import all_layers

    compilable = (layers.RandomRotation, layers.RandomTranslation, layers.RandomZoom)
    for layer in all_layers(model):
        if isinstance(layer, compilable):
            layer.supports_jit = True
    if getattr(model, "compiled", False) and not model.run_eagerly:
        model.jit_compile = True


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
