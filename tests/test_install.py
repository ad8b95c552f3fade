"""Installing convscope keeps the backend a user already has, and says what to install when
there is none."""

from __future__ import annotations

import importlib.metadata

from helpers import run_cli

BACKENDS = ("tensorflow", "tensorflow-cpu", "jax", "jaxlib", "torch")


def _requirement_name(requirement: str) -> str:
    name = requirement.split(";")[0]
    for stop in "<>=!~[ (":
        name = name.split(stop)[0]
    return name.strip().lower()


def test_no_backend_is_installed_unless_an_extra_asks():
    """`pip install convscope` beside a CUDA TensorFlow (or JAX) must not replace it."""
    requirements = importlib.metadata.requires("convscope")
    plain = [r for r in requirements if "extra ==" not in r]
    assert not [r for r in plain if _requirement_name(r) in BACKENDS], plain
    extras = {}
    for r in requirements:
        if "extra ==" in r:
            extra = r.split("extra ==")[1].strip().strip("\"'")
            extras.setdefault(extra, []).append(_requirement_name(r))
    assert {"tensorflow", "tensorflow-cpu"} <= set(extras["cpu"])
    assert extras["gpu"] == ["tensorflow"] and "jax" in extras["jax"]


def test_the_installed_backend_is_chosen(monkeypatch):
    from convscope import _setup

    present = {"jax"}
    monkeypatch.setattr(_setup.importlib.util, "find_spec",
                        lambda name: object() if name in present else None)
    assert _setup._installed_backend() == "jax"
    present.clear()
    assert _setup._installed_backend() is None


def test_a_missing_backend_is_one_line_naming_the_extras():
    # a fresh process: this one has its backend already; `recipes` answers without Keras, so
    # a command that needs a model
    result = run_cli("train", "mnist", "--epochs", "1",
                     env={"KERAS_BACKEND": "tensorflow_missing"}, process=True)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
    assert "backend is not installed" in result.stderr and "convscope[cpu]" in result.stderr
