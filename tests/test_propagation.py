"""Week-by-week shock propagation (``autarky.solve.propagation``), checked against hand-worked cases.

Notation as in the module docstring: ``O_ij(t) = max(0, a_ij d_j(t-1) + gamma (S*_ij - S_ij(t)))``,
``d_i(t) = sum_j O_ij(t) + f_i(t)``, ``x_j(t) = min(cap_j(t), d_j(t), S_ij(t) / a_ij, ...)``,
``S_ij(t+1) = S_ij(t) + delivered_ij(t) - a_ij x_j(t)``; ``gamma = 0.5`` throughout.

The three-branch network N3
---------------------------
Branch 0 makes a part with no inputs; branch 1 needs 0.375 of it per unit, branch 2 needs 0.125:

    A[0, 1] = 0.375, A[0, 2] = 0.125, all other a_ij = 0
    x0 = (10, 8, 8),  f0 = (6, 8, 8)      (product 0: 0.375*8 + 0.125*8 + 6 = 3 + 1 + 6 = 10)

With 7 days of inventory, S_01 = S*_01 = 3 and S_02 = S*_02 = 1 (one week of use). Shock: branch 0's
capacity is halved in week 0 only, so x_0(0) = 5 against orders 3 (branch 1) + 1 (branch 2) + 6
(final demand) = 10. Branches 1 and 2 make x = 8 in week 0 from their stock.

Proportional. Week 0: everyone gets 5/10: branch 1 gets 1.5, branch 2 0.5, final demand 3.
    S_01(1) = 3 + 1.5 - 3 = 1.5, S_02(1) = 1 + 0.5 - 1 = 0.5.
  Week 1: x_1 = 1.5/0.375 = 4, x_2 = 0.5/0.125 = 4. Orders O_01 = 3 + 0.5*(3 - 1.5) = 3.75,
    O_02 = 1 + 0.5*(1 - 0.5) = 1.25, d_0 = 3.75 + 1.25 + 6 = 11 > capacity 10, so everyone gets
    10/11: branch 1 75/22, branch 2 25/22, final demand 60/11.
    S_01(2) = 1.5 + 75/22 - 0.375*4 = 75/22 (9/22 above target), S_02(2) = 25/22 (3/22 above).
  Week t >= 2: branches 1 and 2 make 8; each excess e is halved every week (orders a*8 - e/2 are
    served in full), so d_0 = x_0 = 10 - (9/22 + 3/22)/2 * 2^-(t-2) = 10 - (3/11) 2^-(t-2):
    week 2: 10 - 3/11, week 3: 10 - 3/22 = 9.864 (1.4 % short), week 4: 10 - 3/44 = 9.932 (within 1 %).
    Recovery week 4. Loss over W weeks: branch 0: 5 + (6/11)(1 - 2^-(W-2)), branches 1, 2: 4 each.

Industry first. Week 0: intermediate orders 3 + 1 = 4 <= 5 are served in full, final demand gets 1.
  Stocks are back at target, so from week 1 everything is at baseline. Loss (5, 0, 0), recovery week 1.

Priority (ranks: branch 2 first, then final demand, then branch 1; priority = [0, 2, 0, 1]).
  Week 0: branch 2 gets 1, final demand 4 (of 6), branch 1 nothing: S_01(1) = 3 + 0 - 3 = 0.
  Week 1: x_1 = 0 / 0.375 = 0. O_01 = 3 + 0.5*3 = 4.5, O_02 = 1, d_0 = 4.5 + 1 + 6 = 11.5,
    x_0 = 10: branch 2 gets 1, final demand 6, branch 1 the remaining 3: S_01(2) = 0 + 3 - 0 = 3.
    Final demand served: product 0: 6, product 1: 0 (branch 1 made nothing), product 2: 8.
  Week 2: stocks at target, orders at baseline: baseline again. Loss (5, 8, 0), recovery week 2.

The import cut (network M2)
---------------------------
    A[0, 1] = 0.5, Am[1, 0] = 0.25 (branch 0 needs an imported input), x0 = (10, 10), f0 = (5, 10),
    m0 = Am x0 = (0, 2.5); 7 days of domestic stock (S_01 = 5), 14 days of the import (SM_10 = 5).
Imports of product 1 stop in weeks 0-3 (``end=4``).
  Weeks 0, 1: x_0 = 10 (SM/0.25 = 20, then 10); SM_10 = 5 - 2.5 = 2.5, then 0.
  Week 2: x_0 = 0. Branch 1 still makes 10 from its week of stock, which is then 5 + 0 - 5 = 0.
  Weeks 3, 4: x_0 = x_1 = 0. Week 4: imports are back; ordered 0.25*d_0(3) + 0.5*(5 - 0) with
    d_0(3) = O_01(3) + 5 = (5 + 0.5*5) + 5 = 12.5, i.e. 5.625, more than the 2.5 on offer: SM = 2.5.
  Week 5: x_0 = min(10, d_0 = 12.5, 2.5/0.25) = 10, shared 10/12.5 = 0.8: branch 1 gets 6 (of 7.5),
    final demand 4 (of 5); x_1 = 0 (S_01 = 0); imports keep SM at 2.5, one week of use.
  Week 6: S_01 = 6 (1 above target): O_01 = 5 - 0.5, x_0 = d_0 = 9.5, x_1 = 10; the excess halves
    weekly, so x_0(t) = 10 - 2^-(t-5) for t >= 6 (9.5, 9.75, 9.875, 9.9375, ...). The import stock
    only grows from 2.5, so it never binds again.
  Recovery week 9 (x_0(8) = 9.875 is 1.25 % short, x_0(9) = 9.9375 within 1 %).
  Loss over 20 weeks: branch 0: 3*10 + sum_{t=6}^{19} 2^-(t-5) = 31 - 2^-14; branch 1: 3*10 = 30.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from autarky.solve.propagation import (
    PropagationResult,
    Shock,
    propagate,
    ration,
    recovery_week,
)
from autarky.testing import random_technology


def close(actual: Any, expected: Any) -> None:
    """Equal to rounding: every expected number here is exact or a short fraction."""
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-12)


def n3() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    A = np.zeros((3, 3))
    A[0, 1], A[0, 2] = 0.375, 0.125
    return A, np.array([10.0, 8.0, 8.0]), np.array([6.0, 8.0, 8.0])


def n3_run(weeks: int = 12, **kwargs: Any) -> PropagationResult:
    A, x0, f0 = n3()
    shock = Shock.constant(3, weeks, capacity=[0.5, 1.0, 1.0], start=0, end=1)
    return propagate(A, x0, f0, shock=shock, weeks=weeks, inventory_days=7, **kwargs)


def m2_run(weeks: int = 20, end: int | None = 4) -> PropagationResult:
    A = np.array([[0.0, 0.5], [0.0, 0.0]])
    Am = np.array([[0.0, 0.0], [0.25, 0.0]])
    x0 = np.array([10.0, 10.0])
    shock = Shock.constant(2, weeks, imports=[1.0, 0.0], start=0, end=end)
    return propagate(A, x0, np.array([5.0, 10.0]), Am=Am, shock=shock, weeks=weeks, inventory_days=7,
                     import_inventory_days=14)


# -- baseline -------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("scheme", ["proportional", "industry-first", "priority"])
def test_no_shock_stays_at_baseline(seed: int, scheme: str) -> None:
    """x0 = L f0 and m0 = Am x0: orders are a_ij x0_j, demand x0, output x0, stocks constant."""
    rng = np.random.default_rng(seed)
    n = 8
    A = random_technology(n, density=0.6, spectral=0.7, seed=rng)
    assert isinstance(A, np.ndarray)
    Am = rng.uniform(0, 0.1, (n, n)) * (rng.uniform(size=(n, n)) < 0.4)
    f0 = rng.uniform(1, 10, n)
    x0 = np.linalg.solve(np.eye(n) - A, f0)
    days = rng.uniform(7, 30, n)
    priority = rng.permutation(n + 1) if scheme == "priority" else None
    res = propagate(A, x0, f0, Am=Am, m0=Am @ x0, weeks=20, inventory_days=days, scheme=scheme,
                    priority=priority)
    assert res.weeks == 20 and res.output.shape == (20, n)
    np.testing.assert_allclose(res.output, np.tile(x0, (20, 1)), rtol=1e-12)
    np.testing.assert_allclose(res.demand, np.tile(x0, (20, 1)), rtol=1e-12)
    np.testing.assert_allclose(res.final_delivered, np.tile(f0, (20, 1)), rtol=1e-12)
    np.testing.assert_allclose(res.imports_delivered, np.tile(Am @ x0, (20, 1)), rtol=1e-12)
    np.testing.assert_allclose(res.inventory, days[:, None] / 7 * A * x0, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(res.import_inventory, days[:, None] / 7 * Am * x0, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(res.total_loss, 0, atol=1e-10)
    assert res.recovery_week == 0


# -- rationing schemes ---------------------------------------------------------------------------


def test_ration_hand_worked() -> None:
    """Week 0 of N3: 5 units of product 0; orders from branches 0, 1, 2 and final demand 0, 3, 1, 6."""
    orders = np.array([[0.0, 3.0, 1.0, 6.0]])
    close(ration([5.0], orders), [[0, 1.5, 0.5, 3]])
    close(ration([5.0], orders, [0, 0, 0, 1]), [[0, 3, 1, 1]])
    close(ration([5.0], orders, [0, 2, 0, 1]), [[0, 0, 1, 4]])
    # enough for everyone: orders in full, whatever the scheme; nothing: nobody gets anything
    close(ration([12.0], orders, [0, 2, 0, 1]), orders)
    close(ration([0.0], orders), np.zeros((1, 4)))
    # several products at once; equal ranks share proportionally within their tier
    out = ration([4.0, 1.0], [[2.0, 2.0, 4.0], [1.0, 1.0, 0.0]], [0, 0, 1])
    close(out, [[2, 2, 0], [0.5, 0.5, 0]])


def test_proportional_three_branch() -> None:
    res = n3_run(weeks=12)
    x = res.output
    close(x[0], [5, 8, 8])
    close(res.final_delivered[0], [3, 8, 8])
    close(x[1], [10, 4, 4])
    close(res.demand[1], [11, 8, 8])
    close(res.final_delivered[1], [60 / 11, 4, 4])
    for t in range(2, 12):
        close(x[t], [10 - 3 / 11 / 2 ** (t - 2), 8, 8])
    assert res.recovery_week == 4
    assert res.recovery(0.02) == 3          # 10 - 3/22 is 1.4 % short
    close(res.total_loss, [5 + 6 / 11 * (1 - 2.0**-10), 4, 4])


def test_industry_first_three_branch() -> None:
    res = n3_run(weeks=6, scheme="industry-first")
    close(res.output[0], [5, 8, 8])
    close(res.final_delivered[0], [1, 8, 8])
    close(res.output[1:], np.tile([10, 8, 8], (5, 1)))
    close(res.final_delivered[1:], np.tile([6, 8, 8], (5, 1)))
    close(res.inventory[0], [0, 3, 1])
    assert res.recovery_week == 1
    close(res.total_loss, [5, 0, 0])


def test_priority_three_branch() -> None:
    res = n3_run(weeks=6, scheme="priority", priority=[0, 2, 0, 1])
    x = res.output
    close(x[0], [5, 8, 8])
    close(res.final_delivered[0], [4, 8, 8])
    close(x[1], [10, 0, 8])
    close(res.demand[1], [11.5, 8, 8])
    close(res.final_delivered[1], [6, 0, 8])
    close(x[2:], np.tile([10, 8, 8], (4, 1)))
    assert res.recovery_week == 2
    close(res.total_loss, [5, 8, 0])
    assert res.aggregate_loss() == pytest.approx(13)
    assert res.aggregate_loss([2.0, 1.0, 3.0]) == pytest.approx(2 * 5 + 8)


def test_priority_final_demand_last_by_default() -> None:
    """priority = [0, 2, 1]: branch 2 (rank 1) before branch 1 (rank 2), final demand after both.

    Capacity a quarter, x_0(0) = 2.5: branch 2 gets 1, branch 1 1.5 (of 3), final demand 0.
    S_01(1) = 3 + 1.5 - 3 = 1.5, so x_1(1) = 1.5/0.375 = 4. Week 1: O_01 = 3 + 0.5*1.5 = 3.75,
    O_02 = 1, x_0 = 10: branches get 1 and 3.75, final demand 10 - 4.75 = 5.25.
    """
    A, x0, f0 = n3()
    shock = Shock.constant(3, 3, capacity=[0.25, 1, 1], end=1)
    res = propagate(A, x0, f0, shock=shock, weeks=3, inventory_days=7, scheme="priority",
                    priority=[0, 2, 1])
    close(res.output[:2], [[2.5, 8, 8], [10, 4, 8]])
    close(res.final_delivered[:2], [[0, 8, 8], [5.25, 4, 8]])


def test_two_weeks_of_stock_absorb_a_one_week_shock() -> None:
    """N3 with 14 days: S_01 = 6, S_02 = 2. Week 0 as in the proportional case leaves
    S_01 = 6 + 1.5 - 3 = 4.5 and S_02 = 2 + 0.5 - 1 = 1.5, still more than a week of use, so branches
    1 and 2 never lose output. Week 1: d_0 = (3 + 0.75) + (1 + 0.25) + 6 = 11, x_0 = 10, final demand
    gets 6 * 10/11. Stocks stay below target (each week's order covers use plus half the gap, at most),
    so d_0 >= 10 and x_0 = 10 from week 1 on: the loss is branch 0's 5 units in week 0.
    """
    A, x0, f0 = n3()
    shock = Shock.constant(3, 10, capacity=[0.5, 1, 1], end=1)
    res = propagate(A, x0, f0, shock=shock, weeks=10, inventory_days=14)
    close(res.output[:, 1:], 8)
    close(res.output[:, 0], [5] + [10] * 9)
    close(res.final_delivered[1], [60 / 11, 8, 8])
    close(res.total_loss, [5, 0, 0])
    assert res.recovery_week == 1


# -- imports ---------------------------------------------------------------------------------------


def test_import_cut_two_weeks_of_stock_then_zero_then_recovery() -> None:
    res = m2_run(weeks=20)
    x = res.output
    tail = [10 - 2.0 ** -(t - 5) for t in range(6, 20)]
    close(x[:, 0], [10, 10, 0, 0, 0, 10, *tail])
    close(x[:, 1], [10, 10, 10, 0, 0, 0] + [10] * 14)
    close(res.imports_delivered[:6, 1], [0, 0, 0, 0, 2.5, 2.5])
    close(res.demand[5], [12.5, 10])
    close(res.final_delivered[5], [4, 0])
    assert res.recovery_week == 9
    close(res.total_loss, [31 - 2.0**-14, 30])
    close(res.total_loss, (res.baseline - res.output).sum(axis=0))


def test_import_cut_to_the_end_never_recovers() -> None:
    res = m2_run(weeks=10, end=None)
    close(res.output[2:, 0], 0)
    close(res.output[3:, 1], 0)
    assert res.recovery_week is None
    close(res.total_loss, [80, 70])


def test_shock_shorter_than_horizon_is_over_after_its_last_row() -> None:
    """A 4-week array of zeros is the same as ``end=4`` on a 20-week one."""
    A = np.array([[0.0, 0.5], [0.0, 0.0]])
    Am = np.array([[0.0, 0.0], [0.25, 0.0]])
    short = Shock(imports=np.array([[1.0, 0.0]] * 4))
    res = propagate(A, [10.0, 10.0], [5.0, 10.0], Am=Am, shock=short, weeks=20, inventory_days=7,
                    import_inventory_days=14)
    close(res.output, m2_run(weeks=20).output)


# -- losses and bookkeeping ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_random_shocks_keep_the_books(seed: int) -> None:
    """Every unit made is delivered: a stock grows by deliveries less use, so summed over users and
    weeks, S(end) - S(0) = sum_t (x(t) - final delivered(t)) - A sum_t x(t), and likewise for imports.
    Output never exceeds capacity or demand, final deliveries never exceed final demand, and with
    multipliers at most 1 and capacity x0 the loss is non-negative and equals sum_t (x0 - x(t)).
    """
    rng = np.random.default_rng(100 + seed)
    n, weeks = 6, 30
    A = random_technology(n, density=0.7, spectral=0.6, seed=rng)
    assert isinstance(A, np.ndarray)
    Am = rng.uniform(0, 0.2, (n, n)) * (rng.uniform(size=(n, n)) < 0.3)
    f0 = rng.uniform(1, 10, n)
    x0 = np.linalg.solve(np.eye(n) - A, f0)
    shock = Shock(capacity=rng.uniform(0.3, 1, (10, n)), imports=rng.uniform(0, 1, (10, n)),
                  demand=rng.uniform(0.5, 1, (10, n)))
    days = rng.uniform(7, 21, n)
    scheme = ["proportional", "industry-first", "priority"][seed % 3]
    priority = rng.permutation(n) if scheme == "priority" else None
    res = propagate(A, x0, f0, Am=Am, shock=shock, weeks=weeks, inventory_days=days, scheme=scheme,
                    priority=priority)
    made = res.output.sum(axis=0)
    S0 = days[:, None] / 7 * A * x0
    SM0 = days[:, None] / 7 * Am * x0
    np.testing.assert_allclose(res.inventory.sum(axis=1) - S0.sum(axis=1),
                               made - res.final_delivered.sum(axis=0) - A @ made, atol=1e-9)
    np.testing.assert_allclose(res.import_inventory.sum(axis=1) - SM0.sum(axis=1),
                               res.imports_delivered.sum(axis=0) - Am @ made, atol=1e-9)
    cap, _, _ = shock.factors(n, weeks)
    assert np.all(res.output <= cap * x0 + 1e-12)
    assert np.all(res.output <= res.demand + 1e-12)
    assert np.all(res.final_delivered <= res.final_demand + 1e-12)
    assert np.all(res.inventory >= 0) and np.all(res.import_inventory >= 0)
    assert np.all(res.total_loss >= 0)
    np.testing.assert_allclose(res.total_loss, (x0 - res.output).sum(axis=0), rtol=1e-12)
    assert res.aggregate_loss() == pytest.approx(res.total_loss.sum())


def test_progress_is_called_each_week() -> None:
    calls: list[tuple[int, int]] = []
    A, x0, f0 = n3()
    propagate(A, x0, f0, weeks=4, progress=lambda w, total: calls.append((w, total)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_recovery_week_function() -> None:
    x0 = np.array([10.0, 4.0])
    out = np.array([[10, 4], [5, 4], [9.95, 4.0], [10, 4.003]])   # 50 %, 0.5 % and 0.075 % off
    assert recovery_week(out, x0) == 2
    assert recovery_week(out, x0, tol=0.001) == 3
    assert recovery_week(out, x0, tol=0.0001) is None
    assert recovery_week(out[:1], x0) == 0
    assert recovery_week(out[:2], x0) is None


# -- the Shock helpers -----------------------------------------------------------------------------


def test_shock_constructors() -> None:
    s = Shock.constant(2, 5, capacity=0.5, imports=[1.0, 0.0], demand=[0.9, 1.0], start=1, end=3)
    assert (s.weeks, s.n) == (5, 2)
    assert s.capacity is not None and s.imports is not None and s.demand is not None
    np.testing.assert_array_equal(s.capacity[:, 0], [1, 0.5, 0.5, 1, 1])
    np.testing.assert_array_equal(s.imports[:, 1], [1, 0, 0, 1, 1])
    np.testing.assert_array_equal(s.demand[:, 0], [1, 0.9, 0.9, 1, 1])
    cap, _, _ = s.factors(2, 7)          # past the shock: ones; the arrays are read-only
    assert cap.shape == (7, 2)
    np.testing.assert_array_equal(cap[5:], 1)
    with pytest.raises(ValueError):
        s.capacity[0, 0] = 2.0
    f = Shock.from_functions(2, 3, capacity=lambda t: [1.0, 1.0 - t / 4])
    assert f.capacity is not None and f.imports is None
    np.testing.assert_array_equal(f.capacity[:, 1], [1, 0.75, 0.5])
    assert Shock().weeks == 0 and Shock().n is None


@pytest.mark.parametrize(("make", "match"), [
    (lambda: Shock(capacity=np.ones(3)), r"Shock\.capacity must have shape"),
    (lambda: Shock(capacity=np.ones((3, 2)), demand=np.ones((4, 2))), r"share one shape"),
    (lambda: Shock(imports=-np.ones((3, 2))), r"Shock\.imports must be non-negative"),
    (lambda: Shock.constant(2, 5, start=3, end=2), r"start <= end"),
    (lambda: Shock.constant(2, 5, capacity=[1.0, 1.0, 1.0]), r"capacity must be a scalar or"),
    (lambda: Shock.constant(0, 5), r"n must be at least 1"),
    (lambda: Shock.from_functions(2, 3, demand=lambda t: -1.0), r"demand\(0\) must be non-negative"),
])
def test_bad_shock(make: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make()  # type: ignore[operator]


# -- bad input -------------------------------------------------------------------------------------

GOOD: dict[str, Any] = {"A": np.array([[0.0, 0.5], [0.0, 0.0]]), "x0": np.array([10.0, 10.0]),
                           "f0": np.array([5.0, 10.0])}


@pytest.mark.parametrize(("change", "match"), [
    ({"A": np.zeros((2, 3))}, r"^A must be a square"),
    ({"A": np.array([[0.0, -0.5], [0.0, 0.0]])}, r"^A must be non-negative"),
    ({"x0": np.ones(3)}, r"^x0 must have shape \(2,\)"),
    ({"x0": np.array([10.0, -1.0])}, r"^x0 must be non-negative"),
    ({"f0": np.ones((2, 1))}, r"^f0 must have shape"),
    ({"f0": np.array([5.0, np.nan])}, r"^f0 must be finite"),
    ({"Am": np.zeros((3, 3))}, r"^Am must be a square \(2, 2\)"),
    ({"Am": np.zeros((2, 2)), "m0": np.ones(3)}, r"^m0 must have shape"),
    ({"m0": np.ones(2)}, r"^m0 needs Am"),
    ({"capacity": np.ones(3)}, r"^capacity must have shape"),
    ({"inventory_days": np.full(3, 14.0)}, r"^inventory_days must be a scalar, shape"),
    ({"inventory_days": 3}, r"^inventory_days must be at least 7"),
    ({"Am": np.array([[0.0, 0.0], [0.25, 0.0]]), "import_inventory_days": 5},
     r"^import_inventory_days must be at least 7"),
    ({"shock": Shock.constant(3, 4, capacity=0.5)}, r"^shock has 3 branches"),
    ({"shock": np.ones((4, 2))}, r"^shock must be a Shock"),
    ({"scheme": "random"}, r"^scheme must be one of"),
    ({"scheme": "priority"}, r"needs a priority"),
    ({"scheme": "priority", "priority": [0, 1, 2, 3]}, r"^priority must have shape"),
    ({"priority": [0, 1]}, r"^priority is only used with scheme='priority'"),
    ({"gamma": 1.5}, r"^gamma must lie in"),
    ({"weeks": 0}, r"^weeks must be at least 1"),
    ({"weeks": 2.5}, r"^weeks must be an integer"),
    ({"tol": -0.1}, r"^tol must be"),
])
def test_bad_input_names_the_argument(change: dict[str, Any], match: str) -> None:
    kwargs = {**GOOD, **change}
    A, x0, f0 = kwargs.pop("A"), kwargs.pop("x0"), kwargs.pop("f0")
    with pytest.raises(ValueError, match=match):
        propagate(A, x0, f0, **kwargs)


def test_bad_ration_input() -> None:
    with pytest.raises(ValueError, match=r"^orders must have shape"):
        ration([1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"^supply must have shape"):
        ration([1.0, 2.0], [[1.0, 2.0]])
    with pytest.raises(ValueError, match=r"^ranks must have shape"):
        ration([1.0], [[1.0, 2.0]], [0])
    with pytest.raises(ValueError, match=r"^orders must be non-negative"):
        ration([1.0], [[1.0, -2.0]])


def test_pooled_imports_fill_in_or_fall_short() -> None:
    """One product, no inputs: 90 made at home and 10 imported each week, final demand 100.
    Imports halved in weeks 0-1: with spare capacity (100) home output rises to 95 and final
    demand is met in full; with capacity at 90 the pool is 90 + 5 = 95, so 5 a week go short."""
    A = np.zeros((1, 1))
    shock = Shock.constant(1, 4, imports=0.5, start=0, end=2)
    spare = propagate(A, [90.0], [100.0], pooled_imports=[10.0], capacity=[100.0], shock=shock,
                      weeks=4)
    np.testing.assert_allclose(spare.output[:, 0], [95.0, 95.0, 90.0, 90.0])
    np.testing.assert_allclose(spare.final_delivered[:, 0], [100.0] * 4)
    tight = propagate(A, [90.0], [100.0], pooled_imports=[10.0], shock=shock, weeks=4)
    np.testing.assert_allclose(tight.output[:, 0], [90.0] * 4)
    np.testing.assert_allclose(tight.final_delivered[:, 0], [95.0, 95.0, 100.0, 100.0])
    with pytest.raises(ValueError, match="pooled_imports excludes Am"):
        propagate(A, [90.0], [100.0], pooled_imports=[10.0], Am=np.zeros((1, 1)))
