"""The optimal one-year plan: Kantorovich's LP with shadow prices.

Variables: gross output ``x`` (bounded by capacity), imports ``m`` and exports ``e`` per trade
channel (:mod:`autarky.economy.trade`), and the fulfilment of the target home final use ``d``.
Constraints, from the shared blocks of :mod:`autarky.plan.constraints`:

* balance of every product: ``x + sum m - sum e - A x >= lam * d`` (resources cover uses;
  ``A`` and ``d`` hold domestic and imported use together);
* import caps: a channel with a recorded structure imports at most what the structure gives,
  ``m[p, i] <= (A_imp[p] x)_i + lam g[p, i] d_i``; every channel within its limit;
* recorded exports are delivered, more up to the export limit;
* factors: ``F x <= f_bar``;
* foreign exchange, where any trade price is given: ``sum p_m m - sum p_e e <= aid + credit +
  other financing`` (pooled, or per partner);
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
labour the only factor they equal labour values ``l' (I - A_d)^-1``.

Examples
--------
The one-product economy worked by hand: steel in t, ``a = 0.1``, one worker-year per t and 72
available, a target of 100 t; partner ``p`` sells up to 30 t at 1 currency unit per t, and aid
of 50 pays for it. At home ``x = 72`` nets ``0.9 x = 64.8``; with the 30 t imported
``lam = (64.8 + 30) / 100 = 0.948`` (aid is not binding: 30 < 50).

>>> eco = Economy(pd.DataFrame({"unit": ["t"]}, index=["steel"]), [[0.1]], [100.0],
...     factors=pd.DataFrame({"unit": ["worker-years"]}, index=["labour"]),
...     factor_coefficients=[[1.0]], factor_availability=[72.0],
...     partners=pd.DataFrame(index=["p"]), aid=[50.0],
...     import_prices=[[1.0]], import_limits=[[30.0]], currency="USD")
>>> plan = optimize(eco)
>>> round(plan.fulfilment, 6), float(plan.imports.loc["p", "steel"])
(0.948, 30.0)
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from autarky import checks
from autarky.economy import Economy, Scenario, as_scenario
from autarky.economy import tables as tb
from autarky.economy.registry import TABLES
from autarky.economy.trade import (
    Channels,
    export_channels,
    import_channels,
    money_by_partner,
    require_prices,
    trade_prices_given,
)
from autarky.errors import AutarkyError, BadTypeError, BadValueError, UnknownIdError
from autarky.plan.constraints import (
    Trade,
    define_balance,
    define_exports_from_output,
    define_factors,
    define_foreign_exchange,
    define_import_caps,
    define_output,
    define_trade,
    final_use,
    intermediate_use,
)
from autarky.plan.result import OptimalPlan
from autarky.solve.builder import LPBuilder
from autarky.solve.lp import (
    INF,
    SOLVERS,
    LinearProgram,
    LPResult,
    check_solution,
    elastic_relaxation,
    solve_lp_or_simplex,
)

#: Tangent points of the harmony function ``h`` (fulfilment levels).
HARMONY_POINTS: tuple[float, ...] = (0.1, 0.25, 0.5, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0)
#: Objective weight of the smallest fulfilment under ``harmony`` (a tie-breaker only).
HARMONY_TIEBREAK = 1e-6
#: Reward per unit of imports at their recorded structure, relative to the largest target, when
#: imports cost no foreign exchange: of plans with the same fulfilment, the one that imports what
#: the structure records (a tie-breaker only; it is taken out of the objective value).
IMPORT_TIEBREAK = 1e-9
OBJECTIVES = ("max-min", "weighted", "harmony")


@dataclass(frozen=True)
class YearData:
    """The data of one year's LP: what a shock, a cap or a change of scale alters.

    Attributes
    ----------
    target
        Home final use to fulfil, by product (domestic and imported).
    capacity, F, availability
        Capacity per branch, factor coefficients, factor availability.
    import_scale
        Per import channel: the share of the recorded structure that may be imported (1: as
        recorded; 0: cut).
    import_upper, export_lower, export_upper
        Per channel: the import limit, the exports to deliver and the export limit.
    money
        Aid plus credit per partner.
    min_fulfilment
        A fulfilment the plan must reach (``None``: none).
    """

    target: np.ndarray
    capacity: np.ndarray
    F: np.ndarray
    availability: np.ndarray
    import_scale: np.ndarray
    import_upper: np.ndarray
    export_lower: np.ndarray
    export_upper: np.ndarray
    money: np.ndarray
    min_fulfilment: float | None = None


def target_vector(scn: Scenario, target: Any = None) -> np.ndarray:
    """The target home final use ``d`` by product: ``target`` (a vector, mapping, Series or a
    ``branch x category`` frame), else the scenario's ``target``, else its final demand."""
    eco = scn.economy
    if target is None:
        t = scn.array("target")
        if t is not None:
            return np.array(t, dtype=float)
        return np.asarray(eco.array("final_demand")).sum(axis=1)
    if isinstance(target, pd.DataFrame):
        unknown = set(map(str, target.index)) - set(eco.ids)
        if unknown:
            raise UnknownIdError(f"target names unknown branch(es): {', '.join(sorted(unknown))}")
        frame = target.copy()
        frame.index = pd.Index([str(i) for i in frame.index])
        arr = checks.floats("the target", frame.reindex(eco.ids).fillna(0.0).to_numpy()).sum(axis=1)
    elif isinstance(target, (dict, pd.Series)):
        s = pd.Series(target)
        s = pd.Series(checks.floats("the target", s.to_numpy()), index=s.index)
        unknown = set(map(str, s.index)) - set(eco.ids)
        if unknown:
            raise UnknownIdError(f"target names unknown branch(es): {', '.join(sorted(unknown))}")
        s.index = pd.Index([str(i) for i in s.index])
        arr = s.reindex(eco.ids).fillna(0.0).to_numpy(dtype=float)
    else:
        arr = checks.floats("the target", target)
        if arr.shape != (eco.n,):
            raise BadValueError(f"the target has shape {arr.shape}, expected ({eco.n},)")
    if not np.all(np.isfinite(arr)):
        bad = eco.ids[int(np.flatnonzero(~np.isfinite(arr))[0])]
        raise BadValueError(f"the target must be finite numbers; the target of {bad} is "
                            f"{arr[eco.ids.index(bad)]:g}")
    return arr


def check_target(eco: Economy, d: np.ndarray) -> None:
    """A target to plan for: non-negative, and not all zero."""
    if np.any(d < 0):
        bad = int(np.argmin(d))
        raise BadValueError(f"the target final demand must be non-negative; the target of "
                            f"{eco.ids[bad]} is {d[bad]:g}")
    if not np.any(d > 0):
        raise BadValueError("the target final demand is zero: nothing to plan for")


def fulfilment_weights(scn: Scenario, weights: Any = None) -> np.ndarray:
    """The objective weight of each product: ``weights`` (a vector, a Series or a mapping by
    branch, missing branches weighing one), else the scenario's ``weights``, else ones."""
    if weights is None:
        w = scn.array("weights")
        return np.ones(scn.economy.n) if w is None else np.asarray(w, dtype=float)
    return np.array(tb.coerce(TABLES["weights"], weights, scn.settings_coords), dtype=float)


def year_data(scn: Scenario, target: Any = None, imp: Channels | None = None,
              exp: Channels | None = None) -> YearData:
    """Today's data: the scenario's target, capacities, factors, trade channels and money."""
    eco = scn.economy
    imp = import_channels(eco) if imp is None else imp
    exp = export_channels(eco) if exp is None else exp
    return YearData(target_vector(scn, target), eco.capacity.to_numpy(),
                    np.array(eco.array("factor_coefficients")),
                    np.array(eco.array("factor_availability")),
                    np.ones(len(imp)), imp.upper.copy(), exp.lower.copy(), exp.upper.copy(),
                    money_by_partner(eco))


@dataclass
class OptimizeModel:
    """The assembled LP with the index of every block, for reading the answer back."""

    scenario: Scenario
    lp: LinearProgram
    builder: LPBuilder
    data: YearData
    objective: str
    trade: Trade
    fx: bool
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def economy(self) -> Economy:
        return self.scenario.economy

    @property
    def target(self) -> np.ndarray:
        return self.data.target


def define_fulfilment(b: LPBuilder, eco: Economy, d: np.ndarray, objective: str,
                      weights: np.ndarray, min_fulfilment: float | None, cost: float = 1.0
                      ) -> tuple[np.ndarray, Any]:
    """Fulfilment variables and the objective on them; returns the columns and the matrix that
    turns them into final use (``d`` as a column for max-min, ``diag(d)`` restricted to the
    products with a target otherwise)."""
    n = eco.n
    lo = 0.0 if min_fulfilment is None else min_fulfilment
    if objective == "max-min":
        f = b.add_vars("fulfilment", 1, lower=lo, cost=cost, labels=[""], coords={"dims": ()})
        return f, d.reshape(n, 1)
    pos = np.flatnonzero(d > 0)
    labels = [eco.ids[i] for i in pos]
    D = sp.csr_array((d[pos], (pos, np.arange(len(pos)))), shape=(n, len(pos)))
    coords = {"dims": ("branch",), "branch": labels}
    if objective == "weighted":
        f = b.add_vars("fulfilment", len(pos), lower=lo, cost=weights[pos], labels=labels,
                       coords=coords)
        return f, D
    f = b.add_vars("fulfilment", len(pos), lower=lo, labels=labels, coords=coords)
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
    return f, D


def build_model(obj: Economy | Scenario, data: YearData | None = None, *,
                target: Any = None, objective: str | None = None, weights: Any = None,
                min_fulfilment: float | None = None, capacity_rows: bool = False,
                minimize_factor: int | None = None) -> OptimizeModel:
    """Assemble the one-year LP from the shared ``define_*`` blocks.

    ``data`` (default :func:`year_data`) carries what a shock or a cap changes;
    ``minimize_factor`` makes the objective the least use of that factor (with the fulfilment
    at least ``data.min_fulfilment``), as the cost of autarky asks.
    """
    scn = as_scenario(obj)
    eco = scn.economy
    imp, exp = import_channels(eco), export_channels(eco)
    data = year_data(scn, target, imp, exp) if data is None else data
    if min_fulfilment is not None:
        min_fulfilment = checks.real("min_fulfilment", min_fulfilment, lower=0.0)
        data = replace(data, min_fulfilment=min_fulfilment)
    d = np.asarray(data.target, dtype=float)
    check_target(eco, d)
    objective = _objective(scn, objective)
    checks.choice("objective", objective, OBJECTIVES)
    wv = fulfilment_weights(scn, weights)
    fx = trade_prices_given(eco)
    if fx:
        require_prices(eco, imp)
        require_prices(eco, exp)
    b = LPBuilder()
    x_cost = 0.0 if minimize_factor is None else -data.F[minimize_factor]
    x = define_output(b, eco, capacity=data.capacity, capacity_rows=capacity_rows, cost=x_cost)
    trade = define_trade(b, eco, imp, exp, import_upper=data.import_upper,
                         export_lower=data.export_lower, export_upper=data.export_upper)
    tiebreak = None
    if not fx and minimize_factor is None and len(trade.m):
        tiebreak = trade.m[imp.capped]
        b.add_cost(tiebreak, IMPORT_TIEBREAK / max(1.0, float(d.max())))
    f, D = define_fulfilment(b, eco, d, objective, wv, data.min_fulfilment,
                             cost=1.0 if minimize_factor is None else 0.0)
    uses = [intermediate_use(eco, x), final_use(eco, f, D)]
    define_balance(b, eco, x, trade, uses)
    define_import_caps(b, eco, trade, uses, scale=data.import_scale)
    define_exports_from_output(b, eco, x, trade)
    define_factors(b, eco, x, F=data.F, availability=data.availability, skip=minimize_factor)
    if fx:
        define_foreign_exchange(b, eco, trade, data.money, mode=scn.settings.foreign_exchange)
    return OptimizeModel(scn, b.build(), b, data, objective, trade, fx,
                         {"weights": weights, "minimize_factor": minimize_factor,
                          "tiebreak": tiebreak})


#: Row blocks that are the economy itself: an explanation never relaxes them.
STRUCTURAL_ROWS = ("balance", "import-cap", "exports-from-output", "harmony")


def _relaxation_report(b: LPBuilder, lp: LinearProgram, rel: Any) -> list[dict[str, Any]]:
    from autarky.plan.read import row_label

    out = []
    for r, amount in zip(rel.rows, rel.amounts, strict=True):
        bound = lp.row_upper[r] if amount < 0 else lp.row_lower[r]
        new = bound - amount
        out.append({"constraint": lp.row_names[r], **row_label(b, int(r)), "bound": float(bound),
                    "needed": float(new), "relax_by": float(abs(amount))})
    return out


def explain_infeasible(model: OptimizeModel, max_candidates: int = 60) -> list[dict[str, Any]]:
    """Why no plan is feasible, in scenario terms.

    The product balances and the import caps are the economy itself and are never relaxed;
    every other constraint (factor availability, capacity, foreign exchange, the minimum
    fulfilment) may be. The first entries (``"kind": "smallest"``) are the smallest weighted
    relaxation of all of them together; then, for each constraint that could make the plan
    feasible on its own, how far it alone would have to move (``"kind": "alone"``).
    """
    data = replace(model.data, min_fulfilment=None)
    relaxed = build_model(model.scenario, data, objective=model.objective,
                          weights=model.meta.get("weights"), capacity_rows=True)
    b = relaxed.builder
    if model.data.min_fulfilment is not None:  # keep the demand as a row that may be relaxed
        f = b.blocks["fulfilment"]
        coords = b.coords.get("fulfilment", {"dims": ()})
        labels = list(coords.get("branch", [""])) if len(f) > 1 else [""]
        b.add_rows("minimum-fulfilment", [(f, sp.eye_array(len(f)))],
                   lower=model.data.min_fulfilment, labels=labels, coords=coords)
    lp = b.build()
    soft = np.ones(lp.shape[0], dtype=bool)
    for name, idx in b.row_blocks.items():
        if name.startswith(STRUCTURAL_ROWS):
            soft[idx] = False
    rel = elastic_relaxation(lp, relax=soft)
    if rel is None:
        return []
    out = [{"kind": "smallest", **item} for item in _relaxation_report(b, lp, rel)]
    for r in np.flatnonzero(soft)[:max_candidates]:
        alone = np.zeros(len(soft), dtype=bool)
        alone[r] = True
        one = elastic_relaxation(lp, relax=alone)
        if one is not None:
            out += [{"kind": "alone", **item} for item in _relaxation_report(b, lp, one)]
    return out


def explain_unbounded(model: OptimizeModel, res: LPResult) -> list[str]:
    """The variables that can grow without limit (a primal ray), in scenario terms."""
    if res.ray is None:
        return [n for n, u in zip(model.lp.col_names, model.lp.col_upper, strict=True)
                if not np.isfinite(u)]
    ray = np.asarray(res.ray)
    big = np.flatnonzero(np.abs(ray) > 1e-9 * max(1.0, np.abs(ray).max()))
    return [model.lp.col_names[i] for i in big]


def _objective(scn: Scenario, objective: Any) -> Any:
    """The objective asked for, else the scenario's (an empty name counts as none)."""
    if objective is None or (isinstance(objective, str) and not objective):
        return scn.settings.objective
    return objective


def optimize(obj: Economy | Scenario, *, target: Any = None, objective: str | None = None,
             weights: Any = None, min_fulfilment: float | None = None,
             solver: str = "simplex", method: str = "auto", data: YearData | None = None,
             time_limit: float | None = None) -> OptimalPlan:
    """The optimal one-year plan (see the module docstring for the model).

    Parameters
    ----------
    target
        Home final use to aim at (default: the scenario's ``target``, else its final demand).
    objective
        ``max-min`` (default), ``weighted`` or ``harmony``.
    weights
        Weight per branch for ``weighted`` and ``harmony`` (default one).
    min_fulfilment
        Require at least this fulfilment (e.g. ``1.0``: the whole target). An impossible
        requirement gives an infeasible plan with the smallest relaxation that would allow it.
    method
        ``lp`` (HiGHS), ``closed-form`` (one Leontief solve; only for ``max-min`` where trade
        leaves no choice, see :mod:`autarky.plan.closed_form`), ``structured`` (Leontief
        pricing and a small master LP over the factor and foreign-exchange rows, see
        :mod:`autarky.plan.structured`; where it declines, the LP, and ``meta["fallback"]``
        says why), or ``auto``: the closed form where it applies, else the structured method
        for max-min plans from :data:`STRUCTURED_MIN_N` branches, else the LP.
    solver
        The HiGHS solver of the LP: ``simplex``, ``ipm``, ``pdlp`` (first-order; an answer that
        fails its check is solved again by simplex, and ``meta["fallback"]`` says so) or
        ``choose``.
    time_limit
        Seconds for each method tried.
    data
        The year's data, when a caller changes it (:class:`YearData`).

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
    >>> round(plan.fulfilment, 4), plan.binding_names
    (0.8064, ('product:agriculture', 'product:manufacturing', 'factor:labour'))
    """
    from autarky.plan import closed_form

    scn = as_scenario(obj)
    kind = _objective(scn, objective)
    if data is not None and not isinstance(data, YearData):
        raise BadTypeError(f"data must be a YearData (from year_data), got {type(data).__name__}")
    checks.choice("method", method, ("auto", "lp", "closed-form", "structured"))
    checks.choice("solver", solver, SOLVERS)
    checks.choice("objective", kind, OBJECTIVES)
    if min_fulfilment is not None:
        min_fulfilment = checks.real("min_fulfilment", min_fulfilment, lower=0.0)
    if weights is not None:
        fulfilment_weights(scn, weights)
    if (method in ("auto", "closed-form") and data is None
            and closed_form.applies(scn.economy, kind, min_fulfilment)):
        d = target_vector(scn, target)
        check_target(scn.economy, d)
        plan = closed_form.closed_form_plan(scn.economy, d)
        if plan is not None:
            return plan
        if method == "closed-form":
            raise AutarkyError("even a zero fulfilment is infeasible: the recorded exports "
                               "need more than the factors or capacities allow; use "
                               "method='lp' for the explanation")
    if method == "closed-form":
        raise BadValueError("the closed form needs the max-min objective, trade without choices "
                            "(no trade prices, no import limits, no offers without a recorded "
                            "structure) and no minimum fulfilment; use method='lp'")
    t0 = time.perf_counter()
    model = build_model(scn, data, target=target, objective=objective, weights=weights,
                        min_fulfilment=min_fulfilment)
    t1 = time.perf_counter()
    res, how = solve_model(model, solver=solver, method=method, time_limit=time_limit)
    t2 = time.perf_counter()
    from autarky.plan.read import read_optimal

    plan = read_optimal(model, res, explain_infeasible, explain_unbounded)
    t3 = time.perf_counter()
    how["times"] = {"build_s": t1 - t0, "solve_s": t2 - t1, "read_s": t3 - t2}
    return replace(plan, meta={**plan.meta, **how})


#: From this many branches ``method="auto"`` tries the structured method before the LP (below it
#: HiGHS simplex is as fast; bench/results/lp_scale.md).
STRUCTURED_MIN_N = 1000

#: Seconds ``method="auto"`` gives the structured method before it hands the plan to HiGHS, when
#: the caller sets no time limit (its rounds grow with the capacities that bind: at 10^5 products
#: it may not prove an optimum in minutes; bench/results/lp_scale.md).
STRUCTURED_AUTO_SECONDS = 120.0


def solve_model(model: OptimizeModel, *, solver: str = "simplex", method: str = "auto",
                time_limit: float | None = None) -> tuple[LPResult, dict[str, Any]]:
    """Solve the LP of ``model`` by the structured method (:mod:`autarky.plan.structured`)
    where asked or where it pays, else by HiGHS; a first-order answer that fails its check
    falls back to simplex. Returns the answer and how it was found (``method``, ``fallback``:
    why a method was left, ``structured``: its rounds)."""
    from autarky.plan.structured import solve_structured, with_implied_export_limits

    how: dict[str, Any] = {"fallback": []}
    want = method == "structured" or (method == "auto" and model.objective == "max-min"
                                      and model.economy.n >= STRUCTURED_MIN_N)
    if want:
        budget = time_limit if time_limit is not None or method == "structured" else \
            STRUCTURED_AUTO_SECONDS
        # export offers without a limit get the one labour and capacity imply (the same
        # feasible set); the answer is then checked in the program as posed
        work = with_implied_export_limits(model)
        out = solve_structured(work, time_limit=budget)
        how["structured"] = out.stats
        res = out.result
        if res is not None and res.check is not None and res.check.ok and work is not model:
            res = replace(res, check=check_solution(model.lp, res.x, res.row_dual,
                                                     res.col_dual))
        if res is not None and res.check is not None and res.check.ok:
            how["method"] = "structured"
            how["solver"] = "structured (Leontief pricing + master LP)"
            return res, how
        why = out.reason or f"no certificate ({res.check if res else ''})"
        how["fallback"].append(f"structured: {why}")
    res, used, left = solve_lp_or_simplex(model.lp, solver=solver, time_limit=time_limit)
    how["method"] = f"HiGHS {used}"
    if left is not None:
        how["fallback"].append(left)
    return res, how
