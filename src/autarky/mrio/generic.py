"""A national input-output table a user has in a spreadsheet: a labelled matrix (CSV, or a
sheet of an Excel workbook) with named final-demand columns and value-added rows.

The intermediate block is the rows and columns not named as anything else, with the same
labels in the same order; final-demand columns, export columns, an imports column (or row) and
an output row or column are named by the caller (or, for the command line, in a sidecar file
``TABLE.layout.yaml`` beside the table). The table becomes an :class:`~autarky.mrio.table.MRIO`
with one region: its exports are exports to the world outside the table, its imports
competitive imports from outside (``imports_out``), so that output is total use less imports.
An imports column may be signed either way (national tables often record imports as a negative
final use): all its entries at most zero are taken as ``-column``, all at least zero as they
are.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "national.csv"
>>> _ = p.write_text("code,agri,manu,households,exports,imports,output\\n"
...                  "agri,20,30,60,20,-30,100\\n"
...                  "manu,10,20,70,20,0,120\\n"
...                  "wages,50,40,0,0,0,\\n"
...                  "profits,20,30,0,0,0,\\n")
>>> t = read_matrix_table(p, region="NAT", final_demand=["households"], exports=["exports"],
...                       imports="imports", value_added=["wages", "profits"], output="output",
...                       unit="EUR million")
>>> t.sectors, t.categories, t.x.tolist(), t.imports_out.tolist()
(('agri', 'manu'), ('households', 'exports: exports'), [100.0, 120.0], [30.0, 0.0])
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from autarky.checks import quoted
from autarky.errors import BadValueError, TableError
from autarky.mrio.matrix import read_matrix, reader_name, year_in
from autarky.mrio.readers import register
from autarky.mrio.table import MRIO

#: The keys of a ``TABLE.layout.yaml`` sidecar, and of :func:`read_matrix_table`.
LAYOUT_KEYS = ("region", "final_demand", "exports", "imports", "value_added", "output", "unit",
               "sheet", "rtol", "atol")


def _sheet(path: Path, sheet: str | int | None) -> tuple[list[str], list[str], np.ndarray]:
    import pandas as pd

    try:
        frame = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, index_col=0)
    except ImportError:
        from autarky.errors import MissingDependencyError

        raise MissingDependencyError("openpyxl", "reading Excel workbooks", "tables") from None
    except (ValueError, KeyError) as exc:
        raise TableError(f"cannot read the sheet {quoted(sheet)}: {exc}", file=str(path)) from None
    try:
        values = frame.apply(pd.to_numeric).fillna(0.0).to_numpy(dtype=float)
    except (ValueError, TypeError) as exc:
        raise TableError(f"a cell that is not a number: {exc}", file=str(path)) from None
    return [str(r).strip() for r in frame.index], [str(c).strip() for c in frame.columns], values


def read_matrix_table(path: str | Path, *, region: str = "home",
                      final_demand: Sequence[str] = (), exports: Sequence[str] = (),
                      imports: str | None = None, value_added: Sequence[str] = (),
                      output: str | None = None, unit: str = "currency unit",
                      sheet: str | int | None = None, rtol: float = 1e-4,
                      atol: float = 0.5) -> MRIO:
    """Read a national table (see the module docstring).

    Parameters
    ----------
    path
        A CSV file, or an Excel workbook (``.xlsx``; ``sheet`` names the sheet).
    region
        The code of the country the table describes.
    final_demand, exports
        The final-demand columns (households, government, investment, ...) and the export
        columns.
    imports
        The imports column (competitive imports by product); ``None``: none. An imports row
        (imported inputs by using industry) is refused: it does not say which products.
    value_added
        The value-added rows (wages, surplus, taxes less subsidies, ...).
    output
        The output column or row, checked against the row totals within ``rtol`` and
        ``atol``; ``None``: output is the row total.
    unit
        The table's unit (e.g. ``"EUR million"``).
    """
    p = Path(path)
    file = str(p)
    if not p.exists():
        raise TableError("no such file", file=file)
    if p.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        rows, columns, values = _sheet(p, sheet)
    else:
        rows, columns, values = read_matrix(lambda: p.open("rb"), file)
    named_cols = {*final_demand, *exports, *([imports] if imports else []),
                  *([output] if output else [])}
    named_rows = {*value_added, *([imports] if imports else []), *([output] if output else [])}
    for what, names, have, axis in (("final-demand column", final_demand, columns, "column"),
                                    ("export column", exports, columns, "column"),
                                    ("value-added row", value_added, rows, "row")):
        for name in names:
            if name not in have:
                message = f"no {what} {quoted(name)} in the table"
                if axis == "column":
                    raise TableError(message, file=file, column=name)
                raise TableError(message, file=file, row=name)
    cells_r = [i for i, r in enumerate(rows) if r not in named_rows]
    cells_c = [k for k, c in enumerate(columns) if c not in named_cols]
    labels_r = [rows[i] for i in cells_r]
    labels_c = [columns[k] for k in cells_c]
    if labels_r != labels_c:
        only_r = [r for r in labels_r if r not in labels_c]
        only_c = [c for c in labels_c if c not in labels_r]
        raise TableError(
            "the intermediate block is not square: " + (
                f"the row {quoted(only_r[0])} has no column (name it as value added, imports or "
                "output if it is one)" if only_r else
                f"the column {quoted(only_c[0])} has no row (name it as final demand, exports, "
                "imports or output if it is one)" if only_c else
                "its columns are not in the order of its rows"),
            file=file, row=only_r[0] if only_r else None,
            column=only_c[0] if only_c else None)
    Z = values[np.ix_(cells_r, cells_c)]
    fd_k = [columns.index(c) for c in final_demand] + [columns.index(c) for c in exports]
    Y = values[np.ix_(cells_r, fd_k)] if fd_k else np.zeros((len(cells_r), 0))
    V = values[np.ix_([rows.index(r) for r in value_added], cells_c)] if value_added else \
        np.zeros((0, len(cells_c)))
    m = None
    if imports:
        if imports in columns:
            col = values[cells_r, columns.index(imports)]
        elif imports in rows:
            raise TableError("an imports row records imported inputs by the industry that uses "
                             "them, not by product: give the imports as a column (competitive "
                             "imports by product), or the imported use as its own table",
                             file=file, row=imports)
        else:
            raise TableError(f"no imports column {quoted(imports)}", file=file, column=imports)
        if (col <= 0).all():
            m = np.abs(col)
        elif (col >= 0).all():
            m = col
        else:
            k = int(np.flatnonzero(col != 0)[0])
            raise TableError("the imports mix positive and negative entries; give them with "
                             "one sign", file=file, row=labels_r[k], column=imports)
    stated = None
    if output:
        if output in columns:
            stated = values[cells_r, columns.index(output)]
        elif output in rows:
            stated = values[rows.index(output), cells_c]
        else:
            raise TableError(f"no output column or row {quoted(output)}", file=file, column=output)
    categories = [*final_demand, *[f"exports: {e}" for e in exports]]
    for arr in (Z, Y, V):
        arr.setflags(write=False)
    return MRIO((region,), tuple(labels_r), tuple(categories), Z, Y, V, tuple(value_added),
                unit=unit, stated_output=stated, imports_out=m, output_tol=rtol,
                output_atol=atol,
                provenance={"format": "labelled matrix", "file": file, "year": year_in(p.name),
                            "reader": reader_name("matrix"), "sheet": sheet})


def _read_with_layout(path: str | Path, **options: Any) -> MRIO:
    """The command line's ``matrix:TABLE``: the layout from ``TABLE.layout.yaml``."""
    from autarky.io.yamlmap import load_yaml

    p = Path(path)
    sidecar = p.with_name(p.name + ".layout.yaml")
    if not sidecar.exists():
        sidecar = p.with_suffix(".layout.yaml")
    if not sidecar.exists() and not options:
        raise TableError(f"a labelled matrix needs its layout: write {p.name}.layout.yaml "
                         f"beside it with the keys {', '.join(LAYOUT_KEYS)}", file=str(p))
    layout: dict[str, Any] = {}
    if sidecar.exists():
        data, _ = load_yaml(sidecar)
        if not isinstance(data, dict):
            raise TableError("a layout file is a mapping of the keys "
                             f"{', '.join(LAYOUT_KEYS)}", file=str(sidecar), line=1)
        unknown = [k for k in data if k not in LAYOUT_KEYS]
        if unknown:
            raise TableError(f"unknown key {quoted(unknown[0])}; keys: {', '.join(LAYOUT_KEYS)}",
                             file=str(sidecar))
        layout = dict(data)
    layout.update(options)
    try:
        return read_matrix_table(p, **layout)
    except TypeError as exc:
        raise BadValueError(f"{sidecar}: {exc}") from None


register("matrix", _read_with_layout)

__all__ = ["LAYOUT_KEYS", "read_matrix_table"]
