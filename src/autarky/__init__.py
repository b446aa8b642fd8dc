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

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from autarky.errors import AutarkyError, NotProductiveError, ScenarioError

if TYPE_CHECKING:
    from autarky.economy import Economy, PlanSettings, Scenario
    from autarky.io import read_scenario, write_scenario
    from autarky.plan import Plan

__version__ = "0.2.0"

#: Names imported on first use, so that ``import autarky`` (and the command line's ``--help``)
#: does not load numpy, pandas and the solvers until something needs them.
_LAZY = {"Economy": "autarky.economy", "PlanSettings": "autarky.economy",
         "Scenario": "autarky.economy", "read_scenario": "autarky.io",
         "write_scenario": "autarky.io", "Plan": "autarky.plan"}
_SUBPACKAGES = frozenset({"cases", "cli", "data", "economy", "io", "monitor", "plan", "reliance",
                          "report", "solve", "testing", "checks", "errors"})


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    if name in _SUBPACKAGES:
        return importlib.import_module(f"autarky.{name}")
    raise AttributeError(f"module 'autarky' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, *_SUBPACKAGES})


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
