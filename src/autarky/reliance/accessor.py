"""``economy.reliance``: the self-reliance accessor."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from autarky.economy import Economy
    from autarky.reliance.indicators import Indicators


class RelianceAccessor:
    """Self-reliance measures of one economy, reached as ``economy.reliance``."""

    def __init__(self, economy: Economy) -> None:
        self._economy = economy

    def indicators(self, **kwargs: Any) -> Indicators:
        """Self-sufficiency, import content, partner dependence, concentration, flags."""
        from autarky.reliance.indicators import indicators

        return indicators(self._economy, **kwargs)

    def cost_of_autarky(self, **kwargs: Any) -> Any:
        """The cost-of-autarky curve; see :func:`autarky.reliance.cost.cost_of_autarky`."""
        from autarky.reliance.cost import cost_of_autarky

        return cost_of_autarky(self._economy, **kwargs)

    def stress(self, shock: Any, **kwargs: Any) -> Any:
        """Stress test: re-planned and propagated; see :func:`autarky.reliance.stress.stress`."""
        from autarky.reliance.stress import stress

        return stress(self._economy, shock, **kwargs)

    def criticality(self, **kwargs: Any) -> dict[str, Any]:
        """Branches ranked by hypothetical extraction, partners by the cost of a cut-off."""
        from autarky.reliance.criticality import branch_criticality, partner_criticality

        return {"branches": branch_criticality(self._economy),
                "partners": partner_criticality(self._economy, **kwargs)}

    def neutrality(self, levels: Any = None) -> Any:
        """The plan minimising the largest dependence on one partner, per fulfilment."""
        from autarky.reliance.criticality import neutrality

        return neutrality(self._economy, levels)

    def dependence(self) -> Any:
        """Each partner's share of import content and of imports."""
        from autarky.reliance.criticality import partner_dependence

        return partner_dependence(self._economy)
