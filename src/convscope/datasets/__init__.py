"""Datasets by name: where their files are found, how they are checked and loaded.

``load_dataset("mnist")`` (or ``"cifar10"``) returns an :class:`ArrayDataset`; see ``_files``
for the search order (``--data-dir``, then ``$CONVSCOPE_DATA``, then the user cache, then a
verified download).
"""

from __future__ import annotations

from ..errors import ConvscopeError
from ._files import cache_dir, candidate_dirs
from .base import ArrayDataset
from .cifar10 import load_cifar10
from .mnist import load_mnist

LOADERS = {"mnist": load_mnist, "cifar10": load_cifar10}


def load_dataset(name: str, data_dir=None, download: bool = True) -> ArrayDataset:
    """Load dataset ``name`` (one of ``LOADERS``) from local files or a verified download."""
    try:
        loader = LOADERS[name]
    except KeyError:
        raise ConvscopeError(
            f"unknown dataset {name!r}; known datasets: {', '.join(sorted(LOADERS))}"
        ) from None
    return loader(data_dir, download_missing=download)


__all__ = ["ArrayDataset", "LOADERS", "cache_dir", "candidate_dirs", "load_cifar10", "load_dataset",
           "load_mnist"]
