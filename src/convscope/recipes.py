"""The course's networks by name: one declared block each, with how to train it and what it
reaches.

A recipe is its layers, its training choices (``config.Training``) and one line of what was
measured with it (the details, with commands and machines, are in ``benchmarks/RESULTS.md``).
``Recipe.build()`` gives the uncompiled network; ``models.build_model`` compiles it for
training. Models take pixels scaled to [0, 1] (the course's ``X / 255``); the scaling is done by
the data pipeline and recorded in the run's config, so each model's layers are exactly the
course's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from .config import Training
from .errors import ConvscopeError
from .hardware import precision_policy, resolve_precision


@dataclass(frozen=True)
class Fast:
    """What ``--fast`` changes in a recipe's training (never its layers)."""

    batch_size: int
    learning_rate: float
    schedule: str = "warmup-cosine"
    measured: str = ""  # one line: what it reached, where


@dataclass(frozen=True, kw_only=True)
class Recipe(Training):
    """A named network and how it is trained."""

    name: str
    dataset: str
    input_shape: tuple[int, int, int]
    summary: str  # one line, for `convscope recipes`
    layers: Callable[[], list]  # the layers after the Input, in order
    measured: str = ""  # one line: what it reaches, on what, in how long, on which machine
    fast: Fast | None = None  # what --fast changes; None: only the precision

    def faster(self) -> Recipe:
        """This recipe with ``--fast``'s training choices (same layers, same weights)."""
        changes = {} if self.fast is None else {
            "batch_size": self.fast.batch_size, "learning_rate": self.fast.learning_rate,
            "schedule": self.fast.schedule}
        return replace(self, precision="auto", **changes)

    @property
    def num_classes(self) -> int:
        """How many classes the recipe's own output layer tells apart (1 sigmoid unit = 2)."""
        units = self.layers()[-1].units
        return 2 if units == 1 else units

    def build(self, num_classes: int | None = None, augment: bool = False,
              input_shape: tuple[int, int, int] | None = None, precision: str | None = None):
        """A fresh, uncompiled model (no weights loaded).

        ``num_classes`` other than the recipe's own replaces the output layer (the same
        network trained on someone's folder of photos); ``augment`` puts random flips,
        rotations, shifts and zooms in front, active only while training and saved with the
        model. ``precision`` (default: the recipe's) is the layers' compute type; the output
        layer always computes in float32, so probabilities and the loss keep their precision.
        """
        import keras

        # The model too is made under the policy: Keras gives a model's policy to its layers.
        with precision_policy(resolve_precision(precision or self.precision)):
            layers = self.layers()
            if num_classes is not None and num_classes != self.num_classes:
                layers[-1] = output_layer(num_classes)
            last = layers[-1]
            layers[-1] = type(last).from_config({**last.get_config(), "dtype": "float32"})
            if augment and any(hasattr(layer, "kinds") for layer in layers):
                raise ConvscopeError(f"recipe {self.name!r} changes its training images "
                                     "itself; train it without --augment")
            front = augmentation_layers(digits=self.dataset == "mnist") if augment else []
            shape = tuple(input_shape or self.input_shape)
            return keras.Sequential([keras.Input(shape), *front, *layers],
                                    name=self.name.replace("-", "_"))

    def count_params(self) -> int:
        return int(self.build().count_params())

    def describe(self) -> str:
        """What ``convscope recipes NAME`` prints: what the recipe is, how it trains, what it
        reaches."""
        lines = [f"{self.name}: {self.summary}",
                 f"  dataset {self.dataset}, input {'×'.join(map(str, self.input_shape))}, "
                 f"{self.count_params():,} weights",
                 f"  training: {self.describe_training()}"]
        if self.test_time_flip:
            lines.append("  predictions: each image's probabilities averaged with its mirror "
                         "image's")
        if self.precision != "auto":  # not a fast recipe already: say what --fast changes
            fast = self.fast
            changes = (f"batch {fast.batch_size}, Adam lr {fast.learning_rate:g}, "
                       f"{fast.schedule} decay, " if fast else "")
            lines.append(f"  --fast: {changes}bfloat16 where fast")
            if fast and fast.measured:
                lines.append(f"    {fast.measured}")
        if self.measured:
            lines.append(f"  measured: {self.measured}")
        return "\n".join(lines)


def output_layer(num_classes: int):
    """A softmax over the classes, or one sigmoid unit for two (as the course's cats vs dogs)."""
    from keras import layers

    if num_classes == 2:
        return layers.Dense(1, activation="sigmoid", name="output")
    return layers.Dense(num_classes, activation="softmax", name="output")


def augmentation_layers(digits: bool = False) -> list:
    """Random changes to each training image, so the network sees a new variant every epoch.

    Keras layers: they act only during training (``predict`` sees the photo as it is) and are
    saved in ``model.keras``. Digits are not mirrored (a mirrored 2 is no 2). Rotation, shift
    and zoom move whole pixels in one step, so training images stay as sharp as test images
    (see ``layers.RandomAffine``).
    """
    from keras import layers

    from .layers import RandomAffine

    flip = [] if digits else [layers.RandomFlip("horizontal", name="random_flip")]
    return [
        *flip,
        RandomAffine(rotation=0.03 if digits else 0.05,  # up to ±11° / ±18°
                     shift=0.1,  # up to ±10 % of each side
                     zoom=0.1,  # up to ±10 %
                     name="random_affine"),
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
    fast=Fast(batch_size=256, learning_rate=4e-3,
              measured="98.72 % test after 5 epochs (seed 0) at ×3.25–×3.55 the course "
                       "program's images/s, 2-core Intel Xeon with AMX"),
    measured=(
        "98.43 % test after 5 epochs (mean of seeds 0–2), ≈ 20 s an epoch on a 2-core Intel "
        "Xeon; the course's program: 98.40 %."
    ),
)


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
        layers.Dense(10, activation="softmax", name="output"),  # 1,290.  Total: 421,642.
    ]


MNIST_FAST = Recipe(
    name="mnist-fast",
    dataset="mnist",
    input_shape=(28, 28, 1),
    summary="99 % in 2 epochs: conv 32 → pool → conv 64 → pool → dense 128",
    layers=_mnist_fast_layers,
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
    epochs=10,
    batch_size=32,
    measured=(
        "767,946 weights (5× cifar10's); 64.8 % test after 2 epochs (cifar10: 69.2 %), ≈ 236 "
        "s an epoch against 190 s on a busy 2-core Intel Xeon."
    ),
)


# Per-channel mean and standard deviation of CIFAR-10's training pixels (scaled to [0, 1]).
CIFAR10_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR10_STD = (0.2470, 0.2435, 0.2616)


# airbench's learning rate, 11.5 per 1,024 images of its summed loss, divided by what Nesterov
# momentum 0.85 multiplies steps by (1 + 1 / 0.15): the rate for Keras's mean loss.
CIFAR10_FAST_RATE = 11.5 / (1 + 1 / (1 - 0.85))  # 1.5
# Its weight decay, 0.0153 per 1,024 images in the same units, as an L2 penalty on the mean
# loss: divided by the rate, and by 2 because the penalty's gradient is twice its weight.
CIFAR10_FAST_DECAY = 0.0153 / (1 + 1 / (1 - 0.85)) / CIFAR10_FAST_RATE / 2  # 6.65e-4


def _cifar10_fast_layers():
    import keras
    from keras import layers

    from .layers import PartialIdentity, PatchWhitening, ScaledBias

    decay = keras.regularizers.L2(CIFAR10_FAST_DECAY)

    def normalize(name):
        # Batch normalisation keeps each layer's outputs at mean 0, variance 1 while training,
        # so large learning rates stay stable. Its bias learns 64 times faster than the rest;
        # it has no scale (the next convolution can scale).
        return [layers.BatchNormalization(momentum=0.6, epsilon=1e-12, center=False,
                                          scale=False, name=f"{name}_norm"),
                ScaledBias(8.0, decay, name=f"{name}_bias"),
                layers.Activation("gelu", name=f"{name}_gelu")]

    def conv(n, name):
        return layers.Conv2D(n, 3, padding="same", use_bias=False, name=name,
                             kernel_initializer=PartialIdentity(), kernel_regularizer=decay)

    def block(n, i):
        # Pooling right after the block's first convolution: its second one, and everything
        # after, works on a quarter of the positions.
        return [conv(n, f"conv{i}a"), layers.MaxPooling2D(name=f"pool{i}"),
                *normalize(f"conv{i}a"), conv(n, f"conv{i}b"), *normalize(f"conv{i}b")]

    return [
        layers.Normalization(mean=CIFAR10_MEAN, variance=[s * s for s in CIFAR10_STD],
                             name="normalize"),
        PatchWhitening(name="whiten"),  # 32×32×3 → 31×31×24, fitted to the training images
        layers.Activation("gelu", name="whiten_gelu"),
        *block(64, 1),  # → 15×15
        *block(128, 2),  # → 7×7
        *block(128, 3),  # → 3×3
        layers.GlobalMaxPooling2D(name="global_pool"),  # the strongest response of each filter
        # Dividing the output layer's inputs by 9 divides its outputs, the logits, by 9: the
        # softmax starts flat and the output weights learn slowly (airbench's scaling).
        layers.Rescaling(1 / 9, name="temperature"),
        layers.Dense(10, activation="softmax", use_bias=False, kernel_regularizer=decay,
                     kernel_initializer=keras.initializers.VarianceScaling(
                         1 / 3, "fan_in", "uniform"), name="output"),
    ]


CIFAR10_FAST = Recipe(
    name="cifar10-fast",
    dataset="cifar10",
    input_shape=(32, 32, 3),
    summary="airbench's whitened, batch-normalised convs 64 → 128 → 128, mirrored and shifted",
    layers=_cifar10_fast_layers,
    epochs=10,
    batch_size=1024,
    # airbench93 (Keller Jordan's fast CIFAR-10 training): its network and its training, with
    # the differences listed in benchmarks/RESULTS.md. Its weight decay is an L2 penalty in the
    # layers (CIFAR10_FAST_DECAY), as airbench's goes through the momentum, so the decoupled
    # ``weight_decay`` stays 0.
    optimizer="sgd",
    momentum=0.85,
    learning_rate=CIFAR10_FAST_RATE,
    label_smoothing=0.2,
    schedule="warmup-cosine",
    lookahead=True,
    shift=2,
    flip=True,
    test_time_flip=True,
    precision="auto",
    measured=(
        "88.9 % test after 10 epochs (seed 0, mirrored predictions; seed 1: 88.35 %), 21–23 "
        "min on a 2-core Intel Xeon with AMX; 90 % not reached."
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
    # With the course's constant learning rate these layers plateau below 99 % (then
    # over-fit); shifting digits by up to 2 pixels and a cosine decay take them past it.
    schedule="cosine",
    shift=2,
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
    measured=(
        "73.0 % test after 40 epochs (mean of seeds 0–2), ≈ 5.4 s an epoch on a 2-core Intel "
        "Xeon; --augment --epochs 100: 78.6 %; the course's program: 71.2 %."
    ),
)

def _digits_layers():
    from keras import layers

    from .layers import DigitDistortions

    return [
        # Other pens, papers and cameras: strokes thinner or thicker, blurred or faint, the
        # digit off-centre. Only while training; predictions see the image as it is.
        DigitDistortions(shift=0.1, thickness=1.0, blur=0.6, fade=0.5, name="distort"),
        layers.Conv2D(32, 3, padding="same", activation="relu", name="conv1"),  # 320 weights
        layers.MaxPooling2D(name="pool1"),  # 28×28×32 → 14×14
        layers.Conv2D(64, 3, padding="same", activation="relu", name="conv2"),  # 18,496
        layers.MaxPooling2D(name="pool2"),  # → 7×7
        layers.Conv2D(128, 3, padding="same", activation="relu", name="conv3"),  # 73,856
        layers.MaxPooling2D(name="pool3"),  # → 3×3
        layers.Flatten(name="flatten"),  # 1,152 values
        layers.Dropout(0.25, name="dropout"),
        layers.Dense(10, activation="softmax", name="output"),  # 11,530.  Total: 104,202.
    ]


DIGITS = Recipe(
    name="digits",
    dataset="mnist",
    input_shape=(28, 28, 1),
    summary="digits written by anyone: conv 32 → 64 → 128, each pooled, on distorted MNIST",
    layers=_digits_layers,
    epochs=10,
    batch_size=128,
    learning_rate=3e-3,
    schedule="warmup-cosine",
    label_smoothing=0.1,
    precision="auto",
    measured=("99.43 % MNIST test, 94.4 % of the foreign digits (means of seeds 0–2; the "
              "course's net: 90.9 %), in 1.54× the course program's time, 2-core Intel Xeon."),
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


def _photos_layers():
    from keras import layers

    from .layers import RandomAffine

    return [
        # Every epoch a new variant of each photo (mirrored by the NumPy pipeline, `flip`):
        # turned, moved and zoomed, whole pixels only. Only while training.
        RandomAffine(rotation=0.05, shift=0.1, zoom=0.15, name="random_affine"),
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
    epochs=40,
    batch_size=32,
    learning_rate=2e-3,
    schedule="warmup-cosine",
    flip=True,
    test_time_flip=True,
    precision="auto",
    measured=("89.2 % test on cats vs dogs after 40 epochs (mean of seeds 0–2, 2,000 photos), "
              "8.5 min on a 2-core Intel Xeon; --epochs 22: 86.6 % in 4.5 min."),
)

RECIPES: dict[str, Recipe] = {
    r.name: r for r in (MNIST, MNIST_FAST, DIGITS, CIFAR10, CIFAR10_NOPOOL, CIFAR10_FAST,
                        CATSDOGS, PHOTOS, MNIST_VIZ)
}


def get_recipe(name: str | Recipe) -> Recipe:
    """A recipe by name (a recipe object is returned as it is)."""
    if isinstance(name, Recipe):
        return name
    try:
        return RECIPES[name]
    except KeyError:
        raise ConvscopeError(
            f"unknown recipe {name!r}; choose one of: {', '.join(RECIPES)} "
            "(`convscope recipes` lists them)"
        ) from None


def count_params(recipe: str | Recipe) -> int:
    return get_recipe(recipe).count_params()

