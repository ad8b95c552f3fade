"""Training images/s of a recipe's network per batch size, in float32 and in mixed bfloat16;
and what convscope's own precision probe (``convscope.precision``) chooses for each recipe.

bfloat16 pays only with batches large enough to keep the matrix units busy, and only on
hardware that has them. Random images of the recipe's shape; each model is warmed up first,
then the cases are timed in ``--rounds`` interleaved rounds of ``fit`` (the best of them is
kept: on shared VMs the machine's speed changes from minute to minute).

``--probe`` runs the probe as a training does, with an empty cache, for each recipe given
(``--fast``'s training for a recipe that is not fast already), and says how long it took.
``--accuracy`` trains each recipe (``"mnist --fast"`` for options) per seed in float32 and in
the precision the probe chooses, each in a fresh ``convscope train`` process, seeds in turn:
where bfloat16 is chosen, its test accuracy should stay within the seeds' spread.

    python benchmarks/precision.py --recipe mnist --batches 32 128 512
    python benchmarks/precision.py --probe mnist mnist-fast digits photos cifar10-fast
    CONVSCOPE_DATA=../shared/datasets python benchmarks/precision.py \
        --accuracy "mnist --fast" mnist-fast digits --seeds 0 1 2
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
    parser.add_argument("--probe", nargs="+", metavar="RECIPE",
                        help="run convscope's precision probe for these recipes instead")
    parser.add_argument("--accuracy", nargs="+", metavar="RECIPE",
                        help="train these in float32 and as the probe chooses, per seed")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    if args.probe:
        probe(args.probe)
        return
    if args.accuracy:
        accuracy(args.accuracy, args.seeds)
        return

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


def probe(names: list[str]) -> None:
    """The library's probe for each recipe, as ``convscope train`` runs it, on an empty cache."""
    import tempfile

    from convscope.hardware import cpu_flags
    from convscope.models import choose_precision
    from convscope.recipes import get_recipe

    flags = sorted(cpu_flags() & {"avx512_bf16", "amx_bf16"})
    print(f"CPU: {cpu_name()} ({os.cpu_count()} logical cores; {', '.join(flags) or 'no bf16'})")
    print(f"{'recipe':>22} {'batch':>6} {'float32':>9} {'bfloat16':>9} {'ratio':>6} "
          f"{'chosen':>9} {'probe s':>8}")
    with tempfile.TemporaryDirectory() as cache:
        os.environ["XDG_CACHE_HOME"] = cache  # measured afresh, not read from earlier probes
        for name in names:
            recipe = get_recipe(name)
            fast = recipe if recipe.precision == "auto" else recipe.faster()
            began = time.perf_counter()
            choice = choose_precision(fast)
            took = time.perf_counter() - began
            label = name if fast is recipe else f"{name} --fast"
            chosen = "bfloat16" if choice.precision == "mixed_bfloat16" else "float32"
            print(f"{label:>22} {choice.batch_size:>6} {choice.float32:9.0f} "
                  f"{choice.bfloat16:9.0f} ×{choice.speedup:5.2f} {chosen:>9} {took:8.1f}",
                  flush=True)


def accuracy(recipes: list[str], seeds: list[int]) -> None:
    """Test accuracy and training time per seed, float32 against the probe's choice."""
    import json
    import statistics
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    print(f"CPU: {cpu_name()} ({os.cpu_count()} logical cores); seeds {seeds}", flush=True)
    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for seed in seeds:
        for recipe in recipes:
            for precision in ("float32", "auto"):
                with tempfile.TemporaryDirectory() as tmp:
                    out = Path(tmp) / "run"
                    subprocess.run([sys.executable, "-m", "convscope", "train", *recipe.split(),
                                    "--precision", precision, "--seed", str(seed), "--out",
                                    str(out), "--no-report", "--quiet"], check=True,
                                   capture_output=True, text=True)
                    metrics = json.loads((out / "metrics.json").read_text())
                    used = json.loads((out / "config.json").read_text())["precision"]
                name = "float32" if precision == "float32" else f"auto → {used}"
                results.setdefault((recipe, name), []).append(
                    (metrics["test_accuracy"], metrics["train_seconds"]))
                print(f"  seed {seed}  {recipe:14} {name:22} test {metrics['test_accuracy']:.2%}"
                      f"  training {metrics['train_seconds']:6.1f} s", flush=True)
    print(f"\n{'recipe':14} {'precision':22} {'test accuracy per seed':>28} {'mean':>7} "
          f"{'training s':>10}")
    for (recipe, name), rows in results.items():
        accuracies = " / ".join(f"{a:.2%}" for a, _ in rows)
        print(f"{recipe:14} {name:22} {accuracies:>28} "
              f"{statistics.mean(a for a, _ in rows):7.2%} "
              f"{statistics.mean(t for _, t in rows):10.1f}")


if __name__ == "__main__":
    main()
