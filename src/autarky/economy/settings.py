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


EffortKind = Literal["hours", "participation"]


@dataclass(frozen=True)
class EffortTier:
    """One step of extra labour effort a multi-year plan may call for.

    Attributes
    ----------
    kind
        ``hours``: longer days (``size`` extra hours a day on top of the normal day);
        ``participation``: more people at work (``size`` extra, as a share of the normal
        availability of the factor).
    size
        How much of it there is, at most, each year (hours a day, or a share).
    productivity
        Effective labour per unit of the tier, relative to a normal hour or worker (in
        ``(0, 1]``; falling from tier to tier: diminishing returns to effort).
    disutility
        The welfare cost of the tier: consumption-basket multiples a year per unit of relative
        extra effort (an extra hour a day counts ``1 / normal_hours``, a share ``p`` of extra
        workers counts ``p``).
    """

    kind: EffortKind
    size: float
    productivity: float = 1.0
    disutility: float = 0.0


def tier_follows(before: EffortTier, after: EffortTier) -> bool:
    """Whether ``after`` may follow ``before`` among the tiers of one kind: productivity does
    not rise and the disutility per unit of effective labour does not fall (so the plan takes
    the tiers in their order, and the hours it reports are the hours it works)."""
    return (after.productivity <= before.productivity + 1e-12
            and after.disutility * before.productivity
            >= before.disutility * after.productivity - 1e-12)


def tier_problem(tiers: tuple[EffortTier, ...] | list[EffortTier]) -> tuple[int, str] | None:
    """The first tier that may not stand where it is, and why (``None`` if all may): within a
    kind, tiers come in the order the plan takes them (:func:`tier_follows`); a participation
    tier is a share of at most 1.

    >>> tier_problem([EffortTier("hours", 2, 0.8), EffortTier("hours", 2, 0.9)])[0]
    1
    """
    last: dict[str, EffortTier] = {}
    for i, t in enumerate(tiers):
        if t.kind == "participation" and t.size > 1:
            return i, ("a participation tier's size is a share of the normal availability, "
                       f"at most 1 (0.08 for 8 %); got {t.size:g}")
        if t.kind in last and not tier_follows(last[t.kind], t):
            return i, ("tiers of a kind are in the order the plan takes them: productivity "
                       "may not rise, nor the disutility per unit of effective labour fall, "
                       "from one tier to the next")
        last[t.kind] = t
    return None


@dataclass(frozen=True)
class Mobilisation:
    """Labour effort as a choice of the plan: hours and participation above normal, within
    stated limits, at a counted cost (``docs/theory.md``, section 4).

    Attributes
    ----------
    factor
        The factor (labour) whose effort can rise.
    normal_hours
        Hours of a normal working day (what the factor's availability stands for).
    tiers
        The steps of extra effort, in the order the plan would take them.
    min_hours
        Hours a day the plan must work in given years (a mandated campaign: ``{year: hours}``).
    campaign
        A campaign to compare against (``{year: hours}``), not imposed on the scenario's own
        plans: what :func:`autarky.plan.mobilisation.campaign` mandates by default.
    """

    factor: str
    normal_hours: float = 8.0
    tiers: tuple[EffortTier, ...] = ()
    min_hours: Mapping[int, float] = field(default_factory=dict)
    campaign: Mapping[int, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tiers", tuple(self.tiers))
        for name in ("min_hours", "campaign"):
            object.__setattr__(self, name, _frozen_map({int(k): float(v)
                                                        for k, v in getattr(self, name).items()}))

    def relative_size(self, tier: EffortTier) -> float:
        """The tier's most extra effort relative to normal (hours over the normal day, or the
        share of extra workers)."""
        return tier.size / self.normal_hours if tier.kind == "hours" else tier.size

    @property
    def max_hours(self) -> float:
        """The longest day the tiers allow."""
        return self.normal_hours + sum(t.size for t in self.tiers if t.kind == "hours")


@dataclass(frozen=True)
class Training:
    """A skilled factor as a stock the plan trains, with a lag.

    The availability of ``factor`` in year ``t`` is its stock: what the scenario gives (its
    availability and growth, net of attrition) plus everyone trained from intakes of year
    ``s <= t - lag``, less attrition since. An intake costs ``inputs`` (units of each branch's
    output per unit trained, spent in the intake year) and withdraws ``trainee_share`` units
    of ``trainee_factor`` per unit in training in each of the ``lag`` years.

    Attributes
    ----------
    factor
        The skilled factor (its availability is the stock of the base year).
    lag
        Years of training (at least one).
    attrition
        Yearly loss of the trained stock (retirement, death, emigration).
    inputs
        Branch id -> units of its output per unit trained.
    trainee_factor
        The factor trainees are taken from while in training (``None``: none).
    trainee_share
        Units of ``trainee_factor`` withdrawn per unit in training.
    max_intake
        Most that can start training in a year (``None``: no limit).
    """

    factor: str
    lag: int = 3
    attrition: float = 0.0
    inputs: Mapping[str, float] = field(default_factory=dict)
    trainee_factor: str | None = None
    trainee_share: float = 1.0
    max_intake: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "inputs", _frozen_map({str(k): float(v)
                                                        for k, v in self.inputs.items()}))


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
    mobilisation
        Labour effort above normal the multi-year plan may choose (``None``: none).
    training
        A skilled factor trained by the plan (``None``: none).
    population
        Population by year (base year and plan years), for consumption per head.
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
    mobilisation: Mobilisation | None = None
    training: Training | None = None
    population: Mapping[int, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "strategies", _frozen_map(self.strategies))
        object.__setattr__(self, "population", _frozen_map({int(k): float(v)
                                                            for k, v in self.population.items()}))
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
