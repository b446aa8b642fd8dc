"""Planning settings: what a scenario asks of a plan, beside what the economy is.

The scalar settings live in :class:`PlanSettings`; the settings that are tables (a target by
branch, output targets by year and branch, ...) are registry tables held by the
:class:`~autarky.economy.scenario.Scenario`, so that reordering and rescaling treat them as they
treat the economy's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from autarky.errors import BadTypeError

Objective = Literal["max-min", "weighted", "harmony"]
TargetMode = Literal["strict", "soft", "none"]
ForeignExchange = Literal["pooled", "bilateral"]
OBJECTIVES: tuple[str, ...] = ("max-min", "weighted", "harmony")
FOREIGN_EXCHANGE: tuple[str, ...] = ("pooled", "bilateral")


@dataclass(frozen=True)
class StrategyRule:
    """Bounds on the share of investment (valued at constant prices) going to some groups.

    Attributes
    ----------
    groups
        Branch groups whose share is bounded.
    min, max
        Lower and upper bound of the share (fractions).
    years
        First and last year the rule holds (``None``: every year).
    """

    groups: tuple[str, ...]
    min: float = 0.0
    max: float = 1.0
    years: tuple[int, int] | None = None

    def applies(self, year: int) -> bool:
        return self.years is None or self.years[0] <= year <= self.years[1]


@dataclass(frozen=True)
class Strategy:
    """A development strategy: rules on investment shares and how plan targets are treated.

    Attributes
    ----------
    name, description
        How the strategy is called and what it means.
    rules
        Investment-share rules (see :class:`StrategyRule`).
    proportional
        Investment in each group in proportion to the group's share of base-year output
        (the ``balanced`` strategy), within ``tolerance``.
    targets
        ``soft`` (default): the plan comes as close to the targets as it can, before anything
        else, and reports the shortfall; ``strict``: targets are hard constraints (an impossible
        plan is infeasible and explained); ``none``: targets are ignored.
    target_growth
        Yearly growth of industrial output the strategy aims at (overrides the scenario's).
    """

    name: str
    description: str = ""
    rules: tuple[StrategyRule, ...] = ()
    proportional: bool = False
    tolerance: float = 0.05
    targets: TargetMode = "soft"
    target_growth: float | None = None


class FrozenDict(dict):
    """A dict that cannot change (and still pickles): the mappings of frozen settings."""

    def _refuse(self, *args: object, **kwargs: object) -> None:
        raise BadTypeError("plan settings are immutable: use dataclasses.replace")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]

    def __reduce__(self) -> tuple[type, tuple[dict, ...]]:
        return (FrozenDict, (dict(self),))

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items(), key=repr)))


def _frozen_map(m: Mapping | None) -> Mapping:
    return FrozenDict(dict(m or {}))


@dataclass(frozen=True)
class PlanSettings:
    """The scalar planning settings of a scenario (``docs/scenario-format.md``, section Plans).

    Attributes
    ----------
    objective
        ``max-min`` (default), ``weighted`` or ``harmony``.
    foreign_exchange
        ``pooled`` (default: one convertible balance) or ``bilateral`` (one balance per partner,
        as in clearing trade between planned economies).
    horizon
        First and last year of a multi-year plan.
    consumption_basket
        The final-demand category that makes the consumption basket (``None``: ``consumption``
        if there is one, else all final use); a basket given product by product is the
        scenario table ``consumption_basket``.
    consumption_floor
        Least multiple of the basket each year: a number, or ``{year: number}``.
    exogenous
        Final-use categories held fixed every year (default: all but the basket and investment).
    industry_groups
        Branch groups counted as industry.
    industrial_growth
        Yearly growth target of industrial output.
    discount
        Yearly discount rate of consumption.
    strategies
        User-defined strategies by name.
    """

    objective: Objective = "max-min"
    foreign_exchange: ForeignExchange = "pooled"
    horizon: tuple[int, int] | None = None
    consumption_basket: str | None = None
    consumption_floor: float | Mapping[int, float] = 0.0
    exogenous: tuple[str, ...] | None = None
    industry_groups: tuple[str, ...] = ("energy", "heavy", "light")
    industrial_growth: float | None = None
    discount: float = 0.0
    strategies: Mapping[str, Strategy] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "strategies", _frozen_map(self.strategies))
        if isinstance(self.consumption_floor, Mapping):
            object.__setattr__(self, "consumption_floor",
                               _frozen_map({int(k): float(v)
                                            for k, v in self.consumption_floor.items()}))
        if self.exogenous is not None:
            object.__setattr__(self, "exogenous", tuple(self.exogenous))
        object.__setattr__(self, "industry_groups", tuple(self.industry_groups))

    @property
    def years(self) -> list[int]:
        """The plan years, first to last."""
        if self.horizon is None:
            return []
        return list(range(self.horizon[0], self.horizon[1] + 1))

    def floor(self, year: int) -> float:
        """The consumption floor of ``year``."""
        f = self.consumption_floor
        return float(f.get(year, 0.0)) if isinstance(f, Mapping) else float(f)
