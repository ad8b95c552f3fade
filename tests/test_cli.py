"""The command line: help, versions, listings, and one-line errors with meaningful exits."""

from __future__ import annotations

import subprocess
import sys


def convscope(*args):
    return subprocess.run([sys.executable, "-m", "convscope", *args], capture_output=True,
                          text=True)


def test_help_and_version():
    result = convscope("--help")
    assert result.returncode == 0
    for command in ("recipes", "train", "evaluate", "predict"):
        assert command in result.stdout
    assert convscope("--version").stdout.startswith("convscope ")


def test_recipes_lists_name_dataset_shape_and_parameters():
    result = convscope("recipes")
    assert result.returncode == 0
    line = next(line for line in result.stdout.splitlines() if line.startswith("mnist"))
    assert "28×28×1" in line and "130,394" in line


def test_unknown_recipe_is_one_line_and_exit_1():
    result = convscope("train", "nope")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "unknown recipe 'nope'" in result.stderr


def test_bad_value_is_a_usage_error():
    result = convscope("train", "mnist", "--epochs", "0")
    assert result.returncode == 2


def test_not_a_run_directory(tmp_path):
    result = convscope("evaluate", str(tmp_path))
    assert result.returncode == 1
    assert f"{tmp_path}: not a run directory" in result.stderr


def test_missing_data_is_a_clear_error(tmp_path):
    import os

    env = {**os.environ, "CONVSCOPE_DATA": str(tmp_path / "none"),
           "XDG_CACHE_HOME": str(tmp_path / "cache"),
           # no network in tests: make any download attempt fail fast
           "https_proxy": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9"}
    result = subprocess.run([sys.executable, "-m", "convscope", "train", "mnist", "--out",
                             str(tmp_path / "run")], capture_output=True, text=True, env=env)
    assert result.returncode == 1
    assert "MNIST not found (looked in" in result.stderr and "Traceback" not in result.stderr


def test_recipes_shows_what_fast_changes():
    result = convscope("recipes", "mnist")
    assert result.returncode == 0
    assert "--fast: batch 256" in result.stdout and "bfloat16 where fast" in result.stdout
    fast = convscope("recipes", "mnist-fast")
    assert "--fast" not in fast.stdout  # a fast recipe already
    assert convscope("train", "--resume", "somewhere", "--fast").returncode == 2
