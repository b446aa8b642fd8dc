"""Write a scenario (or an economy) in the scenario format: one YAML file or a folder with CSVs.

Generic over the table registry: every table with a scenario key is written with its non-default
entries, as a nested YAML mapping or, in the folder form, as a long CSV table with provenance
columns. Reading a written scenario back gives the same scenario (floats are written with
``repr``, which round-trips exactly). Files are written to a temporary name and moved into
place, so a failed write never leaves a half-written file.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
import yaml

from autarky.economy import Economy, Scenario, as_scenario
from autarky.economy.registry import TABLE_LIST, TABLES, TableSpec
from autarky.economy.schema import UNCERTAINTY_COLS
from autarky.economy.tables import Coords

_ProvKey = tuple[str, str, str | None]
#: Above this many branches the folder form writes the branch list as branches.csv.
BRANCHES_CSV_FROM_N = 1000
#: Tables the folder form writes as CSV files (the rest stay in scenario.yaml).
CSV_TABLES = frozenset({"technology", "final_demand", "reported_output", "capacity", "capital",
                        "factor_coefficients",
                        "import_shares", "imported_technology", "final_imports", "exports",
                        "initial_capacity", "import_prices", "import_limits", "export_prices",
                        "export_limits"})


@contextmanager
def atomic_path(path: str | Path) -> Iterator[str]:
    """A temporary file name beside ``path`` to write to; moved into place (mode 0644) when the
    block ends, removed if it fails, so a failed write never leaves a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` through :func:`atomic_path`; return the path."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    return Path(path)


def _given(v: Any) -> bool:
    """Whether a provenance cell holds something (not missing, empty or NaN)."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return False
    return not (isinstance(v, str) and not v)


def _provenance_index(economy: Economy) -> dict[_ProvKey, dict[str, Any]]:
    out: dict[_ProvKey, dict[str, Any]] = {}
    for rec in economy.provenance.to_dict("records"):
        col = rec.get("column")
        col = None if col is None or (isinstance(col, float) and np.isnan(col)) else str(col)
        est = rec.get("estimate")
        entry: dict[str, Any] = {
            "source": str(rec.get("source") or ""), "note": str(rec.get("note") or ""),
            "estimate": bool(est) if _given(est) else False,
        }
        entry.update({k: rec[k] for k in UNCERTAINTY_COLS if _given(rec.get(k))})
        out[(str(rec["table"]), str(rec["row"]), col)] = entry
    return out


def _value(v: float, prov: dict[str, Any] | None) -> Any:
    num: float | int = float(v)
    if prov is None:
        return num
    out: dict[str, Any] = {"value": num}
    for k, val in prov.items():
        if k == "low":
            out["range"] = [float(prov["low"]), float(prov["high"])]
        elif k in ("values", "weights"):
            out[k] = [float(x) for x in val]
        elif k in ("sd",):
            out[k] = float(val)
        elif k != "high" and val:
            out[k] = val
    return out


def _entries(spec: TableSpec, stored: Any, coords: Coords) -> tuple[list[tuple[Any, ...]],
                                                                     np.ndarray]:
    """Labels (in ``spec.dims`` order) and values of the non-default entries, row-major."""
    def given(v: np.ndarray) -> np.ndarray:
        if np.isnan(spec.default):
            return ~np.isnan(v)
        if np.isinf(spec.default):
            return np.isfinite(v)
        return v != spec.default

    if isinstance(stored, tuple):
        labels, vals = [], []
        for p, block in enumerate(stored):
            coo = sp.coo_array(block)
            order = np.lexsort((coo.col, coo.row))
            for k in order:
                if coo.data[k] != 0:
                    labels.append((coords.partner[p], coords.branch[coo.row[k]],
                                   coords.branch[coo.col[k]]))
                    vals.append(float(coo.data[k]))
        return labels, np.asarray(vals)
    if sp.issparse(stored):
        coo = sp.coo_array(stored)
        order = np.lexsort((coo.col, coo.row))
        keep = order[coo.data[order] != 0]
        pairs: list[tuple[Any, ...]] = [(coords.branch[coo.row[k]], coords.branch[coo.col[k]])
                                        for k in keep]
        return pairs, coo.data[keep].astype(float)
    arr = np.asarray(stored, dtype=float)
    if arr.ndim == 0:
        return [()], arr.reshape(1)
    idx = np.argwhere(given(arr))
    labels = [tuple(coords.index(d)[i] for d, i in zip(spec.dims, row, strict=True))
              for row in idx]
    return labels, arr[tuple(idx.T)] if len(idx) else np.zeros(0)


def _prov_for(prov: dict[_ProvKey, dict[str, Any]], key: str, lab: tuple[Any, ...]
              ) -> dict[str, Any] | None:
    if not lab:
        return prov.get((key, key, None))
    row = str(lab[0])
    col = "/".join(str(x) for x in lab[1:]) if len(lab) > 1 else None
    hit = prov.get((key, row, col))
    if hit is None and key == "factor_coefficients":  # read from the factor records
        hit = prov.get((f"factors.{row}", str(lab[1]), row))
    return hit


def _yaml_table(spec: TableSpec, key: str, stored: Any, coords: Coords,
                prov: dict[_ProvKey, dict[str, Any]]) -> Any:
    labels, vals = _entries(spec, stored, coords)
    if not spec.dims:
        return _value(float(vals[0]), _prov_for(prov, key, ()))
    order = [spec.dims.index(d) for d in spec.nested_dims]
    out: dict[Any, Any] = {}
    for lab, v in zip(labels, vals, strict=True):
        node = out
        nested = [lab[i] for i in order]
        for x in nested[:-1]:
            node = node.setdefault(_key(x), {})
        node[_key(nested[-1])] = _value(v, _prov_for(prov, key, lab))
    return out


def _key(x: Any) -> Any:
    return int(x) if isinstance(x, (int, np.integer)) else str(x)


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([repr(c) if isinstance(c, float) else ("true" if c is True else
                    "false" if c is False else c) for c in r])
    return buf.getvalue()


def _entries_frame(spec: TableSpec, stored: Any, coords: Coords) -> pd.DataFrame:
    """The non-default entries as a frame (one column per dimension and ``value``), row-major;
    vectorised, for tables of millions of entries."""
    def lab(dim: str, idx: np.ndarray) -> np.ndarray:
        return np.asarray(coords.index(dim), dtype=object)[idx]

    if isinstance(stored, tuple):
        parts = [_entries_frame(TableSpec(spec.name, spec.dims[1:], spec.unit, ""), b, coords)
                 .assign(**{spec.dims[0]: coords.partner[p]})
                 for p, b in enumerate(stored)]
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
            columns=[*spec.dims, "value"])
        return frame[[*spec.dims, "value"]]
    if sp.issparse(stored):
        coo = sp.coo_array(stored)
        order = np.lexsort((coo.col, coo.row))
        keep = order[coo.data[order] != 0]
        return pd.DataFrame({spec.dims[0]: lab(spec.dims[0], coo.row[keep]),
                             spec.dims[1]: lab(spec.dims[1], coo.col[keep]),
                             "value": coo.data[keep].astype(float)})
    arr = np.asarray(stored, dtype=float)
    if np.isnan(spec.default):
        given = ~np.isnan(arr)
    elif np.isinf(spec.default):
        given = np.isfinite(arr)
    else:
        given = arr != spec.default
    idx = np.nonzero(given)
    out = {d: lab(d, idx[k]) for k, d in enumerate(spec.dims)}
    out["value"] = arr[idx]
    return pd.DataFrame(out)


def _csv_table(spec: TableSpec, key: str, stored: Any, coords: Coords,
               provenance: pd.DataFrame) -> str:
    frame = _entries_frame(spec, stored, coords)
    dims = list(spec.dims)
    frame["_row"] = frame[dims[0]].astype(str)
    if len(dims) > 1:
        col = frame[dims[1]].astype(str)
        for d in dims[2:]:
            col = col + "/" + frame[d].astype(str)
        frame["_col"] = col
    else:
        frame["_col"] = None
    prov = provenance[provenance["table"] == key]
    if key == "factor_coefficients":  # read from the factor records
        rec = provenance[provenance["table"].astype(str).str.startswith("factors.")]
        rec = rec.assign(table=key, row=rec["column"], column=rec["row"])
        prov = pd.concat([prov, rec], ignore_index=True)
    frame["source"], frame["note"], frame["estimate"] = "", "", False
    if len(prov):
        p = prov.assign(_row=prov["row"].astype(str),
                        _col=prov["column"].where(prov["column"].notna(), None))
        p = p.drop_duplicates(["_row", "_col"]).set_index(["_row", "_col"])
        keys = pd.MultiIndex.from_arrays([frame["_row"], frame["_col"]])
        pos = p.index.get_indexer(keys)
        hit = pos >= 0
        for c in ("source", "note"):
            vals = p[c].fillna("").astype(str).to_numpy()
            frame.loc[hit, c] = vals[pos[hit]]
        est = p["estimate"].fillna(False).astype(bool).to_numpy()
        frame.loc[hit, "estimate"] = est[pos[hit]]
    spread = [c for c in UNCERTAINTY_COLS if c in prov.columns and len(prov)
              and prov[c].map(_given).any()]
    if spread:
        if "low" in spread or "high" in spread:
            spread = [*dict.fromkeys(["low", "high", *spread])]
        p = prov.assign(_row=prov["row"].astype(str),
                        _col=prov["column"].where(prov["column"].notna(), None))
        p = p.drop_duplicates(["_row", "_col"]).set_index(["_row", "_col"])
        pos = p.index.get_indexer(pd.MultiIndex.from_arrays([frame["_row"], frame["_col"]]))
        for c in spread:
            cells = [_csv_cell(p[c].iloc[k]) if k >= 0 else "" for k in pos]
            frame[c] = cells
    frame = frame.rename(columns={"value": spec.value_column})
    out = frame[[*dims, spec.value_column, "source", "note", "estimate", *spread]].copy()
    out["estimate"] = np.where(out["estimate"].astype(bool), "true", "false")
    return out.to_csv(index=False, lineterminator="\n")


def _csv_cell(v: Any) -> str:
    """A spread field as CSV text (``values`` and ``weights`` separated by ``;``)."""
    if not _given(v):
        return ""
    if isinstance(v, tuple | list):
        return ";".join(f"{float(x)!r}" for x in v)
    if isinstance(v, float | int | np.floating):
        return repr(float(v))
    return str(v)


def _is_given(spec: TableSpec, stored: Any) -> bool:
    if stored is None:
        return False
    if isinstance(stored, tuple):
        return any(b.nnz for b in stored)
    if sp.issparse(stored):
        return bool(stored.nnz) or spec.name == "technology"
    arr = np.asarray(stored, dtype=float)
    if spec.name in ("technology", "final_demand"):
        return True
    if np.isnan(spec.default):
        return bool(np.any(~np.isnan(arr)))
    if np.isinf(spec.default):
        return bool(np.any(np.isfinite(arr)))
    return bool(np.any(arr != spec.default))


def scenario_dict(scenario: Scenario | Economy, *, tables: dict[str, str] | None = None
                  ) -> dict[str, Any]:
    """The scenario mapping; keys in ``tables`` refer to CSV files instead of holding data."""
    scn = as_scenario(scenario)
    eco = scn.economy
    tables = tables or {}
    prov = _provenance_index(eco)
    coords = eco.coords
    out: dict[str, Any] = {"name": eco.name}
    if eco.description:
        out["description"] = eco.description
    if eco.source:
        out["source"] = eco.source
    if eco.year is not None:
        out["year"] = int(eco.year)
    if eco.currency != "currency unit":
        out["currency"] = eco.currency
    out["branches"] = tables.get("branches") or [
        {"id": b, "unit": r["unit"], **({"name": r["name"]} if r["name"] != b else {}),
         "group": r["group"], **({"note": r["note"]} if r["note"] else {})}
        for b, r in eco.branches.iterrows()
    ]
    if len(coords.factor):
        out["factors"] = _factor_records(eco, prov,
                                         inline="factor_coefficients" not in tables)
    if len(coords.partner):
        aid, credit = eco.array("aid"), eco.array("credit")
        recs = []
        for k, (p, r) in enumerate(eco.partners.iterrows()):
            rec: dict[str, Any] = {"id": p}
            if r["name"] != p:
                rec["name"] = r["name"]
            if r["note"]:
                rec["note"] = r["note"]
            for key, arr in (("aid", aid), ("credit", credit)):
                if float(arr[k]):
                    rec[key] = float(arr[k])
            recs.append(rec)
        out["partners"] = recs
    for spec in TABLE_LIST:
        if spec.holder != "economy" or spec.scenario_key is None:
            continue
        stored = eco.array(spec.name)
        if not _is_given(spec, stored):
            continue
        key = spec.scenario_key
        if spec.name == "factor_coefficients" and key not in tables:
            continue  # written inside the factor records
        if key in tables:
            out[key] = tables[key]
        elif spec.name == "final_demand" and list(coords.category) == ["total"]:
            fd = np.asarray(stored)[:, 0]
            out[key] = {b: _value(v, prov.get((key, b, "total")))
                        for b, v in zip(eco.ids, fd, strict=True) if v != 0}
        else:
            val = _yaml_table(spec, key, stored, coords, prov)
            if spec.name == "final_demand":  # every category declared, even an empty one
                val = {c: val.get(c, {}) for c in coords.category}
            out[key] = val
    out.update(_settings_keys(scn, prov))
    return out


def _factor_records(eco: Economy, prov: dict[_ProvKey, dict[str, Any]], inline: bool = True
                    ) -> list[dict[str, Any]]:
    F = eco.factor_coefficients
    facs = []
    for f, r in eco.factors.iterrows():
        rec: dict[str, Any] = {"id": f, "unit": r["unit"]}
        if r["name"] != f:
            rec["name"] = r["name"]
        if np.isfinite(r["availability"]):
            rec["availability"] = float(r["availability"])
        if inline:
            rec["coefficients"] = {b: _value(v, prov.get((f"factors.{f}", b, str(f))))
                                   for b, v in F.loc[f].items() if v != 0}
        if r["note"]:
            rec["note"] = r["note"]
        fprov = prov.get(("factors", str(f), "availability"))
        if fprov is not None:
            rec.update({k: v for k, v in fprov.items()
                        if k != "note" and k not in UNCERTAINTY_COLS and v})
            spread = {k: v for k, v in fprov.items() if k in UNCERTAINTY_COLS}
            if spread and "availability" in rec:
                rec["availability"] = _value(rec["availability"], spread)
        facs.append(rec)
    return facs


def _settings_keys(scn: Scenario, prov: dict[_ProvKey, dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    st = scn.settings
    eco = scn.economy
    coords = scn.settings_coords
    ids = eco.ids
    target = scn.array("target")
    if target is not None:
        out["target"] = {b: float(v) for b, v in zip(ids, target, strict=True) if v != 0}
    weights = scn.array("weights")
    if st.objective != "max-min" or weights is not None:
        out["objective"] = (st.objective if weights is None else
                            {"type": st.objective,
                             "weights": {b: float(v) for b, v in zip(ids, weights, strict=True)}})
    if st.foreign_exchange != "pooled":
        out["foreign_exchange"] = st.foreign_exchange
    if st.horizon is not None:
        out["horizon"] = {"first": st.horizon[0], "last": st.horizon[1]}
    fg = scn.array("factor_growth")
    if fg is not None and np.any(fg != 0):
        out["factor_growth"] = {str(f): float(v) for f, v in zip(coords.factor, fg, strict=True)
                                if v != 0}
    for name in ("factor_availability_by_year", "aid_by_year", "credit_by_year"):
        stored = scn.array(name)
        if stored is not None and _is_given(TABLES[name], stored):
            spec = TABLES[name]
            out[spec.scenario_key or name] = _yaml_table(spec, spec.scenario_key or name, stored,
                                                         coords, prov)
    basket = scn.array("consumption_basket")
    if st.consumption_basket is not None or basket is not None or st.consumption_floor:
        cons: dict[str, Any] = {}
        if basket is not None:
            cons["basket"] = {b: float(v) for b, v in zip(ids, basket, strict=True) if v != 0}
        elif st.consumption_basket is not None:
            cons["basket"] = st.consumption_basket
        f = st.consumption_floor
        cons["floor"] = ({int(y): float(v) for y, v in f.items()} if not isinstance(f, (int, float))
                         else float(f))
        out["consumption"] = cons
    if st.exogenous is not None:
        out["exogenous"] = list(st.exogenous)
    if tuple(st.industry_groups) != ("energy", "heavy", "light"):
        out["industry_groups"] = list(st.industry_groups)
    targets: dict[str, Any] = {}
    if st.industrial_growth is not None:
        targets["industrial_growth"] = st.industrial_growth
    ot = scn.array("output_targets")
    if ot is not None and _is_given(TABLES["output_targets"], ot):
        targets["output"] = _yaml_table(TABLES["output_targets"], "output_targets", ot, coords,
                                        prov)
    if targets:
        out["plan_targets"] = targets
    if st.discount:
        out["discount"] = st.discount
    if st.mobilisation is not None:
        m = st.mobilisation
        out["mobilisation"] = {
            "factor": m.factor, "normal_hours": m.normal_hours,
            "tiers": [{"kind": t.kind, "size": t.size, "productivity": t.productivity,
                       "disutility": t.disutility} for t in m.tiers],
            **({"min_hours": {int(y): float(h) for y, h in m.min_hours.items()}}
               if m.min_hours else {}),
            **({"campaign": {int(y): float(h) for y, h in m.campaign.items()}}
               if m.campaign else {})}
    if st.training is not None:
        tr = st.training
        out["training"] = {
            "factor": tr.factor, "lag": tr.lag, "attrition": tr.attrition,
            "inputs": dict(tr.inputs), "trainee_share": tr.trainee_share,
            **({"trainee_factor": tr.trainee_factor} if tr.trainee_factor else {}),
            **({"max_intake": tr.max_intake} if tr.max_intake is not None else {})}
    if st.population:
        out["population"] = {int(y): float(v) for y, v in st.population.items()}
    if st.strategies:
        out["strategies"] = {
            name: {
                **({"description": s.description} if s.description else {}),
                "rules": [{"groups": list(r.groups), "min": r.min, "max": r.max,
                           **({"years": list(r.years)} if r.years else {})} for r in s.rules],
                "targets": s.targets,
                **({"target_growth": s.target_growth} if s.target_growth is not None else {}),
                **({"proportional": True, "tolerance": s.tolerance} if s.proportional else {}),
            } for name, s in st.strategies.items()}
    return out


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def write_scenario(scenario: Scenario | Economy, path: str | Path) -> Path:
    """Write a scenario (or an economy) and return the path written.

    A path ending in ``.yaml``/``.yml`` gets the one-file form; any other path is a folder that
    receives ``scenario.yaml`` and long-form CSV tables (``technology.csv``,
    ``final_demand.csv``, ``exports.csv``, ...), with provenance columns ``source, note,
    estimate``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from autarky.io import read_scenario
    >>> eco = Economy.from_coefficients([[0.15, 0.25], [0.2, 0.05]], [600, 1500], units="USD")
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> back = read_scenario(write_scenario(eco, d / "folder"))
    >>> bool(np.array_equal(back.A, eco.A))
    True
    """
    p = Path(path)
    scn = as_scenario(scenario)
    if p.suffix.lower() in (".yaml", ".yml"):
        atomic_write(p, _dump(scenario_dict(scn)))
        return p
    eco = scn.economy
    files: dict[str, str] = {}
    refs: dict[str, str] = {}
    large = eco.n > BRANCHES_CSV_FROM_N
    for spec in TABLE_LIST:
        if spec.scenario_key is None or (spec.name not in CSV_TABLES
                                         and not (large and "branch" in spec.dims)):
            continue  # a long vector by branch (prices, ...) reads faster as a table too
        if spec.name == "factor_coefficients" and eco.n <= BRANCHES_CSV_FROM_N:
            continue  # small economies keep them in the factor records
        stored = eco.array(spec.name)
        if not _is_given(spec, stored):
            continue
        key = spec.scenario_key
        name = f"{key}.csv"
        text = _csv_table(spec, key, stored, eco.coords, eco.provenance)
        if spec.name == "final_demand":  # declare empty categories with one zero entry
            labels, _ = _entries(spec, stored, eco.coords)
            seen = {lab[1] for lab in labels}
            extra = [[eco.ids[0], c, 0.0, "", "", False] for c in eco.coords.category
                     if c not in seen]
            if extra:
                text += _csv([], extra).split("\n", 1)[1]
        files[name] = text
        refs[key] = name
    if eco.n > BRANCHES_CSV_FROM_N:  # a long branch list reads faster as a table
        br = eco.branches.reset_index()
        files["branches.csv"] = _csv(["id", "unit", "name", "group", "note"],
                                     br[["branch", "unit", "name", "group", "note"]].values.tolist())
        refs["branches"] = "branches.csv"
    files["scenario.yaml"] = _dump(scenario_dict(scn, tables=refs))
    for name, text in files.items():
        atomic_write(p / name, text)
    return p
