"""Plan arithmetic: compound growth, average rates, multiples over years.

Planned economies stated targets three ways: an average yearly rate ("18 per cent a year"), a
multiple of a base year ("3.2 times 1960 by 1967"), or a level. These helpers convert between
them and say whether two statements agree once each is allowed its rounding.

A multiple between years ``t0`` and ``t1`` spans ``t1 - t0`` yearly steps: growth "over
1961-67" from the 1960 base is seven years of growth.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from autarky import checks
from autarky.errors import BadTypeError, BadValueError


def multiple(rate: float, years: float) -> float:
    """Multiple reached after ``years`` at ``rate`` a year: ``(1 + rate) ** years``.

    Examples
    --------
    >>> round(multiple(0.18, 7), 4)
    3.1855
    """
    rate, years = checks.real("rate", rate), checks.real("years", years)
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
    return float(checks.real("level", level) * multiple(rate, years))


def average_rate(mult: float, years: float) -> float:
    """Average yearly rate that yields ``mult`` in ``years``: ``mult ** (1 / years) - 1``.

    Examples
    --------
    >>> round(average_rate(3.2, 7), 5)
    0.18077
    """
    mult, years = checks.real("multiple", mult), checks.real("years", years)
    if mult <= 0 or years <= 0:
        raise BadValueError(f"multiple and years must be positive, got multiple {mult:g} and "
                            f"years {years:g}")
    return float(mult ** (1.0 / years) - 1.0)


def years_to_multiple(rate: float, mult: float) -> float:
    """Years of growth at ``rate`` needed to reach ``mult``.

    Examples
    --------
    >>> round(years_to_multiple(0.348, 9), 2)  # 34.8 % a year: nine-fold in about 7.4 years
    7.36
    """
    rate, mult = checks.real("rate", rate), checks.real("multiple", mult)
    if rate <= -1 or mult <= 0:
        raise BadValueError(f"rate must exceed -1 and multiple be positive, got rate {rate:g} and "
                            f"multiple {mult:g}")
    if mult == 1.0:
        return 0.0
    if rate == 0.0:
        raise BadValueError(f"a rate of 0 never reaches a multiple of {mult:g}")
    return math.log(mult) / math.log1p(rate)


def chain(rates: Sequence[float]) -> float:
    """Multiple from a sequence of yearly rates (e.g. reported growth year by year).

    Examples
    --------
    >>> round(chain([0.17, 0.14]), 4)
    1.3338
    """
    if isinstance(rates, (str, bytes)) or not isinstance(rates, Iterable):
        raise BadTypeError(f"rates must be a sequence of yearly rates, got {rates!r:.60}")
    out = 1.0
    for k, r in enumerate(rates):
        out *= 1.0 + checks.real(f"rates[{k}]", r)
    return out


def half_unit(stated: float | str) -> float:
    """Half a unit in the last stated digit: the rounding a figure written as ``stated`` allows.

    Examples
    --------
    >>> half_unit("3.2"), half_unit("18")
    (0.05, 0.5)
    """
    if not isinstance(stated, str):
        checks.real("stated", stated)
    try:
        exp = Decimal(str(stated).strip()).as_tuple().exponent
    except InvalidOperation:
        raise BadValueError(f"stated must be a number as written, got {stated!r}") from None
    if not isinstance(exp, int):  # NaN, infinity
        raise BadValueError(f"stated must be a finite number, got {stated!r}")
    return 0.5 * 10.0 ** exp


def _stated_number(name: str, value: float | str) -> float:
    """A statement (a number, or a number as written) as a finite float."""
    if isinstance(value, str):
        try:
            v = float(value)
        except ValueError:
            raise BadValueError(f"{name} must be a number, got {value!r}") from None
        return checks.real(name, v)
    return checks.real(name, value)


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
    years = checks.integer("end", end) - checks.integer("start", start)
    if years <= 0:
        raise BadValueError(f"end must come after start, got start {start} and end {end}")
    r = _stated_number("rate_percent", rate_percent) / 100.0
    m = _stated_number("mult", mult)
    hr = half_unit(rate_percent) / 100.0
    hm = half_unit(mult)
    r_lo, r_hi = r - hr, r + hr
    m_lo, m_hi = m - hm, m + hm
    agree = multiple(r_lo, years) <= m_hi and multiple(r_hi, years) >= m_lo
    return GrowthCheck(r, m, years, multiple(r, years), average_rate(m, years),
                       (r_lo, r_hi), (m_lo, m_hi), agree)
