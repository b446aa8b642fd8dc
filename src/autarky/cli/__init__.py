"""Layer 8: the ``autarky`` command line. The only place that prints."""

from __future__ import annotations

from autarky.cli.app import app, register_commands

register_commands()


def main() -> None:
    """Console-script entry point (see :mod:`autarky._entry`)."""
    from autarky._entry import main as _main

    _main()


__all__ = ["app", "main"]
