"""Write a few CIFAR-10 classes out as a photo folder, the layout `convscope train folder` reads.

A second small photo task for the photo recipes, made from data on hand: by default cats, dogs
and horses, 1,000 training and 500 test photos per class as in the shared cats vs dogs, PNG
files of 32×32 pixels in OUT/train/<class>/ and OUT/test/<class>/.

    CONVSCOPE_DATA=../shared/datasets python benchmarks/cifar_folder.py /tmp/cifar-pets
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image

from convscope.datasets import load_dataset


def write_folder(out: Path, classes: list[str], train: int, test: int, seed: int = 0) -> Path:
    data = load_dataset("cifar10")
    rng = np.random.default_rng(seed)
    for part, x, y, count in (("train", data.x_train, data.y_train, train),
                              ("test", data.x_test, data.y_test, test)):
        for name in classes:
            label = data.class_names.index(name)
            picks = rng.permutation(np.flatnonzero(y == label))[:count]
            folder = out / part / name
            folder.mkdir(parents=True, exist_ok=True)
            for i in picks:
                Image.fromarray(x[i]).save(folder / f"{name}.{i}.png")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--classes", nargs="+", default=["cat", "dog", "horse"])
    parser.add_argument("--train", type=int, default=1000, help="training photos per class")
    parser.add_argument("--test", type=int, default=500, help="test photos per class")
    args = parser.parse_args()
    if args.out.exists() and any(args.out.iterdir()):
        parser.error(f"{args.out}: already exists and is not empty")
    print(write_folder(args.out, args.classes, args.train, args.test))


if __name__ == "__main__":
    main()
