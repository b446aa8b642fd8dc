"""The closed-form largest common fulfilment agrees with the LP where both apply.

DESIGN.md (Solvers): with one technique per product and no trade, ``x = lam L d`` is the least
output that yields ``lam d`` and every constraint is monotone in ``x``, so
``lam* = min(availability_k / (F L d)_k, capacity_i / (L d)_i)``. The LP must give the same
fulfilment and, where one constraint binds alone (the generic case), the same duals. Any feasible
LP output satisfies ``(I - A) x >= lam d`` and ``L >= 0``, so it is at least ``lam L d``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autarky import Economy
from autarky.errors import AutarkyError
from autarky.testing import random_technology


def economy(seed: int, n: int, k: int, with_capacity: bool) -> Economy:
    rng = np.random.default_rng(seed)
    A = random_technology(n, density=0.6, spectral=0.8, seed=rng)
    d = rng.uniform(1, 10, n)
    F = rng.uniform(0.1, 1.0, (k, n))
    x1 = np.linalg.solve(np.eye(n) - A, d)
    avail = (F @ x1) * rng.uniform(0.5, 2.0, k)
    cap = x1 * rng.uniform(0.5, 3.0, n) if with_capacity else None
    fac = pd.DataFrame({"unit": ["u"] * k, "availability": avail},
                       index=[f"f{i}" for i in range(k)])
    return Economy.from_coefficients(A, d, branches=[f"b{i}" for i in range(n)], factors=fac,
                                     factor_coefficients=F, capacity=cap)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 12), k=st.integers(1, 3),
       with_capacity=st.booleans())
def test_lp_agrees_with_closed_form(seed: int, n: int, k: int, with_capacity: bool) -> None:
    eco = economy(seed, n, k, with_capacity)
    cf = eco.plan.optimize(method="closed-form")
    lp = eco.plan.optimize(method="lp")
    assert cf.ok and lp.ok
    # the closed form itself, computed here from numpy
    A = eco.technology.to_numpy()
    d = eco.final_demand.sum(axis=1).to_numpy()
    x1 = np.linalg.solve(np.eye(n) - A, d)
    F = eco.factor_coefficients.to_numpy()
    ratios = list(eco.factors["availability"].to_numpy() / (F @ x1))
    if with_capacity:
        ratios += list(eco.capacity.to_numpy() / x1)
    lam = min(ratios)
    assert cf.fulfilment == pytest.approx(lam, rel=1e-10)
    assert lp.fulfilment == pytest.approx(lam, rel=1e-8)
    np.testing.assert_allclose(cf.gross_output.to_numpy(), lam * x1, rtol=1e-10)
    assert np.all(lp.gross_output.to_numpy() >= lam * x1 * (1 - 1e-8) - 1e-9)
    ordered = sorted(ratios)
    if len(ordered) > 1 and ordered[1] > ordered[0] * (1 + 1e-6):  # one constraint binds alone
        np.testing.assert_allclose(lp.shadow_prices.to_numpy(), cf.shadow_prices.to_numpy(),
                                   rtol=1e-6, atol=1e-12)
        np.testing.assert_allclose(lp.factor_prices.to_numpy(), cf.factor_prices.to_numpy(),
                                   rtol=1e-6, atol=1e-12)
        np.testing.assert_allclose(lp.capacity_prices.to_numpy(),
                                   cf.capacity_prices.to_numpy(), rtol=1e-6, atol=1e-12)
        assert set(cf.binding) == set(lp.binding)
    # the basket's value is one fulfilment: p'd = 1
    assert float(cf.shadow_prices.to_numpy() @ d) == pytest.approx(1.0, rel=1e-9)


def test_auto_uses_closed_form_only_where_it_applies() -> None:
    eco = economy(1, 4, 1, True)
    assert "closed form" in eco.plan.optimize().meta["solver"]
    assert eco.plan.optimize(objective="harmony").meta["solver"] == "HiGHS"
    assert eco.plan.optimize(min_fulfilment=0.1).meta["solver"] == "HiGHS"
    with pytest.raises(AutarkyError, match="closed form needs"):
        eco.plan.optimize(method="closed-form", objective="weighted")


def test_nothing_scarce_is_unbounded() -> None:
    """No factor availability and no capacity: fulfilment can grow without limit."""
    eco = Economy.from_coefficients([[0.1, 0.2], [0.3, 0.1]], [1, 1])
    assert eco.plan.optimize(method="closed-form").status == "unbounded"
    assert eco.plan.optimize(method="lp").status == "unbounded"
