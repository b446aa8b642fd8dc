"""Inputs of the :class:`~autarky.economy.Economy` constructor turned into its parts: record
tables (branches, factors, partners), final demand by category, old keyword forms."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from autarky import checks
from autarky.checks import quoted
from autarky.errors import BadTypeError, BadValueError, UnknownIdError

#: Final-demand categories the old scenario format treated as exports.
EXPORT_CATEGORY_NAMES = frozenset({"exports", "export"})
_RECORD_COLS = {"branch": ["name", "unit", "group", "note"],
                "factor": ["name", "unit", "note"],
                "partner": ["name", "note"]}


def records_table(table: pd.DataFrame | Sequence[Mapping[str, Any]] | None, kind: str) -> pd.DataFrame:
    """A record table (branches, factors, partners) indexed by id, with its standard columns."""
    if table is None:
        df = pd.DataFrame(columns=_RECORD_COLS[kind])
    elif isinstance(table, pd.DataFrame):
        df = table.copy()
    elif isinstance(table, (str, bytes, Mapping)) or not isinstance(table, Iterable):
        raise BadTypeError(f"the {kind} records must be a table or a list of records (one "
                           f"mapping per {kind}), got {table!r:.60}")
    else:
        df = pd.DataFrame(list(table))
    if "id" in df.columns:
        df = df.set_index("id")
    ids = _strings(df.index)
    index = pd.Index(ids, name=kind, dtype=object)
    if index.has_duplicates:
        dup = index[index.duplicated()].tolist()
        raise BadValueError(f"duplicate {kind} id(s): {checks.id_text(dup, k=12)}")
    df.index = index
    n = len(index)
    if kind in ("branch", "factor"):
        unit = df["unit"] if "unit" in df.columns else pd.Series(np.nan, index=index)
        # the checks on the distinct units (a product-level table has a handful for 10^6 rows)
        codes, uniq = pd.factorize(unit.to_numpy(dtype=object), use_na_sentinel=False)
        blank = np.array([_blank(u) for u in uniq], dtype=bool)
        missing = index[blank[codes]].tolist() if blank.any() else []
        if kind == "branch" and ("unit" not in df.columns or missing):
            raise BadValueError(f"every branch needs a unit; missing for: {', '.join(missing) or '?'}")
    cols: dict[str, np.ndarray] = {}
    for col in _RECORD_COLS[kind]:
        fill: Any = {"name": None, "group": "other" if kind == "branch" else None, "note": "",
                     "unit": ""}[col]
        if col not in df.columns:
            cols[col] = ids if col == "name" else np.full(n, fill or "", dtype=object)
            continue
        values = df[col].to_numpy(dtype=object)
        na = pd.isna(values)
        if na.any():
            values = values.copy()
            values[na] = ids[na] if col == "name" else (fill if fill is not None else "nan")
        cols[col] = _strings(values)
    return pd.DataFrame(cols, index=index).astype(str)


def _blank(unit: Any) -> bool:
    """Whether a unit is missing: NaN, None or only blanks."""
    return bool(pd.isna(unit)) or str(unit).strip() == ""


def _strings(values: Any) -> np.ndarray:
    """``values`` as an object array of ``str`` (at C speed where they already are)."""
    arr = np.asarray(values, dtype=object)
    if pd.api.types.infer_dtype(arr, skipna=False) == "string":
        return arr
    return np.array([str(v) for v in arr], dtype=object)


def demand_frame(final_demand: Any, ids: pd.Index) -> pd.DataFrame:
    """Final demand as a ``branch x category`` frame (categories from its columns)."""
    n = len(ids)
    if final_demand is None:
        fd = pd.DataFrame({"total": np.zeros(n)}, index=ids)
    elif isinstance(final_demand, pd.DataFrame):
        unknown = set(map(str, final_demand.index)) - set(ids)
        if unknown:
            raise UnknownIdError(f"final demand names unknown branch(es): "
                                 f"{', '.join(sorted(unknown))}")
        fd = final_demand.copy()
        fd.index = pd.Index(map(str, fd.index))
        fd = fd.reindex(ids).fillna(0.0)
        fd = pd.DataFrame(checks.floats("final demand", fd.to_numpy()), index=fd.index,
                          columns=fd.columns)
    elif isinstance(final_demand, (pd.Series, Mapping)):
        s = pd.Series(final_demand)
        s = pd.Series(checks.floats("final demand", s.to_numpy()), index=s.index)
        unknown = set(map(str, s.index)) - set(ids)
        if unknown:
            raise UnknownIdError(f"final demand names unknown branch(es): "
                                 f"{', '.join(sorted(unknown))}")
        s.index = pd.Index(map(str, s.index))
        fd = s.reindex(ids).fillna(0.0).to_frame("total")
    else:
        arr = checks.floats("final demand", final_demand)
        if arr.ndim == 1:
            arr = arr[:, np.newaxis]
        if arr.ndim != 2 or arr.shape[0] != n:
            rows = arr.shape[0] if arr.ndim else "no"
            raise BadValueError(f"final demand has {rows} rows, expected {n}")
        cols = ["total"] if arr.shape[1] == 1 else [f"category_{i}" for i in range(arr.shape[1])]
        fd = pd.DataFrame(arr, index=ids, columns=cols)
    fd.index = ids
    fd.columns = pd.Index([str(c) for c in fd.columns], name="category")
    exp = [c for c in fd.columns if c.lower() in EXPORT_CATEGORY_NAMES]
    if exp:
        raise BadValueError(
            f"final demand has a category {quoted(exp[0])}: exports are not home final use. Give them "
            "by destination as the table 'exports' (partner x branch), e.g. "
            "Economy(..., partners=..., exports={'partner-id': {'branch-id': quantity}}); "
            "read_scenario converts old scenario files that use the category")
    if fd.columns.has_duplicates:
        raise BadValueError("final demand has duplicate categories")
    return fd


def offers_to_tables(trade: pd.DataFrame) -> dict[str, dict[str, dict[str, float]]]:
    """Old ``trade`` offers (``partner, branch, direction, price, max``) as price and limit
    tables: one channel per partner, product and direction."""
    out: dict[str, dict[str, dict[str, float]]] = {
        "import_prices": {}, "import_limits": {}, "export_prices": {}, "export_limits": {}}
    for r in trade.to_dict("records"):
        kind = "import" if r["direction"] == "import" else "export"
        if r["direction"] not in ("import", "export"):
            raise BadValueError(f"trade direction must be 'import' or 'export', got "
                                f"{quoted(r['direction'])}")
        p, b = str(r["partner"]), str(r["branch"])
        out[f"{kind}_prices"].setdefault(p, {})[b] = float(r["price"])
        mx = r.get("max")
        if mx is not None and not (isinstance(mx, float) and np.isnan(mx)):
            out[f"{kind}_limits"].setdefault(p, {})[b] = float(mx)
    return {k: v for k, v in out.items() if v}


def table_from_ids(branches: Sequence[str] | pd.DataFrame, units: str | Sequence[str]) -> Any:
    if isinstance(branches, pd.DataFrame):
        return branches
    if isinstance(branches, list) and pd.api.types.infer_dtype(branches) == "string":
        ids = branches                    # already a list of str (e.g. generated ids)
    else:
        ids = checks.id_list("branches", branches)
    if isinstance(units, str):
        unit_list = [units] * len(ids)
    else:
        try:
            unit_list = list(units)
        except TypeError:
            raise BadTypeError(f"units must be a string or a list of strings, got "
                               f"{type(units).__name__}") from None
        if not all(isinstance(u, str) for u in unit_list):
            raise BadTypeError("units must be a string or a list of strings, got "
                               f"{checks.quoted(next(u for u in unit_list if not isinstance(u, str)))}"
                               " among them")
    if len(unit_list) != len(ids):
        raise BadValueError(f"one unit per branch, or one unit for all: {len(unit_list)} units "
                            f"for {len(ids)} branches")
    # object columns, as records_table keeps them until its one conversion to str
    return pd.DataFrame({"unit": np.array(unit_list, dtype=object)},
                        index=pd.Index(ids, name="branch", dtype=object), dtype=object)
