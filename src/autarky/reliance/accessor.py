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
