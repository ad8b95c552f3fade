"""How long each study-4 figure takes to compute and draw, on a trained run.

Model loading and imports are done once, before timing; each figure is then timed from arrays
in to PNG on disk, best of three. Target (issue 6): every figure in under 2 seconds.

    CONVSCOPE_DATA=../shared/datasets python benchmarks/inspection.py runs/mnist-viz-…
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from mnist_vs_course import cpu_name

import convscope
from convscope import _io, inspection, plots


def timed(label: str, make_figure, folder: Path) -> float:
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        _io.save_figure(make_figure(), folder / f"{label}.png")
        best = min(best, time.perf_counter() - began)
    print(f"  {label:32} {best:5.2f} s", flush=True)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path)
    args = parser.parse_args()
    run = convscope.load_run(args.run)
    model = run.model
    x_test, y_test = run.test_images()
    image = run.scale(x_test[4])
    batch = run.scale(x_test[:16])
    names = run.class_names
    inspection.grad_cam(model, image)  # first call traces; not what a user waits for twice
    print(f"CPU: {cpu_name()}; run {args.run} ({run.recipe})")
    times = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for layer in inspection.visual_layers(model):
            number = inspection.layer_number(model, layer)

            def see(layer=layer, number=number):
                (fm,) = inspection.feature_maps(model, image, [layer.name])
                return plots.feature_maps_grid(fm.maps, image, f"layer {number}")

            times[f"see layer {number}"] = timed(f"see layer {number}", see, folder)

        def filter_figure():
            responses = inspection.filter_responses(model, batch, 2, 1)
            kernel = inspection.kernels(model, 2)[0][..., 0]
            return plots.filter_across_images(batch, responses, kernel, "filter")

        def kernels_figure():
            return plots.kernels_grid(inspection.kernels(model, 1)[0], "kernels")

        def explain_figure():
            cam = inspection.grad_cam(model, image)
            return plots.grad_cam(image, cam.heatmap, cam.probabilities, names, cam.class_index,
                                  "Grad-CAM")

        def summary_figure():
            rows = inspection.layer_table(model)
            return plots.architecture(rows, tuple(model.inputs[0].shape[1:]), run.recipe)

        for label, make in (("filter (16 images)", filter_figure), ("kernels", kernels_figure),
                            ("explain (Grad-CAM)", explain_figure),
                            ("summary diagram", summary_figure)):
            times[label] = timed(label, make, folder)
    slowest = max(times, key=times.get)
    print(f"slowest: {slowest} {times[slowest]:.2f} s — "
          f"{'all under' if times[slowest] < 2 else 'NOT all under'} 2 s")


if __name__ == "__main__":
    main()
