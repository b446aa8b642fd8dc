"""Layer 2: readers and writers. The scenario format (YAML, or a folder with CSV tables)."""

from autarky.io.scenario import read_scenario
from autarky.io.writer import scenario_dict, write_scenario

__all__ = ["read_scenario", "scenario_dict", "write_scenario"]
