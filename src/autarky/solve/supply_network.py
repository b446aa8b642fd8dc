"""The (input, user) pairs of a technology, dense or on the non-zeros of a sparse one.

:func:`autarky.solve.propagation.propagate` keeps one number per (input, user) pair for every
stock, order, target, delivery and per-pair setting. On a dense technology these are ``(n, n)``
arrays (:class:`DensePairs`); on a sparse one they are value arrays of length ``nnz`` laid out
as the technology's compressed-column pattern (:class:`SparsePairs`): pair ``k`` is input
``rows[k]`` of user ``cols[k]``, the users' pairs stored one column after the other. Both classes
offer the same few operations, so the week-by-week loop is written once:

* :meth:`~DensePairs.at_cols` and :meth:`~DensePairs.at_rows` spread a per-user or per-input vector
  over the pairs;
* :meth:`~DensePairs.row_sums` adds the pairs of each input (the orders a product receives);
* :meth:`~DensePairs.col_min` and :meth:`~DensePairs.col_sums` reduce the pairs of each user
  (the production functions);
* :meth:`~DensePairs.rationing` shares each product's supply among its customers.

On the sparse pattern these are ``np.repeat``, fancy indexing, ``np.bincount`` and
``np.minimum.reduceat`` / ``np.add.reduceat`` over the columns: time and memory linear in
``nnz``, never an ``n x n`` array. Pairs whose coefficient is zero are left out of the pattern
(they hold no stock and order nothing), so the sparse path gives the dense path's answers.

Examples
--------
>>> import scipy.sparse as sp
>>> A = np.array([[0.0, 0.5], [0.2, 0.0]])
>>> net = pairs_of(sp.csc_array(A))
>>> net.nnz, net.coef
(2, array([0.2, 0.5]))
>>> net.row_sums(net.coef * net.at_cols(np.array([10.0, 10.0])))      # A @ x
array([5., 2.])
>>> net.col_min(net.coef)
array([0.2, 0.5])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp

from autarky.errors import BadValueError

#: :class:`SparseRationing` adds up the orders ahead of each group by a row-wise ``cumsum`` where
#: the table of products by groups holds at most this many times as many cells as there are
#: groups (a log-depth scan otherwise).
PAD = 3

#: Shares a supply among the orders of each product: ``(supply, orders, final, total)`` gives
#: the deliveries to the pairs and to final demand (``None`` without final demand).
Distribute = Callable[..., tuple[np.ndarray, np.ndarray | None]]


# --------------------------------------------------------------------------------------------------
# rationing of dense orders


class Tiers(NamedTuple):
    """Customers sorted by rank, where each rank tier starts, and the tier of each sorted customer."""

    order: np.ndarray
    starts: np.ndarray
    tier_of: np.ndarray


def tiers(ranks: np.ndarray) -> Tiers:
    """The rank tiers of customers ranked ``ranks`` (lower first, equal ranks share a tier)."""
    order = np.argsort(ranks, kind="stable")
    r = ranks[order]
    new = np.concatenate([[True], r[1:] != r[:-1]])
    return Tiers(order, np.flatnonzero(new), np.cumsum(new) - 1)


def ration_dense(supply: np.ndarray, orders: np.ndarray, tier: Tiers) -> np.ndarray:
    """Share ``supply`` (k,) among the ``(k, c)`` orders of ``c`` customers, tier by tier."""
    k, c = orders.shape
    if c == 0 or k == 0:
        return np.zeros_like(orders)
    total = orders.sum(axis=1)
    short = supply < total
    if not short.any():
        return orders.copy()
    if short.all():
        return _ration_short(supply, orders, tier, total)
    delivered = orders.copy()
    delivered[short] = _ration_short(supply[short], orders[short], tier, total[short])
    return delivered


def _ration_short(supply: np.ndarray, orders: np.ndarray, tier: Tiers, total: np.ndarray) -> np.ndarray:
    """:func:`ration_dense` for products whose supply falls short of their orders."""
    if tier.starts.size == 1:
        return orders * (supply / total)[:, np.newaxis]
    sorted_orders = orders[:, tier.order]
    tier_total = np.add.reduceat(sorted_orders, tier.starts, axis=1)
    ahead = np.zeros_like(tier_total)
    ahead[:, 1:] = np.cumsum(tier_total, axis=1)[:, :-1]
    left = supply[:, np.newaxis] - ahead
    frac = np.clip(left / np.where(tier_total > 0, tier_total, 1.0), 0.0, 1.0)
    frac[left >= tier_total] = 1.0
    delivered = np.empty_like(orders)
    delivered[:, tier.order] = sorted_orders * frac[:, tier.tier_of]
    return delivered


# --------------------------------------------------------------------------------------------------
# the two layouts


class DensePairs:
    """Every (input, user) pair of a dense ``(n, n)`` technology; pair arrays are ``(n, n)``.

    Parameters
    ----------
    coef
        The ``(n, n)`` coefficients, already checked (finite, non-negative).
    """

    sparse = False

    def __init__(self, coef: np.ndarray) -> None:
        self.coef = coef
        self.n = coef.shape[0]

    def any(self) -> bool:
        """Whether some coefficient is positive."""
        return bool(np.any(self.coef > 0))

    def at_cols(self, v: np.ndarray) -> np.ndarray:
        """``v_j`` at every pair ``(i, j)`` (a broadcasting view)."""
        return v[np.newaxis, :]

    def at_rows(self, v: np.ndarray) -> np.ndarray:
        """``v_i`` at every pair ``(i, j)`` (a broadcasting view)."""
        return v[:, np.newaxis]

    def row_sums(self, P: np.ndarray) -> np.ndarray:
        """``sum_j P_ij``, per input."""
        return P.sum(axis=1)

    def col_sums(self, P: np.ndarray) -> np.ndarray:
        """``sum_i P_ij``, per user."""
        return P.sum(axis=0)

    def col_min(self, P: np.ndarray) -> np.ndarray:
        """``min_i P_ij``, per user (``inf`` where there is none)."""
        return P.min(axis=0, initial=np.inf)

    def matrix(self, P: np.ndarray) -> np.ndarray:
        """The pair values as an ``(n, n)`` array (``P`` itself)."""
        return P

    def first(self, mask: np.ndarray) -> tuple[int, int, Any]:
        """The first ``(input, user)`` pair where ``mask`` holds, in row-major order, and its
        index into a pair array."""
        i, j = np.argwhere(mask)[0]
        return int(i), int(j), (int(i), int(j))

    def setting(self, name: str, arr: Any) -> np.ndarray:
        """A scalar, a value per input ``(n,)`` or an ``(n, n)`` matrix (dense or sparse) at
        every pair."""
        n = self.n
        if sp.issparse(arr):
            arr = np.asarray(arr.toarray(), dtype=float)  # the technology is dense already
        arr = np.asarray(arr, dtype=float)
        if arr.ndim == 0:
            return np.full((n, n), float(arr))
        if arr.shape == (n,):
            return np.repeat(arr[:, np.newaxis], n, axis=1)
        if arr.shape != (n, n):
            raise BadValueError(f"{name} must be a scalar, shape ({n},) or ({n}, {n}), got "
                                f"{arr.shape}")
        return arr

    def rationing(self, ranks: np.ndarray, final: bool) -> Distribute:
        """Rationing among the ``n`` users (ranked ``ranks[:n]``) and, with ``final``, final
        demand (ranked ``ranks[n]``)."""
        n = self.n
        tier = tiers(ranks if final else ranks[:n])
        buf = np.empty((n, n + 1)) if final else None

        def distribute(supply: np.ndarray, orders: np.ndarray, fin: np.ndarray | None,
                       total: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
            if buf is None:
                return ration_dense(supply, orders, tier), None
            buf[:, :n] = orders
            buf[:, n] = fin
            out = ration_dense(supply, buf, tier)
            return out[:, :n], out[:, n]

        return distribute


class SparsePairs:
    """The positive entries of a sparse technology, in compressed-column order.

    Parameters
    ----------
    A
        An ``(n, n)`` scipy.sparse matrix, already checked (finite, non-negative); explicit zeros
        and duplicate entries are allowed (duplicates are added up, zeros left out).
    copy
        Copy ``A`` first (``False``: ``A`` is a compressed-column matrix this object may
        rearrange in place).

    Attributes
    ----------
    n
        Branches.
    nnz
        Pairs (non-zeros of ``A``).
    rows
        The input of each pair.
    indptr
        Where each user's pairs start (``indptr[j]:indptr[j + 1]``).
    coef
        ``(nnz,)`` the coefficient of each pair.
    """

    sparse = True

    def __init__(self, A: Any, copy: bool = True) -> None:
        M = sp.csc_array(A, dtype=float, copy=copy)
        M.sum_duplicates()
        M.eliminate_zeros()
        M.sort_indices()
        self.n = int(M.shape[0])
        self.nnz = int(M.nnz)
        self.rows = np.asarray(M.indices)
        self.indptr = np.asarray(M.indptr)
        self.coef = np.asarray(M.data, dtype=float)
        self.counts = np.diff(self.indptr)
        nonempty = self.counts > 0
        self._nonempty = nonempty
        self._starts = self.indptr[:-1][nonempty]

    @property
    def col_index(self) -> np.ndarray:
        """``(nnz,)`` the user (column) of each pair."""
        return np.repeat(np.arange(self.n, dtype=self.rows.dtype), self.counts)

    def any(self) -> bool:
        """Whether some coefficient is positive."""
        return self.nnz > 0

    def at_cols(self, v: np.ndarray) -> np.ndarray:
        """``v_j`` at every pair ``(i, j)``."""
        return np.repeat(v, self.counts)

    def at_rows(self, v: np.ndarray) -> np.ndarray:
        """``v_i`` at every pair ``(i, j)``."""
        return v[self.rows]

    def row_sums(self, P: np.ndarray) -> np.ndarray:
        """``sum_j P_ij``, per input."""
        return np.bincount(self.rows, weights=P, minlength=self.n)

    def col_sums(self, P: np.ndarray) -> np.ndarray:
        """``sum_i P_ij``, per user."""
        out = np.zeros(self.n)
        if self.nnz:
            out[self._nonempty] = np.add.reduceat(P, self._starts)
        return out

    def col_min(self, P: np.ndarray) -> np.ndarray:
        """``min_i P_ij``, per user (``inf`` where there is none)."""
        out = np.full(self.n, np.inf)
        if self.nnz:
            out[self._nonempty] = np.minimum.reduceat(P, self._starts)
        return out

    def matrix(self, P: np.ndarray) -> sp.csc_array:
        """The pair values as an ``(n, n)`` compressed-column matrix on the pattern."""
        return sp.csc_array((P, self.rows.copy(), self.indptr.copy()), shape=(self.n, self.n))

    def first(self, mask: np.ndarray) -> tuple[int, int, Any]:
        """The first ``(input, user)`` pair where ``mask`` holds, in row-major order (as
        :meth:`DensePairs.first`), and its index into a pair array."""
        k = np.flatnonzero(mask)
        cols = np.searchsorted(self.indptr, k, side="right") - 1
        best = int(np.lexsort((cols, self.rows[k]))[0])
        return int(self.rows[k[best]]), int(cols[best]), int(k[best])

    def setting(self, name: str, arr: Any) -> np.ndarray:
        """A scalar, a value per input ``(n,)`` or an ``(n, n)`` matrix (dense or sparse) read at
        every pair; a sparse matrix holds 0 where it has no entry."""
        n = self.n
        if sp.issparse(arr):
            if arr.shape != (n, n):
                raise BadValueError(f"{name} must be a scalar, shape ({n},) or ({n}, {n}), got "
                                    f"{arr.shape}")
            return _values_at(sp.csc_array(arr, dtype=float), self)
        arr = np.asarray(arr, dtype=float)
        if arr.ndim == 0:
            return np.full(self.nnz, float(arr))
        if arr.shape == (n,):
            return arr[self.rows]
        if arr.shape != (n, n):
            raise BadValueError(f"{name} must be a scalar, shape ({n},) or ({n}, {n}), got "
                                f"{arr.shape}")
        return arr[self.rows, self.col_index]

    def rationing(self, ranks: np.ndarray, final: bool) -> Distribute:
        """Rationing among the users (ranked ``ranks[:n]``) and, with ``final``, final demand
        (ranked ``ranks[n]``), on the pattern: see :class:`SparseRationing`."""
        return SparseRationing(self, ranks if final else ranks[: self.n], final)


def _values_at(S: sp.csc_array, pattern: SparsePairs) -> np.ndarray:
    """The entries of ``S`` at the pairs of ``pattern`` (0 where ``S`` has none)."""
    S = S.copy()
    S.sum_duplicates()
    S.sort_indices()
    n = pattern.n
    s_key = np.repeat(np.arange(n, dtype=np.int64), np.diff(S.indptr)) * n + S.indices
    p_key = pattern.col_index.astype(np.int64) * n + pattern.rows
    out = np.zeros(pattern.nnz)
    if s_key.size == 0:
        return out
    pos = np.minimum(np.searchsorted(s_key, p_key), s_key.size - 1)
    hit = s_key[pos] == p_key
    out[hit] = np.asarray(S.data, dtype=float)[pos[hit]]
    return out


class SparseRationing:
    """Each product's supply shared among its customers' orders, on a sparse pattern.

    The customers of product ``i`` are its users (the pairs of row ``i``) and, with ``final``,
    final demand (one more customer per product, served after the users of its rank, as in
    :func:`ration_dense`). With one rank tier the shortfall is shared proportionally;
    otherwise each customer belongs to one (product, rank) group, numbered by product and then
    by rank (set up once, by one sort). Each week the orders of each group are added up
    (``np.bincount``), the orders ahead of each group in its product are a prefix sum within the
    product (a row-wise ``cumsum`` of the groups laid out product by rank, where that layout is
    at most :data:`PAD` times the number of groups; otherwise a log-depth segmented scan), so no
    product's sum borrows rounding from another's, and each group gets
    ``clip((supply - ahead) / group, 0, 1)`` of its orders.
    """

    def __init__(self, pairs: SparsePairs, ranks: np.ndarray, final: bool) -> None:
        n, nnz = pairs.n, pairs.nnz
        self.n, self.final, self.pairs = n, final, pairs
        self.single = bool(np.all(ranks == ranks[0])) if ranks.size else True
        if self.single or nnz + (n if final else 0) == 0:
            return
        levels, code = np.unique(ranks, return_inverse=True)
        code = code.astype(np.int64)
        key = pairs.rows.astype(np.int64) * levels.size + code[:n][pairs.col_index]
        if final:
            key = np.concatenate([key, np.arange(n, dtype=np.int64) * levels.size + code[n]])
        used, group = np.unique(key, return_inverse=True)  # groups by product, then rank
        del key
        group = group.astype(np.intp)
        self.group, self.group_final = group[:nnz], group[nnz:]
        self.groups = used.size
        self.grow = used // levels.size
        first = np.concatenate([[True], self.grow[1:] != self.grow[:-1]])
        g = np.arange(self.groups)
        self.glow = np.maximum.accumulate(np.where(first, g, 0))  # first group of the row
        pos = g - self.glow
        self.depth = int(np.max(pos, initial=0)) + 1
        rows = int(np.count_nonzero(first))
        self.shape = (rows, self.depth)
        self.padded = rows * self.depth <= PAD * self.groups
        if self.padded:  # cells off the groups stay 0 for good; the groups' cells are refilled
            self.flat = (np.cumsum(first) - 1) * self.depth + pos
            self.inner = np.flatnonzero(pos > 0)
            self.flat_prev = self.flat[self.inner] - 1
            self.table = np.zeros(self.shape)
            self.csum = np.empty(self.shape)

    def __call__(self, supply: np.ndarray, orders: np.ndarray, fin: np.ndarray | None,
                 total: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
        if total is None:
            total = self.pairs.row_sums(orders) + (0.0 if fin is None else fin)
        short = supply < total
        if not short.any():
            return orders, fin
        if self.single:
            frac = np.ones(self.n)
            frac[short] = supply[short] / total[short]
            return orders * frac[self.pairs.rows], None if fin is None else fin * frac
        gt = np.bincount(self.group, weights=orders, minlength=self.groups)
        if fin is not None:
            gt[self.group_final] += fin  # one final-demand customer per product, last in its group
        if self.padded:
            self.table.ravel()[self.flat] = gt
            np.cumsum(self.table, axis=1, out=self.csum)
            ahead = np.zeros(self.groups)
            ahead[self.inner] = self.csum.ravel()[self.flat_prev]
        else:
            ahead = _ahead(gt, self.glow, self.depth)
        left = supply[self.grow] - ahead
        frac = np.clip(left / np.where(gt > 0, gt, 1.0), 0.0, 1.0)
        frac[left >= gt] = 1.0
        frac[~short[self.grow]] = 1.0
        return orders * frac[self.group], None if fin is None else fin * frac[self.group_final]


def _ahead(gt: np.ndarray, low: np.ndarray, depth: int) -> np.ndarray:
    """Exclusive prefix sums of ``gt`` within segments (``low[g]``: the first index of ``g``'s
    segment), by doubling: ``log2(depth)`` passes, each sum formed within its own segment."""
    g = np.arange(gt.size)
    incl = gt.copy()
    step = 1
    while step < depth:
        nxt = incl.copy()
        nxt[step:] += np.where(g[step:] - step >= low[step:], incl[:-step], 0.0)
        incl = nxt
        step *= 2
    ahead = np.zeros_like(gt)
    ahead[1:] = np.where(g[1:] > low[1:], incl[:-1], 0.0)
    return ahead


def pairs_of(A: Any) -> DensePairs | SparsePairs:
    """:class:`SparsePairs` for a scipy.sparse matrix, :class:`DensePairs` for an array."""
    return SparsePairs(A) if sp.issparse(A) else DensePairs(np.asarray(A, dtype=float))
