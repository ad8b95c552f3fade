"""Training images/s of a recipe's network per batch size, in float32 and in mixed bfloat16.

The measurement behind ``--fast`` (``convscope.hardware``): bfloat16 pays only with batches
large enough to keep the matrix units busy, and only on hardware that has them. Random
images of the recipe's shape; each model is warmed up first, then the cases are timed in
``--rounds`` interleaved rounds (the best of them is kept: on shared VMs the machine's speed
changes from minute to minute).

    python benchmarks/precision.py --recipe mnist --batches 32 128 512
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import replace

import numpy as np
from mnist_vs_course import cpu_name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", default="mnist")
    parser.add_argument("--batches", type=int, nargs="+", default=[32, 128, 512])
    parser.add_argument("--images", type=int, default=16_384)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    from convscope.hardware import cpu_flags
    from convscope.models import build_model
    from convscope.recipes import get_recipe

    recipe = get_recipe(args.recipe)
    rng = np.random.default_rng(0)
    x = rng.random((args.images, *recipe.input_shape), dtype=np.float32)
    y = rng.integers(0, recipe.num_classes, args.images)
    if recipe.num_classes == 2:
        y = y.astype(np.float32)
    models = {}
    for batch in args.batches:
        for precision in ("float32", "mixed_bfloat16"):
            model = build_model(replace(recipe, precision=precision))
            model.fit(x[: batch * 16], y[: batch * 16], batch_size=batch, verbose=0)
            models[batch, precision] = model
    best = dict.fromkeys(models, 0.0)
    for _ in range(args.rounds):
        for (batch, precision), model in models.items():
            began = time.perf_counter()
            model.fit(x, y, batch_size=batch, verbose=0)
            best[batch, precision] = max(best[batch, precision],
                                         args.images / (time.perf_counter() - began))
    flags = sorted(cpu_flags() & {"avx512_bf16", "amx_bf16"})
    print(f"CPU: {cpu_name()} ({os.cpu_count()} logical cores; {', '.join(flags) or 'no bf16'})")
    print(f"{args.recipe}: training images/s, best of {args.rounds} rounds")
    print(f"{'batch':>6} {'float32':>9} {'bfloat16':>9} {'ratio':>6}")
    for batch in args.batches:
        f32, bf16 = best[batch, "float32"], best[batch, "mixed_bfloat16"]
        print(f"{batch:>6} {f32:9.0f} {bf16:9.0f} ×{bf16 / f32:5.2f}")


if __name__ == "__main__":
    main()
