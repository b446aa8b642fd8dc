"""Layer 8: the ``autarky`` command line. The only place that prints."""

from __future__ import annotations

import sys

from autarky.cli import monitor_cmds, reliance_cmds  # noqa: F401  (register their commands)
from autarky.cli.app import app


def main() -> None:
    """Console-script entry point."""
    from autarky.cli.app import main as _main

    sys.exit(_main(sys.argv[1:]))


__all__ = ["app", "main"]
