"""The ``convscope`` command: each subcommand parses its options, calls the library and prints.

One module per area: ``training`` (recipes, train), ``data`` (scan, prepare), ``runs``
(evaluate, predict, compare), ``inspect`` (see, filter, kernels, explain, summary).
"""

from . import data, inspect, runs, training  # noqa: E402, F401  (they register the commands)
from ._common import app


def main() -> None:
    app(prog_name="convscope")


__all__ = ["app", "main"]
