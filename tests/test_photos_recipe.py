"""The `photos` recipe on real photos: a short run on a few hundred of the shared cats and dogs
trains, predicts, explains and looks inside; its saved model reloads in safe mode unchanged."""

from __future__ import annotations

import shutil

import keras
import numpy as np
import pytest
from conftest import REAL_DATA as DATA

import convscope
from convscope.inspection import grad_cam
from convscope.models import load_keras_model

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def photos_run(tmp_path_factory):
    """150 + 150 training and 40 + 40 test photos, copied (the shared folder is read-only)."""
    root = tmp_path_factory.mktemp("few-photos")
    for part, count in (("train", 150), ("test", 40)):
        for name in ("cats", "dogs"):
            (root / part / name).mkdir(parents=True)
            for path in sorted((DATA / "catsdogs" / part / name).iterdir())[:count]:
                shutil.copy(path, root / part / name / path.name)
    run = convscope.train("photos", folder=root, epochs=3, seed=0,
                          out=tmp_path_factory.mktemp("runs") / "photos", progress=False)
    return run, root


def test_a_short_run_trains_and_predicts(photos_run):
    run, root = photos_run
    assert run.class_names == ["cats", "dogs"] and run.epochs_done == 3
    assert run.status == "complete"
    assert 0.4 <= run.metrics["test_accuracy"] <= 1.0
    photos = sorted((root / "test" / "dogs").iterdir())[:4]
    predictions = run.predict(photos)
    assert [p.label in ("cats", "dogs") for p in predictions] == [True] * 4
    assert all(abs(sum(p.probabilities.values()) - 1) < 1e-5 for p in predictions)


def test_explains_on_its_last_convolution_and_shows_maps_numbered_by_layer(photos_run):
    run, root = photos_run
    explanation = convscope.explain(run, test_index=0)
    photo = run.as_input(sorted((root / "test" / "dogs").iterdir())[0])
    assert grad_cam(run.model, photo).layer == "block3_conv2"  # the last 3×3 convolution
    assert explanation.heatmap.shape[0] > 1 and 0 <= explanation.heatmap.min()
    figures = convscope.see(run, test_index=0)
    # conv1, pool1, three convolutions per residual block and the pools between them
    assert [f.name.rsplit("-", 1)[1] for f in figures] == [f"layer{n}" for n in range(1, 14)]


def test_saved_model_reloads_in_safe_mode_with_the_same_predictions(photos_run):
    run, root = photos_run
    photos = sorted((root / "test" / "cats").iterdir())[:8]
    x = np.stack([run.as_input(p) for p in photos])
    reloaded = load_keras_model(run.path / "model.keras")
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(reloaded.predict(x, verbose=0)),
        keras.ops.convert_to_numpy(run.model.predict(x, verbose=0)), atol=1e-5)
