"""Layer 7: tables, figures and a self-contained HTML report.

The page writers (and matplotlib with them) are imported on first use, so that
:mod:`autarky.report.format` is light for the terminal and the notebook displays."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from autarky.report.html import render_report, write_report

__all__ = ["render_report", "write_report"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("autarky.report.html"), name)
    raise AttributeError(f"module 'autarky.report' has no attribute {name!r}")
