"""Tables drawn from the source document's claims."""

from __future__ import annotations

import pandas as pd

from autarky.data.claims import Claim, Claims

#: The eight products of the source's table "Industrial Goods Output in 1963" (lines 192-203).
OUTPUT_TABLE_PRODUCTS: tuple[str, ...] = (
    "electricity", "coal", "pig-iron", "steel", "structural-steel", "fertilizers", "cement",
    "fabrics",
)


def _ratio(claims: Claims, product: str, base: int) -> Claim | None:
    for c in claims.claims:
        if c.quantity == product and c.kind == "ratio" and c.year == 1963 and c.base_year == base:
            return c
    return None


def output_table_1963(claims: Claims) -> pd.DataFrame:
    """The 1963 output table with the 1956 and 1946 levels its multiples imply.

    For each product: the 1963 level and unit; for each base year (1956, 1946) the multiple as
    read, the implied level ``level_1963 / multiple``, the lowest and highest implied level over
    the reading and its alternatives (where the OCR is unclear), the confidence, the line and the
    OCR text.

    Examples
    --------
    >>> from autarky.data import load_claims
    >>> t = output_table_1963(load_claims())
    >>> round(t.loc["electricity", "level_1956"])  # 11,766 / 2.3
    5116
    """
    rows = []
    for product in OUTPUT_TABLE_PRODUCTS:
        level = next(c for c in claims.claims
                     if c.quantity == product and c.kind == "level" and c.year == 1963)
        row: dict[str, object] = {"product": product, "unit": level.unit, "level_1963": level.value,
                                  "line": level.line, "ocr_1963": level.ocr}
        for base in (1956, 1946):
            r = _ratio(claims, product, base)
            if r is None:
                continue
            readings = [r.value, *r.alternatives]
            implied = [level.value / m for m in readings if m > 0]
            row.update({
                f"multiple_{base}": r.value,
                f"level_{base}": level.value / r.value,
                f"level_{base}_low": min(implied),
                f"level_{base}_high": max(implied),
                f"confidence_{base}": r.confidence,
                f"unclear_{base}": r.unclear,
                f"ocr_{base}": r.ocr,
                f"line_{base}": r.line,
                f"alternatives_{base}": ", ".join(f"{a:g}" for a in r.alternatives),
            })
        rows.append(row)
    return pd.DataFrame(rows).set_index("product")
