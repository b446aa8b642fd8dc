"""Layer 1: the data model. An :class:`Economy` holds the labelled tables of one economy; a
:class:`Scenario` adds what its user asks of it (plan settings, reports, claims). Every table is
declared once in :mod:`autarky.economy.registry`."""

from autarky.economy.accessors import declare_builtin, register_accessor
from autarky.economy.model import Economy
from autarky.economy.registry import TABLES, TableSpec
from autarky.economy.scenario import Scenario, as_scenario
from autarky.economy.schema import SCENARIO_KEYS, json_schema
from autarky.economy.settings import PlanSettings, Strategy, StrategyRule

declare_builtin()  # economy.plan, .reliance, .monitor: their layers are imported on first use

__all__ = ["SCENARIO_KEYS", "TABLES", "Economy", "PlanSettings", "Scenario", "Strategy",
           "StrategyRule", "TableSpec", "as_scenario", "json_schema", "register_accessor"]
