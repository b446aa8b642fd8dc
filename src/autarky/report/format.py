"""Number formatting shared by the terminal tables and the HTML report."""

from __future__ import annotations

import math


def format_percent(v: float | None, missing: str = "-") -> str:
    """A fraction as per cent with one decimal; ``missing`` for None, NaN or infinity.

    Examples
    --------
    >>> format_percent(0.0912), format_percent(float("nan"))
    ('9.1 %', '-')
    """
    if v is None or not math.isfinite(v):
        return missing
    return f"{100 * v:.1f} %"


def format_number(v: float | None, missing: str = "-") -> str:
    """A number for a table: thousands separators, one decimal from 10 up, three digits below.

    Examples
    --------
    >>> format_number(11766.0), format_number(948.54), format_number(0.01234), format_number(None)
    ('11,766', '948.5', '0.0123', '-')
    """
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return missing
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 10:
        return f"{v:,.1f}"
    if a == 0:
        return "0"
    return f"{v:,.3g}"
