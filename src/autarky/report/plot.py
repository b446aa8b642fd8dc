"""``result.plot``: the report's charts for a result in a notebook (matplotlib; each method
draws on ``ax``, or on a new figure's axes, and returns the axes).

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from autarky import data
>>> ax = data.load("island").reliance.indicators().plot()
>>> ax.get_title()
'Self-sufficiency and import dependence by product'
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from autarky.errors import BadTypeError
from autarky.report import figures


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=size)[1]


class Plotter:
    """The charts of one result; calling it draws the result's main chart."""

    def __init__(self, result: Any) -> None:
        self._r = result

    def _kind(self, *names: str) -> None:
        if type(self._r).__name__ not in names:
            raise BadTypeError(f"this chart is for {' or '.join(names)} results, not "
                               f"{type(self._r).__name__}")

    def __call__(self, ax: Axes | None = None) -> Axes:
        main = {"Indicators": self.dependence, "StressResult": self.weekly,
                "AutarkyCost": self.curve, "MultiYearPlan": self.paths,
                "Plan": self.uses, "OptimalPlan": self.uses, "MonitorResult": self.fan,
                "AuditResult": self.residuals}
        kind = type(self._r).__name__
        if kind not in main:
            raise BadTypeError(f"{kind} results have no chart; see .to_dataset()")
        return main[kind](ax=ax)

    def uses(self, ax: Axes | None = None) -> Axes:
        """A plan: the uses of each product as shares of its supply (output + imports)."""
        self._kind("Plan", "OptimalPlan")
        t = self._r.table()
        supply = t["gross_output"] + t.get("imports", 0.0)
        parts = pd.concat([t[["intermediate_use"]], self._r.final_demand,
                           *([t[["exports"]]] if "exports" in t else [])], axis=1)
        shares = parts.div(supply.where(supply > 0, 1.0), axis=0)
        ax = _axes(ax, (8, 1 + 0.4 * len(t)))
        return figures.draw_bars(ax, shares, "Uses of each product (share of its supply)",
                                 "share of supply", stacked=True)

    def dependence(self, ax: Axes | None = None) -> Axes:
        """Indicators: self-sufficiency, direct import share and total import content."""
        self._kind("Indicators")
        t = self._r.table[["self_sufficiency", "import_share", "import_content"]].rename(
            columns={"self_sufficiency": "self-sufficiency", "import_share":
                     "direct import share", "import_content": "total import content"})
        ax = _axes(ax, (max(6.0, 0.55 * len(t) + 2.5), 3.6))
        return figures.draw_bars(ax, t, "Self-sufficiency and import dependence by product",
                                 "share")

    def partners(self, ax: Axes | None = None) -> Axes:
        """Indicators: import content by partner, stacked, per unit of each final product."""
        self._kind("Indicators")
        pc = self._r.partner_content.T
        ax = _axes(ax, (max(6.0, 0.55 * len(pc) + 2.5), 3.6))
        return figures.draw_bars(ax, pc, "Import content by partner", "share of value",
                                 stacked=True)

    def weekly(self, ax: Axes | None = None) -> Axes:
        """A stress test: total output each week against the baseline (valued at constant
        prices), the weeks of the shock shaded."""
        self._kind("StressResult")
        pr = self._r.propagation
        if pr is None:
            raise BadTypeError("this stress test was not propagated (propagate_too=False)")
        base = float(self._r.prices @ pr.baseline)
        index = pd.Series(pr.output @ self._r.prices / base, index=np.arange(1, pr.weeks + 1))
        d = self._r.duration
        shade = (0.5, d + 0.5, f"shock (weeks 1-{d})") if d else None
        ax = _axes(ax, (7.5, 3.6))
        return figures.draw_paths(ax, {self._r.shock: index}, f"Total output: {self._r.shock}",
                                  "output / baseline", xlabel="week", shade=shade)

    def curve(self, ax: Axes | None = None) -> Axes:
        """The cost of autarky: fulfilment of the target as import shares are capped."""
        self._kind("AutarkyCost")
        c = self._r.curve
        series = {"fulfilment": c["fulfilment"]}
        if "fulfilment_scale" in c:
            series["with economies of scale"] = c["fulfilment_scale"]
        ax = _axes(ax, (7.5, 3.6))
        return figures.draw_paths(ax, series, "Fulfilment as imports are capped", "fulfilment",
                                  xlabel="cap (share of today's import shares allowed)")

    def fan(self, ax: Axes | None = None, branch: str | None = None) -> Axes:
        """Monitoring: a branch's targets, its newest reports and the forecast fan (5-95 % and
        25-75 % quantiles of the forecast to the plan's end); ``branch``: default the first."""
        self._kind("MonitorResult")
        r = self._r
        branches = list(r.paths)
        if not branches or r.targets is None or r.reported is None:
            raise BadTypeError("this monitoring result has no forecast path to draw")
        branch = branches[0] if branch is None else branch
        if branch not in r.paths:
            from autarky.errors import UnknownIdError

            raise UnknownIdError(f"no forecast for branch {branch!r}; branches: "
                                 f"{', '.join(branches)}")
        history = r.reported.loc[branch].dropna()
        target = r.targets.loc[branch].dropna()
        ax = _axes(ax, (7.5, 3.8))
        return figures.draw_fan(ax, history, r.fan()[branch], target,
                                f"{branch}: plan, reports and forecast", r.units.get(branch, ""))

    def residuals(self, ax: Axes | None = None) -> Axes:
        """The audit: each audited claim's standardised residual ``z``, the flag threshold
        marked (bars beyond it are the flagged claims)."""
        self._kind("AuditResult")
        c = self._r.claims[self._r.claims["audited"]]
        z = pd.DataFrame({"z": c["z"].to_numpy()}, index=c["id"].to_list())
        ax = _axes(ax, (max(6.0, 0.3 * len(z) + 2.5), 3.6))
        figures.draw_bars(ax, z, "Standardised residual of each claim", "z", percent=False)
        for sign in (1, -1):
            ax.axhline(sign * self._r.z_threshold, color="black", ls="--", lw=0.8)
        return figures.literal_text(ax)

    def paths(self, ax: Axes | None = None, variable: str = "industrial_output") -> Axes:
        """A multi-year plan: a path over the years (``industrial_output``, ``consumption`` or
        ``growth``)."""
        self._kind("MultiYearPlan")
        s = getattr(self._r, variable, None)
        if not isinstance(s, pd.Series):
            raise BadTypeError(f"no path {variable!r}; use industrial_output, consumption or "
                               "growth")
        ax = _axes(ax, (7.5, 3.6))
        return figures.draw_paths(ax, {self._r.strategy: s}, f"{variable.replace('_', ' ')} "
                                  f"({self._r.strategy})", variable.replace("_", " "))
