"""How long `convscope report` takes to write each page, and how large the page is.

For each run directory (and for `--compare A B`, the two-run page): the library call timed in
this process after imports (what `train` would pay to write report.html at its end: Keras is
loaded, the run's model and data are not), with the time of each section, then the command's
wall time in a fresh process (what a user waits for, Python and TensorFlow start-up included).

    CONVSCOPE_DATA=../shared/datasets python benchmarks/report_speed.py runs/mnist-… \\
        --compare runs/cifar10-… runs/cifar10-nopool-… --out runs/reports

Target (issue 20): a few seconds for a finished MNIST run on a 2-core CPU; `train` writes
report.html by default only if that is under 5 % of the course program's wall time (≈ 8 s).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import convscope
from convscope.events import Collector, Progress
from convscope.hardware import cpu_name
from convscope.reports.page import SECTIONS


def section_times(events: list[tuple[float, Progress]], began: float, runs: int) -> list[str]:
    """Seconds per section, from the time each Progress event arrived."""
    names = (["comparison"] if runs > 1 else []) + \
        [name for _ in range(runs) for name in [k for k, _ in SECTIONS] + ["run"]]
    out, last = [], began
    for (when, _), name in zip(events, names, strict=False):
        out.append(f"{name} {when - last:.1f}")
        last = when
    return out


def in_process(targets: list[Path], out: Path, lang: str) -> tuple[float, float, list[str]]:
    """Wall and CPU seconds (all threads) of ``convscope.report``, and each section's."""
    timed: list[tuple[float, Progress]] = []
    collector = Collector()

    def observer(event):
        collector(event)
        if isinstance(event, Progress) and event.done:
            timed.append((time.perf_counter(), event))

    began, cpu = time.perf_counter(), time.process_time()
    convscope.report(targets if len(targets) > 1 else targets[0], out, lang=lang,
                     overwrite=True, observer=observer)
    return (time.perf_counter() - began, time.process_time() - cpu,
            section_times(timed, began, len(targets)))


def fresh_process(targets: list[Path], out: Path, lang: str) -> float:
    began = time.perf_counter()
    subprocess.run([sys.executable, "-m", "convscope", "report", *map(str, targets), "--out",
                    str(out), "--lang", lang, "--force", "--quiet"], check=True,
                   capture_output=True)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="*", type=Path, help="run directories, one page each")
    parser.add_argument("--compare", nargs="+", type=Path, default=None,
                        help="run directories for one comparison page")
    parser.add_argument("--out", type=Path, default=Path("runs/reports"))
    parser.add_argument("--lang", default="en")
    parser.add_argument("--repeat", type=int, default=1, help="time each page this many times")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    import keras  # noqa: F401  (imports are not what is timed in-process)

    pages = [([run], args.out / f"{run.name}.html") for run in args.runs]
    if args.compare:
        pages.append((args.compare, args.out / ("-vs-".join(r.name for r in args.compare)
                                                + ".html")))
    print(f"CPU: {cpu_name()} ({os.cpu_count()} cores); load average "
          f"{os.getloadavg()[0]:.1f} at start")
    for targets, out in [page for page in pages for _ in range(args.repeat)]:
        seconds, cpu, sections = in_process(targets, out, args.lang)
        wall = fresh_process(targets, out, args.lang)
        size = out.stat().st_size
        print(f"{out.name}: {seconds:.1f} s in process, CPU {cpu:.1f} s ({', '.join(sections)});"
              f" command {wall:.1f} s; {size / 2**20:.2f} MiB; load {os.getloadavg()[0]:.1f}",
              flush=True)


if __name__ == "__main__":
    main()
