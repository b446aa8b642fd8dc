"""Planning keys of the scenario format: read, solved, and refused with the place when malformed."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import autarky
from autarky.cli.app import main
from autarky.economy.settings import StrategyRule
from autarky.errors import ScenarioError

REL = 1e-9


def shares(plan, *groups: str) -> pd.Series:
    """Share of the groups in each year's investment, from ``investment_by_group``."""
    ib = plan.investment_by_group
    total = ib.sum(axis=1)
    part = ib.reindex(columns=list(groups), fill_value=0.0).sum(axis=1)
    return (part / total).where(total > 1e-9)


# =============================================================================================
# 8. Scenario keys
# =============================================================================================
SCENARIO = """\
name: Planning keys
year: 1960
branches:
  - {id: power, unit: GWh, group: energy}
  - {id: steel, unit: kt, group: heavy}
  - {id: cloth, unit: Mm, group: light}
  - {id: grain, unit: kt, group: agriculture}
technology:
  power: {power: 0.05, steel: 0.2, cloth: 0.05, grain: 0.02}
  steel: {power: 0.02, steel: 0.1, cloth: 0.02, grain: 0.01}
  cloth: {cloth: 0.1, grain: 0.1}
  grain: {grain: 0.1}
final_demand:
  consumption: {power: 5, cloth: 40, grain: 100}
  government: {steel: 2, grain: 10}
  investment: {steel: 20}
gross_output: {power: 100, steel: 50, cloth: 80, grain: 200}
factors:
  - {id: labour, unit: kw, availability: 1000, coefficients: {power: 1, steel: 2, cloth: 2, grain: 3}}
prices: {power: 1, steel: 2, cloth: 1, grain: 0.5}
horizon: {first: 1961, last: 1965}
capital:
  power: {power: 0.1, steel: 0.1, cloth: 0.05, grain: 0.05}
  steel: {power: 1.0, steel: 1.5, cloth: 0.8, grain: 0.5}
depreciation: 0.05
gestation: {steel: 2}
initial_capacity: {power: 110, steel: 55, cloth: 88, grain: 220}
factor_growth: {labour: 0.02}
consumption: {basket: consumption, floor: 1.0}
exogenous: [government]
industry_groups: [heavy, light]
plan_targets:
  industrial_growth: 0.05
discount: 0.02
strategies:
  mine:
    description: steel first, then light industry and farming
    rules:
      - {groups: [heavy], min: 0.5, years: [1961, 1962]}
      - {groups: [light, agriculture], min: 0.3, max: 0.9, years: [1963, 1965]}
    targets: strict
"""


def test_scenario_planning_keys_read_and_solve(write):
    """Every planning key is read as written, and the plan under the scenario's own strategy
    solves and keeps its promises: the rules (heavy >= 50 % in 1961-62; light + agriculture in
    [30 %, 90 %] in 1963-65); the strict target on industrial output, which counts heavy and
    light only: ``Q_1960 = 2 * 50 + 80 = 180``, ``Q_y >= 180 * 1.05^(y - 1960)``; consumption at
    least the 1960 basket; labour ``x_power + 2 x_steel + 2 x_cloth + 3 x_grain <= 1000 * 1.02^(y -
    1960)``; government demand met every year."""
    eco = autarky.read_scenario(write(SCENARIO))
    st = eco.settings
    assert st.horizon == (1961, 1965) and st.years == [1961, 1962, 1963, 1964, 1965]
    assert eco.array("depreciation").tolist() == [0.05] * 4
    assert eco.array("gestation").tolist() == [1, 2, 1, 1]
    assert eco.array("initial_capacity").tolist() == [110.0, 55.0, 88.0, 220.0]
    assert eco.table("factor_growth").to_dict() == {"labour": 0.02}
    assert st.consumption_basket == "consumption" and st.consumption_floor == 1.0
    assert st.exogenous == ("government",) and st.industry_groups == ("heavy", "light")
    assert st.industrial_growth == 0.05 and st.discount == 0.02
    mine = st.strategies["mine"]
    assert mine.targets == "strict" and mine.description.startswith("steel first")
    assert mine.rules == (StrategyRule(("heavy",), 0.5, 1.0, (1961, 1962)),
                          StrategyRule(("light", "agriculture"), 0.3, 0.9, (1963, 1965)))
    assert eco.capital.loc["steel", "cloth"] == 0.8

    plan = eco.plan.multiyear("mine")
    assert plan.status == "optimal"
    heavy = shares(plan, "heavy")
    assert (heavy.loc[1961:1962] >= 0.5 - 1e-9).all()
    rest = shares(plan, "light", "agriculture").loc[1963:1965]
    assert ((rest >= 0.3 - 1e-9) & (rest <= 0.9 + 1e-9)).all()
    assert plan.industrial_output[1960] == pytest.approx(180.0, rel=1e-12)
    x = plan.gross_output
    for y in range(1961, 1966):
        q = 2 * x.loc[y, "steel"] + x.loc[y, "cloth"]
        assert q >= 180.0 * 1.05 ** (y - 1960) * (1 - 1e-9)
        labour = x.loc[y, "power"] + 2 * x.loc[y, "steel"] + 2 * x.loc[y, "cloth"] + 3 * x.loc[y, "grain"]
        assert labour <= 1000.0 * 1.02 ** (y - 1960) * (1 + 1e-9)
        assert plan.consumption[y] >= 1.0 - 1e-9
    # capacity: 5 % depreciation; new steel capacity needs two years
    assert plan.capacity.loc[1961, "steel"] == pytest.approx(55.0, rel=REL)
    assert plan.capacity.loc[1962, "steel"] == pytest.approx(55.0 * 0.95, rel=REL)
    assert plan.capacity.loc[1963, "steel"] == pytest.approx(
        55.0 * 0.95 ** 2 + plan.new_capacity.loc[1961, "steel"], rel=REL)


def test_depreciation_as_a_mapping(write):
    """``depreciation: {steel: 0.1}``: the other branches default to 0. Steel capacity, with
    gestation 2, is ``55 * 0.9 = 49.5`` in 1962 whatever is invested; power capacity (gestation
    1, no depreciation) is ``110 + dK_power,1961``."""
    text = SCENARIO.replace("depreciation: 0.05", "depreciation: {steel: 0.1}")
    eco = autarky.read_scenario(write(text))
    assert eco.array("depreciation").tolist() == [0.0, 0.1, 0.0, 0.0]
    plan = eco.plan.multiyear("free")
    assert plan.status == "optimal"
    assert plan.capacity.loc[1962, "steel"] == pytest.approx(49.5, rel=REL)
    assert plan.capacity.loc[1962, "power"] == pytest.approx(
        110.0 + plan.new_capacity.loc[1961, "power"], rel=REL)


def test_cli_strict_infeasible_plan_exits_1(write, capsys):
    """Targets of 500 % a year, strict: the plan cannot hold and the command exits 1."""
    path = write(SCENARIO.replace("industrial_growth: 0.05", "industrial_growth: 5.0"))
    rc = main(["plan", str(path), "--strategy", "mine", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 1
    assert doc["status"] == "infeasible" and doc["conflicts"]
    rc = main(["plan", str(path), "--strategy", "mine"])
    out = capsys.readouterr().out
    assert rc == 1
    assert "industrial-output-target" in out


MALFORMED = [  # (id, old text, new text, marker of the line at fault, field)
    ("rule-min-above-max", "      - {groups: [heavy], min: 0.5, years: [1961, 1962]}",
     "      - {groups: [heavy], min: 0.7, max: 0.2, years: [1961, 1962]}", "max: 0.2",
     "strategies.mine.rules.0"),
    ("unknown-strategy-field", "    targets: strict", "    targets: strict\n    colour: red",
     "colour: red", "strategies.mine.colour"),
    ("unknown-rule-field", "min: 0.5, years", "min: 0.5, colour: 1, years", "colour: 1",
     "strategies.mine.rules.0.colour"),
    ("horizon-backwards", "horizon: {first: 1961, last: 1965}", "horizon: {first: 1965, last: 1961}",
     "horizon:", "horizon"),
    ("unknown-factor", "factor_growth: {labour: 0.02}", "factor_growth: {labor: 0.02}",
     "factor_growth:", "factor_growth.labor"),
    ("unknown-consumption-field", "consumption: {basket: consumption, floor: 1.0}",
     "consumption: {basket: consumption, flor: 1.0}", "flor:", "consumption.flor"),
    ("bad-targets-mode", "    targets: strict", "    targets: hard", "targets: hard",
     "strategies.mine.targets"),
    ("fractional-gestation", "gestation: {steel: 2}", "gestation: {steel: 1.5}", "gestation:",
     "gestation.steel"),
    ("unknown-branch-in-depreciation", "depreciation: 0.05", "depreciation: {steal: 0.05}",
     "depreciation:", "depreciation.steal"),
]


@pytest.mark.parametrize(("old", "new", "marker", "field"), [m[1:] for m in MALFORMED],
                         ids=[m[0] for m in MALFORMED])
def test_malformed_planning_keys(write, line_of, old, new, marker, field):
    assert old in SCENARIO
    text = SCENARIO.replace(old, new, 1)
    path = write(text)
    with pytest.raises(ScenarioError) as info:
        autarky.read_scenario(path)
    err = info.value
    assert err.file == str(path)
    assert err.line == line_of(text, marker)
    assert err.field == field


# Bugs: malformed planning keys that escape as ValueError or are accepted silently. The reader
# promises one ScenarioError naming file, line and field for every malformed scenario.
MALFORMED_BUGS = [
    ("floor-year-not-a-year", "consumption: {basket: consumption, floor: 1.0}",
     "consumption:\n  basket: consumption\n  floor: {abc: 1.0}", "abc: 1.0", "consumption.floor"),
    ("output-target-year-not-a-year", "  industrial_growth: 0.05",
     "  industrial_growth: 0.05\n  output:\n    abc: {steel: 60}", "abc: {steel", "plan_targets.output"),
    ("tolerance-not-a-number", "    targets: strict", "    targets: strict\n    tolerance: abc",
     "tolerance: abc", "strategies.mine.tolerance"),
    ("proportional-not-a-boolean", "    targets: strict", "    targets: strict\n    proportional: maybe",
     "proportional: maybe", "strategies.mine.proportional"),
    ("rule-years-backwards", "years: [1961, 1962]}", "years: [1962, 1961]}", "[1962, 1961]",
     "strategies.mine.rules.0"),
    ("depreciation-above-one", "depreciation: 0.05", "depreciation: 1.5", "depreciation:",
     "depreciation"),
    ("horizon-first-is-a-boolean", "horizon: {first: 1961, last: 1965}",
     "horizon: {first: true, last: 1965}", "horizon:", "horizon"),
]


@pytest.mark.parametrize(("old", "new", "marker", "field"), [m[1:] for m in MALFORMED_BUGS],
                         ids=[m[0] for m in MALFORMED_BUGS])
def test_malformed_planning_keys_bugs(write, line_of, old, new, marker, field):
    assert old in SCENARIO
    text = SCENARIO.replace(old, new, 1)
    path = write(text)
    with pytest.raises(ScenarioError) as info:
        autarky.read_scenario(path)
    err = info.value
    assert err.file == str(path)
    assert err.line == line_of(text, marker)
    assert err.field is not None and err.field.startswith(field)


def test_gestation_zero_is_refused_or_planned(write, line_of):
    """``gestation: {steel: 0}`` (new capacity producing in the year it is built) is either
    refused by the reader, naming the line, or planned; it must not crash with a non-autarky
    error."""
    text = SCENARIO.replace("gestation: {steel: 2}", "gestation: {steel: 0}")
    path = write(text)
    try:
        eco = autarky.read_scenario(path)
    except ScenarioError as err:
        assert err.line == line_of(text, "gestation:")
        return
    plan = eco.plan.multiyear("free")
    assert plan.status in {"optimal", "infeasible"}


def test_unknown_strategy_name_through_the_cli(write, capsys):
    rc = main(["plan", str(write(SCENARIO)), "--strategy", "nope"])
    err = capsys.readouterr().err
    assert rc == 2 and "unknown strategy" in err
