"""What batch normalisation costs ``cifar10-fast`` on a CPU, and what does not remove it.

This times the recipe's network, at its batch and precision, as it is; with TensorFlow's
fused batch-norm kernel in place of Keras's layer; compiled by XLA; without it on the first
block's first convolution only, and without any (the last not a network to train: these show
where the time goes). ``benchmarks/RESULTS.md`` gives its numbers for today's recipe and for the
earlier ``cifar10-fast`` (convs 24 → 48 → 96 → 192, batch 256), which had as many
multiply-adds per image as the course's CIFAR-10 network yet trained at half its images/s.
Random images; every model is warmed up, then the cases are timed in ``--rounds``
interleaved rounds and the best is kept (this VM's speed changes from minute to minute).

    python benchmarks/normalization.py --rounds 2
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import replace

import keras
import numpy as np
import tensorflow as tf
from mnist_vs_course import cpu_name


class FusedBatchNorm(keras.layers.Layer):
    """Batch normalisation as one TensorFlow op (``FusedBatchNormV3``) instead of several."""

    def __init__(self, momentum: float = 0.9, **kwargs):
        # The op wants float32 scale and statistics next to bfloat16 images: no autocast.
        super().__init__(autocast=False, **kwargs)
        self.momentum = momentum

    def build(self, shape):
        channels = shape[-1]
        self.gamma = self.add_weight(shape=(channels,), initializer="ones")
        self.beta = self.add_weight(shape=(channels,), initializer="zeros")
        self.mean = self.add_weight(shape=(channels,), initializer="zeros", trainable=False)
        self.variance = self.add_weight(shape=(channels,), initializer="ones", trainable=False)

    def call(self, x, training=None):
        if not training:
            return tf.compat.v1.nn.fused_batch_norm(
                x, self.gamma, self.beta, mean=self.mean, variance=self.variance,
                epsilon=1e-3, is_training=False)[0]
        y, mean, variance = tf.compat.v1.nn.fused_batch_norm(x, self.gamma, self.beta,
                                                              epsilon=1e-3, is_training=True)
        self.mean.assign(self.mean * self.momentum + mean * (1 - self.momentum))
        self.variance.assign(self.variance * self.momentum + variance * (1 - self.momentum))
        return y


def variant(recipe, normalization, only: str | None = None):
    """The recipe with each BatchNormalization layer (or the one named ``only``) replaced by
    ``normalization()``."""

    def replaced(layer):
        return (isinstance(layer, keras.layers.BatchNormalization)
                and (only is None or layer.name == only))

    def layers():
        return [normalization() if replaced(layer) else layer for layer in recipe.layers()]

    return replace(recipe, layers=layers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=6_144)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    from convscope.models import build_model, choose_precision
    from convscope.recipes import get_recipe

    recipe = get_recipe("cifar10-fast")
    precision = choose_precision(recipe).precision
    rng = np.random.default_rng(0)
    x = rng.random((args.images, *recipe.input_shape), dtype=np.float32)
    y = rng.integers(0, 10, args.images)
    cases = {
        "as the recipe (Keras BatchNormalization)": (recipe, False),
        "fused batch-norm kernel": (variant(recipe, FusedBatchNorm), False),
        "XLA (jit_compile=True)": (recipe, True),
        "none after the first convolution (15×15×64)": (
            variant(recipe, keras.layers.Identity, only="conv1a_norm"), False),
        "no batch normalisation": (variant(recipe, keras.layers.Identity), False),
    }
    models = {}
    for name, (network, xla) in cases.items():
        model = build_model(network, precision=precision)
        model.jit_compile = xla
        model.fit(x[:1024], y[:1024], batch_size=recipe.batch_size, verbose=0)
        models[name] = model
    best = dict.fromkeys(models, 0.0)
    for _ in range(args.rounds):
        for name, model in models.items():
            began = time.perf_counter()
            model.fit(x, y, batch_size=recipe.batch_size, verbose=0)
            best[name] = max(best[name], args.images / (time.perf_counter() - began))
    print(f"CPU: {cpu_name()} ({os.cpu_count()} logical cores)")
    print(f"cifar10-fast, batch {recipe.batch_size}, {precision}: training images/s, best of "
          f"{args.rounds} rounds")
    reference = best["as the recipe (Keras BatchNormalization)"]
    for name, speed in best.items():
        print(f"  {name:42} {speed:6.0f}  ×{speed / reference:.2f}")


if __name__ == "__main__":
    main()
