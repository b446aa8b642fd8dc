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
restart after ``restart`` steps. Where the caller gives the Jacobi iteration matrix
``N = I - D^-1 M`` (for ``M = I - A``: ``D^-1 (A - diag A)``), the Arnoldi steps are taken with
it (the same Krylov space, ``H = I - H_N``): ``D^-1 M v = v - N v`` cancels most of ``v`` when
``A`` is small, so every step would need the second Gram-Schmidt pass, while ``N v`` seldom
does. Each cycle begins with the TRUE residual ``b - M x`` (one pass), so
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
    r
        ``(n, k)`` the true residuals ``b - M x`` of the answers (of the scaled system where
        ``col_scale`` was given), as computed to check them; ``None`` where not kept.
    """

    x: np.ndarray
    residual: np.ndarray
    iterations: np.ndarray
    passes: int
    converged: np.ndarray
    r: np.ndarray | None = None


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


def basis_size(n: int, k: int, restart: int = 40) -> int:
    """Floats of the Krylov basis :func:`block_gmres` holds for ``k`` columns of length ``n``
    (the size of a ``workspace`` that serves it)."""
    return (_steps(n, k, restart) + 1) * n * max(k, 1)


def _steps(n: int, k: int, restart: int) -> int:
    return max(4, min(restart, n, int(BASIS_BYTES // max(1, 8 * n * max(k, 1)))))


def block_gmres(matmat: Callable[[np.ndarray], np.ndarray], b: np.ndarray, diag: np.ndarray, *,
                rtol: float = 1e-12, restart: int = 40, maxiter: int = 400,
                x0: np.ndarray | None = None, col_scale: np.ndarray | None = None,
                workspace: np.ndarray | None = None,
                jacobi: Callable[[np.ndarray], np.ndarray] | None = None) -> KrylovResult:
    """Solve ``M X = B`` column by column with restarted, Jacobi-preconditioned GMRES in lockstep.

    Parameters
    ----------
    matmat
        ``V -> M @ V`` for an ``n x j`` block ``V`` (``j <= k``): a new array (or one the caller
        no longer needs), which is scaled in place.
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
    workspace
        A float64 array of at least :func:`basis_size` elements to hold the Krylov basis in
        (e.g. one for a run of calls): fresh memory costs page faults on first touch, which
        for a large ``n`` are a good part of a step.
    jacobi
        ``V -> (I - D^-1 M) V`` (a new array), to take the Arnoldi steps with (see the module
        docstring); ``matmat`` then serves only the true residuals.

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
    def product(V: np.ndarray, cols: np.ndarray, op: Callable[[np.ndarray], np.ndarray] = matmat
                ) -> np.ndarray:
        if col_scale is None:
            return op(V)
        S = col_scale[:, cols]   # S^-1 M S, and its Jacobi matrix S^-1 N S (D, S commute)
        return op(V * S) / S

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
    m = _steps(n, k, restart)
    size = (m + 1) * n * max(k, 1)
    if workspace is None or workspace.size < size or workspace.dtype != np.float64:
        workspace = np.empty(size)
    Rall = np.zeros((n, k))
    passes = 0
    while True:
        todo = np.flatnonzero(~converged)
        if todo.size == 0:
            break
        R = B[:, todo] - product(X[:, todo], todo)
        Rall[:, todo] = R
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
        V = workspace[: (m + 1) * n * kk].reshape(m + 1, n, kk)
        np.divide(Z, beta, out=V[0])
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
            if jacobi is None:
                W = product(Vj, todo[cols])
                W *= dinv[:, None]
            else:
                W = product(Vj, todo[cols], jacobi)
            passes += 1
            Vb = V[: j + 1] if cols.size == kk else V[: j + 1][:, :, cols]
            h = _project(Vb, W)
            hn = _colnorm(W)
            # the norm before the projection, by Pythagoras: ||w||^2 = ||h||^2 + ||w - V h||^2
            if np.any(hn ** 2 < (0.49 / 0.51) * np.einsum("ij,ij->j", h, h)):
                # a second Gram-Schmidt pass where the first cancelled more than 30 % of the
                # vector (Kahan and Parlett's "twice is enough"; Giraud, Langou & Rozloznik 2005)
                h += _project(Vb, W)
                hn = _colnorm(W)
            col = np.zeros((cols.size, m + 1))
            if jacobi is None:
                col[:, : j + 1] = h.T
                col[:, j + 1] = hn
            else:                  # D^-1 M v_j = v_j - N v_j = v_j - V h - hn v_{j+1}
                col[:, : j + 1] = -h.T
                col[:, j] += 1.0
                col[:, j + 1] = -hn
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
            inv = np.divide(1.0, hn, out=np.zeros_like(hn), where=hn != 0.0)
            if cols.size == kk:
                np.multiply(W, inv, out=V[j + 1])
            else:
                V[j + 1][:, cols] = W * inv
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
        return KrylovResult(X[:, 0], residual, iterations, passes, converged, Rall[:, 0])
    return KrylovResult(X, residual, iterations, passes, converged, Rall)
