"""convscope's `mnist` recipe against the course's own program, side by side in one run.

Both train the same network with the same settings (Adam, batch 32, 5 epochs) on the same
files, once per seed, each in a fresh process. Printed per program: wall time (process start to
exit), training images/s and test accuracy, then the means and convscope/course ratios.

convscope's wall time counts everything the course's program does not: a test-set evaluation
after every epoch, two saved models a epoch, the history and state files, the six figures; its
report is counted apart (``--no-report``, then the seconds the same run's report takes to write
in a process of its own, Keras's start included).

    CONVSCOPE_DATA=../shared/datasets python benchmarks/mnist_vs_course.py --seeds 0 1 2

Targets: convscope's wall time within ×1.10 of the course's (issue 27), accuracy within 0.2
points of it.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from convscope.hardware import cpu_name

HERE = Path(__file__).resolve().parent


def run_course(seed: int, epochs: int, program: str = "mnist_course.py", steps: int = 0) -> dict:
    """One of the course's programs (``course/``) in a fresh process; ``steps`` limits its
    training steps (0: all), where the program takes that argument."""
    command = [sys.executable, str(HERE / "course" / program)]
    if importlib.util.find_spec("tensorflow") is None:  # e.g. a GPU machine with Keras on JAX
        command = [sys.executable, str(HERE / "course_on_keras.py"), f"course/{program}"]
    began = time.perf_counter()
    out = subprocess.run(command + [str(seed), str(epochs)] + ([str(steps)] if steps else []),
                         capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"{program} failed:\n{out.stderr[-3000:]}")
    wall = time.perf_counter() - began
    result = json.loads(out.stdout.split("RESULT ", 1)[1].splitlines()[0])
    return {"wall_seconds": wall, "train_seconds": result["fit_seconds"],
            "images_per_second": result["images_per_second"],
            "test_accuracy": result["test_accuracy"]}


def run_convscope(seed: int, epochs: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp) / "run"
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "convscope", "train", "mnist", "--seed", str(seed),
                        "--epochs", str(epochs), "--out", str(run_dir), "--quiet",
                        "--no-report"], capture_output=True, text=True, check=True)
        wall = time.perf_counter() - began
        metrics = json.loads((run_dir / "metrics.json").read_text())
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "convscope", "report", str(run_dir), "--quiet"],
                       capture_output=True, text=True, check=True)
        report = time.perf_counter() - began
    return {"wall_seconds": wall, "images_per_second": metrics["images_per_second"],
            "test_accuracy": metrics["test_accuracy"], "report_seconds": report}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if "CONVSCOPE_DATA" not in os.environ:
        sys.exit("set CONVSCOPE_DATA to the folder holding mnist/ (e.g. ../shared/datasets)")

    print(f"CPU: {cpu_name()} ({os.cpu_count()} logical cores), Python "
          f"{platform.python_version()}; {args.epochs} epochs, batch 32, seeds {args.seeds}")
    rows = {"course": [], "convscope": []}
    for seed in args.seeds:  # interleaved, so drifts in machine speed hit both alike
        for name, runner in (("course", run_course), ("convscope", run_convscope)):
            r = runner(seed, args.epochs)
            rows[name].append(r)
            report = (f"  (report apart: {r['report_seconds']:.1f} s)" if "report_seconds" in r
                      else "")
            print(f"  seed {seed}  {name:9}  wall {r['wall_seconds']:7.1f} s  "
                  f"{r['images_per_second']:7.0f} img/s  test accuracy {r['test_accuracy']:.2%}"
                  f"{report}", flush=True)

    def mean(name, key):
        return statistics.mean(r[key] for r in rows[name])

    print(f"\n{'':10} {'wall s':>8} {'img/s':>8} {'test acc':>9}")
    for name in rows:
        print(f"{name:10} {mean(name, 'wall_seconds'):8.1f} {mean(name, 'images_per_second'):8.0f}"
              f" {mean(name, 'test_accuracy'):9.2%}")
    ratio_wall = mean("convscope", "wall_seconds") / mean("course", "wall_seconds")
    ratio_speed = mean("convscope", "images_per_second") / mean("course", "images_per_second")
    gap = mean("convscope", "test_accuracy") - mean("course", "test_accuracy")
    print(f"convscope/course: wall time ×{ratio_wall:.2f}, images/s ×{ratio_speed:.2f}, "
          f"accuracy {gap * 100:+.2f} points")
    if args.json:
        args.json.write_text(json.dumps({"cpu": cpu_name(), "epochs": args.epochs,
                                         "runs": rows}, indent=2))


if __name__ == "__main__":
    main()
