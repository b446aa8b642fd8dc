"""The structured max-min plan (:mod:`autarky.plan.structured`) against HiGHS simplex, and its
certificate checked independently: primal feasibility in the model's own units, stationarity of
the duals, and the dual objective equal to the primal one (the duals prove the gap)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autarky import Economy, Scenario
from autarky.plan.optimize import build_model, optimize
from autarky.plan.structured import solve_structured
from autarky.solve.lp import LinearProgram, solve_lp
from autarky.testing import random_technology


def trade_economy(n: int, seed: int, *, partners: int = 2, factors: int = 2,
                  tight: float = 0.05, bilateral: bool = False, sparse: bool = False,
                  spectral: float = 0.8) -> Economy:
    """Imports from several partners (recorded shares, open offers at a price), recorded and
    priced exports with limits, aid, ``factors`` factors at 90 % of what the balance needs,
    capacities tight (1.0-1.2 x the balance) on a share ``tight`` of the branches."""
    rng = np.random.default_rng(seed)
    A = random_technology(n, density=min(1.0, 8 / n), spectral=spectral, seed=rng,
                          sparse=sparse)
    d = rng.uniform(1, 10, n)
    P = partners
    shares = np.where(rng.uniform(0, 1, (P, n)) < 0.3, rng.uniform(0.02, 0.15, (P, n)), 0.0)
    exports = np.where(rng.uniform(0, 1, (P, n)) < 0.2, rng.uniform(0.05, 0.2, (P, n)) * d, 0.0)
    iprice = np.where((shares > 0) | (rng.uniform(0, 1, (P, n)) < 0.25),
                      rng.uniform(0.8, 1.5, (P, n)), np.nan)
    priced = (exports > 0) | (rng.uniform(0, 1, (P, n)) < 0.1)
    eprice = np.where(priced, rng.uniform(0.7, 1.2, (P, n)), np.nan)
    elimit = np.where(priced, 3.0 * (exports + 0.1 * d), np.inf)
    F = rng.uniform(0.1, 1.0, (factors, n))
    fac = pd.DataFrame({"unit": ["workers"] * factors}, index=[f"f{k}" for k in range(factors)])
    eco = Economy.from_coefficients(
        A, d, factors=fac, factor_coefficients=F,
        partners=pd.DataFrame(index=[f"p{k}" for k in range(P)]), import_shares=shares,
        exports=exports, import_prices=iprice, export_prices=eprice, export_limits=elimit,
        aid=list(rng.uniform(0.005, 0.02, P) * d.sum()), prices=np.ones(n))
    x = eco.plan.balance().gross_output.to_numpy()
    capf = np.where(rng.uniform(0, 1, n) < tight, rng.uniform(1.0, 1.2, n),
                    rng.uniform(1.5, 3.0, n))
    eco = eco.replace(factor_availability=list(0.9 * (F @ x)), capacity=x * capf)
    return eco


def dual_objective(lp: LinearProgram, y: np.ndarray, z: np.ndarray) -> float:
    """``sum`` of each dual times the bound it prices (upper for positive, lower for negative)."""
    def part(dual: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
        b = np.where(dual > 0, hi, lo)
        keep = dual != 0
        assert np.all(np.isfinite(b[keep])), "a dual prices a bound that does not exist"
        return float(dual[keep] @ b[keep])
    return part(y, lp.row_lower, lp.row_upper) + part(z, lp.col_lower, lp.col_upper)


def assert_certified(lp: LinearProgram, res: object, ref_objective: float) -> None:
    x, y, z = res.x, res.row_dual, res.col_dual  # type: ignore[attr-defined]
    M = sp.csr_array(lp.M)
    a = M @ x
    size = np.maximum(1.0, abs(M) @ np.abs(x))
    viol = np.maximum(np.nan_to_num(lp.row_lower - a, neginf=0.0),
                      np.nan_to_num(a - lp.row_upper, neginf=0.0)) / size
    assert viol.max(initial=0.0) <= 1e-9
    assert np.all(x >= lp.col_lower - 1e-9 * np.maximum(1.0, np.abs(x)))
    assert np.all(x <= lp.col_upper + 1e-9 * np.maximum(1.0, np.abs(x)))
    # stationarity: c = M'y + z, to rounding
    terms = np.maximum(np.abs(lp.c), abs(M).T @ np.abs(y)) + np.abs(z) + 1e-300
    assert np.max(np.abs(lp.c - M.T @ y - z) / terms) <= 1e-9
    primal = float(lp.c @ x)
    assert abs(dual_objective(lp, y, z) - primal) <= 1e-9 * max(1.0, abs(primal))
    assert abs(primal - ref_objective) <= 1e-9 * max(1.0, abs(ref_objective))


CASES = [  # n, seed, partners, factors, tight, bilateral
    (20, 0, 2, 1, 0.0, False),
    (40, 1, 2, 2, 0.05, False),
    (60, 2, 3, 2, 0.1, False),
    (60, 3, 2, 3, 0.2, True),
    (150, 4, 3, 2, 0.05, False),
    (250, 5, 2, 2, 0.05, True),
]


@pytest.mark.parametrize(("n", "seed", "partners", "factors", "tight", "bilateral"), CASES)
def test_structured_agrees_with_simplex(n: int, seed: int, partners: int, factors: int,
                                        tight: float, bilateral: bool) -> None:
    eco = trade_economy(n, seed, partners=partners, factors=factors, tight=tight)
    scn = Scenario(eco).replace(foreign_exchange="bilateral") if bilateral else eco
    model = build_model(scn)
    ref = solve_lp(model.lp, tol=1e-9)
    assert ref.status == "optimal"
    out = solve_structured(model)
    assert out.result is not None, out.reason
    assert out.result.check is not None and out.result.check.ok
    assert_certified(model.lp, out.result, ref.objective)


def test_binding_capacities_are_exact() -> None:
    eco = trade_economy(80, 7, tight=0.3)
    model = build_model(eco)
    out = solve_structured(model)
    assert out.result is not None, out.reason
    x = out.result.x[model.builder.blocks["output"]]
    cap = eco.capacity.to_numpy()
    at_cap = np.isclose(x, cap, rtol=1e-12)
    assert at_cap.sum() >= 1  # some capacities bind, and exactly
    rent = out.result.col_dual[model.builder.blocks["output"]]
    assert np.all(rent[~at_cap] <= 1e-12)
    assert_certified(model.lp, out.result, solve_lp(model.lp, tol=1e-9).objective)


def hand_economy() -> Economy:
    """Two products without inputs: labour 1 per a, 2 per b, 100 available; target (10, 10);
    b imported at 1 per unit, a exported at 1.5 up to 20; aid 5."""
    return Economy.from_coefficients(
        np.zeros((2, 2)), [10.0, 10.0], branches=["a", "b"],
        factors=pd.DataFrame({"unit": ["workers"], "availability": [100.0]}, index=["labour"]),
        factor_coefficients=[[1.0, 2.0]], partners=pd.DataFrame(index=["p"]),
        import_prices=[[np.nan, 1.0]], export_prices=[[1.5, np.nan]],
        export_limits=[[20.0, np.inf]], aid=[5.0], prices=[1.0, 1.0])


def test_hand_solved_choice() -> None:
    """Importing b costs 1 currency unit = 2/3 of a worker through exports of a, against 2
    workers at home: exports run to their limit (20, earning 30, plus aid 5 buys 35 of b), the
    rest of b is made at home: 10 lam + 20 + 2 (10 lam - 35) = 100, so lam = 5. Duals: the
    wage w, the exchange price mu = 2 w (b at home and abroad at the margin), and
    d'p = 10 w + 20 w = 1: w = 1/30, mu = 1/15, the export limit's rent 1.5 mu - w = 1/15;
    100 w + 5 mu + 20 / 15 = 5."""
    plan = optimize(hand_economy(), method="structured")
    assert plan.certificate["method"] == "structured", plan.certificate
    assert plan.fulfilment == pytest.approx(5.0, rel=1e-12)
    assert float(plan.imports.loc["p", "b"]) == pytest.approx(35.0, rel=1e-12)
    assert float(plan.exports.loc["p", "a"]) == pytest.approx(20.0, rel=1e-12)
    assert plan.gross_output.to_numpy() == pytest.approx([70.0, 15.0], rel=1e-12)
    assert float(plan.factor_prices["labour"]) == pytest.approx(1 / 30, rel=1e-12)
    assert plan.exchange_price == pytest.approx(1 / 15, rel=1e-12)
    assert plan.shadow_prices.to_numpy() == pytest.approx([1 / 30, 1 / 15], rel=1e-12)
    assert plan.certificate["duality_gap"] <= 1e-12
    assert plan.certificate["max_violation"] <= 1e-12


def test_every_answer_carries_its_certificate() -> None:
    eco = trade_economy(30, 11)
    for method in ("structured", "lp"):
        cert = optimize(eco, method=method).certificate
        assert set(cert) >= {"method", "duality_gap", "max_violation", "fallback"}
        assert cert["duality_gap"] <= 1e-7 and cert["max_violation"] <= 1e-7
    assert optimize(eco, method="lp").certificate["method"] == "HiGHS simplex"


def test_other_objectives_fall_back_and_say_so() -> None:
    eco = trade_economy(30, 12)
    plan = optimize(eco, method="structured", objective="weighted")
    assert plan.ok
    assert plan.certificate["method"] == "HiGHS simplex"
    assert any("max-min" in f for f in plan.certificate["fallback"])


def test_infeasible_plan_falls_back_and_is_explained() -> None:
    eco = trade_economy(30, 13)
    plan = optimize(eco, method="structured", min_fulfilment=50.0)
    assert plan.status == "infeasible"
    assert plan.certificate["fallback"]
    assert plan.conflicts


def test_near_singular_economy_agrees_or_falls_back() -> None:
    """Spectral radius 0.999: the structured answer is certified and equal to simplex's, or
    the method declines and the plan says so."""
    eco = trade_economy(40, 14, spectral=0.999, tight=0.0)
    model = build_model(eco)
    out = solve_structured(model)
    ref = solve_lp(model.lp, tol=1e-9)
    if out.result is not None and out.result.check is not None and out.result.check.ok:
        assert_certified(model.lp, out.result, ref.objective)
    else:
        plan = optimize(eco, method="structured")
        assert plan.certificate["fallback"]
        assert plan.objective_value == pytest.approx(ref.objective, rel=1e-9)


def test_pdlp_answer_is_checked_or_replaced() -> None:
    eco = trade_economy(40, 15)
    plan = optimize(eco, method="lp", solver="pdlp")
    ref = optimize(eco, method="lp")
    assert plan.ok
    assert plan.certificate["max_violation"] <= 1e-7
    if plan.certificate["method"] == "HiGHS simplex":
        assert any("pdlp" in f for f in plan.certificate["fallback"])
    assert plan.fulfilment == pytest.approx(ref.fulfilment, rel=1e-6)


def test_sparse_technology() -> None:
    eco = trade_economy(700, 16, sparse=True, tight=0.02)
    model = build_model(eco)
    out = solve_structured(model)
    assert out.result is not None, out.reason
    assert_certified(model.lp, out.result, solve_lp(model.lp, tol=1e-9).objective)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), which=st.integers(0, 24),
       factor=st.sampled_from([1e-3, 0.5, 7.0, 1e4]))
def test_independent_of_units(seed: int, which: int, factor: float) -> None:
    eco = trade_economy(25, seed, tight=0.1)
    branch = eco.ids[which]
    other = eco.rescale(branch, factor, "new unit")
    a, b = optimize(eco, method="structured"), optimize(other, method="structured")
    assert a.certificate["method"] == b.certificate["method"] == "structured"
    assert b.fulfilment == pytest.approx(a.fulfilment, rel=1e-9)
    xa, xb = a.gross_output, b.gross_output
    assert float(xb[branch]) * factor == pytest.approx(float(xa[branch]), rel=1e-8, abs=1e-9)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), perm_seed=st.integers(0, 10_000))
def test_independent_of_branch_order(seed: int, perm_seed: int) -> None:
    eco = trade_economy(25, seed, tight=0.1)
    order = list(np.random.default_rng(perm_seed).permutation(eco.ids))
    a, b = optimize(eco, method="structured"), optimize(eco.reorder(order), method="structured")
    assert b.fulfilment == pytest.approx(a.fulfilment, rel=1e-9)
    assert b.objective_value == pytest.approx(a.objective_value, rel=1e-9)
