"""Shared fixtures. Real data comes from $CONVSCOPE_DATA (default: ../shared/datasets)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("CONVSCOPE_DATA", str((ROOT.parent / "shared" / "datasets").resolve()))
DATA = Path(os.environ["CONVSCOPE_DATA"]).resolve()  # file URIs of its files need it absolute
MNIST_DIR = DATA / "mnist"


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory):
    """Never read or write the user's real cache: each test session gets its own.

    Session-scoped and autouse, so it is in place before any other session fixture trains.
    """
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.getbasetemp() / "cache")
    yield
    if before is None:
        del os.environ["XDG_CACHE_HOME"]
    else:
        os.environ["XDG_CACHE_HOME"] = before


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory):
    """A quick run: 1 epoch on 2,000 MNIST images (≈ 90 % test accuracy)."""
    import convscope

    out = tmp_path_factory.mktemp("runs") / "tiny"
    return convscope.train("mnist", epochs=1, limit=2000, seed=0, out=out, progress=False)
