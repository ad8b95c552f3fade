"""The course's networks, layer for layer as the chapter writes them: digits (§1), small
photos with and without pooling (§2), cats vs dogs from folders (§3), and the network whose
maps §4 looks at. Each block says what was measured with it (details and commands in
``benchmarks/RESULTS.md``)."""

from __future__ import annotations

from ..augmentation import Augmentation
from .recipe import Fast, Recipe


def _mnist_layers():
    from keras import layers

    return [
        # 32 filters of 3×3×1 (+1 bias each): 32 × 10 = 320 weights; output 28×28×32.
        layers.Conv2D(32, kernel_size=3, padding="same", activation="relu", name="conv1"),
        # 16 filters of 3×3×32 (+1 bias): 16 × 289 = 4,624 weights; output 28×28×16.
        layers.Conv2D(16, kernel_size=3, padding="same", activation="relu", name="conv2"),
        # 28 × 28 × 16 = 12,544 values, no weights.
        layers.Flatten(name="flatten"),
        # (12,544 + 1) × 10 = 125,450 weights.
        layers.Dense(10, activation="softmax", name="output"),
    ]


MNIST = Recipe(
    name="mnist",
    dataset="mnist",
    input_shape=(28, 28, 1),
    summary="course §1: conv 32 → conv 16 → dense 10",
    layers=_mnist_layers,
    parameters=130_394,
    input_kind="digit",
    epochs=5,
    batch_size=32,
    fast=Fast(batch_size=256, learning_rate=4e-3,
              measured="98.72 % test after 5 epochs (seed 0) at ×3.25–×3.55 the course "
                       "program's images/s, 2-core Intel Xeon with AMX"),
    measured=(
        "98.43 % test after 5 epochs (mean of seeds 0–2), ≈ 20 s an epoch on a 2-core Intel "
        "Xeon; the course's program: 98.40 %."
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
    ]


CIFAR10 = Recipe(
    name="cifar10",
    dataset="cifar10",
    input_shape=(32, 32, 3),
    summary="course §2: 4 × conv 64 with two 2×2 max-poolings → dense 10",
    layers=_cifar10_layers,
    parameters=153_546,
    epochs=10,
    batch_size=32,
    fast=Fast(batch_size=128, learning_rate=2e-3,
              measured="75.4 % test after 10 epochs (seed 0) in 6.5–7 min on a 2-core Intel "
                       "Xeon with AMX: ×2.5–×3.0 the course's images/s"),
    measured=(
        "70.4 / 71.2 % test after 10 epochs (seeds 0 / 1; best 73.0 / 72.4 % mid-run), 14–27 "
        "min on a 2-core Intel Xeon; the course's program: 69.4 %."
    ),
)

CIFAR10_NOPOOL = Recipe(
    name="cifar10-nopool",
    dataset="cifar10",
    input_shape=(32, 32, 3),
    summary="cifar10 without its poolings: 5× the weights",
    layers=lambda: _cifar10_layers(pooling=False),
    parameters=767_946,
    epochs=10,
    batch_size=32,
    measured=(
        "767,946 weights (5× cifar10's); 64.8 % test after 2 epochs (cifar10: 69.2 %), ≈ 236 "
        "s an epoch against 190 s on a busy 2-core Intel Xeon."
    ),
)


def _mnist_viz_layers():
    from keras import layers

    return [
        layers.Conv2D(16, 3, padding="same", activation="relu", name="conv1"),  # 160 weights
        layers.Conv2D(16, 3, padding="same", activation="relu", name="conv2"),  # 2,320
        layers.MaxPooling2D(pool_size=(2, 2), name="pool"),  # 28×28×16 → 14×14×16
        layers.Flatten(name="flatten"),  # 3,136 values
        layers.Dense(10, activation="softmax", name="output"),  # 31,370
    ]


MNIST_VIZ = Recipe(
    name="mnist-viz",
    dataset="mnist",
    input_shape=(28, 28, 1),
    summary="course §4: conv 16 → conv 16 → pool → dense 10 (to look inside)",
    layers=_mnist_viz_layers,
    parameters=33_850,
    input_kind="digit",
    epochs=20,
    batch_size=32,
    # With the course's constant learning rate these layers plateau below 99 % (then
    # over-fit); shifting digits by up to 2 pixels and a cosine decay take them past it.
    schedule="cosine",
    augmentation=Augmentation(shift=2),
    measured=(
        "99.06 % test at epoch 13 with --until-accuracy 0.99 (seed 0), ≈ 25 s an epoch on a "
        "2-core Intel Xeon; the course's constant rate stalls at 98.7 %."
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
        layers.Dense(1, activation="sigmoid", name="output"),  # 33: P(dog)
    ]


CATSDOGS = Recipe(
    name="catsdogs",
    dataset="catsdogs",
    input_shape=(64, 64, 3),
    summary="course §3: 3 × [conv 64 → pool → dropout] → dense 32 → sigmoid",
    layers=_catsdogs_layers,
    parameters=206_785,
    epochs=40,
    batch_size=32,
    measured=(
        "73.0 % test after 40 epochs (mean of seeds 0–2), ≈ 5.4 s an epoch on a 2-core Intel "
        "Xeon; --augment --epochs 100: 78.6 %; the course's program: 71.2 %."
    ),
)

RECIPES = (MNIST, CIFAR10, CIFAR10_NOPOOL, CATSDOGS, MNIST_VIZ)
