"""``economy.plan`` and ``scenario.plan``: the planning accessor, registered from this layer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from autarky.economy.accessors import register_accessor
from autarky.economy.scenario import as_scenario
from autarky.plan.balance import balance
from autarky.plan.result import OptimalPlan, Plan

if TYPE_CHECKING:
    from autarky.economy import Economy, Scenario


@register_accessor("plan")
class PlanAccessor:
    """Plans for one economy or scenario, reached as ``economy.plan``."""

    def __init__(self, obj: Economy | Scenario) -> None:
        self._scenario = as_scenario(obj)

    def balance(self, final_demand: Any = None) -> Plan:
        """Material balance for ``final_demand`` (default: the economy's); see :func:`balance`."""
        return balance(self._scenario, final_demand)

    def optimize(self, **kwargs: Any) -> OptimalPlan:
        """Optimal one-year plan with shadow prices; see :func:`autarky.plan.optimize.optimize`."""
        from autarky.plan.optimize import optimize

        return optimize(self._scenario, **kwargs)

    def multiyear(self, strategy: str | None = None, **kwargs: Any) -> Any:
        """Multi-year plan under a strategy; see :func:`autarky.plan.multiyear.multiyear`."""
        from autarky.plan.multiyear import multiyear

        return multiyear(self._scenario, strategy, **kwargs)

    def aid_timing(self, strategy: str | None = None, **kwargs: Any) -> Any:
        """The multi-year plan under other timings of the same aid; see
        :func:`autarky.plan.aid_timing.aid_timing`."""
        from autarky.plan.aid_timing import aid_timing

        return aid_timing(self._scenario, strategy, **kwargs)
