"""UN Comtrade (Comtrade Plus) bulk or API CSV as the tidy trade frame of
:mod:`autarky.products.baci`.

A Comtrade Plus file has one row per reporter, partner, flow and commodity, with the header
(``shared/research/table-layouts.md`` section 7)::

    typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,reporterDesc,
    flowCode,flowDesc,partnerCode,partnerISO,partnerDesc,partner2Code,partner2ISO,partner2Desc,
    classificationCode,classificationSearchCode,isOriginalClassification,cmdCode,cmdDesc,
    aggrLevel,isLeaf,customsCode,customsDesc,mosCode,motCode,motDesc,qtyUnitCode,qtyUnitAbbr,
    qty,isQtyEstimated,altQtyUnitCode,altQtyUnitAbbr,altQty,isAltQtyEstimated,netWgt,
    isNetWgtEstimated,grossWgt,isGrossWgtEstimated,cifvalue,fobvalue,primaryValue,
    legacyEstimationFlag,isReported,isAggregate

:func:`read_comtrade` needs ``refYear, reporterISO, partnerISO, flowCode, cmdCode,
primaryValue`` and uses ``netWgt``, ``partnerCode``, ``partner2Code``, ``customsCode``,
``motCode`` and ``aggrLevel`` where the file has them. It keeps one flow direction (imports as
the importers declare them, ``flowCode`` ``M``, by default; or exports, ``X``), drops the partner
World (``partnerCode`` 0, ``partnerISO`` W00) and every breakdown that would count a flow twice:
rows with a second partner other than World (``partner2Code`` 0), a customs procedure other
than the total (``customsCode`` C00), a mode of transport other than the total (``motCode`` 0),
and commodity aggregates (``aggrLevel`` other than 6). Those total codes are the ones the
Comtrade Plus documentation and its users give (e.g. the README of
Ounoughi-Chahinez/MLforInternationalTrade); the legacy (pre-2023) Comtrade header is not read.

Values are converted to the units of BACI, so that frames from both sources join: ``value`` is
``primaryValue`` (US dollars: CIF for imports, FOB for exports) divided by 1000, ``quantity`` the
net weight ``netWgt`` (kg) divided by 1000 (t).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from autarky.errors import BadValueError, TableError
from autarky.products.baci import (
    check_codes,
    check_values,
    first_bad,
    read_header,
    require_columns,
    trade_frame,
)

#: Columns a Comtrade file must have.
REQUIRED = ("refYear", "reporterISO", "partnerISO", "flowCode", "cmdCode", "primaryValue")
#: Columns used where present, with the code of their total (the row kept).
TOTALS = {"partner2Code": "0", "customsCode": "C00", "motCode": "0", "aggrLevel": "6"}
OPTIONAL = ("partnerCode", "netWgt", *TOTALS)
WORLD = ("0", "W00")


def _numbers(text: pd.Series, rows: np.ndarray, file: str, column: str, what: str,
             missing_ok: bool = False) -> np.ndarray:
    """Strings as floats; a :class:`TableError` at the first that is not a number (empty is NaN
    where ``missing_ok``), missing or negative."""
    num = pd.to_numeric(text.where(text != "", None), errors="coerce").to_numpy(dtype=float)
    bad = first_bad(np.isnan(num) & (text.to_numpy(dtype=object) != ""))
    if bad is not None:
        raise TableError(f"{what} {text.iloc[bad]!r} is not a number", file=file,
                         line=int(rows[bad]) + 2, column=column)
    check_values(num, file, column, what, line_of=lambda k: int(rows[k]) + 2,
                 missing_ok=missing_ok)
    return num


def read_comtrade(path: str | Path, flow: str = "M") -> pd.DataFrame:
    """Read a UN Comtrade Plus CSV into a tidy trade frame (see the module docstring).

    Parameters
    ----------
    path
        A Comtrade Plus CSV (comma- or tab-separated; a ``.gz`` is read as such).
    flow
        ``M``: the importers' declarations (reporter = importer, partner = exporter);
        ``X``: the exporters' (reporter = exporter, partner = importer).

    Returns
    -------
    pandas.DataFrame
        ``year, exporter, importer, product, value`` (thousand USD), ``quantity`` (t), ISO3
        country codes; ``attrs["units"]`` and ``attrs["provenance"]``.

    Raises
    ------
    TableError
        Naming the file, the line and the column: a missing column, a product code that is not
        six digits, a value that is not a number or is negative.

    Examples
    --------
    >>> import tempfile
    >>> head = "refYear,reporterISO,partnerISO,flowCode,cmdCode,primaryValue,netWgt\\n"
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "comtrade.csv"
    ...     _ = p.write_text(head + "2021,DEU,CHN,M,854140,2500000,120000\\n"
    ...                      "2021,DEU,W00,M,854140,9000000,400000\\n")
    ...     df = read_comtrade(p)
    >>> df[["exporter", "importer", "product", "value", "quantity"]].values.tolist()
    [['CHN', 'DEU', '854140', 2500.0, 120.0]]
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if flow not in ("M", "X"):
        raise BadValueError(f"flow {flow!r}: M (imports) or X (exports)")
    path = Path(path)
    file = str(path)
    header, delimiter = read_header(path)
    require_columns(header, REQUIRED, file, "a UN Comtrade Plus file")
    cols = [*REQUIRED, *(c for c in OPTIONAL if c in header)]
    try:
        tbl = pacsv.read_csv(
            path, read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in cols},
                                                 include_columns=cols,
                                                 strings_can_be_null=False))
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise TableError(f"cannot read the file: {str(exc).splitlines()[0]}", file=file) from None
    df = pd.DataFrame({c: pd.Series(np.asarray(tbl.column(c).to_numpy(zero_copy_only=False),
                                               dtype=object)).str.strip() for c in cols})
    del tbl
    keep = (df["flowCode"] == flow) & ~df["partnerISO"].isin(WORLD)
    if "partnerCode" in df:
        keep &= df["partnerCode"] != "0"
    for col, total in TOTALS.items():
        if col in df:
            keep &= df[col].isin((total, ""))
    rows = np.flatnonzero(keep.to_numpy(bool))
    df = df.iloc[rows].reset_index(drop=True)
    year_num = pd.to_numeric(df["refYear"], errors="coerce")
    bad = first_bad(year_num.isna().to_numpy() | (year_num % 1 != 0).to_numpy())
    if bad is not None:
        raise TableError(f"year {df['refYear'].iloc[bad]!r} is not a year", file=file,
                         line=int(rows[bad]) + 2, column="refYear")
    for col in ("reporterISO", "partnerISO"):
        bad = first_bad((df[col] == "").to_numpy())
        if bad is not None:
            raise TableError("missing country code", file=file, line=int(rows[bad]) + 2,
                             column=col)
    products = df["cmdCode"].to_numpy(dtype=object)
    check_codes(products, file, "cmdCode", line_of=lambda k: int(rows[k]) + 2)
    value = _numbers(df["primaryValue"], rows, file, "primaryValue", "value") / 1000.0
    weight = (_numbers(df["netWgt"], rows, file, "netWgt", "net weight", missing_ok=True)
              / 1000.0 if "netWgt" in df else None)
    reporter, partner = df["reporterISO"].to_numpy(dtype=object), df["partnerISO"].to_numpy(
        dtype=object)
    exporter, importer = (partner, reporter) if flow == "M" else (reporter, partner)
    prov = {"source": "UN Comtrade", "file": file, "flow": flow,
            "value_basis": ("primaryValue (USD; CIF for imports, FOB for exports), divided by "
                            "1000"),
            "quantity_basis": "netWgt (kg), divided by 1000" if weight is not None else None,
            "licence": "UN Comtrade terms of use (not checked here)",
            "country_codes": "ISO3"}
    return trade_frame(year_num.to_numpy(dtype=np.int64), exporter, importer, products, value,
                       weight, prov)
