"""Read and write the scenario format: one YAML file, or a folder with ``scenario.yaml`` and CSVs.

See ``docs/scenario-format.md`` and ``autarky schema`` for the format. Every malformed file is
reported as one :class:`~autarky.errors.ScenarioError` that names the file, the line and the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from autarky.economy import Economy
from autarky.economy.schema import (
    BRANCH_COLUMNS,
    FACTOR_COLUMNS,
    KEYS_BY_NAME,
    PARTNER_COLUMNS,
    PROVENANCE_COLS_ALLOWED,
    Column,
)
from autarky.errors import AutarkyError, NotProductiveError, ScenarioError
from autarky.io.entries import (
    Entry,
    Where,
    check_id,
    csv_entries,
    parse_bool,
    read_csv_rows,
    value_with_provenance,
    yaml_matrix_entries,
    yaml_vector_entries,
    yaml_where,
)
from autarky.io.planning import read_import_shares, read_settings, read_trade
from autarky.io.yamlmap import LineMap, load_yaml

#: Above this many branches a technology read from a file is stored sparse.
SPARSE_FROM_N = 1000


@dataclass
class _Reader:
    """State of one scenario read: the YAML data, its line map and the folder for CSV tables."""

    data: dict[str, Any]
    lines: LineMap
    folder: Path
    ids: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    provenance: list[dict[str, Any]] = field(default_factory=list)

    def where(self, *path: str | int) -> Where:
        return yaml_where(self.lines, path)

    def csv_path(self, key: str) -> Path | None:
        raw = self.data.get(key)
        if isinstance(raw, str):
            if not raw.lower().endswith(".csv"):
                raise self.where(key).error(f"expected a table or the name of a .csv file, got {raw!r}")
            path = self.folder / raw
            if not path.is_file():
                raise self.where(key).error(f"table file not found: {path}")
            return path
        return None

    def keep_provenance(self, table: str, entries: list[Entry]) -> None:
        for e in entries:
            if e.has_provenance:
                self.provenance.append({"table": table, "row": e.row, "column": e.col,
                                        "source": e.source, "note": e.note,
                                        "estimate": e.estimate})

    # -------------------------------------------------------------------- top level
    def check_keys(self) -> None:
        for key in self.data:
            if key not in KEYS_BY_NAME:
                import difflib

                close = difflib.get_close_matches(str(key), list(KEYS_BY_NAME), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise self.where(key).error(f"unknown key {key!r}{hint}")
        for k in KEYS_BY_NAME.values():
            if k.required and k.name not in self.data:
                raise ScenarioError(f"missing required key {k.name!r}", file=self.lines.file,
                                    line=1, field=k.name)
        if "technology" in self.data and "flows" in self.data:
            raise self.where("flows").error("give either technology or flows, not both")
        if "technology" not in self.data and "flows" not in self.data:
            raise ScenarioError("missing 'technology' (or 'flows' with 'gross_output')",
                                file=self.lines.file, line=1, field="technology")
        if "flows" in self.data and "gross_output" not in self.data:
            raise self.where("flows").error("flows need gross_output to derive the technology")
        for key in ("name", "description", "source", "currency"):
            if key in self.data and not isinstance(self.data[key], str):
                raise self.where(key).error("expected text")
        if "year" in self.data and (isinstance(self.data["year"], bool)
                                    or not isinstance(self.data["year"], int)):
            raise self.where("year").error(f"expected a whole year, got {self.data['year']!r}")

    # -------------------------------------------------------------------- records
    def records(self, key: str, columns: tuple[Column, ...]) -> list[tuple[dict[str, Any], Where]]:
        """Records of a list key (or a CSV), each validated against ``columns``."""
        allowed = {c.name for c in columns}
        out: list[tuple[dict[str, Any], Where]] = []
        csv_path = self.csv_path(key)
        if csv_path is not None:
            req = [c.name for c in columns if c.required]
            for row in read_csv_rows(csv_path, req, allowed - set(req)):
                out.append(({k: (v if v != "" else None) for k, v in row.values.items()},
                            row.where(key)))
        else:
            raw = self.data.get(key)
            if raw is None:
                return []
            if not isinstance(raw, list):
                raise self.where(key).error("expected a list of records")
            for i, rec in enumerate(raw):
                if not isinstance(rec, dict):
                    raise self.where(key, i).error("expected a mapping such as {id: ..., unit: ...}")
                for name in rec:
                    if name not in allowed:
                        raise self.where(key, i, name).error(
                            f"unknown field {name!r}; expected {', '.join(sorted(allowed))}")
                out.append((rec, self.where(key, i)))
        seen: dict[str, Where] = {}
        for rec, where in out:
            for c in columns:
                val = rec.get(c.name)
                if c.required and (val is None or (isinstance(val, str) and not val.strip())):
                    raise Where(where.file, where.line, f"{where.field}.{c.name}").error(
                        f"{c.name} missing")
                if c.type == "string" and val is not None and not isinstance(val, str):
                    rec[c.name] = str(val)
            rid = str(rec["id"])
            if rid in seen:
                raise Where(where.file, where.line, f"{where.field}.id").error(
                    f"duplicate id {rid!r} (first at line {seen[rid].line})")
            seen[rid] = where
        return out

    def branches(self) -> pd.DataFrame:
        recs = self.records("branches", BRANCH_COLUMNS)
        if not recs:
            raise self.where("branches").error("at least one branch is needed")
        table = pd.DataFrame([{c.name: r.get(c.name) for c in BRANCH_COLUMNS} for r, _ in recs])
        self.ids = [str(i) for i in table["id"]]
        self.groups = [str(g) if g is not None else "other" for g in table["group"]]
        return table.set_index("id")

    def factors(self) -> tuple[pd.DataFrame, np.ndarray]:
        recs = self.records("factors", FACTOR_COLUMNS)
        rows, F = [], np.zeros((len(recs), len(self.ids)))
        for k, (rec, _where) in enumerate(recs):
            path: tuple[str | int, ...] = ("factors", k)
            avail = np.nan
            if rec.get("availability") is not None:
                avail, *_ = value_with_provenance(
                    rec["availability"], yaml_where(self.lines, (*path, "availability")),
                    self.lines, (*path, "availability"), allow_negative=False,
                    what="availability")
            coef = rec.get("coefficients") or {}
            entries = yaml_vector_entries(coef, self.lines, (*path, "coefficients"), self.ids,
                                          allow_negative=False, what="coefficient",
                                          col=str(rec["id"]))
            for e in entries:
                F[k, self.ids.index(e.row)] = e.value
            self.keep_provenance(f"factors.{rec['id']}", entries)
            if rec.get("source") or rec.get("estimate"):
                est = parse_bool(rec.get("estimate"), yaml_where(self.lines, (*path, "estimate")))
                self.provenance.append({"table": "factors", "row": str(rec["id"]),
                                        "column": "availability",
                                        "source": str(rec.get("source") or ""),
                                        "note": str(rec.get("note") or ""), "estimate": est})
            rows.append({"id": rec["id"], "name": rec.get("name"), "unit": rec["unit"],
                         "availability": avail, "note": rec.get("note") or ""})
        table = pd.DataFrame(rows, columns=["id", "name", "unit", "availability", "note"])
        return table.set_index("id"), F

    def partners(self) -> pd.DataFrame:
        recs = self.records("partners", PARTNER_COLUMNS)
        cols = ["id", "name", "note"]
        table = pd.DataFrame([{c: r.get(c) for c in cols} for r, _ in recs], columns=cols)
        return table.set_index("id")

    # -------------------------------------------------------------------- tables
    def matrix(self, key: str) -> list[Entry]:
        what = "flow" if key == "flows" else "coefficient"
        path = self.csv_path(key)
        if path is not None:
            entries = csv_entries(path, "input", "branch", self.ids, self.ids,
                                  allow_negative=False, what=what)
        else:
            entries = yaml_matrix_entries(self.data[key], self.lines, (key,), self.ids, what=what)
        self._no_duplicates(entries, key)
        self.keep_provenance(key, entries)
        return entries

    def vector(self, key: str, *, allow_negative: bool = False) -> list[Entry] | None:
        if key not in self.data:
            return None
        path = self.csv_path(key)
        if path is not None:
            entries = csv_entries(path, "branch", None, self.ids, None,
                                  allow_negative=allow_negative, what="value")
        else:
            entries = yaml_vector_entries(self.data[key], self.lines, (key,), self.ids,
                                          allow_negative=allow_negative, what="value")
        self._no_duplicates(entries, key)
        self.keep_provenance(key, entries)
        return entries

    def final_demand(self, key: str = "final_demand") -> pd.DataFrame:
        ids = pd.Index(self.ids, name="branch")
        if key not in self.data:
            return pd.DataFrame({"total": np.zeros(len(ids))}, index=ids)
        path = self.csv_path(key)
        by_branch = True
        if path is not None:
            entries = csv_entries(path, "branch", "category", self.ids, None,
                                  allow_negative=True, what="final demand")
        else:
            raw = self.data[key]
            if not isinstance(raw, dict):
                raise self.where(key).error(
                    "expected {branch: value} or {category: {branch: value}}")
            # {branch: number} or {category: {branch: number}}: decided by the values' shape
            by_branch = not any(isinstance(v, dict) and "value" not in v for v in raw.values())
            if by_branch:
                entries = yaml_vector_entries(raw, self.lines, (key,), self.ids,
                                              allow_negative=True, what="final demand",
                                              col="total")
            else:
                entries = []
                for cat, vec in raw.items():
                    if not isinstance(vec, dict) or "value" in vec:
                        check_id(str(cat), self.ids, self.where(key, cat))
                    entries += yaml_vector_entries(vec, self.lines, (key, cat),
                                                   self.ids, allow_negative=True,
                                                   what="final demand", col=str(cat))
        self._no_duplicates(entries, key)
        self.keep_provenance(key, entries)
        declared = ([] if path is not None or by_branch
                    else [str(k) for k in self.data[key]])
        cats = list(dict.fromkeys([*declared, *(str(e.col) for e in entries)])) or ["total"]
        fd = pd.DataFrame(0.0, index=ids, columns=pd.Index(cats, name="category"))
        for e in entries:
            fd.loc[e.row, str(e.col)] = e.value
        return fd

    @staticmethod
    def _no_duplicates(entries: list[Entry], key: str) -> None:
        seen: dict[tuple[str, str | None], Entry] = {}
        for e in entries:
            k = (e.row, e.col)
            if k in seen:
                raise e.where.error(f"duplicate entry for {e.row}"
                                    + (f"/{e.col}" if e.col else "")
                                    + f" in {key} (first at line {seen[k].where.line})")
            seen[k] = e

    def build_matrix(self, entries: list[Entry]) -> np.ndarray | sp.csr_array:
        n = len(self.ids)
        pos = {b: i for i, b in enumerate(self.ids)}
        rows = np.fromiter((pos[e.row] for e in entries), dtype=np.int64, count=len(entries))
        cols = np.fromiter((pos[str(e.col)] for e in entries), dtype=np.int64, count=len(entries))
        vals = np.fromiter((e.value for e in entries), dtype=float, count=len(entries))
        if n > SPARSE_FROM_N:
            return sp.csr_array((vals, (rows, cols)), shape=(n, n))
        M = np.zeros((n, n))
        M[rows, cols] = vals
        return M

    def to_vector(self, entries: list[Entry] | None, fill: float) -> np.ndarray | None:
        if entries is None:
            return None
        v = np.full(len(self.ids), fill)
        for e in entries:
            v[self.ids.index(e.row)] = e.value
        return v


def read_scenario(path: str | Path) -> Economy:
    """Read a scenario (a YAML file, or a folder holding ``scenario.yaml``) into an Economy.

    Raises
    ------
    ScenarioError
        For any malformed file, naming the file, line and field.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "s.yaml").write_text('''
    ... name: Two-branch textbook economy
    ... branches:
    ...   - {id: agriculture, unit: "USD million"}
    ...   - {id: manufacturing, unit: "USD million"}
    ... technology:
    ...   agriculture:   {agriculture: 0.15, manufacturing: 0.25}
    ...   manufacturing: {agriculture: 0.20, manufacturing: 0.05}
    ... final_demand: {agriculture: 600, manufacturing: 1500}
    ... ''')
    >>> read_scenario(d / "s.yaml")
    <Economy 'Two-branch textbook economy': 2 branches (dense), 0 factors, 0 partners>
    """
    p = Path(path)
    if p.is_dir():
        p = p / "scenario.yaml"
    if not p.exists():
        raise ScenarioError("scenario not found (a .yaml file, or a folder with scenario.yaml)",
                            file=str(p))
    data, lines = load_yaml(p)
    if not isinstance(data, dict):
        raise ScenarioError("a scenario is a YAML mapping with keys name, branches, technology, "
                            "final_demand, ...", file=str(p), line=1)
    r = _Reader(data, lines, p.parent)
    r.check_keys()
    branches = r.branches()
    key = "technology" if "technology" in data else "flows"
    matrix = r.build_matrix(r.matrix(key))
    gross = r.to_vector(r.vector("gross_output"), 0.0)
    fd = r.final_demand()
    r.categories = [str(c) for c in fd.columns]
    factors, F = r.factors()
    cap = r.to_vector(r.vector("capacity"), np.inf)
    partners = r.partners()
    money, trade = read_trade(r, r.records("partners", PARTNER_COLUMNS))
    if len(partners):
        partners = partners.join(money)
    target = r.final_demand("target") if "target" in data else None
    prices = r.to_vector(r.vector("prices"), np.nan)
    capital = r.build_matrix(r.matrix("capital")) if "capital" in data else None
    settings = read_settings(r, target, list(factors.index))
    shares = read_import_shares(r, list(partners.index))
    value_added = r.to_vector(r.vector("value_added", allow_negative=True), np.nan)
    revenue = None
    if "state_revenue" in data:
        revenue, src, note, est = value_with_provenance(
            data["state_revenue"], r.where("state_revenue"), r.lines, ("state_revenue",),
            allow_negative=False, what="state revenue")
        if src or note or est:
            r.provenance.append({"table": "state_revenue", "row": "state_revenue", "column": None,
                                 "source": src, "note": note, "estimate": est})
    init_cap = r.to_vector(r.vector("initial_capacity"), np.nan)
    if init_cap is not None:
        settings = replace(settings, initial_capacity=init_cap)
    kwargs: dict[str, Any] = {
        "name": data["name"], "description": data.get("description", ""),
        "source": data.get("source", ""), "year": data.get("year"), "factors": factors,
        "factor_coefficients": F, "capacity": cap, "partners": partners,
        "reported_output": gross,
        "provenance": pd.DataFrame(r.provenance, columns=["table", "row", "column",
                                                          *PROVENANCE_COLS_ALLOWED]),
        "prices": prices, "currency": data.get("currency", "currency unit"),
        "capital": capital, "trade": trade, "settings": settings,
        "import_shares": shares, "value_added": value_added, "state_revenue": revenue,
    }
    try:
        if key == "flows":
            assert gross is not None
            Z = sp.csr_array(matrix).toarray() if sp.issparse(matrix) else matrix
            bad = np.flatnonzero((gross == 0) & (np.asarray(Z).sum(axis=0) > 0))
            if bad.size:
                raise r.where("gross_output").error(
                    f"branch {r.ids[bad[0]]!r} uses inputs but has zero gross output")
            with np.errstate(divide="ignore", invalid="ignore"):
                scale = np.where(gross > 0, 1.0 / gross, 0.0)
            A = (sp.csr_array(matrix @ sp.diags_array(scale)) if sp.issparse(matrix)
                 else matrix * scale[np.newaxis, :])
            if "final_demand" not in data:  # resources = uses: y = x - Z 1
                fd = pd.DataFrame({"total": gross - np.asarray(Z).sum(axis=1)}, index=fd.index)
        else:
            A = matrix
        if "imports" in data:
            if "import_shares" in data:
                raise r.where("imports").error("give either import_shares or imports, not both")
            kwargs["import_shares"] = shares_from_flows(r, A, gross, fd, list(partners.index))
        return Economy(branches, A, fd, **kwargs)
    except NotProductiveError as exc:
        raise r.where(key).error(str(exc)) from None
    except ScenarioError:
        raise
    except AutarkyError as exc:
        raise ScenarioError(str(exc), file=str(p)) from None


def shares_from_flows(r: _Reader, A: Any, gross: np.ndarray | None, fd: pd.DataFrame,
                      partners: list[str]) -> pd.DataFrame:
    """Import shares from imports given as flows: ``m_p,i / (A x + y_domestic)_i``."""
    if gross is None:
        raise r.where("imports").error("imports given as flows need gross_output to compute "
                                       "each product's domestic use")
    raw = r.data["imports"]
    if not isinstance(raw, dict):
        raise r.where("imports").error("expected {partner: {branch: quantity}}")
    dom_final = fd.to_numpy().sum(axis=1) - (fd["exports"].to_numpy() if "exports" in fd.columns
                                             else 0.0)
    use = np.asarray(A @ gross).ravel() + dom_final
    table = pd.DataFrame(0.0, index=pd.Index(partners, name="partner"),
                         columns=pd.Index(r.ids, name="branch"))
    for p, row in raw.items():
        check_id(str(p), partners, r.where("imports", p), kind="partner")
        for e in yaml_vector_entries(row, r.lines, ("imports", p), r.ids, allow_negative=False,
                                     what="import"):
            i = r.ids.index(e.row)
            if use[i] <= 0:
                raise e.where.error(f"{e.row} has no domestic use to import into")
            share = e.value / use[i]
            if share > 1 + 1e-12:
                raise e.where.error(f"imports of {e.value:g} exceed the domestic use of "
                                    f"{e.row} ({use[i]:g})")
            table.loc[str(p), e.row] = share
    over = [b for b, v in table.sum(axis=0).items() if v > 1 + 1e-12]
    if over:
        raise r.where("imports").error(f"imports of {', '.join(over)} exceed their domestic use")
    return table
