"""GMRES in lockstep and the method choice of LeontiefSolver, against LAPACK.

Every reference answer is numpy's dense solve (LAPACK ``gesv``) of the same system or a closed
form; the iterative path must agree to its stated tolerance, fall back to the LU (and say so)
where it cannot reach it, and give the same answers whatever the order of the branches and the
units of the products.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from autarky.solve import LeontiefSolver, productive_diagnosis, spectral_radius
from autarky.solve.krylov import block_gmres
from autarky.solve.leontief import DENSE_KRYLOV_MIN_N, SingularSystemError
from autarky.solve.spectral import collatz_wielandt


def dense_technology(n: int, seed: int, low: float = 0.5, high: float = 0.8) -> np.ndarray:
    rng = np.random.default_rng(seed)
    A = rng.uniform(0.0, 1.0, (n, n)) * (rng.uniform(size=(n, n)) < 0.3)
    return A * (rng.uniform(low, high, n) / np.maximum(A.sum(axis=0), 1e-300))[np.newaxis, :]


def sparse_technology(n: int, seed: int, inputs: int = 8) -> sp.csr_array:
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, n, (n, inputs))
    vals = rng.uniform(0.1, 1.0, (n, inputs))
    vals *= (rng.uniform(0.5, 0.8, n) / vals.sum(axis=1))[:, np.newaxis]
    A = sp.csr_array((vals.ravel(), (rows.ravel(), np.repeat(np.arange(n), inputs))), shape=(n, n))
    A.sum_duplicates()
    return A


def close(actual: np.ndarray, reference: np.ndarray, rtol: float = 1e-9) -> None:
    np.testing.assert_allclose(actual, reference, rtol=rtol,
                               atol=rtol * float(np.abs(reference).max()))


# ------------------------------------------------------------------------------- block_gmres
def test_block_gmres_equals_separate_solves():
    n = 400
    A = dense_technology(n, 1)
    M = np.eye(n) - A
    rng = np.random.default_rng(2)
    B = rng.uniform(0.0, 10.0, (n, 5))
    B[:, 2] = 0.0                      # a zero column is answered by zero, with no steps
    B[:, 4] = M @ rng.uniform(size=n)  # a column with a known answer
    res = block_gmres(lambda V: M @ V, B, np.diag(M), rtol=1e-13)
    assert res.converged.all()
    close(res.x, np.linalg.solve(M, B), rtol=1e-11)
    assert res.iterations[2] == 0 and np.all(res.x[:, 2] == 0.0)
    # the residual it reports is the true one
    true = np.linalg.norm(B - M @ res.x, axis=0) / np.maximum(np.linalg.norm(B, axis=0), 1e-300)
    np.testing.assert_allclose(res.residual, true, rtol=1e-6, atol=1e-15)
    assert res.residual.max() <= 1e-13


def test_block_gmres_columns_converge_at_their_own_pace():
    # column 0 starts at its answer (no step needed), column 1 from zero (several steps)
    n = 300
    rng = np.random.default_rng(3)
    M = np.eye(n) - dense_technology(n, 3)
    X = rng.uniform(size=(n, 2))
    B = M @ X
    x0 = np.column_stack([X[:, 0], np.zeros(n)])
    res = block_gmres(lambda V: M @ V, B, np.diag(M), x0=x0)
    assert res.converged.all()
    assert res.iterations[0] == 0 and res.iterations[1] > 2
    close(res.x, X, rtol=1e-10)


def test_block_gmres_reports_what_it_cannot_solve():
    # a long cycle with little leakage: eigenvalues of I - 0.999 P spread round a circle, so
    # GMRES needs about n steps; with 30 allowed it must say it did not converge
    n = 200
    P = np.roll(np.eye(n), 1, axis=0)
    M = np.eye(n) - 0.999 * P
    B = np.random.default_rng(14).uniform(size=(n, 2))   # not the constant (an eigenvector)
    res = block_gmres(lambda V: M @ V, B, np.diag(M), maxiter=30)
    assert not res.converged.any()
    assert np.all(res.iterations <= 30 + 40)
    assert np.all(res.residual > 1e-12)


# ------------------------------------------------------------------------- LeontiefSolver
def test_large_dense_is_solved_by_krylov_and_agrees_with_lapack():
    n = DENSE_KRYLOV_MIN_N + 100
    A = dense_technology(n, 4)
    M = np.eye(n) - A
    rng = np.random.default_rng(5)
    Y = rng.uniform(0.0, 100.0, (n, 6))
    s = LeontiefSolver(A)
    assert s.method == "krylov"
    close(s.solve(Y), np.linalg.solve(M, Y))
    close(s.solve_transposed(Y), np.linalg.solve(M.T, Y))
    assert [r.method for r in s.history] == ["krylov", "krylov"]
    assert max(r.residual for r in s.history) <= 1e-12
    assert s._lu is None                       # no factorization was made
    assert "krylov" in s.used and "residual" in s.used


def test_many_right_hand_sides_go_to_the_lu_and_say_so():
    n = DENSE_KRYLOV_MIN_N
    A = dense_technology(n, 6)
    s = LeontiefSolver(A)
    block = np.eye(n)[:, : n // 2]             # half the unit vectors: cheaper through an LU
    X = s.solve(block)
    close(X, np.linalg.solve(np.eye(n) - A, block))
    assert s.history[-1].method == "dense LU"
    assert "cheaper" in s.history[-1].note
    # and from then on every solve uses it
    s.solve(np.ones(n))
    assert s.history[-1].method == "dense LU"


def test_near_singular_cycle_falls_back_and_says_so():
    # spectral radius 0.999 on a long cycle: GMRES cannot reach 1e-12 within its step budget
    n = DENSE_KRYLOV_MIN_N + 50
    P = np.roll(np.eye(n), 1, axis=0)
    A = 0.999 * P
    y = np.random.default_rng(7).uniform(1.0, 2.0, n)
    s = LeontiefSolver(A)
    x = s.solve(y)
    close(x, np.linalg.solve(np.eye(n) - A, y), rtol=1e-8)
    rec = s.history[-1]
    assert rec.method == "krylov -> dense LU"
    assert "did not" in s.used or "not 1e-12" in rec.note
    # asked for GMRES alone, the same system is refused with the reason, not answered badly
    with pytest.raises(SingularSystemError, match="residual"):
        LeontiefSolver(A, method="krylov").solve(y)


def test_near_singular_perron_root_is_solved_to_tolerance():
    # rho = 0.999 through one dominant eigenvalue (every column sums to 0.999): GMRES resolves
    # an isolated eigenvalue in one step, so it must converge, and agree with LAPACK to the
    # accuracy the condition number (about 2 / 0.001) allows
    n = DENSE_KRYLOV_MIN_N + 50
    rng = np.random.default_rng(8)
    A = rng.uniform(size=(n, n))
    A *= 0.999 / A.sum(axis=0)
    y = rng.uniform(1.0, 2.0, n)
    s = LeontiefSolver(A)
    x = s.solve(y)
    assert s.history[-1].method == "krylov"
    close(x, np.linalg.solve(np.eye(n) - A, y), rtol=1e-8)


@pytest.mark.parametrize("n", [600, 5000])
def test_sparse_krylov_agrees_with_sparse_lu(n):
    A = sparse_technology(n, 9)
    rng = np.random.default_rng(10)
    Y = rng.uniform(0.0, 10.0, (n, 3))
    s = LeontiefSolver(A)
    assert s.method == "krylov"
    ref = sp.linalg.splu(sp.csc_matrix(sp.eye(n) - A))
    close(s.solve(Y), ref.solve(Y))
    close(s.solve_transposed(Y), ref.solve(Y, trans="T"))


def test_from_flows_equals_coefficients():
    n = DENSE_KRYLOV_MIN_N + 10
    rng = np.random.default_rng(11)
    A = dense_technology(n, 11)
    x = rng.uniform(1.0, 1000.0, n)
    x[3] = 0.0                                   # no output: a zero column
    Z = A * x[np.newaxis, :]
    A0 = A.copy()
    A0[:, 3] = 0.0
    y = rng.uniform(size=n)
    for method in ("krylov", "dense"):
        s = LeontiefSolver.from_flows(Z, x, method=method)
        close(s.solve(y), np.linalg.solve(np.eye(n) - A0, y))
        close(s.solve_transposed(y), np.linalg.solve((np.eye(n) - A0).T, y))


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(2, 60))
def test_order_and_units_do_not_change_the_answer(seed, n):
    # branch order: solving the permuted system gives the permuted answer; units: measuring
    # product i in units c_i times smaller scales A to C A C^-1 and x to C x
    rng = np.random.default_rng(seed)
    A = dense_technology(n, seed)
    y = rng.uniform(0.0, 10.0, n)
    p = rng.permutation(n)
    c = 10.0 ** rng.uniform(-4, 4, n)
    x = LeontiefSolver(A, method="krylov").solve(y)
    xp = LeontiefSolver(A[np.ix_(p, p)], method="krylov").solve(y[p])
    close(xp, x[p], rtol=1e-10)
    Ac = c[:, np.newaxis] * A / c[np.newaxis, :]
    xc = LeontiefSolver(Ac, method="krylov").solve(c * y)
    close(xc, c * x, rtol=1e-9)


# ------------------------------------------------------------------------ productiveness
@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(1, 40), scale=st.floats(0.1, 3.0))
def test_collatz_wielandt_bounds_contain_the_spectral_radius(seed, n, scale):
    rng = np.random.default_rng(seed)
    A = rng.uniform(size=(n, n)) * scale / n
    u = rng.uniform(0.1, 2.0, n)
    lo, hi = collatz_wielandt(A, u)
    rho = float(np.abs(np.linalg.eigvals(A)).max())
    assert lo <= rho * (1 + 1e-12) + 1e-15 and rho <= hi * (1 + 1e-12) + 1e-15


def test_productive_in_physical_units_is_proved_by_one_solve():
    # tonnes of steel per kWh: columns and rows sum far above one, yet rho < 1
    n = 50
    A = dense_technology(n, 12)
    c = 10.0 ** np.random.default_rng(13).uniform(-4, 4, n)
    Ac = c[:, np.newaxis] * A / c[np.newaxis, :]
    assert min(Ac.sum(axis=0).max(), Ac.sum(axis=1).max()) > 1.0
    d = productive_diagnosis(Ac)
    rho = spectral_radius(Ac)
    assert d.productive and rho <= d.bound < 1.0
    # a value table needs no solve: the bound is the norm
    d2 = productive_diagnosis(A)
    assert d2.productive
    assert d2.bound == pytest.approx(min(A.sum(axis=0).max(), A.sum(axis=1).max()))


def test_not_productive_is_not_certified():
    A = np.array([[0.5, 0.6], [0.6, 0.5]])       # rho = 1.1
    d = productive_diagnosis(A)
    assert not d.productive and d.spectral_radius == pytest.approx(1.1)


@pytest.mark.parametrize(("method", "sparse"), [("dense", False), ("krylov", False),
                                               ("dense", True), ("krylov", True), ("splu", True)])
def test_row_scaled_technology_is_never_formed_and_solves_the_same(method, sparse):
    # A_d = diag(1 - s) A_c held as a scaling: the same answers as the formed matrix
    n = 120
    A = sparse_technology(n, 15) if sparse else dense_technology(n, 15)
    r = np.random.default_rng(16).uniform(0.3, 1.0, n)
    Ad = r[:, None] * (A.toarray() if sparse else A)
    y = np.random.default_rng(17).uniform(size=n)
    s = LeontiefSolver(A, method=method, row_scale=r)
    close(s.solve(y), np.linalg.solve(np.eye(n) - Ad, y), rtol=1e-10)
    close(s.solve_transposed(y), np.linalg.solve((np.eye(n) - Ad).T, y), rtol=1e-10)
    np.testing.assert_allclose(s.apply(y), Ad @ y, rtol=1e-12)
    np.testing.assert_allclose(s.apply(y, True), Ad.T @ y, rtol=1e-12)


def test_certify_proves_a_bound_on_the_operator():
    from autarky.solve.spectral import certify

    n = 40
    A = dense_technology(n, 18)
    c = 10.0 ** np.random.default_rng(19).uniform(-3, 3, n)
    Ac = c[:, None] * A / c[None, :]              # physical units: the norms exceed one
    r = np.random.default_rng(20).uniform(0.5, 1.0, n)
    bound = certify(LeontiefSolver(Ac, row_scale=r))
    rho = spectral_radius(r[:, None] * Ac)
    assert rho <= bound < 1.0
    # a technology that is not productive is not certified
    assert np.isnan(certify(LeontiefSolver(np.array([[0.5, 0.6], [0.6, 0.5]]))))
