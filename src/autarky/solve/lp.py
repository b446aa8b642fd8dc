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
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

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
class LPResult:
    """Outcome of :func:`solve_lp`.

    Attributes
    ----------
    status
        ``optimal``, ``infeasible``, ``unbounded`` or ``error``.
    objective
        Optimal value (``nan`` unless optimal).
    x, row_activity
        Primal values of the columns and of ``M v``.
    row_dual
        ``d objective / d (active row bound)``; zero for slack rows.
    col_dual
        Reduced costs, ``d objective / d (active column bound)``.
    ray
        For an unbounded program, a primal ray (direction of unlimited improvement).
    message
        HiGHS's model status in words.
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


def solve_lp(lp: LinearProgram, *, solver: str = "simplex", time_limit: float | None = None
             ) -> LPResult:
    """Solve ``lp`` with HiGHS.

    Parameters
    ----------
    solver
        HiGHS ``solver`` option: ``"simplex"`` (default; exact vertex duals), ``"ipm"``
        (interior point with crossover) or ``"pdlp"`` (first-order, for the largest plans).
    time_limit
        Seconds before HiGHS stops.

    Examples
    --------
    ``max x0 + x1`` s.t. ``x0 + 2 x1 <= 4``, ``x0 - x1 >= 1``: the optimum is ``x = (4, 0)``,
    and relaxing the first row by one unit raises the objective by one.

    >>> M = sp.csr_array(np.array([[1.0, 2.0], [1.0, -1.0]]))
    >>> lp = LinearProgram(np.ones(2), M, np.array([-INF, 1.0]), np.array([4.0, INF]),
    ...                    np.zeros(2), np.full(2, INF))
    >>> r = solve_lp(lp)
    >>> r.status, r.objective, r.x.tolist(), r.row_dual.tolist()
    ('optimal', 4.0, [4.0, 0.0], [1.0, 0.0])
    """
    import highspy

    h = _new_highs()
    h.setOptionValue("solver", solver)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    h.passModel(_to_highs_lp(lp))
    h.run()
    status = h.getModelStatus()
    S = highspy.HighsModelStatus
    m, n = lp.shape
    nan_x, nan_r = np.full(n, np.nan), np.full(m, np.nan)
    msg = h.modelStatusToString(status)
    info = h.getInfo()
    iters = int(info.simplex_iteration_count) + int(info.ipm_iteration_count)
    if status == S.kOptimal:
        sol = h.getSolution()
        return LPResult("optimal", float(info.objective_function_value),
                        np.asarray(sol.col_value), np.asarray(sol.row_value),
                        np.asarray(sol.row_dual), np.asarray(sol.col_dual), None, msg, iters)
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
            ray = np.asarray(values)
        return LPResult("unbounded", np.inf, nan_x, nan_r, nan_r, nan_x, ray, msg, iters)
    if status == S.kInfeasible:
        return LPResult("infeasible", np.nan, nan_x, nan_r, nan_r, nan_x, None, msg, iters)
    return LPResult("error", np.nan, nan_x, nan_r, nan_r, nan_x, None, msg, iters)


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
