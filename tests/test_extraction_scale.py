"""The diagonal of the Leontief inverse at scale (:mod:`autarky.solve.inverse_diagonal`) and the
diagonal route of hypothetical extraction, against independent references.

References: ``numpy.linalg.inv`` of the dense ``I - A`` for the diagonal; ``n`` fresh dense solves
(:func:`extraction_losses_fresh`) for the losses. Every certified answer is checked branch by
branch: the true diagonal lies within ``[lower, upper]`` and the point value is within the stated
relative bound of it. The technologies are built here, in four shapes: random (expander-like),
banded in a hidden order, banded with a few universal inputs (hubs), and block triangular.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import autarky.solve.extraction as extraction
from autarky.economy import Economy
from autarky.economy.trade import domestic_final_use
from autarky.errors import BadValueError
from autarky.reliance.criticality import branch_criticality
from autarky.solve.extraction import extraction_losses, extraction_losses_fresh
from autarky.solve.inverse_diagonal import NoCertificateError, leontief_diagonal
from autarky.solve.leontief import LeontiefSolver


# --------------------------------------------------------------------------- technologies
def _scale_columns(A: sp.coo_array, sums: np.ndarray) -> sp.csr_array:
    A = sp.csr_array(A)
    A.sum_duplicates()
    col = np.asarray(A.sum(axis=0)).ravel()
    return sp.csr_array(A @ sp.diags_array(np.where(col > 0, sums / np.maximum(col, 1e-300), 0.0)))


def expander(n: int, seed: int, k: int = 8, rho: tuple[float, float] = (0.5, 0.8)) -> sp.csr_array:
    """``k`` random inputs per product, column sums uniform in ``rho``."""
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, n, (n, k)).ravel()
    cols = np.repeat(np.arange(n), k)
    A = sp.coo_array((rng.uniform(0.1, 1.0, n * k), (rows, cols)), shape=(n, n))
    return _scale_columns(A, rng.uniform(*rho, n))


def banded(n: int, seed: int, k: int = 8, w: int = 12, hidden: bool = True,
           rho: tuple[float, float] = (0.5, 0.8)) -> sp.csr_array:
    """``k`` inputs per product from within ``w`` positions, in a random (hidden) order."""
    rng = np.random.default_rng(seed)
    rows = np.clip(np.arange(n)[:, None] + rng.integers(-w, w + 1, (n, k)), 0, n - 1).ravel()
    cols = np.repeat(np.arange(n), k)
    A = _scale_columns(sp.coo_array((rng.uniform(0.1, 1.0, n * k), (rows, cols)), shape=(n, n)),
                       rng.uniform(*rho, n))
    if hidden:
        p = rng.permutation(n)
        A = sp.csr_array(A[p][:, p])
    return A


def hubbed(n: int, seed: int, hubs: int = 3) -> sp.csr_array:
    """Banded, plus ``hubs`` universal inputs bought by every product (20 % of its inputs)."""
    rng = np.random.default_rng(seed + 1)
    A = banded(n, seed, rho=(0.5, 0.75)) * 0.8
    hubs = min(hubs, n)
    H = rng.choice(n, hubs, replace=False)
    rows, cols = np.repeat(H, n), np.tile(np.arange(n), hubs)
    extra = sp.csr_array((np.full(rows.size, 0.2 * 0.7 / hubs), (rows, cols)), shape=(n, n))
    return sp.csr_array(A + extra)


def block_triangular(n: int, seed: int, block: int = 30) -> sp.csr_array:
    """Random dense-ish cycles within blocks of ``block`` products, inputs from earlier blocks."""
    rng = np.random.default_rng(seed)
    A = sp.random_array((n, n), density=0.05, rng=rng, format="coo")
    blk = np.arange(n) // block
    keep = blk[A.row] <= blk[A.col]  # products buy from their own block or earlier ones
    A = sp.coo_array((A.data[keep], (A.row[keep], A.col[keep])), shape=(n, n))
    A = _scale_columns(A, rng.uniform(0.4, 0.8, n))
    p = rng.permutation(n)
    return sp.csr_array(A[p][:, p])


def true_diagonal(A: sp.csr_array) -> np.ndarray:
    n = A.shape[0]
    return np.diag(np.linalg.inv(np.eye(n) - A.toarray()))


SHAPES = {"expander": expander, "banded": banded, "hubbed": hubbed, "block-triangular": block_triangular}


def assert_certified(d: object, true: np.ndarray) -> None:
    """The bounds hold on every branch and the value is within its stated bound."""
    lower, upper, value = d.lower, d.upper, d.value  # type: ignore[attr-defined]
    assert np.all(lower <= upper)
    tol = 1e-13 * true  # rounding of the reference itself
    assert np.all(lower <= true + tol), np.max(lower - true)
    assert np.all(true <= upper + tol), np.max(true - upper)
    err = np.abs(value - true) / true
    assert np.all(err <= d.bound + 1e-13)  # type: ignore[attr-defined]


# ---------------------------------------------------------------------- the diagonal itself
@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("n", [150, 1200])
def test_exact_routes_equal_the_dense_inverse(shape: str, n: int) -> None:
    A = SHAPES[shape](n, n)
    true = true_diagonal(A)
    d = leontief_diagonal(A)
    assert d.exact and d.bound == 0.0 and d.method.startswith("exact:")
    np.testing.assert_allclose(d.value, true, rtol=1e-11)
    assert_certified(d, true)


@pytest.mark.parametrize(("shape", "route"), [("banded", "banded"), ("hubbed", "hubs"),
                                              ("block-triangular", "small"),
                                              ("expander", "dense|banded")])
def test_each_exact_route_is_taken_where_it_is_cheapest(shape: str, route: str) -> None:
    A = SHAPES[shape](900, 3)
    # a budget that rules out the dense inverse of 900 branches (1.5e9 flops) but not the rest;
    # on the expander the "band" is one or two blocks, and either exact route may be cheaper
    budget = 1e12 if shape == "expander" else 2e8
    d = leontief_diagonal(A, exact_flops=budget)
    assert any(r in d.method for r in route.split("|")), d.method
    np.testing.assert_allclose(d.value, true_diagonal(A), rtol=1e-11)


@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize(("n", "probes", "powers"), [(200, 16, 1), (900, 64, 2), (900, 24, 3)])
def test_certified_bounds_hold_on_every_branch(shape: str, n: int, probes: int, powers: int) -> None:
    A = SHAPES[shape](n, n + probes)
    true = true_diagonal(A)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # bounds wider than 1e-6: expected here
        d = leontief_diagonal(A, exact_flops=0.0, fallback_max=0, probes=probes, powers=powers,
                              split=0)  # probing alone; tests/test_split_bound.py has both
    assert d.method.startswith("certified:") or d.exact  # strong components below 65 stay exact
    assert_certified(d, true)


def test_certified_bounds_narrow_with_more_probes_and_powers() -> None:
    # the width is about rho^(P+1) / ((1 - rho) C) on an expander: more probes C and powers P help
    A = expander(600, 1)
    true = true_diagonal(A)
    widths = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for probes, powers in [(8, 1), (32, 2), (128, 3)]:
            d = leontief_diagonal(A, exact_flops=0.0, fallback_max=0, probes=probes, powers=powers,
                                  split=0)  # probing alone (the split bound has no 1/C floor)
            assert_certified(d, true)
            widths.append(d.bound)
    assert widths[0] > widths[1] > widths[2]


@settings(max_examples=30, deadline=None)
@given(n=st.integers(2, 90), shape=st.sampled_from(list(SHAPES)), seed=st.integers(0, 2**31),
       probes=st.integers(1, 40), powers=st.integers(1, 3), exact=st.booleans())
def test_bounds_hold_property(n: int, shape: str, seed: int, probes: int, powers: int,
                              exact: bool) -> None:
    A = SHAPES[shape](n, seed)
    true = true_diagonal(A)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        d = leontief_diagonal(A, exact_flops=1e11 if exact else 0.0, fallback_max=0, probes=probes,
                              powers=powers, split=0)
    assert_certified(d, true)


def test_near_singular_either_meets_the_bound_or_falls_back_and_says_so() -> None:
    # every column sums to 0.999: the spectral radius is exactly 0.999
    A = expander(400, 5, rho=(0.999, 0.999))
    true = true_diagonal(A)
    exact = leontief_diagonal(A)  # the dense route
    np.testing.assert_allclose(exact.value, true, rtol=1e-10)
    fell_back = leontief_diagonal(A, exact_flops=0.0, fallback_max=1000)
    assert "dense fallback" in fell_back.method and fell_back.exact
    np.testing.assert_allclose(fell_back.value, true, rtol=1e-10)
    with pytest.warns(RuntimeWarning, match="certified to"):
        loose = leontief_diagonal(A, exact_flops=0.0, fallback_max=0)
    assert loose.bound > 1e-6 and "certified" in loose.method
    assert_certified(loose, true)
    # a banded technology at 0.999 is exact on its own route
    B = banded(1500, 6, rho=(0.999, 0.999))
    d = leontief_diagonal(B)
    assert "banded" in d.method
    np.testing.assert_allclose(d.value, true_diagonal(B), rtol=1e-9)


def test_refuses_what_it_cannot_certify() -> None:
    A = expander(50, 2, rho=(1.05, 1.1))  # not productive
    with pytest.raises(NoCertificateError):
        leontief_diagonal(A)
    with pytest.raises(BadValueError, match="non-negative"):
        leontief_diagonal(sp.csr_array(-A))
    with pytest.raises(BadValueError, match="powers"):
        leontief_diagonal(expander(50, 2), powers=4)
    empty = leontief_diagonal(sp.csr_array((0, 0)))
    assert empty.value.shape == (0,) and empty.exact


# --------------------------------------------------------------- extraction and criticality
@pytest.mark.parametrize("shape", list(SHAPES))
def test_diagonal_route_equals_fresh_solves(shape: str) -> None:
    n = 70
    A = SHAPES[shape](n, 11)
    rng = np.random.default_rng(0)
    y, w = rng.uniform(1.0, 50.0, n), rng.uniform(0.5, 3.0, n)
    ref = extraction_losses_fresh(A, y, w)
    fast = extraction_losses(A, y, w, diagonal="fast")
    assert fast.method.startswith("low-rank/diagonal exact") and fast.bound == 0.0
    np.testing.assert_allclose(fast.total, ref.total, rtol=1e-9)
    np.testing.assert_allclose(fast.others, ref.others, rtol=1e-9, atol=1e-9 * ref.total.max())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        bounded = extraction_losses(A, y, w, diagonal="fast", probes=8, rtol=0.5)
    if bounded.bound:
        assert bounded.lower is not None and bounded.upper is not None
        assert np.all(bounded.lower <= ref.total * (1 + 1e-12))
        assert np.all(ref.total <= bounded.upper * (1 + 1e-12))
        assert np.all(np.abs(bounded.total - ref.total) <= bounded.bound * ref.total * (1 + 1e-9))


def test_certified_losses_contain_the_fresh_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    import autarky.solve.inverse_diagonal as inverse_diagonal

    n = 300
    A = expander(n, 4)
    rng = np.random.default_rng(1)
    y, w = rng.uniform(1.0, 50.0, n), rng.uniform(0.5, 3.0, n)
    ref = extraction_losses_fresh(A, y, w)
    monkeypatch.setattr(inverse_diagonal, "EXACT_FLOPS", 0.0)
    monkeypatch.setattr(inverse_diagonal, "DENSE_MAX", 0)
    with pytest.warns(RuntimeWarning, match="certified to"):
        res = extraction_losses(A, y, w, diagonal="fast")
    assert "certified" in res.method and 0 < res.bound < 0.5
    assert res.lower is not None and res.upper is not None
    assert np.all(res.lower <= ref.total * (1 + 1e-12)) and np.all(ref.total <= res.upper * (1 + 1e-12))
    assert np.all(np.abs(res.total - ref.total) <= res.bound * ref.total * (1 + 1e-9))


def _economy(A: sp.csr_array, seed: int) -> Economy:
    n = A.shape[0]
    ids = [f"p{i}" for i in range(n)]
    y = np.random.default_rng(seed).uniform(1.0, 100.0, n)
    return Economy(pd.DataFrame({"unit": "unit"}, index=ids), A, y, name=f"sparse-{n}")


@pytest.mark.parametrize("shape", ["banded", "hubbed", "expander"])
def test_branch_criticality_fast_path_equals_fresh_solves(shape: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    A = SHAPES[shape](120, 8)
    eco = _economy(A, 3)
    monkeypatch.setattr(extraction, "DIAGONAL_MIN_N", 10)  # take the diagonal route at n = 120
    df = branch_criticality(eco)
    assert df.attrs["method"].startswith("low-rank/diagonal exact") and df.attrs["bound"] == 0.0
    demand = domestic_final_use(eco).sum(axis=1) + eco.exports_total
    ref = extraction_losses_fresh(eco.A_d, demand)
    expected = pd.Series(ref.total, index=eco.ids)
    np.testing.assert_allclose(df["total"].to_numpy(), expected[df.index].to_numpy(), rtol=1e-9)
    assert list(df["rank"]) == list(range(1, 121))


def test_auto_takes_the_diagonal_route_for_large_sparse_only() -> None:
    n = 700
    A = banded(n, 2)
    rng = np.random.default_rng(2)
    y = rng.uniform(1.0, 10.0, n)
    res = extraction_losses(A, y)
    assert res.method == "low-rank/diagonal exact: 700 banded"
    ref = extraction_losses(A, y, diagonal="columns")
    assert ref.method.startswith("low-rank/") and "diagonal" not in ref.method
    np.testing.assert_allclose(res.total, ref.total, rtol=1e-8)
    dense = extraction_losses(A.toarray(), y)
    assert "diagonal" not in dense.method and dense.lower is None
    with pytest.raises(BadValueError, match="diagonal"):
        extraction_losses(A, y, diagonal="guess")  # type: ignore[arg-type]


def test_dense_2000_path_is_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dense n = 2,000: one factorization and two multi-right-hand-side solves (``x`` and all of
    ``L`` in one block), as before the diagonal route existed."""
    n = 2000
    rng = np.random.default_rng(9)
    A = rng.uniform(0, 1, (n, n)) * (rng.uniform(0, 1, (n, n)) < 0.05)
    A *= 0.7 / A.sum(axis=0).max()
    y = rng.uniform(1.0, 10.0, n)
    built, solves = [], []
    init, solve = LeontiefSolver.__init__, LeontiefSolver.solve

    def counting_init(self: LeontiefSolver, *args: object, **kwargs: object) -> None:
        built.append(1)
        init(self, *args, **kwargs)  # type: ignore[arg-type]

    def counting_solve(self: LeontiefSolver, b: np.ndarray) -> np.ndarray:
        solves.append(np.shape(b))
        return solve(self, b)

    monkeypatch.setattr(LeontiefSolver, "__init__", counting_init)
    monkeypatch.setattr(LeontiefSolver, "solve", counting_solve)
    res = extraction_losses(A, y)
    assert res.method.startswith("low-rank/") and "diagonal" not in res.method and res.bound == 0.0
    assert len(built) == 1 and len(solves) == 2  # x, then the n columns of L in one block
    # spot-check against fresh solves on a few branches
    for k in (0, 977, n - 1):
        Ak = A.copy()
        Ak[k, :] = 0.0
        Ak[:, k] = 0.0
        yk = y.copy()
        yk[k] = 0.0
        x = np.linalg.solve(np.eye(n) - A, y)
        xk = np.linalg.solve(np.eye(n) - Ak, yk)
        assert res.total[k] == pytest.approx(float(np.sum(x - xk)), rel=1e-9)
