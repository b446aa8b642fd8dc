"""The max-min plan with choice, solved on its structure: Leontief solves plus a small master LP.

The one-year LP (:mod:`autarky.plan.optimize`) has ``n`` product balances but only a handful of
coupling rows: the factors and the foreign-exchange balance. Every other constraint belongs to one
product or one trade channel. The method is Dantzig-Wolfe decomposition over the coupling rows:

* **pricing** (the Leontief part): for given rents ``w`` of the factors, price ``mu`` of foreign
  exchange (per partner when bilateral) and the duals of the few product-level rows the master
  holds, the least-cost prices ``p`` solve ``p_j = min(home_j(p), min_c mu pi_c + sigma_c)`` with
  ``home_j(p) = w'F_j + rho_j - r_j + (A'p)_j - sum_c kappa_c A_imp[c, j] (p_i(c) - mu pi_c)^+``
  (home production or the cheapest open import offer; a recorded import channel is used to its
  structural cap wherever it is cheaper than the product). This is Howard's policy iteration: a
  policy (which products are made at home, which recorded channels are used) is priced by one
  transposed Leontief solve of the technology it implies, and improved product by product until
  no product has a cheaper source (each policy's prices are a linear map with non-negative
  coefficients, so the iteration is monotone and ends). The policy's plan for one unit of
  fulfilment (a column with ``lam = 1``) and for the exports it chooses (each export channel at
  its lower or upper limit, by its value against the product's price) are two forward solves.
* **fixed outputs**: a product imported at the margin that exports makes its exports at home
  (its output is fixed at them in the export plan; one more unit exported costs its home cost);
  a product whose capacity binds in the master and that has an open import offer is fixed at
  its capacity, the margin imported (freed again where its prices say the capacity is slack).
* **master**: an LP over the weights of the plans generated so far, with the ``K`` coupling rows,
  the convexity row of the export plans, the minimum fulfilment and the product-level rows
  (capacity, import limit, exports from output, non-negative imports) that some mixture has
  violated (added on demand). Its duals, smoothed (Wentges), price the next round. No plan with
  a positive reduced cost left means the mixture is optimal.

The answer is then written in the variables of the full LP of :func:`build_model` and certified
there (:func:`~autarky.solve.lp.check_solution`): primal violation in the model's own units,
dual feasibility of the prices, and the relative duality gap (complementary slackness against
the bound each dual prices). The method declines (returns ``None`` with the reason) where it
does not apply or does not converge within its budget: other objectives than max-min, export
offers without a limit that pay, an infeasible or unbounded plan, more than ``max_rows``
product-level rows, or no certificate; the caller then solves the LP.

Cost and limits (bench/results/lp_scale.md): each round is one or two transposed Leontief solves
and one forward solve with two right-hand sides, plus a master LP of a few dozen rows. The number
of rounds grows with the number of rows in the master: every capacity that binds on a product
without an import offer acts as one more coupling row (nothing can replace that product's
output), and decomposition converges slowly with many of them (about 40 rounds with the ``K``
rows alone, 100-150 with 30 binding capacities).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from autarky.economy.trade import final_import_shares, imported_coefficients
from autarky.solve.leontief import LeontiefSolver
from autarky.solve.lp import INF, LinearProgram, LPResult, check_solution, solve_lp

#: Relative reduced cost below which a plan is not worth adding (the objective is a fulfilment).
RC_TOL = 1e-10
#: Weight of the last pricing point in the next one (Wentges smoothing of the master's duals).
SMOOTH = 0.5
#: Penalty on the relative violation of a coupling row in the master (phase one), against a
#: fulfilment of order one.
BIG = 1e3


@dataclass
class Outcome:
    """What :func:`solve_structured` found: the LP answer (``None`` when it declined) and why."""

    result: LPResult | None
    reason: str = ""
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Col:
    x: np.ndarray
    m: np.ndarray
    e: np.ndarray
    lam: float
    point: bool
    G: np.ndarray  # coupling-row activities


def _as_op(M: Any) -> Any:
    return sp.csr_array(M) if sp.issparse(M) else np.asarray(M, dtype=float)


class _Problem:
    """The data of one max-min LP in the structured form."""

    def __init__(self, model: Any) -> None:
        eco = model.economy
        data = model.data
        b = model.builder
        lp = model.lp
        self.model, self.lp, self.b = model, lp, b
        self.n = n = eco.n
        self.sparse = sp.issparse(eco.A)
        self.A = _as_op(eco.A)
        self.P = P = len(eco.coords.partner)
        self.d = np.asarray(data.target, dtype=float)
        self.cap = np.asarray(data.capacity, dtype=float)
        imp, exp = model.trade.imp, model.trade.exp
        self.imp, self.exp = imp, exp
        self.mcols, self.ecols = model.trade.m, model.trade.e
        self.xcols = b.blocks["output"]
        self.lamcol = int(b.blocks["fulfilment"][0])
        kappa = np.where(data.import_scale > 1e-12, data.import_scale, 0.0)
        self.capped = imp.capped.copy()
        # per partner: structural channel mask, price, scale; A_imp[p]; g[p]
        self.cmask = np.zeros((P, n), dtype=bool)
        self.cprice = np.zeros((P, n))
        self.ckappa = np.zeros((P, n))
        self.cindex = np.full((P, n), -1)
        k = np.flatnonzero(self.capped)
        self.cmask[imp.partner[k], imp.branch[k]] = True
        self.cprice[imp.partner[k], imp.branch[k]] = np.nan_to_num(imp.price[k]) if model.fx else 0.0
        self.ckappa[imp.partner[k], imp.branch[k]] = kappa[k]
        self.cindex[imp.partner[k], imp.branch[k]] = k
        self.Aimp = [_as_op(imported_coefficients(eco, p)) for p in range(P)]
        self.g = final_import_shares(eco) if P else np.zeros((0, n))
        self.open = np.flatnonzero(~self.capped)
        self.iprice = np.nan_to_num(imp.price) if model.fx else np.zeros(len(imp))
        self.iupper = np.asarray(data.import_upper, dtype=float)
        self.elo = np.asarray(data.export_lower, dtype=float)
        self.ehi = np.asarray(data.export_upper, dtype=float)
        self.eprice = np.nan_to_num(exp.price) if model.fx else np.zeros(len(exp))
        # coupling rows: factors (finite availability), then foreign exchange
        self.frows = b.row_blocks.get("factor", np.zeros(0, dtype=int))
        keep = np.flatnonzero(np.isfinite(data.availability))
        if model.meta.get("minimize_factor") is not None:
            keep = keep[keep != model.meta["minimize_factor"]]
        self.F = np.asarray(data.F, dtype=float)[keep]
        self.favail = np.asarray(data.availability, dtype=float)[keep]
        self.xrows = b.row_blocks.get("foreign-exchange", np.zeros(0, dtype=int))
        self.bilateral = len(self.xrows) > 1
        self.money = np.asarray(lp.row_upper[self.xrows], dtype=float)
        self.K = len(self.favail) + len(self.xrows)
        self.h = np.concatenate([self.favail, self.money])
        self.lam_min = float(lp.col_lower[self.lamcol])
        # the LP's own cost on capped imports (the tie-breaker without foreign exchange)
        self.c_m = np.asarray(lp.c[self.mcols], dtype=float) if len(self.mcols) else np.zeros(0)
        self.cache: tuple[Any, Any, Any] | None = None  # the last policy's technology and solver
        # products whose output is fixed and whose margin is imported: 1 at capacity, 2 at what
        # they export (exports are home output); 0 free
        self.fixed_kind = np.zeros(n, dtype=np.int8)
        self.has_open = np.zeros(n, dtype=bool)
        self.has_open[imp.branch[self.open]] = True
        self.home_cost = np.zeros(n)
        self.last_p: np.ndarray | None = None
        self.last_home: np.ndarray | None = None

    # ------------------------------------------------------------------ pieces
    def mu_of(self, mu: np.ndarray, partner: np.ndarray) -> np.ndarray:
        if not len(mu):
            return np.zeros(len(partner))
        return mu[partner] if self.bilateral else np.full(len(partner), mu[0])

    def coupling(self, x: np.ndarray, m: np.ndarray, e: np.ndarray) -> np.ndarray:
        out = [self.F @ x]
        if len(self.xrows):
            if self.bilateral:
                fx = np.zeros(self.P)
                np.add.at(fx, self.imp.partner, self.iprice * m)
                np.add.at(fx, self.exp.partner, -self.eprice * e)
            else:
                fx = np.array([self.iprice @ m - self.eprice @ e])
            out.append(fx)
        return np.concatenate(out)

    def tilde(self, U: np.ndarray) -> Any:
        """``A - sum_p diag(U_p kappa_p) A_imp[p]``: the technology when the recorded channels
        in ``U`` are used to their cap."""
        At = self.A.copy()
        for p in range(self.P):
            s = U[p] * self.ckappa[p]
            if np.any(s):
                At = At - (sp.diags_array(s) @ self.Aimp[p] if self.sparse
                           else s[:, None] * self.Aimp[p])
        return sp.csr_array(At) if self.sparse else At

    def solver(self, At: Any, home: np.ndarray) -> LeontiefSolver:
        """A solver of ``I - At`` restricted to the products made at home."""
        if self.sparse:
            D = sp.diags_array(home.astype(float))
            return LeontiefSolver(sp.csr_array(D @ At @ D))
        M = At * home[:, None] * home[None, :]
        return LeontiefSolver(np.asfortranarray(M), overwrite_a=True)


def _pricing(pb: _Problem, w: np.ndarray, mu: np.ndarray, rho: np.ndarray, sigma: np.ndarray,
             r: np.ndarray, home0: np.ndarray | None, U0: np.ndarray | None = None,
             max_iter: int = 50) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Any, Any, int]:
    """Least-cost prices by policy iteration: ``p``, the home mask, the chosen open channel per
    product (``-1``: none), the used recorded channels ``U``, the technology, its solver and the
    number of iterations."""
    n = pb.n
    c_home = pb.F.T @ w + rho - r if len(w) else rho - r
    # cheapest open offer per product
    best = np.full(n, INF)
    chan = np.full(n, -1)
    if len(pb.open):
        cost = pb.mu_of(mu, pb.imp.partner[pb.open]) * pb.iprice[pb.open] + sigma[pb.open]
        order = np.lexsort((cost, pb.imp.branch[pb.open]))
        br = pb.imp.branch[pb.open][order]
        first = np.r_[True, br[1:] != br[:-1]]
        best[br[first]] = cost[order][first]
        chan[br[first]] = pb.open[order][first]
    mu_c = np.zeros((pb.P, n))
    for p in range(pb.P):
        mu_c[p] = (mu[p] if pb.bilateral else (mu[0] if len(mu) else 0.0)) * pb.cprice[p]
    home = np.ones(n, dtype=bool) if home0 is None else home0 & np.isfinite(best) | ~np.isfinite(best)
    fixed = pb.fixed_kind > 0
    home &= ~fixed
    p_val = np.zeros(n)
    U = np.zeros((pb.P, n), dtype=bool) if U0 is None else U0.copy()
    At = solver = None
    for it in range(1, max_iter + 1):
        key = (home.tobytes(), U.tobytes())
        if pb.cache is not None and pb.cache[0] == key:
            At, solver = pb.cache[1], pb.cache[2]
        else:
            At = pb.tilde(U)
            solver = pb.solver(At, home)
            pb.cache = (key, At, solver)
        # constant of each home product: own costs plus the recorded imports it brings, at their
        # price; plus the open-import price of the inputs bought abroad
        s = c_home.copy()
        for p in range(pb.P):
            v = U[p] * pb.ckappa[p] * mu_c[p]
            if np.any(v):
                s += pb.Aimp[p].T @ v
        ext = np.where(home, 0.0, best)
        rhs = np.where(home, s + At.T @ ext, 0.0)
        p_val = np.where(home, solver.solve_transposed(rhs), best)
        # improve
        hv = c_home + pb.A.T @ p_val
        newU = pb.cmask & (p_val[None, :] - mu_c > 1e-12 * np.maximum(1.0, np.abs(p_val))[None, :])
        for p in range(pb.P):
            v = pb.cmask[p] * pb.ckappa[p] * np.maximum(p_val - mu_c[p], 0.0)
            if np.any(v):
                hv = hv - pb.Aimp[p].T @ v
        tol = 1e-12 * np.maximum(1.0, np.abs(p_val))
        new_home = np.where(home, hv <= best + tol, hv < best - tol) & ~fixed
        pb.home_cost, pb.last_p, pb.last_home = hv, p_val, home
        if np.array_equal(new_home, home) and np.array_equal(newU, U):
            return p_val, home, np.where(home, -1, chan), U, At, solver, it
        home, U = new_home, newU
    raise _Declined(f"the policy iteration did not settle in {max_iter} rounds")


class _Declined(Exception):
    pass


def _plans(pb: _Problem, p_val: np.ndarray, home: np.ndarray, chan: np.ndarray, U: np.ndarray,
           At: Any, solver: LeontiefSolver, mu: np.ndarray, r: np.ndarray) -> list[_Col]:
    """The policy's plan for one unit of fulfilment and for the exports it chooses."""
    n = pb.n
    # exports: at the upper limit where they pay more than the product is worth
    # (a product whose output is fixed at its exports pays for one more unit exported with
    # its home cost)
    unit = np.where(home | (pb.fixed_kind == 1), p_val + r, pb.home_cost)
    value = pb.mu_of(mu, pb.exp.partner) * pb.eprice - unit[pb.exp.branch]
    up = value > 1e-12 * np.maximum(1.0, np.abs(p_val[pb.exp.branch]))
    if np.any(up & ~np.isfinite(pb.ehi)):
        raise _Declined("an export offer without a limit pays more than its product costs")
    e_pt = np.where(up, pb.ehi, pb.elo) if len(pb.exp) else np.zeros(0)
    dem_pt = np.zeros(n)
    np.add.at(dem_pt, pb.exp.branch, e_pt)
    used_g = np.zeros(n)
    for p in range(pb.P):
        used_g += U[p] * pb.ckappa[p] * pb.g[p]
    dem_ray = pb.d * (1.0 - used_g)
    # fixed outputs (in the point plan only): at capacity, or what the product exports
    f = np.where(pb.fixed_kind == 1, pb.cap, np.where(home, 0.0, dem_pt))
    f = np.where(np.isfinite(f), f, 0.0)
    inputs_f = np.asarray(At @ f).ravel()
    rhs = np.column_stack([np.where(home, dem_ray, 0.0), np.where(home, dem_pt + inputs_f, 0.0)])
    X = np.asarray(solver.solve(rhs))
    cols = []
    for j, (dem, lam) in enumerate(((dem_ray, 1.0), (dem_pt, 0.0))):
        x = np.where(home, X[:, j], 0.0) + (0.0 if lam else f)
        need = dem + np.asarray(At @ x).ravel() - np.where(home, 0.0, x)
        m = np.zeros(len(pb.imp))
        if np.any(~home):
            sel = np.flatnonzero(~home)
            np.add.at(m, chan[sel], need[sel])
        for p in range(pb.P):
            if not np.any(U[p]):
                continue
            alloc = pb.ckappa[p] * np.asarray(pb.Aimp[p] @ x).ravel()
            if lam:
                alloc = alloc + pb.ckappa[p] * pb.g[p] * pb.d * lam
            idx = np.flatnonzero(U[p])
            m[pb.cindex[p, idx]] += alloc[idx]
        e = np.zeros(len(pb.exp)) if lam else e_pt
        cols.append(_Col(x, m, e, lam, lam == 0.0, pb.coupling(x, m, e)))
    return cols


@dataclass
class _Master:
    cap_rows: list[int] = field(default_factory=list)
    lim_rows: list[int] = field(default_factory=list)
    eo_rows: list[int] = field(default_factory=list)
    neg_rows: list[int] = field(default_factory=list)


def _solve_master(pb: _Problem, cols: list[_Col], ms: _Master) -> tuple[LPResult, dict[str, Any]]:
    J, K = len(cols), pb.K
    G = np.column_stack([c.G for c in cols]) if K else np.zeros((0, J))
    lam = np.array([c.lam for c in cols])
    pts = np.array([c.point for c in cols], dtype=float)
    blocks = [np.hstack([G, -np.eye(K)])] if K else []
    lo: list[np.ndarray] = [np.full(K, -INF)] if K else []
    hi: list[np.ndarray] = [pb.h] if K else []
    blocks.append(np.r_[pts, np.zeros(K)][None, :])
    lo.append(np.array([1.0]))
    hi.append(np.array([1.0]))
    blocks.append(np.r_[lam, np.zeros(K)][None, :])
    lo.append(np.array([pb.lam_min]))
    hi.append(np.array([INF]))
    parts = {"cap": ms.cap_rows, "lim": ms.lim_rows, "eo": ms.eo_rows, "neg": ms.neg_rows}
    if ms.cap_rows:
        Xc = np.column_stack([c.x[ms.cap_rows] for c in cols])
        blocks.append(np.hstack([Xc, np.zeros((len(ms.cap_rows), K))]))
        lo.append(np.full(len(ms.cap_rows), -INF))
        hi.append(pb.cap[ms.cap_rows])
    if ms.lim_rows:
        Mc = np.column_stack([c.m[ms.lim_rows] for c in cols])
        blocks.append(np.hstack([Mc, np.zeros((len(ms.lim_rows), K))]))
        lo.append(np.full(len(ms.lim_rows), -INF))
        hi.append(pb.iupper[ms.lim_rows])
    if ms.eo_rows:
        Ec = np.column_stack([_exported(pb, c)[ms.eo_rows] - c.x[ms.eo_rows] for c in cols])
        blocks.append(np.hstack([Ec, np.zeros((len(ms.eo_rows), K))]))
        lo.append(np.full(len(ms.eo_rows), -INF))
        hi.append(np.zeros(len(ms.eo_rows)))
    if ms.neg_rows:
        Nc = np.column_stack([-c.m[ms.neg_rows] for c in cols])
        blocks.append(np.hstack([Nc, np.zeros((len(ms.neg_rows), K))]))
        lo.append(np.full(len(ms.neg_rows), -INF))
        hi.append(np.zeros(len(ms.neg_rows)))
    M = sp.csr_array(np.vstack(blocks))
    scale = np.maximum(np.abs(pb.h), 1e-9 * max(1.0, float(np.max(np.abs(pb.h), initial=0.0))))
    c = np.r_[lam, -BIG / scale]
    mlp = LinearProgram(c, M, np.concatenate(lo), np.concatenate(hi), np.zeros(J + K),
                        np.full(J + K, INF))
    res = solve_lp(mlp, tol=1e-9, tight=True, scale=False)
    if res.status == "error" and res.check is not None and res.check.primal <= 1e-9:
        # the tight re-solve's duals steer the next round; only the final answer is certified
        res = replace(res, status="optimal", objective=float(mlp.c @ res.x))
    offs, at = {}, K + 2
    for key, rows in parts.items():
        offs[key] = (at, at + len(rows))
        at += len(rows)
    return res, offs


def _exported(pb: _Problem, c: _Col) -> np.ndarray:
    out = np.zeros(pb.n)
    if len(pb.exp):
        np.add.at(out, pb.exp.branch, c.e)
    return out


def implied_export_limits(data: Any, exported: np.ndarray,
                          skip: int | None = None) -> np.ndarray:
    """Export limits that no feasible plan can exceed: ``min(limit, capacity_j,
    availability_k / F_kj)`` for the exported product ``j`` of each channel (``skip``: a factor
    whose row is left out); the given limits where ``F`` has a negative entry."""
    F = np.asarray(data.F, dtype=float)
    avail = np.asarray(data.availability, dtype=float)
    bound = np.asarray(data.capacity, dtype=float).copy()
    if F.size and np.all(F >= 0):
        keep = np.flatnonzero(np.isfinite(avail))
        if skip is not None:
            keep = keep[keep != skip]
        if keep.size:
            with np.errstate(divide="ignore", invalid="ignore"):
                per = np.where(F[keep] > 0, avail[keep, None] / F[keep], np.inf)
            bound = np.minimum(bound, per.min(axis=0))
    return np.minimum(np.asarray(data.export_upper, dtype=float), bound[exported])


def with_implied_export_limits(model: Any) -> Any:
    """``model`` with each export offer that has no limit given the one labour and capacity
    imply (:func:`implied_export_limits`): the same feasible set, but no unbounded export for
    the pricing to decline; ``model`` itself where nothing changes. An answer of the returned
    model is an answer of ``model`` once checked in ``model``'s own program."""
    from autarky.economy.trade import export_channels

    data = model.data
    block = model.builder.blocks.get("export")
    if block is None or not len(block):
        return model
    limits = implied_export_limits(data, export_channels(model.economy).branch)
    if np.array_equal(limits, np.asarray(data.export_upper, dtype=float)):
        return model
    upper = model.lp.col_upper.copy()
    upper[block] = limits
    return replace(model, data=replace(data, export_upper=limits),
                   lp=replace(model.lp, col_upper=upper))


def solve_structured(model: Any, *, max_rounds: int = 200, max_rows: int = 2000,
                     time_limit: float | None = None, tol: float = 1e-9) -> Outcome:
    """The max-min plan of ``model`` (:func:`~autarky.plan.optimize.build_model`) by
    decomposition (see the module docstring), as an :class:`~autarky.solve.lp.LPResult` of the
    full LP with its check; or ``None`` and the reason it declined."""
    if model.objective != "max-min" or model.meta.get("minimize_factor") is not None:
        return Outcome(None, "the structured method solves the max-min objective only")
    if "capacity" in model.builder.row_blocks:
        return Outcome(None, "capacities as rows (an explanation) go to the LP")
    t0 = time.perf_counter()
    pb = _Problem(model)
    stats: dict[str, Any] = {"rounds": 0, "policy_iterations": 0, "columns": 0, "master_rows": 0}
    try:
        return _run(pb, stats, t0, max_rounds, max_rows, time_limit, tol)
    except _Declined as exc:
        return Outcome(None, str(exc), stats)


def _run(pb: _Problem, stats: dict[str, Any], t0: float, max_rounds: int, max_rows: int,
         time_limit: float | None, tol: float) -> Outcome:
    n, K = pb.n, pb.K
    w, mu = np.zeros(len(pb.favail)), np.zeros(len(pb.xrows))
    rho_m, r_m = np.zeros(n), np.zeros(n)  # the master's duals of its product rows
    sigma = np.zeros(len(pb.imp))
    nu = np.zeros(len(pb.imp))  # duals of the rows that keep mixed imports non-negative
    home = U = None
    cols: list[_Col] = []
    ms = _Master()
    alpha, objective = 0.0, 0.0
    free = False  # after a failed certificate: plain decomposition, no fixed outputs
    m: np.ndarray | None = None
    res: LPResult | None = None
    sep: tuple[np.ndarray, ...] | None = None
    for rnd in range(max_rounds):
        if m is not None and not free:
            _update_fixed(pb, rho_m, r_m, m, nu)
        master = (w, mu, rho_m, sigma, r_m)
        # Wentges smoothing: price at a point between the last pricing duals and the master's
        # (fewer rounds); where that finds nothing for the master, price at the master's
        smooth = sep is not None and rnd > 0
        for attempt in (0, 1):
            if smooth and attempt == 0 and sep is not None:
                duals = tuple(SMOOTH * a + (1 - SMOOTH) * b for a, b in zip(sep, master,
                                                                            strict=True))
            else:
                duals = master
            ws, mus, rhos, sigmas, rs = duals
            rho = np.where(pb.fixed_kind > 0, 0.0, rhos)
            r = np.where(pb.fixed_kind > 0, 0.0, rs)
            p_val, home, chan, U, At, solver, it = _pricing(pb, ws, mus, rho, sigmas, r, home, U)
            stats["policy_iterations"] += it
            new = _plans(pb, p_val, home, chan, U, At, solver, mus, r)
            u = np.r_[w, mu]
            gains = [c.lam - u @ c.G - rho_m @ c.x - (sigma - nu) @ c.m
                     - r_m @ (_exported(pb, c) - c.x) - (alpha if c.point else 0.0)
                     for c in new]
            sep = duals
            if not smooth or max(gains) > RC_TOL * max(1.0, abs(objective)):
                break
            stats["mispricings"] = stats.get("mispricings", 0) + 1
            smooth = False
        if cols and max(gains) <= RC_TOL * max(1.0, abs(objective)):
            assert res is not None and U is not None
            result = _certified(pb, cols, res, p_val, U, w, mu, r_m, tol)
            if result.check is not None and result.check.ok:
                stats["columns"] = len(cols)
                stats["fixed_outputs"] = int(np.count_nonzero(pb.fixed_kind))
                return Outcome(result, "", stats)
            if not free and _free_inconsistent(pb):
                continue
            if free or not np.any(pb.fixed_kind):
                raise _Declined(f"the decomposition ended without a certificate: "
                                f"{result.check}")
            free = True
            stats["freed"] = rnd
            stats["freed_check"] = result.check
            stats["freed_kinds"] = np.bincount(pb.fixed_kind, minlength=3).tolist()
            pb.fixed_kind[:] = 0
            continue
        cols += [c for c, g in zip(new, gains, strict=True) if not cols or g > 0]
        stats["rounds"] = rnd + 1
        while True:
            res, offs = _solve_master(pb, cols, ms)
            if res.status == "unbounded":
                raise _Declined("the plan is unbounded (the LP names the variables)")
            if res.status != "optimal":
                raise _Declined(f"the master LP is {res.status}: {res.message}")
            x, m, e = _mix(pb, cols, res.x[:len(cols)])
            added = _add_violated(pb, ms, x, m, e)
            stats["master_rows"] = (len(ms.cap_rows) + len(ms.lim_rows) + len(ms.eo_rows)
                                    + len(ms.neg_rows))
            if stats["master_rows"] > max_rows:
                raise _Declined(f"more than {max_rows} capacity, limit or export rows bind")
            if not added:
                break
        objective = float(res.objective)
        y = res.row_dual
        w, mu = y[:len(pb.favail)], y[len(pb.favail):K]
        alpha = float(y[K])
        rho_m, sigma, r_m = np.zeros(n), np.zeros(len(pb.imp)), np.zeros(n)
        lo, hi = offs["cap"]
        rho_m[ms.cap_rows] = y[lo:hi]
        lo, hi = offs["lim"]
        sigma[ms.lim_rows] = y[lo:hi]
        lo, hi = offs["eo"]
        r_m[ms.eo_rows] = y[lo:hi]
        nu = np.zeros(len(pb.imp))
        lo, hi = offs["neg"]
        nu[ms.neg_rows] = y[lo:hi]
        if time_limit is not None and time.perf_counter() - t0 > time_limit:
            raise _Declined(f"no optimum proven within {time_limit:g} s")
    raise _Declined(f"no optimum proven in {max_rounds} rounds")


def _certified(pb: _Problem, cols: list[_Col], res: LPResult, p_val: np.ndarray,
               U: np.ndarray, w: np.ndarray, mu: np.ndarray, r_m: np.ndarray,
               tol: float) -> LPResult:
    """The master's mixture in the full LP's variables, with the pricing's duals, checked."""
    J = len(cols)
    art = res.x[J:]
    if np.any(art > 1e-9 * np.maximum(1.0, np.abs(pb.h))):
        raise _Declined("the plan is infeasible (the LP explains why)")
    theta = res.x[:J]
    x, m, e = _mix(pb, cols, theta)
    lam = float(sum(t * c.lam for t, c in zip(theta, cols, strict=True)))
    # exports-from-output duals: the master's, and for outputs fixed at their exports the gap
    # between the home cost and the price (producing one more unit for export frees a unit)
    r = r_m.copy()
    # (the products imported at the margin make their exports at home)
    last_home = pb.last_home if pb.last_home is not None else np.ones(pb.n, dtype=bool)
    ex = (pb.fixed_kind == 2) | (~last_home & (pb.fixed_kind != 1))
    r[ex] = np.maximum(pb.home_cost[ex] - p_val[ex], 0.0)
    return _assemble(pb, x, m, e, lam, p_val, U, w, mu, r, tol)


def _mix(pb: _Problem, cols: list[_Col], theta: np.ndarray
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = sum((t * c.x for t, c in zip(theta, cols, strict=True)), np.zeros(pb.n))
    m = sum((t * c.m for t, c in zip(theta, cols, strict=True)), np.zeros(len(pb.imp)))
    e = sum((t * c.e for t, c in zip(theta, cols, strict=True)), np.zeros(len(pb.exp)))
    return x, m, e


def _add_violated(pb: _Problem, ms: _Master, x: np.ndarray, m: np.ndarray, e: np.ndarray) -> bool:
    added = False
    over = np.flatnonzero(x > pb.cap * (1 + 1e-12) + 1e-300)
    new = sorted(set(over.tolist()) - set(ms.cap_rows))
    if new:
        ms.cap_rows += new
        added = True
    over = np.flatnonzero(m > pb.iupper * (1 + 1e-12) + 1e-300)
    new = sorted(set(over.tolist()) - set(ms.lim_rows))
    if new:
        ms.lim_rows += new
        added = True
    if len(pb.exp):
        ex = np.zeros(pb.n)
        np.add.at(ex, pb.exp.branch, e)
        over = np.flatnonzero(ex > x * (1 + 1e-12) + 1e-12 * np.maximum(1.0, ex))
        new = sorted(set(over.tolist()) - set(ms.eo_rows))
        if new:
            ms.eo_rows += new
            added = True
    over = np.flatnonzero(m < -1e-12 * np.maximum(1.0, np.abs(m).max(initial=0.0)))
    new = sorted(set(over.tolist()) - set(ms.neg_rows))
    if new:
        ms.neg_rows += new
        added = True
    return added


def _update_fixed(pb: _Problem, rho: np.ndarray, r: np.ndarray, m: np.ndarray,
                  nu: np.ndarray) -> None:
    """Fix the output of products whose capacity (or exports-from-output row) binds and that
    can import at the margin; free those whose fixed output is more than they need or costs
    more than the import."""
    tol = 1e-12
    cap_bind = (rho > tol) & pb.has_open
    eo_bind = (r > tol) & pb.has_open
    pb.fixed_kind[cap_bind & (pb.fixed_kind == 0)] = 1
    pb.fixed_kind[eo_bind & (pb.fixed_kind == 0)] = 2
    if len(pb.imp):
        neg = np.zeros(pb.n, dtype=bool)
        neg[pb.imp.branch[m < -1e-12 * max(1.0, float(np.abs(m).max(initial=0.0)))]] = True
        neg[pb.imp.branch[nu > tol]] = True
        pb.fixed_kind[neg] = 0
    _free_inconsistent(pb)


def _free_inconsistent(pb: _Problem) -> bool:
    """Free the fixed outputs that the last prices contradict: at capacity although home
    production costs more than the import, or at the exports although it costs less (the
    product is then made at home at the margin)."""
    if pb.last_p is None:
        return False
    h, p = pb.home_cost, pb.last_p
    tol = 1e-12 * np.maximum(1.0, np.abs(p))
    bad = ((pb.fixed_kind == 1) & (h > p + tol)) | ((pb.fixed_kind == 2) & (h < p - tol))
    pb.fixed_kind[bad] = 0
    return bool(np.any(bad))


def _assemble(pb: _Problem, x: np.ndarray, m: np.ndarray, e: np.ndarray, lam: float,
              p_val: np.ndarray, U: np.ndarray, w: np.ndarray, mu: np.ndarray, r: np.ndarray,
              tol: float) -> LPResult:
    """The answer in the full LP's variables, its duals, and the certificate."""
    lp, b = pb.lp, pb.b
    v = np.zeros(lp.shape[1])
    v[pb.xcols] = x
    v[pb.mcols] = m
    v[pb.ecols] = e
    v[pb.lamcol] = lam
    y = np.zeros(lp.shape[0])
    y[b.row_blocks["balance"]] = -p_val
    if "import-cap" in b.row_blocks:
        k = np.flatnonzero(pb.capped)
        pi, bi = pb.imp.partner[k], pb.imp.branch[k]
        mu_k = pb.mu_of(mu, pi) * pb.iprice[k]
        q = np.where(U[pi, bi], np.maximum(p_val[bi] - mu_k + pb.c_m[k], 0.0), 0.0)
        y[b.row_blocks["import-cap"]] = q
    if "exports-from-output" in b.row_blocks:
        prods = np.unique(pb.exp.branch)
        y[b.row_blocks["exports-from-output"]] = r[prods]
    if len(pb.frows):
        y[pb.frows] = w
    if len(pb.xrows):
        y[pb.xrows] = mu
    M = sp.csr_array(lp.M)
    col_dual = lp.c - M.T @ y
    # reduced costs below the precision of the Leontief solves (GMRES to a relative residual
    # of 1e-12) are a basic variable's zero
    terms = np.abs(lp.c) + abs(M).T @ np.abs(y)
    col_dual = np.where(np.abs(col_dual) <= 1e-10 * terms, 0.0, col_dual)
    chk = check_solution(lp, v, y, col_dual, tol=tol)
    return LPResult("optimal", float(lp.c @ v), v, np.asarray(lp.M @ v), y, col_dual, None,
                    "structured: Leontief pricing and a master LP over the coupling rows",
                    check=chk)
