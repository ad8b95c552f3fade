"""Recipes: the course's networks, their weight counts, how they are built and described, and
the learning-rate schedules they train with."""

from __future__ import annotations

import pytest

from convscope.errors import ConvscopeError
from convscope.models import build_model, learning_rate_schedule
from convscope.recipes import RECIPES, get_recipe


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_a_recipe_declares_the_weights_its_network_has(name):
    """What `convscope recipes` says without building anything is what Keras counts."""
    recipe = get_recipe(name)
    assert recipe.build().count_params() == recipe.parameters


def test_the_course_networks_have_the_course_s_counts():
    counts = {name: get_recipe(name).parameters for name in ("mnist", "mnist-viz", "cifar10",
                                                             "cifar10-nopool")}
    assert counts == {"mnist": 130_394, "mnist-viz": 33_850, "cifar10": 153_546,
                      "cifar10-nopool": 767_946}


def test_catsdogs_parameter_count_with_and_without_augmentation():
    recipe = get_recipe("catsdogs")
    plain, augmented = recipe.build(), recipe.augmented().build()
    assert plain.count_params() == 206_785
    assert augmented.count_params() == 206_785
    assert recipe.build(num_classes=2).count_params() == 206_785
    random = [layer.name for layer in augmented.layers if layer.name.startswith("random_")]
    assert random == ["random_flip", "random_affine"]
    assert len(augmented.layers) == len(plain.layers) + 2
    assert augmented.get_layer("random_affine").kinds == ["rotation", "shift", "zoom"]


def test_mnist_layers_are_the_courses():
    model = build_model("mnist")
    layers = [(type(layer).__name__, layer.count_params()) for layer in model.layers]
    assert layers == [("Conv2D", 320), ("Conv2D", 4_624), ("Flatten", 0), ("Dense", 125_450)]
    assert model.output_shape == (None, 10)
    assert get_recipe("mnist").batch_size == 32 and get_recipe("mnist").epochs == 5


def test_every_recipe_builds_and_is_documented():
    for recipe in RECIPES.values():
        assert recipe.summary and recipe.measured
        # `convscope recipes NAME`: what it is, how it trains, what it reaches, in a few lines
        lines = recipe.describe().splitlines()
        assert lines[0] == f"{recipe.name}: {recipe.summary}" and len(lines) <= 7
        assert lines[-1] == f"  measured: {recipe.measured}" and len(recipe.measured) <= 170


def test_unknown_recipe_names_the_choices():
    with pytest.raises(ConvscopeError, match="the recipes are: mnist, "):
        get_recipe("mnits")


# -- learning-rate schedules -------------------------------------------------------------------


def test_warmup_cosine_rises_then_decays_to_zero():
    schedule = learning_rate_schedule("warmup-cosine", 3e-3, 1000)
    rate = [float(schedule(step)) for step in (0, 50, 100, 550, 1000)]
    assert rate[0] == pytest.approx(3e-4)
    assert rate[0] < rate[1] < rate[2] == pytest.approx(3e-3)
    assert rate[3] == pytest.approx(1.5e-3, rel=0.01)  # half-way down the cosine
    assert rate[4] == pytest.approx(0, abs=1e-9)
    with pytest.raises(ConvscopeError, match="unknown learning-rate schedule"):
        learning_rate_schedule("step", 1e-3, 10)


def test_schedule_asked_for_else_implied_by_augment_else_the_recipes():
    from convscope.config import TrainOptions
    from convscope.training import recipe_asked

    def schedule(name, asked, augment):
        options = TrainOptions(schedule=asked, augment=augment)
        return recipe_asked(get_recipe(name), options).schedule

    assert schedule("catsdogs", None, augment=False) is None
    assert schedule("catsdogs", None, augment=True) == "warmup-cosine"
    assert schedule("catsdogs", "constant", augment=True) is None
    assert schedule("mnist-viz", None, augment=False) == "cosine"
    assert schedule("mnist", "cosine", augment=False) == "cosine"
    with pytest.raises(ConvscopeError, match="unknown schedule 'linear'"):
        schedule("mnist", "linear", augment=False)


def test_digits_recipe_distorts_digits_in_the_model_and_refuses_augment_twice():
    recipe = get_recipe("digits")
    model = recipe.build()
    assert model.layers[0].name == "distort" and model.output_shape == (None, 10)
    assert recipe.dataset == "mnist" and recipe.input_shape == (28, 28, 1)
    assert recipe.input_kind == "digit" and recipe.augmentation.layers is not None
    with pytest.raises(ConvscopeError, match="train it without augment"):
        recipe.augmented()


@pytest.mark.parametrize("classes", [2, 3, 10])
def test_photos_recipe_builds_for_any_number_of_classes(classes):
    from convscope.inspection import conv_layers, find_layer, visual_layers

    model = get_recipe("photos").build(num_classes=classes)
    assert model.output_shape == (None, 1 if classes == 2 else classes)
    assert model.input_shape == (None, 64, 64, 3)
    # The residual blocks are models of their own; their convolutions stay inspectable.
    names = [layer.name for layer in conv_layers(model)]
    assert names[0] == "conv1" and "block3_conv2" in names and len(names) == 10
    assert [layer.name for layer in visual_layers(model)][-1] == "block3_shortcut"
    # Grad-CAM's and `filter`'s default: the last 3×3 convolution, not the 1×1 projection
    assert find_layer(model).name == "block3_conv2"


def test_photos_recipe_builds_for_another_input_size_and_refuses_augment_twice():
    recipe = get_recipe("photos")
    model = recipe.build(input_shape=(96, 96, 3))
    assert model.input_shape == (None, 96, 96, 3)
    assert model.count_params() == recipe.build().count_params()  # global average: no change
    with pytest.raises(ConvscopeError, match="train it without augment"):
        recipe.augmented()


def test_layer_table_gives_shapes_inside_residual_blocks():
    from convscope.layer_table import layer_table

    rows = {row["name"]: row for row in layer_table(get_recipe("photos").build())}
    assert rows["block1_conv1"]["output_shape"] == (32, 32, 64)
    assert rows["block3_add"]["output_shape"] == (8, 8, 256)
    assert all(None not in row["output_shape"] for row in rows.values())
