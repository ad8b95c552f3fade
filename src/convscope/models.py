"""Models in and out: a recipe's network compiled for training, and a saved model loaded back.

``build_model`` compiles a recipe's network as the course does (Adam, cross-entropy,
accuracy), with the training choices of the recipe or of a run (``config.Training``).
``load_keras_model`` is the one place models are read from disk: in Keras's safe mode (a
``model.keras`` from someone else cannot run code), with convscope's own layers registered.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from .config import Training
from .errors import ConvscopeError, RunError
from .hardware import check_precision
from .precision import Choice, Network, choose, signature_of
from .recipes import Recipe, get_recipe

# Training steps per call into the backend, at most: the same updates in the same order, with
# less Python between them (+9 % images/s on the mnist recipe; benchmarks/steps_per_execution.py).
STEPS_PER_EXECUTION = 8


def steps_per_execution(steps: int) -> int:
    """Steps per call into the backend for epochs of ``steps`` steps: the largest number up to
    ``STEPS_PER_EXECUTION`` that divides them, so that a call never runs into the next epoch
    (Keras runs whole calls: 1,875 steps in calls of 8 would end an epoch 5 steps late)."""
    return max(n for n in range(1, STEPS_PER_EXECUTION + 1) if steps % n == 0)


def run_steps_per_execution(model, steps: int) -> None:
    """Make ``model`` (compiled, or loaded from a run) call the backend every
    ``steps_per_execution(steps)`` steps, unless it trains on several devices (one step a
    call: Keras 3.15 on TensorFlow 2.21 fails to run several under a MirroredStrategy)."""
    wanted = 1 if model.steps_per_execution == 1 else steps_per_execution(steps)
    if model.steps_per_execution != wanted:
        model.steps_per_execution = wanted
        model.train_function = None  # made again for the new count
SCHEDULES = ("constant", "cosine", "warmup-cosine")
# The first tenth of a warm-up schedule's steps raises the rate from a tenth of its peak.
WARMUP_FRACTION = 0.1


def build_model(recipe: Recipe | str, learning_rate: float | None = None,
                decay_steps: int | None = None, *, training: Training | None = None,
                num_classes: int | None = None, input_shape=None, precision: str | None = None,
                steps_per_execution: int = STEPS_PER_EXECUTION):
    """The recipe's model, compiled as the course compiles it (Adam, cross-entropy, accuracy).

    ``training``: the training choices (default: the recipe's; a run passes its config).
    ``decay_steps`` is the number of training steps a ``schedule`` spreads over; the other
    arguments go to ``Recipe.build``. ``precision="auto"`` (or a recipe's ``auto``) is the
    one measured faster at the training's batch size (``choose_precision``). One sigmoid
    output is trained with binary cross-entropy, as the course's cats vs dogs; a softmax
    with (sparse) categorical cross-entropy.
    """
    recipe = get_recipe(recipe)
    training = (training or recipe).training()
    precision = check_precision(precision or training.precision)
    if precision == "auto":
        precision = choose_precision(recipe, training, num_classes=num_classes,
                                     input_shape=input_shape).precision
    model = recipe.build(num_classes, input_shape, precision)
    rate = learning_rate or training.learning_rate
    if training.schedule and decay_steps:
        rate = learning_rate_schedule(training.schedule, rate, decay_steps)
    model.compile(optimizer=_optimizer(training, rate), loss=_loss(training, model),
                  metrics=["accuracy"], steps_per_execution=steps_per_execution)
    return model


def choose_precision(recipe: Recipe | str, training: Training | None = None, *,
                     batch_size: int | None = None, num_classes: int | None = None,
                     input_shape=None, observer=None) -> Choice:
    """The precision ``training`` (default: the recipe's) trains the recipe's network in at
    ``batch_size`` (default: the training's) on this machine, and why: as asked, or for
    ``auto`` the faster of float32 and bfloat16, measured once and kept
    (``convscope.precision``). ``num_classes`` and ``input_shape`` as for ``build_model``."""
    recipe = get_recipe(recipe)
    training = (training or recipe).training()
    batch_size = batch_size or training.batch_size
    network = None
    if check_precision(training.precision) == "auto":
        network = probe_network(recipe, training, num_classes, input_shape)
    return choose(training.precision, network, batch_size, observer=observer)


def probe_network(recipe: Recipe, training: Training, num_classes: int | None = None,
                  input_shape=None) -> Network:
    """The recipe's network as the precision probe trains it: compiled as ``training``
    compiles it, one step per call."""
    reference = recipe.build(num_classes, input_shape, "float32")

    def make(precision: str):
        return build_model(recipe, training=training, num_classes=num_classes,
                           input_shape=input_shape, precision=precision, steps_per_execution=1)

    classes = int(reference.outputs[0].shape[-1])
    return Network(make, tuple(reference.inputs[0].shape[1:]), 2 if classes == 1 else classes,
                   signature_of(reference))


def learning_rate_schedule(name: str, peak: float, steps: int):
    """A Keras schedule over ``steps`` training steps (saved with the optimizer, so a resumed
    run continues it).

    ``cosine`` decays from ``peak`` to 0 along a half cosine. ``warmup-cosine`` first rises
    to ``peak`` over ``WARMUP_FRACTION`` of the steps: large batches take large steps, and
    the rise keeps the first ones, taken with random weights, from overshooting.
    """
    import keras

    if name == "cosine":
        return keras.optimizers.schedules.CosineDecay(peak, steps)
    if name == "warmup-cosine":
        warmup = max(1, int(steps * WARMUP_FRACTION))
        return keras.optimizers.schedules.CosineDecay(
            peak / 10, max(1, steps - warmup), warmup_target=peak, warmup_steps=warmup)
    raise ConvscopeError(f"unknown learning-rate schedule {name!r}; choose one of: "
                         f"{', '.join(SCHEDULES)}")


def with_schedule(training: Training, schedule: str | None) -> Training:
    """``training`` with a schedule by name (``"constant"`` is none), checked."""
    if schedule is not None and schedule not in SCHEDULES:
        raise ConvscopeError(f"unknown schedule {schedule!r}; choose one of: "
                             f"{', '.join(SCHEDULES)}")
    return replace(training, schedule=None if schedule == "constant" else schedule)


def _optimizer(training: Training, rate):
    import keras

    decay = training.weight_decay or None
    if training.optimizer == "sgd":
        return keras.optimizers.SGD(rate, momentum=training.momentum, nesterov=True,
                                    weight_decay=decay)
    return keras.optimizers.Adam(rate, weight_decay=decay)


def _loss(training: Training, model):
    import keras

    if not training.label_smoothing:
        return loss_name(model)
    if loss_name(model) == "binary_crossentropy":
        return keras.losses.BinaryCrossentropy(label_smoothing=training.label_smoothing)
    from .losses import SmoothedSparseCrossentropy

    return SmoothedSparseCrossentropy(training.label_smoothing)


def loss_name(model) -> str:
    binary = model.outputs[0].shape[-1] == 1
    return "binary_crossentropy" if binary else "sparse_categorical_crossentropy"


# -- reading models back -----------------------------------------------------------------------


def load_keras_model(path: Path):
    """Load a ``.keras`` file in safe mode (no arbitrary code from lambdas or pickles)."""
    import keras

    # Registers convscope's loss and layers, which models may use.
    from . import layers, losses  # noqa: F401

    try:
        model = keras.saving.load_model(path, safe_mode=True)
    except FileNotFoundError:
        raise RunError(f"{path}: no such model file") from None
    except (ValueError, OSError, KeyError, TypeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RunError(f"{path}: cannot load this model ({first})") from None
    compile_whole_model_on_jax(model)
    return model


def compile_whole_model_on_jax(model) -> None:
    """Let JAX compile loaded models that hold Keras's random rotation, translation or zoom
    layers (runs trained before ``--augment`` used ``layers.RandomAffine``, or anyone's
    ``.keras`` file).

    Keras marks those layers as not compilable with XLA (true of TensorFlow's transform op
    behind them), and one such layer turns compilation off for the whole model. On TensorFlow
    that still leaves a graph; on JAX, which has no graph without XLA, every operation then
    runs on its own, several times slower. JAX's versions of these layers compile, so there
    they are marked so after the model is loaded.
    """
    import keras

    if keras.backend.backend() != "jax":
        return
    from keras import layers

    compilable = (layers.RandomRotation, layers.RandomTranslation, layers.RandomZoom)
    for layer in all_layers(model):
        if isinstance(layer, compilable):
            layer.supports_jit = True
    if getattr(model, "compiled", False) and not model.run_eagerly:
        model.jit_compile = True


def all_layers(model) -> list:
    """Every layer in execution order, nested models expanded (the models themselves omitted)."""
    import keras

    found = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            found += all_layers(layer)
        else:
            found.append(layer)
    return found
