"""When the network should not be sure: the reliability diagram, the expected calibration
error and the unsure threshold, measured per run and stored with it."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from helpers import run_cli
from PIL import Image

import convscope
from convscope.calibration import (
    Calibration,
    calibration,
    expected_calibration_error,
    isotonic,
    reliability,
)
from convscope.runs import load_run


def _answers(confidence, correct, classes: int = 2):
    """Probabilities whose largest is ``confidence``, on class 0; labels right or wrong."""
    confidence = np.asarray(confidence, np.float64)
    probabilities = np.zeros((len(confidence), classes))
    probabilities[:, 0] = confidence
    probabilities[:, 1] = 1 - confidence
    return probabilities, np.where(correct, 0, 1)


def test_groups_of_confidence_and_their_accuracy():
    groups = reliability(np.array([0.55, 0.58, 0.95, 1.0]), np.array([1.0, 0.0, 1.0, 1.0]))
    assert len(groups) == 10
    assert groups[5]["count"] == 2 and groups[5]["accuracy"] == 0.5
    assert groups[5]["confidence"] == pytest.approx(0.565)
    assert groups[9]["count"] == 2  # a confidence of exactly 1 counts in the last group
    assert groups[0]["count"] == 0 and groups[0]["accuracy"] is None


def test_expected_calibration_error_weighs_each_gap_by_its_group():
    groups = reliability(np.array([0.55, 0.58, 0.95, 1.0]), np.array([1.0, 0.0, 1.0, 1.0]))
    # Group 5: |0.5 − 0.565| × 2/4; group 9: |1 − 0.975| × 2/4.
    assert expected_calibration_error(groups, 4) == pytest.approx(0.065 / 2 + 0.025 / 2)


def test_a_calibrated_network_has_a_small_error():
    rng = np.random.default_rng(0)
    confidence = rng.uniform(0.5, 1.0, 20_000)
    correct = rng.random(20_000) < confidence
    assert calibration(*_answers(confidence, correct)).ece < 0.02


def test_the_unsure_threshold_is_where_answers_become_right_90_percent_of_the_time():
    rng = np.random.default_rng(1)
    confidence = rng.uniform(0.5, 1.0, 20_000)
    correct = rng.random(20_000) < confidence  # right as often as it is sure
    measured = calibration(*_answers(confidence, correct))
    assert measured.unsure_below == pytest.approx(0.9, abs=0.02)
    assert measured.unsure(0.8) and not measured.unsure(0.97)


def test_a_network_never_right_90_percent_of_the_time_is_always_unsure():
    measured = calibration(*_answers([0.6, 0.9, 0.99, 1.0], [True, False, True, False]))
    assert measured.unsure_below is None and measured.unsure(1.0)


def test_isotonic_fit_never_falls_and_keeps_the_mean():
    values, weights = np.array([0.2, 0.9, 0.5, 0.6, 1.0]), np.array([1.0, 1, 3, 1, 2])
    fitted = isotonic(values, weights)
    assert np.all(np.diff(fitted) >= 0)
    assert np.average(fitted, weights=weights) == pytest.approx(np.average(values,
                                                                           weights=weights))
    np.testing.assert_allclose(fitted, [0.2, 0.6, 0.6, 0.6, 1.0])


def test_a_run_stores_its_calibration_and_one_that_predates_it_measures_it(tiny_run,
                                                                            tmp_path):
    stored = json.loads((tiny_run.path / "metrics.json").read_text())["calibration"]
    assert stored["answers"] == len(tiny_run.data.y_test) and 0 <= stored["ece"] < 1
    older = tmp_path / "older"
    shutil.copytree(tiny_run.path, older)
    metrics = json.loads((older / "metrics.json").read_text())
    del metrics["calibration"]
    (older / "metrics.json").write_text(json.dumps(metrics))
    measured = load_run(older).calibration
    assert measured == Calibration.from_dict(stored)


def test_predict_says_unsure_where_the_test_answers_were_often_wrong(tiny_run, tmp_path):
    blank = tmp_path / "letter.png"
    picture = np.full((28, 28), 255, np.uint8)
    picture[6:22, 8:11] = 0  # an L: a letter still gets a digit
    picture[19:22, 8:20] = 0
    Image.fromarray(picture).save(blank)
    record = json.loads(run_cli("predict", tiny_run.path, blank, "--json").stdout)
    threshold = tiny_run.calibration.unsure_below
    confidence = max(record["probabilities"].values())
    assert record["unsure"] == (threshold is None or confidence < threshold)
    shown = run_cli("predict", tiny_run.path, blank).stdout
    assert (", unsure:" in shown) == record["unsure"]
    never_sure = tmp_path / "never-sure"  # a run whose test answers never reached 90 %
    shutil.copytree(tiny_run.path, never_sure)
    metrics = json.loads((never_sure / "metrics.json").read_text())
    metrics["calibration"]["unsure_below"] = None
    (never_sure / "metrics.json").write_text(json.dumps(metrics))
    shown = run_cli("predict", never_sure, blank).stdout
    assert "unsure: at any confidence its test answers were right less than 90%" in shown


def test_the_report_shows_the_reliability_diagram(tiny_run, tmp_path):
    page = convscope.report(tiny_run, tmp_path / "page.html", lang="fr").read_text("utf-8")
    assert "Quand le réseau ne devrait pas être sûr" in page
    assert "Erreur de calibration attendue" in page
