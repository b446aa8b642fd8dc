"""LP numerics you can trust: answers that do not depend on the units, checked against their
constraints, and dual to within solver tolerance, for all three LPs (the one-year plan, the
self-reliance LP under caps and shocks, the multi-year plan).

The checks of duality here are written out in the test (not with the library's own check): for
``max c'v`` s.t. ``lo <= M v <= hi``, ``l <= v <= u`` with duals ``y`` (rows) and ``d`` (columns)
in the derivative convention, an optimum satisfies stationarity ``c = M'y + d``, complementary
slackness (a non-zero dual only on an active bound, positive at an upper bound, negative at a
lower one) and strong duality ``c'v = sum_i y_i b_i + sum_j d_j u_j`` with ``b, u`` the bounds
the duals price.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autarky import Economy, Scenario
from autarky.plan import multiyear as my
from autarky.plan.optimize import build_model, optimize
from autarky.reliance.cost import cost_of_autarky
from autarky.reliance.indicators import indicators
from autarky.reliance.model import base_case
from autarky.reliance.stress import parse_shock, shocked_data, stress
from autarky.solve.lp import LinearProgram, LPResult, solve_lp

# ---------------------------------------------------------------------------- kWh and t
#: Electricity in kWh, steel in t: coefficients from 5e-10 to 500 in one LP.
KWH_A = np.array([[0.08, 500.0],      # kWh of electricity per kWh, per t of steel
                  [2e-6, 0.05]])      # t of steel per kWh, per t
KWH_L = np.array([5e-10, 0.008])      # thousand workers per kWh, per t
KWH_D = np.array([1.5e9, 1.0e5])      # target: kWh, t
KWH_LABOUR = 1000.0                   # thousand workers


def kwh_economy() -> Economy:
    return Economy.from_coefficients(
        KWH_A, KWH_D, branches=["electricity", "steel"], units=["kWh", "t"],
        factors=pd.DataFrame({"unit": ["thousand workers"], "availability": [KWH_LABOUR]},
                             index=["labour"]), factor_coefficients=[KWH_L])


def test_kwh_and_t_closed_form_by_the_lp_path() -> None:
    """Labour alone binds, so ``lam* = 1000 / (l' (I - A)^-1 d)``. With
    ``I - A = [[0.92, -500], [-2e-6, 0.95]]``, det ``= 0.874 - 0.001 = 0.873``,
    ``(I - A)^-1 d = (0.95 * 1.5e9 + 500 * 1e5, 2e-6 * 1.5e9 + 0.92 * 1e5) / 0.873
    = (1.475e9, 95000) / 0.873`` and ``l' x = (0.7375 + 760) / 0.873 = 760.7375 / 0.873``:
    ``lam* = 873 / 760.7375 = 1.147571...``. The labour coefficient of electricity (5e-10) is one
    HiGHS drops when it is handed the LP unscaled (below its 1e-9 ``small_matrix_value``); see
    bench/lp_checks.py for the bare solve."""
    lam = 873.0 / 760.7375
    eco = kwh_economy()
    assert optimize(eco).fulfilment == pytest.approx(lam, rel=1e-12)  # the closed form
    plan = optimize(eco, method="lp")
    assert plan.fulfilment == pytest.approx(lam, rel=1e-10)
    assert plan.check is not None and plan.check["primal_violation"] < 1e-9
    # in MWh and kt the same economy, the same answer
    mwh = eco.rescale("electricity", 1000.0, "MWh").rescale("steel", 1000.0, "kt")
    assert optimize(mwh, method="lp").fulfilment == pytest.approx(lam, rel=1e-10)


# ---------------------------------------------------------------------------- random economies
def random_case(seed: int, *, n: int = 3, trade: bool = True, prices: bool = False,
                capital: bool = False) -> Economy:
    """A productive economy with labour (positive coefficients, the only limit), import shares
    from two partners, recorded exports and, with ``prices``, trade prices and aid."""
    rng = np.random.default_rng(seed)
    A = rng.uniform(0, 1, (n, n))
    A *= rng.uniform(0.2, 0.7, n) / A.sum(axis=0)
    ids = [f"b{i}" for i in range(n)]
    kw: dict[str, object] = {}
    if trade:
        S = rng.uniform(0, 0.4, (2, n)) * (rng.uniform(0, 1, (2, n)) < 0.7)
        kw.update(partners=pd.DataFrame(index=["p", "q"]), import_shares=S,
                  exports=rng.uniform(0, 5, (2, n)) * (rng.uniform(0, 1, (2, n)) < 0.5))
        if prices:
            kw.update(import_prices=rng.uniform(0.5, 2.0, (2, n)),
                      export_prices=rng.uniform(0.5, 1.5, (2, n)),
                      aid=rng.uniform(0, 20, 2), prices=rng.uniform(0.5, 2.0, n))
    if capital:
        kw.update(capital=rng.uniform(0, 0.5, (n, n)), prices=rng.uniform(0.5, 2.0, n))
    y = rng.uniform(10, 100, n)
    F = rng.uniform(0.1, 1.0, (1, n))
    need = float((F @ np.linalg.solve(np.eye(n) - A, y))[0])
    return Economy.from_coefficients(
        A, y, branches=ids, units=[f"u{i}" for i in range(n)],
        factors=pd.DataFrame({"unit": ["w"], "availability": [need * rng.uniform(0.5, 1.5)]},
                             index=["labour"]), factor_coefficients=F,
        reported_output=np.linalg.solve(np.eye(n) - A, y), **kw)


def check_duality(lp: LinearProgram, res: LPResult, tol: float = 1e-7) -> None:
    """Stationarity, complementary slackness and strong duality, written out."""
    assert res.status == "optimal"
    x, y, d = res.x, res.row_dual, res.col_dual
    a = lp.M @ x
    scale = max(1.0, float(np.abs(lp.c).max()), float(np.abs(y).max()), float(np.abs(d).max()))
    size = np.maximum(1.0, abs(lp.M) @ np.abs(x))
    # primal feasibility, in the model's units
    assert np.all(a >= lp.row_lower - tol * size) and np.all(a <= lp.row_upper + tol * size)
    assert np.all(x >= lp.col_lower - tol * np.maximum(1, abs(x)))
    assert np.all(x <= lp.col_upper + tol * np.maximum(1, abs(x)))
    # stationarity, relative to the size of each column's terms
    stat = lp.c - lp.M.T @ y - d
    terms = np.maximum.reduce([np.abs(lp.c), abs(lp.M).T @ np.abs(y), np.abs(d),
                               np.full(len(x), 1e-300)])
    assert np.all(np.abs(stat) <= 1e-7 * np.maximum(terms, 1e-12 * scale))
    # complementary slackness: a dual on an active bound only, with its sign
    for i in np.flatnonzero(np.abs(y) > tol * scale):
        bound = lp.row_upper[i] if y[i] > 0 else lp.row_lower[i]
        assert np.isfinite(bound) and abs(a[i] - bound) <= 1e-6 * size[i]
    for j in np.flatnonzero(np.abs(d) > tol * scale):
        bound = lp.col_upper[j] if d[j] > 0 else lp.col_lower[j]
        assert np.isfinite(bound) and abs(x[j] - bound) <= 1e-6 * max(1.0, abs(x[j]))
    # strong duality
    rb = np.where(y > 0, lp.row_upper, lp.row_lower)
    cb = np.where(d > 0, lp.col_upper, lp.col_lower)
    dual_obj = float(np.sum(np.where(y != 0, y * np.nan_to_num(rb), 0.0))
                     + np.sum(np.where(d != 0, d * np.nan_to_num(cb), 0.0)))
    assert float(lp.c @ x) == pytest.approx(dual_obj, rel=1e-7, abs=1e-7 * scale)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31 - 1), st.booleans())
def test_one_year_plan_is_dual(seed: int, prices: bool) -> None:
    eco = random_case(seed, prices=prices)
    model = build_model(eco)
    check_duality(model.lp, solve_lp(model.lp))


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31 - 1), st.floats(0.0, 1.0, allow_subnormal=False),
       st.sampled_from(["partner:p", "aid",
                                                                         "capacity:b0:0.3",
                                                                         "demand:b1:0.5"]))
def test_self_reliance_lp_under_caps_and_shocks_is_dual(seed: int, kappa: float, shock: str) -> None:
    from dataclasses import replace

    eco = Scenario(random_case(seed, prices=True))
    data = base_case(eco)
    data = replace(data, import_scale=data.import_scale * kappa)
    base = build_model(eco, data)
    res = solve_lp(base.lp)
    check_duality(base.lp, res)
    x = res.x[base.builder.blocks["output"]]
    shocked = build_model(eco, shocked_data(eco, data, parse_shock(shock, eco), x))
    res2 = solve_lp(shocked.lp)
    if res2.status == "optimal":
        check_duality(shocked.lp, res2)


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 2**31 - 1), st.booleans(), st.integers(1, 3))
def test_multiyear_plan_is_dual(seed: int, prices: bool, years: int) -> None:
    eco = random_case(seed, prices=prices, capital=True)
    scn = Scenario(eco).replace(horizon=(1, years), year=0, depreciation=np.full(eco.n, 0.05),
                                initial_capacity=eco.reported_output.to_numpy() * 1.2)
    model = my.build_model(scn, "free", targets="none")
    res = solve_lp(model.lp)
    check_duality(model.lp, res)


# ---------------------------------------------------------------------------- unit invariance
@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**31 - 1), st.floats(-6.0, 6.0), st.integers(0, 2))
def test_one_year_plan_does_not_depend_on_units(seed: int, log10: float, k: int) -> None:
    """Measuring branch k in a unit f times larger (f from 1e-6 to 1e6) leaves the fulfilment
    unchanged to 1e-7 and divides that branch's output by f, multiplies its shadow price by f."""
    f = 10.0 ** log10
    eco = random_case(seed)
    b = eco.ids[k]
    p0 = optimize(eco, method="lp")
    p1 = optimize(eco.rescale(b, f, "big"), method="lp")
    assert p0.ok and p1.ok
    assert p1.fulfilment == pytest.approx(p0.fulfilment, rel=1e-7)
    assert float(p1.gross_output[b]) == pytest.approx(float(p0.gross_output[b]) / f, rel=1e-7)
    assert float(p1.shadow_prices[b]) == pytest.approx(float(p0.shadow_prices[b]) * f,
                                                       rel=1e-6, abs=1e-12 * f)
    other = [i for i in eco.ids if i != b]
    np.testing.assert_allclose(p1.gross_output[other], p0.gross_output[other], rtol=1e-7)
    np.testing.assert_allclose(p1.factor_prices, p0.factor_prices, rtol=1e-6)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31 - 1), st.floats(-6.0, 6.0), st.integers(0, 2))
def test_self_reliance_lps_do_not_depend_on_units(seed: int, log10: float, k: int) -> None:
    """With trade prices, aid and foreign exchange: the stress test and the cost of autarky give
    the same fulfilments in any unit of any branch (and of money)."""
    f = 10.0 ** log10
    eco = random_case(seed, prices=True)
    big = eco.rescale(eco.ids[k], f, "big")
    money = eco.rescale_currency(f, "big money")
    for other in (big, money):
        a, b = stress(eco, "partner:p", propagate_too=False), stress(other, "partner:p",
                                                                     propagate_too=False)
        assert b.replanned["fulfilment_base"] == pytest.approx(a.replanned["fulfilment_base"],
                                                               rel=1e-7)
        assert b.replanned["fulfilment"] == pytest.approx(a.replanned["fulfilment"], rel=1e-7)
        ca = cost_of_autarky(eco, caps=[1.0, 0.5, 0.0]).curve["fulfilment"]
        cb = cost_of_autarky(other, caps=[1.0, 0.5, 0.0]).curve["fulfilment"]
        np.testing.assert_allclose(cb.to_numpy(), ca.to_numpy(), rtol=1e-7)


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**31 - 1), st.floats(-6.0, 6.0), st.integers(0, 2))
def test_multiyear_plan_does_not_depend_on_units(seed: int, log10: float, k: int) -> None:
    """The multi-year objective (consumption) and each year's output of the rescaled branch, in
    its new unit, follow the unit."""
    f = 10.0 ** log10
    eco = random_case(seed, prices=True, capital=True)
    scn = Scenario(eco).replace(horizon=(1, 2), year=0, depreciation=np.full(eco.n, 0.05),
                                initial_capacity=eco.reported_output.to_numpy() * 1.2)
    b = eco.ids[k]
    a = my.multiyear(scn, "free", targets="none")
    c = my.multiyear(scn.rescale(b, f, "big"), "free", targets="none")
    assert a.ok and c.ok
    np.testing.assert_allclose(c.consumption.to_numpy(), a.consumption.to_numpy(), rtol=1e-6)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_lp_answers_do_not_depend_on_branch_order(seed: int) -> None:
    eco = random_case(seed, prices=True)
    order = eco.ids[::-1]
    p0 = optimize(eco)
    p1 = optimize(eco.reorder(order))
    assert p1.fulfilment == pytest.approx(p0.fulfilment, rel=1e-9)
    s0 = stress(eco, "partner:q", propagate_too=False).replanned["fulfilment"]
    s1 = stress(eco.reorder(order), "partner:q", propagate_too=False).replanned["fulfilment"]
    assert s1 == pytest.approx(s0, rel=1e-9)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**31 - 1), st.floats(-6.0, 6.0), st.integers(0, 2))
def test_indicators_do_not_depend_on_order_or_units(seed: int, log10: float, k: int) -> None:
    """Shares of value (import content, domestic value added, self-sufficiency, import share,
    concentration) are unit-free and follow the branches when they are reordered."""
    eco = random_case(seed, prices=True)
    f = 10.0 ** log10
    cols = ["import_content", "domestic_value_added", "self_sufficiency", "import_share",
            "concentration"]
    t0 = indicators(eco).table[cols]
    t1 = indicators(eco.rescale(eco.ids[k], f, "big")).table[cols]
    np.testing.assert_allclose(t1.to_numpy(), t0.to_numpy(), rtol=1e-8, atol=1e-12)
    order = [eco.ids[i] for i in (2, 0, 1)]
    t2 = indicators(eco.reorder(order)).table[cols].loc[eco.ids]
    np.testing.assert_allclose(t2.to_numpy(), t0.to_numpy(), rtol=1e-10, atol=1e-14)


# ---------------------------------------------------------------------------- the check
def test_an_answer_that_violates_its_program_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A solver answer off by more than 1e-7 is solved again with tighter tolerances; one that
    still violates its program comes back as an error, never as optimal."""
    import scipy.sparse as sp

    from autarky.solve import lp as lpmod

    M = sp.csr_array(np.array([[1.0, 1.0]]))
    prog = LinearProgram(np.ones(2), M, np.array([-np.inf]), np.array([1.0]), np.zeros(2),
                         np.full(2, np.inf))
    real = lpmod._run

    class Bad:
        def __init__(self, h: object) -> None:
            self._h = h

        def __getattr__(self, name: str) -> object:
            return getattr(self._h, name)

        def getSolution(self) -> object:
            sol = self._h.getSolution()
            sol.col_value = [v + 1e-3 for v in sol.col_value]
            return sol

    calls = []

    def bad_run(*args: object, **kwargs: object) -> object:
        calls.append(kwargs.get("tight", args[-1]))
        return Bad(real(*args, **kwargs))  # type: ignore[arg-type]

    monkeypatch.setattr(lpmod, "_run", bad_run)
    res = solve_lp(prog)
    assert res.status == "error" and "violates" in res.message
    assert res.check is not None and res.check.resolved and res.check.primal > 1e-7
    assert len(calls) == 2


# ------------------------------------------------------------- the bundled cases
def test_dprk_optimal_plan_with_coal_in_kg() -> None:
    """At commit 9262aa8 the optimal plan of dprk-1963 gave 1.05933 with coal in kg against
    1.05854 in thousand t. Coal in kg (1 kg = 1e-6 thousand t): the same fulfilment, coal's
    output a million times larger, every other branch's the same."""
    from autarky import data

    eco = data.load("dprk-1963")
    a = eco.plan.optimize()
    b = eco.rescale("coal", 1e-6, "kg").plan.optimize()
    assert b.fulfilment == pytest.approx(a.fulfilment, rel=1e-9)
    ratio = b.gross_output / a.gross_output
    assert ratio["coal"] == pytest.approx(1e6, rel=1e-9)
    np.testing.assert_allclose(ratio.drop("coal").to_numpy(), 1.0, rtol=1e-9)


@pytest.mark.parametrize("strategy", ["balanced", "heavy-first", "light-first"])
def test_seven_year_plan_with_coal_in_kg(strategy: str) -> None:
    """At commit 9262aa8 the Seven Year Plan with coal in kg had its consumption path off by up
    to 23 % and the machinery balance broken by 10-14 % a year. Now every year's consumption and
    every branch's output (coal's in kg) agree with the plan in thousand t."""
    from autarky import data

    syp = data.load("seven-year-plan")
    a = my.multiyear(syp, strategy)
    b = my.multiyear(syp.rescale("coal", 1e-6, "kg"), strategy)
    assert a.ok and b.ok
    np.testing.assert_allclose(b.consumption.to_numpy(), a.consumption.to_numpy(), rtol=1e-7)
    x_a, x_b = a.gross_output, b.gross_output
    np.testing.assert_allclose(x_b["coal"].to_numpy(), 1e6 * x_a["coal"].to_numpy(), rtol=1e-7)
    np.testing.assert_allclose(x_b.drop(columns="coal").to_numpy(),
                               x_a.drop(columns="coal").to_numpy(), rtol=1e-7)
