"""Productiveness of a technology (Hawkins-Simon) and its diagnosis.

A non-negative ``A`` is productive, ``(I - A)^-1 >= 0`` exists, exactly when its spectral radius
is below one. The check is a proof, not an estimate: a norm of ``A`` below one (every column, or
every row, sums below one: any table in value terms) proves it with no solve; otherwise one solve
``u = (I - A)^-1 1`` and the Collatz-Wielandt bound ``rho(A) <= max_i (A u)_i / u_i`` (one product
with ``A``) does, whatever the accuracy of ``u``, as long as ``u > 0``. The solver is handed on to
every later balance. Eigenvalues are computed only to explain a failure: the strongly connected
components of the input graph whose own sub-technology is not productive are the cycles that use
up more than they yield.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.csgraph as csgraph
import scipy.sparse.linalg as spla

from autarky.errors import BadValueError
from autarky.solve.leontief import ArrayOrSparse, LeontiefSolver, SingularSystemError, as_matrix, to_dense


def spectral_radius(A: ArrayOrSparse) -> float:
    """Spectral radius (Perron root) of a non-negative square matrix.

    Examples
    --------
    >>> round(spectral_radius(np.array([[0.0, 2.0], [0.5, 0.0]])), 12)
    1.0
    """
    A = _square(A)
    n = A.shape[0]
    if n == 0:
        return 0.0
    if sp.issparse(A) and n > 500:
        vals = spla.eigs(sp.csr_array(A, dtype=float), k=1, which="LM", return_eigenvectors=False)
        return float(np.abs(vals).max())
    dense = to_dense(A)
    return float(np.abs(np.linalg.eigvals(dense)).max())


def _square(A: ArrayOrSparse) -> ArrayOrSparse:
    """``A`` as a square, finite dense or sparse matrix, or an error naming what is wrong."""
    A = as_matrix(A)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise BadValueError(f"A must be square, got shape {A.shape}")
    values = A.data if sp.issparse(A) else A
    if not np.all(np.isfinite(values)):
        raise BadValueError("A must be finite numbers (no NaN or infinity)")
    return A


#: Margin below one that a bound on ``rho(A)`` must clear to count as a proof (rounding of the
#: sums and of the products that compute it).
_MARGIN = 1e-12


def collatz_wielandt(A: ArrayOrSparse, u: np.ndarray) -> tuple[float, float]:
    """Bounds ``min_i (A u)_i / u_i <= rho(A) <= max_i (A u)_i / u_i`` for a non-negative ``A``
    and a positive vector ``u`` (Collatz-Wielandt; Horn & Johnson 2013, theorem 8.1.26).

    Any ``u > 0`` proves something; ``u = (I - A)^-1 1`` gives ``1 - 1/u_i`` and the tightest of
    the cheap bounds. ``(nan, nan)`` when ``u`` is not positive.

    Examples
    --------
    >>> A = np.array([[0.5, 0.2], [0.1, 0.4]])
    >>> lo, hi = collatz_wielandt(A, np.linalg.solve(np.eye(2) - A, np.ones(2)))
    >>> bool(lo <= spectral_radius(A) <= hi), round(hi, 4)
    (True, 0.65)
    """
    if u.size == 0:
        return 0.0, 0.0
    if not (np.all(np.isfinite(u)) and np.all(u > 0)):
        return float("nan"), float("nan")
    ratio = np.asarray(A @ u).ravel() / u
    return float(ratio.min()), float(ratio.max())


def certify(solver: LeontiefSolver) -> float:
    """A proved upper bound below one on the spectral radius of the (non-negative) technology
    ``solver`` solves for, or ``nan`` when none was found; works on the solver's operator, so a
    technology held as scalings of another (``A_d = diag(1 - s) A_c``) is never formed.

    Examples
    --------
    >>> s = LeontiefSolver(np.array([[0.5, 0.2], [0.1, 0.4]]), row_scale=np.array([0.5, 1.0]))
    >>> round(certify(s), 4)      # the norm of diag(0.5, 1) A: columns 0.35, 0.5
    0.5
    """
    bound = solver.norm_bound()
    if bound < 1.0 - _MARGIN:
        return bound
    try:
        u = solver.solve(np.ones(solver.n))
    except SingularSystemError:
        return float("nan")
    if not (np.all(np.isfinite(u)) and np.all(u > 0)):
        return float("nan")
    hi = float(np.max(solver.apply(u) / u, initial=0.0))
    return hi if hi < 1.0 - _MARGIN else float("nan")


def _certified(A: ArrayOrSparse) -> tuple[LeontiefSolver | None, float]:
    """``(solver, bound)`` where ``bound < 1`` proves ``rho(A) <= bound`` (:func:`certify`);
    ``(None, nan)`` when no proof was found (not productive, or too nearly singular to tell).
    The solver is handed on with its factorization (or its GMRES history) for every later
    balance."""
    try:
        solver = LeontiefSolver(A)
    except SingularSystemError:
        return None, float("nan")
    bound = certify(solver)
    return (solver, bound) if np.isfinite(bound) else (None, float("nan"))


def _solves_positive(A: ArrayOrSparse) -> LeontiefSolver | None:
    """The solver of ``I - A`` when ``rho(A) < 1`` is proved (:func:`_certified`); ``None``
    otherwise."""
    return _certified(A)[0]


@dataclass(frozen=True)
class ProductiveDiagnosis:
    """Outcome of :func:`productive_diagnosis`.

    Attributes
    ----------
    productive
        Whether ``rho(A) < 1``.
    spectral_radius
        ``rho(A)``; computed only when not productive (``nan`` otherwise).
    bound
        When productive: a proved upper bound on ``rho(A)`` below one (a norm of ``A``, or the
        Collatz-Wielandt bound of ``(I - A)^-1 1``); ``nan`` otherwise.
    components
        Index lists of the strongly connected components that are not productive on their own.
    component_radii
        Spectral radius of each of those components.
    solver
        The factorization of ``I - A`` the check made, handed on for every later balance
        (``None`` when not productive).
    """

    productive: bool
    spectral_radius: float
    components: tuple[tuple[int, ...], ...]
    component_radii: tuple[float, ...]
    solver: LeontiefSolver | None = None
    bound: float = float("nan")


def productive_diagnosis(A: ArrayOrSparse) -> ProductiveDiagnosis:
    """Check Hawkins-Simon and, on failure, name the cycles that break it.

    Examples
    --------
    Branch 0 alone is fine; branches 1 and 2 feed each other more than they make:

    >>> A = np.array([[0.1, 0.2, 0.0], [0.0, 0.5, 0.9], [0.0, 0.8, 0.1]])
    >>> d = productive_diagnosis(A)
    >>> d.productive, d.components
    (False, ((1, 2),))
    """
    A = _square(A)
    values = sp.csr_array(A).data if sp.issparse(A) else np.asarray(A)
    if np.any(values < 0):
        raise BadValueError("technology has negative entries")
    solver, bound = _certified(A)
    if solver is not None:
        return ProductiveDiagnosis(True, float("nan"), (), (), solver, bound)
    # a copy: eliminate_zeros works in place, and the stored technology is read-only
    graph = sp.csr_array(A, copy=True) if sp.issparse(A) else sp.csr_array(np.asarray(A))
    graph.eliminate_zeros()
    ncomp, labels = csgraph.connected_components(graph, directed=True, connection="strong")
    comps: list[tuple[int, ...]] = []
    radii: list[float] = []
    for c in range(ncomp):
        idx = np.flatnonzero(labels == c)
        sub = graph[idx][:, idx]
        if sub.nnz == 0:
            continue
        sub_m = sub if len(idx) > 500 else sub.toarray()
        if _solves_positive(sub_m) is None:
            comps.append(tuple(int(i) for i in idx))
            radii.append(spectral_radius(sub_m))
    rho = spectral_radius(A)
    return ProductiveDiagnosis(False, rho, tuple(comps), tuple(radii))
