"""The value-added content started from the identity ``v' L_d = w' - sum_p (A_imp[p]' w)' L_d``.

Where the indicators' columns are solved one chunk after another (a sparse technology of 10^6
products: one column per pass), the value-added column starts from what the partners' columns
give and is still checked by its true residual. The reference answers are numpy's dense solves of
the definitions (Miller & Blair 2009, ch. 2 and 6), as in ``tests/test_indicators_scale.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from autarky import Economy
from autarky.solve import leontief


def economy(n: int, seed: int, physical: bool) -> tuple[Economy, dict]:
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, n, (n, 10))
    vals = rng.uniform(0.1, 1.0, (n, 10))
    vals *= (rng.uniform(0.4, 0.8, n) / vals.sum(axis=1))[:, np.newaxis]
    A = sp.csr_array((vals.ravel(), (rows.ravel(), np.repeat(np.arange(n), 10))), shape=(n, n))
    A.sum_duplicates()
    c = 10.0 ** rng.uniform(-4, 4, n) if physical else np.ones(n)
    A = sp.csr_array(c[:, None] * A.toarray() / c[None, :])
    y = rng.uniform(1.0, 10.0, n)
    S = rng.uniform(0.0, 0.3, (2, n))
    S[:, :5] = 0.49                          # products almost all imported: dva near zero
    F = rng.uniform(0.0, 1.0, (3, n))
    w = rng.uniform(0.5, 2.0, n) / c
    eco = Economy.from_coefficients(
        A, y, partners=pd.DataFrame(index=["p1", "p2"]),
        factors=pd.DataFrame({"unit": ["h", "t", "ha"]}, index=["labour", "coal", "land"]),
        import_shares=S, factor_coefficients=F, prices=w)
    return eco, {"A": A.toarray(), "S": S, "F": F, "w": w}


@pytest.mark.parametrize("physical", [False, True])
def test_value_added_content_from_the_identity_agrees_with_dense_solves(monkeypatch, physical):
    n = 2000
    # one column per pass, as at 10^6 products
    monkeypatch.setattr(leontief, "SPARSE_BLOCK_BYTES", 8 * n)
    eco, d = economy(n, 7, physical)
    A, S, F, w = d["A"], d["S"], d["F"], d["w"]
    A_imp = [S[p][:, None] * A for p in range(2)]
    M = np.eye(n) - (A - sum(A_imp))
    ind = eco.reliance.indicators(plan="balance")
    dva = np.linalg.solve(M.T, w - A.T @ w) / w
    np.testing.assert_allclose(ind.table["domestic_value_added"].to_numpy(), dva, rtol=1e-8,
                               atol=1e-12)
    for k, p in enumerate(["p1", "p2"]):
        np.testing.assert_allclose(ind.partner_content.loc[p].to_numpy(),
                                   np.linalg.solve(M.T, A_imp[k].T @ w) / w, rtol=1e-8,
                                   atol=1e-12)
    np.testing.assert_allclose(ind.factor_content.to_numpy(), np.linalg.solve(M.T, F.T).T,
                               rtol=1e-8, atol=1e-12)
    # the partners' and factors' columns in one solve, the value added in a second one that
    # starts at the answer: its residual checked, and at most a step or two of GMRES
    last, before = eco.solver.history[-1], eco.solver.history[-2]
    assert (before.columns, last.columns) == (5, 1)
    if physical:     # units 10^-4 to 10^4: GMRES stalls above 1e-12 and the sparse LU answers
        assert last.method == "sparse LU"
    else:
        assert last.method == "krylov" and last.iterations <= 2 and last.residual <= 1e-12
        assert last.iterations < before.iterations


def test_value_added_given_is_solved_with_the_rest(monkeypatch):
    n = 500
    monkeypatch.setattr(leontief, "SPARSE_BLOCK_BYTES", 8 * n)
    eco, d = economy(n, 8, False)
    va = np.full(n, 0.3) * d["w"]
    eco = eco.replace(value_added=va)
    ind = eco.reliance.indicators(plan="balance")
    S, A, w = d["S"], d["A"], d["w"]
    M = np.eye(n) - (1.0 - S.sum(axis=0))[:, None] * A
    np.testing.assert_allclose(ind.table["domestic_value_added"].to_numpy(),
                               np.linalg.solve(M.T, va) / w, rtol=1e-8, atol=1e-12)
    assert eco.solver.history[-1].columns == 6      # one solve: no identity to start from
