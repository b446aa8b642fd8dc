"""GLORIA through pymrio (issue 11): a release folder in GLORIA's layout (headerless CSV
matrices of the supply-use system T, Y, V and the satellites TQ, YQ, labelled by the ReadMe
workbook's sheets), read back: with GLORIA's diagonal supply the symmetric table is the use
table itself."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from autarky.errors import TableError
from autarky.mrio.via_pymrio import read_gloria

REGIONS = (("AAA", "Country A"), ("BBB", "Country B"))
SECTORS = ("Wheat", "Steel", "Services")
FD = ("Household final consumption P.3h", "Gross fixed capital formation P.51")
VA = ("Compensation of employees D.1", "Operating surplus B.2n")
STEM = "_120secMother_AllCountries_002_{}-Results_2022_059_Markup001(full).csv"


def write(tmp_path: Path, seed: int = 6) -> tuple[Path, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    R, S, F = len(REGIONS), len(SECTORS), len(FD)
    n = R * S
    U = np.round(rng.uniform(0, 10, (n, n)), 3)  # product (r, i) used by industry (s, j)
    Yp = np.round(rng.uniform(20, 60, (n, R * F)), 3)
    g = U.sum(axis=1) + Yp.sum(axis=1)  # each industry makes its own product only
    W = np.round(rng.uniform(0.3, 0.7, n) * (g - U.sum(axis=0)), 3)
    va = np.vstack([W, g - U.sum(axis=0) - W])
    # the supply-use system T, (region, Industry|Product, sector) on both axes
    ind = [r * 2 * S + j for r in range(R) for j in range(S)]
    prod = [r * 2 * S + S + j for r in range(R) for j in range(S)]
    T = np.zeros((2 * n, 2 * n))
    T[np.ix_(ind, prod)] = np.diag(g)
    T[np.ix_(prod, ind)] = U
    Y = np.zeros((2 * n, R * F))
    Y[prod] = Yp
    V = np.zeros((R * len(VA), 2 * n))
    for r in range(R):
        V[r * len(VA):(r + 1) * len(VA), [r * 2 * S + j for j in range(S)]] = \
            va[:, r * S:(r + 1) * S]
    Q = np.round(rng.uniform(0, 5, (1, 2 * n)), 3)
    Q[:, prod] = 0.0
    QY = np.round(rng.uniform(0, 1, (1, R * F)), 3)
    mrio = tmp_path / "GLORIA_MRIOs_59_2022"
    sat = tmp_path / "GLORIA_SatelliteAccounts_059_2022"
    mrio.mkdir()
    sat.mkdir()
    for key, M in (("T", T), ("Y", Y), ("V", V)):
        np.savetxt(mrio / ("20230314" + STEM.format(key)), M, delimiter=",", fmt="%.17g")
    for key, M in (("TQ", Q), ("YQ", QY)):
        np.savetxt(sat / ("20230314" + STEM.format(key)), M, delimiter=",", fmt="%.17g")
    with pd.ExcelWriter(tmp_path / "GLORIA_ReadMe_059.xlsx") as xl:
        pd.DataFrame({"Region_acronyms": [a for a, _ in REGIONS],
                      "Region_names": [b for _, b in REGIONS]}).to_excel(
            xl, sheet_name="Regions", index=False)
        pd.DataFrame({"Sector_names": list(SECTORS)}).to_excel(xl, sheet_name="Sectors",
                                                               index=False)
        pd.DataFrame({"Final_demand_names": list(FD), "Value_added_names": list(VA)}).to_excel(
            xl, sheet_name="Value added and final demand", index=False)
        pd.DataFrame({"Sat_indicator": ["Energy use"], "Sat_head_indicator": ["Energy"],
                      "Sat_unit": ["TJ"]}).to_excel(xl, sheet_name="Satellites", index=False)
    return tmp_path, {"U": U, "Y": Yp, "g": g, "va": va}


def test_a_gloria_release_reads_back(tmp_path: Path) -> None:
    folder, a = write(tmp_path)
    t = read_gloria(folder, year=2022, version=59)
    assert t.regions == ("AAA", "BBB") and t.sectors == SECTORS and t.categories == FD
    np.testing.assert_allclose(t.x, a["g"], rtol=1e-9)
    np.testing.assert_allclose(t.Z, a["U"], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(t.Y, a["Y"], rtol=1e-9)
    np.testing.assert_allclose(t.value_added.sum(axis=0), a["va"].sum(axis=0), rtol=1e-9)
    assert t.provenance["format"] == "GLORIA" and "Q" in t.extensions


def test_a_folder_that_is_not_gloria(tmp_path: Path) -> None:
    with pytest.raises(TableError, match="not a GLORIA release pymrio reads"):
        read_gloria(tmp_path, year=2022, version=59)


def test_the_command_line_names_year_and_version(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from autarky.cli.app import main

    folder, _ = write(tmp_path)
    capsys.readouterr()
    assert main(["balance", f"gloria:{folder}@2022@59", "--home", "AAA", "--format", "csv"]) == 0
    assert "Wheat" in capsys.readouterr().out
