"""The WIOD 2016 reader (issue 11): a workbook in the release's sheet layout (written as .xlsx:
no Python library writes .xlsb, whose sheet pandas reads into the same frame with pyxlsb),
read back to the numbers written, and its malformed variants."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from autarky.errors import TableError
from autarky.mrio.home import home_view
from autarky.mrio.wiod import FINAL_DEMAND, VALUE_ADDED, read_wiod

REGIONS = ("AUS", "CHN", "ROW")
SECTORS = ("A01", "C10-C12", "C31_C32")


def blocks(seed: int = 2) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = len(REGIONS) * len(SECTORS)
    Z = np.round(rng.uniform(0, 20, (n, n)), 2)
    Y = np.round(rng.uniform(5, 60, (n, len(REGIONS) * len(FINAL_DEMAND))), 2)
    x = Z.sum(axis=1) + Y.sum(axis=1)
    V = np.round(rng.uniform(0, 1, (len(VALUE_ADDED), n)), 2)
    V[VALUE_ADDED.index("VA")] = x - Z.sum(axis=0) - np.delete(V, 4, axis=0).sum(axis=0)
    return Z, Y, V, x


def sheet(Z: np.ndarray, Y: np.ndarray, V: np.ndarray, x: np.ndarray) -> pd.DataFrame:
    """The frame of a WIOD sheet: four label columns, six header rows, the data."""
    cols = [(r, c) for r in REGIONS for c in SECTORS] + [(r, f) for r in REGIONS
                                                           for f in FINAL_DEMAND]
    cols.append(("TOT", "GO"))
    head = [["World Input-Output Table 2014", "", "", ""] + [""] * len(cols),
            ["43 countries, in current prices", "", "", ""] + [""] * len(cols),
            ["(industry-by-industry)", "", "", ""] + [c for _, c in cols],
            ["(millions of US$)", "", "", ""] + [f"label of {c}" for _, c in cols],
            ["", "", "", ""] + [r for r, _ in cols],
            ["", "", "", ""] + [f"c{k + 1}" for k in range(len(cols))]]
    body = np.hstack([Z, Y, x[:, None]])
    rows = [[c, f"label of {c}", r, f"r{i + 1}", *body[i]]
            for i, (r, c) in enumerate((r, c) for r in REGIONS for c in SECTORS)]
    n_fd = Y.shape[1]
    rows.append(["II_fob", "Total intermediate consumption", "TOT", "r64",
                 *Z.sum(axis=0), *[0.0] * (n_fd + 1)])
    for k, v in enumerate(VALUE_ADDED):
        rows.append([v, f"label of {v}", "TOT", f"r{65 + k}", *V[k], *[0.0] * (n_fd + 1)])
    rows.append(["GO", "Output at basic prices", "TOT", "r73", *x, *[0.0] * (n_fd + 1)])
    return pd.DataFrame(head + rows)


def write(tmp_path: Path, frame: pd.DataFrame, name: str = "WIOT2014_Nov16_ROW.xlsx") -> Path:
    p = tmp_path / name
    with pd.ExcelWriter(p) as xl:
        frame.to_excel(xl, sheet_name="2014", header=False, index=False)
    return p


def test_the_sheet_reads_back(tmp_path: Path) -> None:
    Z, Y, V, x = blocks()
    t = read_wiod(write(tmp_path, sheet(Z, Y, V, x)))
    assert t.regions == REGIONS and t.sectors == SECTORS and t.categories == FINAL_DEMAND
    np.testing.assert_allclose(t.Z, Z)
    np.testing.assert_allclose(t.Y, Y)
    np.testing.assert_allclose(t.value_added, V)
    np.testing.assert_allclose(t.x, x)
    assert t.provenance["year"] == 2014 and t.unit == "USD million"
    eco = home_view(t, "AUS", {"China": ["CHN"], "rest": "*"})
    np.testing.assert_allclose(eco.plan.balance().gross_output.to_numpy(), x[:3], rtol=1e-12)


@pytest.mark.parametrize(("edit", "message"), [
    (lambda f: f.drop(columns=[5]), "not square: no column for the row AUS C10-C12"),
    (lambda f: f.drop(index=[f.index[f[0] == "PURR"][0]]), "no PURR row"),
    (lambda f: f.replace({"TXSP": "TXSQ"}), "no TXSP row"),
])
def test_malformed_sheets_are_named(tmp_path: Path, edit, message: str) -> None:
    p = write(tmp_path, edit(sheet(*blocks())))
    with pytest.raises(TableError, match=message) as err:
        read_wiod(p)
    assert str(p) in str(err.value)


def test_totals_that_do_not_match(tmp_path: Path) -> None:
    Z, Y, V, x = blocks()
    frame = sheet(Z, Y, V, x)
    frame.iloc[6, 4] += 5.0  # a flow 5 more than its row's and its column's totals
    with pytest.raises(TableError, match=r"totals do not match"):
        read_wiod(write(tmp_path, frame))
