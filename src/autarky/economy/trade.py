"""The one trade model: what every view of an economy reads trade from.

Per partner ``p`` and product ``i`` (DESIGN.md, Trade):

* the recorded structure: competitive import shares ``S[p, i]`` of the home use not recorded as
  imported, non-competitive imported inputs ``A_m[p]`` and final imports ``f_m[p, i, c]``, and
  recorded exports ``e0[p, i]``;
* the terms: import price and limit, export price and limit.

From these, for the balance and every indicator: ``A_imp[p] = A_m[p] + diag(S[p]) A_c`` (inputs
imported from ``p`` per unit of output), ``g[p]`` (the share of each product's home final use
imported from ``p``), and the domestic technology ``A_d = A - sum_p A_imp[p]``.

For every LP (:mod:`autarky.plan.constraints`): one import **channel** per partner and product
that has a recorded import, a price or a limit, and one export channel per partner and product
that has recorded exports, a price or a limit. An import channel is capped by the partner's
limit where one is given, else by its recorded structure
(``m[p, i] <= (A_imp[p] x)_i + lam g[p, i] d_i``), else not at all (an open offer at a price);
recorded exports are delivered (``e >= e0``), more may be sold up to the export limit, and
exports are home output. The foreign-exchange balance is modelled when any import or export
price is given; an unpriced channel is then valued at the domestic price.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from autarky import checks
from autarky.errors import BadValueError
from autarky.solve.trade import competitive_technology
from autarky.solve.trade import imported_coefficients as _imported

if TYPE_CHECKING:
    from autarky.economy.model import Economy


def competitive_final_use(eco: Economy, final_demand: Any = None) -> np.ndarray:
    """``y - sum_p f_m[p]`` by category (``branch x category``): the final use not recorded as
    imported. For another final demand than the economy's, the recorded final imports are
    applied as shares of each product's home final use."""
    Fm = eco.array("final_imports")
    if final_demand is None:
        fd = np.asarray(eco.array("final_demand"), dtype=float)
        return fd - Fm.sum(axis=0) if Fm is not None else np.array(fd)
    fd = checks.floats("final demand", final_demand.to_numpy()
                       if hasattr(final_demand, "to_numpy") else final_demand)
    if fd.ndim == 1:
        fd = fd[:, np.newaxis]
    if fd.ndim != 2 or fd.shape[0] != eco.n:
        raise BadValueError(f"final demand has shape {fd.shape}, expected ({eco.n}, categories)")
    if Fm is None:
        return np.array(fd)
    return fd * (1.0 - final_import_ratio(eco).sum(axis=0))[:, np.newaxis]


def domestic_final_use(eco: Economy, final_demand: Any = None) -> np.ndarray:
    """The part of home final use met by home output, ``(1 - s)(y - sum_p f_m[p])``, by category
    (``branch x category``)."""
    keep = 1.0 - eco.import_share_total
    return keep[:, np.newaxis] * competitive_final_use(eco, final_demand)


def following_final_imports(eco: Economy, final_demand: np.ndarray, partners: Any = None,
                            branches: Any = None) -> np.ndarray:
    """``P x n x c``: recorded final imports following a new final demand (``branch x
    category``, on ``branches``) as the shares of each product's home final use they had,
    on ``partners`` and ``branches`` (default the economy's; new labels import nothing)."""
    ratio = final_import_ratio(eco)
    if partners is not None or branches is not None:
        ratio = pd.DataFrame(ratio, index=pd.Index(eco.coords.partner),
                             columns=eco.coords.branch).reindex(
            index=partners if partners is not None else pd.Index(eco.coords.partner),
            columns=branches if branches is not None else eco.coords.branch,
        ).fillna(0.0).to_numpy()
    return ratio[:, :, np.newaxis] * np.maximum(np.asarray(final_demand, dtype=float),
                                                0.0)[np.newaxis, :, :]


def final_import_ratio(eco: Economy, category: str | None = None) -> np.ndarray:
    """``P x n``: recorded final imports from each partner over home final use, per product (of
    one category's use, if given)."""
    Fm = eco.array("final_imports")
    P, n = len(eco.coords.partner), eco.n
    if category is not None:
        eco.positions([category], "category")
    if Fm is None:
        return np.zeros((P, n))
    fd = np.asarray(eco.array("final_demand"))
    if category is None:
        y, f = fd.sum(axis=1), Fm.sum(axis=2)
    else:
        c = int(eco.positions([category], "category")[0])
        y, f = fd[:, c], Fm[:, :, c]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(y > 0, f / y, 0.0)


def final_import_shares(eco: Economy, category: str | None = None) -> np.ndarray:
    """``g``, ``P x n``: the share of each product's home final use (of one category, if given)
    imported from each partner at the recorded structure (non-competitive records first, then
    competitive shares of the rest)."""
    phi = final_import_ratio(eco, category)
    S = eco.array("import_shares")
    return phi + S * (1.0 - phi.sum(axis=0))[np.newaxis, :]


def imported_coefficients(eco: Economy, p: int) -> Any:
    """``A_imp[p] = A_m[p] + diag(S[p]) A_c``: inputs imported from partner ``p`` per unit of
    each branch's output (cached)."""
    key = f"tech:imp:{p}"
    cache = eco.__dict__["_cache"]
    if key not in cache:
        from autarky.economy.tables import freeze

        Am = eco.array("imported_technology")
        out = _imported(eco.A_c, None if Am is None else Am[p],
                        np.asarray(eco.array("import_shares")[p]))
        cache[key] = freeze(out if out is not eco.A_c else sp.csr_array(out, copy=True)
                            if sp.issparse(out) else np.array(out))
    return cache[key]


def imported_coefficients_total(eco: Economy) -> Any:
    """``sum_p A_imp[p] = A - A_d``."""
    A, Ad = eco.A, eco.A_d
    if sp.issparse(A) or sp.issparse(Ad):
        return sp.csr_array(sp.csr_array(A) - sp.csr_array(Ad))
    return np.asarray(A) - np.asarray(Ad)


def imports_at(eco: Economy, x: np.ndarray, final_use: np.ndarray) -> np.ndarray:
    """``P x n`` imports at the recorded structure for output ``x`` and home final use (a vector
    by product): ``A_imp[p] x + g[p] * final_use``."""
    P = len(eco.coords.partner)
    g = final_import_shares(eco)
    out = np.zeros((P, eco.n))
    if P == 0:
        return out
    # A_imp[p] x = A_m[p] x + S[p] * (A_c x): one product with A_c for every partner, no
    # n x n matrix per partner
    Acx = np.asarray(eco.A_c @ x).ravel()
    S = eco.array("import_shares")
    Am = eco.array("imported_technology")
    for p in range(P):
        out[p] = S[p] * Acx + g[p] * final_use
        if Am is not None:
            out[p] += np.asarray(Am[p] @ x).ravel()
    return out


def imported_use_weights(eco: Economy, w: np.ndarray) -> np.ndarray:
    """``n x P``: column ``p`` is ``A_imp[p]' w``, the value of the inputs imported from partner
    ``p`` per unit of each branch's output at the recorded structure (``w`` the value of a unit of
    each product), computed as ``A_m[p]' w + A_c' (S[p] * w)`` without forming ``A_imp[p]``."""
    P = len(eco.coords.partner)
    S = eco.array("import_shares")
    Am = eco.array("imported_technology")
    out = np.asarray(eco.A_c.T @ (S.T * w[:, np.newaxis])).reshape(eco.n, P) if P else \
        np.zeros((eco.n, 0))
    if Am is not None:
        for p in range(P):
            out[:, p] += np.asarray(Am[p].T @ w).ravel()
    return out


def trade_prices_given(eco: Economy) -> bool:
    """Whether any import or export price is given (the foreign-exchange balance is then part of
    every plan)."""
    return bool(np.any(~np.isnan(eco.array("import_prices")))
                or np.any(~np.isnan(eco.array("export_prices"))))


@dataclass(frozen=True)
class Channels:
    """Import or export channels of an economy, one per partner and product.

    Attributes
    ----------
    direction
        ``import`` or ``export``.
    partner, branch
        Positions of each channel's partner and product.
    lower, upper
        Bounds on the quantity (recorded exports below, limits above).
    price
        Price per unit in the economy's currency (``nan`` where neither a trade price nor a
        domestic price is known).
    structural
        Import channels with a recorded structure (``A_imp`` and ``g``).
    """

    direction: str
    partner: np.ndarray
    branch: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    price: np.ndarray
    structural: np.ndarray

    def __len__(self) -> int:
        return len(self.branch)

    @property
    def capped(self) -> np.ndarray:
        """Channels capped by their recorded structure: recorded, and without a limit (a
        partner's limit, where given, is the channel's cap instead)."""
        return self.structural & ~np.isfinite(self.upper)

    def labels(self, eco: Economy) -> list[str]:
        P, ids = eco.coords.partner, eco.ids
        return [f"{P[p]}:{ids[i]}" for p, i in zip(self.partner, self.branch, strict=True)]

    def incidence(self, n: int) -> sp.csr_array:
        """``n x k``: a one where channel ``k`` carries product ``i``."""
        k = len(self)
        return sp.csr_array((np.ones(k), (self.branch, np.arange(k))), shape=(n, k))

    def matrix(self, values: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
        """Channel values as a ``partner x branch`` array."""
        out = np.zeros(shape)
        np.add.at(out, (self.partner, self.branch), values)
        return out


def import_channels(eco: Economy) -> Channels:
    """The import channels: recorded structure, price or limit (see the module docstring)."""
    S = np.asarray(eco.array("import_shares"))
    price = np.asarray(eco.array("import_prices"))
    lim = np.asarray(eco.array("import_limits"))
    recorded = S > 0
    Am = eco.array("imported_technology")
    if Am is not None:
        for p, block in enumerate(Am):
            recorded[p] |= np.asarray(abs(block).sum(axis=1)).ravel() > 0
    Fm = eco.array("final_imports")
    if Fm is not None:
        recorded |= Fm.sum(axis=2) > 0
    exists = recorded | ~np.isnan(price) | np.isfinite(lim)
    p_idx, i_idx = np.nonzero(exists)
    dom = np.asarray(eco.array("prices"))
    pr = np.where(np.isnan(price[p_idx, i_idx]), dom[i_idx], price[p_idx, i_idx])
    return Channels("import", p_idx, i_idx, np.zeros(len(p_idx)), lim[p_idx, i_idx], pr,
                    recorded[p_idx, i_idx])


def export_channels(eco: Economy) -> Channels:
    """The export channels: recorded exports, price or limit."""
    E = np.asarray(eco.array("exports"))
    price = np.asarray(eco.array("export_prices"))
    lim = np.asarray(eco.array("export_limits"))
    exists = (E > 0) | ~np.isnan(price) | np.isfinite(lim)
    p_idx, i_idx = np.nonzero(exists)
    dom = np.asarray(eco.array("prices"))
    pr = np.where(np.isnan(price[p_idx, i_idx]), dom[i_idx], price[p_idx, i_idx])
    return Channels("export", p_idx, i_idx, E[p_idx, i_idx], lim[p_idx, i_idx], pr,
                    np.zeros(len(p_idx), dtype=bool))


def require_prices(eco: Economy, channels: Channels) -> None:
    """With foreign exchange modelled, every channel needs a price: name the first without."""
    missing = np.flatnonzero(np.isnan(channels.price))
    if missing.size:
        k = int(missing[0])
        p, i = eco.coords.partner[channels.partner[k]], eco.ids[channels.branch[k]]
        kind = "import" if channels.direction == "import" else "export"
        raise BadValueError(
            f"the {kind}s of {i} {'from' if kind == 'import' else 'to'} {p} have no price, and "
            f"the plan balances foreign exchange (other trade is priced): give "
            f"{kind}_prices for {p}/{i}, or a domestic price for {i} under 'prices'")


def money_by_partner(eco: Economy) -> np.ndarray:
    """Aid, credit and other financing from each partner, in the economy's currency per year:
    what pays for imports beside exports."""
    return (np.asarray(eco.array("aid")) + np.asarray(eco.array("credit"))
            + np.asarray(eco.array("other_financing")))


def money(eco: Economy) -> float:
    """Aid, credit and other financing from every partner, in the currency per year."""
    return float(money_by_partner(eco).sum())


def check_trade(data: Mapping[str, Any], coords: Any, A: Any, imported_total: Any) -> None:
    """Cross-table checks of the one trade model (each flow once, every flow possible): import
    shares of a product at most one, imported inputs within the technology, final imports
    within home final use, exports within their limits.

    Raises
    ------
    BadValueError
        Naming the product (and partner) that breaks it.
    """
    ids = coords.branch      # for the messages (not a list of 10^6 ids up front)
    S = data["import_shares"]
    if S.size:
        total = S.sum(axis=0)
        over = np.flatnonzero(total > 1 + 1e-12)
        if over.size:
            raise BadValueError(f"import shares of {', '.join(ids[i] for i in over[:5])} "
                                "sum to more than one")
    if imported_total is not None:
        rest = competitive_technology(A, imported_total)
        vals = sp.csr_array(rest).data if sp.issparse(rest) else np.asarray(rest).ravel()
        if vals.size and vals.min() < -1e-12:
            M = sp.coo_array(sp.csr_array(rest))
            k = int(np.argmin(M.data))
            i, j = int(M.row[k]), int(M.col[k])
            a_ij = float(sp.csr_array(A)[[i]][:, [j]].toarray()[0, 0]) \
                if sp.issparse(A) else float(A[i, j])
            raise BadValueError(
                f"imported_technology of {ids[i]}/{ids[j]} exceeds the technology: the "
                f"imported inputs ({a_ij - float(M.data[k]):g} in all) are part of the "
                f"total coefficient {a_ij:g}")
    Fm = data["final_imports"]
    if Fm is not None and Fm.size:
        fd = data["final_demand"]
        # per product, over every category: a category may be negative (stocks run down
        # at home while imported stocks build up), the whole final use of a product not
        over = Fm.sum(axis=(0, 2)) > np.maximum(fd.sum(axis=1), 0.0) * (1 + 1e-12) + 1e-12
        if over.any():
            i = int(np.flatnonzero(over)[0])
            raise BadValueError(f"final_imports of {ids[i]} exceed the home final use they "
                                "are part of (over every category)")
    E, lim = data["exports"], data["export_limits"]
    bad = lim * (1 + 1e-12) < E
    if bad.any():
        p, i = np.argwhere(bad)[0]
        raise BadValueError(f"exports of {ids[i]} to {coords.partner[p]} "
                            f"({E[p, i]:g}) exceed the export limit ({lim[p, i]:g})")
