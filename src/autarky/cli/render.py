"""Rendering of results for the terminal (rich), JSON and CSV. Used by the CLI only."""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
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


def optimal_tables(plan: Any, economy: Economy, scenario: str) -> list[Table]:
    """The optimal plan: outputs with shadow prices, factors with rents, what binds."""
    cur = economy.currency
    if not plan.ok:
        t = Table(title=f"No optimal plan — {plan.status}", caption_justify="left",
                  caption=source_line(economy, scenario))
        if plan.status == "infeasible":
            t.add_column("how")
            t.add_column("constraint")
            t.add_column("bound", justify="right")
            t.add_column("needed", justify="right")
            for c in plan.conflicts:
                t.add_row("together" if c["kind"] == "smallest" else "alone",
                          c["constraint"], fmt(c["bound"]), fmt(c["needed"]))
        else:
            t.add_column("can grow without limit")
            for name in plan.unbounded_by:
                t.add_row(name)
        return [t]
    main = Table(title=f"Optimal plan — {economy.name} (objective {plan.objective}, "
                       f"fulfilment {plan.fulfilment:.4f})",
                 caption=source_line(economy, scenario) + ". Shadow price: objective gained "
                 "per extra unit (fulfilment of the target basket for max-min).",
                 caption_justify="left")
    for col in ("branch", "unit", "target", "gross output", "imports", "exports", "fulfilment",
                "shadow price", "capacity rent"):
        main.add_column(col, justify="left" if col in ("branch", "unit") else "right",
                        no_wrap=col in ("branch", "unit"))
    imp, exp = plan.imports.sum(axis=0), plan.exports.sum(axis=0)
    for b in economy.ids:
        main.add_row(b, economy.units[b], fmt(plan.final_demand.loc[b, "target"]),
                     fmt(plan.gross_output[b]), fmt(imp[b]), fmt(exp[b]),
                     fmt(plan.fulfilment_by_branch[b]), f"{plan.shadow_prices[b]:.4g}",
                     f"{plan.capacity_prices[b]:.4g}")
    out = [main]
    fac = plan.factor_requirements
    if len(fac):
        ft = Table(title="Factors")
        for col in ("factor", "unit", "used", "available", "rent (objective per unit)"):
            ft.add_column(col, justify="left" if col in ("factor", "unit") else "right")
        for f, r in fac.iterrows():
            ft.add_row(str(f), str(r["unit"]), fmt(r["required"]), fmt(r["available"]),
                       f"{plan.factor_prices[f]:.4g}")
        out.append(ft)
    bt = Table(title="Binding constraints")
    bt.add_column("constraint")
    for name in plan.binding:
        bt.add_row(name)
    if not np.isnan(plan.exchange_price):
        bt.caption = (f"Shadow value of foreign exchange: {plan.exchange_price:.4g} "
                      f"objective per {cur}.")
    out.append(bt)
    return out
