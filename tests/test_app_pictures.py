"""The pictures of an answer as the page is sent them (``app.page.served``): PNG files the app
writes itself, faster than Gradio would (issue 32), that show exactly the pictures computed,
and that Gradio serves as they are. ``test_app_browser.py`` counts them in a real page."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("gradio")

from convscope.app import draw  # noqa: E402
from convscope.app.catalog import Catalog  # noqa: E402
from convscope.app.page import PNG_OPTIONS, served  # noqa: E402
from convscope.app.paths import Roots  # noqa: E402


@pytest.fixture
def answer(tiny_run, tmp_path):
    """The Draw tab's answer to a drawn "1" on the tiny MNIST run."""
    canvas = np.zeros((draw.CANVAS, draw.CANVAS, 4), np.uint8)
    canvas[56:224, 122:158] = (0, 0, 0, 255)
    roots = Roots.of(tmp_path / "runs", [tiny_run.path])
    return draw.stroke(Catalog(roots), roots.key(tiny_run.path.resolve()), canvas)


def pictures(view) -> dict[str, np.ndarray]:
    return {"seen": view.seen, "maps": view.maps, "cam": view.cam}


def test_each_picture_is_one_png_file_showing_exactly_the_picture(answer, tmp_path):
    for name, picture in pictures(answer).items():
        path = Path(served(picture, tmp_path))
        with Image.open(path) as shown:
            assert shown.format == "PNG", name
            grey = picture.ndim == 2 or (picture == picture[..., :1]).all()
            # Grey pictures (the drawing as the network sees it, the maps) in one channel.
            assert shown.mode == ("L" if grey else "RGB"), name
            expected = picture if picture.ndim == 2 or not grey else picture[..., 0]
            np.testing.assert_array_equal(np.asarray(shown), expected, err_msg=name)


def test_a_picture_is_named_by_its_content_and_written_once(answer, tmp_path):
    first = Path(served(answer.maps, tmp_path))
    assert first.parent.name == hashlib.sha256(first.read_bytes()).hexdigest()
    written = first.stat().st_mtime_ns
    assert Path(served(answer.maps.copy(), tmp_path)) == first
    assert first.stat().st_mtime_ns == written
    assert [p.name for p in first.parent.iterdir()] == ["image.png"]  # nothing half-written
    assert served(None, tmp_path) is None  # nothing to show: Gradio clears the picture


def test_the_files_are_at_most_a_third_larger_than_gradio_s_pngs(answer, tmp_path):
    """The quicker compression (``PNG_OPTIONS``) costs bytes; bounded here, as each picture
    is fetched by the page after every stroke."""
    assert PNG_OPTIONS["compress_level"] < 6  # Pillow's default, which Gradio uses
    for name, picture in pictures(answer).items():
        gradio = io.BytesIO()
        Image.fromarray(picture).save(gradio, "PNG")
        ours = Path(served(picture, tmp_path)).stat().st_size
        assert ours <= 1.34 * len(gradio.getvalue()), name


def test_gradio_serves_the_files_as_they_are_without_encoding_or_copying(answer):
    """In Gradio's own picture folder a file is sent as it is: the page's maps picture (its
    click opens the arithmetic panel) is the file written, the same size in pixels."""
    import gradio as gr

    maps = gr.Image(format="png", interactive=False)
    path = served(answer.maps, maps.GRADIO_CACHE)
    data = maps.postprocess(path)
    assert data.path == path
    assert maps.move_resource_to_block_cache(data.path) == path
    with Image.open(path) as shown:
        assert shown.size == (answer.maps.shape[1], answer.maps.shape[0])
