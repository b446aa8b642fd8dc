"""Read the scenario format: one YAML file, or a folder with ``scenario.yaml`` and CSV tables.

See ``docs/scenario-format.md`` and ``autarky schema`` for the format. Every table key is read
generically from the table registry (a YAML mapping nested by the table's dimensions, or a long
CSV table). Every malformed file is reported as one :class:`~autarky.errors.ScenarioError` that
names the file, the line and the field.

Old keys keep working and are read into today's model; where their meaning was ambiguous the
scenario carries a note (``scenario.notes``) saying how to write them now:

* a final-demand category ``exports`` (or ``export``) becomes the table ``exports``, by
  destination; without a destination the exports go to a partner ``unallocated``;
* partner ``imports``/``exports`` offers become ``import_prices``/``import_limits`` and
  ``export_prices``/``export_limits``: one channel per partner and product, whose limit caps what
  the import shares give instead of adding to it.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from autarky.checks import quoted
from autarky.economy import Economy, Scenario
from autarky.economy.inputs import EXPORT_CATEGORY_NAMES
from autarky.economy.registry import TABLES, TableSpec, economy_tables
from autarky.economy.schema import (
    BRANCH_COLUMNS,
    FACTOR_COLUMNS,
    KEYS_BY_NAME,
    PARTNER_COLUMNS,
    PROVENANCE_COLUMNS,
    UNCERTAINTY_COLS,
    Column,
)
from autarky.errors import AutarkyError, BadTypeError, NotProductiveError, ScenarioError
from autarky.io.entries import (
    Where,
    parse_bool,
    read_csv_rows,
    unknown_id,
    value_with_provenance,
    yaml_vector_entries,
    yaml_where,
)
from autarky.io.planning import read_settings
from autarky.io.tables import TableRead, read_csv_table, read_yaml_table
from autarky.io.yamlmap import LineMap, load_yaml

#: Above this many branches a technology read from a file is stored sparse.
SPARSE_FROM_N = 1000
#: The partner that receives exports written without a destination (old format).
UNALLOCATED = "unallocated"


@dataclass
class _Reader:
    """State of one scenario read: the YAML data, its line map and the folder for CSV tables."""

    data: dict[str, Any]
    lines: LineMap
    folder: Path
    allow_outside: bool = False
    ids: pd.Index = field(default_factory=lambda: pd.Index([], dtype=object))
    groups: list[str] = field(default_factory=list)
    factor_ids: pd.Index = field(default_factory=lambda: pd.Index([], dtype=object))
    partner_ids: pd.Index = field(default_factory=lambda: pd.Index([], dtype=object))
    categories: pd.Index = field(default_factory=lambda: pd.Index([], dtype=object))
    provenance: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def where(self, *path: str | int) -> Where:
        return yaml_where(self.lines, path)

    def csv_path(self, key: str, raw: Any = None) -> Path | None:
        raw = self.data.get(key) if raw is None else raw
        if isinstance(raw, str):
            if not raw.lower().endswith(".csv"):
                raise self.where(key).error(f"expected a table or the name of a .csv file, "
                                            f"got {quoted(raw, width=200)}")
            shown = raw if len(raw) <= 160 else raw[:80] + "..." + raw[-77:]  # the suffix shows
            if "\0" in raw or len(raw) > 1000:
                raise self.where(key).error(f"{shown!r} cannot be a file name (a NUL character "
                                            "or over 1000 characters)")
            path = self.folder / raw
            if not self.allow_outside and not _inside(path, self.folder):
                raise self.where(key).error(
                    f"table file {shown!r} is outside the scenario's folder {self.folder}; copy it "
                    "beside the scenario (a scenario folder is self-contained), or pass "
                    "--allow-outside (allow_outside=True) if you trust this scenario")
            try:
                found = path.is_file()
            except OSError as exc:  # a name too long for the file system
                raise self.where(key).error(f"table file {shown!r} cannot be read: "
                                            f"{exc.strerror or exc}") from None
            if not found:
                raise self.where(key).error(f"table file not found: {path}")
            return path
        return None

    def known(self) -> dict[str, pd.Index | None]:
        return {"branch": self.ids, "input": self.ids, "partner": self.partner_ids,
                "factor": self.factor_ids,
                "category": self.categories if len(self.categories) else None, "year": None}

    # -------------------------------------------------------------------- top level
    def check_keys(self) -> None:
        for key in self.data:
            if key not in KEYS_BY_NAME:
                close = difflib.get_close_matches(str(key), list(KEYS_BY_NAME), n=1)
                hint = f"; did you mean {quoted(close[0])}?" if close else ""
                raise self.where(key).error(f"unknown key {quoted(key)}{hint}")
        for k in KEYS_BY_NAME.values():
            if k.required and k.name not in self.data:
                raise ScenarioError(f"missing required key {quoted(k.name)}", file=self.lines.file,
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
            raise self.where("year").error(f"expected a whole year, got {quoted(self.data['year'])}")

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
                            f"unknown field {quoted(name)}; expected {', '.join(sorted(allowed))}")
                out.append((dict(rec), self.where(key, i)))
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
                    f"duplicate id {quoted(rid)} (first at line {seen[rid].line})")
            seen[rid] = where
        return out

    def branches(self) -> pd.DataFrame:
        path = self.csv_path("branches")
        if path is not None:
            return self._branches_csv(path)
        recs = self.records("branches", BRANCH_COLUMNS)
        if not recs:
            raise self.where("branches").error("at least one branch is needed")
        table = pd.DataFrame([{c.name: r.get(c.name) for c in BRANCH_COLUMNS} for r, _ in recs])
        self.ids = pd.Index([str(i) for i in table["id"]], dtype=object)
        self.groups = [str(g) if g is not None else "other" for g in table["group"]]
        return table.set_index("id")

    def _branches_csv(self, path: Path) -> pd.DataFrame:
        """The branch table from a CSV file, vectorised (a product list of 10^5 rows)."""
        from autarky.io.tables import csv_line_of

        file = str(path)
        cols = [c.name for c in BRANCH_COLUMNS]
        try:
            df = _text_frame(path)
        except pd.errors.EmptyDataError:
            raise ScenarioError("empty table: a header line is needed", file=file,
                                line=1) from None
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError):
            list(read_csv_rows(path, ["id", "unit"], cols[2:]))  # the exact structural error
            raise ScenarioError("cannot parse the table", file=file) from None
        df.columns = [str(c).strip() for c in df.columns]
        for c in df.columns:
            if c not in cols:
                raise ScenarioError(f"unknown column {quoted(c)}; expected {', '.join(sorted(cols))}",
                                    file=file, line=1, field=c)
        for c in ("id", "unit"):
            if c not in df.columns:
                raise ScenarioError(f"missing column {quoted(c)} (header: {', '.join(df.columns)})",
                                    file=file, line=1, field=c)
        df = df.apply(lambda c: c.str.strip())
        df = df[~(df == "").all(axis=1).to_numpy()].reset_index(drop=True)
        if not len(df):
            raise self.where("branches").error("at least one branch is needed")
        for c in ("id", "unit"):
            empty = np.flatnonzero((df[c] == "").to_numpy())
            if empty.size:
                list(read_csv_rows(path, ["id", "unit"], cols[2:]))  # a short row?
                raise ScenarioError(f"{c} missing", file=file,
                                    line=csv_line_of(path, int(empty[0])), field=c)
        dup = np.flatnonzero(pd.Index(df["id"]).duplicated())
        if dup.size:
            k = int(dup[0])
            first = int(np.flatnonzero((df["id"] == df["id"].iloc[k]).to_numpy())[0])
            raise ScenarioError(f"duplicate id {quoted(df['id'].iloc[k])} (first at line "
                                f"{csv_line_of(path, first)})", file=file,
                                line=csv_line_of(path, k), field="id")
        for c in cols:
            if c not in df.columns:
                df[c] = None
        df = df[cols].astype(object)
        df = df.where(df != "", None)
        self.ids = pd.Index(df["id"].to_numpy(dtype=object), dtype=object)
        self.groups = df["group"].fillna("other").tolist()
        return df.set_index("id")

    def factors(self) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        recs = self.records("factors", FACTOR_COLUMNS)
        rows, F = [], np.zeros((len(recs), len(self.ids)))
        avail = np.full(len(recs), np.inf)
        for k, (rec, _where) in enumerate(recs):
            path: tuple[str | int, ...] = ("factors", k)
            spread: dict[str, Any] = {}
            if rec.get("availability") is not None:
                avail[k], spread = value_with_provenance(
                    rec["availability"], yaml_where(self.lines, (*path, "availability")),
                    self.lines, (*path, "availability"), allow_negative=False,
                    what="availability")
                spread = {k: v for k, v in spread.items() if k in UNCERTAINTY_COLS}
            coef = rec.get("coefficients") or {}
            entries = yaml_vector_entries(coef, self.lines, (*path, "coefficients"), self.ids,
                                          allow_negative=False, what="coefficient",
                                          col=str(rec["id"]))
            if entries:
                F[k, self.ids.get_indexer([e.row for e in entries])] = [e.value for e in entries]
            for e in entries:
                if e.provenance:
                    self.provenance.append({"table": f"factors.{rec['id']}", "row": e.row,
                                            "column": e.col, **e.provenance})
            if rec.get("source") or rec.get("estimate") or spread:
                est = parse_bool(rec.get("estimate"), yaml_where(self.lines, (*path, "estimate")))
                self.provenance.append({"table": "factors", "row": str(rec["id"]),
                                        "column": "availability",
                                        "source": str(rec.get("source") or ""),
                                        "note": str(rec.get("note") or ""), "estimate": est,
                                        **spread})
            rows.append({"id": rec["id"], "name": rec.get("name"), "unit": rec["unit"],
                         "note": rec.get("note") or ""})
        table = pd.DataFrame(rows, columns=["id", "name", "unit", "note"]).set_index("id")
        self.factor_ids = pd.Index([str(i) for i in table.index], dtype=object)
        return table, F, avail

    def partners(self) -> tuple[pd.DataFrame, dict[str, np.ndarray], list[tuple[str, str]]]:
        """Partner records, their aid and credit, and the old offers read into price and limit
        tables (with the (partner, branch) pairs they name)."""
        recs = self.records("partners", PARTNER_COLUMNS)
        cols = ["id", "name", "note"]
        table = pd.DataFrame([{c: r.get(c) for c in cols} for r, _ in recs], columns=cols)
        self.partner_ids = pd.Index([str(i) for i in table["id"]], dtype=object)
        P, n = len(recs), len(self.ids)
        out = {"aid": np.zeros(P), "credit": np.zeros(P),
               "import_prices": np.full((P, n), np.nan), "import_limits": np.full((P, n), np.inf),
               "export_prices": np.full((P, n), np.nan), "export_limits": np.full((P, n), np.inf)}
        offered: list[tuple[str, str]] = []
        for k, (rec, _where) in enumerate(recs):
            path: tuple[str | int, ...] = ("partners", k)
            for key in ("aid", "credit"):
                if rec.get(key) is not None:
                    out[key][k], *_ = value_with_provenance(
                        rec[key], self.where(*path, key), self.lines, (*path, key),
                        allow_negative=False, what=key, uncertain=False)
            for kind, key in (("import", "imports"), ("export", "exports")):
                raw = rec.get(key)
                if raw is None:
                    continue
                if not isinstance(raw, dict):
                    raise self.where(*path, key).error("expected {branch: {price: ..., max: ...}}")
                for branch, offer in raw.items():
                    opath = (*path, key, branch)
                    i = self.ids.get_indexer([str(branch)])[0]
                    if i < 0:
                        raise unknown_id(str(branch), self.ids, self.where(*opath))
                    if not isinstance(offer, dict) or "price" not in offer:
                        raise self.where(*opath).error("expected {price: ..., max: ...}")
                    unknown = set(offer) - {"price", "max", "note", "source"}
                    if unknown:
                        raise self.where(*opath, sorted(unknown)[0]).error(
                            f"unknown field {quoted(sorted(unknown)[0])}; an offer takes price, max")
                    if offer.get("note") or offer.get("source"):
                        for tname in (f"{kind}_prices", f"{kind}_limits"):
                            if tname.endswith("limits") and offer.get("max") is None:
                                continue
                            self.provenance.append({
                                "table": tname, "row": str(rec["id"]), "column": str(branch),
                                "source": str(offer.get("source") or ""),
                                "note": str(offer.get("note") or ""), "estimate": False})
                    out[f"{kind}_prices"][k, i], *_ = value_with_provenance(
                        offer["price"], self.where(*opath, "price"), self.lines,
                        (*opath, "price"), allow_negative=False, what="price", uncertain=False)
                    if offer.get("max") is not None:
                        out[f"{kind}_limits"][k, i], *_ = value_with_provenance(
                            offer["max"], self.where(*opath, "max"), self.lines,
                            (*opath, "max"), allow_negative=False, what="quantity", uncertain=False)
                    offered.append((kind, f"{rec['id']}/{branch}"))
        return table.set_index("id"), out, offered

    # -------------------------------------------------------------------- tables
    def read_table(self, key: str, spec: TableSpec, *, what: str | None = None,
                   value_column: str | None = None) -> TableRead | None:
        """A registry table from its key (YAML nested mapping or CSV), ``None`` if absent."""
        if key not in self.data:
            return None
        raw = self.data[key]
        path = self.csv_path(key)
        if path is not None:
            t = read_csv_table(path, spec, self.known(), what=what, value_column=value_column)
        else:
            if spec.scalar_ok and not isinstance(raw, dict):
                v, _ = value_with_provenance(
                    raw, self.where(key), self.lines, (key,), allow_negative=spec.lower is None,
                    what=what or spec.noun, uncertain=False)
                from autarky.io.tables import _check_value

                _check_value(v, raw, self.where(key), spec, what or spec.noun)
                n = len(self.ids)
                return TableRead((np.arange(n),), np.full(n, v))
            if not spec.dims:
                v, extra = value_with_provenance(
                    raw, self.where(key), self.lines, (key,), allow_negative=False,
                    what=what or spec.noun)
                if extra:
                    self.provenance.append({"table": spec.name, "row": spec.name,
                                            "column": None, **extra})
                return TableRead((), np.array(v))
            t = read_yaml_table(raw, self.lines, (key,), spec, self.known(), what=what)
        for row in t.provenance:
            row["table"] = key
        self.provenance += t.provenance
        return t

    def matrix(self, key: str, t: TableRead) -> np.ndarray | sp.csr_array:
        n = len(self.ids)
        if n > SPARSE_FROM_N:
            return sp.csr_array((t.values, t.positions), shape=(n, n))
        return t.dense((n, n), 0.0)

    def final_demand(self) -> tuple[pd.DataFrame, np.ndarray | None]:
        """Home final use by category, and exports read from an old ``exports`` category."""
        ids = pd.Index(self.ids, name="branch")
        spec = TABLES["final_demand"]
        if "final_demand" not in self.data:
            return pd.DataFrame({"total": np.zeros(len(ids))}, index=ids), None
        raw = self.data["final_demand"]
        declared: list[str] = []
        t: TableRead | None = None
        if self.csv_path("final_demand") is None:
            if not isinstance(raw, dict):
                raise self.where("final_demand").error(
                    "expected {branch: value} or {category: {branch: value}}")
            # {branch: number} or {category: {branch: number}}: decided by the values' shape
            by_branch = not any(isinstance(v, dict) and "value" not in v for v in raw.values())
            if by_branch:  # one category, 'total'
                sub = replace(spec, dims=("branch",), yaml_order=None)
                t1 = read_yaml_table(raw, self.lines, ("final_demand",), sub, self.known())
                for row in t1.provenance:
                    row["column"] = "total"
                self.provenance += t1.provenance
                t = TableRead((t1.positions[0], np.zeros(len(t1.values), dtype=np.int64)),
                              t1.values, {"category": ["total"]})
            else:
                for cat, vec in raw.items():
                    if not isinstance(vec, dict) or "value" in vec:
                        i = self.ids.get_indexer([str(cat)])[0]
                        raise (unknown_id(str(cat), self.ids, self.where("final_demand", cat))
                               if i < 0 else self.where("final_demand", cat).error(
                                   "mixes {branch: value} and {category: {branch: value}}"))
                declared = [str(k) for k in raw]
        if t is None:
            t = self.read_table("final_demand", spec)
        assert t is not None
        found = t.labels.get("category", [])
        cats = list(dict.fromkeys([*declared, *found])) or ["total"]
        # positions index into ``found``; map them to ``cats``
        pos_c = pd.Index(cats).get_indexer(pd.Index(found))[t.positions[1]] if found else \
            np.zeros(0, dtype=np.int64)
        fd = np.zeros((len(ids), len(cats)))
        if t.values.size:
            fd[t.positions[0], pos_c] = t.values
        frame = pd.DataFrame(fd, index=ids, columns=pd.Index(cats, name="category"))
        old = [c for c in cats if c.lower() in EXPORT_CATEGORY_NAMES]
        exports = None
        if old:
            if "exports" in self.data:
                raise self.where("exports").error(
                    f"exports are given twice: as the table 'exports' and as the final-demand "
                    f"category {quoted(old[0])}; keep the table (by destination)")
            exports = frame[old].sum(axis=1).to_numpy()
            if np.any(exports < 0):
                raise self.where("final_demand").error("exports must be non-negative")
            frame = frame.drop(columns=old)
            if frame.shape[1] == 0:
                frame["total"] = 0.0
            self.notes.append(
                f"final_demand: the category {quoted(old[0])} is read as exports (the table "
                f"'exports') to a partner {quoted(UNALLOCATED)}, since it names no destination; they "
                "earn no foreign exchange (export price 0), as the old format counted them as "
                "final demand; write 'exports: {partner: {branch: quantity}}' to say where they "
                "go, and export_prices for what they earn")
        self.categories = pd.Index(list(frame.columns), dtype=object)
        return frame, exports


def _text_frame(path: Path) -> pd.DataFrame:
    """A CSV file as text cells: read with pandas' type inference (fast, in parallel), and again
    with every column as text where some column did not read as text throughout."""
    import warnings

    kw: dict[str, Any] = {"keep_default_na": False, "na_filter": False, "encoding": "utf-8-sig"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # mixed chunks (DtypeWarning): read again as text
        df = pd.read_csv(path, **kw)
    if all(isinstance(df[c].dtype, pd.StringDtype) and not df[c].isna().any()
           for c in df.columns):
        return df
    return pd.read_csv(path, dtype=str, **kw)


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path``, with every symbolic link and ``..`` resolved, lies in ``folder``."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError, ValueError):  # a symbolic-link loop, a name too long
        return False


def read_scenario(path: str | Path, *, allow_outside: bool = False) -> Scenario:
    """Read a scenario (a YAML file, or a folder holding ``scenario.yaml``).

    Table files named in the scenario (``technology: technology.csv``) are read from its folder;
    a name that leads outside it (``../other/technology.csv``, an absolute path, a symbolic link
    out of the folder) is refused unless ``allow_outside``, so that a scenario file received
    from someone else cannot make autarky read other files.

    Returns a :class:`~autarky.economy.Scenario`: the economy and its plan settings (it reads as
    the economy for every table).

    Raises
    ------
    ScenarioError
        For any malformed file, naming the file, line and field; for a table outside the
        scenario's folder.

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
    <Scenario 'Two-branch textbook economy': 2 branches, 0 factors, 0 partners>
    """
    if not isinstance(path, str | os.PathLike):
        raise BadTypeError(f"read_scenario needs a path (str or pathlib.Path), got "
                           f"{type(path).__name__}")
    p = Path(path)
    if p.is_dir():
        p = p / "scenario.yaml"
    if not p.exists():
        raise ScenarioError("scenario not found (a .yaml file, or a folder with scenario.yaml)",
                            file=str(p))
    if p.suffix.lower() not in (".yaml", ".yml"):  # not read: its content is never echoed
        raise ScenarioError("not a scenario file: a scenario is a .yaml (or .yml) file, or a "
                            "folder with scenario.yaml", file=str(p))
    data, lines = load_yaml(p)
    if not isinstance(data, dict):
        raise ScenarioError("a scenario is a YAML mapping with keys name, branches, technology, "
                            "final_demand, ...", file=str(p), line=1)
    r = _Reader(data, lines, p.parent, allow_outside=allow_outside)
    r.check_keys()
    branches = r.branches()
    factors, F, avail = r.factors()
    partners, money, offered = r.partners()
    key = "technology" if "technology" in data else "flows"
    flows_spec = TableSpec("flows", ("input", "branch"), "unit[input]", "", noun="flow")
    tech = r.read_table(key, TABLES["technology"] if key == "technology" else flows_spec)
    assert tech is not None
    matrix = r.matrix(key, tech)
    gross_t = r.read_table("gross_output", TABLES["reported_output"])
    gross = None if gross_t is None else gross_t.dense((len(r.ids),), 0.0)
    fd, old_exports = r.final_demand()
    tables: dict[str, Any] = {"factor_coefficients": F, "factor_availability": avail, **money}
    if old_exports is not None and np.any(old_exports > 0):
        partners = pd.concat([partners, pd.DataFrame(
            {"name": ["Destination not given"],
             "note": ["Exports of the old final-demand category 'exports'."]},
            index=pd.Index([UNALLOCATED], name="id"))]) if UNALLOCATED not in partners.index \
            else partners
        r.partner_ids = pd.Index([str(i) for i in partners.index], dtype=object)
        P = len(partners)
        for name in ("aid", "credit"):
            tables[name] = np.concatenate([money[name], np.zeros(P - len(money[name]))])
        for name, fill in (("import_prices", np.nan), ("export_prices", np.nan),
                           ("import_limits", np.inf), ("export_limits", np.inf)):
            extra = np.full((P - money[name].shape[0], len(r.ids)), fill)
            tables[name] = np.vstack([money[name], extra])
        E = np.zeros((P, len(r.ids)))
        u = list(partners.index).index(UNALLOCATED)
        E[u] = old_exports
        tables["exports"] = E
        tables["export_prices"][u] = np.where(old_exports > 0, 0.0, np.nan)
    for spec in economy_tables():
        key_of = spec.scenario_key
        if key_of is None or spec.name in ("technology", "final_demand", "reported_output"):
            continue
        if spec.name == "factor_coefficients" and key_of in data and np.any(F):
            raise r.where(key_of).error("factor coefficients are given twice: under "
                                        "factors[].coefficients and as factor_coefficients")
        t = r.read_table(key_of, spec)
        if t is None:
            continue
        known = r.known()
        shape = tuple(0 if known[d] is None else len(known[d]) for d in spec.dims)  # type: ignore[arg-type]
        if spec.sparse and len(spec.dims) == 2:
            tables[spec.name] = r.matrix(key_of, t)
        elif spec.sparse and len(spec.dims) == 3:
            n = len(r.ids)
            tables[spec.name] = tuple(
                sp.csr_array((t.values[t.positions[0] == p],
                              (t.positions[1][t.positions[0] == p],
                               t.positions[2][t.positions[0] == p])), shape=(n, n))
                for p in range(len(r.partner_ids)))
        elif not spec.dims:
            tables[spec.name] = float(t.values)
        else:
            base = tables.get(spec.name)
            arr = t.dense(shape, spec.default) if base is None else np.array(base, dtype=float)
            if base is not None:
                arr[t.positions] = t.values
            tables[spec.name] = arr
    if "import_shares" in tables:  # each product's shares from every partner at most one
        over = [r.ids[i] for i in np.flatnonzero(np.asarray(tables["import_shares"]).sum(axis=0)
                                                 > 1 + 1e-12)]
        if over:
            raise r.where("import_shares").error(
                f"import shares of {', '.join(over)} sum to more than one")
    _old_offer_notes(r, tables, offered)
    settings, settings_tables = read_settings(r, fd)
    meta: dict[str, Any] = {
        "name": data["name"], "description": data.get("description", ""),
        "source": data.get("source", ""), "year": data.get("year"),
        "currency": data.get("currency", "currency unit"), "factors": factors,
        "partners": partners, "reported_output": gross,
        "provenance": pd.DataFrame(r.provenance, columns=PROVENANCE_COLUMNS),
    }
    try:
        if key == "flows":
            assert gross is not None
            A = _coefficients_from_flows(r, matrix, gross)
            if "final_demand" not in data:  # resources = uses: y = x - Z 1
                Z1 = np.asarray(matrix.sum(axis=1)).ravel()
                fd = pd.DataFrame({"total": gross - Z1}, index=fd.index)
        else:
            A = matrix
        if "imports" in data:
            if "import_shares" in data:
                raise r.where("imports").error("give either import_shares or imports, not both")
            tables["import_shares"] = shares_from_flows(r, A, gross, fd)
        economy = Economy(branches, A, fd, **meta, **tables)
        return Scenario(economy, settings, notes=tuple(r.notes), **settings_tables)
    except NotProductiveError as exc:
        raise r.where(key).error(str(exc)) from None
    except ScenarioError:
        raise
    except AutarkyError as exc:
        raise ScenarioError(str(exc), file=str(p)) from None


def _coefficients_from_flows(r: _Reader, matrix: Any, gross: np.ndarray) -> Any:
    colsum = np.asarray(abs(matrix).sum(axis=0)).ravel()
    bad = np.flatnonzero((gross == 0) & (colsum > 0))
    if bad.size:
        raise r.where("gross_output").error(
            f"branch {quoted(r.ids[bad[0]])} uses inputs but has zero gross output")
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(gross > 0, 1.0 / gross, 0.0)
    if sp.issparse(matrix):
        return sp.csr_array(matrix @ sp.diags_array(scale))
    return matrix * scale[np.newaxis, :]


def _old_offer_notes(r: _Reader, tables: dict[str, Any], offered: list[tuple[str, str]]) -> None:
    """Say how old partner offers were read where they meet import shares or exports."""
    if not offered:
        return
    kinds = sorted({k for k, _ in offered})
    r.notes.append(
        "partners: the " + " and ".join(f"'{k}s'" for k in kinds) + " offers are read as "
        + " and ".join(f"{k}_prices/{k}_limits" for k in kinds)
        + ": one channel per partner and product; an import limit is the channel's cap, in "
          "place of (not on top of) the import shares' structure, and an export limit counts "
          "the recorded exports to that partner; write them under those keys")


def shares_from_flows(r: _Reader, A: Any, gross: np.ndarray | None, fd: pd.DataFrame
                      ) -> np.ndarray:
    """Import shares from imports given as flows: ``m_p,i / (A x + y)_i`` (home use)."""
    if gross is None:
        raise r.where("imports").error("imports given as flows need gross_output to compute "
                                       "each product's home use")
    raw = r.data["imports"]
    if not isinstance(raw, dict):
        raise r.where("imports").error("expected {partner: {branch: quantity}}")
    use = np.asarray(A @ gross).ravel() + fd.to_numpy().sum(axis=1)
    table = np.zeros((len(r.partner_ids), len(r.ids)))
    for p, row in raw.items():
        k = r.partner_ids.get_indexer([str(p)])[0]
        if k < 0:
            raise unknown_id(str(p), r.partner_ids, r.where("imports", p), "partner")
        for e in yaml_vector_entries(row, r.lines, ("imports", p), r.ids, allow_negative=False,
                                     what="import", uncertain=False):
            i = int(r.ids.get_indexer([e.row])[0])
            if use[i] <= 0:
                raise e.where.error(f"{e.row} has no home use to import into")
            share = e.value / use[i]
            if share > 1 + 1e-12:
                raise e.where.error(f"imports of {e.value:g} exceed the home use of "
                                    f"{e.row} ({use[i]:g})")
            table[k, i] = share
    over = [r.ids[i] for i in np.flatnonzero(table.sum(axis=0) > 1 + 1e-12)]
    if over:
        raise r.where("imports").error(f"imports of {', '.join(over)} exceed their home use")
    return table
