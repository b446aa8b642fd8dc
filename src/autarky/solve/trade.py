"""Trade kernels on plain arrays: the domestic technology, imported coefficients, import content.

Notation (DESIGN.md, Trade): ``A`` the technology (domestic and imported inputs together),
``A_m[p]`` the non-competitive imported inputs from partner ``p`` (what real tables record),
``S[p]`` the competitive import share of each product's remaining home use supplied by ``p``,
``s = sum_p S[p]``. Then

* ``A_c = A - sum_p A_m[p]``: the inputs not recorded as imported (competitive use),
* ``A_d = (I - diag s) A_c``: the domestic technology,
* ``A_imp[p] = A_m[p] + diag(S[p]) A_c``: everything imported from ``p`` per unit of output, so
  that ``A = A_d + sum_p A_imp[p]``.

With ``L_d = (I - A_d)^-1`` the total import content of a unit of final product ``j`` (valued
with weights ``w``) is ``(w' A_imp L_d)_j / w_j``: one transposed solve, ``L_d`` never formed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from autarky.solve.leontief import ArrayOrSparse


def stack_sum(blocks: Sequence[Any] | None, n: int) -> sp.csr_array | None:
    """``sum_p A_m[p]`` of a partner stack (``None`` when there is none)."""
    if not blocks:
        return None
    total = sp.csr_array((n, n), dtype=float)
    for b in blocks:
        total = total + sp.csr_array(b)
    return sp.csr_array(total)


#: Relative size of the rounding noise ``A - sum_p A_m[p]`` may leave below zero (cleared).
ROUNDING = 1e-12


def competitive_technology(A: ArrayOrSparse, Am_total: sp.csr_array | None) -> ArrayOrSparse:
    """``A_c = A - sum_p A_m[p]``, dense or sparse as ``A`` is.

    Examples
    --------
    >>> A = np.array([[0.2, 0.3], [0.1, 0.0]])
    >>> competitive_technology(A, sp.csr_array(np.array([[0.05, 0.0], [0.0, 0.0]])))
    array([[0.15, 0.3 ],
           [0.1 , 0.  ]])
    """
    if Am_total is None or Am_total.nnz == 0:
        return A
    if sp.issparse(A):
        Ac = sp.csr_array(sp.csr_array(A) - Am_total)
        ref = abs(sp.csr_array(A))[Ac.nonzero()] if Ac.nnz else np.zeros(0)
        data = Ac.data
        data[(data < 0) & (data >= -ROUNDING * np.asarray(ref).ravel())] = 0.0
        Ac.eliminate_zeros()
        return Ac
    dense = np.asarray(A)
    Ac = dense - Am_total.toarray()
    # a table's blocks summed and taken apart again leave rounding noise below zero
    Ac[(Ac < 0) & (Ac >= -ROUNDING * np.abs(dense))] = 0.0
    return Ac


def scale_rows(A: ArrayOrSparse, r: np.ndarray) -> ArrayOrSparse:
    """``diag(r) A``, dense or sparse as ``A`` is."""
    if sp.issparse(A):
        a = sp.csr_array(A)
        data = a.data * np.repeat(np.asarray(r, dtype=float), np.diff(a.indptr))
        # the same pattern: the index arrays are shared (stored tables are read-only), only
        # the values are new
        out = sp.csr_array((data, a.indices, a.indptr), shape=a.shape, copy=False)
        out.has_canonical_format = a.has_canonical_format
        return out
    return np.asarray(r)[:, np.newaxis] * np.asarray(A)


def domestic_technology(A_c: ArrayOrSparse, s: np.ndarray) -> ArrayOrSparse:
    """``A_d = (I - diag s) A_c``; ``A_c`` itself when nothing is imported competitively.

    Examples
    --------
    >>> domestic_technology(np.array([[0.5]]), np.array([0.4]))
    array([[0.3]])
    """
    if not np.any(s):
        return A_c
    return scale_rows(A_c, 1.0 - np.asarray(s, dtype=float))


def imported_coefficients(A_c: ArrayOrSparse, Am_p: Any | None, S_p: np.ndarray) -> Any:
    """``A_imp[p] = A_m[p] + diag(S[p]) A_c``: inputs imported from one partner per unit of
    output (sparse when ``A_c`` or ``A_m[p]`` is)."""
    comp = scale_rows(A_c, S_p) if np.any(S_p) else None
    if Am_p is None or (sp.issparse(Am_p) and Am_p.nnz == 0):
        if comp is None:
            n = A_c.shape[0]
            return sp.csr_array((n, n)) if sp.issparse(A_c) else np.zeros((n, n))
        return comp
    if comp is None:
        return sp.csr_array(Am_p) if sp.issparse(A_c) else sp.csr_array(Am_p).toarray()
    if sp.issparse(comp):
        return sp.csr_array(comp + sp.csr_array(Am_p))
    return np.asarray(comp) + sp.csr_array(Am_p).toarray()


def import_content(solver: Any, w: np.ndarray, A_imp: Any) -> np.ndarray:
    """Total import content per unit value of each final product, ``(w' A_imp L_d) / w``.

    ``solver`` factorizes ``I - A_d`` (a :class:`~autarky.solve.LeontiefSolver`); one transposed
    solve. NaN where a product has no value.

    Examples
    --------
    One product, half its use imported: ``A = 0.5``, ``A_d = 0.25``, ``A_imp = 0.25``; a unit of
    final product embodies ``0.25 / (1 - 0.25) = 1/3`` of imports.

    >>> from autarky.solve import LeontiefSolver
    >>> import_content(LeontiefSolver(np.array([[0.25]])), np.ones(1), np.array([[0.25]]))
    array([0.33333333])
    """
    c = np.asarray(A_imp.T @ w).ravel()
    z = solver.solve_transposed(c)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(w > 0, z / w, np.nan)


def split_imports(m: np.ndarray, noncompetitive: np.ndarray, competitive_use: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Split realised imports of each product from one partner into the non-competitive part
    (served first, at most what the imported-use tables record) and the competitive rest, as a
    share of the competitive home use.

    Returns ``(phi, rho)``: the realised fraction of the recorded non-competitive imports, and the
    realised competitive share, so that ``m = phi * noncompetitive + rho * competitive_use``.

    Examples
    --------
    >>> split_imports(np.array([30.0, 5.0]), np.array([20.0, 10.0]), np.array([100.0, 50.0]))
    (array([1. , 0.5]), array([0.1, 0. ]))
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = np.where(noncompetitive > 0, np.minimum(1.0, m / noncompetitive), 0.0)
        rest = np.maximum(m - phi * noncompetitive, 0.0)
        rho = np.where(competitive_use > 0, rest / competitive_use, 0.0)
    return phi, np.minimum(rho, 1.0)
