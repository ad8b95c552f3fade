"""The ``convscope`` command: each subcommand parses its options, calls the library and prints.

One module per area: ``training`` (recipes, train), ``data`` (scan, prepare), ``runs``
(evaluate, predict, compare, report), ``inspect`` (see, filter, kernels, explain, summary),
``trace`` (the arithmetic of one value),
``serve`` (``convscope app``, the local web app), ``export`` (a run's network for another
runtime).
"""

from . import data, export, inspect, report, runs, serve, trace, training  # noqa: F401  (registering)
from ._common import app


def main() -> None:
    app(prog_name="convscope")


__all__ = ["app", "main"]
