"""The :class:`Plan`: the result of balancing (and later optimizing) an economy."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


def _ro(s: pd.Series) -> pd.Series:
    return s.copy()


@dataclass(frozen=True)
class Plan:
    """A balanced plan: what each branch must produce, what it uses, and the factors it needs.

    All series are indexed by branch id and measured in each branch's unit (see :attr:`units`).
    Instances are immutable; the accessors return copies.

    Attributes
    ----------
    method
        How the plan was obtained (e.g. ``"balance"``).
    """

    method: str
    _gross_output: pd.Series
    _intermediate_use: pd.Series
    _final_demand: pd.DataFrame
    _units: pd.Series
    _factors: pd.DataFrame
    _reported_output: pd.Series | None = None
    _imports: pd.DataFrame | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def gross_output(self) -> pd.Series:
        """Gross output ``x`` per branch, in the branch's unit."""
        return _ro(self._gross_output)

    @property
    def intermediate_use(self) -> pd.Series:
        """Intermediate use ``A x`` of each product, in the product's unit."""
        return _ro(self._intermediate_use)

    @property
    def final_demand(self) -> pd.DataFrame:
        """Final demand by category (``branch x category``) the plan delivers."""
        return self._final_demand.copy()

    @property
    def units(self) -> pd.Series:
        """Unit of each branch."""
        return _ro(self._units)

    @property
    def factor_requirements(self) -> pd.DataFrame:
        """Per factor: ``unit``, ``required`` (``F x``), ``available`` and ``utilisation``."""
        return self._factors.copy()

    @property
    def reported_output(self) -> pd.Series | None:
        """The scenario's reported output, where it has one."""
        return None if self._reported_output is None else _ro(self._reported_output)

    @property
    def imports(self) -> pd.DataFrame:
        """Imports, ``partner x branch``, in each branch's unit (zero without import shares)."""
        if self._imports is None:
            return pd.DataFrame(0.0, index=pd.Index([], name="partner"),
                                columns=self._gross_output.index)
        return self._imports.copy()

    def table(self) -> pd.DataFrame:
        """The balance of each product, one row per branch.

        Columns: ``unit``, ``gross_output``, ``intermediate_use``, ``final_demand`` (resources =
        uses: ``gross_output = intermediate_use + final_demand``), and, where the scenario reports
        output, ``reported`` and ``deviation`` (relative, balance over reported minus one).
        """
        df = pd.DataFrame({
            "unit": self._units,
            "gross_output": self._gross_output,
            "intermediate_use": self._intermediate_use,
            "final_demand": self._final_demand.sum(axis=1),
        })
        if self._imports is not None:  # resources = uses: x + m = A x + y
            df.insert(2, "imports", self._imports.sum(axis=0))
        if self._reported_output is not None:
            rep = self._reported_output
            df["reported"] = rep
            with np.errstate(divide="ignore", invalid="ignore"):
                df["deviation"] = np.where(rep != 0, self._gross_output / rep - 1.0, np.nan)
        df.index.name = "branch"
        return df

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary; ``gross_output`` maps branch id to its value."""
        fac = self._factors
        return {
            "method": self.method,
            "gross_output": {k: float(v) for k, v in self._gross_output.items()},
            "intermediate_use": {k: float(v) for k, v in self._intermediate_use.items()},
            "final_demand": {k: float(v) for k, v in self._final_demand.sum(axis=1).items()},
            "units": {k: str(v) for k, v in self._units.items()},
            **({"imports": {str(p): {str(b): float(v) for b, v in row.items() if v != 0}
                            for p, row in self._imports.iterrows()}}
               if self._imports is not None else {}),
            "factor_requirements": {
                str(f): {"unit": str(row["unit"]), "required": float(row["required"]),
                         "available": None if pd.isna(row["available"])
                         else float(row["available"])}
                for f, row in fac.iterrows()
            },
            **({"meta": self.meta} if self.meta else {}),
        }


def _series(values: np.ndarray, index: list[str], name: str) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=float), index=pd.Index(index, name="branch"),
                     name=name)


@dataclass(frozen=True)
class OptimalPlan(Plan):
    """An optimal plan with its duals, or the explanation of why there is none.

    Attributes
    ----------
    status
        ``optimal``, ``infeasible`` or ``unbounded``.
    fulfilment
        Common fulfilment ``lam`` (``max-min``), else the smallest fulfilment of any target.
    objective
        ``max-min``, ``weighted`` or ``harmony``; ``objective_value`` its optimum.
    conflicts
        For an infeasible plan: the constraints to relax, by how much (smallest relaxation).
    unbounded_by
        For an unbounded plan: the variables that can grow without limit.
    """

    status: str = "optimal"
    fulfilment: float = float("nan")
    objective: str = "max-min"
    objective_value: float = float("nan")
    _fulfilment_by_branch: pd.Series | None = None
    _target: pd.Series | None = None
    _imports: pd.DataFrame | None = None
    _exports: pd.DataFrame | None = None
    _shadow_prices: pd.Series | None = None
    _capacity_prices: pd.Series | None = None
    _factor_prices: pd.Series | None = None
    exchange_price: float = float("nan")
    binding: tuple[str, ...] = ()
    conflicts: tuple[dict[str, Any], ...] = ()
    unbounded_by: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether an optimal plan was found."""
        return self.status == "optimal"

    @property
    def target(self) -> pd.Series:
        """The target final demand met from home output (net of competitive imports)."""
        assert self._target is not None
        return self._target.copy()

    @property
    def fulfilment_by_branch(self) -> pd.Series:
        """Fulfilment of each product's target (net final output over target)."""
        assert self._fulfilment_by_branch is not None
        return self._fulfilment_by_branch.copy()

    @property
    def imports(self) -> pd.DataFrame:
        """Imports, ``partner x branch``, in each branch's unit."""
        assert self._imports is not None
        return self._imports.copy()

    @property
    def exports(self) -> pd.DataFrame:
        """Exports, ``partner x branch``, in each branch's unit."""
        assert self._exports is not None
        return self._exports.copy()

    @property
    def shadow_prices(self) -> pd.Series:
        """Objective gained per extra unit of each product (Kantorovich valuations)."""
        assert self._shadow_prices is not None
        return self._shadow_prices.copy()

    @property
    def capacity_prices(self) -> pd.Series:
        """Objective gained per extra unit of each branch's capacity (capacity rents)."""
        assert self._capacity_prices is not None
        return self._capacity_prices.copy()

    @property
    def factor_prices(self) -> pd.Series:
        """Objective gained per extra unit of each factor (factor rents)."""
        assert self._factor_prices is not None
        return self._factor_prices.copy()

    def valuations(self, numeraire: str) -> pd.DataFrame:
        """Shadow and capacity prices in units of a factor (e.g. labour per unit of product).

        With labour the only scarce factor these are labour values ``l' (I - A)^-1``.
        """
        fp = self.factor_prices
        if numeraire not in fp.index:
            raise KeyError(f"no factor {numeraire!r}; factors: {', '.join(fp.index)}")
        w = float(fp[numeraire])
        if w <= 0:
            raise ValueError(f"factor {numeraire!r} is not scarce (its rent is zero): "
                             "prices cannot be expressed in it")
        return pd.DataFrame({"unit": self._units,
                             "shadow_price": self.shadow_prices / w,
                             "capacity_price": self.capacity_prices / w})

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``fulfilment``, ``gross_output``, ``imports``, ``exports``,
        ``shadow_prices``, ``factor_prices``, ``binding`` (and ``conflicts`` when infeasible)."""
        out: dict[str, Any] = {"status": self.status, "objective": self.objective}
        if not self.ok:
            out["conflicts"] = list(self.conflicts)
            out["unbounded_by"] = list(self.unbounded_by)
            return out
        base = super().to_dict()

        def nested(df: pd.DataFrame) -> dict[str, dict[str, float]]:
            return {str(p): {str(b): float(v) for b, v in row.items() if v != 0}
                    for p, row in df.iterrows()}

        out.update({
            "fulfilment": float(self.fulfilment),
            "objective_value": float(self.objective_value),
            "fulfilment_by_branch": {k: float(v) for k, v in self.fulfilment_by_branch.items()},
            "gross_output": base["gross_output"],
            "units": base["units"],
            "imports": nested(self.imports),
            "exports": nested(self.exports),
            "factor_use": base["factor_requirements"],
            "shadow_prices": {k: float(v) for k, v in self.shadow_prices.items()},
            "capacity_prices": {k: float(v) for k, v in self.capacity_prices.items()},
            "factor_prices": {k: float(v) for k, v in self.factor_prices.items()},
            "exchange_price": None if np.isnan(self.exchange_price) else self.exchange_price,
            "binding": list(self.binding),
        })
        return out

    @classmethod
    def from_model(cls, model: Any, res: Any, explain_infeasible: Any, explain_unbounded: Any,
                   min_fulfilment: float | None) -> OptimalPlan:
        """Read an LP answer back into labelled results (used by :func:`optimize`)."""
        eco = model.economy
        ids = eco.ids
        units = eco.units
        nan = np.full(eco.n, np.nan)
        fac = eco.factors
        empty_fac = pd.DataFrame({"unit": fac["unit"], "required": np.nan,
                                  "available": fac["availability"], "utilisation": np.nan})
        common: dict[str, Any] = {
            "method": "optimize", "_units": units,
            "_final_demand": pd.DataFrame({"target": model.target},
                                          index=pd.Index(ids, name="branch")),
            "_target": pd.Series(model.target, index=pd.Index(ids, name="branch"), name="target"),
            "objective": model.objective,
        }
        if res.status != "optimal":
            conflicts: tuple[dict[str, Any], ...] = ()
            unb: tuple[str, ...] = ()
            if res.status == "infeasible":
                conflicts = tuple(explain_infeasible(model, min_fulfilment))
            elif res.status == "unbounded":
                unb = tuple(explain_unbounded(model, res))
            return cls(_gross_output=_series(nan, ids, "gross_output"),
                       _intermediate_use=_series(nan, ids, "intermediate_use"),
                       _factors=empty_fac, status=res.status, conflicts=conflicts,
                       unbounded_by=unb, meta={"message": res.message}, **common)
        b = model.builder
        lp = model.lp
        x = res.x[b.blocks["output"]]
        tol = 1e-9
        used = np.asarray(eco.A_d @ x).ravel()
        offers = model.offers

        def trade_frame(direction: str) -> pd.DataFrame:
            sub = offers[offers["direction"] == direction]
            vals = res.x[b.blocks[direction]]
            df = pd.DataFrame(0.0, index=pd.Index(list(eco.partners.index), name="partner"),
                              columns=pd.Index(ids, name="branch"))
            for (p, br), v in zip(zip(sub["partner"], sub["branch"], strict=True), vals,
                                  strict=True):
                df.loc[p, br] += v
            return df

        imports, exports = trade_frame("import"), trade_frame("export")
        net = x - used + imports.sum(axis=0).to_numpy() - exports.sum(axis=0).to_numpy()
        # what the plan delivers to final use (the target's share of it is ``fulfilment``)
        common["_final_demand"] = pd.DataFrame(
            {"delivered": net + exports.sum(axis=0).to_numpy()},
            index=pd.Index(ids, name="branch"))
        with np.errstate(divide="ignore", invalid="ignore"):
            ful = np.where(model.target > 0, net / model.target, np.nan)
        bal = b.row_blocks["balance"]
        prices = -res.row_dual[bal]
        cap_prices = np.where(x >= eco.capacity.to_numpy() * (1 - 1e-9),
                              np.maximum(res.col_dual[b.blocks["output"]], 0.0), 0.0)
        fprices = pd.Series(0.0, index=fac.index, name="factor_price")
        if "factor" in b.row_blocks:
            for r in b.row_blocks["factor"]:
                fprices[lp.row_names[r].split(":", 1)[1]] = float(res.row_dual[r])
        fx = (float(res.row_dual[b.row_blocks["foreign-exchange"][0]])
              if "foreign-exchange" in b.row_blocks else float("nan"))
        binding = []
        for r, name in enumerate(lp.row_names):
            if name.startswith(("harmony", "least-fulfilment")):
                continue
            if abs(res.row_dual[r]) > tol:
                binding.append(name.replace("balance:", "product:"))
        for j, name in enumerate(lp.col_names):
            if name.startswith(("output:", "import:", "export:")):
                at_upper = np.isfinite(lp.col_upper[j]) and res.x[j] >= lp.col_upper[j] - tol * max(
                    1.0, abs(lp.col_upper[j]))
                if at_upper and res.col_dual[j] > tol:
                    binding.append(name.replace("output:", "capacity:"))
        F = eco.factor_coefficients.to_numpy()
        avail = fac["availability"].to_numpy(dtype=float)
        req = F @ x
        with np.errstate(divide="ignore", invalid="ignore"):
            util = np.where(np.isfinite(avail) & (avail > 0), req / avail, np.nan)
        factors = pd.DataFrame({"unit": fac["unit"], "required": req, "available": avail,
                                "utilisation": util}, index=fac.index)
        lam = (float(res.x[b.blocks["fulfilment"][0]]) if model.objective == "max-min"
               else float(np.nanmin(ful)))
        objective_value = float(res.objective)
        if "least-fulfilment" in b.blocks:  # remove the harmony tie-breaker from the value
            j = b.blocks["least-fulfilment"][0]
            objective_value -= float(lp.c[j] * res.x[j])
        return cls(_gross_output=_series(x, ids, "gross_output"),
                   _intermediate_use=_series(used, ids, "intermediate_use"),
                   _factors=factors, status="optimal", fulfilment=lam,
                   objective_value=objective_value,
                   _fulfilment_by_branch=_series(ful, ids, "fulfilment"),
                   _imports=imports, _exports=exports,
                   _shadow_prices=_series(prices, ids, "shadow_price"),
                   _capacity_prices=_series(cap_prices, ids, "capacity_price"),
                   _factor_prices=fprices, exchange_price=fx, binding=tuple(binding),
                   meta={"solver": "HiGHS", "iterations": res.iterations}, **common)
