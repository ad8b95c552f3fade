"""Can this map be trusted? Sanity checks of a Grad-CAM map (Adebayo et al., 2018, "Sanity
checks for saliency maps"), for one image of one network:

- **cascading randomisation**: a copy of the network has its weights re-initialised (as
  Keras draws them for a new network) layer by layer from the top (the output) down; after
  each layer, Grad-CAM of the same image for the same class, and its rank correlation
  (Spearman) with the trained network's map. A map that explains what the network learnt
  falls apart as the learning is erased; one that stays the same was drawing the image's
  edges, whatever the weights;
- **another class**: the map for the predicted class against the map for the runner-up. A
  map that explains a class changes with the class.

The trained network is never changed (the copy is). ``SanityCheck.verdict`` names what the
checks mean for this run in one of four words, which the faces turn into a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from .inspection import GradCam, grad_cam
from .models import all_layers

# A randomised network's map whose rank correlation with the trained one stays above this
# still looks like it: the map did not depend on the weights erased.
STILL_ALIKE = 0.5
# The runner-up class's map correlated above this with the predicted class's: the same map.
SAME_MAP = 0.9
VERDICTS = ("trusted", "ignores_weights", "ignores_class", "untrusted")


@dataclass(frozen=True)
class Step:
    """The map after re-initialising ``layer`` (and every layer above it)."""

    layer: str
    heatmap: np.ndarray
    correlation: float  # Spearman, with the trained network's map


@dataclass(frozen=True)
class SanityCheck:
    trained: GradCam
    steps: list[Step]  # from the output layer down to the first
    runner_up: GradCam | None  # None for a network with one class
    runner_up_correlation: float | None

    @property
    def depends_on_weights(self) -> bool:
        """Whether erasing the learnt weights changed the map (its last step's correlation
        fell below ``STILL_ALIKE``)."""
        return not self.steps or self.steps[-1].correlation < STILL_ALIKE

    @property
    def depends_on_class(self) -> bool:
        return self.runner_up_correlation is None or self.runner_up_correlation < SAME_MAP

    @property
    def verdict(self) -> str:
        """``trusted``, ``ignores_weights``, ``ignores_class`` or ``untrusted``."""
        weights, classes = self.depends_on_weights, self.depends_on_class
        return VERDICTS[0 if weights and classes else 1 if classes else 2 if weights else 3]


def sanity_check(model, image: np.ndarray, class_index: int | None = None, layer=None,
                 method: str = "hirescam", seed: int = 0) -> SanityCheck:
    """Both checks for ``image`` (prepared as the model's input) and ``class_index``
    (default: the predicted class), on Grad-CAM's ``layer`` (default: the last convolution)."""
    trained = grad_cam(model, image, class_index, layer, method)
    runner_up, alike = None, None
    order = np.argsort(trained.probabilities)[::-1]
    if len(order) > 1:
        other = int(order[1] if order[0] == trained.class_index else order[0])
        runner_up = grad_cam(model, image, other, trained.layer, method)
        alike = rank_correlation(trained.heatmap, runner_up.heatmap)
    copy = _copy(model)
    steps = []
    weighted = [layer for layer in all_layers(copy) if layer.trainable_weights]
    for number, erased in enumerate(reversed(weighted)):
        _reinitialise(erased, seed + number)
        cam = grad_cam(copy, image, trained.class_index, trained.layer, method)
        steps.append(Step(erased.name, cam.heatmap,
                          rank_correlation(trained.heatmap, cam.heatmap)))
    return SanityCheck(trained, steps, runner_up, alike)


def rank_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's correlation of two maps, pixel by pixel. A map that is zero everywhere
    shares no ordering with another: 0 (1 if both are)."""
    from scipy.stats import rankdata

    a, b = np.ravel(a), np.ravel(b)
    flat_a, flat_b = np.ptp(a) == 0, np.ptp(b) == 0
    if flat_a or flat_b:
        return 1.0 if flat_a and flat_b else 0.0
    return float(np.corrcoef(rankdata(a), rankdata(b))[0, 1])


def _copy(model):
    """The same network with its own weights (the trained one is left untouched)."""
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy


def _reinitialise(layer, seed: int) -> None:
    """The layer's trainable weights drawn again as for a new network: by the layer's own
    initialisers (``kernel_initializer``, ``bias_initializer``, …), else Glorot's uniform for
    kernels and zeros for vectors."""
    for number, variable in enumerate(layer.trainable_weights):
        name = variable.path.split("/")[-1]
        initializer = getattr(layer, f"{name}_initializer", None)
        if initializer is None:
            initializer = "glorot_uniform" if len(variable.shape) > 1 else "zeros"
        initializer = keras.initializers.get(initializer)
        config = initializer.get_config()
        if "seed" in config:
            initializer = type(initializer).from_config({**config, "seed": seed * 100 + number})
        variable.assign(initializer(variable.shape, dtype=variable.dtype))
