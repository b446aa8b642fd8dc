"""The MRIO cut-off runs on the non-zeros of the split network and gives the dense run's
answers (issue 12: no refusal of EXIOBASE-size tables, no n x n stocks)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from autarky.mrio import MRIO
from autarky.mrio import cutoff as co


def table(seed: int, regions: int = 5, sectors: int = 4, *, destock: bool = False) -> MRIO:
    rng = np.random.default_rng(seed)
    n = regions * sectors
    Z = rng.uniform(0, 10, (n, n)) * (rng.uniform(0, 1, (n, n)) < 0.4)
    Y = rng.uniform(20, 60, (n, regions * 2))
    if destock:  # a negative final use (stocks run down): the baseline is recomputed
        Y[3, 1] = -(Y[3].sum() - Y[3, 1]) * 0.5 - 2.0
    x = Z.sum(axis=1) + Y.sum(axis=1)
    return MRIO(tuple(f"R{k}" for k in range(regions)), tuple(f"s{k}" for k in range(sectors)),
                ("hh", "inv"), Z, Y, (x - Z.sum(axis=0))[None, :], ("VA",))


@pytest.mark.parametrize("destock", [False, True])
def test_the_sparse_split_is_the_dense_split(destock: bool) -> None:
    t = table(1, destock=destock)
    dense = co._split(t, ["R1", "R3"])
    sparse = co._split(t, ["R1", "R3"], sparse=True)
    assert sp.issparse(sparse[0]) and not sp.issparse(dense[0])
    np.testing.assert_allclose(sparse[0].toarray(), dense[0], rtol=1e-14, atol=0)
    for a, b in zip(dense[1:], sparse[1:], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    # the split keeps every flow: the split network's inputs add back to the table's
    A = sparse[0].toarray()
    Zs = A * (sparse[1] * 52.0)[None, :]
    origin = sparse[4]
    back = np.zeros((t.n, t.n))
    np.add.at(back, (origin[:, None], origin[None, :]), Zs)
    if not destock:
        np.testing.assert_allclose(back, t.Z, rtol=1e-12, atol=1e-9)


def test_the_run_on_non_zeros_gives_the_dense_answer(monkeypatch) -> None:
    t = table(2)
    assert t.n + len(t.sectors) > co.MAX_NODES  # the default: on the non-zeros
    got = co.cutoff_two_ways(t, "R0", ["R2"], weeks=10, duration=4)
    monkeypatch.setattr(co, "MAX_NODES", 10**6)  # the dense run, for comparison
    want = co.cutoff_two_ways(t, "R0", ["R2"], weeks=10, duration=4)
    assert want.to_numpy().max() > 0
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-9, atol=1e-12)
