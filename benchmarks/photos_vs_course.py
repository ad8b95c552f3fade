"""The `photos` recipe against the course's cats-vs-dogs program, side by side in one run.

Each in a fresh process, interleaved per seed (so drifts in machine speed hit all alike):
the course's program (`course/catsdogs_course.py`, 40 epochs, reading the JPEGs from disk as the
course does) and `convscope train photos`, both on the shared 1,000 + 1,000 training photos and
scored on the 500 + 500 test photos. Printed per run: wall time (process start to exit) and
test accuracy; for `photos` also its test accuracy against time along the way, so a shorter
run (`--epochs`) can be chosen knowingly.

With `--folder DIR` (e.g. three CIFAR-10 classes written by `cifar_folder.py`), `photos` and
the course's `catsdogs` network both train on that folder instead: the second task, where the
recipe must beat the course's network too.

    CONVSCOPE_DATA=../shared/datasets python benchmarks/photos_vs_course.py --seeds 0 1 2
    python benchmarks/cifar_folder.py /tmp/cifar-pets
    CONVSCOPE_DATA=../shared/datasets python benchmarks/photos_vs_course.py --folder /tmp/cifar-pets

Targets (issue 23): `photos`, mean of three seeds ≥ 85 % on the test photos, in at most twice
the course program's wall time.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from convscope.hardware import cpu_name

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from mnist_vs_course import run_course  # noqa: E402


def run_convscope(recipe: str, seed: int, folder: Path | None, epochs: int | None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp) / "run"
        where = ["folder", str(folder), "--recipe", recipe] if folder else [recipe]
        more = ["--epochs", str(epochs)] if epochs else []
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "convscope", "train", *where, "--seed", str(seed),
                        "--out", str(run_dir), "--quiet", *more],
                       capture_output=True, text=True, check=True)
        wall = time.perf_counter() - began
        metrics = json.loads((run_dir / "metrics.json").read_text())
        with open(run_dir / "history.csv") as f:
            history = list(csv.DictReader(f))
    elapsed, curve = 0.0, []
    for row in history:
        elapsed += float(row["seconds"])
        curve.append((int(row["epoch"]), round(elapsed), float(row["test_accuracy"])))
    return {"wall_seconds": wall, "test_accuracy": metrics["test_accuracy"], "curve": curve}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--folder", type=Path, help="a photo folder: the second task")
    parser.add_argument("--course-seeds", type=int, nargs="*",
                        help="seeds of the course's program (default: the same)")
    parser.add_argument("--epochs", type=int, help="epochs of `photos` (default: its own)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if "CONVSCOPE_DATA" not in os.environ:
        sys.exit("set CONVSCOPE_DATA to the folder holding catsdogs/ (e.g. ../shared/datasets)")
    print(f"CPU: {cpu_name()} ({os.cpu_count()} logical cores); seeds {args.seeds}"
          + (f"; folder {args.folder}" if args.folder else ""), flush=True)
    other = "catsdogs" if args.folder else "course program"
    course_seeds = args.seeds if args.course_seeds is None else args.course_seeds
    rows: dict[str, list] = {other: [], "photos": []}
    for seed in args.seeds:
        for name in rows:
            if name == "course program":
                if seed not in course_seeds:
                    continue
                r = run_course(seed, 40, "catsdogs_course.py")
            else:
                r = run_convscope(name, seed, args.folder,
                                  args.epochs if name == "photos" else None)
            rows[name].append(r)
            print(f"  seed {seed}  {name:15} wall {r['wall_seconds']:6.0f} s  "
                  f"test {r['test_accuracy']:.2%}", flush=True)
            if "curve" in r and name == "photos":
                marks = [c for c in r["curve"] if c[0] % 10 == 0 or c is r["curve"][-1]]
                print("    test accuracy along the way: " + ", ".join(
                    f"epoch {e} ({s} s) {a:.1%}" for e, s, a in marks), flush=True)

    def mean(name, key):
        values = [r[key] for r in rows[name]]
        return statistics.mean(values) if values else float("nan")

    print(f"\n{'':16} {'wall s':>7} {'test':>8}")
    for name in rows:
        print(f"{name:16} {mean(name, 'wall_seconds'):7.0f} {mean(name, 'test_accuracy'):8.2%}")
    print(f"photos / {other} wall time: "
          f"×{mean('photos', 'wall_seconds') / mean(other, 'wall_seconds'):.2f}")
    if args.json:
        args.json.write_text(json.dumps({"cpu": cpu_name(), "runs": rows}, indent=2))


if __name__ == "__main__":
    main()
