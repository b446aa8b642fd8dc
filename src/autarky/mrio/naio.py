"""Eurostat's symmetric input-output tables of one country, with domestic and imported use:
``naio_10_cp1700`` (product by product) and ``naio_10_cp1750`` (industry by industry), as the
bulk TSV (``naio_10_cp1700.tsv.gz``) or SDMX-CSV.

The layout (``shared/research/table-layouts.md`` section 5): one value per (unit, ``stk_flow``,
row item, column item, country, year); ``stk_flow`` is ``DOM`` (domestic output), ``IMP``
(imports) or ``TOTAL``; row items are products (``CPA_A01``) or industries (``A01``) and the
value-added items (``D21X31``, ``D1``, ``D29X39``, ``B2A3G``, ...), column items the same
products or industries and the final uses (``P3_S13``, ``P3_S14``, ``P3_S15``, ``P51G``,
``P5M``, ``P6`` exports). The bulk TSV keys each line by a comma-joined ``freq,unit,...,geo``
(read by the header's names, never by position), then a value a year, ``:`` for missing, a
flag after a space (``12.3 p``).

The table becomes an :class:`~autarky.mrio.table.MRIO` of two regions: the country, and
``ROW`` (the rest of the world) whose rows are the imported use (``IMP``) and which buys
nothing in the table; the country's exports (``P6``) are exports out of the table. So the
home view of the country has the imported inputs and final imports as the rest of the world's
non-competitive supply, and its balance gives back domestic output.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "naio_10_cp1700.tsv"
>>> _ = p.write_text(FIXTURE)
>>> t = read_naio(p, geo="AT", year=2020)
>>> t.regions, t.sectors, t.categories
(('AT', 'ROW'), ('CPA_A01', 'CPA_C10-12'), ('P3_S13', 'P3_S14', 'P51G', 'P5M', 'exports'))
>>> t.x[:2].tolist()
[100.0, 200.0]
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path
from typing import Any

import numpy as np

from autarky.checks import quoted
from autarky.errors import TableError
from autarky.mrio.matrix import reader_name
from autarky.mrio.readers import register
from autarky.mrio.table import MRIO

#: Final uses read, in order (those the table has), and the export column.
FINAL_USES = ("P3_S13", "P3_S14", "P3_S15", "P51G", "P52", "P53", "P5M", "P6")
#: Value-added items read (rows), in order.
VALUE_ADDED = ("D21X31", "D1", "D29X39", "B2A3G")
#: Aggregates and totals, never cells.
TOTALS = {"CPA_TOTAL", "TOTAL", "P1", "P2_ADJ", "TS_BP", "P7", "IMP", "B1G", "TFU", "TU",
          "P3", "P5", "P6_B0", "P6_D0", "D11", "B2A3N", "P51C", "OP_RES", "OP_NRES"}
LICENCE = "Eurostat: reuse authorised with acknowledgement of the source (Decision 2011/833/EU)"

#: A bulk TSV in miniature: Austria 2020, two products, domestic and imported use (values
#: padded with a space, a flag, a missing value, as Eurostat writes them).
_ROWS = [
    ("A,MIO_EUR,DOM,CPA_A01,CPA_A01,AT", "9", "10"),
    ("A,MIO_EUR,DOM,CPA_C10-12,CPA_A01,AT", "29", "30"),
    ("A,MIO_EUR,DOM,P3_S14,CPA_A01,AT", "40", "40"),
    ("A,MIO_EUR,DOM,P6,CPA_A01,AT", "20", "20"),
    ("A,MIO_EUR,DOM,CPA_A01,CPA_C10-12,AT", "4", "5"),
    ("A,MIO_EUR,DOM,CPA_C10-12,CPA_C10-12,AT", "20", "20 p"),
    ("A,MIO_EUR,DOM,P3_S14,CPA_C10-12,AT", "100", "110"),
    ("A,MIO_EUR,DOM,P3_S13,CPA_C10-12,AT", ":", "5"),
    ("A,MIO_EUR,DOM,P51G,CPA_C10-12,AT", "10", "10"),
    ("A,MIO_EUR,DOM,P5M,CPA_C10-12,AT", "0", "-5"),
    ("A,MIO_EUR,DOM,P6,CPA_C10-12,AT", "50", "55"),
    ("A,MIO_EUR,IMP,CPA_A01,CPA_A01,AT", "2", "2"),
    ("A,MIO_EUR,IMP,CPA_C10-12,CPA_A01,AT", "8", "8"),
    ("A,MIO_EUR,IMP,P3_S14,CPA_C10-12,AT", "30", "30"),
    ("A,MIO_EUR,IMP,CPA_C10-12,CPA_C10-12,AT", "15", "15"),
    ("A,MIO_EUR,DOM,CPA_A01,D1,AT", "30", "30"),
    ("A,MIO_EUR,DOM,CPA_C10-12,D1,AT", "40", "40"),
    ("A,MIO_EUR,DOM,CPA_A01,B2A3G,AT", "40", "53"),
    ("A,MIO_EUR,DOM,CPA_C10-12,B2A3G,AT", "60", "87"),
    ("A,MIO_EUR,DOM,CPA_A01,P1,AT", "95", "100"),
    ("A,MIO_EUR,DOM,CPA_C10-12,P1,AT", "190", "200"),
    ("A,MIO_EUR,DOM,CPA_A01,CPA_A01,DE", "90", "100"),
]
FIXTURE = "freq,unit,stk_flow,prd_use,prd_ava,geo\\TIME_PERIOD\t2019 \t2020 \n" + "".join(
    f"{key}\t{a} \t{b} \n" for key, a, b in _ROWS)


def _number(text: str) -> float | None:
    text = text.strip()
    if not text or text.startswith(":"):
        return None
    return float(text.split()[0])


def _records(path: Path, year: int, file: str) -> list[dict[str, Any]]:
    """Every value of ``year`` as a record of its dimensions (bulk TSV or SDMX-CSV)."""
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    text = raw.decode("utf-8-sig")
    first = text.split("\n", 1)[0]
    out: list[dict[str, Any]] = []
    if "\t" in first:  # bulk TSV: a comma-joined key, then a value a year
        head = first.rstrip("\r").split("\t")
        keys = head[0].split("\\")[0].split(",")
        years = [h.strip() for h in head[1:]]
        if str(year) not in years:
            raise TableError(f"no year {year} in the file (years: {', '.join(years[:8])})",
                             file=file, line=1)
        k = years.index(str(year)) + 1
        for n, line in enumerate(text.split("\n")[1:], start=2):
            if not line.strip():
                continue
            cells = line.rstrip("\r").split("\t")
            key = cells[0].split(",")
            if len(key) != len(keys) or len(cells) != len(head):
                raise TableError(f"{len(cells)} fields where the header has {len(head)}",
                                 file=file, line=n)
            try:
                value = _number(cells[k])
            except ValueError:
                raise TableError(f"not a number: {quoted(cells[k])}", file=file, line=n,
                                 column=str(year)) from None
            out.append({**dict(zip(keys, key, strict=True)), "value": value, "line": n})
        return out
    reader = csv.DictReader(io.StringIO(text))  # SDMX-CSV
    need = {"stk_flow", "geo", "TIME_PERIOD", "OBS_VALUE"}
    if not need <= set(reader.fieldnames or ()):
        raise TableError(f"neither the bulk TSV nor SDMX-CSV: the columns {sorted(need)} are "
                         "needed", file=file, line=1)
    for n, row in enumerate(reader, start=2):
        if row["TIME_PERIOD"].strip() != str(year):
            continue
        try:
            value = _number(row["OBS_VALUE"])
        except ValueError:
            raise TableError(f"not a number: {quoted(row['OBS_VALUE'])}", file=file, line=n,
                             column="OBS_VALUE") from None
        out.append({**row, "value": value, "line": n})
    return out


def read_naio(path: str | Path, *, geo: str, year: int, unit: str = "MIO_EUR") -> MRIO:
    """Read one country and year of a ``naio_10_cp1700`` or ``cp1750`` file (see the module
    docstring) as an :class:`MRIO`: the country and the rest of the world (imports)."""
    p = Path(path)
    file = str(p)
    if not p.exists():
        raise TableError("no such file", file=file)
    recs = [r for r in _records(p, year, file) if r.get("geo") == geo
            and r.get("unit", unit) == unit and r["value"] is not None]
    if not recs:
        raise TableError(f"no values for geo {geo}, unit {unit}, year {year}", file=file)
    ava = "prd_ava" if "prd_ava" in recs[0] else "ind_ava"
    use = "prd_use" if "prd_use" in recs[0] else "ind_use"
    if ava not in recs[0] or use not in recs[0]:
        raise TableError("no row and column dimensions (prd_ava/prd_use or ind_ava/ind_use)",
                         file=file, line=1)
    cells_r = {r[ava] for r in recs} - TOTALS - set(VALUE_ADDED)
    cells_c = {r[use] for r in recs} - TOTALS - set(FINAL_USES)
    codes = sorted(cells_r & cells_c)
    stray = sorted((cells_r | cells_c) - set(codes))
    if stray:
        r = next(x for x in recs if x[ava] == stray[0] or x[use] == stray[0])
        raise TableError(f"the item {quoted(stray[0])} is a row without a column or a column "
                         "without a row (nor a final use, value added or total)", file=file,
                         line=r["line"])
    for a in codes:
        for b in codes:
            if a != b and _covers(a, b):
                raise TableError(f"the aggregate {quoted(a)} stands beside its part {quoted(b)} (both would "
                                 "count the same flows): keep one level of the classification",
                                 file=file)
    uses = [f for f in FINAL_USES if any(r[use] == f for r in recs)]
    idx = {c: i for i, c in enumerate(codes)}
    S, F = len(codes), len(uses)
    block = {"DOM": np.zeros((S, S)), "IMP": np.zeros((S, S))}
    final = {"DOM": np.zeros((S, F)), "IMP": np.zeros((S, F))}
    V = np.zeros((len(VALUE_ADDED), S))
    stated = np.full(S, np.nan)
    for r in recs:
        flow, a, u, v = r["stk_flow"], r[ava], r[use], float(r["value"])
        if flow not in ("DOM", "IMP"):
            continue
        if a in idx and u in idx:
            block[flow][idx[a], idx[u]] = v
        elif a in idx and u in uses:
            final[flow][idx[a], uses.index(u)] = v
        elif a in VALUE_ADDED and u in idx and flow == "DOM":
            V[VALUE_ADDED.index(a), idx[u]] = v
        elif a == "P1" and u in idx and flow == "DOM":
            stated[idx[u]] = v
    # columns: domestic and imported inputs plus value added are the output (the table's own
    # identity, checked where the output row P1 is given)
    cost = block["DOM"].sum(axis=0) + block["IMP"].sum(axis=0) + V.sum(axis=0)
    given = ~np.isnan(stated)
    off = np.abs(cost - stated) - (1e-4 * np.abs(stated) + 0.5)
    if np.any(given & (off > 0)):
        k = int(np.flatnonzero(given & (off > 0))[0])
        raise TableError(f"totals do not match: inputs plus value added are {cost[k]:.10g}, the "
                         f"output P1 {stated[k]:.10g} (value-added items read: "
                         f"{', '.join(VALUE_ADDED)})", file=file, column=codes[k])
    notes = []
    if "P6" in uses:  # imports passed on to exports (re-exports) leave the table's accounts
        k = uses.index("P6")
        re_exports = float(final["IMP"][:, k].sum())
        if re_exports:
            final["IMP"][:, k] = 0.0
            notes.append(f"re-exports (imported products in exports, P6 of IMP) of "
                         f"{re_exports:g} {unit} dropped: they pass through without a use")
    Z = np.zeros((2 * S, 2 * S))
    Z[:S, :S] = block["DOM"]
    Z[S:, :S] = block["IMP"]
    Y = np.zeros((2 * S, 2 * F))
    Y[:S, :F] = final["DOM"]
    Y[S:, :F] = final["IMP"]
    # exports: P6 of the country, renamed so the home view sends them out of the table
    cats = tuple(uses)
    x_row = Z[S:].sum(axis=1) + Y[S:].sum(axis=1)
    VA = np.zeros((len(VALUE_ADDED), 2 * S))
    VA[:, :S] = V
    VA[-1, S:] = x_row  # the rest of the world's supply: all its own value added
    table = MRIO((geo, "ROW"), tuple(codes), tuple("exports" if c == "P6" else c for c in cats),
                 Z, Y, VA, VALUE_ADDED, unit="EUR million" if unit == "MIO_EUR" else unit,
                 stated_output=np.concatenate([np.where(np.isnan(stated), Z[:S].sum(axis=1)
                                                        + Y[:S].sum(axis=1), stated), x_row]),
                 output_tol=1e-4, output_atol=0.5,
                 provenance={"format": "Eurostat naio_10", "file": file, "year": year,
                             "geo": geo, "licence": LICENCE, "reader": reader_name("naio"),
                             "table": "product by product" if ava == "prd_ava"
                             else "industry by industry", "notes": notes})
    return table


def _range(code: str) -> tuple[str, int, int] | None:
    """``(letter, first, last)`` of a classification code (``CPA_C10-12`` -> C, 10, 12;
    ``C31_32`` -> C, 31, 32; ``A01`` -> A, 1, 1), or ``None``."""
    import re

    m = re.fullmatch(r"(?:CPA_)?([A-U])(\d\d)?(?:[-_T](?:[A-U])?(\d\d))?", code)
    if not m:
        return None
    letter, first, last = m.group(1), m.group(2), m.group(3)
    if first is None:
        return letter, 0, 99
    return letter, int(first), int(last or first)


def _covers(a: str, b: str) -> bool:
    """Whether code ``a`` is an aggregate holding ``b`` (``CPA_C10-12`` holds ``CPA_C10``)."""
    ra, rb = _range(a), _range(b)
    return (ra is not None and rb is not None and ra[0] == rb[0] and ra[1] <= rb[1]
            and rb[2] <= ra[2] and ra != rb)


def _naio(path: str | Path, **options: Any) -> MRIO:
    """The command line's ``naio:FILE@GEO@YEAR``."""
    from autarky.errors import BadValueError

    text = str(path)
    if "@" in text and "geo" not in options:
        text, geo, year = [*text.rsplit("@", 2), "", ""][:3]
        if not year.isdigit():
            raise BadValueError(f"{path}: write naio:FILE@GEO@YEAR, e.g. "
                                "naio:naio_10_cp1700.tsv.gz@AT@2020")
        options = {**options, "geo": geo, "year": int(year)}
        path = text
    if "geo" not in options or "year" not in options:
        name = Path(path).name
        raise BadValueError(f"{name}: a naio_10 file holds many countries and years; name "
                            "them as naio:FILE@GEO@YEAR, e.g. naio:naio_10_cp1700.tsv.gz@AT@2020")
    return read_naio(path, geo=str(options["geo"]), year=int(options["year"]))


register("naio", _naio)

__all__ = ["FIXTURE", "read_naio"]
