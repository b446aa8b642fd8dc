"""The EXIOBASE 3 reader (issue 11): tables written by pymrio in EXIOBASE's layout (two header
rows and an index-name row, tab-separated; extension folders; the zip with its top folder; the
3.8 ``satellite`` folder that holds value added among the stressors; parquet), each read back
to the numbers pymrio reads from the same files."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pymrio
import pytest

from autarky.errors import TableError
from autarky.mrio.exiobase import read_exiobase
from autarky.mrio.home import home_view
from autarky.mrio.interop import from_pymrio


def saved(tmp_path: Path, table_format: str = "txt") -> Path:
    folder = tmp_path / "IOT_2022_pxp"
    pymrio.load_test().save_all(folder, table_format=table_format)
    return folder


def same(a, b) -> None:
    assert a.regions == b.regions and a.sectors == b.sectors and a.categories == b.categories
    np.testing.assert_array_equal(a.Z, b.Z)
    np.testing.assert_array_equal(a.Y, b.Y)
    np.testing.assert_array_equal(a.value_added, b.value_added)
    for name, ext in b.extensions.items():
        np.testing.assert_array_equal(a.extensions[name].F, ext.F)
        np.testing.assert_array_equal(a.extensions[name].F_Y, ext.F_Y)
        assert a.extensions[name].rows == ext.rows and a.extensions[name].units == ext.units


def test_the_folder_reads_as_pymrio_reads_it(tmp_path: Path) -> None:
    folder = saved(tmp_path)
    t = read_exiobase(folder)
    same(t, from_pymrio(pymrio.load_all(folder)))
    assert t.unit == "Mill USD" and t.value_added_rows == ("Value Added",)
    assert t.extensions["emissions"].rows == ("emission_type1 / air", "emission_type2 / water")
    assert t.provenance["format"] == "EXIOBASE 3" and t.provenance["year"] == 2022


def test_the_zip_as_downloaded(tmp_path: Path) -> None:
    folder = saved(tmp_path)
    z = tmp_path / "IOT_2022_pxp.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for p in folder.rglob("*"):
            if p.is_file():
                zf.write(p, f"IOT_2022_pxp/{p.relative_to(folder)}")
    same(read_exiobase(z), from_pymrio(pymrio.load_all(folder)))


def test_the_3_8_satellite_folder_gives_its_value_added_rows(tmp_path: Path) -> None:
    """Up to 3.8 the value-added rows sit in ``satellite`` among the stressors: they become the
    table's value added and the stressors stay an extension."""
    io = pymrio.load_test()
    cols = io.Z.columns
    rows = ["Taxes less subsidies on products purchased: Total",
            "Compensation of employees; wages, salaries, & employers' social contributions: "
            "Low-skilled", "Operating surplus: Remaining net operating surplus",
            "CO2 - combustion - air"]
    rng = np.random.default_rng(3)
    F = pd.DataFrame(rng.uniform(0, 10, (4, len(cols))), index=pd.Index(rows, name="stressor"),
                     columns=cols)
    sat = pymrio.Extension("satellite", F=F,
                           unit=pd.DataFrame({"unit": ["M.EUR"] * 3 + ["kg"]}, index=F.index))
    io.satellite = sat
    del io.factor_inputs
    folder = tmp_path / "IOT_2011_pxp"
    io.save_all(folder)
    t = read_exiobase(folder)
    assert t.value_added_rows == tuple(rows[:3])
    np.testing.assert_allclose(t.value_added, F.to_numpy()[:3], rtol=1e-11)  # %.12g written
    assert t.extensions["satellite"].rows == ("CO2 - combustion - air",)
    assert t.extensions["satellite"].units == ("kg",)


def test_parquet_through_pymrio(tmp_path: Path) -> None:
    folder = saved(tmp_path, "parquet")
    same(read_exiobase(folder), from_pymrio(pymrio.load_all(folder)))


def test_the_home_view_of_an_exiobase_region(tmp_path: Path) -> None:
    t = read_exiobase(saved(tmp_path))
    eco = home_view(t, "reg4", {"near": ["reg3", "reg5"], "rest": "*"})
    np.testing.assert_allclose(eco.plan.balance().gross_output.to_numpy(),
                               t.x[t.region_slice("reg4")], rtol=1e-12)
    assert "emissions:emission_type1 / air" in eco.factors.index


def test_malformed_folders_are_named(tmp_path: Path) -> None:
    folder = saved(tmp_path)
    (folder / "Y.txt").unlink()
    with pytest.raises(TableError, match=r"no Y.txt \(final demand\) beside Z"):
        read_exiobase(folder)
    shutil.rmtree(folder)
    folder = saved(tmp_path)
    text = (folder / "unit.txt").read_text().replace("Mill USD", "t", 1)
    (folder / "unit.txt").write_text(text)
    with pytest.raises(TableError, match=r"mixed units \(Mill USD, t\)") as err:
        read_exiobase(folder)
    assert "unit.txt" in str(err.value)
    with pytest.raises(TableError, match=r"no Z\.txt or A\.txt"):
        read_exiobase(tmp_path / "IOT_2022_pxp" / "emissions")


def test_write_exiobase_is_read_by_pymrio_and_by_autarky(tmp_path: Path) -> None:
    from autarky.mrio.exiobase import write_exiobase

    t = from_pymrio(pymrio.load_test())
    folder = write_exiobase(t, tmp_path / "IOT_2020_pxp")
    same(read_exiobase(folder), t)
    theirs = from_pymrio(pymrio.parse_exiobase3(folder))
    np.testing.assert_array_equal(theirs.Z, t.Z)
    np.testing.assert_array_equal(theirs.value_added, t.value_added)


def test_a_and_x_must_have_the_same_rows(tmp_path: Path) -> None:
    """The A + x layout: x.txt's rows are checked against A's (a reordered x would scale the
    wrong columns)."""
    io = pymrio.load_test()
    io.calc_all()
    io.Z = None
    folder = tmp_path / "IOT_2022_pxp"
    io.save_all(folder)
    assert (folder / "A.txt").exists() and not (folder / "Z.txt").exists()
    good = read_exiobase(folder)
    np.testing.assert_allclose(good.Z, pymrio.load_test().Z.to_numpy(), rtol=1e-9)
    lines = (folder / "x.txt").read_text().splitlines()
    (folder / "x.txt").write_text("\n".join([lines[0], lines[2], lines[1], *lines[3:]]) + "\n")
    with pytest.raises(TableError, match=r"x\.txt does not hold one output for each"):
        read_exiobase(folder)
