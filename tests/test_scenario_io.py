"""The scenario format: YAML and folder forms, flows and technology forms, and round trips.

The textbook numbers are Miller & Blair's (2009, section 2.3); the flows form is worked by hand::

    Z = A diag(x), x = [1000, 2000]  ->  Z = [[150, 500], [200, 100]]
    y = x - Z 1 = [1000 - 650, 2000 - 300] = [350, 1700]
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autarky
from autarky import Economy, data, read_scenario, write_scenario
from autarky.errors import ScenarioError
from autarky.testing import assert_economy_equal, random_economy

DET = 0.85 * 0.95 - 0.25 * 0.20  # det(I - A) = 0.7575
X_CLOSED = np.array([945.0, 1395.0]) / DET  # x = L y, see test_solve.py
REPO = Path(__file__).resolve().parents[1]

TECHNOLOGY_FORM = """\
name: Textbook at x = 1000, 2000
branches:
  - {id: agriculture, unit: "USD million"}
  - {id: manufacturing, unit: "USD million"}
technology:
  agriculture:   {agriculture: 0.15, manufacturing: 0.25}
  manufacturing: {agriculture: 0.20, manufacturing: 0.05}
gross_output: {agriculture: 1000, manufacturing: 2000}
final_demand: {agriculture: 350, manufacturing: 1700}
"""

FLOWS_FORM = """\
name: Textbook at x = 1000, 2000
branches:
  - {id: agriculture, unit: "USD million"}
  - {id: manufacturing, unit: "USD million"}
flows:
  agriculture:   {agriculture: 150, manufacturing: 500}
  manufacturing: {agriculture: 200, manufacturing: 100}
gross_output: {agriculture: 1000, manufacturing: 2000}
final_demand: {agriculture: 350, manufacturing: 1700}
"""


def roundtrip(economy: Economy, folder: Path) -> tuple[Economy, Economy]:
    """Write ``economy`` in both forms under ``folder`` and read both back."""
    as_yaml = read_scenario(write_scenario(economy, folder / "economy.yaml"))
    as_folder = read_scenario(write_scenario(economy, folder / "economy"))
    return as_yaml, as_folder


def sorted_provenance(economy: Economy) -> pd.DataFrame:
    return (economy.provenance.sort_values(["table", "row", "column"])
            .reset_index(drop=True))


# ---------------------------------------------------------------------------- reading
def test_textbook_scenario_as_written_in_the_issue(write, textbook_yaml, textbook):
    eco = read_scenario(write(textbook_yaml, "textbook.yaml"))
    assert eco.name == "Two-branch textbook economy"
    assert_economy_equal(eco, textbook)
    np.testing.assert_allclose(eco.plan.balance().gross_output, [1247.52, 1841.58], atol=0.01)


def test_bundled_textbook_and_example_are_the_textbook(textbook):
    # Both carry the same technology and final demand as the issue's scenario.
    for eco in (data.load("textbook"), read_scenario(REPO / "examples" / "textbook.yaml")):
        assert_economy_equal(eco, textbook)


def test_missing_entries_are_zero(write):
    text = """\
name: sparse
branches:
  - {id: a, unit: t}
  - {id: b, unit: t}
  - {id: c, unit: t}
technology:
  a: {b: 0.5}
final_demand: {c: 2}
"""
    eco = read_scenario(write(text))
    expected = np.zeros((3, 3))
    expected[0, 1] = 0.5
    np.testing.assert_array_equal(eco.A, expected)
    assert eco.final_demand["total"].tolist() == [0.0, 0.0, 2.0]


def test_folder_is_read_through_scenario_yaml(write, textbook):
    write("""\
name: Two-branch textbook economy
branches:
  - {id: agriculture, unit: "USD million"}
  - {id: manufacturing, unit: "USD million"}
technology: technology.csv
final_demand: final_demand.csv
""", "tb/scenario.yaml")
    write("input,branch,value\nagriculture,agriculture,0.15\nagriculture,manufacturing,0.25\n"
          "manufacturing,agriculture,0.20\nmanufacturing,manufacturing,0.05\n",
          "tb/technology.csv")
    folder = write("branch,category,value\nagriculture,total,600\nmanufacturing,total,1500\n",
                   "tb/final_demand.csv").parent
    assert_economy_equal(read_scenario(folder), textbook)
    assert_economy_equal(read_scenario(folder / "scenario.yaml"), textbook)


def test_branches_from_csv(write):
    write("name: b\nbranches: branches.csv\ntechnology: {}\n", "bc/scenario.yaml")
    folder = write("id,unit,name,group\ncoal,thousand t,Coal,energy\nsteel,thousand t,,\n",
                   "bc/branches.csv").parent
    eco = read_scenario(folder)
    assert eco.ids == ["coal", "steel"]
    assert eco.branches["name"].tolist() == ["Coal", "steel"]  # the name defaults to the id
    assert eco.branches["group"].tolist() == ["energy", "other"]


def test_final_demand_by_category(write):
    text = """\
name: categories
branches:
  - {id: agriculture, unit: "USD million"}
  - {id: manufacturing, unit: "USD million"}
technology:
  agriculture:   {agriculture: 0.15, manufacturing: 0.25}
  manufacturing: {agriculture: 0.20, manufacturing: 0.05}
final_demand:
  consumption: {agriculture: 400, manufacturing: 1000}
  investment: {agriculture: 200, manufacturing: 500}
"""
    eco = read_scenario(write(text))
    fd = eco.final_demand
    assert list(fd.columns) == ["consumption", "investment"]
    assert fd.loc["manufacturing"].tolist() == [1000.0, 500.0]
    # 400 + 200 = 600 and 1000 + 500 = 1500: the textbook's y, so the textbook's x.
    np.testing.assert_allclose(eco.plan.balance().gross_output, X_CLOSED, rtol=1e-12)


def test_numbers_with_provenance(write, textbook):
    text = """\
name: Two-branch textbook economy
branches:
  - {id: agriculture, unit: "USD million"}
  - {id: manufacturing, unit: "USD million"}
technology:
  agriculture:
    agriculture: {value: 0.15, source: "Miller & Blair 2009", note: "table 2.3"}
    manufacturing: 0.25
  manufacturing: {agriculture: 0.20, manufacturing: {value: 0.05, estimate: true}}
final_demand:
  agriculture: 600
  manufacturing: 1500
"""
    eco = read_scenario(write(text))
    assert_economy_equal(eco, textbook)
    prov = sorted_provenance(eco)
    assert prov[["table", "row", "column"]].values.tolist() == [
        ["technology", "agriculture", "agriculture"],
        ["technology", "manufacturing", "manufacturing"],
    ]
    assert prov["source"].tolist() == ["Miller & Blair 2009", ""]
    assert prov["note"].tolist() == ["table 2.3", ""]
    assert prov["estimate"].tolist() == [False, True]


def test_factors_capacity_partners(write):
    text = """\
name: with factors
year: 1963
branches:
  - {id: agriculture, unit: "USD million", name: Agriculture, group: agriculture}
  - {id: manufacturing, unit: "USD million"}
technology:
  agriculture:   {agriculture: 0.15, manufacturing: 0.25}
  manufacturing: {agriculture: 0.20, manufacturing: 0.05}
final_demand: {agriculture: 600, manufacturing: 1500}
factors:
  - {id: labour, unit: "thousand workers", availability: 1200,
     coefficients: {agriculture: 0.2, manufacturing: 0.1}}
capacity: {agriculture: 2000}
partners:
  - {id: ussr, name: Soviet Union}
"""
    eco = read_scenario(write(text))
    assert eco.year == 1963
    assert eco.branches.loc["agriculture", "name"] == "Agriculture"
    assert eco.branches.loc["manufacturing", "group"] == "other"
    assert eco.factor_coefficients.loc["labour"].tolist() == [0.2, 0.1]
    assert eco.factors.loc["labour", "availability"] == 1200.0
    assert eco.capacity.tolist() == [2000.0, np.inf]
    assert eco.partners.loc["ussr", "name"] == "Soviet Union"
    # F x = (0.2 * 945 + 0.1 * 1395) / 0.7575 = 328.5 / 0.7575 thousand workers.
    req = eco.plan.balance().factor_requirements
    assert req.loc["labour", "required"] == pytest.approx(328.5 / DET, rel=1e-12)


# ---------------------------------------------------------------------------- flows
def test_flows_and_technology_forms_give_the_same_economy(write):
    by_tech = read_scenario(write(TECHNOLOGY_FORM, "tech.yaml"))
    by_flows = read_scenario(write(FLOWS_FORM, "flows.yaml"))
    assert_economy_equal(by_flows, by_tech)
    np.testing.assert_allclose(by_flows.A, [[0.15, 0.25], [0.20, 0.05]], rtol=1e-15)
    built = Economy.from_flows([[150.0, 500.0], [200.0, 100.0]], x=[1000.0, 2000.0],
                               branches=["agriculture", "manufacturing"], units="USD million")
    assert_economy_equal(by_flows, built)
    # y = [350, 1700] is balanced by x = [1000, 2000], the gross output the flows were read at.
    np.testing.assert_allclose(by_flows.plan.balance().gross_output, [1000.0, 2000.0],
                               rtol=1e-12)


def test_flows_in_a_csv(write):
    write(FLOWS_FORM.replace(
        "flows:\n  agriculture:   {agriculture: 150, manufacturing: 500}\n"
        "  manufacturing: {agriculture: 200, manufacturing: 100}\n",
        "flows: flows.csv\n"), "fl/scenario.yaml")
    folder = write("input,branch,value\nagriculture,agriculture,150\n"
                   "agriculture,manufacturing,500\nmanufacturing,agriculture,200\n"
                   "manufacturing,manufacturing,100\n", "fl/flows.csv").parent
    assert_economy_equal(read_scenario(folder), read_scenario(write(TECHNOLOGY_FORM, "t.yaml")))


# ---------------------------------------------------------------------------- round trips
def test_textbook_roundtrip(tmp_path, textbook):
    as_yaml, as_folder = roundtrip(textbook, tmp_path)
    assert_economy_equal(as_yaml, textbook, rtol=0.0)
    assert_economy_equal(as_folder, textbook, rtol=0.0)
    assert_economy_equal(as_yaml, as_folder, rtol=0.0)
    assert as_yaml.name == as_folder.name == textbook.name
    assert (tmp_path / "economy" / "scenario.yaml").is_file()
    assert (tmp_path / "economy" / "technology.csv").is_file()


def test_roundtrip_keeps_every_table(tmp_path):
    branches = pd.DataFrame({"unit": ["thousand t", "million kWh"], "name": ["Coal", "Power"],
                             "group": ["energy", "energy"], "note": ["anthracite", ""]},
                            index=["coal", "power"])
    fd = pd.DataFrame({"consumption": [10.0, 20.0], "stock_change": [5.0, -1.0]},
                      index=["coal", "power"])
    factors = pd.DataFrame({"unit": ["thousand workers", "thousand ha"],
                            "availability": [np.nan, 300.0], "name": ["Labour", "land"]},
                           index=["labour", "land"])
    eco = Economy(branches, [[0.03, 0.22], [0.025, 0.08]], fd, name="energy", year=1963,
                  description="two energy branches", source="hand-made",
                  factors=factors, factor_coefficients=[[0.009, 0.002], [0.0, 0.1]],
                  capacity=[np.inf, 100.0],
                  partners=pd.DataFrame({"name": ["Soviet Union"]}, index=["ussr"]),
                  exports={"ussr": {"coal": 5.0}}, import_shares={"ussr": {"power": 0.1}},
                  import_prices={"ussr": {"power": 0.3}}, export_limits={"ussr": {"coal": 8.0}},
                  reported_output=[11.0, 22.0])
    as_yaml, as_folder = roundtrip(eco, tmp_path)
    for back in (as_yaml, as_folder):
        assert_economy_equal(back, eco, rtol=0.0)
        assert (back.name, back.year, back.description, back.source) == (
            "energy", 1963, "two energy branches", "hand-made")


def test_roundtrip_keeps_an_all_zero_final_demand_category(tmp_path):
    # Final demand by category where nothing is stocked this year: the category is part of
    # the economy (stock change = 0), and must survive writing and reading.
    fd = pd.DataFrame({"consumption": [600.0, 1500.0], "stock_change": [0.0, 0.0]},
                      index=["agriculture", "manufacturing"])
    eco = Economy.from_coefficients([[0.15, 0.25], [0.20, 0.05]], fd,
                                    branches=["agriculture", "manufacturing"])
    as_yaml, as_folder = roundtrip(eco, tmp_path)
    assert list(as_yaml.final_demand.columns) == ["consumption", "stock_change"]
    assert list(as_folder.final_demand.columns) == ["consumption", "stock_change"]


def test_dprk_roundtrip_with_provenance(tmp_path):
    eco = data.load("dprk-1963")
    as_yaml, as_folder = roundtrip(eco, tmp_path)
    expected = sorted_provenance(eco)
    assert len(expected) > 0
    for back in (as_yaml, as_folder):
        assert_economy_equal(back, eco)
        pd.testing.assert_frame_equal(sorted_provenance(back), expected, check_dtype=False)
        assert (back.name, back.year, back.source) == (eco.name, eco.year, eco.source)
    assert_economy_equal(as_yaml, as_folder)


def test_large_sparse_roundtrip(tmp_path):
    # Above 1000 branches a technology read from a file is stored sparse.
    eco = random_economy(1100, seed=7, density=0.004, sparse=True)
    back = read_scenario(write_scenario(eco, tmp_path / "big"))
    assert back.is_sparse
    assert_economy_equal(back, eco, rtol=0.0)


def test_write_returns_the_path(tmp_path, textbook):
    assert write_scenario(textbook, tmp_path / "a.yml") == tmp_path / "a.yml"
    assert write_scenario(textbook, tmp_path / "f") == tmp_path / "f"
    assert autarky.read_scenario(tmp_path / "a.yml").ids == textbook.ids


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 15), st.integers(0, 2**32 - 1), st.integers(0, 2))
def test_random_economies_roundtrip_exactly(n, seed, factors):
    # Floats are written with repr, which reads back to the same double.
    eco = random_economy(n, seed=seed, factors=factors)
    with tempfile.TemporaryDirectory() as tmp:
        as_yaml, as_folder = roundtrip(eco, Path(tmp))
    assert_economy_equal(as_yaml, eco, rtol=0.0)
    assert_economy_equal(as_folder, eco, rtol=0.0)


def test_reading_a_missing_scenario(tmp_path):
    with pytest.raises(ScenarioError) as info:
        read_scenario(tmp_path / "nowhere.yaml")
    assert info.value.file == str(tmp_path / "nowhere.yaml")


PLANNING_YAML = """\
name: Planning keys round trip
year: 1960
currency: million won
branches:
  - {id: machines, unit: units, group: heavy}
  - {id: cloth, unit: million m, group: light}
  - {id: grain, unit: thousand t, group: agriculture}
technology:
  machines: {cloth: 0.1, grain: 0.05}
  grain: {grain: 0.1}
final_demand:
  consumption: {cloth: 10, grain: 50}
  exports: {grain: 5}
factors:
  - {id: labour, unit: thousand workers, availability: 100, coefficients: {machines: 1, cloth: 2, grain: 0.5}}
partners:
  - id: ussr
    aid: 12.5
    imports: {machines: {price: 2.0, max: 30}}
    exports: {grain: {price: 0.5}}
  - {id: china, credit: 3}
prices: {machines: 2.0, cloth: 1.5, grain: 0.2}
target: {cloth: 12, grain: 60}
objective: {type: weighted, weights: {cloth: 2}}
horizon: {first: 1961, last: 1965}
capital:
  machines: {machines: 0.5, cloth: 1.0, grain: 0.2}
depreciation: {machines: 0.05, cloth: 0.03}
gestation: {machines: 2}
initial_capacity: {machines: 20, cloth: 15, grain: 70}
factor_growth: {labour: 0.02}
factor_availability: {labour: {1962: 104, 1963: 110}}
consumption: {basket: consumption, floor: {1961: 1.0, 1962: 1.05}}
exogenous: [exports]
industry_groups: [heavy, light]
plan_targets: {industrial_growth: 0.1, output: {1963: {machines: 25}}}
discount: 0.05
strategies:
  mine:
    description: two phases
    rules:
      - {groups: [light, agriculture], min: 0.4, years: [1961, 1962]}
      - {groups: [heavy], min: 0.5, max: 0.9, years: [1963, 1965]}
    targets: strict
"""


def test_planning_keys_round_trip(write, tmp_path: Path) -> None:
    """Every planning key survives writing (YAML and folder form) and reading back."""
    original = read_scenario(write(PLANNING_YAML, "planning.yaml"))
    assert original.currency == "million won"
    assert original.partners.loc["ussr", "aid"] == 12.5
    assert original.partners.loc["china", "credit"] == 3.0
    trade = original.trade
    assert len(trade[trade["partner"] == "ussr"]) == 2  # the two offers
    # exports of the old category go to 'unallocated' and earn no foreign exchange
    assert trade[trade["partner"] == "unallocated"]["price"].tolist() == [0.0]
    assert original.settings.horizon == (1961, 1965)
    assert original.settings.strategies["mine"].rules[1].max == 0.9
    assert original.array("gestation").tolist() == [2, 1, 1]
    stated = original.table("factor_availability_by_year")["labour"]
    assert stated.dropna().to_dict() == {1962: 104.0, 1963: 110.0}
    # the old exports category and its use in 'exogenous' are read into today's model
    assert original.exports.loc["unallocated", "grain"] == 5.0
    assert original.settings.exogenous == ()
    assert any("exports" in n for n in original.notes)
    for target in (tmp_path / "out.yaml", tmp_path / "out-folder"):
        back = read_scenario(write_scenario(original, target))
        assert_economy_equal(original, back)


TRADE_YAML = """\
name: trade keys
currency: million won
branches:
  - {id: coal, unit: thousand t}
  - {id: steel, unit: thousand t}
  - {id: machinery, unit: million won}
technology:
  coal: {steel: 0.6, coal: 0.05}
  machinery: {steel: 0.1, coal: 0.02}
final_demand:
  consumption: {coal: 100, machinery: 50}
  investment: {machinery: 80, steel: 20}
prices: {coal: 0.012, steel: 0.12, machinery: 1.0}
partners:
  - {id: ussr, name: Soviet Union, credit: 20}
  - {id: china, aid: 5}
import_shares: {china: {coal: 0.1}}
imported_technology:
  ussr: {coal: {steel: 0.4}}
final_imports:
  ussr: {machinery: {investment: 30}}
exports: {china: {coal: 12}}
import_prices: {ussr: {coal: 0.0138, machinery: 1.2}}
import_limits: {ussr: {machinery: 40}}
export_prices: {china: {coal: 0.012}}
export_limits: {china: {coal: 20}}
foreign_exchange: bilateral
"""


def test_trade_keys_read_and_round_trip(write, tmp_path: Path) -> None:
    """Every key of the trade model reads into its table (checked entry by entry) and survives
    writing (one file and folder form) and reading back."""
    scn = read_scenario(write(TRADE_YAML, "trade.yaml"))
    assert scn.notes == ()
    assert scn.import_shares.loc["china", "coal"] == 0.1
    Am = scn.table("imported_technology")
    assert Am["ussr"].loc["coal", "steel"] == 0.4 and Am["china"].to_numpy().sum() == 0.0
    assert scn.table("final_imports")["ussr"].loc["machinery", "investment"] == 30.0
    assert scn.exports.loc["china", "coal"] == 12.0
    assert scn.table("import_prices").loc["ussr", "machinery"] == 1.2
    assert scn.table("import_limits").loc["ussr", "machinery"] == 40.0
    assert np.isinf(scn.table("import_limits").loc["ussr", "coal"])
    assert scn.table("export_limits").loc["china", "coal"] == 20.0
    assert scn.partners.loc["ussr", "credit"] == 20.0 and scn.partners.loc["china", "aid"] == 5.0
    assert scn.settings.foreign_exchange == "bilateral"
    # A_d = A - A_m, then (1 - s) on the competitive rest: coal row (0.05, 0.6 - 0.4) * 0.9
    np.testing.assert_allclose(np.asarray(scn.A_d)[0], [0.045, 0.18, 0.0], rtol=1e-12)
    for target in (tmp_path / "out.yaml", tmp_path / "out-folder"):
        back = read_scenario(write_scenario(scn, target))
        assert_economy_equal(scn, back, rtol=0.0)
    assert (tmp_path / "out-folder" / "imported_technology.csv").read_text().splitlines()[0] == \
        "partner,input,branch,value,source,note,estimate"


def test_trade_table_errors_name_the_entry(write, line_of) -> None:
    from autarky.errors import ScenarioError

    bad = TRADE_YAML.replace("exports: {china: {coal: 12}}", "exports: {china: {coal: 25}}")
    with pytest.raises(ScenarioError, match=r"exports of coal to china .* exceed the export limit"):
        read_scenario(write(bad, "bad.yaml"))
    bad = TRADE_YAML.replace("imported_technology:\n  ussr: {coal: {steel: 0.4}}",
                             "imported_technology:\n  ussr: {coal: {steel: 0.7}}")
    with pytest.raises(ScenarioError, match="imported_technology of coal/steel exceeds"):
        read_scenario(write(bad, "bad2.yaml"))
    bad = TRADE_YAML.replace("import_limits: {ussr: {machinery: 40}}",
                             "import_limits: {ussr: {machinry: 40}}")
    with pytest.raises(ScenarioError) as info:
        read_scenario(write(bad, "bad3.yaml"))
    assert info.value.line == line_of(bad, "import_limits:")
    assert "did you mean 'machinery'" in info.value.message
