"""Sparse products on threads (autarky.solve.parallel) and the solves that use them.

A product split into row blocks must equal scipy's own serial product bit for bit (each row's sum
is computed the same way); the number of threads comes from ``AUTARKY_NUM_THREADS``, then
``OMP_NUM_THREADS``, then the CPUs the process may use. The solves are checked against numpy's
dense solve (LAPACK ``gesv``) of the same system, formed here from the matrix.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
import scipy.sparse as sp

from autarky.solve import LeontiefSolver
from autarky.solve import parallel as par
from autarky.solve.parallel import RowBlocks, num_threads


@pytest.fixture
def split_small(monkeypatch):
    """Split even tiny matrices (the threshold is for speed, not for correctness)."""
    monkeypatch.setattr(par, "PARALLEL_MIN_NNZ", 0)


def matrix_with_empty_rows(n: int, m: int, seed: int) -> sp.csr_array:
    rng = np.random.default_rng(seed)
    A = sp.random_array((n, m), density=0.05, format="csr", rng=rng)
    A = sp.csr_array(A.multiply(rng.uniform(size=(n, 1)) < 0.6))   # about 40 % empty rows
    A.eliminate_zeros()
    # heavy rows too, so the split by non-zeros is uneven in rows
    return sp.csr_array(sp.vstack([sp.csr_array(rng.uniform(size=(3, m))), A[3:]]))


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("threads", [1, 2, 3, 7, 64])
@pytest.mark.parametrize("shape", [(200, 200), (57, 300), (500, 40)])
def test_split_product_equals_serial_bit_for_bit(split_small, threads, shape):
    A = matrix_with_empty_rows(*shape, seed=threads + shape[0])
    rng = np.random.default_rng(1)
    v = rng.normal(size=shape[1])
    V = rng.normal(size=(shape[1], 5))
    blocks = RowBlocks(A, threads=threads)
    assert same_bits(blocks @ v, A @ v)
    assert same_bits(blocks @ V, A @ V)
    assert blocks.bounds[0] == 0 and blocks.bounds[-1] == shape[0]
    assert np.all(np.diff(blocks.bounds) > 0)


def test_more_threads_than_rows(split_small):
    A = sp.csr_array(np.array([[1.0, 2.0, 0.0], [0.0, 0.0, 0.0], [0.5, 0.0, 3.0]]))
    blocks = RowBlocks(A, threads=16)
    assert blocks.threads == 3
    np.testing.assert_array_equal(blocks @ np.array([1.0, 10.0, 100.0]), [21.0, 0.0, 300.5])


def test_empty_matrix_and_no_rows(split_small):
    Z = sp.csr_array((5, 4))
    assert same_bits(RowBlocks(Z, threads=3) @ np.ones(4), np.zeros(5))
    E = sp.csr_array((0, 4))
    assert (RowBlocks(E, threads=3) @ np.ones(4)).shape == (0,)


def test_blocks_are_views_of_the_matrix(split_small):
    A = matrix_with_empty_rows(300, 300, 5)
    blocks = RowBlocks(A, threads=4)
    assert len(blocks._blocks) > 1
    for b in blocks._blocks:
        assert np.shares_memory(b.data, A.data) and np.shares_memory(b.indices, A.indices)


def test_small_products_stay_on_one_thread():
    A = matrix_with_empty_rows(100, 100, 6)
    assert A.nnz < par.PARALLEL_MIN_NNZ
    assert RowBlocks(A, threads=8).threads == 1


def test_number_of_threads_from_the_environment(monkeypatch):
    monkeypatch.delenv("AUTARKY_NUM_THREADS", raising=False)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert num_threads() == len(os.sched_getaffinity(0))
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    assert num_threads() == 2
    monkeypatch.setenv("AUTARKY_NUM_THREADS", "5")      # autarky's own comes first
    assert num_threads() == 5
    monkeypatch.setenv("AUTARKY_NUM_THREADS", "1")
    assert num_threads() == 1
    for bad in ("0", "-3", "many", ""):                  # ignored: the next source decides
        monkeypatch.setenv("AUTARKY_NUM_THREADS", bad)
        assert num_threads() == 2


def test_the_solver_takes_its_threads_from_the_environment(monkeypatch, split_small):
    A = matrix_with_empty_rows(400, 400, 7) * 0.01
    monkeypatch.setenv("AUTARKY_NUM_THREADS", "3")
    s = LeontiefSolver(A, method="krylov")
    s.solve(np.ones(400))
    assert s._operator(False).threads == 3
    monkeypatch.setenv("AUTARKY_NUM_THREADS", "1")
    s1 = LeontiefSolver(A, method="krylov")
    s1.solve(np.ones(400))
    assert s1._operator(False).threads == 1
    assert LeontiefSolver(A, method="krylov", threads=2)._operator(True).threads == 2


def technology(n: int, seed: int, inputs: int = 12, diagonal: bool = False) -> sp.csr_array:
    """Column sums in [0.5, 0.8]; with ``diagonal``, every branch also uses its own product."""
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, n, (n, inputs))
    if diagonal:
        rows[:, 0] = np.arange(n)
    vals = rng.uniform(0.1, 1.0, (n, inputs))
    vals *= (rng.uniform(0.5, 0.8, n) / vals.sum(axis=1))[:, np.newaxis]
    A = sp.csr_array((vals.ravel(), (rows.ravel(), np.repeat(np.arange(n), inputs))),
                     shape=(n, n))
    A.sum_duplicates()
    return A


def dense_system(A: sp.csr_array, seed: int, scaled: bool) -> tuple:
    """Row and column scalings (or ``None``), ``M = I - diag(r) A diag(c)`` formed densely here,
    and three right-hand sides."""
    n = A.shape[0]
    rng = np.random.default_rng(seed)
    r = rng.uniform(0.6, 1.0, n) if scaled else None
    c = rng.uniform(0.5, 2.0, n) if scaled else None
    Ad = A.toarray()
    if scaled:
        Ad = r[:, None] * Ad * c[None, :]
    return r, c, np.eye(n) - Ad, rng.uniform(0.0, 10.0, (n, 3))


@pytest.mark.parametrize(("n", "diagonal", "scaled"), [(300, False, False), (300, True, True),
                                                       (2500, False, True), (2500, True, False)])
def test_threaded_solves_agree_with_dense_lu_and_with_one_thread(split_small, n, diagonal, scaled):
    A = technology(n, n, diagonal=diagonal)
    if not diagonal:     # a few diagonal entries only: the solver fixes those rows alone
        A = sp.csr_array(A + sp.diags_array(np.where(np.arange(n) % 97 == 0, 0.2, 0.0)))
    r, c, M, Y = dense_system(A, 3, scaled)
    x_ref, z_ref = np.linalg.solve(M, Y), np.linalg.solve(M.T, Y)
    answers = []
    for threads in (1, 4):
        s = LeontiefSolver(A, method="krylov", row_scale=r, col_scale=c, threads=threads)
        x, z = s.solve(Y), s.solve_transposed(Y)
        assert all(h.method == "krylov" for h in s.history)
        np.testing.assert_allclose(x, x_ref, rtol=1e-9, atol=1e-12 * np.abs(x_ref).max())
        np.testing.assert_allclose(z, z_ref, rtol=1e-9, atol=1e-12 * np.abs(z_ref).max())
        # the true residual of every answer meets the solver's tolerance
        for X, Mx in ((x, M), (z, M.T)):
            res = np.linalg.norm(Y - Mx @ X, axis=0) / np.linalg.norm(Y, axis=0)
            assert res.max() <= 1e-11
        answers.append((x, z))
    assert same_bits(answers[0][0], answers[1][0]) and same_bits(answers[0][1], answers[1][1])


def test_an_error_in_a_block_reaches_the_caller(split_small):
    A = matrix_with_empty_rows(300, 300, 9)
    blocks = RowBlocks(A, threads=3)
    with pytest.raises(ValueError):
        blocks @ np.ones(299)            # wrong length: every block fails, none hangs
    assert same_bits(blocks @ np.ones(300), A @ np.ones(300))    # and the pool still works


# ------------------------------------------------------------- transposed products, no copy
@pytest.mark.parametrize("threads", [1, 2, 3, 64])
@pytest.mark.parametrize("shape", [(200, 200), (57, 300), (500, 40)])
def test_transposed_blocks_equal_scipys_transposed_product(split_small, threads, shape):
    """``M' U`` by scatters of row blocks: scipy's ``M.T @ U`` up to rounding (the partial
    answers are summed in another order), and the same bits on every run."""
    from autarky.solve.parallel import TransposedBlocks

    M = matrix_with_empty_rows(*shape, seed=threads + shape[1])
    rng = np.random.default_rng(2)
    u = rng.normal(size=shape[0])
    U = rng.normal(size=(shape[0], 4))
    blocks = TransposedBlocks(M, threads=threads)
    assert blocks.shape == (shape[1], shape[0])
    assert blocks.threads == min(threads, shape[0])
    for v in (u, U):
        ref = np.asarray(M.T @ v)
        got = blocks @ v
        assert got.shape == ref.shape
        np.testing.assert_allclose(got, ref, rtol=1e-13, atol=1e-13 * np.abs(ref).max())
        assert same_bits(got, blocks @ v)
    # the blocks are views of M's arrays: no copy of the non-zeros
    for b in blocks._blocks:
        assert np.shares_memory(b.data, M.data)


@pytest.mark.parametrize("scaled", [False, True])
def test_transposed_solves_without_the_copy_agree_with_dense_lu(split_small, monkeypatch,
                                                                scaled):
    """Above TRANSPOSE_COPY_MAX_NNZ the transposed solves scatter through A itself (no copy
    of A' is made); their answers are numpy's dense solve of M' z = y, formed here."""
    from autarky.solve import leontief as lt
    from autarky.solve.parallel import TransposedBlocks

    n = 600
    A = technology(n, 11, diagonal=True)
    r, c, M, Y = dense_system(A, 5, scaled)
    z_ref = np.linalg.solve(M.T, Y)
    monkeypatch.setattr(lt, "TRANSPOSE_COPY_MAX_NNZ", A.nnz - 1)
    for threads in (1, 2):
        s = LeontiefSolver(A, method="krylov", row_scale=r, col_scale=c, threads=threads)
        z = s.solve_transposed(Y)
        assert s._AT is None and isinstance(s._operator(True), TransposedBlocks)
        np.testing.assert_allclose(z, z_ref, rtol=1e-9, atol=1e-12 * np.abs(z_ref).max())
        res = np.linalg.norm(Y - M.T @ z, axis=0) / np.linalg.norm(Y, axis=0)
        assert res.max() <= 1e-11
    monkeypatch.setattr(lt, "TRANSPOSE_COPY_MAX_NNZ", A.nnz)      # at the limit: copied
    s = LeontiefSolver(A, method="krylov", row_scale=r, col_scale=c, threads=2)
    np.testing.assert_allclose(s.solve_transposed(Y), z_ref, rtol=1e-9,
                               atol=1e-12 * np.abs(z_ref).max())
    assert s._AT is not None
