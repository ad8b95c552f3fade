"""The one dataset interface: what training, evaluation, figures and the app need of a dataset,
whatever holds its images, and its in-memory kind (MNIST, CIFAR-10).

Images are uint8 ``(N, H, W, C)`` array-likes (a photo folder's decode what is indexed), labels
integers. Training reads them as ``training_batches`` (a new order each epoch), evaluation as
``test_inputs``; a figure or the app indexes ``x_test`` and names an image with
``test_name``. ``FolderDataset`` (``folders``) is the other kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np


class Dataset:
    """Train and test images with their labels and class names (see the module's docstring)."""

    name: str
    class_names: list[str]
    # Whether its images were decoded from photo files: a user's picture is then prepared as
    # a photo too, whatever the recipe would do with its own dataset.
    photos: bool = False

    # x_train, y_train, x_test, y_test: the images and labels (attributes or properties)

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return tuple(int(s) for s in self.x_train.shape[1:])

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def skipped(self) -> list:
        """Files left out, with reasons (photo folders only)."""
        return []

    def training_batches(self, batch_size: int, scale: float, seed: int, first_epoch: int,
                         epochs: int, augmentation=None, observer=None):
        """The training images for ``model.fit``, epoch after epoch from ``first_epoch`` to
        ``epochs``, each in its own seeded order (see ``batches.EpochBatches``)."""
        from .batches import EpochBatches

        return EpochBatches(self._read_training, len(self.y_train), batch_size, scale, seed,
                            first_epoch, epochs, augmentation, observer)

    def _read_training(self, picks: np.ndarray, observer=None):
        return self.x_train[picks], self.y_train[picks]

    def test_name(self, i: int) -> str:
        """How a test image is named on a page: its number (or its file's name)."""
        return f"#{i}"

    def manifest(self) -> dict | None:
        """The exact files of each part, for the run's ``files.json`` (photo folders)."""
        return None

    def record(self, cache: bool) -> dict:
        """What ``config.json`` keeps of the data: the files' fingerprints (and for photo
        folders where they were and how they were split)."""
        return {"files": self.files}

    def close(self) -> None:
        """Let go of open files (photo folders' caches)."""


@dataclass(frozen=True)
class ArrayDataset(Dataset):
    """Train and test images as uint8 ``(N, H, W, C)`` arrays with integer labels.

    Pixels stay uint8 here (a quarter of the memory of float32); training scales them to [0, 1],
    as the course does with ``X_train / 255``, one batch at a time.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str]
    files: dict[str, str] = field(default_factory=dict)  # path -> sha256, for the run's config

    def limit(self, n: int | None) -> ArrayDataset:
        """Keep the first ``n`` training images (for quick trials); the test set is untouched."""
        if n is None or n >= len(self.x_train):
            return self
        return replace(self, x_train=self.x_train[:n], y_train=self.y_train[:n])

    def test_inputs(self, scale: float) -> np.ndarray:
        """The test images as the model takes them."""
        return self.x_test.astype(np.float32) * np.float32(scale)

    def describe(self) -> str:
        """Shapes and counts, printed once when a dataset is loaded."""
        h, w, c = self.input_shape
        return (
            f"{self.name}: {len(self.x_train):,} training and {len(self.x_test):,} test images, "
            f"{h}×{w}×{c}, {self.num_classes} classes ({', '.join(self.class_names)})"
        )
