"""The :class:`MultiYearPlan`: paths of output, capacity, investment and consumption."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from autarky import checks
from autarky.display import DatasetDisplay
from autarky.errors import OutOfRangeError, PlanFailure
from autarky.plan.result import Binding, certificate


def display_name(kind: str, label: str, year: int | None) -> str:
    """``kind[:label][@year]`` from a constraint's labels.

    Examples
    --------
    >>> display_name("capacity", "steel", 1964), display_name("terminal-investment", "", None)
    ('capacity:steel@1964', 'terminal-investment')
    """
    return kind + (f":{label}" if label else "") + (f"@{year}" if year is not None else "")


def _frame(values: np.ndarray, years: list[int], columns: list[str], name: str) -> pd.DataFrame:
    return pd.DataFrame(values, index=pd.Index(years, name="year"),
                        columns=pd.Index(columns, name=name))


@dataclass(frozen=True, repr=False)
class MultiYearPlan(DatasetDisplay):
    """A multi-year plan under one strategy (or why there is none).

    Attributes
    ----------
    strategy, status
        The strategy's name; ``optimal``, ``infeasible`` or ``unbounded``.
    years, base_year
        The plan years and the year growth is measured from.
    gross_output, capacity, new_capacity
        ``year x branch``, in each branch's unit.
    investment
        Value of the investment goods used for each branch's new capacity and repair
        (``year x branch``, in the scenario's currency at constant prices).
    repair, repair_investment
        Where capacity is damaged (``damaged_capacity``): damaged capacity whose repair starts
        each year (``year x branch``, in each branch's unit) and the value of its repair goods
        (currency, constant prices, included in ``investment``); ``None`` otherwise.
    investment_by_group
        The same summed by branch group (``year x group``).
    consumption
        Consumption level each year, a multiple of the consumption basket.
    industrial_output
        Gross output of the industrial groups valued at constant prices (base year included).
    growth
        Yearly growth rate of industrial output.
    shortfall
        Against soft targets: target, achieved, shortfall, per target and year.
    surplus
        Output produced but used by nobody (``year x branch``): the balance holds as an
        inequality (free disposal), so output pushed up to meet a target may go unused.
    imports, exports
        Trade per year, partner and product (index ``year, partner``; columns branches), in each
        branch's unit.
    trade_balance
        Per year and partner: imports and exports at trade prices and the money (aid and credit),
        in the scenario's currency (where the plan balances foreign exchange).
    aid_value
        The marginal value of one more unit of money (aid, credit) in each year: the dual of
        that year's foreign-exchange balance (``year x partner`` where trade clears partner by
        partner; one column ``all partners`` where it is pooled). In units of the objective per
        currency unit: consumption-basket multiples discounted to the first plan year (with
        soft targets, a relative shortfall counts ``10^4`` of them), so years compare directly.
        It is a marginal value: it holds while the plan's binding constraints stay the same
        (a larger change in aid can change them). ``None`` where the plan has no
        foreign-exchange balance (no trade prices).
    effort
        With mobilisation (scenario key ``mobilisation``), year by year: hours a day, extra
        participation, normal, effective and used labour, the disutility of effort, welfare
        (consumption less disutility) and both per head (where the scenario gives
        ``population``); units in ``effort.attrs["units"]``. ``None`` otherwise.
    skills
        With training (scenario key ``training``), year by year: intake, in training, the
        skilled stock and what production needs of it (the factor's unit). ``None`` otherwise.
    binding
        Constraints with a non-zero shadow price, labelled (kind, label, year, dual).
    conflicts
        For an infeasible plan, the smallest relaxation that would allow it.
    """

    strategy: str
    status: str
    years: tuple[int, ...]
    base_year: int
    units: pd.Series
    currency: str
    gross_output: pd.DataFrame | None = None
    capacity: pd.DataFrame | None = None
    new_capacity: pd.DataFrame | None = None
    investment: pd.DataFrame | None = None
    repair: pd.DataFrame | None = None
    repair_investment: pd.DataFrame | None = None
    investment_by_group: pd.DataFrame | None = None
    consumption: pd.Series | None = None
    industrial_output: pd.Series | None = None
    growth: pd.Series | None = None
    shortfall: pd.DataFrame | None = None
    surplus: pd.DataFrame | None = None
    capacity_rents: pd.DataFrame | None = None
    factor_rents: pd.DataFrame | None = None
    prices: pd.Series | None = None
    imports: pd.DataFrame | None = None
    exports: pd.DataFrame | None = None
    trade_balance: pd.DataFrame | None = None
    aid_value: pd.DataFrame | None = None
    effort: pd.DataFrame | None = None
    skills: pd.DataFrame | None = None
    binding: Binding = field(default_factory=Binding.empty)
    conflicts: tuple[dict[str, Any], ...] = ()
    check: dict[str, Any] | None = None
    objective_value: float = float("nan")
    description: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "optimal"

    @property
    def certificate(self) -> dict[str, Any]:
        """How the answer was found and how good it is, as :attr:`OptimalPlan.certificate
        <autarky.plan.result.OptimalPlan.certificate>`: ``method`` (the HiGHS solver),
        ``duality_gap``, ``max_violation`` and ``dual_violation`` of the checked LP answer (in
        the model's own units), ``fallback`` (a second solve with tighter tolerances, where the
        first answer failed its check)."""
        chk = self.check or {}
        fallback = (["the first answer failed its check: solved again with tighter "
                     "tolerances"] if chk.get("resolved") else [])
        return certificate(self.check, f"HiGHS {self.meta.get('solver', 'simplex')}", fallback)

    def _require(self, what: str) -> None:
        if not self.ok:
            raise PlanFailure(f"the {self.strategy} plan is {self.status}: it has no {what}",
                              self.status)

    def _year(self, name: str, year: Any, years: Any) -> int:
        y = checks.integer(name, year)
        if y not in years:
            raise OutOfRangeError(f"{name} {y} is not a year of the plan "
                                  f"({min(years)}-{max(years)})")
        return y

    def multiple(self, start: int | None = None, end: int | None = None) -> float:
        """Industrial output in ``end`` (default last year) over ``start`` (default base year);
        NaN where there is none in ``start`` (an economy without prices values it at 0)."""
        self._require("industrial output")
        assert self.industrial_output is not None
        index = self.industrial_output.index
        s = self.base_year if start is None else self._year("start", start, index)
        e = self.years[-1] if end is None else self._year("end", end, index)
        base = float(self.industrial_output[s])
        return float(self.industrial_output[e]) / base if base != 0 else float("nan")

    def unused_share(self) -> pd.Series:
        """Share of industrial output (at constant prices) that nobody uses, per year."""
        self._require("output")
        assert self.surplus is not None and self.prices is not None
        assert self.gross_output is not None
        ind = self.meta.get("industry")
        p = self.prices.to_numpy()
        mask = np.ones(len(p), dtype=bool) if ind is None else np.asarray(ind)
        unused = (self.surplus.to_numpy()[:, mask] * p[mask]).sum(axis=1)
        total = (self.gross_output.to_numpy()[:, mask] * p[mask]).sum(axis=1)
        return pd.Series(np.where(total > 0, unused / total, 0.0), index=self.surplus.index,
                         name="unused_share")

    def bottlenecks(self, year: int, k: int = 3) -> pd.Series:
        """The ``k`` capacities whose extra unit is worth most, per unit of its value at constant
        prices (capacity rent over price), in ``year``; the plan's tightest bottlenecks."""
        self._require("capacity rents")
        assert self.capacity_rents is not None and self.prices is not None
        rent = self.capacity_rents.loc[self._year("year", year, self.capacity_rents.index)]
        k = checks.integer("k", k, lower=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            per_value = (rent / self.prices.replace(0, np.nan)).dropna()
        per_value = per_value[per_value > 1e-12]
        if per_value.empty:
            return per_value
        return (per_value / per_value.max()).sort_values(ascending=False).head(k)

    def to_dataset(self) -> xr.Dataset:
        """The paths as a labelled dataset, a unit on every variable."""
        attrs = {"result": "multi-year plan", "strategy": self.strategy, "status": self.status,
                 "years": [int(y) for y in self.years],
                 "base_year": self.base_year, "currency": self.currency,
                 "description": self.description}
        if not self.ok:
            attrs["conflicts"] = [dict(c) for c in self.conflicts]
            return xr.Dataset(attrs=attrs)
        assert self.gross_output is not None and self.investment_by_group is not None
        assert self.growth is not None and self.consumption is not None
        assert self.capacity is not None and self.new_capacity is not None
        assert self.industrial_output is not None
        years = [int(y) for y in self.years]
        ids = [str(b) for b in self.gross_output.columns]

        def yb(df: pd.DataFrame, unit: str, desc: str) -> xr.DataArray:
            return xr.DataArray(df.to_numpy(dtype=float), dims=("year", "branch"),
                                coords={"year": years, "branch": ids},
                                attrs={"unit": unit, "description": desc})

        data: dict[str, xr.DataArray | None] = {
            "gross_output": yb(self.gross_output, "unit[branch]", "Gross output."),
            "capacity": yb(self.capacity, "unit[branch]", "Capacity."),
            "new_capacity": yb(self.new_capacity, "unit[branch]", "New capacity started."),
            "repair": yb(self.repair, "unit[branch]", "Repair of damaged capacity started.")
            if self.repair is not None else None,
            "investment_by_branch": yb(self.investment, "currency", "Investment by branch, at "
                                       "constant prices.") if self.investment is not None else None,
            "investment": xr.DataArray(
                self.investment_by_group.to_numpy(dtype=float), dims=("year", "group"),
                coords={"year": years, "group": [str(g) for g in self.investment_by_group.columns]},
                attrs={"unit": "currency", "description": "Investment by branch group."}),
            "consumption": xr.DataArray(self.consumption.to_numpy(dtype=float), dims=("year",),
                                        coords={"year": years},
                                        attrs={"unit": "1", "description": "Consumption level, "
                                               "a multiple of the basket."}),
            "industrial_output": xr.DataArray(
                self.industrial_output.to_numpy(dtype=float), dims=("output_year",),
                coords={"output_year": [int(y) for y in self.industrial_output.index]},
                attrs={"unit": "currency", "description": "Industrial output at constant "
                       "prices (base year first)."}),
            "growth": xr.DataArray(self.growth.to_numpy(dtype=float), dims=("year",),
                                   coords={"year": years},
                                   attrs={"unit": "1/year", "description": "Growth of "
                                          "industrial output."}),
            "multiple": xr.DataArray(self.multiple(), attrs={
                "unit": "1", "description": "Industrial output in the last year over the base "
                                            "year."}),
        }
        for name, frame in (("imports", self.imports), ("exports", self.exports)):
            if frame is not None and len(frame):
                partners = sorted({str(p) for _, p in frame.index}, key=list(
                    dict.fromkeys(str(p) for _, p in frame.index)).index)
                arr = np.zeros((len(years), len(partners), len(ids)))
                for (y, p), row in frame.iterrows():
                    arr[years.index(int(y)), partners.index(str(p))] = row.to_numpy(dtype=float)
                data[name] = xr.DataArray(arr, dims=("year", "partner", "branch"),
                                          coords={"year": years, "partner": partners,
                                                  "branch": ids},
                                          attrs={"unit": "unit[branch]",
                                                 "description": f"{name.capitalize()} per year."})
        if self.aid_value is not None:
            av = self.aid_value
            data["aid_value"] = xr.DataArray(
                av.to_numpy(dtype=float), dims=("year", "money_from"),
                coords={"year": years, "money_from": [str(c) for c in av.columns]},
                attrs={"unit": av.attrs.get("unit", ""),
                       "description": "Marginal value of one more unit of aid or credit in "
                                      "the year (dual of its foreign-exchange balance)."})
        for prefix, frame in (("effort", self.effort), ("skills", self.skills)):
            if frame is None:
                continue
            units = frame.attrs.get("units", {})
            for col in frame.columns:
                data[f"{prefix}_{col}"] = xr.DataArray(
                    frame[col].to_numpy(dtype=float), dims=("year",), coords={"year": years},
                    attrs={"unit": units.get(col, frame.attrs.get("unit", "")),
                           "description": f"{prefix.capitalize()}: {col.replace('_', ' ')}."})
        ds = xr.Dataset({k: v for k, v in data.items() if v is not None})
        ds = ds.assign_coords(unit=("branch", [str(self.units[b]) for b in ids]))
        bt = self.binding.table
        ds["binding"] = xr.DataArray(
            bt["dual"].to_numpy(dtype=float) if len(bt) else np.zeros(0), dims=("constraint",),
            coords={"constraint": list(self.binding.names)},
            attrs={"unit": "objective per unit of the constraint",
                   "description": "Dual of each binding constraint."})
        ds.attrs.update(attrs)
        if self.check:
            ds.attrs["check"] = dict(self.check)
        return ds

    @classmethod
    def from_model(cls, model: Any, res: Any, explain_infeasible: Any) -> MultiYearPlan:
        """Read the LP answer back into labelled paths (used by ``multiyear``)."""
        eco, h = model.economy, model.horizon
        common: dict[str, Any] = {
            "strategy": h.strategy.name, "years": tuple(h.years), "base_year": h.base_year,
            "units": eco.units, "currency": eco.currency, "description": h.strategy.description,
        }
        if res.status != "optimal":
            conflicts = tuple({**c, "constraint": display_name(c["block"], c["label"], c["year"])}
                              for c in explain_infeasible(model)) if res.status == "infeasible" else ()
            return cls(status=res.status, conflicts=conflicts, meta={"message": res.message},
                       **common)
        ids, years = eco.ids, h.years
        x = res.x[model.X]
        dk = res.x[model.DK]
        from autarky.plan.multiyear import capacity_path

        T, n = x.shape
        rp = res.x[model.RP] if getattr(model, "RP", None) is not None else None
        K = capacity_path(h, dk, rp)
        inv = dk * h.invest_cost[np.newaxis, :]
        rinv = None
        if rp is not None:
            rinv = rp * h.repair_cost[np.newaxis, :]
            inv = inv + rinv
        groups = eco.branches["group"]
        inv_df = _frame(inv, years, ids, "branch")
        by_group = inv_df.T.groupby(groups.to_numpy()).sum().T
        by_group.columns.name = "group"
        p = h.meta["prices"]
        q = np.concatenate([[float((p * h.x0)[h.industry].sum())], x[:, h.industry] @ p[h.industry]])
        q_years = [h.base_year, *years]
        industrial = pd.Series(q, index=pd.Index(q_years, name="year"), name="industrial_output")
        growth = (industrial / industrial.shift(1) - 1.0).iloc[1:]
        growth.name = "growth"
        shortfall = None
        if model.S is not None:
            names = [model.lp.col_names[i].split(":", 1)[1] for i in model.S]
            rows = []
            for k, name in enumerate(names):
                r = model.builder.row_blocks[name][0]
                coords = model.builder.coords[name]
                branch = coords["branch"][0] if coords.get("dims") else ""
                kind = "output-target" if branch else "industrial-output-target"
                target = float(model.lp.row_lower[r])
                got = float(res.row_activity[r] - res.x[model.S[k]])
                label = f"{kind}:{branch}@{coords['year']}" if branch else f"{kind}@{coords['year']}"
                rows.append({"target": label, "kind": kind, "branch": branch or None,
                             "year": int(coords["year"]), "required": target,
                             "achieved": got, "shortfall": float(res.x[model.S[k]]),
                             "shortfall_share": float(res.x[model.S[k]]) / target if target else 0.0})
            shortfall = pd.DataFrame(rows).set_index("target")
        surplus = np.zeros((T, n))
        for t, y in enumerate(years):
            rows = model.builder.row_blocks[f"balance@{y}"]
            surplus[t] = res.row_activity[rows] - model.lp.row_lower[rows]
        rents = np.zeros((T, n))
        for t, y in enumerate(years):
            rows = model.builder.row_blocks[f"capacity@{y}"]
            rents[t] = res.row_dual[rows]
        fac_names = list(eco.factors.index)
        frents = np.zeros((T, len(fac_names)))
        for t, y in enumerate(years):
            block = model.builder.row_blocks.get(f"factor@{y}")
            if block is not None:
                labels = model.builder.coords[f"factor@{y}"]["factor"]
                for k, r in enumerate(block):
                    frents[t, fac_names.index(labels[k])] = res.row_dual[r]
        from autarky.plan.read import binding_table

        binding = binding_table(model.builder, model.lp, res)
        imports, exports, balance = _trade(model, res)
        from autarky.plan.effort import effort_table, skills_table

        return cls(
            status="optimal", aid_value=_aid_value(model, res),
            effort=effort_table(model, res, model.scenario), skills=skills_table(model, res),
            gross_output=_frame(x, years, ids, "branch"),
            capacity=_frame(K, years, ids, "branch"),
            new_capacity=_frame(dk, years, ids, "branch"), investment=inv_df,
            repair=None if rp is None else _frame(rp, years, ids, "branch"),
            repair_investment=None if rinv is None else _frame(rinv, years, ids, "branch"),
            investment_by_group=by_group,
            consumption=pd.Series(res.x[model.C], index=pd.Index(years, name="year"),
                                  name="consumption"),
            industrial_output=industrial, growth=growth, shortfall=shortfall, binding=binding,
            surplus=_frame(np.maximum(surplus, 0.0), years, ids, "branch"),
            capacity_rents=_frame(rents, years, ids, "branch"),
            factor_rents=_frame(frents, years, fac_names, "factor"),
            prices=pd.Series(p, index=pd.Index(ids, name="branch"), name="price"),
            imports=imports, exports=exports, trade_balance=balance,
            check=None if res.check is None else res.check.to_dict(),
            objective_value=float(res.objective),
            meta={"iterations": res.iterations, "solver": res.meta.get("solver", "simplex"),
                  "industry": h.industry.tolist(),
                  "industry_basis": h.meta.get("industry_basis", "")}, **common)


def _trade(model: Any, res: Any) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """Imports and exports per year and partner, and the foreign-exchange balance."""
    eco, h = model.economy, model.horizon
    P = [str(p) for p in eco.coords.partner]
    shape = (len(P), eco.n)
    idx = pd.MultiIndex.from_product([list(h.years), P], names=["year", "partner"])
    m_all, e_all, bal = [], [], []
    for t, y in enumerate(h.years):
        tr = model.trade[t]
        m = tr.imp.matrix(res.x[tr.m], shape)
        e = tr.exp.matrix(res.x[tr.e], shape)
        m_all.append(m)
        e_all.append(e)
        if h.fx:
            for k, p in enumerate(P):
                sel_m = tr.imp.partner == k
                sel_e = tr.exp.partner == k
                bal.append({"year": y, "partner": p,
                            "imports": float(tr.imp.price[sel_m] @ res.x[tr.m][sel_m]),
                            "exports": float(tr.exp.price[sel_e] @ res.x[tr.e][sel_e]),
                            "money": float(h.money[t, k])})
    cols = pd.Index(eco.ids, name="branch")
    imports = pd.DataFrame(np.vstack(m_all) if P else np.zeros((0, eco.n)), index=idx,
                           columns=cols)
    exports = pd.DataFrame(np.vstack(e_all) if P else np.zeros((0, eco.n)), index=idx,
                           columns=cols)
    balance = pd.DataFrame(bal).set_index(["year", "partner"]) if bal else None
    return imports, exports, balance


#: Column of :attr:`MultiYearPlan.aid_value` where foreign exchange is pooled.
POOLED = "all partners"


def _aid_value(model: Any, res: Any) -> pd.DataFrame | None:
    """The duals of the foreign-exchange balances, year by year (see ``aid_value``)."""
    h = model.horizon
    blocks = [model.builder.row_blocks.get(f"foreign-exchange@{y}") for y in h.years]
    if all(b is None for b in blocks):
        return None
    partners: list[str] = []
    for y, b in zip(h.years, blocks, strict=True):
        if b is not None:
            coords = model.builder.coords[f"foreign-exchange@{y}"]
            partners = [str(p) for p in coords.get("partner", [POOLED])]
            break
    values = np.zeros((len(h.years), len(partners)))
    for t, b in enumerate(blocks):
        if b is not None:
            values[t] = res.row_dual[np.asarray(b)]
    out = pd.DataFrame(values, index=pd.Index(list(h.years), name="year"),
                       columns=pd.Index(partners, name="partner"))
    out.attrs["unit"] = "objective (discounted consumption-basket multiples) per currency unit"
    out.attrs["source"] = "dual of the year's foreign-exchange balance in the optimal plan"
    return out
