"""convscope's photo pipeline against Keras's two folder readers, side by side in one run.

For each folder — the shared cats and dogs training photos, and a generated folder of large
(1600×1200) JPEGs — one pass over every photo, resized to 64×64 in batches of 32, by:

- convscope, first epoch: scan, decode in parallel threads with JPEG draft mode, fill the
  on-disk cache, then stream the batches (an empty cache, so nothing is reused);
- convscope, cached epoch: the same batches read back from the cache;
- ``keras.utils.image_dataset_from_directory`` (tf.data, parallel decode), first and second
  epoch (it has no cache);
- ``ImageDataGenerator.flow_from_directory`` (the course's reader, now in Keras's legacy
  package).

Each reader runs in its own process, so its peak memory (maximum resident set size) is its own.
convscope also runs on 1,000 and 5,000 of the large photos: flat memory means the same peak.
Last, the ``catsdogs`` network trains one epoch on streamed, cached batches and one on the same
photos held in memory: the step time ratio shows whether training waits for its input.

    CONVSCOPE_DATA=../shared/datasets python benchmarks/photo_pipeline.py --json results.json

Targets (issue 5): first epoch ≥ 2× image_dataset_from_directory, cached epochs ≥ 10×,
memory flat in the number of photos, streamed training within 10 % of in-memory training.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SIZE = (64, 64)
BATCH = 32


def cpu_name() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- readers, each run by a worker process -------------------------------------------------

def read_convscope(folder: Path) -> dict:
    from convscope.datasets.folders import FolderDataset, image_files

    began = time.perf_counter()
    part = image_files(folder, (*SIZE, 3), None, cache=True)
    part = part.check()
    batches = part.batches(np.arange(len(part)), BATCH, 1 / 255)
    first = _iterate_py_dataset(batches, began)
    began = time.perf_counter()
    cached = _iterate_py_dataset(part.batches(np.arange(len(part)), BATCH, 1 / 255), began)
    FolderDataset("bench", part, part, "folders").close()
    return {"images": len(part), "first_seconds": first, "cached_seconds": cached}


def _iterate_py_dataset(batches, began: float) -> float:
    """One pass the way Keras's fit consumes a PyDataset (background workers, queue)."""
    from keras.src.trainers.data_adapters.py_dataset_adapter import PyDatasetAdapter

    adapter = PyDatasetAdapter(batches)
    seen = 0
    for x, _ in adapter.get_numpy_iterator():
        seen += len(x)
    adapter.on_epoch_end()
    return time.perf_counter() - began


def read_image_dataset(folder: Path) -> dict:
    import keras

    began = time.perf_counter()
    ds = keras.utils.image_dataset_from_directory(folder, image_size=SIZE, batch_size=BATCH,
                                                  shuffle=False, verbose=False)
    ds = ds.map(lambda x, y: (x / 255.0, y))
    times = []
    for _ in range(2):
        n = 0
        for x, _ in ds:
            n += int(x.shape[0])
        times.append(time.perf_counter() - began)
        began = time.perf_counter()
    return {"images": n, "first_seconds": times[0], "cached_seconds": times[1]}


def read_flow_from_directory(folder: Path) -> dict:
    from keras.src.legacy.preprocessing.image import ImageDataGenerator

    began = time.perf_counter()
    flow = ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        folder, target_size=SIZE, batch_size=BATCH, class_mode="binary", shuffle=False)
    n = 0
    for i in range(len(flow)):
        n += len(flow[i][0])
    return {"images": n, "first_seconds": time.perf_counter() - began}


def train_step_ratio(folder: Path) -> dict:
    """Seconds per epoch of catsdogs on streamed (cached) batches vs on arrays in memory."""
    import keras

    from convscope.datasets.folders import image_files
    from convscope.models import build_model

    part = image_files(folder, (64, 64, 3), None, cache=True).check()
    x = part[np.arange(len(part))].astype(np.float32) / 255
    y = part.labels
    order = np.random.default_rng(0).permutation(len(part))
    result = {}
    for round_ in range(2):  # alternated, the second round counts (warm)
        for kind in ("memory", "streamed"):
            keras.utils.set_random_seed(0)
            model = build_model("catsdogs")
            if kind == "memory":
                data = {"x": x[order], "y": y[order], "batch_size": BATCH}
            else:
                data = {"x": part.batches(order, BATCH, 1 / 255)}
            model.fit(**data, epochs=1, verbose=0, shuffle=False)  # builds and traces
            began = time.perf_counter()
            model.fit(**data, epochs=1, verbose=0, shuffle=False)
            if round_ == 1:
                result[f"{kind}_seconds"] = time.perf_counter() - began
    result["streamed_over_memory"] = result["streamed_seconds"] / result["memory_seconds"]
    return result


WORKERS = {"convscope": read_convscope, "image_dataset_from_directory": read_image_dataset,
           "flow_from_directory": read_flow_from_directory, "training": train_step_ratio}


def run_worker(kind: str, folder: Path, cache_home: Path) -> dict:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home), "TF_CPP_MIN_LOG_LEVEL": "3"}
    out = subprocess.run([sys.executable, __file__, "--worker", kind, str(folder)], env=env,
                         capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"{kind} on {folder} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- the generated folder of large photos --------------------------------------------------

def make_large_photos(root: Path, count: int, distinct: int = 60) -> Path:
    """``count`` 1600×1200 JPEGs in root/{a,b}: smooth scenes with shapes (≈ camera file sizes).

    ``distinct`` different pictures are drawn and copied under new names (decoding cost is the
    same; drawing 5,000 would take longer than the benchmark).
    """
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(0)
    root.mkdir(parents=True, exist_ok=True)
    bases = []
    yy, xx = np.mgrid[0:1200, 0:1600].astype(np.float32)
    for i in range(distinct):
        colour = rng.uniform(0, 255, (3, 3))
        base = np.stack([c[0] + (c[1] - c[0]) * xx / 1600 + (c[2] - c[0]) * yy / 1200 / 2
                         for c in colour], axis=-1)
        img = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))
        draw = ImageDraw.Draw(img)
        for _ in range(12):
            x0, y0 = rng.integers(0, 1400), rng.integers(0, 1000)
            draw.ellipse([x0, y0, x0 + rng.integers(50, 400), y0 + rng.integers(50, 400)],
                         fill=tuple(int(v) for v in rng.integers(0, 255, 3)))
        # Grain that brings the files to the shared photos' bit rate (≈ 1.2 bits per pixel,
        # ≈ 280 KB at quality 90): JPEG decoding time follows the bytes to decode.
        noise = rng.normal(0, 4, (1200, 1600, 3))
        img = Image.fromarray(np.clip(np.asarray(img) + noise, 0, 255).astype(np.uint8))
        path = root / f"base{i}.jpg"
        img.save(path, quality=90)
        bases.append(path)
    for cls in ("a", "b"):
        (root / cls).mkdir(parents=True, exist_ok=True)
    for n in range(count):
        shutil.copyfile(bases[n % distinct], root / ("a" if n % 2 else "b") / f"photo{n}.jpg")
    for path in bases:
        path.unlink()
    return root


def subset(root: Path, target: Path, count: int) -> Path:
    """The first ``count`` photos of ``root`` as hard links in ``target``."""
    for cls in ("a", "b"):
        (target / cls).mkdir(parents=True, exist_ok=True)
        for path in sorted((root / cls).iterdir())[: count // 2]:
            os.link(path, target / cls / path.name)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=Path, help="Folder of class folders (default: "
                        "$CONVSCOPE_DATA/catsdogs/train).")
    parser.add_argument("--large", type=int, default=5000, help="Generated 1600×1200 JPEGs.")
    parser.add_argument("--json", type=Path, help="Also write the results here.")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, folder = args.worker
        result = WORKERS[kind](Path(folder))
        print(json.dumps({**result, "peak_mib": peak_mib()}))
        return

    photos = args.photos or Path(os.environ.get("CONVSCOPE_DATA", "")) / "catsdogs" / "train"
    if not photos.is_dir():
        sys.exit(f"{photos}: no such folder; pass --photos or set CONVSCOPE_DATA")
    print(f"CPU: {cpu_name()}, {os.cpu_count()} cores")
    results = {"cpu": cpu_name(), "cores": os.cpu_count(), "sets": {}}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        print(f"generating {args.large:,} large JPEGs…", flush=True)
        large = make_large_photos(tmp / "large", args.large)
        small_large = subset(large, tmp / "large-1000", 1000)
        sets = {"shared photos": photos, f"{args.large:,} large JPEGs": large}
        for label, folder in sets.items():
            row = {}
            for kind in ("convscope", "image_dataset_from_directory", "flow_from_directory"):
                row[kind] = run_worker(kind, folder, tmp / f"cache-{kind}-{len(row)}-{label[:3]}")
                print(f"  {label}: {kind} done", flush=True)
            results["sets"][label] = row
        results["memory"] = {
            "1,000 large JPEGs": run_worker("convscope", small_large, tmp / "cache-m1")["peak_mib"],
            f"{args.large:,} large JPEGs": results["sets"][f"{args.large:,} large JPEGs"]
            ["convscope"]["peak_mib"],
        }
        results["training"] = run_worker("training", photos, tmp / "cache-train")

    print()
    print(f"{'folder':<20} {'reader':<30} {'first img/s':>12} {'later img/s':>12} "
          f"{'peak MiB':>9}")
    for label, row in results["sets"].items():
        base = row["image_dataset_from_directory"]
        for kind, r in row.items():
            first = r["images"] / r["first_seconds"]
            later = r["images"] / r["cached_seconds"] if "cached_seconds" in r else float("nan")
            print(f"{label:<20} {kind:<30} {first:>12,.0f} {later:>12,.0f} {r['peak_mib']:>9,.0f}")
        ours = row["convscope"]
        r_first = base["first_seconds"] / ours["first_seconds"]
        r_later = base["cached_seconds"] / ours["cached_seconds"]
        row["ratios"] = {"first_epoch": r_first, "cached_epoch": r_later}
        print(f"{'':<20} convscope / image_dataset_from_directory: first epoch ×{r_first:.1f}"
              f" (target ≥ 2), cached epoch ×{r_later:.1f} (target ≥ 10)")
    print("convscope peak memory: " + ", ".join(f"{k} {v:,.0f} MiB"
                                                for k, v in results["memory"].items()))
    t = results["training"]
    print(f"catsdogs, one epoch: streamed {t['streamed_seconds']:.1f} s, in memory "
          f"{t['memory_seconds']:.1f} s → ×{t['streamed_over_memory']:.2f} (target ≤ 1.10)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
