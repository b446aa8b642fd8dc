"""Write an :class:`~autarky.economy.Economy` as a scenario: one YAML file or a folder with CSVs.

Reading a written scenario back gives the same economy (floats are written with ``repr``, which
round-trips exactly). Files are written to a temporary name and moved into place, so a failed
write never leaves a half-written scenario.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
import yaml

from autarky.economy import Economy

_ProvKey = tuple[str, str, str | None]


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _provenance_index(economy: Economy) -> dict[_ProvKey, dict[str, Any]]:
    out: dict[_ProvKey, dict[str, Any]] = {}
    for rec in economy.provenance.to_dict("records"):
        col = rec.get("column")
        col = None if col is None or (isinstance(col, float) and np.isnan(col)) else str(col)
        out[(str(rec["table"]), str(rec["row"]), col)] = {
            "source": str(rec.get("source") or ""), "note": str(rec.get("note") or ""),
            "estimate": bool(rec.get("estimate")) if rec.get("estimate") == rec.get("estimate")
            else False,
        }
    return out


def _value(v: float, prov: dict[str, Any] | None) -> Any:
    num: float | int = float(v)
    if prov is None:
        return num
    out: dict[str, Any] = {"value": num}
    out.update({k: val for k, val in prov.items() if val})
    return out


def _nonzeros(economy: Economy) -> list[tuple[str, str, float]]:
    A = sp.coo_array(economy.A) if economy.is_sparse else None
    ids = economy.ids
    if A is not None:
        order = np.lexsort((A.col, A.row))
        return [(ids[A.row[k]], ids[A.col[k]], float(A.data[k])) for k in order if A.data[k]]
    dense = np.asarray(economy.A)
    rows, cols = np.nonzero(dense)
    return [(ids[i], ids[j], float(dense[i, j])) for i, j in zip(rows, cols, strict=True)]


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([repr(c) if isinstance(c, float) else ("true" if c is True else
                    "false" if c is False else c) for c in r])
    return buf.getvalue()


def _prov_cells(prov: dict[str, Any] | None) -> list[Any]:
    p = prov or {}
    return [p.get("source", ""), p.get("note", ""), bool(p.get("estimate", False))]


def scenario_dict(economy: Economy, *, tables: dict[str, str] | None = None) -> dict[str, Any]:
    """The scenario mapping of ``economy``; keys in ``tables`` refer to CSV files instead."""
    tables = tables or {}
    prov = _provenance_index(economy)
    out: dict[str, Any] = {"name": economy.name}
    if economy.description:
        out["description"] = economy.description
    if economy.source:
        out["source"] = economy.source
    if economy.year is not None:
        out["year"] = int(economy.year)
    out["branches"] = [
        {"id": b, "unit": r["unit"], **({"name": r["name"]} if r["name"] != b else {}),
         "group": r["group"], **({"note": r["note"]} if r["note"] else {})}
        for b, r in economy.branches.iterrows()
    ]
    if "technology" in tables:
        out["technology"] = tables["technology"]
    else:
        tech: dict[str, dict[str, Any]] = {}
        for i, j, v in _nonzeros(economy):
            tech.setdefault(i, {})[j] = _value(v, prov.get(("technology", i, j)))
        out["technology"] = tech
    fd = economy.final_demand
    if "final_demand" in tables:
        out["final_demand"] = tables["final_demand"]
    elif list(fd.columns) == ["total"]:
        out["final_demand"] = {b: _value(v, prov.get(("final_demand", b, "total")))
                               for b, v in fd["total"].items() if v != 0}
    else:
        out["final_demand"] = {c: {b: _value(v, prov.get(("final_demand", b, c)))
                                   for b, v in fd[c].items() if v != 0} for c in fd.columns}
    rep = economy.reported_output
    if rep is not None:
        out["gross_output"] = tables.get("gross_output") or {
            b: _value(v, prov.get(("gross_output", b, None))) for b, v in rep.items()}
    if len(economy.factors):
        F = economy.factor_coefficients
        facs = []
        for f, r in economy.factors.iterrows():
            rec: dict[str, Any] = {"id": f, "unit": r["unit"]}
            if r["name"] != f:
                rec["name"] = r["name"]
            if np.isfinite(r["availability"]):
                rec["availability"] = float(r["availability"])
            rec["coefficients"] = {b: _value(v, prov.get((f"factors.{f}", b, str(f))))
                                   for b, v in F.loc[f].items() if v != 0}
            if r["note"]:
                rec["note"] = r["note"]
            fprov = prov.get(("factors", str(f), "availability"))
            if fprov is not None:
                rec.update({k: v for k, v in fprov.items() if k != "note" and v})
            facs.append(rec)
        out["factors"] = facs
    cap = economy.capacity
    if np.isfinite(cap).any():
        out["capacity"] = tables.get("capacity") or {
            b: _value(v, prov.get(("capacity", b, None))) for b, v in cap.items() if np.isfinite(v)}
    if len(economy.partners):
        out["partners"] = [{"id": p, **({"name": r["name"]} if r["name"] != p else {}),
                            **({"note": r["note"]} if r["note"] else {})}
                           for p, r in economy.partners.iterrows()]
    return out


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def write_scenario(economy: Economy, path: str | Path) -> Path:
    """Write ``economy`` as a scenario and return the path written.

    A path ending in ``.yaml``/``.yml`` gets the one-file form; any other path is a folder that
    receives ``scenario.yaml`` and long-form CSV tables (``technology.csv``, ``final_demand.csv``,
    ``gross_output.csv``, ``capacity.csv``), with provenance columns ``source, note, estimate``.

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
    if p.suffix.lower() in (".yaml", ".yml"):
        _atomic_write(p, _dump(scenario_dict(economy)))
        return p
    prov = _provenance_index(economy)
    header = ["source", "note", "estimate"]
    files: dict[str, str] = {}
    tech_rows = [[i, j, v, *_prov_cells(prov.get(("technology", i, j)))]
                 for i, j, v in _nonzeros(economy)]
    files["technology.csv"] = _csv(["input", "branch", "value", *header], tech_rows)
    fd = economy.final_demand
    fd_rows = [[b, c, float(fd.loc[b, c]), *_prov_cells(prov.get(("final_demand", b, c)))]
               for c in fd.columns for b in fd.index
               if fd.loc[b, c] != 0 or (not fd[c].to_numpy().any() and b == fd.index[0])]
    files["final_demand.csv"] = _csv(["branch", "category", "value", *header], fd_rows)
    tables = {"technology": "technology.csv", "final_demand": "final_demand.csv"}
    rep = economy.reported_output
    if rep is not None:
        files["gross_output.csv"] = _csv(["branch", "value", *header], [
            [b, float(v), *_prov_cells(prov.get(("gross_output", b, None)))]
            for b, v in rep.items()])
        tables["gross_output"] = "gross_output.csv"
    cap = economy.capacity
    if np.isfinite(cap).any():
        files["capacity.csv"] = _csv(["branch", "value", *header], [
            [b, float(v), *_prov_cells(prov.get(("capacity", b, None)))]
            for b, v in cap.items() if np.isfinite(v)])
        tables["capacity"] = "capacity.csv"
    files["scenario.yaml"] = _dump(scenario_dict(economy, tables=tables))
    for name, text in files.items():
        _atomic_write(p / name, text)
    return p
