"""The diagonal of the Leontief inverse ``L = (I - A)^-1`` of a sparse technology, exact where the
structure allows and otherwise with a certified two-sided bound on every entry.

Hypothetical extraction of every branch needs ``x``, the multipliers ``m' = w' L`` and ``diag(L)``
(:mod:`autarky.solve.extraction`); the first two are one solve each, the diagonal is the hard part.
:func:`leontief_diagonal` computes it for a non-negative, productive ``A`` without forming ``L``.

Certificate of productiveness
-----------------------------
One solve gives ``s~ ~ L 1``; with ``q = (I - A) s~`` (one product) and ``q_min = min q > 0``,
``s = s~ / q_min`` satisfies ``(I - A) s >= 1`` and ``s >= 0`` (checked with a rounding margin).
For ``A >= 0`` this proves ``rho(A) < 1`` (Collatz-Wielandt), hence ``L = sum_p A^p >= 0`` and
``L 1 <= L (I - A) s = s``. Every bound below rests on it, so ``A`` without such
an ``s`` is refused (:class:`NoCertificateError`).

Exact routes (to rounding)
--------------------------
1. **Strong components.** Ordering the branches by the strongly connected components of the graph
   of ``A`` in topological order makes ``I - A`` block triangular, and the diagonal blocks of the
   inverse of a block triangular matrix are the inverses of its diagonal blocks. So
   ``L_ii = ((I - A_CC)^-1)_ii`` for the component ``C`` of ``i``: a branch on no cycle has
   ``L_ii = 1 / (1 - a_ii)``, and supply chains that are (nearly) triangular cost next to nothing.
2. **Small components** (up to :data:`BATCH_MAX` branches) are inverted densely, many at once.
3. **Banded components.** A reverse Cuthill-McKee ordering of the pattern of ``A_CC + A_CC'`` is cut
   into consecutive blocks so that every non-zero couples a block only with itself or a neighbour:
   ``M = I - A_CC`` is block tridiagonal with blocks ``D_k``, ``U_k = M[k, k+1]``, ``W_k = M[k+1, k]``.
   Selected inversion (the Takahashi recursion in block form, as in recursive Green's functions)::

       g_0 = D_0^-1,   g_k = (D_k - W_{k-1} g_{k-1} U_{k-1})^-1,
       G_K = g_K,      G_k = g_k + (g_k U_k) G_{k+1} (W_k g_k),

   gives the diagonal blocks ``G_k`` of ``M^-1`` in ``O(sum_k b_k^3)`` flops and ``O(sum_k b_k^2)``
   memory. For an M-matrix every ``g_k`` and ``G_k`` is non-negative and the backward sweep only adds
   non-negative terms (``U_k, W_k <= 0``), so it is free of cancellation.
4. **Banded with hubs.** Where a few branches (universal inputs such as energy, at most
   :data:`MAX_HUBS`, found by their degree) make any band wide, they become a border: with the rest
   banded, the Schur complement onto the hubs gives the diagonal from the banded selected inversion
   plus ``2 k`` banded solves for ``k`` hubs (:func:`_bordered_diagonal`).
5. **Dense components** up to :data:`DENSE_MAX` branches: ``numpy.linalg.inv``.

Not covered exactly: technologies local in two or more dimensions (a grid needs a band of about
``6 sqrt(n)`` at 3 cells' reach, beyond the budget at ``n = 10^5``), for which a nested-dissection
selected inversion would be the exact route; they take the certified route.

A route is used when its flop count is within ``exact_flops``; the cheapest such route wins.

Certified route (any other component)
-------------------------------------
Two certified bounds, both from products of ``A`` alone (no solves beyond the certificates).

**Split bound** (:mod:`autarky.solve.split_bound`, the default where its work fits
:data:`SPLIT_WORK`). For a power ``a``, ``L = sum_{p <= 2a} A^p + A^a (L - I) A^a``: the diagonal of
the truncated series is exact (dot products of the rows of ``A^q`` with the columns of ``A^r``),
and a Schur test bounds the rest by the row and column sums of ``L - I``, which the certificates
``s`` and ``t`` (``t' (I - A) >= 1'``, one transposed solve) bound::

    N_ii <= L_ii <= N_ii + sqrt(sum_j (A^a)_ij^2 (s_j - 1)) sqrt(sum_k (A^a)_ki^2 (t_k - 1)).

On a random (expander) technology with ``d`` inputs per product the width is about
``rho^(2a) s / d^a``, Cauchy-Schwarz's slack about ``n / d^a``: measured at ``n = 10^5``, 20 inputs
(bench/results/criticality.md), ``a = 3`` certifies 3.4e-5 in about 45 s on two cores, where
probing with 64 classes certified 1.5e-2. The true tail after ``A^5`` is itself 1e-6 to 4e-6
there, so 1e-6 needs the diagonals of higher powers exactly, i.e. the rows of ``A^4``, which fill
to ``n`` entries each (``3.2e10`` multiply-adds at ``10^5``, rows and columns): the cost, not the
method, is the limit.

**Probing** (where the split bound is not used, or beside it when ``probes`` is given; each branch
then keeps the tighter bound). Write ``N = sum_{p<=P} A^p`` (``P`` = ``powers``, 1 to 3) and
``T = L - N = A^{P+1} L >= 0``. The
diagonal of ``N`` is exact and cheap (``(A^2)_ii = sum_j a_ij a_ji``; ``(A^3)_ii = sum_j (A^2)_ij a_ji``).
Partition the branches into ``C`` classes (``probes``; the position in a reverse Cuthill-McKee order
modulo ``C``, which keeps same-class branches apart on a band narrower than ``C``) with indicators
``v_c``. For ``i`` in class ``c``, because ``T >= 0``::

    T_ii <= sum_{j in c} T_ij = (T v_c)_i = sum_{P < p <= K} (A^p v_c)_i + (L A^{K+1} v_c)_i,

and ``L w <= ||w||_inf L 1 <= ||w||_inf s`` for ``w >= 0``. Hence, with ``r_c = ||A^{K+1} v_c||_inf``::

    N_ii  <=  L_ii  <=  N_ii + sum_{P < p <= K} (A^p v_c)_i + r_c s_i,

all from ``K`` products of ``A`` with an ``n x C`` block (no solves), ``K`` growing until the
remainder is a small part of the width or ``max_terms`` is reached. Margins for rounding (Higham's
``gamma_k`` for sums of ``k`` non-negative products, times the magnitudes summed) widen both bounds.

How tight probing is depends on the technology. The width is the sum of ``T_ij`` over the other
members of the class, so it is small only when same-class branches are far apart in the graph of
``A`` and ``T`` decays over that distance. On an expander nothing is far apart, ``T`` is nearly
rank-one and flat, ``T_ij ~ rho^{P+1} / ((1 - rho) n)``, and the width is about
``rho^{P+1} / ((1 - rho) C)``: no bound built from ``C`` probes sees below ``O(1/C)`` (the split
bound has no such floor). Where the bound misses ``rtol`` the result carries the bound it has (and
:func:`leontief_diagonal` warns), or, up to ``fallback_max`` branches, the component is computed
exactly instead (dense), and the method says so.

Examples
--------
Miller & Blair (2009), section 2.3: ``L = [[1.2541, 0.3300], [0.2640, 1.1221]]``.

>>> import scipy.sparse as sp
>>> d = leontief_diagonal(sp.csr_array([[0.15, 0.25], [0.20, 0.05]]))
>>> np.round(d.value, 4), d.exact, d.bound
(array([1.2541, 1.1221]), True, 0.0)
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, reverse_cuthill_mckee

from autarky import checks
from autarky.errors import AutarkyError, BadValueError
from autarky.solve.leontief import LeontiefSolver
from autarky.solve.split_bound import MAX_POWER, largest_power, split_bounds

__all__ = ["InverseDiagonal", "NoCertificateError", "leontief_diagonal"]

#: Components up to this many branches are inverted densely, batched by size.
BATCH_MAX = 64

#: Largest component inverted densely (``2 m^3`` flops) when no cheaper exact route exists.
DENSE_MAX = 5000

#: Flops allowed for one exact route (banded selected inversion or dense inverse) of a component
#: (3e11: about 25 s on two cores at 13 GFlop/s; a dense inverse of 5,000 branches is 2.5e11).
EXACT_FLOPS = 3e11

#: Work of the certified route per component, in non-zeros times probe columns times terms: the
#: default number of probes is ``PROBE_WORK / (24 nnz)`` (64 at 10^5 products x 20 inputs, about
#: 25 s on two loaded cores; 625 at 10^4).
PROBE_WORK = 3e9

#: Work of the split bound per component (multiply-adds, :func:`~autarky.solve.split_bound.split_work`):
#: the default power is the largest whose work fits (3 at 10^5 products x 20 inputs, 1.68e9, about
#: 45 s on two cores; 2 at 10^6).
SPLIT_WORK = 2e9

#: Most rows and columns set aside as a border (hubs) so that the rest is banded.
MAX_HUBS = 256

_EPS = np.finfo(float).eps


def _gamma(k: Any) -> Any:
    """Higham's ``gamma_k = k eps / (1 - k eps)`` (rounded up), the relative error bound of a sum
    of ``k`` products; here generously ``1.01 k eps``, valid while ``k eps < 0.01``."""
    return 1.01 * np.asarray(k, dtype=float) * _EPS


class NoCertificateError(AutarkyError, ArithmeticError):
    """No proof that ``A`` is productive was found (``(I - A) s >= 1`` fails for the computed
    ``s``): the spectral radius is at or above one, or too close to it for the rounding."""


@dataclass(frozen=True)
class InverseDiagonal:
    """``diag((I - A)^-1)`` with a certified bound on every entry.

    Attributes
    ----------
    value
        ``(n,)``: the diagonal (exact to rounding where ``lower == upper``); inside the bounds, placed
        so that ``1 / value`` (what extraction divides by) is off by at most :attr:`bound` relative.
    lower, upper
        ``(n,)``: certified bounds, ``lower <= L_ii <= upper`` (equal to ``value`` where exact).
    method
        The routes used and how many branches each covered, e.g.
        ``"exact: 99000 acyclic, 12 small, 1 banded (988 branches)"`` or
        ``"certified: bounded (100000 branches, split a=3)"``.
    """

    value: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    method: str

    @property
    def exact(self) -> bool:
        """Whether every entry was computed exactly (to rounding)."""
        return bool(np.array_equal(self.lower, self.upper))

    @property
    def bound(self) -> float:
        """Largest certified relative error of :attr:`value`: ``|value_i - L_ii| <= bound L_ii``
        for every ``L_ii`` within the bounds; 0.0 where exact."""
        if not self.value.size:
            return 0.0
        err = np.maximum((self.value - self.lower) / self.lower, (self.upper - self.value) / self.upper)
        return float(max(err.max(), 0.0))


def super_solution(A: sp.csr_array, solver: LeontiefSolver, *, transposed: bool = False) -> np.ndarray:
    """A vector ``s >= 0`` with ``(I - A) s >= 1``, proving that ``A >= 0`` is productive (with
    ``transposed``: ``s' (I - A) >= 1'``, from a transposed solve).

    Raises
    ------
    NoCertificateError
        If the computed ``s`` does not satisfy the inequality (``A`` is not productive, or only
        barely within rounding).
    """
    n = A.shape[0]
    M = sp.csr_array(A.T) if transposed else A
    solve = solver.solve_transposed if transposed else solver.solve
    s = np.asarray(solve(np.ones(n)), dtype=float).ravel()
    As = M @ s
    q = s - As
    # rounding in forming q: at most gamma_{k+2} ~ (k + 2) eps of the magnitudes, k the row's
    # non-zeros (Higham, Accuracy and Stability of Numerical Algorithms, section 3.1)
    margin = _gamma(np.diff(M.indptr) + 2) * (np.abs(s) + np.abs(As))
    qmin = float((q - margin).min()) if n else 1.0
    if not (qmin > 0 and np.all(s >= 0) and np.all(np.isfinite(s))):
        raise NoCertificateError("no certificate that A is productive: (I - A) s >= 1 fails for "
                                 "s = (I - A)^-1 1 (spectral radius of A not clearly below 1)")
    return s / qmin


# ------------------------------------------------------------------------------------- exact parts
def _small_blocks(A: sp.csr_array, members: list[np.ndarray], out: np.ndarray) -> None:
    """Dense inverses of many small components at once, grouped by size."""
    by_size: dict[int, list[np.ndarray]] = {}
    for idx in members:
        by_size.setdefault(len(idx), []).append(idx)
    for m, groups in by_size.items():
        idx = np.stack(groups)  # (q, m)
        q = idx.shape[0]
        sub = A[idx.ravel()][:, idx.ravel()]
        # keep the diagonal blocks only: entry (r, c) of sub belongs to group r // m if c // m matches
        coo = sub.tocoo()
        keep = (coo.row // m) == (coo.col // m)
        blocks = np.zeros((q, m, m))
        blocks[coo.row[keep] // m, coo.row[keep] % m, coo.col[keep] % m] = -coo.data[keep]
        blocks[:, np.arange(m), np.arange(m)] += 1.0
        inv = np.linalg.inv(blocks)
        out[idx] = np.diagonal(inv, axis1=1, axis2=2)


def _block_partition(S: sp.csr_array) -> np.ndarray:
    """Block boundaries ``0 = s_0 < ... < s_K = m`` for the symmetric pattern ``S`` (in band order) so
    that every non-zero couples a block with itself or a neighbour."""
    m = S.shape[0]
    reach = np.arange(m)
    nz = np.diff(S.indptr) > 0
    if nz.any():
        rows_max = np.maximum.reduceat(S.indices, S.indptr[:-1][nz])
        reach[nz] = np.maximum(reach[nz], rows_max)
    R = np.maximum.accumulate(reach)  # R[t] = farthest column reached by rows 0..t
    bounds = [0, 1]
    while bounds[-1] < m:
        # rows before block k reach no further than block k + 1 (by construction), so the block
        # after [s_k, s_{k+1}) must end past R[s_{k+1} - 1], the farthest reach of rows up to s_{k+1}
        bounds.append(min(max(int(R[bounds[-1] - 1]) + 1, bounds[-1] + 1), m))
    return np.asarray(bounds)


def _band_plan(B: sp.csr_array) -> tuple[np.ndarray, np.ndarray, float]:
    """RCM order, block boundaries and the flop count of the banded selected inversion."""
    S = sp.csr_array(abs(B) + abs(B.T))
    perm = reverse_cuthill_mckee(sp.csr_matrix(S), symmetric_mode=True)
    Sp = sp.csr_array(S[perm][:, perm])
    Sp.sort_indices()
    bounds = _block_partition(Sp)
    b = np.diff(bounds).astype(float)
    flops = float(np.sum(4 * b**3) + np.sum(6 * b[:-1] ** 2 * b[1:]))
    return perm, bounds, flops


def _band_blocks(M: sp.csr_array, bounds: np.ndarray) -> tuple[list[np.ndarray], ...]:
    """Dense blocks ``D_k``, ``U_k = M[k, k+1]`` and ``W_k = M[k+1, k]`` of a block tridiagonal ``M``,
    scattered from its non-zeros in one pass."""
    coo = M.tocoo()
    i, j, v = coo.row, coo.col, coo.data
    b = np.diff(bounds)
    K = len(b)
    bi = np.searchsorted(bounds, i, side="right") - 1
    bj = np.searchsorted(bounds, j, side="right") - 1
    li, lj = i - bounds[bi], j - bounds[bj]
    if np.any(np.abs(bi - bj) > 1):  # pragma: no cover - the partition guarantees it
        raise AssertionError("partition is not block tridiagonal")
    out = []
    for shift, rows_of, cols_of in ((0, b, b), (1, b[:-1], b[1:]), (-1, b[1:], b[:-1])):
        sel = (bj - bi) == shift
        k = bi[sel] if shift >= 0 else bj[sel]  # block index k of D_k, U_k or W_k
        sizes = rows_of * cols_of
        off = np.concatenate([[0], np.cumsum(sizes)])
        buf = np.zeros(int(off[-1]))
        buf[off[k] + li[sel] * cols_of[k] + lj[sel]] = v[sel]  # canonical M: no duplicates
        out.append([buf[off[q]:off[q + 1]].reshape(rows_of[q], cols_of[q]) for q in range(len(sizes))])
    assert len(out[0]) == K
    return out[0], out[1], out[2]


def _band_diagonal(B: sp.csr_array, perm: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """``diag((I - B)^-1)`` by block-tridiagonal selected inversion in the order ``perm``."""
    m = B.shape[0]
    M = sp.csr_array(sp.eye_array(m, format="csr") - B[perm][:, perm])
    M.sum_duplicates()
    D, U, W = _band_blocks(M, bounds)
    K = len(D)
    g: list[np.ndarray] = []
    X: list[np.ndarray] = []  # g_k U_k
    for k in range(K):
        Dk = D[k] - W[k - 1] @ X[k - 1] if k else D[k]
        g.append(np.linalg.inv(Dk))
        if k + 1 < K:
            X.append(g[k] @ U[k])
    out = np.empty(m)
    G = g[-1]
    out[bounds[K - 1]:bounds[K]] = np.diag(G)
    for k in range(K - 2, -1, -1):
        G = g[k] + X[k] @ G @ (W[k] @ g[k])
        out[bounds[k]:bounds[k + 1]] = np.diag(G)
    res = np.empty(m)
    res[perm] = out
    return res


def _hubs(B: sp.csr_array, max_hubs: int) -> np.ndarray:
    """Branches linked to far more others than is typical (universal inputs, universal buyers):
    degree in the pattern of ``B + B'`` above eight times the median, at most ``max_hubs``."""
    S = sp.csr_array(abs(B) + abs(B.T))
    deg = np.diff(S.indptr)
    cut = max(8.0 * float(np.median(deg)), 16.0)
    big = np.flatnonzero(deg > cut)
    if len(big) > max_hubs:
        big = big[np.argsort(-deg[big], kind="stable")[:max_hubs]]
    return np.sort(big)


def _bordered_diagonal(B: sp.csr_array, hubs: np.ndarray, perm: np.ndarray,
                       bounds: np.ndarray) -> np.ndarray:
    """``diag((I - B)^-1)`` for a banded matrix bordered by the rows and columns ``hubs``.

    With ``M = I - B`` split into the rest (1) and the hubs (2), ``S = M22 - M21 M11^-1 M12`` and
    ``X = M11^-1 M12``, ``Y' = M21 M11^-1``::

        (M^-1)_11 = M11^-1 + X S^-1 Y',   (M^-1)_22 = S^-1,

    so the diagonal is the banded selected inversion of ``M11`` plus ``rowsum((X S^-1) * Y)``, from
    ``2 k`` banded solves (``k`` hubs). For an M-matrix ``X, Y <= 0 <= S^-1``: no cancellation.
    """
    import scipy.sparse.linalg as spla

    m = B.shape[0]
    rest = np.setdiff1d(np.arange(m), hubs)
    M = sp.csr_array(sp.eye_array(m, format="csr") - B)
    Mr = M[rest]
    Mh = M[hubs]
    M11 = Mr[:, rest]
    M12 = Mr[:, hubs].toarray()
    M21 = Mh[:, rest].toarray()
    M22 = Mh[:, hubs].toarray()
    d = np.empty(m)
    d_rest = _band_diagonal(sp.csr_array(B[rest][:, rest]), perm, bounds)
    # M11 in band order factors within its envelope (no pivoting: an M-matrix needs none)
    lu = spla.splu(sp.csc_matrix(M11[perm][:, perm]), permc_spec="NATURAL", diag_pivot_thresh=0.0,
                   options={"SymmetricMode": True})
    X = np.empty_like(M12)
    Y = np.empty((len(rest), len(hubs)))
    X[perm] = lu.solve(np.ascontiguousarray(M12[perm]))
    Y[perm] = lu.solve(np.ascontiguousarray(M21.T[perm]), trans="T")
    Sinv = np.linalg.inv(M22 - M21 @ X)
    d[rest] = d_rest + np.einsum("ij,ij->i", X @ Sinv, Y)
    d[hubs] = np.diag(Sinv)
    return d


# --------------------------------------------------------------------------------- certified part
def _power_diagonals(B: sp.csr_array, powers: int) -> np.ndarray:
    """``diag(I + B + ... + B^P)``, exactly (to rounding)."""
    BT = sp.csr_array(B.T)
    d = 1.0 + B.diagonal()
    if powers >= 2:
        d = d + np.asarray(B.multiply(BT).sum(axis=1)).ravel()
    if powers >= 3:
        B2 = sp.csr_array(B @ B)
        d = d + np.asarray(B2.multiply(BT).sum(axis=1)).ravel()
    return d


def _probe_bounds(B: sp.csr_array, s: np.ndarray, order: np.ndarray, probes: int, powers: int,
                  max_terms: int, rtol: float) -> tuple[np.ndarray, np.ndarray, int]:
    """Certified ``lower <= diag((I - B)^-1) <= upper`` by truncated probing (module docstring)."""
    m = B.shape[0]
    C = int(min(max(probes, 1), m))
    colour = np.empty(m, dtype=np.int64)
    colour[order] = np.arange(m) % C
    rows = np.arange(m)
    low = _power_diagonals(B, powers)
    V = np.zeros((m, C))
    V[rows, colour] = 1.0
    W = V
    for _ in range(powers + 1):
        W = B @ W
    acc = W.copy()  # sum_{P < p <= K} B^p V, here K = P + 1
    mag = np.abs(W).copy()
    k = powers + 1
    while True:
        W = B @ W
        r = np.abs(W).max(axis=0)  # ||B^{K+1} v_c||_inf
        rem = r[colour] * s
        width = acc[rows, colour]
        if k >= max_terms or np.all(rem <= 0.01 * np.maximum(width, rtol * low)):
            break
        acc += W
        mag += np.abs(W)
        k += 1
    # each computed B^p V is off by at most p gamma_kmax of |B|^p V = B^p V (all non-negative), the
    # power diagonals by (P + 1) gamma_kmax, the sums of terms by another gamma_K
    g = float(_gamma(int(np.diff(B.indptr).max(initial=0)) + k + 4))
    slack = (k + 2) * g * (mag[rows, colour] + low + rem)
    upper = low + acc[rows, colour] + rem + slack
    return low * (1.0 - (powers + 2) * g), upper, k


# ------------------------------------------------------------------------------------- the driver
def _width(lo: np.ndarray, up: np.ndarray) -> float:
    """Largest half-width of the bounds relative to the lower one (the midpoint's error bound)."""
    return float(np.max((up - lo) / (2 * lo))) if lo.size else 0.0


def leontief_diagonal(A: Any, solver: LeontiefSolver | None = None, *, rtol: float = 1e-6,
                      probes: int | None = None, powers: int = 2, max_terms: int = 200,
                      split: int | None = None, exact_flops: float | None = None,
                      fallback_max: int | None = None, warn: bool = True) -> InverseDiagonal:
    """``diag((I - A)^-1)`` for a non-negative productive technology, exact where the structure
    allows, otherwise with certified bounds (see the module docstring for the routes and proofs).

    Parameters
    ----------
    A
        Square non-negative technology, ``scipy.sparse`` or dense.
    solver
        A :class:`~autarky.solve.leontief.LeontiefSolver` for ``A``, used for the one solve of the
        productiveness certificate; built when omitted.
    rtol
        Relative bound sought on the certified route; a component whose bound stays above it is
        computed exactly instead when it has at most ``fallback_max`` branches.
    probes
        Probe vectors (classes) per component when probing; default as many as
        :data:`PROBE_WORK` allows (``nnz(A_CC) x probes x 24 <= PROBE_WORK``), at least 64.
    powers
        ``P``, the powers of ``A`` whose diagonals are computed exactly when probing (1-3).
    max_terms
        Largest power ``K`` of the truncated series when probing (with the default
        ``probes``, also at most what 2.5 :data:`PROBE_WORK` allows, so that a near-singular
        technology, whose series converges slowly, returns its wide bound in bounded time).
    split
        The power ``a`` of the split bound on the certified route (0 to
        :data:`~autarky.solve.split_bound.MAX_POWER`; 0: not used); default the largest whose
        work is within :data:`SPLIT_WORK`. Probing runs instead where the split bound is not used,
        and beside it where ``probes`` is given (each branch keeps the tighter of the two bounds).
    exact_flops
        Flops allowed for an exact route of one component; default :data:`EXACT_FLOPS`.
    fallback_max
        Largest component computed densely when the certified bound misses ``rtol``; default
        :data:`DENSE_MAX`.
    warn
        Warn (:class:`RuntimeWarning`) when the returned bound is above ``rtol``.

    Returns
    -------
    InverseDiagonal
        Values, certified bounds and the method.

    Raises
    ------
    BadValueError
        If ``A`` is not square, not finite or has a negative entry, or ``powers`` or ``split`` is
        out of range (:class:`~autarky.errors.BadTypeError` if ``split`` is not an integer).
    NoCertificateError
        If no certificate of productiveness (of the row sums) is found. Without one of the column
        sums the split bound is not used, and the method says so.

    Examples
    --------
    A chain (no cycles) is exact from its diagonal alone, ``L_ii = 1 / (1 - a_ii)``:

    >>> import scipy.sparse as sp
    >>> A = sp.csr_array(np.array([[0.5, 0.2, 0.0], [0.0, 0.0, 0.3], [0.0, 0.0, 0.2]]))
    >>> d = leontief_diagonal(A)
    >>> d.value, d.method
    (array([2.  , 1.  , 1.25]), 'exact: 3 acyclic')
    """
    A = sp.csr_array(A, dtype=float, copy=True)  # never touch the caller's matrix
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise BadValueError(f"A must be square, got shape {A.shape}")
    if not np.all(np.isfinite(A.data)):
        raise BadValueError("A must be finite numbers (no NaN or infinity)")
    if A.nnz and A.data.min() < 0:
        raise BadValueError("the diagonal of the Leontief inverse is certified for a non-negative A only")
    if powers not in (1, 2, 3):
        raise BadValueError(f"powers must be 1, 2 or 3, got {powers}")
    if split is not None:
        split = checks.integer("split", split, lower=0, upper=MAX_POWER)
    exact_flops = EXACT_FLOPS if exact_flops is None else float(exact_flops)
    fallback_max = DENSE_MAX if fallback_max is None else int(fallback_max)
    n = A.shape[0]
    A.sum_duplicates()
    A.eliminate_zeros()
    if n == 0:
        z = np.zeros(0)
        return InverseDiagonal(z, z, z.copy(), "exact: empty")
    solver = solver if solver is not None else LeontiefSolver(A)
    s = super_solution(A, solver)
    made: dict[str, np.ndarray | None] = {}

    def column_certificate() -> np.ndarray | None:
        """``t' (I - A) >= 1'`` (one transposed solve, made once, when the split bound needs it);
        ``None`` where the rows' certificate holds and the columns' does not."""
        if "t" not in made:
            try:
                made["t"] = super_solution(A, solver, transposed=True)
            except NoCertificateError:
                made["t"] = None
        return made["t"]

    ncomp, labels = connected_components(A, directed=True, connection="strong")
    counts = np.bincount(labels, minlength=ncomp)
    value = np.empty(n)
    lower = np.empty(n)
    upper = np.empty(n)
    order = np.argsort(labels, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)])
    single = counts[labels] == 1
    value[single] = 1.0 / (1.0 - A.diagonal()[single])
    tally: dict[str, list[int]] = {}

    def note(route: str, size: int, comps: int = 1) -> None:
        entry = tally.setdefault(route, [0, 0])
        entry[0] += comps
        entry[1] += size

    if single.any():
        note("acyclic", int(single.sum()))
    small = [order[starts[c]:starts[c + 1]] for c in np.flatnonzero((counts > 1) & (counts <= BATCH_MAX))]
    if small:
        _small_blocks(A, small, value)
        note("small", sum(len(i) for i in small), len(small))
    lower[:] = value
    upper[:] = value
    certified: list[str] = []
    for c in np.flatnonzero(counts > BATCH_MAX):
        idx = np.sort(order[starts[c]:starts[c + 1]])
        m = len(idx)
        B = sp.csr_array(A[idx][:, idx])
        deg = np.diff(sp.csr_array(abs(B) + abs(B.T)).indptr)
        # any ordering has a bandwidth of at least half the largest degree
        if 4.0 * m * (deg.max() / 2.0) ** 2 <= exact_flops:
            perm, bounds, band_flops = _band_plan(B)
        else:
            perm, bounds, band_flops = np.arange(m), np.array([0, m]), np.inf
        dense_flops = 2.0 * m**3 if m <= DENSE_MAX else np.inf
        border_flops, hubs, plan = np.inf, np.zeros(0, dtype=np.int64), None
        if band_flops > exact_flops:
            hubs = _hubs(B, MAX_HUBS)
            if len(hubs):
                rest = np.setdiff1d(np.arange(m), hubs)
                plan = _band_plan(sp.csr_array(B[rest][:, rest]))
                width = float(np.diff(plan[1]).max())
                border_flops = plan[2] + 4.0 * len(hubs) * m * width + 2.0 * len(hubs) ** 2 * m
        best = min(band_flops, dense_flops, border_flops)
        if best <= exact_flops:
            if best == band_flops:
                d = _band_diagonal(B, perm, bounds)
                note("banded", m)
            elif best == border_flops and plan is not None:
                d = _bordered_diagonal(B, hubs, plan[0], plan[1])
                note(f"banded with {len(hubs)} hubs", m)
            else:
                d = np.diag(np.linalg.inv(np.eye(m) - B.toarray()))
                note("dense", m)
            value[idx] = lower[idx] = upper[idx] = d
            continue
        a = int(split) if split is not None else largest_power(B, SPLIT_WORK)
        lo = up = None
        how = []
        t = column_certificate() if a else None
        if a and t is None:
            how.append("no split bound: no certificate of the column sums")
        elif a and t is not None:
            lo, up = split_bounds(B, s[idx], t[idx], a)
            how.append(f"split a={a}")
        if lo is None or up is None or probes is not None:
            C = probes if probes is not None else max(64, int(PROBE_WORK / (24.0 * max(B.nnz, 1))))
            C = int(min(max(C, 1), m))
            terms = max_terms
            if probes is None:  # within the work budget (2.5 times what a typical K = 24 needs)
                terms = min(max_terms, max(powers + 2, int(2.5 * PROBE_WORK / (max(B.nnz, 1) * C))))
            plo, pup, k = _probe_bounds(B, s[idx], perm, C, powers, terms, rtol)
            lo = plo if lo is None else np.maximum(lo, plo)
            up = pup if up is None else np.minimum(up, pup)
            how.append(f"{C} probes, P={powers}, K={k}")
        if _width(lo, up) > rtol and m <= fallback_max:
            d = np.diag(np.linalg.inv(np.eye(m) - B.toarray()))
            value[idx] = lower[idx] = upper[idx] = d
            note("dense fallback (certified bound missed rtol)", m)
            continue
        # the midpoint: extraction's losses are proportional to L_ii / value_i, off by at most
        # (up - lo) / (up + lo) relative for any L_ii in the bounds
        value[idx] = 0.5 * (lo + up)
        lower[idx], upper[idx] = lo, up
        certified.append(f"{m} branches, " + ", ".join(how))
    parts = [f"{size} {route}" + (f" ({comps} components)" if route != "acyclic" and comps > 1 else "")
             for route, (comps, size) in tally.items()]
    res_exact = not certified
    head = "exact" if res_exact else "certified"
    text = ", ".join(parts + [f"bounded ({c})" for c in certified])
    out = InverseDiagonal(value, lower, upper, f"{head}: {text}")
    if warn and not res_exact and out.bound > rtol:
        warnings.warn(f"the diagonal of the Leontief inverse is certified to {out.bound:.2g} relative "
                      f"only (asked {rtol:g}): {out.method}", RuntimeWarning, stacklevel=2)
    return out
