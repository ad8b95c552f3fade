"""Datasets by name: where their files are found, how they are checked and loaded.

``load_dataset("mnist")`` (or ``"cifar10"``) returns an :class:`ArrayDataset`; see ``_files``
for the search order (``data_dir``, then ``$CONVSCOPE_DATA``, then the user cache, then a
verified download).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ConvscopeError, DataError
from ..events import Observer
from ._files import cache_dir, candidate_dirs
from .base import ArrayDataset
from .cifar10 import load_cifar10
from .mnist import load_mnist

LOADERS = {"mnist": load_mnist, "cifar10": load_cifar10}
# Datasets that are folders of photos in the course's layout (train/<class>, test/<class>),
# and where to get them. Nothing to download: Kaggle's archive needs an account, so
# `convscope prepare` makes the folders from it.
FOLDER_DATASET_SOURCES = {
    "catsdogs": "get train.zip from https://www.kaggle.com/c/dogs-vs-cats/data, split it into "
                "train/ and test/ with the prepare step (`prepare_catsdogs`), then pass that "
                "folder as `data_dir`",
}


def find_folder_dataset(name: str, data_dir=None) -> Path:
    """The first searched folder holding ``train/`` and ``test/`` for dataset ``name``."""
    looked = candidate_dirs(name, data_dir)
    for folder in looked:
        if (folder / "train").is_dir() and (folder / "test").is_dir():
            return folder
    raise DataError(f"no {name} photos found (looked for train/ and test/ in "
                    f"{', '.join(map(str, looked))}); {FOLDER_DATASET_SOURCES[name]}")


def load_dataset(name: str, data_dir=None, download: bool = True,
                 observer: Observer | None = None) -> ArrayDataset:
    """Load dataset ``name`` (one of ``LOADERS``) from local files or a verified download.

    ``observer`` receives the download's ``Progress`` and the loader's notices.
    """
    try:
        loader = LOADERS[name]
    except KeyError:
        raise ConvscopeError(
            f"unknown dataset {name!r}; known datasets: {', '.join(sorted(LOADERS))}",
            name=name
        ) from None
    return loader(data_dir, download_missing=download, observer=observer)


__all__ = ["ArrayDataset", "FOLDER_DATASET_SOURCES", "LOADERS", "cache_dir", "candidate_dirs",
           "find_folder_dataset", "load_cifar10", "load_dataset", "load_mnist"]
