"""Shared fixtures.

The tests read a synthetic MNIST made for the session (``synthetic.write_mnist``): digits
drawn by code, learnt in seconds. The real datasets (``REAL_DATA``: ``$CONVSCOPE_DATA``,
default ``../shared/datasets``) are read by the tests marked ``slow``, which measure, and by
the few that check the real files themselves; CIFAR-10 and the cats-vs-dogs photos are only
real.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Resolved here, once: a relative $CONVSCOPE_DATA means the folder the tests started in.
REAL_DATA = Path(os.environ.get("CONVSCOPE_DATA",
                                ROOT.parent / "shared" / "datasets")).resolve()
REAL_MNIST = REAL_DATA / "mnist"


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


@pytest.fixture(scope="session", autouse=True)
def real_precision_probe():
    """No test times the machine: the precision probe (``convscope.precision.measure``)
    finds float32 and bfloat16 equally fast, so ``auto`` keeps float32. Gives the real probe,
    which ``tests/test_precision.py`` runs on a fake clock."""
    from convscope import precision

    real = precision.measure
    precision.measure = lambda network, batch_size, timer=None: dict.fromkeys(
        precision.PRECISIONS, 1000.0)
    yield real
    precision.measure = real


@pytest.fixture(scope="session", autouse=True)
def data_root(tmp_path_factory, _private_cache) -> Path:
    """``$CONVSCOPE_DATA`` for the session: a synthetic MNIST (3,000 training and 1,000 test
    digits), and the real CIFAR-10 and cats-vs-dogs photos linked beside it."""
    from synthetic import write_mnist

    root = tmp_path_factory.mktemp("data")
    write_mnist(root / "mnist")
    for name in ("cifar10", "catsdogs"):
        if (REAL_DATA / name).exists():
            (root / name).symlink_to(REAL_DATA / name)
    before = os.environ.get("CONVSCOPE_DATA")
    os.environ["CONVSCOPE_DATA"] = str(root)
    yield root
    if before is None:
        del os.environ["CONVSCOPE_DATA"]
    else:
        os.environ["CONVSCOPE_DATA"] = before


@pytest.fixture(scope="session")
def mnist_dir(data_root) -> Path:
    """The session's synthetic MNIST files."""
    return data_root / "mnist"


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory, data_root):
    """A quick run: 1 epoch on 2,000 synthetic digits (≈ 97 % test accuracy)."""
    import convscope

    out = tmp_path_factory.mktemp("runs") / "tiny"
    return convscope.train("mnist", epochs=1, limit=2000, seed=0, out=out, progress=False)


@pytest.fixture(scope="session")
def digits_run(tmp_path_factory, data_root):
    """The `digits` recipe, 1 epoch on 2,000 synthetic digits: random distortion and dropout
    layers, computing in bfloat16 where the CPU has AMX."""
    import convscope

    out = tmp_path_factory.mktemp("runs") / "digits"
    return convscope.train("digits", epochs=1, limit=2000, seed=0, out=out, progress=False,
                           report=False)


@pytest.fixture(scope="session")
def shapes_run(tmp_path_factory):
    """The `photos` recipe, 2 epochs on synthetic discs and squares: random moves and dropout,
    one sigmoid output, predictions averaged with the mirror image's."""
    from exporting import shapes_folder

    import convscope

    folder = shapes_folder(tmp_path_factory.mktemp("shapes"))
    out = tmp_path_factory.mktemp("runs") / "shapes"
    return convscope.train("photos", folder=folder, epochs=2, seed=0, out=out, progress=False,
                           report=False)
