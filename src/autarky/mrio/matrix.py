"""Labelled matrix files: the layout OECD ICIO, Eurostat FIGARO and most producers share.

One header row and one index column; cells labelled ``REGION_CODE`` (split on the first
underscore only: codes such as ``A01_02`` or ``P3_S13`` hold one); the intermediate block
region-major, then final-demand columns (a fixed set of codes per region), then, in some
formats, an output column; below the intermediate rows the rows of value added and taxes, and
in some formats an output row. A :class:`Layout` says which labels are which;
:func:`parse_labelled` checks the structure (square, every region the same codes, every region
all final-demand codes, every row total against the stated output) and assembles the blocks,
naming the file and the row and column labels of anything wrong.

Examples
--------
>>> layout = Layout("demo", final_demand=("HH",), value_added=("VA",),
...                 row_kind=lambda lab: "VA" if lab == "VA" else None)
>>> rows, cols = ["A_x", "B_x", "VA"], ["A_x", "B_x", "A_HH", "B_HH"]
>>> v = np.array([[1.0, 2.0, 7.0, 0.0], [0.0, 1.0, 1.0, 8.0], [9.0, 7.0, 0.0, 0.0]])
>>> p = parse_labelled(rows, cols, v, "demo.csv", layout)
>>> p.regions, p.sectors, p.Z.tolist(), p.V.tolist()
(['A', 'B'], ['x'], [[1.0, 2.0], [0.0, 1.0]], [[9.0, 7.0]])
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np

from autarky.checks import quoted
from autarky.errors import TableError

#: A row that is the stated output (``row_kind`` returns it).
OUTPUT = "__output__"


@dataclass(frozen=True)
class Layout:
    """Which labels of a matrix file are which.

    Attributes
    ----------
    name
        The format's name (for messages and provenance).
    final_demand
        The final-demand codes, in the order the table's categories take.
    value_added
        The value-added rows of the table read, in order.
    row_kind
        For a row label: the value-added row it adds into, :data:`OUTPUT` for the output row,
        or ``None`` for an intermediate (``REGION_CODE``) row.
    fd_aliases
        Older names of final-demand codes read as today's.
    out_columns
        Names of the output column; empty where the output is the row total.
    """

    name: str
    final_demand: tuple[str, ...]
    value_added: tuple[str, ...]
    row_kind: Callable[[str], str | None]
    fd_aliases: Mapping[str, str] = field(default_factory=dict)
    out_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Parsed:
    """The blocks of a parsed matrix file."""

    regions: list[str]
    sectors: list[str]
    Z: np.ndarray
    Y: np.ndarray
    V: np.ndarray
    stated: np.ndarray | None
    fd_columns: list[int]
    va_rows: dict[str, list[int]]


def open_stream(path: Path, what: str) -> tuple[Callable[[], IO[bytes]], str]:
    """A way to open the CSV as a binary stream (the file, or the one CSV of a zip, read
    without holding it all in memory), and the name to give in messages."""
    if not path.exists():
        raise TableError("no such file", file=str(path))
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if n.lower().endswith(".csv")]
        if len(names) != 1:
            raise TableError(f"a zip of one {what} holds one CSV; this one holds "
                             f"{len(names)} ({', '.join(names[:5])}); unzip it and name "
                             "the file", file=str(path))

        def open_member() -> IO[bytes]:
            return zipfile.ZipFile(path).open(names[0])

        return open_member, f"{path}::{names[0]}"
    return lambda: path.open("rb"), str(path)


def read_matrix(source: bytes | Callable[[], IO[bytes]], file: str
                ) -> tuple[list[str], list[str], np.ndarray]:
    """Row labels, column labels (without the index column's) and the values (an empty cell
    is 0), read by pyarrow's multithreaded CSV reader from bytes or a stream opener."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if isinstance(source, bytes):
        data = source.removeprefix(b"\xef\xbb\xbf")

        def source() -> IO[bytes]:
            return io.BytesIO(data)
    with source() as fh:
        first = fh.readline().decode("utf-8-sig", errors="replace")
    header = next(csv.reader(io.StringIO(first)))
    columns = [c.strip() for c in header[1:]]
    if len(columns) < 2:
        raise TableError("not a matrix table: the header has fewer than two columns", file=file)
    names = ["__label__", *[f"c{k}" for k in range(len(columns))]]
    convert = pacsv.ConvertOptions(
        column_types={"__label__": pa.string(), **{n: pa.float64() for n in names[1:]}},
        strings_can_be_null=False)
    try:
        with source() as fh:
            tbl = pacsv.read_csv(fh, read_options=pacsv.ReadOptions(column_names=names,
                                                                    skip_rows=1),
                                 convert_options=convert)
    except (pa.ArrowInvalid, ValueError) as exc:
        raise TableError(f"cannot read the table as numbers: {str(exc).splitlines()[0]}",
                         file=file) from None
    rows = [str(r).strip() for r in tbl.column(0).to_pylist()]
    values = np.empty((tbl.num_rows, len(columns)))
    for k in range(len(columns)):  # column by column, each arrow column freed as it goes
        values[:, k] = tbl.column(k + 1).to_numpy(zero_copy_only=False)
    del tbl
    np.nan_to_num(values, copy=False, nan=0.0)
    return rows, columns, values


def split_label(label: str, file: str, axis: str) -> tuple[str, str]:
    """``(region, code)`` of a ``REGION_CODE`` label, split on its first underscore."""
    region, sep, code = label.partition("_")
    if not sep or not region or not code:
        message = (f"the label {quoted(label)} does not split into REGION_CODE at its first "
                   "underscore")
        if axis == "row":
            raise TableError(message, file=file, row=label)
        raise TableError(message, file=file, column=label)
    return region, code


def parse_labelled(rows: list[str], columns: list[str], values: np.ndarray, file: str,
                   layout: Layout, *, rtol: float = 1e-4, atol: float = 1.0) -> Parsed:
    """Check and assemble a matrix file's blocks (see the module docstring)."""
    cell_rows: list[int] = []
    va_rows: dict[str, list[int]] = {name: [] for name in layout.value_added}
    out_row: int | None = None
    row_labels: list[tuple[str, str]] = []
    for i, lab in enumerate(rows):
        kind = layout.row_kind(lab)
        if kind == OUTPUT:
            out_row = i
        elif kind is not None:
            va_rows[kind].append(i)
        else:
            row_labels.append(split_label(lab, file, "row"))
            cell_rows.append(i)
    cell_cols: list[int] = []
    fd_cols: dict[tuple[str, str], int] = {}
    out_col: int | None = None
    col_labels: list[tuple[str, str]] = []
    sector_set = {code for _, code in row_labels}
    for k, lab in enumerate(columns):
        if lab in layout.out_columns:
            out_col = k
            continue
        region, code = split_label(lab, file, "column")
        code = layout.fd_aliases.get(code, code)
        if code in layout.final_demand:
            fd_cols[(region, code)] = k
        elif code in sector_set:
            col_labels.append((region, code))
            cell_cols.append(k)
        else:
            raise TableError(f"{quoted(code)} is neither a code of the rows nor a final-demand code "
                             f"({', '.join(layout.final_demand)})", file=file, column=lab)
    if layout.out_columns and out_col is None:
        raise TableError(f"no output column ({' or '.join(layout.out_columns)})", file=file)
    missing_va = [name for name, found in va_rows.items() if not found]
    if missing_va:
        raise TableError(f"no {missing_va[0]} row (value added) in the {layout.name} table",
                         file=file)
    _check_square(row_labels, col_labels, file)
    regions, sectors = _regions(row_labels, file)
    R, S, C = len(regions), len(sectors), len(layout.final_demand)
    for r in dict.fromkeys(r for r, _ in fd_cols):
        if r not in regions:
            raise TableError(f"final demand of a region with no intermediate rows: {r}",
                             file=file, column=f"{r}_{layout.final_demand[0]}")
        gone = [c for c in layout.final_demand if (r, c) not in fd_cols]
        if gone:
            raise TableError(f"region {r} lacks the final-demand column(s) {', '.join(gone)}",
                             file=file, column=f"{r}_{gone[0]}")
    Z = values[np.ix_(cell_rows, cell_cols)]
    Y = np.zeros((R * S, R * C))
    for (r, c), k in fd_cols.items():
        Y[:, regions.index(r) * C + layout.final_demand.index(c)] = values[cell_rows, k]
    V = np.vstack([values[idx][:, cell_cols].sum(axis=0) for idx in va_rows.values()]) \
        if va_rows else np.zeros((0, R * S))
    stated = values[cell_rows, out_col] if out_col is not None else None
    for arr in (Z, Y, V):
        arr.setflags(write=False)  # fresh arrays: the table adopts them without a copy
    if out_row is not None:
        by_row = values[out_row, cell_cols]
        ref = stated if stated is not None else Z.sum(axis=1) + Y.sum(axis=1)
        off = np.abs(by_row - ref) - (rtol * np.maximum(np.abs(by_row), np.abs(ref)) + atol)
        if (off > 0).any():
            k = int(np.argmax(off))
            raise TableError(f"totals do not match: the output row says {by_row[k]:.10g}, the "
                             f"{'output column' if stated is not None else 'row total'} "
                             f"{ref[k]:.10g}", file=file, row=rows[out_row],
                             column=columns[cell_cols[k]])
    return Parsed(regions, sectors, Z, Y, V, stated, list(fd_cols.values()), va_rows)


def _check_square(row_labels: list[tuple[str, str]], col_labels: list[tuple[str, str]],
                  file: str) -> None:
    if col_labels == row_labels:
        return
    cols, rws = set(col_labels), set(row_labels)
    missing = [f"{r}_{c}" for r, c in row_labels if (r, c) not in cols]
    extra = [f"{r}_{c}" for r, c in col_labels if (r, c) not in rws]
    what = (f"no column for the row(s) {', '.join(missing[:5])}" if missing else
            f"no row for the column(s) {', '.join(extra[:5])}" if extra else
            "the columns are not in the order of the rows")
    raise TableError(f"the intermediate block is not square: {what}", file=file,
                     row=missing[0] if missing else None, column=extra[0] if extra else None)


def _regions(row_labels: list[tuple[str, str]], file: str) -> tuple[list[str], list[str]]:
    """Regions in order, and the codes every region has in the same order."""
    regions: list[str] = list(dict.fromkeys(r for r, _ in row_labels))
    sectors = [c for r, c in row_labels if r == regions[0]]
    for r in regions:
        have = [c for rr, c in row_labels if rr == r]
        if have != sectors:
            gone = [c for c in sectors if c not in have]
            raise TableError(f"region {r} has {len(have)} codes, the first region "
                             f"{len(sectors)}" + (f"; missing {', '.join(gone[:5])}" if gone
                                                  else " (in another order)"),
                             file=file, row=f"{r}_{gone[0]}" if gone else None)
    if len(row_labels) != len(regions) * len(sectors) or [
            r for r, _ in row_labels] != [r for r in regions for _ in sectors]:
        raise TableError("the intermediate rows are not grouped by region", file=file)
    return regions, sectors


def year_in(name: str) -> int | None:
    """The last four-digit year in a file name (``ICIO2021_2018.csv`` -> 2018).

    >>> year_in("matrix_eu-ic-io_ind-by-ind_25ed_2021.csv"), year_in("table.csv")
    (2021, None)
    """
    import re

    m = re.findall(r"(?<!\d)(19\d\d|20\d\d)(?!\d)", name)
    return int(m[-1]) if m else None


def reader_name(fmt: str) -> str:
    """The reader and autarky's version, for provenance."""
    from autarky import __version__

    return f"autarky {__version__} {fmt}"


__all__ = ["OUTPUT", "Layout", "Parsed", "open_stream", "parse_labelled",
           "read_matrix",
           "reader_name", "split_label", "year_in"]
