"""The productiveness check of an economy (Hawkins-Simon), proved on the solver it hands on.

``A_d = diag(1 - s) A_c`` is held as a row scaling of ``A_c`` by the solver, never formed: the
proof (:func:`autarky.solve.spectral.certify`: a norm below one, or the Collatz-Wielandt bound of
``(I - A_d)^-1 1``) runs on the solver's operator, and that solver serves every later balance.
Only an economy that is not proved productive is diagnosed on ``A_d`` itself, to name the
cycles that use up more than they yield.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from autarky.errors import NotProductiveError
from autarky.solve import LeontiefSolver, productive_diagnosis
from autarky.solve.leontief import SingularSystemError
from autarky.solve.spectral import certify

if TYPE_CHECKING:
    from autarky.economy.model import Economy


def domestic_solver(eco: Economy) -> LeontiefSolver:
    """The solver of ``I - A_d`` with ``A_d = diag(1 - s) A_c`` held as a scaling of ``A_c``
    (no copy of the technology)."""
    s = eco.import_share_total
    # the stored tables are validated finite on construction: no second pass to check A_c
    if np.any(s):
        return LeontiefSolver(eco.A_c, row_scale=1.0 - np.asarray(s, dtype=float),
                              check_finite=False)
    return LeontiefSolver(eco.A_c, check_finite=False)


def check_productive(eco: Economy) -> LeontiefSolver:
    """The solver of ``I - A_d`` once ``rho(A_d) < 1`` is proved, or a
    :class:`~autarky.errors.NotProductiveError` naming the strongly connected components that
    fail (and, in a one-unit table, the columns summing to one or more)."""
    A_c = eco.A_c
    values = np.asarray(A_c.data if sp.issparse(A_c) else A_c)
    # A itself was validated non-negative on construction; A - sum_p A_m is checked here
    if A_c is eco.A or values.size == 0 or float(np.min(values)) >= 0.0:
        try:
            solver: LeontiefSolver | None = domestic_solver(eco)
        except SingularSystemError:
            solver = None
        if solver is not None and np.isfinite(certify(solver)):
            return solver
    diag = productive_diagnosis(eco.A_d)      # not proved: name what fails (or pass)
    if diag.productive and diag.solver is not None:
        return diag.solver
    ids = eco.ids
    cycles = []
    named: list[str] = []
    for comp, rho in zip(diag.components, diag.component_radii, strict=True):
        names = [ids[i] for i in comp]
        named += names
        kind = "branch" if len(names) == 1 else "cycle"
        cycles.append(f"{kind} {' <-> '.join(names)} (spectral radius {rho:.4g})")
    msg = (f"technology is not productive: spectral radius {diag.spectral_radius:.4g} >= 1, "
           "so no positive final demand can be met (Hawkins-Simon fails). "
           f"Offending: {'; '.join(cycles) or 'the economy as a whole'}.")
    if eco.branches["unit"].nunique() == 1:
        colsum = np.asarray(eco.A.sum(axis=0)).ravel()
        over = [ids[j] for j in np.flatnonzero(colsum >= 1.0)]
        if over:
            msg += f" Columns whose coefficients sum to one or more: {', '.join(over)}."
    raise NotProductiveError(msg, named, diag.spectral_radius)
