"""Supply and use tables made symmetric (autarky.mrio.sut) and the readers of the BEA and ABS
tables (autarky.mrio.sut_readers): a hand-solved 2 x 2 example, the real U.S. 2021 (15 and 71
industries) and Australian 2020-21 (114) tables that quantecon-book-networks ships, checked
against their published totals read here with the csv module, and malformed files.

The hand example (module docstring of autarky.mrio.sut): industry 1 makes 100 of commodity 1
and 50 of commodity 2, industry 2 makes 100 of commodity 2: V = [[100, 50], [0, 100]],
g = (150, 100), q = (100, 150); U = [[30, 10], [15, 30]], value added (105, 60), final demand
e = q - U 1 = (60, 105).

* D = V q^-1 = [[1, 1/3], [0, 2/3]];  C = V' g^-1 = [[2/3, 0], [1/3, 1]], C^-1 = [[3/2, 0],
  [-1/2, 1]];  B = U g^-1 = [[0.2, 0.1], [0.1, 0.3]].
* industry technology, industry by industry: Z = D U = [[30 + 15/3, 10 + 30/3], [10, 20]] =
  [[35, 20], [10, 20]], Y = D e = (60 + 105/3, 70) = (95, 70); rows 35 + 20 + 95 = 150,
  10 + 20 + 70 = 100; columns 35 + 10 + 105 = 150, 20 + 20 + 60 = 100.
* industry technology, product by product: Z = B V = [[20, 20], [10, 35]], value added
  (105/150, 60/100) V = (70, 95); A = B D = [[0.2, 2/15], [0.1, 7/30]].
* product technology, product by product: A = B C^-1 = [[0.25, 0.1], [0, 0.3]], Z = A q =
  [[25, 15], [0, 45]], value added (0.7, 0.6) C^-1 q = (0.75 100, 0.6 150) = (75, 90).
* product technology, industry by industry: A = C^-1 B = [[0.3, 0.15], [0, 0.25]], Z = A g =
  [[45, 15], [0, 25]], Y = C^-1 e = (90, -30 + 105) = (90, 75).
"""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from autarky.errors import BadValueError, TableError
from autarky.mrio.home import home_view
from autarky.mrio.readers import read_table
from autarky.mrio.sut import (
    ADJUSTMENT,
    market_shares,
    product_mix,
    symmetric,
    technical_coefficients,
    to_mrio,
)
from autarky.mrio.sut_readers import VALUATION, read_abs_sut, read_bea_sut

V = np.array([[100.0, 50.0], [0.0, 100.0]])
U = np.array([[30.0, 10.0], [15.0, 30.0]])
E = np.array([[60.0], [105.0]])
W = np.array([[105.0, 60.0]])


# ---------------------------------------------------------------------- the hand example
def test_the_coefficient_matrices_of_the_hand_example() -> None:
    np.testing.assert_allclose(market_shares(V), [[1, 1 / 3], [0, 2 / 3]], rtol=1e-14)
    np.testing.assert_allclose(product_mix(V), [[2 / 3, 0], [1 / 3, 1]], rtol=1e-14)
    cases = {("industry", "industry"): [[7 / 30, 0.2], [1 / 15, 0.2]],
             ("industry", "product"): [[0.2, 2 / 15], [0.1, 7 / 30]],
             ("product", "product"): [[0.25, 0.1], [0.0, 0.3]],
             ("product", "industry"): [[0.3, 0.15], [0.0, 0.25]]}
    for (tech, by), A in cases.items():
        np.testing.assert_allclose(technical_coefficients(U, V, technology=tech, by=by), A,
                                   rtol=1e-13, atol=1e-15, err_msg=f"{tech} {by}")


@pytest.mark.parametrize(("tech", "by", "Z", "Y", "Wv", "x"), [
    ("industry", "industry", [[35, 20], [10, 20]], [[95], [70]], [[105, 60]], [150, 100]),
    ("industry", "product", [[20, 20], [10, 35]], [[60], [105]], [[70, 95]], [100, 150]),
    ("product", "product", [[25, 15], [0, 45]], [[60], [105]], [[75, 90]], [100, 150]),
    ("product", "industry", [[45, 15], [0, 25]], [[90], [75]], [[105, 60]], [150, 100]),
])
def test_the_four_symmetric_tables_of_the_hand_example(tech: str, by: str, Z: list, Y: list,
                                                       Wv: list, x: list) -> None:
    s = symmetric(U, V, E, W, technology=tech, by=by)
    np.testing.assert_allclose(s.Z, Z, atol=1e-12)
    np.testing.assert_allclose(s.Y, Y, atol=1e-12)
    np.testing.assert_allclose(s.W, Wv, atol=1e-12)
    np.testing.assert_allclose(s.x, x, atol=1e-12)
    assert s.negatives.count == 0
    # rows and columns balance
    np.testing.assert_allclose(s.Z.sum(axis=1) + s.Y.sum(axis=1), x, atol=1e-12)
    np.testing.assert_allclose(s.Z.sum(axis=0) + s.W.sum(axis=0), x, atol=1e-12)


def test_imports_follow_the_market_shares_and_the_mrio_balances() -> None:
    """Imports 20 of commodity 1: final demand e = q + m - U 1 = (80, 105). Industry by
    industry: imports D m = (20, 0), Y = D e = (80 + 35, 70); x = Z 1 + Y 1 - m = g."""
    s = symmetric(U, V, np.array([[80.0], [105.0]]), W, np.array([20.0, 0.0]))
    np.testing.assert_allclose(s.m, [20.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(s.Y, [[115.0], [70.0]], atol=1e-12)
    t = to_mrio(s, sectors=("i1", "i2"), categories=("final",), value_added_rows=("VA",),
                region="home", unit="USD", provenance={"file": "x"},
                stated_output=np.array([150.0, 100.0]))
    np.testing.assert_allclose(t.x, [150.0, 100.0], atol=1e-12)
    np.testing.assert_allclose(t.imports_out, [20.0, 0.0], atol=1e-12)
    assert t.provenance["construct"] == "industry technology, industry by industry"


def test_negative_flows_of_the_product_technology_are_reported_and_moved_not_clipped() -> None:
    """U = [[30, 10], [10, 30]]: commodity 2's recipe (0.1, 0.3) takes 15 of commodity 2 for the
    50 industry 1 makes, more than the 10 it uses: A[1, 0] = (10 - 15) / 100 = -0.05, the flow
    -5. Value added (110, 60) by product: (110/150 * 3/2 - 0.6/2, 0.6) q = (80, 90)."""
    U2 = np.array([[30.0, 10.0], [10.0, 30.0]])
    E2 = np.array([[60.0], [110.0]])
    W2 = np.array([[110.0, 60.0]])
    s = symmetric(U2, V, E2, W2, technology="product", by="product")
    np.testing.assert_allclose(s.Z, [[25, 15], [-5, 45]], atol=1e-12)
    assert (s.negatives.count, s.negatives.at) == (1, (1, 0))
    assert s.negatives.largest == pytest.approx(-5.0)
    with pytest.raises(TableError, match=r"1 negative flows \(the largest -5 from c2 to c1") as e:
        to_mrio(s, sectors=("c1", "c2"), categories=("f",), value_added_rows=("VA",),
                region="r", unit="u", provenance={"file": "t.csv"}, negatives="refuse")
    assert (e.value.file, e.value.row, e.value.column) == ("t.csv", "c2", "c1")
    t = to_mrio(s, sectors=("c1", "c2"), categories=("f",), value_added_rows=("VA",),
                region="r", unit="u", provenance={}, stated_output=np.array([100.0, 150.0]))
    np.testing.assert_allclose(t.Z, [[25, 15], [0, 45]], atol=1e-12)
    assert t.categories == ("f", ADJUSTMENT) and t.value_added_rows == ("VA", ADJUSTMENT)
    np.testing.assert_allclose(t.Y, [[60, 0], [110, -5]], atol=1e-12)
    np.testing.assert_allclose(t.value_added, [[80, 90], [-5, 0]], atol=1e-12)
    np.testing.assert_allclose(t.Z.sum(axis=0) + t.value_added.sum(axis=0), [100, 150])
    assert t.provenance["negatives"]["count"] == 1


def test_the_product_technology_refuses_a_table_that_is_not_square() -> None:
    V3 = np.array([[100.0, 50.0, 5.0], [0.0, 100.0, 0.0]])
    U3 = np.vstack([U, [[1.0, 0.0]]])
    with pytest.raises(BadValueError, match=r"3 commodities and 2 industries.*scrap"):
        symmetric(U3, V3, np.zeros((3, 1)), W, technology="product",
                  commodities=["c1", "c2", "scrap"], industries=["c1", "c2"])
    s = symmetric(U3, V3, np.array([[60.0], [105.0], [4.0]]), W)  # the industry one works
    assert s.Z.shape == (2, 2)


# ---------------------------------------------------------------------- the real tables
def _data() -> Path:
    spec = importlib.util.find_spec("quantecon_book_networks")
    # the test extra installs it: a missing package is a failure, not a skip
    assert spec is not None and spec.origin is not None, \
        "quantecon-book-networks is not installed (pip install -e '.[test]')"
    return Path(spec.origin).parent / "data" / "csv_files"


def _rows(name: str) -> list[list[str]]:
    with (_data() / name).open(newline="", encoding="utf-8-sig") as f:
        return [[c.strip() for c in r] for r in csv.reader(f)]


def _num(s: str) -> float:
    return 0.0 if s == "---" else float(s)


def _row(name: str, label: str, n: int) -> np.ndarray:
    """The first ``n`` numbers of the row labelled ``label``."""
    row = next(r for r in _rows(name) if r[0] == label)
    return np.array([_num(v) for v in row[1:n + 1]])


def _column(name: str, header: str) -> np.ndarray:
    """The column ``header`` of the rows above the first total row."""
    rows = _rows(name)
    k = rows[0].index(header)
    body = [r for r in rows[1:] if r[0] not in ("", "Total industry supply")]
    return np.array([_num(r[k]) for r in body])


@pytest.mark.parametrize("n", [15, 71])
def test_the_us_industry_table_reproduces_the_published_industry_output(n: int) -> None:
    t = read_bea_sut(_data() / f"make_{n}.csv")
    g = _row(f"use_{n}.csv", "Total industry output (basic prices)", n)
    assert t.Z.shape == (n, n) and t.regions == ("USA",) and t.unit == "USD million"
    np.testing.assert_allclose(t.x, g, rtol=0, atol=5)  # whole USD millions, rounded
    # intermediate inputs (the moved negative flows back in) and value added as published
    ti = _row(f"use_{n}.csv", "Total Intermediate", n)
    adj = t.value_added[list(t.value_added_rows).index(ADJUSTMENT)] \
        if ADJUSTMENT in t.value_added_rows else 0.0
    # a sum of n + 2 entries each rounded: within (n + 3) / 2
    np.testing.assert_allclose(t.Z.sum(axis=0) + adj, ti, rtol=0, atol=0.5 * (n + 3))
    np.testing.assert_array_equal(t.value_added[0], _row(f"use_{n}.csv",
                                                         "Compensation of employees", n))
    np.testing.assert_array_equal(t.value_added[2], -_row(
        f"use_{n}.csv", "Less: Other subsidies on production", n))
    # the imports the market shares spread are BEA's: 3,070,129 (the 15-industry column)
    np.testing.assert_allclose(t.imports_out.sum(), 3070129, rtol=0, atol=0.5 * (n + 4))
    assert t.provenance["format"] == "bea-sut" and t.provenance["year"] == 2021
    assert (t.provenance["negatives"]["count"] > 0) == (n == 71)  # the scrap row's sales


def test_the_us_product_tables_reproduce_the_published_commodity_output() -> None:
    t = read_bea_sut(_data() / "make_15.csv", by="product")
    assert t.sectors[-2:] == ("Scrap, used and secondhand goods",
                              "Noncomparable imports and rest-of-the-world adjustment")
    np.testing.assert_allclose(t.x, _column("make_15.csv", "Total Commodity Output"), rtol=0,
                               atol=5)
    np.testing.assert_allclose(t.imports_out, _column("make_15.csv", "Imports"), atol=1e-9)
    t71 = read_bea_sut(_data() / "make_71.csv", by="product")
    # no output or imports columns in make_71: output + imports + CIF/FOB = total supply
    supply = _column("make_71.csv", "Total Industry Output")
    cif = _column("make_71.csv", "CIF/FOB Adjustments on Imports")
    np.testing.assert_allclose(t71.x + t71.imports_out + cif, supply, rtol=0, atol=5)
    np.testing.assert_allclose(t71.x.sum(), t.x.sum(), rtol=0, atol=0.5 * 73)
    assert VALUATION in t71.categories


def test_the_us_product_technology_is_refused_naming_the_extra_commodities() -> None:
    with pytest.raises(TableError, match=r"17 commodities and 15 industries.*Scrap") as e:
        read_bea_sut(_data() / "make_15.csv", technology="product")
    assert e.value.file is not None and e.value.file.endswith("make_15.csv")


def test_the_home_view_of_the_71_industry_table_balances_to_the_published_output() -> None:
    t = read_table("bea-sut", _data() / "make_71.csv")
    eco = home_view(t, "USA")
    g = _row("use_71.csv", "Total industry output (basic prices)", 71)
    np.testing.assert_allclose(eco.plan.balance().gross_output.to_numpy(), g, rtol=0, atol=5)
    assert list(eco.partners.index) == ["outside"]
    exports = _column("use_71.csv", "F040")[:73]  # the commodity rows
    np.testing.assert_allclose(np.asarray(eco.array("exports")).sum(), exports.sum(),
                               rtol=1e-12)
    assert "Exports of goods and services (F040)" not in eco.final_demand.columns


def _aus() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The published supply cells (n.p. as nan), product totals, industry totals, use."""
    rows = _rows("make_114_aus.csv")
    body = [r for r in rows[1:] if r[0]]
    Vt = np.array([[np.nan if v == "n.p." else float(v) for v in r[1:115]] for r in body])
    q = np.array([float(r[115]) for r in body])
    g = np.array([float(v) for v in next(r for r in rows[116:] if any(r))[1:115]])
    Uu = np.array([[float(v) for v in r] for r in _rows("use_114_aus.csv")[1:] if any(r)])
    return Vt, q, g, Uu


def test_the_australian_tables_reproduce_the_published_totals() -> None:
    Vt, q, g, Uu = _aus()
    assert Vt.shape == (114, 114) and Uu.shape == (114, 114) and np.isnan(Vt).sum() == 37
    t = read_abs_sut(_data())
    np.testing.assert_allclose(t.x, g, rtol=1e-9)
    np.testing.assert_allclose(t.Z.sum(axis=0), Uu.sum(axis=0), rtol=1e-9)
    np.testing.assert_allclose(t.Z.sum(axis=0) + t.value_added.sum(axis=0), g, rtol=1e-9)
    assert t.unit == "AUD million" and t.provenance["year"] == "2020-21"
    tp = read_abs_sut(_data() / "make_114_aus.csv", by="product")
    np.testing.assert_allclose(tp.x, q, rtol=1e-9)
    assert "37 cells not published" in tp.provenance["notes"][0]
    np.testing.assert_allclose(home_view(t, "AUS").plan.balance().gross_output.to_numpy(), g,
                               rtol=1e-9)


def test_the_product_technology_on_the_square_australian_table() -> None:
    """B = A C (product by product) and B = C A (industry by industry), with B = U g^-1 and
    C = V' g^-1 formed here from the published cells (n.p. as zero)."""
    Vt, _, _, Uu = _aus()
    Vt = np.nan_to_num(Vt)
    g = Vt.sum(axis=0)
    B, C = Uu / g[None, :], Vt / g[None, :]
    A = technical_coefficients(Uu, Vt.T, technology="product", by="product")
    np.testing.assert_allclose(A @ C, B, atol=1e-12)
    Ai = technical_coefficients(Uu, Vt.T, technology="product", by="industry")
    np.testing.assert_allclose(C @ Ai, B, atol=1e-12)
    t = read_abs_sut(_data(), technology="product", by="product")
    neg = t.provenance["negatives"]
    assert neg["count"] > 1000 and neg["largest"] < 0 and ADJUSTMENT in t.value_added_rows
    assert t.Z.min() >= 0
    with pytest.raises(TableError, match="negative flows"):
        read_abs_sut(_data(), technology="product", negatives="refuse")


# ---------------------------------------------------------------------- small files
MAKE = """Name,Goods,Services,Total Commodity Output,Imports,CIF/FOB Adjustments on Imports,\
Total Industry Output
Goods,100,50,150,20,---,170
Services,---,100,100,---,---,100
"Scrap, used and secondhand goods",5,---,5,1,---,6
Total industry supply,105,150,255,21,---,276
"""
USE = """Name,Goods,Services,Total Intermediate,Personal consumption expenditures,\
Exports of goods and services,Total use of products
Goods,30,20,50,110,20,180
Services,10,30,40,45,5,90
"Scrap, used and secondhand goods",2,-1,1,4,1,6
Total Intermediate,42,49,91,159,26,276
Compensation of employees,40,60,100,---,---,---
Less: Other subsidies on production,3,1,4,---,---,---
Gross operating surplus,26,42,68,---,---,---
Value Added (basic prices),63,101,164,---,---,---
Total industry output (basic prices),105,150,255,---,---,---
"""


def _bea(tmp_path: Path, make: str = MAKE, use: str = USE) -> Path:
    (tmp_path / "make_2.csv").write_text(make)
    (tmp_path / "use_2.csv").write_text(use)
    return tmp_path / "make_2.csv"


def test_a_small_bea_pair_by_hand(tmp_path: Path) -> None:
    """V = [[100, 0, 5], [50, 100, 0]] (industry x commodity), q = (150, 100, 5), so
    D = [[2/3, 0, 1], [1/3, 1, 0]]; Z = D U = [[20 + 2, 40/3 - 1], [10 + 10, 20/3 + 30]].
    The valuation column q + m - U 1 - E 1 = (170 - 180, 100 - 90, 6 - 6) = (-10, 10, 0)."""
    t = read_table("bea-sut", _bea(tmp_path).parent)
    np.testing.assert_allclose(t.Z, [[22, 37 / 3], [20, 110 / 3]], atol=1e-12)
    assert t.categories == ("Personal consumption expenditures",
                            "Exports of goods and services", VALUATION)
    np.testing.assert_allclose(t.Y, [[220 / 3 + 4, 40 / 3 + 1, -20 / 3],
                                     [110 / 3 + 45, 20 / 3 + 5, -10 / 3 + 10]], atol=1e-12)
    np.testing.assert_allclose(t.imports_out, [40 / 3 + 1, 20 / 3], atol=1e-12)
    np.testing.assert_allclose(t.x, [105, 150], atol=1e-12)
    assert t.value_added_rows[1] == "Other subsidies on production (negated)"
    np.testing.assert_allclose(t.value_added, [[40, 60], [-3, -1], [26, 42]])
    # product by product, Z = U g^-1 V: the scrap row (2/105, -1/150) V, its -100/150 moved
    s = read_bea_sut(tmp_path / "use_2.csv", by="product")
    np.testing.assert_allclose(s.Z[2], [2 * 100 / 105 - 50 / 150, 0, 2 * 5 / 105], atol=1e-12)
    assert s.provenance["negatives"]["largest"] == pytest.approx(-100 / 150)


@pytest.mark.parametrize(("which", "old", "new", "row", "column", "message"), [
    ("make", "Total industry supply,105,150,255,21,---,276\n", "", "Total industry supply",
     None, "no row 'Total industry supply'"),
    ("use", "Total industry output (basic prices),105,150,255,---,---,---\n", "",
     "Total industry output (basic prices)", None, "no row"),
    ("use", "Services,10,30", "Servicez,10,30", "Services", None,
     "commodity 'Services' of the supply table .*make_2.csv is not a row"),
    ("use", "Total Intermediate,Personal", "Total Intermediate,Personal", None, None, None),
    ("use", "Name,Goods,Services,", "Name,Goods,Servicez,", "Name", "Services",
     "industry 'Services' of the supply table"),
    ("make", "Total industry supply,105,", "Total industry supply,115,",
     "Total industry supply", "Goods", "totals do not match: the industry's column sums to "
     "105, the stated total 115 \\(tolerance 2: 3 entries"),
    ("use", "Goods,30,20,50", "Goods,-30,20,50", "Goods", "Goods",
     "a negative intermediate use \\(-30\\)"),
    ("make", "Goods,100,50,150,20,", "Goods,100,50,150,-20,", "Goods", "Imports",
     "a negative import"),
    ("use", "Gross operating surplus,26,", "Gross operating surplus,36,",
     "Value Added (basic prices)", "Goods", "value-added components add to 73"),
    ("make", "Services,---,100", "Services,x,100", "Services", "Goods", "not a number: 'x'"),
])
def test_malformed_bea_files_name_file_row_and_column(tmp_path: Path, which: str, old: str,
                                                      new: str, row: str | None,
                                                      column: str | None,
                                                      message: str | None) -> None:
    make, use = MAKE, USE
    if which == "make":
        assert old in make
        make = make.replace(old, new)
    else:
        assert old in use
        use = use.replace(old, new)
    path = _bea(tmp_path, make, use)
    if message is None:  # the unchanged files read
        read_bea_sut(path)
        return
    with pytest.raises(TableError, match=message) as e:
        read_bea_sut(path)
    assert e.value.file == str(tmp_path / f"{which}_2.csv")
    assert (e.value.row, e.value.column) == (row, column)
    assert str(e.value).startswith(str(tmp_path / f"{which}_2.csv"))


def test_a_folder_with_two_bea_pairs_asks_which(tmp_path: Path) -> None:
    _bea(tmp_path)
    (tmp_path / "make_3.csv").write_text(MAKE)
    (tmp_path / "use_3.csv").write_text(USE)
    with pytest.raises(TableError, match="2 BEA supply and use pairs"):
        read_bea_sut(tmp_path)
    with pytest.raises(TableError, match="no BEA supply and use pair"):
        read_bea_sut(tmp_path, industries=71)


ABS_MAKE = ",01,02,total\n01,40,n.p.,50\n02,20,80,100\n,,,\n,60,90,150\n,,,\n"
ABS_USE = "01,02\n10,20\n5,30\n,\n"


def test_a_small_abs_pair_by_hand(tmp_path: Path) -> None:
    """The n.p. cell is what its row and column leave: 10. V = [[40, 20], [10, 80]], q = (50,
    100), D = [[0.8, 0.2], [0.2, 0.8]]; Z = D U = [[9, 22], [6, 28]]; final demand q - U 1 =
    (20, 65), by industry (16 + 13, 4 + 52); value added g - 1'U = (45, 40)."""
    (tmp_path / "make_2_aus.csv").write_text(ABS_MAKE)
    (tmp_path / "use_2_aus.csv").write_text(ABS_USE)
    t = read_table("abs-sut", tmp_path)
    np.testing.assert_allclose(t.Z, [[9, 22], [6, 28]], atol=1e-9)
    np.testing.assert_allclose(t.Y, [[29], [56]], atol=1e-9)
    np.testing.assert_allclose(t.value_added, [[45, 40]], atol=1e-9)
    np.testing.assert_allclose(t.x, [60, 90], atol=1e-9)


@pytest.mark.parametrize(("which", "old", "new", "row", "column", "message"), [
    ("make", ",60,90,150\n", "", "(totals row)", None, "no totals row"),
    ("make", "02,20,80,100", "02,-20,80,100", "02", "01", "a negative output"),
    ("make", "02,20,80,100", "02,20,80,105", "02", "total", "totals do not match"),
    ("make", ",01,02,total", ",01,02,sum", None, "total", "no column 'total'"),
    ("use", "01,02\n", "01,03\n", "(header)", "02", "industry '02' of the supply table"),
    ("use", "5,30\n", "5,-30\n", "02", "02", "a negative intermediate use"),
    ("use", "5,30\n", "", "(row 1)", None, "1 product rows; the supply table"),
])
def test_malformed_abs_files_name_file_row_and_column(tmp_path: Path, which: str, old: str,
                                                      new: str, row: str | None,
                                                      column: str | None, message: str) -> None:
    make, use = ABS_MAKE, ABS_USE
    if which == "make":
        assert old in make
        make = make.replace(old, new)
    else:
        assert old in use
        use = use.replace(old, new)
    (tmp_path / "make_2_aus.csv").write_text(make)
    (tmp_path / "use_2_aus.csv").write_text(use)
    with pytest.raises(TableError, match=message) as e:
        read_abs_sut(tmp_path / "make_2_aus.csv")
    assert e.value.file == str(tmp_path / f"{which}_2_aus.csv")
    assert (e.value.row, e.value.column) == (row, column)
