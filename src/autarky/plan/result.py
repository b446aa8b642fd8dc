"""Plans: the result of balancing or optimizing an economy, labelled, with a unit per quantity.

Every result turns into an :class:`xarray.Dataset` (``to_dataset()``) whose variables carry
named dimensions, coordinates and ``attrs["unit"]`` (a per-branch ``unit`` coordinate where the
unit differs by branch); :mod:`autarky.io.results` writes any such dataset to JSON, CSV, netCDF
or parquet. LP duals come back labelled (:class:`Binding`), never as strings to parse.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from autarky.display import DatasetDisplay


def certificate(check: dict[str, Any] | None, method: str, fallback: Any = ()) -> dict[str, Any]:
    """The certificate of a checked answer: ``method``, ``duality_gap``, ``max_violation`` (the
    largest relative violation of a constraint, in the model's own units), ``dual_violation``
    and ``fallback`` (why a faster method was left); ``nan`` where nothing was checked."""
    chk = check or {}
    nan = float("nan")
    return {"method": method,
            "duality_gap": chk.get("duality_gap", nan),
            "max_violation": chk.get("primal_violation", nan),
            "dual_violation": chk.get("dual_violation", nan),
            "fallback": list(fallback)}


@dataclass(frozen=True)
class Binding:
    """The constraints that bind, labelled: one row per constraint with its block (``kind``:
    ``product``, ``factor``, ``capacity``, ``foreign-exchange``, ``import-cap``, ...), the labels
    of its entry (branch, factor, partner, year where it has them) and its dual.

    Iterating (and ``in``) goes over display names such as ``factor:labour`` or
    ``capacity:steel@1964``, built from the labels.
    """

    table: pd.DataFrame

    @property
    def names(self) -> tuple[str, ...]:
        """Display names, ``kind[:label][@year]``."""
        out = []
        for r in self.table.to_dict("records"):
            label = r.get("label")
            name = r["kind"] + (f":{label}" if isinstance(label, str) and label else "")
            year = r.get("year")
            if year is not None and not (isinstance(year, float) and np.isnan(year)):
                name += f"@{int(year)}"
            out.append(name)
        return tuple(out)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def __len__(self) -> int:
        return len(self.table)

    def __repr__(self) -> str:
        return f"Binding({', '.join(self.names)})"

    @staticmethod
    def empty() -> Binding:
        return Binding(pd.DataFrame(columns=["kind", "label", "year", "dual"]))


def branch_unit_coord(units: pd.Series) -> dict[str, Any]:
    """The per-branch ``unit`` coordinate of a dataset."""
    return {"unit": ("branch", [str(u) for u in units])}


def _branch_var(values: Any, ids: list[str], unit: str, description: str) -> xr.DataArray:
    return xr.DataArray(np.asarray(values, dtype=float), dims=("branch",),
                        coords={"branch": ids}, attrs={"unit": unit, "description": description})


@dataclass(frozen=True, repr=False)
class Plan(DatasetDisplay):
    """A balanced plan: what each branch must produce, what it uses, what is traded, and the
    factors it needs.

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
    _exports: pd.DataFrame | None = None
    currency: str = "currency unit"
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def gross_output(self) -> pd.Series:
        """Gross output ``x`` per branch, in the branch's unit."""
        return self._gross_output.copy()

    @property
    def intermediate_use(self) -> pd.Series:
        """Intermediate use ``A x`` of each product (domestic and imported), in its unit."""
        return self._intermediate_use.copy()

    @property
    def final_demand(self) -> pd.DataFrame:
        """Home final use by category (``branch x category``) the plan delivers."""
        return self._final_demand.copy()

    @property
    def units(self) -> pd.Series:
        """Unit of each branch."""
        return self._units.copy()

    @property
    def factor_requirements(self) -> pd.DataFrame:
        """Per factor: ``unit``, ``required`` (``F x``), ``available`` and ``utilisation``."""
        return self._factors.copy()

    @property
    def reported_output(self) -> pd.Series | None:
        """The scenario's reported output, where it has one."""
        return None if self._reported_output is None else self._reported_output.copy()

    @property
    def imports(self) -> pd.DataFrame:
        """Imports, ``partner x branch``, in each branch's unit."""
        if self._imports is None:
            return pd.DataFrame(0.0, index=pd.Index([], name="partner"),
                                columns=self._gross_output.index)
        return self._imports.copy()

    @property
    def exports(self) -> pd.DataFrame:
        """Exports, ``partner x branch``, in each branch's unit."""
        if self._exports is None:
            return pd.DataFrame(0.0, index=pd.Index([], name="partner"),
                                columns=self._gross_output.index)
        return self._exports.copy()

    def table(self) -> pd.DataFrame:
        """The balance of each product, one row per branch.

        Columns: ``unit``, ``gross_output``, ``imports`` (where any), ``intermediate_use``,
        ``final_demand``, ``exports`` (where any): resources = uses,
        ``gross_output + imports = intermediate_use + final_demand + exports``; and, where the
        scenario reports output, ``reported`` and ``deviation`` (balance over reported minus one).
        """
        df = pd.DataFrame({
            "unit": self._units,
            "gross_output": self._gross_output,
            "intermediate_use": self._intermediate_use,
            "final_demand": self._final_demand.sum(axis=1),
        })
        if self._imports is not None and self._imports.to_numpy().any():
            df.insert(2, "imports", self._imports.sum(axis=0))
        if self._exports is not None and self._exports.to_numpy().any():
            df["exports"] = self._exports.sum(axis=0)
        if self._reported_output is not None:
            rep = self._reported_output
            df["reported"] = rep
            with np.errstate(divide="ignore", invalid="ignore"):
                df["deviation"] = np.where(rep != 0, self._gross_output / rep - 1.0, np.nan)
        df.index.name = "branch"
        return df

    def to_dataset(self) -> xr.Dataset:
        """The plan as a labelled dataset, a unit on every variable."""
        ids = [str(i) for i in self._gross_output.index]
        rule = "unit[branch]"
        data: dict[str, xr.DataArray] = {
            "gross_output": _branch_var(self._gross_output, ids, rule, "Gross output x."),
            "intermediate_use": _branch_var(self._intermediate_use, ids, rule,
                                            "Intermediate use A x, domestic and imported."),
            "final_demand": xr.DataArray(
                self._final_demand.to_numpy(dtype=float), dims=("branch", "category"),
                coords={"branch": ids, "category": [str(c) for c in self._final_demand.columns]},
                attrs={"unit": rule, "description": "Home final use delivered, by category."}),
        }
        for name, frame, desc in (("imports", self._imports, "Imports by partner."),
                                  ("exports", self._exports, "Exports by destination.")):
            if frame is not None and len(frame.index):
                data[name] = xr.DataArray(
                    frame.to_numpy(dtype=float), dims=("partner", "branch"),
                    coords={"partner": [str(p) for p in frame.index], "branch": ids},
                    attrs={"unit": rule, "description": desc})
        if self._reported_output is not None:
            data["reported_output"] = _branch_var(self._reported_output, ids, rule,
                                                  "Gross output as the source reports it.")
        fac = self._factors
        if len(fac):
            fids = [str(f) for f in fac.index]
            units = [str(u) for u in fac["unit"]]
            for col, desc in (("required", "Factor use F x."),
                              ("available", "Factor availability (nan: unlimited).")):
                data[f"factor_{col}"] = xr.DataArray(
                    fac[col].to_numpy(dtype=float), dims=("factor",),
                    coords={"factor": fids, "factor_unit": ("factor", units)},
                    attrs={"unit": "unit[factor]", "description": desc})
        ds = xr.Dataset(data).assign_coords(branch_unit_coord(self._units))
        ds.attrs.update({"result": "plan", "method": self.method, "currency": self.currency,
                         "unit_rules": "unit[branch] is the branch's unit (coordinate 'unit'); "
                                       "unit[factor] the factor's (coordinate 'factor_unit')"})
        return ds


def _series(values: np.ndarray, index: list[str], name: str) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=float), index=pd.Index(index, name="branch"),
                     name=name)


@dataclass(frozen=True, repr=False)
class OptimalPlan(Plan):
    """An optimal plan with its duals, or the explanation of why there is none.

    Attributes
    ----------
    status
        ``optimal``, ``infeasible``, ``unbounded`` or ``error`` (an answer that failed its check).
    fulfilment
        Common fulfilment ``lam`` (``max-min``), else the smallest fulfilment of any target.
    objective
        ``max-min``, ``weighted`` or ``harmony``; ``objective_value`` its optimum.
    binding
        The constraints that bind, labelled (:class:`Binding`).
    conflicts
        For an infeasible plan: the constraints to relax, by how much (smallest relaxation).
    unbounded_by
        For an unbounded plan: the variables that can grow without limit.
    check
        The answer checked against its constraints (largest violations), or ``None``.
    """

    status: str = "optimal"
    fulfilment: float = float("nan")
    objective: str = "max-min"
    objective_value: float = float("nan")
    _fulfilment_by_branch: pd.Series | None = None
    _target: pd.Series | None = None
    _shadow_prices: pd.Series | None = None
    _capacity_prices: pd.Series | None = None
    _factor_prices: pd.Series | None = None
    exchange_price: float = float("nan")
    _exchange_prices: pd.Series | None = None
    binding: Binding = field(default_factory=Binding.empty)
    conflicts: tuple[dict[str, Any], ...] = ()
    unbounded_by: tuple[str, ...] = ()
    check: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        """Whether an optimal plan was found."""
        return self.status == "optimal"

    @property
    def binding_names(self) -> tuple[str, ...]:
        """Display names of the binding constraints."""
        return self.binding.names

    @property
    def target(self) -> pd.Series:
        """The target: home final use the plan aims at (domestic and imported)."""
        assert self._target is not None
        return self._target.copy()

    @property
    def fulfilment_by_branch(self) -> pd.Series:
        """Fulfilment of each product's target (home final use delivered over target)."""
        assert self._fulfilment_by_branch is not None
        return self._fulfilment_by_branch.copy()

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

    @property
    def exchange_prices(self) -> pd.Series:
        """Objective gained per extra unit of foreign exchange, by partner (one value for every
        partner when the balance is pooled)."""
        if self._exchange_prices is None:
            return pd.Series(dtype=float, name="exchange_price")
        return self._exchange_prices.copy()

    @property
    def certificate(self) -> dict[str, Any]:
        """How the answer was found and how good it is: ``method`` (``structured``, ``HiGHS
        simplex``, ``closed form``, ...), ``duality_gap`` (complementary slackness over the
        objective), ``max_violation`` (the largest relative violation of a constraint, in the
        model's own units), ``dual_violation``, and ``fallback`` (why a faster method was left,
        empty where none was). The measures are ``nan`` where no LP was checked (the closed
        form: one Leontief solve, no choice to certify)."""
        method = self.meta.get("method")
        if method is None:
            solver = str(self.meta.get("solver", ""))
            method = "closed form" if solver.startswith("closed form") else f"HiGHS {solver}"
        return certificate(self.check, method, self.meta.get("fallback", []))

    def valuations(self, numeraire: str) -> pd.DataFrame:
        """Shadow and capacity prices in units of a factor (e.g. labour per unit of product).

        With labour the only scarce factor these are labour values ``l' (I - A_d)^-1``.
        """
        from autarky.errors import BadValueError, UnknownIdError

        fp = self.factor_prices
        if numeraire not in fp.index:
            raise UnknownIdError(f"no factor {numeraire!r}; factors: {', '.join(fp.index)}")
        w = float(fp[numeraire])
        if w <= 0:
            raise BadValueError(f"factor {numeraire!r} is not scarce (its rent is zero): "
                                "prices cannot be expressed in it")
        return pd.DataFrame({"unit": self._units,
                             "shadow_price": self.shadow_prices / w,
                             "capacity_price": self.capacity_prices / w})

    def to_dataset(self) -> xr.Dataset:
        """The plan, its duals and what binds, as a labelled dataset with units."""
        if not self.ok:
            ds = xr.Dataset(attrs={"result": "optimal plan", "status": self.status,
                                   "objective": self.objective})
            ds.attrs["conflicts"] = [dict(c) for c in self.conflicts]
            ds.attrs["unbounded_by"] = list(self.unbounded_by)
            return ds
        ds = super().to_dataset()
        ids = [str(i) for i in self._gross_output.index]
        per = "1/unit[branch]" if self.objective != "weighted" else "objective/unit[branch]"
        ds["target"] = _branch_var(self.target, ids, "unit[branch]",
                                   "Home final use the plan aims at.")
        ds["fulfilment_by_branch"] = _branch_var(self.fulfilment_by_branch, ids, "1",
                                                 "Home final use delivered over target.")
        ds["shadow_prices"] = _branch_var(self.shadow_prices, ids, per,
                                         "Objective gained per extra unit of the product.")
        ds["capacity_prices"] = _branch_var(self.capacity_prices, ids, per,
                                           "Objective gained per extra unit of capacity.")
        fp = self.factor_prices
        if len(fp):
            ds["factor_prices"] = xr.DataArray(
                fp.to_numpy(dtype=float), dims=("factor",), coords={"factor": list(fp.index)},
                attrs={"unit": "1/unit[factor]", "description": "Rent of each factor."})
        xp = self.exchange_prices
        if len(xp):
            fx_attrs = {"unit": "1/currency", "description": "Shadow value of foreign exchange."}
            if np.all(xp.to_numpy() == xp.iloc[0]) and self.meta.get("foreign_exchange_mode",
                                                                    "pooled") == "pooled":
                ds["exchange_price"] = xr.DataArray(float(xp.iloc[0]), attrs=fx_attrs)
            else:
                ds["exchange_price"] = xr.DataArray(
                    xp.to_numpy(dtype=float), dims=("partner",),
                    coords={"partner": [str(p) for p in xp.index]}, attrs=fx_attrs)
        ds["fulfilment"] = xr.DataArray(self.fulfilment, attrs={
            "unit": "1", "description": "Common fulfilment of the target (max-min), else the "
                                        "least fulfilment of any product."})
        ds["objective_value"] = xr.DataArray(self.objective_value, attrs={
            "unit": "1", "description": f"Optimum of the {self.objective} objective."})
        bt = self.binding.table
        ds["binding"] = xr.DataArray(
            bt["dual"].to_numpy(dtype=float) if len(bt) else np.zeros(0), dims=("constraint",),
            coords={"constraint": list(self.binding.names),
                    "constraint_kind": ("constraint", [str(k) for k in bt.get("kind", [])])},
            attrs={"unit": "objective per unit of the constraint",
                   "description": "Dual of each binding constraint."})
        ds.attrs.update({"result": "optimal plan", "status": self.status,
                         "objective": self.objective})
        if self.check:
            ds.attrs["check"] = dict(self.check)
        return ds
