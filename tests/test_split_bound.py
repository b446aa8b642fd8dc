"""The split bound on the diagonal of the Leontief inverse (:mod:`autarky.solve.split_bound`), against
independent references: ``numpy.linalg.inv`` of the dense ``I - A`` for the diagonal, dense matrix
powers for the exact part, and the Schur-test width computed here from the closed form with the
true row and column sums of ``L``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.test_extraction_scale import SHAPES, assert_certified, expander, true_diagonal

import autarky.solve.inverse_diagonal as inverse_diagonal
from autarky.errors import AutarkyError
from autarky.solve.extraction import extraction_losses
from autarky.solve.inverse_diagonal import leontief_diagonal, super_solution
from autarky.solve.leontief import LeontiefSolver
from autarky.solve.split_bound import MAX_POWER, split_bounds, split_work


def _certified(A: sp.csr_array, **kw: object) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # bounds wider than 1e-6: expected here
        return leontief_diagonal(A, exact_flops=0.0, fallback_max=0, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("shape", ["expander", "banded", "hubbed"])
@pytest.mark.parametrize("n", [120, 700])
@pytest.mark.parametrize("a", [1, 2, 3, 4, 8])
def test_split_bounds_hold_on_every_branch(shape: str, n: int, a: int) -> None:
    A = SHAPES[shape](n, 7 * n + a)
    d = _certified(A, split=a)
    assert f"split a={a}" in d.method and "probes" not in d.method  # type: ignore[attr-defined]
    assert_certified(d, true_diagonal(A))


def _dense_powers(A: sp.csr_array, top: int) -> list[np.ndarray]:
    D = A.toarray()
    return [np.linalg.matrix_power(D, p) for p in range(top + 1)]


@pytest.mark.parametrize("a", [1, 2, 3])
def test_lower_bound_is_the_truncated_series_and_width_the_closed_form(a: int) -> None:
    A = expander(400, 11, k=6)
    n = A.shape[0]
    Ps = _dense_powers(A, 2 * a)
    series = sum(np.diag(P) for P in Ps)
    L = np.linalg.inv(np.eye(n) - A.toarray())
    Pa = Ps[a]
    # the Schur-test width with the true row and column sums of L - I (the certificates are
    # slightly larger: s = L 1 / q_min with q_min just below one)
    width = np.sqrt((Pa**2 @ (L.sum(axis=1) - 1)) * ((Pa**2).T @ (L.sum(axis=0) - 1)))
    solver = LeontiefSolver(A)
    lo, up = split_bounds(A, super_solution(A, solver), super_solution(A, solver, transposed=True), a)
    np.testing.assert_allclose(lo, series, rtol=1e-11)
    np.testing.assert_allclose(up - lo, width, rtol=1e-6, atol=1e-12)
    true = np.diag(L)
    assert np.all(lo <= true * (1 + 1e-13)) and np.all(true <= up * (1 + 1e-13))


def test_width_shrinks_by_about_the_degree_per_power() -> None:
    # width ~ rho^(2a) s / d^a on an expander with d inputs per product (while d^a is below n)
    A = expander(3000, 3, k=8)
    widths = [_certified(A, split=a).bound for a in (1, 2, 3)]  # type: ignore[attr-defined]
    assert widths[0] > 2.5 * widths[1] > 6.0 * widths[2] > 0


def test_split_beats_probing_on_an_expander_and_both_together_keep_the_tighter() -> None:
    A = expander(2500, 5, k=10)
    true = true_diagonal(A)
    probed = _certified(A, split=0, probes=64)
    split = _certified(A, split=3)
    both = _certified(A, split=3, probes=64)
    for d in (probed, split, both):
        assert_certified(d, true)
    assert split.bound < probed.bound / 10  # type: ignore[attr-defined]
    assert np.all(both.upper <= np.minimum(split.upper, probed.upper))  # type: ignore[attr-defined]
    assert np.all(both.lower >= np.maximum(split.lower, probed.lower))  # type: ignore[attr-defined]
    assert "split a=3" in both.method and "64 probes" in both.method  # type: ignore[attr-defined]


def test_default_power_is_the_largest_within_the_work_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    A = expander(1500, 2, k=8)
    # the budget admits every power up to the largest on this small expander (rows of A^4 fill)
    assert split_work(A, MAX_POWER) <= inverse_diagonal.SPLIT_WORK
    d = _certified(A)
    assert f"split a={MAX_POWER}" in d.method  # type: ignore[attr-defined]
    monkeypatch.setattr(inverse_diagonal, "SPLIT_WORK", split_work(A, 3) * 1.01)
    assert "split a=3" in _certified(A).method  # type: ignore[attr-defined]
    monkeypatch.setattr(inverse_diagonal, "SPLIT_WORK", split_work(A, 2) * 1.01)
    assert "split a=2" in _certified(A).method  # type: ignore[attr-defined]
    monkeypatch.setattr(inverse_diagonal, "SPLIT_WORK", 0.0)
    d0 = _certified(A)
    assert "split" not in d0.method and "probes" in d0.method  # type: ignore[attr-defined]


def test_split_bounds_do_not_depend_on_branch_order_or_threads() -> None:
    A = expander(900, 8, k=8)
    p = np.random.default_rng(0).permutation(900)
    Ap = sp.csr_array(A[p][:, p])
    d, dp = _certified(A, split=3), _certified(Ap, split=3)
    np.testing.assert_allclose(dp.lower, d.lower[p], rtol=1e-12)  # type: ignore[attr-defined]
    np.testing.assert_allclose(dp.upper, d.upper[p], rtol=1e-12)  # type: ignore[attr-defined]
    solver = LeontiefSolver(A)
    s, t = super_solution(A, solver), super_solution(A, solver, transposed=True)
    one = split_bounds(A, s, t, 3, threads=1)
    two = split_bounds(A, s, t, 3, threads=2)
    np.testing.assert_array_equal(one[0], two[0])
    np.testing.assert_array_equal(one[1], two[1])


@settings(max_examples=30, deadline=None)
@given(n=st.integers(2, 90), shape=st.sampled_from(list(SHAPES)), seed=st.integers(0, 2**31),
       a=st.integers(0, 8), probes=st.one_of(st.none(), st.integers(1, 30)))
def test_split_bounds_hold_property(n: int, shape: str, seed: int, a: int, probes: int | None) -> None:
    A = SHAPES[shape](n, seed)
    assert_certified(_certified(A, split=a, probes=probes), true_diagonal(A))


def test_transposed_certificate_proves_the_column_sums() -> None:
    A = expander(300, 9, k=6)
    t = super_solution(A, LeontiefSolver(A), transposed=True)
    assert np.all(t @ (np.eye(300) - A.toarray()) >= 1.0 - 1e-12)
    assert np.all(t >= np.linalg.inv(np.eye(300) - A.toarray()).sum(axis=0) * (1 - 1e-12))


@pytest.mark.parametrize("bad", [True, -1, 9, 2.5, "3", np.array([1, 2]), None])
def test_bad_split_is_refused_by_name(bad: object) -> None:
    A = expander(80, 1)
    if bad is None:
        assert leontief_diagonal(A, split=bad).exact  # None is the default
        return
    with pytest.raises(AutarkyError, match="split"):
        leontief_diagonal(A, split=bad)  # type: ignore[arg-type]
    with pytest.raises(AutarkyError, match="split"):
        extraction_losses(A.toarray(), np.ones(80), split=bad)  # type: ignore[arg-type]


def test_split_bounds_refuses_mismatched_certificates_and_powers() -> None:
    A = expander(50, 3)
    s = np.ones(50) * 5.0
    with pytest.raises(AutarkyError, match="length"):
        split_bounds(A, s[:-1], s, 2)
    with pytest.raises(AutarkyError, match="a must be at most"):
        split_bounds(A, s, s, MAX_POWER + 1)


def _certified_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small economies take the certified route: sparse from 50 branches, the diagonal route from
    10, no exact route and no dense fallback."""
    import autarky.io.scenario as scenario_io
    import autarky.solve.extraction as extraction

    monkeypatch.setattr(scenario_io, "SPARSE_FROM_N", 50)
    monkeypatch.setattr(extraction, "DIAGONAL_MIN_N", 10)
    monkeypatch.setattr(inverse_diagonal, "EXACT_FLOPS", 0.0)
    monkeypatch.setattr(inverse_diagonal, "DENSE_MAX", 0)


def test_certified_criticality_says_so_in_the_library_and_the_command(
        monkeypatch: pytest.MonkeyPatch, tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    import json
    from pathlib import Path

    from tests.test_extraction_scale import _economy

    from autarky.cli.app import main
    from autarky.economy.trade import domestic_final_use
    from autarky.io.writer import write_scenario
    from autarky.reliance.criticality import accuracy_note, branch_criticality
    from autarky.solve.extraction import extraction_losses_fresh

    _certified_everywhere(monkeypatch)
    eco = _economy(expander(120, 4), 5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        df = branch_criticality(eco)
    bound = df.attrs["bound"]
    assert 0 < bound < 1e-2 and "split a=" in df.attrs["method"]
    demand = domestic_final_use(eco).sum(axis=1) + eco.exports_total
    fresh = extraction_losses_fresh(eco.A_d, demand)
    truth = dict(zip(eco.ids, fresh.total, strict=True))
    true = np.array([truth[b] for b in df.index])
    assert np.all(df["total_lower"] <= true * (1 + 1e-12)) and np.all(true <= df["total_upper"] * (1 + 1e-12))
    assert np.all(np.abs(df["total"] - true) <= bound * true * (1 + 1e-9))
    note = accuracy_note(df)
    assert note.startswith("Certified bounds, not exact") and f"{bound:.2g}" in note

    folder = write_scenario(eco, Path(str(tmp_path)) / "sparse")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert main(["criticality", str(folder), "--format", "json"]) == 0
        doc = json.loads(capsys.readouterr().out)
        assert doc["branches_bound"] == pytest.approx(bound) and "split a=" in doc["branches_method"]
        assert main(["criticality", str(folder)]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "Certified bounds, not exact: each loss is within" in text and f"{bound:.2g}" in text


def test_many_chunks_on_any_threads_give_the_same_bits(monkeypatch: pytest.MonkeyPatch) -> None:
    import autarky.solve.split_bound as split_bound

    A = expander(300, 12, k=6)
    solver = LeontiefSolver(A)
    s, t = super_solution(A, solver), super_solution(A, solver, transposed=True)
    whole = split_bounds(A, s, t, 3)  # one chunk
    monkeypatch.setattr(split_bound, "CHUNK_NNZ", 700)  # about 3 rows of A^3 a chunk
    assert len(split_bound._chunks(np.full(300, 216.0), 700)) > 50
    true = true_diagonal(A)
    for threads in (1, 2, 3):
        lo, up = split_bounds(A, s, t, 3, threads=threads)
        np.testing.assert_array_equal(lo, whole[0])
        np.testing.assert_array_equal(up, whole[1])
        assert np.all(lo <= true) and np.all(true <= up)


def test_threads_cap_the_chunks_running_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    import autarky.solve.split_bound as split_bound
    from autarky.solve.parallel import _executor

    _executor(4)  # the shared pool has grown beyond what is asked for below
    monkeypatch.setattr(split_bound, "CHUNK_NNZ", 500)
    running, most, lock = [0], [0], threading.Lock()
    dots = split_bound._dots

    def counting(U: sp.csr_array, V: sp.csr_array) -> np.ndarray:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            return dots(U, V)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(split_bound, "_dots", counting)
    A = expander(300, 13, k=6)
    solver = LeontiefSolver(A)
    split_bounds(A, super_solution(A, solver), super_solution(A, solver, transposed=True), 3,
                 threads=2)
    assert 1 <= most[0] <= 2


def test_duplicate_entries_are_summed_before_they_are_squared() -> None:
    # [[0.3, 0.3], [0.3, 0.3]] with one entry stored as 0.15 + 0.15: L_ii = 1.75
    B = sp.csr_array((np.array([0.15, 0.15, 0.3, 0.3, 0.3]), (np.array([0, 0, 0, 1, 1]),
                                                              np.array([0, 0, 1, 0, 1]))), shape=(2, 2))
    s = np.linalg.solve(np.eye(2) - B.toarray(), np.ones(2)) * 1.001
    lo, up = split_bounds(B, s, s, 1)
    assert np.all(lo <= 1.75) and np.all(up >= 1.75)
    with pytest.raises(AutarkyError, match="certificate"):
        split_bounds(B, np.full(2, 0.5), s, 1)
    with pytest.raises(AutarkyError, match="non-negative"):
        split_bounds(-B, s, s, 1)


def test_work_counts_the_rows_a_hub_fills() -> None:
    # forming the rows of B^2 costs sum_k nnz(column k) nnz(row k) multiply-adds, each way
    A = expander(2000, 14, k=3)
    hub = A.tolil()
    hub[0, :] = 0.05
    hub[:, 0] = 0.05
    H = sp.csr_array(hub)
    H = sp.csr_array(H @ sp.diags_array(0.7 / np.asarray(H.sum(axis=0)).ravel()))
    for M in (A, H):
        rows, cols = np.diff(M.indptr), np.diff(sp.csc_array(M).indptr)
        exact2 = 2.0 * float(cols @ rows)  # the two directions cost the same at q = 2
        assert split_work(M, 2) == pytest.approx(exact2, rel=1e-12)
    assert split_work(H, 3) > 100 * split_work(A, 3)  # every row of H^2 is full


def test_without_a_column_certificate_the_split_bound_steps_aside(monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    from autarky.solve.inverse_diagonal import NoCertificateError

    real = inverse_diagonal.super_solution

    def rows_only(A: sp.csr_array, solver: LeontiefSolver, *, transposed: bool = False) -> np.ndarray:
        if transposed:
            raise NoCertificateError("no certificate of the column sums (test)")
        return real(A, solver)

    monkeypatch.setattr(inverse_diagonal, "super_solution", rows_only)
    A = expander(400, 15, k=6)
    d = _certified(A)
    assert "no split bound" in d.method and "probes" in d.method  # type: ignore[attr-defined]
    assert_certified(d, true_diagonal(A))


def test_the_report_says_when_criticality_is_certified_and_not_when_exact(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    from autarky.reliance.criticality import branch_criticality
    from autarky.report.reliance import reliance_section
    from autarky.testing import random_open_economy

    dense = random_open_economy(120, 3)  # one strong component, above the small-block route
    _certified_everywhere(monkeypatch)
    sparse = dense.replace(technology=sp.csr_array(dense.A))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        bound = branch_criticality(sparse).attrs["bound"]
        said = re.findall(r"by a rank-one update\.([^<]*)</p>", reliance_section(sparse))
    assert bound > 0 and said == [f" Certified bounds, not exact: each loss is within {bound:.2g} "
                                  f"relative of the true one (the diagonal of the Leontief inverse "
                                  f"is bounded, not solved for: low-rank/diagonal certified: bounded "
                                  f"(120 branches, split a=8))."]
    assert re.findall(r"by a rank-one update\.([^<]*)</p>", reliance_section(dense)) == [""]
