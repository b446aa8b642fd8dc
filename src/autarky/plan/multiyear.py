"""Multi-year plans: investment grows capacity, under a development strategy, as one LP.

Years ``t`` of the horizon; for each: gross output ``x_t``, new capacity ``dK_t`` started, the
consumption level ``c_t`` (a multiple of the consumption basket ``b``), and imports and exports
per trade channel. Every year is built from the same blocks as the one-year plan
(:mod:`autarky.plan.constraints`):

* capacity: ``x_t <= K_t`` with ``K_t = (1 - delta)^t K_0 + sum_{s <= t - g} (1 - delta)^(t-s-g) dK_s``
  (depreciation ``delta``, gestation ``g`` years before new capacity produces);
* balance: ``x_t + sum m_t - sum e_t - A x_t - B dK_t - c_t b >= f_t`` (investment goods
  ``B dK_t`` produced or imported in year ``t``; ``f_t`` the exogenous final use: government,
  stock change, ...);
* import caps: a channel with a recorded structure imports at most what the structure imports
  of that year's uses (``A_imp[p] x_t``, ``diag(S[p]) B dK_t``, ``g[p]`` of final use), and within
  its limit; recorded exports are delivered every year, more up to the export limit;
* factors: ``F x_t <= f_bar (1 + growth)^(t - base)``, or the availability the scenario states for
  the year (``factor_availability``);
* foreign exchange, every year, where any trade price is given: imports at import prices within
  exports at export prices plus that year's aid and credit (``aid_by_year``, ``credit_by_year``
  override the partners' yearly aid and credit), pooled or per partner;
* consumption floor: ``c_t >= floor_t``;
* the strategy's rules on the share of investment (valued at constant prices ``p B``) by group;
* plan targets: industrial output (``sum p_j x_j`` over industrial groups) at least
  ``Q_base (1 + rate)^(t - base)``: hard for ``strict`` strategies; for ``soft`` ones a shortfall
  variable takes up what cannot be met and is minimised first;
* no running down: capacity after the horizon at least that of the last year, and investment in
  the last year at least that of the year before.

Objective: ``max sum_t c_t / (1 + discount)^(t - first)`` (minus a dominant penalty on soft
shortfalls, and a charge on output nobody uses). Two-sector special cases reproduce
Feldman-Mahalanobis growth.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from autarky import checks
from autarky.economy import Economy, Scenario, as_scenario
from autarky.economy.settings import Strategy
from autarky.economy.trade import (
    Channels,
    export_channels,
    final_import_shares,
    import_channels,
    require_prices,
    trade_prices_given,
)
from autarky.errors import BadValueError
from autarky.plan.balance import balance
from autarky.plan.constraints import (
    Trade,
    define_balance,
    define_exports_from_output,
    define_factors,
    define_foreign_exchange,
    define_import_caps,
    define_trade,
    final_use,
    intermediate_use,
    investment_use,
)
from autarky.plan.effort import (
    Effort,
    Skills,
    add_effort_vars,
    add_training_vars,
    factor_terms,
    resolve_effort,
    resolve_skills,
    skilled_availability,
)
from autarky.plan.multiyear_result import MultiYearPlan
from autarky.plan.strategies import check_groups, resolve_strategy
from autarky.solve.builder import LPBuilder
from autarky.solve.lp import (
    INF,
    SOLVERS,
    LinearProgram,
    elastic_relaxation,
    solve_lp,
    solve_lp_or_simplex,
)

#: Objective weight of a unit of relative shortfall against soft targets (dominates consumption).
SHORTFALL_PENALTY = 1e4


@dataclass
class Horizon:
    """The data of a multi-year plan, resolved from the scenario."""

    years: list[int]
    base_year: int
    x0: np.ndarray
    K0: np.ndarray
    delta: np.ndarray
    lag: np.ndarray
    basket: np.ndarray
    exogenous: np.ndarray
    B: Any  # capital coefficients, dense or sparse as the economy stores them
    invest_cost: np.ndarray
    industry: np.ndarray
    floor: dict[int, float]
    target_growth: float | None
    output_targets: dict[int, dict[str, float]]
    strategy: Strategy
    availability: np.ndarray  # years x factors
    money: np.ndarray  # years x partners: aid + credit
    imp: Channels
    exp: Channels
    fx: bool
    basket_g: np.ndarray  # partners x n: imported share of the basket
    invest_g: np.ndarray  # partners x n: imported share of investment goods
    exo_imported: np.ndarray  # partners x n: imported part of the exogenous final use
    meta: dict[str, Any] = field(default_factory=dict)
    # repair of damaged capacity (None: nothing damaged)
    damaged: np.ndarray | None = None
    B_repair: Any = None
    lag_repair: np.ndarray | None = None
    repair_cost: np.ndarray | None = None
    # labour effort above normal, and a skilled factor trained with a lag (None: none)
    effort: Effort | None = None
    skills: Skills | None = None


def _by_year(scn: Scenario, table: str, years: list[int], default: np.ndarray) -> np.ndarray:
    """``years x k``: a per-year settings table where given, else ``default`` every year."""
    out = np.tile(np.asarray(default, dtype=float), (len(years), 1))
    given = scn.array(table)
    if given is not None:
        given = np.asarray(given)
        out = np.where(np.isnan(given), out, given)
    return out


def resolve_horizon(obj: Economy | Scenario, strategy: str | None, targets: str | None = None,
                    target_growth: float | None = None) -> Horizon:
    """Everything the multi-year LP needs, with defaults, from the scenario.

    ``targets`` (``soft``, ``strict``, ``none``) and ``target_growth`` override the strategy's.
    """
    scn = as_scenario(obj)
    eco = scn.economy
    st = scn.settings
    strat = resolve_strategy(st, strategy)
    check_groups(strat, set(eco.branches["group"].astype(str)))
    if targets is not None:
        if not isinstance(targets, str) or targets not in ("soft", "strict", "none"):
            raise BadValueError(f"targets is soft, strict or none, not {checks.quoted(targets)}")
        strat = replace(strat, targets=targets)  # type: ignore[arg-type]
    if target_growth is not None:
        target_growth = checks.real("target_growth", target_growth, lower=-1.0, lower_open=True)
        strat = replace(strat, target_growth=target_growth)
    assert st.horizon is not None
    years = st.years
    base = eco.year if eco.year is not None and eco.year < years[0] else years[0] - 1
    n = eco.n
    x0 = eco.reported_output.to_numpy() if eco.reported_output is not None else \
        balance(eco).gross_output.to_numpy()
    init = eco.array("initial_capacity")
    cap = eco.capacity.to_numpy()
    if init is not None:
        K0 = np.where(np.isnan(init), np.where(np.isfinite(cap), cap, 1.05 * x0), init)
    else:
        K0 = np.where(np.isfinite(cap), cap, 1.05 * x0)
    B = eco.array("capital")  # as stored: sparse where the scenario's table is sparse
    if B is None:
        raise BadValueError("a multi-year plan needs capital coefficients (scenario key "
                            "'capital': units of each input per unit of new capacity)")
    fd = eco.final_demand
    basket_table = scn.array("consumption_basket")
    basket_spec = st.consumption_basket if st.consumption_basket is not None else (
        "consumption" if "consumption" in fd.columns else None)
    if basket_table is not None:
        basket = np.array(basket_table, dtype=float)
        # the basket given as a table stands for the consumption category, which is then not
        # also held fixed (it would be counted twice)
        basket_cats: list[str] = ["consumption"] if "consumption" in fd.columns else []
    elif basket_spec is None:
        basket = fd.sum(axis=1).to_numpy()
        basket_cats = list(fd.columns)
    else:
        basket = fd[basket_spec].to_numpy(dtype=float)
        basket_cats = [basket_spec]
    exo_cats = (list(st.exogenous) if st.exogenous is not None else
                [c for c in fd.columns if c not in basket_cats and c != "investment"])
    exogenous = fd[exo_cats].sum(axis=1).to_numpy(dtype=float) if exo_cats else np.zeros(n)
    prices = eco.prices.to_numpy()
    industry = eco.branches["group"].isin(st.industry_groups).to_numpy()
    industry_basis = f"branches of the groups {', '.join(st.industry_groups)}"
    if not industry.any():  # an economy with none of the groups: its whole output
        industry = np.ones(n, dtype=bool)
        industry_basis = (f"every branch (none is in the industry groups "
                          f"{', '.join(st.industry_groups)}; set industry_groups to choose)")
    needs_prices = bool(strat.rules or strat.proportional or st.industrial_growth is not None
                        or strat.target_growth is not None)
    if needs_prices and np.isnan(prices).any():
        missing = [b for b, p in zip(eco.ids, prices, strict=True) if np.isnan(p)]
        raise BadValueError("investment shares and industrial output are valued at constant "
                            f"prices; give 'prices' for: {', '.join(missing)}")
    pz = np.nan_to_num(prices)
    floors = {y: st.floor(y) for y in years}
    delta = np.asarray(eco.array("depreciation"))
    lag = np.asarray(eco.array("gestation")).astype(int)
    # factor availability: growth from the base year, overridden where a year is stated
    avail0 = np.asarray(eco.array("factor_availability"))
    growth = np.asarray(scn.array("factor_growth"))
    grown = np.array([avail0 * (1 + growth) ** (y - base) for y in years]) if len(avail0) else \
        np.zeros((len(years), 0))
    stated = scn.array("factor_availability_by_year")
    availability = grown if stated is None else np.where(np.isnan(stated), grown, stated)
    effort = resolve_effort(st.mobilisation, eco, years)
    skills = resolve_skills(st.training, eco)
    availability = skilled_availability(availability, skills, base, years)
    for what, k in (("mobilisation", None if effort is None else effort.factor),
                    ("training", None if skills is None else skills.factor)):
        if k is not None and not np.all(np.isfinite(availability[:, k])):
            raise BadValueError(f"{what}: the factor {eco.coords.factor[k]!r} needs a finite "
                                "availability")
    aid = _by_year(scn, "aid_by_year", years, np.asarray(eco.array("aid")))
    credit = _by_year(scn, "credit_by_year", years, np.asarray(eco.array("credit")))
    credit = credit + np.asarray(eco.array("other_financing"))[np.newaxis, :]
    out_targets: dict[int, dict[str, float]] = {}
    ot = scn.array("output_targets")
    if ot is not None:
        for t, y in enumerate(years):
            row = {eco.ids[i]: float(v) for i, v in enumerate(ot[t]) if not np.isnan(v)}
            if row:
                out_targets[y] = row
    imp, exp = import_channels(eco), export_channels(eco)
    fx = trade_prices_given(eco)
    if fx:
        require_prices(eco, imp)
        require_prices(eco, exp)
    # imports of final use, category by category as the trade model records them
    basket_g = (final_import_shares(eco, basket_cats[0]) if len(basket_cats) == 1
                else final_import_shares(eco))
    invest_g = (final_import_shares(eco, "investment") if "investment" in fd.columns
                else np.asarray(eco.array("import_shares")))
    exo_imported = np.zeros((len(eco.coords.partner), n))
    for c in exo_cats:
        exo_imported += final_import_shares(eco, c) * fd[c].to_numpy(dtype=float)[np.newaxis, :]
    damaged = eco.array("damaged_capacity")
    repair: dict[str, Any] = {}
    if damaged is not None and np.any(np.asarray(damaged) > 0):
        B_r = eco.array("repair_capital")
        if B_r is None:
            raise BadValueError("damaged_capacity needs repair_capital (scenario key "
                                "'repair_capital': units of each input per unit of damaged "
                                "capacity brought back)")
        repair = {"damaged": np.asarray(damaged, dtype=float), "B_repair": B_r,
                  "lag_repair": np.asarray(eco.array("repair_gestation")).astype(int),
                  "repair_cost": np.asarray(B_r.T @ pz).ravel()}
    # investment is valued with the whole capital norms, imported investment goods included
    return Horizon(years, base, x0, K0, delta, lag, basket, exogenous, B,
                   np.asarray(B.T @ pz).ravel(), industry,
                   floors,
                   strat.target_growth if strat.target_growth is not None else st.industrial_growth,
                   out_targets, strat, availability, aid + credit, imp, exp, fx, basket_g,
                   invest_g, exo_imported, {"prices": pz, "industry_basis": industry_basis},
                   **repair, effort=effort, skills=skills)


@dataclass
class MultiYearModel:
    """The assembled LP and its blocks."""

    scenario: Scenario
    horizon: Horizon
    lp: LinearProgram
    builder: LPBuilder
    X: np.ndarray
    DK: np.ndarray
    C: np.ndarray
    S: np.ndarray | None
    trade: list[Trade]
    RP: np.ndarray | None = None  # repair started (years x branches), where capacity is damaged
    E: np.ndarray | None = None  # relative extra effort (years x tiers), with mobilisation
    R: np.ndarray | None = None  # training intakes (years), with training

    @property
    def economy(self) -> Economy:
        return self.scenario.economy


def _lab(eco: Economy, y: int) -> list[str]:
    return [f"{b}@{y}" for b in eco.ids]


def _tag_year(b: LPBuilder, y: int) -> None:
    """Put the year on the labels of the blocks of year ``y``."""
    for name, coords in b.coords.items():
        if name.endswith(f"@{y}"):
            coords["year"] = y


def _activities(h: Horizon, new: Any, repair: Any = None) -> list[tuple[Any, np.ndarray,
                                                                      np.ndarray]]:
    """What adds capacity, each with its gestation and its value a unit at constant prices:
    new construction, and repair where capacity is damaged (``repair`` given)."""
    out = [(new, np.asarray(h.lag, dtype=np.int64), h.invest_cost)]
    if repair is not None:
        assert h.lag_repair is not None and h.repair_cost is not None
        out.append((repair, np.asarray(h.lag_repair, dtype=np.int64), h.repair_cost))
    return out


def capacity_path(h: Horizon, dk: np.ndarray, rp: np.ndarray | None = None) -> np.ndarray:
    """``K_t`` (``T x n``) for new capacity ``dk`` and repair ``rp`` (``T x n``), vectorised
    over the branches."""
    T = dk.shape[0]
    q = 1.0 - np.asarray(h.delta, dtype=float)
    K = np.asarray(h.K0, dtype=float)[np.newaxis, :] * q[np.newaxis, :] ** np.arange(T)[:, None]
    for add, lag, _ in _activities(h, dk, rp):
        for t in range(T):
            for s in range(T):
                e = t - s - lag
                ok = e >= 0
                K[t, ok] += q[ok] ** e[ok] * add[s, ok]
    return K


def define_capacity(b: LPBuilder, eco: Economy, h: Horizon, X: np.ndarray, DK: np.ndarray,
                    RP: np.ndarray | None = None) -> None:
    """``x_{j,t} - sum coef dK_{j,s} - sum coef' r_{j,s} <= K0_j (1 - delta_j)^t`` for every
    branch and year (``r``: repair, with its own gestation; repaired capacity depreciates like
    the rest).

    Assembled in non-zeros, one vector operation per pair of years (``O(T^2)`` numpy calls over
    the branches, no Python loop over ``n``)."""
    n, T = eco.n, len(h.years)
    q = 1.0 - np.asarray(h.delta, dtype=float)
    K0 = np.asarray(h.K0, dtype=float)
    jj = np.arange(n)
    acts = [(V, lag) for V, lag, _ in _activities(h, DK, RP)]

    def coef(t: int, s: int, lag: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The branches whose capacity in year ``t`` counts what was started in ``s``, and
        by how much (``(1 - delta)^(t - s - g)``)."""
        e = t - s - lag
        ok = e >= 0
        return jj[ok], q[ok] ** e[ok]

    def matrix(t: int, lag: np.ndarray) -> sp.csr_array:
        rows, cols, vals = [], [], []
        for s in range(T):
            j, c = coef(t, s, lag)
            rows.append(j)
            cols.append(s * n + j)
            vals.append(-c)
        return sp.csr_array((np.concatenate(vals), (np.concatenate(rows),
                                                    np.concatenate(cols))), shape=(n, T * n))

    for t, y in enumerate(h.years):
        b.add_rows(f"capacity@{y}", [(X[t], sp.eye_array(n)),
                                     *[(V.ravel(), matrix(t, lag)) for V, lag in acts]],
                   upper=K0 * q ** t, labels=eco.ids,
                   coords={"dims": ("branch",), "branch": eco.ids, "year": y})
    # no running down: capacity after the horizon >= capacity in the last year, for every
    # branch whose capacity the plan can still add to after the horizon (gestation <= T)
    nets = []
    for _, lag in acts:
        net = np.zeros((n, T))
        for s in range(T):
            j, c = coef(T, s, lag)
            net[j, s] += c
            j, c = coef(T - 1, s, lag)
            net[j, s] -= c
        nets.append(net)
    keep = np.flatnonzero(np.any(nets[0] != 0, axis=1))
    if keep.size:
        terms = []
        for (V, _), net in zip(acts, nets, strict=True):
            sub = net[keep]
            r, s_idx = np.nonzero(sub)
            terms.append((V.ravel(), sp.csr_array((sub[r, s_idx], (r, s_idx * n + keep[r])),
                                                  shape=(len(keep), T * n))))
        labels = np.asarray(eco.ids, dtype=object)[keep].tolist()
        b.add_rows("terminal-capacity", terms,
                   lower=K0[keep] * q[keep] ** (T - 1) - K0[keep] * q[keep] ** T,
                   labels=labels, coords={"dims": ("branch",), "branch": labels})


def define_repair(b: LPBuilder, eco: Economy, h: Horizon, RP: np.ndarray) -> None:
    """``sum_t r_{j,t} <= D_j``: no more repaired than was damaged, branch by branch."""
    assert h.damaged is not None
    T, n = RP.shape
    hit = np.flatnonzero(h.damaged > 0)
    M = sp.csr_array((np.ones(T * hit.size), (np.tile(np.arange(hit.size), T),
                                               (np.arange(T)[:, None] * n + hit).ravel())),
                     shape=(hit.size, T * n))
    labels = np.asarray(eco.ids, dtype=object)[hit].tolist()
    b.add_rows("repair-limit", [(RP.ravel(), M)], upper=h.damaged[hit], labels=labels,
               coords={"dims": ("branch",), "branch": labels})


def define_terminal_investment(b: LPBuilder, h: Horizon, DK: np.ndarray) -> None:
    """Investment in the last year at least that of the year before (valued at constant prices):
    without it the plan would stop building near its end, since capacity that comes on stream
    after the horizon earns nothing inside it."""
    if len(h.years) < 2 or not np.any(h.invest_cost > 0):
        return
    v = h.invest_cost.reshape(1, -1)
    b.add_rows("terminal-investment", [(DK[-1], v), (DK[-2], -v)], lower=0.0, labels=[""],
               coords={"dims": ()})


def define_year(b: LPBuilder, eco: Economy, h: Horizon, t: int, X: np.ndarray, DK: np.ndarray,
                C: np.ndarray, foreign_exchange: str, RP: np.ndarray | None = None,
                E: np.ndarray | None = None, R: np.ndarray | None = None) -> Trade:
    """One year's balance, trade, import caps, factors and foreign exchange: the blocks of the
    one-year plan with that year's uses (repair and training take their goods like new
    capacity, with the same import shares; effort and training change the factor rows)."""
    y = h.years[t]
    trade = define_trade(b, eco, h.imp, h.exp, suffix=f"@{y}")
    uses = [intermediate_use(eco, X[t]), investment_use(eco, DK[t], h.B, h.invest_g),
            final_use(eco, C[t:t + 1], h.basket.reshape(-1, 1), h.basket_g)]
    if RP is not None:
        uses.append(investment_use(eco, RP[t], h.B_repair, h.invest_g))
    if R is not None and h.skills is not None and np.any(h.skills.inputs):
        uses.append(investment_use(eco, R[t:t + 1], h.skills.inputs.reshape(-1, 1), h.invest_g))
    define_balance(b, eco, X[t], trade, uses, lower=h.exogenous, name=f"balance@{y}")
    define_import_caps(b, eco, trade, uses, constant_imported=h.exo_imported,
                       name=f"import-cap@{y}")
    define_exports_from_output(b, eco, X[t], trade, name=f"exports-from-output@{y}")
    define_factors(b, eco, X[t], availability=h.availability[t], name=f"factor@{y}",
                   extra=factor_terms(t, h.availability.shape[1], h.availability[t], h.effort,
                                      E, h.skills, R))
    if h.fx:
        define_foreign_exchange(b, eco, trade, h.money[t], mode=foreign_exchange,
                                name=f"foreign-exchange@{y}")
    _tag_year(b, y)
    return trade


def _group_share_rows(b: LPBuilder, eco: Economy, h: Horizon, DK: np.ndarray, name: str,
                      groups: tuple[str, ...], lo: float, hi: float, year: int, t: int,
                      RP: np.ndarray | None = None) -> None:
    """A group's share of the year's investment, new capacity and repair together."""
    member = eco.branches["group"].isin(groups).to_numpy()
    acts = [(V, v) for V, _, v in _activities(h, DK, RP)]
    coords = {"dims": (), "year": year}
    if lo > 0:  # sum_G v dK - lo * sum v dK >= 0
        b.add_rows(f"{name}-min@{year}", [(V[t], ((member - lo) * v).reshape(1, -1))
                                          for V, v in acts],
                   lower=0.0, labels=[""], coords=coords)
    if hi < 1:
        b.add_rows(f"{name}-max@{year}", [(V[t], ((member - hi) * v).reshape(1, -1))
                                          for V, v in acts],
                   upper=0.0, labels=[""], coords=dict(coords))


def define_strategy(b: LPBuilder, eco: Economy, h: Horizon, DK: np.ndarray,
                    RP: np.ndarray | None = None) -> None:
    """The strategy's rules on investment shares by group, year by year."""
    s = h.strategy
    for t, y in enumerate(h.years):
        for k, rule in enumerate(s.rules):
            if rule.applies(y):
                _group_share_rows(b, eco, h, DK, f"rule{k}:{'+'.join(rule.groups)}", rule.groups,
                                  rule.min, rule.max, y, t, RP)
        if s.proportional:
            value = h.meta["prices"] * h.x0
            total = value.sum()
            for g in sorted(set(eco.branches["group"])):
                share = value[(eco.branches["group"] == g).to_numpy()].sum() / total
                _group_share_rows(b, eco, h, DK, f"balanced:{g}", (g,),
                                  max(0.0, share - s.tolerance), min(1.0, share + s.tolerance), y, t,
                                  RP)


def define_targets(b: LPBuilder, eco: Economy, h: Horizon, X: np.ndarray) -> np.ndarray | None:
    """Industrial-output and per-branch output targets, hard or soft (with shortfall)."""
    if h.strategy.targets == "none":
        return None
    soft = h.strategy.targets == "soft"
    rows: list[tuple[int, str, np.ndarray, float, str]] = []  # (t, name, coef, rhs, branch)
    p = h.meta["prices"]
    q_base = float((p * h.x0)[h.industry].sum())
    pos = {b: i for i, b in enumerate(eco.ids)}
    for t, y in enumerate(h.years):
        if h.target_growth is not None:
            try:
                level = q_base * (1 + h.target_growth) ** (y - h.base_year)
            except OverflowError:
                level = math.inf
            if not math.isfinite(level):
                raise BadValueError(f"target_growth {h.target_growth:g} a year overflows: the "
                                    f"target for {y} is beyond the float range")
            rows.append((t, f"industrial-output-target@{y}", p * h.industry, level, ""))
        for br, val in h.output_targets.get(y, {}).items():
            e = np.zeros(eco.n)
            e[pos[br]] = 1.0
            rows.append((t, f"output-target:{br}@{y}", e, val, br))
    if not rows:
        return None
    S = None
    if soft:
        scale = np.array([r[3] for r in rows])
        S = b.add_vars("shortfall", len(rows), cost=-SHORTFALL_PENALTY / np.maximum(scale, 1e-12),
                       labels=[r[1] for r in rows])
    for k, (t, name, coef, rhs, br) in enumerate(rows):
        terms: list[tuple[np.ndarray, Any]] = [(X[t], coef.reshape(1, -1))]
        if S is not None:
            terms.append((S[k:k + 1], np.ones((1, 1))))
        b.add_rows(name, terms, lower=rhs, labels=[""],
                   coords={"dims": ("branch",), "branch": [br], "year": h.years[t]}
                   if br else {"dims": (), "year": h.years[t]})
    return S


def build_model(obj: Economy | Scenario, strategy: str | None = None, *,
                targets: str | None = None, target_growth: float | None = None,
                no_waste: bool = False) -> MultiYearModel:
    """Assemble the multi-year LP from the ``define_*`` blocks; ``no_waste`` forbids output that
    nobody uses (every priced product's balance holds with equality in value)."""
    scn = as_scenario(obj)
    eco = scn.economy
    h = resolve_horizon(scn, strategy, targets, target_growth)
    n, T = eco.n, len(h.years)
    b = LPBuilder()
    X = b.add_vars("output", T * n, labels=[lab for y in h.years for lab in _lab(eco, y)]
                   ).reshape(T, n)
    DK = b.add_vars("new-capacity", T * n, labels=[lab for y in h.years for lab in _lab(eco, y)]
                    ).reshape(T, n)
    RP = None
    if h.damaged is not None:
        RP = b.add_vars("repair", T * n, upper=np.tile(h.damaged, T),
                        labels=[lab for y in h.years for lab in _lab(eco, y)]).reshape(T, n)
    disc = scn.settings.discount
    C = b.add_vars("consumption", T, lower=[h.floor.get(y, 0.0) for y in h.years],
                   cost=[(1 + disc) ** -(y - h.years[0]) for y in h.years],
                   labels=[str(y) for y in h.years])
    weights = np.array([(1 + disc) ** -(y - h.years[0]) for y in h.years])
    E = add_effort_vars(b, h.effort, h.years, weights) if h.effort is not None else None
    R = add_training_vars(b, h.skills, h.years) if h.skills is not None else None
    define_capacity(b, eco, h, X, DK, RP)
    if RP is not None:
        define_repair(b, eco, h, RP)
    trade = [define_year(b, eco, h, t, X, DK, C, scn.settings.foreign_exchange, RP, E, R)
             for t in range(T)]
    define_terminal_investment(b, h, DK)
    define_strategy(b, eco, h, DK, RP)
    S = define_targets(b, eco, h, X)
    if no_waste:
        define_no_waste(b, eco, h, X, DK, C, trade, RP, R)
    lp = define_waste_cost(b.build(), eco, h, X, DK, C, S, trade, RP, R)
    return MultiYearModel(scn, h, lp, b, X, DK, C, S, trade, RP, E, R)


def _waste_terms(eco: Economy, h: Horizon, trade: Trade) -> tuple[np.ndarray, np.ndarray,
                                                                   np.ndarray, float, np.ndarray,
                                                                   np.ndarray]:
    """Value of a year's unused output, ``p'(x + m - e - A x - B dK - c b)``, per variable:
    coefficients on ``x``, ``dK``, ``c``, ``m`` and ``e``."""
    p = h.meta["prices"]
    pIA = p - np.asarray(eco.A.T @ p).ravel()
    pB = np.asarray(h.B.T @ p).ravel()
    pb = float(p @ h.basket)
    return p, pIA, pB, pb, p[trade.imp.branch], p[trade.exp.branch]


def _training_cost(h: Horizon) -> float:
    """The value at constant prices of the inputs of one unit trained (0 without training)."""
    if h.skills is None:
        return 0.0
    return float(h.meta["prices"] @ h.skills.inputs)


def define_no_waste(b: LPBuilder, eco: Economy, h: Horizon, X: np.ndarray, DK: np.ndarray,
                    C: np.ndarray, trade: list[Trade], RP: np.ndarray | None = None,
                    R: np.ndarray | None = None) -> None:
    """``p'(x_t + m_t - e_t - A x_t - B dK_t - c_t b) <= p' f_t``: with the balances ``>=``,
    every priced product's output is used (no free disposal)."""
    for t, y in enumerate(h.years):
        p, pIA, pB, pb, pm, pe = _waste_terms(eco, h, trade[t])
        terms: list[tuple[np.ndarray, Any]] = [(X[t], pIA.reshape(1, -1)),
                                               (DK[t], -pB.reshape(1, -1)),
                                               (C[t:t + 1], np.array([[-pb]]))]
        if RP is not None and h.repair_cost is not None:
            terms.append((RP[t], -h.repair_cost.reshape(1, -1)))
        if R is not None and _training_cost(h):
            terms.append((R[t:t + 1], np.array([[-_training_cost(h)]])))
        if len(trade[t].m):
            terms.append((trade[t].m, pm.reshape(1, -1)))
        if len(trade[t].e):
            terms.append((trade[t].e, -pe.reshape(1, -1)))
        b.add_rows(f"no-waste@{y}", terms, upper=float(p @ h.exogenous), labels=[""],
                   coords={"dims": (), "year": y})


def define_waste_cost(lp: LinearProgram, eco: Economy, h: Horizon, X: np.ndarray,
                      DK: np.ndarray, C: np.ndarray, S: np.ndarray | None,
                      trade: list[Trade], RP: np.ndarray | None = None,
                      R: np.ndarray | None = None) -> LinearProgram:
    """Charge output that nobody uses (the balance's slack, valued at constant prices).

    The balance is an inequality (free disposal); without a charge, output pushed up only to meet
    an industrial-output target would count. The charge per won of waste is twice the largest
    credit a won of value added can earn against a soft target, so waste never pays; without
    soft targets it is a tie-breaker. Waste in year ``t`` is
    ``p'(x_t + m_t - e_t - A x_t - B dK_t - B^R r_t - a R_t - c_t b - f_t)`` (repair ``r`` and
    training ``R`` use their inputs too); its constant part does not change the optimum and is
    left out.
    """
    p = h.meta["prices"]
    pIA_all = p - np.asarray(eco.A.T @ p).ravel()
    # a unit of output credited to a target is charged only its value added (its inputs are
    # used); so the charge per won must beat the largest credit per won of value added
    with np.errstate(divide="ignore", invalid="ignore"):
        leverage = np.where(p > 0, p / np.maximum(pIA_all, 0.05 * p), 0.0)
    top = float(np.max(-lp.c[S])) if S is not None and len(S) else 0.0
    w = 2.0 * top * max(1.0, float(leverage.max(initial=1.0))) if top > 0 else 1e-9
    c = lp.c.copy()
    for t in range(len(h.years)):
        _, pIA, pB, pb, pm, pe = _waste_terms(eco, h, trade[t])
        c[X[t]] -= w * pIA
        c[DK[t]] += w * pB
        if RP is not None and h.repair_cost is not None:
            c[RP[t]] += w * h.repair_cost
        if R is not None:  # the inputs of training are used, not wasted
            c[R[t]] += w * _training_cost(h)
        c[C[t]] += w * pb
        c[trade[t].m] -= w * pm
        c[trade[t].e] += w * pe
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
    """The smallest relaxation (balances and import caps excepted) that would make the plan
    feasible."""
    from autarky.plan.optimize import STRUCTURAL_ROWS

    lp = _floor_rows_relaxable(model)
    soft = np.ones(lp.shape[0], dtype=bool)
    for name, idx in model.builder.row_blocks.items():
        if name.startswith(STRUCTURAL_ROWS):
            soft[idx] = False
    rel = elastic_relaxation(lp, relax=soft)
    if rel is None:
        return []
    from autarky.plan.read import row_label

    out = []
    n_rows = model.builder.n_rows
    years = model.horizon.years
    for r, amount in zip(rel.rows, rel.amounts, strict=True):
        bound = lp.row_upper[r] if amount < 0 else lp.row_lower[r]
        lab = (row_label(model.builder, r) if r < n_rows else
               {"block": "consumption-floor", "label": "", "year": years[r - n_rows]})
        out.append({"constraint": lp.row_names[r], "row": lp.row_names[r], **lab,
                    "bound": float(bound),
                    "needed": float(bound - amount), "relax_by": float(abs(amount))})
    return out


#: From this many rows ``solver="auto"`` solves a multi-year plan by the interior point method
#: (with crossover, so the answer is a vertex with its duals): 1.2-3 times faster than the dual
#: simplex on 7-year plans of 100-400 products (bench/results/multiyear_scale.md).
IPM_MIN_ROWS = 1500


def multiyear(obj: Economy | Scenario, strategy: str | None = None, *,
              targets: str | None = None, target_growth: float | None = None,
              solver: str = "auto") -> MultiYearPlan:
    """Solve the multi-year plan of a scenario under ``strategy`` (see the module docstring).

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
    solver
        ``auto`` (default: the dual simplex, and the interior point method from
        :data:`IPM_MIN_ROWS` rows, the simplex again if it fails) or a HiGHS solver
        (``simplex``, ``ipm``, ``pdlp``, ``choose``). ``MultiYearPlan.certificate`` says which
        solved it.

    Returns
    -------
    MultiYearPlan
        Per year: gross output, capacity, new capacity, investment by branch and group,
        consumption, trade, industrial output and its growth, what binds; the shortfall against
        soft targets; or, for an impossible plan, the smallest relaxation that would allow it.
    """
    checks.choice("solver", solver, ("auto", *SOLVERS))
    model = build_model(obj, strategy, targets=targets, target_growth=target_growth)
    first = solver if solver != "auto" else \
        "ipm" if model.lp.shape[0] >= IPM_MIN_ROWS else "simplex"
    res, used, _ = solve_lp_or_simplex(model.lp, solver=first)
    res = replace(res, meta={**res.meta, "solver": used})
    return MultiYearPlan.from_model(model, res, explain_infeasible)


def max_uniform_growth(obj: Economy | Scenario, strategy: str | None = None, *,
                       low: float = 0.0, high: float = 1.0, tol: float = 1e-4,
                       no_waste: bool = False) -> float:
    """The largest yearly growth of industrial output the plan can hold every year (strict
    targets), by bisection on feasibility; ``nan`` if even ``low`` is infeasible.

    The answer is a rate proven feasible (a checked plan exists), within ``tol`` of the first
    rate that is not: one proven infeasible, or one at the edge where neither the simplex nor
    the interior point method can decide. With ``no_waste`` every product's output must find a
    use (no free disposal); without, output counts whether used or not, as gross-output
    statistics counted it."""
    low = checks.real("low", low, lower=-1.0, lower_open=True)
    high = checks.real("high", high, lower=low, lower_open=True)
    tol = checks.real("tol", tol, lower=0.0, lower_open=True)
    no_waste = checks.flag("no_waste", no_waste)

    def feasible(g: float) -> bool:
        # whether a plan exists does not depend on the objective: with none, the simplex stops
        # at the first feasible point
        lp = build_model(obj, strategy, targets="strict", target_growth=g, no_waste=no_waste).lp
        lp = replace(lp, c=np.zeros_like(lp.c))
        for solver in ("simplex", "ipm"):
            status = solve_lp(lp, solver=solver).status
            if status in ("optimal", "infeasible"):
                return status == "optimal"
        # at the very edge of feasibility both may end undecided (HiGHS: "unknown"): such a
        # rate is not proven feasible, so the answer stays a rate that was
        return False

    if not feasible(low):
        return float("nan")
    while feasible(high) and high < 64:
        low, high = high, 2 * high
    while high - low > tol:
        mid = 0.5 * (low + high)
        low, high = (mid, high) if feasible(mid) else (low, mid)
    return low
