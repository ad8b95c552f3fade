"""Can this map be trusted? in the app: the tick box's handler computes the sanity check of
the tab's picture only when ticked."""

from __future__ import annotations

import pytest

pytest.importorskip("gradio")

from convscope import sanity  # noqa: E402
from convscope.app import draw, explore, trust  # noqa: E402
from convscope.app.catalog import Catalog  # noqa: E402
from convscope.app.paths import Roots  # noqa: E402
from convscope.words import say  # noqa: E402


@pytest.fixture
def served(tiny_run, tmp_path):
    roots = Roots.of(tmp_path / "runs", [tiny_run.path])
    return Catalog(roots), roots.key(tiny_run.path.resolve())


@pytest.fixture
def counted(monkeypatch):
    """The checks the handler computes."""
    calls = []

    def check(model, image, *args, **kwargs):
        calls.append(image.shape)
        return sanity.sanity_check(model, image, *args, **kwargs)

    monkeypatch.setattr(trust, "sanity_check", check)
    return calls


def test_unticked_nothing_is_computed(served, counted):
    catalog, key = served
    view = trust.checked(catalog, key, 3, False, "en", explore.inspected_input)
    assert view.outputs() == (None, "") and counted == []


def test_ticked_the_check_of_the_picture_shows(served, counted, tiny_run):
    catalog, key = served
    view = trust.checked(catalog, key, 3, True, "en", explore.inspected_input)
    assert counted == [tiny_run.pick_image(test_index=3).image.shape]
    width, height = view.figure.size
    assert width > 500 and height > 200  # the maps side by side (looked at: see README)
    sentences = [say("en", f"check_{verdict}", rho="")[:25] for verdict in sanity.VERDICTS]
    assert any(view.sentence.replace("\\", "").startswith(s) for s in sentences)


def test_ticked_before_anything_is_drawn_says_so(served, counted):
    catalog, key = served
    sketch = draw.Sketch()
    view = trust.checked(catalog, key, sketch, True, "fr",
                         lambda run, s: None if s.png is None else draw.drawing(s.png))
    assert view.outputs() == (None, say("fr", "trust_nothing")) and counted == []
