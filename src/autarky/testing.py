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

from autarky.economy import Economy, Scenario, as_scenario
from autarky.economy.registry import TABLE_LIST
from autarky.economy.tables import assert_table_equal, realign


def _dense(A: Any) -> np.ndarray:
    return A.toarray() if sp.issparse(A) else np.asarray(A)


def assert_economy_equal(a: Economy | Scenario, b: Economy | Scenario, rtol: float = 1e-12,
                         atol: float = 0.0) -> None:
    """Assert two economies (or scenarios) hold the same records and the same values in every
    table of the registry (and the same plan settings).

    Raises
    ------
    AssertionError
        Naming the first table that differs.
    """
    sa, sb = as_scenario(a), as_scenario(b)
    ea, eb = sa.economy, sb.economy
    assert ea.ids == eb.ids, f"branch ids differ: {ea.ids} != {eb.ids}"
    pd.testing.assert_frame_equal(ea.branches, eb.branches, check_dtype=False, obj="branches")
    for dim in ("factor", "partner", "category"):
        la, lb = list(ea.coords.index(dim)), list(eb.coords.index(dim))
        assert sorted(map(str, la)) == sorted(map(str, lb)), f"{dim} ids differ: {la} != {lb}"
    pd.testing.assert_frame_equal(ea.factors, eb.factors.loc[ea.factors.index],
                                  check_dtype=False, obj="factors")
    pd.testing.assert_frame_equal(ea.partners, eb.partners.loc[ea.partners.index],
                                  check_dtype=False, obj="partners")
    assert ea.currency == eb.currency, f"currency differs: {ea.currency} != {eb.currency}"
    # compare by label: align b's coordinates to a's
    for spec in TABLE_LIST:
        va, vb = sa.array(spec.name), sb.array(spec.name)
        if vb is not None:
            vb = realign(spec, vb, sb.settings_coords, sa.settings_coords)
        assert_table_equal(spec, va, vb, rtol, atol)
    assert sa.settings == sb.settings, f"settings differ: {sa.settings} != {sb.settings}"


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


def random_open_economy(n: int, seed: int | None = None) -> Economy:
    """A random open economy: ``n`` products (dense, about half the inputs used), two
    partners with import shares for half the products each, recorded exports for a third
    (priced 1, with no limit), prices 1, and labour 10 % above what the balanced plan needs.

    Examples
    --------
    >>> eco = random_open_economy(20, seed=1)
    >>> eco.n, list(eco.coords.partner)
    (20, ['north', 'south'])
    """
    rng = np.random.default_rng(seed)
    A = rng.uniform(0.1, 1.0, (n, n)) * (rng.random((n, n)) < 0.5)
    A *= rng.uniform(0.3, 0.6, n) / np.maximum(A.sum(axis=0), 1e-12)
    y = rng.uniform(1.0, 10.0, n)
    S, E = np.zeros((2, n)), np.zeros((2, n))
    for p in range(2):
        pick = rng.random(n) < 0.5
        S[p, pick] = rng.uniform(0.05, 0.3, pick.sum())
        pick = rng.random(n) < 0.3
        E[p, pick] = y[pick] * rng.uniform(0.05, 0.3, pick.sum())
    F = rng.uniform(0.5, 1.5, (1, n))
    eco = Economy(
        pd.DataFrame({"unit": "EUR"}, index=[f"b{i}" for i in range(n)]), A, y,
        partners=pd.DataFrame({"name": ["North", "South"]}, index=["north", "south"]),
        factors=pd.DataFrame({"unit": ["workers"]}, index=["labour"]),
        factor_coefficients=F, factor_availability=[np.inf], prices=np.ones(n),
        import_shares=S, exports=E, import_prices=np.where(S > 0, 1.0, np.nan),
        export_prices=np.where(E > 0, 1.0, np.nan))
    labour = float(F[0] @ eco.plan.balance().gross_output.to_numpy())
    return eco.replace(factor_availability=[1.1 * labour])


def random_multiyear_scenario(n: int, years: int, seed: int | None = None, *,
                              technology: Any = None, growth: float = 0.04,
                              dense_capital: bool = False) -> Scenario:
    """A closed random economy for multi-year plans, as a scenario over ``years`` years.

    The technology is ``technology(n, rng)`` (default: :func:`random_technology`, sparse, about
    10 inputs per product, column sums below 0.6); each branch's new capacity takes three of the
    investment-goods branches (a tenth of all), stored sparse unless ``dense_capital``; 3 %
    depreciation, gestation of one or two years, initial capacity 5 % above the reported output;
    groups heavy, light and agriculture; a consumption floor of 0.9 and industrial growth
    ``growth`` a year.

    Examples
    --------
    >>> scn = random_multiyear_scenario(30, 3, seed=1)
    >>> scn.economy.n, scn.settings.years
    (30, [1, 2, 3])
    """
    rng = np.random.default_rng(seed)
    if technology is None:
        A = random_technology(n, density=min(1.0, 10 / n), spectral=0.6, seed=rng, sparse=True)
    else:
        A = technology(n, rng)
    x0 = rng.uniform(50, 100, n)
    y = x0 - A @ x0
    inv = rng.choice(n, size=max(3, n // 10), replace=False)
    rows = np.concatenate([rng.choice(inv, 3, replace=False) for _ in range(n)])
    B = sp.csr_array((rng.uniform(0.05, 0.3, 3 * n) / 3, (rows, np.repeat(np.arange(n), 3))),
                     shape=(n, n))
    ids = pd.Index([f"b{i}" for i in range(n)])
    groups = rng.choice(["heavy", "light", "agriculture"], n)
    fd = pd.DataFrame({"consumption": 0.7 * y, "government": 0.3 * y}, index=ids)
    eco = Economy(pd.DataFrame({"unit": "u", "group": groups}, index=ids), A, fd, year=0,
                  prices=np.ones(n), capital=B.toarray() if dense_capital else B,
                  reported_output=x0, depreciation=np.full(n, 0.03),
                  gestation=rng.integers(1, 3, n), initial_capacity=1.05 * x0)
    return Scenario(eco).replace(horizon=(1, years), consumption_floor=0.9,
                                 industrial_growth=growth)
