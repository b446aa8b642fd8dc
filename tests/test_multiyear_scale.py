"""Multi-year plans built in non-zeros: sparse capital coefficients, the certificate, and the
largest uniform growth as a rate proven feasible (issue 12, goal 4)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp

from autarky.plan.multiyear import build_model, max_uniform_growth
from autarky.testing import random_multiyear_scenario

sparse_multiyear = random_multiyear_scenario


def test_sparse_and_dense_capital_give_the_same_program_and_plan() -> None:
    sparse_scn = sparse_multiyear(40, 4, 1)
    dense_scn = sparse_multiyear(40, 4, 1, dense_capital=True)
    a, b = build_model(sparse_scn, "heavy-first").lp, build_model(dense_scn, "heavy-first").lp
    assert a.shape == b.shape
    # equal up to the order of summation (a dense and a sparse product add in different orders)
    assert abs(sp.csr_array(a.M) - sp.csr_array(b.M)).max() <= 1e-15 * abs(a.M).max()
    np.testing.assert_allclose(a.c, b.c, rtol=1e-14)
    np.testing.assert_array_equal(a.row_lower, b.row_lower)
    pa, pb = sparse_scn.plan.multiyear("heavy-first"), dense_scn.plan.multiyear("heavy-first")
    assert pa.ok and pb.ok
    np.testing.assert_allclose(pa.consumption.to_numpy(), pb.consumption.to_numpy(), rtol=1e-9)


def test_the_build_holds_no_dense_n_by_n_array() -> None:
    n = 4000
    scn = sparse_multiyear(n, 3, 2)
    build_model(scn, "heavy-first")  # caches (the balance) filled before the measurement
    tracemalloc.start()
    try:
        model = build_model(scn, "heavy-first")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    dense = 8 * n * n  # one float64 n x n array: 128 MB
    assert peak < dense / 2, f"peak {peak / 1e6:.0f} MB against {dense / 1e6:.0f} MB dense"
    assert peak < 400 * model.lp.M.nnz  # linear in the program's non-zeros


def test_the_plan_meets_every_balance_and_capacity_in_its_own_units() -> None:
    """Checked with numpy from the returned tables, not from the LP: the balance
    ``x - A x - B dK - c b >= f`` and capacity ``x <= K`` every year, to 1e-9 relative; the
    certificate reports the LP check."""
    scn = sparse_multiyear(60, 5, 3)
    plan = scn.plan.multiyear("free")
    assert plan.ok
    eco = scn.economy
    A, B = sp.csr_array(eco.A), sp.csr_array(eco.array("capital"))
    fd = eco.final_demand
    basket, exogenous = fd["consumption"].to_numpy(), fd["government"].to_numpy()
    for y in plan.years:
        x = plan.gross_output.loc[y].to_numpy()
        dk = plan.new_capacity.loc[y].to_numpy()
        c = float(plan.consumption.loc[y])
        net = x - A @ x - B @ dk - c * basket - exogenous
        assert net.min() >= -1e-9 * np.abs(x).max()
        assert (x - plan.capacity.loc[y].to_numpy()).max() <= 1e-9 * np.abs(x).max()
    cert = plan.certificate
    assert cert["method"] == "HiGHS simplex"
    assert cert["max_violation"] <= 1e-7 and abs(cert["duality_gap"]) <= 1e-7
    assert cert["fallback"] == []


@pytest.mark.parametrize("no_waste", [False, True])
def test_max_uniform_growth_is_a_feasible_rate_at_the_edge(no_waste: bool) -> None:
    scn = sparse_multiyear(30, 4, 4)
    tol = 1e-3
    g = max_uniform_growth(scn, "free", tol=tol, no_waste=no_waste)
    assert 0.0 <= g < 1.0
    at = build_model(scn, "free", targets="strict", target_growth=g, no_waste=no_waste)
    beyond = build_model(scn, "free", targets="strict", target_growth=g + 2 * tol,
                         no_waste=no_waste)
    from autarky.solve.lp import solve_lp

    assert solve_lp(at.lp).status == "optimal"
    assert solve_lp(beyond.lp, solver="ipm").status != "optimal"


def test_auto_solves_a_large_plan_by_the_interior_point_method_with_the_simplex_answer() -> None:
    from autarky.plan import multiyear as my

    scn = sparse_multiyear(110, 7, 5)
    assert build_model(scn, "free").lp.shape[0] >= my.IPM_MIN_ROWS
    auto = scn.plan.multiyear("free")
    simplex = scn.plan.multiyear("free", solver="simplex")
    assert auto.certificate["method"] == "HiGHS ipm"
    assert simplex.certificate["method"] == "HiGHS simplex"
    # both answers are checked to 1e-7 (violation and gap) in the model's own units
    assert auto.objective_value == pytest.approx(simplex.objective_value, rel=1e-7)
    np.testing.assert_allclose(auto.consumption.to_numpy(), simplex.consumption.to_numpy(),
                               rtol=1e-7)
    small = sparse_multiyear(20, 3, 5)
    assert small.plan.multiyear("free").certificate["method"] == "HiGHS simplex"
