"""Production functions and household demand for :func:`autarky.solve.propagation.propagate`.

The options of the week-by-week propagation that follow Pichler, Pangallo, del Rio-Chanona,
Lafond & Farmer (2022), "Forecasting the propagation of pandemic shocks with a dynamic
input-output model", *Journal of Economic Dynamics and Control* 144, 104527 (earlier: "Production
networks and epidemic spreading: how to restart the UK economy?", INET Oxford WP 2020-12). Their
model runs in days; here one step is a week, with the same equations per step. Notation as in
:mod:`autarky.solve.propagation`: ``a_ij`` input ``i`` per unit of branch ``j`` (their ``A_ij``
with the same orientation), ``S_ij`` the stock of ``i`` held by ``j``.

Production functions
--------------------
Output is ``x_j = min(capacity_j, d_j, x^inp_j)``; the input constraint ``x^inp_j`` depends on
``production`` and, for the three IHS-based ones, on a ``criticality`` rating of each (input,
user) pair: 1 critical, 0.5 important, 0 not critical (the paper takes them from a survey of
IHS Markit industry analysts; default: every input critical).

``"leontief"``
    ``x^inp_j = min_{i: a_ij > 0} S_ij / a_ij``: every input binds (the default; the only function
    before these options).
``"strongly-critical"``
    The same minimum over critical and important inputs; non-critical ones do not bind.
``"half-critical"``
    ``x^inp_j = min( min_{i critical} S_ij / a_ij, 1/2 (min_{k important} S_kj / a_kj + xcap_j(0)) )``
    with ``xcap_j(0)`` the unshocked capacity (``x0`` by default): running out of an important
    input halves output; non-critical inputs do not bind.
``"weakly-critical"``
    The minimum over critical inputs only.
``"linear"``
    ``x^inp_j = sum_i S_ij / sum_i a_ij``: inputs are perfect substitutes. It adds stocks of
    different products, so it is meaningful only where all products share a unit (money at
    baseline prices, as in the paper).

A branch still uses ``a_ij x_j`` of an input that does not bind; the stock is floored at zero
(their inventory rule ``S(t+1) = max(S + Z - A x, 0)``), so production goes on without it.

Household demand (consumption)
------------------------------
With :class:`Households`, the household part ``c0`` of final demand follows labour income, after
the paper's consumption function ``c~(t) = exp(rho log c~(t-1) + (1-rho)/2 log(m l~(t)) +
(1-rho)/2 log(m l~p(t)))`` with ``m = c~(0) / l~(0)``. In ratios to the baseline,
``h(t) = c~(t) / c~(0)`` is

    h(t) = h(t-1)^rho * I(t)^((1-rho)/2) * xi(t)^((1-rho)/2),   h(-1) = 1,
    I(t) = b + (1 - b) sum_j l_j x_j(t-1) / x0_j / sum_j l_j,      x(-1) = x0,

``l_j`` each branch's baseline labour income, ``b`` the share of lost wages replaced (benefits),
``xi(t)`` households' expected permanent income relative to the baseline. Final demand in week
``t`` is ``f(t) = (f0 - c0 + c0 h(t)) * demand(t)``: consumption scales down with the income the
shock takes away and with the income households expect; the rest of final demand (exports,
government, investment) follows the demand multipliers only. Without a labour module, employment
(and so labour income) follows last week's output: the paper's hiring and firing with full
adjustment each step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike

from autarky.errors import BadValueError
from autarky.solve.supply_network import DensePairs, SparsePairs, pairs_of

#: Production functions :func:`propagate <autarky.solve.propagation.propagate>` knows.
PRODUCTIONS: tuple[str, ...] = ("leontief", "strongly-critical", "half-critical", "weakly-critical",
                                "linear")
#: Ratings in a criticality matrix.
CRITICAL, IMPORTANT, NON_CRITICAL = 1.0, 0.5, 0.0
_RATED = ("strongly-critical", "half-critical", "weakly-critical")


def reorder_gamma(tau_days: float, step_days: float = 7.0) -> float:
    """The weekly ``gamma`` for the paper's daily reorder time ``tau`` (days).

    Their orders close ``1/tau`` of the stock gap a day; at unchanged demand and full deliveries
    the gap shrinks by ``(1 - 1/tau)`` a day, so by ``1 - gamma = (1 - 1/tau)^7`` a week.

    Examples
    --------
    >>> round(reorder_gamma(10.0), 4)          # their tau = 10 days
    0.5217
    >>> reorder_gamma(1.0)                      # the whole gap every day
    1.0
    """
    tau = float(tau_days)
    if not (np.isfinite(tau) and tau >= 1.0):
        raise BadValueError(f"tau_days must be a number of at least 1 (day), got {tau_days!r}")
    return 1.0 - (1.0 - 1.0 / tau) ** float(step_days)


def per_pair(name: str, arr: Any, pairs: DensePairs | SparsePairs) -> np.ndarray:
    """A scalar, a value per input product ``(n,)`` or a matrix ``(n, n)`` (dense or sparse),
    broadcast to every (input, user) pair of ``pairs``: an ``(n, n)`` array on a dense
    technology, the values at its non-zeros on a sparse one (no ``n x n`` array is formed)."""
    return pairs.setting(name, arr)


def given_values(arr: Any) -> np.ndarray:
    """The numbers a per-pair setting gives: all of a dense one, the stored entries of a sparse
    one (for the checks that hold wherever a value is given)."""
    return np.asarray(arr.data if sp.issparse(arr) else arr, dtype=float)


def _rating(name: str, value: Any, pairs: DensePairs | SparsePairs) -> np.ndarray:
    """Criticality broadcast to (input, user) pairs, each 0, 0.5 or 1 wherever it is given;
    the error names the first bad pair with a coefficient (on either layout), else the first."""
    given = given_values(value)
    arr = per_pair(name, value if sp.issparse(value) else given, pairs)
    ok = (CRITICAL, IMPORTANT, NON_CRITICAL)
    if not np.all(np.isin(given, ok)):
        bad = ~np.isin(arr, ok)
        used = bad & (pairs.coef > 0)
        where = used if used.any() else bad
        if not where.any():  # a bad value given only off the sparse pattern
            raise BadValueError(f"{name} must hold 1 (critical), 0.5 (important) or 0 (not "
                                f"critical); it has {float(given[~np.isin(given, ok)][0])!r}")
        i, j, k = pairs.first(where)
        raise BadValueError(f"{name} must hold 1 (critical), 0.5 (important) or 0 (not "
                            f"critical); input {i} of branch {j} has {float(arr[k])!r}")
    return arr


@dataclass(frozen=True, eq=False)
class LimitBlock:
    """One technology's part in an :class:`InputLimit`: its pairs, their coefficients, and
    which pairs bind fully (``binds``) or halve output (``half``)."""

    pairs: DensePairs | SparsePairs
    coef: np.ndarray
    binds: np.ndarray
    half: np.ndarray
    _safe: np.ndarray = field(init=False, repr=False)
    _all_bind: bool = field(init=False, repr=False)
    _any_half: bool = field(init=False, repr=False)

    def __post_init__(self) -> None:
        positive = self.coef > 0
        object.__setattr__(self, "_safe", self.coef if positive.all()
                           else np.where(positive, self.coef, 1.0))
        object.__setattr__(self, "_all_bind", bool(self.binds.all()))
        object.__setattr__(self, "_any_half", bool(self.half.any()))


@dataclass(frozen=True, eq=False)
class InputLimit:
    """The input constraint ``x^inp`` of one production function, set up for one run.

    ``blocks``: the domestic inputs first, the imported inputs (if any) after them; the stocks
    are passed in the same order, each laid out as its block's pairs.
    """

    rule: str
    blocks: tuple[LimitBlock, ...]
    cap0: np.ndarray

    def __call__(self, *stocks: np.ndarray) -> np.ndarray:
        n = self.cap0.shape[0]
        if self.rule == "linear":
            if all(isinstance(b.pairs, DensePairs) for b in self.blocks):  # one stacked sum
                total = np.vstack([b.coef for b in self.blocks]).sum(axis=0)
                have = (stocks[0] if len(stocks) == 1 else np.vstack(stocks)).sum(axis=0)
            else:
                total, have = np.zeros(n), np.zeros(n)
                for b, S in zip(self.blocks, stocks, strict=True):
                    total += b.pairs.col_sums(b.coef)
                    have += b.pairs.col_sums(S)
            return np.where(total > 0, have / np.where(total > 0, total, 1.0), np.inf)
        limit = np.full(n, np.inf)
        half = np.full(n, np.inf)
        any_half = False
        for b, S in zip(self.blocks, stocks, strict=True):
            ratio = S / b._safe
            limit = np.minimum(limit, b.pairs.col_min(ratio if b._all_bind
                                                      else np.where(b.binds, ratio, np.inf)))
            if b._any_half:
                any_half = True
                half = np.minimum(half, b.pairs.col_min(np.where(b.half, ratio, np.inf)))
        if any_half:
            limit = np.minimum(limit, 0.5 * (half + self.cap0))
        return limit


def input_limit(production: str, A: Any, Am: Any, cap0: np.ndarray,
                criticality: ArrayLike | None = None,
                import_criticality: ArrayLike | None = None) -> InputLimit:
    """Check ``production`` and the ratings and set up the input constraint.

    ``A`` and ``Am`` are :class:`~autarky.solve.supply_network.DensePairs` or
    :class:`~autarky.solve.supply_network.SparsePairs` (or matrices, dense or sparse, made into
    them); ``Am`` is ``None`` where there are no imported inputs; ratings (a scalar, per input
    ``(n,)`` or per pair ``(n, n)``, dense or sparse) default to every input critical.
    """
    if production not in PRODUCTIONS:
        raise BadValueError(f"production must be one of {', '.join(map(repr, PRODUCTIONS))}, "
                            f"got {production!r}")
    if production not in _RATED:
        for name, value in (("criticality", criticality),
                            ("import_criticality", import_criticality)):
            if value is not None:
                raise BadValueError(f"{name} is used only with production "
                                    f"{', '.join(map(repr, _RATED))}, not {production!r}")
    net = A if isinstance(A, (DensePairs, SparsePairs)) else pairs_of(A)
    sides = [(net, CRITICAL if criticality is None else criticality, "criticality")]
    if Am is not None:
        net_m = Am if isinstance(Am, (DensePairs, SparsePairs)) else pairs_of(Am)
        sides.append((net_m, CRITICAL if import_criticality is None else import_criticality,
                      "import_criticality"))
    elif import_criticality is not None:
        raise BadValueError("import_criticality needs Am (imported inputs with stocks of their own)")
    blocks = []
    for pairs, value, name in sides:
        coef = pairs.coef
        rate = _rating(name, value, pairs)
        used = coef > 0
        if production == "leontief" or production == "linear":
            binds, half = used, np.zeros_like(used)
        elif production == "strongly-critical":
            binds, half = used & (rate >= IMPORTANT), np.zeros_like(used)
        elif production == "weakly-critical":
            binds, half = used & (rate == CRITICAL), np.zeros_like(used)
        else:
            binds, half = used & (rate == CRITICAL), used & (rate == IMPORTANT)
        blocks.append(LimitBlock(pairs, coef, binds, half))
    return InputLimit(production, tuple(blocks), np.asarray(cap0, dtype=float))


# --------------------------------------------------------------------------------------------------
# households


@dataclass(frozen=True)
class Households:
    """Household consumption that follows labour income (see the module docstring).

    Parameters
    ----------
    consumption
        ``(n,)`` baseline weekly household consumption ``c0``, part of final demand ``f0``
        (``c0 <= f0``). :func:`autarky.reliance.stress.stress` fills ``None`` with the
        baseline plan's home final use.
    labour
        ``(n,)`` baseline labour income of each branch, in any one unit (only shares count).
        ``None``: proportional to ``x0`` (meaningful where outputs share a unit);
        :func:`~autarky.reliance.stress.stress` uses the value of output.
    rho
        Persistence of consumption per week, in ``[0, 1]``. The default is the paper's daily
        ``1 - (1 - 0.6)/90`` (a quarterly persistence of 0.6) over seven days: ``0.969``.
    benefits
        ``b``: share of lost labour income replaced, in ``[0, 1]`` (default 0; the paper's UK
        furlough scheme replaced 80 %).
    permanent_income
        ``xi``: expected permanent income relative to the baseline, a non-negative scalar for
        every week or one value per week (weeks past the end: 1).
    """

    consumption: ArrayLike | None = None
    labour: ArrayLike | None = None
    rho: float = (1.0 - 0.4 / 90.0) ** 7
    benefits: float = 0.0
    permanent_income: ArrayLike = 1.0


class HouseholdDemand:
    """Final demand week by week under :class:`Households` (state: last ``h``)."""

    def __init__(self, spec: Households, f0: np.ndarray, x0: np.ndarray, weeks: int) -> None:
        if not isinstance(spec, Households):
            raise BadValueError(f"households must be a Households, got {type(spec).__name__}")
        n = f0.shape[0]
        if spec.consumption is None:
            raise BadValueError("Households.consumption is needed: baseline weekly household "
                                "consumption, part of f0")
        c0 = _nonneg("Households.consumption", spec.consumption, (n,))
        if np.any(c0 > f0 * (1 + 1e-12) + 1e-12):
            raise BadValueError("Households.consumption must not exceed f0 (it is part of final "
                                "demand)")
        lab = x0 if spec.labour is None else _nonneg("Households.labour", spec.labour, (n,))
        if not lab.sum() > 0:
            raise BadValueError("Households.labour must have a positive entry")
        self.rho = _unit("Households.rho", spec.rho)
        self.b = _unit("Households.benefits", spec.benefits)
        xi = np.asarray(spec.permanent_income, dtype=float)
        if xi.ndim > 1:
            raise BadValueError(f"Households.permanent_income must be a scalar or one value per "
                                f"week, got shape {xi.shape}")
        xi = _nonneg("Households.permanent_income", xi, xi.shape)
        self.xi = np.full(weeks, float(xi)) if xi.ndim == 0 else np.ones(weeks)
        if xi.ndim == 1:
            self.xi[: min(weeks, xi.size)] = xi[:weeks]
        self.c0, self.other = np.minimum(c0, f0), f0 - np.minimum(c0, f0)
        self.weight = lab / lab.sum()
        self.x0 = x0
        self.h = 1.0

    def final(self, t: int, x_prev: np.ndarray, demand: np.ndarray) -> np.ndarray:
        """Final demand asked for in week ``t`` after output ``x_prev`` in week ``t - 1``."""
        share = np.where(self.x0 > 0, x_prev / np.where(self.x0 > 0, self.x0, 1.0), 1.0)
        income = self.b + (1.0 - self.b) * float(self.weight @ share)
        k = 0.5 * (1.0 - self.rho)
        self.h = self.h ** self.rho * income ** k * self.xi[t] ** k
        return (self.other + self.c0 * self.h) * demand


def _nonneg(name: str, value: Any, shape: tuple[int, ...]) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise BadValueError(f"{name} must be numeric, got {value!r:.60}") from None
    if arr.shape != shape:
        raise BadValueError(f"{name} must have shape {shape}, got {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise BadValueError(f"{name} must be finite and non-negative")
    return arr


def _unit(name: str, value: Any) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise BadValueError(f"{name} must be a number, got {value!r:.60}") from None
    if not 0.0 <= v <= 1.0:
        raise BadValueError(f"{name} must lie in [0, 1], got {v}")
    return v
