"""Planning settings of an economy: the target and objective of an optimal plan, and the horizon,
capital formation and strategies of a multi-year plan.

These are data, validated by the scenario reader and held, immutable, by the
:class:`~autarky.economy.Economy` as ``economy.settings``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

Objective = Literal["max-min", "weighted", "harmony"]
TargetMode = Literal["strict", "soft", "none"]


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


@dataclass(frozen=True)
class PlanSettings:
    """Everything a scenario says about how to plan, beside the economy's tables.

    Attributes are documented in ``docs/scenario-format.md`` (section Plans).
    """

    target: pd.DataFrame | None = None
    objective: Objective = "max-min"
    weights: pd.Series | None = None
    horizon: tuple[int, int] | None = None
    depreciation: np.ndarray | None = None
    gestation: np.ndarray | None = None
    initial_capacity: np.ndarray | None = None
    factor_growth: dict[str, float] = field(default_factory=dict)
    factor_availability: dict[str, dict[int, float]] = field(default_factory=dict)
    consumption_basket: str | pd.Series | None = None
    consumption_floor: float | dict[int, float] = 0.0
    exogenous: tuple[str, ...] | None = None
    industry_groups: tuple[str, ...] = ("energy", "heavy", "light")
    industrial_growth: float | None = None
    output_targets: dict[int, dict[str, float]] = field(default_factory=dict)
    discount: float = 0.0
    strategies: dict[str, Strategy] = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        """The plan years, first to last."""
        if self.horizon is None:
            return []
        return list(range(self.horizon[0], self.horizon[1] + 1))
