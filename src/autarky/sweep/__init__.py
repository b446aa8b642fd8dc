"""Uncertainty and scenario sweeps (issue 14): uncertain inputs and reproducible draws of a
scenario (:mod:`autarky.sweep.uncertain`). The scenario-format keys, the sweep over analyses
and the Dask back end are still to come."""

from autarky.sweep.uncertain import DISTRIBUTIONS, Draws, Uncertain, draw_values, sample

__all__ = ["DISTRIBUTIONS", "Draws", "Uncertain", "draw_values", "sample"]
