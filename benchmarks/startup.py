"""How long `convscope` takes to answer: start-up time of a few commands, in fresh processes.

For each command: the first run after convscope's bytecode caches are removed (what a new
install pays once) and the median of three runs after it (every later run). Commands: `--help`,
`--version`, `recipes`, `recipes mnist`, a misspelled recipe (`train mnsit`, an error), `see` of a
folder that does not exist (an error), and the time until `train mnist` and `predict` print
their first line (TensorFlow's start included: they need a model).

    CONVSCOPE_DATA=../shared/datasets python benchmarks/startup.py
    python benchmarks/startup.py --tree /path/to/another/checkout   # the same for another one

Each tree is run with PYTHONPATH=<tree>/src, so two checkouts compare on one machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

COMMANDS = {
    "--help": ["--help"],
    "--version": ["--version"],
    "recipes": ["recipes"],
    "recipes mnist": ["recipes", "mnist"],
    "train mnsit (a typo)": ["train", "mnsit"],
    "see runs/nope (no such run)": ["see", "runs/nope"],
}


def first_line_seconds(command: list[str], env: dict) -> float:
    """Seconds until the command prints its first line (stdout or stderr), then stopped."""
    began = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env=env)
    for line in process.stdout:
        if line.strip() and "oneDNN" not in line and "absl" not in line:
            break
    seconds = time.perf_counter() - began
    process.kill()
    process.wait()
    return seconds


def whole_seconds(command: list[str], env: dict) -> float:
    began = time.perf_counter()
    subprocess.run(command, capture_output=True, env=env)
    return time.perf_counter() - began


def environment(tree: Path) -> dict:
    """This process's environment, running ``tree``'s convscope, with bytecode caching on (a
    machine that sets PYTHONDONTWRITEBYTECODE would otherwise compile every run afresh)."""
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def measure(tree: Path, run_dir: Path, picture: Path) -> dict[str, tuple[float, float]]:
    env = environment(tree)
    base = [sys.executable, "-m", "convscope"]
    jobs = {name: (whole_seconds, base + args) for name, args in COMMANDS.items()}
    jobs["train mnist (first line)"] = (first_line_seconds, base + [
        "train", "mnist", "--epochs", "1", "--out", str(run_dir.parent / "new")])
    jobs["predict (first line)"] = (first_line_seconds, base + ["predict", str(run_dir),
                                                                str(picture)])
    results = {}
    for name, (timer, command) in jobs.items():
        for cache in (tree / "src").rglob("__pycache__"):
            shutil.rmtree(cache)
        first = timer(command, env)
        later = statistics.median(timer(command, env) for _ in range(3))
        shutil.rmtree(run_dir.parent / "new", ignore_errors=True)
        results[name] = (first, later)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, default=HERE.parent,
                        help="the checkout to measure (default: this one)")
    args = parser.parse_args()
    from convscope.hardware import cpu_name

    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp) / "run"
        env = environment(args.tree.resolve())
        subprocess.run([sys.executable, "-m", "convscope", "train", "mnist", "--epochs", "1",
                        "--limit", "500", "--out", str(run_dir), "--quiet", "--no-report"],
                       check=True, capture_output=True, env=env)
        picture = Path(tmp) / "digit.png"
        from PIL import Image, ImageDraw

        image = Image.new("L", (120, 120), 255)
        ImageDraw.Draw(image).line([(60, 20), (60, 100)], fill=0, width=10)
        image.save(picture)
        results = measure(args.tree.resolve(), run_dir, picture)
    print(f"CPU: {cpu_name()} ({os.cpu_count()} logical cores); tree {args.tree}")
    print(f"{'command':34} {'first run':>10} {'later':>8}")
    for name, (first, later) in results.items():
        print(f"{name:34} {first:9.2f}s {later:7.2f}s")


if __name__ == "__main__":
    main()
