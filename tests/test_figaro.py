"""The Eurostat FIGARO reader (issue 11): the official matrix layout in miniature, read back to
the numbers it holds (parsed here with the csv module), and its malformed variants."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest

from autarky.errors import TableError
from autarky.mrio.figaro import FINAL_DEMAND, FIXTURE, VALUE_ADDED, read_figaro
from autarky.mrio.home import home_view

NAME = "matrix_eu-ic-io_ind-by-ind_25ed_2021.csv"


def cells() -> dict[tuple[str, str], float]:
    rows = list(csv.reader(io.StringIO(FIXTURE)))
    header = rows[0]
    return {(r[0], header[k]): float(v) for r in rows[1:] for k, v in enumerate(r) if k}


def write(tmp_path: Path, text: str = FIXTURE, name: str = NAME) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_the_matrix_layout_reads_back(tmp_path: Path) -> None:
    t = read_figaro(write(tmp_path))
    c = cells()
    labels = [f"{r}_{s}" for r in t.regions for s in t.sectors]
    assert labels == ["AT_A01", "AT_C10T12", "FIGW1_A01", "FIGW1_C10T12"]
    for i, row in enumerate(labels):
        for j, col in enumerate(labels):
            assert t.Z[i, j] == c[(row, col)]
        for k, region in enumerate(t.regions):
            for m, code in enumerate(FINAL_DEMAND):
                assert t.Y[i, k * len(FINAL_DEMAND) + m] == c[(row, f"{region}_{code}")]
    for v, code in enumerate(VALUE_ADDED):
        assert t.value_added[v].tolist() == [c[(f"W2_{code}", col)] for col in labels]
    assert t.unit == "EUR million" and t.provenance["year"] == 2021
    assert t.provenance["table"] == "industry by industry"


def test_the_home_view_of_a_figaro_table(tmp_path: Path) -> None:
    t = read_figaro(write(tmp_path))
    eco = home_view(t, "AT")
    x = eco.plan.balance().gross_output.to_numpy()
    c = cells()
    row_total = [sum(v for (r, _), v in c.items() if r == lab) for lab in ("AT_A01", "AT_C10T12")]
    np.testing.assert_allclose(x, row_total, rtol=1e-12)
    assert list(eco.partners.index) == ["FIGW1"]


@pytest.mark.parametrize(("old", "new", "message", "where"), [
    ("W2_D29X39,", "W2_D99,", "not one of FIGARO's value-added rows", "row W2_D99"),
    ("\nAT_C10T12,", "\nATC10T12,", "does not split into REGION_CODE", "row ATC10T12"),
    (",AT_P51G,", ",AT_P52,", "neither a code of the rows nor a final-demand code",
     "column AT_P52"),
    ("W2_D1,40,", "W2_D1,50,", "totals do not match: inputs plus value added are 105.4",
     "column AT_A01"),
])
def test_malformed_files_are_named(tmp_path: Path, old: str, new: str, message: str,
                                   where: str) -> None:
    assert old in FIXTURE
    p = write(tmp_path, FIXTURE.replace(old, new, 1))
    with pytest.raises(TableError, match=message) as err:
        read_figaro(p)
    assert str(p) in str(err.value) and where in str(err.value)


def test_a_missing_final_demand_column(tmp_path: Path) -> None:
    rows = list(csv.reader(io.StringIO(FIXTURE)))
    drop = rows[0].index("FIGW1_P5M")
    text = "\n".join(",".join(v for k, v in enumerate(r) if k != drop) for r in rows) + "\n"
    with pytest.raises(TableError, match=r"region FIGW1 lacks the final-demand column\(s\) P5M"):
        read_figaro(write(tmp_path, text))
