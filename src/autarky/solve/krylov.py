"""Restarted GMRES for many right-hand sides at once, in lockstep.

Every right-hand side gets its own Krylov space (the answers are those of ``k`` separate GMRES
runs), but the ``k`` products with the matrix of one step are ONE product with an ``n x k`` block:
``A @ V`` is a single pass over ``A`` (dense: one BLAS-3 ``gemm``; sparse: one ``csr_matvecs``
sweep over the non-zeros), so the cost of a solve for ``k`` right-hand sides is that of one for a
single right-hand side as long as the pass over ``A`` is bound by memory bandwidth. This is how the
indicator set of a table (output, import content per partner, value added, factor multipliers) is
answered in a few passes over ``A`` instead of a factorization.

Method (Saad & Schultz 1986; Saad 2003, algorithm 6.9) on the Jacobi-preconditioned system
``D^-1 M x = D^-1 b`` with ``D = diag(M)``: Arnoldi by classical Gram-Schmidt, vectorised over
the ``k`` columns, with a second pass where the first cancelled more than 30 % of the vector
(CGS with selective reorthogonalization: as stable as modified Gram-Schmidt), Givens rotations per column,
restart after ``restart`` steps. Each cycle begins with the TRUE residual ``b - M x`` (one pass), so
a column is declared converged only when its true relative residual
``||b - M x||_2 <= rtol ||b||_2`` holds; a column whose residual does not fall within ``maxiter``
steps is reported as not converged (the caller falls back to a direct method).

For a productive technology ``M = I - A`` is a non-singular M-matrix; its Jacobi-scaled spectrum is
typically one Perron eigenvalue and a cluster, which GMRES resolves in a handful of steps. Spectra
spread along the unit circle (long supply cycles with little leakage) converge slowly; that is what
the fallback is for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla

__all__ = ["KrylovResult", "block_gmres"]

#: Bytes of Krylov basis held at once; the restart length is cut to fit (at least 4 steps).
BASIS_BYTES = 768 * 2**20


@dataclass(frozen=True)
class KrylovResult:
    """Outcome of :func:`block_gmres`.

    Attributes
    ----------
    x
        ``(n, k)`` solutions (the last iterate where a column did not converge).
    residual
        ``(k,)`` true relative residuals ``||b - M x||_2 / ||b||_2`` (0 for a zero column).
    iterations
        ``(k,)`` Arnoldi steps each column took.
    passes
        Products with ``M`` made (each an ``n x k'`` block, ``k' <= k``).
    converged
        ``(k,)`` whether each column met ``rtol``.
    """

    x: np.ndarray
    residual: np.ndarray
    iterations: np.ndarray
    passes: int
    converged: np.ndarray


def _colnorm(v: np.ndarray) -> np.ndarray:
    return np.sqrt(np.einsum("ij,ij->j", v, v))


def _project(Vb: np.ndarray, W: np.ndarray) -> np.ndarray:
    """One classical Gram-Schmidt pass of every column of ``W`` against its own basis
    ``Vb[:, :, q]`` (in place); returns the coefficients ``(steps, k)``. One column: two BLAS
    ``gemv`` on the contiguous basis; several: ``einsum`` over the interleaved block."""
    if W.shape[1] == 1:
        V1 = Vb[:, :, 0]
        h = V1 @ W[:, 0]
        W[:, 0] -= h @ V1
        return h[:, np.newaxis]
    h = np.einsum("inj,nj->ij", Vb, W)
    W -= np.einsum("inj,ij->nj", Vb, h)
    return h


def block_gmres(matmat: Callable[[np.ndarray], np.ndarray], b: np.ndarray, diag: np.ndarray, *,
                rtol: float = 1e-12, restart: int = 40, maxiter: int = 400,
                x0: np.ndarray | None = None, col_scale: np.ndarray | None = None
                ) -> KrylovResult:
    """Solve ``M X = B`` column by column with restarted, Jacobi-preconditioned GMRES in lockstep.

    Parameters
    ----------
    matmat
        ``V -> M @ V`` for an ``n x j`` block ``V`` (``j <= k``).
    b
        ``(n,)`` or ``(n, k)`` right-hand sides.
    diag
        ``(n,)`` the diagonal of ``M``, all positive (the Jacobi preconditioner).
    rtol
        Target true relative residual per column.
    restart
        Arnoldi steps per cycle (cut so the basis stays within :data:`BASIS_BYTES`).
    maxiter
        Arnoldi steps per column in all, before the column is declared not converged.
    x0
        Starting guess (default ``D^-1 b``).
    col_scale
        ``(n, k)``: solve column ``q`` in the scaled variables of ``S_q = diag(col_scale[:, q])``,
        i.e. the system ``S_q^-1 M S_q x'_q = b_q`` (the same Jacobi diagonal).

    Examples
    --------
    Miller & Blair's two-sector table (section 2.3), two final demands at once:

    >>> A = np.array([[0.15, 0.25], [0.20, 0.05]])
    >>> M = np.eye(2) - A
    >>> res = block_gmres(lambda V: M @ V, np.array([[600.0, 1.0], [1500.0, 0.0]]), np.diag(M))
    >>> np.round(res.x, 2).tolist()
    [[1247.52, 1.25], [1841.58, 0.26]]
    >>> bool(res.converged.all()), int(res.passes) <= 6
    (True, True)
    """
    def product(V: np.ndarray, cols: np.ndarray) -> np.ndarray:
        if col_scale is None:
            return matmat(V)
        S = col_scale[:, cols]
        return matmat(V * S) / S

    vector = b.ndim == 1
    B = np.asarray(b, dtype=float).reshape(b.shape[0], -1)
    n, k = B.shape
    dinv = 1.0 / np.asarray(diag, dtype=float)
    X = (dinv[:, None] * B) if x0 is None else np.array(x0, dtype=float).reshape(n, k)
    bnorm = _colnorm(B)
    residual = np.zeros(k)
    iterations = np.zeros(k, dtype=np.int64)
    converged = bnorm == 0.0
    X[:, converged] = 0.0
    m = max(4, min(restart, n, int(BASIS_BYTES // max(1, 8 * n * max(k, 1)))))
    passes = 0
    while True:
        todo = np.flatnonzero(~converged)
        if todo.size == 0:
            break
        R = B[:, todo] - product(X[:, todo], todo)
        passes += 1
        rn = _colnorm(R)
        residual[todo] = rn / bnorm[todo]
        ok = residual[todo] <= rtol
        converged[todo[ok]] = True
        alive = ~ok & (iterations[todo] < maxiter)
        todo = todo[alive]
        if todo.size == 0:
            break
        Z = dinv[:, None] * R[:, alive]
        kk = todo.size
        beta = _colnorm(Z)
        # stop a cycle a little below the target: the preconditioned residual is an estimate
        target = 0.5 * rtol * beta * (bnorm[todo] / np.maximum(rn[alive], 1e-300))
        V = np.empty((m + 1, n, kk))
        V[0] = Z / beta
        H = np.zeros((kk, m + 1, m))
        cs = np.zeros((kk, m))
        sn = np.zeros((kk, m))
        g = np.zeros((kk, m + 1))
        g[:, 0] = beta
        steps = np.zeros(kk, dtype=np.int64)       # Arnoldi steps taken in this cycle, per column
        live = np.ones(kk, dtype=bool)              # still iterating in this cycle
        budget = maxiter - iterations[todo]
        for j in range(m):
            cols = np.flatnonzero(live)
            if cols.size == 0:
                break
            Vj = V[j] if cols.size == kk else V[j][:, cols]
            W = dinv[:, None] * product(Vj, todo[cols])
            passes += 1
            Vb = V[: j + 1] if cols.size == kk else V[: j + 1][:, :, cols]
            before = _colnorm(W)
            h = _project(Vb, W)
            hn = _colnorm(W)
            if np.any(hn < 0.7 * before):
                # a second Gram-Schmidt pass where the first cancelled much of the vector (Kahan
                # and Parlett's "twice is enough"; Giraud, Langou & Rozloznik 2005)
                h += _project(Vb, W)
                hn = _colnorm(W)
            col = np.zeros((cols.size, m + 1))
            col[:, : j + 1] = h.T
            col[:, j + 1] = hn
            # earlier rotations on the new column of H, then a new one to annihilate h[j+1]
            for i in range(j):
                c, s = cs[cols, i], sn[cols, i]
                a, bb = col[:, i].copy(), col[:, i + 1].copy()
                col[:, i] = c * a + s * bb
                col[:, i + 1] = -s * a + c * bb
            a, bb = col[:, j], col[:, j + 1]
            r = np.hypot(a, bb)
            safe = np.where(r > 0, r, 1.0)
            c, s = np.where(r > 0, a / safe, 1.0), np.where(r > 0, bb / safe, 0.0)
            cs[cols, j], sn[cols, j] = c, s
            col[:, j] = r
            col[:, j + 1] = 0.0
            H[cols, :, j] = col
            gj = g[cols, j]
            g[cols, j], g[cols, j + 1] = c * gj, -s * gj
            steps[cols] += 1
            with np.errstate(divide="ignore", invalid="ignore"):
                Vn = W / hn
            Vn[:, hn == 0.0] = 0.0
            if cols.size == kk:
                V[j + 1] = Vn
            else:
                V[j + 1][:, cols] = Vn
            done = (np.abs(g[cols, j + 1]) <= target[cols]) | (hn == 0.0) | (
                steps[cols] >= budget[cols])
            live[cols[done]] = False
        # the least-squares update of every column from its own steps
        for q in range(kk):
            s_q = int(steps[q])
            if s_q == 0:
                continue
            Hq = H[q, :s_q, :s_q]
            diag_h = np.diag(Hq)
            if np.any(diag_h == 0.0):
                s_q = int(np.argmax(diag_h == 0.0))
                if s_q == 0:
                    continue
                Hq = H[q, :s_q, :s_q]
            y = sla.solve_triangular(Hq, g[q, :s_q], check_finite=False)
            X[:, todo[q]] += V[:s_q, :, q].T @ y
        iterations[todo] += steps
    if vector:
        return KrylovResult(X[:, 0], residual, iterations, passes, converged)
    return KrylovResult(X, residual, iterations, passes, converged)
