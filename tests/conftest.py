"""Shared fixtures. Real data comes from $CONVSCOPE_DATA (default: ../shared/datasets)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("CONVSCOPE_DATA", str((ROOT.parent / "shared" / "datasets").resolve()))
DATA = Path(os.environ["CONVSCOPE_DATA"])
MNIST_DIR = DATA / "mnist"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    """Never read or write the user's real cache: each test session gets its own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory):
    """A quick run: 1 epoch on 2,000 MNIST images (≈ 90 % test accuracy)."""
    import convscope

    out = tmp_path_factory.mktemp("runs") / "tiny"
    return convscope.train("mnist", epochs=1, limit=2000, seed=0, out=out, progress=False)
