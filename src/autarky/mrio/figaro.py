"""Eurostat FIGARO inter-country input-output tables: the "matrix" CSV files,
industry-by-industry (``matrix_eu-ic-io_ind-by-ind_25ed_2023.csv``) and product-by-product
(``matrix_eu-ic-io_prod-by-prod_...``), in EUR million at current basic prices.

The layout (``shared/research/table-layouts.md`` section 2): one header row whose first cell is
``rowLabels``; cells ``CC_CODE`` with the two-letter country code (``FIGW1`` the rest of the
world) split on the first underscore (``C31_32``, ``P3_S13`` hold one; products are
``CPA_A01``); five final-demand columns per region, ``P3_S13`` (government), ``P3_S14``
(households), ``P3_S15`` (NPISH), ``P51G`` (gross fixed capital formation), ``P5M`` (changes
in inventories and valuables); six value-added rows at the bottom, ``W2_D21X31`` (taxes less
subsidies on products), ``W2_OP_RES``, ``W2_OP_NRES`` (purchases abroad by residents, and of
non-residents at home), ``W2_D1`` (compensation of employees), ``W2_D29X39`` (other net taxes
on production), ``W2_B2A3G`` (operating surplus and mixed income). There is no output row or
column: output is the row total.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "matrix_eu-ic-io_ind-by-ind_25ed_2021.csv"
>>> _ = p.write_text(FIXTURE)
>>> t = read_figaro(p)
>>> t.regions, t.sectors, t.categories[:2], t.unit
(('AT', 'FIGW1'), ('A01', 'C10T12'), ('P3_S13', 'P3_S14'), 'EUR million')
>>> t.provenance["year"], t.provenance["release"]
(2021, '25th edition')
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from autarky.checks import quoted
from autarky.mrio.matrix import (
    Layout,
    open_stream,
    parse_labelled,
    read_matrix,
    reader_name,
    year_in,
)
from autarky.mrio.readers import register
from autarky.mrio.table import MRIO

#: The final-demand codes, in their order in each region.
FINAL_DEMAND = ("P3_S13", "P3_S14", "P3_S15", "P51G", "P5M")
#: The value-added rows (prefix ``W2_``), in their order.
VALUE_ADDED = ("D21X31", "OP_RES", "OP_NRES", "D1", "D29X39", "B2A3G")
LICENCE = ("Eurostat FIGARO; reuse authorised with acknowledgement of the source "
           "(Commission Decision 2011/833/EU)")

#: The official layout in miniature (two regions, two industries), from puremacro's fixture.
FIXTURE = """\
rowLabels,AT_A01,AT_C10T12,FIGW1_A01,FIGW1_C10T12,AT_P3_S13,AT_P3_S14,AT_P3_S15,AT_P51G,\
AT_P5M,FIGW1_P3_S13,FIGW1_P3_S14,FIGW1_P3_S15,FIGW1_P51G,FIGW1_P5M
AT_A01,10,30,2,0,2,40,1,3,-0.3,0.5,6,0,1,0.2
AT_C10T12,5,20,3,0,4,60,2,8,1,0,0,-0.0005,2,0.5
FIGW1_A01,4,6,15,0,0.2,7,0,0.5,0,3,50,1.5,6,-1.2
FIGW1_C10T12,0,0,0,0,0,0,0,0,0,0,-0.001,0,0,0
W2_D21X31,3,5.5,2,0.001,0.1,4,0.2,0.5,0.05,0.3,5,0.1,0.6,-0.02
W2_OP_RES,0,0,0,0,0,1.5,0,0,0,0,0.8,0,0,0
W2_OP_NRES,0,0,0,0,0,-1.1,0,0,0,0,-1.2,0,0,0
W2_D1,40,30,45,0,0,0,0,0,0,0,0,0,0,0
W2_D29X39,-1.4,1,0.5,0,0,0,0,0,0,0,0,0,0,0
W2_B2A3G,34.8,12.9995,24.5,0,0,0,0,0,0,0,0,0,0,0
"""


def _row_kind(label: str) -> str | None:
    head, _, code = label.partition("_")
    if head == "W2":
        return code if code in VALUE_ADDED else f"unknown value-added row {label}"
    return None


LAYOUT = Layout("FIGARO", FINAL_DEMAND, VALUE_ADDED, _row_kind)


def read_figaro(path: str | Path, *, rtol: float = 1e-4, atol: float = 0.01) -> MRIO:
    """Read a FIGARO matrix CSV (see the module docstring) as an :class:`MRIO`; ``rtol`` and
    ``atol`` bound the difference between a column's inputs plus value added and its row's
    output (the file's own identity), which is checked."""
    from autarky.errors import TableError

    p = Path(path)
    opener, file = open_stream(p, "FIGARO year")
    rows, columns, values = read_matrix(opener, file)
    for lab in rows:
        kind = _row_kind(lab)
        if kind is not None and kind.startswith("unknown"):
            raise TableError(f"{quoted(lab)} is not one of FIGARO's value-added rows (W2_"
                             f"{', W2_'.join(VALUE_ADDED)})", file=file, row=lab)
    parsed = parse_labelled(rows, columns, values, file, LAYOUT, rtol=rtol, atol=atol)
    del values
    name = file.rsplit("::", 1)[-1].rsplit("/", 1)[-1]
    ed = re.search(r"_(\d\d)ed_", name)
    table = MRIO(tuple(parsed.regions), tuple(parsed.sectors), FINAL_DEMAND, parsed.Z,
                 parsed.Y, parsed.V, VALUE_ADDED, unit="EUR million",
                 provenance={"format": "FIGARO", "file": file,
                             "release": f"{ed.group(1)}th edition" if ed else "",
                             "year": year_in(name), "licence": LICENCE,
                             "reader": reader_name("figaro"),
                             "table": "product by product" if "prod-by-prod" in name
                             else "industry by industry"})
    _check_columns(table, rtol, atol, file)
    return table


def _check_columns(table: MRIO, rtol: float, atol: float, file: str) -> None:
    """Inputs plus value added of each column equal its row's output (FIGARO states no output
    of its own, so this identity is the check of the totals)."""
    import numpy as np

    from autarky.errors import TableError

    x = table.x
    cost = table.Z.sum(axis=0) + table.value_added.sum(axis=0)
    off = np.abs(cost - x) - (rtol * np.maximum(np.abs(cost), np.abs(x)) + atol)
    if (off > 0).any():
        k = int(np.argmax(off))
        region, code = table.label(k)
        raise TableError(f"totals do not match: inputs plus value added are {cost[k]:.10g}, "
                         f"the row's output {x[k]:.10g} (tolerance {100 * rtol:g} % + "
                         f"{atol:g} EUR million)", file=file, column=f"{region}_{code}")


def _figaro(path: str | Path, **options: Any) -> MRIO:
    return read_figaro(path, **options)


register("figaro", _figaro)

__all__ = ["FINAL_DEMAND", "FIXTURE", "VALUE_ADDED", "read_figaro"]
