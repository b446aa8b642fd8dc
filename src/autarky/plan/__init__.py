"""Layer 4: plans. ``balance`` meets a final demand; growth arithmetic checks plan targets."""

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
from autarky.plan.result import Plan

__all__ = [
    "GrowthCheck",
    "Plan",
    "average_rate",
    "balance",
    "chain",
    "check_rate_against_multiple",
    "compound",
    "multiple",
    "years_to_multiple",
]
