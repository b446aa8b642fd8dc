"""One serialiser for every result: labelled datasets with a unit on every variable, written to
JSON, CSV, netCDF and parquet and read back."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from autarky import data
from autarky.errors import AutarkyError
from autarky.io import results


@pytest.fixture(scope="module")
def dprk_results() -> dict[str, object]:
    eco = data.load("dprk-1963")
    syp = data.load("seven-year-plan")
    return {"balance": eco.plan.balance(), "optimize": eco.plan.optimize(),
            "multiyear": syp.plan.multiyear("light-first"),
            "indicators": eco.reliance.indicators(),
            "stress": eco.reliance.stress("partner:ussr", weeks=6),
            "cost": eco.reliance.cost_of_autarky(caps=[1.0, 0.0]),
            "neutrality": eco.reliance.neutrality()}


def test_every_variable_has_a_unit_and_a_description(dprk_results: dict[str, object]) -> None:
    for name, res in dprk_results.items():
        ds = results.dataset(res)
        assert len(ds.data_vars), name
        for var, da in ds.data_vars.items():
            assert da.attrs.get("unit"), (name, var)
            assert da.attrs.get("description"), (name, var)


def test_units_resolve_per_branch_in_the_long_table(dprk_results: dict[str, object]) -> None:
    frame = results.to_frame(dprk_results["optimize"])
    coal = frame[(frame["variable"] == "gross_output") & (frame["branch"] == "coal")]
    assert coal["unit"].tolist() == ["thousand t"]
    price = frame[(frame["variable"] == "shadow_prices") & (frame["branch"] == "coal")]
    assert price["unit"].tolist() == ["1/thousand t"]
    labour = frame[(frame["variable"] == "factor_required")]
    assert labour["unit"].tolist() == ["thousand workers"]


def test_money_totals_carry_their_units(dprk_results: dict[str, object]) -> None:
    ds = results.dataset(dprk_results["indicators"])
    assert ds["exports_value"].attrs["unit"] == "million won"
    assert ds["imports_value"].attrs["unit"] == "million won"
    assert ds["aid"].attrs["unit"] == "million won"


def test_binding_constraints_come_back_labelled(dprk_results: dict[str, object]) -> None:
    plan = dprk_results["optimize"]
    table = plan.binding.table  # type: ignore[attr-defined]
    assert {"kind", "label", "year", "dual"} <= set(table.columns)
    assert ("factor", "labour") in set(zip(table["kind"], table["label"], strict=True))
    years = dprk_results["multiyear"].binding.table["year"]  # type: ignore[attr-defined]
    assert years.notna().any() and set(years.dropna().astype(int)) <= set(range(1961, 1968))


@pytest.mark.parametrize("suffix", [".json", ".csv", ".nc", ".parquet"])
def test_every_result_writes_and_reads_back(dprk_results: dict[str, object], tmp_path: Path,
                                            suffix: str) -> None:
    for name, res in dprk_results.items():
        path = results.write(res, tmp_path / f"{name}{suffix}")
        assert path.is_file() and path.stat().st_size > 0
        if suffix == ".json":
            doc = json.loads(path.read_text())
            assert doc["variable_units"], name
            continue
        back = results.read(path)
        frame = results.to_frame(res)
        if suffix == ".nc":
            assert isinstance(back, xr.Dataset)
            ds = results.dataset(res)
            for var in ds.data_vars:
                np.testing.assert_allclose(np.asarray(back[var].values, dtype=float),
                                           np.asarray(ds[var].values, dtype=float),
                                           rtol=1e-12, equal_nan=True, err_msg=f"{name} {var}")
                assert back[var].attrs["unit"] == ds[var].attrs["unit"]
        else:
            assert len(back) == len(frame), name
            got = back["value"].to_numpy(dtype=float)
            np.testing.assert_allclose(got, frame["value"].to_numpy(dtype=float), rtol=1e-12,
                                       equal_nan=True, err_msg=name)
            assert back["unit"].fillna("").astype(str).tolist() == \
                frame["unit"].fillna("").astype(str).tolist()


def test_unknown_format_is_refused(dprk_results: dict[str, object], tmp_path: Path) -> None:
    with pytest.raises(AutarkyError, match="suffix"):
        results.write(dprk_results["balance"], tmp_path / "out.xlsx")
    with pytest.raises(AutarkyError, match="unknown format"):
        results.write(dprk_results["balance"], tmp_path / "out", fmt="excel")
