"""Certified bounds on ``diag((I - B)^-1)`` from the rows and columns of a low power of ``B``.

The split bound of :func:`~autarky.solve.inverse_diagonal.leontief_diagonal`'s certified route.
For a non-negative productive ``B`` with ``L = (I - B)^-1 = sum_p B^p`` and any power ``a >= 1``::

    L = N + B^a (L - I) B^a,        N = I + B + ... + B^(2a),

so ``L_ii = N_ii + u_i' (L - I) v_i`` with ``u_i = (B^a)' e_i`` (row ``i`` of ``B^a``) and
``v_i = B^a e_i`` (column ``i``). The diagonal of ``N`` is exact: ``(B^(q+r))_ii`` is the dot
product of row ``i`` of ``B^q`` with column ``i`` of ``B^r``, and the rows and columns of
``B, ..., B^a`` are formed anyway. The rest is non-negative, and a Schur test bounds it: for
``M = L - I >= 0`` and ``u, v >= 0``, by Cauchy-Schwarz over the entries of ``M``::

    u' M v = sum_jk (u_j sqrt(M_jk)) (v_k sqrt(M_jk))
          <= sqrt(sum_j u_j^2 (M 1)_j) sqrt(sum_k v_k^2 (1' M)_k).

The certificates of productiveness bound the row and column sums: ``(I - B) s >= 1`` and
``t' (I - B) >= 1'`` with ``s, t >= 0`` give ``L 1 <= s`` and ``1' L <= t'``, so
``M 1 <= s - 1`` and ``1' M <= t' - 1'``. Hence, for every branch::

    N_ii  <=  L_ii  <=  N_ii + sqrt(sum_j (B^a)_ij^2 (s_j - 1)) sqrt(sum_k (B^a)_ki^2 (t_k - 1)).

No probe classes are involved, so the width is not limited by their number (the ``O(1 / C)``
floor of probing): on a random (expander) technology with ``d`` inputs per product the rows of
``B^a`` have about ``d^a`` entries of size ``rho^a / d^a``, and the width is about
``rho^(2a) s / d^a``. Measured at ``n = 10^5``, 20 inputs, column sums in [0.5, 0.8]
(bench/results/criticality.md): ``a = 2`` gives 3.8e-3, ``a = 3`` about 1e-4.

Cost: the rows of ``B^a`` and of ``(B')^a`` in chunks of rows (sparse products, ``2 n d^a``
multiply-adds at most, on :func:`~autarky.solve.parallel.num_threads` threads), never held whole.

Examples
--------
Miller & Blair (2009), section 2.3: ``L_11 = 1.2541``, ``L_22 = 1.1221``.

>>> import scipy.sparse as sp
>>> B = sp.csr_array([[0.15, 0.25], [0.20, 0.05]])
>>> s = np.linalg.solve(np.eye(2) - B.toarray(), np.ones(2)) * 1.01
>>> t = np.linalg.solve(np.eye(2) - B.toarray().T, np.ones(2)) * 1.01
>>> lo, up = split_bounds(B, s, t, 3)
>>> bool(np.all(lo <= [1.2541, 1.1221])) and bool(np.all([1.2540, 1.1220] <= up))
True
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from autarky import checks
from autarky.errors import BadValueError
from autarky.solve.parallel import _executor, num_threads

__all__ = ["split_bounds", "split_work"]

#: Entries of ``B^a`` per chunk of rows (each of the two directions, per thread).
CHUNK_NNZ = 4_000_000

#: Largest power ``a`` the split bound takes.
MAX_POWER = 8

_EPS = np.finfo(float).eps


def _row_sizes(B: sp.csr_array, a: int) -> list[float]:
    """Estimated entries per row of ``B, ..., B^a`` (``min(m, d^q)``, ``d`` the mean degree)."""
    m = B.shape[0]
    d = max(B.nnz / max(m, 1), 1.0)
    return [float(min(m, d**q)) for q in range(1, a + 1)]


def split_work(B: sp.csr_array, a: int) -> float:
    """Multiply-adds of :func:`split_bounds` with power ``a`` (an estimate: both directions, each
    row of ``B^(q-1)`` times the mean degree, for ``q = 2, ..., a``)."""
    m = B.shape[0]
    d = max(B.nnz / max(m, 1), 1.0)
    return 2.0 * m * d * float(sum(_row_sizes(B, a - 1))) if a > 1 else 2.0 * B.nnz


def _weighted_squares(M: sp.csr_array, w: np.ndarray) -> np.ndarray:
    """``sum_j M_ij^2 w_j`` for every row ``i``."""
    return sp.csr_array((M.data * M.data, M.indices, M.indptr), shape=M.shape) @ w


def _dots(U: sp.csr_array, V: sp.csr_array) -> np.ndarray:
    """``sum_j U_ij V_ij`` for every row ``i``."""
    return np.asarray(U.multiply(V).sum(axis=1)).ravel()


def split_bounds(B: Any, s: np.ndarray, t: np.ndarray, a: int, *,
                 threads: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Certified ``lower <= diag((I - B)^-1) <= upper`` by the split bound (module docstring).

    Parameters
    ----------
    B
        Square non-negative productive technology (``scipy.sparse``).
    s, t
        Certificates: ``(I - B) s >= 1`` and ``t' (I - B) >= 1'``, both non-negative (checked by the
        caller, e.g. :func:`~autarky.solve.inverse_diagonal.super_solution`).
    a
        The power, 1 to :data:`MAX_POWER`: the diagonal of ``I + B + ... + B^(2a)`` is exact, the
        rest bounded.
    threads
        Threads for the chunks of rows; default :func:`~autarky.solve.parallel.num_threads`.

    Returns
    -------
    tuple of numpy.ndarray
        ``(lower, upper)``, each ``(m,)``, with margins for rounding.
    """
    B = sp.csr_array(B, dtype=float)
    m = B.shape[0]
    a = checks.integer("a", a, lower=1, upper=MAX_POWER)
    ws = np.maximum(np.asarray(s, dtype=float).ravel() - 1.0, 0.0)
    wt = np.maximum(np.asarray(t, dtype=float).ravel() - 1.0, 0.0)
    if B.shape != (m, m) or ws.shape != (m,) or wt.shape != (m,):
        raise BadValueError(f"B must be square and s, t of its length: got B {B.shape}, "
                            f"s {np.shape(s)}, t {np.shape(t)}")
    BT = sp.csr_array(B.T)
    exact = np.zeros((2 * a + 1, m))  # exact[p] = diag(B^p)
    alpha = np.empty(m)
    beta = np.empty(m)
    rows = max(1, int(CHUNK_NNZ // max(_row_sizes(B, a)[-1], 1.0)))

    def chunk(r0: int) -> None:
        r1 = min(m, r0 + rows)
        U = sp.csr_array(B[r0:r1])  # rows of B^q
        V = sp.csr_array(BT[r0:r1])  # rows of (B')^q: columns of B^q
        exact[2, r0:r1] = _dots(U, V)  # (B B)_ii
        for q in range(2, a + 1):
            Vprev = V
            U = sp.csr_array(U @ B)
            V = sp.csr_array(V @ BT)
            exact[2 * q - 1, r0:r1] = _dots(U, Vprev)  # (B^q B^(q-1))_ii
            exact[2 * q, r0:r1] = _dots(U, V)  # (B^q B^q)_ii
        alpha[r0:r1] = _weighted_squares(U, ws)
        beta[r0:r1] = _weighted_squares(V, wt)

    starts = range(0, m, rows)
    workers = min(threads if threads is not None else num_threads(), len(starts))
    if workers > 1:
        list(_executor(workers).map(chunk, starts))
    else:
        for r0 in starts:
            chunk(r0)
    exact[0] = 1.0
    exact[1] = B.diagonal()
    low = exact.sum(axis=0)
    width = np.sqrt(alpha * beta)
    # rounding: every entry of B^q is a sum of non-negative products, computed with a relative
    # error of at most q gamma_m (Higham, section 3.1), and so is each sum formed from them
    g = 1.01 * (m + 4) * _EPS
    slack = (4 * a + 6) * g
    return low * (1.0 - slack), low * (1.0 + slack) + width * (1.0 + slack)
