"""What the export tests share: a small folder of synthetic photos, pictures of a digit drawn
as a person would draw one, and the standalone example run as a user runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw


def shapes_folder(root: Path, train: int = 40, test: int = 20, seed: int = 0) -> Path:
    """``root/{train,test}/{discs,squares}/``: a coloured disc or square on a varied
    background, 64×64 or larger and not square, as PNG and JPEG."""
    rng = np.random.default_rng(seed)
    for part, count in (("train", train), ("test", test)):
        for kind in ("discs", "squares"):
            folder = root / part / kind
            folder.mkdir(parents=True)
            for i in range(count):
                picture = shape_picture(kind, rng)
                picture.save(folder / f"{i}.{'jpg' if i % 2 else 'png'}", quality=92)
    return root


def shape_picture(kind: str, rng: np.random.Generator) -> Image.Image:
    width, height = int(rng.integers(64, 120)), int(rng.integers(64, 120))
    background = tuple(int(v) for v in rng.integers(0, 120, 3))
    picture = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(picture)
    size = int(rng.integers(18, 30))
    x, y = int(rng.integers(size, width - size)), int(rng.integers(size, height - size))
    colour = tuple(int(v) for v in rng.integers(130, 256, 3))
    box = (x - size, y - size, x + size, y + size)
    (draw.ellipse if kind == "discs" else draw.rectangle)(box, fill=colour)
    return picture


def run_example(folder: Path, pictures: list[Path]) -> list[tuple[str, dict[str, float]]]:
    """``python predict.py PICTURES`` in an export folder, as a user runs it (a fresh Python,
    convscope not importable); each picture's class and probabilities."""
    done = subprocess.run([sys.executable, "-I", str(folder / "predict.py"),
                           *map(str, pictures)], capture_output=True, text=True, cwd=folder,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    answers = []
    for line in done.stdout.splitlines():
        _, rest = line.split(": ", 1)
        label = rest.split(" (", 1)[0]
        probabilities = dict(part.rsplit(":", 1) for part in rest.split("   ", 1)[1].split())
        answers.append((label, {k: float(v) for k, v in probabilities.items()}))
    return answers
