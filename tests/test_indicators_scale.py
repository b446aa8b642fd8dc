"""The indicator set of a large economy (GMRES path) against numpy's dense solves.

Reference answers are computed here from the definitions (Miller & Blair 2009, ch. 2 and 6):
``x = (I - A_d)^-1 (1 - s) y`` with competitive import shares ``s``, import content
``w' A_imp L_d / w``, value-added content ``v' L_d / w`` with ``v = w - A' w``, factor content
``F L_d``, each by ``numpy.linalg.solve``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from autarky import Economy
from autarky.solve.leontief import DENSE_KRYLOV_MIN_N


def economy(n: int, seed: int, *, sparse: bool, physical: bool = False) -> tuple[Economy, dict]:
    rng = np.random.default_rng(seed)
    if sparse:
        rows = rng.integers(0, n, (n, 10))
        vals = rng.uniform(0.1, 1.0, (n, 10))
        vals *= (rng.uniform(0.4, 0.8, n) / vals.sum(axis=1))[:, np.newaxis]
        A = sp.csr_array((vals.ravel(), (rows.ravel(), np.repeat(np.arange(n), 10))), shape=(n, n))
        A.sum_duplicates()
        Ad = A.toarray()
    else:
        Ad = rng.uniform(size=(n, n)) * (rng.uniform(size=(n, n)) < 0.2)
        Ad *= rng.uniform(0.4, 0.8, n) / np.maximum(Ad.sum(axis=0), 1e-300)
        A = Ad
    c = np.ones(n)
    if physical:   # each product in its own unit: A -> C A C^-1, no norm below one
        c = 10.0 ** rng.uniform(-4, 4, n)
        Ad = c[:, None] * Ad / c[None, :]
        A = sp.csr_array(c[:, None] * A.toarray() / c[None, :]) if sparse else Ad
    y = rng.uniform(1.0, 10.0, n)
    S = rng.uniform(0.0, 0.3, (2, n))
    F = rng.uniform(0.0, 1.0, (3, n))
    prices = rng.uniform(0.5, 2.0, n) / c     # a price per unit scales against the unit
    eco = Economy.from_coefficients(
        A, y, partners=pd.DataFrame(index=["p1", "p2"]),
        factors=pd.DataFrame({"unit": ["h", "t", "ha"]}, index=["labour", "coal", "land"]),
        import_shares=S, factor_coefficients=F, prices=prices)
    return eco, {"A": Ad, "y": y, "S": S, "F": F, "w": prices}


def reference(d: dict) -> dict:
    A, S, F, w, y = d["A"], d["S"], d["F"], d["w"], d["y"]
    n = A.shape[0]
    A_imp = [S[p][:, None] * A for p in range(S.shape[0])]
    A_d = A - sum(A_imp)
    M = np.eye(n) - A_d
    v = w - A.T @ w
    # home final use is imported at the same shares as intermediate use (competitive imports)
    return {"x": np.linalg.solve(M, (1.0 - S.sum(axis=0)) * y),
            "partner": [np.linalg.solve(M.T, Ai.T @ w) / w for Ai in A_imp],
            "dva": np.linalg.solve(M.T, v) / w,
            "factor": np.linalg.solve(M.T, F.T).T}


@pytest.mark.parametrize(("n", "sparse", "physical"), [
    (60, False, False), (DENSE_KRYLOV_MIN_N + 50, False, False),
    (3000, True, False), (3000, True, True), (DENSE_KRYLOV_MIN_N + 50, False, True)])
def test_indicators_agree_with_dense_solves(n, sparse, physical):
    eco, d = economy(n, n, sparse=sparse, physical=physical)
    ref = reference(d)
    if n >= DENSE_KRYLOV_MIN_N:
        assert eco.solver.method == "krylov"
    ind = eco.reliance.indicators(plan="balance")
    x = eco.plan.balance().gross_output.to_numpy()
    np.testing.assert_allclose(x, ref["x"], rtol=1e-9)
    for k, p in enumerate(["p1", "p2"]):
        np.testing.assert_allclose(ind.partner_content.loc[p].to_numpy(), ref["partner"][k],
                                   rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(ind.table["import_content"].to_numpy(),
                               ref["partner"][0] + ref["partner"][1], rtol=1e-8, atol=1e-12)
    # a share of value (in [0, 1]) to 1e-8 absolute: with prices over 8 orders of magnitude
    # (physical units) GMRES's 2-norm residual of 1e-12 leaves one share of 3,000 at 4e-9
    # absolute (1.3e-8 relative) on a fresh install of 2026-12-02; solving in value terms
    # (the solver's col_scale) is issue 12's
    np.testing.assert_allclose(ind.table["domestic_value_added"].to_numpy(), ref["dva"],
                               rtol=1e-8, atol=1e-8 if physical else 1e-12)
    np.testing.assert_allclose(ind.factor_content.to_numpy(), ref["factor"], rtol=1e-8,
                               atol=1e-12)
    # import and domestic value-added content add up to one per unit of final product
    total = ind.table["import_content"] + ind.table["domestic_value_added"]
    np.testing.assert_allclose(total.to_numpy(), 1.0, rtol=1e-8)
    # the answer says how it was solved, and in what unit the factor content is
    assert ind.solved_by in ("krylov", "dense LU", "sparse LU")
    ds = ind.to_dataset()
    assert ds["factor_content"].attrs["unit"] == "unit[factor]/unit[branch]"


def test_one_product_factor_content_by_hand():
    # steel: a = 0.1, half of it imported; labour 2 h per t: home labour per t of final steel
    # is 2 / (1 - 0.05) = 2.10526...
    eco = Economy(pd.DataFrame({"unit": ["t"]}, index=["steel"]), [[0.1]], [100.0],
                  factors=pd.DataFrame({"unit": ["h"]}, index=["labour"]),
                  factor_coefficients=[[2.0]], partners=pd.DataFrame(index=["p"]),
                  import_shares=[[0.5]])
    ind = eco.reliance.indicators(plan="balance")
    assert float(ind.factor_content.loc["labour", "steel"]) == pytest.approx(2.0 / 0.95, rel=1e-12)
    assert float(ind.table.loc["steel", "import_content"]) == pytest.approx(0.05 / 0.95, rel=1e-12)
