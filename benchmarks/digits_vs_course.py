"""Digits written by anyone: the `digits` recipe against the course's program, side by side.

Per seed, each in a fresh process and interleaved (so drifts in machine speed hit all alike):
the course's MNIST program (5 epochs), `convscope train mnist` (the course's network) and
`convscope train digits`. Printed: wall time (process start to exit), MNIST test accuracy,
and accuracy on the foreign digits of `tests/foreign_digits.py` (500 digits that MNIST's
writers did not write; a yardstick, never training data) read through `predict`'s preparation.

    CONVSCOPE_DATA=../shared/datasets python benchmarks/digits_vs_course.py --seeds 0 1 2

With ``--keep DIR`` the trained runs (and each contender's wall time and MNIST score) stay in
DIR, and a later call with the same DIR trains nothing: it reads the foreign digits again
through today's preparation (the preparation is applied at prediction, so a change to it needs
no retraining).

Targets (issue 22), means of three seeds: `digits` ≥ 99.5 % on MNIST's test set in no more
than the course program's wall time, and ≥ 95 % on the foreign digits. Issue 31 added the soft
media (low resolution, blur, out of focus, felt pen): no medium more than 3 points below the
scans for `digits`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from convscope.hardware import cpu_name

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))

from foreign_digits import SHARP_MEDIA, foreign_digits  # noqa: E402
from held_back_digits import held_back_digits  # noqa: E402
from mnist_vs_course import run_course  # noqa: E402


def foreign_accuracy(run_dir: Path, samples) -> tuple[float, dict]:
    """Accuracy on the foreign digits, and per medium; a digit preparation refuses counts
    as wrong."""
    import convscope

    run = convscope.load_run(run_dir)
    inputs = _prepared(run, samples)
    readable = [i for i, x in enumerate(inputs) if x is not None]
    predicted = np.full(len(samples), -1)
    if readable:
        batch = np.stack([inputs[i] for i in readable])
        predicted[readable] = run.predict_arrays(batch).argmax(axis=1)
    right, by_medium = [], defaultdict(list)
    for sample, guess in zip(samples, predicted, strict=True):
        right.append(guess == sample.label)
        by_medium[sample.medium].append(guess == sample.label)
    return float(np.mean(right)), {k: float(np.mean(v)) for k, v in sorted(by_medium.items())}


_PREPARED: dict[int, list] = {}


def _prepared(run, samples) -> list:
    """Each sample as the run's input (None where the preparation refuses it), prepared once
    per set: every run here reads digits, and a digit's preparation is the same for all."""
    from convscope.errors import DataError

    if id(samples) not in _PREPARED:
        inputs = []
        for sample in samples:
            try:
                inputs.append(run.as_input(sample.image))
            except DataError:
                inputs.append(None)
        _PREPARED[id(samples)] = inputs
    return _PREPARED[id(samples)]


def read_sets(run_dir: Path, sets: dict) -> dict:
    """``{name}_accuracy`` and ``{name}_by_medium`` for each set of digits (foreign, held
    back)."""
    result = {}
    for name, samples in sets.items():
        result[f"{name}_accuracy"], result[f"{name}_by_medium"] = foreign_accuracy(run_dir,
                                                                                   samples)
    return result


def run_convscope(recipe: str, seed: int, sets: dict, keep: Path | None = None) -> dict:
    if keep is not None:
        return _kept(keep / f"{recipe}-seed{seed}", sets, lambda run_dir: _train(
            recipe, seed, run_dir))
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp) / "run"
        return _train(recipe, seed, run_dir) | read_sets(run_dir, sets)


def _train(recipe: str, seed: int, run_dir: Path) -> dict:
    began = time.perf_counter()
    subprocess.run([sys.executable, "-m", "convscope", "train", recipe, "--seed", str(seed),
                    "--out", str(run_dir), "--quiet"], capture_output=True, text=True,
                   check=True)
    wall = time.perf_counter() - began
    metrics = json.loads((run_dir / "metrics.json").read_text())
    return {"wall_seconds": wall, "train_seconds": metrics["train_seconds"],
            "test_accuracy": metrics["test_accuracy"]}


def _kept(run_dir: Path, sets: dict, train) -> dict:
    """A run trained once into ``run_dir`` (its timing kept beside it), read again here."""
    timing = run_dir.with_suffix(".json")
    if not timing.exists():
        timing.write_text(json.dumps(train(run_dir)))
    return json.loads(timing.read_text()) | read_sets(run_dir, sets)


def run_course_kept(seed: int, keep: Path | None) -> dict:
    if keep is None:
        return run_course(seed, 5)
    timing = keep / f"course-seed{seed}.json"
    if not timing.exists():
        timing.write_text(json.dumps(run_course(seed, 5)))
    return json.loads(timing.read_text())


def summarise(rows: dict, held_back: bool) -> None:
    """Means over the seeds: the table, then the foreign (and held-back) digits by medium."""

    def mean(name, key):
        values = [r[key] for r in rows[name] if key in r]
        return statistics.mean(values) if values else float("nan")

    print(f"\n{'':16} {'wall s':>7} {'MNIST':>8} {'foreign':>8}")
    for name in rows:
        print(f"{name:16} {mean(name, 'wall_seconds'):7.1f} {mean(name, 'test_accuracy'):8.2%} "
              f"{mean(name, 'foreign_accuracy'):8.1%}")
    print(f"digits / course program wall time: "
          f"×{mean('digits', 'wall_seconds') / mean('course program', 'wall_seconds'):.2f}")
    for name in ("mnist", "digits"):
        media = defaultdict(list)
        for r in rows[name]:
            for medium, value in r["foreign_by_medium"].items():
                media[medium].append(value)
        print(f"foreign by medium, {name}: "
              + ", ".join(f"{m} {statistics.mean(v):.0%}" for m, v in media.items()))
        sharp = [statistics.mean(v) for m, v in media.items() if m in SHARP_MEDIA]
        soft = [statistics.mean(v) for m, v in media.items() if m not in SHARP_MEDIA]
        if soft:
            print(f"  {name}: sharp media {statistics.mean(sharp):.1%}, soft media "
                  f"{statistics.mean(soft):.1%}")
        if held_back:
            held = defaultdict(list)
            for r in rows[name]:
                for medium, value in r["held_back_by_medium"].items():
                    held[medium].append(value)
            print(f"held-back digits, {name}: {mean(name, 'held_back_accuracy'):.1%} ("
                  + ", ".join(f"{m} {statistics.mean(v):.0%}" for m, v in held.items()) + ")")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--per-class", type=int, default=50, help="foreign digits per class")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--held-back", action="store_true",
                        help="also read the held-back digits (tests/held_back_digits.py)")
    parser.add_argument("--keep", type=Path,
                        help="keep the trained runs here; runs already here are not retrained")
    args = parser.parse_args()
    if "CONVSCOPE_DATA" not in os.environ:
        sys.exit("set CONVSCOPE_DATA to the folder holding mnist/ (e.g. ../shared/datasets)")
    sets = {"foreign": foreign_digits(per_class=args.per_class)}
    if args.held_back:
        sets["held_back"] = held_back_digits()
    print(f"CPU: {cpu_name()} ({os.cpu_count()} logical cores); seeds {args.seeds}; "
          f"{len(sets['foreign'])} foreign digits", flush=True)
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
    rows = {"course program": [], "mnist": [], "digits": []}
    for seed in args.seeds:
        for name in rows:
            if name == "course program":
                r = run_course_kept(seed, args.keep)
            else:
                r = run_convscope(name, seed, sets, args.keep)
            rows[name].append(r)
            foreign = (f"  foreign {r['foreign_accuracy']:.1%}"
                       if "foreign_accuracy" in r else "")
            print(f"  seed {seed}  {name:15} wall {r['wall_seconds']:6.1f} s  "
                  f"MNIST test {r['test_accuracy']:.2%}{foreign}", flush=True)

    summarise(rows, args.held_back)
    if args.json:
        args.json.write_text(json.dumps({"cpu": cpu_name(), "runs": rows}, indent=2))


if __name__ == "__main__":
    main()
