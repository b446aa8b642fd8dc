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
``rho^(2a) s / d^a``. Measured at ``n = 10^5``, 20 inputs, column sums in [0.5, 0.8]: ``a = 3``
certifies every entry to 3.4e-5 relative (the half-width, bench/results/criticality.md); ``a = 2``
gave 3.8e-3 in a prototype.

Cost: the rows of ``B^a`` and of ``(B')^a`` in chunks of rows (sparse products) on
:func:`~autarky.solve.parallel.num_threads` threads, never held whole. :func:`split_work` bounds the
multiply-adds of the products by counting walks in the pattern of ``B`` (exact where no row fills),
so a branch that buys from and sells to nearly every other, which fills every row of ``B^2``, is
counted as the work it makes.

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

import itertools
from collections.abc import Iterator
from typing import Any

import numpy as np
import scipy.sparse as sp

from autarky import checks
from autarky.errors import BadValueError
from autarky.solve.parallel import _executor, num_threads

__all__ = ["largest_power", "split_bounds", "split_work"]

#: Entries of ``B^a`` per chunk of rows (each of the two directions, per thread).
CHUNK_NNZ = 4_000_000

#: Largest power ``a`` the split bound takes.
MAX_POWER = 8

_EPS = np.finfo(float).eps


def _walks(B: sp.csr_array) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Per row, the walks of length ``q = 1, 2, ...`` from it in the pattern of ``B`` and of ``B'``:
    upper bounds on the entries of row ``i`` of ``B^q`` and of column ``i``, exact where no walks
    meet."""
    P = sp.csr_array((np.ones(B.nnz), B.indices, B.indptr), shape=B.shape)
    PT = sp.csr_array(P.T)
    up = down = np.ones(B.shape[0])
    while True:
        up, down = P @ up, PT @ down
        yield up, down


def _works(B: sp.csr_array, top: int, budget: float = np.inf) -> list[float]:
    """:func:`split_work` for ``a = 1, ..., top``, stopping after the first above ``budget`` (the
    work grows with ``a`` from 2 on)."""
    works = [2.0 * B.nnz]
    total, cap = 0.0, float(B.nnz)
    # walks of length q >= 2 bound the work of forming the rows of B^q from those of B^(q-1)
    for _, (up, down) in zip(range(2, top + 1), itertools.islice(_walks(B), 1, None), strict=False):
        total += float(np.minimum(up, cap).sum() + np.minimum(down, cap).sum())
        works.append(total)
        if total > budget:
            break
    return works


def split_work(B: Any, a: int) -> float:
    """An upper bound on the multiply-adds of the sparse products of :func:`split_bounds`.

    Forming row ``i`` of ``B^q`` from row ``i`` of ``B^(q-1)`` costs the entries of the rows of ``B``
    it meets, at most the walks of length ``q`` from ``i`` and at most ``nnz(B)``; both directions.

    Parameters
    ----------
    B
        Square non-negative technology (``scipy.sparse``).
    a
        The power of the split bound.

    Returns
    -------
    float
        Multiply-adds (the dot products and sums over the rows formed add about as many again).

    Examples
    --------
    A chain ``0 <- 1 <- 2 <- 3``: ``a = 1`` reads the rows of ``B`` and of ``B'`` (3 entries each);
    ``a = 3`` follows the walks of length 2 and 3 each way (2 + 1 each):

    >>> import scipy.sparse as sp
    >>> B = sp.csr_array(np.diag([0.5, 0.5, 0.5], k=1))
    >>> split_work(B, 1), split_work(B, 3)
    (6.0, 6.0)
    """
    a = checks.integer("a", a, lower=1, upper=MAX_POWER)
    return _works(sp.csr_array(B), a)[a - 1]


def largest_power(B: Any, budget: float) -> int:
    """The largest power ``a`` (at most :data:`MAX_POWER`) whose :func:`split_work` is within
    ``budget``, 0 if none; the walks are counted once for all powers.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> B = sp.csr_array(np.diag([0.5, 0.5, 0.5], k=1))
    >>> largest_power(B, 6.0), largest_power(B, 5.0), largest_power(B, 3.0)
    (8, 2, 0)
    """
    works = _works(sp.csr_array(B), MAX_POWER, budget)
    return max((a for a, w in enumerate(works, start=1) if w <= budget), default=0)


def _weighted_squares(M: sp.csr_array, w: np.ndarray) -> np.ndarray:
    """``sum_j M_ij^2 w_j`` for every row ``i``."""
    return sp.csr_array((M.data * M.data, M.indices, M.indptr), shape=M.shape) @ w


def _dots(U: sp.csr_array, V: sp.csr_array) -> np.ndarray:
    """``sum_j U_ij V_ij`` for every row ``i``."""
    return np.asarray(U.multiply(V).sum(axis=1)).ravel()


def _chunks(sizes: np.ndarray, target: float) -> list[tuple[int, int]]:
    """Consecutive row ranges holding about ``target`` entries each (by the estimated ``sizes``)."""
    m = len(sizes)
    cum = np.cumsum(sizes)
    k = int(np.ceil(cum[-1] / target)) if m else 0
    cuts = np.searchsorted(cum, np.arange(1, max(k, 1)) * target, side="right")
    edges = np.unique(np.concatenate([[0], cuts.astype(np.int64), [m]]))
    return [(int(r0), int(r1)) for r0, r1 in itertools.pairwise(edges) if r1 > r0]


def split_bounds(B: Any, s: np.ndarray, t: np.ndarray, a: int, *,
                 threads: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Certified ``lower <= diag((I - B)^-1) <= upper`` by the split bound (module docstring).

    Parameters
    ----------
    B
        Square non-negative productive technology (``scipy.sparse`` or dense; duplicate entries are
        summed on a copy).
    s, t
        Certificates: ``(I - B) s >= 1`` and ``t' (I - B) >= 1'``, both non-negative (checked by the
        caller, e.g. :func:`~autarky.solve.inverse_diagonal.super_solution`; a valid one is at
        least 1 everywhere, which is checked here).
    a
        The power, 1 to :data:`MAX_POWER`: the diagonal of ``I + B + ... + B^(2a)`` is exact, the
        rest bounded.
    threads
        Most threads that form chunks of rows at once; default
        :func:`~autarky.solve.parallel.num_threads`. The chunks run on the shared pool, so this
        is not to be called from one of its threads.

    Returns
    -------
    tuple of numpy.ndarray
        ``(lower, upper)``, each ``(m,)``, with margins for rounding. The same, bit for bit, for
        any number of threads.

    Raises
    ------
    BadValueError
        If ``B`` is not square or has a negative entry, if ``s`` or ``t`` is not of its length or
        is below 1 somewhere (no certificate), or if ``a`` is out of range (also
        :class:`~autarky.errors.BadTypeError` if it is not an integer).
    """
    a = checks.integer("a", a, lower=1, upper=MAX_POWER)
    B = sp.csr_array(B, dtype=float, copy=True)
    B.sum_duplicates()  # squares of split entries would understate the width
    m = B.shape[0]
    # a certificate computed as s~ / q_min may sit a rounding below the exact one: raise it by that
    ws = np.asarray(s, dtype=float).ravel() * (1.0 + 4.0 * _EPS)
    wt = np.asarray(t, dtype=float).ravel() * (1.0 + 4.0 * _EPS)
    if B.shape != (m, m) or ws.shape != (m,) or wt.shape != (m,):
        raise BadValueError(f"B must be square and s, t of its length: got B {B.shape}, "
                            f"s {np.shape(s)}, t {np.shape(t)}")
    if B.nnz and B.data.min() < 0:
        raise BadValueError("the split bound holds for a non-negative B only")
    if m and not (ws.min() >= 1.0 and wt.min() >= 1.0):
        raise BadValueError("s and t are no certificates: a certificate of (I - B) s >= 1 with "
                            "B >= 0 is at least 1 everywhere")
    ws -= 1.0
    wt -= 1.0
    BT = sp.csr_array(B.T)
    exact = np.zeros((2 * a + 1, m))  # exact[p] = diag(B^p)
    alpha = np.empty(m)
    beta = np.empty(m)
    up, down = next(itertools.islice(_walks(B), a - 1, None))
    chunks = _chunks(np.minimum(np.maximum(up, down), m) + 1.0, CHUNK_NNZ)

    def chunk(r0: int, r1: int) -> None:
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

    def run(group: list[tuple[int, int]]) -> None:
        for r0, r1 in group:
            chunk(r0, r1)

    workers = max(1, min(threads if threads is not None else num_threads(), len(chunks)))
    groups = [chunks[w::workers] for w in range(workers)]  # at most `workers` chunks at once
    if workers > 1:
        list(_executor(workers).map(run, groups))
    else:
        run(chunks)
    exact[0] = 1.0
    exact[1] = B.diagonal()
    low = exact.sum(axis=0)
    width = np.sqrt(alpha * beta)
    # rounding: every entry of B^q is a sum of non-negative products, computed with a relative
    # error of at most q gamma_m (Higham, section 3.1), and so is each sum formed from them
    g = 1.01 * (m + 4) * _EPS
    slack = (4 * a + 6) * g
    return low * (1.0 - slack), low * (1.0 + slack) + width * (1.0 + slack)
