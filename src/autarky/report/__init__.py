"""Layer 7: tables, figures and a self-contained HTML report."""

from autarky.report.html import render_report, write_report

__all__ = ["render_report", "write_report"]
