"""Plan arithmetic: compound growth, average rates, multiples over years.

Planned economies stated targets three ways: an average yearly rate ("18 per cent a year"), a
multiple of a base year ("3.2 times 1960 by 1967"), or a level. These helpers convert between
them and say whether two statements agree once each is allowed its rounding.

A multiple between years ``t0`` and ``t1`` spans ``t1 - t0`` yearly steps: growth "over
1961-67" from the 1960 base is seven years of growth.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal


def multiple(rate: float, years: float) -> float:
    """Multiple reached after ``years`` at ``rate`` a year: ``(1 + rate) ** years``.

    Examples
    --------
    >>> round(multiple(0.18, 7), 4)
    3.1855
    """
    if rate <= -1.0:
        return float((1.0 + rate) ** years)
    return math.exp(years * math.log1p(rate))  # exact for rates near zero


def compound(level: float, rate: float, years: float) -> float:
    """Level after ``years`` of growth at ``rate``: ``level * (1 + rate) ** years``.

    Examples
    --------
    >>> round(compound(100.0, 0.10, 2), 6)
    121.0
    """
    return float(level * multiple(rate, years))


def average_rate(mult: float, years: float) -> float:
    """Average yearly rate that yields ``mult`` in ``years``: ``mult ** (1 / years) - 1``.

    Examples
    --------
    >>> round(average_rate(3.2, 7), 5)
    0.18077
    """
    if mult <= 0 or years <= 0:
        raise ValueError("multiple and years must be positive")
    return float(mult ** (1.0 / years) - 1.0)


def years_to_multiple(rate: float, mult: float) -> float:
    """Years of growth at ``rate`` needed to reach ``mult``.

    Examples
    --------
    >>> round(years_to_multiple(0.348, 9), 2)  # 34.8 % a year: nine-fold in about 7.4 years
    7.36
    """
    if rate <= -1 or mult <= 0:
        raise ValueError("rate must exceed -1 and multiple be positive")
    return math.log(mult) / math.log1p(rate)


def chain(rates: Sequence[float]) -> float:
    """Multiple from a sequence of yearly rates (e.g. reported growth year by year).

    Examples
    --------
    >>> round(chain([0.17, 0.14]), 4)
    1.3338
    """
    out = 1.0
    for r in rates:
        out *= 1.0 + r
    return out


def half_unit(stated: float | str) -> float:
    """Half a unit in the last stated digit: the rounding a figure written as ``stated`` allows.

    Examples
    --------
    >>> half_unit("3.2"), half_unit("18")
    (0.05, 0.5)
    """
    exp = Decimal(str(stated)).as_tuple().exponent
    return 0.5 * 10.0 ** int(exp)


@dataclass(frozen=True)
class GrowthCheck:
    """Whether a yearly rate and a multiple over the same years can both be true.

    Attributes
    ----------
    rate, mult, years
        The two statements (rate as a fraction) and the years of growth between them.
    implied_multiple
        ``(1 + rate) ** years``.
    implied_rate
        ``mult ** (1 / years) - 1``.
    multiple_range, rate_range
        The intervals the statements allow, each rounded to its last stated digit.
    agree
        True when some rate inside ``rate_range`` yields a multiple inside ``multiple_range``.
    """

    rate: float
    mult: float
    years: float
    implied_multiple: float
    implied_rate: float
    rate_range: tuple[float, float]
    multiple_range: tuple[float, float]
    agree: bool


def check_rate_against_multiple(
    rate_percent: float | str, mult: float | str, start: int, end: int
) -> GrowthCheck:
    """Check a stated yearly rate (in per cent) against a stated multiple of year ``start``.

    Each statement is taken as exact to half a unit of its last digit ("18" per cent means
    17.5-18.5 %, "3.2 times" 3.15-3.25).

    Examples
    --------
    The Seven Year Plan: 18 % a year over 1961-67 against "3.2 times" 1960.

    >>> c = check_rate_against_multiple("18", "3.2", 1960, 1967)
    >>> round(c.implied_multiple, 3), round(100 * c.implied_rate, 2), c.agree
    (3.185, 18.08, True)
    """
    years = end - start
    if years <= 0:
        raise ValueError("end must come after start")
    r = float(rate_percent) / 100.0
    m = float(mult)
    hr = half_unit(rate_percent) / 100.0
    hm = half_unit(mult)
    r_lo, r_hi = r - hr, r + hr
    m_lo, m_hi = m - hm, m + hm
    agree = multiple(r_lo, years) <= m_hi and multiple(r_hi, years) >= m_lo
    return GrowthCheck(r, m, years, multiple(r, years), average_rate(m, years),
                       (r_lo, r_hi), (m_lo, m_hi), agree)
