"""Readers of claims files: YAML (:func:`read_claims`) and CSV (:func:`read_claims_csv`).

A YAML claims file is a mapping with a ``source`` block (``file``, ``citation``) and a list of
``claims``, each a mapping of the fields of :data:`~autarky.economy.claims.CLAIM_FIELDS`. A CSV
claims file has one claim per row. Every problem raises :class:`~autarky.errors.ScenarioError`
naming the file, the line and the field.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autarky.checks import quoted
from autarky.economy.claims import (
    ADDED,
    CLAIM_FIELDS,
    KINDS,
    READING_FIELDS,
    SOURCE_TYPES,
    TWO_YEAR_KINDS,
    Claim,
    Claims,
    Reading,
)
from autarky.errors import ScenarioError
from autarky.io.entries import CsvRow, parse_bool, parse_number, read_csv_rows, require_suffix
from autarky.io.yamlmap import load_yaml

_NEEDS_BASE = TWO_YEAR_KINDS


# ----------------------------------------------------------------------------- YAML
def _check(rec: Any, i: int, file: str, line: int | None) -> Claim:
    def err(fieldname: str, msg: str) -> ScenarioError:
        return ScenarioError(msg, file=file, line=line, field=f"claims.{i}.{fieldname}")

    if not isinstance(rec, dict):
        raise err("", "expected a mapping")
    known = {f[0] for f in CLAIM_FIELDS}
    for k in rec:
        if k not in known:
            raise err(k, f"unknown field {quoted(k)}")
    for name, required, typ, _ in CLAIM_FIELDS:
        val = rec.get(name)
        if val is None:
            if required:
                raise err(name, f"{name} missing")
            continue
        if typ == "number" and (isinstance(val, bool) or not isinstance(val, (int, float))
                                or not math.isfinite(val)):
            raise err(name, f"non-numeric value {quoted(val)}")
        if typ == "integer" and (isinstance(val, bool) or not isinstance(val, int)):
            raise err(name, f"expected a whole number, got {quoted(val)}")
        if typ == "list" and not isinstance(val, list):
            raise err(name, f"expected a list, got {quoted(val)}")
    if rec["kind"] not in KINDS:
        raise err("kind", f"unknown kind {quoted(rec['kind'])}; expected one of {', '.join(KINDS)}")
    if rec["kind"] in _NEEDS_BASE and rec.get("base_year") is None:
        raise err("base_year", f"a {rec['kind']} claim needs base_year")
    if rec["kind"] == "share" and not rec.get("of"):
        raise err("of", "a share claim needs 'of' (the total)")
    conf = float(rec.get("confidence", 1.0))
    if not 0.0 <= conf <= 1.0:
        raise err("confidence", f"confidence must lie in [0, 1], got {conf}")
    alts = tuple(float(a) for a in rec.get("alternatives") or ())
    added = str(rec.get("added") or "")
    if added not in ADDED:
        raise err("added", f"added must be 'link' or 'assumption' (or absent), got {quoted(added)}")
    sigma = rec.get("sigma")
    if sigma is not None and not sigma > 0:
        raise err("sigma", f"sigma must be a positive number, got {quoted(sigma)}")
    source_type = str(rec.get("source_type") or "")
    if source_type and source_type not in SOURCE_TYPES:
        raise err("source_type", f"source_type is one of {', '.join(SOURCE_TYPES)}, got "
                                 f"{quoted(source_type)}")
    readings = tuple(_reading(r, k, rec, err) for k, r in enumerate(rec.get("readings") or ()))
    return Claim(
        id=str(rec["id"]), kind=rec["kind"], quantity=str(rec["quantity"]),
        value=float(rec["value"]), unit=str(rec["unit"]), year=rec.get("year"),
        base_year=rec.get("base_year"), of=rec.get("of"), line=rec.get("line"),
        ocr=str(rec.get("ocr") or ""), reading=str(rec.get("reading") or ""), confidence=conf,
        unclear=bool(rec.get("unclear", False)), alternatives=alts,
        note=str(rec.get("note") or ""), cites=str(rec.get("cites") or ""), added=added,
        sigma=None if sigma is None else float(sigma), source_type=source_type,
        source=str(rec.get("source") or ""), quote=str(rec.get("quote") or ""),
        readings=readings, file_line=line,
    )


def _reading(raw: Any, k: int, rec: dict[str, Any], err: Any) -> Reading:
    """One entry of a claim's ``readings``."""
    where = f"readings.{k}"
    if not isinstance(raw, dict):
        raise err(where, "a reading is a mapping of name, prior and the fields it changes")
    allowed = {"name", "prior", "note", *READING_FIELDS}
    for key in raw:
        if key not in allowed:
            raise err(f"{where}.{key}", f"unknown field {quoted(key)}; a reading takes name, prior, "
                                        f"note, {', '.join(READING_FIELDS)}")
    if not raw.get("name"):
        raise err(f"{where}.name", "a reading needs a name")
    prior = raw.get("prior", 1.0)
    if isinstance(prior, bool) or not isinstance(prior, (int, float)) or not prior > 0 \
            or not math.isfinite(prior):
        raise err(f"{where}.prior", f"prior must be a positive number, got {quoted(prior)}")
    changes: dict[str, Any] = {}
    for f in READING_FIELDS:
        if raw.get(f) is None:
            continue
        v = raw[f]
        if f == "value" and (isinstance(v, bool) or not isinstance(v, (int, float))
                             or not math.isfinite(v)):
            raise err(f"{where}.value", f"non-numeric value {quoted(v)}")
        if f in ("year", "base_year") and (isinstance(v, bool) or not isinstance(v, int)):
            raise err(f"{where}.{f}", f"expected a whole number, got {quoted(v)}")
        changes[f] = float(v) if f == "value" else v if f in ("year", "base_year") else str(v)
    if not changes:
        raise err(where, "a reading changes at least one of " + ", ".join(READING_FIELDS))
    if "base_year" in changes and rec["kind"] not in TWO_YEAR_KINDS:
        raise err(f"{where}.base_year", f"a {rec['kind']} claim has no base_year to read "
                                        "otherwise")
    if "of" in changes and rec["kind"] != "share":
        raise err(f"{where}.of", f"a {rec['kind']} claim has no 'of' to read otherwise")
    if rec["kind"] == "share" and changes.get("of", rec.get("of")) in (None, ""):
        raise err(f"{where}.of", "a share claim needs 'of'")
    return Reading(str(raw["name"]), float(prior), note=str(raw.get("note") or ""), **changes)


def read_claims(path: str | Path) -> Claims:
    """Read and validate a YAML claims file; errors name the file, line and field.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.yaml"
    >>> _ = p.write_text("source: {citation: a book}\\n"
    ...                  "claims:\\n"
    ...                  "  - {id: r, kind: ratio, quantity: x, value: 3.2, unit: times,\\n"
    ...                  "     year: 1967, base_year: 1960}\\n")
    >>> c = read_claims(p)
    >>> c.citation, c["r"].value, c["r"].file_line
    ('a book', 3.2, 3)
    """
    require_suffix(path, (".yaml", ".yml"), "a claims file")
    data, lines = load_yaml(path)
    file = str(path)
    if not isinstance(data, dict) or not isinstance(data.get("claims"), list):
        raise ScenarioError("a claims file is a mapping with a 'claims' list", file=file, line=1)
    out: list[Claim] = []
    seen: dict[str, int | None] = {}
    for i, rec in enumerate(data["claims"]):
        c = _check(rec, i, file, lines.line(("claims", i)))
        if c.id in seen:
            raise ScenarioError(f"duplicate id {quoted(c.id)} (first at line {seen[c.id]})", file=file,
                                line=c.file_line, field=f"claims.{i}.id")
        seen[c.id] = c.file_line
        out.append(c)
    src = data.get("source") or {}
    return Claims(tuple(out), str(src.get("file", "")), str(src.get("citation", "")))


# ----------------------------------------------------------------------------- CSV
CSV_REQUIRED = ("id", "kind", "quantity", "value", "unit", "year")
CSV_OPTIONAL = ("base_year", "of", "line", "ocr", "confidence", "reading", "unclear", "alternatives",
                "note", "cites", "added", "sigma", "source_type", "source", "quote")


def _csv_int(row: CsvRow, column: str) -> int | None:
    text = row.values.get(column, "")
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise row.where(column).error(f"expected a whole number, got {quoted(text)}") from None


def _csv_claim(row: CsvRow) -> Claim:
    v = row.values
    for column in ("id", "kind", "quantity", "unit"):
        if not v[column]:
            raise row.where(column).error(f"{column} missing")
    kind = v["kind"]
    if kind not in KINDS:
        raise row.where("kind").error(f"unknown kind {quoted(kind)}; expected one of {', '.join(KINDS)}")
    value = parse_number(v["value"], row.where("value"), allow_negative=True)
    year = _csv_int(row, "year")
    base_year = _csv_int(row, "base_year")
    line = _csv_int(row, "line")
    if kind in TWO_YEAR_KINDS and base_year is None:
        raise row.where("base_year").error(f"a {kind} claim needs base_year")
    of = v.get("of", "") or None
    if kind == "share" and of is None:
        raise row.where("of").error("a share claim needs 'of' (the total)")
    confidence = 1.0
    if v.get("confidence"):
        confidence = parse_number(v["confidence"], row.where("confidence"), allow_negative=False,
                                  what="confidence")
        if confidence > 1.0:
            raise row.where("confidence").error(f"confidence must lie in [0, 1], got {confidence:g}")
    alternatives = tuple(
        parse_number(a, row.where("alternatives"), allow_negative=True, what="alternative")
        for a in v.get("alternatives", "").replace(";", " ").split())
    added = v.get("added", "")
    if added not in ADDED:
        raise row.where("added").error(
            f"added must be 'link' or 'assumption' (or empty), got {quoted(added)}")
    sigma = None
    if v.get("sigma"):
        sigma = parse_number(v["sigma"], row.where("sigma"), allow_negative=False, what="sigma")
        if sigma == 0:
            raise row.where("sigma").error("sigma must be a positive number, got 0")
    source_type = v.get("source_type", "")
    if source_type and source_type not in SOURCE_TYPES:
        raise row.where("source_type").error(
            f"source_type is one of {', '.join(SOURCE_TYPES)}, got {quoted(source_type)}")
    return Claim(
        id=v["id"], kind=kind, quantity=v["quantity"], value=value, unit=v["unit"], year=year,
        base_year=base_year, of=of, line=line, ocr=v.get("ocr", ""), reading=v.get("reading", ""),
        confidence=confidence, unclear=parse_bool(v.get("unclear", ""), row.where("unclear")),
        alternatives=alternatives, note=v.get("note", ""), cites=v.get("cites", ""),
        added=added, sigma=sigma, source_type=source_type, source=v.get("source", ""),
        quote=v.get("quote", ""), file_line=row.line,
    )


def read_claims_csv(path: str | Path) -> Claims:
    """Read a claims file in CSV form.

    The header holds ``id, kind, quantity, value, unit, year`` and may add ``base_year, of,
    line, ocr, confidence, reading, unclear, alternatives, note, cites, added, sigma``
    (alternatives separated by ``;`` or spaces; ``added`` and ``sigma`` as in the YAML form).
    Empty cells of optional fields mean "not given"; ``year`` may be empty. The checks are
    those of :func:`read_claims`; every error is a
    :class:`~autarky.errors.ScenarioError` naming the file, the 1-based line and the column.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.csv"
    >>> _ = p.write_text("id,kind,quantity,value,unit,year,base_year\\n"
    ...                  "g,growth,x,0.18,fraction per year,1967,1960\\n")
    >>> read_claims_csv(p)["g"].base_year
    1960
    """
    p = Path(path)
    out: list[Claim] = []
    seen: dict[str, int] = {}
    for row in read_csv_rows(p, CSV_REQUIRED, CSV_OPTIONAL):
        c = _csv_claim(row)
        if c.id in seen:
            raise row.where("id").error(f"duplicate id {quoted(c.id)} (first at line {seen[c.id]})")
        seen[c.id] = row.line
        out.append(c)
    if not out:
        raise ScenarioError("no claims in the file", file=str(p), line=1)
    return Claims(tuple(out))


# ----------------------------------------------------------------------------- writing
def claim_record(c: Claim) -> dict[str, Any]:
    """A claim as the mapping a YAML claims file holds (fields left at their default omitted).

    Examples
    --------
    >>> claim_record(Claim("r", "ratio", "x", 3.2, "times", 1967, 1960, added="assumption"))
    {'id': 'r', 'kind': 'ratio', 'quantity': 'x', 'value': 3.2, 'unit': 'times', 'year': 1967, \
'base_year': 1960, 'added': 'assumption'}
    """
    defaults = Claim("", "level", "", 0.0, "")
    out: dict[str, Any] = {}
    for name, required, _, _ in CLAIM_FIELDS:
        val = getattr(c, name)
        if required or val != getattr(defaults, name):
            if name == "readings":
                out[name] = [{"name": r.name, **({"prior": r.prior} if r.prior != 1.0 else {}),
                              **{f: getattr(r, f) for f in READING_FIELDS
                                 if getattr(r, f) is not None},
                              **({"note": r.note} if r.note else {})} for r in val]
            else:
                out[name] = list(val) if isinstance(val, tuple) else val
    return out


def claims_yaml_items(claims: Sequence[Claim], *, indent: int = 2) -> str:
    """YAML list items for ``claims``, indented to sit under a file's ``claims:`` key; the text
    reads back with :func:`read_claims` into the same claims.

    Examples
    --------
    >>> print(claims_yaml_items([Claim("a", "level", "x", 1.5, "t", year=1960)]), end="")
      - id: a
        kind: level
        quantity: x
        value: 1.5
        unit: t
        year: 1960
    """
    import yaml

    pad = " " * indent
    text = yaml.safe_dump([claim_record(c) for c in claims], sort_keys=False, allow_unicode=True,
                          width=100)
    return "".join(pad + line if line.strip() else line for line in text.splitlines(True))


__all__ = ["CSV_OPTIONAL", "CSV_REQUIRED", "claim_record", "claims_yaml_items", "read_claims",
           "read_claims_csv"]
