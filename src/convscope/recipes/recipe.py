"""What a recipe is: a named network, one declared block of how it is trained (``Training``),
what it does to its training images (``Augmentation``), how a user's picture becomes its input
(``input_kind``), and one line of what was measured with it.

``Recipe.build()`` gives the uncompiled network; ``models.build_model`` compiles it for
training. Models take pixels scaled to [0, 1] (the course's ``X / 255``); the scaling is done
by the data pipeline and recorded in the run's config, so each model's layers are exactly the
course's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ..augmentation import Augmentation
from ..config import Training
from ..errors import ConvscopeError
from ..hardware import check_precision, precision_policy


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
    layers: Callable[[], list]  # the layers after the Input (and the augmentation), in order
    # Its weights, as Keras counts them (checked against the built network by the tests): known
    # without building it, so that listing the recipes needs no Keras.
    parameters: int
    # "digit": a user's picture is prepared as MNIST's digits were made (ink found, cropped,
    # centred); "photo": upright, centre-cropped and resized, as a folder's photos.
    input_kind: str = "photo"
    augmentation: Augmentation = field(default_factory=Augmentation)
    measured: str = ""  # one line: what it reaches, on what, in how long, on which machine
    fast: Fast | None = None  # what --fast changes; None: only the precision

    def faster(self) -> Recipe:
        """This recipe with ``--fast``'s training choices (same layers, same weights)."""
        changes = {} if self.fast is None else {
            "batch_size": self.fast.batch_size, "learning_rate": self.fast.learning_rate,
            "schedule": self.fast.schedule}
        return replace(self, precision="auto", **changes)

    def augmented(self) -> Recipe:
        """This recipe with ``--augment``'s random flips, rotations, shifts and zooms in front
        of its layers; refused for a recipe that already changes its images with layers."""
        if self.augmentation.layers is not None:
            raise ConvscopeError(f"recipe {self.name!r} changes its training images itself; "
                                 "train it without `augment`")
        return replace(self, augmentation=self.augmentation.with_layers(
            standard_augmentation(digits=self.input_kind == "digit")))

    @property
    def num_classes(self) -> int:
        """How many classes the recipe's own output layer tells apart (1 sigmoid unit = 2)."""
        units = self.layers()[-1].units
        return 2 if units == 1 else units

    def build(self, num_classes: int | None = None, input_shape=None,
              precision: str | None = None):
        """A fresh, uncompiled model (no weights loaded): the augmentation's layers, then the
        network's.

        ``num_classes`` other than the recipe's own replaces the output layer (the same
        network trained on someone's folder of photos). ``precision`` (default: the
        recipe's) is the layers' compute type; the output layer always computes in float32,
        so probabilities and the loss keep their precision. ``auto`` builds in float32: which
        precision trains faster is measured for a batch size (``models.build_model`` does it,
        ``convscope.precision``), and the weights are float32 either way.
        """
        import keras

        precision = check_precision(precision or self.precision)
        # The model too is made under the policy: Keras gives a model's policy to its layers.
        with precision_policy("float32" if precision == "auto" else precision):
            layers = self.layers()
            if num_classes is not None and num_classes != self.num_classes:
                layers[-1] = output_layer(num_classes)
            last = layers[-1]
            layers[-1] = type(last).from_config({**last.get_config(), "dtype": "float32"})
            shape = tuple(input_shape or self.input_shape)
            return keras.Sequential([keras.Input(shape), *self.augmentation.front_layers(),
                                     *layers], name=self.name.replace("-", "_"))


    def describe(self, precision: str | None = None) -> str:
        """What ``convscope recipes NAME`` prints: what the recipe is, how it trains, what it
        reaches. ``precision``: the line saying which precision its training (with
        ``--fast`` for a recipe that is not fast already) uses on this machine and why
        (``precision.Choice.describe``)."""
        from ..words import Words

        words = Words("en")
        lines = [f"{self.name}: {self.summary}",
                 f"  dataset {self.dataset}, input {'×'.join(map(str, self.input_shape))}, "
                 f"{self.parameters:,} weights",
                 f"  training: {self.describe_training(words)}"]
        changes = self.augmentation.describe(words)
        if changes:
            lines.append(f"  augmentation: {changes}")
        if self.precision == "auto" and precision:
            lines.append(f"  precision: {precision}")
        if self.test_time_flip:
            lines.append("  predictions: each image's probabilities averaged with its mirror "
                         "image's")
        if self.precision != "auto":  # not a fast recipe already: say what --fast changes
            fast = self.fast
            changes = (f"batch {fast.batch_size}, Adam lr {fast.learning_rate:g}, "
                       f"{fast.schedule} decay, " if fast else "")
            lines.append(f"  --fast: {changes}{precision or 'bfloat16 where measured faster'}")
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


def standard_augmentation(digits: bool) -> Callable[[], list]:
    """``--augment``'s layers: random flips, rotations, shifts and zooms.

    Digits are not mirrored (a mirrored 2 is no 2). Rotation, shift and zoom move whole pixels
    in one step, so training images stay as sharp as test images (``layers.RandomAffine``).
    """

    def made() -> list:
        from keras import layers

        from ..layers import RandomAffine

        flip = [] if digits else [layers.RandomFlip("horizontal", name="random_flip")]
        return [*flip,
                RandomAffine(rotation=0.03 if digits else 0.05,  # up to ±11° / ±18°
                             shift=0.1,  # up to ±10 % of each side
                             zoom=0.1,  # up to ±10 %
                             name="random_affine")]

    return made
