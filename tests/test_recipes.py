import pytest

from convscope.errors import ConvscopeError
from convscope.models import build_model
from convscope.recipes import RECIPES, count_params, get_recipe


def test_mnist_has_the_course_parameter_count():
    assert count_params("mnist") == 130_394


def test_mnist_layers_are_the_courses():
    model = build_model("mnist")
    layers = [(type(layer).__name__, layer.count_params()) for layer in model.layers]
    assert layers == [("Conv2D", 320), ("Conv2D", 4_624), ("Flatten", 0), ("Dense", 125_450)]
    assert model.output_shape == (None, 10)
    assert get_recipe("mnist").batch_size == 32 and get_recipe("mnist").epochs == 5


def test_every_recipe_builds_and_is_documented():
    for recipe in RECIPES.values():
        assert recipe.summary and recipe.measured
        assert count_params(recipe) > 0
        # `convscope recipes NAME`: what it is, how it trains, what it reaches, in a few lines
        lines = recipe.describe().splitlines()
        assert lines[0] == f"{recipe.name}: {recipe.summary}" and len(lines) <= 7
        assert lines[-1] == f"  measured: {recipe.measured}" and len(recipe.measured) <= 170


def test_unknown_recipe_names_the_choices():
    with pytest.raises(ConvscopeError, match="choose one of: mnist"):
        get_recipe("mnits")
