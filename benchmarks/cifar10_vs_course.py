"""Training speed of convscope's `cifar10` recipe against the course's own program.

Both train the same network (4 × Conv2D 64, two poolings, Adam, batch 32) for the same number
of steps on the same images, each in a fresh process, alternating. Printed: training images/s
(steps only: start-up, test evaluation and figures excluded on both sides) and the ratio.

    CONVSCOPE_DATA=../shared/datasets python benchmarks/cifar10_vs_course.py --steps 300

Target (issue 4): convscope no slower than the course.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from mnist_vs_course import cpu_name

HERE = Path(__file__).resolve().parent


def course(steps: int, seed: int) -> float:
    out = subprocess.run([sys.executable, str(HERE / "course" / "cifar10_course.py"), str(seed),
                          "1", str(steps)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.split("RESULT ", 1)[1].splitlines()[0])["images_per_second"]


def convscope(steps: int, seed: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / "run"
        subprocess.run([sys.executable, "-m", "convscope", "train", "cifar10", "--epochs", "1",
                        "--limit", str(steps * 32), "--seed", str(seed), "--out", str(run),
                        "--quiet"], capture_output=True, text=True, check=True)
        return json.loads((run / "metrics.json").read_text())["images_per_second"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    if "CONVSCOPE_DATA" not in os.environ:
        sys.exit("set CONVSCOPE_DATA to the folder holding cifar10/ (e.g. ../shared/datasets)")
    print(f"CPU: {cpu_name()} ({os.cpu_count()} logical cores); {args.steps} steps of 32 images")
    results = {"course": [], "convscope": []}
    for seed in range(args.repeats):
        for name, runner in (("course", course), ("convscope", convscope)):
            results[name].append(runner(args.steps, seed))
            print(f"  {name:9} {results[name][-1]:6.0f} img/s", flush=True)
    c, o = statistics.mean(results["course"]), statistics.mean(results["convscope"])
    print(f"course {c:.0f} img/s, convscope {o:.0f} img/s: convscope/course ×{o / c:.2f}")


if __name__ == "__main__":
    main()
