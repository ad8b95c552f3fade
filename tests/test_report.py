"""``convscope report``: one self-contained HTML page per run (or comparison), in English or
French, that says what is missing instead of failing, and escapes every name it shows."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser

import numpy as np
import pytest
from helpers import run_cli
from PIL import Image

import convscope
from convscope.errors import ConvscopeError
from convscope.html import learning_verdict
from convscope.words import Words

SECTIONS = ("run", "data", "network", "learning", "predictions", "seeing")
# A class (folder) and file names with every character HTML cares about.
ODD_CLASS = """dogs <b>&"x"'s"""
ODD_FILE = """photo <1> & "q".png"""
MAX_MNIST_BYTES = 5 * 2**20


# -- pages to check -------------------------------------------------------------------------


def make_photo_folder(root):
    """root/<class>/: two classes of generated photos (one class name full of HTML's special
    characters), a file that is not a photo and a damaged JPEG, for ``train folder``."""
    rng = np.random.default_rng(0)
    for c, name in enumerate(("cats", ODD_CLASS)):
        folder = root / name
        folder.mkdir(parents=True)
        for i in range(10):
            pixels = rng.integers(0, 90, (48, 60, 3), dtype=np.uint8)
            pixels[..., c] += 150  # a colour per class: something to learn
            Image.fromarray(pixels).save(folder / (ODD_FILE.replace("1", str(i)) if c
                                                   else f"cat{i}.jpg"))
    (root / "cats" / 'notes & "todo".txt').write_text("not a photo")
    (root / ODD_CLASS / "broken <&>.jpg").write_bytes(b"\xff\xd8\xff this is not a JPEG")
    return root


@pytest.fixture(scope="module")
def mnist_page(tiny_run, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "mnist.html"
    path = convscope.report(tiny_run, out, lang="en")
    return path, path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def folder_run(tmp_path_factory):
    root = make_photo_folder(tmp_path_factory.mktemp("photos") / "odd")
    out = tmp_path_factory.mktemp("runs") / "odd"
    return convscope.train("catsdogs", folder=root, validation_split=0.4, epochs=1, out=out,
                           progress=False)


@pytest.fixture(scope="module")
def folder_page(folder_run):
    path = convscope.report(folder_run, lang="fr")
    return path, path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def catsdogs_page(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "catsdogs"
    run = convscope.train("catsdogs", epochs=1, limit=60, out=out, progress=False)
    path = convscope.report(run, lang="en")
    return path, path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def model_and_digits(tiny_run, tmp_path_factory):
    """A bare .keras model, and a folder of digits in sub-folders named after their class."""
    from convscope.datasets import load_dataset

    folder = tmp_path_factory.mktemp("yours")
    model = folder / "my model.keras"
    shutil.copyfile(tiny_run.path / "model.keras", model)
    data = load_dataset("mnist")
    for i in range(12):
        label = int(data.y_test[i])
        (folder / "digits" / str(label)).mkdir(parents=True, exist_ok=True)
        Image.fromarray(data.x_test[i][..., 0]).save(folder / "digits" / str(label) / f"{i}.png")
    return model, folder / "digits"


class Page(HTMLParser):
    """What a page holds: its ids, images (src, alt), links, scripts and visible text."""

    def __init__(self, text: str):
        super().__init__()
        self.ids, self.images, self.links, self.scripts, self.text = set(), [], [], 0, []
        self.hidden = False  # inside <style> or <script>
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.hidden = tag in ("style", "script")
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "img":
            self.images.append((attrs.get("src", ""), attrs.get("alt")))
        if tag == "a":
            self.links.append(attrs.get("href", ""))
        self.scripts += tag == "script"

    def handle_endtag(self, tag):
        self.hidden = False

    def handle_data(self, data):
        if not self.hidden:
            self.text.append(data)

    @property
    def words(self) -> str:
        return " ".join(self.text)


def sections_of(page: Page, run: int = 0) -> list[str]:
    return [key for key in SECTIONS if f"r{run}-{key}" in page.ids]


def assert_self_contained(text: str) -> None:
    """Nothing loaded from elsewhere: images are data URIs; no link, import or url() out."""
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", text, re.I)
    assert not re.search(r"url\(|@import", text)
    page = Page(text)
    assert page.images and all(src.startswith("data:image/") for src, _ in page.images)
    assert all(alt for _, alt in page.images), "every image has alt text"
    assert all(href.startswith("#") for href in page.links)


# -- one run of each kind --------------------------------------------------------------------


def test_mnist_report_has_every_section_in_the_course_order(mnist_page, tiny_run):
    path, text = mnist_page
    page = Page(text)
    assert sections_of(page) == list(SECTIONS)
    assert [text.index(f'id="r0-{key}"') for key in SECTIONS] == \
        sorted(text.index(f'id="r0-{key}"') for key in SECTIONS)
    words = page.words
    assert "130,394" in words and "3×3×1 × 32 + 32 = 320" in words  # the layer table
    assert "Feature maps, layer by layer" in words and "Grad-CAM" in words
    assert "Layer 1 (convolution), 32 maps" in words and "Layer 2 (convolution)" in words
    # What the predicted class looks for: the output layer's weights as its input maps.
    assert "What each class looks for" in words
    assert [alt for _, alt in page.images if alt.startswith("The weights of output for ")]
    # The learning sentence is computed from this run's history.
    assert learning_verdict(tiny_run.history).sentence(Words("en")) in words
    # A clickable matrix: one panel per non-empty cell, each link pointing at its panel.
    cells = [h for h in page.links if h.startswith("#r0-cm-")]
    cm = np.array(tiny_run.metrics["confusion_matrix"])
    assert len(cells) == np.count_nonzero(cm)
    assert all(h[1:] in page.ids for h in cells)
    assert text.count('class="cm-panel open"') == 1
    assert path.stat().st_size < MAX_MNIST_BYTES
    assert_self_contained(text)


def test_photo_run_report_shows_the_batch_the_folders_and_photos_as_jpeg(catsdogs_page):
    _, text = catsdogs_page
    page = Page(text)
    assert sections_of(page) == list(SECTIONS)
    words = page.words
    assert "The class folders" in words and "Skipped files" in words
    assert "Every file in the class folders was used." in words
    # Its flattened maps feed a hidden dense layer: the weights of its first unit.
    assert [alt for _, alt in page.images if alt.startswith("The weights of dense for unit 1")]
    assert "data:image/jpeg" in text  # photos as JPEG, drawings as palette PNG
    assert "data:image/png" in text
    assert_self_contained(text)


def test_folder_run_in_french_escapes_class_and_file_names(folder_page):
    path, text = folder_page
    assert path.name == "report.html" and path.parent.name == "odd"  # in the run directory
    page = Page(text)
    assert sections_of(page) == list(SECTIONS)
    assert '<html lang="fr">' in text
    words = page.words
    for heading in ("Les données", "Le réseau", "L'apprentissage", "Les prédictions",
                    "Que voit le réseau ?", "Matrice de confusion", "Fichiers écartés",
                    "Les dossiers des classes"):
        assert heading in words
    assert "précision finale (test)" in words
    # The names arrive intact as text, and never as markup.
    assert ODD_CLASS in words
    assert "broken <&>.jpg" in words and 'notes & "todo".txt' in words
    for raw in (ODD_CLASS, "<b>&", "broken <&>", 'notes & "todo"'):
        assert raw not in text
    assert "dogs &lt;b&gt;&amp;&quot;x&quot;&#x27;s" in text
    assert page.scripts == 1
    assert_self_contained(text)


def test_a_bare_model_with_a_folder_of_images(model_and_digits, tmp_path):
    model, digits = model_and_digits
    path = convscope.report(model, tmp_path / "mine.html", lang="en", images=digits)
    text = path.read_text(encoding="utf-8")
    page = Page(text)
    # No data or learning of its own; the user's images are predicted and looked inside.
    assert sections_of(page) == ["run", "network", "predictions", "seeing"]
    words = page.words
    assert "Your model: my model.keras" in words
    assert "Your images (12 of 12)" in words
    assert "Confusion matrix" in words  # the sub-folders are the classes
    assert "Feature maps, layer by layer" in words and "Grad-CAM" in words
    assert_self_contained(text)
    # Without images: the network and its kernels, and no traceback.
    bare = Page(convscope.report(model, tmp_path / "bare.html", lang="en").read_text())
    assert sections_of(bare) == ["run", "network", "predictions", "seeing"]
    assert "The kernels of the first layer" in bare.words


def test_two_runs_are_compared_first_then_each_shown(tiny_run, folder_run, tmp_path):
    path = convscope.report([tiny_run, folder_run.path], tmp_path / "both.html", lang="en")
    text = path.read_text(encoding="utf-8")
    page = Page(text)
    assert "compare" in page.ids
    assert sections_of(page, 0) == list(SECTIONS) and sections_of(page, 1) == list(SECTIONS)
    assert text.index('id="compare"') < text.index('id="r0"') < text.index('id="r1"')
    assert "The runs compared" in page.words
    assert_self_contained(text)


# -- what goes wrong -------------------------------------------------------------------------


@pytest.fixture
def damaged_copy(tiny_run, tmp_path):
    copy = tmp_path / "damaged"
    shutil.copytree(tiny_run.path, copy, ignore=shutil.ignore_patterns("report.html"))
    return copy


def test_missing_and_damaged_files_are_named_on_the_page(damaged_copy, tmp_path):
    (damaged_copy / "figures" / "predictions.png").unlink()
    (damaged_copy / "figures" / "learning_curves.png").write_bytes(b"\x89PNG not really")
    (damaged_copy / "metrics.json").write_text("{ half a file")
    text = convscope.report(damaged_copy, lang="en").read_text(encoding="utf-8")
    words = Page(text).words
    assert "Missing or damaged in this run" in words
    assert "metrics.json is damaged" in words
    # Figures the model and data can give are drawn again, and the page says so.
    assert "figures/predictions.png was missing or damaged: drawn again" in words
    assert "figures/learning_curves.png was missing or damaged: drawn again" in words
    assert Page(text).images[0][1]  # and they are on the page
    assert "Confusion matrix" in words  # the rest is all there
    (damaged_copy / "history.csv").write_text("epoch,loss\n1,not-a-number\n")
    words = Page(convscope.report(damaged_copy, lang="en").read_text()).words
    assert "history.csv is damaged" in words
    assert "No completed epoch: no learning curves yet." in words


def test_without_a_model_or_its_data_the_page_says_why(damaged_copy, tmp_path):
    (damaged_copy / "figures" / "mistakes.png").unlink()
    (damaged_copy / "model.keras").unlink()
    text = convscope.report(damaged_copy, lang="fr").read_text(encoding="utf-8")
    words = Page(text).words
    assert "pas de modèle utilisable" in words and "figures/mistakes.png est absent" in words
    assert "Pas de modèle utilisable dans ce run" in words  # network, what it sees
    # With the model back but the data gone, stored figures and metrics still show.
    shutil.copyfile(damaged_copy / "best.keras", damaged_copy / "model.keras")
    empty = tmp_path / "nothing-here"
    empty.mkdir()
    text = convscope.report(damaged_copy, lang="en", data_dir=empty).read_text()
    words = Page(text).words
    assert "the test images could not be loaded" in words
    assert "Accuracy of each class" in words  # from metrics.json


def test_a_folder_that_is_not_a_run_gets_a_page_and_a_missing_path_an_error(tmp_path):
    folder = tmp_path / "not <a> run"
    folder.mkdir()
    (folder / "notes.txt").write_text("hello")
    text = convscope.report(folder, lang="en").read_text(encoding="utf-8")
    assert "could not be opened as a run" in Page(text).words
    assert "notes.txt" in Page(text).words and "not <a> run" not in text
    with pytest.raises(ConvscopeError, match="no such run directory"):
        convscope.report(tmp_path / "absent")
    with pytest.raises(ConvscopeError, match="The lang parameter must be one of"):
        convscope.report(folder, lang="de")


def test_an_existing_out_file_is_replaced_only_when_asked(tmp_path, model_and_digits):
    model, _ = model_and_digits
    out = tmp_path / "page.html"
    out.write_text("mine")
    with pytest.raises(ConvscopeError, match="already exists; pass overwrite=True"):
        convscope.report(model, out)
    assert out.read_text() == "mine"
    assert convscope.report(model, out, overwrite=True) == out


# -- command, notebooks, language ------------------------------------------------------------


def test_command_writes_the_page_and_prints_its_path(model_and_digits, tmp_path):
    model, digits = model_and_digits
    out = tmp_path / "cli.html"
    result = run_cli("report", model, "--images", digits, "--out", out, "--lang", "fr",
                     "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out)
    assert '<html lang="fr">' in out.read_text(encoding="utf-8")
    missing = run_cli("report", tmp_path / "absent")
    assert missing.returncode == 1 and "no such run directory" in missing.stderr


def test_notebooks_show_a_run_and_a_comparison_as_a_summary(tiny_run, damaged_copy):
    card = tiny_run._repr_html_()
    assert "final test accuracy" in card or "précision finale" in card
    assert card.count("<img") == 1 and "<style>" in card
    (damaged_copy / "metrics.json").write_text("[")
    damaged = convscope.load_run(damaged_copy)._repr_html_()  # says so, never raises
    assert "metrics.json" in damaged
    comparison = convscope.compare([tiny_run, damaged_copy])._repr_html_()
    assert comparison.count("<tr>") == 3 and "<img" in comparison


def test_the_function_stays_the_function_after_its_package_is_imported():
    import convscope.reports  # noqa: F401  (a package named apart from its function)

    assert callable(convscope.report) and convscope.report.__module__ == "convscope.reports"


def history(train, test, test_loss=None):
    test_loss = test_loss or [1 - t for t in test]
    return [{"epoch": e + 1, "accuracy": a, "test_accuracy": t, "loss": 1 - a, "test_loss": lo}
            for e, (a, t, lo) in enumerate(zip(train, test, test_loss, strict=True))]


def test_the_learning_sentence_comes_from_the_history():
    parted = learning_verdict(history([.6, .7, .8, .9, .97], [.6, .69, .72, .73, .72],
                                      [.9, .8, .7, .75, .9]))
    assert parted.kind == "parted" and parted.parted_at == 3
    assert parted.lowest_loss_epoch == 3
    english = parted.sentence(Words("en"))
    assert "From epoch 3 on" in english and "by heart" in english
    assert "À partir de l'époque 3" in parted.sentence(Words("fr"))
    together = learning_verdict(history([.9, .95, .97], [.91, .95, .965]))
    assert together.kind == "together" and together.still_rising
    assert "no sign of over-fitting" in together.sentence(Words("en"))
    assert learning_verdict(history([.6, .7], [.7, .8])).kind == "test_above"
    assert learning_verdict(history([.6], [.7])).kind == "one_epoch"
    assert learning_verdict([]) is None



# -- train writes the page -------------------------------------------------------------------


def test_train_writes_the_report_unless_told_not_to(tmp_path):
    out = tmp_path / "with"
    result = run_cli("train", "mnist", "--limit", "300", "--epochs", "1", "--out", out,
                     "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out)  # still only the run directory, for scripts
    assert 'id="r0-seeing"' in (out / "report.html").read_text(encoding="utf-8")
    bare = tmp_path / "without"
    assert run_cli("train", "mnist", "--limit", "300", "--epochs", "1", "--out", bare,
                   "--quiet", "--no-report").returncode == 0
    assert (bare / "model.keras").is_file() and not (bare / "report.html").exists()


@pytest.mark.slow
def test_a_run_trained_on_jax_gets_its_report_there_and_here(tmp_path):
    """Written by `train` on Keras's JAX backend (Grad-CAM's gradients there), then again by
    this process, on TensorFlow, from the same run directory."""
    pytest.importorskip("jax")
    run_dir = tmp_path / "jax-run"
    result = run_cli("train", "mnist", "--limit", "300", "--epochs", "1", "--quiet", "--out",
                     run_dir, env={"KERAS_BACKEND": "jax"}, process=True)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr
    there = Page((run_dir / "report.html").read_text(encoding="utf-8"))
    assert "jax" in there.words and sections_of(there) == list(SECTIONS)
    here = Page(convscope.report(run_dir, tmp_path / "here.html", lang="en").read_text())
    assert sections_of(here) == list(SECTIONS) and "could not" not in here.words
