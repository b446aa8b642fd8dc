"""The plan constraints, as small ``define_*`` blocks shared by every LP.

The one-year optimal plan (:mod:`autarky.plan.optimize`), the self-reliance LP behind the cost of
autarky, stress tests and neutrality (:mod:`autarky.reliance.model`) and every year of the
multi-year plan (:mod:`autarky.plan.multiyear`) are assembled from these blocks, so a constraint
is written once and the three LPs describe the same economy.

Trade comes from the one trade model (:mod:`autarky.economy.trade`). With ``v`` the LP's
variables, home use of each product is a sum of :class:`Use` terms ``M v`` (intermediate use
``A x``, investment goods ``B dK``, final use ``d lam``), each with the part of it that the
recorded structure imports from each partner. The blocks:

* output ``x`` within capacity (``define_output``);
* trade: one import variable per import channel, one export variable per export channel,
  within their limits, recorded exports delivered (``define_trade``); exports are home output,
  so a product's exports to every partner are at most its output (no re-exports of imports,
  which at an export price above the import price would make money without limit);
* balance: ``x + sum m - sum e - sum_uses M v >= exogenous use`` (``define_balance``);
* import caps: imports of a channel with a recorded structure (and no partner's limit, which
  caps it instead) at most what the structure imports,
  ``m[p, i] <= kappa (sum_uses M_imp[p] v)_i`` (``define_import_caps``);
* factors ``F x <= availability`` (``define_factors``);
* capacity as rows, where an infeasible plan is to be explained (``define_capacity``);
* foreign exchange: imports at import prices within exports at export prices plus aid and
  credit, pooled or partner by partner (``define_foreign_exchange``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from autarky.economy.model import Economy
from autarky.economy.trade import (
    Channels,
    final_import_shares,
    imported_coefficients,
)
from autarky.solve.builder import LPBuilder
from autarky.solve.lp import INF
from autarky.solve.trade import scale_rows


@dataclass(frozen=True)
class Use:
    """One term of home use: ``M @ v[cols]`` by product (``n x len(cols)``), and the part of it
    imported from each partner at the recorded structure (``imported[p]``, same shape)."""

    cols: np.ndarray
    M: Any
    imported: tuple[Any, ...]


@dataclass(frozen=True)
class Trade:
    """The trade variables of one period: channels and their columns."""

    imp: Channels
    exp: Channels
    m: np.ndarray
    e: np.ndarray


def intermediate_use(eco: Economy, x: np.ndarray) -> Use:
    """``A x``, of which ``A_imp[p] x`` is imported from ``p``."""
    P = len(eco.coords.partner)
    return Use(x, eco.A, tuple(imported_coefficients(eco, p) for p in range(P)))


def investment_use(eco: Economy, dK: np.ndarray, B: Any, shares: np.ndarray | None = None
                   ) -> Use:
    """``B dK`` (investment goods), of which ``diag(g[p]) B dK`` is imported from ``p``: ``g`` the
    import shares of the investment category where final imports record it, else ``S``."""
    g = eco.array("import_shares") if shares is None else shares
    return Use(dK, B, tuple(scale_rows(B, g[p]) for p in range(g.shape[0])))


def final_use(eco: Economy, cols: np.ndarray, M: Any, shares: np.ndarray | None = None) -> Use:
    """Final use ``M v`` (a target times its fulfilment, a basket times its level), of which
    ``diag(g[p]) M v`` is imported from ``p`` (recorded final imports, then import shares;
    ``shares`` gives ``g`` for one category's use)."""
    g = final_import_shares(eco) if shares is None else shares
    return Use(cols, M, tuple(scale_rows(M, g[p]) for p in range(g.shape[0])))


def define_output(b: LPBuilder, eco: Economy, *, capacity: np.ndarray | None = None,
                  name: str = "output", labels: list[str] | None = None,
                  capacity_rows: bool = False, cost: Any = 0.0) -> np.ndarray:
    """Gross output ``x`` of every branch, bounded by capacity (as bounds, or as rows that an
    explanation may relax)."""
    cap = eco.capacity.to_numpy() if capacity is None else np.asarray(capacity, dtype=float)
    x = b.add_vars(name, eco.n, upper=INF if capacity_rows else cap, labels=labels or eco.ids,
                   cost=cost, coords={"dims": ("branch",), "branch": eco.ids})
    if capacity_rows:
        define_capacity(b, x, cap, labels or eco.ids, name="capacity")
    return x


def define_capacity(b: LPBuilder, x: np.ndarray, cap: np.ndarray, labels: list[str],
                    name: str = "capacity") -> None:
    """``x <= capacity`` as rows, for the branches with a finite capacity."""
    finite = np.flatnonzero(np.isfinite(cap))
    if finite.size:
        lab = np.asarray(labels, dtype=object)[finite].tolist()
        b.add_rows(name, [(x[finite], sp.eye_array(len(finite)))], upper=cap[finite],
                   labels=lab, coords={"dims": ("branch",), "branch": lab})


def define_trade(b: LPBuilder, eco: Economy, imp: Channels, exp: Channels, *, suffix: str = "",
                 import_upper: np.ndarray | None = None, export_lower: np.ndarray | None = None,
                 export_upper: np.ndarray | None = None) -> Trade:
    """Imports and exports, one variable per channel: imports within their limit, exports from
    what is recorded (delivered) up to the export limit."""
    up = imp.upper if import_upper is None else import_upper
    ip, ib, ilab = channel_labels(eco, imp)
    m = b.add_vars(f"import{suffix}", len(imp), upper=up, labels=ilab,
                   coords={"dims": ("channel",), "partner": ip, "branch": ib})
    lo = exp.lower if export_lower is None else export_lower
    hi = exp.upper if export_upper is None else export_upper
    ep, eb, elab = channel_labels(eco, exp)
    e = b.add_vars(f"export{suffix}", len(exp), lower=lo, upper=hi, labels=elab,
                   coords={"dims": ("channel",), "partner": ep, "branch": eb})
    return Trade(imp, exp, m, e)


def channel_labels(eco: Economy, ch: Channels, sel: np.ndarray | None = None
                   ) -> tuple[list[str], list[str], list[str]]:
    """Partner, branch and ``partner:branch`` labels of the channels (``sel``: a subset), in
    ``O(channels)``."""
    part = np.asarray([str(p) for p in eco.coords.partner], dtype=object)
    ids = np.asarray(eco.ids, dtype=object)
    pi = ch.partner if sel is None else ch.partner[sel]
    bi = ch.branch if sel is None else ch.branch[sel]
    p_lab, b_lab = part[pi].tolist(), ids[bi].tolist()
    return p_lab, b_lab, [f"{p}:{i}" for p, i in zip(p_lab, b_lab, strict=True)]


def define_exports_from_output(b: LPBuilder, eco: Economy, x: np.ndarray, trade: Trade, *,
                               name: str = "exports-from-output") -> np.ndarray | None:
    """``sum_p e[p, i] <= x_i`` for every exported product: exports are home output."""
    exp = trade.exp
    if not len(exp):
        return None
    prods, rows = np.unique(exp.branch, return_inverse=True)
    E = sp.csr_array((np.ones(len(exp)), (rows, np.arange(len(exp)))), shape=(len(prods), len(exp)))
    X = sp.csr_array((-np.ones(len(prods)), (np.arange(len(prods)), prods)),
                     shape=(len(prods), eco.n))
    labels = np.asarray(eco.ids, dtype=object)[prods].tolist()
    return b.add_rows(name, [(trade.e, E), (x, X)], upper=0.0, labels=labels,
                      coords={"dims": ("branch",), "branch": labels})


def define_balance(b: LPBuilder, eco: Economy, x: np.ndarray, trade: Trade, uses: list[Use],
                   *, lower: np.ndarray | float = 0.0, name: str = "balance",
                   labels: list[str] | None = None) -> np.ndarray:
    """Resources cover uses for every product: ``x + sum m - sum e - sum M v >= lower``."""
    n = eco.n
    terms: list[tuple[np.ndarray, Any]] = [(x, sp.eye_array(n, format="csr"))]
    for u in uses:
        terms.append((u.cols, _neg(u.M)))
    if len(trade.m):
        terms.append((trade.m, trade.imp.incidence(n)))
    if len(trade.e):
        terms.append((trade.e, -trade.exp.incidence(n)))
    return b.add_rows(name, terms, lower=lower, labels=labels or eco.ids,
                      coords={"dims": ("branch",), "branch": eco.ids})


def define_import_caps(b: LPBuilder, eco: Economy, trade: Trade, uses: list[Use], *,
                       scale: np.ndarray | None = None,
                       constant_imported: np.ndarray | None = None,
                       name: str = "import-cap") -> np.ndarray | None:
    """Imports of each channel with a recorded structure at most what the structure imports:
    ``m[p, i] <= scale (sum_uses M_imp[p] v + constant_imported[p])_i``.

    ``scale`` (one per import channel; default one) caps the structure, as the cost of autarky
    does; zero cuts the channel. ``constant_imported`` (``P x n``) is the imported part of
    exogenous use.
    """
    imp = trade.imp
    k = np.flatnonzero(imp.capped)
    if not k.size:
        return None
    kappa = np.ones(len(imp)) if scale is None else np.asarray(scale, dtype=float)
    kappa = np.where(kappa > 1e-12, kappa, 0.0)  # a cap this small is a cut
    terms: list[tuple[np.ndarray, Any]] = [
        (trade.m[k], sp.eye_array(len(k), format="csr"))]
    for u in uses:
        rows = _stacked_rows(u.imported, imp.partner[k], imp.branch[k])
        terms.append((u.cols, _neg(scale_rows(rows, kappa[k]))))
    rhs = np.zeros(len(k))
    if constant_imported is not None:
        rhs = kappa[k] * constant_imported[imp.partner[k], imp.branch[k]]
    kp, kb, klab = channel_labels(eco, imp, k)
    return b.add_rows(name, terms, upper=rhs, labels=klab,
                      coords={"dims": ("channel",), "partner": kp, "branch": kb})


def define_factors(b: LPBuilder, eco: Economy, x: np.ndarray, *, F: np.ndarray | None = None,
                   availability: np.ndarray | None = None, name: str = "factor",
                   skip: int | None = None,
                   extra: list[tuple[np.ndarray, np.ndarray]] | None = None
                   ) -> np.ndarray | None:
    """``F x + sum M v <= availability`` for every factor with a finite availability
    (``skip``: a factor left out, when it is the objective; ``extra``: terms ``(v, M)`` with
    one row of ``M`` per factor, as effort and training add)."""
    fac = eco.coords.factor
    avail = (np.asarray(eco.array("factor_availability")) if availability is None
             else np.asarray(availability, dtype=float))
    keep = np.flatnonzero(np.isfinite(avail))
    if skip is not None:
        keep = keep[keep != skip]
    if not keep.size:
        return None
    Fm = np.asarray(eco.array("factor_coefficients") if F is None else F)[keep]
    terms: list[tuple[np.ndarray, Any]] = [(x, Fm)]
    terms += [(v, np.asarray(M)[keep]) for v, M in (extra or [])]
    return b.add_rows(name, terms, upper=avail[keep], labels=[str(fac[k]) for k in keep],
                      coords={"dims": ("factor",), "factor": [str(fac[k]) for k in keep]})


def define_foreign_exchange(b: LPBuilder, eco: Economy, trade: Trade, money: np.ndarray, *,
                            mode: str = "pooled", name: str = "foreign-exchange"
                            ) -> np.ndarray | None:
    """Imports at import prices within exports at export prices plus aid and credit.

    ``money`` is aid plus credit per partner. ``pooled``: one balance (convertible currency);
    ``bilateral``: one balance per partner (clearing trade).
    """
    imp, exp = trade.imp, trade.exp
    if not len(imp) and not len(exp):
        return None
    P = len(eco.coords.partner)
    money = np.asarray(money, dtype=float)
    if mode == "pooled":
        terms: list[tuple[np.ndarray, Any]] = []
        if len(imp):
            terms.append((trade.m, imp.price.reshape(1, -1)))
        if len(exp):
            terms.append((trade.e, -exp.price.reshape(1, -1)))
        return b.add_rows(name, terms, upper=float(money.sum()), labels=[""],
                          coords={"dims": ()})
    rows_m = sp.csr_array((imp.price, (imp.partner, np.arange(len(imp)))), shape=(P, len(imp)))
    rows_e = sp.csr_array((-exp.price, (exp.partner, np.arange(len(exp)))), shape=(P, len(exp)))
    terms = []
    if len(imp):
        terms.append((trade.m, rows_m))
    if len(exp):
        terms.append((trade.e, rows_e))
    partners = [str(p) for p in eco.coords.partner]
    return b.add_rows(name, terms, upper=money, labels=partners,
                      coords={"dims": ("partner",), "partner": partners})


# ---------------------------------------------------------------------------- helpers
def _neg(M: Any) -> Any:
    return -sp.csr_array(M) if sp.issparse(M) else -np.asarray(M)


def _stacked_rows(blocks: tuple[Any, ...], partner: np.ndarray, branch: np.ndarray) -> Any:
    """Row ``branch[k]`` of ``blocks[partner[k]]`` for every ``k``, stacked (``k x cols``)."""
    if not len(partner):
        return np.zeros((0, 0))
    sparse = any(sp.issparse(bl) for bl in blocks)
    order = np.argsort(partner, kind="stable")
    parts, where = [], []
    for p in np.unique(partner):
        sel = order[partner[order] == p]
        block = blocks[int(p)]
        rows = sp.csr_array(block)[branch[sel]] if sparse else np.asarray(block)[branch[sel]]
        parts.append(rows)
        where.append(sel)
    stacked = sp.vstack(parts, format="csr") if sparse else np.vstack(parts)
    back = np.empty(len(partner), dtype=np.int64)
    back[np.concatenate(where)] = np.arange(len(partner))
    return stacked[back]
