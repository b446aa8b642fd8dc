"""Multi-year plans: capacity grows from investment under a development strategy (one LP).

The model (``autarky.plan.multiyear``): years ``t = 1..T`` of the horizon, gross output ``x_t``,
new capacity ``dK_t``, consumption level ``c_t`` (a multiple of the basket ``b``):

* capacity ``x_t <= K_t``, ``K_t = (1 - delta)^(t-1) K_1 + sum_{s <= t - g} (1 - delta)^(t-s-g) dK_s``
  (``K_1`` the initial capacity, gestation ``g``: capacity started in year ``s`` produces from
  ``s + g``);
* balance ``(I - A) x_t - B dK_t >= c_t b + exogenous``; ``c_t >= floor``;
* strategy rules on the share of investment ``p B dK_t`` by branch group;
* targets on industrial output ``Q_t = sum_{industrial j} p_j x_{j,t} >= Q_base (1 + rate)^(t - base)``;
* no running down: ``K_{T+1} >= K_T`` and ``p B dK_T >= p B dK_{T-1}``;
* objective ``max sum_t c_t`` (no discount here) minus a dominant penalty on soft shortfalls.

Every number asserted below is derived by hand in the docstring of its test.
"""

from __future__ import annotations

import itertools
import json
import re

import numpy as np
import pandas as pd
import pytest

import autarky
from autarky.cli.app import main
from autarky.data import load
from autarky.economy.settings import Strategy, StrategyRule
from autarky.errors import AutarkyError
from autarky.plan.multiyear import _floor_rows_relaxable, build_model, max_uniform_growth
from autarky.solve.lp import LinearProgram, solve_lp

REL = 1e-9

#: A constraint name as plans report it: ``kind@year``, ``kind:item@year`` or a terminal row.
CONSTRAINT_NAME = re.compile(r"^[a-z][a-z0-9+-]*(:[\w+.-]+)?@\d{1,4}$|^terminal-[a-z]+(:[\w.-]+)?$")


def economy(ids: list[str], groups: list[str], A, B, prices, x0, settings: dict,
            year: int) -> autarky.Scenario:
    """An economy with zero final demand (everything beyond consumption is planned), with the
    plan settings (and the capital tables) in ``settings``."""
    n = len(ids)
    branches = pd.DataFrame({"unit": ["unit"] * n, "group": groups}, index=ids)
    eco = autarky.Economy(branches, np.asarray(A, dtype=float), np.zeros(n), year=year,
                          prices=list(prices), capital=np.asarray(B, dtype=float),
                          reported_output=list(x0))
    return autarky.Scenario(eco).replace(**settings)


def shares(plan, *groups: str) -> pd.Series:
    """Share of the groups in each year's investment, from ``investment_by_group``."""
    ib = plan.investment_by_group
    total = ib.sum(axis=1)
    part = ib.reindex(columns=list(groups), fill_value=0.0).sum(axis=1)
    return (part / total).where(total > 1e-9)


# =============================================================================================
# 1. Feldman-Mahalanobis
# =============================================================================================
def feldman(lam: float, bk: float, bc: float, kk1: float, kc1: float, last: int) -> autarky.Economy:
    st = dict(
        horizon=(1, last), depreciation=np.zeros(2), gestation=np.ones(2, dtype=int),
        initial_capacity=np.array([kk1, kc1]),
        consumption_basket=pd.Series([0.0, 1.0], index=["k", "c"]),
        strategies={"fm": Strategy("fm", rules=(StrategyRule(("heavy",), min=lam, max=lam),))})
    return economy(["k", "c"], ["heavy", "light"], np.zeros((2, 2)), [[bk, bc], [0.0, 0.0]],
                   [1.0, 1.0], [kk1, kc1], st, year=0)


FM_CASES = [  # (lambda, b_k, b_c, K_k1, K_c1)
    (0.4, 2.0, 3.0, 100.0, 200.0),
    (0.25, 1.5, 0.5, 50.0, 400.0),
    (0.7, 4.0, 1.0, 80.0, 30.0),
    (0.5, 1.0, 2.0, 10.0, 10.0),
]


@pytest.mark.parametrize(("lam", "bk", "bc", "kk1", "kc1"), FM_CASES)
def test_feldman_mahalanobis_closed_form(lam, bk, bc, kk1, kc1):
    """Two sectors, machines ``k`` (heavy) and consumer goods ``c`` (light); ``A = 0``; a unit of
    new capacity of ``k`` needs ``b_k`` machines, of ``c`` ``b_c`` machines; no depreciation,
    gestation 1; the basket is consumer goods only; prices (1, 1), so investment is
    ``I_t = b_k dK_k,t + b_c dK_c,t`` machines and the rule ``min = max = lambda`` says
    ``b_k dK_k,t = lambda I_t`` and ``b_c dK_c,t = (1 - lambda) I_t``.

    Balances: ``x_k,t >= I_t`` and ``x_c,t >= c_t``. Capacity: ``K_{t+1} = K_t + dK_t``.
    The objective ``sum_t c_t`` is best with ``c_t = x_c,t = K_c,t`` and
    ``K_c,t = K_c,1 + (1 - lambda)/b_c sum_{s<t} I_s``: a machine invested in year ``s < T`` adds
    ``(1 - lambda)/b_c > 0`` to consumption in each of the ``T - s`` later years, and the machine
    capacity it adds only allows more investment later. So every year but the last, all machine
    output is invested, ``I_t = x_k,t = K_k,t``, and with ``g = lambda / b_k``

        K_k,t = K_k,1 (1 + g)^(t-1),
        c_t = K_c,t = K_c,1 + (1 - lambda)/b_c sum_{s<t} K_k,s
                    = K_c,1 + (1 - lambda)/b_c K_k,1 ((1 + g)^(t-1) - 1) / g.

    In the last year investment earns nothing inside the horizon; the terminal condition
    ``I_T >= I_{T-1} = K_k,T-1`` and ``I_T <= x_k,T <= K_k,T`` leave ``x_k,T`` anywhere in
    ``[K_k,T-1, K_k,T]`` (not pinned), while ``K_T`` and ``c_T`` are. Machine capacity grows at
    ``g`` exactly, and consumption growth tends to ``g`` (see the next test).
    """
    T = 8
    plan = feldman(lam, bk, bc, kk1, kc1, T).plan.multiyear("fm")
    assert plan.status == "optimal"
    g = lam / bk
    years = list(range(1, T + 1))
    kk = {t: kk1 * (1 + g) ** (t - 1) for t in years}
    kc = {t: kc1 + (1 - lam) / bc * kk1 * ((1 + g) ** (t - 1) - 1) / g for t in years}
    for t in years:
        assert plan.capacity.loc[t, "k"] == pytest.approx(kk[t], rel=REL)
        assert plan.capacity.loc[t, "c"] == pytest.approx(kc[t], rel=REL)
        assert plan.consumption[t] == pytest.approx(kc[t], rel=REL)
        assert plan.gross_output.loc[t, "c"] == pytest.approx(kc[t], rel=REL)
    for t in years[:-1]:  # all machine output is invested; the rule splits it lambda : 1 - lambda
        assert plan.gross_output.loc[t, "k"] == pytest.approx(kk[t], rel=REL)
        assert plan.new_capacity.loc[t, "k"] == pytest.approx(lam * kk[t] / bk, rel=REL)
        assert plan.new_capacity.loc[t, "c"] == pytest.approx((1 - lam) * kk[t] / bc, rel=REL)
        assert plan.capacity.loc[t + 1, "k"] / plan.capacity.loc[t, "k"] == pytest.approx(1 + g, rel=REL)
    # the last year: only the interval is determined
    x_last = plan.gross_output.loc[T, "k"]
    assert kk[T - 1] * (1 - REL) <= x_last <= kk[T] * (1 + REL)
    # the share of machines invested in the machine sector is lambda every year, the last included
    assert shares(plan, "heavy").to_numpy() == pytest.approx(np.full(T, lam), rel=REL)


@pytest.mark.parametrize(("lam", "bk", "bc", "kk1", "kc1"), FM_CASES[:2])
def test_feldman_consumption_growth_tends_to_machine_growth(lam, bk, bc, kk1, kc1):
    """With ``g = lambda/b_k`` and the paths of the previous test,
    ``c_{t+1} - c_t = (1 - lambda)/b_c K_k,t`` and

        (1 - lambda)/b_c K_k,t - g c_t = (1 - lambda)/b_c K_k,1 - g K_c,1 =: D   (constant),

    since both ``K_k,t`` and ``g (c_t - K_c,1)`` grow by ``(1 - lambda)/b_c g K_k,t`` a year. So
    consumption growth is exactly ``c_{t+1}/c_t - 1 = g + D / c_t``: it tends to ``g`` as ``c_t``
    grows, and ``|growth - g|`` falls every year.
    """
    T = 30
    plan = feldman(lam, bk, bc, kk1, kc1, T).plan.multiyear("fm")
    assert plan.status == "optimal"
    g = lam / bk
    D = (1 - lam) / bc * kk1 - g * kc1
    c = plan.consumption
    gaps = []
    for t in range(1, T):
        growth = c[t + 1] / c[t] - 1
        assert growth == pytest.approx(g + D / c[t], rel=1e-8, abs=1e-12)
        gaps.append(abs(growth - g))
    assert all(b < a for a, b in itertools.pairwise(gaps))
    # machine capacity grows at g every year of the horizon
    k = plan.capacity["k"]
    assert (k.iloc[1:].to_numpy() / k.iloc[:-1].to_numpy()) == pytest.approx(np.full(T - 1, 1 + g), rel=REL)


# =============================================================================================
# 2. Capacity accounting: depreciation and gestation
# =============================================================================================
def one_good(*, a: float, b: float, delta: float, lag: int, k1: float, floor: float, last: int,
             growth: float | None = None, strategies: dict | None = None) -> autarky.Economy:
    st = dict(horizon=(1, last), depreciation=np.array([delta]), gestation=np.array([lag]),
                      initial_capacity=np.array([k1]),
                      consumption_basket=pd.Series([1.0], index=["g"]), consumption_floor=floor,
                      industrial_growth=growth, strategies=strategies or {})
    return economy(["g"], ["heavy"], [[a]], [[b]], [1.0], [100.0], st, year=0)


def test_depreciation_and_gestation_closed_form():
    """One good used for everything: ``a = 0.2`` of it per unit of output, ``b = 0.5`` per unit
    of new capacity; ``delta = 0.1``, gestation 2 (capacity started in year ``s`` produces from
    ``s + 2``); ``K_1 = 100``; consumption floor 40; years 1..6.

    ``K_t = 100 * 0.9^(t-1) + sum_{s <= t-2} 0.9^(t-s-2) dK_s``, so
    ``K_{t+1} = 0.9 K_t + dK_{t-1}``.

    Optimum. A good not consumed in a year ``t <= 4`` builds 2 units of capacity that yield
    0.8 net goods a year from ``t + 2`` to year 6: even from year 4 that is 1.6 goods in year 6,
    against which the terminal conditions (``K_7 = 0.9 K_6 + dK_5 >= K_6``, i.e.
    ``dK_5 >= 0.1 K_6``, and ``dK_6 >= dK_5``) cost 2 * 0.1 * 0.5 = 0.1 goods in each of years
    5 and 6: 1.4 > 1. So in years 1-4 consumption stays at its floor and all the rest is
    invested, ``dK_t = (0.8 K_t - 40) / 0.5``; investment in years 5 and 6 produces nothing within
    the horizon and is held at the terminal minimum ``dK_5 = dK_6 = 0.1 K_6``; output is
    capacity. By hand:

        t   K_t                              dK_t                    c_t
        1   100                              (80 - 40)/0.5 = 80      40
        2   90                               (72 - 40)/0.5 = 64      40
        3   81 + 80 = 161                    (128.8 - 40)/0.5 = 177.6   40
        4   144.9 + 64 = 208.9               (167.12 - 40)/0.5 = 254.24 40
        5   188.01 + 177.6 = 365.61          0.1 K_6 = 58.3289       292.488 - 29.16445 = 263.32355
        6   329.049 + 254.24 = 583.289       58.3289                 466.6312 - 29.16445 = 437.46675
    """
    plan = one_good(a=0.2, b=0.5, delta=0.1, lag=2, k1=100.0, floor=40.0, last=6).plan.multiyear()
    assert plan.status == "optimal"
    K = [100.0, 90.0, 161.0, 208.9, 365.61, 583.289]
    dK = [80.0, 64.0, 177.6, 254.24, 58.3289, 58.3289]
    c = [40.0, 40.0, 40.0, 40.0, 263.32355, 437.46675]
    for t in range(6):
        y = t + 1
        assert plan.capacity.loc[y, "g"] == pytest.approx(K[t], rel=REL)
        assert plan.gross_output.loc[y, "g"] == pytest.approx(K[t], rel=REL)
        assert plan.new_capacity.loc[y, "g"] == pytest.approx(dK[t], rel=REL)
        assert plan.consumption[y] == pytest.approx(c[t], rel=REL)


def hand_capacity(k1: np.ndarray, delta: np.ndarray, lag: np.ndarray, dk: np.ndarray) -> np.ndarray:
    """``K_t = (1-delta)^(t-1) K_1 + sum_{s <= t-lag} (1-delta)^(t-s-lag) dK_s`` (years 1..T,
    here indexed 0..T-1), branch by branch, written out as loops."""
    T, n = dk.shape
    K = np.zeros((T, n))
    for j in range(n):
        for t in range(T):
            total = k1[j] * (1 - delta[j]) ** t
            for s in range(T):
                if s + lag[j] <= t:
                    total += (1 - delta[j]) ** (t - s - lag[j]) * dk[s, j]
            K[t, j] = total
    return K


def test_capacity_accounting_two_branches_from_new_capacity():
    """Two branches with different depreciation (0.1, 0.04) and gestation (2, 1): whatever the
    plan invests, its reported capacity is the hand sum over its reported new capacity; the
    plan also keeps output within capacity and runs nothing down after the horizon
    (``K_{T+1} >= K_T``, last year's investment at least the year before's)."""
    st = dict(horizon=(1, 7), depreciation=np.array([0.1, 0.04]), gestation=np.array([2, 1]),
                      initial_capacity=np.array([100.0, 150.0]),
                      consumption_basket=pd.Series([0.0, 1.0], index=["k", "c"]), consumption_floor=50.0)
    eco = economy(["k", "c"], ["heavy", "light"], [[0.1, 0.2], [0.0, 0.1]], [[0.8, 1.2], [0.0, 0.0]],
                  [1.0, 1.0], [100.0, 150.0], st, year=0)
    plan = eco.plan.multiyear()
    assert plan.status == "optimal"
    delta, lag = np.array([0.1, 0.04]), np.array([2, 1])
    dk = plan.new_capacity.to_numpy()
    K = hand_capacity(np.array([100.0, 150.0]), delta, lag, dk)
    assert plan.capacity.to_numpy() == pytest.approx(K, rel=REL, abs=1e-9)
    assert np.all(plan.gross_output.to_numpy() <= K * (1 + 1e-9) + 1e-9)
    # capacity after the horizon: (1 - delta) K_T + the new capacity started in year T + 1 - lag
    after = (1 - delta) * K[-1] + np.array([dk[-2, 0], dk[-1, 1]])
    assert np.all(after >= K[-1] * (1 - 1e-9))
    cost = np.array([0.8, 1.2])  # p B: machines per unit of new capacity, at price 1
    assert dk[-1] @ cost >= dk[-2] @ cost * (1 - 1e-9)
    assert dk.sum() > 0  # the plan does invest (the check above is not about an idle plan)


def test_capacity_accounting_on_the_seven_year_plan(syp, syp_plans):
    """The bundled plan's depreciation (0.02-0.03) and gestation (1-2 years) per branch:
    capacity in every year equals the hand sum from initial capacity and new capacity."""
    for plan in syp_plans.values():
        K = hand_capacity(syp.array("initial_capacity"), syp.array("depreciation"),
                          syp.array("gestation").astype(int), plan.new_capacity.to_numpy())
        assert plan.capacity.to_numpy() == pytest.approx(K, rel=REL)


def test_horizon_shorter_than_gestation_is_not_infeasible_by_construction():
    """Bug. A one-year plan (T = 1) in which one branch has gestation 2 and depreciation 0.1:
    nothing built within the horizon can come on stream by year T + 1, so the terminal row
    ``K_{T+1} >= K_T`` for that branch reads ``0 >= 0.1 * K_1`` and no plan can satisfy it,
    whatever is decided. The plan should be feasible: produce at capacity, consume.

    With the row dropped for that branch: branch ``a`` (gestation 1) must keep
    ``K_2 = 0.9 * 100 + dK_a >= 100``, so ``dK_a = 10`` costs ``0.5 * 10 = 5`` units of ``a``; the
    basket is one of each; ``c = min(100 - 5, 100) = 95``.
    """
    st = dict(horizon=(1, 1), depreciation=np.array([0.1, 0.1]), gestation=np.array([1, 2]),
                      initial_capacity=np.array([100.0, 100.0]),
                      consumption_basket=pd.Series([1.0, 1.0], index=["a", "b"]))
    eco = economy(["a", "b"], ["heavy", "light"], np.zeros((2, 2)), [[0.5, 0.5], [0.0, 0.0]],
                  [1.0, 1.0], [100.0, 100.0], st, year=0)
    plan = eco.plan.multiyear()
    assert plan.status == "optimal", plan.conflicts
    assert plan.consumption[1] == pytest.approx(95.0, rel=REL)


# =============================================================================================
# 3. Strategy rules hold in the answer; 4. growth bookkeeping
# =============================================================================================
FOUR_IDS = ["power", "steel", "cloth", "grain"]
FOUR_GROUPS = ["energy", "heavy", "light", "agriculture"]
FOUR_PRICES = [1.0, 2.0, 1.0, 0.5]
FOUR_X0 = [100.0, 50.0, 80.0, 200.0]


@pytest.fixture(scope="module")
def four() -> autarky.Economy:
    """Power (energy), steel (heavy), cloth (light), grain (agriculture); 1960 base, 1961-66.
    Base-year output at prices (1, 2, 1, 0.5): 100, 100, 80, 100 (total 380)."""
    A = [[0.05, 0.2, 0.05, 0.02], [0.02, 0.1, 0.02, 0.01], [0.0, 0.0, 0.1, 0.0], [0.0, 0.0, 0.1, 0.1]]
    B = [[0.1, 0.1, 0.05, 0.05], [1.0, 1.5, 0.8, 0.5], [0.0] * 4, [0.0] * 4]
    st = dict(horizon=(1961, 1966), depreciation=np.full(4, 0.05),
                      gestation=np.ones(4, dtype=int), initial_capacity=np.array([110.0, 55.0, 88.0, 220.0]),
                      consumption_basket=pd.Series([5.0, 0.0, 40.0, 100.0], index=FOUR_IDS),
                      consumption_floor=1.0)
    return economy(FOUR_IDS, FOUR_GROUPS, A, B, FOUR_PRICES, FOUR_X0, st, year=1960)


@pytest.fixture(scope="module")
def four_plans(four) -> dict:
    return {s: four.plan.multiyear(s) for s in ("free", "heavy-first", "light-first", "balanced")}


def test_heavy_first_rule_holds(four_plans):
    """heavy-first: at least 60 % of investment (valued at constant prices) to heavy + energy,
    every year with investment. The free plan breaks the rule somewhere, so the rule binds."""
    plan = four_plans["heavy-first"]
    assert plan.status == "optimal"
    s = shares(plan, "heavy", "energy").dropna()
    assert len(s) == 6
    assert (s >= 0.6 - 1e-9).all()
    assert (shares(four_plans["free"], "heavy", "energy").dropna() < 0.6 - 1e-6).any()


def test_light_first_rule_holds(four_plans):
    """light-first on 1961-66: agriculture + light >= 50 % in 1961-63 (the first three years),
    heavy + energy >= 60 % in 1964-66."""
    plan = four_plans["light-first"]
    assert plan.status == "optimal"
    light = shares(plan, "agriculture", "light")
    heavy = shares(plan, "heavy", "energy")
    assert light.loc[1961:1963].notna().all() and heavy.loc[1964:1966].notna().all()
    assert (light.loc[1961:1963] >= 0.5 - 1e-9).all()
    assert (heavy.loc[1964:1966] >= 0.6 - 1e-9).all()
    free = four_plans["free"]
    assert ((shares(free, "agriculture", "light").loc[1961:1963] < 0.5 - 1e-6).any()
            or (shares(free, "heavy", "energy").loc[1964:1966] < 0.6 - 1e-6).any())


def test_balanced_rule_holds(four_plans):
    """balanced: each group's share of investment within 5 points of its share of base-year
    output value: energy 100/380, heavy 100/380, light 80/380, agriculture 100/380."""
    base = {"energy": 100 / 380, "heavy": 100 / 380, "light": 80 / 380, "agriculture": 100 / 380}
    plan = four_plans["balanced"]
    assert plan.status == "optimal"
    for group, share in base.items():
        s = shares(plan, group).dropna()
        assert len(s) == 6
        assert (abs(s - share) <= 0.05 + 1e-9).all(), group
    free = four_plans["free"]
    assert any((abs(shares(free, g).dropna() - v) > 0.05 + 1e-6).any() for g, v in base.items())


def test_growth_bookkeeping(four_plans):
    """Industrial output is gross output of the industrial groups (default energy, heavy, light)
    at constant prices: base year (1960) ``1 * 100 + 2 * 50 + 1 * 80 = 280`` (grain excluded);
    each plan year ``power + 2 steel + cloth`` of the plan's gross output; growth
    ``Q_y / Q_{y-1} - 1``; ``multiple() = Q_1966 / Q_1960``."""
    for plan in four_plans.values():
        q = plan.industrial_output
        assert q[1960] == pytest.approx(280.0, rel=1e-12)
        x = plan.gross_output
        for y in range(1961, 1967):
            hand = x.loc[y, "power"] + 2.0 * x.loc[y, "steel"] + x.loc[y, "cloth"]
            assert q[y] == pytest.approx(hand, rel=1e-12)
            assert plan.growth[y] == pytest.approx(q[y] / q[y - 1] - 1, rel=1e-12, abs=1e-15)
        assert list(plan.growth.index) == list(range(1961, 1967))
        assert plan.multiple() == pytest.approx(q[1966] / 280.0, rel=1e-12)
        assert plan.multiple(1962, 1964) == pytest.approx(q[1964] / q[1962], rel=1e-12)


# =============================================================================================
# 5. Targets: strict, soft, and the largest uniform growth
# =============================================================================================
def test_strict_impossible_target_is_infeasible_with_conflicts():
    """One good (heavy), ``a = 0.2``, ``b = 4``, no depreciation, gestation 1, ``K_1 = 120``,
    base output 100, strict target 50 % a year. Year 1 needs ``Q_1 = 150`` while
    ``x_1 <= K_1 = 120`` whatever the plan does: infeasible, and the explanation must move the
    capacity of year 1 or the target of year 1. Moving every bound to what it says is needed
    makes the programme feasible."""
    strict = {"strict": Strategy("strict", targets="strict")}
    eco = one_good(a=0.2, b=4.0, delta=0.0, lag=1, k1=120.0, floor=0.0, last=5, growth=0.5,
                   strategies=strict)
    plan = eco.plan.multiyear("strict")
    assert plan.status == "infeasible"
    assert plan.gross_output is None
    assert plan.conflicts
    for c in plan.conflicts:
        assert {"constraint", "bound", "needed"} <= set(c)
        assert CONSTRAINT_NAME.match(c["constraint"]), c["constraint"]
    names = {c["constraint"] for c in plan.conflicts}
    assert {"capacity:g@1", "industrial-output-target@1"} & names
    # the relaxation works
    lp = _floor_rows_relaxable(build_model(eco, "strict"))
    rows = {n: i for i, n in enumerate(lp.row_names)}
    lo, hi = lp.row_lower.copy(), lp.row_upper.copy()
    for c in plan.conflicts:
        r = rows[c["row"]]
        if c["bound"] == pytest.approx(hi[r]) and np.isfinite(hi[r]):
            hi[r] = c["needed"] + 1e-7 * max(1.0, abs(c["needed"]))
        else:
            lo[r] = c["needed"] - 1e-7 * max(1.0, abs(c["needed"]))
    relaxed = LinearProgram(lp.c, lp.M, lo, hi, lp.col_lower, lp.col_upper)
    assert solve_lp(relaxed).status == "optimal"


def test_soft_great_leap_shortfall_closed_form():
    """Same one-good economy, no floor, strategy great-leap (soft targets, 35 % a year). The
    most capacity any plan can have in every year comes from investing everything:
    ``K_{t+1} = K_t + 0.8 K_t / 4 = 1.2 K_t``, ``K_t = 120 * 1.2^(t-1)``, and the shortfall
    (penalised first) is least with ``x_t = K_t``. So

        required_t = 100 * 1.35^t,  achieved_t = 120 * 1.2^(t-1),  shortfall = required - achieved
        (t = 1: 135, 120, 15;  t = 5: 448.4033..., 248.832, 199.5713...)

    and consumption is 0 until the last year, when investment only has to equal the year
    before's: ``c_5 = 0.8 K_5 - 4 * (0.8 K_4 / 4) = 0.8 * 0.2 * K_4 = 0.16 * 207.36 = 33.1776``.
    The plan's own target (scenario: 50 %) is replaced by the strategy's 35 %.
    """
    eco = one_good(a=0.2, b=4.0, delta=0.0, lag=1, k1=120.0, floor=0.0, last=5, growth=0.5)
    plan = eco.plan.multiyear("great-leap")
    assert plan.status == "optimal"
    sf = plan.shortfall
    assert sf is not None and len(sf) == 5
    for t in range(1, 6):
        row = sf.loc[f"industrial-output-target@{t}"]
        required, achieved = 100 * 1.35 ** t, 120 * 1.2 ** (t - 1)
        assert row["year"] == t
        assert row["required"] == pytest.approx(required, rel=REL)
        assert row["achieved"] == pytest.approx(achieved, rel=REL)
        assert row["shortfall"] == pytest.approx(required - achieved, rel=REL)
        assert row["shortfall_share"] == pytest.approx((required - achieved) / required, rel=REL)
        assert row["achieved"] + row["shortfall"] >= row["required"] * (1 - 1e-9)
    assert plan.consumption.iloc[:4].to_numpy() == pytest.approx(np.zeros(4), abs=1e-9)
    assert plan.consumption[5] == pytest.approx(33.1776, rel=REL)


@pytest.mark.parametrize("floor", [0.0, 10.0])
def test_max_uniform_growth_one_sector(floor):
    """One good, ``a = 0.2``, ``b = 4``, no depreciation, gestation 1, ``K_1 = 120``, base output
    ``x_0 = 100``, consumption floor ``f``, years 1..5. Investing all but the floor each year
    gives the most capacity in every year at once:
    ``K_{t+1} = K_t + (0.8 K_t - f)/4``, i.e. ``K_t = K* + (120 - K*) 1.2^(t-1)`` with
    ``K* = f / 0.8``; a uniform rate ``g`` is feasible iff ``100 (1 + g)^t <= K_t`` for all t, so
    ``g* = min_t (K_t / 100)^(1/t) - 1``.

    ``f = 0``: ``K_t = 120 * 1.2^(t-1)``, ``(1.2^t)^(1/t) = 1.2``, ``g* = 0.2``.
    ``f = 10``: ``K* = 12.5``; K = 120, 141.5, 167.3, 198.26, 235.412; the candidates are
    1.2, 1.415^(1/2) = 1.18954, 1.673^(1/3) = 1.18713, 1.9826^(1/4) = 1.18661 and
    2.35412^(1/5) = 1.18677: year 4 binds, ``g* = 1.9826^(1/4) - 1 = 0.18661``.

    Bisection stops at width ``tol = 1e-4`` and returns the feasible end.
    """
    eco = one_good(a=0.2, b=4.0, delta=0.0, lag=1, k1=120.0, floor=floor, last=5)
    k_star = floor / 0.8
    K = [k_star + (120 - k_star) * 1.2 ** (t - 1) for t in range(1, 6)]
    g_star = min((K[t - 1] / 100) ** (1 / t) for t in range(1, 6)) - 1
    expected = {0.0: 0.2, 10.0: 1.9826 ** 0.25 - 1}[floor]
    assert g_star == pytest.approx(expected, rel=1e-12)
    g = max_uniform_growth(eco, tol=1e-4)
    assert g_star - 1e-4 <= g <= g_star + 1e-7


def test_max_uniform_growth_is_nan_when_even_low_fails():
    """Consumption floor 200 > what 120 of capacity can give (0.8 * 120 = 96): no growth rate is
    feasible, not even ``low = 0``."""
    eco = one_good(a=0.2, b=4.0, delta=0.0, lag=1, k1=120.0, floor=200.0, last=3)
    assert np.isnan(max_uniform_growth(eco))


# =============================================================================================
# 6. The bundled Seven Year Plan
# =============================================================================================
SYP_Q1960 = 2349.95
"""1960 industrial output at 1963 prices, from gross_output.csv and the scenario's prices:
electricity 9139 * 0.02 = 182.78, coal 10620 * 0.012 = 127.44, pig iron 853 * 0.08 = 68.24,
steel 641 * 0.12 = 76.92, rolled steel 474 * 0.18 = 85.32, fertilizers 630 * 0.09 = 56.70,
cement 2285 * 0.03 = 68.55, fabrics 190 * 1.6 = 304, machinery 560, consumer goods 820."""

SYP_BASE_SHARES = {"energy": 310.22 / 5000.40, "heavy": 915.73 / 5000.40, "light": 1124.0 / 5000.40,
                   "agriculture": 570.45 / 5000.40, "other": 2080.0 / 5000.40}
"""Shares of 1960 output value by group: energy 182.78 + 127.44 = 310.22; heavy 68.24 + 76.92 +
85.32 + 56.70 + 68.55 + 560 = 915.73; light 304 + 820 = 1124; agriculture 3803 * 0.15 = 570.45;
other 2080; total 5000.40."""

BUILT_INS = ("free", "heavy-first", "light-first", "balanced", "great-leap")


@pytest.fixture(scope="module")
def syp() -> autarky.Economy:
    return load("seven-year-plan")


@pytest.fixture(scope="module")
def syp_plans(syp) -> dict:
    return {s: syp.plan.multiyear(s) for s in BUILT_INS}


def test_seven_year_plan_built_ins_solve_and_their_rules_hold(syp_plans):
    for name, plan in syp_plans.items():
        assert plan.status == "optimal", name
        assert plan.years == tuple(range(1961, 1968)) and plan.base_year == 1960
        assert plan.industrial_output[1960] == pytest.approx(SYP_Q1960, rel=1e-12)
    hf = shares(syp_plans["heavy-first"], "heavy", "energy").dropna()
    assert len(hf) == 7 and (hf >= 0.6 - 1e-9).all()
    lf = syp_plans["light-first"]
    light, heavy = shares(lf, "agriculture", "light"), shares(lf, "heavy", "energy")
    assert (light.loc[1961:1963] >= 0.5 - 1e-9).all() and light.loc[1961:1963].notna().all()
    assert (heavy.loc[1964:1967] >= 0.6 - 1e-9).all() and heavy.loc[1964:1967].notna().all()
    for group, share in SYP_BASE_SHARES.items():
        s = shares(syp_plans["balanced"], group).dropna()
        assert len(s) == 7 and (abs(s - share) <= 0.05 + 1e-9).all(), group


def test_seven_year_plan_great_leap_reports_shortfall(syp_plans):
    """great-leap: soft targets growing 35 % a year from 1960 industrial output (2349.95)."""
    plan = syp_plans["great-leap"]
    assert plan.status == "optimal"
    sf = plan.shortfall
    assert sf is not None and not sf.empty
    assert sorted(sf["year"]) == list(range(1961, 1968))
    for _, row in sf.iterrows():
        required = SYP_Q1960 * 1.35 ** (row["year"] - 1960)
        assert row["required"] == pytest.approx(required, rel=1e-9)
        assert row["achieved"] + row["shortfall"] >= required * (1 - 1e-9)
        assert row["achieved"] == pytest.approx(plan.industrial_output[row["year"]], rel=1e-9)
    assert (sf["shortfall"] > 0).any()


def test_seven_year_plan_strict_18_percent_is_infeasible(syp):
    plan = syp.plan.multiyear("free", targets="strict")
    assert plan.status == "infeasible"
    assert plan.conflicts
    for c in plan.conflicts:
        assert {"constraint", "bound", "needed"} <= set(c)
        assert CONSTRAINT_NAME.match(c["constraint"]), c["constraint"]
        if "@" in c["constraint"]:
            assert 1961 <= int(c["constraint"].rsplit("@", 1)[1]) <= 1967


def test_targets_override_is_checked(syp):
    with pytest.raises(AutarkyError, match="soft, strict or none"):
        syp.plan.multiyear("free", targets="hard")
    with pytest.raises(AutarkyError, match="unknown strategy"):
        syp.plan.multiyear("heavy-last")


# =============================================================================================
# 7. The command line
# =============================================================================================
def test_cli_plan_json(capsys, syp):
    """JSON of a light-first plan: years, gross output by year and branch, investment by group,
    growth by year; the growth it prints is the growth of industrial output recomputed by hand
    from the gross output it prints (industrial groups energy, heavy, light; 1960: 2349.95)."""
    rc = main(["plan", "seven-year-plan", "--strategy", "light-first", "--format", "json"])
    out = capsys.readouterr().out
    assert rc == 0
    doc = json.loads(out)
    assert {"years", "gross_output", "investment", "growth"} <= set(doc)
    assert doc["years"] == list(range(1961, 1968))
    assert set(doc["gross_output"]) == {str(y) for y in range(1961, 1968)}
    assert set(doc["gross_output"]["1961"]) == set(syp.ids)
    assert set(doc["growth"]) == {str(y) for y in range(1961, 1968)}
    industrial = syp.branches["group"].isin(["energy", "heavy", "light"])
    prices = syp.prices
    q_prev = SYP_Q1960
    for y in range(1961, 1968):
        q = sum(prices[b] * v for b, v in doc["gross_output"][str(y)].items() if industrial[b])
        assert doc["growth"][str(y)] == pytest.approx(q / q_prev - 1, rel=1e-9, abs=1e-12)
        q_prev = q
    inv = doc["investment"]["1961"]
    assert inv["agriculture"] + inv["light"] >= 0.5 * sum(inv.values()) * (1 - 1e-9)


def test_cli_compare_writes_chart(tmp_path, capsys):
    rc = main(["compare", "seven-year-plan", "--strategies", "heavy-first,light-first",
               "--out", str(tmp_path)])
    capsys.readouterr()
    assert rc == 0
    page = (tmp_path / "compare.html").read_text(encoding="utf-8")
    assert "<svg" in page and "heavy-first" in page and "light-first" in page


def test_factor_availability_by_year_overrides_growth() -> None:
    """One good, no inputs, labour 1 per unit, labour 100 growing 10 % a year but stated as 50
    in year 2: output can be at most 110 (year 1: 100 * 1.1) and 50 in year 2, whatever the
    capacity (ample) allows; with consumption the only use, consumption equals output."""
    st = dict(horizon=(1, 3), depreciation=np.zeros(1), gestation=np.ones(1, dtype=int),
                      initial_capacity=np.array([1000.0]),
                      consumption_basket=pd.Series([1.0], index=["g"]),
                      factor_growth={"labour": 0.1},
                      factor_availability_by_year={2: {"labour": 50.0}})
    eco = autarky.Scenario(autarky.Economy(
        pd.DataFrame({"unit": ["t"], "group": ["light"]}, index=["g"]), np.zeros((1, 1)),
        [0.0], year=0, prices=[1.0], capital=[[0.0]], reported_output=[100.0],
        factors=pd.DataFrame({"unit": ["workers"], "availability": [100.0]}, index=["labour"]),
        factor_coefficients=[[1.0]])).replace(**st)
    plan = eco.plan.multiyear("free", targets="none")
    assert plan.ok
    np.testing.assert_allclose(plan.consumption.to_numpy(), [110.0, 50.0, 100.0 * 1.1 ** 3],
                               rtol=1e-9)


def test_a_built_in_rule_on_groups_the_economy_lacks_is_refused_not_silent(
        tmp_path, capsys) -> None:
    """heavy-first asks for 60 % of investment in heavy+energy; an economy grouped as producer
    and consumer goods has neither, and an empty group's share is 0, so the rule would force
    all investment to zero. It is refused, naming the groups; the report leaves it out and says
    so, and compares the strategies that apply (free, balanced, great-leap)."""
    from autarky.cli.app import main
    from autarky.errors import BadValueError
    from autarky.io.writer import write_scenario

    st = dict(horizon=(1, 4), depreciation=np.zeros(2), gestation=np.ones(2, dtype=int),
              initial_capacity=np.array([1.0, 1.0]),
              consumption_basket=pd.Series([0.0, 1.0], index=["k", "c"]))
    scn = economy(["k", "c"], ["producer", "consumer"], np.zeros((2, 2)), [[0.5, 0.5], [0, 0]],
                  [1.0, 1.0], [1.0, 1.0], st, year=0)
    with pytest.raises(BadValueError, match=r"strategy 'heavy-first' has a rule on the groups "
                       r"heavy, energy, and the economy has none of them \(its groups: consumer, "
                       r"producer\)"):
        scn.plan.multiyear("heavy-first")
    free = scn.plan.multiyear("free")
    assert free.ok and free.meta["industry_basis"].startswith("every branch")
    assert np.isfinite(free.multiple())
    path = write_scenario(scn, tmp_path / "two")
    assert main(["report", str(path), "--out", str(tmp_path / "r")]) == 0
    page = (tmp_path / "r" / "compare.html").read_text(encoding="utf-8")
    for name in ("heavy-first", "light-first"):
        assert f"Not compared: <b>{name}</b>" in page
    for name in ("free", "balanced", "great-leap"):
        assert name in page
    assert "Industrial output: every branch (none is in the industry groups" in page
    text = re.sub(r"<svg.*?</svg>|data:[^']*", "", page, flags=re.S)
    assert not re.search(r"\b(nan|inf)\b", text, flags=re.I)


def test_a_basket_table_replaces_the_consumption_category_it_stands_for() -> None:
    """The same basket given two ways, as the final-demand category ``consumption`` or as a
    table of the same numbers, is the same plan: a table does not leave the recorded
    consumption held fixed on top of ``c_t b`` (that counted it twice). Government use stays
    exogenous either way."""
    n = 2
    branches = pd.DataFrame({"unit": ["unit"] * n, "group": ["heavy", "light"]},
                            index=["k", "c"])
    fd = pd.DataFrame({"consumption": [0.0, 10.0], "government": [1.0, 2.0]}, index=["k", "c"])
    eco = autarky.Economy(branches, np.array([[0.1, 0.2], [0.0, 0.1]]), fd, year=0,
                          prices=[1.0, 1.0], capital=np.array([[0.5, 0.5], [0.0, 0.0]]),
                          reported_output=[20.0, 20.0])
    st = dict(horizon=(1, 4), depreciation=np.zeros(2), gestation=np.ones(2, dtype=int),
              initial_capacity=np.array([20.0, 20.0]))
    by_category = autarky.Scenario(eco).replace(**st, consumption_basket="consumption")
    by_table = autarky.Scenario(eco).replace(
        **st, consumption_basket=pd.Series([0.0, 10.0], index=["k", "c"]))
    a, b = by_category.plan.multiyear(), by_table.plan.multiyear()
    assert a.ok and b.ok
    np.testing.assert_allclose(b.consumption.to_numpy(), a.consumption.to_numpy(), rtol=1e-9)
    np.testing.assert_allclose(b.gross_output.to_numpy(), a.gross_output.to_numpy(), rtol=1e-9)
