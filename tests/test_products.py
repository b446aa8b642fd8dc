"""Product-level dependence from trade data (issue 11, item 4): the BACI and UN Comtrade readers,
the EU-2021 and GeoDep criteria, and ``autarky products``.

Every expected number is written or derived here by hand or with plain pandas, never taken
from the code under test. The BACI files are written in BACI's exact layout (``t,i,j,k,v,q``,
product codes with their leading zero, numbers and ``NA`` padded with spaces).
"""

from __future__ import annotations

import importlib.util
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import autarky.cli.product_cmds  # noqa: F401  (registers ``autarky products``)
from autarky.cli.app import main
from autarky.errors import TableError, UnknownIdError
from autarky.products import (
    EU27,
    concat_trade,
    eu2021,
    geodep,
    read_baci,
    read_comtrade,
    read_country_codes,
    read_trade,
    trade_frame,
)

NEW_HEADER = "country_code,country_name,country_iso2,country_iso3"
OLD_HEADER = ("country_code,country_name_abbreviation,country_name_full,iso_2digit_alpha,"
              "iso_3digit_alpha")
#: The hand example's countries: BACI-like numeric code -> ISO3-like id.
CODES = {1: "XXX", 2: "YYY", 3: "ZZZ", 10: "AAA", 11: "BBB"}


def baci_line(t: int, i: int, j: int, k: str, v: float, q: float | None) -> str:
    """One BACI row as BACI writes it: numbers right-aligned in padded fields, NA padded too."""
    qs = "NA" if q is None else f"{q:.3f}"
    return f"{t},{i},{j},{k},{v:>12.3f},{qs:>12}"


def write_baci(path: Path, rows: list[tuple[int, int, int, str, float, float | None]]) -> Path:
    path.write_text("t,i,j,k,v,q\n" + "".join(baci_line(*r) + "\n" for r in rows))
    return path


def write_countries(path: Path, codes: dict[int, str], old: bool = False) -> Path:
    if old:
        body = "".join(f"{c},{n},{n} full,{n[:2]},{n}\n" for c, n in codes.items())
        path.write_text(OLD_HEADER + "\n" + body)
    else:
        body = "".join(f"{c},{n} land,{n[:2]},{n}\n" for c, n in codes.items())
        path.write_text(NEW_HEADER + "\n" + body)
    return path


# --- BACI ------------------------------------------------------------------------------------

ROWS = [(2021, 10, 1, "010121", 12.5, None),       # leading zero, NA quantity
        (2021, 1, 10, "030289", 1234.567, 8.25),
        (2021, 11, 10, "270900", 0.001, 0.002)]


@pytest.mark.parametrize("old", [False, True], ids=["new-country-header", "old-country-header"])
def test_baci_reads_back_what_was_written(tmp_path: Path, old: bool) -> None:
    path = write_baci(tmp_path / "BACI_HS17_Y2021_V202301.csv", ROWS)
    text = path.read_text()
    assert ",010121," in text and "          NA" in text  # the layout really is BACI's
    df = read_baci(path, write_countries(tmp_path / "country_codes_V202301.csv", CODES, old))
    assert list(df.columns) == ["year", "exporter", "importer", "product", "value", "quantity"]
    assert df["product"].tolist() == ["010121", "030289", "270900"]
    assert df["exporter"].tolist() == ["AAA", "XXX", "BBB"]
    assert df["importer"].tolist() == ["XXX", "AAA", "AAA"]
    assert df["year"].tolist() == [2021] * 3
    assert df["value"].tolist() == [12.5, 1234.567, 0.001]
    assert np.isnan(df["quantity"][0]) and df["quantity"].tolist()[1:] == [8.25, 0.002]
    assert df.attrs["units"] == {"value": "thousand USD", "quantity": "t"}
    prov = df.attrs["provenance"]
    assert prov["release"] == "V202301" and prov["hs"] == "HS17"
    assert prov["licence"] == "Etalab Open Licence 2.0" and prov["file"] == str(path)


def test_baci_without_country_file_keeps_the_numbers(tmp_path: Path) -> None:
    df = read_baci(write_baci(tmp_path / "BACI_HS92_Y1995_V202401b.csv", ROWS))
    assert df["exporter"].tolist() == ["10", "1", "11"]
    assert df.attrs["provenance"]["country_codes"] == "BACI numeric"
    assert df.attrs["provenance"]["release"] is None  # V202401b is not a release name


def test_country_file_code_without_iso3_keeps_its_number(tmp_path: Path) -> None:
    path = tmp_path / "country_codes_V202301.csv"
    path.write_text(NEW_HEADER + "\n4,Afghanistan,AF,AFG\n899,Areas nes,,\n")
    assert read_country_codes(path)["iso3"].tolist() == ["AFG", "899"]


@pytest.mark.parametrize(("body", "line", "column", "words"), [
    ("t,i,j,k,v\n2021,1,10,010121,5\n", 1, "q", "missing column 'q'"),
    ("t,i,j,k,v,q\n2021,1,10,010121,5,NA\n2021,1,10,10121,5,NA\n", 3, "k", "not six digits"),
    ("t,i,j,k,v,q\n2021,1,10,0101211,5,NA\n", 2, "k", "not six digits"),
    ("t,i,j,k,v,q\n2021,1,10,010121,5,NA\n\n2021,1,10,01012,5,NA\n\n", 4, "k", "six digits"),
    ("t,i,j,k,v,q\n2021,1,10,010121,     -5.000,NA\n", 2, "v", "negative value"),
    ("t,i,j,k,v,q\n2021,1,10,010121,5,NA\n2021,1,10,010121,abc,NA\n", 3, "v", "not a number"),
    ("t,i,j,k,v,q\n2021,1,10,010121,5,NA\n2021,1,10,010121,5\n", 3, None, "fields"),
    ("t,i,j,k,v,q\n2021,1,10,010121,5,  x1\n", 2, "q", "not a number"),
    ("t,i,j,k,v,q\n2021,1,10,010121,5,  -2.0\n", 2, "q", "negative quantity"),
    ("t,i,j,k,v,q\n2021,1,10,010121,5,NA\n2021,1,10,010121,,NA\n", 3, "v", "missing"),
])
def test_malformed_baci_names_file_line_and_column(tmp_path: Path, body: str, line: int,
                                                   column: str | None, words: str) -> None:
    path = tmp_path / "BACI_HS17_Y2021_V202301.csv"
    path.write_text(body)
    with pytest.raises(TableError) as info:
        read_baci(path)
    e = info.value
    assert (e.file, e.line, e.column) == (str(path), line, column)
    assert words in str(e) and str(e).startswith(f"{path}:{line}: ")


def test_unknown_country_code_names_the_line(tmp_path: Path) -> None:
    path = write_baci(tmp_path / "BACI_HS17_Y2021_V202301.csv",
                      [*ROWS, (2021, 10, 77, "010121", 1.0, None)])
    with pytest.raises(TableError) as info:
        read_baci(path, write_countries(tmp_path / "cc.csv", CODES))
    assert (info.value.line, info.value.column) == (5, "j") and "77" in str(info.value)


def test_country_file_without_iso3_column(tmp_path: Path) -> None:
    bad = tmp_path / "country_codes_V202301.csv"
    bad.write_text("country_code,country_name\n4,Afghanistan\n")
    with pytest.raises(TableError) as info:
        read_country_codes(bad)
    assert (info.value.line, info.value.column) == (1, "country_iso3")


# --- UN Comtrade -----------------------------------------------------------------------------

COMTRADE_HEADER = (
    "typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,reporterDesc,"
    "flowCode,flowDesc,partnerCode,partnerISO,partnerDesc,partner2Code,partner2ISO,partner2Desc,"
    "classificationCode,classificationSearchCode,isOriginalClassification,cmdCode,cmdDesc,"
    "aggrLevel,isLeaf,customsCode,customsDesc,mosCode,motCode,motDesc,qtyUnitCode,qtyUnitAbbr,"
    "qty,isQtyEstimated,altQtyUnitCode,altQtyUnitAbbr,altQty,isAltQtyEstimated,netWgt,"
    "isNetWgtEstimated,grossWgt,isGrossWgtEstimated,cifvalue,fobvalue,primaryValue,"
    "legacyEstimationFlag,isReported,isAggregate")


def comtrade_row(reporter: str, flow: str, partner: str, cmd: str, value: str, weight: str,
                 partner2: str = "0", customs: str = "C00", mot: str = "0", level: str = "6"
                 ) -> str:
    cells = dict.fromkeys(COMTRADE_HEADER.split(","), "")
    cells.update({"typeCode": "C", "freqCode": "A", "refYear": "2021", "period": "2021",
                  "reporterISO": reporter, "flowCode": flow,
                  "partnerCode": "0" if partner == "W00" else "156", "partnerISO": partner,
                  "partner2Code": partner2, "cmdCode": cmd, "cmdDesc": '"Crude, petroleum"',
                  "aggrLevel": level, "customsCode": customs, "motCode": mot, "netWgt": weight,
                  "primaryValue": value})
    return ",".join(cells.values())


def test_comtrade_keeps_one_flow_without_double_counting(tmp_path: Path) -> None:
    path = tmp_path / "comtrade.csv"
    path.write_text("\n".join([
        COMTRADE_HEADER,
        comtrade_row("DEU", "M", "CHN", "854140", "2500000", "120000"),     # kept
        comtrade_row("DEU", "M", "USA", "010121", "1000", ""),              # kept, no weight
        comtrade_row("DEU", "M", "W00", "854140", "9000000", "1"),          # World
        comtrade_row("DEU", "X", "CHN", "854140", "70000", "2"),            # exports
        comtrade_row("DEU", "M", "CHN", "854140", "1", "1", partner2="392"),  # breakdown
        comtrade_row("DEU", "M", "CHN", "854140", "1", "1", customs="C01"),
        comtrade_row("DEU", "M", "CHN", "854140", "1", "1", mot="2100"),
        comtrade_row("DEU", "M", "CHN", "TOTAL", "1", "1", level="0"),      # aggregate
    ]) + "\n")
    df = read_comtrade(path)
    assert df[["exporter", "importer", "product"]].values.tolist() == [
        ["CHN", "DEU", "854140"], ["USA", "DEU", "010121"]]
    assert df["value"].tolist() == [2500.0, 1.0]          # USD / 1000
    assert df["quantity"][0] == 120.0 and np.isnan(df["quantity"][1])  # kg / 1000
    assert df.attrs["units"] == {"value": "thousand USD", "quantity": "t"}
    exports = read_comtrade(path, flow="X")
    assert exports[["exporter", "importer", "value"]].values.tolist() == [["DEU", "CHN", 70.0]]
    assert read_trade(path).attrs["provenance"]["source"] == "UN Comtrade"


@pytest.mark.parametrize(("row", "line", "column", "words"), [
    (comtrade_row("DEU", "M", "CHN", "2709", "5", "1"), 3, "cmdCode", "not six digits"),
    (comtrade_row("DEU", "M", "CHN", "270900", "-5", "1"), 3, "primaryValue", "negative"),
    (comtrade_row("DEU", "M", "CHN", "270900", "5", "heavy"), 3, "netWgt", "not a number"),
])
def test_malformed_comtrade(tmp_path: Path, row: str, line: int, column: str,
                            words: str) -> None:
    path = tmp_path / "comtrade.csv"
    path.write_text("\n".join([COMTRADE_HEADER,
                               comtrade_row("DEU", "M", "USA", "270900", "5", "1"), row]) + "\n")
    with pytest.raises(TableError) as info:
        read_comtrade(path)
    assert (info.value.file, info.value.line, info.value.column) == (str(path), line, column)
    assert words in str(info.value)


def test_comtrade_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "comtrade.csv"
    path.write_text(COMTRADE_HEADER.replace(",primaryValue", "") + "\n")
    with pytest.raises(TableError) as info:
        read_comtrade(path)
    assert (info.value.line, info.value.column) == (1, "primaryValue")


# --- the criteria on a hand-solved example ---------------------------------------------------

#: (exporter, importer, product, value) of the hand example, in thousand USD.
FLOWS = [
    # 010121: the bloc {AAA, BBB} buys 60 from XXX, 30 from YYY, 10 from ZZZ (half each)
    ("XXX", "AAA", "010121", 30.0), ("YYY", "AAA", "010121", 15.0),
    ("ZZZ", "AAA", "010121", 5.0),
    ("XXX", "BBB", "010121", 30.0), ("YYY", "BBB", "010121", 15.0),
    ("ZZZ", "BBB", "010121", 5.0),
    ("BBB", "AAA", "010121", 20.0),                      # intra-bloc
    ("AAA", "BBB", "010121", 20.0), ("AAA", "XXX", "010121", 10.0),
    ("BBB", "YYY", "010121", 10.0),                      # the bloc's exports: 20 + 10 + 10
    # 020110: 50, 30, 20 from XXX, YYY, ZZZ, no exports
    ("XXX", "AAA", "020110", 50.0), ("YYY", "AAA", "020110", 30.0),
    ("ZZZ", "AAA", "020110", 20.0),
    # 030289: 90 and 30 from outside, 200 inside
    ("XXX", "AAA", "030289", 90.0), ("YYY", "AAA", "030289", 30.0),
    ("BBB", "AAA", "030289", 200.0),
]


def hand_trade() -> pd.DataFrame:
    e, i, k, v = zip(*FLOWS, strict=True)
    return trade_frame([2021] * len(FLOWS), e, i, k, v)


def test_eu2021_by_hand() -> None:
    """The bloc B = {AAA, BBB}:

    * 010121: extra-bloc imports 60 + 30 + 10 = 100, shares 0.6, 0.3, 0.1, so
      HHI = 0.36 + 0.09 + 0.01 = 0.46 > 0.4; total imports 100 + 20 (BBB -> AAA) + 20
      (AAA -> BBB) = 140, extra share 100 / 140 = 0.714 > 0.5 (intra-bloc flows are imports
      of the bloc); exports 20 + 20 (the same two intra-bloc flows) + 10 + 10 = 60,
      100 / 60 = 1.667 > 1: dependent;
    * 020110: shares 0.5, 0.3, 0.2, HHI = 0.25 + 0.09 + 0.04 = 0.38, not above 0.4: not
      dependent (though the share is 1 and the ratio infinite, no exports);
    * 030289: shares 0.75, 0.25, HHI = 0.5625 + 0.0625 = 0.625, but extra share
      120 / 320 = 0.375: not dependent.

    AAA inside B, 010121: extra 30 + 15 + 5 = 50 (shares 0.6, 0.3, 0.1: HHI 0.46), total
    50 + 20 = 70 (share 0.714), exports 20 + 10 = 30 (ratio 1.667): dependent. AAA on its
    own: suppliers 30, 15, 5 and BBB's 20 of 70, HHI = (900 + 225 + 25 + 400) / 4900 =
    0.3163: not concentrated.
    """
    m = eu2021(hand_trade(), {"B": {"AAA", "BBB"}}).set_index("product")
    assert m.loc["010121", "hhi"] == pytest.approx(0.46)
    assert m.loc["010121", "extra_share"] == pytest.approx(100 / 140)
    assert m.loc["010121", "imports_over_exports"] == pytest.approx(100 / 60)
    assert m.loc["010121", ["extra_imports", "total_imports", "exports"]].tolist() == [
        100.0, 140.0, 60.0]
    assert m.loc["010121", "top_supplier"] == "XXX"
    assert m.loc["010121", "top_supplier_share"] == pytest.approx(0.6)
    assert m.loc["020110", "hhi"] == pytest.approx(0.38)
    assert m.loc["020110", "imports_over_exports"] == np.inf
    assert m.loc["030289", "hhi"] == pytest.approx(0.625)
    assert m.loc["030289", "extra_share"] == pytest.approx(0.375)
    assert m["dependent"].to_dict() == {"010121": True, "020110": False, "030289": False}
    assert m["concentrated"].to_dict() == {"010121": True, "020110": False, "030289": True}
    assert m.attrs["units"]["extra_imports"] == "thousand USD"
    assert m.attrs["units"]["hhi"] == "1"
    assert m.attrs["thresholds"] == {"concentration": 0.4, "extra_demand": 0.5,
                                     "substitutability": 1.0}

    inside = eu2021(hand_trade(), "AAA", bloc={"B": {"AAA", "BBB"}}).set_index("product")
    assert inside.loc["010121", "hhi"] == pytest.approx(0.46)
    assert inside.loc["010121", "extra_share"] == pytest.approx(50 / 70)
    assert inside.loc["010121", "imports_over_exports"] == pytest.approx(50 / 30)
    assert bool(inside.loc["010121", "dependent"])

    alone = eu2021(hand_trade(), "AAA").set_index("product")
    assert alone.loc["010121", "hhi"] == pytest.approx(1550 / 4900)
    assert alone.loc["010121", "extra_share"] == 1.0
    assert not alone.loc["010121", "dependent"]


def geodep_trade() -> pd.DataFrame:
    rows = [
        # 280540: met in 2019 and 2021, not in 2020 (AAA exports 200 > its imports 100)
        (2019, "XXX", "AAA", "280540", 80.0), (2019, "YYY", "AAA", "280540", 20.0),
        (2019, "XXX", "BBB", "280540", 100.0),
        (2020, "XXX", "AAA", "280540", 50.0), (2020, "YYY", "AAA", "280540", 50.0),
        (2020, "XXX", "BBB", "280540", 100.0), (2020, "AAA", "BBB", "280540", 200.0),
        (2021, "XXX", "AAA", "280540", 90.0), (2021, "YYY", "AAA", "280540", 10.0),
        (2021, "XXX", "BBB", "280540", 100.0),
        # 854140: met in 2021 only
        (2021, "XXX", "AAA", "854140", 7.0),
        # 300490: one supplier, but the world's exports are spread over four exporters
        (2021, "XXX", "AAA", "300490", 10.0), (2021, "YYY", "BBB", "300490", 10.0),
        (2021, "ZZZ", "BBB", "300490", 10.0), (2021, "WWW", "BBB", "300490", 10.0),
    ]
    t, e, i, k, v = zip(*rows, strict=True)
    return trade_frame(t, e, i, k, v)


def test_geodep_by_hand() -> None:
    """AAA, 280540:

    * 2019: imports 80, 20: HHI 0.64 + 0.04 = 0.68; world exports XXX 180, YYY 20:
      0.81 + 0.01 = 0.82; no exports: 9999; met;
    * 2020: HHI 0.25 + 0.25 = 0.5, world XXX 150 + AAA 200 + YYY 50 = 400:
      (0.375^2 + 0.5^2 + 0.125^2) = 0.40625; ratio 100 / 200 = 0.5: not met;
    * 2021: imports 90, 10: 0.82; world XXX 190, YYY 10: 0.9025 + 0.0025 = 0.905; met.

    Met in 2 of 2019-2021: dependent. 854140 is met in 2021 only (1 of 3), 300490 not even
    then: world HHI 4 x 0.25^2 = 0.25.
    """
    g = geodep(geodep_trade(), "AAA").set_index("product")
    assert g.loc["280540", "hhi_imports"] == pytest.approx(0.82)
    assert g.loc["280540", "hhi_world"] == pytest.approx(0.905)
    assert g.loc["280540", "imports_over_exports"] == 9999.0
    assert g["years_met"].to_dict() == {"280540": 2, "300490": 0, "854140": 1}
    assert g["dependent"].to_dict() == {"280540": True, "300490": False, "854140": False}
    assert g.loc["300490", "hhi_world"] == pytest.approx(0.25)
    assert (g["years_observed"] == 3).all() and g.attrs["window"] == [2019, 2021]
    y2020 = geodep(geodep_trade(), "AAA", year=2020).set_index("product")
    assert y2020.loc["280540", "hhi_imports"] == pytest.approx(0.5)
    assert y2020.loc["280540", "hhi_world"] == pytest.approx(0.40625)
    assert y2020.loc["280540", "imports_over_exports"] == pytest.approx(0.5)
    assert y2020.loc["280540", "years_observed"] == 2       # 2018 is not in the data
    assert not y2020.loc["280540", "criteria_met"]


def test_unknown_importer() -> None:
    with pytest.raises(UnknownIdError):
        eu2021(hand_trade(), "QQQ")


# --- the real BACI crude-oil extract of quantecon-book-networks ------------------------------

def crude_oil_dir() -> Path:
    spec = importlib.util.find_spec("quantecon_book_networks")
    # the test extra installs it: a missing package is a failure, not a skip
    assert spec is not None and spec.submodule_search_locations, \
        "quantecon-book-networks is not installed (pip install -e '.[test]')"
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "crude_oil"


@pytest.fixture(scope="module")
def crude_oil(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, Path, Path]:
    """The extract (2021, HS 270900; ISO3 codes, values in USD) and the same flows written
    back in BACI's raw layout (numeric codes from the package's ISO table, value in thousand
    USD, the extract's own space-padded quantities), with a country file in the old layout.
    The few flows whose country has no ISO3 code in the extract get the code 899 and no ISO3,
    as a BACI "areas nes" code."""
    d = crude_oil_dir()
    raw = pd.read_csv(d / "data.csv", dtype=str, keep_default_na=False)
    iso = pd.read_csv(d / "regions-iso3c.csv", dtype=str, keep_default_na=False)
    number = {a: int(c) for a, c in zip(iso["alpha-3"], iso["country-code"], strict=True)}
    number[""] = 899
    tmp = tmp_path_factory.mktemp("baci")
    path = tmp / "BACI_HS92_Y2021_V202301.csv"
    lines = ["t,i,j,k,v,q"] + [
        f"{r.year},{number[r.location_code]},{number[r.partner_code]},{r.product_id},"
        f"{float(r.export_value) / 1000!r},{r._5}"
        for r in raw.itertuples()]
    path.write_text("\n".join(lines) + "\n")
    used = {number[c] for c in set(raw["location_code"]) | set(raw["partner_code"])}
    names = {n: a for a, n in number.items() if n in used}
    countries = tmp / "country_codes_V202301.csv"
    countries.write_text(OLD_HEADER + "\n" + "".join(
        f"{n},{a or 'Areas nes'},{a or 'Areas nes'},{a[:2]},{a}\n" for n, a in names.items()))
    data = pd.DataFrame({"exporter": raw["location_code"].replace("", "899"),
                         "importer": raw["partner_code"].replace("", "899"),
                         "usd": raw["export_value"].astype(float),
                         "tons": [np.nan if q.strip() == "NA" else float(q)
                                  for q in raw["Quantity (in metric tons)"]]})
    return data, path, countries


def test_crude_oil_reads_back(crude_oil: tuple[pd.DataFrame, Path, Path]) -> None:
    data, path, countries = crude_oil
    df = read_baci(path, countries)
    assert len(df) == len(data) == 1445
    assert set(df["product"]) == {"270900"} and set(df["year"]) == {2021}
    assert df["exporter"].tolist() == data["exporter"].tolist()
    assert df["importer"].tolist() == data["importer"].tolist()
    np.testing.assert_allclose(df["value"] * 1000, data["usd"], rtol=1e-12)
    assert data["tons"].isna().sum() > 0  # the extract has BACI's padded NA quantities
    np.testing.assert_allclose(df["quantity"], data["tons"], rtol=1e-12)


def independent(data: pd.DataFrame, members: set[str], area: set[str]) -> dict[str, float]:
    """EU-2021 measures with plain pandas, from the extract's own USD columns."""
    imp = data[data["importer"].isin(members)]
    ext = imp[~imp["exporter"].isin(area)]
    by = ext.groupby("exporter")["usd"].sum()
    extra = by.sum()
    exports = data[data["exporter"].isin(members)]["usd"].sum()
    return {"extra": extra, "total": imp["usd"].sum(), "hhi": ((by / extra) ** 2).sum(),
            "share": extra / imp["usd"].sum(),
            "ratio": extra / exports if exports else np.inf}


@pytest.mark.parametrize("who", ["DEU", "FRA", "ITA", "NLD", "USA", "CHN", "IND", "EU27"])
def test_crude_oil_eu2021_matches_plain_pandas(crude_oil: tuple[pd.DataFrame, Path, Path],
                                               who: str) -> None:
    data, path, countries = crude_oil
    trade = read_baci(path, countries)
    members = set(EU27) if who == "EU27" else {who}
    area = set(EU27) if members <= EU27 else members
    m = eu2021(trade, {who: members}, bloc={"EU27": EU27})
    assert m["product"].tolist() == ["270900"]
    r = m.iloc[0]
    want = independent(data, members, area)
    assert r["extra_imports"] * 1000 == pytest.approx(want["extra"], rel=1e-12)
    assert r["total_imports"] * 1000 == pytest.approx(want["total"], rel=1e-12)
    assert r["hhi"] == pytest.approx(want["hhi"], rel=1e-10)
    assert r["extra_share"] == pytest.approx(want["share"], rel=1e-10)
    assert r["imports_over_exports"] == pytest.approx(want["ratio"], rel=1e-10)
    assert bool(r["dependent"]) == (want["hhi"] > 0.4 and want["share"] > 0.5
                                    and want["ratio"] > 1)
    assert m.attrs["source"]["release"] == "V202301"


# --- the command line ------------------------------------------------------------------------

def hand_files(tmp_path: Path) -> tuple[Path, Path]:
    number = {n: c for c, n in CODES.items()}
    rows = [(2021, number[e], number[i], k, v, None if n % 2 else 1.5)
            for n, (e, i, k, v) in enumerate(FLOWS)]
    return (write_baci(tmp_path / "BACI_HS17_Y2021_V202301.csv", rows),
            write_countries(tmp_path / "country_codes_V202301.csv", CODES))


def test_cli_json_csv_and_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    baci, countries = hand_files(tmp_path)
    argv = ["products", str(baci), "--countries", str(countries), "--importer", "B",
            "--bloc", "B=AAA,BBB"]
    assert main([*argv, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [p["product"] for p in doc["products"]] == ["010121"]
    p = doc["products"][0]
    assert p["hhi"] == pytest.approx(0.46) and p["imports_over_exports"] == pytest.approx(100 / 60)
    assert doc["units"]["extra_imports"] == "thousand USD"
    assert doc["source"]["licence"] == "Etalab Open Licence 2.0"
    assert doc["measured"] == 3 and doc["dependent"] == 1

    assert main([*argv, "--format", "csv", "--all"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype={"product": str})
    # largest extra-bloc imports first (120, then 100 and 100 in product order)
    assert table["product"].tolist() == ["030289", "010121", "020110"]
    assert set(table["value_unit"]) == {"thousand USD"}

    assert main(argv) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "010121" in text and "thousand USD" in text and "Etalab" in text
    assert "SWD(2021) 352" in text and "V202301" in text


def test_cli_country_in_a_bloc_and_geodep(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    baci, countries = hand_files(tmp_path)
    assert main(["products", str(baci), "--countries", str(countries), "--importer", "AAA",
                 "--bloc", "B=AAA,BBB", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["extra_to"]["AAA"] == ["AAA", "BBB"]
    assert [p["product"] for p in doc["products"]] == ["010121"]
    assert doc["products"][0]["extra_share"] == pytest.approx(50 / 70)

    g = geodep_trade()
    number = {**{n: c for c, n in CODES.items()}, "WWW": 4}
    files = []
    for y in (2019, 2020, 2021):
        part = g[g["year"] == y]
        files.append(str(write_baci(tmp_path / f"BACI_HS17_Y{y}_V202301.csv", [
            (y, number[r.exporter], number[r.importer], r.product, r.value, None)
            for r in part.itertuples()])))
    write_countries(countries, {**CODES, 4: "WWW"})
    assert main(["products", *files, "--countries", str(countries), "--importer", "AAA",
                 "--criteria", "geodep", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [(p["product"], p["years_met"]) for p in doc["products"]] == [("280540", 2)]
    assert doc["years_observed"] == [2019, 2020, 2021]


def test_cli_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    baci, countries = hand_files(tmp_path)
    assert main(["products", str(baci), "--countries", str(countries),
                 "--importer", "QQQ"]) == 2
    assert "QQQ" in capsys.readouterr().err
    bad = tmp_path / "BACI_HS17_Y2021_V202301.csv"
    bad.write_text("t,i,j,k,v,q\n2021,1,10,10121,5.0,NA\n")
    assert main(["products", str(bad), "--importer", "10"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"{bad}:2: column k" in err and "six digits" in err


def test_concat_keeps_each_files_provenance(tmp_path: Path) -> None:
    a = read_baci(write_baci(tmp_path / "BACI_HS17_Y2020_V202301.csv", ROWS[:1]))
    b = read_baci(write_baci(tmp_path / "BACI_HS17_Y2021_V202301.csv", ROWS[1:]))
    both = concat_trade([a, b])
    assert len(both) == 3 and both.attrs["provenance"]["release"] == "V202301"
    assert [Path(p["file"]).name for p in both.attrs["provenance"]["parts"]] == [
        "BACI_HS17_Y2020_V202301.csv", "BACI_HS17_Y2021_V202301.csv"]


def test_cli_on_the_crude_oil_extract(crude_oil: tuple[pd.DataFrame, Path, Path],
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """``--bloc EU27`` alone is the 27 member states; the numbers are the plain-pandas ones."""
    data, path, countries = crude_oil
    assert main(["products", str(path), "--countries", str(countries), "--importer", "EU27",
                 "--importer", "USA", "--bloc", "EU27", "--all", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    got = {p["importer"]: p for p in doc["products"]}
    for who, members in (("EU27", set(EU27)), ("USA", {"USA"})):
        want = independent(data, members, members)
        assert got[who]["hhi"] == pytest.approx(want["hhi"], rel=1e-10)
        assert got[who]["extra_imports"] * 1000 == pytest.approx(want["extra"], rel=1e-12)
        assert got[who]["dependent"] == (want["hhi"] > 0.4 and want["share"] > 0.5
                                         and want["ratio"] > 1)
    assert doc["extra_to"]["EU27"] == sorted(EU27) and doc["source"]["hs"] == "HS92"
