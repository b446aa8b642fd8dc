"""Rendering of results for the terminal (rich), JSON and CSV. Used by the CLI only."""

from __future__ import annotations

import io
import json
from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from autarky.economy import Economy
from autarky.plan import Plan
from autarky.report.format import format_number


def fmt(v: float) -> str:
    """A number for a terminal table."""
    return format_number(v)


def source_line(economy: Economy, scenario: str) -> str:
    """Where the figures come from, for a table caption."""
    src = economy.source.strip().replace("\n", " ")
    if len(src) > 160:
        src = src[:157] + "..."
    return f"Scenario: {scenario}" + (f". Source: {src}" if src else "")


def balance_table(plan: Plan, economy: Economy, scenario: str) -> Table:
    """The balance as a rich table; every figure in its branch's unit."""
    t = plan.table()
    table = Table(title=f"Material balance — {economy.name}",
                  caption=source_line(economy, scenario) + ". Figures in each branch's unit.",
                  caption_justify="left")
    table.add_column("branch", no_wrap=True)
    table.add_column("unit", no_wrap=True)
    table.add_column("gross output", justify="right")
    table.add_column("intermediate use", justify="right")
    table.add_column("final demand", justify="right")
    has_rep = "reported" in t.columns
    if has_rep:
        table.add_column("reported", justify="right")
        table.add_column("balance vs reported", justify="right")
    for b, r in t.iterrows():
        cells = [str(b), str(r["unit"]), fmt(r["gross_output"]), fmt(r["intermediate_use"]),
                 fmt(r["final_demand"])]
        if has_rep:
            dev = r["deviation"]
            cells += [fmt(r["reported"]), "-" if pd.isna(dev) else f"{round(100 * dev, 2) + 0.0:+.2f} %"]
        table.add_row(*cells)
    return table


def factor_table(plan: Plan) -> Table | None:
    """Factor requirements against availability."""
    fac = plan.factor_requirements
    if fac.empty:
        return None
    table = Table(title="Factor requirements")
    for col in ("factor", "unit", "required", "available", "utilisation"):
        table.add_column(col, justify="left" if col in ("factor", "unit") else "right")
    for f, r in fac.iterrows():
        util = "-" if pd.isna(r["utilisation"]) else f"{100 * r['utilisation']:.1f} %"
        table.add_row(str(f), str(r["unit"]), fmt(r["required"]), fmt(r["available"]), util)
    return table


def balance_json(plan: Plan, economy: Economy, scenario: str) -> str:
    """One JSON object; ``gross_output`` maps branch id to its value."""
    out: dict[str, Any] = {"scenario": scenario, "name": economy.name,
                           "source": economy.source, **plan.to_dict()}
    return json.dumps(out, indent=2)


def balance_csv(plan: Plan) -> str:
    """The balance table as CSV (with a unit column)."""
    buf = io.StringIO()
    plan.table().to_csv(buf, float_format="%.10g")
    return buf.getvalue()


def print_table(console: Console, table: Table | None) -> None:
    if table is not None:
        console.print(table)
