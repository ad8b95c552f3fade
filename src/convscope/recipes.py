"""The course's networks by name, each with the training defaults the course uses.

A recipe is a declared block: the layers, how to train them, and what was measured with them.
``build_model(recipe)`` returns a compiled Keras model ready for ``fit``. Models take pixels
scaled to [0, 1] (the course's ``X / 255``); the scaling is done by the data pipeline and
recorded in the run's config, so each model's layers are exactly the course's.

Labels are integers and the loss is ``sparse_categorical_crossentropy``: the same quantity as
the course's ``categorical_crossentropy`` on one-hot labels, without building the one-hot
arrays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .errors import ConvscopeError


@dataclass(frozen=True)
class Recipe:
    """A named network and how the course trains it."""

    name: str
    dataset: str
    input_shape: tuple[int, int, int]
    num_classes: int
    summary: str  # one line, for `convscope recipes`
    layers: Callable[[], list]  # the layers after the Input, in order
    epochs: int
    batch_size: int
    learning_rate: float = 1e-3  # Adam's default, as in the course's optimizer='adam'
    expected: str = ""  # what the course reports and what we measured

    def build(self):
        """A fresh, uncompiled model (no weights loaded)."""
        import keras

        return keras.Sequential(
            [keras.Input(self.input_shape), *self.layers()], name=self.name.replace("-", "_")
        )


def _mnist_layers():
    from keras import layers

    return [
        # 32 filters of 3×3×1 (+1 bias each): 32 × 10 = 320 weights; output 28×28×32.
        layers.Conv2D(32, kernel_size=3, padding="same", activation="relu"),
        # 16 filters of 3×3×32 (+1 bias): 16 × 289 = 4,624 weights; output 28×28×16.
        layers.Conv2D(16, kernel_size=3, padding="same", activation="relu"),
        # 28 × 28 × 16 = 12,544 values, no weights.
        layers.Flatten(),
        # (12,544 + 1) × 10 = 125,450 weights.  Total: 130,394.
        layers.Dense(10, activation="softmax"),
    ]


MNIST = Recipe(
    name="mnist",
    dataset="mnist",
    input_shape=(28, 28, 1),
    num_classes=10,
    summary="course §1: conv 32 → conv 16 → dense 10",
    layers=_mnist_layers,
    epochs=5,
    batch_size=32,
    expected=(
        "Course: 99 % test after 5 epochs (its program gives 98.65 % on a 2-core AMD CPU, "
        "347 s). Measured here: see README."
    ),
)

RECIPES: dict[str, Recipe] = {r.name: r for r in (MNIST,)}


def get_recipe(name: str) -> Recipe:
    try:
        return RECIPES[name]
    except KeyError:
        raise ConvscopeError(
            f"unknown recipe {name!r}; choose one of: {', '.join(RECIPES)} "
            "(`convscope recipes` lists them)"
        ) from None


def build_model(recipe: Recipe | str, learning_rate: float | None = None):
    """The recipe's model, compiled as the course compiles it (Adam, cross-entropy, accuracy)."""
    import keras

    recipe = get_recipe(recipe) if isinstance(recipe, str) else recipe
    model = recipe.build()
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate or recipe.learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def count_params(recipe: Recipe | str) -> int:
    recipe = get_recipe(recipe) if isinstance(recipe, str) else recipe
    return int(recipe.build().count_params())
