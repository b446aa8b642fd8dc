"""CEPII BACI trade files as a tidy frame of bilateral flows by HS6 product.

BACI (Gaulier and Zignago 2010) reconciles the declarations of exporters and importers in UN
Comtrade into one flow per year, exporter, importer and HS6 product. A release ships one CSV a
year, ``BACI_<HS>_Y<yyyy>_V<release>.csv`` (about ten million rows), with the header
``t,i,j,k,v,q``:

* ``t`` the year; ``i`` the exporter and ``j`` the importer, as BACI's numeric country codes;
* ``k`` the HS6 product, six digits with its leading zero (``010121``: read as a string, never
  as a number, or ``10121`` comes out);
* ``v`` the value in thousands of current US dollars (FOB);
* ``q`` the quantity in metric tons, missing in about 2 % of the flows and then written ``NA``,
  padded with spaces like the numbers.

The country file ``country_codes_V<release>.csv`` maps the numeric codes to ISO 3166 alpha-3
codes. Two headers are read: ``country_code,country_name,country_iso2,country_iso3`` (the newer
releases) and ``country_code,country_name_abbreviation,country_name_full,iso_2digit_alpha,
iso_3digit_alpha`` (the one other readers unpack for V202301; which of the two V202301 itself
has is not confirmed, ``shared/research/table-layouts.md`` section 7).

:func:`read_baci` returns the frame every function of :mod:`autarky.products` takes:
``year, exporter, importer, product, value, quantity``, with ``attrs["units"]`` (``value``:
thousand USD, ``quantity``: t) and ``attrs["provenance"]`` (file, release, HS revision,
licence). BACI is published under the Etalab Open Licence 2.0 (as the CEPII dataset record
quoted by the TIB data service states: "Licensed EtaLab Open Licence v2.0").
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from autarky.errors import BadValueError, TableError

#: The columns of a tidy trade frame, in order.
COLUMNS = ("year", "exporter", "importer", "product", "value", "quantity")
#: Units of a tidy trade frame's values (BACI's own).
UNITS = {"value": "thousand USD", "quantity": "t"}
#: The header of a BACI trade file.
BACI_COLUMNS = ("t", "i", "j", "k", "v", "q")
LICENCE = "Etalab Open Licence 2.0"
CITATION = ("Gaulier, G. and Zignago, S. (2010), BACI: International Trade Database at the "
            "Product-Level. The 1994-2007 Version, CEPII Working Paper 2010-23")
#: The two known headers of BACI's country file: (code, name, ISO3) column names in each.
COUNTRY_HEADERS = (("country_code", "country_name", "country_iso3"),
                   ("country_code", "country_name_full", "iso_3digit_alpha"))

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_INTEGER = re.compile(r"^[+-]?\d+$")


def parse_name(path: str | Path) -> dict[str, Any]:
    """The HS revision, year and release a BACI file name carries (None where it does not).

    Examples
    --------
    >>> parse_name("data/BACI_HS17_Y2021_V202301.csv")
    {'hs': 'HS17', 'year': 2021, 'release': 'V202301'}
    >>> parse_name("trade.csv")
    {'hs': None, 'year': None, 'release': None}
    """
    name = Path(path).name
    hs = re.search(r"(?:^|_)(HS\d\d)(?:_|$)", name)
    year = re.search(r"_Y(\d{4})(?:_|\.|$)", name)
    release = re.search(r"(?:^|_)(V\d{6})(?:_|\.|$)", name)
    return {"hs": hs.group(1) if hs else None, "year": int(year.group(1)) if year else None,
            "release": release.group(1) if release else None}


def read_header(path: Path) -> tuple[list[str], str]:
    """The column names of a CSV file's first line (spaces and a byte-order mark removed) and
    its delimiter (a comma, or a tab where the line has tabs and no commas)."""
    if not path.is_file():
        raise TableError("no such file", file=str(path))
    with path.open("rb") as fh:
        first = fh.readline().decode("utf-8-sig", errors="replace").rstrip("\r\n")
    if not first.strip():
        raise TableError("the file is empty or its first line is blank; a header was expected",
                         file=str(path), line=1)
    delimiter = "\t" if "\t" in first and "," not in first else ","
    return [c.strip() for c in next(csv.reader([first], delimiter=delimiter))], delimiter


def require_columns(header: list[str], needed: Iterable[str], file: str, layout: str) -> None:
    """A :class:`TableError` naming the first column of ``needed`` the header lacks."""
    for col in needed:
        if col not in header:
            raise TableError(f"missing column {col!r}; {layout} has the columns "
                             f"{','.join(needed)} (this header: {','.join(header)[:200]})",
                             file=file, line=1, column=col)


def first_bad(mask: np.ndarray) -> int | None:
    """Position of the first True in ``mask`` (None where there is none)."""
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else None


def check_codes(products: Any, file: str, column: str, line_of: Any = None) -> None:
    """A :class:`TableError` at the first product code (a sequence or an arrow array of
    strings) that is not six digits."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = products if isinstance(products, pa.Array | pa.ChunkedArray) else pa.array(
        list(products), pa.string())
    ok = pc.fill_null(pc.match_substring_regex(arr, r"^[0-9]{6}$"), False)
    k = first_bad(~ok.to_numpy(zero_copy_only=False))
    if k is not None:
        raise TableError(f"product code {arr[k].as_py()!r} is not six digits (HS6 codes keep "
                         "their leading zero, e.g. 010121)", file=file,
                         line=line_of(k) if line_of else k + 2, column=column)


def check_values(values: np.ndarray, file: str, column: str, what: str, line_of: Any = None,
                 missing_ok: bool = False) -> None:
    """A :class:`TableError` at the first missing (unless ``missing_ok``), infinite or negative
    number of ``values``."""
    line = line_of or (lambda k: k + 2)
    bad = ~np.isfinite(values) if not missing_ok else np.isinf(values)
    k = first_bad(bad)
    if k is not None:
        raise TableError(f"missing or non-finite {what}", file=file, line=line(k), column=column)
    k = first_bad(values < 0)
    if k is not None:
        raise TableError(f"negative {what} {values[k]:g}", file=file, line=line(k), column=column)


def read_country_codes(path: str | Path) -> pd.DataFrame:
    """BACI's country file: one row per numeric code, with its ``name`` and ``iso3``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "country_codes_V202301.csv"
    ...     _ = p.write_text("country_code,country_name,country_iso2,country_iso3\\n"
    ...                      "4,Afghanistan,AF,AFG\\n276,Germany,DE,DEU\\n")
    ...     codes = read_country_codes(p)
    >>> codes.loc[276, "iso3"]
    'DEU'
    """
    path = Path(path)
    header, delimiter = read_header(path)
    cols = next((h for h in COUNTRY_HEADERS if all(c in header for c in h)), None)
    if cols is None:
        missing = next(c for c in COUNTRY_HEADERS[0] if c not in header)
        raise TableError(f"missing column {missing!r}; a BACI country file has the columns "
                         "country_code,country_name,country_iso2,country_iso3 (or, in older "
                         "releases, country_code,country_name_abbreviation,country_name_full,"
                         "iso_2digit_alpha,iso_3digit_alpha)", file=str(path), line=1,
                         column=missing)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, sep=delimiter,
                      encoding="utf-8-sig", encoding_errors="replace")
    raw.columns = [c.strip() for c in raw.columns]
    code_s = raw[cols[0]].str.strip()
    bad = first_bad(~code_s.str.fullmatch(r"\d+").to_numpy(bool))
    if bad is not None:
        raise TableError(f"country code {code_s.iloc[bad]!r} is not a number", file=str(path),
                         line=bad + 2, column=cols[0])
    codes = code_s.astype(np.int64).to_numpy()
    dup = first_bad(pd.Index(codes).duplicated())
    if dup is not None:
        raise TableError(f"country code {codes[dup]} is given twice", file=str(path),
                         line=dup + 2, column=cols[0])
    iso = raw[cols[2]].str.strip().to_numpy(dtype=object)
    # a code without an ISO3 code keeps its number as its id
    iso = np.where(iso == "", code_s.to_numpy(dtype=object), iso)
    out = pd.DataFrame({"name": raw[cols[1]].str.strip().to_numpy(dtype=object), "iso3": iso},
                       index=pd.Index(codes, name="code"))
    out.attrs["file"] = str(path)
    return out


def _diagnose(path: Path, header: list[str], delimiter: str, types: Mapping[str, str],
              fallback: str) -> TableError:
    """Find, by reading the file line by line, the first line a typed read refused: a wrong
    number of fields, or a field of ``types`` (``int`` or ``float``) that is not a number."""
    pos = {c: header.index(c) for c in types}
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        rows = csv.reader(fh, delimiter=delimiter)
        next(rows, None)
        for n, row in enumerate(rows, start=2):
            if len(row) != len(header):
                return TableError(f"{len(row)} fields where the header has {len(header)}",
                                  file=str(path), line=n)
            for col, kind in types.items():
                cell = row[pos[col]].strip()
                pattern = _INTEGER if kind == "int" else _NUMBER
                if not pattern.match(cell):
                    return TableError(f"{cell!r} is not {'an integer' if kind == 'int' else 'a number'}",
                                      file=str(path), line=n, column=col)
    return TableError(f"cannot read the file: {fallback}", file=str(path))


def _map_countries(codes: Any, countries: pd.DataFrame, file: str, column: str,
                   line_of: Any) -> Any:
    """ISO3 codes (an arrow array) of BACI numeric ``codes`` (an arrow integer column); a
    :class:`TableError` at the first code the country file lacks."""
    import pyarrow as pa
    import pyarrow.compute as pc

    known = pa.array(countries.index.to_numpy(dtype=np.int64))
    pos = pc.index_in(codes, value_set=known)
    k = first_bad(pos.is_null().to_numpy(zero_copy_only=False))
    if k is not None:
        where = countries.attrs.get("file", "the country file")
        raise TableError(f"country code {codes[k].as_py()} is not in {where}", file=file,
                         line=line_of(k), column=column)
    return pc.take(pa.array(countries["iso3"].astype(str).tolist(), pa.string()), pos)


def read_baci(path: str | Path, countries: str | Path | pd.DataFrame | None = None
              ) -> pd.DataFrame:
    """Read a BACI trade file (``t,i,j,k,v,q``) into a tidy frame of flows.

    Parameters
    ----------
    path
        A yearly BACI CSV, e.g. ``BACI_HS17_Y2021_V202301.csv``.
    countries
        BACI's ``country_codes_V<release>.csv`` (or its :func:`read_country_codes` frame): with
        it, exporters and importers are ISO3 codes; without, BACI's numeric codes as strings.

    Returns
    -------
    pandas.DataFrame
        ``year`` (int), ``exporter``, ``importer``, ``product`` (six-digit strings), ``value``
        (thousand USD) and ``quantity`` (t; NaN where BACI has ``NA``); ``attrs["units"]`` and
        ``attrs["provenance"]`` (source, file, release, HS revision, licence, citation).

    Raises
    ------
    TableError
        Naming the file, the line and the column: a missing column, a field that is not a
        number, a product code that is not six digits, a negative value or quantity, a country
        code the country file lacks.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "BACI_HS17_Y2021_V202301.csv"
    ...     _ = p.write_text("t,i,j,k,v,q\\n2021,4,276,010121,  12.5,         NA\\n"
    ...                      "2021,276,4,270900,3.25,  1.5\\n")
    ...     df = read_baci(p)
    >>> df[["exporter", "importer", "product", "value", "quantity"]].values.tolist()
    [['4', '276', '010121', 12.5, nan], ['276', '4', '270900', 3.25, 1.5]]
    >>> df.attrs["units"], df.attrs["provenance"]["release"]
    ({'value': 'thousand USD', 'quantity': 't'}, 'V202301')
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    path = Path(path)
    file = str(path)
    header, delimiter = read_header(path)
    require_columns(header, BACI_COLUMNS, file, "a BACI trade file")
    country_frame = (countries if isinstance(countries, pd.DataFrame) or countries is None
                     else read_country_codes(countries))
    types = {"t": pa.int64(), "i": pa.int64(), "j": pa.int64(), "k": pa.string(),
             "v": pa.float64(), "q": pa.string()}
    try:
        tbl = pacsv.read_csv(
            path, read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types=types,
                                                 include_columns=list(BACI_COLUMNS),
                                                 strings_can_be_null=False))
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise _diagnose(path, header, delimiter,
                        {"t": "int", "i": "int", "j": "int", "v": "float"},
                        str(exc).splitlines()[0]) from None
    # a blank line (at the end of a file, say) is no flow; the others keep their line numbers
    null = {c: tbl.column(c).is_null().to_numpy(zero_copy_only=False) for c in "tijv"}
    blank = (null["t"] & null["i"] & null["j"] & null["v"]
             & pc.equal(tbl.column("k"), "").to_numpy(zero_copy_only=False)
             & pc.equal(tbl.column("q"), "").to_numpy(zero_copy_only=False))
    rows = np.flatnonzero(~blank)
    if blank.any():
        tbl = tbl.filter(pa.array(~blank))
        null = {c: v[rows] for c, v in null.items()}

    def line_of(k: int) -> int:
        return int(rows[k]) + 2

    for col in ("t", "i", "j"):
        k = first_bad(null[col])
        if k is not None:
            raise TableError("missing value", file=file, line=line_of(k), column=col)
    products = pc.utf8_trim_whitespace(tbl.column("k"))
    check_codes(products, file, "k", line_of)
    value = tbl.column("v").to_numpy(zero_copy_only=False).astype(float)
    check_values(value, file, "v", "value", line_of)
    quantity = _quantity(tbl.column("q"), file, "q", line_of)
    if country_frame is not None:
        exporter = _map_countries(tbl.column("i"), country_frame, file, "i", line_of)
        importer = _map_countries(tbl.column("j"), country_frame, file, "j", line_of)
    else:
        exporter, importer = pc.cast(tbl.column("i"), pa.string()), pc.cast(tbl.column("j"),
                                                                              pa.string())
    out = pa.table({"year": tbl.column("t"), "exporter": exporter, "importer": importer,
                    "product": products, "value": pa.array(value),
                    "quantity": pa.array(quantity)})
    del tbl, exporter, importer, products
    named = parse_name(path)
    prov = {"source": "CEPII BACI", "file": file, "release": named["release"],
            "hs": named["hs"], "licence": LICENCE, "citation": CITATION,
            "countries": (None if country_frame is None
                          else country_frame.attrs.get("file", "frame")),
            "country_codes": "BACI numeric" if country_frame is None else "ISO3"}
    df = out.to_pandas(split_blocks=True, self_destruct=True)
    df.attrs["units"] = dict(UNITS)
    df.attrs["provenance"] = prov
    return df


def _quantity(column: Any, file: str, name: str, line_of: Any) -> np.ndarray:
    """BACI's ``q`` strings (an arrow column) as floats: stripped, ``NA`` or empty as NaN; a
    :class:`TableError` at the first that is not a number or is negative."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pc.utf8_trim_whitespace(column)
    missing = pc.or_(pc.equal(text, "NA"), pc.equal(text, ""))
    try:
        out = pc.cast(pc.if_else(missing, pa.scalar(None, pa.string()), text), pa.float64())
    except pa.ArrowInvalid:
        cells = text.to_pylist()
        k = next((n for n, c in enumerate(cells) if c not in ("NA", "") and not _NUMBER.match(c)),
                 None)
        if k is None:
            raise TableError("a quantity is not a number", file=file, column=name) from None
        raise TableError(f"quantity {cells[k]!r} is not a number (or NA)", file=file,
                         line=line_of(k), column=name) from None
    values = np.asarray(out.to_numpy(zero_copy_only=False), dtype=float)
    check_values(values, file, name, "quantity", line_of, missing_ok=True)
    return values


def trade_frame(year: Any, exporter: Any, importer: Any, product: Any, value: Any,
                quantity: Any = None, provenance: Mapping[str, Any] | None = None,
                units: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A tidy trade frame from its columns, with its attrs.

    Examples
    --------
    >>> df = trade_frame([2021], ["CHN"], ["DEU"], ["854140"], [10.0])
    >>> list(df.columns), df.attrs["units"]["value"]
    (['year', 'exporter', 'importer', 'product', 'value', 'quantity'], 'thousand USD')
    """
    n = len(value)
    df = pd.DataFrame({
        "year": np.asarray(year, dtype=np.int64),
        "exporter": np.asarray(exporter, dtype=object),
        "importer": np.asarray(importer, dtype=object),
        "product": np.asarray(product, dtype=object),
        "value": np.asarray(value, dtype=float),
        "quantity": (np.full(n, np.nan) if quantity is None
                     else np.asarray(quantity, dtype=float)),
    })
    df.attrs["units"] = dict(units or UNITS)
    df.attrs["provenance"] = dict(provenance or {})
    return df


def check_trade(trade: pd.DataFrame) -> None:
    """A :class:`BadValueError` where ``trade`` is not a tidy trade frame (a column missing, a
    negative or missing value).

    Examples
    --------
    >>> check_trade(trade_frame([2021], ["CHN"], ["DEU"], ["854140"], [10.0]))
    >>> check_trade(pd.DataFrame({"year": [2021]}))
    Traceback (most recent call last):
    ...
    autarky.errors.BadValueError: a trade frame has the columns ...; missing: exporter, ...
    """
    if not isinstance(trade, pd.DataFrame):
        raise BadValueError(f"a trade frame is a pandas DataFrame, not {type(trade).__name__}")
    need = COLUMNS[:5]
    missing = [c for c in need if c not in trade.columns]
    if missing:
        raise BadValueError(f"a trade frame has the columns {', '.join(need)}; missing: "
                            f"{', '.join(missing)}")
    v = trade["value"].to_numpy(dtype=float)
    if v.size and (not np.all(np.isfinite(v)) or v.min() < 0):
        raise BadValueError("a trade frame's values are finite and non-negative")


def concat_trade(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Several trade frames (one a year, say) as one; ``attrs["provenance"]`` lists each
    frame's provenance under ``parts`` (and keeps the common entries at the top).

    Examples
    --------
    >>> a = trade_frame([2020], ["CHN"], ["DEU"], ["854140"], [10.0], provenance={"file": "a"})
    >>> b = trade_frame([2021], ["CHN"], ["DEU"], ["854140"], [12.0], provenance={"file": "b"})
    >>> both = concat_trade([a, b])
    >>> both["year"].tolist(), [p["file"] for p in both.attrs["provenance"]["parts"]]
    ([2020, 2021], ['a', 'b'])
    """
    frames = list(frames)
    if not frames:
        raise BadValueError("no trade frame to join")
    units = [f.attrs.get("units", UNITS) for f in frames]
    if any(u != units[0] for u in units):
        raise BadValueError(f"trade frames in different units cannot be joined: {units}")
    if len(frames) == 1:
        return frames[0]
    provs = [dict(f.attrs.get("provenance", {})) for f in frames]
    common = {k: v for k, v in provs[0].items() if all(p.get(k) == v for p in provs[1:])}
    out = pd.concat([f[[c for c in COLUMNS if c in f.columns]] for f in frames],
                    ignore_index=True)
    out.attrs["units"] = dict(units[0])
    out.attrs["provenance"] = {**common, "parts": provs}
    return out
