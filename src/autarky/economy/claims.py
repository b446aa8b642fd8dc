"""Claims: quantitative statements of a source, each with its place and its reading.

A claim says what quantity it concerns, of which ``kind`` it is (a level, a ratio between two
years, an average growth rate, a share, a duration equivalence, an amount, a count, a date span),
its value and unit, the line of the source where it stands with the original OCR text, the
reading, and a confidence where the OCR is unclear. This module holds the types only; the
readers of claims files are in :mod:`autarky.io.claims`.

Examples
--------
>>> c = Claim("g", "growth", "industrial-output", 0.18, "fraction per year", 1967, 1960)
>>> claims = Claims((c,), citation="a source")
>>> len(claims), claims["g"].base_year
(1, 1960)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from autarky.errors import UnknownIdError

#: The kinds of claim.
KINDS = ("level", "ratio", "growth", "share", "duration", "amount", "count", "date")

#: Kinds that relate two years, and so need a ``base_year``.
TWO_YEAR_KINDS = ("ratio", "growth", "duration")

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
    ("added", False, "string", "Not in the source: 'link' (an identity joining two series) or "
                               "'assumption'; empty for a claim of the source."),
    ("sigma", False, "number", "Standard deviation in log terms, replacing the audit's weighting "
                               "rule (a link's is tiny: it is an identity)."),
    ("source_type", False, "string", "Where a claim of another source comes from: one of "
                                     "official, archive, reproduction, independent, weak "
                                     "(empty: a claim of the document itself)."),
    ("source", False, "string", "The citation of a claim from another source."),
    ("quote", False, "string", "The exact text the claim was read in."),
    ("readings", False, "list", "Other readings of an ambiguous claim: each a mapping of name, "
                                "prior and the fields it changes (value, year, base_year, "
                                "quantity, unit, of)."),
)

#: Types of source a claim can come from (``source_type``), with the factor the audit
#: multiplies its standard deviation by (:data:`autarky.monitor.audit.SOURCE_WEIGHTS`).
SOURCE_TYPES = ("official", "archive", "reproduction", "independent", "weak")

#: Fields a reading may change.
READING_FIELDS = ("value", "year", "base_year", "quantity", "unit", "of")

#: Values of a claim's ``added`` field: a claim of the source, or one the analyst added.
ADDED = ("", "link", "assumption")


@dataclass(frozen=True)
class Reading:
    """Another reading of an ambiguous claim: the fields it changes, and how likely it is a
    priori (``prior``, relative to the claim as read, which counts 1).

    >>> c = Claim("p", "ratio", "x", 20.0, "times", 1967, 1944,
    ...           readings=(Reading("base 1949", base_year=1949),))
    >>> c.readings[0].apply(c).base_year, c.readings[0].apply(c).readings
    (1949, ())
    """

    name: str
    prior: float = 1.0
    value: float | None = None
    year: int | None = None
    base_year: int | None = None
    quantity: str | None = None
    unit: str | None = None
    of: str | None = None
    note: str = ""

    def apply(self, claim: Claim) -> Claim:
        """The claim under this reading (without readings of its own; a reading of the value
        drops the claim's alternative values, which it is testing one by one)."""
        from dataclasses import replace

        changes: dict[str, Any] = {f: getattr(self, f) for f in READING_FIELDS
                                   if getattr(self, f) is not None}
        if "value" in changes:  # the reading is one of the alternatives: no longer unclear
            changes.update(alternatives=(), unclear=False)
        return replace(claim, readings=(), **changes)


@dataclass(frozen=True)
class Claim:
    """One quantitative claim (fields: :data:`CLAIM_FIELDS`; ``file_line`` is where it was read)."""

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
    added: str = ""
    sigma: float | None = None
    source_type: str = ""
    source: str = ""
    quote: str = ""
    readings: tuple[Reading, ...] = ()
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
        raise UnknownIdError(claim_id)

    def to_frame(self) -> pd.DataFrame:
        """One row per claim, indexed by id.

        Examples
        --------
        >>> Claims((Claim("a", "level", "x", 100.0, "t", year=1960),)).to_frame()[["kind", "value"]]
            kind  value
        id
        a   level  100.0
        """
        rows = [{k: getattr(c, k) for k, *_ in CLAIM_FIELDS} for c in self.claims]
        return pd.DataFrame(rows).set_index("id")


__all__ = ["ADDED", "CLAIM_FIELDS", "KINDS", "READING_FIELDS", "SOURCE_TYPES", "TWO_YEAR_KINDS",
           "Claim", "Claims", "Reading"]
