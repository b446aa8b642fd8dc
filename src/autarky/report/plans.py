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

PAGE = ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'><title>{title}</title>"
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
             "industrial output that was: output pushed up to meet a target without a use. "
             "Industrial output: " + esc(next((p.meta.get("industry_basis") for p in plans
                                               if p.meta.get("industry_basis")),
                                              "the industry groups' branches"))
             + ", at constant prices.</p>"]
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


def write_compare(eco: Economy | Scenario, plans: list[Any], out_dir: str | Path, *,
                  left_out: dict[str, str] | None = None) -> Path:
    """``out_dir/compare.html``: strategies compared, with charts of their paths;
    ``left_out``: strategies not planned, with the reason (named on the page)."""
    skipped = "".join(f"<p class='muted'>Not compared: <b>{esc(name)}</b>: {esc(why)}.</p>"
                      for name, why in (left_out or {}).items())
    body = (f"<h1>Strategies compared — {esc(eco.name)}</h1>"
            "<p class='muted'><a href='index.html'>← the balance</a></p>"
            f"<p class='muted'>Source: {esc(eco.source)}</p>"
            "<p>Each strategy is the same economy planned as one linear programme over the "
            "horizon: capacity grows from investment, investment goods come out of each year's "
            "output, and the strategy bounds the shares of investment by branch group "
            "(valued at constant prices). The objective is consumption over the plan.</p>"
            + skipped + compare_section(eco, plans))
    return write_page(out_dir, "compare.html", f"Strategies — {eco.name}", body)
