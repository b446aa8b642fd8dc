"""Productiveness of a technology (Hawkins-Simon) and its diagnosis.

A non-negative ``A`` is productive, ``(I - A)^-1 >= 0`` exists, exactly when its spectral radius
is below one. Equivalently (``I - A`` is then a non-singular M-matrix) the solution of
``(I - A) x = 1`` exists and is ``>= 1``. The check therefore costs one factorization, which the
balance reuses, and eigenvalues are computed only to explain a failure: the strongly connected
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


def _solves_positive(A: ArrayOrSparse) -> LeontiefSolver | None:
    """The factorization of ``I - A`` when ``(I - A) x = 1`` has a solution ``x >= 1`` (so
    ``rho(A) < 1``); ``None`` otherwise."""
    try:
        solver = LeontiefSolver(A)
        x = solver.solve(np.ones(A.shape[0]))
    except SingularSystemError:
        return None
    return solver if bool(np.all(np.isfinite(x)) and np.all(x >= 1.0 - 1e-9)) else None


@dataclass(frozen=True)
class ProductiveDiagnosis:
    """Outcome of :func:`productive_diagnosis`.

    Attributes
    ----------
    productive
        Whether ``rho(A) < 1``.
    spectral_radius
        ``rho(A)``; computed only when not productive (``nan`` otherwise).
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
    solver = _solves_positive(A)
    if solver is not None:
        return ProductiveDiagnosis(True, float("nan"), (), (), solver)
    graph = sp.csr_array(A) if sp.issparse(A) else sp.csr_array(np.asarray(A))
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
