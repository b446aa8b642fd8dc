"""The :class:`MultiYearPlan`: paths of output, capacity, investment and consumption."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


def canonical(name: str) -> str:
    """``kind@year:item`` (as the LP names rows) to ``kind:item@year``.

    Examples
    --------
    >>> canonical("capacity@1964:steel"), canonical("terminal-investment")
    ('capacity:steel@1964', 'terminal-investment')
    """
    head, _, item = name.partition(":")
    kind, at, year = head.partition("@")
    if not at:
        return name
    return f"{kind}:{item}@{year}" if item else f"{kind}@{year}"


def _frame(values: np.ndarray, years: list[int], columns: list[str], name: str) -> pd.DataFrame:
    return pd.DataFrame(values, index=pd.Index(years, name="year"),
                        columns=pd.Index(columns, name=name))


@dataclass(frozen=True)
class MultiYearPlan:
    """A multi-year plan under one strategy (or why there is none).

    Attributes
    ----------
    strategy, status
        The strategy's name; ``optimal``, ``infeasible`` or ``unbounded``.
    years, base_year
        The plan years and the year growth is measured from.
    gross_output, capacity, new_capacity
        ``year x branch``, in each branch's unit.
    investment
        Value of the investment goods used for each branch's new capacity (``year x branch``, in
        the scenario's currency at constant prices).
    investment_by_group
        The same summed by branch group (``year x group``).
    consumption
        Consumption level each year, a multiple of the consumption basket.
    industrial_output
        Gross output of the industrial groups valued at constant prices (base year included).
    growth
        Yearly growth rate of industrial output.
    shortfall
        Against soft targets: target, achieved, shortfall, per target and year.
    surplus
        Output produced but used by nobody (``year x branch``): the balance holds as an
        inequality (free disposal), so output pushed up to meet a target may go unused.
    binding
        Constraints with a non-zero shadow price, named ``kind:item@year``.
    conflicts
        For an infeasible plan, the smallest relaxation that would allow it.
    """

    strategy: str
    status: str
    years: tuple[int, ...]
    base_year: int
    units: pd.Series
    currency: str
    gross_output: pd.DataFrame | None = None
    capacity: pd.DataFrame | None = None
    new_capacity: pd.DataFrame | None = None
    investment: pd.DataFrame | None = None
    investment_by_group: pd.DataFrame | None = None
    consumption: pd.Series | None = None
    industrial_output: pd.Series | None = None
    growth: pd.Series | None = None
    shortfall: pd.DataFrame | None = None
    surplus: pd.DataFrame | None = None
    capacity_rents: pd.DataFrame | None = None
    factor_rents: pd.DataFrame | None = None
    prices: pd.Series | None = None
    binding: tuple[str, ...] = ()
    conflicts: tuple[dict[str, Any], ...] = ()
    objective_value: float = float("nan")
    description: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "optimal"

    def multiple(self, start: int | None = None, end: int | None = None) -> float:
        """Industrial output in ``end`` (default last year) over ``start`` (default base year)."""
        assert self.industrial_output is not None
        s = self.base_year if start is None else start
        e = self.years[-1] if end is None else end
        return float(self.industrial_output[e] / self.industrial_output[s])

    def unused_share(self) -> pd.Series:
        """Share of industrial output (at constant prices) that nobody uses, per year."""
        assert self.surplus is not None and self.prices is not None
        assert self.gross_output is not None
        ind = self.meta.get("industry")
        p = self.prices.to_numpy()
        mask = np.ones(len(p), dtype=bool) if ind is None else np.asarray(ind)
        unused = (self.surplus.to_numpy()[:, mask] * p[mask]).sum(axis=1)
        total = (self.gross_output.to_numpy()[:, mask] * p[mask]).sum(axis=1)
        return pd.Series(np.where(total > 0, unused / total, 0.0), index=self.surplus.index,
                         name="unused_share")

    def bottlenecks(self, year: int, k: int = 3) -> pd.Series:
        """The ``k`` capacities whose extra unit is worth most, per unit of its value at constant
        prices (capacity rent over price), in ``year``; the plan's tightest bottlenecks."""
        assert self.capacity_rents is not None and self.prices is not None
        rent = self.capacity_rents.loc[year]
        with np.errstate(divide="ignore", invalid="ignore"):
            per_value = (rent / self.prices.replace(0, np.nan)).dropna()
        per_value = per_value[per_value > 1e-12]
        if per_value.empty:
            return per_value
        return (per_value / per_value.max()).sort_values(ascending=False).head(k)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``years``, ``gross_output`` (year -> branch -> value), ``investment``
        (year -> group -> value), ``growth`` (year -> rate), and more."""
        out: dict[str, Any] = {"strategy": self.strategy, "status": self.status,
                               "years": list(self.years), "base_year": self.base_year,
                               "currency": self.currency}
        if not self.ok:
            out["conflicts"] = list(self.conflicts)
            return out

        def nested(df: pd.DataFrame) -> dict[str, dict[str, float]]:
            return {str(y): {str(k): float(v) for k, v in row.items()} for y, row in df.iterrows()}

        assert self.gross_output is not None and self.investment_by_group is not None
        assert self.growth is not None and self.consumption is not None
        assert self.capacity is not None and self.new_capacity is not None
        assert self.industrial_output is not None
        out.update({
            "gross_output": nested(self.gross_output),
            "capacity": nested(self.capacity),
            "new_capacity": nested(self.new_capacity),
            "investment": nested(self.investment_by_group),
            "consumption": {str(y): float(v) for y, v in self.consumption.items()},
            "industrial_output": {str(y): float(v) for y, v in self.industrial_output.items()},
            "growth": {str(y): float(v) for y, v in self.growth.items()},
            "multiple": self.multiple(),
            "units": {str(k): str(v) for k, v in self.units.items()},
            "binding": list(self.binding),
        })
        if self.shortfall is not None:
            out["shortfall"] = self.shortfall.reset_index().to_dict("records")
        return out

    @classmethod
    def from_model(cls, model: Any, res: Any, explain_infeasible: Any) -> MultiYearPlan:
        """Read the LP answer back into labelled paths (used by ``multiyear``)."""
        eco, h = model.economy, model.horizon
        common: dict[str, Any] = {
            "strategy": h.strategy.name, "years": tuple(h.years), "base_year": h.base_year,
            "units": eco.units, "currency": eco.currency, "description": h.strategy.description,
        }
        if res.status != "optimal":
            conflicts = tuple({**c, "constraint": canonical(c["constraint"])}
                              for c in explain_infeasible(model)) if res.status == "infeasible" else ()
            return cls(status=res.status, conflicts=conflicts, meta={"message": res.message},
                       **common)
        ids, years = eco.ids, h.years
        x = res.x[model.X]
        dk = res.x[model.DK]
        from autarky.plan.multiyear import capacity_coefficients

        T, n = x.shape
        K = np.zeros((T, n))
        for t in range(T):
            for j in range(n):
                const, terms = capacity_coefficients(h, t, j)
                K[t, j] = const + sum(c * dk[s, j] for s, c in terms)
        inv = dk * h.invest_cost[np.newaxis, :]
        groups = eco.branches["group"]
        inv_df = _frame(inv, years, ids, "branch")
        by_group = inv_df.T.groupby(groups.to_numpy()).sum().T
        by_group.columns.name = "group"
        p = h.meta["prices"]
        q = np.concatenate([[float((p * h.x0)[h.industry].sum())], x[:, h.industry] @ p[h.industry]])
        q_years = [h.base_year, *years]
        industrial = pd.Series(q, index=pd.Index(q_years, name="year"), name="industrial_output")
        growth = (industrial / industrial.shift(1) - 1.0).iloc[1:]
        growth.name = "growth"
        shortfall = None
        if model.S is not None:
            names = [model.lp.col_names[i].split(":", 1)[1] for i in model.S]
            rows = []
            for k, name in enumerate(names):
                r = model.builder.row_blocks[name][0]
                target = float(model.lp.row_lower[r])
                got = float(res.row_activity[r] - res.x[model.S[k]])
                rows.append({"target": canonical(name), "year": int(name.rsplit("@", 1)[1]),
                             "required": target,
                             "achieved": got, "shortfall": float(res.x[model.S[k]]),
                             "shortfall_share": float(res.x[model.S[k]]) / target if target else 0.0})
            shortfall = pd.DataFrame(rows).set_index("target")
        surplus = np.zeros((T, n))
        for t, y in enumerate(years):
            rows = model.builder.row_blocks[f"balance@{y}"]
            surplus[t] = res.row_activity[rows] - model.lp.row_lower[rows]
        rents = np.zeros((T, n))
        for t, y in enumerate(years):
            rows = model.builder.row_blocks[f"capacity@{y}"]
            rents[t] = res.row_dual[rows]
        fac_names = list(eco.factors.index)
        frents = np.zeros((T, len(fac_names)))
        for t, y in enumerate(years):
            block = model.builder.row_blocks.get(f"factor@{y}")
            if block is not None:
                for r in block:
                    frents[t, fac_names.index(model.lp.row_names[r].split(":", 1)[1])] = \
                        res.row_dual[r]
        binding = tuple(canonical(name) for name, dual
                        in zip(model.lp.row_names, res.row_dual, strict=True) if abs(dual) > 1e-9)
        return cls(
            status="optimal", gross_output=_frame(x, years, ids, "branch"),
            capacity=_frame(K, years, ids, "branch"),
            new_capacity=_frame(dk, years, ids, "branch"), investment=inv_df,
            investment_by_group=by_group,
            consumption=pd.Series(res.x[model.C], index=pd.Index(years, name="year"),
                                  name="consumption"),
            industrial_output=industrial, growth=growth, shortfall=shortfall, binding=binding,
            surplus=_frame(np.maximum(surplus, 0.0), years, ids, "branch"),
            capacity_rents=_frame(rents, years, ids, "branch"),
            factor_rents=_frame(frents, years, fac_names, "factor"),
            prices=pd.Series(p, index=pd.Index(ids, name="branch"), name="price"),
            objective_value=float(res.objective),
            meta={"iterations": res.iterations, "industry": h.industry.tolist()}, **common)
