"""The optimal one-year plan: Kantorovich's LP with shadow prices.

Variables: gross output ``x`` (bounded by capacity), imports ``m_o`` and exports ``e_o`` for each
trade offer ``o`` of a partner (bounded by the offer's quantity), and the fulfilment of the target
final demand ``d``. Constraints:

* balance of every product: ``x + sum m - A x - sum e >= lam * d`` (resources cover uses);
* factors: ``F x <= f_bar``;
* foreign exchange: ``sum p_m m - sum p_e e <= aid + credit``;
* a minimum fulfilment, when asked: ``lam >= lam_min``.

Objectives: ``max-min`` maximises the common fulfilment ``lam`` of every target; ``weighted``
maximises ``sum w_i f_i`` with one fulfilment ``f_i`` per product; ``harmony`` maximises
``sum w_i h(f_i)`` where ``h`` is the upper envelope of tangents to ``log f`` at
:data:`HARMONY_POINTS`, a concave function in the spirit of Cockshott & Cottrell's harmony
(steep below the target, flat above it, so no product is starved to overfill another).

Duals are part of the answer (Kantorovich's objectively determined valuations): the shadow price
of each product (gain of the objective per extra unit, e.g. share of the target basket), the rent
of each factor and of each capacity, and the shadow value of foreign exchange. Divided by the
rent of a factor (``Plan.valuations("labour")``) they are prices in that factor's unit; with
labour the only factor they equal labour values ``l' (I - A)^-1``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from autarky.economy import Economy
from autarky.errors import AutarkyError
from autarky.plan.result import OptimalPlan
from autarky.solve.builder import LPBuilder
from autarky.solve.lp import INF, LinearProgram, LPResult, elastic_relaxation, solve_lp

#: Tangent points of the harmony function ``h`` (fulfilment levels).
HARMONY_POINTS: tuple[float, ...] = (0.1, 0.25, 0.5, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0)
#: Objective weight of the smallest fulfilment under ``harmony`` (a tie-breaker only).
HARMONY_TIEBREAK = 1e-6


@dataclass
class OptimizeModel:
    """The assembled LP with the index of every block, for reading the answer back."""

    economy: Economy
    lp: LinearProgram
    builder: LPBuilder
    target: np.ndarray
    objective: str
    offers: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)


def define_output(b: LPBuilder, eco: Economy, *, capacity_rows: bool) -> np.ndarray:
    """Gross output ``x``, bounded by capacity (as bounds, or as rows to relax)."""
    cap = eco.capacity.to_numpy()
    x = b.add_vars("output", eco.n, upper=INF if capacity_rows else cap, labels=eco.ids)
    if capacity_rows:
        finite = np.flatnonzero(np.isfinite(cap))
        if finite.size:
            b.add_rows("capacity", [(x[finite], sp.eye_array(len(finite)))], upper=cap[finite],
                       labels=[eco.ids[i] for i in finite])
    return x


def define_trade(b: LPBuilder, offers: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Imports and exports, one variable per partner offer, bounded by the offer's quantity."""
    imp = offers[offers["direction"] == "import"]
    exp = offers[offers["direction"] == "export"]
    m = b.add_vars("import", len(imp), upper=imp["max"].to_numpy(),
                   labels=[f"{p}:{br}" for p, br in zip(imp["partner"], imp["branch"], strict=True)])
    e = b.add_vars("export", len(exp), upper=exp["max"].to_numpy(),
                   labels=[f"{p}:{br}" for p, br in zip(exp["partner"], exp["branch"], strict=True)])
    return m, e


def _incidence(branches: pd.Series, ids: list[str]) -> sp.csr_array:
    """``n x k`` matrix with a one where offer ``k`` concerns branch ``i``."""
    pos = {b: i for i, b in enumerate(ids)}
    rows = np.array([pos[b] for b in branches], dtype=np.int64)
    return sp.csr_array((np.ones(len(rows)), (rows, np.arange(len(rows)))),
                        shape=(len(ids), len(rows)))


def define_fulfilment(b: LPBuilder, eco: Economy, d: np.ndarray, objective: str,
                      weights: np.ndarray, min_fulfilment: float | None) -> np.ndarray:
    """Fulfilment variables and the objective on them."""
    lo = 0.0 if min_fulfilment is None else min_fulfilment
    if objective == "max-min":
        return b.add_vars("fulfilment", 1, lower=lo, cost=1.0, labels=[""])
    pos = np.flatnonzero(d > 0)
    labels = [eco.ids[i] for i in pos]
    if objective == "weighted":
        return b.add_vars("fulfilment", len(pos), lower=lo, cost=weights[pos], labels=labels)
    f = b.add_vars("fulfilment", len(pos), lower=lo, labels=labels)
    h = b.add_vars("harmony", len(pos), lower=-INF, cost=weights[pos], labels=labels)
    k = len(pos)
    for t in HARMONY_POINTS:  # h <= log t + (f - t) / t
        b.add_rows(f"harmony-{t:g}", [(h, sp.eye_array(k)), (f, -sp.eye_array(k) / t)],
                   upper=np.log(t) - 1.0, labels=labels)
    # h is linear between tangent points, so the optimum may be a whole face; a tiny reward on
    # the smallest fulfilment picks its most even point (no product starved for another).
    least = b.add_vars("least-fulfilment", 1, lower=-INF, cost=HARMONY_TIEBREAK, labels=[""])
    b.add_rows("harmony-least", [(least, np.ones((k, 1))), (f, -sp.eye_array(k))], upper=0.0,
               labels=labels)
    return f


def define_balance(b: LPBuilder, eco: Economy, x: np.ndarray, m: np.ndarray, e: np.ndarray,
                   f: np.ndarray, d: np.ndarray, offers: pd.DataFrame, objective: str) -> None:
    """``(I - A) x + sum m - sum e - fulfilment * d >= 0`` for every product."""
    n = eco.n
    IA = sp.csr_array(sp.eye_array(n) - sp.csr_array(eco.A_d))
    imp = offers[offers["direction"] == "import"]
    exp = offers[offers["direction"] == "export"]
    terms: list[tuple[np.ndarray, Any]] = [(x, IA)]
    if len(m):
        terms.append((m, _incidence(imp["branch"], eco.ids)))
    if len(e):
        terms.append((e, -_incidence(exp["branch"], eco.ids)))
    if objective == "max-min":
        terms.append((f, -d.reshape(n, 1)))
    else:
        pos = np.flatnonzero(d > 0)
        D = sp.csr_array((-d[pos], (pos, np.arange(len(pos)))), shape=(n, len(pos)))
        terms.append((f, D))
    b.add_rows("balance", terms, lower=0.0, labels=eco.ids)


def define_factors(b: LPBuilder, eco: Economy, x: np.ndarray) -> None:
    """``F x <= availability`` for every factor with a finite availability."""
    fac = eco.factors
    avail = fac["availability"].to_numpy(dtype=float)
    keep = np.flatnonzero(np.isfinite(avail))
    if keep.size:
        F = eco.factor_coefficients.to_numpy()[keep]
        b.add_rows("factor", [(x, F)], upper=avail[keep], labels=[fac.index[k] for k in keep])


def define_foreign_exchange(b: LPBuilder, eco: Economy, m: np.ndarray, e: np.ndarray,
                            offers: pd.DataFrame) -> None:
    """Imports paid for by exports, aid and credit."""
    if not len(m):
        return
    imp = offers[offers["direction"] == "import"]
    exp = offers[offers["direction"] == "export"]
    money = float(eco.partners["aid"].sum() + eco.partners["credit"].sum())
    terms: list[tuple[np.ndarray, Any]] = [(m, imp["price"].to_numpy().reshape(1, -1))]
    if len(e):
        terms.append((e, -exp["price"].to_numpy().reshape(1, -1)))
    b.add_rows("foreign-exchange", terms, upper=money, labels=[""])


def target_vector(eco: Economy, target: Any = None) -> np.ndarray:
    """The target final demand to be met from domestic output, ``d``: the scenario's ``target``
    (else its final demand), less the share of each product's domestic use imported at today's
    import shares (exports are domestic output); the LP's trade offers come on top."""
    if target is None:
        t = eco.settings.target
        t = eco.final_demand if t is None else t
        return eco.domestic_final_demand(t)
    s = pd.Series(target, dtype=float) if isinstance(target, dict) else target
    if isinstance(s, pd.DataFrame):
        return eco.domestic_final_demand(s.reindex(eco.ids).fillna(0.0))
    if isinstance(s, pd.Series):
        unknown = set(map(str, s.index)) - set(eco.ids)
        if unknown:
            raise AutarkyError(f"target names unknown branch(es): {', '.join(sorted(unknown))}")
        s = s.reindex(eco.ids).fillna(0.0).to_numpy(dtype=float)
    return (1.0 - eco.import_share_total) * np.asarray(s, dtype=float)


def build_model(eco: Economy, *, target: Any = None, objective: str | None = None,
                weights: Any = None, min_fulfilment: float | None = None,
                capacity_rows: bool = False,
                domestic_target: np.ndarray | None = None) -> OptimizeModel:
    """Assemble the optimal-plan LP from the ``define_*`` blocks (``domestic_target``: a target
    already net of competitive imports, as :func:`target_vector` returns it)."""
    d = target_vector(eco, target) if domestic_target is None else np.asarray(domestic_target)
    if np.any(d < 0):
        raise AutarkyError("the target final demand must be non-negative")
    if not np.any(d > 0):
        raise AutarkyError("the target final demand is zero: nothing to plan for")
    objective = objective or eco.settings.objective
    if objective not in ("max-min", "weighted", "harmony"):
        raise AutarkyError(f"unknown objective {objective!r}")
    w = eco.settings.weights if weights is None else pd.Series(weights, dtype=float)
    wv = np.ones(eco.n) if w is None else w.reindex(eco.ids).fillna(1.0).to_numpy(dtype=float)
    offers = eco.trade
    b = LPBuilder()
    x = define_output(b, eco, capacity_rows=capacity_rows)
    m, e = define_trade(b, offers)
    f = define_fulfilment(b, eco, d, objective, wv, min_fulfilment)
    define_balance(b, eco, x, m, e, f, d, offers, objective)
    define_factors(b, eco, x)
    define_foreign_exchange(b, eco, m, e, offers)
    return OptimizeModel(eco, b.build(), b, d, objective, offers, {"weights": weights})


def _relaxation_report(lp: LinearProgram, rel: Any) -> list[dict[str, Any]]:
    out = []
    for r, amount in zip(rel.rows, rel.amounts, strict=True):
        bound = lp.row_upper[r] if amount < 0 else lp.row_lower[r]
        new = bound - amount
        out.append({"constraint": lp.row_names[r], "bound": float(bound), "needed": float(new),
                    "relax_by": float(abs(amount))})
    return out


def explain_infeasible(model: OptimizeModel, min_fulfilment: float | None,
                       max_candidates: int = 60) -> list[dict[str, Any]]:
    """Why no plan is feasible, in scenario terms.

    The product balances are the economy itself and are never relaxed; every other constraint
    (factor availability, capacity, foreign exchange, the minimum fulfilment) may be. The first
    entry (``"kind": "smallest"``) is the smallest weighted relaxation of all of them together;
    then, for each constraint that could make the plan feasible on its own, how far it alone
    would have to move (``"kind": "alone"``). The constraints named are those in conflict.
    """
    relaxed = build_model(model.economy, domestic_target=model.target, objective=model.objective,
                          weights=model.meta.get("weights"), min_fulfilment=None,
                          capacity_rows=True)
    b = relaxed.builder
    if min_fulfilment is not None:  # keep the demand as a row that may be relaxed
        f = b.blocks["fulfilment"]
        labels = ([""] if len(f) == 1 else
                  [b._col_names[i].split(":", 1)[1] for i in f])
        b.add_rows("minimum-fulfilment", [(f, sp.eye_array(len(f)))], lower=min_fulfilment,
                   labels=labels)
    lp = b.build()
    soft = np.array([not n.startswith(("balance:", "harmony")) for n in lp.row_names])
    rel = elastic_relaxation(lp, relax=soft)
    if rel is None:
        return []
    out = [{"kind": "smallest", **item} for item in _relaxation_report(lp, rel)]
    for r in np.flatnonzero(soft)[:max_candidates]:
        alone = np.zeros(len(soft), dtype=bool)
        alone[r] = True
        one = elastic_relaxation(lp, relax=alone)
        if one is not None:
            out += [{"kind": "alone", **item} for item in _relaxation_report(lp, one)]
    return out


def explain_unbounded(model: OptimizeModel, res: LPResult) -> list[str]:
    """The variables that can grow without limit (a primal ray), in scenario terms."""
    if res.ray is None:
        return [n for n, u in zip(model.lp.col_names, model.lp.col_upper, strict=True)
                if not np.isfinite(u)]
    ray = np.asarray(res.ray)
    big = np.flatnonzero(np.abs(ray) > 1e-9 * max(1.0, np.abs(ray).max()))
    return [model.lp.col_names[i] for i in big]


def optimize(eco: Economy, *, target: Any = None, objective: str | None = None,
             weights: Any = None, min_fulfilment: float | None = None,
             solver: str = "simplex", method: str = "auto") -> OptimalPlan:
    """The optimal one-year plan of ``eco`` (see the module docstring for the model).

    Parameters
    ----------
    target
        Final demand to aim at (default: the scenario's ``target``, else its final demand).
    objective
        ``max-min`` (default), ``weighted`` or ``harmony``.
    weights
        Weight per branch for ``weighted`` and ``harmony`` (default one).
    min_fulfilment
        Require at least this fulfilment (e.g. ``1.0``: the whole target). An impossible
        requirement gives an infeasible plan with the smallest relaxation that would allow it.
    method
        ``lp`` (HiGHS), ``closed-form`` (one Leontief solve; only for ``max-min`` without trade
        or a minimum fulfilment, see :mod:`autarky.plan.closed_form`), or ``auto``: the closed
        form where it applies, the LP otherwise.

    Returns
    -------
    OptimalPlan
        ``status`` (``optimal``, ``infeasible``, ``unbounded``) and, when optimal, fulfilment,
        outputs, trade, factor use and the duals, with the constraints that bind.

    Examples
    --------
    Two branches, labour the only factor: ``l = (0.5, 0.2)``, 800 available. The target
    ``(600, 1500)`` needs ``x = L d = (1247.52, 1841.58)`` and so ``l' x = 992.08`` of labour;
    ``lam = 800 / 992.08``.

    >>> eco = Economy.from_coefficients([[0.15, 0.25], [0.20, 0.05]], [600, 1500],
    ...     branches=["agriculture", "manufacturing"],
    ...     factors=pd.DataFrame({"unit": ["workers"], "availability": [800.0]}, index=["labour"]),
    ...     factor_coefficients=[[0.5, 0.2]])
    >>> plan = optimize(eco)
    >>> round(plan.fulfilment, 4), plan.binding
    (0.8064, ('product:agriculture', 'product:manufacturing', 'factor:labour'))
    """
    from autarky.plan import closed_form

    kind = objective or eco.settings.objective
    if method not in ("auto", "lp", "closed-form"):
        raise AutarkyError(f"unknown method {method!r}; expected auto, lp or closed-form")
    if method != "lp" and closed_form.applies(eco, kind, min_fulfilment):
        d = target_vector(eco, target)
        if np.any(d < 0) or not np.any(d > 0):
            raise AutarkyError("the target final demand must be non-negative and not all zero")
        return closed_form.closed_form_plan(eco, d)
    if method == "closed-form":
        raise AutarkyError("the closed form needs the max-min objective, no trade offers and "
                           "no minimum fulfilment; use method='lp'")
    model = build_model(eco, target=target, objective=objective, weights=weights,
                        min_fulfilment=min_fulfilment)
    res = solve_lp(model.lp, solver=solver)
    return OptimalPlan.from_model(model, res, explain_infeasible, explain_unbounded,
                                  min_fulfilment)
