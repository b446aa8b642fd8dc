"""Digit tests: Benford's law for first digits, uniformity of last digits.

These are screening tools, not proofs. Caveats that apply to every result here:

* Benford's law holds only for data that span several orders of magnitude and arise from
  multiplicative processes (outputs of many plants, prices times quantities). Data that are
  assigned (codes, plan targets set in round numbers), capped or floored, or confined to one order
  of magnitude (percentages between 10 and 99, heights of people) need not follow it.
* Small samples have little power: with a few dozen numbers even a gross departure is seldom
  significant, while with tens of thousands of numbers trivial departures become significant;
  Nigrini's mean absolute deviation (MAD) does not depend on ``n`` in that way and is reported
  for that reason.
* Last-digit tests assume that the last stated digit is free to take any value; figures rounded
  to 0 or 5 by convention (or reported to the nearest ten) fail them honestly.
* A pass is not evidence of honesty: invented numbers can follow Benford's law, and a careful
  forger can make last digits uniform. A failure says where to look, not what happened.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from autarky import checks
from autarky.errors import BadTypeError, BadValueError

#: Nigrini's (2012, *Benford's Law*, table 7.1) MAD thresholds for first digits, upper bounds of
#: close conformity, acceptable conformity and marginally acceptable conformity; above the last,
#: nonconformity.
NIGRINI_FIRST_DIGIT = ((0.006, "close conformity"), (0.012, "acceptable conformity"),
                       (0.015, "marginally acceptable conformity"))


def benford_expected() -> np.ndarray:
    """Benford's first-digit probabilities ``log10(1 + 1/d)`` for ``d = 1..9``.

    >>> [round(float(p), 5) for p in benford_expected()[:3]]
    [0.30103, 0.17609, 0.12494]
    """
    d = np.arange(1, 10)
    return np.log10(1.0 + 1.0 / d)


def _listed(values: Any) -> list[Any]:
    """``values`` as a list: a string, ``None`` or a single number is refused (a string would
    otherwise be read character by character)."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise BadTypeError(f"values must be a sequence of numbers, got {values!r:.60}")
    return list(values)


def _alpha(alpha: Any) -> float:
    return checks.real("alpha", alpha, lower=0.0, upper=1.0, lower_open=True, upper_open=True)


def first_digits(values: Iterable[float]) -> np.ndarray:
    """First significant digit (1..9) of every finite non-zero value (signs ignored).

    >>> first_digits([0.0042, 315, -7.9, 1000, 0]).tolist()
    [4, 3, 7, 1]
    """
    x = np.abs(checks.floats("values", _listed(values)))
    x = x[np.isfinite(x) & (x > 0)]
    if x.size == 0:
        return np.zeros(0, dtype=int)
    mant = x / 10.0 ** np.floor(np.log10(x))
    mant = np.where(mant >= 10.0, mant / 10.0, mant)  # guard the rounding of log10 near powers
    mant = np.where(mant < 1.0, mant * 10.0, mant)
    return np.clip(np.floor(mant * (1 + 1e-12)), 1, 9).astype(int)


@dataclass(frozen=True)
class BenfordResult:
    """First-digit test against Benford's law.

    Attributes
    ----------
    n
        Number of values tested (non-zero, finite).
    digits
        1..9.
    counts
        Observed count of each first digit.
    observed, expected
        Observed relative frequencies and Benford's ``log10(1 + 1/d)``.
    chi2, dof, p_value
        Pearson's chi-square statistic, its 8 degrees of freedom and ``P(chi2_8 >= chi2)``.
    mad
        Nigrini's mean absolute deviation ``mean_d |observed_d - expected_d|``.
    conformity
        Nigrini's reading of ``mad``: close, acceptable, marginally acceptable, or nonconformity.
    rejects
        ``p_value < alpha``.
    """

    n: int
    digits: tuple[int, ...]
    counts: tuple[int, ...]
    observed: tuple[float, ...]
    expected: tuple[float, ...]
    chi2: float
    dof: int
    p_value: float
    mad: float
    conformity: str
    rejects: bool


def benford_test(values: Iterable[float], *, alpha: float = 0.05) -> BenfordResult:
    """Compare the first significant digits of ``values`` with Benford's law.

    Zeros and non-finite values are dropped; signs are ignored. The chi-square test has 8 degrees
    of freedom; Nigrini's MAD is judged by his first-digit thresholds 0.006, 0.012 and 0.015
    (:data:`NIGRINI_FIRST_DIGIT`).

    Caveats: Benford's law is expected only of data that span several orders of magnitude and are
    neither assigned nor capped; small samples have low power (and very large ones reject trivial
    departures: read the MAD too); a pass is not evidence of honesty.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> r = benford_test(10 ** rng.uniform(0, 5, 2000))
    >>> r.n, r.rejects, r.conformity
    (2000, False, 'close conformity')
    >>> benford_test(range(100, 1000)).rejects  # first digits uniform
    True
    """
    _alpha(alpha)
    d = first_digits(values)
    n = int(d.size)
    if n == 0:
        raise BadValueError("benford_test needs at least one non-zero finite value")
    counts = np.bincount(d, minlength=10)[1:10]
    expected = benford_expected()
    observed = counts / n
    chi2 = float((((counts - n * expected) ** 2) / (n * expected)).sum())
    p = float(stats.chi2.sf(chi2, 8))
    mad = float(np.abs(observed - expected).mean())
    conformity = "nonconformity"
    for bound, label in NIGRINI_FIRST_DIGIT:
        if mad <= bound:
            conformity = label
            break
    return BenfordResult(n, tuple(range(1, 10)), tuple(int(c) for c in counts),
                         tuple(float(o) for o in observed), tuple(float(e) for e in expected),
                         chi2, 8, p, mad, conformity, p < alpha)


@dataclass(frozen=True)
class LastDigitResult:
    """Test of uniformity of last digits.

    Attributes
    ----------
    n
        Number of values tested.
    counts
        Count of each last digit 0..9.
    observed, expected
        Relative frequencies and the uniform 0.1 each.
    chi2, dof, p_value
        Pearson's chi-square statistic, its 9 degrees of freedom and ``P(chi2_9 >= chi2)``.
    rejects
        ``p_value < alpha``.
    """

    n: int
    counts: tuple[int, ...]
    observed: tuple[float, ...]
    expected: tuple[float, ...]
    chi2: float
    dof: int
    p_value: float
    rejects: bool


def _last_digit(v: float | int | str, digits: int) -> int | None:
    if isinstance(v, str):
        for ch in reversed(v.strip()):
            if ch.isdigit():
                return int(ch)
        return None
    x = abs(float(v))
    if not math.isfinite(x):
        return None
    return round(x * 10.0**digits) % 10


def last_digit_test(
    values: Iterable[float | int | str], digits: int = 0, *, alpha: float = 0.05
) -> LastDigitResult:
    """Chi-square test that the last stated digit of ``values`` is uniform on 0..9.

    Parameters
    ----------
    values
        Numbers, or the numbers as written (strings). For a string the last digit character is
        taken (``"3.20"`` -> 0, ``"1,159"`` -> 9). For a number it is the digit ``digits``
        places after the decimal point: ``round(|x| 10**digits) mod 10``.
    digits
        Decimal place of the last stated digit of numeric values: 0 for whole numbers, 1 for
        figures stated to tenths (3.2, 24.5), -1 for figures stated to tens.
    alpha
        Level of the test.

    Caveats: the test assumes the last digit is not rounded to 0 or 5 by convention (figures
    reported to the nearest 5 or 10 fail it without any manipulation); small samples have low
    power (about 50 values or more are needed to see even a strong preference); a pass is not
    evidence of honesty.

    Examples
    --------
    >>> last_digit_test(range(1000)).rejects
    False
    >>> last_digit_test([10, 20, 30, 40, 50] * 20).rejects
    True
    >>> last_digit_test(["3.2", "24.5", "84.4"]).counts[2:6]
    (1, 0, 1, 1)
    """
    _alpha(alpha)
    digits = checks.integer("digits", digits, lower=-15, upper=15)
    listed = _listed(values)
    for v in listed:
        if not isinstance(v, str) and not checks.is_real(v):
            raise BadTypeError(f"values must be numbers or numbers as written (strings), got "
                               f"{v!r:.60}")
    ds = [d for d in (_last_digit(v, digits) for v in listed) if d is not None]
    n = len(ds)
    if n == 0:
        raise BadValueError("last_digit_test needs at least one value"
                            + (f" with a finite number or a digit; none of {len(listed)} given "
                               f"(first {listed[0]!r:.30}) has one" if listed else ""))
    counts = np.bincount(np.asarray(ds, dtype=int), minlength=10)[:10]
    e = n / 10.0
    chi2 = float(((counts - e) ** 2 / e).sum())
    p = float(stats.chi2.sf(chi2, 9))
    return LastDigitResult(n, tuple(int(c) for c in counts), tuple(float(c) / n for c in counts),
                           (0.1,) * 10, chi2, 9, p, p < alpha)


__all__ = ["NIGRINI_FIRST_DIGIT", "BenfordResult", "LastDigitResult", "benford_expected",
           "benford_test", "first_digits", "last_digit_test"]
