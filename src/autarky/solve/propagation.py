"""Unplanned shock propagation through an input-output network, week by week.

A simplified, weekly discrete-time version of the dynamic input-output model of Pichler & Farmer
(2022), "Simultaneous supply and demand constraints in input-output networks: the case of Covid-19
in Germany, Italy, and Spain", *Economic Systems Research* 34(3), and of Pichler, Pangallo,
del Rio-Chanona, Lafond & Farmer (2022), "Forecasting the propagation of pandemic shocks with a
dynamic input-output model", *Journal of Economic Dynamics and Control* 144. Nobody plans the
response: every branch orders what it expects to need, produces what its capacity, its orders and
its stocks of inputs allow, and shares out a shortfall among its customers by a fixed rationing
rule. The functions work on plain ``numpy`` arrays and ``scipy.sparse`` matrices (no labels, no
units) and are pure.

Data
----
``n`` branches, each making one product; branch ``j`` makes product ``j``.

``A`` (n x n)
    Domestic technology: ``a_ij`` units of domestic product ``i`` per unit of branch ``j``'s output.
    Dense or sparse: with a ``scipy.sparse`` ``A`` every per-pair quantity (stocks, targets,
    orders, deliveries, inventory days, criticality) is kept on the non-zeros of ``A`` only
    (:mod:`autarky.solve.supply_network`), so time and memory grow with the number of non-zeros
    and no ``n x n`` array is formed; the answers are the dense path's to rounding.
``Am`` (n x n), optional
    Imported-input coefficients: ``am_ij`` units of imported product ``i`` (from all partners
    together) per unit of ``j``'s output. Imports enter as inputs only; imported final goods are
    left out. Kept on its own non-zeros where ``A`` is sparse.
``x0``, ``f0`` (n)
    Baseline weekly gross output and weekly final demand (domestic final use plus exports).
``m0`` (n)
    Baseline weekly import supply of each product; default ``m0 = Am x0``.
``capacity`` (n)
    Weekly productive capacity; default ``x0`` (no spare capacity).
``inventory_days``
    Target stock of each input held by its users, in days of baseline use: a scalar, a vector over
    input products, or an (n x n) matrix over (input, user) pairs, dense or sparse (a sparse one
    is read at the non-zeros of ``A``: an entry missing there is 0 days, which is refused).
    ``import_inventory_days`` likewise for imported inputs (default: the same).

Initial and target stocks are a fixed number of weeks of baseline use:
``S_ij(0) = S*_ij = tau_ij / 7 * a_ij x0_j`` (domestic) and ``SM_ij(0) = SM*_ij = tauM_ij / 7 *
am_ij x0_j`` (imported).

Shock
-----
A :class:`Shock` holds three (weeks x n) arrays of multipliers, each 1 where nothing happens:
``capacity`` on each branch's capacity, ``imports`` on each product's import supply (the share of
its baseline supply still arriving, summed over partners), ``demand`` on each product's final
demand. Weeks beyond the shock's last row are unshocked.

One week ``t``
--------------
1. **Orders.** Each user ``j`` orders input ``i`` for what it expects to make, which is the demand
   it faced last week, plus a share ``gamma`` of the gap between its target and its stock:
   ``O_ij(t) = max(0, a_ij d_j(t-1) + gamma (S*_ij - S_ij(t)))``, with ``d(-1) = x0``; imported
   inputs alike, ``OM_ij(t) = max(0, am_ij d_j(t-1) + gamma (SM*_ij - SM_ij(t)))``. This is
   Pichler & Farmer's rule (their ``1/tau`` is ``gamma``) with orders floored at zero, so a branch
   holding too much simply orders less. The demand branch ``i`` faces is
   ``d_i(t) = sum_j O_ij(t) + f_i(t)`` with ``f(t) = f0 * demand(t)``.
2. **Production.** By default every input is critical (Leontief production, the strictest of
   Pichler et al.'s production functions): ``x_j(t) = min(capacity_j * capacity(t)_j, d_j(t),
   min_{i: a_ij > 0} S_ij(t) / a_ij, min_{i: am_ij > 0} SM_ij(t) / am_ij)``; ``production`` and
   ``criticality`` choose their other ones (:mod:`autarky.solve.production`). A branch works from
   the stock on hand at the start of the week; what it receives during the week is used from next
   week on (a one-week pipeline).
3. **Domestic distribution.** The supply of product ``i`` is ``x_i(t)``, never more than the
   demand ``d_i(t)``, so all of it is delivered. Customers are the ``n`` branches (their orders
   ``O_ij``) and final demand (``f_i``). If ``x_i < d_i`` the supply is rationed (see
   :func:`ration`):

   * ``"proportional"``: every order gets the same fraction ``x_i / d_i``;
   * ``"industry-first"``: intermediate orders are served first, proportionally among themselves,
     final demand gets what is left;
   * ``"priority"``: customers are served in order of ``priority`` (a rank per branch, lower
     first, optionally one more for final demand, which otherwise comes last); each rank is served
     in full before the next, equal ranks share proportionally.
4. **Imports.** ``m0_i * imports(t)_i`` of imported product ``i`` is on offer; its users get their
   orders ``OM_ij`` in full, or rationed by the same scheme (final demand has no part in it).
   Import supply nobody ordered is not taken.
5. **Stocks.** ``S_ij(t+1) = S_ij(t) + delivered_ij(t) - a_ij x_j(t)`` and
   ``SM_ij(t+1) = SM_ij(t) + deliveredM_ij(t) - am_ij x_j(t)``; both stay non-negative by step 2.

The baseline is a fixed point: if ``x0 = A x0 + f0``, ``m0 = Am x0``, ``capacity >= x0`` and there
is no shock, every order equals ``a_ij x0_j``, every demand ``x0`` and output stays at ``x0`` with
stocks constant. Because inputs received in a week are used from the next one, stocks must cover at
least one week: ``inventory_days`` (and ``import_inventory_days``) must be at least 7 wherever the
coefficient is positive. Capacity defaults to ``x0``, so output never exceeds the baseline and stocks
run down in a crisis are rebuilt only from the slack other customers leave.

With every input critical (the default), a branch whose stock of any input runs out makes nothing,
and a cycle of branches out of each other's products stays at zero for good: nothing restarts it. Without
slack (capacity ``x0``, import supply ``m0``) stocks drawn down in a crisis can be rebuilt only at
someone else's expense, and under ``"priority"`` rationing that someone is always the lowest-ranked
customer, whose stocks then run out in turn; such runs can oscillate and end in a collapse long
after the shock. Proportional rationing spreads each shortfall thinly and is far less prone to it;
spare capacity or import multipliers above 1 after the shock let stocks refill.

Results
-------
Outputs are weekly quantities in each branch's own unit. ``total_loss_j = sum_t (x0_j - x_j(t))``
is the output lost over the horizon in branch ``j``'s unit (a week of flow times one week); it is
negative where a branch made more than its baseline (possible only with capacity above ``x0``
or a capacity multiplier above 1).
:meth:`PropagationResult.aggregate_loss` adds it up, weighted by prices if given. The recovery week
is the first week from which every branch's output stays within ``tol`` (relative) of its baseline
until the horizon ends.

Differences from Pichler et al.: one week per step instead of one day (``gamma`` is their
``1/tau`` per step, see :func:`~autarky.solve.production.reorder_gamma`); orders floored at zero;
no labour module (capacity is given directly by its multipliers); household demand follows labour
income only with ``households`` (:class:`~autarky.solve.production.Households`; otherwise final
demand is ``f0`` times its multipliers); stock targets are fixed at baseline use.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike

from autarky.checks import quoted
from autarky.errors import BadTypeError, BadValueError
from autarky.solve.leontief import to_dense
from autarky.solve.production import HouseholdDemand, Households, given_values, input_limit, per_pair
from autarky.solve.supply_network import DensePairs, SparsePairs, ration_dense, tiers

Scheme = Literal["proportional", "industry-first", "priority"]

#: The rationing schemes :func:`propagate` knows.
SCHEMES: tuple[str, ...] = ("proportional", "industry-first", "priority")

#: Days in one step of the simulation.
DAYS_PER_WEEK = 7.0

_FACTORS = ("capacity", "imports", "demand")


# --------------------------------------------------------------------------------------------------
# validation helpers


def _float_array(name: str, value: Any) -> np.ndarray:
    try:
        arr = to_dense(value)
    except (TypeError, ValueError) as exc:
        raise BadValueError(f"{name} must be numeric: {exc}") from exc
    return arr


def _check_values(name: str, arr: np.ndarray) -> None:
    if not np.all(np.isfinite(arr)):
        raise BadValueError(f"{name} must be finite (no NaN or infinity)")
    if np.any(arr < 0):
        raise BadValueError(f"{name} must be non-negative (smallest entry {arr.min():g})")


def _vector(name: str, value: Any, n: int) -> np.ndarray:
    arr = _float_array(name, value)
    if arr.shape != (n,):
        raise BadValueError(f"{name} must have shape ({n},), got {arr.shape}")
    _check_values(name, arr)
    return arr


def _square(name: str, value: Any, n: int | None = None) -> np.ndarray:
    arr = _float_array(name, value)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or (n is not None and arr.shape[0] != n):
        want = "(n, n)" if n is None else f"({n}, {n})"
        raise BadValueError(f"{name} must be a square {want} matrix, got shape {arr.shape}")
    _check_values(name, arr)
    return arr


def _days(name: str, value: Any, pairs: DensePairs | SparsePairs) -> np.ndarray:
    """Inventory days broadcast to (input, user) pairs; at least one week where ``coef > 0``."""
    given = value if sp.issparse(value) else _float_array(name, value)
    arr = per_pair(name, given, pairs)
    _check_values(name, given_values(given))
    short = (pairs.coef > 0) & (arr < DAYS_PER_WEEK)
    if short.any():
        i, j, k = pairs.first(short)
        raise BadValueError(f"{name} must be at least {DAYS_PER_WEEK:g} (one weekly step: inputs "
                            f"received in a week are used from the next one); input {i} of branch "
                            f"{j} has {arr[k]:g}")
    return arr


def _technology(name: str, value: Any, n: int | None, sparse: bool) -> DensePairs | SparsePairs:
    """``A`` or ``Am`` checked and laid out as pairs: on its non-zeros where ``sparse``."""
    if not sparse:
        return DensePairs(_square(name, value, n))
    if sp.issparse(value):
        M = sp.csc_array(value, dtype=float, copy=True)
    else:  # a dense Am beside a sparse A
        M = sp.csc_array(_square(name, value, n))
    if M.shape[0] != M.shape[1] or (n is not None and M.shape[0] != n):
        want = "(n, n)" if n is None else f"({n}, {n})"
        raise BadValueError(f"{name} must be a square {want} matrix, got shape {M.shape}")
    _check_values(name, np.asarray(M.data))
    return SparsePairs(M, copy=False)


def _factor_block(name: str, value: Any, n: int) -> np.ndarray:
    arr = _float_array(name, value)
    try:
        out = np.array(np.broadcast_to(arr, (n,)) if arr.ndim <= 1 else arr, dtype=float)
    except ValueError as exc:
        raise BadValueError(f"{name} must be a scalar or have shape ({n},), got {arr.shape}") from exc
    if out.shape != (n,):
        raise BadValueError(f"{name} must be a scalar or have shape ({n},), got {arr.shape}")
    _check_values(name, out)
    return out


# --------------------------------------------------------------------------------------------------
# shock


@dataclass(frozen=True, eq=False)
class Shock:
    """Time-varying multipliers on capacity, import supply and final demand.

    Parameters
    ----------
    capacity, imports, demand
        Arrays of shape ``(weeks, n)``, non-negative; row ``t`` multiplies, in week ``t``, each
        branch's capacity, each product's baseline import supply and each product's final demand.
        ``None`` means all ones. The arrays given must share one shape. Weeks past the last row
        are unshocked (all multipliers 1).

    Examples
    --------
    Half of branch 0's capacity is lost in weeks 1 and 2 (week 3 is back to normal):

    >>> s = Shock.constant(2, 4, capacity=[0.5, 1.0], start=1, end=3)
    >>> s.capacity
    array([[1. , 1. ],
           [0.5, 1. ],
           [0.5, 1. ],
           [1. , 1. ]])
    >>> s.weeks, s.n
    (4, 2)
    """

    capacity: np.ndarray | None = None
    imports: np.ndarray | None = None
    demand: np.ndarray | None = None

    def __post_init__(self) -> None:
        shapes = {}
        for name in _FACTORS:
            value = getattr(self, name)
            if value is None:
                continue
            arr = np.array(_float_array(f"Shock.{name}", value), dtype=float)
            if arr.ndim != 2:
                raise BadValueError(f"Shock.{name} must have shape (weeks, n), got {arr.shape}")
            _check_values(f"Shock.{name}", arr)
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
            shapes[name] = arr.shape
        if len(set(shapes.values())) > 1:
            raise BadValueError(f"Shock arrays must share one shape (weeks, n), got {shapes}")

    @property
    def weeks(self) -> int:
        """Number of weeks the shock describes (0 if it has no arrays)."""
        arr = next((a for a in (self.capacity, self.imports, self.demand) if a is not None), None)
        return 0 if arr is None else int(arr.shape[0])

    @property
    def n(self) -> int | None:
        """Number of branches (``None`` if the shock has no arrays)."""
        arr = next((a for a in (self.capacity, self.imports, self.demand) if a is not None), None)
        return None if arr is None else int(arr.shape[1])

    def factors(self, n: int, weeks: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Capacity, import and demand multipliers for ``weeks`` weeks, each of shape ``(weeks, n)``.

        Rows past the shock's own length are ones; rows past ``weeks`` are dropped.
        """
        if self.n is not None and self.n != n:
            raise BadValueError(f"shock has {self.n} branches, the economy has {n}")
        out = []
        for arr in (self.capacity, self.imports, self.demand):
            full = np.ones((weeks, n))
            if arr is not None:
                k = min(weeks, arr.shape[0])
                full[:k] = arr[:k]
            out.append(full)
        return out[0], out[1], out[2]

    @classmethod
    def constant(cls, n: int, weeks: int, *, capacity: ArrayLike = 1.0, imports: ArrayLike = 1.0,
                 demand: ArrayLike = 1.0, start: int = 0, end: int | None = None) -> Shock:
        """A shock that holds the same multipliers in weeks ``start`` to ``end - 1`` and is 1 outside.

        Parameters
        ----------
        n, weeks
            Branches and length of the arrays.
        capacity, imports, demand
            Multipliers, a scalar or one per branch / product.
        start, end
            The shocked weeks are ``start <= t < end``; ``end=None`` keeps the shock to the last week.
            From week ``end`` on every multiplier is 1 again.
        """
        n, weeks = _positive_int("n", n), _positive_int("weeks", weeks)
        start = operator.index(start)
        end = weeks if end is None else operator.index(end)
        if not 0 <= start <= end <= weeks:
            raise BadValueError(f"need 0 <= start <= end <= weeks, got start={start}, end={end}, "
                                f"weeks={weeks}")
        arrays = {}
        for name, value in zip(_FACTORS, (capacity, imports, demand), strict=True):
            block = np.ones((weeks, n))
            block[start:end] = _factor_block(name, value, n)
            arrays[name] = block
        return cls(**arrays)

    @classmethod
    def from_functions(cls, n: int, weeks: int, *,
                       capacity: Callable[[int], ArrayLike] | None = None,
                       imports: Callable[[int], ArrayLike] | None = None,
                       demand: Callable[[int], ArrayLike] | None = None) -> Shock:
        """A shock whose multipliers in week ``t`` are ``capacity(t)``, ``imports(t)``, ``demand(t)``.

        Each function returns a scalar or one value per branch; a function left out means ones.

        Examples
        --------
        >>> s = Shock.from_functions(1, 3, demand=lambda t: 1.0 - 0.25 * t)
        >>> s.demand[:, 0]
        array([1.  , 0.75, 0.5 ])
        """
        n, weeks = _positive_int("n", n), _positive_int("weeks", weeks)
        arrays: dict[str, np.ndarray] = {}
        for name, fn in zip(_FACTORS, (capacity, imports, demand), strict=True):
            if fn is not None:
                arrays[name] = np.array([_factor_block(f"{name}({t})", fn(t), n) for t in range(weeks)])
        if not arrays:
            arrays["capacity"] = np.ones((weeks, n))
        return cls(**arrays)


def _float(name: str, value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        raise BadValueError(f"{name} must be a number, got {quoted(value)}") from None


#: The longest simulation :func:`propagate` runs (about 19,000 years of weeks; its results
#: hold one row per week and branch).
MAX_WEEKS = 1_000_000


def _positive_int(name: str, value: Any) -> int:
    try:
        v = operator.index(value)
    except TypeError as exc:
        raise BadValueError(f"{name} must be an integer, got {value!r}") from exc
    if v < 1:
        raise BadValueError(f"{name} must be at least 1, got {v}")
    return v


# --------------------------------------------------------------------------------------------------
# rationing


def ration(supply: ArrayLike, orders: ArrayLike, ranks: ArrayLike | None = None) -> np.ndarray:
    """Share each product's supply among its customers' orders, rank by rank.

    Customers of lower rank are served first; customers of equal rank get the same fraction of
    their orders. All ranks equal is proportional rationing.

    Parameters
    ----------
    supply
        Shape ``(k,)``: what there is of each of ``k`` products.
    orders
        Shape ``(k, c)``: what each of ``c`` customers orders of each product.
    ranks
        Shape ``(c,)``: each customer's rank (any real numbers); default all equal.

    Returns
    -------
    numpy.ndarray
        Deliveries of shape ``(k, c)``, ``0 <= delivered <= orders``, each row summing to
        ``min(supply, orders.sum(axis=1))``.

    Examples
    --------
    Five units, ordered 3 and 1 by two branches and 6 by final demand (the last column):

    >>> orders = np.array([[3.0, 1.0, 6.0]])
    >>> ration([5.0], orders)                      # proportional
    array([[1.5, 0.5, 3. ]])
    >>> ration([5.0], orders, [0, 0, 1])           # industry first
    array([[3., 1., 1.]])
    >>> ration([5.0], orders, [2, 0, 1])           # second branch, then final demand, then first
    array([[0., 1., 4.]])
    """
    s = _float_array("supply", supply)
    o = _float_array("orders", orders)
    if o.ndim != 2:
        raise BadValueError(f"orders must have shape (k, c), got {o.shape}")
    s = _vector("supply", s, o.shape[0])
    _check_values("orders", o)
    r = np.zeros(o.shape[1]) if ranks is None else _float_array("ranks", ranks)
    if r.shape != (o.shape[1],):
        raise BadValueError(f"ranks must have shape ({o.shape[1]},), got {r.shape}")
    if not np.all(np.isfinite(r)):
        raise BadValueError("ranks must be finite")
    return ration_dense(s, o, tiers(r))


def _customer_ranks(scheme: str, priority: ArrayLike | None, n: int) -> np.ndarray:
    """Ranks of the ``n`` branches and of final demand (the last entry)."""
    if scheme not in SCHEMES:
        raise BadValueError(f"scheme must be one of {', '.join(map(repr, SCHEMES))}, got {scheme!r}")
    if scheme != "priority":
        if priority is not None:
            raise BadValueError(f"priority is only used with scheme='priority', not {scheme!r}")
        return np.zeros(n + 1) if scheme == "proportional" else np.r_[np.zeros(n), 1.0]
    if priority is None:
        raise BadValueError("scheme='priority' needs a priority: one rank per branch (and optionally "
                            "one more for final demand)")
    r = _float_array("priority", priority)
    if r.shape == (n,):
        r = np.r_[r, r.max() + 1.0]
    elif r.shape != (n + 1,):
        raise BadValueError(f"priority must have shape ({n},) or ({n + 1},) (final demand last), "
                            f"got {r.shape}")
    if not np.all(np.isfinite(r)):
        raise BadValueError("priority must be finite")
    return r


# --------------------------------------------------------------------------------------------------
# result


def recovery_week(output: np.ndarray, baseline: np.ndarray, tol: float = 0.01) -> int | None:
    """First week, counting from 0 as the simulation does, from which every output stays within
    ``tol`` of its baseline (so, counting weeks from 1 as reports do, the last week in which
    some output is outside it); 0 if output never leaves the band; ``None`` if never back.

    A relative band ``|x_j(t) - x0_j| <= tol * x0_j`` (plus rounding slack of ``1e-12`` relative to
    the largest baseline); 0 if output never leaves it.

    Examples
    --------
    >>> recovery_week(np.array([[10.0], [5.0], [9.95], [10.0]]), np.array([10.0]))
    2
    """
    out = _float_array("output", output)
    x0 = _float_array("baseline", baseline)
    if out.ndim != 2 or x0.shape != (out.shape[1],):
        raise BadValueError(f"output must have shape (weeks, n) and baseline shape (n,), got "
                            f"{out.shape} and {x0.shape}")
    tol = _float("tol", tol)
    if not (np.isfinite(tol) and tol >= 0):
        raise BadValueError(f"tol must be a non-negative number, got {tol}")
    slack = 1e-12 * max(float(np.max(x0, initial=0.0)), 1.0)
    inside = np.all(np.abs(out - x0) <= tol * x0 + slack, axis=1)
    if inside.size == 0 or not inside[-1]:
        return None
    outside = np.flatnonzero(~inside)
    return 0 if outside.size == 0 else int(outside[-1]) + 1


@dataclass(frozen=True, eq=False)
class PropagationResult:
    """Week-by-week outcome of :func:`propagate`; every array row is one week.

    Attributes
    ----------
    output
        ``(weeks, n)`` gross output ``x(t)``.
    demand
        ``(weeks, n)`` demand faced ``d(t)``: intermediate orders plus final demand.
    final_demand
        ``(weeks, n)`` final demand asked for, ``f0 * demand(t)``.
    final_delivered
        ``(weeks, n)`` final demand served.
    imports_delivered
        ``(weeks, n)`` imported inputs received, per product.
    baseline
        ``(n,)`` baseline output ``x0``.
    total_loss
        ``(n,)`` ``sum_t (x0 - x(t))``, in each branch's unit (negative: above baseline).
    recovery_week
        :func:`recovery_week`: the last week (counting from 1) in which some output is outside
        ``tol`` of baseline, every output within it from the week after to the end; 0 if
        output never left it; ``None`` if it is still outside in the last week.
    weeks
        Number of weeks simulated.
    tol
        The tolerance ``recovery_week`` used.
    inventory, import_inventory
        ``(n, n)`` stocks of domestic and imported inputs (input, user) after the last week: an
        array where ``A`` was dense, a ``scipy.sparse.csc_array`` on the non-zeros of ``A``
        (and of ``Am``) where it was sparse.
    """

    output: np.ndarray
    demand: np.ndarray
    final_demand: np.ndarray
    final_delivered: np.ndarray
    imports_delivered: np.ndarray
    baseline: np.ndarray
    total_loss: np.ndarray
    recovery_week: int | None
    weeks: int
    tol: float
    inventory: np.ndarray | sp.csc_array
    import_inventory: np.ndarray | sp.csc_array

    @property
    def unmet_final_demand(self) -> np.ndarray:
        """``(weeks, n)`` final demand not served."""
        return self.final_demand - self.final_delivered

    def aggregate_loss(self, prices: ArrayLike | None = None) -> float:
        """Total output lost, ``sum_j p_j total_loss_j``.

        Without prices this is a plain sum, meaningful only where all branches share a unit
        (money at baseline prices, say).
        """
        if prices is None:
            return float(self.total_loss.sum())
        p = _vector("prices", prices, self.total_loss.shape[0])
        return float(p @ self.total_loss)

    def recovery(self, tol: float) -> int | None:
        """:attr:`recovery_week` for another tolerance."""
        return recovery_week(self.output, self.baseline, tol)

    def served_week(self, tol: float | None = None) -> int | None:
        """The last week (counting from 1) in which some final demand asked is not served to
        within ``tol`` (default :attr:`tol`) of it: every final user is served from the week
        after it to the end of the run; 0 if it always was; ``None`` if it is still short in
        the last week. Output can stay within its band while final users go short
        (branches rebuild their inventories first), so a recovery of output alone can hide a
        shortage.

        Examples
        --------
        >>> import dataclasses
        >>> r = PropagationResult(*[np.zeros((3, 1))] * 5, np.ones(1), np.zeros(1), 0, 3, 0.01,
        ...                       np.zeros((1, 1)), np.zeros((1, 1)))
        >>> r = dataclasses.replace(r, final_demand=np.full((3, 1), 10.0),
        ...                         final_delivered=np.array([[10.0], [8.0], [9.95]]))
        >>> r.served_week()
        2
        """
        t = self.tol if tol is None else _float("tol", tol)
        if not (np.isfinite(t) and t >= 0):
            raise BadValueError(f"tol must be a non-negative number, got {t}")
        asked, got = self.final_demand, self.final_delivered
        slack = 1e-12 * max(float(np.max(np.abs(asked), initial=0.0)), 1.0)
        served = np.all(got >= (1.0 - t) * asked - slack, axis=1)
        if served.size == 0 or not served[-1]:
            return None
        short = np.flatnonzero(~served)
        return 0 if short.size == 0 else int(short[-1]) + 1


# --------------------------------------------------------------------------------------------------
# simulation


def _orders(out: np.ndarray, work: np.ndarray, coef: np.ndarray, expected: np.ndarray,
            gamma: float, target: np.ndarray, stock: np.ndarray) -> None:
    """``out = max(coef * expected + gamma (target - stock), 0)`` in place (``work``: scratch);
    ``expected`` is last week's demand at each pair."""
    np.multiply(coef, expected, out=out)
    np.subtract(target, stock, out=work)
    work *= gamma
    out += work
    np.maximum(out, 0.0, out=out)


def _restock(stock: np.ndarray, delivered: np.ndarray, used: np.ndarray) -> None:
    """``stock = max(stock + delivered - used, 0)`` in place."""
    stock += delivered
    stock -= used
    np.maximum(stock, 0.0, out=stock)


def propagate(A: ArrayLike, x0: ArrayLike, f0: ArrayLike, *, Am: ArrayLike | None = None,
              m0: ArrayLike | None = None, capacity: ArrayLike | None = None, shock: Shock | None = None,
              weeks: int = 52, inventory_days: ArrayLike = 14.0,
              import_inventory_days: ArrayLike | None = None, scheme: Scheme | str = "proportional",
              priority: ArrayLike | None = None, gamma: float = 0.5, tol: float = 0.01,
              progress: Callable[[int, int], object] | None = None,
              pooled_imports: ArrayLike | None = None, production: str = "leontief",
              criticality: ArrayLike | None = None, import_criticality: ArrayLike | None = None,
              households: Households | None = None) -> PropagationResult:
    """Simulate the week-by-week spread of a shock through the network (see the module docstring).

    Parameters
    ----------
    A
        ``(n, n)`` domestic technology, ``a_ij`` input ``i`` per unit of ``j``: an array, or a
        ``scipy.sparse`` matrix to keep every stock on its non-zeros (time and memory linear in
        them).
    x0, f0
        ``(n,)`` baseline weekly output and final demand (domestic use plus exports).
    Am
        ``(n, n)`` imported-input coefficients, dense or sparse; ``None``: no imported inputs.
    m0
        ``(n,)`` baseline weekly import supply per product; default ``Am @ x0``. Needs ``Am``.
    capacity
        ``(n,)`` weekly capacity; default ``x0``.
    shock
        Multipliers per week; ``None``: no shock.
    weeks
        Weeks to simulate.
    inventory_days, import_inventory_days
        Target (and initial) stocks in days of baseline use: scalar, per input product ``(n,)`` or
        per (input, user) ``(n, n)``, dense or sparse (read at the coefficients' non-zeros); at
        least 7 wherever the coefficient is positive. Imports default to ``inventory_days``.
    scheme
        ``"proportional"``, ``"industry-first"`` or ``"priority"``.
    priority
        With ``scheme="priority"``: rank of each branch as a customer, lower first, shape ``(n,)``,
        or ``(n + 1,)`` with final demand's rank last (default: after every branch).
    gamma
        Share of the stock gap ordered each week, in ``[0, 1]``.
    tol
        Relative band around baseline for :attr:`PropagationResult.recovery_week`.
    progress
        Called as ``progress(week, weeks)`` after each simulated week (``week`` from 1 to ``weeks``).
    pooled_imports
        ``(n,)`` baseline weekly imports of each product that are *competitive*: pooled with the
        domestic output of the same product and shared out with it (``A`` is then the whole
        technology, domestic and imported inputs alike, and ``x0 + pooled_imports = A x0 + f0``).
        Each week the pool is ``x(t) + pooled_imports * imports_factor(t)``; domestic output aims
        at the demand the imports leave, ``max(d - m, 0)``. Excludes ``Am``.
    production, criticality, import_criticality
        The production function (:data:`~autarky.solve.production.PRODUCTIONS`, default
        ``"leontief"``) and, for the IHS-based ones, each (input, user) pair's rating: 1
        critical, 0.5 important, 0 not critical (scalar, per input ``(n,)`` or ``(n, n)``, dense
        or sparse, a missing sparse entry meaning 0; default all critical) for domestic and for
        imported inputs.
    households
        :class:`~autarky.solve.production.Households`: household consumption follows labour
        income; ``None``: final demand is ``f0`` times its multipliers.

    Returns
    -------
    PropagationResult

    Raises
    ------
    ValueError
        An argument has the wrong shape, a negative or non-finite entry, or an unknown value.

    Examples
    --------
    Branch 0 supplies branch 1 (half a unit per unit) and final demand; branch 1 keeps one week of
    stock. Branch 0 loses half its capacity in week 0 and shares its output proportionally:

    >>> A = np.array([[0.0, 0.5], [0.0, 0.0]])
    >>> x0 = np.array([10.0, 10.0])
    >>> shock = Shock.constant(2, 6, capacity=[0.5, 1.0], start=0, end=1)
    >>> res = propagate(A, x0, x0 - A @ x0, shock=shock, weeks=6, inventory_days=7)
    >>> res.output[:, 1]                       # branch 1 runs short of input in week 1
    array([10.,  5., 10., 10., 10., 10.])
    >>> np.round(res.output[:, 0], 4)          # then over-stocked, it orders less for a while
    array([ 5.    , 10.    ,  9.7222,  9.8611,  9.9306,  9.9653])
    >>> res.recovery_week
    4
    >>> np.round(res.total_loss, 4)
    array([5.5208, 5.    ])

    The same run with ``A`` sparse keeps one stock (its one non-zero) and gives the same answers:

    >>> import scipy.sparse as sp
    >>> res_s = propagate(sp.csr_array(A), x0, x0 - A @ x0, shock=shock, weeks=6, inventory_days=7)
    >>> bool(np.allclose(res_s.output, res.output, rtol=1e-12)), res_s.inventory.nnz
    (True, 1)
    """
    sparse = sp.issparse(A)
    net = _technology("A", A, None, sparse)
    n = net.n
    if n == 0:
        raise BadValueError("A must have at least one branch")
    x0_ = _vector("x0", x0, n)
    f0_ = _vector("f0", f0, n)
    weeks = _positive_int("weeks", weeks)
    if weeks > MAX_WEEKS:
        raise BadValueError(f"weeks must be at most {MAX_WEEKS:,} (the results hold one row per "
                            f"week), got {weeks:,}")
    if progress is not None and not callable(progress):
        raise BadTypeError(f"progress must be a function of (week, weeks), got "
                           f"{type(progress).__name__}")
    if Am is None:
        if m0 is not None:
            raise BadValueError("m0 needs Am: import supply is shared out among imported-input users")
        net_m = SparsePairs(sp.csc_array((n, n))) if sparse else DensePairs(np.zeros((n, n)))
        m0_ = np.zeros(n)
    else:
        net_m = _technology("Am", Am, n, sparse)
        if m0 is not None:
            m0_ = _vector("m0", m0, n)
        elif isinstance(net_m, DensePairs):
            m0_ = net_m.coef @ x0_
        else:
            m0_ = net_m.row_sums(net_m.coef * net_m.at_cols(x0_))
    has_imports = net_m.any()
    pool = None
    if pooled_imports is not None:
        if Am is not None:
            raise BadValueError("pooled_imports excludes Am: competitive imports share the pool of "
                                "their product, non-competitive ones keep stocks of their own")
        pool = _vector("pooled_imports", pooled_imports, n)
    cap = x0_.copy() if capacity is None else _vector("capacity", capacity, n)
    if shock is None:
        shock = Shock()
    elif not isinstance(shock, Shock):
        raise BadValueError(f"shock must be a Shock, got {type(shock).__name__}")
    cap_f, imp_f, dem_f = shock.factors(n, weeks)
    tau = _days("inventory_days", inventory_days, net)
    tau_m = _days("import_inventory_days",
                  inventory_days if import_inventory_days is None else import_inventory_days, net_m)
    ranks = _customer_ranks(str(scheme), priority, n)
    gamma = _float("gamma", gamma)
    if not 0.0 <= gamma <= 1.0:
        raise BadValueError(f"gamma must lie in [0, 1], got {gamma}")
    tol = _float("tol", tol)
    if not (np.isfinite(tol) and tol >= 0):
        raise BadValueError(f"tol must be a non-negative number, got {tol}")
    limit = input_limit(str(production), net, None if Am is None else net_m, cap, criticality,
                        import_criticality)
    hh = None if households is None else HouseholdDemand(households, f0_, x0_, weeks)

    # every (input, user) quantity is a pair array: (n, n) on a dense A, (nnz,) on a sparse one
    a, am = net.coef, net_m.coef
    distribute = net.rationing(ranks, final=True)
    distribute_m = net_m.rationing(ranks, final=False)
    target = tau / DAYS_PER_WEEK * a * net.at_cols(x0_)
    target_m = tau_m / DAYS_PER_WEEK * am * net_m.at_cols(x0_)
    del tau, tau_m
    stock = target.copy()
    stock_m = target_m.copy()
    orders, use = np.empty_like(target), np.empty_like(target)  # reused every week, in place
    orders_m, use_m = np.empty_like(target_m), np.empty_like(target_m)
    d_prev = x0_.copy()

    output = np.empty((weeks, n))
    demand = np.empty((weeks, n))
    final = f0_[np.newaxis, :] * dem_f
    final_delivered = np.empty((weeks, n))
    imports_delivered = np.zeros((weeks, n))

    for t in range(weeks):
        if hh is not None:
            final[t] = hh.final(t, output[t - 1] if t else x0_, dem_f[t])
        # 1. orders, on last week's demand plus a share of the stock gap
        _orders(orders, use, a, net.at_cols(d_prev), gamma, target, stock)
        d = net.row_sums(orders) + final[t]
        # 2. production (with pooled imports: of what the imports arriving leave to be made)
        m_pool = np.zeros(n) if pool is None else pool * imp_f[t]
        x = np.minimum(cap * cap_f[t], np.maximum(d - m_pool, 0.0))
        x = np.minimum(x, limit(stock) if Am is None else limit(stock, stock_m))
        # 3. distribution of output (and pooled imports); all of it is ordered, since x <= d
        delivered, final_delivered[t] = distribute(np.minimum(x + m_pool, d), orders, final[t], d)
        if pool is not None:
            imports_delivered[t] = np.minimum(m_pool, d)
        # 4. imports
        if has_imports:
            _orders(orders_m, use_m, am, net_m.at_cols(d_prev), gamma, target_m, stock_m)
            delivered_m, _ = distribute_m(m0_ * imp_f[t], orders_m, None)
            imports_delivered[t] = net_m.row_sums(delivered_m)
            _restock(stock_m, delivered_m, np.multiply(am, net_m.at_cols(x), out=use_m))
        # 5. stocks
        _restock(stock, delivered, np.multiply(a, net.at_cols(x), out=use))
        output[t] = x
        demand[t] = d
        d_prev = d
        if progress is not None:
            progress(t + 1, weeks)

    return PropagationResult(
        output=output, demand=demand, final_demand=final, final_delivered=final_delivered,
        imports_delivered=imports_delivered, baseline=x0_,
        total_loss=(x0_[np.newaxis, :] - output).sum(axis=0),
        recovery_week=recovery_week(output, x0_, tol), weeks=weeks, tol=tol,
        inventory=net.matrix(stock), import_inventory=net_m.matrix(stock_m))
