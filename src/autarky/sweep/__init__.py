"""Uncertainty and scenario sweeps (issue 14).

- :mod:`autarky.sweep.uncertain`: uncertain numbers and reproducible draws of a scenario;
- :mod:`autarky.sweep.analyses`: the analyses a sweep runs, as data;
- :mod:`autarky.sweep.design`: grids and Saltelli's design;
- :mod:`autarky.sweep.engine`: the sweep, serially or on Dask, with a resumable zarr store;
- :mod:`autarky.sweep.summary`: quantiles, probabilities of events, sensitivity indices.

Importing this package registers ``economy.uncertainty``.
"""

from autarky.sweep import accessor as _accessor  # noqa: F401  (registers economy.uncertainty)
from autarky.sweep.engine import sweep
from autarky.sweep.summary import probability, quantiles, sensitivity
from autarky.sweep.uncertain import DISTRIBUTIONS, Draws, Uncertain, draw_values, entries_of, sample

__all__ = ["DISTRIBUTIONS", "Draws", "Uncertain", "draw_values", "entries_of", "probability",
           "quantiles", "sample", "sensitivity", "sweep"]
