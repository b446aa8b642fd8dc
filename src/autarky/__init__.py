"""autarky: plan and measure the self-reliance of a national economy.

The central object is :class:`Economy`; plans are reached through its accessor
(``economy.plan.balance()``). Scenarios are read with :func:`read_scenario`.

Examples
--------
>>> import autarky
>>> eco = autarky.Economy.from_coefficients([[0.15, 0.25], [0.20, 0.05]], [600, 1500])
>>> eco.plan.balance().gross_output.round(2).tolist()
[1247.52, 1841.58]
"""

from autarky.economy import Economy
from autarky.errors import AutarkyError, NotProductiveError, ScenarioError
from autarky.io import read_scenario, write_scenario
from autarky.plan import Plan

__version__ = "0.1.0"

__all__ = [
    "AutarkyError",
    "Economy",
    "NotProductiveError",
    "Plan",
    "ScenarioError",
    "__version__",
    "read_scenario",
    "write_scenario",
]
