"""The networks by name: the course's (``course``), convscope's own (``ours``) and airbench's
(``airbench``), one declared block each (``recipe.Recipe``).

A new recipe is one block in one of those files, added to that file's ``RECIPES``; it is
listed with the others of its dataset.
"""

from __future__ import annotations

import difflib

from ..augmentation import Augmentation
from ..errors import ConvscopeError
from . import airbench, course, ours
from .recipe import Fast, Recipe, output_layer, standard_augmentation

# Datasets in the course's order: how `convscope recipes` groups the recipes.
_DATASETS = ("mnist", "cifar10", "catsdogs")
_ALL = (*course.RECIPES, *ours.RECIPES, *airbench.RECIPES)
RECIPES: dict[str, Recipe] = {
    r.name: r for r in sorted(_ALL, key=lambda r: _DATASETS.index(r.dataset)
                              if r.dataset in _DATASETS else len(_DATASETS))
}


def get_recipe(name: str | Recipe) -> Recipe:
    """A recipe by name (a recipe object is returned as it is)."""
    if isinstance(name, Recipe):
        return name
    try:
        return RECIPES[name]
    except KeyError:
        close = difflib.get_close_matches(str(name), RECIPES, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ConvscopeError(f"unknown recipe {name!r}; {hint}the recipes are: "
                             f"{', '.join(RECIPES)}", name=name, choices=list(RECIPES)) from None


def augmentation_of(config) -> Augmentation:
    """A run's augmentation (``config``: its ``RunConfig``): the NumPy flips and shifts it
    recorded, and the random layers of its recipe or of ``--augment``."""
    recipe = RECIPES.get(config.recipe)
    layers = recipe.augmentation.layers if recipe is not None else None
    if config.augment_layers:
        layers = standard_augmentation(digits=config.input_kind == "digit")
    return Augmentation(flip=config.flip, shift=config.shift, layers=layers)


__all__ = ["RECIPES", "Fast", "Recipe", "augmentation_of", "get_recipe", "output_layer"]
