"""Eora26 through pymrio (issue 11): a zip in Eora26's layout (headerless tab-separated
matrices and label files, a ROW statistical-discrepancy row and column), read back without the
ROW and with value added and the satellite accounts."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest

from autarky.errors import TableError
from autarky.mrio.via_pymrio import read_eora26

COUNTRIES = [("Country A", "AAA"), ("Country B", "BBB"), ("Rest of World", "ROW")]
SECTORS = ["Agriculture", "Mining and Quarrying"]
FD = ["Household final consumption P.3h", "Gross fixed capital formation P.51"]
VA = ["Compensation of employees D.1", "Operating surplus B.2n"]


def tsv(M: np.ndarray) -> str:
    buf = io.StringIO()
    np.savetxt(buf, M, delimiter="\t", fmt="%.17g")
    return buf.getvalue()


def write(tmp_path: Path, seed: int = 0) -> tuple[Path, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    n, f = len(COUNTRIES) * len(SECTORS), len(COUNTRIES) * len(FD)
    arrays = {"T": rng.uniform(0, 10, (n, n)), "FD": rng.uniform(10, 50, (n, f)),
              "VA": rng.uniform(5, 20, (len(VA), n)), "Q": rng.uniform(0, 3, (1, n)),
              "QY": rng.uniform(0, 1, (1, f))}
    labels_t = "".join(f"{name}\t{iso}\tIndustries\t{s}\n" for name, iso in COUNTRIES
                       for s in SECTORS)
    labels_fd = "".join(f"{name}\t{iso}\tFinal Demand\t{c}\n" for name, iso in COUNTRIES
                        for c in FD)
    z = tmp_path / "Eora26_2015_bp.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for key, M in arrays.items():
            zf.writestr(f"Eora26_2015_bp_{key}.txt", tsv(M))
        zf.writestr("labels_T.txt", labels_t)
        zf.writestr("labels_FD.txt", labels_fd)
        zf.writestr("labels_VA.txt", "".join(f"Primary Inputs\t{v}\n" for v in VA))
        zf.writestr("labels_Q.txt", "Energy Usage (TJ)\tIEA\n")
    return z, arrays


def test_an_eora26_zip_reads_without_its_row(tmp_path: Path) -> None:
    z, a = write(tmp_path)
    t = read_eora26(z)
    keep = np.arange(4)  # the two countries' industries: ROW's rows and columns dropped
    keep_fd = np.arange(4)
    assert t.regions == ("AAA", "BBB") and t.sectors == tuple(SECTORS)
    np.testing.assert_allclose(t.Z, a["T"][np.ix_(keep, keep)], rtol=1e-15)
    np.testing.assert_allclose(t.Y, a["FD"][np.ix_(keep, keep_fd)], rtol=1e-15)
    np.testing.assert_allclose(t.value_added, a["VA"][:, keep], rtol=1e-15)
    assert t.unit == "000 USD" and t.provenance["year"] == 2015
    q = t.extensions["Q"]
    assert q.units == ("TJ",)
    np.testing.assert_allclose(q.F, a["Q"][:, keep], rtol=1e-15)


def test_a_file_that_is_not_eora26(tmp_path: Path) -> None:
    bad = tmp_path / "Eora26_2015_bp.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("readme.txt", "nothing here")
    with pytest.raises(TableError, match="not an Eora26 table pymrio reads"):
        read_eora26(bad)
