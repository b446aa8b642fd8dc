"""A family of related one-year LPs solved from one start: the caps of the cost of autarky, the
least factor use at each cap, the scale iterations, a shock re-planned.

The members of a family differ from one another only in their data
(:class:`~autarky.plan.optimize.YearData`: bounds, the import-cap coefficients, factor
coefficients), so each is solved from where the last one ended, by whichever of two paths fits
the size:

* **structured** (from :data:`~autarky.plan.optimize.STRUCTURED_MIN_N` branches, max-min plans):
  Leontief pricing and a small master LP (:mod:`autarky.plan.structured`). An export offer
  without a limit is given the limit the plan implies anyway (a product's exports are at most
  its output, and its output at most its capacity and ``availability_k / F_kj`` for every factor
  with coefficients ``F >= 0``): the feasible set is the same, and the answer is checked in the
  model as posed, without those limits. The least use of a factor that delivers the target
  (the cost of autarky's second LP) is found on the same path by Newton's method on that
  factor's availability ``a``: the largest fulfilment ``lam(a)`` is concave and piecewise
  linear, its slope the factor's rent ``w``, so ``a + (target - lam) / w`` lands on the least
  availability that reaches the target (one step on a linear piece). The max-min duals divided
  by ``w`` are the duals of the least-factor LP, and that answer is checked in the least-factor
  LP itself; a rent of zero below the target proves that no availability reaches it.
* **warm simplex** (below that size, other objectives, or where the structured path declines):
  one live HiGHS instance per kind of LP, moved to the next member by changing only what
  differs (``changeColsBounds``, ``changeRowsBounds``, ``changeColsCost``, ``changeCoeff``) and
  re-run from its last basis; the first member is scaled (:func:`~autarky.solve.lp.
  scaling_factors`) and the same factors serve the rest.

Every answer is checked against its own program in the model's units
(:func:`~autarky.solve.lp.check_solution`, tolerance 1e-7, as :func:`~autarky.solve.lp.solve_lp`
does); an answer that fails, and every status but optimal or infeasible on the warm path, is
solved again by the cold path (:func:`~autarky.solve.lp.solve_lp`), so a family gives the
answers of fresh solves. :attr:`PlanFamily.stats` counts the members by path.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import fields, replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from autarky.economy import Economy, Scenario, as_scenario
from autarky.economy.trade import export_channels
from autarky.plan.optimize import (
    STRUCTURED_AUTO_SECONDS,
    STRUCTURED_MIN_N,
    OptimizeModel,
    YearData,
    build_model,
)
from autarky.plan.read import read_optimal
from autarky.plan.result import OptimalPlan
from autarky.plan.structured import implied_export_limits
from autarky.solve.lp import LinearProgram, LPResult, check_solution, scaling_factors, solve_lp

#: Largest violation an answer of the family may have (as :func:`~autarky.solve.lp.solve_lp`).
TOL = 1e-7
#: Newton steps on a factor's availability before the least-factor LP goes to HiGHS.
MAX_NEWTON = 20
#: Structured answers a family keeps, by their data (a member solved again is not re-solved).
KNOWN = 4


def _no_explanation(*_: Any) -> tuple[()]:
    return ()


def _entries(M: sp.csr_array) -> tuple[np.ndarray, np.ndarray]:
    """Keys ``row * ncols + col`` (sorted) and values of the entries of ``M``."""
    c = sp.coo_array(M)
    keys = c.row.astype(np.int64) * M.shape[1] + c.col.astype(np.int64)
    order = np.argsort(keys, kind="stable")
    return keys[order], np.asarray(c.data, dtype=float)[order]


class _Live:
    """One HiGHS instance holding the scaled program of the last member solved."""

    def __init__(self, lp: LinearProgram) -> None:
        from autarky.solve.lp import _new_highs, _to_highs_lp

        self.shape = lp.shape
        self.r, self.s = scaling_factors(sp.csr_array(lp.M))
        c = lp.c * self.s
        big = float(np.max(np.abs(c))) if c.size else 0.0
        self.sigma = float(np.exp2(np.round(np.log2(big)))) if big > 0 else 1.0
        self.work = self._scaled(lp)
        self.keys, self.vals = _entries(self.work.M)
        self.h = _new_highs()
        self.h.setOptionValue("small_matrix_value", 1e-12)
        self.h.passModel(_to_highs_lp(self.work))

    def _scaled(self, lp: LinearProgram) -> LinearProgram:
        r, s = self.r, self.s
        M = sp.csr_array(sp.diags_array(r) @ sp.csr_array(lp.M) @ sp.diags_array(s))
        with np.errstate(invalid="ignore"):
            return LinearProgram(lp.c * s / self.sigma, M, lp.row_lower * r, lp.row_upper * r,
                                 lp.col_lower / s, lp.col_upper / s)

    def move_to(self, lp: LinearProgram) -> None:
        """Change the live program into ``lp`` (same shape), keeping the basis."""
        new = self._scaled(lp)
        old = self.work
        h = self.h

        cols = np.flatnonzero((new.col_lower != old.col_lower) | (new.col_upper != old.col_upper))
        if cols.size:
            h.changeColsBounds(len(cols), cols.astype(np.int32), new.col_lower[cols],
                               new.col_upper[cols])
        rows = np.flatnonzero((new.row_lower != old.row_lower) | (new.row_upper != old.row_upper))
        if rows.size:
            h.changeRowsBounds(len(rows), rows.astype(np.int32), new.row_lower[rows],
                               new.row_upper[rows])
        cost = np.flatnonzero(new.c != old.c)
        if cost.size:
            h.changeColsCost(len(cost), cost.astype(np.int32), new.c[cost])
        keys, vals = _entries(new.M)
        if not (np.array_equal(keys, self.keys) and np.array_equal(vals, self.vals)):
            union = np.union1d(keys, self.keys)
            v_new, v_old = np.zeros(len(union)), np.zeros(len(union))
            v_new[np.searchsorted(union, keys)] = vals
            v_old[np.searchsorted(union, self.keys)] = self.vals
            ncol = self.shape[1]
            for k in np.flatnonzero(v_new != v_old):
                h.changeCoeff(int(union[k] // ncol), int(union[k] % ncol), float(v_new[k]))
        self.work, self.keys, self.vals = new, keys, vals

    def run(self) -> tuple[str, np.ndarray, np.ndarray, np.ndarray, int]:
        """Run from the live basis: HiGHS's status in words, primal values, row and column
        duals (unscaled), iterations."""
        import highspy

        h = self.h
        h.run()
        status = h.getModelStatus()
        info = h.getInfo()
        iters = int(info.simplex_iteration_count)
        S = highspy.HighsModelStatus
        m, n = self.shape
        if status != S.kOptimal:
            word = "infeasible" if status == S.kInfeasible else "other"
            return word, np.full(n, np.nan), np.full(m, np.nan), np.full(n, np.nan), iters
        sol = h.getSolution()
        x = np.asarray(sol.col_value) * self.s
        row_dual = np.asarray(sol.row_dual) * self.r * self.sigma
        col_dual = np.asarray(sol.col_dual) / self.s * self.sigma
        return "optimal", x, row_dual, col_dual, iters


class PlanFamily:
    """The one-year LPs of one scenario, each solved from where the last ended (see the module
    docstring).

    Attributes
    ----------
    scenario
        The scenario every member belongs to.
    stats
        Members solved by each path: ``structured``, ``newton`` (least-factor LPs on the
        structured path, and ``newton_steps``), ``warm`` (a live HiGHS instance re-run),
        ``highs_starts`` (live instances started: cold), ``cold`` (fresh
        :func:`~autarky.solve.lp.solve_lp` calls, the fallback), ``builds`` (models built).

    Examples
    --------
    The one-product economy of :mod:`autarky.plan.optimize` (``x <= 72`` by labour, 30 t
    imported), then the import limit halved: ``(64.8 + 15) / 100``.

    >>> import pandas as pd
    >>> eco = Economy(pd.DataFrame({"unit": ["t"]}, index=["steel"]), [[0.1]], [100.0],
    ...     factors=pd.DataFrame({"unit": ["worker-years"]}, index=["labour"]),
    ...     factor_coefficients=[[1.0]], factor_availability=[72.0],
    ...     partners=pd.DataFrame(index=["p"]), aid=[50.0],
    ...     import_prices=[[1.0]], import_limits=[[30.0]], currency="USD")
    >>> from autarky.reliance.model import base_case
    >>> fam = PlanFamily(eco)
    >>> data = base_case(eco)
    >>> round(fam.solve(data).fulfilment, 6)
    0.948
    >>> round(fam.solve(replace(data, import_upper=data.import_upper * 0.5)).fulfilment, 6)
    0.798
    >>> fam.stats["highs_starts"], fam.stats["warm"]
    (1, 1)
    """

    def __init__(self, obj: Economy | Scenario) -> None:
        self.scenario: Scenario = as_scenario(obj)
        self.stats: dict[str, int] = dict.fromkeys(
            ("structured", "newton", "newton_steps", "warm", "highs_starts", "cold", "builds"), 0)
        self._live: dict[Any, _Live] = {}
        self._known: dict[bytes, LPResult] = {}  # the last structured answers, by their data
        self._lock = threading.Lock()

    def model(self, data: YearData, minimize_factor: int | None = None) -> OptimizeModel:
        """The model of one member (counted in ``stats["builds"]``)."""
        self.stats["builds"] += 1
        return build_model(self.scenario, data, minimize_factor=minimize_factor)

    def solve(self, data: YearData, *, minimize_factor: int | None = None) -> OptimalPlan:
        """The member for ``data``: the max-min plan, or with ``minimize_factor`` the least
        use of that factor with the fulfilment at least ``data.min_fulfilment``."""
        with self._lock:
            model, work = self._models(data, minimize_factor)
            res = (self._structured(model, work) if minimize_factor is None
                   else self._least_factor(model, minimize_factor))
            if res is None:
                res = self._warm(("least", minimize_factor) if minimize_factor is not None
                                 else ("max",), model.lp)
            return read_optimal(model, res, _no_explanation, _no_explanation)

    # ------------------------------------------------------------------ structured path
    def _applies(self, model: OptimizeModel) -> bool:
        return model.objective == "max-min" and model.economy.n >= STRUCTURED_MIN_N

    def _models(self, data: YearData, minimize_factor: int | None
                ) -> tuple[OptimizeModel, OptimizeModel]:
        """The member as posed, and the model the structured path solves: the same with the
        implied export limits (one build; the posed program differs in those bounds only)."""
        scn = self.scenario
        if (minimize_factor is None and scn.settings.objective == "max-min"
                and scn.economy.n >= STRUCTURED_MIN_N):
            limits = implied_export_limits(data, export_channels(scn.economy).branch)
            if not np.array_equal(limits, data.export_upper):
                work = self.model(replace(data, export_upper=limits))
                upper = work.lp.col_upper.copy()
                upper[work.builder.blocks["export"]] = data.export_upper
                return replace(work, lp=replace(work.lp, col_upper=upper), data=data), work
        work = self.model(data, minimize_factor)
        return work, work

    def _structured(self, model: OptimizeModel, work: OptimizeModel) -> LPResult | None:
        """The max-min answer of ``work`` by decomposition, checked in ``model`` (the member
        as posed); ``None`` if it declines or fails its check."""
        from autarky.plan.structured import solve_structured

        if not self._applies(model):
            return None
        data = model.data
        key = _digest(data)
        if key in self._known:  # the same LP again (Newton's first step is the max-min plan)
            return self._known[key]
        out = solve_structured(work, time_limit=STRUCTURED_AUTO_SECONDS, tol=TOL)
        res = out.result
        if res is None or res.check is None or not res.check.ok:
            return None
        check = check_solution(model.lp, res.x, res.row_dual, res.col_dual, TOL)
        if not check.ok:
            return None
        self.stats["structured"] += 1
        res = replace(res, check=check)
        self._known[key] = res
        while len(self._known) > KNOWN:
            self._known.pop(next(iter(self._known)))
        return res

    def _least_factor(self, model: OptimizeModel, k: int) -> LPResult | None:
        """The least use of factor ``k`` reaching ``data.min_fulfilment``, by Newton's method
        on its availability over max-min plans (module docstring); checked in ``model``."""
        data = model.data
        goal = data.min_fulfilment
        if not self._applies(model) or goal is None or goal <= 0:
            return None
        F = np.asarray(data.F, dtype=float)
        avail = np.asarray(data.availability, dtype=float).copy()
        if not np.isfinite(avail[k]):
            first = self._structured(*self._models(replace(data, min_fulfilment=None), None))
            if first is None:
                return None
            avail[k] = max(float(F[k] @ first.x[model.builder.blocks["output"]]), 1e-300)
        for _ in range(MAX_NEWTON):
            self.stats["newton_steps"] += 1
            mm, work = self._models(replace(data, availability=avail.copy(),
                                            min_fulfilment=None), None)
            res = self._structured(mm, work)
            if res is None:
                return None
            lam = float(res.x[mm.builder.blocks["fulfilment"][0]])
            x = res.x[mm.builder.blocks["output"]]
            row = _factor_row(mm, k)
            w = float(res.row_dual[row]) if row is not None else 0.0
            if abs(lam - goal) <= 1e-10 * max(1.0, goal) and row is not None and w > 0:
                return self._certify_least(model, mm, res, w)
            if w > 0:
                step = avail[k] + (goal - lam) / w
            elif lam > goal:  # the factor is not binding: down to what the plan uses
                step = float(F[k] @ x)
            elif row is not None and lam < goal * (1.0 - 1e-6):
                # no rent below the goal: the duals bound lam for every availability
                return _infeasible(model.lp)
            else:
                return None
            if not np.isfinite(step) or step == avail[k]:
                return None
            avail[k] = max(step, 0.0)
        return None

    def _certify_least(self, model: OptimizeModel, mm: OptimizeModel, res: LPResult,
                       w: float) -> LPResult | None:
        """The max-min answer ``res`` (at the least availability) as the least-factor answer:
        its primal, its row duals over the rent ``w``, checked in ``model``."""
        lp = model.lp
        where = {name: i for i, name in enumerate(mm.lp.row_names)}
        try:
            rows = np.array([where[name] for name in lp.row_names], dtype=np.int64)
        except KeyError:
            return None
        x = res.x
        row_dual = res.row_dual[rows] / w
        col_dual = lp.c - sp.csr_array(lp.M).T @ row_dual
        check = check_solution(lp, x, row_dual, col_dual, TOL)
        if not check.ok:
            return None
        self.stats["newton"] += 1
        return LPResult("optimal", float(lp.c @ x), x, np.asarray(sp.csr_array(lp.M) @ x),
                        row_dual, col_dual, None, "least factor use by Newton's method on its "
                        "availability over structured max-min plans", 0, check=check)

    # ------------------------------------------------------------------ warm simplex path
    def _warm(self, key: Any, lp: LinearProgram) -> LPResult:
        live = self._live.get(key)
        if live is None or live.shape != lp.shape:
            live = self._live[key] = _Live(lp)
            self.stats["highs_starts"] += 1
        else:
            live.move_to(lp)
            self.stats["warm"] += 1
        status, x, row_dual, col_dual, iters = live.run()
        if status == "infeasible":
            return _infeasible(lp, iters)
        if status == "optimal":
            check = check_solution(lp, x, row_dual, col_dual, TOL)
            if check.ok:
                return LPResult("optimal", float(lp.c @ x), x,
                                np.asarray(sp.csr_array(lp.M) @ x), row_dual, col_dual, None,
                                "Optimal (warm start)", iters, check=check)
        self.stats["cold"] += 1
        return solve_lp(lp)


def _digest(data: YearData) -> bytes:
    """A digest of the arrays (and minimum fulfilment) of ``data``."""
    h = hashlib.blake2b(digest_size=16)
    for f in fields(data):
        v = getattr(data, f.name)
        h.update(f.name.encode())
        h.update(b"none" if v is None else np.ascontiguousarray(v, dtype=float).tobytes())
    return h.digest()


def _factor_row(model: OptimizeModel, k: int) -> int | None:
    """The row of factor ``k`` in ``model`` (``None``: the factor has no row)."""
    rows = model.builder.row_blocks.get("factor")
    if rows is None:
        return None
    name = f"factor:{model.economy.coords.factor[k]}"
    for r in rows:
        if model.lp.row_names[r] == name:
            return int(r)
    return None


def _infeasible(lp: LinearProgram, iters: int = 0) -> LPResult:
    m, n = lp.shape
    return LPResult("infeasible", np.nan, np.full(n, np.nan), np.full(m, np.nan),
                    np.full(m, np.nan), np.full(n, np.nan), None, "Infeasible", iters)


def solve_member(obj: Economy | Scenario, data: YearData, *,
                 minimize_factor: int | None = None) -> OptimalPlan:
    """One LP of the family of ``obj`` (a fresh :class:`PlanFamily`): on the structured path
    where it applies, else by HiGHS from a cold start; checked either way."""
    return PlanFamily(obj).solve(data, minimize_factor=minimize_factor)
