"""Numerical kernels on plain arrays: no labels, no units, no imports from the rest of autarky.

Because they depend on nothing else in the package, every layer may use them (the economy model
uses :func:`is_productive` to validate itself on construction).
"""

from autarky.solve.leontief import (
    LeontiefSolver,
    calc_A,
    calc_L,
    calc_x,
    calc_x_from_flows,
    calc_Z,
)
from autarky.solve.spectral import productive_diagnosis, spectral_radius

__all__ = [
    "LeontiefSolver",
    "calc_A",
    "calc_L",
    "calc_Z",
    "calc_x",
    "calc_x_from_flows",
    "productive_diagnosis",
    "spectral_radius",
]
