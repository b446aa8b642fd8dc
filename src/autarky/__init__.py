"""autarky: plan and measure the self-reliance of a national economy.

The central objects are :class:`Economy` (what an economy is) and :class:`Scenario` (an economy
and what its user asks of it); plans and measures are reached through their accessors
(``economy.plan.balance()``, ``scenario.reliance.indicators()``). Scenarios are read with
:func:`read_scenario`.

Examples
--------
>>> import autarky
>>> eco = autarky.Economy.from_coefficients([[0.15, 0.25], [0.20, 0.05]], [600, 1500])
>>> eco.plan.balance().gross_output.round(2).tolist()
[1247.52, 1841.58]
"""

from autarky import monitor as _monitor  # noqa: F401  (registers the monitor accessor)
from autarky import plan as _plan  # noqa: F401  (registers the plan accessor)
from autarky import reliance as _reliance  # noqa: F401  (registers the reliance accessor)
from autarky.economy import Economy, PlanSettings, Scenario
from autarky.errors import AutarkyError, NotProductiveError, ScenarioError
from autarky.io import read_scenario, write_scenario
from autarky.plan import Plan

__version__ = "0.2.0"

__all__ = [
    "AutarkyError",
    "Economy",
    "NotProductiveError",
    "Plan",
    "PlanSettings",
    "Scenario",
    "ScenarioError",
    "__version__",
    "read_scenario",
    "write_scenario",
]
