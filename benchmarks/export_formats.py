"""File sizes and single-image latency of a run's network in every export format.

For each run given: `convscope export` to ONNX, LiteRT (float32 and int8), SavedModel and the
page (into a temporary folder), then one image at a time, contenders interleaved round by round
so that the machine's drift hits them alike:

- Keras: ``Run.predict_arrays`` on one image (what ``convscope predict`` calls), the run's
  own model as trained (bfloat16 where its recipe computes so);
- ONNX Runtime (CPU, its default threads) on ``model.onnx``;
- LiteRT's interpreter (its default threads) on ``model.tflite``, float32 and int8;
- the page in Chromium: ONNX Runtime Web on WebAssembly, one thread, timed inside the page.

    CONVSCOPE_DATA=../shared/datasets flock /tmp/convscope-cpu.lock \\
        python benchmarks/export_formats.py runs/mnist runs/digits runs/photos
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import convscope
from convscope.export import formats

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

ROUNDS = int(os.environ.get("ROUNDS", 5))
CALLS = 100  # per contender and round


def per_call_ms(predict, image: np.ndarray, calls: int = CALLS) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        predict(image)
    return 1000 * (time.perf_counter() - start) / calls


def page_timer(page, calls: int = CALLS):
    """Milliseconds per call of the page's own predict, measured inside the page."""
    script = """async ([values, calls]) => {
        const x = new Float32Array(values);
        await window.convscope.predict(x);
        const start = performance.now();
        for (let i = 0; i < calls; i++) await window.convscope.predict(x);
        return (performance.now() - start) / calls;
    }"""
    return lambda image: page.evaluate(script, [image.ravel().tolist(), calls])


def measure(run_dir: Path, out: Path) -> dict:
    from browser import browser_page

    run = convscope.load_run(run_dir)
    exports = {name: run.export(format, out / f"{run_dir.name}-{name}", quantize=quantize)
               for name, format, quantize in (("onnx", "onnx", None), ("litert", "litert", None),
                                              ("litert-int8", "litert", "int8"),
                                              ("saved_model", "saved_model", None),
                                              ("page", "page", None))}
    image = run.scale(run.data.x_test[:1])
    contenders = {"keras": run.predict_arrays,
                  "onnxruntime": formats.runtime("onnx", exports["onnx"].model_file),
                  "litert": formats.runtime("litert", exports["litert"].model_file),
                  "litert-int8": formats.runtime("litert", exports["litert-int8"].model_file)}
    times: dict[str, list[float]] = {name: [] for name in [*contenders, "page"]}
    with browser_page() as page:
        start = time.perf_counter()
        page.goto(exports["page"].model_file.as_uri())
        while not page.evaluate("window.convscope !== undefined"):
            time.sleep(0.01)
        page.evaluate("window.convscope.ready")
        page_ready_s = time.perf_counter() - start
        in_page = page_timer(page)
        for predict in contenders.values():  # warm-up
            per_call_ms(predict, image, 10)
        for _ in range(ROUNDS):
            for name, predict in contenders.items():
                times[name].append(per_call_ms(predict, image))
            times["page"].append(in_page(image))
    return {
        "run": str(run_dir), "recipe": run.recipe, "weights": run.config.parameters,
        "bytes": {name: e.record["bytes"] for name, e in exports.items()},
        "keras_file_bytes": (run_dir / "model.keras").stat().st_size,
        "check": {name: {"max_probability_difference":
                         e.check["keras"]["max_probability_difference"],
                         "argmax_agreement": e.check["keras"]["argmax_agreement"],
                         "accuracy_change": e.check["accuracy_change"]}
                  for name, e in exports.items()},
        "median_ms": {name: statistics.median(t) for name, t in times.items()},
        "rounds_ms": times,
        "page_ready_s": page_ready_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as out:
        for run_dir in args.runs:
            print(json.dumps(measure(run_dir, Path(out))), flush=True)


if __name__ == "__main__":
    main()
