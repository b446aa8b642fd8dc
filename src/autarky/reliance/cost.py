"""The cost of autarky: what capping imports costs the plan, with and without economies of scale,
and the gains-from-trade cross-check of Arkolakis, Costinot & Rodriguez-Clare (2012).

The curve caps every import share (or those of chosen branches) at ``kappa`` times today's,
``kappa`` from 1 down to 0, and re-solves the reliance LP (:mod:`autarky.reliance.model`) for
the largest common fulfilment of the target, and for the least labour (first factor) that
delivers the whole target where that is possible.

Economies of scale (Joan Robinson's question, source lines 281-285): a branch's factor
coefficients fall as its output grows, ``f_j(x) = f_j0 (x_j / x_j0)^(-sigma_j)`` with scale
elasticity ``sigma_j``. The plan is then found by successive linear plans: solve with the
coefficients at the last output, update them, repeat until the fulfilment changes by less than
``tol`` (a fixed point; the iterations are reported).

ACR: with a trade elasticity ``theta``, the domestic expenditure share ``lambda`` and the share
``alpha`` of intermediate inputs in gross output (roundabout production), real income in autarky
over that with trade is ``lambda^(1 / (theta (1 - alpha)))`` (Costinot & Rodriguez-Clare 2014,
eq. for the one-sector model with intermediate goods); ``alpha = 0`` gives the ACR formula.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from autarky.economy import Economy
from autarky.errors import AutarkyError
from autarky.reliance.indicators import valuation
from autarky.reliance.model import RelianceCase, base_case, solve


def acr_autarky_ratio(domestic_share: float, theta: float, alpha: float = 0.0) -> float:
    """Real income in autarky over real income with trade, ``lambda^(1/(theta (1 - alpha)))``.

    Examples
    --------
    >>> round(acr_autarky_ratio(0.9, 5.0), 5)  # 0.9 ** 0.2
    0.97915
    """
    if not 0 < domestic_share <= 1 or theta <= 0 or not 0 <= alpha < 1:
        raise ValueError("need 0 < domestic share <= 1, theta > 0, 0 <= alpha < 1")
    return float(domestic_share ** (1.0 / (theta * (1.0 - alpha))))


def _with_scale(eco: Economy, case: RelianceCase, sigma: np.ndarray, x0: np.ndarray,
                max_iter: int, tol: float) -> tuple[Any, int, bool]:
    F0 = case.F.copy()
    sol = solve(eco, case)
    for it in range(1, max_iter + 1):
        if sol.status != "optimal":
            return sol, it, False
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where((x0 > 0) & (sol.output > 0), sol.output / x0, 1.0)
        F = F0 * ratio[np.newaxis, :] ** (-sigma)[np.newaxis, :]
        new = solve(eco, replace(case, F=F))
        if new.status == "optimal" and abs(new.fulfilment - sol.fulfilment) <= tol * max(
                1.0, abs(sol.fulfilment)):
            return new, it, True
        sol = new
    return sol, max_iter, False


@dataclass(frozen=True)
class AutarkyCost:
    """The cost-of-autarky curve and its cross-check.

    Attributes
    ----------
    curve
        Per cap ``kappa`` (share of today's import shares allowed): ``fulfilment``,
        ``labour_needed`` (least use of the first factor delivering the whole target; NaN where
        impossible), ``import_value`` and, with scale economies, ``fulfilment_scale``,
        ``iterations``, ``converged``.
    acr
        ``domestic_share``, ``alpha``, ``theta``, ``autarky_ratio`` (ACR), and the model's own
        ``model_ratio`` (fulfilment at kappa = 0 over kappa = 1).
    """

    curve: pd.DataFrame
    acr: dict[str, float]
    branches: tuple[str, ...]
    factor: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"branches": list(self.branches), "factor": self.factor,
                "curve": self.curve.reset_index().to_dict("records"), "acr": dict(self.acr)}


def cost_of_autarky(eco: Economy, *, caps: Any = None, branches: list[str] | None = None,
                    theta: float = 5.0, scale_elasticity: Any = None, max_iter: int = 50,
                    tol: float = 1e-6) -> AutarkyCost:
    """The cost-of-autarky curve (see the module docstring).

    Parameters
    ----------
    caps
        The values of ``kappa`` (default 1.0, 0.9, ..., 0.0).
    branches
        Cap the import shares of these branches only (default all).
    theta
        Trade elasticity of the ACR cross-check.
    scale_elasticity
        ``sigma`` per branch (a number for all, or {branch: sigma}); adds the curve with
        economies of scale solved by successive linear plans.
    """
    kappas = np.round(np.linspace(1.0, 0.0, 11), 10) if caps is None else np.asarray(caps, float)
    base = base_case(eco)
    today = solve(eco, base)
    if today.status != "optimal":
        raise AutarkyError(f"today's plan is {today.status}: the cost of autarky needs a plan "
                           "limited by factors or capacities")
    chosen = np.ones(eco.n, dtype=bool)
    if branches:
        unknown = set(branches) - set(eco.ids)
        if unknown:
            raise AutarkyError(f"unknown branch(es): {', '.join(sorted(unknown))}")
        chosen = np.isin(eco.ids, branches)
    factor = str(eco.factors.index[0]) if len(eco.factors) else None
    x0 = eco.reported_output.to_numpy() if eco.reported_output is not None else None
    sigma = None
    if scale_elasticity is not None:
        if isinstance(scale_elasticity, dict):
            sigma = pd.Series(scale_elasticity, dtype=float).reindex(eco.ids).fillna(0.0).to_numpy()
        else:
            sigma = np.full(eco.n, float(scale_elasticity))
    w, _ = valuation(eco)
    rows = []
    x_ref = x0 if x0 is not None else today.output  # today's plan, uncapped
    for k in kappas:
        theta_k = np.where(chosen[np.newaxis, :], base.theta * k, base.theta)
        case = replace(base, theta=theta_k)
        sol = solve(eco, case)
        row: dict[str, Any] = {"cap": float(k), "fulfilment": sol.fulfilment,
                               "import_value": float(sol.imports.sum(axis=0) @ w)}
        if factor is not None:
            need = solve(eco, replace(case, min_fulfilment=1.0), objective="factor", factor=0)
            row["labour_needed"] = float(need.factor_use[0]) if need.status == "optimal" else np.nan
        if sigma is not None:
            scaled, iters, ok = _with_scale(eco, case, sigma, x_ref, max_iter, tol)
            row.update({"fulfilment_scale": scaled.fulfilment, "iterations": iters,
                        "converged": ok})
        rows.append(row)
    curve = pd.DataFrame(rows).set_index("cap")
    from autarky.reliance.indicators import indicators

    tot = indicators(eco).totals
    absorption = tot["output_value"] + tot["imports_value"]
    fd = eco.final_demand
    if "exports" in fd.columns:
        absorption -= float(w @ fd["exports"].to_numpy())
    lam_dom = 1.0 - tot["imports_value"] / absorption if absorption > 0 else 1.0
    plan_x = eco.plan.balance().gross_output.to_numpy()
    inter = float(w @ np.asarray(eco.A @ plan_x).ravel())
    alpha = inter / float(w @ plan_x) if w @ plan_x > 0 else 0.0
    f1 = today.fulfilment  # today's fulfilment, uncapped
    f0 = curve.loc[0.0, "fulfilment"] if 0.0 in curve.index else np.nan
    acr = {"theta": theta, "domestic_share": lam_dom, "alpha": alpha,
           "autarky_ratio": acr_autarky_ratio(max(lam_dom, 1e-12), theta, min(alpha, 0.999)),
           "autarky_ratio_no_intermediates": acr_autarky_ratio(max(lam_dom, 1e-12), theta),
           "model_ratio": float(f0 / f1) if f1 and np.isfinite(f0) else np.nan}
    return AutarkyCost(curve, acr, tuple(b for b, c in zip(eco.ids, chosen, strict=True) if c),
                       factor)
