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
    # The tests' probe finds both precisions equally fast (tests/conftest.py).
    assert "--fast: batch 256" in result.stdout and "float32: bfloat16 only ×1.00 measured " \
        "here (batch 256)" in result.stdout
    fast = run_cli("recipes", "mnist-fast")
    assert "--fast" not in fast.stdout  # a fast recipe already
    assert run_cli("train", "--resume", "somewhere", "--fast").returncode == 2


def one_line_naming(result, *words) -> bool:
    lines = result.stderr.strip().splitlines()
    return len(lines) == 1 and lines[0].startswith("error: ") and all(w in lines[0]
                                                                      for w in words)


def test_an_option_that_does_not_apply_is_refused_by_name(tiny_run, tmp_path):
    """Tried as a new user would: `train catsdogs --recipe photos` once trained the course's
    network for 40 epochs without a word. Every option a command would ignore is refused."""
    refused = {
        ("train", "catsdogs", "--recipe", "photos"): ("--recipe photos",),
        ("train", "mnist", "--validation-split", "0.2"): ("--validation-split",),
        ("train", "mnist", "--no-cache"): ("--no-cache",),
        ("train", "--resume", tiny_run.path, "--seed", "3"): ("--resume",),
        ("kernels", tiny_run.path, "--force"): ("--force", "--out"),
        ("see", tiny_run.path, tmp_path / "x.png", "--data-dir", tmp_path): ("--data-dir",),
        ("filter", tiny_run.path, tmp_path / "x.png", "--images", "3"): ("--images",),
        ("see", tiny_run.path, tmp_path / "x.png", "--test-index", "3"): ("IMAGE",
                                                                          "--test-index"),
    }
    for args, words in refused.items():
        result = run_cli(*args)
        assert result.returncode in (1, 2) and one_line_naming(result, *words), (args, result)
    assert not list(tmp_path.iterdir())


def test_library_errors_name_the_command_line_s_options(tiny_run):
    """The library says `epochs=N`; the command line says --epochs N."""
    result = run_cli("train", "--resume", tiny_run.path)
    assert result.returncode == 1
    assert one_line_naming(result, "already trained 1/1 epochs", "pass --epochs N")

