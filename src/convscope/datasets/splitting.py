"""The seeded, per-class (stratified) train/test split: one rule for every split convscope makes.

``prepare`` uses it to copy photos into train/ and test/, ``load_folder`` to hold out a
validation split of a folder-per-class set; the same seed, photos and fraction give the same
split in both.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import DataError


def stratified_split(labels, class_names: list[str], fraction: float, seed: int, where: Path,
                     limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(train, test) indices into ``labels``, each sorted: ``fraction`` of each class for testing.

    Classes are drawn in the order of ``class_names`` from one generator seeded with ``seed``,
    one permutation of each class's members (in the order they hold in ``labels``); the first
    ``limit`` of it are used (all by default), of which the first ``round(n × fraction)`` go to
    test. Rounding is half up (2.5 → 3), not Python's half-to-even. A class of fewer than 2
    photos, or whose train or test part would be empty, is a DataError naming it (``where``
    names the source).
    """
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    train, test = [], []
    for label, name in enumerate(class_names):
        members = np.flatnonzero(labels == label)
        use = len(members) if limit is None else min(len(members), limit)
        if use < 2:
            raise DataError(f"{where}: class {name!r} has {len(members)} usable photo(s); at "
                            "least 2 are needed to split it into train and test")
        n_test = int(use * fraction + 0.5)
        if not 0 < n_test < use:
            empty = "test" if n_test == 0 else "train"
            raise DataError(f"{where}: {use} photos of class {name!r} with a test fraction of "
                            f"{fraction:g} leave its {empty} part empty; use more photos or "
                            "another fraction")
        order = rng.permutation(members)[:use]
        test.append(order[:n_test])
        train.append(order[n_test:])
    return _sorted(train), _sorted(test)


def _sorted(parts: list[np.ndarray]) -> np.ndarray:
    if not parts:
        return np.zeros(0, dtype=np.int64)
    return np.sort(np.concatenate(parts)).astype(np.int64)
