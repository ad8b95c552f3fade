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
    summary: str  # one line, for `convscope recipes`
    layers: Callable[[], list]  # the layers after the Input, in order
    epochs: int
    batch_size: int
    learning_rate: float = 1e-3  # Adam's default, as in the course's optimizer='adam'
    expected: str = ""  # what the course reports and what we measured
    # Training choices beyond the course's (they change no layer and no weight count):
    schedule: str | None = None  # "cosine": learning rate decays to 0 over the planned epochs
    shift: int = 0  # augmentation: each training image moved by up to this many pixels

    @property
    def num_classes(self) -> int:
        """How many classes the recipe's own output layer tells apart (1 sigmoid unit = 2)."""
        units = self.layers()[-1].units
        return 2 if units == 1 else units

    def build(self, num_classes: int | None = None, augment: bool = False,
              input_shape: tuple[int, int, int] | None = None):
        """A fresh, uncompiled model (no weights loaded).

        ``num_classes`` other than the recipe's own replaces the output layer (the same
        network trained on someone's folder of photos); ``augment`` puts random flips,
        rotations, shifts and zooms in front, active only while training and saved with the
        model.
        """
        import keras

        layers = self.layers()
        if num_classes is not None and num_classes != self.num_classes:
            layers[-1] = output_layer(num_classes)
        shape = tuple(input_shape or self.input_shape)
        front = augmentation_layers(digits=self.dataset == "mnist") if augment else []
        return keras.Sequential([keras.Input(shape), *front, *layers],
                                name=self.name.replace("-", "_"))


def output_layer(num_classes: int):
    """A softmax over the classes, or one sigmoid unit for two (as the course's cats vs dogs)."""
    from keras import layers

    if num_classes == 2:
        return layers.Dense(1, activation="sigmoid", name="output")
    return layers.Dense(num_classes, activation="softmax", name="output")


def augmentation_layers(digits: bool = False) -> list:
    """Random changes to each training image, so the network sees a new variant every epoch.

    Keras preprocessing layers: they act only during training (``predict`` sees the photo as
    it is) and are saved in ``model.keras``. Digits are not mirrored (a mirrored 2 is no 2).
    """
    from keras import layers

    flip = [] if digits else [layers.RandomFlip("horizontal", name="random_flip")]
    return [
        *flip,
        layers.RandomRotation(0.03 if digits else 0.05, name="random_rotation"),  # ±11° / ±18°
        layers.RandomTranslation(0.1, 0.1, name="random_translation"),  # ±10 % of each side
        layers.RandomZoom(0.1, name="random_zoom"),  # ±10 %
    ]


def _mnist_layers():
    from keras import layers

    return [
        # 32 filters of 3×3×1 (+1 bias each): 32 × 10 = 320 weights; output 28×28×32.
        layers.Conv2D(32, kernel_size=3, padding="same", activation="relu", name="conv1"),
        # 16 filters of 3×3×32 (+1 bias): 16 × 289 = 4,624 weights; output 28×28×16.
        layers.Conv2D(16, kernel_size=3, padding="same", activation="relu", name="conv2"),
        # 28 × 28 × 16 = 12,544 values, no weights.
        layers.Flatten(name="flatten"),
        # (12,544 + 1) × 10 = 125,450 weights.  Total: 130,394.
        layers.Dense(10, activation="softmax", name="output"),
    ]


MNIST = Recipe(
    name="mnist",
    dataset="mnist",
    input_shape=(28, 28, 1),
    summary="course §1: conv 32 → conv 16 → dense 10",
    layers=_mnist_layers,
    epochs=5,
    batch_size=32,
    expected=(
        "Course: 99 % test after 5 epochs. Its program, on a 2-core Intel Xeon: 98.40 % "
        "(mean of seeds 0–2); this recipe: 98.43 % (98.37 / 98.33 / 98.59), ≈ 20 s/epoch."
    ),
)



def _cifar10_layers(pooling: bool = True):
    from keras import layers

    def conv(n):
        return layers.Conv2D(64, kernel_size=3, padding="same", activation="relu",
                             name=f"conv{n}")

    def pool(n):
        # Keeps the largest of each 2×2 block: a quarter of the values, no weights.
        return [layers.MaxPooling2D(pool_size=(2, 2), name=f"pool{n}")] if pooling else []

    return [
        conv(1),  # 3×3×3 × 64 + 64 = 1,792 weights; 32×32×64
        conv(2),  # 3×3×64 × 64 + 64 = 36,928; 32×32×64
        *pool(1),  # → 16×16×64
        conv(3),  # 36,928
        *pool(2),  # → 8×8×64
        conv(4),  # 36,928
        layers.Flatten(name="flatten"),  # 8 × 8 × 64 = 4,096 values (65,536 without pooling)
        layers.Dense(10, activation="softmax", name="output"),  # 40,970 (655,370 without)
    ]  # Total 153,546 with the poolings, 767,946 without.


CIFAR10 = Recipe(
    name="cifar10",
    dataset="cifar10",
    input_shape=(32, 32, 3),
    summary="course §2: 4 × conv 64 with two 2×2 max-poolings → dense 10",
    layers=_cifar10_layers,
    epochs=10,
    batch_size=32,
    expected=(
        "Course: > 80 % train, ~75 % test after ~10 epochs. Its program on the shared (JPEG-"
        "rebuilt) copy, 2-core AMD CPU: 72.2 % test, 88.4 % train, 34 min. This recipe, seed "
        "0, 2-core Intel Xeon: best 73.0 % at epoch 4, 70.4 % test / 88.6 % train after 10 "
        "(over-fitting), 27 min."
    ),
)

CIFAR10_NOPOOL = Recipe(
    name="cifar10-nopool",
    dataset="cifar10",
    input_shape=(32, 32, 3),
    summary="cifar10 without its poolings: 5× the weights",
    layers=lambda: _cifar10_layers(pooling=False),
    epochs=10,
    batch_size=32,
    expected=(
        "Course: 767,946 weights without pooling (vs 153,546). Shows what pooling buys: "
        "fewer weights, faster epochs, less over-fitting."
    ),
)



def _mnist_viz_layers():
    from keras import layers

    return [
        layers.Conv2D(16, 3, padding="same", activation="relu", name="conv1"),  # 160 weights
        layers.Conv2D(16, 3, padding="same", activation="relu", name="conv2"),  # 2,320
        layers.MaxPooling2D(pool_size=(2, 2), name="pool"),  # 28×28×16 → 14×14×16
        layers.Flatten(name="flatten"),  # 3,136 values
        layers.Dense(10, activation="softmax", name="output"),  # 31,370.  Total: 33,850.
    ]


MNIST_VIZ = Recipe(
    name="mnist-viz",
    dataset="mnist",
    input_shape=(28, 28, 1),
    summary="course §4: conv 16 → conv 16 → pool → dense 10 (to look inside)",
    layers=_mnist_viz_layers,
    epochs=20,
    batch_size=32,
    # With the course's constant learning rate these layers plateau at 98.7 % (then over-fit);
    # shifting digits by up to 2 pixels and a cosine decay take them past 99 %.
    schedule="cosine",
    shift=2,
    expected=(
        "Course: trained until 99 % test accuracy. Measured (seed 0, 2-core Intel Xeon, "
        "≈ 25 s/epoch): 99.06 % at epoch 13 with --until-accuracy 0.99 (98.90 % after 12 of "
        "a 12-epoch schedule)."
    ),
)



def _catsdogs_layers():
    from keras import layers

    def block(n):
        return [
            layers.Conv2D(64, 3, padding="same", activation="relu", name=f"conv{n}"),
            layers.MaxPooling2D(pool_size=(2, 2), name=f"pool{n}"),
            # Sets half the values to 0 at random while training: no single feature can be
            # relied on, which slows over-fitting on a small set of photos.
            layers.Dropout(0.5, name=f"dropout{n}"),
        ]

    return [
        *block(1),  # 3×3×3 × 64 + 64 = 1,792 weights; 64×64 → 32×32
        *block(2),  # 36,928; → 16×16
        *block(3),  # 36,928; → 8×8×64
        layers.Flatten(name="flatten"),  # 4,096 values
        layers.Dense(32, activation="relu", name="dense"),  # 131,104
        layers.Dense(1, activation="sigmoid", name="output"),  # 33: P(dog).  Total: 206,785.
    ]


CATSDOGS = Recipe(
    name="catsdogs",
    dataset="catsdogs",
    input_shape=(64, 64, 3),
    summary="course §3: 3 × [conv 64 → pool → dropout] → dense 32 → sigmoid",
    layers=_catsdogs_layers,
    epochs=40,
    batch_size=32,
    expected=(
        "Course: 85 % after ~40 epochs on 20,000 photos (it prints 206,685 weights; its layers "
        "give 206,785). Its program on the shared 2,000 training photos: 71.2 % (peak 74.0 %). "
        "This recipe there, 2-core Intel Xeon, ≈ 5.4 s/epoch: 71.8 / 71.5 / 75.7 % (seeds 0–2, "
        "mean 73.0 %) after 40 epochs; with --augment --epochs 100 (cosine decay): 76.7 / 76.7 / "
        "75.0 % (mean 76.1 %)."
    ),
)

RECIPES: dict[str, Recipe] = {
    r.name: r for r in (MNIST, CIFAR10, CIFAR10_NOPOOL, CATSDOGS, MNIST_VIZ)
}


def get_recipe(name: str) -> Recipe:
    try:
        return RECIPES[name]
    except KeyError:
        raise ConvscopeError(
            f"unknown recipe {name!r}; choose one of: {', '.join(RECIPES)} "
            "(`convscope recipes` lists them)"
        ) from None


STEPS_PER_EXECUTION = 8


def build_model(recipe: Recipe | str, learning_rate: float | None = None,
                decay_steps: int | None = None, *, num_classes: int | None = None,
                augment: bool = False, input_shape=None,
                steps_per_execution: int = STEPS_PER_EXECUTION):
    """The recipe's model, compiled as the course compiles it (Adam, cross-entropy, accuracy).

    ``decay_steps`` is the number of training steps a ``schedule`` spreads over; the other
    arguments go to ``Recipe.build``. One sigmoid output is trained with binary
    cross-entropy, as the course's cats vs dogs; a softmax with (sparse) categorical
    cross-entropy.
    """
    import keras

    recipe = get_recipe(recipe) if isinstance(recipe, str) else recipe
    model = recipe.build(num_classes, augment, input_shape)
    rate = learning_rate or recipe.learning_rate
    if recipe.schedule == "cosine" and decay_steps:
        # A schedule object is saved with the optimizer, so a resumed run continues it.
        rate = keras.optimizers.schedules.CosineDecay(rate, decay_steps)
    model.compile(
        optimizer=keras.optimizers.Adam(rate),
        loss=loss_name(model),
        metrics=["accuracy"],
        # Run 8 training steps per call into TensorFlow instead of 1: the same updates in the
        # same order, with less Python between them. Measured on the mnist recipe (2-core Intel
        # Xeon, 20,000 images, median of 4 alternated epochs): 3,746 vs 3,436 images/s (+9 %).
        steps_per_execution=steps_per_execution,
    )
    return model


def count_params(recipe: Recipe | str) -> int:
    recipe = get_recipe(recipe) if isinstance(recipe, str) else recipe
    return int(recipe.build().count_params())


def loss_name(model) -> str:
    binary = model.outputs[0].shape[-1] == 1
    return "binary_crossentropy" if binary else "sparse_categorical_crossentropy"
