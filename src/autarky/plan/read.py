"""Reading an LP answer back into labelled results: the labels of every block travel from the
model (:class:`~autarky.solve.builder.LPBuilder` coordinates) to the duals, as in linopy."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from autarky.plan.result import Binding, OptimalPlan, _series
from autarky.solve.builder import LPBuilder
from autarky.solve.lp import LinearProgram, LPResult

#: Row blocks that are part of an objective's construction, not constraints of the economy.
_AUXILIARY = ("harmony", "least-fulfilment")
#: Display kinds of row blocks.
_KIND = {"balance": "product"}
#: Display kinds of variable blocks at a binding upper bound.
_COLUMN_KIND = {"output": "capacity", "import": "import", "export": "export"}


def entry_labels(coords: dict[str, Any], k: int) -> tuple[str, int | None]:
    """The label (``branch``, ``factor``, ``partner:branch``, ...) and year of entry ``k``."""
    dims = coords.get("dims", ())
    year = coords.get("year")
    if not dims:
        return "", year
    if dims == ("channel",):
        return f"{coords['partner'][k]}:{coords['branch'][k]}", year
    if dims == ("year",):
        return "", int(coords["year_values"][k])
    return str(coords[dims[0]][k]), year


def row_label(b: LPBuilder, r: int) -> dict[str, Any]:
    """The labels of row ``r``: its block's kind, the entry's label and year."""
    for name, idx in b.row_blocks.items():
        if len(idx) and idx[0] <= r <= idx[-1]:
            coords = b.coords.get(name, {"dims": ()})
            label, year = entry_labels(coords, int(r - idx[0]))
            base = name.split("@", 1)[0]
            return {"block": base, "label": label, "year": year}
    return {"block": "", "label": "", "year": None}


def _labels_at(coords: dict[str, Any], ks: np.ndarray) -> tuple[list[str], list[Any]]:
    """:func:`entry_labels` of many entries at once (``O(len(ks))``)."""
    dims = coords.get("dims", ())
    year = coords.get("year")
    if not dims:
        return [""] * len(ks), [year] * len(ks)
    if dims == ("channel",):
        part = np.asarray(coords["partner"], dtype=object)[ks]
        br = np.asarray(coords["branch"], dtype=object)[ks]
        return [f"{p}:{b}" for p, b in zip(part, br, strict=True)], [year] * len(ks)
    if dims == ("year",):
        return [""] * len(ks), [int(v) for v in np.asarray(coords["year_values"])[ks]]
    return [str(v) for v in np.asarray(coords[dims[0]], dtype=object)[ks]], [year] * len(ks)


def binding_table(b: LPBuilder, lp: LinearProgram, res: LPResult, tol: float = 1e-9
                  ) -> Binding:
    """The constraints with a non-zero dual (rows) and the variables held at an upper bound
    with a positive reduced cost (capacities, trade limits), labelled; ``O(rows + columns)``."""
    kinds: list[str] = []
    labels: list[str] = []
    years: list[Any] = []
    duals: list[float] = []
    scale = max(1e-300, float(np.max(np.abs(res.row_dual), initial=0.0)),
                float(np.max(np.abs(res.col_dual), initial=0.0)))
    for name, idx in b.row_blocks.items():
        if name.startswith(_AUXILIARY) or not len(idx):
            continue
        coords = b.coords.get(name, {"dims": ()})
        base = name.split("@", 1)[0]
        dual = np.asarray(res.row_dual[idx], dtype=float)
        ks = np.flatnonzero((np.abs(dual) > tol * max(1.0, scale)) & (np.abs(dual) > tol))
        lab, yr = _labels_at(coords, ks)
        kinds += [_KIND.get(base, base)] * len(ks)
        labels += lab
        years += yr
        duals += dual[ks].tolist()
    for name, idx in b.blocks.items():
        base = name.split("@", 1)[0]
        if base not in _COLUMN_KIND or not len(idx):
            continue
        coords = b.coords.get(name, {"dims": ()})
        up = lp.col_upper[idx]
        xv, cd = res.x[idx], res.col_dual[idx]
        with np.errstate(invalid="ignore"):
            at = np.isfinite(up) & (xv >= up - tol * np.maximum(1.0, np.abs(up))) & (cd > tol)
        ks = np.flatnonzero(at)
        lab, yr = _labels_at(coords, ks)
        kinds += [_COLUMN_KIND[base]] * len(ks)
        labels += lab
        years += yr
        duals += cd[ks].astype(float).tolist()
    return Binding(pd.DataFrame({"kind": kinds, "label": labels, "year": years, "dual": duals},
                                columns=["kind", "label", "year", "dual"]))


def read_optimal(model: Any, res: LPResult, explain_infeasible: Any, explain_unbounded: Any
                 ) -> OptimalPlan:
    """The :class:`OptimalPlan` of a one-year LP answer (used by ``optimize``)."""
    scn = model.scenario
    eco = scn.economy
    ids = eco.ids
    units = eco.units
    nan = np.full(eco.n, np.nan)
    fac = eco.factors
    empty_fac = pd.DataFrame({"unit": fac["unit"], "required": np.nan,
                              "available": fac["availability"], "utilisation": np.nan})
    common: dict[str, Any] = {
        "method": "optimize", "_units": units, "currency": eco.currency,
        "_final_demand": pd.DataFrame({"target": model.target},
                                      index=pd.Index(ids, name="branch")),
        "_target": pd.Series(model.target, index=pd.Index(ids, name="branch"), name="target"),
        "objective": model.objective,
    }
    if res.status != "optimal":
        conflicts: tuple[dict[str, Any], ...] = ()
        unb: tuple[str, ...] = ()
        if res.status == "infeasible":
            conflicts = tuple(explain_infeasible(model))
        elif res.status == "unbounded":
            unb = tuple(explain_unbounded(model, res))
        return OptimalPlan(_gross_output=_series(nan, ids, "gross_output"),
                           _intermediate_use=_series(nan, ids, "intermediate_use"),
                           _factors=empty_fac, status=res.status, conflicts=conflicts,
                           unbounded_by=unb, meta={"message": res.message},
                           check=None if res.check is None else res.check.to_dict(), **common)
    b = model.builder
    lp = model.lp
    trade = model.trade
    x = res.x[b.blocks["output"]]
    used = np.asarray(eco.A @ x).ravel()
    P = len(eco.coords.partner)
    shape = (P, eco.n)
    partners = pd.Index([str(p) for p in eco.coords.partner], name="partner")
    m = trade.imp.matrix(res.x[trade.m], shape)
    e = trade.exp.matrix(res.x[trade.e], shape)
    imports = pd.DataFrame(m, index=partners, columns=pd.Index(ids, name="branch"))
    exports = pd.DataFrame(e, index=partners, columns=pd.Index(ids, name="branch"))
    delivered = x - used + m.sum(axis=0) - e.sum(axis=0)
    common["_final_demand"] = pd.DataFrame({"delivered": delivered},
                                           index=pd.Index(ids, name="branch"))
    with np.errstate(divide="ignore", invalid="ignore"):
        ful = np.where(model.target > 0, delivered / model.target, np.nan)
    prices = -res.row_dual[b.row_blocks["balance"]]
    cap = model.data.capacity
    cap_prices = np.where(x >= cap * (1 - 1e-9), np.maximum(res.col_dual[b.blocks["output"]], 0.0),
                          0.0)
    fprices = pd.Series(0.0, index=fac.index, name="factor_price")
    if "factor" in b.row_blocks:
        coords = b.coords["factor"]
        for k, r in enumerate(b.row_blocks["factor"]):
            fprices[coords["factor"][k]] = float(res.row_dual[r])
    xp = None
    fx = float("nan")
    if "foreign-exchange" in b.row_blocks:
        rows = b.row_blocks["foreign-exchange"]
        duals = res.row_dual[rows]
        if len(rows) == 1:
            fx = float(duals[0])
            xp = pd.Series(fx, index=partners, name="exchange_price")
        else:
            xp = pd.Series(duals, index=partners, name="exchange_price")
            fx = float(np.max(duals))
    F = model.data.F
    avail = model.data.availability
    req = F @ x
    with np.errstate(divide="ignore", invalid="ignore"):
        util = np.where(np.isfinite(avail) & (avail > 0), req / avail, np.nan)
    factors = pd.DataFrame({"unit": fac["unit"], "required": req,
                            "available": np.where(np.isinf(avail), np.nan, avail),
                            "utilisation": util}, index=fac.index)
    lam = (float(res.x[b.blocks["fulfilment"][0]]) if model.objective == "max-min"
           else float(np.nanmin(ful)))
    objective_value = float(res.objective)
    if "least-fulfilment" in b.blocks:  # remove the harmony tie-breaker from the value
        j = b.blocks["least-fulfilment"][0]
        objective_value -= float(lp.c[j] * res.x[j])
    tb = model.meta.get("tiebreak")
    if tb is not None and len(tb):  # and the reward on imports at their recorded structure
        objective_value -= float(lp.c[tb] @ res.x[tb])
    return OptimalPlan(_gross_output=_series(x, ids, "gross_output"),
                       _intermediate_use=_series(used, ids, "intermediate_use"),
                       _factors=factors, status="optimal", fulfilment=lam,
                       objective_value=objective_value,
                       _fulfilment_by_branch=_series(ful, ids, "fulfilment"),
                       _imports=imports, _exports=exports,
                       _shadow_prices=_series(prices, ids, "shadow_price"),
                       _capacity_prices=_series(cap_prices, ids, "capacity_price"),
                       _factor_prices=fprices, exchange_price=fx, _exchange_prices=xp,
                       binding=binding_table(b, lp, res),
                       check=None if res.check is None else res.check.to_dict(),
                       meta={"solver": "HiGHS", "iterations": res.iterations,
                             "foreign_exchange": model.fx,
                             "foreign_exchange_mode": scn.settings.foreign_exchange}, **common)
