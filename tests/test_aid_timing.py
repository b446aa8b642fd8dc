"""The same aid early or late (autarky.plan.aid_timing), against a hand-solved economy.

One good, no intermediate inputs, new capacity costs ``b = 0.25`` of the good and produces from
the next year, no depreciation, initial capacity ``K0 = 100``; the good is also imported at
price 1, paid by aid; two years, consumption ``c_t`` maximised (no discount, floor 0).

Year 1: ``x1 = K0``, ``c1 = K0 + m1 - b dK1``; year 2: ``x2 = K0 + dK1``,
``c2 = K0 + dK1 + m2 - b dK2``, and the last year's investment is at least the one before
(``dK2 >= dK1``). So ``c1 + c2 = 2 K0 + M + dK1 (1 - 2b)`` with ``dK2 = dK1``; with ``b < 1/2``
the plan invests all it can in year 1, ``dK1 = (K0 + m1) / b`` (``c1 = 0``), and

    optimum = 2 K0 + M + (K0 + m1) (1 - 2b) / b = 240 + 2 (100 + m1)    (M = 40)

The aid of year 1 is worth ``1 + (1 - 2b) / b = 3`` a unit, that of year 2 worth 1. The plan's
own saving in year 1 is ``b dK1 - m1 = K0 = 100`` whatever the timing; in year 2 it is
``b dK2 - m2 = K0 + m1 - m2``. The last year's import share is ``m2 / (x2 + m2)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import autarky
from autarky.errors import BadValueError
from autarky.plan.aid_timing import LIMITS, PROFILES, aid_timing

K0, B, M = 100.0, 0.25, 40.0
YEARS = [1954, 1955]


def one_good(aid: list[float], *, trade_prices: bool = True) -> autarky.Scenario:
    trade = pd.DataFrame({"partner": ["p"], "branch": ["goods"], "direction": ["import"],
                          "price": [1.0 if trade_prices else np.nan], "max": [np.nan]})
    eco = autarky.Economy(
        pd.DataFrame({"unit": ["t"], "group": ["heavy"]}, index=["goods"]), np.zeros((1, 1)),
        pd.DataFrame({"consumption": [1.0]}, index=["goods"]), year=1953, prices=[1.0],
        capital=[[B]], reported_output=[K0], initial_capacity=[K0], depreciation=[0.0],
        gestation=[1], partners=pd.DataFrame({"name": ["P"]}, index=["p"]), trade=trade)
    return autarky.Scenario(eco).replace(
        horizon=[YEARS[0], YEARS[-1]], aid_by_year=pd.DataFrame({"p": aid}, index=YEARS))


def optimum(m1: float) -> float:
    return 2 * K0 + M + (K0 + m1) * (1 - 2 * B) / B


def test_each_profile_meets_the_hand_solution() -> None:
    t = aid_timing(one_good([10.0, 30.0]))
    assert list(t.summary.index) == list(PROFILES)
    first = {"as given": 10.0, "even": 20.0, "front-loaded": M * 2 / 3,
             "back-loaded": M / 3, "first year": M}
    for name, m1 in first.items():
        row = t.summary.loc[name]
        assert row["status"] == "optimal"
        assert row["objective"] == pytest.approx(optimum(m1), rel=1e-9)
        # the total aid is kept, only its timing moves
        assert t.aid.loc[name, "p"].sum() == pytest.approx(M, rel=1e-12)
        assert t.aid.loc[(name, YEARS[0]), "p"] == pytest.approx(m1, rel=1e-12)
        m2 = M - m1
        dk1 = (K0 + m1) / B
        np.testing.assert_allclose(t.own_saving[name].to_numpy(), [K0, K0 + m1 - m2],
                                   rtol=1e-9, atol=1e-7)
        assert row["last_year_import_share"] == pytest.approx(m2 / (K0 + dk1 + m2), rel=1e-9,
                                                              abs=1e-12)
        np.testing.assert_allclose(t.consumption[name].to_numpy(),
                                   [0.0, optimum(m1)], atol=1e-7)
        np.testing.assert_allclose(t.aid_value[name].to_numpy(), [3.0, 1.0], rtol=1e-9)
    # the first boost is worth most, and leaves the economy least dependent on imports
    assert t.summary["objective"].idxmax() == "first year"
    assert t.summary["last_year_import_share"].idxmin() == "first year"
    assert t.summary.attrs["units"]["objective"].startswith("consumption-basket")
    assert t.limits == LIMITS and len(LIMITS) >= 3


def test_as_given_is_the_plan_itself() -> None:
    scn = one_good([10.0, 30.0])
    t = aid_timing(scn, profiles=["as given"])
    assert t.summary.loc["as given", "objective"] == pytest.approx(
        scn.plan.multiyear().objective_value, rel=1e-12)


def test_custom_profiles_and_bad_ones() -> None:
    t = aid_timing(one_good([10.0, 30.0]), profiles={"three quarters first": [0.75, 0.25]})
    assert t.summary.loc["three quarters first", "objective"] == pytest.approx(optimum(30.0))
    with pytest.raises(BadValueError, match="summing to one"):
        aid_timing(one_good([10.0, 30.0]), profiles={"x": [0.5, 0.6]})
    with pytest.raises(BadValueError, match="summing to one"):
        aid_timing(one_good([10.0, 30.0]), profiles={"x": [1.0]})
    with pytest.raises(BadValueError, match="unknown aid profile"):
        aid_timing(one_good([10.0, 30.0]), profiles=["sometime"])
    with pytest.raises(BadValueError, match="no aid"):
        aid_timing(one_good([0.0, 0.0]))
    with pytest.raises(BadValueError, match="trade prices"):
        aid_timing(one_good([10.0, 30.0], trade_prices=False))


def test_the_accessor_reaches_it() -> None:
    t = one_good([10.0, 30.0]).plan.aid_timing(profiles=["even"])
    assert t.summary.loc["even", "objective"] == pytest.approx(optimum(20.0), rel=1e-9)


def test_the_command_line_prints_the_profiles_units_and_limits(tmp_path, capsys) -> None:
    import json

    from autarky.cli.app import main

    folder = tmp_path / "one-good"
    autarky.write_scenario(one_good([10.0, 30.0]), folder)
    rc = main(["aid-timing", str(folder), "--profiles", "first year,even", "--format", "json"])
    out = capsys.readouterr().out
    assert rc == 0
    doc = json.loads(out)
    assert list(doc["profiles"]) == ["first year", "even"]
    assert doc["profiles"]["first year"]["objective"] == pytest.approx(optimum(M), rel=1e-9)
    assert doc["profiles"]["even"]["objective"] == pytest.approx(optimum(20.0), rel=1e-9)
    assert doc["aid_value"]["by_year"]["1954"]["first year"] == pytest.approx(3.0, rel=1e-9)
    assert "per currency unit" in doc["aid_value"]["unit"]
    assert doc["units"]["objective"].startswith("consumption-basket") and doc["method"]
    assert "source" in doc
    assert doc["limits"] == list(LIMITS)
    rc = main(["aid-timing", str(folder), "--profiles", "first year"])
    table = capsys.readouterr().out
    assert rc == 0 and "What the model cannot say" in table and "520" in table
    rc = main(["aid-timing", str(folder), "--profiles", "sometime"])
    err = capsys.readouterr().err
    assert rc == 2 and "--profiles: unknown aid profile 'sometime'" in err
    assert "Traceback" not in err


def test_bilateral_aid_values_are_weighted_by_each_partners_share() -> None:
    """Two partners clearing bilaterally: the yearly value of a unit of aid is the partners'
    duals weighted by their shares of that year's aid (3 : 1 here, as given), each dual being
    the plan's own ``aid_value`` (itself checked against finite differences in
    test_multiyear_aid.py)."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "multiyear_aid", Path(__file__).with_name("test_multiyear_aid.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    scn = mod.reconstruction({"su": [30.0, 15.0, 3.0], "cn": [10.0, 5.0, 1.0]},
                             mode="bilateral", prices={"su": 3.0, "cn": 4.0})
    t = aid_timing(scn, profiles=["as given"])
    av = t.plans["as given"].aid_value
    expected = 0.75 * av["su"].to_numpy() + 0.25 * av["cn"].to_numpy()
    np.testing.assert_allclose(t.aid_value["as given"].to_numpy(), expected, rtol=1e-12)
    # not the sum of the two (what a unit from each would be worth)
    assert not np.allclose(t.aid_value["as given"].to_numpy(), av.sum(axis=1).to_numpy())
    with pytest.raises(BadValueError, match="at least one aid profile"):
        aid_timing(scn, profiles=[])
    with pytest.raises(BadValueError, match="at least one aid profile"):
        aid_timing(scn, profiles={})
