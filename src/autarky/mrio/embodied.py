"""Accounts of the whole multi-regional system: what each region's value added (or stressor)
ends up in, through every other region.

With the global technology ``A`` (all regions), ``L = (I - A)^-1`` and the value-added
coefficients ``v = 1' V diag(x)^-1`` per ``(region, sector)``, the value added of every origin
embodied in a final demand ``y`` is ``diag(v) L y`` (Miller & Blair 2009, ch. 6; the
trade-in-value-added decomposition of Johnson & Noguera 2012 and the OECD TiVA indicators).
``L`` is never formed: one solver of ``I - A`` serves every right-hand side (the columns of
``y``, every stressor at once), so the work is a few passes over ``Z`` (GMRES) or one LU and a
few triangular solves (small tables).

Where the value-added rows hold all primary inputs (``1' A + v = 1`` for every column with
output) the embodied value added of all origins adds up to the value of the final demand:
every unit spent is somebody's value added.

Examples
--------
>>> import numpy as np
>>> from autarky.mrio import MRIO
>>> t = MRIO(("home", "abroad"), ("goods",), ("final",),
...          Z=np.array([[10.0, 5.0], [2.0, 20.0]]), Y=np.array([[85.0, 0.0], [3.0, 75.0]]),
...          value_added=np.array([[88.0, 75.0]]), value_added_rows=("VA",))
>>> va = value_added_in_final_demand(t, "home")
>>> round(float(va.sum()), 9), round(float(t.Y[:, 0].sum()), 9)
(88.0, 88.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from autarky import checks
from autarky.checks import quoted
from autarky.errors import BadTypeError, BadValueError, UnknownIdError
from autarky.mrio.table import MRIO, calc_A
from autarky.solve import LeontiefSolver


def require_closed(table: MRIO, what: str) -> None:
    """Refuse a table with competitive imports from outside it (a national table's imports
    column): the whole system's accounts need every supplier inside the table."""
    if table.imports_out is not None and np.any(table.imports_out):
        raise BadValueError(
            f"{what} needs every supplier inside the table, and this one has imports from "
            "outside it (imports_out); use the home-region view (home_view), whose import "
            "shares take them in")


def solver_of(table: MRIO, lu: Any) -> LeontiefSolver:
    """``lu`` if it is a solver of the table's size, else (for ``None``) the table's own
    (:func:`solver`); anything else is refused."""
    if lu is None:
        return solver(table)
    if not isinstance(lu, LeontiefSolver):
        raise BadTypeError(f"lu must be a LeontiefSolver of the table, got {type(lu).__name__}")
    if lu.n != table.n:
        raise BadValueError(f"lu is a solver for {lu.n} branches, the table has {table.n}")
    return lu


def solver(table: MRIO) -> LeontiefSolver:
    """The Leontief solver of the whole system, ``A = Z diag(x)^-1`` (reused for every solve).

    Built from the flows without forming ``A``: at the size of a multi-regional table GMRES works
    on ``Z`` and the scaling directly (every solve a few passes over ``Z``, no ``n x n`` array
    beside the table); a small table, or a fallback, is factorized (one ``n x n`` copy).
    """
    require_closed(table, "the whole system's Leontief inverse")
    return LeontiefSolver.from_flows(table.Z, table.x)


def value_added_coefficients(table: MRIO) -> np.ndarray:
    """``v = 1' V diag(x)^-1``: value added per unit of output of every ``(region, sector)``."""
    if not table.value_added_rows:
        raise BadValueError("the table has no value-added rows; embodied value added needs them")
    return calc_A(table.value_added.sum(axis=0)[np.newaxis, :], table.x)[0]


def _by_region(table: MRIO, values: np.ndarray) -> pd.Series:
    S = len(table.sectors)
    return pd.Series(values.reshape(len(table.regions), S).sum(axis=1),
                     index=pd.Index(table.regions, name="source"))


def _own_columns(table: MRIO, region: str, *, exports: bool) -> np.ndarray:
    """``region``'s final-demand columns: its home final uses, or (``exports``) its columns of
    exports out of the table."""
    from autarky.mrio.home import export_categories

    C = len(table.categories)
    k = table.region_slice(region).start // len(table.sectors)
    out = set(export_categories(table))
    return np.array([k * C + j for j, c in enumerate(table.categories)
                     if (c in out) == exports], dtype=int)


def final_demand_of(table: MRIO, region: str) -> np.ndarray:
    """The final demand of ``region`` (its home final uses, not its export columns), by origin
    ``(region, sector)``."""
    return table.Y[:, _own_columns(table, region, exports=False)].sum(axis=1)


def gross_exports_of(table: MRIO, region: str) -> np.ndarray:
    """Gross exports of ``region`` by ``(region, sector)`` of origin (its own rows only): what
    it sells to every other region, for intermediate and final use."""
    h = table.region_slice(region)
    C = len(table.categories)
    r = h.start // len(table.sectors)
    out = np.zeros(table.n)
    others = np.ones(table.n, dtype=bool)
    others[h] = False
    fd_cols = np.ones(table.Y.shape[1], dtype=bool)
    fd_cols[r * C:(r + 1) * C] = False
    out[h] = table.Z[h][:, others].sum(axis=1) + table.Y[h][:, fd_cols].sum(axis=1)
    # and what it sells out of the table (its export columns)
    out[h] += table.Y[h][:, _own_columns(table, region, exports=True)].sum(axis=1)
    return out


def value_added_in_final_demand(table: MRIO, region: str,
                                lu: LeontiefSolver | None = None) -> pd.Series:
    """The value added of each source region embodied in ``region``'s final demand (the
    table's unit); the home region's own entry is its domestic value added."""
    v = value_added_coefficients(table)
    lu = solver_of(table, lu)
    return _by_region(table, v * lu.solve(final_demand_of(table, region)))


@dataclass(frozen=True)
class TiVA:
    """The trade-in-value-added indicators of one region (the table's unit, or shares).

    Attributes
    ----------
    final_demand_va
        Value added of each source region in the home final demand (``FFD_DVA`` for the home
        region itself, ``FFD_FVA`` by source for the others).
    exports_va
        Value added of each source region in the home gross exports (``EXGR_DVA`` and
        ``EXGR_FVA`` by source).
    gross_exports
        Gross exports (``EXGR``).
    import_content_of_exports
        Foreign value added in gross exports over gross exports (``EXGR_FVASH``): the backward
        participation in value chains.
    forward_participation
        The home value added in other regions' gross exports over the home gross exports
        (``DEXFVAPSH``).
    final_demand_value
        The value of the home final demand (``sum of final_demand_va`` where the value-added
        rows hold every primary input).
    """

    region: str
    final_demand_va: pd.Series
    exports_va: pd.Series
    gross_exports: float
    import_content_of_exports: float
    forward_participation: float
    final_demand_value: float
    unit: str

    def table(self) -> pd.DataFrame:
        """By source region: value added in the home final demand and in its exports."""
        return pd.DataFrame({"in_final_demand": self.final_demand_va,
                             "in_exports": self.exports_va})


def tiva(table: MRIO, region: str, lu: LeontiefSolver | None = None) -> TiVA:
    """The TiVA set of ``region`` (see :class:`TiVA`): three solves with one factorization."""
    lu = solver_of(table, lu)
    v = value_added_coefficients(table)
    h = table.region_slice(region)
    fd = final_demand_of(table, region)
    ex = gross_exports_of(table, region)
    # the gross exports of every other region, one right-hand side for them all
    ex_others = np.zeros(table.n)
    for r in table.regions:
        if r != region:
            ex_others += gross_exports_of(table, r)
    sol = lu.solve(np.column_stack([fd, ex, ex_others]))
    fd_va = _by_region(table, v * sol[:, 0])
    ex_va = _by_region(table, v * sol[:, 1])
    home_in_others = float((v * sol[:, 2])[h].sum())
    total_ex = float(ex.sum())
    foreign = float(ex_va.drop(region).sum())
    return TiVA(region, fd_va, ex_va, total_ex,
                foreign / total_ex if total_ex > 0 else float("nan"),
                home_in_others / total_ex if total_ex > 0 else float("nan"),
                float(fd.sum()), table.unit)


def multipliers(table: MRIO, extension: str, lu: LeontiefSolver | None = None) -> pd.DataFrame:
    """Total (direct and indirect) stressor per unit of final demand of each ``(region,
    sector)``: ``M = S L`` with ``S = F diag(x)^-1``, by transposed solves ``L' s_k`` (pymrio's
    ``M``)."""
    if not isinstance(extension, str) or extension not in table.extensions:
        raise UnknownIdError(f"unknown extension {quoted(extension)}; the table has "
                             f"{checks.id_text(table.extensions, k=12) or 'none'}")
    ext = table.extensions[extension]
    lu = solver_of(table, lu)
    S = calc_A(ext.F, table.x)
    M = lu.solve_transposed(S.T).T if len(S) else S        # every stressor in one block
    cols = pd.MultiIndex.from_tuples(table.labels(), names=["region", "sector"])
    return pd.DataFrame(M, index=pd.Index(ext.rows, name="stressor"), columns=cols)


__all__ = ["TiVA", "final_demand_of", "gross_exports_of", "multipliers", "solver", "tiva",
           "value_added_coefficients", "value_added_in_final_demand"]
