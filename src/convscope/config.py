"""What a run is trained with, typed: the ``config.json`` of a run directory.

``Training`` declares every training choice once. Recipes are ``Training`` plus their layers
(``recipes.Recipe``); a run's ``RunConfig`` is ``Training`` plus what the run itself decided
(seed, data, classes, versions, device). A new training choice is a new field of ``Training``
and nothing else: recipes take it as an argument, runs copy it (``RunConfig.from_recipe``),
and ``config.json`` reads and writes it by its name.

``config.json`` keeps the layout convscope 0.1.0 wrote, so old run directories load, and
keys this version does not know are kept as they are (``RunConfig.extra``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields

from .errors import ConvscopeError, RunError


@dataclass(frozen=True, kw_only=True)
class Training:
    """How a network is trained (the course's choices by default: Adam, constant rate)."""

    epochs: int
    batch_size: int
    learning_rate: float = 1e-3  # Adam's default, as the course's optimizer='adam'
    optimizer: str = "adam"  # or "sgd": Nesterov momentum
    momentum: float = 0.9  # SGD's
    weight_decay: float = 0.0  # each step shrinks the weights by learning rate × this
    label_smoothing: float = 0.0  # see convscope.losses
    # None: a constant rate; "cosine": decays to 0 over the planned epochs; "warmup-cosine":
    # rises over the first tenth of the steps first (see models.learning_rate_schedule).
    schedule: str | None = None
    # Predictions average each image's probabilities with its mirror image's: for networks
    # trained on mirrored images, twice the prediction work for a steadier answer.
    test_time_flip: bool = False
    # Every few steps the weights are pulled back toward their running average, more strongly
    # as training ends, and it ends on the average (see callbacks.Lookahead).
    lookahead: bool = False
    # "float32", "mixed_bfloat16", or "auto": the faster of the two for this network and batch
    # on this machine, measured (see convscope.precision).
    precision: str = "float32"

    def training(self) -> Training:
        """Only the training choices (of a recipe or a run)."""
        return Training(**{f.name: getattr(self, f.name) for f in fields(Training)})

    def describe_training(self, words=None) -> str:
        """The training choices in one line, e.g. ``Adam lr 0.001, batch 32, 5 epochs``, in
        ``words``' language (default English)."""
        from .words import Words

        words = words or Words("en")
        optimizer = (words("train_sgd", momentum=f"{self.momentum:g}")
                     if self.optimizer == "sgd" else "Adam")
        parts = [f"{optimizer} lr {self.learning_rate:g}"]
        parts += [words("train_decay", decay=f"{self.weight_decay:g}")] \
            if self.weight_decay else []
        parts += [words("train_smoothing", amount=f"{self.label_smoothing:g}")] \
            if self.label_smoothing else []
        parts += [words("train_lookahead")] if self.lookahead else []
        parts += [words(f"train_schedule_{self.schedule}")] if self.schedule else []
        parts += [words("train_batch", size=self.batch_size),
                  words.counted("train_epochs", self.epochs)]
        parts += [words("train_auto_precision")] if self.precision == "auto" else []
        return ", ".join(parts)


# Fields of RunConfig stored inside a nested object of config.json: name -> (object, key).
_NESTED = {
    "shift": ("augment", "shift"),
    "flip": ("augment", "flip"),
    "augment_layers": ("augment", "layers"),
    "input_scale": ("input", "scale"),
    "input_kind": ("input", "kind"),
}
_REQUIRED = ("recipe", "epochs", "batch_size", "input_shape", "class_names")
# The order of config.json's keys as 0.1.0 wrote them (for people reading the file); keys
# not listed follow.
_ORDER = ("recipe", "dataset", "epochs", "batch_size", "seed", "limit", "until_accuracy", "fast",
          "optimizer", "weight_decay", "label_smoothing", "learning_rate", "schedule",
          "precision", "precision_choice", "augment", "test_time_flip", "momentum", "lookahead",
          "loss", "input_shape", "class_names", "input", "train_images", "data", "versions",
          "device", "created", "devices", "workers", "parameters")


@dataclass(frozen=True, kw_only=True)
class RunConfig(Training):
    """Everything that produced a run: its recipe's training choices, as resolved for this run
    (precision, schedule, batch and rate for several devices), and what the run decided."""

    recipe: str
    dataset: str | None = None  # "mnist", "cifar10", "catsdogs", "folder"; None for a bare model
    input_shape: tuple[int, int, int]
    class_names: list[str]
    seed: int = 0
    limit: int | None = None  # trained on the first N training images
    until_accuracy: float | None = None  # stop at the first epoch reaching this test accuracy
    fast: bool = False  # trained with --fast
    # How ``precision`` was chosen (``precision.Choice.to_json``): asked, measured here (with
    # each precision's images/s) or by the GPU rule. None for runs of earlier versions.
    precision_choice: dict | None = None
    # The run's augmentation (see convscope.augmentation): the recipe's NumPy flips and shifts,
    # and whether --augment put random flips, rotations, shifts and zooms in the model.
    flip: bool = False
    shift: int = 0
    augment_layers: bool = False
    loss: str = "sparse_categorical_crossentropy"
    # How a uint8 image becomes the model's input (the course's X / 255), and how a user's
    # image is prepared: "digit" (MNIST-style) or "photo".
    input_scale: float = 1 / 255
    input_kind: str = "photo"
    train_images: int = 0
    # Files trained on: {"files": {path: sha256}} for named datasets; for photo folders also
    # "folder", "split" and "cache", and the fingerprints of the file lists.
    data: dict = field(default_factory=dict)
    versions: dict = field(default_factory=dict)
    device: str = ""
    created: str = ""
    devices: list[str] | None = None  # several devices in step (see convscope.devices)
    workers: list[str] | None = None  # several machines
    parameters: int | None = None
    extra: dict = field(default_factory=dict)  # keys of config.json this version doesn't know

    @classmethod
    def from_recipe(cls, training: Training, **run) -> RunConfig:
        """A run's config: a recipe's training choices, then what the run decided."""
        choices = {f.name: getattr(training, f.name) for f in fields(Training)}
        return cls(**{**choices, **run})

    @property
    def label(self) -> str:
        """The recipe as it was asked for: ``mnist``, ``mnist --fast``, ``catsdogs --augment``."""
        return self.recipe + (" --fast" if self.fast else "") + (
            " --augment" if self.augment_layers else "")

    def replace(self, **changes) -> RunConfig:
        return dataclasses.replace(self, **changes)

    @property
    def several_devices(self) -> bool:
        return bool(self.devices or self.workers)

    # -- config.json ------------------------------------------------------------------------

    def to_json(self) -> dict:
        """The ``config.json`` dictionary (0.1.0's layout)."""
        out: dict = {"recipe": self.recipe, "dataset": self.dataset}
        for f in fields(self):
            if f.name in ("recipe", "dataset", "extra"):
                continue
            value = getattr(self, f.name)
            if f.name == "precision_choice" and value is None:
                continue  # a run from before the precision probe: nothing was measured
            if f.name == "input_shape":
                value = list(value)
            elif f.name == "momentum" and self.optimizer != "sgd":
                value = None  # only SGD has one
            if f.name in _NESTED:
                group, key = _NESTED[f.name]
                out.setdefault(group, {})[key] = value
            else:
                out[f.name] = value
        out = dict(sorted(out.items(), key=lambda kv: _ORDER.index(kv[0]) if kv[0] in _ORDER
                          else len(_ORDER)))
        return {**out, **{k: v for k, v in self.extra.items() if k not in out}}

    @classmethod
    def from_json(cls, data: dict, where: str = "config.json") -> RunConfig:
        """Read a ``config.json`` dictionary, from this version or an older one."""
        if not isinstance(data, dict):
            raise RunError(f"{where}: not a run configuration (expected a JSON object)")
        missing = [name for name in _REQUIRED if name not in data]
        if missing:
            raise RunError(f"{where}: damaged run configuration (no {', '.join(missing)})")
        values, used = {}, set()
        for f in fields(cls):
            if f.name == "extra":
                continue
            if f.name in _NESTED:
                group, key = _NESTED[f.name]
                if isinstance(data.get(group), dict) and key in data[group]:
                    values[f.name] = data[group][key]
                used.add(group)
            elif f.name in data:
                values[f.name] = data[f.name]
                used.add(f.name)
        if values.get("momentum") is None:
            values.pop("momentum", None)
        try:
            values["input_shape"] = tuple(int(s) for s in values["input_shape"])
            values["class_names"] = [str(name) for name in values["class_names"]]
            values["epochs"], values["batch_size"] = int(values["epochs"]), int(
                values["batch_size"])
        except (TypeError, ValueError) as exc:
            raise RunError(f"{where}: damaged run configuration ({exc})") from None
        extra = {k: v for k, v in data.items() if k not in used}
        return cls(**values, extra=extra)


@dataclass(frozen=True, kw_only=True)
class TrainOptions:
    """What a training asks for besides its recipe and data; ``None`` is the recipe's own.

    Checked when made, with scikit-learn's error shape, so that ``train`` and every face get
    the same messages for the same mistakes.
    """

    epochs: int | None = None
    batch_size: int | None = None
    seed: int = 0
    limit: int | None = None  # train on the first N training images (quick trials)
    until_accuracy: float | None = None  # stop at the first epoch reaching it; epochs: the cap
    schedule: str | None = None  # a learning-rate schedule by name (models.SCHEDULES)
    fast: bool = False  # the recipe's measured faster training (Recipe.faster)
    precision: str | None = None  # "float32", "bfloat16" or "auto" (measured); None: the recipe's
    augment: bool = False  # --augment's random layers (Recipe.augmented)
    validation_split: float | None = None  # of a photo folder without train/ and test/
    cache: bool = True  # keep decoded photos in the user cache
    devices: int | str | None = None  # several devices in step: a number or "all"
    workers: str | None = None  # several machines: host:port of each, comma-separated
    worker_index: int | None = None  # which of the workers this one is

    def __post_init__(self):
        from .errors import check_fraction, check_int

        for name in ("epochs", "batch_size", "limit"):
            if getattr(self, name) is not None:
                check_int(name, getattr(self, name))
        check_int("seed", self.seed, low=0)
        if self.until_accuracy is not None:
            check_fraction("until_accuracy", self.until_accuracy, closed=True)
        if self.validation_split is not None:
            check_fraction("validation_split", self.validation_split)

    @classmethod
    def of(cls, options: TrainOptions | None, choices: dict) -> TrainOptions:
        """``options``, or the keyword choices given to ``train`` instead."""
        if options is not None and choices:
            raise ConvscopeError(f"give either `options` or choices ({', '.join(choices)}), not "
                           "both")
        if options is not None:
            return options
        unknown = set(choices) - {f.name for f in fields(cls)}
        if unknown:
            raise ConvscopeError(f"unknown training choice(s) {', '.join(sorted(unknown))}; the "
                           f"choices are {', '.join(f.name for f in fields(cls))}")
        return cls(**choices)
