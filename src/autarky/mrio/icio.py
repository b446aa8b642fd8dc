"""The OECD Inter-Country Input-Output tables (ICIO): the 2018, 2021, 2023 and 2025 editions,
small (SML) and extended (EXT), as one CSV per year, plain or in a zip.

The layout (``shared/research/table-layouts.md`` section 1, from pymrio's and MARIO's parsers
and readers of the real files): one header row and one index column; labels
``REGION_INDUSTRY`` split on the **first** underscore only (2023 codes such as ``A01_02``
hold one); the intermediate block region-major, then the final-demand columns, six per region
(``HFCE, NPISH, GGFC, GFCF, INVNT, DPABR``; ``P33`` for ``DPABR`` in 2018), then the output
column (``OUT``, ``TOTAL`` before 2023); below the intermediate rows the taxes less subsidies
(one ``TLS`` row, or one ``REG_TAXSUB``/``REG_TLS`` row per region), value added (``VA``,
``VALU`` before 2023) and output (``OUT``, ``OUTPUT``). In USD million, current prices.

China and Mexico: the extended files split them into ``CN1``/``CN2`` and ``MX1``/``MX2``
(after ``ROW``, with no final-demand columns of their own) and leave the ``CHN``/``MEX``
intermediate rows and columns at zero. ``splits="merge"`` (default) adds the parts into
``CHN`` and ``MEX`` (exact, as the national blocks are zero); ``"keep"`` keeps them as regions
of their own (with no final demand).

Every row is checked against the output column: ``Z 1 + Y 1`` within ``rtol`` (relative) plus
``atol`` (USD million; the files round their entries).

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "2020_SML.csv"
>>> _ = p.write_text(
...     "V1,AAA_A01_02,BBB_A01_02,AAA_HFCE,AAA_NPISH,AAA_GGFC,AAA_GFCF,AAA_INVNT,AAA_DPABR,"
...     "BBB_HFCE,BBB_NPISH,BBB_GGFC,BBB_GFCF,BBB_INVNT,BBB_DPABR,OUT\\n"
...     "AAA_A01_02,10,5,80,0,0,5,0,0,0,0,0,0,0,0,100\\n"
...     "BBB_A01_02,2,20,3,0,0,0,0,0,70,0,0,5,0,0,100\\n"
...     "TLS,1,2,0,0,0,0,0,0,0,0,0,0,0,0,\\n"
...     "VA,87,73,0,0,0,0,0,0,0,0,0,0,0,0,\\n"
...     "OUT,100,100,0,0,0,0,0,0,0,0,0,0,0,0,\\n")
>>> t = read_icio(p)
>>> t.regions, t.sectors, t.categories[:2], t.x.tolist()
(('AAA', 'BBB'), ('A01_02',), ('HFCE', 'NPISH'), [100.0, 100.0])
>>> t.provenance["year"], t.value_added_rows
(2020, ('TLS', 'VA'))
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from autarky.checks import quoted
from autarky.errors import BadValueError, TableError
from autarky.mrio.matrix import (
    OUTPUT,
    Layout,
    open_stream,
    parse_labelled,
    read_matrix,
    reader_name,
    year_in,
)
from autarky.mrio.readers import register
from autarky.mrio.table import MRIO

#: Final-demand codes, in their order in each region (2021 on; 2018 has P33 for DPABR).
FINAL_DEMAND = ("HFCE", "NPISH", "GGFC", "GFCF", "INVNT", "DPABR")
#: Older names read as today's.
FD_ALIASES = {"P33": "DPABR"}
#: Rows of taxes less subsidies, value added and output; columns of output.
TAX_ROWS = ("TLS", "TAXSUB")
VA_ROWS = ("VA", "VALU")
OUT_ROWS = ("OUT", "OUTPUT")
OUT_COLUMNS = ("OUT", "TOTAL")
#: Split regions of the extended files, and the region they are part of.
SPLIT_PARENT = {"CN": "CHN", "MX": "MEX"}
LICENCE = ("OECD Inter-Country Input-Output tables; see the OECD's terms and conditions "
           "(https://www.oecd.org/termsandconditions)")


def _split_parent(region: str) -> str | None:
    m = re.fullmatch(r"(CN|MX)\d", region)
    return SPLIT_PARENT[m.group(1)] if m else None


def _row_kind(label: str) -> str | None:
    """TLS for taxes less subsidies (one row, or one per region), VA, the output row, or an
    intermediate row."""
    head, _, tail = label.partition("_")
    if label in TAX_ROWS or (head and tail in TAX_ROWS):
        return "TLS"
    if label in VA_ROWS:
        return "VA"
    if label in OUT_ROWS:
        return OUTPUT
    return None


LAYOUT = Layout("OECD ICIO", FINAL_DEMAND, ("TLS", "VA"), _row_kind, fd_aliases=FD_ALIASES,
                out_columns=OUT_COLUMNS)


def read_icio(path: str | Path, *, splits: str = "merge", rtol: float = 1e-4,
              atol: float = 1.0) -> MRIO:
    """Read one year of the OECD ICIO (see the module docstring) as an :class:`MRIO`.

    Parameters
    ----------
    path
        The year's CSV (``2020_SML.csv``, ``2020.csv``, ``ICIO2021_2018.csv``) or a zip holding
        it alone.
    splits
        ``"merge"``: ``CN1``/``CN2`` into ``CHN`` and ``MX1``/``MX2`` into ``MEX``; ``"keep"``:
        the parts as regions of their own.
    rtol, atol
        Tolerance of the check of every row sum against the output column.
    """
    if splits not in ("merge", "keep"):
        raise BadValueError(f"splits is 'merge' or 'keep', not {quoted(splits)}")
    p = Path(path)
    opener, file = open_stream(p, "ICIO year")
    rows, columns, values = read_matrix(opener, file)
    if not any(_row_kind(r) == "TLS" for r in rows):
        no_tax = Layout(LAYOUT.name, FINAL_DEMAND, ("VA",), _row_kind,
                               fd_aliases=FD_ALIASES, out_columns=OUT_COLUMNS)
        parsed = parse_labelled(rows, columns, values, file, no_tax, rtol=rtol,
                                atol=atol)
        V = np.vstack([np.zeros(parsed.Z.shape[0]), parsed.V[0]])
    else:
        parsed = parse_labelled(rows, columns, values, file, LAYOUT, rtol=rtol, atol=atol)
        V = parsed.V
    regions, S, C = parsed.regions, len(parsed.sectors), len(FINAL_DEMAND)
    Z, Y, stated = parsed.Z, parsed.Y, parsed.stated
    assert stated is not None
    notes = []
    tax_rows = parsed.va_rows.get("TLS", [])
    if tax_rows and np.any(values[tax_rows][:, parsed.fd_columns]):
        notes.append("taxes less subsidies on final purchases (the TLS row under the "
                     "final-demand columns) are not part of the table read")
    del values
    split_regions = [r for r in regions if _split_parent(r) is not None]
    if split_regions and splits == "merge":
        Z, Y, V, stated, regions = _merge_splits(Z, Y, V, stated, regions, S, C, file)
        notes.append(f"split regions {', '.join(split_regions)} added into "
                     f"{', '.join(sorted({str(_split_parent(r)) for r in split_regions}))}")
    return MRIO(tuple(regions), tuple(parsed.sectors), FINAL_DEMAND, Z, Y, V, ("TLS", "VA"),
                unit="USD million", stated_output=stated, output_tol=rtol, output_atol=atol,
                provenance={"format": "OECD ICIO", "file": file,
                            "release": _edition(columns, rows),
                            "year": year_in(file.rsplit("::", 1)[-1].rsplit("/", 1)[-1]),
                            "licence": LICENCE, "reader": reader_name("icio"),
                            "splits": splits, "notes": notes})


def _merge_splits(Z: np.ndarray, Y: np.ndarray, V: np.ndarray, stated: np.ndarray,
                  regions: list[str], S: int, C: int, file: str
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Add the split regions' rows and columns into their parents and drop them."""
    keep = [r for r in regions if _split_parent(r) is None]
    for r in regions:
        parent = _split_parent(r)
        if parent is not None and parent not in keep:
            raise TableError(f"split region {r} but no {parent} in the table", file=file,
                             row=f"{r}_{'?'}")
    R2 = len(keep)
    # an aggregation matrix G (R S x R2 S): cell (r, i) -> (parent(r) or r, i)
    G = np.zeros((len(regions) * S, R2 * S))
    for a, r in enumerate(regions):
        b = keep.index(_split_parent(r) or r)
        G[a * S:(a + 1) * S, b * S:(b + 1) * S] = np.eye(S)
    Zm = G.T @ Z @ G
    Ym = G.T @ Y
    # final demand columns: only the kept regions have them
    cols = [k for k in range(len(regions) * C) if regions[k // C] in keep]
    Ym = Ym[:, cols] if Y.shape[1] == len(regions) * C else Ym
    return Zm, Ym, V @ G, G.T @ stated, keep


def _edition(columns: list[str], rows: list[str]) -> str:
    if "OUT" in columns and "OUT" in rows:
        return "2023 or later (TLS, VA, OUT)"
    if any(c.endswith("_P33") for c in columns):
        return "2018 (TAXSUB, VALU, OUTPUT; P33)"
    return "2021 (TAXSUB, VALU, OUTPUT)"


def write_icio(table: MRIO, path: str | Path, *, edition: str = "2023",
               split: dict[str, tuple[float, ...]] | None = None) -> Path:
    """Write ``table`` in the exact ICIO layout of ``edition`` (``"2023"``, also 2025's, or
    ``"2021"``): for tests, benchmarks and for handing a table to tools that read the OECD's
    files. ``table.categories`` must be :data:`FINAL_DEMAND`.

    ``split``: ``{"CHN": (0.4, 0.6)}`` writes the extended layout, the region's industry rows
    and columns at zero and its flows in the parts ``CN1``, ``CN2`` (after the last region),
    shared out in those proportions; final demand stays with the region.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if tuple(table.categories) != FINAL_DEMAND:
        raise BadValueError(f"an ICIO table has the final-demand categories "
                            f"{', '.join(FINAL_DEMAND)}")
    if edition not in ("2021", "2023"):
        raise BadValueError(f"edition is '2021' or '2023', not {quoted(edition)}")
    R, S = len(table.regions), len(table.sectors)
    regions = list(table.regions)
    Z, Y = np.array(table.Z), np.array(table.Y)
    tls = table.value_added[0] if len(table.value_added_rows) > 1 else np.zeros(R * S)
    va = table.value_added[-1] if len(table.value_added_rows) else np.zeros(R * S)
    cells = regions.copy()
    if split:
        parts: list[str] = []
        blocks: list[tuple[int, np.ndarray]] = []
        for region, weights in split.items():
            r = regions.index(region)
            prefix = {v: k for k, v in SPLIT_PARENT.items()}[region]
            parts += [f"{prefix}{k + 1}" for k in range(len(weights))]
            blocks.append((r, np.asarray(weights, dtype=float)))
        # the extended layout: every split region's flows moved into its parts
        n_parts = sum(len(s) for _, s in blocks)
        G = np.zeros((R * S, (R + n_parts) * S))
        G[:, :R * S] = np.eye(R * S)
        at = R
        for r, share in blocks:
            G[r * S:(r + 1) * S, r * S:(r + 1) * S] = 0.0
            for w in share:
                G[r * S:(r + 1) * S, at * S:(at + 1) * S] = w * np.eye(S)
                at += 1
        # rows and columns shared out: (G' Z G) keeps the flows between parts in proportion
        Z = G.T @ Z @ G
        Y = G.T @ Y
        tls, va = tls @ G, va @ G
        cells = regions + parts
    x = Z.sum(axis=1) + Y.sum(axis=1)
    labels = [f"{r}_{c}" for r in cells for c in table.sectors]
    fd_labels = [f"{r}_{c}" for r in regions for c in FINAL_DEMAND]
    out_col = "OUT" if edition == "2023" else "TOTAL"
    body = np.hstack([Z, Y, x[:, None]])
    extra_rows: list[tuple[str, np.ndarray]] = []
    n_fd = len(fd_labels)
    if edition == "2023":
        extra_rows.append(("TLS", np.concatenate([tls, np.zeros(n_fd + 1)])))
        extra_rows.append(("VA", np.concatenate([va, np.zeros(n_fd + 1)])))
        extra_rows.append(("OUT", np.concatenate([x, np.zeros(n_fd + 1)])))
    else:
        for k, region in enumerate(regions):  # taxes by region of payment: all in the first
            row = tls if k == 0 else np.zeros_like(tls)
            extra_rows.append((f"{region}_TAXSUB", np.concatenate([row, np.zeros(n_fd + 1)])))
        extra_rows.append(("VALU", np.concatenate([va, np.zeros(n_fd + 1)])))
        extra_rows.append(("OUTPUT", np.concatenate([x, np.zeros(n_fd + 1)])))
    all_rows = labels + [name for name, _ in extra_rows]
    matrix = np.vstack([body, *[v[np.newaxis, :] for _, v in extra_rows]])
    header = [("V1" if edition == "2023" else ""), *labels, *fd_labels, out_col]
    arrays = [pa.array(all_rows, type=pa.string())] + [pa.array(matrix[:, k])
                                                        for k in range(matrix.shape[1])]
    tbl = pa.Table.from_arrays(arrays, names=[f"c{k}" for k in range(len(arrays))])
    p = Path(path)
    with p.open("wb") as fh:
        fh.write((",".join(header) + "\n").encode())
        pacsv.write_csv(tbl, fh, write_options=pacsv.WriteOptions(include_header=False,
                                                                   quoting_style="none"))
    return p


def _icio(path: str | Path, **options: Any) -> MRIO:
    """The command line's ``icio:FILE`` (CN1/CN2 and MX1/MX2 merged) or ``icio:FILE@keep``."""
    text = str(path)
    for mode in ("keep", "merge"):
        if text.endswith("@" + mode):
            return read_icio(text[:-len(mode) - 1], **{"splits": mode, **options})
    return read_icio(path, **options)


register("icio", _icio)

__all__ = ["FINAL_DEMAND", "read_icio", "write_icio"]
