"""The home-region view: one region of a multi-regional table as an
:class:`~autarky.economy.Economy` trading with partner groups.

For home region ``h`` with output ``x_h`` and partner groups ``G`` (each a set of the other
regions), the economy's tables are the table's blocks, summed over the regions of a group:

* technology ``A = (sum over every region r of Z[r, h]) diag(x_h)^-1`` (inputs of each
  product, wherever made, per unit of home output), and the non-competitive imported inputs
  ``A_m[G] = (sum over r in G of Z[r, h]) diag(x_h)^-1``, so the domestic technology is
  ``A_d = A - sum_G A_m[G] = Z[h, h] diag(x_h)^-1``;
* home final use by category ``y = sum_r Y[r, h]`` and the final imports ``Y[G, h]``;
* exports by destination ``e[G] = sum over r in G of (Z[h, r] 1 + Y[h, r] 1)``, and to the
  world outside the table (a final-demand column of exports, a partner ``outside``);
* competitive imports from outside the table (``imports_out``, a national table's imports
  column) as import shares of the partner ``outside``: ``m_i`` over the home use of ``i``;
* value added per unit of output ``v = 1' V_h diag(x_h)^-1`` (every value-added row the table
  holds, taxes less subsidies included, so that ``1' A + v = 1``), prices 1;
* each extension row (employment, emissions, energy) a factor with the coefficients
  ``F_h diag(x_h)^-1`` in its own unit; the reported output ``x_h``.

The balance of the view, ``(I - A_d) x = y_d + e``, gives back ``x_h`` exactly: every flow of
the home rows is either a domestic use or an export. Everything autarky does on a scenario
(indicators, the cost of autarky, stress tests, criticality, plans) then works on it.

Examples
--------
>>> import numpy as np
>>> from autarky.mrio import MRIO
>>> t = MRIO(regions=("home", "north", "south"), sectors=("goods",), categories=("final",),
...          Z=np.array([[10.0, 5.0, 5.0], [4.0, 20.0, 0.0], [6.0, 0.0, 20.0]]),
...          Y=np.array([[70.0, 5.0, 5.0], [3.0, 68.0, 0.0], [2.0, 0.0, 67.0]]),
...          unit="USD million")
>>> eco = home_view(t, "home")
>>> list(eco.partners.index), eco.plan.balance().gross_output.tolist()
(['north', 'south'], [100.0])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from autarky import checks
from autarky.checks import quoted
from autarky.economy import Economy
from autarky.errors import BadValueError, UnknownIdError
from autarky.mrio.table import MRIO, calc_A

#: The group of every region no other group names (``{"rest": "*"}``).
REST = "*"


def partner_groups(table: MRIO, home: str,
                   groups: Mapping[str, str | Sequence[str]] | None = None
                   ) -> dict[str, list[str]]:
    """The partner groups of ``home``: ``{name: [regions]}``, every other region in exactly one.

    ``groups`` maps a group's name to its regions, or to ``"*"`` for every region no other
    group names; ``None``: each other region is its own partner.

    Examples
    --------
    >>> import numpy as np
    >>> t = MRIO(("DEU", "CHN", "CN1", "FRA", "USA"), ("a",), ("f",), np.eye(5), np.eye(5))
    >>> partner_groups(t, "DEU", {"China": ["CHN", "CN1"], "rest": "*"})
    {'China': ['CHN', 'CN1'], 'rest': ['FRA', 'USA']}
    """
    table.region_slice(home)  # a known region
    others = [r for r in table.regions if r != home]
    if groups is None:
        return {r: [r] for r in others}
    if not isinstance(groups, Mapping) or not groups:
        raise BadValueError("groups is a mapping {name: [regions] or '*'}, e.g. "
                            "{'China': ['CHN'], 'rest': '*'}")
    out: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    rest: str | None = None
    for name, members in groups.items():
        name = str(name)
        if isinstance(members, str):
            if members == REST:
                if rest is not None:
                    raise BadValueError(f"groups {quoted(rest)} and {quoted(name)} both take the rest ('*')")
                rest = name
                out[name] = []
                continue
            members = [members]
        listed = checks.id_list(f"groups[{quoted(name)}]", members)
        for m in listed:
            if m == home:
                raise BadValueError(f"group {quoted(name)} holds the home region {quoted(home)}")
            if m not in table.regions:
                raise UnknownIdError(f"group {quoted(name)}: no region {quoted(m)} in the table")
            if m in seen:
                raise BadValueError(f"region {quoted(m)} is in two groups: {quoted(seen[m])} "
                                    f"and {quoted(name)}")
            seen[m] = name
        if not listed:
            raise BadValueError(f"group {quoted(name)} has no region")
        out[name] = listed
    left = [r for r in others if r not in seen]
    if rest is not None:
        out[rest] = left
        if not left:
            del out[rest]
    elif left:
        raise BadValueError(f"regions in no group: {', '.join(left[:10])}"
                            f"{', ...' if len(left) > 10 else ''}; add a group for the rest, "
                            "e.g. 'rest': '*'")
    return out


def _factor_ids(table: MRIO, factors: Any) -> list[tuple[str, int]]:
    """The extension rows to carry as factors: ``(extension, row)`` pairs."""
    if factors is None:
        return []
    if factors == "all":
        return [(name, k) for name, ext in table.extensions.items()
                for k in range(len(ext.rows))]
    out = []
    for name, rows in dict(factors).items():
        if name not in table.extensions:
            raise UnknownIdError(f"no extension {quoted(name)}; extensions: "
                                 f"{', '.join(table.extensions) or 'none'}")
        ext = table.extensions[name]
        wanted = ext.rows if rows in ("all", None) else [str(r) for r in rows]
        for r in wanted:
            if r not in ext.rows:
                raise UnknownIdError(f"extension {quoted(name)} has no row {quoted(r)}")
            out.append((name, ext.rows.index(r)))
    return out


#: The partner that stands for the world outside the table (a final-demand column of exports).
OUTSIDE = "outside"


def export_categories(table: MRIO) -> list[str]:
    """Final-demand categories that are exports out of the table (pymrio's ``Export``, WIOD's
    and Eora's export columns): any whose name contains "export"."""
    return [c for c in table.categories if "export" in c.lower()]


def home_view(table: MRIO, home: str, groups: Mapping[str, str | Sequence[str]] | None = None,
              *, factors: Any = "all", name: str | None = None,
              exports_out: Sequence[str] | None = None,
              capacity: float | None = None) -> Economy:
    """Region ``home`` of ``table`` as an :class:`~autarky.economy.Economy` (see the module
    docstring).

    Parameters
    ----------
    groups
        The partner groups (see :func:`partner_groups`); default: each other region alone.
    factors
        The extension rows carried as factors: ``"all"``, ``None``, or
        ``{extension: [rows] or "all"}``.
    exports_out
        Final-demand categories that are exports to the world outside the table (default:
        :func:`export_categories`). The home region's own sales in them are exports to a
        partner ``outside``; they are not home final use. Purchases abroad in such a column
        (goods re-exported without processing) are refused.
    capacity
        Capacity of every branch as a multiple of its output in the table (``1.0``: no more
        than today; ``1.05``: 5 % headroom); ``None`` (default): none. The optimal plan, the
        stress tests and the cost of autarky need something that bounds output: capacities,
        or a factor with an availability.
    """
    parts = partner_groups(table, home, groups)
    out_cats = export_categories(table) if exports_out is None else [str(c) for c in exports_out]
    for c in out_cats:
        if c not in table.categories:
            raise UnknownIdError(f"exports_out: no final-demand category {quoted(c)}")
    h = table.region_slice(home)
    S = len(table.sectors)
    C = len(table.categories)
    x = table.x
    xh = x[h]
    Zc = table.Z[:, h]  # every origin -> home columns
    Yc = table.Y[:, table.regions.index(home) * C:(table.regions.index(home) + 1) * C]

    def rows_of(regions: Sequence[str], M: np.ndarray) -> np.ndarray:
        out = np.zeros((S, M.shape[1]))
        for r in regions:
            out += M[table.region_slice(r)]
        return out

    A = calc_A(rows_of(table.regions, Zc), xh)
    keep = [k for k, c in enumerate(table.categories) if c not in out_cats]
    cats = [table.categories[k] for k in keep]
    out_k = [k for k, c in enumerate(table.categories) if c in out_cats]
    if out_k:
        foreign = [r for r in table.regions if r != home]
        abroad = rows_of(foreign, Yc[:, out_k]) if foreign else np.zeros((S, len(out_k)))
        if np.any(abroad != 0):
            i, k = np.argwhere(abroad != 0)[0]
            raise BadValueError(
                f"the home region's export column {quoted(table.categories[out_k[k]])} buys "
                f"{table.sectors[i]} from other regions (re-exports); autarky cannot place them")
    out_sales = table.Y[h, table.regions.index(home) * C:(table.regions.index(home) + 1) * C][
        :, out_k].sum(axis=1) if out_k else np.zeros(S)
    m_out = table.imports_out[h] if table.imports_out is not None else np.zeros(S)
    if np.any(out_sales != 0) or np.any(m_out != 0):
        parts = {**parts, OUTSIDE: []}
    final_use = rows_of(table.regions, Yc[:, keep])
    final_imports = np.stack([rows_of(members, Yc[:, keep]) for members in parts.values()]) \
        if parts else np.zeros((0, S, len(keep)))
    Am = np.stack([calc_A(rows_of(members, Zc), xh) for members in parts.values()]) \
        if parts else np.zeros((0, S, S))
    exports = np.zeros((len(parts), S))
    shares = None
    if OUTSIDE in parts:
        exports[list(parts).index(OUTSIDE)] = out_sales
        if np.any(m_out != 0):
            # competitive imports from outside: a share of the home use of each product not
            # recorded as imported from a region of the table (the home rows hold home and
            # outside supply together), exports excluded
            base = Zc[h].sum(axis=1) + Yc[h][:, keep].sum(axis=1)
            shares = np.zeros((len(parts), S))
            with np.errstate(divide="ignore", invalid="ignore"):
                shares[list(parts).index(OUTSIDE)] = np.where(base > 0, m_out / base, 0.0)
    for g, members in enumerate(parts.values()):
        for r in members:
            cols = table.region_slice(r)
            k = table.regions.index(r)
            sold = table.Y[h, k * C:(k + 1) * C]
            exports[g] += table.Z[h, cols].sum(axis=1) + sold[:, keep].sum(axis=1) \
                + sold[:, out_k].sum(axis=1)
    unit = table.unit
    ids = list(table.sectors)
    branches = pd.DataFrame({"unit": [unit] * S, "name": ids}, index=pd.Index(ids, name="id"))
    partners = pd.DataFrame({"name": [p if p != OUTSIDE else "outside the table" for p in parts],
                             "note": [", ".join(m) if m else "the table's export columns "
                                      f"({', '.join(out_cats)})" for m in parts.values()]},
                            index=pd.Index(list(parts), name="id"))
    va = table.value_added[:, h].sum(axis=0) if len(table.value_added_rows) else None
    rows = _factor_ids(table, factors)
    fac = None
    coef = None
    if rows:
        fac = pd.DataFrame(
            {"unit": [table.extensions[e].units[k] or "unit" for e, k in rows],
             "name": [f"{e}: {table.extensions[e].rows[k]}" for e, k in rows]},
            index=pd.Index([f"{e}:{table.extensions[e].rows[k]}" for e, k in rows], name="id"))
        coef = np.vstack([calc_A(table.extensions[e].F[k:k + 1, h], xh) for e, k in rows])
    prov = table.provenance
    source = ", ".join(str(v) for v in (prov.get("format"), prov.get("release"),
                                         prov.get("year"), prov.get("file")) if v)
    tables: dict[str, Any] = {
        "imported_technology": Am, "final_imports": final_imports, "exports": exports,
        "prices": np.ones(S), "reported_output": xh}
    if va is not None:
        tables["value_added"] = calc_A(va[np.newaxis, :], xh)[0]
    if shares is not None:
        tables["import_shares"] = shares
    if capacity is not None:
        if not (np.isfinite(capacity) and capacity > 0):
            raise BadValueError(f"capacity is a positive multiple of output, got {quoted(capacity)}")
        tables["capacity"] = capacity * xh
    if coef is not None:
        tables["factor_coefficients"] = coef
    return Economy(
        branches, A, pd.DataFrame(final_use, index=ids, columns=cats),
        factors=fac, partners=partners, name=name or f"{home} ({prov.get('format', 'table')})",
        description=f"Region {home} of a multi-regional table, its partners grouped as "
                    + "; ".join(f"{g}: {', '.join(m)}" for g, m in parts.items()),
        source=source or "multi-regional table", currency=unit, **tables)


__all__ = ["OUTSIDE", "REST", "export_categories", "home_view", "partner_groups"]
