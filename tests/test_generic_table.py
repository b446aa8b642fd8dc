"""A national table from a spreadsheet (issue 11): a labelled matrix with named final-demand
columns, value-added rows, exports and imports, as CSV or Excel, and through the command line
with its layout in a sidecar file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from autarky.cli.app import main
from autarky.errors import TableError
from autarky.mrio.generic import read_matrix_table
from autarky.mrio.home import home_view

#: Three industries; total use in the intermediate and final blocks; imports as a negative
#: column; output = row total (the imports netted out). Built by hand: rows close to output.
TABLE = pd.DataFrame(
    [[20.0, 30.0, 5.0, 60.0, 10.0, 25.0, -30.0, 120.0],
     [10.0, 20.0, 10.0, 70.0, 20.0, 20.0, -10.0, 140.0],
     [5.0, 15.0, 20.0, 100.0, 5.0, 15.0, 0.0, 160.0],
     [60.0, 50.0, 90.0, 0.0, 0.0, 0.0, 0.0, np.nan],
     [25.0, 25.0, 35.0, 0.0, 0.0, 0.0, 0.0, np.nan]],
    index=pd.Index(["agriculture", "manufacturing", "services", "wages", "surplus"],
                   name="code"),
    columns=["agriculture", "manufacturing", "services", "households", "investment",
             "exports", "imports", "output"])
LAYOUT = {"region": "NAT", "final_demand": ["households", "investment"], "exports": ["exports"],
          "imports": "imports", "value_added": ["wages", "surplus"], "output": "output",
          "unit": "EUR million"}


def write_csv(tmp_path: Path) -> Path:
    p = tmp_path / "national.csv"
    TABLE.to_csv(p)
    return p


def test_the_table_reads_and_balances(tmp_path: Path) -> None:
    t = read_matrix_table(write_csv(tmp_path), **LAYOUT)
    np.testing.assert_array_equal(t.Z, TABLE.iloc[:3, :3].to_numpy())
    np.testing.assert_allclose(t.x, [120.0, 140.0, 160.0])
    np.testing.assert_allclose(t.imports_out, [30.0, 10.0, 0.0])
    # columns close too: inputs + value added = output (the table's own identity)
    np.testing.assert_allclose(t.Z.sum(axis=0) + t.value_added.sum(axis=0), t.x)
    eco = home_view(t, "NAT")
    assert list(eco.partners.index) == ["outside"]
    np.testing.assert_allclose(eco.plan.balance().gross_output.to_numpy(), t.x, rtol=1e-12)
    # the import share of agriculture: 30 of its home use (20 + 30 + 5 + 60 + 10)
    assert np.asarray(eco.array("import_shares"))[0, 0] == pytest.approx(30 / 125)


def test_an_excel_sheet_reads_the_same(tmp_path: Path) -> None:
    p = tmp_path / "national.xlsx"
    with pd.ExcelWriter(p) as xl:
        pd.DataFrame({"note": ["cover sheet"]}).to_excel(xl, sheet_name="about")
        TABLE.to_excel(xl, sheet_name="IOT 2020")
    t = read_matrix_table(p, sheet="IOT 2020", **LAYOUT)
    c = read_matrix_table(write_csv(tmp_path), **LAYOUT)
    np.testing.assert_array_equal(t.Z, c.Z)
    np.testing.assert_array_equal(t.Y, c.Y)
    assert t.provenance["year"] is None and t.provenance["sheet"] == "IOT 2020"


def test_the_command_line_takes_the_layout_beside_the_table(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import yaml

    p = write_csv(tmp_path)
    capsys.readouterr()
    assert main(["balance", f"matrix:{p}", "--home", "NAT"]) == 2
    assert "national.csv.layout.yaml" in " ".join(capsys.readouterr().err.split())
    (tmp_path / "national.csv.layout.yaml").write_text(yaml.safe_dump(LAYOUT))
    assert main(["balance", f"matrix:{p}", "--home", "NAT", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "agriculture" in out and "120" in out


def test_an_imports_row_is_refused(tmp_path: Path) -> None:
    """A row of imported inputs by using industry does not say which products came in."""
    frame = TABLE.drop(columns=["imports"])
    frame.loc["imports"] = [30.0, 10.0, 0.0, 0.0, 0.0, 0.0, np.nan]
    p = tmp_path / "rows.csv"
    frame.to_csv(p)
    with pytest.raises(TableError, match="an imports row records imported inputs by the "
                                         "industry") as err:
        read_matrix_table(p, **LAYOUT)
    assert "row imports" in str(err.value)


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.rename(columns={"services": "servicez"}),
     "the intermediate block is not square: the row 'services' has no column"),
    (lambda d: d.assign(imports=[-30.0, 10.0, 0.0, 0.0, 0.0]),
     "the imports mix positive and negative entries"),
    (lambda d: d.assign(output=[120.0, 141.0, 160.0, np.nan, np.nan]),
     "row NAT/manufacturing: totals do not match"),
    (lambda d: d.rename(index={"wages": "wagez"}),
     "row wages: no value-added row 'wages' in the table"),
])
def test_malformed_tables_are_named(tmp_path: Path, change, message: str) -> None:
    p = tmp_path / "bad.csv"
    change(TABLE).to_csv(p)
    with pytest.raises(TableError, match=message) as err:
        read_matrix_table(p, **LAYOUT)
    assert str(p) in str(err.value)
