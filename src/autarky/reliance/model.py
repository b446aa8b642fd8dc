"""The self-reliance LP: the one-year optimal plan itself, under caps and shocks.

There is one LP for one year (:func:`autarky.plan.optimize.build_model`, assembled from the
shared blocks of :mod:`autarky.plan.constraints`). The cost of autarky, the re-planned stress
tests and the neutrality plan change its data (:class:`~autarky.plan.optimize.YearData`): the
share of each import channel's recorded structure allowed (a cap ``kappa``; zero for a partner
cut off), the limits, the money, capacities, the target, the factor coefficients. So the
self-reliance baseline *is* the optimal plan, and a one-year view of the economy gives the same
fulfilment whichever command asks.

:func:`baseline` is the plan every self-reliance measure is computed at: the optimal plan where
something limits output (factors, capacities), else the balanced plan.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from autarky.economy import Economy, Scenario, as_scenario
from autarky.errors import PlanFailure
from autarky.plan.optimize import (
    YearData,
    build_model,
    explain_infeasible,
    explain_unbounded,
    solve_model,
    year_data,
)
from autarky.plan.read import read_optimal
from autarky.plan.result import OptimalPlan, Plan


def base_case(obj: Economy | Scenario) -> YearData:
    """Today's data of the one-year LP (the scenario's target, limits, money)."""
    return year_data(as_scenario(obj))


def solve(obj: Economy | Scenario, data: YearData, *, minimize_factor: int | None = None,
          explain: bool = False) -> OptimalPlan:
    """The one-year LP for ``data``; ``minimize_factor``: the least use of that factor with the
    fulfilment at least ``data.min_fulfilment``. ``explain`` adds the explanation of an
    infeasible or unbounded plan (costlier)."""
    scn = as_scenario(obj)
    model = build_model(scn, data, minimize_factor=minimize_factor)
    # as optimize(method="auto"): the structured method for max-min plans from
    # STRUCTURED_MIN_N branches (its answer certified in this LP), else HiGHS
    res, how = solve_model(model)
    plan = (read_optimal(model, res, explain_infeasible, explain_unbounded) if explain
            else read_optimal(model, res, lambda *_: (), lambda *_: ()))
    return replace(plan, meta={**plan.meta, **how})


def what_limits(obj: Economy | Scenario) -> str:
    """In the scenario's terms, what a plan needs to be bounded (for an unbounded baseline)."""
    eco = as_scenario(obj).economy
    finite_f = [str(f) for f, a in zip(eco.coords.factor, eco.array("factor_availability"),
                                       strict=True) if np.isfinite(a)]
    finite_c = [b for b, c in zip(eco.ids, eco.array("capacity"), strict=True) if np.isfinite(c)]
    have = []
    if finite_f:
        have.append(f"factors with an availability ({', '.join(finite_f)})")
    if finite_c:
        have.append(f"capacities ({', '.join(finite_c[:6])}{', ...' if len(finite_c) > 6 else ''})")
    now = ("; it has " + " and ".join(have) + ", but they leave some output unbounded") if have \
        else ": it has none"
    return ("the re-planned answer needs something that limits output: an availability for a "
            "factor whose coefficients cover every branch (scenario key factors[].availability) "
            f"or a capacity for every branch (scenario key capacity){now}")


def require_baseline(obj: Economy | Scenario, what: str) -> OptimalPlan:
    """The optimal plan that ``what`` re-plans against, or a :class:`PlanFailure` saying, in the
    scenario's terms, why there is none."""
    plan = solve(obj, base_case(obj), explain=True)
    if plan.ok:
        return plan
    if plan.status == "unbounded":
        raise PlanFailure(f"{what} re-plans the economy, but its baseline plan is unbounded: "
                          + what_limits(obj), "unbounded")
    detail = "; ".join(f"{c['constraint']} needs {c['needed']:g} (now {c['bound']:g})"
                       for c in plan.conflicts if c.get("kind") == "smallest")
    raise PlanFailure(f"{what}: the baseline plan is {plan.status}"
                      + (f"; the smallest relaxation: {detail}" if detail else ""), plan.status)


def records_trade(obj: Economy | Scenario) -> bool:
    """Whether the economy records any trade (import shares, imported-use tables, final imports
    or exports), beside the terms partners offer."""
    eco = as_scenario(obj).economy
    Am = eco.array("imported_technology")
    Fm = eco.array("final_imports")
    return bool(np.any(eco.array("import_shares")) or np.any(eco.array("exports"))
                or (Am is not None and any(b.nnz for b in Am))
                or (Fm is not None and np.any(Fm)))


def baseline(obj: Economy | Scenario) -> tuple[Plan, str]:
    """The plan self-reliance indicators are measured at, and what it is.

    Trade as the economy records it (the balanced plan: recorded import shares, imported-use
    tables, final imports and exports) where it records any; an economy whose trade is only
    offers (prices and limits) records none, so its indicators are measured at the optimal plan
    (:func:`~autarky.plan.optimize.optimize`) that uses the offers: the plan the stress test and
    the cost of autarky start from. Either is available by name (``plan="balance"`` or
    ``plan="optimal"`` in :func:`~autarky.reliance.indicators.indicators`).
    """
    from autarky.plan.optimize import optimize

    scn = as_scenario(obj)
    if records_trade(scn) or not len(scn.economy.coords.partner):
        return scn.plan.balance(), "recorded trade (balanced plan)"
    plan = optimize(scn)
    if plan.ok:
        return plan, (f"optimal plan (fulfilment {plan.fulfilment:.4f}): the economy records "
                      "no trade, only the partners' offers")
    return scn.plan.balance(), f"balanced plan (the optimal plan is {plan.status})"


def with_caps(data: YearData, scale: np.ndarray, offer_upper: np.ndarray) -> YearData:
    """``data`` with import channel scales and upper limits replaced."""
    return replace(data, import_scale=np.asarray(scale, dtype=float),
                   import_upper=np.asarray(offer_upper, dtype=float))


def channel_imports(plan: OptimalPlan, data: Any, imp: Any) -> np.ndarray:
    """The plan's imports per import channel (``imp`` from the economy's channels)."""
    M = plan.imports.to_numpy()
    return M[imp.partner, imp.branch] if len(imp) else np.zeros(0)
