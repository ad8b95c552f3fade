"""The page and its server: the four tabs, the language, and a launch that stays local.

Gradio is started with everything that would reach the network turned off — analytics,
server-side rendering (a Node process), share links, the MCP server, monitoring, the run
history page — and its own files go to a temporary folder removed at exit. Uploads are capped
in bytes by the server itself. It binds 127.0.0.1 unless told otherwise, and moves to a free
port when the one asked for is taken.
"""

# No `from __future__ import annotations` here: Gradio finds the parameters that receive event
# data (gr.SelectData, gr.Request) by their annotations, which must be the classes themselves.

import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
from pathlib import Path

from .catalog import Catalog
from .page import LANGUAGES, Page
from .paths import Roots
from .trainer import Trainer
from .uploads import MAX_UPLOAD_BYTES

DEFAULT_PORT = 7860
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
CACHE_SECONDS = 15 * 60
# Gradio's loading veil (its status tracker over the whole app while it mounts, "translucent")
# let nothing through: strokes drawn on the canvas seen through it were lost. The canvas's
# script answers for what it draws (draw.py); the veil only shows.
CSS = """
#draw-seen img, #photo-seen img, #draw-maps img { image-rendering: pixelated; }
footer { display: none !important; }
.wrap.translucent { pointer-events: none; }
#draw-answered, .mark { display: none !important; }
"""


def build(page: Page):
    """The app's page (a ``gr.Blocks``) for ``page``'s runs, photos and trainer."""
    import gradio as gr

    from .draw import build as draw_tab
    from .explore import build as explore_tab
    from .photo import build as photo_tab
    from .train import build as train_tab

    # Every stroke leaves three pictures in the temp folder: those older than CACHE_SECONDS go.
    with gr.Blocks(title="convscope", delete_cache=(CACHE_SECONDS, CACHE_SECONDS)) as blocks:
        with gr.Row(equal_height=True):
            page.labelled(gr.Markdown, "app_title", "value")
            page.language = page.labelled(gr.Radio, "language", choices=LANGUAGES, value="en",
                                          elem_id="language", scale=0, min_width=300)
        with gr.Tabs():
            for key, build_tab in (("tab_draw", draw_tab), ("tab_photo", photo_tab),
                                   ("tab_explore", explore_tab), ("tab_train", train_tab)):
                with page.labelled(gr.Tab, key, elem_id=key.replace("_", "-")):
                    build_tab(page)

        components = [text[0] for text in page.texts]
        pickers = [dropdown for dropdown, _, _ in page.pickers]
        relabelled = page.language.change(page.relabel, page.language, components,
                                          show_progress="hidden")
        for handler, inputs, outputs in page.redo:
            relabelled.then(handler, inputs, outputs, show_progress="hidden")

        def on_load(request: gr.Request):
            lang = language_of(request.headers.get("accept-language") if request else None)
            return lang, *page.refreshed_pickers()

        blocks.load(on_load, None, [page.language, *pickers], show_progress="hidden")
    page.blocks = blocks
    return blocks


def language_of(accept_language: str | None) -> str:
    """"fr" when the browser prefers French, else "en" (from an ``Accept-Language`` header)."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("fr"):
            return "fr"
        if tag.startswith("en"):
            return "en"
    return "en"


def free_port(host: str, wanted: int) -> int:
    """``wanted`` if nothing listens there, else a port the system says is free."""
    for port in (wanted, 0):
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise OSError(f"no free port on {host}")


def start(runs=(), runs_root="runs", photos=(), host: str = "127.0.0.1",
          port: int = DEFAULT_PORT, quiet: bool = False):
    """Start the app in the background; returns (url, page, blocks). ``serve`` also waits."""
    roots = Roots.of(runs_root, runs, photos)
    temp = Path(tempfile.mkdtemp(prefix="convscope-app-"))
    # Gradio keeps uploads and the pictures it serves here; read when gradio is imported.
    os.environ["GRADIO_TEMP_DIR"] = str(temp)
    import gradio  # noqa: F401  (after the settings above)

    catalog = Catalog(roots)
    page = Page(roots, catalog, Trainer(roots, on_change=catalog.forget))
    page.temp = temp
    blocks = build(page)
    chosen = free_port(host, port)
    if chosen != port and not quiet:
        print(f"convscope app: port {port} is taken; using {chosen}", file=sys.stderr)
    if host not in LOCAL_HOSTS:
        print(f"warning: --host {host}: anyone who can reach this computer on the network can "
              "use this app (draw, upload photos, train, read the runs under "
              f"{roots.runs_root}); use --host 127.0.0.1 to keep it on this computer",
              file=sys.stderr)
    blocks.launch(
        server_name=host, server_port=chosen, prevent_thread_lock=True, quiet=True,
        inbrowser=False, share=False, ssr_mode=False, mcp_server=False, pwa=False,
        enable_monitoring=False, run_history=False, footer_links=[], show_error=False,
        max_file_size=MAX_UPLOAD_BYTES, allowed_paths=[], css=CSS,
    )
    threading.Thread(target=warm_up, name="convscope-warm-up", daemon=True).start()
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{'[' + shown_host + ']' if ':' in shown_host else shown_host}:{chosen}/"
    return url, page, blocks


def warm_up() -> None:
    """Import Keras and its backend (seconds) while the page is already served, rather than
    before printing the address or on the first stroke."""
    from .._setup import import_keras_quietly
    from ..errors import ConvscopeError

    try:
        import_keras_quietly()
    except ConvscopeError as exc:  # no backend: every answer will say so too
        print(f"error: {exc}", file=sys.stderr)
        return
    from .. import inspection, training  # noqa: F401


def stop(page: Page, blocks) -> None:
    """Stop the training (keeping its last epoch), the server, and remove the temp folder."""
    page.trainer.shutdown()
    blocks.close()
    if page.temp is not None:
        shutil.rmtree(page.temp, ignore_errors=True)


def serve(runs=(), runs_root="runs", photos=(), host: str = "127.0.0.1",
          port: int = DEFAULT_PORT) -> None:
    """Run the app until Ctrl-C: print its address, keep it local unless told otherwise."""
    url, page, blocks = start(runs, runs_root, photos, host, port)
    print(f"convscope app: {url}  (runs: {page.roots.runs_root}; Ctrl-C to stop)", flush=True)
    # `kill` ends the app like Ctrl-C: the training keeps its last epoch, the temp folder goes.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        blocks.block_thread()
    finally:
        stop(page, blocks)


def _interrupt(signum, frame):
    raise KeyboardInterrupt
