"""``convscope app``: the local web app (Gradio), imported only when the command runs."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Annotated

import typer

from ._common import app, fail, spelled


# Not @user_errors: it imports Keras before the command (seconds); the app prints its address
# first and imports Keras while the page loads.
@app.command("app")
def app_command(
    runs: Annotated[list[Path] | None, typer.Argument(
        metavar="RUN_DIR", help="Run directories to serve (besides those under "
        "--runs-root).", show_default=False)] = None,
    runs_root: Annotated[Path, typer.Option(metavar="DIR", help="Folder of runs: those under "
                                            "it are served, and the app's trainings and "
                                            "dropped photos are written there.")
                         ] = Path("runs"),
    photos: Annotated[list[Path] | None, typer.Option(
        "--photos", metavar="DIR", help="A folder of photos to train on, one sub-folder per "
        "class (or train/ and test/); repeat for several.", show_default=False)] = None,
    host: Annotated[str, typer.Option(help="Address to listen on; 0.0.0.0 lets anyone on the "
                                      "network use the app.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (another free one if it is taken).", min=1,
                                      max=65535)] = 7860,
):
    """A local web app: draw a digit, try a photo, explore a run or train one, and watch what
    the network sees, in your browser.

    It prints its address (http://127.0.0.1:7860/ unless that port is taken) and runs until
    Ctrl-C, which stops a training after its current step, keeping its last complete epoch.
    Example: convscope app --runs-root runs --photos my_photos
    """
    if importlib.util.find_spec("gradio") is None:
        fail("the app needs Gradio: pip install 'convscope[app]'")
    from ..app import serve
    from ..errors import ConvscopeError

    try:
        serve(runs or (), runs_root, photos or (), host, port)
    except ConvscopeError as exc:
        fail(exc.say(spelled))
