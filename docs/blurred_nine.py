"""The figure docs/blurred-nine.png: soft 9s prepared before and after issue 31.

    git show 7b99554:src/convscope/datasets/digits.py > /tmp/digits_before.py
    python docs/blurred_nine.py RUN /tmp/digits_before.py

Each row: the picture, what the network received from it with the preparation before issue 31
(the file given) and with today's, each with the run's reading. The 9s: a pen 9 blurred by a
Gaussian of a tenth of its height (drawn by the yardstick's code with its own seed), and the
two pixelated 9s of the foreign-digit yardstick that the old preparation misread.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from foreign_digits import _blurred, _pen_digit, foreign_digits  # noqa: E402

import convscope  # noqa: E402
from convscope.datasets.digits import digit_as_mnist  # noqa: E402


def nines(run, before):
    rng = np.random.default_rng([9, 20])
    ink, _ = _pen_digit(9, rng, 240)
    yield "blurred (σ = a tenth of its height)", _blurred(ink, rng)
    pixelated = [s for s in foreign_digits(50) if s.medium == "pixelated" and s.label == 9]
    misread = [s for s in pixelated if _reading(run, before.digit_as_mnist(s.image)) != 9]
    for sample in misread[:2]:
        yield f"pixelated ({sample.style})", sample.image


def _reading(run, digit) -> int:
    return int(run.predict_arrays(digit[None, ..., None])[0].argmax())


def main() -> None:
    run = convscope.load_run(sys.argv[1])
    spec = importlib.util.spec_from_file_location("convscope.datasets.digits_before", sys.argv[2])
    before = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(before)
    rows = list(nines(run, before))
    fig, axes = plt.subplots(len(rows), 3, figsize=(7.5, 2.6 * len(rows)))
    for (name, image), ax in zip(rows, axes, strict=True):
        ax[0].imshow(image.convert("L"), cmap="gray", vmin=0, vmax=255)
        ax[0].set_title(name, fontsize=9)
        for a, prepare, when in ((ax[1], before.digit_as_mnist, "before"),
                                 (ax[2], digit_as_mnist, "after")):
            digit = prepare(image)
            p = run.predict_arrays(digit[None, ..., None])[0]
            a.imshow(digit, cmap="gray", vmin=0, vmax=1)
            a.set_title(f"{when}: read {p.argmax()} ({p.max():.0%})", fontsize=9)
        for a in ax:
            a.set_xticks([]), a.set_yticks([])
    fig.tight_layout()
    fig.savefig(HERE / "blurred-nine.png", dpi=100)


if __name__ == "__main__":
    main()
