"""EXIOBASE 3 (``IOT_2022_pxp.zip``, ``IOT_2022_ixi.zip``): the zip as downloaded, the folder
it unzips to, or a table pymrio saved in the same layout; text (tab-separated) or parquet.

The layout (``shared/research/table-layouts.md`` section 3): one folder holding ``Z.txt`` (or
``A.txt`` and ``x.txt``), ``Y.txt``, ``unit.txt``, ``file_parameters.json`` and
``metadata.json``, and a folder per extension (``satellite``, ``impacts`` up to 3.8;
``factor_inputs``, ``air_emissions``, ``employment``, ``energy``, ``land``, ``material``,
``nutrients``, ``water`` from 3.9), each with ``F.txt``, ``F_Y.txt`` and ``unit.txt``. The
matrices are pandas' text form of a two-level table: two header rows (region, then sector or
category), a third row naming the index levels, two index columns. 49 regions (44 countries
by ISO-2 code and five rest-of-world regions ``WA``..``WM``), 200 products or 163 industries
named in full, 7 final-demand categories, in million EUR.

Text files are read by pyarrow's multithreaded CSV reader straight into the arrays (pandas'
reader would hold the table twice); parquet files through pymrio (``interop`` extra). Value
added is the ``factor_inputs`` extension (3.9 on), or the value-added rows of ``satellite``
(up to 3.8), moved out of it.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np

from autarky.errors import TableError
from autarky.mrio.matrix import reader_name, year_in
from autarky.mrio.readers import register
from autarky.mrio.table import MRIO, Extension

#: The value-added rows of the ``satellite`` extension up to 3.8 (first words).
VALUE_ADDED_PREFIXES = ("Taxes less subsidies on products", "Other net taxes on production",
                        "Compensation of employees", "Operating surplus")
#: Extension folders that are characterisations of the others, not accounts (left out).
IGNORED = ("impacts",)
LICENCE = "EXIOBASE 3: Creative Commons Attribution-ShareAlike 4.0 (CC BY-SA 4.0)"


class _Source:
    """Files of an EXIOBASE folder or zip, by their path relative to its root."""

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise TableError("no such file or folder", file=str(path))
        self.path = path
        self.zip = zipfile.ZipFile(path) if zipfile.is_zipfile(path) else None
        names = (self.zip.namelist() if self.zip is not None else
                 [str(p.relative_to(path)) for p in path.rglob("*") if p.is_file()])
        roots = sorted({n.rsplit("/", 1)[0] if "/" in n else "" for n in names
                        if n.rsplit("/", 1)[-1] in ("Z.txt", "A.txt", "Z.parquet")},
                       key=len)
        if not roots:
            raise TableError("no Z.txt or A.txt: not an EXIOBASE table", file=str(path))
        self.root = roots[0]
        prefix = self.root + "/" if self.root else ""
        self.names = {n[len(prefix):] for n in names if n.startswith(prefix)}

    def name(self, rel: str) -> str:
        where = f"{self.root}/{rel}" if self.root else rel
        return f"{self.path}::{where}" if self.zip is not None else str(self.path / where)

    def has(self, rel: str) -> bool:
        return rel in self.names

    def opener(self, rel: str) -> Callable[[], IO[bytes]]:
        where = f"{self.root}/{rel}" if self.root else rel
        if self.zip is not None:
            zf = self.zip
            return lambda: zf.open(where)
        p = self.path / where
        return lambda: p.open("rb")

    def text(self, rel: str) -> str:
        with self.opener(rel)() as fh:
            return fh.read().decode("utf-8-sig")

    def shape(self, rel: str, n_index: int, n_header: int) -> tuple[int, int]:
        """Index columns and header rows of ``rel``, as its folder's ``file_parameters.json``
        states them (pymrio writes one beside every table), else the defaults given."""
        folder, _, name = rel.rpartition("/")
        params = f"{folder}/file_parameters.json" if folder else "file_parameters.json"
        if not self.has(params):
            return n_index, n_header
        try:
            files = json.loads(self.text(params)).get("files", {})
        except ValueError:
            raise TableError("not valid JSON", file=self.name(params)) from None
        for spec in files.values():
            if spec.get("name") == name:
                return int(spec.get("nr_index_col", n_index)), int(spec.get("nr_header",
                                                                            n_header))
        return n_index, n_header


def _read(src: _Source, rel: str, n_index: int, n_header: int, expect_rows: int = 0
          ) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]], np.ndarray]:
    """Row labels, column labels and values of one of pandas' text tables (``n_header``
    header rows, then a row naming the index levels, then the data); ``expect_rows``: the
    number of rows where it is known (``-1``: as many as columns, a square ``Z``), filled in
    place."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    file = src.name(rel)
    n_index, n_header = src.shape(rel, n_index, n_header)
    with src.opener(rel)() as fh:
        head = [fh.readline().decode("utf-8-sig").rstrip("\r\n").split("\t")
                for _ in range(n_header + 1)]
    ncol = len(head[0]) - n_index
    if ncol <= 0 or any(len(h) != len(head[0]) for h in head[:n_header]):
        raise TableError(f"the header rows do not have the same length ({n_header} header "
                         f"rows and {n_index} index columns expected)", file=file, line=1)
    columns = [tuple(h[n_index + k] for h in head[:n_header]) for k in range(ncol)]
    skip = n_header + (1 if all(not c for c in head[n_header][n_index:]) else 0)
    names = [f"i{k}" for k in range(n_index)] + [f"c{k}" for k in range(ncol)]
    types = {**{f"i{k}": pa.string() for k in range(n_index)},
             **{f"c{k}": pa.float64() for k in range(ncol)}}
    rows: list[tuple[str, ...]] = []
    blocks: list[np.ndarray] = []
    if expect_rows < 0:  # square: as many rows as columns
        expect_rows = ncol
    values = np.empty((expect_rows, ncol)) if expect_rows else None
    at = 0
    try:
        with src.opener(rel)() as fh:
            # batch by batch into the array, so the text's arrow form is never held whole
            reader = pacsv.open_csv(
                fh, read_options=pacsv.ReadOptions(column_names=names, skip_rows=skip,
                                                   block_size=1 << 24),
                parse_options=pacsv.ParseOptions(delimiter="\t", quote_char=False),
                convert_options=pacsv.ConvertOptions(column_types=types,
                                                     strings_can_be_null=False))
            for batch in reader:
                b = batch.num_rows
                rows += zip(*[batch.column(k).to_pylist() for k in range(n_index)], strict=True)
                if values is None or at + b > values.shape[0]:
                    block = np.empty((b, ncol))
                    for k in range(ncol):
                        block[:, k] = batch.column(n_index + k).to_numpy(zero_copy_only=False)
                    blocks.append(block)
                else:
                    for k in range(ncol):
                        values[at:at + b, k] = batch.column(n_index + k).to_numpy(
                            zero_copy_only=False)
                at += b
    except (pa.ArrowInvalid, ValueError) as exc:
        raise TableError(f"cannot read the table: {str(exc).splitlines()[0]}",
                         file=file) from None
    if values is None or blocks or at != values.shape[0]:
        parts = ([values[:min(at, values.shape[0])]] if values is not None else []) + blocks
        values = np.vstack(parts) if parts else np.zeros((0, ncol))
    np.nan_to_num(values, copy=False, nan=0.0)
    return [tuple(map(str, r)) for r in rows], columns, values


def read_exiobase(path: str | Path, **options: Any) -> MRIO:
    """Read EXIOBASE 3 (see the module docstring) as an :class:`MRIO`."""
    src = _Source(Path(path))
    if src.has("Z.parquet") or (src.has("A.parquet") and not src.has("A.txt")):
        return _via_pymrio(Path(path))
    meta = json.loads(src.text("metadata.json")) if src.has("metadata.json") else {}
    if src.has("Z.txt"):
        rows, cols, Z = _read(src, "Z.txt", 2, 2, expect_rows=-1)
    elif src.has("A.txt") and src.has("x.txt"):
        rows, cols, A = _read(src, "A.txt", 2, 2, expect_rows=-1)
        x_rows, _, x = _read(src, "x.txt", 2, 1)
        if x_rows != rows or x.shape[1] != 1:
            raise TableError("x.txt does not hold one output for each (region, sector) of A.txt, "
                             "in its order", file=src.name("x.txt"))
        Z = A * x[:, 0][np.newaxis, :]
        del A
    else:
        raise TableError("neither Z.txt nor A.txt with x.txt", file=src.name(""))
    file_z = src.name("Z.txt" if src.has("Z.txt") else "A.txt")
    if [tuple(c) for c in cols] != rows:
        raise TableError("the columns of Z are not its rows (region, sector) in the same order",
                         file=file_z)
    regions = list(dict.fromkeys(r for r, _ in rows))
    sectors = [s for r, s in rows if r == regions[0]]
    if len(rows) != len(regions) * len(sectors):
        raise TableError("every region needs the same sectors", file=file_z)
    if not src.has("Y.txt"):
        raise TableError("no Y.txt (final demand) beside Z", file=src.name("Y.txt"))
    y_rows, y_cols, Y = _read(src, "Y.txt", 2, 2, expect_rows=len(rows))
    if y_rows != rows:
        raise TableError("the rows of Y are not those of Z", file=src.name("Y.txt"))
    categories = list(dict.fromkeys(c for _, c in y_cols))
    want = [(r, c) for r in regions for c in categories]
    if [tuple(c) for c in y_cols] != want:
        raise TableError("Y needs every category for every region, region by region",
                         file=src.name("Y.txt"))
    unit = "M.EUR"
    if src.has("unit.txt"):
        lines = [ln.split("\t") for ln in src.text("unit.txt").splitlines()[1:] if ln.strip()]
        units = sorted({ln[-1].strip() for ln in lines})
        if len(units) != 1:
            raise TableError(f"mixed units ({', '.join(units[:4])}): a hybrid table is not "
                             "supported yet", file=src.name("unit.txt"))
        unit = units[0]
    va_rows: list[str] = []
    va = np.zeros((0, len(rows)))
    extensions: dict[str, Extension] = {}
    folders = sorted({n.split("/", 1)[0] for n in src.names if n.endswith("/F.txt")})
    for folder in folders:
        if folder in IGNORED:
            continue
        labels, F, F_Y, units_e = _extension(src, folder, rows, want)
        if folder == "factor_inputs":
            va_rows, va = labels, F
            continue
        if folder == "satellite":  # up to 3.8: the value-added rows sit among the stressors
            is_va = np.array([lab.startswith(VALUE_ADDED_PREFIXES) for lab in labels])
            if is_va.any() and not va_rows:
                va_rows, va = [lab for lab, v in zip(labels, is_va, strict=True) if v], F[is_va]
            keep = ~is_va
            labels = [lab for lab, k in zip(labels, keep, strict=True) if k]
            units_e = [u for u, k in zip(units_e, keep, strict=True) if k]
            F, F_Y = F[keep], (F_Y[keep] if F_Y is not None else None)
        extensions[folder] = Extension(tuple(labels), F, tuple(units_e), F_Y)
    for arr in (Z, Y):
        arr.setflags(write=False)
    name = Path(path).name
    return MRIO(tuple(regions), tuple(sectors), tuple(categories), Z, Y, va, tuple(va_rows),
                extensions, unit,
                provenance={"format": "EXIOBASE 3", "file": str(path),
                            "release": str(meta.get("version", "")),
                            "system": str(meta.get("system", "")),
                            "year": year_in(name), "licence": LICENCE,
                            "reader": reader_name("exiobase"), **options})


def _extension(src: _Source, folder: str, rows: list[tuple[str, ...]],
               y_cols: list[tuple[str, str]]
               ) -> tuple[list[str], np.ndarray, np.ndarray | None, list[str]]:
    """One extension folder: its row labels, ``F`` and ``F_Y`` in the table's column order, and
    the unit of each row."""
    f_rows, f_cols, F = _read(src, f"{folder}/F.txt", 1, 2)
    file = src.name(f"{folder}/F.txt")
    if [tuple(c) for c in f_cols] != rows:
        raise TableError("the columns of F are not the (region, sector) of Z", file=file)
    labels = [" / ".join(r) for r in f_rows]
    F_Y = None
    if src.has(f"{folder}/F_Y.txt"):
        fy_rows, fy_cols, F_Y = _read(src, f"{folder}/F_Y.txt", 1, 2)
        if [" / ".join(r) for r in fy_rows] != labels or [tuple(c) for c in fy_cols] != y_cols:
            raise TableError("F_Y does not have the rows of F and the columns of Y",
                             file=src.name(f"{folder}/F_Y.txt"))
    units = [""] * len(labels)
    if src.has(f"{folder}/unit.txt"):
        n_index, _ = src.shape(f"{folder}/unit.txt", 1, 1)
        table = {" / ".join(ln.split("\t")[:n_index]): ln.split("\t")[-1].strip()
                 for ln in src.text(f"{folder}/unit.txt").splitlines()[1:] if ln.strip()}
        units = [table.get(lab, "") for lab in labels]
    return labels, F, F_Y, units


def _via_pymrio(path: Path) -> MRIO:
    from autarky.mrio.via_pymrio import parse

    return parse(path, "parse_exiobase3", "an EXIOBASE table", format="EXIOBASE 3",
                 licence=LICENCE)()


def write_exiobase(table: MRIO, folder: str | Path) -> Path:
    """Write ``table`` as an EXIOBASE 3 folder in its text layout (``Z.txt``, ``Y.txt``,
    ``unit.txt``, ``factor_inputs/`` with the value added, one folder per extension, each
    with ``file_parameters.json``), by pyarrow: for tests and benchmarks at full size."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)

    def matrix(rel: str, labels: Sequence[tuple[str, ...]], index_names: list[str],
               columns: Sequence[tuple[str, str]], column_names: list[str],
               values: np.ndarray) -> None:
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        k = len(index_names)
        with p.open("wb") as fh:
            for level, name in enumerate(column_names):
                fh.write(("\t".join([name, *[""] * (k - 1), *[c[level] for c in columns]])
                          + "\n").encode())
            fh.write(("\t".join([*index_names, *[""] * len(columns)]) + "\n").encode())
            arrays = [pa.array([lab[i] for lab in labels]) for i in range(k)]
            arrays += [pa.array(values[:, j]) for j in range(values.shape[1])]
            tbl = pa.Table.from_arrays(arrays, names=[f"c{j}" for j in range(len(arrays))])
            pacsv.write_csv(tbl, fh, write_options=pacsv.WriteOptions(
                include_header=False, delimiter="\t", quoting_style="none"))

    def params(rel: str, files: dict[str, tuple[int, int]], system: str, name: str) -> None:
        spec = {"files": {k: {"name": f"{k}.txt", "nr_index_col": str(i), "nr_header": str(h)}
                          for k, (i, h) in files.items()}, "systemtype": system, "name": name}
        (root / rel).write_text(json.dumps(spec, indent=2))

    cells = table.labels()
    fd = [(r, c) for r in table.regions for c in table.categories]
    matrix("Z.txt", cells, ["region", "sector"], cells, ["region", "sector"], table.Z)
    matrix("Y.txt", cells, ["region", "sector"], fd, ["region", "category"], table.Y)
    (root / "unit.txt").write_text("region\tsector\tunit\n" + "".join(
        f"{r}\t{s}\t{table.unit}\n" for r, s in cells))
    params("file_parameters.json", {"Z": (2, 2), "Y": (2, 2), "unit": (2, 1)}, "IOSystem",
           "EXIOBASE")
    (root / "metadata.json").write_text(json.dumps({"name": "EXIOBASE", "system": "pxp",
                                                    "version": "synthetic", "history": []}))
    exts = dict(table.extensions)
    if table.value_added_rows:
        exts["factor_inputs"] = Extension(table.value_added_rows, table.value_added,
                                          (table.unit,) * len(table.value_added_rows))
    for name, ext in exts.items():
        matrix(f"{name}/F.txt", [(r,) for r in ext.rows], ["stressor"], cells,
               ["region", "sector"], ext.F)
        files = {"F": (1, 2), "unit": (1, 1)}
        if ext.F_Y is not None:
            matrix(f"{name}/F_Y.txt", [(r,) for r in ext.rows], ["stressor"], fd,
                   ["region", "category"], ext.F_Y)
            files["F_Y"] = (1, 2)
        (root / name / "unit.txt").write_text("stressor\tunit\n" + "".join(
            f"{r}\t{u}\n" for r, u in zip(ext.rows, ext.units, strict=True)))
        params(f"{name}/file_parameters.json", files, "Extension", name)
    return root


def _exiobase(path: str | Path, **options: Any) -> MRIO:
    return read_exiobase(path, **options)


register("exiobase", _exiobase)

__all__ = ["read_exiobase", "write_exiobase"]
