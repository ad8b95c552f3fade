"""What a newcomer meets first: the data found from any folder, answers before Keras starts,
and small messages that say what happened (issue 30)."""

from __future__ import annotations

import os
import subprocess
import sys

from helpers import run_cli

import convscope
from convscope.events import Collector, Notice


def python(code: str, *, cwd, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True,
                          text=True, env={**os.environ, **env}, timeout=300)


def test_a_relative_convscope_data_means_the_folder_it_was_set_in(data_root, tmp_path):
    """``export CONVSCOPE_DATA=../data`` then a change of folder (the app's fixture, a
    notebook's ``%cd``) must still find the data: it is resolved once, when read."""
    start = tmp_path / "project"
    start.mkdir()
    relative = os.path.relpath(data_root, start)
    assert not os.path.isabs(relative)
    code = ("import os, convscope; os.chdir('/'); "
            "from convscope.datasets import load_dataset; "
            "d = load_dataset('mnist', download=False); "
            "print(os.environ['CONVSCOPE_DATA'], d.num_classes)")
    done = python(code, cwd=start, env={"CONVSCOPE_DATA": relative})
    assert done.returncode == 0, done.stderr
    where, classes = done.stdout.split()
    assert where == str(data_root.resolve()) and classes == "10"


def test_names_and_lists_answer_without_starting_keras(tmp_path):
    """``recipes``, ``--help``, ``--version`` and a misspelled recipe never import TensorFlow or
    Keras: they answer in well under a second instead of five. (``recipes NAME`` does: it says
    the precision measured for the recipe on this machine, which takes the network.)"""
    code = ("import sys; from typer.testing import CliRunner; from convscope.cli import app; "
            "r = CliRunner(); "
            "outs = [r.invoke(app, a) for a in (['recipes'], ['--help'], ['train', 'mnsit'], "
            "['--version'])]; "
            "print([o.exit_code for o in outs], "
            "sorted(m for m in ('keras', 'tensorflow', 'jax') if m in sys.modules))")
    done = python(code, cwd=tmp_path, env={})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[0, 0, 1, 0] []"


def test_a_misspelled_recipe_gets_did_you_mean():
    result = run_cli("train", "mnsit")
    assert result.returncode == 1
    assert "unknown recipe 'mnsit'; did you mean 'mnist'?" in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_a_misspelled_command_gets_did_you_mean():
    result = run_cli("trian")
    assert result.returncode == 2 and "Did you mean 'train'" in result.stderr


def test_one_data_option(tiny_run):
    """One name, ``--data-dir``, whose help says what it may point at."""
    result = run_cli("evaluate", tiny_run.path, "--data", "somewhere")
    assert result.returncode == 2 and "No such option: --data" in result.stderr
    assert "--data-dir" in result.stderr  # click's own "did you mean"
    help_text = " ".join(run_cli("train", "--help").stdout.split())
    assert "--data-dir" in help_text and "holding it as <name>/" in help_text


def test_a_missing_run_folder_is_said_as_missing(tmp_path):
    result = run_cli("see", tmp_path / "nope")
    assert result.returncode == 1
    assert f"{tmp_path / 'nope'}: no such run directory" in result.stderr


def test_inspection_says_when_it_replaced_its_own_figure(tiny_run):
    """The run's own figures/inspect/ is redrawn freely (a user's --out is not), and the
    command says which files it replaced."""
    first = run_cli("kernels", tiny_run.path)
    second = run_cli("kernels", tiny_run.path)
    assert first.returncode == second.returncode == 0
    path = str(tiny_run.inspect_dir / "kernels-layer1.png")
    assert path in first.stdout.splitlines()
    assert f"{path} (replaced)" in second.stdout.splitlines()


def test_until_accuracy_not_reached_says_so(data_root, tmp_path):
    events = Collector()
    run = convscope.train("mnist", epochs=1, limit=300, seed=0, until_accuracy=0.999,
                          out=tmp_path / "run", observer=events, progress=False, report=False)
    assert run.status == "complete"
    [warning] = [n for n in events.of(Notice) if "without reaching" in n.message]
    assert warning.message.startswith("1 epoch trained without reaching 99.90% test accuracy")
    assert "resume the run with more epochs" in warning.message
