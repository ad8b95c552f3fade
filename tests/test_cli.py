"""The command line: help, versions, listings, and one-line errors with meaningful exits."""

from __future__ import annotations

from helpers import run_cli


def test_help_and_version():
    """Through a real ``python -m convscope``: the module runs the same command."""
    result = run_cli("--help", process=True)
    assert result.returncode == 0
    for command in ("recipes", "train", "evaluate", "predict"):
        assert command in result.stdout
    assert run_cli("--version", process=True).stdout.startswith("convscope ")


def test_recipes_lists_name_dataset_shape_and_parameters():
    result = run_cli("recipes")
    assert result.returncode == 0
    line = next(line for line in result.stdout.splitlines() if line.startswith("mnist"))
    assert "28×28×1" in line and "130,394" in line


def test_unknown_recipe_is_one_line_and_exit_1():
    result = run_cli("train", "nope")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "unknown recipe 'nope'" in result.stderr


def test_bad_value_is_a_usage_error():
    result = run_cli("train", "mnist", "--epochs", "0")
    assert result.returncode == 2


def test_not_a_run_directory(tmp_path):
    result = run_cli("evaluate", tmp_path)
    assert result.returncode == 1
    assert f"{tmp_path}: not a run directory" in result.stderr


def test_missing_data_is_a_clear_error(tmp_path):
    env = {"CONVSCOPE_DATA": str(tmp_path / "none"), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           # no network in tests: make any download attempt fail fast
           "https_proxy": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9"}
    result = run_cli("train", "mnist", "--out", tmp_path / "run", env=env)
    assert result.returncode == 1
    assert "MNIST not found (looked in" in result.stderr and "Traceback" not in result.stderr


def test_recipes_shows_what_fast_changes():
    result = run_cli("recipes", "mnist")
    assert result.returncode == 0
    assert "--fast: batch 256" in result.stdout and "bfloat16 where fast" in result.stdout
    fast = run_cli("recipes", "mnist-fast")
    assert "--fast" not in fast.stdout  # a fast recipe already
    assert run_cli("train", "--resume", "somewhere", "--fast").returncode == 2
