"""The largest common fulfilment in closed form, where no LP is needed.

With one technique per product and no trade, ``x = lam L d`` is the least output that yields
``lam d``, and every constraint is monotone in ``x``; so (DESIGN.md, Solvers)

``lam* = min( availability_k / (F L d)_k , capacity_i / (L d)_i )``

after one Leontief solve. The duals follow from the constraint that binds: if it is factor ``k``,
the product prices are ``p' = w f_k' L`` with rent ``w = 1 / (f_k' L d)``; if it is the capacity of
branch ``i``, ``p' = r e_i' L`` with ``r = 1 / (L d)_i``: one transposed solve. The LP gives the
same answer where both apply (tested), at a fraction of the cost for large economies.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from autarky.economy import Economy
from autarky.plan.result import OptimalPlan


def applies(eco: Economy, objective: str, min_fulfilment: float | None) -> bool:
    """Whether the closed form answers this plan: max-min, no trade, no minimum required."""
    return objective == "max-min" and len(eco.trade) == 0 and min_fulfilment is None


def closed_form_plan(eco: Economy, d: np.ndarray) -> OptimalPlan:
    """The optimal max-min plan by one Leontief solve (plus one transposed solve for prices)."""
    ids = eco.ids
    idx = pd.Index(ids, name="branch")
    x1 = eco.solver.solve(d)  # output per unit of fulfilment, L d
    fac = eco.factors
    avail = fac["availability"].to_numpy(dtype=float)
    F = eco.factor_coefficients.to_numpy()
    need = F @ x1
    cap = eco.capacity.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        lam_f = np.where(np.isfinite(avail) & (need > 0), avail / need, np.inf)
        lam_c = np.where(np.isfinite(cap) & (x1 > 0), cap / x1, np.inf)
    lam = float(min(lam_f.min(initial=np.inf), lam_c.min(initial=np.inf)))
    prices = np.zeros(eco.n)
    cap_prices = np.zeros(eco.n)
    fprices = pd.Series(0.0, index=fac.index, name="factor_price")
    binding: list[str] = []
    status = "optimal" if np.isfinite(lam) else "unbounded"
    if status == "optimal":
        tol = 1e-12 * max(1.0, lam)
        k_bind = np.flatnonzero(lam_f <= lam + tol)
        i_bind = np.flatnonzero(lam_c <= lam + tol)
        # one binding constraint carries the whole basket's value (p'd = 1); ties are degenerate
        if k_bind.size:
            k = int(k_bind[0])
            w = 1.0 / need[k]
            prices = w * eco.solver.solve_transposed(F[k])
            fprices.iloc[k] = w
        else:
            i = int(i_bind[0])
            r = 1.0 / x1[i]
            e = np.zeros(eco.n)
            e[i] = 1.0
            prices = r * eco.solver.solve_transposed(e)
            cap_prices[i] = r
        binding = [f"product:{b}" for b, p in zip(ids, prices, strict=True) if p > 1e-15]
        binding += [f"factor:{fac.index[k]}" for k in k_bind[:1]]
        binding += [f"capacity:{ids[i]}" for i in (i_bind[:1] if not k_bind.size else [])]
    x = lam * x1 if status == "optimal" else np.full(eco.n, np.nan)
    used = np.asarray(eco.A_d @ x).ravel()
    req = F @ x
    with np.errstate(divide="ignore", invalid="ignore"):
        util = np.where(np.isfinite(avail) & (avail > 0), req / avail, np.nan)
        ful = np.where(d > 0, (x - used) / d, np.nan)
    partners = list(eco.partners.index)
    zero_trade = pd.DataFrame(0.0, index=pd.Index(partners, name="partner"), columns=idx)
    return OptimalPlan(
        method="optimize", _gross_output=pd.Series(x, index=idx, name="gross_output"),
        _intermediate_use=pd.Series(used, index=idx, name="intermediate_use"),
        _final_demand=pd.DataFrame({"delivered": x - used}, index=idx), _units=eco.units,
        _target=pd.Series(d, index=idx, name="target"),
        _factors=pd.DataFrame({"unit": fac["unit"], "required": req, "available": avail,
                               "utilisation": util}, index=fac.index),
        status=status, fulfilment=lam, objective="max-min", objective_value=lam,
        _fulfilment_by_branch=pd.Series(ful, index=idx, name="fulfilment"),
        _imports=zero_trade, _exports=zero_trade.copy(),
        _shadow_prices=pd.Series(prices, index=idx, name="shadow_price"),
        _capacity_prices=pd.Series(cap_prices, index=idx, name="capacity_price"),
        _factor_prices=fprices, binding=tuple(binding),
        unbounded_by=() if status == "optimal" else ("fulfilment",),
        meta={"solver": "closed form (one Leontief solve)"})
