"""Plan arithmetic: compound growth, average rates, multiples, and rate-against-multiple checks.

The Seven Year Plan (1961-67) promised 18 % a year and "3.2 times" the 1960 output by 1967: seven
years of growth. By hand::

    1.18^2 = 1.3924
    1.18^3 = 1.3924 * 1.18     = 1.643032
    1.18^4 = 1.3924^2          = 1.93877776
    1.18^7 = 1.18^4 * 1.18^3   = 1.93877776 * 1.643032 = 3.18547390...   (about 3.19)

so "18 %" and "3.2 times" agree once "3.2" is allowed its rounding (3.15 to 3.25).
The other way round, 3.2^(1/7) = exp(ln 3.2 / 7) = exp(1.163151 / 7) = exp(0.166164) = 1.18077:
3.2 times in seven years is 18.08 % a year.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autarky.plan import (
    average_rate,
    chain,
    check_rate_against_multiple,
    compound,
    multiple,
    years_to_multiple,
)
from autarky.plan.growth import half_unit

SEVEN_YEARS_AT_18 = 1.93877776 * 1.643032  # 1.18^7, see the module docstring


def test_seven_year_plan_rate_agrees_with_multiple():
    c = check_rate_against_multiple("18", "3.2", 1960, 1967)
    assert c.agree is True
    assert c.years == 7
    assert c.implied_multiple == pytest.approx(SEVEN_YEARS_AT_18, rel=1e-12)
    assert c.implied_multiple == pytest.approx(3.1855, abs=1e-4)
    assert c.implied_rate == pytest.approx(0.18077, abs=1e-5)
    # "18" means 17.5 to 18.5 %, "3.2" means 3.15 to 3.25.
    assert c.rate_range == pytest.approx((0.175, 0.185), abs=1e-15)
    assert c.multiple_range == pytest.approx((3.15, 3.25), abs=1e-15)


def test_a_rate_that_cannot_yield_the_multiple():
    # 10 % a year for seven years: 1.1^7 = 1.9487171; even 10.5 % gives 1.105^7 = 2.0116 < 3.15.
    c = check_rate_against_multiple("10", "3.2", 1960, 1967)
    assert c.agree is False
    assert c.implied_multiple == pytest.approx(1.9487171, rel=1e-9)


def test_rounding_decides_agreement():
    # 17 % for seven years: 1.17^7 = 3.0012 and 1.175^7 = 3.0922, both below 3.15: "17" and
    # "3.2" cannot both hold, although they differ by less than one point.
    assert check_rate_against_multiple("17", "3.2", 1960, 1967).agree is False
    # Stated to one more digit, "18.0" % allows only 17.95-18.05 %: 1.1795^7 = 3.17604 and
    # 1.1805^7 = 3.19493, which reaches "3.2" (3.15-3.25) and "3.19" (3.185-3.195) ...
    assert check_rate_against_multiple("18.0", "3.2", 1960, 1967).agree is True
    assert check_rate_against_multiple("18.0", "3.19", 1960, 1967).agree is True
    # ... but falls just short of "3.20" (3.195-3.205): 3.19493 < 3.195.
    assert check_rate_against_multiple("18.0", "3.20", 1960, 1967).agree is False


def test_years_must_run_forward():
    with pytest.raises(ValueError, match="after"):
        check_rate_against_multiple("18", "3.2", 1967, 1960)


def test_helpers_by_hand():
    assert multiple(0.18, 7) == pytest.approx(SEVEN_YEARS_AT_18, rel=1e-12)
    assert compound(100.0, 0.10, 2) == pytest.approx(121.0, rel=1e-12)  # 100 * 1.1 * 1.1
    # 17 % in 1964 and 14 % in 1965: 1.17 * 1.14 = 1.3338.
    assert chain([0.17, 0.14]) == pytest.approx(1.3338, rel=1e-12)
    assert chain([]) == 1.0
    # Doubling at 100 % a year takes one year; nine-fold at 200 % takes two (3^2 = 9).
    assert years_to_multiple(1.0, 2.0) == pytest.approx(1.0, rel=1e-12)
    assert years_to_multiple(2.0, 9.0) == pytest.approx(2.0, rel=1e-12)
    # 21 % a year over two years is 1.21^2 = 1.4641 times; so the rate of 1.4641 is 21 %.
    assert average_rate(1.4641, 2) == pytest.approx(0.21, rel=1e-12)
    # "28 days of 1963 = all of 1944": 365 / 28 = 13.04 times over 19 years of growth,
    # 13.04^(1/19) = exp(ln(13.036) / 19) = exp(2.5677 / 19) = 1.1447: 14.5 % a year.
    assert average_rate(365 / 28, 1963 - 1944) == pytest.approx(0.1447, abs=1e-4)


def test_half_unit_of_the_last_stated_digit():
    assert half_unit("3.2") == pytest.approx(0.05, rel=1e-12)
    assert half_unit("18") == pytest.approx(0.5, rel=1e-12)
    assert half_unit("34.8") == pytest.approx(0.05, rel=1e-12)
    assert half_unit("0.045") == pytest.approx(0.0005, rel=1e-12)


def test_helpers_refuse_meaningless_input():
    with pytest.raises(ValueError):
        average_rate(0.0, 7)
    with pytest.raises(ValueError):
        average_rate(3.2, 0)
    with pytest.raises(ValueError):
        years_to_multiple(-1.0, 2.0)
    with pytest.raises(ValueError):
        years_to_multiple(0.1, 0.0)


# Rates away from zero: at r = 0 a multiple does not determine the years.
rates = st.one_of(st.floats(-0.5, -1e-3), st.floats(1e-3, 2.0))
years = st.floats(0.5, 60.0)


@settings(max_examples=50, deadline=None)
@given(rates, years)
def test_average_rate_inverts_multiple(rate, n):
    assert average_rate(multiple(rate, n), n) == pytest.approx(rate, rel=1e-9, abs=1e-12)


@settings(max_examples=50, deadline=None)
@given(rates, years)
def test_years_to_multiple_inverts_multiple(rate, n):
    assert years_to_multiple(rate, multiple(rate, n)) == pytest.approx(n, rel=1e-9)


@settings(max_examples=50, deadline=None)
@given(st.floats(0.05, 50.0), years)
def test_multiple_inverts_average_rate(mult, n):
    assert multiple(average_rate(mult, n), n) == pytest.approx(mult, rel=1e-9)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-0.5, 1.0), min_size=0, max_size=12))
def test_chain_is_a_product_and_constant_rates_compound(rs):
    assert chain(rs) == pytest.approx(math.prod(1 + r for r in rs), rel=1e-12)
    if rs:
        assert chain([rs[0]] * len(rs)) == pytest.approx(multiple(rs[0], len(rs)), rel=1e-12)
