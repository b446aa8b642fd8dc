"""Linear programs through HiGHS, on plain arrays.

:class:`LinearProgram` holds a maximisation problem ``max c'v`` subject to
``row_lower <= M v <= row_upper`` and ``col_lower <= v <= col_upper``; :func:`solve_lp` solves it
with HiGHS (dual simplex by default, or interior point / PDLP for the largest plans) and returns
primal values, row activities and duals with one sign convention: every dual is the derivative of
the optimal objective with respect to the bound that is active (positive when relaxing it helps).

Infeasible programs are explained by :func:`elastic_relaxation`: every row gets non-negative
slack in both directions and the weighted sum of slacks is minimised, giving the smallest
relaxation that makes the program feasible and naming the rows it moves.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

from autarky import checks

Status = Literal["optimal", "infeasible", "unbounded", "error"]
INF = float("inf")

_QUIET = threading.Lock()
_BANNER_DONE = False


def _new_highs() -> Any:
    """A silent HiGHS instance (its one-time banner goes to C-level stdout, so that is muted)."""
    global _BANNER_DONE
    import highspy

    with _QUIET:
        if not _BANNER_DONE:
            sys.stdout.flush()
            saved = os.dup(1)
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, 1)
                h = highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(devnull)
            _BANNER_DONE = True
        else:
            h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    return h


@dataclass(frozen=True)
class LinearProgram:
    """``max c'v`` s.t. ``row_lower <= M v <= row_upper``, ``col_lower <= v <= col_upper``.

    Infinite bounds are ``inf``/``-inf``. Names are optional and used only in explanations.
    """

    c: np.ndarray
    M: sp.csr_array
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_names: tuple[str, ...] = ()
    col_names: tuple[str, ...] = ()

    @property
    def shape(self) -> tuple[int, int]:
        return int(self.M.shape[0]), int(self.M.shape[1])


@dataclass(frozen=True)
class LPCheck:
    """How well an answer satisfies its program, measured in the model's own units.

    Attributes
    ----------
    primal
        Largest relative violation of a row or column bound: ``max(lo - a, a - hi, 0)`` over
        ``max(1, |bound|, sum_j |M_ij v_j|)`` (the size of the row's terms).
    dual
        Largest relative violation of dual feasibility: stationarity ``c - M'y - d`` over the
        largest of its terms per column (``|c_j|``, ``sum_i |M_ij y_i|``, ``|d_j|``), and duals
        of the wrong sign (a dual with no bound to price), over the largest dual.
    gap
        Complementary slackness as a relative gap: ``sum |dual| * distance of its row or
        column from the bound it prices`` (the upper bound for a positive dual, the lower one
        for a negative dual) over ``max(1, |c'x|)``; a dual on an inactive bound, or on the
        other bound than the one it prices, shows here.
    resolved
        Whether a first answer violated ``tol`` and the program was solved again with tighter
        tolerances.
    tol
        The largest violation accepted.
    """

    primal: float
    dual: float
    gap: float
    resolved: bool = False
    tol: float = 1e-7

    @property
    def ok(self) -> bool:
        return max(self.primal, self.dual, self.gap) <= self.tol

    def to_dict(self) -> dict[str, Any]:
        return {"primal_violation": self.primal, "dual_violation": self.dual,
                "duality_gap": self.gap, "resolved": self.resolved, "tolerance": self.tol}


@dataclass(frozen=True)
class LPResult:
    """Outcome of :func:`solve_lp`.

    Attributes
    ----------
    status
        ``optimal``, ``infeasible``, ``unbounded`` or ``error``.
    objective
        Optimal value (``nan`` unless optimal).
    x, row_activity
        Primal values of the columns and of ``M v`` (in the program's own units).
    row_dual
        ``d objective / d (active row bound)``; zero for slack rows.
    col_dual
        Reduced costs, ``d objective / d (active column bound)``.
    ray
        For an unbounded program, a primal ray (direction of unlimited improvement).
    message
        HiGHS's model status in words (and why an answer was refused).
    check
        The answer checked against the program (:class:`LPCheck`), for optimal answers.
    """

    status: Status
    objective: float
    x: np.ndarray
    row_activity: np.ndarray
    row_dual: np.ndarray
    col_dual: np.ndarray
    ray: np.ndarray | None = None
    message: str = ""
    iterations: int = 0
    meta: dict[str, Any] = field(default_factory=dict)
    check: LPCheck | None = None


def _to_highs_lp(lp: LinearProgram) -> Any:
    import highspy

    inf = highspy.kHighsInf
    M = sp.csc_array(lp.M)
    M.sort_indices()
    h_lp = highspy.HighsLp()
    h_lp.num_col_ = lp.shape[1]
    h_lp.num_row_ = lp.shape[0]
    h_lp.col_cost_ = np.asarray(lp.c, dtype=float)
    h_lp.col_lower_ = np.clip(lp.col_lower, -inf, inf)
    h_lp.col_upper_ = np.clip(lp.col_upper, -inf, inf)
    h_lp.row_lower_ = np.clip(lp.row_lower, -inf, inf)
    h_lp.row_upper_ = np.clip(lp.row_upper, -inf, inf)
    h_lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    h_lp.a_matrix_.start_ = M.indptr.astype(np.int32)
    h_lp.a_matrix_.index_ = M.indices.astype(np.int32)
    h_lp.a_matrix_.value_ = M.data.astype(float)
    h_lp.sense_ = highspy.ObjSense.kMaximize
    return h_lp


def _pow2(v: np.ndarray) -> np.ndarray:
    """Nearest powers of two (scaling by them is exact in floating point)."""
    return np.exp2(np.round(np.log2(v)))


def scaling_factors(M: sp.csr_array, passes: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Row and column factors ``r, s`` (powers of two) that bring the entries of
    ``diag(r) M diag(s)`` near one: geometric-mean scaling, a few passes, then equilibration so
    that the largest entry of every row and column lies in ``(1/2, 2]``.

    Examples
    --------
    Measuring one column's variable in a unit a million times larger multiplies its column by
    a million; the scaled matrix is the same (up to the rounding of the factors to powers of 2).

    >>> M = sp.csr_array(np.array([[1.0, 2e-6], [3.0, 4e-6]]))
    >>> r, s = scaling_factors(M)
    >>> A = (sp.diags_array(r) @ M @ sp.diags_array(s)).toarray()
    >>> bool(np.all((np.abs(A) > 0.1) & (np.abs(A) < 10)))
    True
    """
    m, n = M.shape
    r, s = np.ones(m), np.ones(n)
    if M.nnz == 0:
        return r, s
    A = sp.coo_array(M)
    keep = A.data != 0
    rows, cols = A.row[keep], A.col[keep]
    logv = np.log2(np.abs(A.data[keep]))
    lr, ls = np.zeros(m), np.zeros(n)
    cnt_r = np.bincount(rows, minlength=m)
    cnt_c = np.bincount(cols, minlength=n)
    def spread(index: np.ndarray, values: np.ndarray, size: int, count: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
        mx = np.full(size, -np.inf)
        mn = np.full(size, np.inf)
        np.maximum.at(mx, index, values)
        np.minimum.at(mn, index, values)
        empty = count == 0
        mx[empty] = 0.0
        mn[empty] = 0.0
        return mx, mn

    for _ in range(passes):
        # rows, then columns: minus the midpoint of the log range (geometric mean of max and min)
        mx, mn = spread(rows, logv + lr[rows] + ls[cols], m, cnt_r)
        lr -= 0.5 * (mx + mn)
        mx, mn = spread(cols, logv + lr[rows] + ls[cols], n, cnt_c)
        ls -= 0.5 * (mx + mn)
    # equilibrate: the largest entry of each column, then each row, to about one
    mx, _ = spread(cols, logv + lr[rows] + ls[cols], n, cnt_c)
    ls -= mx
    mx, _ = spread(rows, logv + lr[rows] + ls[cols], m, cnt_r)
    lr -= mx
    return np.exp2(np.round(lr)), np.exp2(np.round(ls))


def _scaled(lp: LinearProgram, r: np.ndarray, s: np.ndarray) -> tuple[LinearProgram, float]:
    """``lp`` with rows multiplied by ``r``, columns by ``s`` (so ``v = s * v_scaled``) and the
    objective by ``1 / sigma``; returns the program and ``sigma``."""
    M = sp.csr_array(sp.diags_array(r) @ sp.csr_array(lp.M) @ sp.diags_array(s))
    c = lp.c * s
    big = float(np.max(np.abs(c))) if c.size else 0.0
    sigma = float(_pow2(np.array([big]))[0]) if big > 0 else 1.0
    with np.errstate(invalid="ignore"):
        out = LinearProgram(c / sigma, M, lp.row_lower * r, lp.row_upper * r, lp.col_lower / s,
                            lp.col_upper / s, lp.row_names, lp.col_names)
    return out, sigma


def _priced_distance(a: np.ndarray, lo: np.ndarray, hi: np.ndarray, dual: np.ndarray
                     ) -> np.ndarray:
    """Distance of ``a`` from the bound its dual prices (upper for a positive dual, lower for a
    negative one), else from the nearest finite bound."""
    d_hi = np.where(np.isfinite(hi), np.abs(a - hi), INF)
    d_lo = np.where(np.isfinite(lo), np.abs(a - lo), INF)
    priced = np.where(dual > 0, d_hi, d_lo)
    return np.where(np.isfinite(priced), priced, np.minimum(d_hi, d_lo))


def check_solution(lp: LinearProgram, x: np.ndarray, row_dual: np.ndarray,
                   col_dual: np.ndarray, tol: float = 1e-7) -> LPCheck:
    """Measure an answer against ``lp`` in the program's own units (see :class:`LPCheck`).

    Examples
    --------
    >>> M = sp.csr_array(np.array([[1.0, 2.0]]))
    >>> lp = LinearProgram(np.ones(2), M, np.array([-INF]), np.array([4.0]), np.zeros(2),
    ...                    np.full(2, INF))
    >>> c = check_solution(lp, np.array([4.0, 0.0]), np.array([1.0]), np.array([0.0, -1.0]))
    >>> c.primal, c.dual, c.gap
    (0.0, 0.0, 0.0)
    """
    M = sp.csr_array(lp.M)
    a = M @ x
    size = np.maximum(1.0, np.asarray(abs(M) @ np.abs(x)).ravel())
    with np.errstate(invalid="ignore"):
        lo_v = np.where(np.isfinite(lp.row_lower), lp.row_lower - a, 0.0)
        hi_v = np.where(np.isfinite(lp.row_upper), a - lp.row_upper, 0.0)
        bound = np.maximum(size, np.maximum(np.where(np.isfinite(lp.row_lower),
                                                     np.abs(lp.row_lower), 0.0),
                                            np.where(np.isfinite(lp.row_upper),
                                                     np.abs(lp.row_upper), 0.0)))
    row_v = np.maximum(np.maximum(lo_v, hi_v), 0.0) / bound
    csize = np.maximum(1.0, np.abs(x))
    col_v = np.maximum(np.maximum(np.where(np.isfinite(lp.col_lower), lp.col_lower - x, 0.0),
                                  np.where(np.isfinite(lp.col_upper), x - lp.col_upper, 0.0)),
                       0.0) / csize
    primal = float(max(row_v.max(initial=0.0), col_v.max(initial=0.0)))
    # stationarity, relative to the size of each column's terms (unit-free)
    MTy = M.T @ row_dual
    stat = lp.c - MTy - col_dual
    terms = np.maximum.reduce([np.abs(lp.c), np.asarray(abs(M).T @ np.abs(row_dual)).ravel(),
                               np.abs(col_dual), np.full(n_cols := len(x), 1e-300)])
    stat_rel = np.where(np.abs(stat) > 0, np.abs(stat) / terms, 0.0) if n_cols else np.zeros(0)
    # a dual belongs to the bound it prices: positive at an upper bound, negative at a lower one
    # the distance from the bound a dual prices: the upper one for a positive dual, the lower
    # one for a negative dual (a dual at the other bound would price the wrong direction)
    # one for a negative dual (a dual at the other bound would price the wrong direction); a
    # dual with no bound to price is a dual violation, measured above, and here the distance
    # from the nearest bound
    dist_r = _priced_distance(a, lp.row_lower, lp.row_upper, row_dual) / bound
    rel_r = np.where(row_dual != 0, np.abs(row_dual) * np.minimum(dist_r, 1e300), 0.0)
    wrong_r = np.where(row_dual > 0, np.where(np.isfinite(lp.row_upper), 0.0, row_dual),
                       np.where(np.isfinite(lp.row_lower), 0.0, -row_dual))
    wrong_c = np.where(col_dual > 0, np.where(np.isfinite(lp.col_upper), 0.0, col_dual),
                       np.where(np.isfinite(lp.col_lower), 0.0, -col_dual))
    dscale = max(float(np.max(np.abs(row_dual), initial=0.0)),
                 float(np.max(np.abs(col_dual), initial=0.0)), 1e-300)
    dual = float(max(np.max(stat_rel, initial=0.0),
                     np.max(np.abs(wrong_r), initial=0.0) / dscale,
                     np.max(np.abs(wrong_c), initial=0.0) / dscale))
    # complementary slackness: a dual may be non-zero only on an active bound
    dist_c = _priced_distance(x, lp.col_lower, lp.col_upper, col_dual) / csize
    rel_c = np.where(col_dual != 0, np.abs(col_dual) * np.minimum(dist_c, 1e300), 0.0)
    obj = float(lp.c @ x)
    slack = float(np.sum(np.nan_to_num(rel_r * bound, posinf=0.0))
                  + np.sum(np.nan_to_num(rel_c * csize, posinf=0.0)))
    gap = slack / max(1.0, abs(obj))
    return LPCheck(primal, dual, gap, tol=tol)


#: The HiGHS solvers :func:`solve_lp` accepts.
SOLVERS = ("simplex", "ipm", "pdlp", "choose")


def _run(lp: LinearProgram, solver: str, time_limit: float | None, tight: bool) -> Any:
    h = _new_highs()
    h.setOptionValue("solver", solver)
    h.setOptionValue("small_matrix_value", 1e-12)
    if tight:
        for opt in ("primal_feasibility_tolerance", "dual_feasibility_tolerance"):
            h.setOptionValue(opt, 1e-10)
        h.setOptionValue("simplex_scale_strategy", 4)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    h.passModel(_to_highs_lp(lp))
    h.run()
    return h


def solve_lp(lp: LinearProgram, *, solver: str = "simplex", time_limit: float | None = None,
             scale: bool = True, check: bool = True, tol: float = 1e-7,
             tight: bool = False) -> LPResult:
    """Solve ``lp`` with HiGHS: scaled, and the answer checked in the program's own units.

    Rows and columns are scaled (:func:`scaling_factors`, powers of two, so the answer does not
    depend on the units the model is written in); duals are unscaled. The answer is checked
    (:func:`check_solution`); a violation above ``tol`` is solved again with tighter tolerances,
    and an answer that still violates it is refused (status ``error``, with the violation in
    the message), never returned as optimal.

    Parameters
    ----------
    solver
        HiGHS ``solver`` option: ``"simplex"`` (default; exact vertex duals), ``"ipm"``
        (interior point with crossover) or ``"pdlp"`` (first-order, for the largest plans).
    time_limit
        Seconds before HiGHS stops.
    scale, check
        Turn the scaling and the check off (for measurements only).
    tight
        Solve with the tighter tolerances from the start (for small programs whose duals steer
        another method, such as the master of :mod:`autarky.plan.structured`).

    Examples
    --------
    ``max x0 + x1`` s.t. ``x0 + 2 x1 <= 4``, ``x0 - x1 >= 1``: the optimum is ``x = (4, 0)``,
    and relaxing the first row by one unit raises the objective by one.

    >>> M = sp.csr_array(np.array([[1.0, 2.0], [1.0, -1.0]]))
    >>> lp = LinearProgram(np.ones(2), M, np.array([-INF, 1.0]), np.array([4.0, INF]),
    ...                    np.zeros(2), np.full(2, INF))
    >>> r = solve_lp(lp)
    >>> r.status, r.objective, r.x.tolist(), r.row_dual.tolist(), r.check.ok
    ('optimal', 4.0, [4.0, 0.0], [1.0, 0.0], True)
    """
    import highspy

    checks.choice("solver", solver, SOLVERS)
    if time_limit is not None:
        checks.real("time_limit", time_limit, lower=0.0, lower_open=True)
    m, n = lp.shape
    if scale:
        rs, cs = scaling_factors(sp.csr_array(lp.M))
        work, sigma = _scaled(lp, rs, cs)
    else:
        rs, cs, work, sigma = np.ones(m), np.ones(n), lp, 1.0
    resolved = False
    for attempt in range(2):
        h = _run(work, solver, time_limit, tight=tight or attempt > 0)
        status = h.getModelStatus()
        S = highspy.HighsModelStatus
        nan_x, nan_r = np.full(n, np.nan), np.full(m, np.nan)
        msg = h.modelStatusToString(status)
        info = h.getInfo()
        iters = int(info.simplex_iteration_count) + int(info.ipm_iteration_count)
        if status != S.kOptimal:
            break
        sol = h.getSolution()
        x = np.asarray(sol.col_value) * cs
        row_dual = np.asarray(sol.row_dual) * rs * sigma
        col_dual = np.asarray(sol.col_dual) / cs * sigma
        res_check = check_solution(lp, x, row_dual, col_dual, tol) if check else None
        if res_check is None or res_check.ok or attempt == 1:
            if res_check is not None and not res_check.ok:
                return LPResult("error", np.nan, x, np.asarray(sp.csr_array(lp.M) @ x),
                                row_dual, col_dual, None,
                                f"the solver's answer violates its program: primal "
                                f"{res_check.primal:.2e}, dual {res_check.dual:.2e}, gap "
                                f"{res_check.gap:.2e} (tolerance {tol:g}), after a second solve "
                                "with tighter tolerances", iters,
                                check=replace(res_check, resolved=True))
            final_check = None if res_check is None else replace(res_check, resolved=resolved)
            return LPResult("optimal", float(lp.c @ x), x, np.asarray(sp.csr_array(lp.M) @ x),
                            row_dual, col_dual, None, msg, iters, check=final_check)
        resolved = True
    if status in (S.kUnbounded, S.kUnboundedOrInfeasible):
        ray = None
        if status == S.kUnboundedOrInfeasible:
            # tell the two apart: is there any feasible point at all?
            feas = solve_lp(LinearProgram(np.zeros(n), lp.M, lp.row_lower, lp.row_upper,
                                          lp.col_lower, lp.col_upper), solver=solver)
            if feas.status == "infeasible":
                return LPResult("infeasible", np.nan, nan_x, nan_r, nan_r, nan_x, None, msg, iters)
        got = h.getPrimalRay()  # (status, has_ray, values) in HiGHS >= 1.8; (has_ray, values) before
        has_ray, values = got[-2], got[-1]
        if has_ray:
            ray = np.asarray(values) * cs
        return LPResult("unbounded", np.inf, nan_x, nan_r, nan_r, nan_x, ray, msg, iters)
    if status == S.kInfeasible:
        return LPResult("infeasible", np.nan, nan_x, nan_r, nan_r, nan_x, None, msg, iters)
    return LPResult("error", np.nan, nan_x, nan_r, nan_r, nan_x, None, msg, iters)


def solve_lp_or_simplex(lp: LinearProgram, *, solver: str = "simplex",
                        time_limit: float | None = None) -> tuple[LPResult, str, str | None]:
    """:func:`solve_lp` with ``solver``; where another solver than the simplex ends in an error
    (no answer, or one that fails its check), the simplex solves it again. Returns the answer,
    the solver that gave it, and why the first was left (``None`` where it was not).

    Examples
    --------
    >>> M = sp.csr_array(np.array([[1.0, 2.0]]))
    >>> lp = LinearProgram(np.ones(2), M, np.array([-INF]), np.array([4.0]),
    ...                    np.zeros(2), np.full(2, INF))
    >>> res, used, why = solve_lp_or_simplex(lp, solver="ipm")
    >>> res.status, res.objective, used, why
    ('optimal', 4.0, 'ipm', None)
    """
    res = solve_lp(lp, solver=solver, time_limit=time_limit)
    if res.status != "error" or solver == "simplex":
        return res, solver, None
    why = f"HiGHS {solver}: {res.message}"
    return solve_lp(lp, solver="simplex", time_limit=time_limit), "simplex", why


@dataclass(frozen=True)
class Relaxation:
    """The smallest relaxation that makes an infeasible program feasible.

    Attributes
    ----------
    rows
        Indices of the rows that must move.
    amounts
        By how much each must move (positive: its lower bound must fall; negative: its upper
        bound must rise), in the row's own units.
    """

    rows: tuple[int, ...]
    amounts: tuple[float, ...]


def elastic_relaxation(lp: LinearProgram, weights: np.ndarray | None = None,
                       relax: np.ndarray | None = None) -> Relaxation | None:
    """Minimise the weighted slack that makes ``lp``'s rows hold; ``None`` if nothing helps.

    ``relax`` (boolean per row) chooses the rows that may move (default: all rows with a finite
    bound); ``weights`` their cost per unit of slack (default: one over the size of the bound).
    """
    m, n = lp.shape
    finite = np.isfinite(lp.row_lower) | np.isfinite(lp.row_upper)
    relax = finite if relax is None else (relax & finite)
    idx = np.flatnonzero(relax)
    if weights is None:
        scale = np.maximum(1.0, np.nan_to_num(np.maximum(np.abs(lp.row_lower),
                                                         np.abs(lp.row_upper)),
                                              posinf=1.0, neginf=1.0))
        weights = 1.0 / scale
    k = len(idx)
    # slack s_plus lowers the row's lower bound, s_minus raises its upper bound:
    # row_lower <= M v + s_plus - s_minus <= row_upper
    E = sp.csr_array((np.ones(k), (idx, np.arange(k))), shape=(m, k))
    M2 = sp.hstack([lp.M, E, -E], format="csr")
    c2 = np.concatenate([np.zeros(n), -weights[idx], -weights[idx]])
    lp2 = LinearProgram(c2, sp.csr_array(M2), lp.row_lower, lp.row_upper,
                        np.concatenate([lp.col_lower, np.zeros(2 * k)]),
                        np.concatenate([lp.col_upper, np.full(2 * k, INF)]))
    r = solve_lp(lp2)
    if r.status != "optimal" or (k == 0 and r.status == "infeasible"):
        return None
    net = r.x[n:n + k] - r.x[n + k:]
    moved = np.flatnonzero(np.abs(net) > 1e-9 * np.maximum(1.0, np.abs(net).max()))
    return Relaxation(tuple(int(idx[i]) for i in moved), tuple(float(net[i]) for i in moved))
