"""Weighted least squares by one SVD, with the covariance of the estimates and a chi-square test.

The kernel of the claims audit (:func:`autarky.monitor.audit.audit`), on plain arrays: a design
``J`` (one row per equation), right-hand sides ``b`` and standard deviations ``sigma``. Some
columns may be held fixed at given values (a normalisation); the others are estimated by
minimising ``sum ((b - J x) / sigma) ** 2``. A column the equations cannot pin down gets the
minimum-norm value and is reported as not identified.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import stats

from autarky import checks
from autarky.errors import BadValueError, OutOfRangeError

#: Singular values below this fraction of the largest count as zero.
RCOND = 1e-10
#: A residual variance ``sigma^2 - v`` below this fraction of ``sigma^2`` counts as zero.
UNCHECKED = 1e-9


def in_row_space(design: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    """For each column ``j``, whether the unit vector ``e_j`` lies in the row space of ``design``.

    Those are the columns whose value the equations ``design @ x = b`` determine.

    Examples
    --------
    ``x0 - x1`` alone fixes neither; adding ``x1`` fixes both; ``x2`` never appears.

    >>> import numpy as np
    >>> in_row_space(np.array([[1.0, -1.0, 0.0]])).tolist()
    [False, False, False]
    >>> in_row_space(np.array([[1.0, -1.0, 0.0], [0.0, 1.0, 0.0]])).tolist()
    [True, True, False]
    """
    m = design.shape[1]
    if design.shape[0] == 0 or m == 0:
        return np.zeros(m, dtype=bool)
    _, s, vt = np.linalg.svd(design, full_matrices=False)
    rank = int((s > s[0] * RCOND).sum()) if s.size and s[0] > 0 else 0
    lev = (vt[:rank] ** 2).sum(axis=0)
    return np.abs(lev - 1.0) < tol


@dataclass(frozen=True, eq=False)
class WLSResult:
    """Outcome of :func:`weighted_least_squares` (``n`` equations, ``m`` columns).

    Attributes
    ----------
    estimate
        ``(m,)``: the estimates (minimum norm where not identified; the given value where
        fixed).
    covariance
        ``(m, m)``: ``(J'WJ)^+`` over the free columns, ``W = diag(1 / sigma^2)``; zero in the
        rows and columns of fixed ones.
    identified
        ``(m,)``: whether the equations (with the fixed columns) determine each estimate.
    fitted, residuals
        ``(n,)``: ``J x`` and ``b - J x``.
    fit_variance
        ``(n,)``: ``v_k = J_k (J'WJ)^+ J_k'``, the variance of each fitted value.
    standardized
        ``(n,)``: ``r_k / sqrt(sigma_k^2 - v_k)``, or ``r_k / sigma_k`` where ``sigma_k^2 - v_k``
        is ~0 (the equation alone determines what it states; ``checked`` is False there).
    checked
        ``(n,)``: whether other equations check each equation (``sigma_k^2 - v_k > 0``).
    chi2, dof, p_value
        ``sum (r_k / sigma_k)^2``, ``n - rank`` and ``P(chi2_dof >= chi2)`` (NaN when ``dof``
        is 0).
    rank
        Rank of the weighted design of the free columns.
    fixed_columns
        The fixed columns, in increasing order.
    sensitivity
        ``(m, len(fixed_columns))``: ``d estimate / d fixed value``; 1 on a fixed column's own
        entry, and for a free column how it moves with each fixed value.
    """

    estimate: np.ndarray
    covariance: np.ndarray
    identified: np.ndarray
    fitted: np.ndarray
    residuals: np.ndarray
    fit_variance: np.ndarray
    standardized: np.ndarray
    checked: np.ndarray
    chi2: float
    dof: int
    p_value: float
    rank: int
    fixed_columns: tuple[int, ...]
    sensitivity: np.ndarray


def weighted_least_squares(
    design: np.ndarray,
    rhs: np.ndarray,
    sd: np.ndarray,
    *,
    fixed: Mapping[int, float] | None = None,
) -> WLSResult:
    """Weighted least squares ``min sum(((rhs - design @ x) / sd) ** 2)`` by one SVD.

    Parameters
    ----------
    design
        ``(n, m)`` design ``J``, one row per equation.
    rhs
        ``(n,)`` right-hand sides ``b``.
    sd
        ``(n,)`` standard deviations ``sigma`` of the equations, positive; the weights are
        ``1 / sigma^2``.
    fixed
        ``{column: value}``: columns held at a value rather than estimated.

    Returns
    -------
    WLSResult

    Raises
    ------
    BadValueError
        For arrays of mismatched shapes or a standard deviation that is not a positive number.
    OutOfRangeError
        For a fixed column out of range.

    Examples
    --------
    A line ``a + b t`` through ``(0, 0), (1, 1), (2, 3)``, unit weights: ``t`` has mean 1 and
    ``S_tt = 2``, ``S_ty = (-1)(-4/3) + (1)(5/3) = 3``, so the slope is ``3 / 2 = 1.5`` with
    variance ``1 / S_tt = 0.5``, the intercept ``4/3 - 1.5 = -1/6``; the residuals are ``1/6,
    -1/3, 1/6`` and ``chi2 = 1/36 + 1/9 + 1/36 = 1/6`` on one degree of freedom. The leverages
    ``1/3 + (t - 1)^2 / 2`` are ``5/6, 1/3, 5/6``, so each standardised residual is
    ``+-sqrt(1/6) = +-0.4082``.

    >>> import numpy as np
    >>> t = np.array([0.0, 1.0, 2.0])
    >>> r = weighted_least_squares(np.column_stack([np.ones(3), t]), np.array([0.0, 1.0, 3.0]),
    ...                            np.ones(3))
    >>> r.estimate.round(6).tolist(), round(float(r.covariance[1, 1]), 6)
    ([-0.166667, 1.5], 0.5)
    >>> r.residuals.round(6).tolist(), round(r.chi2, 6), r.dof
    ([0.166667, -0.333333, 0.166667], 0.166667, 1)
    >>> r.standardized.round(4).tolist(), round(r.p_value, 4)
    ([0.4082, -0.4082, 0.4082], 0.6831)

    A ratio ``x1 - x0 = log 1.1`` fixes nothing alone; holding ``x0`` at ``log 100`` gives
    ``x1 = log 110``, which moves one for one with the fixed value.

    >>> import math
    >>> r = weighted_least_squares(np.array([[-1.0, 1.0]]), np.array([math.log(1.1)]),
    ...                            np.array([0.01]), fixed={0: math.log(100.0)})
    >>> np.exp(r.estimate).round(6).tolist(), r.identified.tolist(), r.sensitivity.tolist()
    ([100.0, 110.0], [True, True], [[1.0], [1.0]])
    >>> r.checked.tolist(), r.dof
    ([False], 0)
    """
    J = checks.floats("design", design)
    b = checks.floats("rhs", rhs)
    s = checks.floats("sd", sd)
    if J.ndim != 2 or b.shape != (J.shape[0],) or s.shape != (J.shape[0],):
        raise BadValueError(f"weighted least squares needs a (n, m) design with n right-hand "
                            f"sides and n standard deviations; got {J.shape}, {b.shape}, "
                            f"{s.shape}")
    if not np.all(np.isfinite(s) & (s > 0)):
        raise BadValueError("every standard deviation must be a positive number")
    n, m = J.shape
    fixed = dict(fixed or {})
    for j in fixed:
        if not 0 <= checks.integer("a fixed column", j) < m:
            raise OutOfRangeError(f"fixed column {j} is outside the design's {m} columns")
    fixed_cols = sorted(fixed)
    free_cols = [j for j in range(m) if j not in fixed]
    x_fixed = np.array([float(fixed[j]) for j in fixed_cols])
    Jw = J / s[:, None]
    A = Jw[:, free_cols]
    bw = (b - J[:, fixed_cols] @ x_fixed) / s
    x = np.zeros(m)
    x[fixed_cols] = x_fixed
    cov = np.zeros((m, m))
    ident = np.ones(m, dtype=bool)
    ident[free_cols] = False
    var_fit = np.zeros(n)
    sens = np.zeros((m, len(fixed_cols)))
    sens[fixed_cols, np.arange(len(fixed_cols))] = 1.0
    rank = 0
    if free_cols and n:
        u, sv, vt = np.linalg.svd(A, full_matrices=False)
        rank = int((sv > sv[0] * RCOND).sum()) if sv[0] > 0 else 0
        ur, svr, vr = u[:, :rank], sv[:rank], vt[:rank].T
        x[free_cols] = vr @ ((ur.T @ bw) / svr)
        cov[np.ix_(free_cols, free_cols)] = (vr / svr**2) @ vr.T
        ident[free_cols] = np.abs((vr**2).sum(axis=1) - 1.0) < 1e-9
        var_fit = (((J[:, free_cols] @ vr) / svr) ** 2).sum(axis=1)
        if fixed_cols:  # how each free estimate moves with each fixed value
            sens[free_cols] = -(vr @ ((ur.T @ Jw[:, fixed_cols]) / svr[:, None]))
    fitted = J @ x
    resid = b - fitted
    d2 = s**2 - var_fit
    checked = d2 > UNCHECKED * s**2
    standardized = resid / np.where(checked, np.sqrt(np.where(checked, d2, 1.0)), s)
    chi2 = float(((resid / s) ** 2).sum()) if n else 0.0
    dof = n - rank
    p_value = float(stats.chi2.sf(chi2, dof)) if dof > 0 else math.nan
    return WLSResult(estimate=x, covariance=cov, identified=ident, fitted=fitted,
                     residuals=resid, fit_variance=var_fit, standardized=standardized,
                     checked=checked, chi2=chi2, dof=dof, p_value=p_value, rank=rank,
                     fixed_columns=tuple(fixed_cols), sensitivity=sens)


__all__ = ["WLSResult", "in_row_space", "weighted_least_squares"]
