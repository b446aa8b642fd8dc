"""Tables and charts that stay readable at any size.

A report of a product-level economy (10^5 products) cannot list every product: a table longer
than :data:`MAX_ROWS` rows shows its first :data:`TOP_ROWS` in the table's own ranking (the
largest import content, the most critical branch), says how many rows there are, and links
the full table as a CSV file written beside the page (:class:`Downloads`). A chart never
draws more than :data:`MAX_BAR_GROUPS` groups of bars: the largest ones and one group for the
rest (:func:`top_and_rest`). Small economies are shown whole, as before.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: Longest table a page lists whole; a longer one shows its first :data:`TOP_ROWS` rows.
MAX_ROWS = 50
#: Rows a long table shows (in its ranking), beside the link to the full table.
TOP_ROWS = 20
#: Most groups of bars (products) one chart draws; above it the largest
#: ``MAX_BAR_GROUPS - 1`` and one group for all the others.
MAX_BAR_GROUPS = 30


@dataclass(frozen=True)
class FullTable:
    """Where the full table of a shortened one is: ``total`` rows, the ``ranking`` the rows
    shown follow (words), the link (a file beside the page, or inline data) and its file name."""

    total: int
    ranking: str
    href: str
    file: str

    def note(self, shown: int) -> str:
        """The sentence under the shortened table (HTML)."""
        from autarky.report.html import esc

        return (f"<p class='muted csv'>{shown:,} of {self.total:,} rows shown: "
                f"{esc(self.ranking)}. <a class='csv' download='{esc(self.file)}' "
                f"href='{esc(self.href)}'>Download the full table ({self.total:,} rows) as "
                "CSV</a>.</p>")


class Downloads:
    """The CSV files of the full tables a page shortens, written beside the page.

    Parameters
    ----------
    folder
        Where the page is written; ``None`` puts each table inline in its link (a ``data:``
        URI), so that a page rendered on its own still carries its tables.
    page
        The page's file name (``index.html``): each table's file is named after it
        (``index-balance.csv``).
    """

    def __init__(self, folder: str | Path | None, page: str) -> None:
        self.folder = None if folder is None else Path(folder)
        self.stem = Path(page).stem
        self.files: list[str] = []

    def add(self, name: str, frame: pd.DataFrame, ranking: str) -> FullTable:
        """Write ``frame`` (every row, numbers at full precision) and return its link."""
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "table"
        file = f"{self.stem}-{slug}.csv"
        text = frame.to_csv(lineterminator="\n")
        if self.folder is None:
            href = "data:text/csv;charset=utf-8," + urllib.parse.quote(text)
        else:
            from autarky.io.writer import atomic_write

            atomic_write(self.folder / file, text)
            href = file
        self.files.append(file)
        return FullTable(len(frame), ranking, href, file)


def shorten(order: pd.Index | list[str], total: int) -> list[str] | None:
    """The labels a table shows: ``None`` (all, in their own order) up to :data:`MAX_ROWS`
    rows, else the first :data:`TOP_ROWS` of ``order``."""
    if total <= MAX_ROWS:
        return None
    return [str(b) for b in list(order)[:TOP_ROWS]]


def ranked(values: pd.Series, ascending: bool = False) -> pd.Index:
    """Labels ordered by ``values`` (largest first unless ``ascending``), missing values last,
    ties in their own order."""
    key = values.astype(float)
    return key.sort_values(ascending=ascending, kind="stable", na_position="last").index


def balance_order(economy: Any, table: pd.DataFrame) -> tuple[pd.Index, str]:
    """The branches of a long balance ``table`` (:meth:`~autarky.plan.Plan.table`), largest
    first, and the ranking in words: by the value of gross output at constant prices, or by
    gross output where every branch has one unit; else as the scenario lists them."""
    prices = economy.prices.to_numpy(dtype=float)
    x = table["gross_output"].astype(float)
    if not np.isnan(prices).any():
        return ranked(x * prices), "the largest gross output at constant prices first"
    if economy.units.nunique() == 1:
        return ranked(x), "the largest gross output first"
    return table.index, "the first branches in the scenario's order"


def top_and_rest(frame: pd.DataFrame, order: pd.Index, what: str = "products",
                 cap: int = MAX_BAR_GROUPS) -> pd.DataFrame:
    """``frame`` (one row per bar group) cut to at most ``cap`` rows: the first ``cap - 1`` of
    ``order`` and one row, the mean of all the others, labelled with how many they are. A
    frame within the cap is returned as it is."""
    if len(frame) <= cap:
        return frame
    head = [b for b in order[: cap - 1]]
    rest = frame.drop(index=head)
    mean = rest.apply(lambda c: float(np.nanmean(c.to_numpy(dtype=float)))
                      if np.isfinite(c.to_numpy(dtype=float)).any() else np.nan)
    out = frame.loc[head].copy()
    out.loc[f"the other {len(rest):,} {what} (mean)"] = mean
    return out
