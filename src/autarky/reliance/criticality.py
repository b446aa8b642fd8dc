"""Criticality of every branch and partner, and neutrality between partners.

* Branches are ranked by the output lost if each is removed from the domestic economy
  (hypothetical extraction, :mod:`autarky.solve.extraction`): all branches from one
  factorization of ``I - A_d`` by a rank-one closed form, valued at constant prices.
* Partners are ranked by what a full cut-off of each costs: the re-planned loss of fulfilment
  (reliance LP) and, optionally, the output lost in the unplanned propagation.
* Neutrality: each partner's share in the import content of final demand side by side, and the
  plan that minimises the largest dependence on any one partner (imports from it, valued at
  constant prices, over the baseline value of domestic use) while delivering a given fulfilment:
  how far the economy can lean on neither patron, and at what cost in fulfilment.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from autarky.economy import Economy
from autarky.reliance.indicators import calc_import_content, valuation
from autarky.reliance.model import base_case, build, solve
from autarky.reliance.stress import ShockSpec, stress
from autarky.solve.extraction import extraction_losses
from autarky.solve.lp import solve_lp


def branch_criticality(eco: Economy) -> pd.DataFrame:
    """Output lost (valued at constant prices) if each branch is extracted, highest first.

    Columns: ``total`` (including the branch's own output), ``others`` (the loss it inflicts on
    the rest through the linkages), ``share`` (of total output value), ``rank``.
    """
    w, _ = valuation(eco)
    res = extraction_losses(eco.A_d, eco.domestic_final_demand(), w, solver=eco.solver)
    x = eco.plan.balance().gross_output.to_numpy()
    total_value = float(w @ x)
    df = pd.DataFrame({"total": res.total, "others": res.others,
                       "share": res.total / total_value if total_value else np.nan},
                      index=pd.Index(eco.ids, name="branch"))
    df = df.sort_values("total", ascending=False)
    df["rank"] = np.arange(1, len(df) + 1)
    return df


def partner_criticality(eco: Economy, *, propagate: bool = False, **kwargs: Any) -> pd.DataFrame:
    """What cutting each partner off costs: re-planned loss of fulfilment (and, with
    ``propagate``, the unplanned output lost, valued at constant prices)."""
    rows = []
    for p in eco.partners.index:
        r = stress(eco, ShockSpec("partner", str(p)), propagate_too=propagate, **kwargs)
        row = {"partner": p, "fulfilment_loss": r.replanned["loss"],
               "fulfilment": r.replanned["fulfilment"]}
        if r.propagation is not None:
            row["propagated_loss"] = r.propagation.aggregate_loss(r.prices)
        rows.append(row)
    if not rows:
        return pd.DataFrame(columns=["fulfilment_loss", "fulfilment", "rank"],
                            index=pd.Index([], name="partner"))
    df = pd.DataFrame(rows).set_index("partner").sort_values("fulfilment_loss", ascending=False)
    df["rank"] = np.arange(1, len(df) + 1)
    return df


def partner_dependence(eco: Economy) -> pd.DataFrame:
    """Each partner's share in the import content of final demand, and in direct imports."""
    w, _ = valuation(eco)
    fd = eco.final_demand
    y = fd.to_numpy().sum(axis=1)
    e = fd["exports"].to_numpy() if "exports" in fd.columns else np.zeros(eco.n)
    y_dom = eco.domestic_final_demand()
    S = eco.import_shares
    plan = eco.plan.balance()
    rows = []
    for p in S.index:
        sp_ = S.loc[p].to_numpy()
        mu = calc_import_content(eco, w, sp_)
        content = float((mu * w) @ y_dom + w @ (sp_ * (y - e)))
        direct = float(w @ plan.imports.loc[p].to_numpy()) if len(plan.imports) else 0.0
        rows.append({"partner": p, "name": eco.partners.loc[p, "name"],
                     "import_content_of_final_demand": content / float(w @ y),
                     "imports_value": direct})
    df = pd.DataFrame(rows).set_index("partner")
    total = df["imports_value"].sum()
    df["share_of_imports"] = df["imports_value"] / total if total > 0 else 0.0
    return df


@dataclass(frozen=True)
class NeutralPlan:
    """The least possible largest dependence on one partner, per required fulfilment."""

    curve: pd.DataFrame  # index fulfilment: max_dependence, and per-partner dependence

    def to_dict(self) -> dict[str, Any]:
        return {"curve": self.curve.reset_index().to_dict("records")}


def neutrality(eco: Economy, levels: Any = None) -> NeutralPlan:
    """For each required fulfilment, the plan minimising the largest dependence on any partner
    (imports from it over the baseline value of domestic use)."""
    w, _ = valuation(eco)
    case = base_case(eco)
    best = solve(eco, case)
    lam_max = best.fulfilment
    levels = (np.round(np.linspace(0.8, 1.0, 5) * lam_max, 10) if levels is None
              else np.asarray(levels, dtype=float))
    fd = eco.final_demand
    e = fd["exports"].to_numpy() if "exports" in fd.columns else np.zeros(eco.n)
    x_b = best.output
    use_value = float(w @ (np.asarray(eco.A @ x_b).ravel() + fd.to_numpy().sum(axis=1) - e))
    partners = list(eco.partners.index)
    rows = []
    for level in levels:
        model = build(eco, replace(case, min_fulfilment=float(level)))
        b = model.builder
        z = b.add_vars("max-dependence", 1, labels=[""])
        m = b.blocks["import"]
        for k, p in enumerate(partners):
            cols = [j for j, (pp, _) in enumerate(model.pairs) if pp == k]
            if not cols:
                continue
            coef = np.array([[w[model.pairs[j][1]] for j in cols]])
            b.add_rows(f"dependence:{p}", [(m[cols], coef), (z, np.array([[-use_value]]))],
                       upper=0.0, labels=[""])
        lp = b.build()
        c = np.zeros(lp.shape[1])
        c[z[0]] = -1.0
        res = solve_lp(replace(lp, c=c))
        row: dict[str, Any] = {"fulfilment": float(level), "status": res.status}
        if res.status == "optimal":
            row["max_dependence"] = float(res.x[z[0]])
            mv = res.x[m]
            for k, p in enumerate(partners):
                val = sum(w[i] * mv[j] for j, (pp, i) in enumerate(model.pairs) if pp == k)
                row[f"dependence:{p}"] = float(val) / use_value if use_value else 0.0
        rows.append(row)
    return NeutralPlan(pd.DataFrame(rows).set_index("fulfilment"))

