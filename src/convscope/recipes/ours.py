"""convscope's own networks, for what the course's leave undone: 99 % on MNIST in two epochs
(``mnist-fast``), digits written by anyone (``digits``) and a classifier of your own photos
that reaches 85 % with a tenth of the course's photos (``photos``)."""

from __future__ import annotations

from ..augmentation import Augmentation
from .recipe import Recipe


def _mnist_fast_layers():
    from keras import layers

    return [
        layers.Conv2D(32, 3, padding="same", activation="relu", name="conv1"),  # 320 weights
        # Pooling after each convolution: the second one works on 14×14 instead of 28×28
        # (a quarter of the arithmetic) and the dense layer sees 7×7×64 = 3,136 values.
        layers.MaxPooling2D(pool_size=(2, 2), name="pool1"),
        layers.Conv2D(64, 3, padding="same", activation="relu", name="conv2"),  # 18,496
        layers.MaxPooling2D(pool_size=(2, 2), name="pool2"),
        layers.Flatten(name="flatten"),
        layers.Dense(128, activation="relu", name="dense"),  # 401,536
        layers.Dense(10, activation="softmax", name="output"),  # 1,290
    ]


MNIST_FAST = Recipe(
    name="mnist-fast",
    dataset="mnist",
    input_shape=(28, 28, 1),
    summary="99 % in 2 epochs: conv 32 → pool → conv 64 → pool → dense 128",
    layers=_mnist_fast_layers,
    parameters=421_642,
    input_kind="digit",
    epochs=2,
    batch_size=128,
    learning_rate=3e-3,
    schedule="warmup-cosine",
    precision="auto",
    measured=(
        "99.08 / 99.14 / 99.06 % test after 2 epochs (seeds 0–2), 12–24 s of training on a "
        "2-core Intel Xeon with AMX; 99.09 % in 13 s on an H200."
    ),
)


def _digit_distortions():
    from ..layers import DigitDistortions

    # Other pens, papers and cameras: strokes thinner or thicker, blurred or faint, the digit
    # off-centre.
    return [DigitDistortions(shift=0.1, thickness=1.0, blur=0.6, fade=0.5, name="distort")]


def _digits_layers():
    from keras import layers

    return [
        layers.Conv2D(32, 3, padding="same", activation="relu", name="conv1"),  # 320 weights
        layers.MaxPooling2D(name="pool1"),  # 28×28×32 → 14×14
        layers.Conv2D(64, 3, padding="same", activation="relu", name="conv2"),  # 18,496
        layers.MaxPooling2D(name="pool2"),  # → 7×7
        layers.Conv2D(128, 3, padding="same", activation="relu", name="conv3"),  # 73,856
        layers.MaxPooling2D(name="pool3"),  # → 3×3
        layers.Flatten(name="flatten"),  # 1,152 values
        layers.Dropout(0.25, name="dropout"),
        layers.Dense(10, activation="softmax", name="output"),  # 11,530
    ]


DIGITS = Recipe(
    name="digits",
    dataset="mnist",
    input_shape=(28, 28, 1),
    summary="digits written by anyone: conv 32 → 64 → 128, each pooled, on distorted MNIST",
    layers=_digits_layers,
    parameters=104_202,
    input_kind="digit",
    augmentation=Augmentation(layers=_digit_distortions),
    epochs=10,
    batch_size=128,
    learning_rate=3e-3,
    schedule="warmup-cosine",
    label_smoothing=0.1,
    precision="auto",
    measured=("99.36 % MNIST test, 94.3 % of 1,000 foreign digits, sharp and soft (means of "
              "seeds 0–2; the course's net: 88.4 %), in 1.12× the course program's time, "
              "2-core Intel Xeon."),
)

def _residual_block(filters: int, channels_in: int, name: str):
    """Two 3×3 convolutions with batch normalisation, added to a 1×1 projection of the block's
    input (a residual block): the block learns a correction of its input, so gradients reach
    the first layers as well as the last and deeper networks train from scratch on few
    photos. A small model of its own, so its convolutions stay layers one can look inside."""
    import keras
    from keras import layers

    inputs = keras.Input((None, None, channels_in), name=f"{name}_input")
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv1")(inputs)
    x = layers.BatchNormalization(name=f"{name}_norm1")(x)
    x = layers.Activation("relu", name=f"{name}_relu1")(x)
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv2")(x)
    x = layers.BatchNormalization(name=f"{name}_norm2")(x)
    shortcut = layers.Conv2D(filters, 1, use_bias=False, name=f"{name}_shortcut")(inputs)
    x = layers.Add(name=f"{name}_add")([x, shortcut])
    outputs = layers.Activation("relu", name=f"{name}_relu")(x)
    return keras.Model(inputs, outputs, name=name)


def _photo_moves():
    from ..layers import RandomAffine

    # Turned, moved and zoomed, whole pixels only.
    return [RandomAffine(rotation=0.05, shift=0.1, zoom=0.15, name="random_affine")]


def _photos_layers():
    from keras import layers

    return [
        layers.Conv2D(32, 3, padding="same", use_bias=False, name="conv1"),  # 864 weights
        layers.BatchNormalization(name="conv1_norm"),
        layers.Activation("relu", name="conv1_relu"),
        layers.MaxPooling2D(name="pool1"),  # → 32×32×32
        _residual_block(64, 32, "block1"),  # 18,432 + 36,864 + 2,048 (+ BN); 32×32×64
        layers.MaxPooling2D(name="pool2"),  # → 16×16
        _residual_block(128, 64, "block2"),  # 73,728 + 147,456 + 8,192; 16×16×128
        layers.MaxPooling2D(name="pool3"),  # → 8×8
        _residual_block(256, 128, "block3"),  # 294,912 + 589,824 + 32,768; 8×8×256
        # One average per feature map instead of a large dense layer on every position:
        # 256 values, few weights to over-fit with, and the map says where the evidence is.
        layers.GlobalAveragePooling2D(name="average"),
        layers.Dropout(0.3, name="dropout"),
        layers.Dense(1, activation="sigmoid", name="output"),  # 257: P(second class)
    ]


PHOTOS = Recipe(
    name="photos",
    dataset="catsdogs",
    input_shape=(64, 64, 3),
    summary="your photos: conv 32 → 3 residual blocks 64/128/256 with batch norm → average",
    layers=_photos_layers,
    parameters=1_209_057,
    # Every epoch a new variant of each photo: mirrored, turned, moved and zoomed.
    augmentation=Augmentation(flip=True, layers=_photo_moves),
    epochs=40,
    batch_size=32,
    learning_rate=2e-3,
    schedule="warmup-cosine",
    test_time_flip=True,
    precision="auto",
    measured=("89.2 % test on cats vs dogs after 40 epochs (mean of seeds 0–2, 2,000 photos), "
              "8.5 min on a 2-core Intel Xeon; --epochs 22: 86.6 % in 4.5 min."),
)

RECIPES = (MNIST_FAST, DIGITS, PHOTOS)
