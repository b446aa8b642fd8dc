"""Public testing helpers: comparisons of economies and plans, and random productive economies.

>>> from autarky.testing import random_economy, assert_economy_equal
>>> eco = random_economy(5, seed=1)
>>> assert_economy_equal(eco, eco.reorder(eco.ids[::-1]).reorder(eco.ids))
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from autarky.economy import Economy


def _dense(A: Any) -> np.ndarray:
    return A.toarray() if sp.issparse(A) else np.asarray(A)


def assert_economy_equal(a: Economy, b: Economy, rtol: float = 1e-12, atol: float = 0.0) -> None:
    """Assert two economies have the same branches, units, technology, demand, factors.

    Raises
    ------
    AssertionError
        Naming the first table that differs.
    """
    assert a.ids == b.ids, f"branch ids differ: {a.ids} != {b.ids}"
    pd.testing.assert_frame_equal(a.branches, b.branches, check_dtype=False, obj="branches")
    np.testing.assert_allclose(_dense(a.A), _dense(b.A), rtol=rtol, atol=atol,
                               err_msg="technology differs")
    fa, fb = a.final_demand, b.final_demand
    assert sorted(fa.columns) == sorted(fb.columns), "final-demand categories differ"
    np.testing.assert_allclose(fa[sorted(fa.columns)].to_numpy(), fb[sorted(fa.columns)].to_numpy(),
                               rtol=rtol, atol=atol, err_msg="final demand differs")
    pd.testing.assert_frame_equal(a.factors, b.factors, check_dtype=False, obj="factors")
    np.testing.assert_allclose(a.factor_coefficients.to_numpy(), b.factor_coefficients.to_numpy(),
                               rtol=rtol, atol=atol, err_msg="factor coefficients differ")
    np.testing.assert_allclose(a.capacity.to_numpy(), b.capacity.to_numpy(), rtol=rtol,
                               err_msg="capacity differs")
    pd.testing.assert_frame_equal(a.partners, b.partners, check_dtype=False, obj="partners")
    np.testing.assert_allclose(a.prices.to_numpy(), b.prices.to_numpy(), rtol=rtol,
                               err_msg="prices differ")
    assert a.currency == b.currency, f"currency differs: {a.currency} != {b.currency}"
    ca, cb = a.capital, b.capital
    assert (ca is None) == (cb is None), "capital coefficients present in one economy only"
    if ca is not None and cb is not None:
        np.testing.assert_allclose(ca.to_numpy(), cb.to_numpy(), rtol=rtol, atol=atol,
                                   err_msg="capital coefficients differ")
    ta = a.trade.sort_values(["partner", "branch", "direction"]).reset_index(drop=True)
    tb = b.trade.sort_values(["partner", "branch", "direction"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(ta, tb, check_dtype=False, obj="trade")
    _assert_settings_equal(a, b, rtol)
    pd.testing.assert_frame_equal(a.import_shares, b.import_shares, check_dtype=False,
                                  obj="import shares")
    np.testing.assert_allclose(a.value_added.to_numpy(), b.value_added.to_numpy(), rtol=rtol,
                               err_msg="value added differs")
    assert a.state_revenue == b.state_revenue, "state revenue differs"
    ra, rb = a.reported_output, b.reported_output
    assert (ra is None) == (rb is None), "reported output present in one economy only"
    if ra is not None and rb is not None:
        np.testing.assert_allclose(ra.to_numpy(), rb.to_numpy(), rtol=rtol, atol=atol,
                                   err_msg="reported output differs")


def _assert_settings_equal(a: Economy, b: Economy, rtol: float) -> None:
    sa, sb = a.settings, b.settings
    for name in ("objective", "horizon", "factor_growth", "factor_availability",
                 "consumption_floor", "exogenous", "industry_groups", "industrial_growth",
                 "output_targets", "discount", "strategies"):
        va, vb = getattr(sa, name), getattr(sb, name)
        if name == "exogenous" and va is not None and vb is not None:
            va, vb = tuple(va), tuple(vb)
        assert va == vb, f"settings.{name} differs: {va!r} != {vb!r}"
    for name in ("depreciation", "gestation", "initial_capacity"):
        va, vb = getattr(sa, name), getattr(sb, name)
        assert (va is None) == (vb is None), f"settings.{name} present in one economy only"
        if va is not None:
            np.testing.assert_allclose(va, vb, rtol=rtol, err_msg=f"settings.{name} differs")
    for name in ("target", "weights", "consumption_basket"):
        va, vb = getattr(sa, name), getattr(sb, name)
        if isinstance(va, (pd.Series, pd.DataFrame)) or isinstance(vb, (pd.Series, pd.DataFrame)):
            assert va is not None and vb is not None, f"settings.{name} present in one only"
            np.testing.assert_allclose(np.asarray(va, dtype=float), np.asarray(vb, dtype=float),
                                       rtol=rtol, err_msg=f"settings.{name} differs")
        else:
            assert va == vb, f"settings.{name} differs: {va!r} != {vb!r}"


def random_technology(n: int, density: float = 0.5, spectral: float = 0.8,
                      seed: int | np.random.Generator | None = None,
                      sparse: bool = False) -> np.ndarray | sp.csr_array:
    """A random non-negative ``n x n`` technology with column sums at most ``spectral`` (< 1).

    Column sums below one bound the spectral radius, so the technology is productive.
    """
    rng = np.random.default_rng(seed)
    if sparse:
        M = sp.random_array((n, n), density=density, format="csc", rng=rng)
        colsum = np.asarray(M.sum(axis=0)).ravel()
        scale = np.where(colsum > 0, spectral * rng.uniform(0.2, 1.0, n) / np.maximum(colsum, 1e-300), 0)
        return sp.csr_array(M @ sp.diags_array(scale))
    A = rng.uniform(0, 1, (n, n)) * (rng.uniform(0, 1, (n, n)) < density)
    colsum = A.sum(axis=0)
    scale = np.where(colsum > 0, spectral * rng.uniform(0.2, 1.0, n) / np.maximum(colsum, 1e-300), 0)
    return A * scale[np.newaxis, :]


def random_economy(n: int, seed: int | None = None, *, density: float = 0.5,
                   spectral: float = 0.8, sparse: bool = False, factors: int = 1) -> Economy:
    """A random productive economy with positive final demand and ``factors`` factors."""
    rng = np.random.default_rng(seed)
    A = random_technology(n, density, spectral, rng, sparse)
    ids = [f"b{i}" for i in range(n)]
    y = rng.uniform(1, 100, n)
    fac = pd.DataFrame({"unit": ["unit"] * factors, "availability": [np.nan] * factors},
                       index=[f"f{k}" for k in range(factors)])
    return Economy(pd.DataFrame({"unit": "unit"}, index=ids), A, y, name=f"random-{n}",
                   factors=fac, factor_coefficients=rng.uniform(0, 1, (factors, n)))
