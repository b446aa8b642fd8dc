"""Eurostat's national symmetric tables with domestic and imported use (naio_10_cp1700), as
the bulk TSV (plain or gzip) and as SDMX-CSV (issue 11)."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import numpy as np
import pytest

from autarky.cli.app import main
from autarky.errors import TableError
from autarky.mrio.home import home_view
from autarky.mrio.naio import FIXTURE, read_naio


def values_2020() -> dict[tuple[str, str, str], float]:
    """(stk_flow, row item, column item) -> the 2020 value, parsed here from the fixture."""
    out = {}
    for line in FIXTURE.splitlines()[1:]:
        key, _, v2020 = line.split("\t")
        _, _, flow, use, ava, geo = key.split(",")
        if geo == "AT" and not v2020.strip().startswith(":"):
            out[(flow, ava, use)] = float(v2020.split()[0])
    return out


def write(tmp_path: Path, text: str = FIXTURE, name: str = "naio_10_cp1700.tsv") -> Path:
    p = tmp_path / name
    p.write_bytes(gzip.compress(text.encode()) if name.endswith(".gz") else text.encode())
    return p


def test_the_bulk_tsv_reads_back(tmp_path: Path) -> None:
    t = read_naio(write(tmp_path, name="naio_10_cp1700.tsv.gz"), geo="AT", year=2020)
    v = values_2020()
    codes = ["CPA_A01", "CPA_C10-12"]
    for i, a in enumerate(codes):
        for j, u in enumerate(codes):
            assert t.Z[i, j] == v.get(("DOM", a, u), 0.0)
            assert t.Z[2 + i, j] == v.get(("IMP", a, u), 0.0)
    assert t.Y[1, t.categories.index("P3_S13")] == 5.0  # missing in 2019, given in 2020
    assert t.Y[1, t.categories.index("P5M")] == -5.0
    assert t.Y[3, t.categories.index("P3_S14")] == 30.0  # imported final use
    np.testing.assert_allclose(t.x[:2], [v[("DOM", "P1", c)] for c in codes])
    assert t.unit == "EUR million" and t.provenance["table"] == "product by product"


def test_the_home_view_balances_to_domestic_output(tmp_path: Path) -> None:
    t = read_naio(write(tmp_path), geo="AT", year=2020)
    eco = home_view(t, "AT", {"rest of the world": ["ROW"]})
    np.testing.assert_allclose(eco.plan.balance().gross_output.to_numpy(), [100.0, 200.0],
                               rtol=1e-12)
    # imported inputs per unit of output: (2, 8) of A01 and (0, 15) of C10-12, over (100, 200)
    stored = eco.array("imported_technology")[0]
    Am = stored.toarray() if hasattr(stored, "toarray") else np.asarray(stored)
    np.testing.assert_allclose(Am, [[2 / 100, 8 / 200], [0.0, 15 / 200]])
    # the price identity: inputs (domestic and imported) plus value added = 1 per unit
    np.testing.assert_allclose(eco.technology.to_numpy().sum(axis=0)
                               + np.asarray(eco.array("value_added")), 1.0, rtol=1e-12)
    assert "outside" in eco.partners.index  # the exports P6 leave the table


def test_sdmx_csv_reads_the_same(tmp_path: Path) -> None:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["DATAFLOW", "LAST UPDATE", "freq", "unit", "stk_flow", "prd_use", "prd_ava",
                "geo", "TIME_PERIOD", "OBS_VALUE", "OBS_FLAG"])
    for line in FIXTURE.splitlines()[1:]:
        key, v2019, v2020 = line.split("\t")
        for year, v in (("2019", v2019), ("2020", v2020)):
            value, _, flag = v.strip().partition(" ")
            w.writerow(["ESTAT:NAIO_10_CP1700(1.0)", "01/01/25", *key.split(","), year,
                        "" if value == ":" else value, flag])
    p = write(tmp_path, buf.getvalue(), "naio.csv")
    a = read_naio(p, geo="AT", year=2020)
    b = read_naio(write(tmp_path), geo="AT", year=2020)
    np.testing.assert_array_equal(a.Z, b.Z)
    np.testing.assert_array_equal(a.Y, b.Y)


def test_the_command_line_names_country_and_year(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    p = write(tmp_path)
    capsys.readouterr()
    assert main(["balance", f"naio:{p}@AT@2020", "--home", "AT", "--format", "csv"]) == 0
    assert "CPA_A01" in capsys.readouterr().out
    assert main(["balance", f"naio:{p}", "--home", "AT"]) == 2
    assert "naio:FILE@GEO@YEAR" in " ".join(capsys.readouterr().err.split())


@pytest.mark.parametrize(("change", "kwargs", "message"), [
    (lambda s: s, {"year": 2021}, r"no year 2021 in the file"),
    (lambda s: s, {"geo": "FR"}, r"no values for geo FR"),
    (lambda s: s.replace("P51G,CPA_C10-12,AT\t10 \t10 ", "P51G,CPA_C10-12,AT\t10 \tten "),
     {}, r":10: column 2020: not a number: 'ten '"),
    (lambda s: s + "A,MIO_EUR,DOM,CPA_Z99,CPA_A01,AT\t1 \t1 \n", {},
     r"the item 'CPA_Z99' is a row without a column"),
    (lambda s: s + "A,MIO_EUR,DOM,CPA_C10,CPA_C10,AT\t1 \t1 \n", {},
     r"the aggregate 'CPA_C10-12' stands beside its part 'CPA_C10'"),
    (lambda s: s.replace("A,MIO_EUR,DOM,CPA_A01,D1,AT\t30 \t30 \n", ""), {},
     r"column CPA_A01: totals do not match: inputs plus value added are 70"),
])
def test_malformed_files_are_named(tmp_path: Path, change, kwargs: dict, message: str) -> None:
    p = write(tmp_path, change(FIXTURE))
    with pytest.raises(TableError, match=message) as err:
        read_naio(p, **{"geo": "AT", "year": 2020, **kwargs})
    assert str(p) in str(err.value)


def test_re_exports_are_dropped_and_said(tmp_path: Path) -> None:
    """Imports passed straight on to exports (IMP x P6: the Netherlands, Belgium, Ireland)
    leave the accounts, and the provenance says how much."""
    text = FIXTURE + "A,MIO_EUR,IMP,P6,CPA_C10-12,AT\t4 \t4 \n"
    t = read_naio(write(tmp_path, text), geo="AT", year=2020)
    assert t.Y[3, t.categories.index("exports")] == 0.0
    assert "re-exports" in t.provenance["notes"][0] and " 4 MIO_EUR" in t.provenance["notes"][0]
