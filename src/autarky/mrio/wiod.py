"""The World Input-Output Database, 2016 release (``WIOT2014_Nov16_ROW.xlsb``: 43 countries
and the rest of the world, 56 industries, 2000-2014, millions of US dollars).

The layout (``shared/research/table-layouts.md`` section 4.1, from MARIO's reader and its
fixture): one sheet named by the year; from the fifth column, row 3 holds the column codes
(industries ``A01`` .. ``U``, the final uses ``CONS_h``, ``CONS_np``, ``CONS_g``, ``GFCF``,
``INVEN``, and ``GO``), row 5 the column's country (``TOT`` for ``GO``); from row 7 the data,
with the row's code in the first column and its country in the third. Below the intermediate
rows, rows of country ``TOT``: ``II_fob`` (total intermediate use, not read), ``TXSP`` (taxes
less subsidies on products), ``EXP_adj``, ``PURR``, ``PURNR``, ``VA``, ``IntTTM`` and ``GO``
(output at basic prices, checked against the row totals and the ``GO`` column).

The ``.xlsb`` workbooks are read by pandas with ``pyxlsb`` (``pip install 'autarky[tables]'``);
a workbook saved as ``.xlsx`` in the same layout reads the same way (``openpyxl``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from autarky.checks import quoted
from autarky.errors import MissingDependencyError, TableError
from autarky.mrio.matrix import reader_name, year_in
from autarky.mrio.readers import register
from autarky.mrio.table import MRIO

#: Final-demand codes, in their order in each country.
FINAL_DEMAND = ("CONS_h", "CONS_np", "CONS_g", "GFCF", "INVEN")
#: The value-added rows read (country TOT), in order: every primary input of a column.
VALUE_ADDED = ("TXSP", "EXP_adj", "PURR", "PURNR", "VA", "IntTTM")
LICENCE = ("WIOD: Creative Commons Attribution 4.0 (Timmer et al. 2015, 'An illustrated user "
           "guide to the World Input-Output Database', Review of International Economics)")


def _frame(path: Path, sheet: str | int | None) -> Any:
    import pandas as pd

    engine = "pyxlsb" if path.suffix.lower() == ".xlsb" else None
    try:
        book = pd.ExcelFile(path, engine=engine)
    except ImportError:
        package = "pyxlsb" if engine else "openpyxl"
        raise MissingDependencyError(package, "reading WIOD workbooks", "tables") from None
    except (ValueError, OSError) as exc:
        raise TableError(f"not a workbook pandas reads ({exc})", file=str(path)) from None
    names = [str(n) for n in book.sheet_names]
    if sheet is None:
        year = year_in(path.name)
        sheet = str(year) if year is not None and str(year) in names else names[0]
    if isinstance(sheet, str) and sheet not in names:
        raise TableError(f"no sheet {quoted(sheet)}; sheets: {', '.join(names)}", file=str(path))
    return pd.read_excel(book, sheet_name=sheet, header=None)


def read_wiod(path: str | Path, *, sheet: str | int | None = None, rtol: float = 1e-4,
              atol: float = 0.5) -> MRIO:
    """Read a WIOD 2016 world table (see the module docstring) as an :class:`MRIO`."""
    import pandas as pd

    p = Path(path)
    file = str(p)
    if not p.exists():
        raise TableError("no such file", file=file)
    frame = _frame(p, sheet)
    if frame.shape[0] < 8 or frame.shape[1] < 6:
        raise TableError("not a WIOD table: too few rows or columns", file=file)
    col_codes = [str(c).strip() for c in frame.iloc[2, 4:]]
    col_regions = [str(c).strip() for c in frame.iloc[4, 4:]]
    row_codes = [str(c).strip() for c in frame.iloc[6:, 0]]
    row_regions = [str(c).strip() for c in frame.iloc[6:, 2]]
    try:
        values = frame.iloc[6:, 4:].apply(pd.to_numeric).fillna(0.0).to_numpy(dtype=float)
    except (ValueError, TypeError) as exc:
        raise TableError(f"a cell that is not a number ({exc})", file=file) from None
    cells_r = [i for i, r in enumerate(row_regions) if r != "TOT" and row_codes[i] != "nan"]
    cells_c = [k for k, c in enumerate(col_codes)
               if c not in FINAL_DEMAND and c != "GO" and col_regions[k] != "TOT"]
    labels_r = [(row_regions[i], row_codes[i]) for i in cells_r]
    labels_c = [(col_regions[k], col_codes[k]) for k in cells_c]
    if labels_r != labels_c:
        missing = [f"{r} {c}" for r, c in labels_r if (r, c) not in set(labels_c)]
        raise TableError("the intermediate block is not square" + (
            f": no column for the row {missing[0]}" if missing else ""),
            file=file, row=missing[0] if missing else None)
    regions = list(dict.fromkeys(r for r, _ in labels_r))
    sectors = [c for r, c in labels_r if r == regions[0]]
    if [c for _, c in labels_r] != sectors * len(regions):
        raise TableError("every country needs the same industries in the same order", file=file)
    Z = values[np.ix_(cells_r, cells_c)]
    R, S, C = len(regions), len(sectors), len(FINAL_DEMAND)
    Y = np.zeros((R * S, R * C))
    for k, (code, region) in enumerate(zip(col_codes, col_regions, strict=True)):
        if code in FINAL_DEMAND:
            if region not in regions:
                raise TableError(f"final demand of a country with no industries: {region}",
                                 file=file, column=f"{region} {code}")
            Y[:, regions.index(region) * C + FINAL_DEMAND.index(code)] = values[cells_r, k]
    tot = {row_codes[i]: i for i, r in enumerate(row_regions) if r == "TOT"}
    gone = [v for v in VALUE_ADDED if v not in tot]
    if gone:
        raise TableError(f"no {gone[0]} row (country TOT)", file=file, row=gone[0])
    V = values[np.ix_([tot[v] for v in VALUE_ADDED], cells_c)]
    stated = None
    if "GO" in col_codes:
        stated = values[cells_r, col_codes.index("GO")]
    if "GO" in tot:
        by_row = values[tot["GO"], cells_c]
        cost = Z.sum(axis=0) + V.sum(axis=0)
        off = np.abs(cost - by_row) - (rtol * np.abs(by_row) + atol)
        if (off > 0).any():
            k = int(np.argmax(off))
            raise TableError(f"totals do not match: inputs plus value added are {cost[k]:.10g}, "
                             f"the GO row {by_row[k]:.10g}", file=file, row="GO",
                             column=" ".join(labels_c[k]))
    for arr in (Z, Y, V):
        arr.setflags(write=False)
    return MRIO(tuple(regions), tuple(sectors), FINAL_DEMAND, Z, Y, V, VALUE_ADDED,
                unit="USD million", stated_output=stated, output_tol=rtol, output_atol=atol,
                provenance={"format": "WIOD 2016", "file": file, "year": year_in(p.name),
                            "licence": LICENCE, "reader": reader_name("wiod"),
                            "prices": "previous year's" if "_PYP_" in p.name else "current"})


def _wiod(path: str | Path, **options: Any) -> MRIO:
    return read_wiod(path, **options)


register("wiod", _wiod)

__all__ = ["FINAL_DEMAND", "VALUE_ADDED", "read_wiod"]
