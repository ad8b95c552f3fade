"""How far each run's confidence can be trusted: its test answers grouped by confidence.

For each run given: the recipe, its epochs, test accuracy, the expected calibration error
(ECE), the "unsure" threshold (the confidence from which its test answers are right 90 % of
the time) and the share of its test answers under it, computed from the run's test
predictions (`Run.evaluation.calibration()`), one Markdown row per run.

    CONVSCOPE_DATA=../shared/datasets python benchmarks/calibration.py runs/mnist runs/digits
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import convscope


def row(run_dir: Path) -> str:
    run = convscope.load_run(run_dir)
    evaluation = run.evaluation
    measured = evaluation.calibration()
    confidence = evaluation.probabilities.max(axis=1)
    unsure = np.mean([measured.unsure(c) for c in confidence])
    threshold = ("never 90 %" if measured.unsure_below is None
                 else f"{measured.unsure_below:.2%}")
    return (f"| `{run.config.recipe}` | {run.config.epochs} | {run.metrics['test_accuracy']:.2%} "
            f"| {measured.ece:.2%} | {threshold} | {unsure:.2%} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path)
    args = parser.parse_args()
    print("| recipe | epochs | test accuracy | ECE | unsure below | test answers unsure |")
    print("|---|---|---|---|---|---|")
    for run_dir in args.runs:
        print(row(run_dir), flush=True)


if __name__ == "__main__":
    main()
