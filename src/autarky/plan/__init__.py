"""Layer 3: plans. ``balance`` meets a final demand; ``optimize`` and ``multiyear`` are LPs built
from the shared constraint blocks of :mod:`autarky.plan.constraints`; growth arithmetic checks
plan targets. Importing this package registers the ``plan`` accessor."""

from autarky.plan import accessor as _accessor  # noqa: F401  (registers economy.plan)
from autarky.plan.balance import balance
from autarky.plan.growth import (
    GrowthCheck,
    average_rate,
    chain,
    check_rate_against_multiple,
    compound,
    multiple,
    years_to_multiple,
)
from autarky.plan.result import Binding, OptimalPlan, Plan

__all__ = [
    "Binding",
    "GrowthCheck",
    "OptimalPlan",
    "Plan",
    "average_rate",
    "balance",
    "chain",
    "check_rate_against_multiple",
    "compound",
    "multiple",
    "years_to_multiple",
]
