"""``python -m convscope`` is the same as the ``convscope`` command."""

from .cli import main

main()
