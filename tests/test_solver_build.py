"""What building a solver costs and checks: the norm bound in one pass over a dense ``A`` (row
and column sums of ``diag(r) A diag(c)``, whatever the memory order), and the finite check the
economy, which validates its tables itself, may skip. References are numpy's sums of the formed
matrix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from autarky import Economy
from autarky.errors import BadValueError
from autarky.solve import LeontiefSolver


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("scaled", [False, True])
@pytest.mark.parametrize("n", [3, 257, 2100])
def test_dense_norm_bound_is_the_smaller_norm_of_the_scaled_matrix(order, scaled, n):
    rng = np.random.default_rng(n)
    A = np.asarray(rng.uniform(size=(n, n)) / n, order=order)
    r = rng.uniform(0.2, 1.0, n) if scaled else None
    c = rng.uniform(0.5, 3.0, n) if scaled else None
    As = A * (1.0 if r is None else r[:, None]) * (1.0 if c is None else c[None, :])
    expected = min(As.sum(axis=0).max(), As.sum(axis=1).max())
    bound = LeontiefSolver(A, method="krylov", row_scale=r, col_scale=c).norm_bound()
    assert bound == pytest.approx(expected, rel=1e-13)


def test_the_finite_check_can_be_left_to_a_caller_that_validated():
    A = np.array([[0.1, np.nan], [0.0, 0.2]])
    with pytest.raises(BadValueError, match="finite"):
        LeontiefSolver(A)
    # an economy validates its tables itself (and says where the bad value is)
    with pytest.raises(BadValueError, match="b0/b1"):
        Economy.from_coefficients(A, [1.0, 1.0])


def test_an_economy_with_imported_technology_still_checks_what_remains():
    # A_c = A - A_m must stay non-negative: checked, though A itself was validated
    A = np.array([[0.2, 0.1], [0.1, 0.3]])
    with pytest.raises(BadValueError, match="exceeds the technology"):
        Economy.from_coefficients(A, [1.0, 1.0], partners=pd.DataFrame(index=["p"]),
                                  imported_technology=[[[0.3, 0.0], [0.0, 0.0]]])


@pytest.mark.parametrize("where", [0, 70_000, 299_999])
def test_a_large_technology_with_one_bad_value_is_refused(where):
    # validated in chunks: a NaN or a negative entry anywhere is found and named
    n = 550
    A = np.full((n, n), 1e-4)
    i, j = divmod(where, n)
    for bad in (np.nan, -1e-3):
        B = A.copy()
        B[i, j] = bad
        with pytest.raises(BadValueError, match=f"b{i}/b{j}"):
            Economy.from_coefficients(B, np.ones(n))
    Economy.from_coefficients(A, np.ones(n))      # and the clean one passes
