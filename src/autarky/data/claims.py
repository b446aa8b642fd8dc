"""Claims: quantitative statements of a source, each with its place and its reading.

A claims file is YAML with a ``source`` block and a list of ``claims``; each claim says what
quantity it concerns, of which ``kind`` it is (a level, a ratio between two years, an average
growth rate, a share, a duration equivalence, an amount, a count, a date span), its value and
unit, the line of the source where it stands with the original OCR text, the reading, and a
confidence where the OCR is unclear.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from autarky.errors import ScenarioError
from autarky.io.yamlmap import load_yaml

KINDS = ("level", "ratio", "growth", "share", "duration", "amount", "count", "date")

#: Fields of a claim: (name, required, type, description).
CLAIM_FIELDS: tuple[tuple[str, bool, str, str], ...] = (
    ("id", True, "string", "Unique id."),
    ("kind", True, "string", f"One of {', '.join(KINDS)}."),
    ("quantity", True, "string", "What is measured (stable id shared by claims on it)."),
    ("value", True, "number", "The number as read, in `unit` (per cent as fractions)."),
    ("unit", True, "string", "Unit of `value`."),
    ("year", False, "integer", "Year the value refers to (the later year for ratios)."),
    ("base_year", False, "integer", "Earlier year of a ratio, growth, duration or period."),
    ("of", False, "string", "Share claims: the total the quantity is a share of."),
    ("line", False, "integer", "1-based line of the source text."),
    ("ocr", False, "string", "Verbatim text of that line."),
    ("reading", False, "string", "The reading in plain words."),
    ("confidence", False, "number", "0..1, how sure the reading is (default 1)."),
    ("unclear", False, "boolean", "True where the OCR is garbled."),
    ("alternatives", False, "list", "Other plausible readings, most likely first."),
    ("note", False, "string", "Reasoning."),
    ("cites", False, "string", "The source the document itself cites."),
)
_NEEDS_BASE = ("ratio", "growth", "duration")


@dataclass(frozen=True)
class Claim:
    """One quantitative claim."""

    id: str
    kind: str
    quantity: str
    value: float
    unit: str
    year: int | None = None
    base_year: int | None = None
    of: str | None = None
    line: int | None = None
    ocr: str = ""
    reading: str = ""
    confidence: float = 1.0
    unclear: bool = False
    alternatives: tuple[float, ...] = ()
    note: str = ""
    cites: str = ""
    file_line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Claims:
    """A set of claims with the source they are drawn from."""

    claims: tuple[Claim, ...]
    source_file: str = ""
    citation: str = ""

    def __len__(self) -> int:
        return len(self.claims)

    def __getitem__(self, claim_id: str) -> Claim:
        for c in self.claims:
            if c.id == claim_id:
                return c
        raise KeyError(claim_id)

    def to_frame(self) -> pd.DataFrame:
        """One row per claim, indexed by id."""
        rows = [{k: getattr(c, k) for k, *_ in CLAIM_FIELDS} for c in self.claims]
        return pd.DataFrame(rows).set_index("id")


def _check(rec: Any, i: int, file: str, line: int | None) -> Claim:
    def err(fieldname: str, msg: str) -> ScenarioError:
        return ScenarioError(msg, file=file, line=line, field=f"claims.{i}.{fieldname}")

    if not isinstance(rec, dict):
        raise err("", "expected a mapping")
    known = {f[0] for f in CLAIM_FIELDS}
    for k in rec:
        if k not in known:
            raise err(k, f"unknown field {k!r}")
    for name, required, typ, _ in CLAIM_FIELDS:
        val = rec.get(name)
        if val is None:
            if required:
                raise err(name, f"{name} missing")
            continue
        if typ == "number" and (isinstance(val, bool) or not isinstance(val, (int, float))
                                or not math.isfinite(val)):
            raise err(name, f"non-numeric value {val!r}")
        if typ == "integer" and (isinstance(val, bool) or not isinstance(val, int)):
            raise err(name, f"expected a whole number, got {val!r}")
        if typ == "list" and not isinstance(val, list):
            raise err(name, f"expected a list, got {val!r}")
    if rec["kind"] not in KINDS:
        raise err("kind", f"unknown kind {rec['kind']!r}; expected one of {', '.join(KINDS)}")
    if rec["kind"] in _NEEDS_BASE and rec.get("base_year") is None:
        raise err("base_year", f"a {rec['kind']} claim needs base_year")
    if rec["kind"] == "share" and not rec.get("of"):
        raise err("of", "a share claim needs 'of' (the total)")
    conf = float(rec.get("confidence", 1.0))
    if not 0.0 <= conf <= 1.0:
        raise err("confidence", f"confidence must lie in [0, 1], got {conf}")
    alts = tuple(float(a) for a in rec.get("alternatives") or ())
    return Claim(
        id=str(rec["id"]), kind=rec["kind"], quantity=str(rec["quantity"]),
        value=float(rec["value"]), unit=str(rec["unit"]), year=rec.get("year"),
        base_year=rec.get("base_year"), of=rec.get("of"), line=rec.get("line"),
        ocr=str(rec.get("ocr") or ""), reading=str(rec.get("reading") or ""), confidence=conf,
        unclear=bool(rec.get("unclear", False)), alternatives=alts,
        note=str(rec.get("note") or ""), cites=str(rec.get("cites") or ""), file_line=line,
    )


def read_claims(path: str | Path) -> Claims:
    """Read and validate a claims file; errors name the file, line and field."""
    data, lines = load_yaml(path)
    file = str(path)
    if not isinstance(data, dict) or not isinstance(data.get("claims"), list):
        raise ScenarioError("a claims file is a mapping with a 'claims' list", file=file, line=1)
    out: list[Claim] = []
    seen: dict[str, int | None] = {}
    for i, rec in enumerate(data["claims"]):
        c = _check(rec, i, file, lines.line(("claims", i)))
        if c.id in seen:
            raise ScenarioError(f"duplicate id {c.id!r} (first at line {seen[c.id]})", file=file,
                                line=c.file_line, field=f"claims.{i}.id")
        seen[c.id] = c.file_line
        out.append(c)
    src = data.get("source") or {}
    return Claims(tuple(out), str(src.get("file", "")), str(src.get("citation", "")))
