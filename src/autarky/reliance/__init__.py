"""Layer 5: self-reliance — indicators, the cost of autarky, stress tests, criticality."""

from autarky.reliance.accessor import RelianceAccessor
from autarky.reliance.indicators import Indicators, calc_herfindahl, calc_self_sufficiency, indicators

__all__ = ["Indicators", "RelianceAccessor", "calc_herfindahl", "calc_self_sufficiency",
           "indicators"]
