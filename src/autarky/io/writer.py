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


def atomic_write(path: str | Path, text: str) -> Path:
    """Write ``text`` to a temporary file beside ``path`` and move it into place (mode 0644), so
    a failed write never leaves a half-written file; return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        return path
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
        out["partners"] = [_partner_record(economy, str(p), r) for p, r in economy.partners.iterrows()]
    out.update(_planning_keys(economy, prov, tables))
    return out


def _partner_record(economy: Economy, pid: str, r: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {"id": pid}
    if r["name"] != pid:
        rec["name"] = r["name"]
    if r["note"]:
        rec["note"] = r["note"]
    for key in ("aid", "credit"):
        if float(r[key]):
            rec[key] = float(r[key])
    trade = economy.trade
    for direction, key in (("import", "imports"), ("export", "exports")):
        sub = trade[(trade["partner"] == pid) & (trade["direction"] == direction)]
        if len(sub):
            rec[key] = {str(o["branch"]): {"price": float(o["price"]),
                                           **({"max": float(o["max"])} if np.isfinite(o["max"])
                                              else {})}
                        for _, o in sub.iterrows()}
    return rec


def _per_branch(values: np.ndarray | None, ids: list[str], default: float, cast: Any = float
                ) -> Any:
    if values is None:
        return None
    vals = [cast(v) for v in values]
    if all(v == vals[0] for v in vals):
        return vals[0]
    return {b: v for b, v in zip(ids, vals, strict=True) if v != default}


def _planning_keys(economy: Economy, prov: dict[_ProvKey, dict[str, Any]],
                   tables: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    ids = economy.ids
    if economy.currency != "currency unit":
        out["currency"] = economy.currency
    prices = economy.prices
    if prices.notna().any():
        out["prices"] = tables.get("prices") or {
            b: _value(v, prov.get(("prices", b, None))) for b, v in prices.items() if not np.isnan(v)}
    shares = economy.import_shares
    if shares.to_numpy().any():
        out["import_shares"] = tables.get("import_shares") or {
            str(p): {str(b): _value(v, prov.get(("import_shares", str(p), str(b))))
                     for b, v in row.items() if v != 0}
            for p, row in shares.iterrows() if row.any()}
    va = economy.value_added
    if va.notna().any():
        out["value_added"] = {b: float(v) for b, v in va.items() if not np.isnan(v)}
    if economy.state_revenue is not None:
        out["state_revenue"] = _value(economy.state_revenue,
                                      prov.get(("state_revenue", "state_revenue", None)))
    st = economy.settings
    if st.target is not None:
        t = st.target
        out["target"] = ({b: float(v) for b, v in t["total"].items() if v != 0}
                         if list(t.columns) == ["total"] else
                         {c: {b: float(v) for b, v in t[c].items() if v != 0} for c in t.columns})
    if st.objective != "max-min" or st.weights is not None:
        out["objective"] = (st.objective if st.weights is None else
                            {"type": st.objective,
                             "weights": {b: float(v) for b, v in st.weights.items()}})
    if st.horizon is not None:
        out["horizon"] = {"first": st.horizon[0], "last": st.horizon[1]}
    cap = economy.capital
    if cap is not None:
        if "capital" in tables:
            out["capital"] = tables["capital"]
        else:
            out["capital"] = {i: {j: _value(v, prov.get(("capital", i, j))) for j, v in row.items()
                                  if v != 0} for i, row in cap.iterrows() if (row != 0).any()}
    dep = _per_branch(st.depreciation, ids, 0.0)
    if dep is not None:
        out["depreciation"] = dep
    gest = _per_branch(st.gestation, ids, 1, int)
    if gest is not None:
        out["gestation"] = gest
    if st.initial_capacity is not None:
        out["initial_capacity"] = tables.get("initial_capacity") or {
            b: float(v) for b, v in zip(ids, st.initial_capacity, strict=True) if not np.isnan(v)}
    if st.factor_growth:
        out["factor_growth"] = dict(st.factor_growth)
    if st.factor_availability:
        out["factor_availability"] = {f: {int(y): float(v) for y, v in row.items()}
                                      for f, row in st.factor_availability.items()}
    if st.consumption_basket is not None or st.consumption_floor:
        basket = st.consumption_basket
        out["consumption"] = {
            "basket": basket if isinstance(basket, str) or basket is None else
            {b: float(v) for b, v in basket.items() if v != 0},
            "floor": (st.consumption_floor if not isinstance(st.consumption_floor, dict)
                      else {int(y): float(v) for y, v in st.consumption_floor.items()})}
        if out["consumption"]["basket"] is None:
            del out["consumption"]["basket"]
    if st.exogenous is not None:
        out["exogenous"] = list(st.exogenous)
    if tuple(st.industry_groups) != ("energy", "heavy", "light"):
        out["industry_groups"] = list(st.industry_groups)
    targets: dict[str, Any] = {}
    if st.industrial_growth is not None:
        targets["industrial_growth"] = st.industrial_growth
    if st.output_targets:
        targets["output"] = {int(y): dict(t) for y, t in st.output_targets.items()}
    if targets:
        out["plan_targets"] = targets
    if st.discount:
        out["discount"] = st.discount
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
        atomic_write(p, _dump(scenario_dict(economy)))
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
    shares = economy.import_shares
    if shares.to_numpy().any():
        files["imports.csv"] = _csv(["partner", "branch", "share", *header], [
            [str(p), str(b), float(v), *_prov_cells(prov.get(("import_shares", str(p), str(b))))]
            for p, row in shares.iterrows() for b, v in row.items() if v != 0])
        tables["import_shares"] = "imports.csv"
    capital = economy.capital
    if capital is not None:
        rows = [[i, j, float(v), *_prov_cells(prov.get(("capital", i, j)))]
                for i, row in capital.iterrows() for j, v in row.items() if v != 0]
        files["capital.csv"] = _csv(["input", "branch", "value", *header], rows)
        tables["capital"] = "capital.csv"
    cap = economy.capacity
    if np.isfinite(cap).any():
        files["capacity.csv"] = _csv(["branch", "value", *header], [
            [b, float(v), *_prov_cells(prov.get(("capacity", b, None)))]
            for b, v in cap.items() if np.isfinite(v)])
        tables["capacity"] = "capacity.csv"
    files["scenario.yaml"] = _dump(scenario_dict(economy, tables=tables))
    for name, text in files.items():
        atomic_write(p / name, text)
    return p
