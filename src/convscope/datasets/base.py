"""The in-memory dataset shape shared by MNIST and CIFAR-10: uint8 images, integer labels."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np


@dataclass(frozen=True)
class ArrayDataset:
    """Train and test images as uint8 ``(N, H, W, C)`` arrays with integer labels.

    Pixels stay uint8 here (a quarter of the memory of float32); training scales them to [0, 1],
    as the course does with ``X_train / 255``.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str]
    files: dict[str, str] = field(default_factory=dict)  # path -> sha256, for the run's config

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return tuple(int(s) for s in self.x_train.shape[1:])

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    def limit(self, n: int | None) -> ArrayDataset:
        """Keep the first ``n`` training images (for quick trials); the test set is untouched."""
        if n is None or n >= len(self.x_train):
            return self
        return replace(self, x_train=self.x_train[:n], y_train=self.y_train[:n])

    def test_inputs(self, scale: float) -> np.ndarray:
        """The test images as the model takes them (``FolderDataset`` streams them instead)."""
        return self.x_test.astype(np.float32) * np.float32(scale)

    def describe(self) -> str:
        """Shapes and counts, printed once when a dataset is loaded."""
        h, w, c = self.input_shape
        return (
            f"{self.name}: {len(self.x_train):,} training and {len(self.x_test):,} test images, "
            f"{h}×{w}×{c}, {self.num_classes} classes ({', '.join(self.class_names)})"
        )
