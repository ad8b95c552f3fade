"""Using a finished run or a bare ``.keras`` model: loading it, scoring it again, and commands
that read it without spoiling a user's folder."""

from __future__ import annotations

import keras
import pytest
from helpers import run_cli
from PIL import Image

from convscope.errors import RunError
from convscope.runs import Run, load_run


def test_evaluate_reproduces_metrics_json(tiny_run):
    saved = tiny_run.metrics
    again = Run(tiny_run.path).write_metrics()
    assert again["test_accuracy"] == saved["test_accuracy"]
    assert again["confusion_matrix"] == saved["confusion_matrix"]
    assert again["test_loss"] == pytest.approx(saved["test_loss"], rel=1e-6)
    # and it matches what Keras itself reports during training
    assert again["test_accuracy"] == pytest.approx(tiny_run.history[-1]["test_accuracy"],
                                                   abs=1e-6)


def test_a_bare_binary_model_predicts_two_probabilities(tmp_path):
    model = keras.Sequential([keras.Input((16, 16, 3)), keras.layers.Conv2D(4, 3),
                              keras.layers.GlobalAveragePooling2D(),
                              keras.layers.Dense(1, activation="sigmoid")])
    path = tmp_path / "binary.keras"
    model.save(path)
    photo = tmp_path / "photo.jpg"
    Image.new("RGB", (40, 30), (200, 100, 50)).save(photo)
    (prediction,) = load_run(path).predict([photo])
    assert set(prediction.probabilities) == {"0", "1"}
    assert sum(prediction.probabilities.values()) == pytest.approx(1)


def test_a_model_with_a_flexible_input_size_is_refused_clearly(tmp_path):
    inputs = keras.Input((None, None, 3))
    outputs = keras.layers.Dense(2)(keras.layers.GlobalAveragePooling2D()(inputs))
    path = tmp_path / "flexible.keras"
    keras.Model(inputs, outputs).save(path)
    with pytest.raises(RunError, match="fixed input"):
        load_run(path)


def test_summary_of_a_missing_run_is_one_line(tmp_path):
    result = run_cli("summary", tmp_path / "nope")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1


def test_inspection_figures_are_not_overwritten_in_a_users_folder(tiny_run, tmp_path):
    assert run_cli("kernels", tiny_run.path, "--out", tmp_path).returncode == 0
    again = run_cli("kernels", tiny_run.path, "--out", tmp_path)
    assert again.returncode == 1 and "--force" in again.stderr
    assert run_cli("kernels", tiny_run.path, "--out", tmp_path, "--force").returncode == 0
    # inside the run's own figures/ folder, figures are simply redrawn
    for _ in range(2):
        assert run_cli("kernels", tiny_run.path).returncode == 0


def test_a_run_computes_its_data_and_predictions_once_for_every_face(tiny_run, tmp_path,
                                                                     monkeypatch):
    """The report, the app's Explore tab and the library's figures all ask the same Run, which
    loads its dataset and predicts its test set once."""
    pytest.importorskip("gradio")
    import convscope
    from convscope import datasets, runs
    from convscope.app import explore
    from convscope.app.catalog import Catalog
    from convscope.app.paths import Roots

    calls = {"load": 0, "predict": 0}

    def counted(name, function):
        def call(*args, **kwargs):
            calls[name] += 1
            return function(*args, **kwargs)
        return call

    monkeypatch.setattr(datasets, "load_dataset", counted("load", datasets.load_dataset))
    monkeypatch.setattr(runs, "evaluate_model", counted("predict", runs.evaluate_model))
    roots = Roots.of(tmp_path / "runs", [tiny_run.path])
    catalog, key = Catalog(roots), roots.key(tiny_run.path.resolve())
    run = catalog.run(key)
    convscope.report(run, tmp_path / "page.html", lang="fr")
    explore.overview(catalog, key)
    explore.cell_images(catalog, key, 1, 1)
    explore.inspect_test_image(catalog, key, 3)
    run.standard_figures()
    assert calls == {"load": 1, "predict": 1}
    assert catalog.run(key) is run


def test_a_run_trained_from_python_has_its_report(tmp_path):
    import convscope

    run = convscope.train("mnist", epochs=1, limit=200, out=tmp_path / "run", progress=False)
    page = (run.path / "report.html").read_text(encoding="utf-8")
    assert 'id="r0-predictions"' in page
    assert run.label == "mnist — run" and run.status == "complete"
    assert run.best == {"epoch": 1, "test_accuracy": run.final_accuracy}
