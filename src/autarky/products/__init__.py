"""Product-level dependence from bilateral trade data (CEPII BACI, UN Comtrade).

Read a trade file into a tidy frame of flows (:func:`read_baci`, :func:`read_comtrade`, or
:func:`read_trade`, which tells them apart by their header), then measure which HS6 products an
importer depends on: :func:`eu2021` (the European Commission's 2021 criteria, SWD(2021) 352)
or :func:`geodep` (CEPII's GeoDep criteria); :func:`dependent` keeps the dependent products.

Examples
--------
>>> from autarky.products import eu2021, dependent, trade_frame
>>> t = trade_frame([2021] * 3, ["CHN", "CHN", "USA"], ["DEU", "DEU", "DEU"],
...                 ["854140", "300490", "300490"], [900.0, 40.0, 60.0])
>>> m = eu2021(t, "DEU")
>>> m[["product", "hhi", "dependent"]].values.tolist()
[['300490', 0.52, True], ['854140', 1.0, True]]
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from autarky.errors import TableError
from autarky.products.baci import (
    BACI_COLUMNS,
    COLUMNS,
    UNITS,
    check_trade,
    concat_trade,
    parse_name,
    read_baci,
    read_country_codes,
    read_header,
    trade_frame,
)
from autarky.products.comtrade import read_comtrade
from autarky.products.criteria import (
    CRITERIA,
    EU27,
    EU2021_THRESHOLDS,
    GEODEP_THRESHOLDS,
    concentration,
    dependent,
    eu2021,
    geodep,
    importers,
)


def read_trade(path: str | Path, countries: str | Path | pd.DataFrame | None = None,
               flow: str = "M") -> pd.DataFrame:
    """A BACI file (header ``t,i,j,k,v,q``, read with ``countries``) or a UN Comtrade Plus file
    (a header with ``reporterISO``, read with ``flow``), told apart by the header.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "BACI_HS17_Y2021_V202301.csv"
    ...     _ = p.write_text("t,i,j,k,v,q\\n2021,4,276,010121,12.5,NA\\n")
    ...     read_trade(p).attrs["provenance"]["source"]
    'CEPII BACI'
    """
    path = Path(path)
    header, _ = read_header(path)
    if set(BACI_COLUMNS) <= set(header):
        return read_baci(path, countries)
    if "reporterISO" in header or "cmdCode" in header:
        return read_comtrade(path, flow)
    raise TableError("neither a BACI file (header t,i,j,k,v,q) nor a UN Comtrade Plus file "
                     f"(reporterISO, partnerISO, cmdCode, ...); header: {','.join(header)[:200]}",
                     file=str(path), line=1)


__all__ = ["BACI_COLUMNS", "COLUMNS", "CRITERIA", "EU27", "EU2021_THRESHOLDS",
           "GEODEP_THRESHOLDS", "UNITS", "check_trade", "concat_trade", "concentration",
           "dependent", "eu2021", "geodep", "importers", "parse_name", "read_baci",
           "read_comtrade", "read_country_codes", "read_trade", "trade_frame"]
