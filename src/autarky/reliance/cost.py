"""The cost of autarky: what capping imports costs the plan, with and without economies of scale,
and the gains-from-trade cross-check of Arkolakis, Costinot & Rodriguez-Clare (2012).

The curve caps the imports of every product (or of chosen branches) at ``kappa`` times today's,
``kappa`` from 1 down to 0 — a channel with a recorded structure at ``kappa`` times what the
structure imports, a partner's offer at ``kappa`` times what today's plan takes of it — and
re-solves the one-year LP (:mod:`autarky.reliance.model`) for the largest common fulfilment of
the target, and for the least labour (first factor) that delivers the whole target where that
is possible. Where the plan balances foreign exchange, exports are what pays for imports, so
capping every product the recorded exports fall with the cap too (at ``kappa = 0`` the economy
trades nothing either way); capping chosen branches, or without a foreign-exchange balance (where
recorded exports are deliveries owed whatever is imported), they stay as recorded.

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
import xarray as xr

from autarky import checks
from autarky.display import DatasetDisplay
from autarky.economy import Economy, Scenario, as_scenario
from autarky.economy.trade import import_channels, trade_prices_given
from autarky.errors import BadTypeError, BadValueError
from autarky.plan.optimize import YearData
from autarky.plan.result import OptimalPlan
from autarky.reliance.family import PlanFamily
from autarky.reliance.indicators import valuation
from autarky.reliance.model import base_case, channel_imports, require_baseline, with_caps


def acr_autarky_ratio(domestic_share: float, theta: float, alpha: float = 0.0) -> float:
    """Real income in autarky over real income with trade, ``lambda^(1/(theta (1 - alpha)))``.

    Examples
    --------
    >>> round(acr_autarky_ratio(0.9, 5.0), 5)  # 0.9 ** 0.2
    0.97915
    """
    for name, v in (("domestic_share", domestic_share), ("theta", theta), ("alpha", alpha)):
        checks.number(name, v)
    if not 0 < domestic_share <= 1 or not theta > 0 or not 0 <= alpha < 1:
        raise BadValueError(f"need 0 < domestic share <= 1, theta > 0, 0 <= alpha < 1; got "
                            f"domestic share {domestic_share!r}, theta {theta!r}, alpha {alpha!r}")
    return float(domestic_share ** (1.0 / (theta * (1.0 - alpha))))


def _with_scale(family: PlanFamily, data: YearData, sigma: np.ndarray, x0: np.ndarray,
                max_iter: int, tol: float, first: OptimalPlan) -> tuple[OptimalPlan, int, bool]:
    """Successive linear plans from ``first`` (the plan at the coefficients ``data.F``)."""
    F0 = data.F.copy()
    sol = first
    for it in range(1, max_iter + 1):
        if not sol.ok:
            return sol, it, False
        x = sol.gross_output.to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where((x0 > 0) & (x > 0), x / x0, 1.0)
        F = F0 * ratio[np.newaxis, :] ** (-sigma)[np.newaxis, :]
        new = family.solve(replace(data, F=F))
        if new.ok and abs(new.fulfilment - sol.fulfilment) <= tol * max(1.0, abs(sol.fulfilment)):
            return new, it, True
        sol = new
    return sol, max_iter, False


@dataclass(frozen=True, repr=False)
class AutarkyCost(DatasetDisplay):
    """The cost-of-autarky curve and its cross-check.

    Attributes
    ----------
    curve
        Per cap ``kappa`` (share of today's imports allowed): ``fulfilment``,
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
    factor_unit: str = ""
    value_unit: str = ""

    def to_dataset(self) -> xr.Dataset:
        """The curve and the cross-check as a labelled dataset with units."""
        c = self.curve
        caps = [float(k) for k in c.index]
        units = {"fulfilment": "1", "labour_needed": self.factor_unit,
                 "import_value": self.value_unit, "fulfilment_scale": "1", "iterations": "1",
                 "converged": "1"}
        data = {col: xr.DataArray(c[col].to_numpy(dtype=float), dims=("cap",),
                                  coords={"cap": caps},
                                  attrs={"unit": units.get(col, "1"),
                                         "description": col.replace("_", " ")})
                for col in c.columns}
        for k, v in self.acr.items():
            data[f"acr_{k}"] = xr.DataArray(float(v), attrs={"unit": "1",
                                                             "description": f"ACR {k}"})
        ds = xr.Dataset(data)
        ds["cap"].attrs.update({"unit": "1", "description": "Share of today's imports allowed."})
        ds.attrs.update({"result": "cost of autarky", "branches": list(self.branches),
                         "factor": self.factor or ""})
        return ds


def cost_of_autarky(obj: Economy | Scenario, *, caps: Any = None,
                    branches: list[str] | None = None, theta: float = 5.0,
                    scale_elasticity: Any = None, max_iter: int = 50,
                    tol: float = 1e-6, baseline_plan: OptimalPlan | None = None) -> AutarkyCost:
    """The cost-of-autarky curve (see the module docstring).

    Parameters
    ----------
    caps
        The values of ``kappa`` (default 1.0, 0.9, ..., 0.0).
    branches
        Cap the imports of these branches only (default all).
    theta
        Trade elasticity of the ACR cross-check (positive).
    scale_elasticity
        ``sigma`` per branch (a number for all, or {branch: sigma}); adds the curve with
        economies of scale solved by successive linear plans.
    baseline_plan
        Today's optimal plan (:func:`autarky.reliance.stress.baseline_plan` of the same
        scenario), where the caller has it; default: solved here.

    Notes
    -----
    All the LPs of the curve are one family (:class:`~autarky.reliance.family.PlanFamily`):
    each solved from where the last ended, and checked as a fresh solve is.
    """
    scn = as_scenario(obj)
    eco = scn.economy
    theta = checks.real("theta", theta)
    if theta <= 0:
        raise BadValueError(f"the trade elasticity theta must be a positive number, got {theta:g}")
    kappas = np.round(np.linspace(1.0, 0.0, 11), 10) if caps is None else \
        np.atleast_1d(checks.floats("caps", caps))
    if kappas.ndim != 1 or not kappas.size:
        raise BadValueError(f"caps must be a non-empty list of numbers, got {caps!r:.60}")
    if np.any(~np.isfinite(kappas)) or np.any(kappas < 0):
        raise BadValueError(f"caps must be non-negative numbers, got {caps!r:.60}")
    max_iter = checks.integer("max_iter", max_iter, lower=1)
    tol = checks.real("tol", tol, lower=0.0)
    fx = trade_prices_given(eco)
    base = base_case(scn)
    family = PlanFamily(scn)
    if baseline_plan is not None:
        if not isinstance(baseline_plan, OptimalPlan) or not baseline_plan.ok:
            raise BadTypeError("baseline_plan must be the optimal plan of the scenario "
                               "(autarky.reliance.stress.baseline_plan), solved")
        today = baseline_plan
    else:
        today = family.solve(base)
        if not today.ok:
            today = require_baseline(scn, "the cost of autarky")  # raises, saying why
    imp = import_channels(eco)
    chosen = np.ones(eco.n, dtype=bool)
    if branches is not None:
        branches = checks.id_list("branches", branches)
    if branches:
        checks.known("branch", branches, eco.ids)
        chosen = np.isin(eco.ids, branches)
    factor = str(eco.coords.factor[0]) if len(eco.coords.factor) else None
    x0 = eco.reported_output.to_numpy() if eco.reported_output is not None else None
    sigma = None
    if scale_elasticity is not None:
        if isinstance(scale_elasticity, dict):
            checks.known("branch", scale_elasticity, eco.ids)
            sig = {str(k): checks.real(f"scale_elasticity of {k}", v)
                   for k, v in scale_elasticity.items()}
            sigma = pd.Series(sig, dtype=float).reindex(eco.ids).fillna(0.0).to_numpy()
        else:
            sigma = np.full(eco.n, checks.real("scale_elasticity", scale_elasticity))
    w, wunit = valuation(eco)
    rows = []
    x_ref = x0 if x0 is not None else today.gross_output.to_numpy()  # today's plan, uncapped
    m_today = channel_imports(today, base, imp)
    hit = chosen[imp.branch] if len(imp) else np.zeros(0, dtype=bool)
    for k in kappas:
        scale = np.where(hit, base.import_scale * k, base.import_scale)
        # channels without a recorded structure (offers): at most kappa times today's imports
        upper = np.where(hit & ~imp.capped, np.minimum(base.import_upper, k * m_today),
                         base.import_upper)
        data = with_caps(base, scale, upper)
        if not branches and fx:  # exports pay for imports: they fall with them, to none
            data = replace(data, export_lower=base.export_lower * k)
        sol = family.solve(data)
        row: dict[str, Any] = {"cap": float(k), "fulfilment": sol.fulfilment if sol.ok else np.nan,
                               "import_value": float(sol.imports.sum(axis=0).to_numpy() @ w)
                               if sol.ok else np.nan}
        if factor is not None:
            need = family.solve(replace(data, min_fulfilment=1.0), minimize_factor=0)
            row["labour_needed"] = (float(need.factor_requirements["required"].iloc[0])
                                    if need.ok else np.nan)
        if sigma is not None:
            scaled, iters, ok = _with_scale(family, data, sigma, x_ref, max_iter, tol, sol)
            row.update({"fulfilment_scale": scaled.fulfilment if scaled.ok else np.nan,
                        "iterations": iters, "converged": ok})
        rows.append(row)
    curve = pd.DataFrame(rows).set_index("cap")
    from autarky.reliance.indicators import indicators
    from autarky.reliance.model import baseline

    # ACR takes the observed trade shares: the recorded trade where the economy records it
    basis, _ = baseline(scn)
    tot = indicators(scn, plan=basis).totals
    absorption = tot["output_value"] + tot["imports_value"] - tot["exports_value"]
    lam_dom = 1.0 - tot["imports_value"] / absorption if absorption > 0 else 1.0
    plan_x = basis.gross_output.to_numpy()
    inter = float(w @ np.asarray(eco.A @ plan_x).ravel())
    alpha = inter / float(w @ plan_x) if w @ plan_x > 0 else 0.0
    f1 = today.fulfilment  # today's fulfilment, uncapped
    f0 = curve.loc[0.0, "fulfilment"] if 0.0 in curve.index else np.nan
    acr = {"theta": theta, "domestic_share": lam_dom, "alpha": alpha,
           "autarky_ratio": acr_autarky_ratio(max(lam_dom, 1e-12), theta, min(alpha, 0.999)),
           "autarky_ratio_no_intermediates": acr_autarky_ratio(max(lam_dom, 1e-12), theta),
           "model_ratio": float(f0 / f1) if f1 and np.isfinite(f0) else np.nan}
    fu = str(eco.factors["unit"].iloc[0]) if factor is not None else ""
    return AutarkyCost(curve, acr, tuple(b for b, c in zip(eco.ids, chosen, strict=True) if c),
                       factor, fu, wunit)
