"""WIOD 2013 through pymrio (issue 11): a workbook in the 2013 release's layout (the sheet
pymrio's ``parse_wiod`` reads: the c-codes ending at ``c35``, the final uses c37-c42, the
factor-input rows with their r-codes and totals r60 and r69), read back to the numbers written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from autarky.errors import TableError
from autarky.mrio.via_pymrio import read_wiod2013

REGIONS = ("AUS", "USA", "RoW")
SECTORS = (("AtB", "Agriculture, Hunting, Forestry and Fishing", "c34"),
           ("P", "Private Households with Employed Persons", "c35"))
FD = (("CONS_h", "c37"), ("CONS_np", "c38"), ("CONS_g", "c39"), ("GFCF", "c41"),
      ("INVEN", "c42"))
FACTORS = (("r99", "Taxes less subsidies on products"), ("r61", "Cif/ fob adjustments on exports"),
           ("r64", "Value added at basic prices"))


def write(tmp_path: Path, seed: int = 4) -> tuple[Path, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    n, f = len(REGIONS) * len(SECTORS), len(REGIONS) * len(FD)
    Z = np.round(rng.uniform(0, 20, (n, n)), 3)
    Y = np.round(rng.uniform(5, 50, (n, f)), 3)
    x = Z.sum(axis=1) + Y.sum(axis=1)
    F = np.round(rng.uniform(0, 2, (len(FACTORS), n)), 3)
    F[-1] = x - Z.sum(axis=0) - F[:-1].sum(axis=0)
    cells = [(r, s) for r in REGIONS for s in SECTORS]
    fds = [(r, d) for r in REGIONS for d in FD]
    width = 4 + n + f + 1
    rows = [["World Input-Output Table 2010"] + [""] * (width - 1), [""] * width,
            ["(industry-by-industry)", "", "", ""] + [s[0] for _, s in cells]
            + [d[0] for _, d in fds] + ["GO"],
            ["(millions of US$)", "", "", ""] + [s[1] for _, s in cells]
            + [d[0] for _, d in fds] + ["Total output"],
            ["", "", "", ""] + [r for r, _ in cells] + [r for r, _ in fds] + ["TOT"],
            ["", "", "", ""] + [s[2] for _, s in cells] + [d[1] for _, d in fds] + ["c62"]]
    for i, (r, s) in enumerate(cells):
        rows.append([s[0], s[1], r, s[2], *Z[i], *Y[i], x[i]])
    rows.append(["", "Total intermediate consumption", "TOT", "r60", *Z.sum(axis=0),
                 *[0.0] * (f + 1)])
    for k, (code, name) in enumerate(FACTORS):
        rows.append(["", name, "TOT", code, *F[k], *[0.0] * (f + 1)])
    rows.append(["", "Output at basic prices", "TOT", "r69", *x, *[0.0] * (f + 1)])
    p = tmp_path / "wiot10_row_sep12.xlsx"
    pd.DataFrame(rows).to_excel(p, header=False, index=False)
    return p, {"Z": Z, "Y": Y, "F": F, "x": x}


def test_a_wiod_2013_workbook_reads_back(tmp_path: Path) -> None:
    p, a = write(tmp_path)
    t = read_wiod2013(p)
    assert t.regions == REGIONS and t.sectors == ("AtB", "P")
    np.testing.assert_allclose(t.Z, a["Z"], rtol=1e-12)
    np.testing.assert_allclose(t.Y, a["Y"], rtol=1e-12)
    np.testing.assert_allclose(t.x, a["x"], rtol=1e-12)
    np.testing.assert_allclose(t.value_added, a["F"], rtol=1e-12)
    assert t.value_added_rows == tuple(name for _, name in FACTORS)
    assert t.provenance["format"] == "WIOD 2013"


def test_a_workbook_that_is_not_wiod(tmp_path: Path) -> None:
    p = tmp_path / "wiot10_row_sep12.xlsx"
    pd.DataFrame([["nothing"]]).to_excel(p, header=False, index=False)
    with pytest.raises(TableError, match="not a WIOD 2013 table pymrio reads"):
        read_wiod2013(p)
