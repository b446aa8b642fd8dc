"""The largest common fulfilment in closed form, where no LP is needed.

With one technique per product and trade that leaves no choice (no trade prices, so no
foreign-exchange balance; imports only at their recorded structure, without limits; exports
delivered as recorded), ``x = lam L_d d_d + L_d e`` is the least output that yields ``lam d``
(``d_d`` the part of the target met at home, ``e`` the recorded exports), and every constraint
is monotone in ``x``; so (DESIGN.md, Solvers)

``lam* = min( (availability_k - (F L_d e)_k) / (F L_d d_d)_k , (capacity_i - (L_d e)_i) / (L_d d_d)_i )``

after one Leontief solve. The duals follow from the constraint that binds: if it is factor ``k``,
the product prices are ``p' = w f_k' L_d`` with rent ``w = 1 / (f_k' L_d d_d)``; if it is the
capacity of branch ``i``, ``p' = r e_i' L_d`` with ``r = 1 / (L_d d_d)_i``: one transposed solve.
The LP gives the same answer where both apply (tested), at a fraction of the cost.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from autarky.economy import Economy
from autarky.economy.trade import (
    final_import_shares,
    import_channels,
    imports_at,
    trade_prices_given,
)
from autarky.plan.result import Binding, OptimalPlan


def applies(eco: Economy, objective: str, min_fulfilment: float | None) -> bool:
    """Whether the closed form answers this plan: max-min, no minimum required, and trade with
    no choice (no prices; every import channel recorded and without a limit)."""
    if objective != "max-min" or min_fulfilment is not None or trade_prices_given(eco):
        return False
    return bool(np.all(import_channels(eco).capped))


def closed_form_plan(eco: Economy, d: np.ndarray) -> OptimalPlan | None:
    """The optimal max-min plan by one Leontief solve (plus one transposed solve for prices);
    ``None`` when even a zero fulfilment is infeasible (the LP then explains why)."""
    ids = eco.ids
    idx = pd.Index(ids, name="branch")
    g = final_import_shares(eco)
    d_dom = (1.0 - g.sum(axis=0)) * d
    e0 = eco.exports_total
    x1 = eco.solver.solve(d_dom)  # output per unit of fulfilment, L_d d_d
    x0 = eco.solver.solve(e0) if np.any(e0) else np.zeros(eco.n)
    fac = eco.factors
    avail = np.asarray(eco.array("factor_availability"))
    F = np.asarray(eco.array("factor_coefficients"))
    need, base = F @ x1, F @ x0
    cap = eco.capacity.to_numpy()
    if np.any(base > avail * (1 + 1e-12)) or np.any(x0 > cap * (1 + 1e-12)):
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        lam_f = np.where(np.isfinite(avail) & (need > 0), (avail - base) / need, np.inf)
        lam_c = np.where(np.isfinite(cap) & (x1 > 0), (cap - x0) / x1, np.inf)
    lam = float(min(lam_f.min(initial=np.inf), lam_c.min(initial=np.inf)))
    prices = np.zeros(eco.n)
    cap_prices = np.zeros(eco.n)
    fprices = pd.Series(0.0, index=fac.index, name="factor_price")
    rows: list[dict[str, object]] = []
    status = "optimal" if np.isfinite(lam) else "unbounded"
    if status == "optimal":
        tol = 1e-12 * max(1.0, lam)
        k_bind = np.flatnonzero(lam_f <= lam + tol)
        i_bind = np.flatnonzero(lam_c <= lam + tol)
        # one binding constraint carries the whole basket's value (p'd_d = 1); ties are degenerate
        if k_bind.size:
            k = int(k_bind[0])
            w = 1.0 / need[k]
            prices = w * eco.solver.solve_transposed(F[k])
            fprices.iloc[k] = w
            bind = ("factor", str(fac.index[k]), w)
        else:
            i = int(i_bind[0])
            r = 1.0 / x1[i]
            e = np.zeros(eco.n)
            e[i] = 1.0
            prices = r * eco.solver.solve_transposed(e)
            cap_prices[i] = r
            bind = ("capacity", ids[i], r)
        rows = [{"kind": "product", "label": b, "year": None, "dual": -float(p)}
                for b, p in zip(ids, prices, strict=True) if p > 1e-15]
        rows.append({"kind": bind[0], "label": bind[1], "year": None, "dual": float(bind[2])})
    x = lam * x1 + x0 if status == "optimal" else np.full(eco.n, np.nan)
    used = np.asarray(eco.A @ x).ravel()
    req = F @ x
    P = len(eco.coords.partner)
    partners = pd.Index([str(p) for p in eco.coords.partner], name="partner")
    m = imports_at(eco, x, lam * d) if status == "optimal" and P else np.zeros((P, eco.n))
    delivered = x - used + m.sum(axis=0) - e0
    with np.errstate(divide="ignore", invalid="ignore"):
        util = np.where(np.isfinite(avail) & (avail > 0), req / avail, np.nan)
        ful = np.where(d > 0, delivered / d, np.nan)
    return OptimalPlan(
        method="optimize", _gross_output=pd.Series(x, index=idx, name="gross_output"),
        _intermediate_use=pd.Series(used, index=idx, name="intermediate_use"),
        _final_demand=pd.DataFrame({"delivered": delivered}, index=idx), _units=eco.units,
        _target=pd.Series(d, index=idx, name="target"),
        _factors=pd.DataFrame({"unit": fac["unit"], "required": req,
                               "available": np.where(np.isinf(avail), np.nan, avail),
                               "utilisation": util}, index=fac.index),
        status=status, fulfilment=lam, objective="max-min", objective_value=lam,
        _fulfilment_by_branch=pd.Series(ful, index=idx, name="fulfilment"),
        _imports=pd.DataFrame(m, index=partners, columns=idx),
        _exports=pd.DataFrame(np.array(eco.array("exports")), index=partners, columns=idx),
        _shadow_prices=pd.Series(prices, index=idx, name="shadow_price"),
        _capacity_prices=pd.Series(cap_prices, index=idx, name="capacity_price"),
        _factor_prices=fprices,
        binding=Binding(pd.DataFrame(rows, columns=["kind", "label", "year", "dual"])),
        unbounded_by=() if status == "optimal" else ("fulfilment",), currency=eco.currency,
        meta={"solver": "closed form (one Leontief solve)"})
