"""Time to accuracy: the course's programs against convscope's recipes, plain and --fast.

Each contender trains in a fresh process, one after the other on the same machine:

- the course's own program (``course/``), timed over its planned epochs: the reference;
- convscope's course recipe as the course trains it, then with ``--fast``;
- convscope's fast recipe (``mnist-fast``, ``cifar10-fast``).

convscope evaluates the test set after every epoch, so its time to the target is the training
and evaluation time up to the first epoch at or above it (start-up excluded; the course's
reference excludes it too: its ``fit`` time). Also printed: images/s, final accuracy, the
matmul FLOP/s the training device reaches (float32 and bfloat16, 2048² on a CPU, 8192² on a
GPU) and each run's achieved FLOP/s (3 × the forward pass's multiply-adds × 2, per training
image) as a fraction of it.

    CONVSCOPE_DATA=../shared/datasets python benchmarks/time_to_accuracy.py            # 12 min
    CONVSCOPE_DATA=../shared/datasets python benchmarks/time_to_accuracy.py --cifar10  # + 35 min
    KERAS_BACKEND=jax CONVSCOPE_DATA=… python benchmarks/time_to_accuracy.py --repeats 1 \
        --cifar10 --course-steps 0 --cifar10-fast-epochs 40                   # a GPU: minutes

The course's CIFAR-10 program is timed over ``--course-steps`` steps, before and after
convscope's runs, and its 10 epochs are extrapolated from that (as issue 7 allows).
Targets (issue 7): MNIST 99.0 % in ≤ 1/4 of the course program's 5 epochs; ``--fast`` ≥ 2×
its images/s; CIFAR-10 ``cifar10-fast`` ≥ 90 % in less than the course's 10 epochs, course
recipe with ``--fast`` ≥ 72 %.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mnist_vs_course import run_course

HERE = Path(__file__).resolve().parent
MNIST_TARGET, CIFAR_TARGET, CIFAR_FAST_TARGET = 0.99, 0.72, 0.90


def matmul_flops(n: int) -> dict[str, float]:
    """FLOP/s of an n×n matrix product in float32 and bfloat16 (best of 3 × 10), on the device
    Keras's backend trains on."""
    import keras

    product, sync = _matmul(keras.backend.backend())
    result = {}
    for dtype in ("float32", "bfloat16"):
        a = keras.ops.cast(keras.random.normal((n, n), seed=0), dtype)
        sync(product(a))
        best = float("inf")
        for _ in range(3):
            began = time.perf_counter()
            for _ in range(10):
                out = product(a)
            sync(out)
            best = min(best, (time.perf_counter() - began) / 10)
        result[dtype] = 2 * n**3 / best
    return result


def _matmul(backend: str):
    """A compiled m @ m for ``backend``, and how to wait for its result."""
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.function(lambda m: tf.matmul(m, m)), lambda out: out.numpy()
    if backend == "jax":
        import jax

        return jax.jit(lambda m: m @ m), lambda out: out.block_until_ready()
    import torch

    return (lambda m: m @ m), lambda out: torch.cuda.synchronize() if out.is_cuda else None


def training_flops_per_image(model_path: Path) -> float:
    """3 × the forward pass's FLOPs (forward, and two products backward) of convolutions and
    dense layers; pooling, activations and the small whitening layer are left out."""
    import keras

    import convscope.layers  # noqa: F401  (registers the layers cifar10-fast uses)

    model = keras.saving.load_model(model_path, compile=False)
    forward = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            _, h, w, c_out = layer.output.shape
            kh, kw = layer.kernel_size
            forward += 2 * h * w * c_out * kh * kw * layer.input.shape[-1]
        elif isinstance(layer, keras.layers.Dense):
            forward += 2 * layer.input.shape[-1] * layer.units
    return 3.0 * forward


def run_convscope(recipe: str, target: float, *options: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / "run"
        began = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "convscope", "train", recipe, "--out",
                               str(run), "--quiet", *options], capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"convscope train {recipe} failed:\n{done.stderr[-3000:]}")
        wall = time.perf_counter() - began
        metrics = json.loads((run / "metrics.json").read_text())
        config = json.loads((run / "config.json").read_text())
        with open(run / "history.csv", newline="") as f:
            history = list(csv.DictReader(f))
        flops = training_flops_per_image(run / "model.keras")
    elapsed, reached = 0.0, None
    for row in history:
        elapsed += float(row["seconds"])
        if reached is None and float(row["test_accuracy"]) >= target:
            reached = {"epoch": int(row["epoch"]), "seconds": elapsed}
    return {"wall_seconds": wall, "train_seconds": elapsed,
            "images_per_second": metrics["images_per_second"],
            "test_accuracy": metrics["test_accuracy"], "target": target, "reached": reached,
            "epochs": len(history), "precision": config.get("precision", "float32"),
            "batch_size": config["batch_size"], "train_flops_per_image": flops}


def show(name: str, r: dict, reference: float, peaks: dict) -> None:
    reached = r.get("reached")
    if reached:
        ratio = reached["seconds"] / reference
        to_target = f"{reached['seconds']:6.1f} s (epoch {reached['epoch']}, ×{ratio:.2f})"
    else:
        to_target = "     not reached" if "target" in r else ""
    line = (f"  {name:22} {r['train_seconds']:7.1f} s {r['images_per_second']:7.0f} img/s "
            f"{r['test_accuracy']:7.2%}  {to_target}")
    if "train_flops_per_image" in r:
        achieved = r["train_flops_per_image"] * r["images_per_second"]
        peak = peaks["bfloat16" if r["precision"] == "mixed_bfloat16" else "float32"]
        r["achieved_flops"] = achieved
        line += (f"  {achieved / 1e9:5.0f} GFLOP/s = {achieved / peak:.0%} of "
                 f"{r['precision']} matmul")
    print(line, flush=True)


def mnist(peaks: dict, repeats: int) -> list[dict]:
    """``repeats`` rounds of the four contenders, interleaved so that changes in the machine's
    speed (on shared VMs, up to ×2 from one minute to the next) fall on all of them."""
    print(f"\nMNIST, target {MNIST_TARGET:.1%} (time to target × = / course program's 5 epochs)")
    print(f"  {'':22} {'train':>9} {'speed':>13} {'final':>7}  time to target")
    rounds = []
    for _ in range(repeats):
        course = run_course(0, 5)
        reference = course["train_seconds"]
        show("course program", course, reference, peaks)
        rows = {"course program": course}
        for name, recipe, options in (("mnist", "mnist", ()),
                                      ("mnist --fast", "mnist", ("--fast",)),
                                      ("mnist-fast", "mnist-fast", ())):
            rows[name] = run_convscope(recipe, MNIST_TARGET, *options)
            show(name, rows[name], reference, peaks)
        speedup = rows["mnist --fast"]["images_per_second"] / course["images_per_second"]
        print(f"  course net with --fast: ×{speedup:.2f} the course program's images/s")
        rounds.append(rows)
    return rounds


def cifar10(peaks: dict, course_steps: int, fast_epochs: int | None = None) -> dict:
    """The course program's speed is timed before and after convscope's runs, and its 10
    epochs extrapolated from the mean of the two (the machine's speed drifts meanwhile);
    ``course_steps=0`` runs its 10 epochs in full instead (minutes on a GPU)."""
    if not course_steps:
        return cifar10_full_course(peaks, fast_epochs)
    before = run_course(0, 1, "cifar10_course.py", course_steps)
    rows = {}
    for name, recipe, target, options in cifar10_contenders(fast_epochs):
        rows[name] = run_convscope(recipe, target, *options)
    after = run_course(0, 1, "cifar10_course.py", course_steps)
    speeds = [before["images_per_second"], after["images_per_second"]]
    course = {**after, "images_per_second": sum(speeds) / 2, "images_per_second_runs": speeds,
              "extrapolated_from_steps": course_steps, "test_accuracy": float("nan")}
    course["train_seconds"] = reference = 50_000 * 10 / course["images_per_second"]
    print(f"\nCIFAR-10 (course program's 10 epochs: {reference:.0f} s, extrapolated from "
          f"{course_steps} steps timed before and after: {speeds[0]:.0f} and {speeds[1]:.0f} "
          "img/s; × = / that)")
    show("course program (10 ep)", course, reference, peaks)
    for name, row in rows.items():
        show(name, row, reference, peaks)
    return {"course program": course, **rows}


def cifar10_contenders(fast_epochs: int | None) -> list[tuple]:
    """(name, recipe, target, options) of convscope's CIFAR-10 runs."""
    longer = ("--epochs", str(fast_epochs)) if fast_epochs else ()
    name = f"cifar10-fast ({fast_epochs} ep)" if fast_epochs else "cifar10-fast"
    return [("cifar10 --fast", "cifar10", CIFAR_TARGET, ("--fast",)),
            (name, "cifar10-fast", CIFAR_FAST_TARGET, longer)]


def cifar10_full_course(peaks: dict, fast_epochs: int | None) -> dict:
    course = run_course(0, 10, "cifar10_course.py")
    reference = course["train_seconds"]
    print(f"\nCIFAR-10 (course program's 10 epochs run in full: {reference:.0f} s; × = / that)")
    show("course program (10 ep)", course, reference, peaks)
    rows = {"course program": course}
    for name, recipe, target, options in cifar10_contenders(fast_epochs):
        rows[name] = run_convscope(recipe, target, *options)
        show(name, rows[name], reference, peaks)
    return rows


def describe_machine() -> dict:
    """The CPU (model, cores, the flags that decide bfloat16), and the GPU when one trains."""
    from convscope.hardware import backend, cpu_flags, cpu_name, visible_gpus

    flags = sorted(cpu_flags() & {"avx2", "avx512f", "avx512_bf16", "amx_bf16"})
    print(f"CPU: {cpu_name()} ({os.cpu_count()} logical cores; {', '.join(flags) or 'no AVX2'})")
    gpus = [f"{g.name} (compute capability {'.'.join(map(str, g.compute_capability))})"
            for g in visible_gpus()]
    name, version = backend()
    print(f"trains on: {gpus[0] if gpus else 'the CPU'}; Keras backend {name} {version}")
    return {"cpu": cpu_name(), "flags": flags, "gpu": gpus[0] if gpus else None,
            "backend": f"{name} {version}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2, help="MNIST rounds (interleaved)")
    parser.add_argument("--cifar10", action="store_true", help="also CIFAR-10 (about an hour)")
    parser.add_argument("--no-mnist", dest="mnist", action="store_false",
                        help="skip the MNIST rounds (with --cifar10)")
    parser.add_argument("--course-steps", type=int, default=300,
                        help="steps of the course's CIFAR-10 program to time (0: its 10 epochs "
                             "in full, for GPUs)")
    parser.add_argument("--cifar10-fast-epochs", type=int,
                        help="train cifar10-fast this many epochs (default: the recipe's)")
    parser.add_argument("--json", type=Path, default=Path("time_to_accuracy.json"))
    args = parser.parse_args()
    if "CONVSCOPE_DATA" not in os.environ:
        sys.exit("set CONVSCOPE_DATA to the folder holding mnist/ (e.g. ../shared/datasets)")
    results = describe_machine()
    peaks = matmul_flops(8192 if results["gpu"] else 2048)
    print("matmul: " + ", ".join(f"{k} {v / 1e9:.0f} GFLOP/s" for k, v in peaks.items()))
    results["matmul_flops"] = peaks
    if args.mnist:
        results["mnist"] = mnist(peaks, args.repeats)
    if args.cifar10:
        results["cifar10"] = cifar10(peaks, args.course_steps, args.cifar10_fast_epochs)
    args.json.write_text(json.dumps(results, indent=2))
    print(f"\nwritten to {args.json}")


if __name__ == "__main__":
    main()
