"""Report pages for multi-year plans: strategies compared, and the Seven Year Plan examined."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from autarky.economy import Economy, Scenario
from autarky.io.writer import atomic_write
from autarky.report import figures
from autarky.report.html import CSS, _table, esc, num

PAGE = ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        "<style>{css}</style></head><body>{body}</body></html>")


def write_page(out_dir: str | Path, name: str, title: str, body: str) -> Path:
    """Write one self-contained page atomically; return its path."""
    return atomic_write(Path(out_dir) / name, PAGE.format(title=esc(title), css=CSS, body=body))


def capacity_by_group(eco: Economy | Scenario, plan: Any) -> pd.DataFrame:
    """Capacity valued at constant prices, summed by branch group (``year x group``)."""
    prices = np.nan_to_num(eco.prices.to_numpy())
    value = plan.capacity * prices[np.newaxis, :]
    out = value.T.groupby(eco.branches["group"].to_numpy()).sum().T
    out.columns.name = "group"
    return out


def compare_rows(plans: list[Any]) -> list[list[str]]:
    rows = []
    for p in plans:
        if not p.ok:
            rows.append([esc(p.strategy), esc(p.status), "–", "–", "–", "–", "–",
                         esc("; ".join(f"{c['constraint']} {num(c['bound'])} → {num(c['needed'])}"
                                       for c in p.conflicts[:3]))])
            continue
        years = p.years[-1] - p.base_year
        mult = p.multiple()
        sf = ("–" if p.shortfall is None else
              f"{100 * p.shortfall['shortfall_share'].max():.0f} % (worst year)")
        rows.append([esc(p.strategy), "optimal", f"{mult:.2f}",
                     f"{100 * (mult ** (1 / years) - 1):.1f} %", f"{p.consumption.mean():.3f}",
                     f"{p.consumption.iloc[-1]:.3f}", sf,
                     f"{100 * p.unused_share().max():.1f} %"])
    return rows


COMPARE_HEADERS = ["strategy", "status", "industrial output, last year / base year",
                   "average growth a year", "consumption, mean (× basket)",
                   "consumption, last year (× basket)", "shortfall against targets",
                   "industrial output unused, worst year"]


def compare_section(eco: Economy | Scenario, plans: list[Any], reference: dict[str, pd.Series] | None = None
                    ) -> str:
    """Table and charts of strategies side by side."""
    ok = [p for p in plans if p.ok]
    parts = [_table(COMPARE_HEADERS, compare_rows(plans), numeric={2, 3, 4, 5, 7}),
             "<p class='muted'>Output is counted gross, as the plans counted it; the balance "
             "allows output nobody uses (free disposal), and the last column says how much of "
             "industrial output that was: output pushed up to meet a target without a use.</p>"]
    if ok:
        index = {p.strategy: p.industrial_output / p.industrial_output[p.base_year] for p in ok}
        parts.append(figures.paths_chart(
            index, f"Industrial output (base year {ok[0].base_year} = 1), constant prices",
            "multiple of base year", reference=reference))
        parts.append(figures.paths_chart(
            {p.strategy: p.consumption for p in ok}, "Consumption",
            "multiple of the base-year basket"))
        parts.append(figures.stacked_groups(
            {p.strategy: capacity_by_group(eco, p) for p in ok},
            f"Capacity by branch group, valued at constant prices ({eco.currency})",
            eco.currency))
    for p in plans:
        if p.ok:
            parts.append(f"<p class='muted'><b>{esc(p.strategy)}</b>: {esc(p.description)}</p>")
    return "".join(f'<div class="figure">{x}</div>' if x.startswith("<svg") else x for x in parts)


def write_compare(eco: Economy | Scenario, plans: list[Any], out_dir: str | Path) -> Path:
    """``out_dir/compare.html``: strategies compared, with charts of their paths."""
    body = (f"<h1>Strategies compared — {esc(eco.name)}</h1>"
            f"<p class='muted'>Source: {esc(eco.source)}</p>"
            "<p>Each strategy is the same economy planned as one linear programme over the "
            "horizon: capacity grows from investment, investment goods come out of each year's "
            "output, and the strategy bounds the shares of investment by branch group "
            "(valued at constant prices). The objective is consumption over the plan.</p>"
            + compare_section(eco, plans))
    return write_page(out_dir, "compare.html", f"Strategies — {eco.name}", body)


def _strict_conflicts(eco: Economy | Scenario, growth: float) -> list[dict[str, Any]]:
    p = eco.plan.multiyear("free", targets="strict", target_growth=growth)
    return [] if p.ok else list(p.conflicts)


def seven_year_plan_section(eco: Economy | Scenario, claims: Any, strategies: list[str]) -> str:
    """The Seven Year Plan examined: can output grow 18 % a year; what each strategy yields by
    1967 against 3.2 times 1960; the reported 1964 and 1965 growth against the plan path."""
    from autarky.plan.multiyear import max_uniform_growth

    target = claims["seven-year-plan-growth-target"]
    mult = claims["seven-year-plan-output-vs-1960"]
    r64, r65 = claims["industrial-growth-1964"], claims["industrial-growth-1965"]
    g = float(target.value)
    plans = [eco.plan.multiyear(s) for s in strategies]
    by_name = {p.strategy: p for p in plans}
    years = list(plans[0].years)
    base = plans[0].base_year
    g_max = max_uniform_growth(eco, "free")
    g_max_lf = max_uniform_growth(eco, "light-first")
    g_used = max_uniform_growth(eco, "free", no_waste=True)
    conflicts = _strict_conflicts(eco, g)
    first_year = min((int(c["year"]) for c in conflicts if c.get("year") is not None),
                     default=None)
    first = [c for c in conflicts if first_year is not None and c.get("year") == first_year]
    free = by_name.get("free") or eco.plan.multiyear("free")
    bn = free.bottlenecks(years[0]) if free.ok else pd.Series(dtype=float)
    parts = [
        "<h2>1. Can industrial output grow 18 % a year in this model?</h2>",
        f"<p>The plan's target: <b>{100 * g:g} % a year</b> (line {target.line}), "
        f"<b>{mult.value:g} times {mult.base_year} by {mult.year}</b> (line {mult.line}). "
        f"In the model, the largest growth of industrial output that can be held <i>every</i> year "
        f"from {years[0]} to {years[-1]} is <b>{100 * g_max:.1f} %</b> with investment free to go "
        f"where it helps most, and <b>{100 * g_max_lf:.1f} %</b> under the plan's own order "
        f"(light-first). {100 * g:g} % a year is "
        + ("<span class='ok'>feasible</span>." if g_max >= g else
           "<span class='bad'>not feasible</span>.")
        + " These rates count output whether or not anyone uses it, as gross-output statistics "
        f"did; if every product must find a use, the largest uniform rate is {100 * g_used:.1f} % "
        "(the consumption basket and the other final uses are fixed in their proportions).</p>",
    ]
    if first:
        rows = [[esc(c["constraint"]), num(c["bound"]), num(c["needed"])] for c in first]
        parts.append(
            f"<p>Asked for {100 * g:g} % every year as a hard requirement, the plan breaks first in "
            f"<b>{first_year}</b>. One smallest relaxation that would allow it (each "
            "constraint weighted by its size, so it favours moving small bounds) moves these "
            "constraints of that year, in each branch's unit:</p>"
            + _table(["constraint", "bound", "needed"], rows, numeric={1, 2}))
    if len(bn):
        parts.append("<p>In the best plan (strategy <i>free</i>, targets pursued as far as "
                     f"possible), the scarcest capacities of {years[0]}, ranked by the value of "
                     "one more won of capacity, are: "
                     + ", ".join(f"<b>{esc(b)}</b> ({v:.2f})" for b, v in bn.items())
                     + " (1 = the scarcest).</p>")
    plan_path = pd.Series([(1 + g) ** (y - base) for y in [base, *years]], index=[base, *years])
    parts += [
        f"<h2>2. What each strategy yields by {years[-1]}</h2>",
        f"<p>Against the target of {mult.value:g} times {mult.base_year} (dashed: the plan's "
        f"{100 * g:g} % path). Every strategy pursues the targets as far as it can (shortfall "
        "minimised first), keeping consumption at least at its base-year level; output that "
        "nobody would use is charged, so no strategy meets a target with waste.</p>",
        compare_section(eco, plans, reference={f"plan: {100 * g:g} % a year": plan_path}),
    ]
    lf = by_name.get("light-first")
    rows = []
    for y, claim in ((1964, r64), (1965, r65)):
        if lf is None or not lf.ok or y not in lf.years:
            continue
        bn_y = lf.bottlenecks(y)
        rows.append([str(y), f"{100 * g:g} %", f"{100 * claim.value:g} % (line {claim.line})",
                     f"{100 * lf.growth[y]:.1f} %",
                     ", ".join(f"{esc(b)} ({v:.2f})" for b, v in bn_y.items()) or "–"])
    if rows:
        gap = (1 + r64.value) * (1 + r65.value) / (1 + g) ** 2 - 1
        parts += [
            "<h2>3. The reported 17 % (1964) and 14 % (1965) against the plan path</h2>",
            f"<p>Compounded, the reported growth leaves 1965 output <b>{100 * abs(gap):.1f} % "
            f"{'below' if gap < 0 else 'above'}</b> where two years at {100 * g:g} % would have "
            "put it (1.17 × 1.14 against 1.18²). The model, planned on the Seven Year Plan's own "
            "order (light-first), grows as follows in those years; the capacities that bind "
            "hardest explain the slowdown in the model:</p>",
            _table(["year", "plan", "reported", "model (light-first)",
                    "scarcest capacities in the model (1 = scarcest)"], rows),
        ]
    return "".join(parts)


def write_seven_year_plan(eco: Economy | Scenario, claims: Any, out_dir: str | Path,
                          strategies: list[str] | None = None) -> Path:
    """``out_dir/plans.html``: the Seven Year Plan examined."""
    strategies = strategies or ["free", "heavy-first", "light-first", "balanced", "great-leap"]
    body = (f"<h1>{esc(eco.name)}</h1>"
            "<p class='muted'><a href='index.html'>← the 1963 balance</a></p>"
            f"<div class='note'><b>Source.</b> {esc(eco.source)}</div>"
            f"<p>{esc(eco.description)}</p>"
            + seven_year_plan_section(eco, claims, strategies))
    return write_page(out_dir, "plans.html", eco.name, body)
