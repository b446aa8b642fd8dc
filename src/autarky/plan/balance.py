"""The material balance: the gross output that meets a final demand.

Resources equal uses for every product, ``x + m = A x + y + e``; with the imports the trade
model records (``m = A_imp x + g y``, :mod:`autarky.economy.trade`) this is
``x = (I - A_d)^-1 (y_d + e)``, ``y_d`` the home final use met at home, solved with the
economy's cached factorization of ``I - A_d`` (no inverse).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from autarky.economy import Economy, Scenario, as_scenario
from autarky.economy.inputs import demand_frame
from autarky.economy.trade import domestic_final_use, imports_at
from autarky.errors import BadValueError
from autarky.plan.result import Plan


def define_final_demand(economy: Economy, final_demand: Any = None) -> pd.DataFrame:
    """The final demand to balance: the economy's own, or one given as vector, Series or frame
    (read as the economy reads its own, :func:`autarky.economy.inputs.demand_frame`), finite."""
    if final_demand is None:
        return economy.final_demand
    ids = pd.Index(economy.ids, name="branch")
    fd = demand_frame(final_demand, ids)
    values = fd.to_numpy(dtype=float)
    if not np.all(np.isfinite(values)):
        r, c = np.argwhere(~np.isfinite(values))[0]
        raise BadValueError(f"final demand must be finite numbers; the final demand of "
                            f"{ids[r]}/{fd.columns[c]} is {values[r, c]:g}")
    return fd.astype(float)


def calc_factor_requirements(economy: Economy, x: np.ndarray) -> pd.DataFrame:
    """Factor use ``F x`` beside availability, per factor."""
    fac = economy.factors
    F = economy.factor_coefficients.to_numpy()
    required = F @ x
    avail = fac["availability"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        util = np.where(np.isfinite(avail) & (avail > 0), required / avail, np.nan)
    return pd.DataFrame({"unit": fac["unit"], "required": required, "available": avail,
                         "utilisation": util}, index=fac.index)


def _check_finite(ids: pd.Index, x: np.ndarray, used: np.ndarray, demand: np.ndarray,
                  units: Any) -> None:
    """Refuse an overflowed balance, naming the branches and the demand that did it.

    Examples
    --------
    >>> _check_finite(pd.Index(["a", "b"]), np.array([np.inf, 1.0]), np.ones(2),
    ...               np.array([1.7e308, 1.0]), {"a": "t", "b": "t"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    autarky.errors.BadValueError: the gross output of a is not a finite number (it overflows): ...
    """
    bad = ~(np.isfinite(x) & np.isfinite(used))
    if not bad.any():
        return
    names = ", ".join(str(b) for b in ids[bad][:10]) + (" and others" if bad.sum() > 10 else "")
    k = int(np.nanargmax(np.abs(np.where(np.isfinite(demand), demand, np.inf))))
    unit = units.get(ids[k], "") if hasattr(units, "get") else ""
    what = "gross output" if not np.isfinite(x).all() else "intermediate use"
    raise BadValueError(f"the {what} of {names} is not a finite number (it overflows): the demand "
                        f"on {ids[k]} of {float(demand[k]):g} {unit} (home final use plus "
                        "exports) is too large for 64-bit floats; state the scenario in larger "
                        "units".replace("  ", " "))


def balance(obj: Economy | Scenario, final_demand: Any = None) -> Plan:
    """Balance an economy for a home final use (default: the economy's own).

    Parameters
    ----------
    obj
        The economy (or scenario) to balance.
    final_demand
        ``None``, an ``n``-vector, a Series or dict by branch id, or a ``branch x category`` frame
        of home final use (domestic and imported); exports are the economy's ``exports``.

    Returns
    -------
    Plan
        Gross output ``x = (I - A_d)^-1 (y_d + e)``, intermediate use ``A x`` (domestic and
        imported), imports by partner at the recorded structure (``A_imp[p] x + g[p] y``),
        exports by destination, factor requirements ``F x``.

    Examples
    --------
    >>> eco = Economy.from_coefficients([[0.15, 0.25], [0.20, 0.05]], [600, 1500],
    ...                                 branches=["agriculture", "manufacturing"])
    >>> balance(eco).table()[["gross_output", "intermediate_use"]].round(2)
                   gross_output  intermediate_use
    branch
    agriculture         1247.52            647.52
    manufacturing       1841.58            341.58
    """
    economy = as_scenario(obj).economy
    own = final_demand is None
    cache = economy.__dict__["_cache"]
    if own and "plan:balance" in cache:     # an economy is immutable: its own balance is too
        return cache["plan:balance"]
    fd = define_final_demand(economy, final_demand)
    y_dom = domestic_final_use(economy, None if own else fd).sum(axis=1)
    exports = economy.exports_total
    x = economy.solver.solve(y_dom + exports)
    ids = pd.Index(economy.ids, name="branch")
    with np.errstate(over="ignore", invalid="ignore"):
        used = np.asarray(economy.A @ x).ravel()  # all intermediate use, domestic and imported
    _check_finite(ids, x, used, y_dom + exports, economy.units)
    P = len(economy.coords.partner)
    partners = pd.Index([str(p) for p in economy.coords.partner], name="partner")
    m = imports_at(economy, x, fd.to_numpy().sum(axis=1)) if P else np.zeros((0, economy.n))
    plan = Plan(
        method="balance",
        _gross_output=pd.Series(x, index=ids, name="gross_output"),
        _intermediate_use=pd.Series(used, index=ids, name="intermediate_use"),
        _final_demand=fd,
        _units=economy.units,
        _factors=calc_factor_requirements(economy, x),
        _reported_output=economy.reported_output,
        _imports=pd.DataFrame(m, index=partners, columns=ids),
        _exports=pd.DataFrame(np.array(economy.array("exports")), index=partners, columns=ids),
        currency=economy.currency,
        meta={"solver": economy.solver.method, "solved by": economy.solver.used},
    )
    if own:
        cache["plan:balance"] = plan
    return plan
