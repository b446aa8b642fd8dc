"""Rendering of results for the terminal (rich), JSON and CSV. Used by the CLI only."""

from __future__ import annotations

import io
import json
import math
import sys
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from autarky.economy import Economy, Scenario
from autarky.plan import Plan
from autarky.report.format import format_number


def fmt(v: float) -> str:
    """A number for a terminal table."""
    return format_number(v)


def source_line(economy: Economy | Scenario, scenario: str) -> str:
    """Where the figures come from, for a table caption."""
    src = economy.source.strip().replace("\n", " ").rstrip(".")
    if len(src) > 160:
        src = src[:157] + "..."
    return f"Scenario: {scenario}" + (f". Source: {src}" if src else "")


def top_rows(frame: pd.DataFrame, order: Any, ranking: str, what: str = "branches"
             ) -> tuple[pd.DataFrame, str]:
    """The rows a terminal table shows, and the sentence of its caption that says so: every
    row up to :data:`~autarky.report.topk.MAX_ROWS`, else the first
    :data:`~autarky.report.topk.TOP_ROWS` of ``order`` (``ranking`` says which they are)."""
    from autarky.report.topk import shorten

    shown = shorten(order, len(frame))
    if shown is None:
        return frame, ""
    return frame.loc[shown], (f" {len(shown)} of {len(frame):,} {what} shown, {ranking}; "
                              "--format csv or json gives every one.")


def balance_table(plan: Plan, economy: Economy | Scenario, scenario: str) -> Table:
    """The balance as a rich table; every figure in its branch's unit (the largest branches
    only, above :data:`~autarky.report.topk.MAX_ROWS`)."""
    from autarky.report.topk import MAX_ROWS, balance_order

    t = plan.table()
    note = ""
    if len(t) > MAX_ROWS:
        t, note = top_rows(t, *balance_order(economy, t))
    table = Table(title=f"Material balance — {economy.name}",
                  caption=source_line(economy, scenario) + ". Figures in each branch's unit"
                  + ("; supply (gross output + imports) = intermediate use + final demand + "
                     "exports." if "exports" in t.columns else ".") + note,
                  caption_justify="left")
    table.add_column("branch", no_wrap=True)
    table.add_column("unit", no_wrap=True)
    table.add_column("gross output", justify="right")
    has_m = "imports" in t.columns
    if has_m:
        table.add_column("imports", justify="right")
    table.add_column("intermediate use", justify="right")
    table.add_column("final demand", justify="right")
    has_e = "exports" in t.columns
    if has_e:
        table.add_column("exports", justify="right")
    has_rep = "reported" in t.columns
    if has_rep:
        table.add_column("reported", justify="right")
        table.add_column("balance vs reported", justify="right")
    for b, r in t.iterrows():
        cells = [str(b), str(r["unit"]), fmt(r["gross_output"]),
                 *([fmt(r["imports"])] if has_m else []), fmt(r["intermediate_use"]),
                 fmt(r["final_demand"]), *([fmt(r["exports"])] if has_e else [])]
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


def result_doc(result: Any, economy: Economy | Scenario, scenario: str, **extra: Any) -> dict[str, Any]:
    """A result as one JSON-ready object (:func:`autarky.io.results.to_json_dict`), headed by
    the scenario it comes from."""
    from autarky.io.results import to_json_dict

    return {"scenario": scenario, "name": economy.name, "source": economy.source, **extra,
            **to_json_dict(result)}


def print_result(result: Any, economy: Economy | Scenario, scenario: str, fmt_name: str,
                 **extra: Any) -> None:
    """Print a result as JSON or as a long CSV table (one row per value, with its unit)."""
    from autarky.io.results import to_text

    if fmt_name == "json":
        print_json(result_doc(result, economy, scenario, **extra))
    else:
        sys.stdout.write(to_text(result, "csv"))


def _finite(o: Any) -> Any:
    if isinstance(o, float) and not math.isfinite(o):
        return None
    if isinstance(o, dict):
        return {str(k): _finite(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_finite(v) for v in o]
    return o


def print_json(doc: dict[str, Any]) -> None:
    """Print one JSON object to standard output (NaN and infinities become null)."""
    sys.stdout.write(json.dumps(_finite(doc), indent=2) + "\n")


def balance_csv(plan: Plan) -> str:
    """The balance table as CSV (with a unit column), every number in full precision (it reads
    back to the same floats)."""
    buf = io.StringIO()
    plan.table().to_csv(buf)
    return buf.getvalue()


def print_table(console: Console, table: Table | None) -> None:
    if table is not None:
        console.print(table)


def why_no_plan(plan: Any) -> str:
    """Why a plan ended without an answer that is neither infeasible nor unbounded: the
    solver's own words, and the largest violations of an answer that failed its check."""
    meta = getattr(plan, "meta", {}) or {}
    why = str(meta.get("message") or "").strip() or "the solver gave no reason"
    check = getattr(plan, "check", None)
    if isinstance(check, dict):
        parts = [f"{label} {float(check[key]):.2e}" for key, label in (
            ("primal_violation", "primal"), ("dual_violation", "dual"), ("duality_gap", "gap"))
            if isinstance(check.get(key), (int, float))]
        if parts:
            why += "; the refused answer's largest violations: " + ", ".join(parts)
    return f"the solver ended without an answer it could check: {why}"


def optimal_tables(plan: Any, economy: Economy | Scenario, scenario: str) -> list[Table]:
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
        elif plan.status == "unbounded":
            t.add_column("can grow without limit")
            for name in plan.unbounded_by:
                t.add_row(name)
        else:
            t.add_column("why")
            t.add_row(why_no_plan(plan))
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
        main.add_row(b, economy.units[b], fmt(plan.target[b]),
                     fmt(plan.gross_output[b]), fmt(imp[b]), fmt(exp[b]),
                     fmt(plan.fulfilment_by_branch[b]), format_number(plan.shadow_prices[b], digits=4),
                     format_number(plan.capacity_prices[b], digits=4))
    out = [main]
    fac = plan.factor_requirements
    if len(fac):
        ft = Table(title="Factors")
        for col in ("factor", "unit", "used", "available", "rent (objective per unit)"):
            ft.add_column(col, justify="left" if col in ("factor", "unit") else "right")
        for f, r in fac.iterrows():
            ft.add_row(str(f), str(r["unit"]), fmt(r["required"]), fmt(r["available"]),
                       format_number(plan.factor_prices[f], digits=4))
        out.append(ft)
    bt = Table(title="Binding constraints")
    bt.add_column("constraint")
    for name in plan.binding_names:
        bt.add_row(name)
    if not np.isnan(plan.exchange_price):
        bt.caption = (f"Shadow value of foreign exchange: {format_number(plan.exchange_price, digits=4)} "
                      f"objective per {cur}.")
    out.append(bt)
    return out


def multiyear_table(plan: Any, economy: Economy | Scenario, scenario: str) -> Table:
    """One row per year: industrial output and growth, consumption, investment by group."""
    cur = economy.currency
    if not plan.ok:
        t = Table(title=f"Strategy {plan.strategy}: no plan — {plan.status}",
                  caption=source_line(economy, scenario), caption_justify="left")
        if plan.status != "infeasible":
            t.add_column("why")
            t.add_row(why_no_plan(plan))
            return t
        for col in ("constraint", "bound", "needed"):
            t.add_column(col, justify="left" if col == "constraint" else "right")
        for c in plan.conflicts:
            t.add_row(c["constraint"], fmt(c["bound"]), fmt(c["needed"]))
        return t
    groups = list(plan.investment_by_group.columns)
    t = Table(title=f"Multi-year plan — {economy.name}, strategy {plan.strategy} "
                    f"(industrial output {plan.multiple():.2f} x {plan.base_year} by "
                    f"{plan.years[-1]})",
              caption=source_line(economy, scenario) + f". Values in {cur} at constant prices; "
              "consumption as a multiple of the base-year basket.", caption_justify="left")
    t.add_column("year", justify="right")
    t.add_column(f"industrial output ({cur})", justify="right")
    t.add_column("growth", justify="right")
    t.add_column("consumption (x basket)", justify="right")
    for g in groups:
        t.add_column(f"investment {g} ({cur})", justify="right")
    t.add_column("binds", justify="left")
    bt = plan.binding.table
    for y in plan.years:
        here = bt[(bt["year"] == y) & ~bt["kind"].isin(["product", "industrial-output-target"])]
        binds = sorted(f"{k}:{lab}" if lab else str(k) for k, lab in zip(here["kind"],
                                                                        here["label"], strict=True))
        t.add_row(str(y), fmt(plan.industrial_output[y]), f"{100 * plan.growth[y]:.1f} %",
                  f"{plan.consumption[y]:.3f}",
                  *[fmt(plan.investment_by_group.loc[y, g]) for g in groups],
                  ", ".join(binds[:4]) + (" …" if len(binds) > 4 else ""))
    return t


def shortfall_table(plan: Any) -> Table | None:
    """Shortfall against soft targets."""
    if not plan.ok or plan.shortfall is None:
        return None
    t = Table(title=f"Shortfall against the targets of strategy {plan.strategy}")
    for col in ("target", "required", "achieved", "shortfall", "share"):
        t.add_column(col, justify="left" if col == "target" else "right")
    for name, r in plan.shortfall.iterrows():
        t.add_row(str(name), fmt(r["required"]), fmt(r["achieved"]), fmt(r["shortfall"]),
                  f"{100 * r['shortfall_share']:.1f} %")
    return t


def compare_table(plans: list[Any], economy: Economy | Scenario) -> Table:
    """Strategies side by side: multiple reached, average growth, consumption, shortfall."""
    t = Table(title=f"Strategies compared — {economy.name}",
              caption=f"Industrial output at constant prices ({economy.currency}); multiple of "
              "the base year; consumption as a multiple of the base-year basket.",
              caption_justify="left")
    for col in ("strategy", "status", "multiple", "avg growth", "consumption (mean)",
                "consumption (last)", "shortfall"):
        t.add_column(col, justify="left" if col in ("strategy", "status") else "right")
    for p in plans:
        if not p.ok:
            t.add_row(p.strategy, p.status, "-", "-", "-", "-", "-")
            continue
        years = len(p.years) + (p.years[0] - p.base_year - 1)
        mult = p.multiple()
        sf = "-" if p.shortfall is None else f"{100 * p.shortfall['shortfall_share'].max():.0f} % max"
        t.add_row(p.strategy, p.status, f"{mult:.2f}", f"{100 * (mult ** (1 / years) - 1):.1f} %",
                  f"{p.consumption.mean():.3f}", f"{p.consumption.iloc[-1]:.3f}", sf)
    return t
