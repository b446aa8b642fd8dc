"""Reading any registry table from a scenario: a YAML mapping nested by its dimensions, or a
long CSV table with one column per dimension and a value column.

The CSV path is vectorised (``pandas.read_csv``, ``Index.get_indexer``, ``to_numeric``): a table
of millions of rows reads in seconds. Line numbers are computed only when an error is reported,
by one scan of the file that counts quoted line breaks, so the message still names the file, the
line and the column.
"""

from __future__ import annotations

import csv
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from autarky.checks import quoted
from autarky.economy.registry import TableSpec
from autarky.economy.schema import PROVENANCE_COLS_ALLOWED, UNCERTAINTY_COLS
from autarky.errors import ScenarioError
from autarky.io.entries import (
    Where,
    check_header,
    parse_bool,
    read_csv_rows,
    unknown_id,
    value_with_provenance,
    yaml_where,
)
from autarky.io.spread import row_provenance
from autarky.io.yamlmap import LineMap, PathKey

_TRUE = frozenset({"true", "yes", "1", "y", "t"})
_FALSE = frozenset({"false", "no", "0", "n", "f", ""})


@dataclass
class TableRead:
    """The entries of one table read from a scenario.

    Attributes
    ----------
    positions
        One integer array per dimension (in ``spec.dims`` order).
    values
        The numbers.
    labels
        Labels of open dimensions (categories, years) in the order first seen.
    provenance
        Rows ``table, row, column, source, note, estimate`` for entries that carry it.
    """

    positions: tuple[np.ndarray, ...]
    values: np.ndarray
    labels: dict[str, list[Any]] = field(default_factory=dict)
    provenance: list[dict[str, Any]] = field(default_factory=list)
    declared: dict[str, list[Any]] = field(default_factory=dict)

    def dense(self, shape: tuple[int, ...], default: float) -> np.ndarray:
        out = np.full(shape, default, dtype=float)
        if self.values.size:
            out[self.positions] = self.values
        return out


def _kind(dim: str) -> str:
    return "branch" if dim in ("branch", "input") else dim


def _check_value(v: float, raw: Any, where: Where, spec: TableSpec, what: str) -> None:
    if spec.lower is not None and v < spec.lower:
        if spec.lower == 0:
            raise where.error(f"negative {what} {v:g}")
        raise where.error(f"{what} must be at least {spec.lower:g}, got {v:g}")
    if spec.upper is not None and (v > spec.upper or (spec.upper_open and v >= spec.upper)):
        raise where.error(f"{what} must lie in {spec.bounds_text()}, got {v:g}")
    if spec.dtype == "int" and v != round(v):
        raise where.error(f"expected a whole number, got {quoted(raw)}")


# ---------------------------------------------------------------------------- YAML
def read_yaml_table(raw: Any, lines: LineMap, path: PathKey, spec: TableSpec,
                    known: Mapping[str, pd.Index | None], *, what: str | None = None
                    ) -> TableRead:
    """Entries of a YAML table nested by ``spec.nested_dims`` (``{input: {branch: number}}``).

    ``known[dim]`` are the labels a dimension may take (``None``: open, as final-demand
    categories or years). A number may carry provenance: ``{value, source, note, estimate}``.
    """
    what = what or spec.noun
    order = spec.nested_dims
    depth = len(order)
    pos: list[list[int]] = [[] for _ in order]
    vals: list[float] = []
    prov: list[dict[str, Any]] = []
    labels: dict[str, list[Any]] = {d: [] for d in order if known.get(d) is None}
    seen: dict[str, dict[Any, int]] = {d: {} for d in labels}
    # positions of the known labels by dict (one O(1) lookup per key, not an index search)
    at_of: dict[str, dict[str, int]] = {}
    allow_negative = spec.lower is None or spec.lower < 0

    def label_pos(dim: str, key: Any, p: PathKey) -> int:
        idx = known.get(dim)
        if idx is None:
            if dim == "year":
                if isinstance(key, bool) or not (isinstance(key, int) or str(key).isdigit()):
                    raise yaml_where(lines, p).error(f"expected a year, got {quoted(key)}")
                key = int(key)
            else:
                key = str(key)
            if key not in seen[dim]:
                seen[dim][key] = len(labels[dim])
                labels[dim].append(key)
            return seen[dim][key]
        if dim == "year":
            if isinstance(key, bool) or not (isinstance(key, int) or str(key).isdigit()):
                raise yaml_where(lines, p).error(f"expected a year, got {quoted(key)}")
            k = idx.get_indexer([int(key)])[0]
            if k < 0:
                raise yaml_where(lines, p).error(f"year {key} is outside the plan's years")
            return int(k)
        table = at_of.get(dim)
        if table is None:
            table = at_of[dim] = {v: i for i, v in enumerate(idx)}
        k = table.get(str(key), -1)
        if k < 0:
            raise unknown_id(str(key), idx, yaml_where(lines, p), _kind(dim))
        return k

    def plain(obj: Any) -> float | None:
        """A plain number within the table's bounds, or ``None`` (the careful path decides)."""
        if type(obj) is not float and type(obj) is not int:
            return None
        try:
            v = float(obj)
        except OverflowError:
            return None
        if not math.isfinite(v) or (v < 0 and not allow_negative):
            return None
        if spec.lower is not None and v < spec.lower:
            return None
        if spec.upper is not None and (v > spec.upper or (spec.upper_open and v >= spec.upper)):
            return None
        if spec.dtype == "int" and v != round(v):
            return None
        return v

    def walk(obj: Any, level: int, at: tuple[int, ...], keys: tuple[Any, ...]) -> None:
        if level == depth:
            fast = plain(obj)
            extra: dict[str, Any] = {}
            if fast is not None:
                v = fast
            else:
                p = (*path, *keys)
                w = yaml_where(lines, p)
                v, extra = value_with_provenance(
                    obj, w, lines, p, allow_negative=allow_negative, what=what,
                    check=lambda x, raw, at: _check_value(x, raw, at, spec, what))
                _check_value(v, obj, w, spec, what)
            for d, k in enumerate(at):
                pos[d].append(k)
            vals.append(v)
            if extra:
                lab = [str(x) for x in keys]
                prov.append(_prov_row(spec, order, lab, extra))
            return
        if obj is None and level > 0:
            return
        if not isinstance(obj, dict):
            shape = " -> ".join(order[level:])
            raise yaml_where(lines, (*path, *keys)).error(f"expected a mapping {shape} -> number")
        for key, val in obj.items():
            k = label_pos(order[level], key, (*path, *keys, key))
            walk(val, level + 1, (*at, k), (*keys, key))

    walk(raw, 0, (), ())
    # reorder positions from the YAML nesting to the storage order of spec.dims
    perm = [order.index(d) for d in spec.dims]
    positions = tuple(np.asarray(pos[i], dtype=np.int64) for i in perm)
    out = TableRead(positions, np.asarray(vals, dtype=float), labels, prov)
    _no_duplicate_yaml(out, spec, lines, path)
    return out


def _prov_row(spec: TableSpec, order: tuple[str, ...], lab: list[str],
              extra: dict[str, Any]) -> dict[str, Any]:
    """A provenance row: ``row`` the first dimension's label, ``column`` the rest (dims order),
    then the provenance fields (``source, note, estimate`` and the spread)."""
    by_dim = dict(zip(order, lab, strict=True))
    ordered = [by_dim[d] for d in spec.dims]
    row = ordered[0] if ordered else spec.name
    col = "/".join(ordered[1:]) if len(ordered) > 1 else None
    return {"table": spec.name, "row": row, "column": col, **extra}


def _no_duplicate_yaml(t: TableRead, spec: TableSpec, lines: LineMap, path: PathKey) -> None:
    """YAML keys are unique per mapping already; labels that differ only in type (1 and '1')
    can still collide."""
    if len(t.values) < 2 or not spec.dims:
        return
    key = np.ravel_multi_index(t.positions, [int(p.max()) + 1 for p in t.positions])
    if len(np.unique(key)) != len(key):
        raise yaml_where(lines, path).error(f"duplicate entries in {spec.name}")


# ---------------------------------------------------------------------------- CSV
def csv_line_of(path: Path, row: int) -> int:
    """1-based line where data row ``row`` (0-based, blank rows skipped) starts."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        start = reader.line_num
        k = -1
        for record in reader:
            line = start + 1
            start = reader.line_num
            if not record or all(not c.strip() for c in record):
                continue
            k += 1
            if k == row:
                return line
    return start


def _raw_header(path: Path) -> list[str]:
    """The first line of a CSV file, split into fields as written."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return next(csv.reader(handle), [])


def _strict_scan(path: Path, required: list[str], optional: tuple[str, ...]) -> None:
    """Run the line-by-line reader to raise the exact structural error (field counts, header)."""
    for _ in read_csv_rows(path, required, optional):
        pass


def read_csv_table(csv_path: Path, spec: TableSpec, known: Mapping[str, pd.Index | None], *,
                   what: str | None = None, value_column: str | None = None) -> TableRead:
    """Entries of a long CSV table: one column per dimension of ``spec``, a value column and the
    optional provenance columns ``source, note, estimate``.

    A well-formed table is read by :func:`read_csv_fast` (pandas' own type inference, labels
    looked up once per distinct label); anything that path does not vouch for (an error, a
    label that reads as a number, a whole-row blank) is read again here, cell by cell as text,
    which gives the exact message."""
    fast = read_csv_fast(csv_path, spec, known, value_column or spec.value_column)
    if fast is not None:
        return fast
    return read_csv_text(csv_path, spec, known, what=what, value_column=value_column)


def _outside(values: np.ndarray, spec: TableSpec) -> np.ndarray:
    """Where ``values`` break the table's bounds (or, for a whole-number table, are not whole)."""
    bad = np.zeros(len(values), dtype=bool)
    if spec.lower is not None:
        bad |= values < spec.lower
    if spec.upper is not None:
        bad |= (values >= spec.upper) if spec.upper_open else (values > spec.upper)
    if spec.dtype == "int":
        bad |= values != np.round(values)
    return bad

def read_csv_text(csv_path: Path, spec: TableSpec, known: Mapping[str, pd.Index | None], *,
                  what: str | None = None, value_column: str | None = None) -> TableRead:
    """:func:`read_csv_table` cell by cell: every cell read as text, stripped and converted
    column by column, every problem named by file, line and column."""
    what = what or spec.noun
    value_col = value_column or spec.value_column
    required = [*spec.dims, value_col]
    file = str(csv_path)
    try:
        df = pd.read_csv(csv_path, dtype=str, keep_default_na=False, na_filter=False,
                         encoding="utf-8-sig", skipinitialspace=False)
    except pd.errors.EmptyDataError:
        raise ScenarioError("empty table: a header line is needed", file=file, line=1) from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError):
        _strict_scan(csv_path, required, PROVENANCE_COLS_ALLOWED)
        raise ScenarioError("cannot parse the table", file=file) from None
    except OSError as exc:
        raise ScenarioError(f"cannot read table: {exc.strerror or exc}", file=file) from None
    # pandas renames a repeated column ("value.1"): check the header as written
    check_header([str(c).strip() for c in _raw_header(csv_path)], required,
                 PROVENANCE_COLS_ALLOWED, file)
    df.columns = [str(c).strip() for c in df.columns]
    df = df.apply(lambda c: c.str.strip())
    blank = (df == "").all(axis=1)
    if blank.any():
        df = df[~blank.to_numpy()].reset_index(drop=True)
    if df.isna().to_numpy().any() or (df[required] == "").to_numpy().any():
        # a row with too few fields reads as empty cells: name the field count if that is it
        _strict_scan(csv_path, required, PROVENANCE_COLS_ALLOWED)

    def where(row: int, col: str) -> Where:
        return Where(file, csv_line_of(csv_path, row), col)

    positions: list[np.ndarray] = []
    labels: dict[str, list[Any]] = {}
    for dim in spec.dims:
        col = df[dim]
        idx = known.get(dim)
        if idx is None:
            if dim == "year":
                nums = pd.to_numeric(col, errors="coerce")
                bad = nums.isna() | (nums != nums.round())
                if bad.any():
                    k = int(np.flatnonzero(bad.to_numpy())[0])
                    raise where(k, dim).error(f"expected a year, got {quoted(col.iloc[k])}")
                codes, uniq = pd.factorize(nums.astype(np.int64))
                labels[dim] = [int(u) for u in uniq]
            else:
                empty = (col == "").to_numpy()
                if empty.any():
                    k = int(np.flatnonzero(empty)[0])
                    raise where(k, dim).error(f"empty {dim}")
                codes, uniq = pd.factorize(col)
                labels[dim] = [str(u) for u in uniq]
            positions.append(np.asarray(codes, dtype=np.int64))
            continue
        pos = idx.get_indexer(pd.Index(col))
        if np.any(pos < 0):
            k = int(np.flatnonzero(pos < 0)[0])
            raise unknown_id(str(col.iloc[k]), idx, where(k, dim), _kind(dim))
        positions.append(pos.astype(np.int64))
    text = df[value_col]
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    nonnum = np.isnan(values)
    if nonnum.any():
        k = int(np.flatnonzero(nonnum)[0])
        raise where(k, value_col).error(f"non-numeric value {quoted(text.iloc[k])}")
    inf = np.isinf(values)
    if inf.any():
        k = int(np.flatnonzero(inf)[0])
        raise where(k, value_col).error(f"{what} must be finite, got {quoted(text.iloc[k])}")
    bad = _outside(values, spec)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        _check_value(float(values[k]), text.iloc[k], where(k, value_col), spec, what)
    if len(values) > 1 and spec.dims:
        dims = [int(p.max()) + 1 if len(p) else 1 for p in positions]
        flat = np.ravel_multi_index(tuple(positions), dims)
        dup = pd.Index(flat).duplicated()
        if dup.any():
            k = int(np.flatnonzero(dup)[0])
            first = int(np.flatnonzero(flat == flat[k])[0])
            lab = "/".join(str(df[d].iloc[k]) for d in spec.dims)
            raise where(k, value_col).error(
                f"duplicate entry for {lab} in {spec.name} (first at line "
                f"{csv_line_of(csv_path, first)})")
    prov = _csv_provenance(df, spec, where, values, what)
    return TableRead(tuple(positions), values, labels, prov)


def _csv_provenance(df: pd.DataFrame, spec: TableSpec, where: Any, values: np.ndarray,
                    what: str) -> list[dict[str, Any]]:
    cols = [c for c in PROVENANCE_COLS_ALLOWED if c in df.columns]
    if not cols:
        return []
    if any(c in df.columns for c in UNCERTAINTY_COLS):
        return _csv_provenance_rows(df, spec, where, values, what)
    src = df["source"] if "source" in df.columns else pd.Series("", index=df.index)
    note = df["note"] if "note" in df.columns else pd.Series("", index=df.index)
    est_text = (df["estimate"] if "estimate" in df.columns
                else pd.Series("", index=df.index)).str.lower()
    bad = ~est_text.isin(_TRUE | _FALSE)
    if bad.any():
        k = int(np.flatnonzero(bad.to_numpy())[0])
        parse_bool(df["estimate"].iloc[k], where(k, "estimate"))
    est = est_text.isin(_TRUE)
    keep = np.flatnonzero(((src != "") | (note != "") | est).to_numpy())
    if not keep.size:
        return []
    dims = [df[d].to_numpy() for d in spec.dims]
    rows = []
    for kk in keep:
        k = int(kk)
        lab = [str(d[k]) for d in dims]
        rows.append({"table": spec.name, "row": lab[0] if lab else spec.name,
                     "column": "/".join(lab[1:]) if len(lab) > 1 else None,
                     "source": str(src.iloc[k]), "note": str(note.iloc[k]),
                     "estimate": bool(est.iloc[k])})
    return rows


def _csv_provenance_rows(df: pd.DataFrame, spec: TableSpec, where: Any, values: np.ndarray,
                         what: str) -> list[dict[str, Any]]:
    """The provenance of a table with spread columns, row by row (the spread is parsed and
    checked against the value and the table's limits)."""
    allow_negative = spec.lower is None or spec.lower < 0
    cols = [c for c in PROVENANCE_COLS_ALLOWED if c in df.columns]
    cells = {c: df[c].to_numpy() for c in cols}
    dims = [df[d].to_numpy() for d in spec.dims]
    rows = []
    for k in range(len(df)):
        rec: dict[str, Any] = {c: (cells[c][k] or None) for c in cols}

        def at(f: str, k: int = k) -> Where:
            return where(k, f)

        extra = row_provenance(
            rec.get, at, float(values[k]), allow_negative=allow_negative, what=what,
            check=lambda x, raw, w: _check_value(x, raw, w, spec, what))
        if extra:
            lab = [str(d[k]) for d in dims]
            rows.append({"table": spec.name, "row": lab[0] if lab else spec.name,
                         "column": "/".join(lab[1:]) if len(lab) > 1 else None, **extra})
    return rows


# ---------------------------------------------------------------------------- CSV, fast path
def _is_text(col: pd.Series) -> bool:
    """Whether a column read with type inference holds text in every row (no missing cell)."""
    if isinstance(col.dtype, pd.StringDtype):
        return not bool(col.isna().any())
    return bool(col.dtype == object) and pd.api.types.infer_dtype(col, skipna=False) == "string"


def _text_codes(col: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes of a text column into its distinct labels, stripped of surrounding blanks (labels
    equal once stripped share a code), in the order first seen."""
    codes, uniq = pd.factorize(col)
    stripped = pd.Index(np.asarray(uniq, dtype=object), dtype=object).str.strip()
    again, labels = pd.factorize(stripped)
    return np.asarray(again, dtype=np.int64)[codes], pd.Index(labels, dtype=object)


def read_csv_fast(csv_path: Path, spec: TableSpec, known: Mapping[str, pd.Index | None],
                  value_col: str) -> TableRead | None:
    """A long CSV table read as a whole: ``pandas.read_csv`` with its own type inference (in
    parallel where pandas does that), each distinct label stripped and looked up once, the
    values checked in one pass. ``None`` wherever the table is not plainly well formed (a label
    read as a number, a missing cell, an unknown label, a value out of bounds, a duplicate, an
    odd header): :func:`read_csv_table` then reads it cell by cell and names the place."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # mixed chunks (DtypeWarning): refused below
            df = pd.read_csv(csv_path, keep_default_na=False, na_filter=False,
                             encoding="utf-8-sig")
        header = [str(c).strip() for c in _raw_header(csv_path)]
        check_header(header, [*spec.dims, value_col], PROVENANCE_COLS_ALLOWED, str(csv_path))
    except Exception:  # ScenarioError included: the careful path says what it is
        return None
    if [str(c).strip() for c in df.columns] != header or not len(df):
        return None
    if any(c in header for c in UNCERTAINTY_COLS):  # spreads are parsed row by row
        return None
    df.columns = pd.Index(header)
    positions: list[np.ndarray] = []
    labels: dict[str, list[Any]] = {}
    text: dict[str, tuple[np.ndarray, pd.Index]] = {}
    for dim in spec.dims:
        col = df[dim]
        idx = known.get(dim)
        if idx is None and dim == "year":
            if col.dtype.kind not in "iu":
                return None
            codes, uniq = pd.factorize(col)
            labels[dim] = [int(u) for u in uniq]
            positions.append(np.asarray(codes, dtype=np.int64))
            continue
        if not _is_text(col):
            return None
        codes, lab = _text_codes(col)
        if bool((lab == "").any()):
            return None
        text[dim] = (codes, lab)
        if idx is None:
            labels[dim] = [str(u) for u in lab]
            positions.append(codes)
            continue
        if idx.dtype != object and not isinstance(idx.dtype, pd.StringDtype):
            return None
        at = idx.get_indexer(lab)
        if np.any(at < 0):
            return None
        positions.append(np.asarray(at, dtype=np.int64)[codes])
    col = df[value_col]
    if col.dtype.kind not in "iuf":
        return None
    values = col.to_numpy(dtype=float)
    if not np.all(np.isfinite(values)):
        return None
    bad = _outside(values, spec)
    if bad.any():
        return None
    if len(values) > 1 and spec.dims:
        flat = np.sort(np.ravel_multi_index(tuple(positions),
                                            [int(p.max()) + 1 for p in positions]))
        if np.any(flat[1:] == flat[:-1]):
            return None
    prov = _fast_provenance(df, spec, text)
    return None if prov is None else TableRead(tuple(positions), values, labels, prov)


def _fast_provenance(df: pd.DataFrame, spec: TableSpec,
                     text: dict[str, tuple[np.ndarray, pd.Index]]) -> list[dict[str, Any]] | None:
    """The provenance rows of a table read by :func:`read_csv_fast` (as
    :func:`_csv_provenance` gives them), or ``None`` where a column is not plainly text or
    a flag."""
    n = len(df)
    keep = np.zeros(n, dtype=bool)
    cells: dict[str, tuple[np.ndarray, pd.Index]] = {}
    for name in ("source", "note"):
        if name not in df.columns:
            continue
        if not _is_text(df[name]):
            return None
        codes, lab = _text_codes(df[name])
        cells[name] = (codes, lab)
        keep |= np.asarray(lab != "", dtype=bool)[codes]
    est = np.zeros(n, dtype=bool)
    if "estimate" in df.columns:
        col = df["estimate"]
        if col.dtype == bool:
            est = col.to_numpy(dtype=bool)
        elif _is_text(col):
            codes, lab = _text_codes(col)
            low = lab.str.lower()
            if not bool(low.isin(_TRUE | _FALSE).all()):
                return None
            est = np.asarray(low.isin(_TRUE), dtype=bool)[codes]
        else:
            return None
        keep |= est
    rows = np.flatnonzero(keep)
    if not rows.size:
        return []
    if any(d not in text for d in spec.dims):  # a year label as the reader would quote it
        return None

    def cell(name: str, k: int) -> str:
        if name not in cells:
            return ""
        codes, lab = cells[name]
        return str(lab[codes[k]])

    out = []
    for kk in rows:
        k = int(kk)
        lab = [str(text[d][1][text[d][0][k]]) for d in spec.dims]
        out.append({"table": spec.name, "row": lab[0] if lab else spec.name,
                    "column": "/".join(lab[1:]) if len(lab) > 1 else None,
                    "source": cell("source", k), "note": cell("note", k),
                    "estimate": bool(est[k])})
    return out
