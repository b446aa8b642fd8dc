"""The uncertainty page: what the scenario's estimates leave open about its key figures, and
which estimates matter most for what a partner's cut-off would cost.

Written for any scenario that declares uncertain numbers (a range, distribution, sd or values
on its table entries) and has trading partners. A Monte Carlo sweep (:func:`autarky.sweep.
engine.sweep`, serial, a fixed seed) draws every uncertain number; the page gives each key
figure at the stated values beside the median and the 5-95 % range of the draws, and a tornado
chart per partner of the inputs whose rank correlation with the cut-off's loss is largest.
Every figure from the draws is an estimate of the distribution from a finite sample.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from autarky.economy import Economy, Scenario, as_scenario
from autarky.errors import AutarkyError
from autarky.report import figures
from autarky.report.format import format_number
from autarky.report.html import _table, esc
from autarky.report.plans import write_page

__all__ = ["DRAWS", "KEY_FIGURES", "has_uncertainty", "report_sweep", "uncertainty_section",
           "write_uncertainty"]

#: Draws the report makes by default (each a balanced plan, an optimal plan and one cut-off per
#: partner): enough for a 5-95 % range to within a few percentiles.
DRAWS = 100

#: The key figures: (output, what it is, how it is shown).
KEY_FIGURES = (
    ("indicators.import_content_final_demand", "import content of home final use", "percent"),
    ("indicators.imports_value", "imports at the balanced plan", "number"),
    ("optimize.fulfilment", "fulfilment of the optimal plan (1 = the target met)", "number"),
)


_SWEEPS: dict[tuple[Any, ...], Any] = {}


def report_sweep(eco: Economy | Scenario, runs: list[str], *, draws: int = DRAWS,
                 seed: int = 0) -> Any:
    """A serial Monte Carlo sweep for a report page, kept for the life of the process (pages
    of the same scenario, and reports written again, share it): keyed by the economy's content
    token, its settings, the runs, the draws and the seed."""
    from autarky.sweep.engine import sweep

    scn = as_scenario(eco)
    key = (scn.economy.token, repr(scn.settings), tuple(runs), int(draws), int(seed))
    if key not in _SWEEPS:
        if len(_SWEEPS) >= 8:
            _SWEEPS.pop(next(iter(_SWEEPS)))
        _SWEEPS[key] = sweep(scn, runs, draws=draws, seed=seed, scheduler="serial")
    return _SWEEPS[key]


def has_uncertainty(eco: Economy | Scenario) -> bool:
    """Whether the scenario declares uncertain numbers and has partners to cut off."""
    from autarky.sweep.uncertain import entries_of

    return bool(len(eco.coords.partner)) and bool(entries_of(as_scenario(eco)))


def _show(v: float, how: str) -> str:
    if not np.isfinite(v):
        return "-"
    return f"{100 * v:.1f} %" if how == "percent" else format_number(v)


def uncertainty_section(eco: Economy | Scenario, *, draws: int = DRAWS, seed: int = 0,
                        step: Callable[[str], None] | None = None) -> str:
    """The page's body (see the module docstring)."""
    from autarky.sweep.summary import noise_level, quantiles, sensitivity

    scn = as_scenario(eco)
    partners = [str(p) for p in scn.coords.partner]
    runs = ["indicators", "optimize", *[f"stress partner:{p}" for p in partners]]
    ds = report_sweep(scn, runs, draws=draws, seed=seed)
    spec = json.loads(ds.attrs["autarky_sweep"])
    ents = spec["entries"]
    by_table = pd.Series([e["label"].split("[")[0] for e in ents]).value_counts()
    broken = int((ds["draw_status"] == 1).sum())
    from autarky.sweep.analyses import parse_run

    stated = {parse_run(r).label: _stated(scn, r) for r in runs}
    rows = []
    figs = [*KEY_FIGURES, *[(f"stress_partner:{p}.loss", f"loss of fulfilment if {p} cuts "
                                                             "trade off", "percent")
                            for p in partners]]
    for var, what, how in figs:
        run, name = var.rsplit(".", 1)
        q = quantiles(ds, var, (0.05, 0.5, 0.95)).values
        at = stated.get(run, {})
        rows.append([esc(what), _show(float(at.get(name, np.nan)), how), _show(q[1], how),
                     f"{_show(q[0], how)} to {_show(q[2], how)}",
                     str(int(quantiles(ds, var, (0.5,)).attrs["n"])),
                     esc(ds[var].attrs.get("unit", ""))])
    parts = [
        f"<p>The scenario declares <b>{len(ents)}</b> uncertain numbers"
        + (f" (and {len(spec['followers'])} that move with one of them)" if spec["followers"]
           else "")
        + ": " + ", ".join(f"{esc(t)} {n}" for t, n in by_table.items())
        + f". {draws} Monte Carlo draws (seed {seed}), each number from its own distribution "
        f"(see the scenario's range_note of each); {broken} draws broke the scenario (not "
        "productive or out of a table's bounds): counted, not dropped.</p>",
        "<h2>Key figures with their range</h2>",
        _table(["figure", "stated", "median of the draws", "5-95 % of the draws", "draws",
                "unit"], rows, numeric={1, 2, 4}),
        "<p class='muted'>Medians and ranges are estimates from the draws (a sample of "
        f"{draws}); the stated value is the scenario's own.</p>",
        "<h2>What drives a cut-off's cost</h2>",
    ]
    for p in partners:
        var = f"stress_partner:{p}.loss"
        s = sensitivity(ds, var)
        top = s.sortby("rank").isel(entry=slice(0, 10))
        scores = pd.Series(top["spearman"].values, index=[str(e) for e in top["entry"].values])
        n = int(s["n"])
        noise = noise_level(n)
        parts.append('<div class="figure">' + figures.tornado_chart(
            scores, f"Cut-off by {p}: the inputs most correlated with the loss",
            "Spearman rank correlation with the loss of fulfilment", noise) + "</div>")
        parts.append(f"<p class='muted'>Spearman rank correlation over {n} draws; within the "
                     f"grey band (+-{noise:.2f}) a correlation cannot be told from none at 95 %. "
                     "Positive: a larger value of the input goes with a larger loss.</p>")
        if step is not None:
            step(f"drivers of {p}")
    return "\n".join(parts)


def _stated(scn: Scenario, run: str) -> dict[str, float]:
    from autarky.sweep.analyses import parse_run

    try:
        ds = parse_run(run)(scn, {})
    except AutarkyError:  # the stated value is shown as missing
        return {}
    return {str(v): float(ds[v]) for v in ds.data_vars if ds[v].ndim == 0}


def write_uncertainty(eco: Economy | Scenario, out_dir: str | Path, **options: Any) -> Path:
    """``out_dir/uncertainty.html`` (``options``: see :func:`uncertainty_section`)."""
    body = (f"<h1>Uncertainty — {esc(eco.name)}</h1>"
            "<p class='muted'><a href='index.html'>← the balance</a></p>"
            f"<div class='note'><b>Source.</b> {esc(eco.source)} The spreads are the scenario's "
            "own (range, distribution and range_note on each estimated entry).</div>"
            + uncertainty_section(eco, **options))
    return write_page(out_dir, "uncertainty.html", f"Uncertainty — {eco.name}", body)
