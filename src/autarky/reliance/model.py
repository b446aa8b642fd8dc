"""The reliance LP: the one-year plan with imports tied to each partner's share of use.

Variables: output ``x`` (bounded by capacity), imports ``m_p,i`` of product ``i`` from partner
``p``, and the common fulfilment ``lam`` of the target final demand ``d`` (exports ``d_e`` are
part of it and made at home). Constraints:

* balance: ``x + sum_p m_p - A x >= lam d``;
* import caps: ``m_p,i <= theta_p,i (A x + lam d_dom)_i`` — imports from ``p`` at most a share
  ``theta`` of the product's domestic use (``theta`` = today's share ``s_p,i`` scaled by a cap,
  zero for a partner cut off);
* factors ``F x <= f_bar`` (a factor's coefficients may be replaced, e.g. by the successive
  plans with economies of scale);
* foreign exchange, where the scenario prices imports (partner ``imports`` offers):
  ``sum price_m m <= lam * sum price_e d_e + aid + credit``.

Used by the cost of autarky, the re-planned stress tests and the neutrality plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from autarky.economy import Economy
from autarky.solve.builder import LPBuilder
from autarky.solve.lp import LinearProgram, LPResult, solve_lp


@dataclass(frozen=True)
class RelianceCase:
    """The data of one reliance LP (what a shock or a cap changes)."""

    theta: np.ndarray  # partners x n import-share caps
    target: np.ndarray  # n, the target final demand d (incl. exports)
    exports: np.ndarray  # n, exports within d
    capacity: np.ndarray  # n
    F: np.ndarray  # k x n factor coefficients
    availability: np.ndarray  # k
    money: float  # aid + credit available for imports
    min_fulfilment: float | None = None


def base_case(eco: Economy) -> RelianceCase:
    """Today's economy: caps at today's import shares, the scenario's final demand as target."""
    fd = eco.final_demand if eco.settings.target is None else eco.settings.target
    d = fd.to_numpy().sum(axis=1).astype(float)
    e = fd["exports"].to_numpy() if "exports" in fd.columns else np.zeros(eco.n)
    par = eco.partners
    money = float(par["aid"].sum() + par["credit"].sum()) if len(par) else 0.0
    return RelianceCase(eco.import_shares.to_numpy().copy(), d, e, eco.capacity.to_numpy(),
                        eco.factor_coefficients.to_numpy(),
                        eco.factors["availability"].to_numpy(dtype=float), money)


def _prices(eco: Economy, direction: str) -> pd.DataFrame:
    """``partner x branch`` offer prices (NaN where the scenario gives none)."""
    t = eco.trade
    t = t[t["direction"] == direction]
    out = pd.DataFrame(np.nan, index=eco.partners.index, columns=pd.Index(eco.ids))
    for _, r in t.iterrows():
        out.loc[r["partner"], r["branch"]] = r["price"]
    return out


@dataclass
class RelianceModel:
    lp: LinearProgram
    builder: LPBuilder
    case: RelianceCase
    pairs: list[tuple[int, int]]  # (partner, branch) of every import variable


def build(eco: Economy, case: RelianceCase, *, objective: str = "fulfilment",
          factor: int | None = None) -> RelianceModel:
    """Assemble the reliance LP. ``objective``: ``fulfilment`` (max ``lam``) or ``factor``
    (min use of factor number ``factor`` with ``lam >= case.min_fulfilment``)."""
    n = eco.n
    b = LPBuilder()
    x = b.add_vars("output", n, upper=case.capacity, labels=eco.ids,
                   cost=0.0 if objective == "fulfilment" else -case.F[factor])
    pairs = [(p, i) for p in range(case.theta.shape[0]) for i in range(n) if case.theta[p, i] > 0]
    partners = list(eco.partners.index)
    m = b.add_vars("import", len(pairs), labels=[f"{partners[p]}:{eco.ids[i]}" for p, i in pairs])
    lo = 0.0 if case.min_fulfilment is None else case.min_fulfilment
    lam = b.add_vars("fulfilment", 1, lower=lo, cost=1.0 if objective == "fulfilment" else 0.0,
                     labels=[""])
    A = sp.csr_array(eco.A)
    IA = sp.csr_array(sp.eye_array(n) - A)
    inc = sp.csr_array((np.ones(len(pairs)), ([i for _, i in pairs], np.arange(len(pairs)))),
                       shape=(n, len(pairs)))
    b.add_rows("balance", [(x, IA), (m, inc), (lam, -case.target.reshape(n, 1))], lower=0.0,
               labels=eco.ids)
    if pairs:
        d_dom = case.target - case.exports
        th = np.array([case.theta[p, i] for p, i in pairs])
        rows_A = sp.csr_array(A[[i for _, i in pairs]])
        cap_x = sp.csr_array(sp.diags_array(-th) @ rows_A)
        b.add_rows("import-cap", [(m, sp.eye_array(len(pairs))), (x, cap_x),
                                  (lam, (-th * d_dom[[i for _, i in pairs]]).reshape(-1, 1))],
                   upper=0.0, labels=[f"{partners[p]}:{eco.ids[i]}" for p, i in pairs])
    keep = np.flatnonzero(np.isfinite(case.availability))
    if objective == "factor" and factor is not None:
        keep = keep[keep != factor]
    if keep.size:
        b.add_rows("factor", [(x, case.F[keep])], upper=case.availability[keep],
                   labels=[str(eco.factors.index[k]) for k in keep])
    pm = _prices(eco, "import").to_numpy()
    if pairs and np.isfinite(pm[tuple(np.array(pairs).T)]).any():
        price_m = np.nan_to_num(np.array([pm[p, i] for p, i in pairs]))
        pe = _prices(eco, "export")
        dom = np.nan_to_num(eco.prices.to_numpy())
        price_e = np.where(pe.notna().any(axis=0), pe.mean(axis=0).fillna(0.0).to_numpy(), dom)
        earn = float(price_e @ case.exports)
        b.add_rows("foreign-exchange", [(m, price_m.reshape(1, -1)),
                                        (lam, np.array([[-earn]]))], upper=case.money, labels=[""])
    return RelianceModel(b.build(), b, case, pairs)


@dataclass(frozen=True)
class RelianceSolution:
    """The answer of one reliance LP."""

    status: str
    fulfilment: float
    output: np.ndarray
    imports: np.ndarray  # partners x n
    factor_use: np.ndarray
    objective: float
    binding: tuple[str, ...]
    result: Any = None


def solve(eco: Economy, case: RelianceCase, **kwargs: Any) -> RelianceSolution:
    """Build and solve the reliance LP for ``case``."""
    model = build(eco, case, **kwargs)
    res: LPResult = solve_lp(model.lp)
    P = case.theta.shape[0]
    if res.status != "optimal":
        nan = np.full(eco.n, np.nan)
        return RelianceSolution(res.status, np.nan, nan, np.full((P, eco.n), np.nan),
                                np.full(case.F.shape[0], np.nan), np.nan, (), res)
    x = res.x[model.builder.blocks["output"]]
    mv = res.x[model.builder.blocks["import"]]
    M = np.zeros((P, eco.n))
    for (p, i), v in zip(model.pairs, mv, strict=True):
        M[p, i] = v
    lam = float(res.x[model.builder.blocks["fulfilment"][0]])
    binding = tuple(n for n, d in zip(model.lp.row_names, res.row_dual, strict=True)
                    if abs(d) > 1e-9)
    return RelianceSolution("optimal", lam, x, M, case.F @ x, float(res.objective), binding, res)

