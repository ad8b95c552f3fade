"""Two checkouts of convscope against the course's MNIST program, interleaved per seed.

For each seed: the course's program (benchmarks/course/mnist_course.py), then `convscope train
mnist --no-report` from each checkout given, each in a fresh process; one JSON line per
training (wall seconds from process start to exit, Keras's training seconds, test accuracy).
It answers "did this change make training slower or faster?" with both versions measured in
the same minutes as the course's program.

    CONVSCOPE_DATA=../shared/datasets python benchmarks/mnist_checkouts.py \\
        before=/tmp/before_tree after=. --seeds 0 1 2
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mnist_vs_course import run_course


def run_checkout(tree: Path, seed: int, epochs: int) -> dict:
    """`convscope train mnist` from the checkout ``tree`` (its src/ first on the path)."""
    env = {**os.environ, "PYTHONPATH": str(tree.resolve() / "src")}
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp) / "run"
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "convscope", "train", "mnist", "--seed", str(seed),
                        "--epochs", str(epochs), "--out", str(run_dir), "--quiet",
                        "--no-report"], capture_output=True, text=True, check=True, env=env)
        wall = time.perf_counter() - start
        metrics = json.loads((run_dir / "metrics.json").read_text())
    return {"wall_seconds": wall, "train_seconds": metrics["train_seconds"],
            "test_accuracy": metrics["test_accuracy"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkouts", nargs="+", metavar="NAME=PATH",
                        help="a name for the table, and the checkout's root folder")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    trees = dict(item.split("=", 1) for item in args.checkouts)
    for seed in args.seeds:
        print(json.dumps({"name": "course", "seed": seed, **run_course(seed, args.epochs)}),
              flush=True)
        for name, path in trees.items():
            measured = run_checkout(Path(path), seed, args.epochs)
            print(json.dumps({"name": name, "seed": seed, **measured}), flush=True)


if __name__ == "__main__":
    main()
