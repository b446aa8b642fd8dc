"""Claims audit (autarky.monitor.audit) and digit tests (autarky.monitor.digits).

Every expected number is derived by hand in the test (closed forms of small weighted least-squares
problems, products of the source's multiples), never copied from the code's output.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from autarky.data import load_claims
from autarky.data.claims import Claim
from autarky.errors import AutarkyError, BadValueError, ScenarioError
from autarky.io.results import to_json_dict
from autarky.monitor.audit import audit, half_unit, read_claims_csv
from autarky.monitor.digits import benford_expected, benford_test, last_digit_test


def C(cid: str, kind: str, q: str, v: float, year: int, base: int | None = None, *,
      of: str | None = None, conf: float = 1.0, unit: str = "u") -> Claim:
    return Claim(cid, kind, q, float(v), unit, year=year, base_year=base, of=of, confidence=conf)


def row(res, cid: str) -> dict:
    return res.claims.set_index("id").loc[cid].to_dict()


def level(res, q: str, year: int) -> float:
    s = res.series
    return float(s[(s["quantity"] == q) & (s["year"] == year)]["value"].iloc[0])


def srow(res, q: str, year: int) -> dict:
    s = res.series
    return s[(s["quantity"] == q) & (s["year"] == year)].iloc[0].to_dict()


# ----------------------------------------------------------------------------- 1. consistent
def test_consistent_claims_recover_the_exact_series() -> None:
    """q(1960) = 100, 10 % a year 1960-62 and q(1962)/q(1961) = 1.1.

    Three claims, three unknowns: q(1962) = 100 * 1.1^2 = 121, q(1961) = 121 / 1.1 = 110.
    """
    res = audit([C("l", "level", "x", 100, 1960), C("g", "growth", "x", 0.10, 1962, 1960),
                 C("r", "ratio", "x", 1.1, 1962, 1961)])
    assert list(res.series["year"]) == [1960, 1961, 1962]
    assert level(res, "x", 1960) == pytest.approx(100, rel=1e-12)
    assert level(res, "x", 1961) == pytest.approx(110, rel=1e-12)
    assert level(res, "x", 1962) == pytest.approx(121, rel=1e-12)
    assert np.allclose(res.claims["log_residual"], 0, atol=1e-12)
    assert np.allclose(res.claims["residual_pct"], 0, atol=1e-10)
    assert not res.claims["flag"].any()
    assert res.chi2 == pytest.approx(0, abs=1e-20)
    assert res.dof == 0 and math.isnan(res.p_value) and res.consistent
    assert row(res, "g")["fitted"] == pytest.approx(0.10, rel=1e-12)   # fitted in its own terms
    assert res.implied("x", 1961).value == pytest.approx(110, rel=1e-12)


# ----------------------------------------------------------------------------- 2. one altered
#: True series A = 100, 110, 121 (2000-02) and B = 0.4 A. Every claim on A lies on two or more
#: independent loops (the levels a0, a2; the growth g over 2000-02; the two one-year ratios), and
#: s1 and b1 are checked through B's growth and share in 2002, so an error in any of them is
#: over-determined. (s2 and bg are the only path to B 2002: a single loop, where the standardised
#: residuals are all equal and the culprit cannot be told apart; they are not perturbed.)
TWO_QUANTITIES = [
    C("a0", "level", "A", 100, 2000), C("g", "growth", "A", 0.1, 2002, 2000),
    C("r1", "ratio", "A", 1.1, 2001, 2000), C("r2", "ratio", "A", 1.1, 2002, 2001),
    C("a2", "level", "A", 121, 2002), C("s1", "share", "B", 0.4, 2001, of="A"),
    C("b1", "level", "B", 44, 2001), C("s2", "share", "B", 0.4, 2002, of="A"),
    C("bg", "growth", "B", 0.1, 2002, 2001),
]


def test_the_unaltered_two_quantity_set_is_consistent() -> None:
    res = audit(TWO_QUANTITIES, sigma_floor=0.07)
    assert np.allclose(res.claims["log_residual"], 0, atol=1e-12)
    assert res.dof == len(TWO_QUANTITIES) - 5   # unknowns A 2000-02, B 2001-02
    assert level(res, "B", 2002) == pytest.approx(48.4, rel=1e-12)


@pytest.mark.parametrize("altered", ["a0", "g", "r1", "r2", "a2", "s1", "b1"])
def test_one_altered_claim_is_the_one_flagged(altered: str) -> None:
    claims = []
    for c in TWO_QUANTITIES:
        if c.id == altered:   # 30 % more of what it says about its level(s)
            v = ((1 + c.value) ** 2 * 1.3) ** 0.5 - 1 if c.id == "g" else c.value * 1.3
            c = dataclasses.replace(c, value=v)
        claims.append(c)
    res = audit(claims, sigma_floor=0.07)
    z = res.claims.set_index("id")["z"].abs()
    assert z.idxmax() == altered
    assert z[altered] > 2
    assert res.flagged == [altered]
    # (the global chi-square, spread over all 4 degrees of freedom, need not reject a single
    # outlier of this size: that is what the per-claim z is for)


# ----------------------------------------------------------------------------- 3. by hand
def test_hand_worked_level_ratio_level() -> None:
    r"""Unknowns a = log q(2000), b = log q(2001); claims (sigma_floor = 0)

    1. level q(2000) = 100:       a     = L1 = log 100,  s1 = 0.5/100             = 0.005
    2. ratio 1.2, confidence 0.5: b - a = L2 = log 1.2,  s2 = (0.05/1.2)/0.5      = 0.083333
    3. level q(2001) = 115:       b     = L3 = log 115,  s3 = 0.5/115             = 0.0043478

    With w_i = 1/s_i^2 the normal equations are

        (w1 + w2) a -        w2 b = w1 L1 - w2 L2
             -w2 a + (w2 + w3) b = w2 L2 + w3 L3

    with determinant D = w1 w2 + w1 w3 + w2 w3. By Cramer's rule
    a = L1 + w2 w3 e / D, b = L3 - w1 w2 e / D, where e = L3 - L1 - L2 = log(115/120) is the misfit
    of the loop. Multiplying through by s1^2 s2^2 s3^2: w2 w3 / D = s1^2 / S and w1 w2 / D = s3^2 / S
    with S = s1^2 + s2^2 + s3^2, so claim k absorbs the share s_k^2 / S of the misfit:
    r1 = -s1^2 e/S, r2 = -s2^2 e/S, r3 = s3^2 e/S, chi2 = e^2/S with 1 degree of freedom. The
    residual of claim k has variance s_k^4 / S, so every standardised residual is |e| / sqrt(S).
    """
    s1, s2, s3 = 0.5 / 100, (0.05 / 1.2) / 0.5, 0.5 / 115
    L1, L2, L3 = math.log(100), math.log(1.2), math.log(115)
    w1, w2, w3 = 1 / s1**2, 1 / s2**2, 1 / s3**2
    # Cramer's rule on the 2x2 normal equations
    D = (w1 + w2) * (w2 + w3) - w2**2
    a = ((w1 * L1 - w2 * L2) * (w2 + w3) + w2 * (w2 * L2 + w3 * L3)) / D
    b = ((w1 + w2) * (w2 * L2 + w3 * L3) + w2 * (w1 * L1 - w2 * L2)) / D
    e, S = L3 - L1 - L2, s1**2 + s2**2 + s3**2
    assert a == pytest.approx(L1 + s1**2 * e / S, abs=1e-13)   # the two derivations agree
    assert b == pytest.approx(L3 - s3**2 * e / S, abs=1e-13)

    res = audit([C("l0", "level", "x", 100, 2000),
                 C("r", "ratio", "x", 1.2, 2001, 2000, conf=0.5),
                 C("l1", "level", "x", 115, 2001)], sigma_floor=0.0)
    t = res.claims.set_index("id")
    assert list(t["sigma"]) == pytest.approx([s1, s2, s3], rel=1e-12)
    assert math.log(level(res, "x", 2000)) == pytest.approx(a, abs=1e-10)
    assert math.log(level(res, "x", 2001)) == pytest.approx(b, abs=1e-10)
    assert list(t["log_residual"]) == pytest.approx([-s1**2 * e / S, -s2**2 * e / S, s3**2 * e / S],
                                                    abs=1e-10)
    assert t.loc["r", "residual_pct"] == pytest.approx(100 * math.expm1(-s2**2 * e / S), abs=1e-8)
    assert t.loc["r", "fitted"] == pytest.approx(math.exp(b - a), abs=1e-10)
    assert res.chi2 == pytest.approx(e**2 / S, rel=1e-10)
    assert res.dof == 1
    assert res.p_value == pytest.approx(stats.chi2.sf(e**2 / S, 1), rel=1e-10)
    assert list(t["z"].abs()) == pytest.approx([abs(e) / math.sqrt(S)] * 3, rel=1e-9)
    # standard errors: covariance = inverse of the normal matrix [[w1+w2, -w2], [-w2, w2+w3]]
    assert srow(res, "x", 2000)["log_se"] == pytest.approx(math.sqrt((w2 + w3) / D), rel=1e-9)
    assert srow(res, "x", 2001)["log_se"] == pytest.approx(math.sqrt((w1 + w2) / D), rel=1e-9)


def test_weighting_rule() -> None:
    """Half units of the stated digits, propagated, over the confidence, floored."""
    assert half_unit(3.2) == 0.05 and half_unit(24.5) == 0.05 and half_unit(28) == 0.5
    res = audit([C("r", "ratio", "x", 3.2, 1967, 1960),
                 C("g", "growth", "y", 0.18, 1967, 1960, unit="fraction per year"),
                 C("d", "duration", "z", 28, 1963, 1944, conf=0.5),
                 C("s", "share", "w", 0.69, 1958, of="t", unit="fraction"),
                 C("l", "level", "v", 11766, 1963)], sigma_floor=0.0)
    t = res.claims.set_index("id")["sigma"]
    assert t["r"] == pytest.approx(0.05 / 3.2)
    assert t["g"] == pytest.approx(7 * 0.005 / 1.18)   # 18 % over 7 years
    assert t["d"] == pytest.approx(0.5 / 28 / 0.5)     # confidence 0.5 doubles it
    assert t["s"] == pytest.approx(0.005 / 0.69)       # 69 per cent
    assert t["l"] == pytest.approx(0.5 / 11766)
    res = audit([C("l", "level", "v", 11766, 1963)], sigma_floor=0.01)
    assert res.claims["sigma"].iloc[0] == 0.01                   # 0.5/11766 is below the floor
    res = audit([C("r", "ratio", "x", 3.2, 1967, 1960)], sigma={"r": 0.2})
    assert res.claims["sigma"].iloc[0] == 0.2


# ----------------------------------------------------------------------------- 4. encodings
def test_duration_and_share_claims_are_encoded_correctly() -> None:
    """28 days of 1963 made what all of 1944 made: q(1963) = q(1944) * 365/28 = 1303.571...
    A share 0.25 of a total T(1960) = 1000: q(1960) = 250.

    Adding a second claim on the same span, q(1963)/q(1944) = 13, with the same sigma 0.02 as
    the duration claim: the fitted log ratio is the mean of log(365/28) and log 13 and each
    claim keeps half the gap; the duration claim is reported back in days.
    """
    res = audit([C("l", "level", "x", 100, 1944), C("d", "duration", "x", 28, 1963, 1944),
                 C("t", "level", "T", 1000, 1960), C("s", "share", "p", 0.25, 1960, of="T")])
    assert level(res, "x", 1963) == pytest.approx(100 * 365 / 28, rel=1e-12)
    assert level(res, "p", 1960) == pytest.approx(250, rel=1e-12)
    assert row(res, "d")["fitted"] == pytest.approx(28, rel=1e-12)
    assert row(res, "s")["fitted"] == pytest.approx(0.25, rel=1e-12)

    res = audit([C("l", "level", "x", 100, 1944), C("d", "duration", "x", 28, 1963, 1944),
                 C("r", "ratio", "x", 13, 1963, 1944)], sigma={"l": 0.01, "d": 0.02, "r": 0.02})
    mean = (math.log(365 / 28) + math.log(13)) / 2
    gap = (math.log(365 / 28) - math.log(13)) / 2
    assert level(res, "x", 1963) == pytest.approx(100 * math.exp(mean), rel=1e-10)
    assert row(res, "d")["log_residual"] == pytest.approx(gap, abs=1e-12)
    assert row(res, "r")["log_residual"] == pytest.approx(-gap, abs=1e-12)
    assert row(res, "d")["fitted"] == pytest.approx(365 / math.exp(mean), rel=1e-10)
    # one loop, variance of each residual 0.02^2/2: z = gap / (0.02/sqrt 2)
    assert row(res, "d")["z"] == pytest.approx(gap / (0.02 / math.sqrt(2)), rel=1e-9)


# ----------------------------------------------------------------------------- 5. identification
def test_quantity_without_level_is_an_index_unless_anchored() -> None:
    """Growth 10 % 2000-02 and q(2003)/q(2002) = 1.5: an index 2000 = 100 gives 121 and 181.5."""
    claims = [C("g", "growth", "x", 0.1, 2002, 2000), C("r", "ratio", "x", 1.5, 2003, 2002)]
    res = audit(claims)
    s = res.series.set_index("year")
    assert list(s.index) == [2000, 2002, 2003]
    assert list(s["value"]) == pytest.approx([100, 121, 181.5], rel=1e-12)
    assert set(s["basis"]) == {"index: x 2000 = 100"}
    assert s.loc[2000, "log_se"] == 0 and s.loc[2000, "low"] == s.loc[2000, "high"] == 100
    assert res.implied("x", 2001).value == pytest.approx(110, rel=1e-12)   # log-linear
    assert res.implied("x", 2001).interpolated

    res = audit(claims, anchors={"x": (2002, 242.0)})
    s = res.series.set_index("year")
    assert list(s["value"]) == pytest.approx([200, 242, 363], rel=1e-12)
    assert set(s["basis"]) == {"anchor: x 2002 = 242"}

    with pytest.raises(AutarkyError, match="involve"):
        audit(claims, anchors={"x": (1999, 1.0)})
    with pytest.raises(AutarkyError, match="already fix"):
        audit([*claims, C("l", "level", "x", 5, 2003)], anchors={"x": (2000, 1.0)})
    with pytest.raises(AutarkyError, match="outside"):
        res.implied("x", 2004)


def test_levels_the_claims_cannot_fix_are_not_reported() -> None:
    """A level in 2002 and a ratio 2001/2000 that never touches it: 2000 and 2001 float."""
    res = audit([C("l", "level", "x", 50, 2002), C("r", "ratio", "x", 2, 2001, 2000)])
    s = res.series.set_index("year")
    assert s.loc[2002, "value"] == pytest.approx(50) and s.loc[2002, "identified"]
    assert math.isnan(s.loc[2000, "value"]) and not s.loc[2001, "identified"]
    assert row(res, "r")["fitted"] == pytest.approx(2)   # the claim itself is still fitted


# ----------------------------------------------------------------------------- 6. the source
PLAN_FULFILLED = Claim("plan-fulfilled-1961-63", "growth", "industrial-output-plan", 0.18,
                       "fraction per year", year=1963, base_year=1960, confidence=0.3,
                       reading="Assumption: the Seven Year Plan's 18 % a year was met in 1961-63")
PRODUCTS = ("electricity", "coal", "pig-iron", "steel", "structural-steel", "fertilizers", "cement",
            "fabrics")


@pytest.fixture(scope="module")
def source_audit():
    return audit(load_claims(), aliases={"industrial-output-plan": "industrial-output"},
                 extra=[PLAN_FULFILLED])


def test_source_industrial_output_claims_cannot_all_hold(source_audit) -> None:
    r"""The plan's 20 times pre-war and 3.2 times 1960 for 1967 give q60/q44 = 20/3.2 = 6.25.
    The 28 days of 1963 give q63/q44 = 365/28 = 13.04; if the plan's 18 % a year was met in
    1961-63, q63/q60 = 1.18^3 = 1.643 and q60/q44 = 13.04/1.643 = 7.94: 27 % above 6.25.

    The claims on the span 1944-67 form one loop: 20x (44->67) against 28 days (44->63), the
    assumption (63->60 backwards) and the plan's 1960->67, for which 3.2 times and 18 % a year
    over 7 years are two parallel claims, worth together their inverse-variance mean with variance
    1/(1/s32^2 + 1/s18^2). The loop's misfit e and its variance S (the sum of the variances along
    it) give every claim in series on it the standardised residual |e|/sqrt(S).
    """
    res = source_audit
    s = res.series[res.series["quantity"] == "industrial-output"].set_index("year")
    assert s.index.min() == 1944 and s.index.max() == 1967
    assert s.loc[1944, "value"] == pytest.approx(100) and s.loc[1944, "log_se"] == 0
    assert set(s["basis"]) == {"index: industrial-output 1944 = 100"}
    annual = res.annual("industrial-output")
    assert list(annual["year"]) == list(range(1944, 1968))

    plan_q60_q44 = 20 / 3.2                        # 6.25
    days_q60_q44 = (365 / 28) / 1.18**3            # 13.04 / 1.643 = 7.934
    assert days_q60_q44 / plan_q60_q44 == pytest.approx(1.27, abs=0.005)
    # sigmas by the weighting rule (floor 0.01)
    s20 = 0.5 / 20 / 0.6                 # "20 times", confidence 0.6 (base year uncertain)
    s28 = 0.5 / 28                       # "28 days"
    s_fulfil = 3 * 0.005 / 1.18 / 0.3    # the assumption, confidence 0.3
    s32, s18 = 0.05 / 3.2, 7 * 0.005 / 1.18
    w32, w18 = 1 / s32**2, 1 / s18**2
    plan_6067 = (w32 * math.log(3.2) + w18 * 7 * math.log(1.18)) / (w32 + w18)
    e = math.log(20) - (math.log(365 / 28) - 3 * math.log(1.18) + plan_6067)
    S = s20**2 + s28**2 + s_fulfil**2 + 1 / (w32 + w18)
    assert e == pytest.approx(-0.2376, abs=1e-4)
    t = res.claims.set_index("id")
    for cid in ("seven-year-plan-output-vs-prewar", "industrial-output-28-days-1963-vs-1944",
                "plan-fulfilled-1961-63"):
        assert abs(t.loc[cid, "z"]) == pytest.approx(abs(e) / math.sqrt(S), rel=1e-9)
        assert t.loc[cid, "flag"]
    assert abs(e) / math.sqrt(S) > 3.7
    assert not res.consistent and res.p_value < 0.05
    # the plan's 18 % target for 1965 against the reported 14 %: one loop of two claims
    gap = math.log(1.18) - math.log(1.14)
    assert abs(t.loc["industrial-growth-target-1965", "z"]) == pytest.approx(
        gap / math.sqrt(2 * 0.01**2), rel=1e-9)
    # amounts, counts and dates are listed, not audited
    skipped = t[~t["audited"]]
    assert {"amount", "count", "date"} <= set(skipped["kind"])
    assert skipped.loc["foreign-aid-share-of-revenue-1961", "note"].startswith("not audited")
    out = json.loads(json.dumps(to_json_dict(res)))
    assert out["series"]["industrial-output"]["1944"] == pytest.approx(100)
    assert out["claims"]["plan-fulfilled-1961-63"]["flag"] is True


def test_source_table_multiples_imply_exact_levels(source_audit) -> None:
    """Each product: its 1963 level and the multiples of 1956 and 1946 (three claims, three
    unknowns) give 1956 = level/multiple and 1946 = level/multiple exactly, with residual 0.
    The garbled coal "H" (read 11, confidence 0.45, alternatives up to 12) has a wider interval
    than electricity's clear "3 times" (confidence 0.95): sigma 0.218 against 0.175.
    """
    res = source_audit
    claims = load_claims()
    t = res.claims.set_index("id")
    for p in PRODUCTS:
        lvl = claims[f"{p}-1963"].value
        for base in (1956, 1946):
            mult = claims[f"{p}-1963-vs-{base}"].value
            assert level(res, p, base) == pytest.approx(lvl / mult, rel=1e-10)
            assert abs(t.loc[f"{p}-1963-vs-{base}", "log_residual"]) < 1e-10
            assert t.loc[f"{p}-1963-vs-{base}", "z"] == pytest.approx(0, abs=1e-9)
    assert level(res, "coal", 1956) == pytest.approx(14043 / 3.6)
    only = audit(claims, quantities=["coal"])
    assert set(only.series["quantity"]) == {"coal"} and len(only.claims) == 3
    assert level(only, "coal", 1946) == pytest.approx(14043 / 11)
    coal, elec = srow(res, "coal", 1946), srow(res, "electricity", 1946)
    assert coal["high"] / coal["value"] > elec["high"] / elec["value"]
    coal_sigma = math.hypot(0.5 / 11, math.log(12 / 11)) / 0.45
    assert coal["log_se"] == pytest.approx(math.hypot(0.01, coal_sigma), rel=1e-9)
    assert elec["log_se"] == pytest.approx(math.hypot(0.01, 0.5 / 3 / 0.95), rel=1e-9)


# ----------------------------------------------------------------------------- 7. digits
def test_benford_expected_frequencies() -> None:
    e = benford_expected()
    assert e[0] == pytest.approx(0.30103, abs=5e-6)          # log10 2
    assert e[8] == pytest.approx(0.04576, abs=5e-6)          # log10(10/9)
    assert e.sum() == pytest.approx(1.0)                     # log10(2 * 3/2 * ... * 10/9) = 1


def test_benford_accepts_benford_data_and_rejects_uniform_first_digits() -> None:
    rng = np.random.default_rng(20240601)
    r = benford_test(10 ** rng.uniform(0, 5, 2000))
    assert r.n == 2000 and not r.rejects and r.conformity != "nonconformity"
    u = benford_test(rng.integers(1, 10, 2000) * 10.0 ** rng.integers(0, 4, 2000))
    assert u.rejects and u.conformity == "nonconformity"
    # exactly uniform first digits: MAD = mean |1/9 - log10(1 + 1/d)|
    x = benford_test(range(100, 1000))
    assert x.observed == pytest.approx([1 / 9] * 9)
    assert x.mad == pytest.approx(np.mean([abs(1 / 9 - math.log10(1 + 1 / d)) for d in range(1, 10)]))


def test_last_digit_uniformity() -> None:
    assert not last_digit_test(range(1000)).rejects
    zeros = last_digit_test([0, 10, 20, 100] * 25)
    assert zeros.rejects and zeros.counts[0] == 100
    # ten zeros more than a uniform 0..9 twice: counts 12, 2, ..., 2; expected 3 each:
    # chi2 = 9^2/3 + 9 * 1^2/3 = 30 with 9 degrees of freedom
    r = last_digit_test([*range(10), *range(10), *[0] * 10])
    assert r.chi2 == pytest.approx(30) and r.p_value == pytest.approx(stats.chi2.sf(30, 9))
    assert last_digit_test([3.2, 24.5], digits=1).counts[2] == 1
    assert last_digit_test(["3.20", "1,159"]).counts[0] == 1


# ----------------------------------------------------------------------------- 8. CSV files
GOOD_CSV = """\
id,kind,quantity,value,unit,year,base_year,of,line,ocr,confidence
lvl,level,x,100,t,1960,,,3,100 t,1
grw,growth,x,0.1,fraction per year,1962,1960,,4,10 per cent,0.9
"""


def test_read_claims_csv(write: Callable[..., Path]) -> None:
    claims = read_claims_csv(write(GOOD_CSV, "claims.csv"))
    assert len(claims) == 2 and claims["grw"].base_year == 1960 and claims["grw"].confidence == 0.9
    assert claims["lvl"].file_line == 2
    res = audit(claims)
    assert level(res, "x", 1962) == pytest.approx(121)


@pytest.mark.parametrize(("bad_line", "field", "message"), [
    ("z,levle,x,1,t,1960,,,,,", "kind", "unknown kind"),
    ("z,level,x,abc,t,1960,,,,,", "value", "non-numeric"),
    ("z,growth,x,0.1,t,1962,,,,,", "base_year", "needs base_year"),
    ("z,ratio,x,2,t,19x2,1950,,,,", "year", "whole number"),
    ("z,level,x,1,t,1960,,,,,1.5", "confidence", "confidence"),
    ("lvl,level,x,1,t,1960,,,,,", "id", "duplicate"),
])
def test_malformed_csv_claims_name_file_line_and_field(
    write: Callable[..., Path], line_of: Callable[..., int], bad_line: str, field: str, message: str,
) -> None:
    text = GOOD_CSV + bad_line + "\n"
    path = write(text, "bad.csv")
    with pytest.raises(ScenarioError, match=message) as err:
        read_claims_csv(path)
    assert err.value.file == str(path)
    assert err.value.line == line_of(text, bad_line)
    assert err.value.field == field


# ---------------------------------------------------------------------------- issue 16
@pytest.mark.parametrize(("kind", "value", "unit", "base", "says"), [
    ("ratio", -2.0, "times", 1950, "ratio of -2 is impossible"),
    ("level", -5.0, "t", None, "level of -5 is impossible"),
    ("share", 1.5, "fraction", None, "more than the whole"),
    ("share", -0.1, "fraction", None, "share of -0.1 is impossible"),
    ("growth", -1.5, "fraction per year", 1950, "impossible"),
    ("duration", -3.0, "days", 1950, "impossible"),
])
def test_an_impossible_claim_is_refused_naming_it(kind, value, unit, base, says):
    from autarky.economy.claims import Claim
    from autarky.monitor.audit import audit

    claims = [Claim("base", "level", "x", 100.0, "t", 1955),
              Claim("bad", kind, "x", value, unit, 1956, base, of="y" if kind == "share" else None,
                    line=12)]
    with pytest.raises(BadValueError, match=rf"claim 'bad' \(the source's line 12\): .*{says}"):
        audit(claims)
    read = dataclasses.replace(claims[1], file_line=40)
    with pytest.raises(BadValueError, match=rf"claim 'bad' \(line 40\): .*{says}"):
        audit([claims[0], read])


def test_a_set_without_degrees_of_freedom_is_not_called_consistent():
    """A level of 0 has no logarithm (not audited); what is left fixes each level exactly:
    chi-square 0 on 0 degrees of freedom tests nothing, and the verdict says so."""
    from autarky.economy.claims import Claim
    from autarky.monitor.audit import audit

    res = audit([Claim("a", "level", "x", 0.0, "t", 1955), Claim("b", "level", "y", 7.0, "t",
                                                                1955)])
    assert res.dof == 0 and not res.tested
    assert "cannot be tested" in res.verdict and "hold together" not in res.verdict
    assert "no logarithm" in res.claims.set_index("id").loc["a", "note"]
    two = audit([Claim("a", "level", "x", 7.0, "t", 1955), Claim("b", "level", "x", 7.0, "t",
                                                                1955)])
    assert two.tested and two.verdict == "can hold together"  # two equal claims: 1 dof, r = 0
