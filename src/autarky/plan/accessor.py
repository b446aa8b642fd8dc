"""``economy.plan``: the planning accessor."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from autarky.plan.balance import balance
from autarky.plan.result import OptimalPlan, Plan

if TYPE_CHECKING:
    from autarky.economy import Economy


class PlanAccessor:
    """Plans for one economy, reached as ``economy.plan``."""

    def __init__(self, economy: Economy) -> None:
        self._economy = economy

    def balance(self, final_demand: Any = None) -> Plan:
        """Material balance for ``final_demand`` (default: the economy's); see :func:`balance`."""
        return balance(self._economy, final_demand)

    def optimize(self, **kwargs: Any) -> OptimalPlan:
        """Optimal one-year plan with shadow prices; see :func:`autarky.plan.optimize.optimize`."""
        from autarky.plan.optimize import optimize

        return optimize(self._economy, **kwargs)

    def multiyear(self, strategy: str | None = None, **kwargs: Any) -> Any:
        """Multi-year plan under a strategy; see :func:`autarky.plan.multiyear.multiyear`."""
        from autarky.plan.multiyear import multiyear

        return multiyear(self._economy, strategy, **kwargs)
