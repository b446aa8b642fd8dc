"""``economy.reliance`` and ``scenario.reliance``: the self-reliance accessor, registered from
this layer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from autarky.economy.accessors import register_accessor
from autarky.economy.scenario import as_scenario

if TYPE_CHECKING:
    from autarky.economy import Economy, Scenario
    from autarky.reliance.indicators import Indicators


@register_accessor("reliance")
class RelianceAccessor:
    """Self-reliance measures of one economy or scenario, reached as ``economy.reliance``."""

    def __init__(self, obj: Economy | Scenario) -> None:
        self._scenario = as_scenario(obj)

    def indicators(self, **kwargs: Any) -> Indicators:
        """Self-sufficiency, import content, partner dependence, concentration, flags."""
        from autarky.reliance.indicators import indicators

        return indicators(self._scenario, **kwargs)

    def baseline(self) -> Any:
        """The plan self-reliance is measured at and what it is (:func:`~autarky.reliance.model.baseline`)."""
        from autarky.reliance.model import baseline

        return baseline(self._scenario)

    def cost_of_autarky(self, **kwargs: Any) -> Any:
        """The cost-of-autarky curve; see :func:`autarky.reliance.cost.cost_of_autarky`."""
        from autarky.reliance.cost import cost_of_autarky

        return cost_of_autarky(self._scenario, **kwargs)

    def stress(self, shock: Any, **kwargs: Any) -> Any:
        """Stress test: re-planned and propagated; see :func:`autarky.reliance.stress.stress`."""
        from autarky.reliance.stress import stress

        return stress(self._scenario, shock, **kwargs)

    def criticality(self, **kwargs: Any) -> dict[str, Any]:
        """Branches ranked by hypothetical extraction, partners by the cost of a cut-off."""
        from autarky.reliance.criticality import branch_criticality, partner_criticality

        return {"branches": branch_criticality(self._scenario),
                "partners": partner_criticality(self._scenario, **kwargs)}

    def neutrality(self, levels: Any = None) -> Any:
        """The plan minimising the largest dependence on one partner, per fulfilment."""
        from autarky.reliance.criticality import neutrality

        return neutrality(self._scenario, levels)

    def dependence(self) -> Any:
        """Each partner's share of import content and of imports."""
        from autarky.reliance.criticality import partner_dependence

        return partner_dependence(self._scenario)
