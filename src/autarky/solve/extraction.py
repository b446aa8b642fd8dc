"""Hypothetical extraction of every branch, from one factorization of ``I - A``.

Definition (Dietzenbacher & van der Linden 1997; Dietzenbacher & Lahr 2013; Miller & Blair 2009,
section 12.2). Extracting branch ``k`` removes it from the domestic economy: nobody buys inputs from
``k`` and ``k`` buys none (row ``k`` and column ``k`` of the technology are zeroed), and its final
demand goes (``y_k = 0``)::

    A^(-k) = A with row k and column k zeroed,   y^(-k) = y with y_k = 0,
    x^(-k) = (I - A^(-k))^-1 y^(-k).

With a weight vector ``w`` (prices, to value outputs in money; default ones) the output lost by the
extraction is ``total_k = w'(x - x^(-k))``. Since ``x^(-k)_k = 0``, branch ``k``'s own output is part of
that loss; the rest, ``others_k = total_k - w_k x_k``, is the loss the extraction inflicts on the other
branches through the linkages (the "linkage" loss).

Low-rank update instead of ``n`` factorizations
-----------------------------------------------
Write ``M = I - A``, ``L = M^-1`` and ``x = L y``. Zeroing row and column ``k`` is the rank-2 update
``I - A^(-k) = M + U_k V_k'`` with ``U_k = [e_k, c_k]``, ``V_k = [a_k., e_k]``, where ``a_k.`` is row ``k``
of ``A`` and ``c_k = A[:, k] - a_kk e_k``. Sherman-Morrison-Woodbury gives::

    x^(-k) = z - L U_k (I_2 + V_k' L U_k)^-1 V_k' z,      z = L y^(-k) = x - y_k L e_k.

Every piece collapses onto column ``k`` of ``L``: ``L A = L - I`` gives ``L c_k = (1 - a_kk) L e_k - e_k``
and ``a_k.' L = L[k, :] - e_k'``, so with ``l = L_kk`` and ``a = a_kk``::

    I_2 + V_k' L U_k = [[l, (1 - a) l - 1],
                        [l, (1 - a) l    ]],       det = l = L_kk,

and substituting back (or, equivalently, using the inverse of the principal submatrix
``(M_{-k,-k})^-1 = L_{-k,-k} - L_{-k,k} L_{k,-k} / L_kk``) leaves the rank-one closed form::

    x - x^(-k) = (x_k / L_kk) L e_k.

So the loss vector of one branch is two solves (``x`` and ``L e_k``), and the weighted losses of all
branches need only ``x``, the diagonal of ``L`` and the multipliers ``m' = w' L``::

    total_k  = x_k m_k / L_kk,
    others_k = x_k (m_k - w_k L_kk) / L_kk = (x_k / L_kk) sum_{j != k} w_j L_jk.

The 2x2 system of the update is singular exactly when ``L_kk = 0``, i.e. when ``I - A^(-k)`` is (since
``det(I - A^(-k)) = det(M) L_kk``). For a productive economy ``L >= I``, so ``L_kk >= 1``; a branch whose
``|L_kk|`` is not clearly above rounding (relative to its column of ``L``) is recomputed by a fresh
solve with ``A^(-k)``, and gets ``nan`` (with a :class:`RuntimeWarning`) when that system is singular.

Complexity
----------
The unavoidable work is the diagonal of ``L``: for a dense matrix no exact method avoids ``O(n^3)``.
:func:`extraction_losses` solves ``M X = [e_j0 .. e_j1]`` for blocks of columns with the existing
factorization (one multi-right-hand-side ``getrs``, BLAS-3), keeps the diagonal entries and the column
sums ``w' L e_k`` off the diagonal, and discards the block, so ``L`` is never held whole:

* dense LU: factorization ``2/3 n^3`` plus ``2 n^3`` flops for the blocks, ``O(n b)`` memory for blocks of
  ``b`` columns (``b`` is chosen to keep a block near 64 MiB, so up to ``n`` of about 2,900 the whole of
  ``L`` is one solve; ``n = 3,000`` takes about 1.4 s, ``n = 5,000`` about 5 s on 16 cores). The naive
  :func:`extraction_losses_fresh` makes ``n`` factorizations, ``2/3 n^4`` flops.
* sparse LU (``splu``): ``n`` pairs of sparse triangular solves (batched by block), ``O(n nnz(LU))``,
  ``O(n b)`` memory; no dense ``L``.
* GMRES (sparse ``n`` above :data:`~autarky.solve.leontief.SPLU_MAX_N`): ``n`` Krylov solves, one per
  column, each ``O(iterations nnz(A))``. Exact to the solver's tolerance but slow for very large ``n``
  (about a second per branch at ``n = 10^5``: days for all of them).

The weighted column sums come straight from the blocks, which is why no transposed solve for ``m`` is
needed, and ``others`` is summed without the cancellation of ``m_k - w_k L_kk``.

The diagonal route (sparse ``A``)
---------------------------------
For a sparse non-negative technology above :data:`DIAGONAL_MIN_N` branches (or with
``diagonal="fast"``) the losses come from ``x``, ``m`` (one transposed solve) and
:func:`~autarky.solve.inverse_diagonal.leontief_diagonal`, which is exact (to rounding) on strongly
connected components that are small, banded after reordering, or banded with a few hub rows and
columns, and otherwise returns certified bounds ``lo_k <= L_kk <= up_k``. Since ``total_k`` is
proportional to ``1 / L_kk``, the certified losses lie in ``[x_k m_k / up_k, x_k m_k / lo_k]``
(:attr:`ExtractionResult.lower` and :attr:`~ExtractionResult.upper`, shifted by ``w_k x_k`` for
``others``), and :attr:`ExtractionResult.bound` is the largest relative error of ``total`` they allow.
``others_k = x_k (m_k - w_k L_kk) / L_kk`` is then a difference, exact to rounding relative to
``total_k``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

from autarky import checks
from autarky.errors import BadTypeError, BadValueError, OutOfRangeError
from autarky.solve.inverse_diagonal import NoCertificateError, leontief_diagonal
from autarky.solve.leontief import ArrayOrSparse, LeontiefSolver, SingularSystemError, to_dense
from autarky.solve.split_bound import MAX_POWER

__all__ = [
    "ExtractionResult",
    "extraction_loss_vector",
    "extraction_losses",
    "extraction_losses_fresh",
]

#: Bytes of one block of columns of ``L`` held at a time by :func:`extraction_losses`.
BLOCK_BYTES = 64 * 2**20

#: ``|L_kk|`` at or below this fraction of ``max_j |L_jk|`` sends branch ``k`` to a fresh solve.
SINGULAR_RTOL = 1e-10

#: Relative residual of ``(I - A) x = y`` above which a supplied solver is taken to be for another ``A``.
_RESIDUAL_RTOL = 1e-6

#: Sparse technologies with more branches than this take the diagonal route by default.
DIAGONAL_MIN_N = 500

Diagonal = Literal["auto", "columns", "fast"]


@dataclass(frozen=True)
class ExtractionResult:
    """Output lost by extracting each branch in turn.

    Attributes
    ----------
    total
        ``(n,)``: ``w'(x - x^(-k))``, the weighted output lost when branch ``k`` is extracted.
    others
        ``(n,)``: ``total - w_k x_k``, the part of the loss outside branch ``k`` (linkage loss).
    method
        How the losses were computed, e.g. ``"low-rank/dense"`` (``"+fresh"`` when some branches were
        recomputed by a fresh solve), ``"fresh"``, or ``"low-rank/diagonal exact: ..."`` and
        ``"low-rank/diagonal certified: ..."`` (the routes of the diagonal, see
        :func:`~autarky.solve.inverse_diagonal.leontief_diagonal`).
    fresh
        The branches recomputed by a fresh solve because their update was (numerically) singular.
    bound
        Largest certified relative error of ``total`` (``|total_k - true_k| <= bound |true_k|``);
        0.0 for the exact routes (exact to the solver's tolerance and rounding).
    lower, upper
        ``(n,)`` certified bounds on ``total`` where the diagonal route was used (``None`` otherwise);
        the bounds on ``others`` are these minus ``w_k x_k``.
    """

    total: np.ndarray
    others: np.ndarray
    method: str
    fresh: tuple[int, ...] = ()
    bound: float = 0.0
    lower: np.ndarray | None = None
    upper: np.ndarray | None = None


def _demand(y: Any, n: int) -> np.ndarray:
    yv = checks.floats("final demand", y)
    if yv.ndim == 2:
        yv = yv.sum(axis=1)
    if yv.shape != (n,):
        raise BadValueError(f"final demand must have shape ({n},), got {np.shape(y)}")
    if not np.all(np.isfinite(yv)):
        raise BadValueError("final demand must be finite numbers (no NaN or infinity)")
    return yv


def _weights(w: Any, n: int) -> np.ndarray:
    if w is None:
        return np.ones(n)
    wv = checks.floats("weights", w)
    if wv.shape != (n,):
        raise BadValueError(f"weights must have shape ({n},), got {wv.shape}")
    return wv


def _check_square(A: ArrayOrSparse) -> int:
    if not sp.issparse(A) and not isinstance(A, np.ndarray):
        raise BadTypeError(f"A must be a numpy array or a scipy.sparse matrix, got "
                           f"{type(A).__name__}")
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise BadValueError(f"A must be square, got shape {A.shape}")
    return int(A.shape[0])


def _solver_for(A: ArrayOrSparse, solver: LeontiefSolver | None) -> LeontiefSolver:
    n = _check_square(A)
    if solver is None:
        return LeontiefSolver(A)
    if not isinstance(solver, LeontiefSolver):
        raise BadTypeError(f"solver must be a LeontiefSolver of A, got {type(solver).__name__}")
    if solver.n != n:
        raise BadValueError(f"solver is for {solver.n} branches, A has {n}")
    return solver


def _gross_output(A: ArrayOrSparse, y: np.ndarray, solver: LeontiefSolver) -> np.ndarray:
    """``x = (I - A)^-1 y``, checking that the solver belongs to ``A`` (one product, ``O(nnz)``)."""
    x = np.asarray(solver.solve(y), dtype=float)
    Ax = A @ x if sp.issparse(A) else np.asarray(A, dtype=float) @ x
    residual = np.linalg.norm(x - np.asarray(Ax).ravel() - y, np.inf)
    scale = np.linalg.norm(y, np.inf) + np.linalg.norm(x, np.inf)
    if residual > _RESIDUAL_RTOL * max(scale, np.finfo(float).tiny):
        raise BadValueError("solver does not solve (I - A) x = y for this A (built for another technology?)")
    return x


def _extracted(A: ArrayOrSparse, k: int) -> ArrayOrSparse:
    """``A^(-k)``: a copy of ``A`` with row ``k`` and column ``k`` zeroed."""
    if sp.issparse(A):
        keep = np.ones(A.shape[0])
        keep[k] = 0.0
        D = sp.diags_array(keep)
        return sp.csr_array(D @ sp.csr_array(A) @ D)
    Ak = np.array(A, dtype=float)
    Ak[k, :] = 0.0
    Ak[:, k] = 0.0
    return Ak


def _fresh_x(A: ArrayOrSparse, y: np.ndarray, k: int) -> np.ndarray | None:
    """``x^(-k)`` by a fresh factorization of ``I - A^(-k)``, or ``None`` if that system is singular."""
    yk = y.copy()
    yk[k] = 0.0
    try:
        return np.asarray(LeontiefSolver(_extracted(A, k)).solve(yk), dtype=float)
    except (SingularSystemError, np.linalg.LinAlgError):
        return None


def _warn_singular(ks: list[int]) -> None:
    warnings.warn(f"I - A^(-k) is singular for branches {ks}: their extraction losses are nan",
                  RuntimeWarning, stacklevel=3)


def _diagonal_route(A: ArrayOrSparse, yv: np.ndarray, wv: np.ndarray, s: LeontiefSolver,
                    rtol: float, probes: int | None, split: int | None = None) -> ExtractionResult:
    """The losses from ``x``, ``m`` and the (exact or certified) diagonal of ``L``."""
    x = _gross_output(A, yv, s)
    m = np.asarray(s.solve_transposed(wv), dtype=float).ravel()
    d = leontief_diagonal(A, s, rtol=rtol, probes=probes, split=split)
    xm = x * m
    total = xm / d.value
    others = total - wv * x
    a, b = xm / d.upper, xm / d.lower
    lower, upper = np.minimum(a, b), np.maximum(a, b)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.where(total != 0, np.maximum(upper - total, total - lower) / np.abs(total), 0.0)
    # |total - true| <= max(up - total, total - lo) and |true| >= |total| - that (bound on |true|)
    rel_true = rel / np.maximum(1.0 - rel, np.finfo(float).tiny)
    bound = 0.0 if d.exact else float(rel_true.max(initial=0.0))
    return ExtractionResult(total, others, f"low-rank/diagonal {d.method}", (), bound, lower, upper)


def extraction_losses(A: ArrayOrSparse, y: Any, w: Any = None, solver: LeontiefSolver | None = None, *,
                      block_size: int | None = None, diagonal: Diagonal = "auto", rtol: float = 1e-6,
                      probes: int | None = None, split: int | None = None) -> ExtractionResult:
    """Weighted output lost by the hypothetical extraction of each branch, from one factorization.

    Uses ``total_k = (x_k / L_kk) w' L e_k`` (see the module docstring for the derivation from the
    rank-2 Sherman-Morrison-Woodbury update), with the columns of ``L`` computed by blocks of
    multi-right-hand-side solves and discarded: ``O(n b)`` memory, ``2 n^3`` flops beyond the
    factorization for dense ``A``.

    Parameters
    ----------
    A
        Square technology matrix, dense or ``scipy.sparse``.
    y
        Final demand, ``(n,)`` (an ``n x c`` matrix is summed over its columns).
    w
        Weights to value output (prices); default ones (physical or already money-valued outputs).
    solver
        A :class:`~autarky.solve.leontief.LeontiefSolver` already built for ``A``, whose factorization
        is reused; built here when omitted. A solver for another technology is detected by the residual
        of ``x`` and rejected.
    block_size
        Columns of ``L`` solved for at once; default keeps a block near :data:`BLOCK_BYTES`.
    diagonal
        ``"columns"``: the diagonal of ``L`` from blocks of its columns (exact, ``n`` solves);
        ``"fast"``: the diagonal route (module docstring; sparse or dense non-negative productive
        ``A``); ``"auto"``: the diagonal route for a sparse non-negative ``A`` above
        :data:`DIAGONAL_MIN_N` branches that is certified productive, the columns otherwise.
    rtol
        Relative bound sought by the certified part of the diagonal route (it warns when missed).
    probes
        Probe vectors per component on the certified part of the diagonal route (default: by the
        work budget :data:`~autarky.solve.inverse_diagonal.PROBE_WORK`).
    split
        Power of the split bound on the certified part of the diagonal route (0: probing only;
        default by the work budget :data:`~autarky.solve.inverse_diagonal.SPLIT_WORK`).

    Returns
    -------
    ExtractionResult
        ``total`` and ``others`` per extracted branch, with the method and (diagonal route) the
        certified bounds.

    Raises
    ------
    SingularSystemError
        If ``I - A`` itself is singular (from the solver).
    NoCertificateError
        With ``diagonal="fast"``, if ``A`` is not certified productive.

    Examples
    --------
    Miller & Blair (2009), section 2.3: extracting agriculture leaves manufacturing alone with
    ``x_2 = 1500 / 0.95``, so the economy loses ``1247.52 + 1841.58 - 1578.95``:

    >>> A = np.array([[0.15, 0.25], [0.20, 0.05]])
    >>> res = extraction_losses(A, np.array([600.0, 1500.0]))
    >>> np.round(res.total, 2)
    array([1510.16, 2383.23])
    >>> np.round(res.others, 2)
    array([262.64, 541.64])
    >>> res.method
    'low-rank/dense'
    """
    n = _check_square(A)
    yv = _demand(y, n)
    wv = _weights(w, n)
    if n == 0:
        return ExtractionResult(np.zeros(0), np.zeros(0), "low-rank/empty")
    s = _solver_for(A, solver)
    checks.choice("diagonal", diagonal, ("auto", "columns", "fast"))
    if block_size is not None:
        block_size = checks.integer("block_size", block_size, lower=1)
    if split is not None:
        split = checks.integer("split", split, lower=0, upper=MAX_POWER)
    values = np.asarray(A.data) if sp.issparse(A) else np.asarray(A)
    nonneg = bool(values.min(initial=0.0) >= 0)
    if diagonal == "fast":
        return _diagonal_route(A, yv, wv, s, rtol, probes, split)
    if diagonal == "auto" and sp.issparse(A) and n > DIAGONAL_MIN_N and nonneg:
        try:
            return _diagonal_route(A, yv, wv, s, rtol, probes, split)
        except NoCertificateError:
            pass  # the columns route copes with (near-)singular updates
    x = _gross_output(A, yv, s)

    b = block_size if block_size is not None else max(1, BLOCK_BYTES // (8 * n))
    b = int(min(max(b, 1), n))
    diag = np.empty(n)
    off = np.empty(n)  # sum_{j != k} w_j L_jk
    colmax = np.empty(n)
    for j0 in range(0, n, b):
        j1 = min(j0 + b, n)
        cols = np.arange(j0, j1)
        E = np.zeros((n, j1 - j0))
        E[cols, cols - j0] = 1.0
        block = np.asarray(s.solve(E), dtype=float).reshape(n, j1 - j0)
        colmax[j0:j1] = np.abs(block).max(axis=0)
        diag[j0:j1] = block[cols, cols - j0]
        block[cols, cols - j0] = 0.0
        off[j0:j1] = wv @ block

    bad = ~(np.abs(diag) > SINGULAR_RTOL * colmax)
    safe = np.where(bad, 1.0, diag)
    scale = x / safe
    others = scale * off
    total = others + wv * x
    method = f"low-rank/{s.method}"
    fresh = tuple(int(k) for k in np.flatnonzero(bad))
    if fresh:
        method += "+fresh"
        singular = []
        for k in fresh:
            xk = _fresh_x(A, yv, k)
            if xk is None:
                total[k] = others[k] = np.nan
                singular.append(k)
                continue
            loss = x - xk
            loss[k] = 0.0
            others[k] = float(wv @ loss)
            total[k] = others[k] + wv[k] * x[k]
        if singular:
            _warn_singular(singular)
    return ExtractionResult(total, others, method, fresh)


def extraction_loss_vector(A: ArrayOrSparse, y: Any, k: int,
                           solver: LeontiefSolver | None = None) -> np.ndarray:
    """The output lost in every branch when branch ``k`` is extracted, ``x - x^(-k)``.

    Two solves with one factorization: ``x = L y`` and ``L e_k``, then ``x - x^(-k) = (x_k / L_kk) L e_k``.
    Entry ``k`` is ``x_k`` (the extracted branch produces nothing).

    Parameters
    ----------
    A
        Square technology matrix, dense or ``scipy.sparse``.
    y
        Final demand, ``(n,)`` (an ``n x c`` matrix is summed over its columns).
    k
        The extracted branch (position; negative counts from the end).
    solver
        A :class:`~autarky.solve.leontief.LeontiefSolver` already built for ``A``.

    Returns
    -------
    numpy.ndarray
        ``(n,)`` losses, ``nan`` (with a :class:`RuntimeWarning`) if ``I - A^(-k)`` is singular.

    Examples
    --------
    >>> A = np.array([[0.15, 0.25], [0.20, 0.05]])
    >>> np.round(extraction_loss_vector(A, np.array([600.0, 1500.0]), 0), 2)
    array([1247.52,  262.64])
    """
    n = _check_square(A)
    k = checks.integer("k (the extracted branch)", k)
    if not -n <= k < n:
        raise OutOfRangeError(f"branch {k} out of range for {n} branches")
    k %= n
    yv = _demand(y, n)
    s = _solver_for(A, solver)
    x = _gross_output(A, yv, s)
    e = np.zeros(n)
    e[k] = 1.0
    col = np.asarray(s.solve(e), dtype=float)
    if abs(col[k]) > SINGULAR_RTOL * np.abs(col).max():
        loss = col * (x[k] / col[k])
    else:
        xk = _fresh_x(A, yv, k)
        if xk is None:
            _warn_singular([k])
            return np.full(n, np.nan)
        loss = x - xk
    loss[k] = x[k]
    return loss


def extraction_losses_fresh(A: ArrayOrSparse, y: Any, w: Any = None) -> ExtractionResult:
    """Reference for :func:`extraction_losses`: ``n`` fresh dense solves with ``A^(-k)``.

    ``O(n^4)``; for tests and benchmarks. A singular ``I - A^(-k)`` gives ``nan`` for that branch.

    Examples
    --------
    >>> A = np.array([[0.15, 0.25], [0.20, 0.05]])
    >>> np.round(extraction_losses_fresh(A, np.array([600.0, 1500.0])).total, 2)
    array([1510.16, 2383.23])
    """
    n = _check_square(A)
    yv = _demand(y, n)
    wv = _weights(w, n)
    Ad = to_dense(A)
    eye = np.eye(n)
    x = np.linalg.solve(eye - Ad, yv) if n else np.zeros(0)
    total = np.empty(n)
    others = np.empty(n)
    for k in range(n):
        Ak = Ad.copy()
        Ak[k, :] = 0.0
        Ak[:, k] = 0.0
        yk = yv.copy()
        yk[k] = 0.0
        try:
            xk = np.linalg.solve(eye - Ak, yk)
        except np.linalg.LinAlgError:
            total[k] = others[k] = np.nan
            continue
        loss = x - xk
        total[k] = wv @ loss
        loss[k] = 0.0
        others[k] = wv @ loss
    return ExtractionResult(total, others, "fresh")
