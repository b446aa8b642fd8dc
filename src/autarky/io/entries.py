"""Parsing of scenario tables, from YAML mappings or CSV files, with the place of every entry.

A table entry is one number with its row, column and provenance. Whether it came from a YAML
mapping (``technology: {coal: {steel: 1.6}}``) or a CSV file (``input,branch,value``), it carries a
:class:`Where` that turns any problem into a :class:`~autarky.errors.ScenarioError` naming the
file, the line and the field.
"""

from __future__ import annotations

import csv
import difflib
import math
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autarky.checks import quoted
from autarky.economy.schema import PROVENANCE_COLS_ALLOWED
from autarky.errors import ScenarioError
from autarky.io.yamlmap import LineMap, PathKey


@dataclass(frozen=True)
class Where:
    """The place of an entry: a YAML path, or a CSV file, line and column."""

    file: str
    line: int | None
    field: str

    def error(self, message: str) -> ScenarioError:
        return ScenarioError(message, file=self.file, line=self.line, field=self.field)


def yaml_where(lines: LineMap, path: PathKey) -> Where:
    """The :class:`Where` of a YAML path."""
    return Where(lines.file, lines.line(path), ".".join(str(p) for p in path))


@dataclass(frozen=True)
class Entry:
    """One number of a table."""

    row: str
    col: str | None
    value: float
    where: Where
    provenance: dict[str, Any] = field(default_factory=dict)


def parse_number(raw: Any, where: Where, *, allow_negative: bool, what: str = "value") -> float:
    """A finite number from YAML or CSV, or a clear error.

    Examples
    --------
    >>> w = Where("s.yaml", 3, "technology.coal.steel")
    >>> parse_number("1.5", w, allow_negative=False)
    1.5
    >>> parse_number("abc", w, allow_negative=False)
    Traceback (most recent call last):
    ...
    autarky.errors.ScenarioError: s.yaml:3: technology.coal.steel: non-numeric value 'abc'
    """
    if isinstance(raw, bool) or raw is None:
        raise where.error(f"non-numeric value {quoted(raw)}")
    if isinstance(raw, (int, float)):
        value = float(raw)
    elif isinstance(raw, str):
        try:
            value = float(raw.strip())
        except ValueError:
            raise where.error(f"non-numeric value {quoted(raw)}") from None
    else:
        raise where.error(f"non-numeric value {quoted(raw)}")
    if not math.isfinite(value):
        raise where.error(f"{what} must be finite, got {quoted(raw)}")
    if value < 0 and not allow_negative:
        raise where.error(f"negative {what} {value:g}")
    return value


def parse_bool(raw: Any, where: Where) -> bool:
    """A boolean from YAML (true/false) or CSV text (true/false/yes/no/1/0/empty)."""
    if isinstance(raw, bool):
        return raw
    if raw is None:
        return False
    text = str(raw).strip().lower()
    if text in ("true", "yes", "1", "y", "t"):
        return True
    if text in ("false", "no", "0", "n", "f", ""):
        return False
    raise where.error(f"expected true or false, got {quoted(raw)}")


def value_with_provenance(
    raw: Any, where: Where, lines: LineMap | None, path: PathKey, *, allow_negative: bool,
    what: str, uncertain: bool = True, check: Any = None,
) -> tuple[float, dict[str, Any]]:
    """A number written plainly or as ``{value, source, note, estimate}`` with, where
    ``uncertain``, its spread (:func:`autarky.io.spread.parse_spread`): the number and its
    provenance (``{}`` where it has none). ``check(number, raw, where)`` checks a range's ends
    against the table's limits."""
    if isinstance(raw, dict):
        from autarky.io.spread import parse_spread, spread_fields

        unknown = set(raw) - {"value", "range", *PROVENANCE_COLS_ALLOWED}
        if unknown:
            key = sorted(unknown)[0]
            w = yaml_where(lines, (*path, key)) if lines else where
            raise w.error(f"unknown field {quoted(key)}; a number with provenance takes "
                          "value, source, note, estimate and a spread (range, distribution, sd, "
                          "values, weights, range_note)")
        if "value" not in raw:
            raise where.error("a number with provenance needs a 'value'")

        def at(key: str) -> Where:
            return yaml_where(lines, (*path, key)) if lines else where

        value = parse_number(raw["value"], at("value"), allow_negative=allow_negative, what=what)
        if not uncertain and spread_fields(raw.get):
            raise where.error("this number cannot carry a spread (only table entries are "
                              "sampled); drop range, distribution, sd, values and weights here")
        spread = parse_spread(raw.get, at, value, allow_negative=allow_negative, what=what,
                              check=check)
        est = parse_bool(raw.get("estimate", False), where)
        prov = {"source": str(raw.get("source", "") or ""), "note": str(raw.get("note", "") or ""),
                "estimate": est, **spread}
        return value, (prov if prov["source"] or prov["note"] or est or spread else {})
    return parse_number(raw, where, allow_negative=allow_negative, what=what), {}


def check_id(name: str, known: Collection[str], where: Where, kind: str = "branch") -> str:
    """``name`` if it is a known id, else an error suggesting the closest one (pass a set or a
    ``pd.Index`` for large id lists: the lookup is then ``O(1)``)."""
    if name in known:
        return name
    raise unknown_id(name, known, where, kind)


def unknown_id(name: str, known: Collection[str], where: Where, kind: str = "branch"
               ) -> ScenarioError:
    """The error for an unknown id, suggesting the closest known one."""
    pool = list(known)
    close = difflib.get_close_matches(name, pool if len(pool) <= 20000 else pool[:20000], n=1)
    hint = f"; did you mean {quoted(close[0])}?" if close else ""
    return where.error(f"unknown {kind} id {quoted(name)}{hint}")


# ---------------------------------------------------------------------------- CSV tables
@dataclass(frozen=True)
class CsvRow:
    """One data row of a CSV table, with its 1-based line."""

    file: str
    line: int
    values: dict[str, str]

    def where(self, column: str) -> Where:
        return Where(self.file, self.line, column)


def require_suffix(path: str | Path, suffixes: Sequence[str], what: str) -> None:
    """Refuse, before reading it, a file whose name does not end in one of ``suffixes``: only
    files of the expected kind are read, so an error never quotes the content of another file
    (a key file, a password file) named by mistake."""
    p = Path(path)
    if p.suffix.lower() not in suffixes:
        raise ScenarioError(f"not {what}: expected a {' or '.join(suffixes)} file",
                            file=str(p))


#: What a column name looks like (else a message names the column by its position only).
_COLUMN_NAME = re.compile(r"^[\w .()%/+-]{1,60}$")


def _quoted(text: str, limit: int = 80) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")


def check_header(header: Sequence[str], required: Sequence[str], optional: Iterable[str],
                 file: str) -> None:
    """Refuse a CSV header that lacks a required column, names an unknown one, or repeats one."""
    allowed = set(required) | set(optional)
    for col in required:
        if col not in header:
            # the header is not quoted: a file that is not a table would show its first line
            raise ScenarioError(f"missing column {quoted(col)}: a header line naming "
                                f"{', '.join(required)} is needed (this one has {len(header)} "
                                f"column{'s' if len(header) != 1 else ''}, none named {quoted(col)})",
                                file=file, line=1, field=col)
    for i, col in enumerate(header, start=1):
        if col not in allowed:
            name = _quoted(col) if _COLUMN_NAME.match(col) else f"{i} (not a column name)"
            raise ScenarioError(f"unknown column {name}; expected "
                                f"{', '.join(sorted(allowed))}", file=file, line=1,
                                field=col[:80] if _COLUMN_NAME.match(col) else f"column {i}")
    seen: set[str] = set()
    for col in header:
        if col in seen:
            raise ScenarioError(f"duplicate column {quoted(col)}", file=file, line=1, field=col)
        seen.add(col)


def read_csv_rows(path: Path, required: Sequence[str], optional: Iterable[str]) -> Iterator[CsvRow]:
    """Rows of a CSV file whose header must hold ``required`` and may hold ``optional``."""
    file = str(path)
    require_suffix(path, (".csv",), "a CSV table")
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise ScenarioError(f"cannot read table: {exc.strerror or exc}", file=file) from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise ScenarioError("empty table: a header line is needed", file=file, line=1) from None
        check_header(header, required, optional, file)
        start = reader.line_num
        for record in reader:
            line = start + 1
            start = reader.line_num
            if not record or all(not c.strip() for c in record):
                continue
            if len(record) != len(header):
                raise ScenarioError(f"{len(record)} fields where the header has {len(header)}",
                                    file=file, line=line)
            yield CsvRow(file, line, {h: c.strip() for h, c in zip(header, record, strict=True)})


def yaml_vector_entries(
    raw: Any, lines: LineMap, path: PathKey, known: Sequence[str], *, allow_negative: bool,
    what: str, col: str | None = None, uncertain: bool = True,
) -> list[Entry]:
    """Entries of a YAML mapping ``{branch: number}`` (with their spread where ``uncertain``)."""
    if not isinstance(raw, dict):
        raise yaml_where(lines, path).error("expected a mapping of branch id to number")
    out = []
    for key, val in raw.items():
        w = yaml_where(lines, (*path, key))
        branch = check_id(str(key), known, w)
        v, prov = value_with_provenance(val, w, lines, (*path, key),
                                        allow_negative=allow_negative, what=what,
                                        uncertain=uncertain)
        out.append(Entry(branch, col, v, w, prov))
    return out
