"""Bundled data: the source document, its claims, and the dprk-1963 material balance.

The claims file is a transcription of the source made independently of the scenario; the 1963
table of the source (lines 192-203 of the OCR text) is also parsed here directly, so the balance is
checked against the source itself and not only against another file of the package.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from autarky import data, read_scenario
from autarky.errors import AutarkyError
from autarky.testing import assert_economy_equal

SEED = "000_e798753c0d44f9c1.txt"
#: The project's copy of the source, beside the repository (absent on some machines).
SHARED_SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / SEED

#: The eight products of the source's 1963 table: scenario branch, claim id, and the factor from
#: the source's unit to the scenario's (kWh -> million kWh, tons -> thousand t,
#: metres -> million m).
TABLE_1963 = [
    ("electricity", "electricity-1963", "kwh", 1e6),
    ("coal", "coal-1963", "tons", 1e3),
    ("pig-iron", "pig-iron-1963", "tons", 1e3),
    ("steel", "steel-1963", "tons", 1e3),
    ("structural-steel", "structural-steel-1963", "tons", 1e3),
    ("fertilizers", "fertilizers-1963", "tons", 1e3),
    ("cement", "cement-1963", "tons", 1e3),
    ("fabrics", "fabrics-1963", "metres", 1e6),
]


@pytest.fixture(scope="module")
def claims():
    return data.load_claims()


@pytest.fixture(scope="module")
def lines():
    from autarky.cases import koh1965

    return koh1965.source_lines()


@pytest.fixture(scope="module")
def dprk():
    return data.load("dprk-1963")


@pytest.fixture(scope="module")
def dprk_plan(dprk):
    return dprk.plan.balance()


# ---------------------------------------------------------------------------- the source
def bundled_source() -> bytes:
    return (resources.files("autarky.cases.koh1965") / "data" / "source" / SEED).read_bytes()


def test_bundled_source_is_the_seed():
    text = bundled_source()
    assert b"North Korea" in text and b"Quest for Autonomy" in text
    if SHARED_SEED.is_file():  # the project's copy, where this checkout has one
        assert text == SHARED_SEED.read_bytes()


def test_source_lines_are_the_file_lines(lines):
    assert lines == bundled_source().decode("utf-8").split("\n")
    # Line 195 (1-based) of the seed is the electricity row of the 1963 table.
    assert lines[194].startswith("Electricity 11,766,000,000 kwh")


# ---------------------------------------------------------------------------- claims
def test_every_claim_stands_in_its_source_line(claims, lines):
    assert len(claims) >= 40
    for c in claims.claims:
        assert c.line is not None and 1 <= c.line <= len(lines), c.id
        assert c.ocr, c.id
        assert c.ocr in lines[c.line - 1], f"{c.id}: {c.ocr!r} not on line {c.line}"


def test_claims_are_well_formed(claims):
    ids = [c.id for c in claims.claims]
    assert len(ids) == len(set(ids))
    for c in claims.claims:
        assert 0.0 <= c.confidence <= 1.0, c.id
        if c.kind in ("ratio", "growth", "duration"):
            assert c.base_year is not None and c.year is not None and c.base_year < c.year, c.id
        if c.kind == "share":
            assert c.of and 0.0 <= c.value <= 1.0, c.id
        if c.unclear:
            assert c.confidence < 1.0, c.id
    assert claims.source_file == SEED


# id, value (as the source states it, per cent as a fraction), unit, year, base year, the text of
# the number as the OCR line prints it.
NAMED_CLAIMS = [
    ("industrial-growth-1954-1963", 0.348, "fraction per year", 1963, 1954, "34.8 per cent"),
    ("industrial-output-28-days-1963-vs-1944", 28, "days", 1963, 1944, "28 days"),
    ("grain-1962", 5000, "thousand t", 1962, None, "5 million"),
    ("grain-1961-vs-colonial", 2, "times", 1961, None, "doubled"),
    ("industry-share-1958", 0.69, "fraction", 1958, None, "69 to"),
    ("agriculture-share-1958", 0.31, "fraction", 1958, None, "to 3r"),
    ("industry-share-1960", 0.71, "fraction", 1960, None, "71 to"),
    ("agriculture-share-1960", 0.29, "fraction", 1960, None, "to 29"),
    ("seven-year-plan-growth-target", 0.18, "fraction per year", 1967, 1960, "18 per cent"),
    ("seven-year-plan-output-vs-1960", 3.2, "times", 1967, 1960, "3.2 times"),
    ("seven-year-plan-output-vs-prewar", 20, "times", 1967, None, "20 times"),
    ("industrial-growth-1964", 0.17, "fraction per year", 1964, 1963, "17 pec cent"),
    ("industrial-growth-1965", 0.14, "fraction per year", 1965, 1964, "14 per cent"),
    ("industrial-growth-target-1964", 0.18, "fraction per year", 1964, 1963, "18 per"),
    ("industrial-growth-target-1965", 0.18, "fraction per year", 1965, 1964, "18 per"),
    ("foreign-aid-share-of-revenue-1958-footnote", 0.045, "fraction", 1958, None, "4.5 per cent"),
    ("foreign-aid-share-of-revenue-1958-text", 0.045, "fraction", 1958, None, "4.5 per cent"),
    ("foreign-aid-share-of-revenue-1961", 0.0, "fraction", 1961, None, "1961"),
    ("soviet-grant-postwar-footnote", 250, "million USD", None, None, "$250 million"),
    ("soviet-grant-postwar-text", 250, "million USD", None, None, "$250 million"),
    ("chinese-grant-postwar-footnote", 324, "million USD", None, None, "$324 million"),
    ("chinese-grant-postwar-text", 324, "million USD", None, None, "$324 million"),
    ("foreign-aid-total-1946-1961", 5000, "million rubles", 1961, 1946, "5,000 million rubles"),
    ("foreign-aid-per-capita-rubles-1946-1961", 500, "rubles per capita", 1961, 1946,
     "500 rubles"),
    ("foreign-aid-per-capita-usd-1946-1961", 125, "USD per capita", 1961, 1946, "$125"),
    ("technicians-and-experts-1964", 200000, "persons", None, None, "200,000 technicians"),
]


@pytest.mark.parametrize(("cid", "value", "unit", "year", "base", "text"), NAMED_CLAIMS,
                         ids=[c[0] for c in NAMED_CLAIMS])
def test_named_claims(claims, cid, value, unit, year, base, text):
    c = claims[cid]
    assert c.value == pytest.approx(value, rel=1e-12, abs=1e-15)
    assert c.unit == unit
    if year is not None:
        assert c.year == year
    if base is not None:
        assert c.base_year == base
    assert text in c.ocr


def test_seven_year_plan_and_grants_span_their_years(claims):
    # The Soviet grant covered three years and the Chinese four (line 312 of the source).
    soviet, chinese = claims["soviet-grant-postwar-footnote"], claims["chinese-grant-postwar-footnote"]
    assert soviet.year - soviet.base_year + 1 == 3
    assert chinese.year - chinese.base_year + 1 == 4
    period = claims["seven-year-plan-period"]
    assert (period.base_year, period.year, period.value) == (1961, 1967, 7)


@pytest.mark.parametrize("cid", ["coal-1963-vs-1946", "steel-1963-vs-1946", "cement-1963-vs-1956"])
def test_garbled_table_cells_are_unclear(claims, lines, cid):
    c = claims[cid]
    assert c.unclear is True
    assert c.confidence < 1.0
    assert c.alternatives, "an unclear reading lists its alternatives"
    assert c.value in c.alternatives
    # The cell really is garbled in the source: "H", "'04" and "4·'" on lines 196, 199, 202.
    garbled = {"coal-1963-vs-1946": "3.6 H", "steel-1963-vs-1946": "'04",
               "cement-1963-vs-1956": "4·'"}[cid]
    assert garbled in lines[c.line - 1]


@pytest.mark.parametrize(("branch", "cid", "word", "scale"), TABLE_1963,
                         ids=[t[0] for t in TABLE_1963])
def test_1963_level_claims_match_the_source_table(claims, lines, branch, cid, word, scale):
    c = claims[cid]
    assert (c.kind, c.year) == ("level", 1963)
    m = re.search(r"(\d{1,3}(?:,\d{3})+)\s+" + word, lines[c.line - 1])
    assert m is not None, f"no '<number> {word}' on line {c.line}"
    assert c.value == pytest.approx(int(m.group(1).replace(",", "")) / scale, rel=1e-12)


# ---------------------------------------------------------------------------- dprk-1963
def test_dprk_has_the_table_products_and_more(dprk):
    assert dprk.n >= 12
    for branch in [t[0] for t in TABLE_1963] + ["grain", "machinery", "consumer-goods"]:
        assert branch in dprk.ids
    assert {"ussr", "china"} <= set(dprk.partners.index)
    assert dprk.year == 1963
    units = dprk.units
    assert units["electricity"] == "million kWh"
    assert units["fabrics"] == "million m"
    assert units["steel"] == "thousand t"


@pytest.mark.parametrize(("branch", "cid", "word", "scale"), TABLE_1963,
                         ids=[t[0] for t in TABLE_1963])
def test_dprk_balances_to_the_source_outputs(dprk_plan, claims, branch, cid, word, scale):
    x = dprk_plan.gross_output[branch]
    assert x == pytest.approx(claims[cid].value, rel=1e-6)


def test_dprk_grain_is_the_source_level(dprk_plan, claims):
    # The source gives grain for 1962 (5 million t); the scenario carries it for 1963.
    assert dprk_plan.gross_output["grain"] == pytest.approx(claims["grain-1962"].value, rel=1e-6)


def test_dprk_balance_reproduces_every_reported_output(dprk, dprk_plan):
    # gross_output.csv is what the final demand was set to close: x - A x = y must give it back.
    np.testing.assert_allclose(dprk_plan.gross_output.to_numpy(),
                               dprk.reported_output.to_numpy(), rtol=1e-6)


def test_dprk_final_demand_is_not_negative(dprk, dprk_plan):
    assert (dprk.final_demand.to_numpy() >= 0).all()
    assert (dprk_plan.table()["final_demand"] >= 0).all()
    assert (dprk_plan.table()["intermediate_use"] >= 0).all()


def test_dprk_labour_is_sufficient(dprk_plan):
    labour = dprk_plan.factor_requirements.loc["labour"]
    assert np.isfinite(labour["available"])
    assert 0 < labour["required"] <= labour["available"]


def test_dprk_norms_are_documented_estimates(dprk):
    prov = dprk.provenance
    tech = prov[prov["table"] == "technology"]
    A = dprk.technology
    nonzero = {(i, j) for i in A.index for j in A.columns if A.loc[i, j] != 0}
    # Every input norm has its reasoning, and is marked as an estimate.
    assert set(zip(tech["row"], tech["column"], strict=True)) == nonzero
    assert (tech["note"].str.len() > 0).all()
    assert tech["estimate"].astype(bool).all()


# ---------------------------------------------------------------------------- loaders
def test_list_and_load(tmp_path):
    names = {d.name for d in data.list_datasets()}
    assert {"claims", "dprk-1963", "textbook"} <= names
    with pytest.raises(AutarkyError, match="no bundled dataset"):
        data.load("atlantis")
    with pytest.raises(AutarkyError, match="load_claims"):
        data.load("claims")
    target = data.export("dprk-1963", tmp_path)
    assert (target / "scenario.yaml").is_file()
    assert_economy_equal(read_scenario(target), data.load("dprk-1963"))


def test_dprk_balance_with_imports_resources_equal_uses():
    """With competitive imports the balance of every product is gross output + imports =
    intermediate use (domestic and imported inputs, A x) + home final use + exports; and the
    imports are the import share of home use (A x + y), partner by partner."""
    eco = data.load("dprk-1963")
    t = eco.plan.balance().table()
    np.testing.assert_allclose(t["gross_output"] + t["imports"],
                               t["intermediate_use"] + t["final_demand"] + t["exports"], rtol=1e-10)
    plan = eco.plan.balance()
    fd = eco.final_demand
    use = plan.intermediate_use.to_numpy() + fd.to_numpy().sum(axis=1)
    np.testing.assert_allclose(plan.imports.to_numpy(), eco.import_shares.to_numpy() * use,
                               rtol=1e-12)
