"""Readers of supply and use tables, made symmetric by :mod:`autarky.mrio.sut`: the U.S. BEA
tables (``bea-sut``) and the Australian ABS tables (``abs-sut``), in the layouts that
``quantecon-book-networks`` 1.6 ships (``make_15.csv``/``use_15.csv``,
``make_71.csv``/``use_71.csv``, ``make_114_aus.csv``/``use_114_aus.csv``).

**BEA** (U.S. 2021, USD million, the supply-use framework). The ``make`` file is BEA's *supply*
table cut after total supply: rows are commodities (the industries' own, then "Scrap, used and
secondhand goods" and "Noncomparable imports and rest-of-the-world adjustment") and a row
"Total industry supply" (industry output); columns are industries, then "Total Commodity
Output" and "Imports" (15 industries only), "CIF/FOB Adjustments on Imports" and a column the
files label "Total Industry Output" that holds BEA's T013, total product supply at basic
prices. Its transpose is Miller & Blair's make table ``V``. Imports, where the file has no
column of them (71), are ``T013 - output - CIF/FOB``. The ``use`` file is BEA's use table at
*purchasers'* prices: the commodity rows, "Total Intermediate", the value-added rows
("Compensation of employees", "Other taxes on production", "Less: Other subsidies on
production", "Gross operating surplus"), "Value Added (basic prices)", "Total industry output
(basic prices)" (rows below are not read); columns the industries (names; BEA codes in
``use_71``, matched to the supply table's names by position and checked by their outputs),
"Total Intermediate" (``T001``), the final-demand columns (``F010`` ... ``F10S`` in
``use_71``) and "Total use of products" (``T019``, not used). "---" is zero.

The supply table is at basic prices, the use table at purchasers' prices, and the files drop
BEA's margin and tax columns: a commodity's total use exceeds its basic supply by its trade
and transport margins and taxes less subsidies (negative for the margin industries). The
reader adds them as one final-demand column :data:`VALUATION` (``q + m - U 1 - E 1``, CIF/FOB
adjustments included), so that rows balance at basic prices; the technology is then at
purchasers' prices (an industry's inputs include the margins and taxes it pays on them) and the
margins and taxes, as one column, are final demand. Every published total the construction
uses is checked (within rounding: a total of ``k`` entries, each rounded to a whole unit,
within ``rounding (k + 1)``); "Total use of products" is not used (in both releases two rows'
totals are about 4,290 off their entries) and its largest gap is noted in the provenance.

**ABS** (Australia 2020-21, AUD million). The ``make`` file is ABS's supply table: a header
of industry codes (``0101`` ... ``9502``) and ``total``; rows product codes (the same codes),
``total`` their output; then an unlabelled row of industry outputs (blank rows around it).
37 cells are "n.p." (not published, but in the totals): they are filled by biproportional
fitting (RAS, from equal seeds) to the gaps they leave in their rows' and columns' totals. The
``use`` file is the intermediate block alone (products x industries at basic prices, total
use, imports included): a header of industry codes, rows without labels (read in the order of
the header's codes). With no final demand, imports or value added, the reader adds one
final-demand column "Final uses less imports (residual)" (``q - U 1``) and one value-added row
"Primary inputs (residual)" (``g - 1' U``).

Both readers take ``technology`` (``"industry"`` or ``"product"``), ``by`` (``"industry"``:
industry by industry; ``"product"``: product by product) and ``negatives`` (``"move"`` or
``"refuse"``, see :func:`autarky.mrio.sut.to_mrio`). The product technology needs a square
table: the Australian one (114 x 114); the BEA tables have two more commodities than
industries and are refused.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np

from autarky.checks import quoted
from autarky.errors import BadValueError, TableError
from autarky.mrio.readers import register
from autarky.mrio.sut import symmetric, to_mrio
from autarky.mrio.table import MRIO

#: The construct's valuation column of the BEA tables (see :func:`read_bea_sut`).
VALUATION = "Valuation: margins, taxes less subsidies on products, CIF/FOB adjustments"
#: BEA's columns of the supply table that are not industries (T007, MCIF, MADJ, T013; the
#: files label T013 "Total Industry Output").
BEA_SUPPLY_COLUMNS = {"Total Commodity Output": "t007", "Imports": "imports",
                      "CIF/FOB Adjustments on Imports": "cif", "Total Industry Output": "t013",
                      "Total product supply (basic prices)": "t013"}
BEA_SUPPLY_TOTAL = "Total industry supply"
BEA_ROWS = ("Total Intermediate", "Value Added (basic prices)",
            "Total industry output (basic prices)")
#: Use-table rows whose intermediate uses may be negative (sales of used goods and scrap).
BEA_NEGATIVE_USES = ("Scrap, used and secondhand goods",)
_FD = {"F010": "Personal consumption expenditures", "F030": "Change in private inventories",
       "F02E": "Nonresidential private fixed investment in equipment",
       "F02N": "Nonresidential private fixed investment in intellectual property products",
       "F02R": "Residential private fixed investment",
       "F02S": "Nonresidential private fixed investment in structures",
       "F040": "Exports of goods and services", "F050": "Imports of goods and services"}
_GOV = {"F06": "Federal national defense", "F07": "Federal nondefense",
        "F10": "State and local government"}
_GOV_KIND = {"C": "consumption expenditures", "E": "gross investment in equipment",
             "N": "gross investment in intellectual property products",
             "S": "gross investment in structures"}
#: The years quantecon-book-networks 1.6's README gives for the files it ships.
KNOWN_YEARS: dict[str, int | str] = {"make_15.csv": 2021, "make_71.csv": 2021,
                                     "make_114_aus.csv": "2020-21"}
BEA_LICENCE = ("U.S. Bureau of Economic Analysis, Input-Output Accounts: public domain (a work "
               "of the U.S. Government); the CSV files as shipped by quantecon-book-networks "
               "(MIT)")
ABS_LICENCE = ("Australian Bureau of Statistics, Australian National Accounts: Input-Output "
               "Tables, (c) Commonwealth of Australia, CC BY 4.0; the CSV files as shipped by "
               "quantecon-book-networks (MIT)")


def _fd_name(code: str) -> str:
    if code in _FD:
        return f"{_FD[code]} ({code})"
    if code[:3] in _GOV and code[3:] in _GOV_KIND:
        return f"{_GOV[code[:3]]}: {_GOV_KIND[code[3:]]} ({code})"
    return code


class _Sheet:
    """A CSV file as stripped strings; numbers read naming the file, row and column."""

    def __init__(self, path: Path) -> None:
        self.file = str(path)
        if not path.is_file():
            raise TableError("no such file", file=self.file)
        with path.open(newline="", encoding="utf-8-sig") as f:
            self.rows = [[c.strip() for c in r] for r in csv.reader(f)]
        if not self.rows:
            raise TableError("the file is empty", file=self.file)
        self.header = self.rows[0]
        self.labels = [r[0] if r else "" for r in self.rows]

    def block(self, rows: list[int], cols: list[int], row_labels: list[str] | None = None,
              suppressed: bool = False) -> np.ndarray:
        out = np.empty((len(rows), len(cols)))
        for a, i in enumerate(rows):
            r = self.rows[i]
            for b, j in enumerate(cols):
                s = r[j] if j < len(r) else ""
                if s == "---":  # BEA: zero or suppressed
                    out[a, b] = 0.0
                    continue
                if s == "n.p." and suppressed:  # ABS: not published (in the totals)
                    out[a, b] = np.nan
                    continue
                try:
                    out[a, b] = float(s.replace(",", "").replace(" ", ""))
                    if not np.isfinite(out[a, b]):
                        raise ValueError(s)
                except ValueError:
                    raise TableError(f"not a number: {quoted(s)}" if s else "an empty cell",
                                     file=self.file,
                                     row=(row_labels[a] if row_labels else self.labels[i]),
                                     column=self.header[j] if j < len(self.header) else
                                     f"#{j + 1}") from None
        return out


def _agree(got: np.ndarray, stated: np.ndarray, k: int, rounding: float, file: str,
           rows: list[str] | str | None, cols: list[str] | str | None, what: str) -> float:
    """Refuse totals further than ``rounding (k + 1)`` from the sum of their ``k`` entries
    (each entry and the total rounded to whole units); the largest gap otherwise."""
    tol = rounding * (k + 1)
    gap = np.abs(np.asarray(got, dtype=float) - np.asarray(stated, dtype=float))
    if gap.size and (gap > tol).any():
        i = int(np.argmax(gap))
        raise TableError(
            f"totals do not match: {what} {np.ravel(got)[i]:.10g}, the stated total "
            f"{np.ravel(stated)[i]:.10g} (tolerance {tol:g}: {k} entries and the total, "
            f"each rounded to ±{rounding:g})", file=file,
            row=rows[i] if isinstance(rows, list) else rows,
            column=cols[i] if isinstance(cols, list) else cols)
    return float(gap.max(initial=0.0))


def _no_negative(M: np.ndarray, file: str, rows: list[str], cols: list[str], what: str,
                 allowed: tuple[str, ...] = ()) -> None:
    bad = (M < 0) & ~np.isin(np.array(rows, dtype=object), allowed)[:, None]
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise TableError(f"a negative {what} ({M[i, j]:g}), where none may be", file=file,
                         row=rows[i], column=cols[j])


def _sniff(path: Path, kind: str) -> int | None:
    """The number of industries of a supply table of ``kind`` (``bea``/``abs``), or ``None``."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        h = [c.strip() for c in next(csv.reader(f), [])]
    if kind == "bea" and h[:1] == ["Name"] and "CIF/FOB Adjustments on Imports" in h:
        return min(k for k, c in enumerate(h) if c in BEA_SUPPLY_COLUMNS) - 1
    if kind == "abs" and h[:1] == [""] and h[-1:] == ["total"]:
        return len(h) - 2
    return None


def _pair(path: str | Path, use: str | Path | None, kind: str,
          industries: int | None) -> tuple[Path, Path]:
    """The supply (make) and use files: named, or the pair ``make_X.csv``/``use_X.csv`` of a
    folder (of ``kind``, with ``industries`` industries where given)."""
    p = Path(path)
    if use is not None:
        return p, Path(use)
    if p.is_dir():
        pairs = []
        for s in sorted(p.glob("make_*.csv")):
            u = s.with_name("use_" + s.name[5:])
            n = _sniff(s, kind) if u.is_file() else None
            if n is not None and industries in (None, n):
                pairs.append((s, u, n))
        what = {"bea": "BEA", "abs": "ABS"}[kind]
        if not pairs:
            raise TableError(f"no {what} supply and use pair (make_X.csv and use_X.csv)"
                             + (f" with {industries} industries" if industries else ""),
                             file=str(p))
        if len(pairs) > 1:
            raise TableError(f"{len(pairs)} {what} supply and use pairs ("
                             + ", ".join(f"{s.name}: {n} industries" for s, _, n in pairs)
                             + "); pass industries=N or name the file", file=str(p))
        return pairs[0][0], pairs[0][1]
    if p.name.startswith("use_"):
        return p.with_name("make_" + p.name[4:]), p
    if p.name.startswith("make_"):
        return p, p.with_name("use_" + p.name[5:])
    raise TableError("name the folder, the supply file (make_X.csv), or the use file with "
                     "use=", file=str(p))


def _unique(labels: list[str], file: str, axis: str) -> None:
    dup = next((x for k, x in enumerate(labels) if x in labels[:k]), None)
    if dup is not None:
        raise TableError(f"the label {quoted(dup)} appears twice", file=file,
                         **{axis: dup})  # type: ignore[arg-type]


def _build(U: np.ndarray, Vt: np.ndarray, E: np.ndarray, W: np.ndarray, m: np.ndarray | None,
           commodities: list[str], industries: list[str], categories: list[str],
           va_rows: list[str], stated: tuple[np.ndarray, np.ndarray | None], *,
           technology: str, by: str, negatives: str, region: str, unit: str,
           rounding: float, provenance: dict[str, Any]) -> MRIO:
    try:
        s = symmetric(U, Vt.T, E, W, m, technology=technology, by=by,
                      commodities=commodities, industries=industries)
    except BadValueError as exc:
        raise TableError(str(exc), file=provenance["file"]) from None
    nc, ni = U.shape
    out = stated[0] if by == "industry" else stated[1]
    k = nc if by == "industry" else ni  # the published output, a sum of k rounded entries
    tol = 1e-9 if out is None else 1e-9 + float(
        np.max(rounding * (k + 1) / np.maximum(np.abs(out), 1.0), initial=0.0))
    return to_mrio(s, sectors=industries if by == "industry" else commodities,
                   categories=categories, value_added_rows=va_rows, region=region, unit=unit,
                   provenance=provenance, stated_output=out, output_tol=tol,
                   negatives=negatives)


def _version() -> str:
    from autarky import __version__

    return __version__


def _bea_supply(sh: _Sheet, rounding: float) -> dict[str, Any]:
    h, f = sh.header, sh.file
    special = {BEA_SUPPLY_COLUMNS[c]: k for k, c in enumerate(h) if c in BEA_SUPPLY_COLUMNS}
    if "t013" not in special:
        raise TableError("no column of total supply ('Total Industry Output', BEA's T013)",
                         file=f, column="Total Industry Output")
    first = min(special.values())
    industries, cols = h[1:first], list(range(1, first))
    if BEA_SUPPLY_TOTAL not in sh.labels:
        raise TableError(f"no row {quoted(BEA_SUPPLY_TOTAL)} (industry output)", file=f,
                         row=BEA_SUPPLY_TOTAL)
    tr = sh.labels.index(BEA_SUPPLY_TOTAL)
    crow = [i for i in range(1, tr) if sh.labels[i]]
    com = [sh.labels[i] for i in crow]
    _unique(com, f, "row")
    _unique(industries, f, "column")
    Vt = sh.block(crow, cols)
    notes = [f"{int((Vt < 0).sum())} negative output(s) kept, the largest {Vt.min():g} "
             f"({com[i]} by {industries[j]})" for i, j in np.argwhere(Vt == Vt.min())[:1]
             if Vt.min() < 0]  # BEA publishes a few (71: -87 of insurance)
    g_pub = sh.block([tr], cols)[0]
    _agree(Vt.sum(axis=0), g_pub, len(com), rounding, f, BEA_SUPPLY_TOTAL, industries,
           "the industry's column sums to")

    def col(key: str) -> np.ndarray:
        return sh.block(crow, [special[key]])[:, 0] if key in special else np.zeros(len(com))

    t013, cif, q = col("t013"), col("cif"), Vt.sum(axis=1)
    k = len(industries)
    if "t007" in special:
        _agree(q, col("t007"), k, rounding, f, com, "Total Commodity Output",
               "the commodity's row sums to")
    if "imports" in special:
        m = col("imports")
        _no_negative(m[:, None], f, com, ["Imports"], "import")
        base, kk = (col("t007"), 3) if "t007" in special else (q, k + 2)
        _agree(base + m + cif, t013, kk, rounding, f, com, h[special["t013"]],
               "output, imports and CIF/FOB adjustments add to")
    else:
        m = t013 - q - cif
        if (m < -rounding * (k + 2)).any():
            i = int(np.argmin(m))
            raise TableError(f"total supply {t013[i]:.10g} is less than output and CIF/FOB "
                             f"adjustments ({q[i] + cif[i]:.10g}): negative imports", file=f,
                             row=com[i], column=h[special["t013"]])
        m = np.maximum(m, 0.0)
        notes.append("imports by commodity: total supply (T013) less output less CIF/FOB "
                     "adjustments (the file has no imports column)")
    return {"file": f, "industries": industries, "commodities": com, "Vt": Vt, "g": g_pub,
            "t007": col("t007") if "t007" in special else None, "m": m, "notes": notes}


def _bea_use(sh: _Sheet, sup: dict[str, Any], rounding: float) -> dict[str, Any]:
    h, f = sh.header, sh.file
    t001 = next((k for k, c in enumerate(h) if c in ("Total Intermediate", "T001")), None)
    if t001 is None:
        raise TableError("no column 'Total Intermediate' (T001)", file=f,
                         column="Total Intermediate")
    t019 = next((k for k, c in enumerate(h) if c in ("Total use of products", "T019")), None)
    for need in BEA_ROWS:
        if need not in sh.labels:
            raise TableError(f"no row {quoted(need)}", file=f, row=need)
    ti, va, out = (sh.labels.index(r) for r in BEA_ROWS)
    crow = [i for i in range(1, ti) if sh.labels[i]]
    com, inds = [sh.labels[i] for i in crow], h[1:t001]
    _unique(com, f, "row")
    for c in sup["commodities"]:
        if c not in com:
            raise TableError(f"the commodity {quoted(c)} of the supply table {sup['file']} is not a "
                             "row of the use table", file=f, row=c)
    for c in com:
        if c not in sup["commodities"]:
            raise TableError(f"the commodity {quoted(c)} is not a row of the supply table "
                             f"{sup['file']}", file=f, row=c)
    names = sup["industries"]
    codes = None
    if sorted(inds) == sorted(names):
        jcols = [1 + inds.index(n) for n in names]
    elif len(inds) == len(names) and not set(inds) & set(names):  # codes, by position
        jcols, codes = list(range(1, t001)), inds
    else:
        gone = [n for n in names if n not in inds]
        extra = [n for n in inds if n not in names]
        raise TableError(
            f"the industry {quoted(gone[0])} of the supply table {sup['file']} is not a column of "
            "the use table" if gone else
            f"the industry {quoted(extra[0])} is not a column of the supply table {sup['file']}",
            file=f, row=h[0] or "(header)", column=gone[0] if gone else extra[0])
    order = [crow[com.index(c)] for c in sup["commodities"]]
    rl, cl = sup["commodities"], [h[j] for j in jcols]
    U = sh.block(order, jcols, rl)
    _no_negative(U, f, rl, cl, "intermediate use", BEA_NEGATIVE_USES)
    fd = list(range(t001 + 1, t019 if t019 is not None else len(h)))
    E = sh.block(order, fd, rl)
    vrow = [i for i in range(ti + 1, va) if sh.labels[i]]
    sign = np.array([-1.0 if sh.labels[i].startswith("Less:") else 1.0 for i in vrow])
    W = sign[:, None] * sh.block(vrow, jcols)
    va_rows = [sh.labels[i].removeprefix("Less:").strip() + " (negated)"
               if s < 0 else sh.labels[i] for i, s in zip(vrow, sign, strict=True)]
    nc = len(rl)
    _agree(U.sum(axis=1), sh.block(order, [t001], rl)[:, 0], len(cl), rounding, f, rl,
           h[t001], "the commodity's intermediate uses add to")
    _agree(np.r_[U.sum(axis=0), E.sum(axis=0)], sh.block([ti], jcols + fd)[0], nc, rounding,
           f, BEA_ROWS[0], [h[j] for j in jcols + fd], "the column's commodity rows add to")
    g = sh.block([out], jcols)[0]
    _agree(W.sum(axis=0), sh.block([va], jcols)[0], len(vrow), rounding, f, BEA_ROWS[1], cl,
           "the value-added components add to")
    _agree(sh.block([ti], jcols)[0] + sh.block([va], jcols)[0], g, 2, rounding, f,
           BEA_ROWS[2], cl, "intermediate inputs and value added add to")
    _agree(sup["g"], g, 1, rounding, f, BEA_ROWS[2], cl,
           f"'{BEA_SUPPLY_TOTAL}' in the supply table {sup['file']} is")
    notes = []
    if t019 is not None:
        gap = np.abs(U.sum(axis=1) + E.sum(axis=1) - sh.block(order, [t019], rl)[:, 0])
        i = int(np.argmax(gap))
        notes.append(f"'{h[t019]}' (not used) is off its entries by up to {gap[i]:.6g} "
                     f"(row {rl[i]})")
    return {"U": U, "E": E, "W": W, "va_rows": va_rows, "g": g, "notes": notes,
            "categories": [_fd_name(h[k]) for k in fd],
            "codes": dict(zip(names, codes, strict=True)) if codes else None}


def read_bea_sut(path: str | Path, *, use: str | Path | None = None,
                 industries: int | None = None, technology: str = "industry",
                 by: str = "industry", negatives: str = "move", region: str = "USA",
                 rounding: float = 0.5, year: int | str | None = None) -> MRIO:
    """The BEA supply and use tables (see the module docstring) as a symmetric one-region
    :class:`MRIO` in USD million, with BEA's imports as ``imports_out``.

    Parameters
    ----------
    path
        A folder holding one pair ``make_X.csv``/``use_X.csv`` (or several, one chosen by
        ``industries``: 15 or 71, read from the header), or the supply or the use file (the
        other one beside it), or the supply file with ``use``.
    technology, by
        The construct (:func:`autarky.mrio.sut.symmetric`): ``"industry"`` or ``"product"``
        technology, ``"industry"`` by industry or ``"product"`` by product.
    negatives
        ``"move"`` (to an adjustment row and column) or ``"refuse"``.
    rounding
        Half the unit the files round to (0.5: whole USD millions); ``0``: exact sums.
    year
        For the provenance (default: the year quantecon-book-networks states for its files).
    """
    sp, up = _pair(path, use, "bea", industries)
    sup = _bea_supply(_Sheet(sp), rounding)
    u = _bea_use(_Sheet(up), sup, rounding)
    com, inds, Vt, m = sup["commodities"], sup["industries"], sup["Vt"], sup["m"]
    val = Vt.sum(axis=1) + m - u["U"].sum(axis=1) - u["E"].sum(axis=1)
    prov: dict[str, Any] = {
        "format": "bea-sut", "file": str(sp), "use_file": str(up),
        "release": f"BEA supply and use tables, {len(inds)} industries (supply at basic, use "
                   "at purchasers' prices)", "year": year or KNOWN_YEARS.get(sp.name),
        "licence": BEA_LICENCE, "reader": f"autarky {_version()} bea-sut",
        "notes": [*sup["notes"], *u["notes"],
                  f"'{VALUATION}': total supply at basic prices less total use at purchasers' "
                  "prices, by commodity"]}
    if u["codes"]:
        prov["codes"] = u["codes"]
    return _build(u["U"], Vt, np.hstack([u["E"], val[:, None]]), u["W"], m, com, inds,
                  [*u["categories"], VALUATION], u["va_rows"], (u["g"], sup["t007"]),
                  technology=technology, by=by, negatives=negatives, region=region,
                  unit="USD million", rounding=rounding, provenance=prov)


def _ras(mask: np.ndarray, r: np.ndarray, c: np.ndarray, file: str) -> np.ndarray:
    """Non-negative cells on ``mask`` with row sums ``r`` and column sums ``c`` (RAS from
    ones)."""
    X = mask.astype(float)
    for _ in range(20000):
        s = X.sum(axis=1)
        X *= np.divide(r, s, out=np.zeros_like(r), where=s > 0)[:, None]
        s = X.sum(axis=0)
        X *= np.divide(c, s, out=np.zeros_like(c), where=s > 0)[None, :]
        if np.abs(X.sum(axis=1) - r).max() <= 1e-9 * max(float(r.sum()), 1.0):
            return X
    raise TableError("the cells not published (n.p.) cannot be filled to the totals they "
                     "leave", file=file)


def _abs_supply(sh: _Sheet, rounding: float) -> dict[str, Any]:
    h, f = sh.header, sh.file
    if h[-1:] != ["total"]:
        raise TableError("no column 'total' (product output) at the end of the header", file=f,
                         column="total")
    inds, cols = h[1:-1], list(range(1, len(h) - 1))
    prow = [i for i in range(1, len(sh.rows)) if sh.labels[i]]
    last = prow[-1] if prow else 0
    trow = next((i for i in range(last + 1, len(sh.rows)) if any(sh.rows[i][1:])), None)
    stray = [i for i in range(1, last) if not sh.labels[i] and any(sh.rows[i][1:])]
    if stray:
        raise TableError(f"an unlabelled row (line {stray[0] + 1}) among the products", file=f)
    if trow is None:
        raise TableError("no totals row (the unlabelled row of industry output below the "
                         "products)", file=f, row="(totals row)")
    com = [sh.labels[i] for i in prow]
    _unique(com, f, "row")
    _unique(inds, f, "column")
    Vt = sh.block(prow, cols, suppressed=True)
    _no_negative(np.nan_to_num(Vt), f, com, inds, "output")
    q, g = sh.block(prow, [len(h) - 1])[:, 0], sh.block([trow], cols, ["(totals row)"])[0]
    hole = np.isnan(Vt)
    rgap, cgap = q - np.nansum(Vt, axis=1), g - np.nansum(Vt, axis=0)
    full_r, full_c = ~hole.any(axis=1), ~hole.any(axis=0)
    _agree(np.nansum(Vt, axis=1)[full_r], q[full_r], len(inds), rounding, f,
           [c for c, k in zip(com, full_r, strict=True) if k], "total",
           "the product's row sums to")
    _agree(np.nansum(Vt, axis=0)[full_c], g[full_c], len(com), rounding, f, "(totals row)",
           [c for c, k in zip(inds, full_c, strict=True) if k], "the industry's column sums to")
    for gaps, labels, axis in ((rgap, com, "row"), (cgap, inds, "column")):
        if (gaps < -rounding * (len(gaps) + 1)).any():
            i = int(np.argmin(gaps))
            raise TableError(f"the published cells add to more than the total (by "
                             f"{-gaps[i]:.10g}), leaving nothing for the n.p. cells", file=f,
                             **{axis: labels[i]})  # type: ignore[arg-type]
    notes = []
    if hole.any():
        r, c = np.maximum(rgap[hole.any(axis=1)], 0), np.maximum(cgap[hole.any(axis=0)], 0)
        if abs(r.sum() - c.sum()) > rounding * (hole.sum() + 2):
            raise TableError(f"the n.p. cells leave {r.sum():.10g} in the rows' totals but "
                             f"{c.sum():.10g} in the columns'", file=f)
        sub = hole[np.ix_(hole.any(axis=1), hole.any(axis=0))]
        fill = _ras(sub, r, c * (r.sum() / c.sum() if c.sum() else 0.0), f)
        Vt[hole] = fill[sub]
        notes.append(f"{int(hole.sum())} cells not published (n.p.), {r.sum():.10g} in all, "
                     "filled by RAS to their rows' and columns' totals")
    return {"file": f, "industries": inds, "commodities": com, "Vt": Vt, "q": q, "g": g,
            "notes": notes}


def _abs_use(sh: _Sheet, sup: dict[str, Any]) -> np.ndarray:
    h, f, inds, com = sh.header, sh.file, sup["industries"], sup["commodities"]
    _unique(h, f, "column")
    for n in inds:
        if n not in h:
            raise TableError(f"the industry {quoted(n)} of the supply table {sup['file']} is not a "
                             "column of the use table", file=f, row="(header)", column=n)
    for n in h:
        if n not in inds:
            raise TableError(f"the industry {quoted(n)} is not a column of the supply table "
                             f"{sup['file']}", file=f, row="(header)", column=n)
    if sorted(com) != sorted(h):
        raise TableError("the use table's rows have no labels: they are read as the products "
                         "in the order of its header, which needs the supply table's products "
                         "to be its header's codes", file=f)
    rows = [i for i in range(1, len(sh.rows)) if any(sh.rows[i])]
    if len(rows) != len(com):
        raise TableError(f"{len(rows)} product rows; the supply table {sup['file']} has "
                         f"{len(com)} products", file=f, row=f"(row {len(rows)})")
    U = sh.block(rows, list(range(len(h))), list(h))
    _no_negative(U, f, list(h), list(h), "intermediate use")
    return U[np.ix_([h.index(c) for c in com], [h.index(n) for n in inds])]


def read_abs_sut(path: str | Path, *, use: str | Path | None = None,
                 industries: int | None = None, technology: str = "industry",
                 by: str = "industry", negatives: str = "move", region: str = "AUS",
                 rounding: float = 0.5, year: int | str | None = None) -> MRIO:
    """The ABS supply table and intermediate use block (see the module docstring) as a
    symmetric one-region :class:`MRIO` in AUD million; the parameters as
    :func:`read_bea_sut`'s."""
    sp, up = _pair(path, use, "abs", industries)
    sup = _abs_supply(_Sheet(sp), rounding)
    U = _abs_use(_Sheet(up), sup)
    Vt, com, inds = sup["Vt"], sup["commodities"], sup["industries"]
    E = (Vt.sum(axis=1) - U.sum(axis=1))[:, None]
    W = (Vt.sum(axis=0) - U.sum(axis=0))[None, :]
    prov: dict[str, Any] = {
        "format": "abs-sut", "file": str(sp), "use_file": str(up),
        "release": f"ABS input-output tables: supply, and use at basic prices, {len(inds)} "
                   "industries", "year": year or KNOWN_YEARS.get(sp.name),
        "licence": ABS_LICENCE, "reader": f"autarky {_version()} abs-sut",
        "notes": [*sup["notes"], "final demand and value added are residuals (output less "
                  "intermediate use); no imports column"]}
    return _build(U, Vt, E, W, None, com, inds, ["Final uses less imports (residual)"],
                  ["Primary inputs (residual)"], (sup["g"], sup["q"]), technology=technology,
                  by=by, negatives=negatives, region=region, unit="AUD million",
                  rounding=rounding, provenance=prov)


def _bea(path: str | Path, **options: Any) -> MRIO:
    return read_bea_sut(path, **options)


def _abs(path: str | Path, **options: Any) -> MRIO:
    return read_abs_sut(path, **options)


register("bea-sut", _bea)
register("abs-sut", _abs)

__all__ = ["ABS_LICENCE", "BEA_LICENCE", "VALUATION", "read_abs_sut", "read_bea_sut"]
