"""``convscope scan``: decode every photo of a folder once, and report counts, sizes and skips.

Checking before training shows damaged, truncated and mislabelled files early, and fills the
image cache, so that training at the same size starts without decoding.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..events import Observer
from .finding import Skipped
from .photo_files import ImageFiles, image_files


@dataclass
class ScanReport:
    """What ``convscope scan`` found: the readable photos of each part, and what was skipped."""

    root: Path
    parts: dict[str, ImageFiles]

    @property
    def skipped(self) -> list[Skipped]:
        return [s for part in self.parts.values() for s in part.skipped]

    def rows(self) -> list[dict]:
        """Per part and class: count and the photos' original width and height statistics."""
        rows = []
        for part_name, part in self.parts.items():
            for label, name in enumerate(part.class_names):
                members = np.flatnonzero(part.labels == label)
                sizes = np.array([part.sizes[i] for i in members]).reshape(-1, 2)
                row = {"part": part_name, "class": name, "photos": int(len(members))}
                for axis, key in ((0, "width"), (1, "height")):
                    values = sizes[:, axis] if len(sizes) else np.zeros(1, dtype=int)
                    row[key] = {"min": int(values.min()), "median": int(np.median(values)),
                                "max": int(values.max())}
                rows.append(row)
        return rows


def scan_folder(root, shape: tuple[int, int, int] = (64, 64, 3), *, cache: bool = True,
                observer: Observer | None = None) -> ScanReport:
    """Check every photo under ``root`` (course layout or ``root/<class>``) by decoding it.

    Decoded photos go to the cache at ``shape``, so a training run at that size starts warm.
    ``observer`` receives the checks' ``Progress`` and one ``PhotoSkipped`` for each file
    left out (the report's ``skipped`` lists the same files).
    """
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"{root}: no such folder")
    if (root / "train").is_dir() and (root / "test").is_dir():
        train = image_files(root / "train", shape, None, cache, observer)
        test = image_files(root / "test", shape, train.class_names, cache, observer)
        parts = {"train": train, "test": test}
    else:
        parts = {"all": image_files(root, shape, None, cache, observer)}
    try:
        checked = {name: part.check(observer, f"checking {len(part):,} {name} photos")
                   for name, part in parts.items()}
    finally:
        for part in parts.values():
            if part.cache is not None:
                part.cache.close()
    return ScanReport(root, checked)
