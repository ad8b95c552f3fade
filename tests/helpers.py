"""What the tests share: running the ``convscope`` command.

``run_cli`` runs it in this process by default (Typer's test runner: no TensorFlow start-up
per call, and the test's monkeypatching and cache folder apply). ``process=True`` starts a real
``python -m convscope`` instead, for what only a fresh process shows: TensorFlow not started
yet (``--devices``), another Keras backend, or ``python -m convscope`` itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class CliResult:
    """How a command ended: its exit status and what it printed on each stream."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(*args, env: Mapping[str, str | None] | None = None, process: bool = False,
            timeout: float = 600) -> CliResult:
    """``convscope ARGS`` (each argument turned into a string).

    ``env``: variables to change for the command, on top of this process's environment (a value
    of None removes one). In this process an exception other than ``SystemExit`` is raised
    again, so that a command's traceback fails the test instead of passing for an exit status.
    ``timeout`` (seconds) applies to a real process only.
    """
    args = [str(a) for a in args]
    if process:
        environ = dict(os.environ)
        for name, value in (env or {}).items():
            if value is None:
                environ.pop(name, None)
            else:
                environ[name] = value
        done = subprocess.run([sys.executable, "-m", "convscope", *args], capture_output=True,
                              text=True, env=environ, timeout=timeout)
        return CliResult(done.returncode, done.stdout, done.stderr)

    from typer.testing import CliRunner

    from convscope.cli import app

    result = CliRunner().invoke(app, args, env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return CliResult(result.exit_code, result.stdout, result.stderr)
