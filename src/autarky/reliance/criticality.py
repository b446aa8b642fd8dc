"""Criticality of every branch and partner, and neutrality between partners.

* Branches are ranked by the output lost if each is removed from the domestic economy
  (hypothetical extraction, :mod:`autarky.solve.extraction`): all branches from one
  factorization of ``I - A_d`` by a rank-one closed form, valued at constant prices. This needs
  only the Leontief model, so it works on any economy, with or without factors and capacities.
* Partners are ranked by each one's share of the import content of final demand and, where
  the baseline plan is bounded (factors or capacities limit output), by what a full cut-off of
  each costs: the re-planned loss of fulfilment and, optionally, the output lost in the
  unplanned propagation.
* Neutrality: each partner's share in the import content of final demand side by side, and the
  plan that minimises the largest dependence on any one partner (imports from it, valued at
  constant prices, over the baseline value of home use) while delivering a given fulfilment:
  how far the economy can lean on neither patron, and at what cost in fulfilment.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from autarky import checks
from autarky.display import DatasetDisplay
from autarky.economy import Economy, Scenario, as_scenario
from autarky.economy.trade import domestic_final_use
from autarky.errors import BadValueError, PlanFailure
from autarky.plan.optimize import build_model
from autarky.reliance.indicators import indicators, valuation
from autarky.reliance.model import base_case, require_baseline, what_limits
from autarky.reliance.stress import ShockSpec, baseline_plan, stress
from autarky.solve.extraction import extraction_losses
from autarky.solve.lp import solve_lp


def branch_criticality(obj: Economy | Scenario) -> pd.DataFrame:
    """Output lost (valued at constant prices) if each branch is extracted, highest first.

    Columns: ``total`` (including the branch's own output), ``others`` (the loss it inflicts on
    the rest through the linkages), ``share`` (of total output value), ``rank``. A sparse economy
    takes the diagonal route of :func:`~autarky.solve.extraction.extraction_losses` (exact on
    triangular, block, banded and hub-bordered structures, certified bounds otherwise). How the
    losses were computed is in ``df.attrs["method"]`` and their largest certified relative error in
    ``df.attrs["bound"]`` (0.0 when exact); where that is not zero, the columns ``total_lower`` and
    ``total_upper`` hold the certified bounds of ``total``.
    """
    eco = as_scenario(obj).economy
    w, _ = valuation(eco)
    demand = domestic_final_use(eco).sum(axis=1) + eco.exports_total
    res = extraction_losses(eco.A_d, demand, w, solver=eco.solver)
    x = eco.solver.solve(demand)
    total_value = float(w @ x)
    cols = {"total": res.total, "others": res.others,
            "share": res.total / total_value if total_value else np.nan}
    if res.bound > 0 and res.lower is not None and res.upper is not None:
        cols.update({"total_lower": res.lower, "total_upper": res.upper})
    df = pd.DataFrame(cols, index=pd.Index(eco.ids, name="branch"))
    df = df.sort_values("total", ascending=False)
    df["rank"] = np.arange(1, len(df) + 1)
    df.attrs.update({"method": res.method, "bound": res.bound})
    return df


def accuracy_note(df: pd.DataFrame) -> str:
    """A sentence on how exact the losses of :func:`branch_criticality` are, for a caption: empty
    where they are exact (to rounding), else the certified relative bound and the method.

    Examples
    --------
    >>> df = pd.DataFrame({"total": [1.0]})
    >>> df.attrs.update({"bound": 3.4e-5, "method": "low-rank/diagonal certified: bounded (split a=3)"})
    >>> print(accuracy_note(df))  # doctest: +NORMALIZE_WHITESPACE
    Certified bounds, not exact: each loss is within 3.4e-05 relative of the true one (the
    diagonal of the Leontief inverse is bounded, not solved for: low-rank/diagonal certified:
    bounded (split a=3)).
    >>> df.attrs["bound"] = 0.0
    >>> accuracy_note(df)
    ''
    """
    bound = float(df.attrs.get("bound", 0.0) or 0.0)
    if not bound > 0:
        return ""
    return (f"Certified bounds, not exact: each loss is within {bound:.2g} relative of the true one "
            f"(the diagonal of the Leontief inverse is bounded, not solved for: "
            f"{df.attrs.get('method', 'method not recorded')}).")


def partner_dependence(obj: Economy | Scenario) -> pd.DataFrame:
    """Each partner's share in the import content of final demand, and in direct imports, at
    the self-reliance baseline."""
    scn = as_scenario(obj)
    eco = scn.economy
    ind = indicators(scn)
    df = ind.partners.copy()
    df.insert(0, "name", [eco.partners.loc[p, "name"] for p in df.index])
    total = df["imports_value"].sum()
    df["share_of_imports"] = df["imports_value"] / total if total > 0 else 0.0
    return df


def partner_criticality(obj: Economy | Scenario, *, propagate: bool = False, **kwargs: Any
                        ) -> pd.DataFrame:
    """What cutting each partner off costs: the re-planned loss of fulfilment (and, with
    ``propagate``, the unplanned output lost, valued at constant prices), beside each partner's
    share of imports. Where nothing limits output the re-planned columns are NaN and the note
    (``df.attrs["note"]``) says what they need."""
    scn = as_scenario(obj)
    eco = scn.economy
    if not len(eco.coords.partner):
        return pd.DataFrame(columns=["fulfilment_loss", "fulfilment", "share_of_imports", "rank"],
                            index=pd.Index([], name="partner"))
    dep = partner_dependence(scn)
    # the baseline plan is solved once and every partner's cut-off starts from it
    base = kwargs.pop("baseline_plan", None)
    if base is None:
        try:
            base = baseline_plan(scn, "the cost of a partner's cut-off")
        except PlanFailure:
            base = None
    bounded = base is not None
    rows = []
    for p in eco.coords.partner:
        row: dict[str, Any] = {"partner": str(p), "fulfilment_loss": np.nan,
                               "fulfilment": np.nan}
        if bounded:
            r = stress(scn, ShockSpec("partner", str(p)), propagate_too=propagate,
                       baseline_plan=base, **kwargs)
            row.update({"fulfilment_loss": r.replanned["loss"],
                        "fulfilment": r.replanned["fulfilment"]})
            if r.propagation is not None:
                row["propagated_loss"] = r.propagation.aggregate_loss(r.prices)
        rows.append(row)
    df = pd.DataFrame(rows).set_index("partner")
    df["share_of_imports"] = dep["share_of_imports"]
    df["import_content_of_final_demand"] = dep["import_content_of_final_demand"]
    key = "fulfilment_loss" if bounded else "import_content_of_final_demand"
    df = df.sort_values(key, ascending=False)
    df["rank"] = np.arange(1, len(df) + 1)
    if not bounded:
        df.attrs["note"] = ("partners ranked by their share of the import content of final "
                            "demand; the re-planned cost of a cut-off is not available: "
                            + what_limits(scn))
    return df


@dataclass(frozen=True, repr=False)
class NeutralPlan(DatasetDisplay):
    """The least possible largest dependence on one partner, per required fulfilment."""

    curve: pd.DataFrame  # index fulfilment: max_dependence, and per-partner dependence

    def to_dataset(self) -> xr.Dataset:
        c = self.curve
        levels = [float(k) for k in c.index]
        data = {col: xr.DataArray(pd.to_numeric(c[col], errors="coerce").to_numpy(dtype=float),
                                  dims=("fulfilment",), coords={"fulfilment": levels},
                                  attrs={"unit": "1", "description": col.replace("_", " ")})
                for col in c.columns if col != "status"}
        ds = xr.Dataset(data)
        ds.attrs.update({"result": "neutrality", "status": [str(s) for s in c.get("status", [])]})
        return ds


def neutrality(obj: Economy | Scenario, levels: Any = None) -> NeutralPlan:
    """For each required fulfilment, the plan minimising the largest dependence on any partner
    (imports from it, at constant prices, over the baseline value of home use)."""
    scn = as_scenario(obj)
    eco = scn.economy
    given = None
    if levels is not None:
        given = np.atleast_1d(checks.floats("levels", levels, finite=True, nonnegative=True))
        if given.ndim != 1 or not given.size:
            raise BadValueError(f"levels must be a non-empty list of fulfilments, got {levels!r:.60}")
    w, _ = valuation(eco)
    best = require_baseline(scn, "the neutrality plan")
    lam_max = best.fulfilment
    levels = np.round(np.linspace(0.8, 1.0, 5) * lam_max, 10) if given is None else given
    x_b = best.gross_output.to_numpy()
    use_value = float(w @ (np.asarray(eco.A @ x_b).ravel()
                           + best.final_demand.to_numpy().sum(axis=1)))
    partners = [str(p) for p in eco.coords.partner]
    rows = []
    for level in levels:
        model = build_model(scn, replace(base_case(scn), min_fulfilment=float(level)))
        b = model.builder
        imp = model.trade.imp
        z = b.add_vars("max-dependence", 1, labels=[""])
        for k, p in enumerate(partners):
            cols = np.flatnonzero(imp.partner == k)
            if not cols.size:
                continue
            coef = w[imp.branch[cols]].reshape(1, -1)
            b.add_rows(f"dependence:{p}", [(model.trade.m[cols], coef),
                                           (z, np.array([[-use_value]]))], upper=0.0, labels=[""])
        lp = b.build()
        c = np.zeros(lp.shape[1])
        c[z[0]] = -1.0
        res = solve_lp(replace(lp, c=c))
        row: dict[str, Any] = {"fulfilment": float(level), "status": res.status}
        if res.status == "optimal":
            row["max_dependence"] = float(res.x[z[0]])
            mv = res.x[model.trade.m]
            for k, p in enumerate(partners):
                cols = imp.partner == k
                val = float(w[imp.branch[cols]] @ mv[cols]) if cols.any() else 0.0
                row[f"dependence:{p}"] = val / use_value if use_value else 0.0
        rows.append(row)
    return NeutralPlan(pd.DataFrame(rows).set_index("fulfilment"))
