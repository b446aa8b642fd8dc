"""A partner's cut-off propagated through every region, beside the single-country view.

The partner (a group of regions) stops supplying every other region for ``duration`` weeks:
its sales abroad, for intermediate and final use, cease; it goes on supplying itself and buying
abroad. Two answers, both week by week without re-planning (:func:`autarky.solve.propagation.
propagate`, after Pichler & Farmer 2022, with inventories and proportional rationing):

* **through the whole system**: the global network, every ``(region, sector)`` a branch. To cut
  links rather than branches, each partner branch is split in two with the same technology: one
  serving the partner itself, one serving abroad, whose capacity is zero during the cut. A
  third country that buys the partner's inputs falls short, and passes the shortage on to the
  home region; the home region also loses what it buys from the partner directly.
* **the single-country view**: the home region alone, its imported inputs from the partner
  cut (competitive: the import supply of each product falls by the partner's share) and its
  final imports from the partner lost, the rest of the world unaffected.

Both report the home region's output lost and its final demand unmet over the weeks simulated,
in the table's unit.

Examples
--------
>>> import numpy as np
>>> from autarky.mrio import MRIO

China (C) supplies Korea (K), Korea supplies the home region (H); H buys nothing from C.
The single-country view sees no dependence on China; the whole system does:

>>> t = MRIO(("H", "C", "K"), ("g",), ("f",),
...          Z=np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 5.0], [10.0, 0.0, 0.0]]),
...          Y=np.array([[90.0, 0.0, 0.0], [0.0, 45.0, 0.0], [0.0, 0.0, 85.0]]),
...          value_added=np.array([[80.0, 50.0, 90.0]]), value_added_rows=("VA",))
>>> r = cutoff_two_ways(t, "H", ["C"], weeks=8, duration=4)
>>> print(r.round(3).to_string())
                         through the whole system  single-country view
measure
home output lost                            3.462                  0.0
home final demand unmet                     3.462                  0.0
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from autarky import checks
from autarky.errors import BadTypeError, BadValueError
from autarky.mrio.table import MRIO, calc_A
from autarky.solve import LeontiefSolver
from autarky.solve.propagation import Shock, propagate

#: Largest split network run on dense ``n x n`` stocks; a larger one runs on the non-zeros of its
#: technology (:mod:`autarky.solve.supply_network`). Zero: the non-zeros always, since they gave
#: the same answers 4-21 times faster with a third to a tenth of the memory at 4,000 branches,
#: and faster at 200 too (bench/results/cutoff_scale.md); the dense run is kept for comparison.
MAX_NODES = 0


def _split(table: MRIO, partner: Sequence[str], *, sparse: bool = False
           ) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The global network with every partner branch split into a home-serving and an
    export-serving branch: ``A`` (dense, or compressed-column when ``sparse``, never an
    ``n x n`` array then), weekly ``x0`` and ``f0``, the export branches' positions, and the map
    from the split network back to the table's branches."""
    n = table.n
    S = len(table.sectors)
    C = len(table.categories)
    x = table.x
    is_partner = np.zeros(n, dtype=bool)
    fd_partner = np.zeros(table.Y.shape[1], dtype=bool)
    for r in partner:
        s = table.region_slice(r)
        is_partner[s] = True
        k = s.start // S
        fd_partner[k * C:(k + 1) * C] = True
    src = np.flatnonzero(is_partner)
    m = len(src)
    abroad = np.flatnonzero(~is_partner)
    f = table.Y.sum(axis=1)
    f_abroad = table.Y[src][:, ~fd_partner].sum(axis=1)
    f_split = np.concatenate([f, f_abroad])
    f_split[src] -= f_abroad
    x_export = table.Z[src][:, abroad].sum(axis=1) + f_abroad
    x_split = np.concatenate([x, x_export])
    x_split[src] -= x_export
    # each half buys its inputs in proportion to its output (the same technology)
    share = np.divide(x_export, x[src], out=np.zeros(m), where=x[src] > 0)
    A = _split_sparse(table.Z, is_partner, share) if sparse else \
        _split_dense(table.Z, src, abroad, share)
    if sparse:
        inv = np.divide(1.0, x_split, out=np.zeros_like(x_split), where=x_split != 0)
        A = sp.csc_array(A @ sp.diags_array(inv))
    else:
        A = calc_A(A, x_split)
    origin = np.concatenate([np.arange(n), src])
    # a final use below zero (stocks run down) cannot be served week by week: it is set to
    # zero and the baseline output recomputed from the technology, so the baseline holds still
    f0 = np.maximum(f_split, 0.0)
    x0 = LeontiefSolver(A).solve(f0) if np.any(f_split < 0) else x_split
    return A, x0 / 52.0, f0 / 52.0, np.arange(n, n + m), origin


def _split_dense(Z0: np.ndarray, src: np.ndarray, abroad: np.ndarray, share: np.ndarray
                 ) -> np.ndarray:
    """The split flows as a dense ``(n + m) x (n + m)`` array."""
    n, m = Z0.shape[0], len(src)
    Z = np.zeros((n + m, n + m))
    Z[:n, :n] = Z0
    # rows: the partner's sales abroad move to its export copies
    Z[n + np.arange(m)[:, None], abroad[None, :]] = Z0[src][:, abroad]
    Z[src[:, None], abroad[None, :]] = 0.0
    inputs = Z[:, src].copy()
    Z[:, n:] = inputs * share[None, :]
    Z[:, src] = inputs * (1.0 - share)[None, :]
    return Z


def _split_sparse(Z0: Any, is_partner: np.ndarray, share: np.ndarray) -> sp.coo_array:
    """The same flows on the non-zeros of the table: a partner's sale abroad moves to the row of
    its export copy; a partner's column is shared between its two halves."""
    n = Z0.shape[0]
    m = len(share)
    Z = sp.coo_array(Z0)
    rows, cols, vals = Z.row.astype(np.int64), Z.col.astype(np.int64), Z.data
    pos = np.cumsum(is_partner) - 1  # a partner branch's place among the partner's branches
    moved = is_partner[rows] & ~is_partner[cols]
    rows = np.where(moved, n + pos[rows], rows)
    split = is_partner[cols]
    k = pos[cols[split]]
    r = np.concatenate([rows[~split], rows[split], rows[split]])
    c = np.concatenate([cols[~split], cols[split], n + k])
    v = np.concatenate([vals[~split], vals[split] * (1.0 - share[k]), vals[split] * share[k]])
    keep = v != 0
    return sp.coo_array((v[keep], (r[keep], c[keep])), shape=(n + m, n + m))


#: The longest cut-off simulated (100 years of weeks, as ``autarky stress``): the results hold
#: one row per week for every branch of the split network.
MAX_WEEKS = 5200


def cutoff_two_ways(table: MRIO, home: str, partner: Sequence[str], *, weeks: int = 52,
                    duration: int = 13, inventory_days: float = 14.0) -> pd.DataFrame:
    """The home region's losses from the partner's supply cut, two ways (see the module
    docstring): rows ``home output lost`` and ``home final demand unmet``, columns ``through
    the whole system`` and ``single-country view``, in the table's unit over ``weeks``
    weeks (a week is a 52nd of the table's year)."""
    from autarky.mrio.embodied import require_closed

    require_closed(table, "a cut-off through the whole system")
    if not isinstance(home, str):
        raise BadTypeError(f"home must be a region id, got {checks.quoted(home)}")
    partner = checks.id_list("partner", [partner] if isinstance(partner, str) else partner)
    weeks = checks.integer("weeks", weeks, lower=1, upper=MAX_WEEKS)  # stocks: weeks x n each
    duration = checks.integer("duration", duration, lower=0)
    inventory_days = checks.real("inventory_days", inventory_days, lower=0.0)
    if home in partner or not partner:
        raise BadValueError("the partner is one or more regions other than the home region")
    for r in (home, *partner):
        table.region_slice(r)
    if not 0 <= duration <= weeks:
        raise BadValueError(f"duration must lie in [0, weeks], got {duration}")
    size = table.n + sum(len(table.sectors) for _ in partner)
    # the table's n and a copy of the partner's branches: above MAX_NODES on the non-zeros
    A, x0, f0, exporters, origin = _split(table, partner, sparse=size > MAX_NODES)
    cap = np.ones((weeks, len(x0)))
    cap[:duration, exporters] = 0.0
    glob = propagate(A, x0, f0, capacity=x0.copy(), shock=Shock(capacity=cap), weeks=weeks,
                     inventory_days=inventory_days)
    h = table.region_slice(home)
    home_nodes = np.flatnonzero(np.isin(origin, np.arange(h.start, h.stop)) &
                                (np.arange(len(origin)) < table.n))
    C = len(table.categories)
    k = h.start // len(table.sectors)
    # home final demand, from whichever branch supplies it: its unmet part, in the global run,
    # is the home share of each supplier's unmet final demand
    Yh = table.Y[:, k * C:(k + 1) * C].sum(axis=1)
    unmet = glob.unmet_final_demand.sum(axis=0)  # per branch of the split network
    f_split = f0 * 52.0
    fa = np.zeros(len(origin))
    fa[:table.n] = Yh
    for j, o in enumerate(origin[table.n:], start=table.n):
        fa[j] = Yh[o]  # the home region's purchase from a partner branch is an export of it
        fa[o] = 0.0
    home_share = np.divide(fa, f_split, out=np.zeros_like(fa), where=f_split > 0)
    global_unmet = float((unmet * np.minimum(home_share, 1.0)).sum())
    global_lost = float(glob.total_loss[home_nodes].sum())
    # the single-country view: home block, imported inputs from the partner cut
    x = table.x
    xh = x[h]
    Ad = calc_A(table.Z[h, h], xh)
    rows_p = sum(table.Z[table.region_slice(r), h] for r in partner)
    rows_all = sum(table.Z[table.region_slice(r), h] for r in table.regions if r != home)
    Am = calc_A(np.asarray(rows_all), xh)
    m_all = np.asarray(rows_all).sum(axis=1)
    lost_share = np.divide(np.asarray(rows_p).sum(axis=1), m_all, out=np.zeros_like(m_all),
                           where=m_all > 0)
    imp = np.ones((weeks, len(xh)))
    imp[:duration] = 1.0 - lost_share
    f_home = (x[h] - table.Z[h, h].sum(axis=1)) / 52.0  # home final use and every export
    x_single = xh / 52.0
    if np.any(f_home < 0):  # as in the whole system: no negative final use, output recomputed
        f_home = np.maximum(f_home, 0.0)
        x_single = LeontiefSolver(Ad).solve(f_home)
    single = propagate(Ad, x_single, f_home, Am=Am, capacity=x_single.copy(),
                       shock=Shock(imports=imp), weeks=weeks, inventory_days=inventory_days)
    final_from_partner = float(sum(Yh[table.region_slice(r)].sum() for r in partner))
    dom_final = np.divide(Yh[h], f_home * 52.0, out=np.zeros(len(xh)), where=f_home > 0)
    single_unmet = float((single.unmet_final_demand.sum(axis=0) * np.minimum(dom_final, 1.0)
                          ).sum()) + final_from_partner * duration / 52.0
    out = pd.DataFrame({"through the whole system": [global_lost, global_unmet],
                        "single-country view": [float(single.total_loss.sum()), single_unmet]},
                       index=pd.Index(["home output lost", "home final demand unmet"],
                                      name="measure"))
    out.attrs.update({"unit": table.unit, "weeks": weeks, "duration": duration,
                      "home": home, "partner": list(partner),
                      "note": "the partner stops supplying every other region for "
                              f"{duration} weeks; no re-planning, {inventory_days:g} days of "
                              "inventories, proportional rationing"})
    return out


__all__ = ["MAX_NODES", "cutoff_two_ways"]
