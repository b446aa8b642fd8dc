"""One serialiser for every result: JSON, CSV, netCDF and parquet.

Every result of autarky turns into an :class:`xarray.Dataset` (``result.to_dataset()``) whose
variables carry named dimensions, coordinates, ``attrs["unit"]`` (a unit rule such as
``unit[branch]`` where the unit differs by branch, resolved through the dataset's per-branch
``unit`` coordinate) and ``attrs["description"]``. This module writes any such dataset:

* **JSON** (:func:`to_json_dict`): each variable as a value nested by its dimensions' labels
  (``doc["gross_output"]["coal"]``), the dataset's attributes at the top level, and
  ``variable_units``, ``descriptions`` and ``units`` (each branch's unit) beside them;
  non-finite numbers become ``null``;
* **CSV** and **parquet** (:func:`to_frame`): one long table, a row per value, with the
  variable, one column per dimension, the value (flags as 1 and 0) and its unit resolved per row;
* **netCDF** (:func:`write`): the dataset itself (attributes that netCDF cannot hold are written
  as JSON text).

Examples
--------
>>> import xarray as xr
>>> ds = xr.Dataset({"x": xr.DataArray([1.0, 2.0], dims=("branch",),
...                                     coords={"branch": ["coal", "steel"]},
...                                     attrs={"unit": "unit[branch]"})})
>>> ds = ds.assign_coords(unit=("branch", ["t", "kt"]))
>>> to_json_dict(ds)["x"], to_json_dict(ds)["units"]
({'coal': 1.0, 'steel': 2.0}, {'coal': 't', 'steel': 'kt'})
>>> to_frame(ds)[["variable", "branch", "value", "unit"]].values.tolist()
[['x', 'coal', 1.0, 't'], ['x', 'steel', 2.0, 'kt']]
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from autarky.checks import quoted
from autarky.errors import AutarkyError

FORMATS = ("json", "csv", "netcdf", "parquet")
_SUFFIX = {".json": "json", ".csv": "csv", ".nc": "netcdf", ".nc4": "netcdf",
           ".parquet": "parquet", ".pq": "parquet"}


def dataset(result: Any) -> xr.Dataset:
    """The dataset of a result (or the dataset itself)."""
    if isinstance(result, xr.Dataset):
        return result
    if hasattr(result, "to_dataset"):
        return result.to_dataset()
    raise AutarkyError(f"{type(result).__name__} has no dataset form (to_dataset)")


def _plain(v: Any) -> Any:
    """A JSON-ready scalar: numpy scalars to Python, non-finite floats to None."""
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return f if math.isfinite(f) else None
    if isinstance(v, np.ndarray):
        return [_plain(x) for x in v.tolist()]
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    return v


def _nested(da: xr.DataArray) -> Any:
    if da.ndim == 0:
        return _plain(da.values.item())
    dim = da.dims[0]
    labels = da[dim].values
    return {str(_plain(lab)): _nested(da.isel({dim: k})) for k, lab in enumerate(labels)}


def _resolve(rule: str, ds: xr.Dataset, da: xr.DataArray, idx: dict[str, Any]) -> str:
    """The unit of one value: ``unit[branch]`` (and ``[input]``) from the branch coordinate,
    ``unit[factor]`` from ``factor_unit``, ``currency`` from the dataset's currency."""
    out = rule
    if "unit[branch]" in out and "branch" in idx and "unit" in ds.coords:
        units = dict(zip(ds["branch"].values.tolist(), ds["unit"].values.tolist(), strict=False))
        out = out.replace("unit[branch]", str(units.get(idx["branch"], "unit[branch]")))
    if "unit[factor]" in out and "factor" in idx and "factor_unit" in ds.coords:
        units = dict(zip(ds["factor"].values.tolist(), ds["factor_unit"].values.tolist(),
                         strict=False))
        out = out.replace("unit[factor]", str(units.get(idx["factor"], "unit[factor]")))
    cur = ds.attrs.get("currency") or da.attrs.get("currency")
    if cur and "currency" in out:
        out = out.replace("currency", str(cur))
    return out


def to_json_dict(result: Any) -> dict[str, Any]:
    """The JSON document of a result (see the module docstring)."""
    ds = dataset(result)
    out: dict[str, Any] = {k: _plain(v) for k, v in ds.attrs.items()}
    units: dict[str, str] = {}
    desc: dict[str, str] = {}
    for name, da in ds.data_vars.items():
        out[str(name)] = _nested(da)
        units[str(name)] = str(da.attrs.get("unit", ""))
        if da.attrs.get("description"):
            desc[str(name)] = str(da.attrs["description"])
    if "unit" in ds.coords and "branch" in ds.coords:
        out["units"] = {str(b): str(u) for b, u in zip(ds["branch"].values, ds["unit"].values,
                                                       strict=True)}
    out["variable_units"] = units
    out["descriptions"] = desc
    return out


def to_frame(result: Any) -> pd.DataFrame:
    """One long table of every value: ``variable``, one column per dimension, ``value``,
    ``unit`` (resolved per row)."""
    ds = dataset(result)
    dims = list(dict.fromkeys(str(d) for da in ds.data_vars.values() for d in da.dims))
    rows: list[dict[str, Any]] = []
    for name, da in ds.data_vars.items():
        rule = str(da.attrs.get("unit", ""))
        values = np.asarray(da.values)
        names = [str(d) for d in da.dims]
        coords = [ds[d].values for d in names]
        for flat, v in enumerate(values.ravel()):
            at = np.unravel_index(flat, values.shape) if values.ndim else ()
            idx: dict[str, Any] = {d: _plain(coords[k][i])
                                   for k, (d, i) in enumerate(zip(names, at, strict=True))}
            val = _plain(v)
            row = {"variable": str(name), **{d: idx.get(d) for d in dims},
                   "value": float(val) if isinstance(val, bool) else val,  # numeric column
                   "unit": _resolve(rule, ds, da, idx)}
            rows.append(row)
    frame = pd.DataFrame(rows, columns=["variable", *dims, "value", "unit"])
    frame.attrs = {k: _plain(v) for k, v in ds.attrs.items()}
    return frame


def _netcdf_safe(ds: xr.Dataset) -> xr.Dataset:
    out = ds.copy()
    for name in list(out.data_vars) + list(out.coords):
        da = out[name]
        if da.dtype == bool:
            out[name] = da.astype("int8")
        for k, v in list(da.attrs.items()):
            if not isinstance(v, (str, int, float, np.number)):
                out[name].attrs[k] = json.dumps(_plain(v))
    for k, v in list(out.attrs.items()):
        if isinstance(v, bool):
            out.attrs[k] = int(v)
        elif v is None:
            out.attrs[k] = ""
        elif not isinstance(v, (str, int, float, np.number)):
            out.attrs[k] = json.dumps(_plain(v))
    return out


def format_of(path: str | Path, fmt: str | None = None) -> str:
    """The output format: ``fmt`` if given, else from the file's suffix."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise AutarkyError(f"unknown format {quoted(fmt)}; expected {', '.join(FORMATS)}")
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix not in _SUFFIX:
        raise AutarkyError(f"cannot tell the format of {str(path)!r} from its suffix; use .json, "
                           ".csv, .nc or .parquet")
    return _SUFFIX[suffix]


def to_text(result: Any, fmt: str) -> str:
    """A result as JSON or CSV text."""
    if fmt == "json":
        return json.dumps(to_json_dict(result), indent=2, allow_nan=False) + "\n"
    if fmt == "csv":
        return to_frame(result).to_csv(index=False, lineterminator="\n")
    raise AutarkyError(f"{fmt} is a binary format: write it to a file")


def write(result: Any, path: str | Path, fmt: str | None = None) -> Path:
    """Write a result to ``path`` as JSON, CSV, netCDF or parquet (from the suffix, or
    ``fmt``), atomically: a failed write leaves no half-written file."""
    from autarky.io.writer import atomic_path, atomic_write

    p = Path(path)
    kind = format_of(p, fmt)
    if kind in ("json", "csv"):
        return atomic_write(p, to_text(result, kind))
    with atomic_path(p) as tmp:
        if kind == "netcdf":
            _netcdf_safe(dataset(result)).to_netcdf(tmp, engine="scipy")
        else:
            frame = to_frame(result)
            frame.attrs = {}
            frame.to_parquet(tmp, index=False)
    return p


def read(path: str | Path) -> xr.Dataset | pd.DataFrame:
    """Read back what :func:`write` wrote: a dataset (netCDF), a long table (CSV, parquet) or
    the JSON document as a dict wrapped in nothing (use ``json`` for that)."""
    kind = format_of(path)
    if kind == "netcdf":
        with xr.open_dataset(path, engine="scipy") as ds:
            return ds.load()
    if kind == "parquet":
        return pd.read_parquet(path)
    if kind == "csv":
        return pd.read_csv(path)
    raise AutarkyError("read JSON with the json module")
