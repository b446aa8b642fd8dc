"""The :class:`Scenario`: an economy plus what its user asks of it.

``Scenario = Economy + plan settings (+ reports, claims)``. The economy is what is (technology,
final use, factors, capacities, trade); the settings say how to plan (target, objective,
horizon, strategies, ...). Settings that are tables (a target by branch, output targets by year
and branch, factor availability by year, ...) are registry tables of holder ``settings``, held
read-only and reordered and rescaled with the economy's.

A scenario reads as its economy (``scenario.A``, ``scenario.ids``, ...), and the accessors
(``scenario.plan``, ``scenario.reliance``) see its settings.
"""

from __future__ import annotations

from dataclasses import replace as dc_replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from autarky import checks
from autarky.checks import quoted
from autarky.economy import tables as tb
from autarky.economy.model import Economy
from autarky.economy.registry import TABLES, settings_tables
from autarky.economy.settings import PlanSettings
from autarky.errors import BadTypeError, BadValueError, UnknownIdError

if TYPE_CHECKING:  # registered at run time by the layers above (autarky.economy.accessors)
    from autarky.plan.accessor import PlanAccessor
    from autarky.reliance.accessor import RelianceAccessor

_SETTINGS_FIELDS = frozenset(PlanSettings.__dataclass_fields__)


#: Longest plan horizon (the multi-year LP grows with every year).
MAX_HORIZON_YEARS = 200


class Scenario:
    """An economy with plan settings, reports and claims; immutable.

    Parameters
    ----------
    economy
        What the economy is.
    settings
        The scalar plan settings (default: :class:`PlanSettings`).
    reports, claims
        Optional reported statistics (:class:`~autarky.monitor.reports.Reports`) and the
        source's claims (:class:`~autarky.data.claims.Claims`).
    notes
        Notes the reader made while converting an old scenario format (each says how to write
        the key today).
    **tables
        Settings tables of the registry: ``target``, ``weights``, ``consumption_basket``,
        ``factor_growth``, ``factor_availability_by_year``, ``output_targets``,
        ``aid_by_year``, ``credit_by_year``; by label (Series, DataFrame, mapping) or as arrays.
        Year tables need ``settings.horizon``; their years are the horizon's.

    Examples
    --------
    >>> eco = Economy.from_coefficients([[0.15, 0.25], [0.2, 0.05]], [600, 1500],
    ...                                 branches=["a", "m"])
    >>> s = Scenario(eco, PlanSettings(objective="weighted"), weights={"a": 2.0})
    >>> s.weights.tolist(), s.settings.objective, s.n
    ([2.0, 1.0], 'weighted', 2)
    """

    if TYPE_CHECKING:
        plan: PlanAccessor
        reliance: RelianceAccessor

    def __init__(self, economy: Economy, settings: PlanSettings | None = None, *,
                 reports: Any = None, claims: Any = None, notes: tuple[str, ...] = (),
                 **tables: Any) -> None:
        if not isinstance(economy, Economy):
            raise BadTypeError(f"a scenario is built on an Economy, got {type(economy).__name__}")
        if settings is not None and not isinstance(settings, PlanSettings):
            raise BadTypeError(f"settings must be PlanSettings, got {type(settings).__name__}")
        self._economy = economy
        self._settings = settings if settings is not None else PlanSettings()
        self.reports = reports
        self.claims = claims
        self.notes = tuple(notes)
        unknown = set(tables) - {t.name for t in settings_tables()}
        if unknown:
            hint = ""
            if unknown & {t.name for t in TABLES.values() if t.holder == "economy"}:
                hint = " (that is a table of the economy: pass it to Economy)"
            raise UnknownIdError(f"unknown settings table(s) {', '.join(sorted(unknown))}{hint}")
        self._check_horizon(self._settings)
        self._coords = self._settings_coords(economy, self._settings)
        self._tables: dict[str, Any] = {}
        for spec in settings_tables():
            val = tables.get(spec.name)
            if val is not None and "year" in spec.dims and self._settings.horizon is None:
                raise BadValueError(f"{spec.name} is given by year, but the scenario has no "
                                    "horizon (first and last year of a multi-year plan)")
            self._tables[spec.name] = tb.coerce(spec, val, self._coords)
        self._check()

    @staticmethod
    def _check_horizon(s: PlanSettings) -> None:
        if s.horizon is None:
            return
        if isinstance(s.horizon, (str, bytes)) or not hasattr(s.horizon, "__len__") \
                or len(s.horizon) != 2:
            raise BadTypeError(f"horizon must be (first year, last year), got {quoted(s.horizon)}")
        for y in s.horizon:
            checks.integer("a horizon year", y)
        if s.horizon[1] < s.horizon[0]:
            raise BadValueError(f"the horizon's last year comes before its first: "
                                f"{s.horizon[0]}-{s.horizon[1]}")
        if s.horizon[1] - s.horizon[0] + 1 > MAX_HORIZON_YEARS:
            raise BadValueError(f"a horizon is at most {MAX_HORIZON_YEARS} years, got "
                                f"{s.horizon[0]}-{s.horizon[1]}")

    @staticmethod
    def _settings_coords(economy: Economy, settings: PlanSettings) -> tb.Coords:
        c = economy.coords
        return tb.Coords(c.branch, c.factor, c.partner, c.category,
                         pd.Index(settings.years, name="year", dtype=np.int64))

    def _check(self) -> None:
        s = self._settings
        if s.objective not in ("max-min", "weighted", "harmony"):
            raise BadValueError(f"unknown objective {quoted(s.objective)}; expected max-min, weighted "
                                "or harmony")
        if s.foreign_exchange not in ("pooled", "bilateral"):
            raise BadValueError(f"foreign_exchange is pooled or bilateral, not "
                                f"{quoted(s.foreign_exchange)}")
        cats = set(self._economy.categories)
        if s.consumption_basket is not None and s.consumption_basket not in cats:
            raise UnknownIdError(f"consumption basket {quoted(s.consumption_basket)} is not a final-use "
                                 f"category ({', '.join(self._economy.categories)})")
        for c in s.exogenous or ():
            if c not in cats:
                raise UnknownIdError(f"exogenous category {quoted(c)} is not a final-use category "
                                     f"({', '.join(self._economy.categories)})")

    # ------------------------------------------------------------------ parts
    @property
    def economy(self) -> Economy:
        """What the economy is."""
        return self._economy

    @property
    def settings(self) -> PlanSettings:
        """The scalar plan settings."""
        return self._settings

    def array(self, name: str) -> Any:
        """Stored data of a table, the economy's or the settings' (``None`` if absent)."""
        if name in self._tables:
            return self._tables[name]
        return self._economy.array(name)

    def table(self, name: str) -> Any:
        """A table, the economy's or the settings', labelled (``None`` if absent)."""
        if name in self._tables:
            return tb.labelled(TABLES[name], self._tables[name], self._coords)
        return self._economy.table(name)

    @property
    def settings_coords(self) -> tb.Coords:
        """Coordinates of the settings tables (the economy's, with the horizon's years)."""
        return self._coords

    @property
    def target(self) -> pd.Series | None:
        """Home final use the optimal plan aims at (``None``: the final demand)."""
        return self.table("target")

    @property
    def weights(self) -> pd.Series | None:
        """Objective weight of each product's fulfilment (``None``: all one)."""
        return self.table("weights")

    # ------------------------------------------------------------------ transformations
    def replace(self, **changes: Any) -> Scenario:
        """A copy with economy tables, settings fields or settings tables replaced.

        ``economy=`` and ``settings=`` replace the parts whole; any other keyword goes to the
        part that holds it (``capacity=`` to the economy, ``horizon=`` to the settings,
        ``target=`` to the settings tables; ``consumption_basket`` to the settings as a category
        name, to the tables as a vector).

        Examples
        --------
        >>> eco = Economy.from_coefficients([[0.1]], [10.0], branches=["a"])
        >>> s = Scenario(eco).replace(horizon=(1, 3), depreciation=[0.1],
        ...                           output_targets={2: {"a": 12.0}})
        >>> s.settings.years, s.economy.array("depreciation").tolist()
        ([1, 2, 3], [0.1])
        >>> float(s.table("output_targets").loc[2, "a"])
        12.0
        """
        economy = changes.pop("economy", self._economy)
        settings = changes.pop("settings", self._settings)
        extra = {k: changes.pop(k) for k in ("reports", "claims", "notes") if k in changes}
        if "consumption_basket" in changes and not isinstance(changes["consumption_basket"],
                                                              (str, type(None))):
            changes["consumption_basket_table"] = changes.pop("consumption_basket")
        setting_changes = {k: changes.pop(k) for k in list(changes) if k in _SETTINGS_FIELDS}
        if setting_changes:
            settings = dc_replace(settings, **setting_changes)
        table_changes = {k: changes.pop(k) for k in list(changes)
                         if k in TABLES and TABLES[k].holder == "settings"}
        if "consumption_basket_table" in changes:  # a basket given product by product
            table_changes["consumption_basket"] = changes.pop("consumption_basket_table")
        if changes:
            economy = economy.replace(**changes)
        tables = {}
        self._check_horizon(settings)
        new_coords = self._settings_coords(economy, settings)
        for spec in settings_tables():
            if spec.name in table_changes:
                tables[spec.name] = table_changes[spec.name]
            else:
                tables[spec.name] = tb.realign(spec, self._tables[spec.name], self._coords,
                                               new_coords)
        return Scenario(economy, settings, reports=extra.get("reports", self.reports),
                        claims=extra.get("claims", self.claims),
                        notes=extra.get("notes", self.notes), **tables)

    def _with(self, economy: Economy, tables: dict[str, Any],
              settings: PlanSettings | None = None) -> Scenario:
        out = Scenario.__new__(Scenario)
        out._economy = economy
        out._settings = self._settings if settings is None else settings
        out.reports, out.claims, out.notes = self.reports, self.claims, self.notes
        out._coords = self._settings_coords(economy, self._settings)
        out._tables = tables
        return out

    def reorder(self, order: list[str]) -> Scenario:
        """The same scenario with branches in another order."""
        eco = self._economy.reorder(order)
        pos = self._economy.positions(order)
        return self._with(eco, {k: tb.take_branches(TABLES[k], v, pos)
                                for k, v in self._tables.items()})

    def _rescaled_tables(self, symbol: str, position: int | None, factor: float) -> dict[str, Any]:
        size = self._economy.n if symbol == "branch" else len(self._economy.coords.factor)
        return tb.rescale_tables(self._tables, symbol, position, factor, size)

    def rescale(self, branch: str, factor: float, unit: str) -> Scenario:
        """Measure ``branch`` in a unit ``factor`` times larger (see :meth:`Economy.rescale`)."""
        k = int(self._economy.positions([branch])[0])
        tr = self._settings.training
        settings = None
        if tr is not None and branch in tr.inputs:  # units of the branch per unit trained
            settings = dc_replace(self._settings, training=dc_replace(
                tr, inputs={b: v / factor if b == branch else v for b, v in tr.inputs.items()}))
        return self._with(self._economy.rescale(branch, factor, unit),
                          self._rescaled_tables("branch", k, factor), settings)

    def rescale_factor(self, factor_id: str, factor: float, unit: str) -> Scenario:
        """Measure a factor in a unit ``factor`` times larger."""
        k = int(self._economy.positions([factor_id], "factor")[0])
        tr = self._settings.training
        settings = None
        if tr is not None and factor_id in (tr.factor, tr.trainee_factor):
            if tr.factor == factor_id:  # a unit trained is now ``factor`` old units
                tr = dc_replace(tr, inputs={b: v * factor for b, v in tr.inputs.items()},
                                trainee_share=tr.trainee_share * factor,
                                max_intake=None if tr.max_intake is None
                                else tr.max_intake / factor)
            if tr.trainee_factor == factor_id:
                tr = dc_replace(tr, trainee_share=tr.trainee_share / factor)
            settings = dc_replace(self._settings, training=tr)
        return self._with(self._economy.rescale_factor(factor_id, factor, unit),
                          self._rescaled_tables("factor", k, factor), settings)

    def rescale_currency(self, factor: float, currency: str) -> Scenario:
        """Measure money in a unit ``factor`` times larger."""
        return self._with(self._economy.rescale_currency(factor, currency),
                          self._rescaled_tables("currency", None, factor))

    def with_final_demand(self, final_demand: Any) -> Scenario:
        """The same scenario with another final demand."""
        return self.replace(final_demand=final_demand)

    # ------------------------------------------------------------------ reading as the economy
    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.__dict__["_economy"], name)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_accessors", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def _repr_html_(self) -> str:
        from autarky.display import economy_html

        return economy_html(self._economy, self._settings)

    def __repr__(self) -> str:
        eco = self._economy
        h = self._settings.horizon
        return (f"<Scenario {quoted(eco.name)}: {eco.n} branches, {len(eco.coords.factor)} factors, "
                f"{len(eco.coords.partner)} partners"
                + (f", plan {h[0]}-{h[1]}" if h else "") + ">")


def as_scenario(obj: Economy | Scenario) -> Scenario:
    """``obj`` as a scenario (an economy gets the default settings)."""
    if isinstance(obj, Scenario):
        return obj
    if isinstance(obj, Economy):
        cached = obj.__dict__.get("_cache", {}).get("scenario")
        if cached is None:
            cached = Scenario(obj)
            obj.__dict__["_cache"]["scenario"] = cached
        return cached
    raise BadTypeError(f"expected an Economy or a Scenario, got {type(obj).__name__}")
