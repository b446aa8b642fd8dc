"""Layer 1: the data model. An :class:`Economy` holds the labelled tables of one economy."""

from autarky.economy.model import Economy
from autarky.economy.schema import SCENARIO_KEYS, json_schema

__all__ = ["SCENARIO_KEYS", "Economy", "json_schema"]
