"""Dependence on each partner seen two ways, side by side: through the home region's own
imports (the single-country view) and through the whole system (value added).

* **Imports** (what a single-country table shows): the imports from partner group ``G``
  embodied in the home final demand: final imports ``Y[G, h] 1`` plus the imported inputs
  from ``G`` that the home production for home final use needs, ``1' A_m[G] L_d y_d`` with
  ``L_d = (I - A_d)^-1`` the domestic Leontief inverse and ``y_d`` the home final use met at
  home. Gross flows: a Chinese export holds Korean value added, and counts as Chinese.
* **Value added** (what only the whole system shows): the value added of the regions of ``G``
  embodied in the home final demand, ``sum over r in G of (diag(v) L y_h)_r``, with the global
  ``L`` (every region): a partner's value added reaches home through third countries too.

The gap between the two is the dependence that runs through third countries (value added
above imports) or that a partner only passes on (imports above value added).

Examples
--------
>>> import numpy as np
>>> from autarky.mrio import MRIO
>>> t = MRIO(("H", "C", "K"), ("g",), ("f",),
...          Z=np.array([[0.0, 0.0, 0.0], [10.0, 0.0, 0.0], [0.0, 5.0, 0.0]]),
...          Y=np.array([[90.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]),
...          value_added=np.array([[80.0, 5.0, 5.0]]), value_added_rows=("VA",))
>>> d = partner_dependence(t, "H")
>>> d.loc["K", ["imports", "value_added"]].round(4).tolist()
[0.0, 0.0556]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from autarky.mrio.embodied import final_demand_of, solver_of, value_added_coefficients
from autarky.mrio.home import partner_groups
from autarky.mrio.table import MRIO, calc_A
from autarky.solve import LeontiefSolver


def partner_dependence(table: MRIO, home: str,
                       groups: Mapping[str, str | Sequence[str]] | None = None,
                       lu: LeontiefSolver | None = None) -> pd.DataFrame:
    """Per partner group: ``imports`` and ``value_added`` embodied in the home final demand, as
    shares of its value, and ``through_third_countries`` (value added less imports); the
    attribute ``df.attrs["final_demand"]`` is the value of the home final demand (the table's
    unit) and ``df.attrs["unit"]`` says the columns are shares."""
    from autarky.mrio.embodied import require_closed

    require_closed(table, "dependence through the whole system")
    parts = partner_groups(table, home, groups)
    h = table.region_slice(home)
    Yh = final_demand_of(table, home)  # the home final demand, by origin (exports apart)
    total = float(Yh.sum())
    x = table.x
    Ad = calc_A(table.Z[h, h], x[h])
    Ld = LeontiefSolver(Ad)
    domestic_output = Ld.solve(Yh[h])  # home output for home final use
    v = value_added_coefficients(table)
    lu = solver_of(table, lu)
    embodied = v * lu.solve(final_demand_of(table, home))
    rows = {}
    for name, members in parts.items():
        imports = 0.0
        va = 0.0
        for r in members:
            s = table.region_slice(r)
            imports += float(Yh[s].sum())  # final imports from r
            imports += float(calc_A(table.Z[s, h], x[h]).sum(axis=0) @ domestic_output)
            va += float(embodied[s].sum())
        rows[name] = {"imports": imports / total, "value_added": va / total}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "partner"
    out["through_third_countries"] = out["value_added"] - out["imports"]
    out.attrs.update({"unit": "share of the home final demand", "final_demand": total,
                      "final_demand_unit": table.unit, "home": home,
                      "domestic_value_added": float(embodied[h].sum()) / total})
    return out


__all__ = ["partner_dependence"]
