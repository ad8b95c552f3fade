"""The page of an exported network: one folder whose ``index.html`` runs it in the browser,
offline, opened straight from disk (``file://``) or from any static server.

The folder holds the page (``index.html``, ``page.js``, ``prepare.js``, ``pillow.js``,
``page.css``), the runtime, ONNX Runtime Web (vendored in ``page/vendor``, its README says
from where), and the network with what it expects (``model.js``). A page opened from disk may
load classic scripts beside it but not ``fetch()`` them, so the network and the runtime's
WebAssembly travel as base64 inside scripts: the WebAssembly gzipped (3.8 MB, inflated in the
page by the browser's ``DecompressionStream``), its loader as text imported from a ``blob:``
URL.
"""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

PAGE = Path(__file__).with_name("page")
VENDOR = PAGE / "vendor"
RUNTIME_VERSION = "1.31.1"  # onnxruntime-web, as vendored
WASM_SHA256 = "4b884c203b0fa48d057be3332c65513ff85aa3c5bddd6946acc0fab7ecda001d"
PAGE_FILES = ("index.html", "page.js", "prepare.js", "pillow.js", "page.css")


def write_page(folder: Path, model_file: Path, description: dict, label: str,
               accuracy: float | None) -> Path:
    """The page in ``folder``, for the ONNX network ``model_file`` (moved into ``model.js``);
    returns the path of ``index.html``."""
    for name in PAGE_FILES:
        shutil.copyfile(PAGE / name, folder / name)
    runtime = folder / "runtime"
    runtime.mkdir()
    shutil.copyfile(VENDOR / "ort.wasm.min.js", runtime / "ort.wasm.min.js")
    shutil.copyfile(VENDOR / "LICENSE", runtime / "LICENSE")
    loader = (VENDOR / "ort-wasm-simd-threaded.mjs").read_text(encoding="utf-8")
    _script(runtime / "ort-wasm-loader.js", "ORT_WASM_LOADER", json.dumps(loader))
    wasm = base64.b64encode((VENDOR / "ort-wasm-simd-threaded.wasm.gz").read_bytes())
    _script(runtime / "ort-wasm-binary.js", "ORT_WASM_GZIP", f'"{wasm.decode()}"')
    page_data = {**description, "label": label, "accuracy": accuracy,
                 "runtime_version": RUNTIME_VERSION, "words": page_words(),
                 "model": base64.b64encode(model_file.read_bytes()).decode()}
    _script(folder / "model.js", "CONVSCOPE", json.dumps(page_data, ensure_ascii=False))
    model_file.unlink()
    return folder / "index.html"


def _script(path: Path, name: str, value: str) -> None:
    path.write_text(f"window.{name} = {value};\n", encoding="utf-8")


def page_words() -> dict:
    """The page's words in every language, blanks left for the page to fill."""
    from ..words import LANGUAGES, TABLE

    return {lang: {key: TABLE[key][column] for key in TABLE if key.startswith("page_")}
            for column, lang in enumerate(LANGUAGES)}
