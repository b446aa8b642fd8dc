"""Hypothetical extraction by low-rank updates of one factorization, against fresh solves and by hand.

The textbook economy (Miller & Blair 2009, section 2.3), worked by hand::

    I - A = [[0.85, -0.25], [-0.20, 0.95]],   det = 0.7575 = 303/400
    x = [945, 1395] / 0.7575 = [126000/101, 186000/101] = [1247.5247..., 1841.5841...]

Extracting branch 1 (agriculture) leaves manufacturing alone, with ``a22 = 0.05`` and ``y2 = 1500``::

    x^(-1) = [0, 1500 / 0.95] = [0, 30000/19]
    total  = 126000/101 + 186000/101 - 30000/19 = 2898000/1919
    others = 186000/101 - 30000/19             =  504000/1919

Extracting branch 2 leaves agriculture alone with ``a11 = 0.15`` and ``y1 = 600``::

    x^(-2) = [600 / 0.85, 0] = [12000/17, 0]
    total  = 126000/101 + 186000/101 - 12000/17 = 4092000/1717
    others = 126000/101 - 12000/17              =  930000/1717
"""

from __future__ import annotations

import warnings
from fractions import Fraction as F

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from autarky.solve.extraction import (
    ExtractionResult,
    extraction_loss_vector,
    extraction_losses,
    extraction_losses_fresh,
)
from autarky.solve.leontief import LeontiefSolver
from autarky.testing import random_technology

TEXTBOOK_A = np.array([[0.15, 0.25], [0.20, 0.05]])
TEXTBOOK_Y = np.array([600.0, 1500.0])
X1, X2 = F(126000, 101), F(186000, 101)


def assert_same_ranking(a: np.ndarray, b: np.ndarray, rtol: float = 1e-9) -> None:
    """``a`` and ``b`` rank the branches identically (branches tied within ``rtol`` may swap)."""
    order = np.argsort(-a, kind="stable")
    if np.array_equal(order, np.argsort(-b, kind="stable")):
        return
    steps = np.diff(b[order])
    assert np.all(steps <= rtol * np.abs(b).max()), "rankings differ beyond ties"


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 60), density=st.floats(0.05, 1.0), spectral=st.floats(0.1, 0.95),
       seed=st.integers(0, 2**32 - 1))
def test_low_rank_equals_fresh_solves(n: int, density: float, spectral: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    A = random_technology(n, density, spectral, seed=rng)
    y = rng.uniform(1.0, 100.0, n)
    w = rng.uniform(0.5, 5.0, n)
    low = extraction_losses(A, y, w, block_size=int(rng.integers(1, n + 1)))
    ref = extraction_losses_fresh(A, y, w)
    np.testing.assert_allclose(low.total, ref.total, rtol=1e-9)
    np.testing.assert_allclose(low.others, ref.others, rtol=1e-9, atol=1e-12 * ref.total.max())
    assert low.method == "low-rank/dense" and low.fresh == ()
    assert_same_ranking(low.total, ref.total)
    assert_same_ranking(low.others, ref.others)


def test_textbook_by_hand() -> None:
    res = extraction_losses(TEXTBOOK_A, TEXTBOOK_Y)
    assert isinstance(res, ExtractionResult)
    total = [X1 + X2 - F(1500) / F(95, 100), X1 + X2 - F(600) / F(85, 100)]
    others = [X2 - F(1500) / F(95, 100), X1 - F(600) / F(85, 100)]
    assert total == [F(2898000, 1919), F(4092000, 1717)]
    assert others == [F(504000, 1919), F(930000, 1717)]
    np.testing.assert_allclose(res.total, [float(t) for t in total], rtol=1e-9)
    np.testing.assert_allclose(res.others, [float(o) for o in others], rtol=1e-9)
    np.testing.assert_allclose(extraction_loss_vector(TEXTBOOK_A, TEXTBOOK_Y, 0),
                               [float(X1), float(others[0])], rtol=1e-9)
    np.testing.assert_allclose(extraction_loss_vector(TEXTBOOK_A, TEXTBOOK_Y, -1),
                               [float(others[1]), float(X2)], rtol=1e-9)
    # prices weight the losses: value agriculture at 2, manufacturing at 3
    priced = extraction_losses(TEXTBOOK_A, TEXTBOOK_Y, np.array([2.0, 3.0]))
    expected = [2 * X1 + 3 * (X2 - F(1500) / F(95, 100)), 3 * X2 + 2 * (X1 - F(600) / F(85, 100))]
    np.testing.assert_allclose(priced.total, [float(e) for e in expected], rtol=1e-9)


@pytest.mark.parametrize("sparse", [False, True])
def test_isolated_branch_loses_only_its_own_output(sparse: bool) -> None:
    n, k, akk = 12, 4, 0.3
    rng = np.random.default_rng(7)
    A = np.asarray(random_technology(n, 0.6, 0.8, seed=rng))
    A[k, :] = 0.0
    A[:, k] = 0.0
    A[k, k] = akk
    y = rng.uniform(1.0, 100.0, n)
    x_k = y[k] / (1 - akk)
    tech = sp.csr_array(A) if sparse else A
    res = extraction_losses(tech, y)
    assert res.total[k] == pytest.approx(x_k, rel=1e-12)
    assert res.others[k] == pytest.approx(0.0, abs=1e-12 * x_k)
    expected = np.zeros(n)
    expected[k] = x_k
    np.testing.assert_allclose(extraction_loss_vector(tech, y, k), expected, rtol=1e-12, atol=1e-12 * x_k)


@pytest.mark.parametrize("sparse", [False, True])
def test_loss_vector_matches_numpy_solve(sparse: bool) -> None:
    n = 25
    rng = np.random.default_rng(3)
    A = np.asarray(random_technology(n, 0.4, 0.9, seed=rng))
    y = rng.uniform(1.0, 50.0, n)
    x = np.linalg.solve(np.eye(n) - A, y)
    tech = sp.csr_array(A) if sparse else A
    solver = LeontiefSolver(tech)
    for k in (0, 7, n - 1):
        Ak = A.copy()
        Ak[k, :] = 0.0
        Ak[:, k] = 0.0
        yk = y.copy()
        yk[k] = 0.0
        expected = x - np.linalg.solve(np.eye(n) - Ak, yk)
        np.testing.assert_allclose(extraction_loss_vector(tech, y, k, solver=solver), expected, rtol=1e-10)
    with pytest.raises(IndexError):
        extraction_loss_vector(A, y, n)


def test_sparse_matches_dense() -> None:
    n = 80
    rng = np.random.default_rng(11)
    S = random_technology(n, 0.08, 0.85, seed=rng, sparse=True)
    D = sp.csr_array(S).toarray()
    y = rng.uniform(1.0, 100.0, n)
    w = rng.uniform(0.5, 2.0, n)
    dense = extraction_losses(D, y, w)
    splu = extraction_losses(S, y, w, block_size=17)
    assert splu.method == "low-rank/splu"
    np.testing.assert_allclose(splu.total, dense.total, rtol=1e-10)
    np.testing.assert_allclose(splu.others, dense.others, rtol=1e-10, atol=1e-10 * dense.total.max())
    gmres = extraction_losses(S, y, w, solver=LeontiefSolver(S, method="gmres"))
    assert gmres.method == "low-rank/gmres"
    np.testing.assert_allclose(gmres.total, dense.total, rtol=1e-8)
    np.testing.assert_allclose(gmres.others, dense.others, rtol=1e-8, atol=1e-8 * dense.total.max())


def test_reuses_a_solver_and_rejects_one_for_another_technology() -> None:
    rng = np.random.default_rng(5)
    A = np.asarray(random_technology(10, 0.5, 0.8, seed=rng))
    y = rng.uniform(1.0, 10.0, 10)
    solver = LeontiefSolver(A)
    np.testing.assert_allclose(extraction_losses(A, y, solver=solver).total,
                               extraction_losses(A, y).total, rtol=1e-13)
    with pytest.raises(ValueError, match="solver"):
        extraction_losses(A, y, solver=LeontiefSolver(0.5 * A))
    with pytest.raises(ValueError, match="branches"):
        extraction_losses(A, y, solver=LeontiefSolver(A[:9, :9]))


@pytest.mark.parametrize("sparse", [False, True])
def test_singular_update_falls_back_to_a_fresh_solve(sparse: bool) -> None:
    # I - A is regular (det = -1/4), but without branch 0 branches 1 and 2 form the closed loop
    # [[0, 1], [1, 0]]: I - A^(-0) is singular, L_00 = 0, and so is the 2x2 system of the update.
    A = np.array([[0.0, 0.5, 0.0], [0.5, 0.0, 1.0], [0.0, 1.0, 0.0]])
    y = np.array([1.0, 2.0, 3.0])
    tech = sp.csr_array(A) if sparse else A
    with pytest.warns(RuntimeWarning, match="singular"):
        res = extraction_losses(tech, y)
    assert res.fresh == (0,) and res.method == ("low-rank/splu+fresh" if sparse else "low-rank/dense+fresh")
    assert np.isnan(res.total[0]) and np.isnan(res.others[0])
    ref = extraction_losses_fresh(A, y)
    np.testing.assert_allclose(res.total[1:], ref.total[1:], rtol=1e-12)
    np.testing.assert_allclose(res.others[1:], ref.others[1:], rtol=1e-12)
    with pytest.warns(RuntimeWarning, match="singular"):
        assert np.all(np.isnan(extraction_loss_vector(tech, y, 0)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        extraction_loss_vector(tech, y, 1)


def test_empty_and_matrix_demand() -> None:
    empty = extraction_losses(np.zeros((0, 0)), np.zeros(0))
    assert empty.total.shape == (0,) and empty.others.shape == (0,)
    Y = np.column_stack([TEXTBOOK_Y / 3, 2 * TEXTBOOK_Y / 3])
    np.testing.assert_allclose(extraction_losses(TEXTBOOK_A, Y).total,
                               extraction_losses(TEXTBOOK_A, TEXTBOOK_Y).total, rtol=1e-13)


def test_fresh_fallback_path_gives_the_same_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    # Flag every branch as singular so that each one goes through the fresh-solve fallback.
    import autarky.solve.extraction as extraction

    rng = np.random.default_rng(2)
    A = np.asarray(random_technology(9, 0.5, 0.8, seed=rng))
    y = rng.uniform(1.0, 10.0, 9)
    w = rng.uniform(1.0, 2.0, 9)
    expected = extraction_losses(A, y, w)
    expected_vector = extraction_loss_vector(A, y, 3)
    monkeypatch.setattr(extraction, "SINGULAR_RTOL", 10.0)
    res = extraction_losses(A, y, w)
    assert res.fresh == tuple(range(9)) and res.method == "low-rank/dense+fresh"
    np.testing.assert_allclose(res.total, expected.total, rtol=1e-10)
    np.testing.assert_allclose(res.others, expected.others, rtol=1e-10)
    np.testing.assert_allclose(extraction_loss_vector(A, y, 3), expected_vector, rtol=1e-10)
