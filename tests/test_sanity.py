"""Can a Grad-CAM map be trusted? Cascading randomisation and the runner-up class's map, on
a small network trained in the test session (``tiny_run``)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import run_cli

from convscope.sanity import VERDICTS, rank_correlation, sanity_check


def test_rank_correlation_of_maps():
    a = np.arange(16.0).reshape(4, 4)
    assert rank_correlation(a, a ** 2) == pytest.approx(1.0)
    assert rank_correlation(a, -a) == pytest.approx(-1.0)
    assert rank_correlation(a, np.zeros((4, 4))) == 0.0
    assert rank_correlation(np.zeros((4, 4)), np.zeros((4, 4))) == 1.0


def test_cascading_randomisation_erases_from_the_output_down_and_leaves_the_run(tiny_run):
    model = tiny_run.model
    before = [w.copy() for w in model.get_weights()]
    image = tiny_run.data.test_inputs(tiny_run.config.input_scale)[0]
    check = sanity_check(model, image)
    assert [s.layer for s in check.steps] == ["output", "conv2", "conv1"]
    assert all(-1 <= s.correlation <= 1 for s in check.steps)
    assert check.runner_up.class_index != check.trained.class_index
    assert check.verdict in VERDICTS
    for kept, now in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(kept, now)


def test_a_map_that_ignores_the_weights_is_called_so(tiny_run, monkeypatch):
    """A map that does not move when the weights are erased fails the check."""
    import convscope.sanity as sanity

    monkeypatch.setattr(sanity, "rank_correlation", lambda a, b: 0.95)
    image = tiny_run.data.test_inputs(tiny_run.config.input_scale)[0]
    check = sanity.sanity_check(tiny_run.model, image)
    assert not check.depends_on_weights and check.verdict == "untrusted"


def test_explain_check_prints_each_step_and_what_it_means(tiny_run, tmp_path):
    result = run_cli("explain", tiny_run.path, "--test-index", "0", "--check", "--out",
                     tmp_path)
    assert result.returncode == 0, result.stderr
    assert "weights erased down to conv1: rank correlation" in result.stdout
    assert "runner-up class" in result.stdout
    assert any(words in result.stdout for words in ("passes both checks", "Careful",
                                                    "Do not trust"))
    assert (tmp_path / "check-test0.png").is_file()
    refused = run_cli("explain", tiny_run.path, "--check", "--class", "3")
    assert refused.returncode == 2 and "--class" in refused.stderr


def test_the_report_checks_one_map(tiny_run, tmp_path):
    import convscope

    page = convscope.report(tiny_run, tmp_path / "page.html", lang="en").read_text("utf-8")
    assert "Can the Grad-CAM map be trusted?" in page
    assert any(words in page for words in ("passes both checks", "Careful", "Do not trust"))
