"""Multi-year plans: investment grows capacity, under a development strategy, as one LP.

Years ``t`` of the horizon; for each: gross output ``x_t``, new capacity ``dK_t`` started, the
consumption level ``c_t`` (a multiple of the consumption basket ``b``), and trade if the scenario
offers any. Constraints, every year:

* capacity: ``x_t <= K_t`` with ``K_t = (1 - delta)^t K_0 + sum_{s <= t - g} (1 - delta)^(t-s-g) dK_s``
  (depreciation ``delta``, gestation ``g`` years before new capacity produces);
* balance: ``(I - A_d) x_t - B_d dK_t >= c_t b_d + f_t`` (investment goods ``B dK_t`` produced in
  year ``t``; ``f_t`` the exogenous final demand: government, exports, ...); with competitive
  imports the imported share ``s`` of every domestic use comes from abroad, so
  ``A_d = (I - diag s) A``, ``B_d = (I - diag s) B``, ``b_d = (1 - s) b``, exports excepted;
* factors: ``F x_t <= f_bar (1 + growth)^(t - base)``, or the availability the scenario states for
  the year (``factor_availability``); foreign exchange as in the one-year plan;
* consumption floor: ``c_t >= floor_t``;
* the strategy's rules on the share of investment (valued at constant prices ``p B``) by group;
* plan targets: industrial output (``sum p_j x_j`` over industrial groups) at least
  ``Q_base (1 + rate)^(t - base)``: hard for ``strict`` strategies; for ``soft`` ones a shortfall
  variable takes up what cannot be met and is minimised first;
* no running down: capacity after the horizon at least that of the last year, and investment in
  the last year at least that of the year before.

Objective: ``max sum_t c_t / (1 + discount)^(t - first)`` (minus a dominant penalty on soft
shortfalls). Two-sector special cases reproduce Feldman-Mahalanobis growth.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from autarky.economy import Economy
from autarky.economy.settings import Strategy
from autarky.errors import AutarkyError
from autarky.plan.balance import balance
from autarky.plan.multiyear_result import MultiYearPlan
from autarky.plan.strategies import resolve_strategy
from autarky.solve.builder import LPBuilder
from autarky.solve.lp import INF, LinearProgram, elastic_relaxation, solve_lp

#: Objective weight of a unit of relative shortfall against soft targets (dominates consumption).
SHORTFALL_PENALTY = 1e4


@dataclass
class Horizon:
    """The data of a multi-year plan, resolved from the economy's settings."""

    years: list[int]
    base_year: int
    x0: np.ndarray
    K0: np.ndarray
    delta: np.ndarray
    lag: np.ndarray
    basket: np.ndarray
    exogenous: np.ndarray
    B: np.ndarray
    invest_cost: np.ndarray
    industry: np.ndarray
    floor: dict[int, float]
    target_growth: float | None
    output_targets: dict[int, dict[str, float]]
    strategy: Strategy
    meta: dict[str, Any] = field(default_factory=dict)


def resolve_horizon(eco: Economy, strategy: str | None, targets: str | None = None,
                    target_growth: float | None = None) -> Horizon:
    """Everything the multi-year LP needs, with defaults, from the economy and its settings.

    ``targets`` (``soft``, ``strict``, ``none``) and ``target_growth`` override the strategy's.
    """
    st = eco.settings
    strat = resolve_strategy(st, strategy)
    if targets is not None:
        if targets not in ("soft", "strict", "none"):
            raise AutarkyError(f"targets is soft, strict or none, not {targets!r}")
        strat = replace(strat, targets=targets)  # type: ignore[arg-type]
    if target_growth is not None:
        strat = replace(strat, target_growth=target_growth)
    assert st.horizon is not None
    years = st.years
    base = eco.year if eco.year is not None and eco.year < years[0] else years[0] - 1
    n = eco.n
    x0 = eco.reported_output.to_numpy() if eco.reported_output is not None else \
        balance(eco).gross_output.to_numpy()
    if st.initial_capacity is not None:
        K0 = np.where(np.isnan(st.initial_capacity), 1.05 * x0, st.initial_capacity)
    elif np.isfinite(eco.capacity.to_numpy()).all():
        K0 = eco.capacity.to_numpy()
    else:
        K0 = np.where(np.isfinite(eco.capacity.to_numpy()), eco.capacity.to_numpy(), 1.05 * x0)
    if eco.capital is None:
        raise AutarkyError("a multi-year plan needs capital coefficients (scenario key "
                           "'capital': units of each input per unit of new capacity)")
    B = (1.0 - eco.import_share_total)[:, np.newaxis] * eco.capital.to_numpy()
    fd = eco.final_demand
    basket_spec = st.consumption_basket if st.consumption_basket is not None else (
        "consumption" if "consumption" in fd.columns else None)
    if isinstance(basket_spec, pd.Series):
        basket = basket_spec.reindex(eco.ids).fillna(0.0).to_numpy(dtype=float)
        basket_cats: list[str] = []
    elif basket_spec is None:
        basket = fd.sum(axis=1).to_numpy()
        basket_cats = list(fd.columns)
    else:
        if basket_spec not in fd.columns:
            raise AutarkyError(f"consumption basket {basket_spec!r} is not a final-demand "
                               f"category ({', '.join(fd.columns)})")
        basket = fd[basket_spec].to_numpy(dtype=float)
        basket_cats = [basket_spec]
    exo_cats = (list(st.exogenous) if st.exogenous is not None else
                [c for c in fd.columns if c not in basket_cats and c != "investment"])
    unknown = set(exo_cats) - set(fd.columns)
    if unknown:
        raise AutarkyError(f"exogenous categories not in final demand: {', '.join(sorted(unknown))}")
    # competitive imports: the imported share of every domestic use (consumption, government,
    # investment goods) comes from abroad; exports are domestic output
    keep = 1.0 - eco.import_share_total
    exo_dom = [c for c in exo_cats if c != "exports"]
    exogenous = keep * (fd[exo_dom].sum(axis=1).to_numpy(dtype=float) if exo_dom else np.zeros(n))
    if "exports" in exo_cats:
        exogenous = exogenous + fd["exports"].to_numpy(dtype=float)
    basket = keep * basket
    prices = eco.prices.to_numpy()
    industry = eco.branches["group"].isin(st.industry_groups).to_numpy()
    needs_prices = bool(strat.rules or strat.proportional or st.industrial_growth is not None
                        or strat.target_growth is not None)
    if needs_prices and np.isnan(prices).any():
        missing = [b for b, p in zip(eco.ids, prices, strict=True) if np.isnan(p)]
        raise AutarkyError("investment shares and industrial output are valued at constant "
                           f"prices; give 'prices' for: {', '.join(missing)}")
    pz = np.nan_to_num(prices)
    floor = st.consumption_floor
    floors = floor if isinstance(floor, dict) else {y: float(floor) for y in years}
    delta = st.depreciation if st.depreciation is not None else np.zeros(n)
    lag = st.gestation if st.gestation is not None else np.ones(n, dtype=int)
    if np.any(lag < 1):
        raise AutarkyError("gestation must be at least one year (new capacity produces from "
                           "the year after it is started at the earliest)")
    if np.any((delta < 0) | (delta >= 1)):
        raise AutarkyError("depreciation rates must lie in [0, 1)")
    # investment is valued with the whole capital norms, imported investment goods included
    return Horizon(years, base, x0, K0, delta, lag.astype(int), basket, exogenous, B,
                   pz @ eco.capital.to_numpy(), industry, floors,
                   strat.target_growth if strat.target_growth is not None else st.industrial_growth,
                   st.output_targets, strat, {"prices": pz})


@dataclass
class MultiYearModel:
    """The assembled LP and its blocks."""

    economy: Economy
    horizon: Horizon
    lp: LinearProgram
    builder: LPBuilder
    X: np.ndarray
    DK: np.ndarray
    C: np.ndarray
    S: np.ndarray | None


def _lab(eco: Economy, y: int) -> list[str]:
    return [f"{b}@{y}" for b in eco.ids]


def capacity_coefficients(h: Horizon, t: int, j: int) -> tuple[float, list[tuple[int, float]]]:
    """``K_{j,t} = const + sum coef * dK_{j,s}``: the constant and the (s, coef) pairs."""
    d = h.delta[j]
    const = h.K0[j] * (1 - d) ** t
    terms = [(s, (1 - d) ** (t - s - h.lag[j])) for s in range(t - h.lag[j] + 1)]
    return const, terms


def define_capacity(b: LPBuilder, eco: Economy, h: Horizon, X: np.ndarray, DK: np.ndarray,
                    ) -> None:
    """``x_{j,t} - sum coef dK_{j,s} <= K0_j (1 - delta_j)^t`` for every branch and year."""
    n, T = eco.n, len(h.years)
    for t, y in enumerate(h.years):
        rows, cols, vals = [], [], []
        rhs = np.zeros(n)
        for j in range(n):
            const, terms = capacity_coefficients(h, t, j)
            rhs[j] = const
            for s, coef in terms:
                rows.append(j)
                cols.append(s * n + j)
                vals.append(-coef)
        D = sp.csr_array((vals, (rows, cols)), shape=(n, T * n))
        b.add_rows(f"capacity@{y}", [(X[t], sp.eye_array(n)), (DK.ravel(), D)], upper=rhs,
                   labels=eco.ids)
    # no running down: capacity after the horizon >= capacity in the last year, for every
    # branch whose capacity the plan can still add to after the horizon (gestation <= T)
    rows, cols, vals = [], [], []
    keep: list[tuple[int, float]] = []
    for j in range(n):
        c_end, t_end = capacity_coefficients(h, T, j)
        c_last, t_last = capacity_coefficients(h, T - 1, j)
        net: dict[int, float] = {}
        for s, cf in t_end:
            net[s] = net.get(s, 0.0) + cf
        for s, cf in t_last:
            net[s] = net.get(s, 0.0) - cf
        terms = [(s, cf) for s, cf in net.items() if cf != 0 and 0 <= s < T]
        if not terms:
            continue
        r = len(keep)
        keep.append((j, c_last - c_end))
        for s, cf in terms:
            rows.append(r)
            cols.append(s * n + j)
            vals.append(cf)
    if keep:
        D = sp.csr_array((vals, (rows, cols)), shape=(len(keep), T * n))
        b.add_rows("terminal-capacity", [(DK.ravel(), D)], lower=[v for _, v in keep],
                   labels=[eco.ids[j] for j, _ in keep])


def define_terminal_investment(b: LPBuilder, h: Horizon, DK: np.ndarray) -> None:
    """Investment in the last year at least that of the year before (valued at constant prices):
    without it the plan would stop building near its end, since capacity that comes on stream
    after the horizon earns nothing inside it."""
    if len(h.years) < 2 or not np.any(h.invest_cost > 0):
        return
    v = h.invest_cost.reshape(1, -1)
    b.add_rows("terminal-investment", [(DK[-1], v), (DK[-2], -v)], lower=0.0, labels=[""])


def define_balance(b: LPBuilder, eco: Economy, h: Horizon, X: np.ndarray, DK: np.ndarray,
                   C: np.ndarray) -> None:
    """``(I - A) x_t - B dK_t - c_t basket >= exogenous`` for every product and year."""
    n = eco.n
    IA = sp.csr_array(sp.eye_array(n) - sp.csr_array(eco.A_d))
    Bs = sp.csr_array(h.B)
    for t, y in enumerate(h.years):
        b.add_rows(f"balance@{y}", [(X[t], IA), (DK[t], -Bs), (C[t:t + 1], -h.basket.reshape(n, 1))],
                   lower=h.exogenous, labels=eco.ids)


def define_factors(b: LPBuilder, eco: Economy, h: Horizon, X: np.ndarray) -> None:
    """Factor availability growing at each factor's rate from the base year."""
    fac = eco.factors
    avail = fac["availability"].to_numpy(dtype=float)
    keep = np.flatnonzero(np.isfinite(avail))
    if not keep.size:
        return
    F = eco.factor_coefficients.to_numpy()[keep]
    growth = np.array([eco.settings.factor_growth.get(fac.index[k], 0.0) for k in keep])
    given = eco.settings.factor_availability
    for t, y in enumerate(h.years):
        cap = avail[keep] * (1 + growth) ** (y - h.base_year)
        for i, k in enumerate(keep):  # availability stated for the year wins over the growth rate
            cap[i] = given.get(fac.index[k], {}).get(y, cap[i])
        b.add_rows(f"factor@{y}", [(X[t], F)], upper=cap, labels=[fac.index[k] for k in keep])


def _group_share_rows(b: LPBuilder, eco: Economy, h: Horizon, DK: np.ndarray, name: str,
                      groups: tuple[str, ...], lo: float, hi: float, year: int, t: int) -> None:
    member = eco.branches["group"].isin(groups).to_numpy()
    v = h.invest_cost
    if lo > 0:  # sum_G v dK - lo * sum v dK >= 0
        b.add_rows(f"{name}-min@{year}", [(DK[t], ((member - lo) * v).reshape(1, -1))],
                   lower=0.0, labels=[""])
    if hi < 1:
        b.add_rows(f"{name}-max@{year}", [(DK[t], ((member - hi) * v).reshape(1, -1))],
                   upper=0.0, labels=[""])


def define_strategy(b: LPBuilder, eco: Economy, h: Horizon, DK: np.ndarray) -> None:
    """The strategy's rules on investment shares by group, year by year."""
    s = h.strategy
    for t, y in enumerate(h.years):
        for k, rule in enumerate(s.rules):
            if rule.applies(y):
                _group_share_rows(b, eco, h, DK, f"rule{k}:{'+'.join(rule.groups)}", rule.groups,
                                  rule.min, rule.max, y, t)
        if s.proportional:
            value = h.meta["prices"] * h.x0
            total = value.sum()
            for g in sorted(set(eco.branches["group"])):
                share = value[(eco.branches["group"] == g).to_numpy()].sum() / total
                _group_share_rows(b, eco, h, DK, f"balanced:{g}", (g,),
                                  max(0.0, share - s.tolerance), min(1.0, share + s.tolerance), y, t)


def define_targets(b: LPBuilder, eco: Economy, h: Horizon, X: np.ndarray) -> np.ndarray | None:
    """Industrial-output and per-branch output targets, hard or soft (with shortfall)."""
    if h.strategy.targets == "none":
        return None
    soft = h.strategy.targets == "soft"
    rows: list[tuple[int, str, np.ndarray, float]] = []  # (t, name, coefficients, rhs)
    p = h.meta["prices"]
    q_base = float((p * h.x0)[h.industry].sum())
    for t, y in enumerate(h.years):
        if h.target_growth is not None:
            rows.append((t, f"industrial-output-target@{y}", p * h.industry,
                         q_base * (1 + h.target_growth) ** (y - h.base_year)))
        for br, val in h.output_targets.get(y, {}).items():
            e = np.zeros(eco.n)
            e[eco.ids.index(br)] = 1.0
            rows.append((t, f"output-target:{br}@{y}", e, val))
    if not rows:
        return None
    S = None
    if soft:
        scale = np.array([r[3] for r in rows])
        S = b.add_vars("shortfall", len(rows), cost=-SHORTFALL_PENALTY / np.maximum(scale, 1e-12),
                       labels=[r[1] for r in rows])
    for k, (t, name, coef, rhs) in enumerate(rows):
        terms: list[tuple[np.ndarray, Any]] = [(X[t], coef.reshape(1, -1))]
        if S is not None:
            terms.append((S[k:k + 1], np.ones((1, 1))))
        b.add_rows(name, terms, lower=rhs, labels=[""])
    return S


def build_model(eco: Economy, strategy: str | None = None, *, targets: str | None = None,
                target_growth: float | None = None, no_waste: bool = False) -> MultiYearModel:
    """Assemble the multi-year LP from the ``define_*`` blocks; ``no_waste`` forbids output that
    nobody uses (every priced product's balance holds with equality in value)."""
    h = resolve_horizon(eco, strategy, targets, target_growth)
    n, T = eco.n, len(h.years)
    b = LPBuilder()
    X = b.add_vars("output", T * n, labels=[lab for y in h.years for lab in _lab(eco, y)]
                   ).reshape(T, n)
    DK = b.add_vars("new-capacity", T * n, labels=[lab for y in h.years for lab in _lab(eco, y)]
                    ).reshape(T, n)
    disc = eco.settings.discount
    C = b.add_vars("consumption", T, lower=[h.floor.get(y, 0.0) for y in h.years],
                   cost=[(1 + disc) ** -(y - h.years[0]) for y in h.years],
                   labels=[str(y) for y in h.years])
    define_capacity(b, eco, h, X, DK)
    define_balance(b, eco, h, X, DK, C)
    define_factors(b, eco, h, X)
    define_terminal_investment(b, h, DK)
    define_strategy(b, eco, h, DK)
    S = define_targets(b, eco, h, X)
    if no_waste:
        define_no_waste(b, eco, h, X, DK, C)
    lp = define_waste_cost(b.build(), eco, h, X, DK, C, S)
    return MultiYearModel(eco, h, lp, b, X, DK, C, S)


def define_no_waste(b: LPBuilder, eco: Economy, h: Horizon, X: np.ndarray, DK: np.ndarray,
                    C: np.ndarray) -> None:
    """``p'((I - A_d) x_t - B_d dK_t - c_t b_d) <= p' f_t``: with the balances ``>=``, every
    priced product's output is used (no free disposal)."""
    p = h.meta["prices"]
    pIA = (p - np.asarray(eco.A_d.T @ p).ravel()).reshape(1, -1)
    pB = (h.B.T @ p).reshape(1, -1)
    pb = np.array([[float(p @ h.basket)]])
    for t, y in enumerate(h.years):
        b.add_rows(f"no-waste@{y}", [(X[t], pIA), (DK[t], -pB), (C[t:t + 1], -pb)],
                   upper=float(p @ h.exogenous), labels=[""])


def define_waste_cost(lp: LinearProgram, eco: Economy, h: Horizon, X: np.ndarray,
                      DK: np.ndarray, C: np.ndarray, S: np.ndarray | None) -> LinearProgram:
    """Charge output that nobody uses (the balance's slack, valued at constant prices).

    The balance is an inequality (free disposal); without a charge, output pushed up only to meet
    an industrial-output target would count. The charge per won of waste is twice the largest
    credit a won of value added can earn against a soft target, so waste never pays; without
    soft targets it is a tie-breaker.
    Waste in year ``t`` is ``p'((I - A_d) x_t - B_d dK_t - c_t b_d - f_t)``; its constant part
    does not change the optimum and is left out.
    """
    p = h.meta["prices"]
    A_d = eco.A_d
    pIA = p - np.asarray(A_d.T @ p).ravel()  # p'(I - A_d): value added at home per unit
    # a unit of output credited to a target is charged only its value added (its inputs are
    # used); so the charge per won must beat the largest credit per won of value added
    with np.errstate(divide="ignore", invalid="ignore"):
        leverage = np.where(p > 0, p / np.maximum(pIA, 0.05 * p), 0.0)
    top = float(np.max(-lp.c[S])) if S is not None and len(S) else 0.0
    w = 2.0 * top * max(1.0, float(leverage.max(initial=1.0))) if top > 0 else 1e-9
    c = lp.c.copy()
    pB = h.B.T @ p
    pb = float(p @ h.basket)
    for t in range(len(h.years)):
        c[X[t]] -= w * pIA
        c[DK[t]] += w * pB
        c[C[t]] += w * pb
    return replace(lp, c=c)


def _floor_rows_relaxable(model: MultiYearModel) -> LinearProgram:
    """The model with consumption floors as rows (so that they may be relaxed)."""
    b = model.builder
    lp = b.build()
    col_lower = lp.col_lower.copy()
    col_lower[model.C] = 0.0
    floors = [model.horizon.floor.get(y, 0.0) for y in model.horizon.years]
    k = len(floors)
    extra = sp.csr_array((np.ones(k), (np.arange(k), model.C)), shape=(k, lp.shape[1]))
    return LinearProgram(lp.c, sp.csr_array(sp.vstack([lp.M, extra])),
                         np.concatenate([lp.row_lower, floors]),
                         np.concatenate([lp.row_upper, np.full(k, INF)]), col_lower, lp.col_upper,
                         lp.row_names + tuple(f"consumption-floor@{y}" for y in model.horizon.years),
                         lp.col_names)


def explain_infeasible(model: MultiYearModel) -> list[dict[str, Any]]:
    """The smallest relaxation (balances excepted) that would make the plan feasible."""
    lp = _floor_rows_relaxable(model)
    soft = np.array([not n.startswith("balance@") for n in lp.row_names])
    rel = elastic_relaxation(lp, relax=soft)
    if rel is None:
        return []
    out = []
    for r, amount in zip(rel.rows, rel.amounts, strict=True):
        bound = lp.row_upper[r] if amount < 0 else lp.row_lower[r]
        out.append({"constraint": lp.row_names[r], "bound": float(bound),
                    "needed": float(bound - amount), "relax_by": float(abs(amount))})
    return out


def multiyear(eco: Economy, strategy: str | None = None, *, targets: str | None = None,
              target_growth: float | None = None, solver: str = "simplex") -> MultiYearPlan:
    """Solve the multi-year plan of ``eco`` under ``strategy`` (see the module docstring).

    Parameters
    ----------
    strategy
        A built-in strategy (``free``, ``heavy-first``, ``light-first``, ``balanced``,
        ``great-leap``) or one the scenario defines; default ``free``.
    targets
        Override how plan targets are treated: ``soft`` (shortfall reported), ``strict``
        (hard; an impossible plan is explained), ``none``.
    target_growth
        Override the yearly growth target of industrial output.

    Returns
    -------
    MultiYearPlan
        Per year: gross output, capacity, new capacity, investment by branch and group,
        consumption, industrial output and its growth, what binds; the shortfall against soft
        targets; or, for an impossible plan, the smallest relaxation that would allow it.
    """
    model = build_model(eco, strategy, targets=targets, target_growth=target_growth)
    res = solve_lp(model.lp, solver=solver)
    return MultiYearPlan.from_model(model, res, explain_infeasible)



def max_uniform_growth(eco: Economy, strategy: str | None = None, *, low: float = 0.0,
                       high: float = 1.0, tol: float = 1e-4, no_waste: bool = False) -> float:
    """The largest yearly growth of industrial output the plan can hold every year (strict
    targets), by bisection on feasibility; ``nan`` if even ``low`` is infeasible. With
    ``no_waste`` every product's output must find a use (no free disposal); without, output
    counts whether used or not, as gross-output statistics counted it."""
    def feasible(g: float) -> bool:
        m = build_model(eco, strategy, targets="strict", target_growth=g, no_waste=no_waste)
        return solve_lp(m.lp).status == "optimal"

    if not feasible(low):
        return float("nan")
    while feasible(high) and high < 64:
        low, high = high, 2 * high
    while high - low > tol:
        mid = 0.5 * (low + high)
        low, high = (mid, high) if feasible(mid) else (low, mid)
    return low
