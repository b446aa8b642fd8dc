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


#: Magnitudes below this are printed as 0: solver noise (a balance closes to about 1e-13 of its
#: terms, an LP's duals to 1e-9 of theirs), never a figure anyone reported.
NOISE = 1e-12


def format_number(v: float | None, missing: str = "-", digits: int = 3) -> str:
    """A number for people: thousands separators and no decimals from 1000 up, one decimal from
    10 up, ``digits`` significant digits below 10 in fixed notation (down to 1e-6; scientific
    below that); no ``-0`` and no noise (``|v| < NOISE`` is 0); ``missing`` for None or NaN.

    Examples
    --------
    >>> format_number(11766.0), format_number(948.54), format_number(0.01234), format_number(None)
    ('11,766', '948.5', '0.0123', '-')
    >>> format_number(2.06e-23), format_number(-0.0), format_number(6.9e-05), format_number(1.0)
    ('0', '0', '0.000069', '1')
    >>> format_number(0.000123456, digits=4), format_number(-3.2e-08), format_number(float("inf"))
    ('0.0001235', '-3.20e-08', '∞')
    """
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return missing
    v = float(v)
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    a = abs(v)
    if a < NOISE:
        return "0"
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 10:
        return f"{v:,.1f}"
    if a < 1e-6:
        return f"{v:.{digits - 1}e}"
    decimals = max(0, digits - 1 - math.floor(math.log10(a)))
    text = f"{v:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "0", "") else text


def format_recovery(output_week: int | None, served_week: int | None, weeks: int,
                    tol: float = 0.01) -> str:
    """The recovery of a propagated shock in words: when every output is back within ``tol`` of
    its baseline, and when every final demand is served again (either may come later).

    Examples
    --------
    >>> format_recovery(0, 0, 52)
    'no disruption beyond 1 %: outputs and final deliveries stayed within 1 % of baseline'
    >>> format_recovery(0, 17, 52)
    'outputs stayed within 1 % of baseline, but final demand went short until week 17'
    >>> format_recovery(21, None, 52)
    'outputs back within 1 % after week 21; final demand still short after 52 weeks'
    """
    band = f"{100 * tol:g} %"
    if output_week == 0 and served_week == 0:
        return (f"no disruption beyond {band}: outputs and final deliveries stayed within "
                f"{band} of baseline")
    out = (f"outputs stayed within {band} of baseline" if output_week == 0 else
           f"outputs back within {band} after week {output_week}" if output_week is not None else
           f"outputs not back within {band} after {weeks} weeks")
    if served_week == 0:
        return out + "; final demand always served"
    if served_week is None:
        return out + f"; final demand still short after {weeks} weeks"
    joint = ", but" if output_week == 0 else ";"
    return out + f"{joint} final demand went short until week {served_week}"
