"""Self-reliance indicators (layer 5): import content, self-sufficiency, concentration, EU flags,
aid dependence, the scenario keys ``import_shares`` / ``imports``, the commands, and dprk-1963.

The worked economy of this file (money units, every price 1, no ``value_added`` given)::

    A = [[0.2, 0.3],        import shares of use:  p: (0.3, 0.0)
         [0.1, 0.1]]                               q: (0.1, 0.2)      s = (0.4, 0.2)

    home final use: consumption (100, 50); exports (10, 0), to p

    A_d = diag(1 - s) A = [[0.12, 0.18],
                           [0.08, 0.08]]
    I - A_d = [[0.88, -0.18], [-0.08, 0.92]],   D = det = 0.88*0.92 - 0.18*0.08 = 0.7952
    L_d = [[0.92, 0.18], [0.08, 0.88]] / D                          (2x2 closed form)

Import content per unit of final product ``mu' = u' diag(s) A L_d``::

    u' diag(s) A = (0.4*0.2 + 0.2*0.1, 0.4*0.3 + 0.2*0.1) = (0.10, 0.14)
    mu' = (0.10*0.92 + 0.14*0.08, 0.10*0.18 + 0.14*0.88) / D = (0.1032, 0.1412) / D

Per partner, ``mu_p' = u' diag(s_p) A L_d``::

    p: u' diag(s_p) A = (0.06, 0.09)  ->  (0.0552 + 0.0072, 0.0108 + 0.0792) / D = (0.0624, 0.0900) / D
    q: u' diag(s_q) A = (0.04, 0.05)  ->  (0.0368 + 0.0040, 0.0072 + 0.0440) / D = (0.0408, 0.0512) / D
    (p + q = (0.1032, 0.1412) / D = mu)

Domestic value-added content ``v' L_d`` with ``v = 1 - column sums of A = (0.7, 0.6)``::

    (0.7*0.92 + 0.6*0.08, 0.7*0.18 + 0.6*0.88) / D = (0.692, 0.654) / D
    (mu + dva = (0.7952, 0.7952) / D = 1 for each product)

Herfindahl: a: (0.3^2 + 0.1^2) / 0.4^2 = 0.1 / 0.16 = 0.625;  b: 0.2^2 / 0.2^2 = 1.

The balance: ``y_d + e = (1 - s) y + e = (0.6*100 + 10, 0.8*50) = (70, 40)``::

    x = L_d y_d = (0.92*70 + 0.18*40, 0.08*70 + 0.88*40) / D = (71.6, 40.8) / D
    A x = (0.2*71.6 + 0.3*40.8, 0.1*71.6 + 0.1*40.8) / D = (26.56, 11.24) / D
    home use = A x + y = (26.56 + 100 D, 11.24 + 50 D) / D = (106.08, 51) / D
    m = s * use = (42.432, 10.2) / D
    self-sufficiency x / (x + m - e) = x / use = (71.6 / 106.08, 40.8 / 51 = 0.8)
    imports over exports: a: 42.432 / (10 D) = 5.336;  b: m > 0 with no exports -> inf
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autarky import Economy, data, read_scenario
from autarky.cli.app import main
from autarky.errors import AutarkyError, ScenarioError
from autarky.io.results import to_json_dict
from autarky.reliance import calc_herfindahl, calc_self_sufficiency, indicators
from autarky.reliance.criticality import partner_dependence

D = 0.88 * 0.92 - 0.18 * 0.08  # det(I - A_d) = 0.7952
A2 = [[0.2, 0.3], [0.1, 0.1]]


def two_branch(*, shares: bool = True, exports: float = 10.0, **kwargs: object) -> Economy:
    """The worked economy of the module docstring (exports of a go to p)."""
    fd = pd.DataFrame({"consumption": [100.0, 50.0]}, index=["a", "b"])
    sh = (pd.DataFrame({"a": [0.3, 0.1], "b": [0.0, 0.2]}, index=["p", "q"]) if shares else None)
    return Economy.from_coefficients(A2, fd, branches=["a", "b"], units="USD million",
                                     partners=pd.DataFrame({"name": ["P", "Q"]}, index=["p", "q"]),
                                     import_shares=sh, exports={"p": {"a": exports}},
                                     **kwargs)  # type: ignore[arg-type]


# ------------------------------------------------------------------ 1. the worked example


def test_worked_example_balance_with_imports() -> None:
    """x = L_d y_d = (71.6, 40.8) / D; imports by partner s_p * use, use = (106.08, 51) / D."""
    plan = two_branch().plan.balance()
    np.testing.assert_allclose(plan.gross_output.to_numpy(), np.array([71.6, 40.8]) / D, rtol=1e-12)
    use = np.array([106.08, 51.0]) / D
    np.testing.assert_allclose(plan.imports.loc["p"].to_numpy(), [0.3 * use[0], 0.0], atol=1e-10)
    np.testing.assert_allclose(plan.imports.loc["q"].to_numpy(), [0.1 * use[0], 0.2 * use[1]],
                               rtol=1e-12)


def test_worked_example_indicator_table() -> None:
    """Every column of the table against the module docstring, to 1e-10."""
    ind = two_branch().reliance.indicators()
    t = ind.table
    assert list(t.index) == ["a", "b"]
    np.testing.assert_allclose(t["import_share"], [0.4, 0.2], atol=1e-12)
    np.testing.assert_allclose(t["import_content"], [0.1032 / D, 0.1412 / D], atol=1e-10)
    np.testing.assert_allclose(t["domestic_value_added"], [0.692 / D, 0.654 / D], atol=1e-10)
    np.testing.assert_allclose(t["concentration"], [0.625, 1.0], atol=1e-10)
    np.testing.assert_allclose(t["self_sufficiency"], [71.6 / 106.08, 0.8], atol=1e-10)
    assert t.loc["a", "imports_over_exports"] == pytest.approx(42.432 / (10 * D), abs=1e-10)
    assert t.loc["b", "imports_over_exports"] == math.inf
    assert list(t["unit"]) == ["USD million", "USD million"]
    # flags: HHI 0.625 and 1 > 0.4; shares 0.4, 0.2 <= 0.5; m/e 5.3 and inf > 1 -> none dependent
    assert t["flag_concentration"].tolist() == [True, True]
    assert t["flag_import_share"].tolist() == [False, False]
    assert t["flag_imports_over_exports"].tolist() == [True, True]
    assert t["dependent"].tolist() == [False, False]
    assert list(ind.flags.columns) == ["flag_concentration", "flag_import_share",
                                       "flag_imports_over_exports", "dependent"]


def test_worked_example_partner_content() -> None:
    """mu_p = (0.0624, 0.09) / D, mu_q = (0.0408, 0.0512) / D; they add up to mu."""
    pc = two_branch().reliance.indicators().partner_content
    assert list(pc.index) == ["p", "q"]
    assert list(pc.columns) == ["a", "b"]
    np.testing.assert_allclose(pc.loc["p"], [0.0624 / D, 0.09 / D], atol=1e-10)
    np.testing.assert_allclose(pc.loc["q"], [0.0408 / D, 0.0512 / D], atol=1e-10)


def test_worked_example_totals() -> None:
    """Whole home final demand (TiVA): (mu' y_d + u' m_f) / u' y with the final use made at home
    y_d = (1 - s) y = (60, 40): mu' y_d = (0.1032 * 60 + 0.1412 * 40) / D = 11.84 / D (the
    imported inputs of the exports, 0.1032 * 10 / D, are not in it: u' A_m x = 12.872 / D is
    both), imported final goods m_f = s y = (40, 10), u' y = 150. Exports: only a is exported,
    so the vertical-specialisation share is mu_a = 0.1032 / D. Output value 112.4 / D, imports
    52.632 / D."""
    tot = two_branch().reliance.indicators().totals
    assert tot["import_content_final_demand"] == pytest.approx((11.84 / D + 50.0) / 150.0, abs=1e-10)
    assert tot["import_content_exports"] == pytest.approx(0.1032 / D, abs=1e-10)
    assert tot["output_value"] == pytest.approx(112.4 / D, abs=1e-9)
    assert tot["imports_value"] == pytest.approx(52.632 / D, abs=1e-9)
    assert tot["valuation_unit"] == "USD million"
    assert tot["aid"] == 0.0
    assert "aid_over_revenue" not in tot  # no state revenue given


def test_worked_example_json() -> None:
    doc = to_json_dict(two_branch().reliance.indicators())
    for key in ("self_sufficiency", "import_content", "import_content_final_demand",
                "partner_content", "concentration", "flag_concentration", "dependent"):
        assert key in doc
    assert doc["import_content"]["a"] == pytest.approx(0.1032 / D, abs=1e-10)
    assert doc["import_content_final_demand"] == pytest.approx((11.84 / D + 50.0) / 150.0,
                                                               abs=1e-10)
    assert doc["partner_content"]["q"]["b"] == pytest.approx(0.0512 / D, abs=1e-10)
    assert doc["concentration"] == {"a": pytest.approx(0.625), "b": pytest.approx(1.0)}
    assert {k: doc[f"flag_{k}"]["a"] for k in ("concentration", "import_share",
                                                "imports_over_exports")} == {
        "concentration": True, "import_share": False, "imports_over_exports": True}
    assert doc["dependent"]["a"] is False
    assert doc["variable_units"]["import_content"] == "1"
    assert json.loads(json.dumps(doc))["self_sufficiency"]["b"] == pytest.approx(0.8)


def test_no_imports_at_all() -> None:
    """Without import shares: no import content, all value added at home (v' L = u' for a money
    economy), full self-sufficiency, no concentration (NaN -> None in JSON), no flags."""
    ind = indicators(two_branch(shares=False, exports=0.0))
    np.testing.assert_allclose(ind.table["import_content"], 0.0, atol=1e-15)
    np.testing.assert_allclose(ind.table["domestic_value_added"], 1.0, atol=1e-12)
    np.testing.assert_allclose(ind.table["self_sufficiency"], 1.0, atol=1e-12)
    assert ind.table["concentration"].isna().all()
    assert not ind.table["dependent"].any()
    assert to_json_dict(ind)["concentration"] == {"a": None, "b": None}


def test_helpers_closed_forms() -> None:
    # x / (x + m - e): 80 / (80 + 30 - 10) = 0.8; nothing consumed -> NaN
    ss = calc_self_sufficiency(np.array([80.0, 0.0]), np.array([30.0, 0.0]), np.array([10.0, 0.0]))
    assert ss[0] == pytest.approx(0.8) and np.isnan(ss[1])
    # three partners (0.2, 0.1, 0.1): (0.5^2 + 0.25^2 + 0.25^2) = 0.375
    assert calc_herfindahl(np.array([[0.2], [0.1], [0.1]]))[0] == pytest.approx(0.375)


def test_import_content_is_unit_free() -> None:
    """Import content is a share of value: measuring a in thousands (prices x 1000) changes none
    of the shares of value (invariance, independent of any formula)."""
    eco = two_branch(prices=[2.0, 3.0], currency="won")
    kt = eco.rescale("a", 1000.0, "thousand USD million")
    t0, t1 = eco.reliance.indicators().table, kt.reliance.indicators().table
    for col in ("import_content", "domestic_value_added", "self_sufficiency", "concentration"):
        np.testing.assert_allclose(t1[col].to_numpy(), t0[col].to_numpy(), rtol=1e-10)


def test_mixed_units_without_prices_are_refused() -> None:
    eco = Economy.from_coefficients(A2, [10.0, 10.0], branches=["a", "b"], units=["t", "kWh"])
    with pytest.raises(AutarkyError, match=r"prices.*a, b"):
        indicators(eco)


# ------------------------------------------------------------------ 2. properties


@st.composite
def money_economies(draw: st.DrawFn) -> Economy:
    """n in 2..4 branches in money (one unit, no prices), column sums of A <= 0.9, two partners
    with shares summing to at most 0.95 per product, positive final demand, no exports."""
    n = draw(st.integers(2, 4))
    unit = st.floats(0.0, 1.0, allow_nan=False, allow_subnormal=False)
    raw = np.array(draw(st.lists(unit, min_size=n * n, max_size=n * n))).reshape(n, n)
    colsum = raw.sum(axis=0)
    target = np.array(draw(st.lists(st.floats(0.0, 0.9, allow_subnormal=False), min_size=n,
                                    max_size=n)))
    A = raw * (target / np.where(colsum > 0, colsum, 1.0))
    split = np.array(draw(st.lists(unit, min_size=2 * n, max_size=2 * n))).reshape(2, n)
    total = np.array(draw(st.lists(st.floats(0.0, 0.95, allow_subnormal=False), min_size=n,
                                   max_size=n)))
    ssum = split.sum(axis=0)
    S = split * (total / np.where(ssum > 0, ssum, 1.0))
    y = draw(st.lists(st.floats(1.0, 100.0), min_size=n, max_size=n))
    ids = [f"b{i}" for i in range(n)]
    return Economy.from_coefficients(A, y, branches=ids, units="money",
                                     partners=pd.DataFrame(index=["p", "q"]),
                                     import_shares=pd.DataFrame(S, index=["p", "q"], columns=ids))


@settings(max_examples=40, deadline=None)
@given(money_economies())
def test_properties_of_the_indicators(eco: Economy) -> None:
    """With no exports x = (1 - s) * use, so self-sufficiency is 1 - s, in [0, 1]; in money
    u'(A_m + I - A) L_d = u' gives import content + domestic value added = 1; partner contents
    are linear in the shares and add up to the total (and so do the partners' contents of final
    demand)."""
    ind = eco.reliance.indicators()
    t = ind.table
    ss = t["self_sufficiency"].to_numpy()
    assert np.all((ss >= 0) & (ss <= 1))
    np.testing.assert_allclose(ss, 1.0 - eco.import_share_total, atol=1e-9)
    np.testing.assert_allclose(t["import_content"] + t["domestic_value_added"], 1.0, atol=1e-9)
    np.testing.assert_allclose(ind.partner_content.sum(axis=0), t["import_content"], atol=1e-12)
    dep = partner_dependence(eco)
    assert dep["import_content_of_final_demand"].sum() == pytest.approx(
        ind.totals["import_content_final_demand"], abs=1e-12)


# ------------------------------------------------------------------ 3. EU flags


def one_branch(shares: dict[str, float], exports: float, **kwargs: object) -> Economy:
    """a = 0.5, consumption 100, exports e; with s = 0.5:
    A_d = 0.25, y_d = 50 + e, x = (50 + e) / 0.75, use = 0.5 x + 100, m = 0.5 use = (50 + e)/3 + 50."""
    fd = pd.DataFrame({"consumption": [100.0]}, index=["steel"])
    first = next(iter(shares))
    return Economy.from_coefficients([[0.5]], fd, branches=["steel"], units="t",
                                     partners=pd.DataFrame(index=list(shares)),
                                     import_shares=pd.DataFrame({"steel": list(shares.values())},
                                                                index=list(shares)),
                                     exports={first: {"steel": exports}},
                                     **kwargs)  # type: ignore[arg-type]


EU_ECO = {"p": 0.375, "q": 0.125}  # s = 0.5, HHI = 0.75^2 + 0.25^2 = 0.625 (exact in binary)


def test_eu_values_of_the_flag_economy() -> None:
    """e = 25: x = 75/0.75 = 100, m = 25 + 50 = 75, m / e = 3."""
    t = indicators(one_branch(EU_ECO, 25.0)).table.loc["steel"]
    assert t["concentration"] == 0.625
    assert t["import_share"] == 0.5
    assert t["imports_over_exports"] == pytest.approx(3.0, rel=1e-12)


def test_eu_thresholds_are_strict_at_the_default() -> None:
    """Import share exactly 0.5 is not 'more than 0.5'; HHI exactly at a threshold is not above."""
    t = indicators(one_branch(EU_ECO, 25.0)).table.loc["steel"]
    assert not t["flag_import_share"]
    assert t["flag_concentration"] and t["flag_imports_over_exports"]
    assert not t["dependent"]
    t = indicators(one_branch(EU_ECO, 25.0), thresholds={"concentration": 0.625}).table.loc["steel"]
    assert not t["flag_concentration"]


@pytest.mark.parametrize("on", [(c, s, e) for c in (0, 1) for s in (0, 1) for e in (0, 1)])
def test_eu_dependent_only_when_all_three_hold(on: tuple[int, int, int]) -> None:
    """Values 0.625 / 0.5 / 3: a threshold just below switches a criterion on, just above off."""
    th = {"concentration": 0.62 if on[0] else 0.63, "import_share": 0.49 if on[1] else 0.51,
          "imports_over_exports": 2.9 if on[2] else 3.1}
    ind = indicators(one_branch(EU_ECO, 25.0), thresholds=th)
    r = ind.table.loc["steel"]
    assert (r["flag_concentration"], r["flag_import_share"], r["flag_imports_over_exports"]) == \
        tuple(bool(v) for v in on)
    assert r["dependent"] == all(on)
    assert ind.thresholds == th and to_json_dict(ind)["thresholds"] == th


def test_eu_thresholds_merge_with_the_defaults() -> None:
    ind = indicators(one_branch(EU_ECO, 25.0), thresholds={"import_share": 0.3})
    assert ind.thresholds == {"concentration": 0.4, "import_share": 0.3, "imports_over_exports": 1.0}
    assert ind.table.loc["steel", "dependent"]


@pytest.mark.parametrize(("exports", "flag"), [(99.0, True), (101.0, False)])
def test_eu_imports_over_exports_flips_at_one(exports: float, flag: bool) -> None:
    """m = (50 + e)/3 + 50 equals e at e = 100: e = 99 -> m = 99.67 > 99; e = 101 -> 100.33 < 101."""
    r = indicators(one_branch(EU_ECO, exports)).table.loc["steel"]
    assert r["imports_over_exports"] == pytest.approx((50 + exports) / 3 / exports + 50 / exports)
    assert r["flag_imports_over_exports"] is np.bool_(flag)


@pytest.mark.parametrize(("shares", "hhi", "flag"), [
    ({"p": 0.2, "q": 0.1, "r": 0.1}, 0.375, False),   # 0.5^2 + 2 * 0.25^2
    ({"p": 0.3, "q": 0.1, "r": 0.1}, 0.44, True),     # 0.6^2 + 2 * 0.2^2
])
def test_eu_concentration_flips_at_0_4(shares: dict[str, float], hhi: float, flag: bool) -> None:
    r = indicators(one_branch(shares, 25.0)).table.loc["steel"]
    assert r["concentration"] == pytest.approx(hhi)
    assert bool(r["flag_concentration"]) is flag


@pytest.mark.parametrize(("shares", "flag"), [({"p": 0.5}, False), ({"p": 0.51}, True)])
def test_eu_import_share_flips_at_one_half(shares: dict[str, float], flag: bool) -> None:
    assert bool(indicators(one_branch(shares, 25.0)).table.loc["steel", "flag_import_share"]) is flag


# ------------------------------------------------------------------ 4. aid dependence


def test_aid_over_revenue_and_investment() -> None:
    """Aid 30 + 20 = 50; revenue 500 -> 0.1; investment (10, 20) at prices (2, 3) = 20 + 60 = 80
    -> 50 / 80 = 0.625. Credit (5) is not aid."""
    fd = pd.DataFrame({"consumption": [100.0, 50.0], "investment": [10.0, 20.0]}, index=["a", "b"])
    eco = Economy.from_coefficients(A2, fd, branches=["a", "b"], units=["t", "m3"],
                                    prices=[2.0, 3.0], currency="won", state_revenue=500.0,
                                    partners=pd.DataFrame({"aid": [30.0, 20.0], "credit": [5.0, 0.0]},
                                                          index=["p", "q"]))
    tot = indicators(eco).totals
    assert tot["aid"] == pytest.approx(50.0)
    assert tot["aid_over_revenue"] == pytest.approx(0.1)
    assert tot["aid_over_investment"] == pytest.approx(0.625)
    assert tot["valuation_unit"] == "won"
    assert to_json_dict(indicators(eco))["aid_over_revenue"] == pytest.approx(0.1)


# ------------------------------------------------------------------ 9. scenario I/O

HEAD = """\
name: reliance I/O
branches:
  - {id: a, unit: USD million}
  - {id: b, unit: USD million}
technology:
  a: {a: 0.2, b: 0.3}
  b: {a: 0.1, b: 0.1}
final_demand: {a: 100, b: 50}
partners:
  - {id: p}
  - {id: q}
"""
SHARES_P = np.array([0.3, 0.0])
SHARES_Q = np.array([0.1, 0.2])


def test_import_shares_as_a_mapping(write: Callable[..., Path]) -> None:
    eco = read_scenario(write(HEAD + "import_shares:\n  p: {a: 0.3}\n  q: {a: 0.1, b: 0.2}\n"))
    np.testing.assert_array_equal(eco.import_shares.loc["p"], SHARES_P)
    np.testing.assert_array_equal(eco.import_shares.loc["q"], SHARES_Q)
    # and the indicators are those of the worked example without exports: mu = (0.1032, 0.1412)/D
    # holds for any final demand (it is per unit of final product)
    np.testing.assert_allclose(eco.reliance.indicators().table["import_content"],
                               [0.1032 / D, 0.1412 / D], atol=1e-10)


def test_import_shares_as_a_csv_with_provenance(write: Callable[..., Path]) -> None:
    write("partner,branch,share,source,estimate\np,a,0.3,Koh,true\nq,a,0.1,,\nq,b,0.2,,\n",
          "shares.csv")
    eco = read_scenario(write(HEAD + "import_shares: shares.csv\n"))
    np.testing.assert_array_equal(eco.import_shares.loc["p"], SHARES_P)
    np.testing.assert_array_equal(eco.import_shares.loc["q"], SHARES_Q)
    prov = eco.provenance
    hit = prov[(prov["table"] == "import_shares") & (prov["row"] == "p")]
    assert len(hit) == 1 and hit.iloc[0]["source"] == "Koh"


def test_imports_as_flows_give_shares(write: Callable[..., Path]) -> None:
    """gross_output (200, 100): A x = (0.2*200 + 0.3*100, 0.1*200 + 0.1*100) = (70, 30); domestic
    use A x + y = (170, 80): p a 30/170, q a 10/170, q b 6/80 = 0.075."""
    eco = read_scenario(write(HEAD + "gross_output: {a: 200, b: 100}\n"
                                     "imports:\n  p: {a: 30}\n  q: {a: 10, b: 6}\n"))
    np.testing.assert_allclose(eco.import_shares.loc["p"], [30 / 170, 0.0], rtol=1e-12)
    np.testing.assert_allclose(eco.import_shares.loc["q"], [10 / 170, 0.075], rtol=1e-12)


def test_imports_as_flows_exclude_exports_from_use(write: Callable[..., Path]) -> None:
    """With exports 20 of a: domestic use of a = 70 + (120 - 20) = 170 as before."""
    text = HEAD.replace("final_demand: {a: 100, b: 50}",
                        "final_demand:\n  consumption: {a: 100, b: 50}\n  exports: {a: 20}")
    eco = read_scenario(write(text + "gross_output: {a: 200, b: 100}\nimports:\n  p: {a: 34}\n"))
    assert eco.import_shares.loc["p", "a"] == pytest.approx(34 / 170, rel=1e-12)


def test_imports_as_flows_with_the_flows_form(write: Callable[..., Path]) -> None:
    """The flows form with the same numbers: Z = A diag(200, 100) = [[40, 30], [20, 10]],
    y = (100, 50) given; use = Z 1 + y = (170, 80), so p's 30 of a is a share 30/170.

    FAILS (bug): read_scenario returns the economy of the flows form before it reads ``imports``,
    so the imports are silently dropped (all shares zero)."""
    text = HEAD.replace("technology:\n  a: {a: 0.2, b: 0.3}\n  b: {a: 0.1, b: 0.1}\n",
                        "flows:\n  a: {a: 40, b: 30}\n  b: {a: 20, b: 10}\n"
                        "gross_output: {a: 200, b: 100}\n")
    eco = read_scenario(write(text + "imports:\n  p: {a: 30}\n"))
    assert eco.import_shares.loc["p", "a"] == pytest.approx(30 / 170, rel=1e-12)


def test_imports_as_flows_need_gross_output(write: Callable[..., Path],
                                            line_of: Callable[..., int]) -> None:
    text = HEAD + "imports:\n  p: {a: 30}\n"
    with pytest.raises(ScenarioError, match="gross_output") as exc:
        read_scenario(write(text))
    assert exc.value.line == line_of(text, "imports:") and exc.value.field == "imports"


def test_imports_as_flows_unknown_partner(write: Callable[..., Path],
                                         line_of: Callable[..., int]) -> None:
    text = HEAD + "gross_output: {a: 200, b: 100}\nimports:\n  mars: {a: 30}\n"
    with pytest.raises(ScenarioError, match="mars") as exc:
        read_scenario(write(text))
    assert exc.value.line == line_of(text, "mars:") and exc.value.field == "imports.mars"


def test_imports_as_flows_above_use_name_the_line(write: Callable[..., Path],
                                                 line_of: Callable[..., int]) -> None:
    """300 of a against a domestic use of 170 is a share above one: the error must name the
    entry, as every malformed scenario does.

    FAILS (bug): the share 300/170 is only caught by the Economy constructor, re-raised as a
    ScenarioError with the file but no line and no field."""
    text = HEAD + "gross_output: {a: 200, b: 100}\nimports:\n  p: {a: 300}\n"
    path = write(text)
    with pytest.raises(ScenarioError) as exc:
        read_scenario(path)
    assert exc.value.file == str(path)
    assert exc.value.line == line_of(text, "p: {a: 300}")
    assert exc.value.field == "imports.p.a"


@pytest.mark.parametrize(("tail", "marker", "field", "message"), [
    ("import_shares:\n  p: {a: 1.3}\n", "p: {a: 1.3}", "import_shares.p.a", "got 1.3"),
    ("import_shares:\n  p: {a: 0.7}\n  q: {a: 0.4}\n", "import_shares:", "import_shares",
     "a sum to more than one"),
    ("import_shares:\n  mars: {a: 0.3}\n", "mars:", "import_shares.mars", "unknown partner id 'mars'"),
    ("import_shares:\n  p: {gold: 0.3}\n", "gold", "import_shares.p.gold", "unknown branch id 'gold'"),
    ("import_shares:\n  p: {a: -0.1}\n", "p: {a: -0.1}", "import_shares.p.a", "negative"),
])
def test_malformed_import_shares_yaml(tail: str, marker: str, field: str, message: str,
                                      write: Callable[..., Path], line_of: Callable[..., int]) -> None:
    text = HEAD + tail
    path = write(text)
    with pytest.raises(ScenarioError, match=message) as exc:
        read_scenario(path)
    assert (exc.value.file, exc.value.line, exc.value.field) == (str(path), line_of(text, marker),
                                                                 field)


@pytest.mark.parametrize(("rows", "line", "field", "message"), [
    ("p,a,0.3\nq,a,1.1\n", 3, "share", "got 1.1"),
    ("p,a,0.3\nmars,a,0.1\n", 3, "partner", "unknown partner id 'mars'"),
    ("p,a,0.3\nq,gold,0.1\n", 3, "branch", "unknown branch id 'gold'"),
])
def test_malformed_import_shares_csv(rows: str, line: int, field: str, message: str,
                                     write: Callable[..., Path]) -> None:
    csv = write("partner,branch,share\n" + rows, "shares.csv")  # header is line 1
    with pytest.raises(ScenarioError, match=message) as exc:
        read_scenario(write(HEAD + "import_shares: shares.csv\n"))
    assert (exc.value.file, exc.value.line, exc.value.field) == (str(csv), line, field)


def test_malformed_import_shares_csv_sum(write: Callable[..., Path],
                                         line_of: Callable[..., int]) -> None:
    write("partner,branch,share\np,a,0.6\nq,a,0.5\n", "shares.csv")
    text = HEAD + "import_shares: shares.csv\n"
    with pytest.raises(ScenarioError, match="a sum to more than one") as exc:
        read_scenario(write(text))
    assert exc.value.line == line_of(text, "import_shares:")


# ------------------------------------------------------------------ 10. the commands


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = main(args)
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def test_cli_reliance_json(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(["reliance", "dprk-1963", "--format", "json"], capsys)
    assert rc == 0
    doc = json.loads(out)
    for key in ("self_sufficiency", "import_content", "import_content_final_demand",
                "partner_content", "concentration", "dependent"):
        assert key in doc
    assert doc["basis"] == "recorded trade (balanced plan)"
    assert set(doc["partner_content"]) == {"ussr", "china", "row"}
    assert len(doc["import_content"]) == 12


def test_cli_reliance_table(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(["reliance", "dprk-1963"], capsys)
    assert rc == 0 and "Self-reliance" in out and "structural-steel" in out


def test_cli_stress_json(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(["stress", "dprk-1963", "--shock", "partner:ussr", "--format", "json",
                      "--weeks", "20"], capsys)
    assert rc == 0
    doc = json.loads(out)
    assert {"fulfilment", "fulfilment_base", "shortfall", "output", "total_loss"} <= set(doc)
    assert len(doc["output"]) == 20  # weeks
    assert all(len(v) == 12 for v in doc["output"].values())  # branches each week
    assert doc["variable_units"]["output"] == "unit[branch]/week"
    assert doc["fulfilment"] <= doc["fulfilment_base"] + 1e-9


def test_cli_autarky_cost_json(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(["autarky-cost", "dprk-1963", "--format", "json"], capsys)
    assert rc == 0
    doc = json.loads(out)
    assert [float(k) for k in doc["fulfilment"]] == pytest.approx([1 - k / 10 for k in range(11)])
    assert "acr_domestic_share" in doc


def test_cli_criticality_json(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(["criticality", "dprk-1963", "--format", "json"], capsys)
    assert rc == 0
    doc = json.loads(out)
    assert [r["rank"] for r in doc["branches"]] == list(range(1, 13))
    assert {r["partner"] for r in doc["partners"]} == {"ussr", "china", "row"}


@pytest.mark.parametrize("shock", ["partner:mars", "flood:coal", "capacity:coal:1.5",
                                   "capacity:gold:0.1", "demand:coal:x"])
def test_cli_bad_shock_exits_2(shock: str, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run(["stress", "dprk-1963", "--shock", shock, "--weeks", "5"], capsys)
    assert rc == 2
    assert "error:" in err and shock in err


# ------------------------------------------------------------------ 11. dprk-1963


@pytest.fixture(scope="module")
def dprk() -> Economy:
    return data.load("dprk-1963")


def test_dprk_balances_to_reported_output_with_import_shares(dprk: Economy) -> None:
    assert dprk.import_share_total.max() > 0  # imports are really in the balance
    x = dprk.plan.balance().gross_output.to_numpy()
    rep = dprk.reported_output.to_numpy()
    np.testing.assert_allclose(x, rep, rtol=1e-9)
    # and x = L_d (y_d + e) is the definition: (I - A_d) x = y_d + e
    A_d = np.asarray(dprk.A_d)
    np.testing.assert_allclose(x - A_d @ x, dprk.domestic_final_demand() + dprk.exports_total,
                               rtol=1e-9, atol=1e-9)


def test_dprk_soviet_dependence_exceeds_chinese(dprk: Economy) -> None:
    dep = partner_dependence(dprk)
    assert dep.loc["ussr", "import_content_of_final_demand"] > \
        dep.loc["china", "import_content_of_final_demand"]
    assert dep.loc["ussr", "share_of_imports"] > dep.loc["china", "share_of_imports"]
    assert dep["share_of_imports"].sum() == pytest.approx(1.0, abs=1e-12)
    assert dep.loc["ussr", "name"] == "Soviet Union"


@pytest.mark.parametrize("baseline", ["optimal", "target"])
def test_cli_stress_names_its_baseline(baseline: str, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(["stress", "island", "--shock", "partner:northland", "--weeks", "8",
                      "--baseline", baseline, "--format", "json"], capsys)
    doc = json.loads(out)
    assert rc == 0 and doc["baseline"] == baseline
    reference = doc["fulfilment_base"] if baseline == "optimal" else 1.0
    loss = 1 - doc["fulfilment"] / reference
    assert doc["loss"] == pytest.approx(loss if baseline == "optimal" else max(0.0, loss))
    rc, out, _ = run(["stress", "island", "--shock", "partner:northland", "--weeks", "8",
                      "--baseline", baseline], capsys)
    flat = " ".join(out.split())
    assert ("lost against the optimal plan before the shock" in flat) == (baseline == "optimal")
    assert ("the target is still met in full" in flat) == (baseline == "target")
