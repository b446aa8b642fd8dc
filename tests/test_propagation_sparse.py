"""``propagate`` on a sparse technology: stocks kept on the non-zeros of ``A``.

The sparse path (a scipy.sparse ``A``; :class:`autarky.solve.supply_network.SparsePairs`) must
give the dense path's answers, every result field in every week, for every production function
and rationing scheme, with imported inputs, pooled imports, households and per-pair settings;
it must never form an ``n x n`` array. The dense path is the reference here: it is checked
against hand-worked cases and against Pichler et al.'s model in ``test_propagation.py`` and
``test_propagation_pichler.py``.

Hand-solved case T3 (a tier shared by a branch and final demand)
----------------------------------------------------------------
Branch 0 supplies branches 1 and 2 and final demand: ``a_01 = 0.5``, ``a_02 = 0.25``,
``x0 = (20, 10, 8)``, ``f0 = (13, 10, 8)`` (``0.5*10 + 0.25*8 + 13 = 20``); 7 days of stock, so
``S*_01 = 5`` and ``S*_02 = 2``. Ranks ``priority = [5, 1, 0, 1]``: branch 2 first, then branch 1
and final demand together (one tier, shared proportionally). Branch 0's capacity is halved in
week 0; ``gamma = 0.5``.

* Week 0: orders ``O_01 = 5``, ``O_02 = 2``, final demand 13, ``d_0 = 20``; ``x_0 = 10``,
  ``x_1 = min(10, 5/0.5) = 10``, ``x_2 = min(8, 2/0.25) = 8``. Branch 2 gets its 2; the 8 left go to
  the tier ``{5, 13}`` at ``8/18 = 4/9``: branch 1 gets ``20/9``, final demand ``52/9``.
  ``S_01(1) = 5 + 20/9 - 5 = 20/9``, ``S_02(1) = 2``.
* Week 1: ``O_01 = 0.5*10 + 0.5*(5 - 20/9) = 115/18``, ``O_02 = 2``,
  ``d_0 = 115/18 + 2 + 13 = 385/18``; ``x_0 = 20`` (capacity), ``x_1 = (20/9)/0.5 = 40/9``,
  ``x_2 = 8``. Branch 2 gets 2; the 18 left go to the tier ``{115/18, 13}``, total ``349/18``, at
  ``324/349``: branch 1 gets ``2070/349``, final demand ``4212/349``. Product 1's final demand gets
  all of ``x_1 = 40/9``. ``S_01(2) = 20/9 + 2070/349 - 0.5*40/9 = 2070/349``.
"""

from __future__ import annotations

import tracemalloc
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import autarky.reliance.stress as stress_module
from autarky import Economy
from autarky.errors import BadValueError
from autarky.reliance.criticality import partner_criticality
from autarky.reliance.stress import stress
from autarky.solve import supply_network
from autarky.solve.production import PRODUCTIONS, Households
from autarky.solve.propagation import SCHEMES, PropagationResult, Shock, propagate
from autarky.solve.supply_network import SparsePairs, _ahead

FIELDS = ("output", "demand", "final_demand", "final_delivered", "imports_delivered", "baseline",
          "total_loss")
RATED = ("strongly-critical", "half-critical", "weakly-critical")


def assert_same(sparse: PropagationResult, dense: PropagationResult, tol: float = 1e-12) -> None:
    """Every field, every week, to ``tol`` relative to the field's scale; stocks alike."""
    for name in FIELDS:
        s, d = getattr(sparse, name), getattr(dense, name)
        assert s.shape == d.shape, name
        scale = max(1.0, float(np.max(np.abs(d), initial=0.0)))
        np.testing.assert_allclose(s, d, rtol=tol, atol=tol * scale, err_msg=name)
    for name in ("inventory", "import_inventory"):
        s, d = getattr(sparse, name), getattr(dense, name)
        assert sp.issparse(s) and isinstance(d, np.ndarray), name
        scale = max(1.0, float(np.max(np.abs(d), initial=0.0)))
        np.testing.assert_allclose(s.toarray(), d, rtol=tol, atol=tol * scale, err_msg=name)
    assert sparse.recovery_week == dense.recovery_week
    assert sparse.served_week() == dense.served_week()
    assert sparse.weeks == dense.weeks and sparse.tol == dense.tol


def network(n: int, density: float, seed: int, *, imports: bool = False,
            pooled: bool = False) -> dict[str, Any]:
    """A random network with a branch without inputs (column 0), a product nobody uses (row 1),
    a product with no final demand (2) and a branch with no output at all (3: unused, no final
    demand), at a baseline ``x0 = A x0 + f0`` (``+ Am`` part or pooled imports)."""
    rng = np.random.default_rng(seed)
    A = rng.uniform(0.1, 1.0, (n, n)) * (rng.uniform(size=(n, n)) < density)
    A[:, 0] = 0.0
    A[[1, 3], :] = 0.0
    A *= rng.uniform(0.3, 0.7, n) / np.maximum(A.sum(axis=0), 1e-300)
    f0 = rng.uniform(1.0, 5.0, n)
    f0[[2, 3]] = 0.0
    x0 = np.linalg.solve(np.eye(n) - A, f0)
    x0[3] = 0.0
    out: dict[str, Any] = {"A": A, "x0": x0, "f0": f0, "rng": rng}
    if imports:
        Am = rng.uniform(0.0, 0.2, (n, n)) * (rng.uniform(size=(n, n)) < density)
        Am[:, 5] = 0.0
        Am[6, :] = 0.0
        out["Am"] = Am
    if pooled:
        m = rng.uniform(0.0, 2.0, n) * (rng.uniform(size=n) < 0.5)
        out["pooled_imports"] = m
        out["f0"] = f0 + m
    return out


def shock(n: int, weeks: int, rng: np.random.Generator) -> Shock:
    cap = np.ones((weeks, n))
    cap[1:6] = np.where(rng.uniform(size=n) < 0.3, rng.uniform(0.2, 0.8, n), 1.0)
    imp = np.ones((weeks, n))
    imp[2:8] = rng.uniform(0.0, 1.0, n)
    dem = np.ones((weeks, n))
    dem[0:4] = rng.uniform(0.7, 1.3, n)
    return Shock(capacity=cap, imports=imp, demand=dem)


def both(case: dict[str, Any], **kwargs: Any) -> tuple[PropagationResult, PropagationResult]:
    """The dense run and the sparse run (CSR ``A``, CSC ``Am``) of one case."""
    dense = {k: v for k, v in case.items() if k != "rng"}
    sparse = dict(dense, A=sp.csr_array(case["A"]))
    if "Am" in case:
        sparse["Am"] = sp.csc_array(case["Am"])
    return propagate(**sparse, **kwargs), propagate(**dense, **kwargs)


def settings(case: dict[str, Any], scheme: str, production: str) -> dict[str, Any]:
    n, rng = len(case["x0"]), case["rng"]
    kw: dict[str, Any] = {"scheme": scheme, "production": production,
                          "inventory_days": rng.uniform(7.0, 28.0, (n, n))}
    if scheme == "priority":
        kw["priority"] = rng.integers(0, 4, n + 1).astype(float)
    if production in RATED:
        kw["criticality"] = rng.choice([0.0, 0.5, 1.0], (n, n))
        if "Am" in case:
            kw["import_criticality"] = rng.choice([0.0, 0.5, 1.0], n)
    if "Am" in case:
        kw["import_inventory_days"] = rng.uniform(7.0, 21.0, n)
    return kw


# -- the sparse path against the dense path --------------------------------------------------------


@pytest.mark.parametrize("production", PRODUCTIONS)
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("seed", [0, 1])
def test_sparse_equals_dense_small(production: str, scheme: str, seed: int) -> None:
    case = network(14, 0.3, seed, imports=True)
    weeks = 26
    s, d = both(case, shock=shock(14, weeks, case["rng"]), weeks=weeks,
                **settings(case, scheme, production))
    assert np.any(d.output < d.baseline - 1e-9)  # the shock bites
    assert_same(s, d)


@pytest.mark.parametrize("pad", [10**6, 0], ids=["row-wise cumsum", "log-depth scan"])
def test_sparse_priority_both_prefix_sums(pad: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Priority rationing with the orders ahead added up row-wise and by the log-depth scan
    (chosen by ``PAD``), among 41 ranks with a product every branch uses."""
    monkeypatch.setattr(supply_network, "PAD", pad)
    made: list[bool] = []
    init = supply_network.SparseRationing.__init__

    def spy(self: Any, *args: Any) -> None:
        init(self, *args)
        made.append(getattr(self, "padded", None))

    monkeypatch.setattr(supply_network.SparseRationing, "__init__", spy)
    n, weeks = 40, 26
    case = network(n, 0.15, 4, imports=True)
    case["A"][7, 1:] = np.maximum(case["A"][7, 1:], 0.01)  # product 7: every branch's input
    case["x0"] = np.linalg.solve(np.eye(n) - case["A"], case["f0"])
    case["x0"][3] = 0.0
    case["rng"] = np.random.default_rng(9)
    kw = settings(case, "priority", "leontief")
    kw["priority"] = case["rng"].permutation(n + 1).astype(float)
    s, d = both(case, shock=shock(n, weeks, case["rng"]), weeks=weeks, **kw)
    assert made == [pad > 0, pad > 0]  # domestic and imported inputs, each in the chosen way
    assert np.any(d.final_delivered < d.final_demand - 1e-9)
    assert_same(s, d)


@pytest.mark.parametrize("production", PRODUCTIONS)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_sparse_equals_dense_pooled_imports_and_households(production: str, scheme: str) -> None:
    case = network(12, 0.35, 7, pooled=True)
    weeks = 20
    hh = Households(consumption=0.6 * case["f0"], rho=0.8, benefits=0.3,
                    permanent_income=np.linspace(0.9, 1.0, 10))
    s, d = both(case, shock=shock(12, weeks, case["rng"]), weeks=weeks, households=hh,
                capacity=case["x0"] * 1.05, gamma=0.3, **settings(case, scheme, production))
    assert_same(s, d)


@pytest.mark.parametrize(("scheme", "production"), [("proportional", "leontief"),
                                                    ("priority", "half-critical"),
                                                    ("industry-first", "linear")])
def test_sparse_equals_dense_medium(scheme: str, production: str) -> None:
    """n = 300 at 3 % density (about 9 inputs a branch), 52 weeks."""
    n, weeks = 300, 52
    case = network(n, 0.03, 11, imports=True)
    s, d = both(case, shock=shock(n, weeks, case["rng"]), weeks=weeks,
                **settings(case, scheme, production))
    assert np.any(d.output < d.baseline - 1e-9)
    assert_same(s, d)


def test_sparse_settings_equal_dense_settings() -> None:
    """Inventory days and criticality given as sparse matrices are read at A's non-zeros: entries
    off the pattern are ignored, a missing criticality entry is 0 (not critical)."""
    n, weeks = 20, 30
    case = network(n, 0.25, 3, imports=True)
    rng = case["rng"]
    A, Am = case["A"], case["Am"]
    off = rng.uniform(size=(n, n)) < 0.2
    days = np.where(A > 0, rng.uniform(7.0, 30.0, (n, n)), 0.0) + off * 99.0
    days_m = np.where(Am > 0, rng.uniform(7.0, 30.0, (n, n)), 0.0)
    crit = np.where(A > 0, rng.choice([0.0, 0.5, 1.0], (n, n)), 0.0)
    crit_m = np.where(Am > 0, rng.choice([0.0, 0.5, 1.0], (n, n)), 0.0)
    common = {"x0": case["x0"], "f0": case["f0"], "shock": shock(n, weeks, rng), "weeks": weeks,
              "production": "half-critical", "scheme": "industry-first"}
    dense = propagate(A, Am=Am, inventory_days=np.where(A > 0, days, 7.0),
                      import_inventory_days=np.where(Am > 0, days_m, 7.0), criticality=crit,
                      import_criticality=crit_m, **common)
    for conv in (sp.csr_array, sp.coo_array, sp.csc_matrix):
        s = propagate(sp.csr_array(A), Am=sp.csr_array(Am), inventory_days=conv(days),
                      import_inventory_days=conv(days_m), criticality=conv(crit),
                      import_criticality=conv(crit_m), **common)
        assert_same(s, dense)
    # dense settings beside a sparse A give the same again
    s = propagate(sp.csr_array(A), Am=Am, inventory_days=np.where(A > 0, days, 7.0),
                  import_inventory_days=np.where(Am > 0, days_m, 7.0), criticality=crit,
                  import_criticality=crit_m, **common)
    assert_same(s, dense)


def test_explicit_zeros_and_duplicates_in_sparse_A() -> None:
    """Stored zeros hold no stock (they are left out); duplicate entries add up, as scipy does."""
    case = network(10, 0.4, 5)
    A = case["A"]
    i, j = np.nonzero(A)
    zi, zj = np.nonzero(A == 0)
    half = A[i, j] / 2
    coo = sp.coo_array((np.r_[half, half, np.zeros(5)], (np.r_[i, i, zi[:5]], np.r_[j, j, zj[:5]])),
                       shape=A.shape)
    kw = {"x0": case["x0"], "f0": case["f0"], "shock": shock(10, 15, case["rng"]), "weeks": 15,
          "inventory_days": 10.0}
    s, d = propagate(coo, **kw), propagate(A, **kw)
    assert_same(s, d, tol=1e-12)
    assert s.inventory.nnz == np.count_nonzero(A)
    assert coo.nnz == 2 * i.size + 5  # the caller's matrix is left as it was


def test_no_shock_stays_at_baseline_sparse() -> None:
    case = network(50, 0.1, 2, imports=True)
    x0, Am = case["x0"], case["Am"]
    res = propagate(sp.csr_array(case["A"]), x0, case["f0"], Am=sp.csr_array(Am), weeks=10,
                    scheme="priority", priority=np.arange(51.0))
    np.testing.assert_allclose(res.output, np.tile(x0, (10, 1)), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(res.inventory.toarray(), 14 / 7 * case["A"] * x0, rtol=1e-12)
    np.testing.assert_allclose(res.import_inventory.toarray(), 14 / 7 * Am * x0, rtol=1e-12)
    np.testing.assert_allclose(res.imports_delivered, np.tile(Am @ x0, (10, 1)), rtol=1e-12)
    assert res.recovery_week == 0


# -- hand-solved cases on the sparse path ----------------------------------------------------------


def t3_run(A: Any, weeks: int = 2) -> PropagationResult:
    return propagate(A, np.array([20.0, 10.0, 8.0]), np.array([13.0, 10.0, 8.0]),
                     shock=Shock.constant(3, weeks, capacity=[0.5, 1.0, 1.0], start=0, end=1),
                     weeks=weeks, inventory_days=7.0, scheme="priority", priority=[5, 1, 0, 1])


@pytest.mark.parametrize("layout", [np.asarray, sp.csr_array, sp.csc_array])
def test_hand_solved_shared_tier(layout: Any) -> None:
    """T3 (module docstring): a branch and final demand share the second tier of product 0."""
    A = np.zeros((3, 3))
    A[0, 1], A[0, 2] = 0.5, 0.25
    res = t3_run(layout(A))
    np.testing.assert_allclose(res.output, [[10, 10, 8], [20, 40 / 9, 8]], rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.demand[:, 0], [20, 385 / 18], rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.final_delivered, [[52 / 9, 10, 8], [4212 / 349, 40 / 9, 8]],
                               rtol=0, atol=1e-12)
    inv = res.inventory.toarray() if sp.issparse(res.inventory) else res.inventory
    np.testing.assert_allclose(inv, [[0, 2070 / 349, 2], [0, 0, 0], [0, 0, 0]], rtol=0, atol=1e-12)


@pytest.mark.parametrize(("scheme", "priority", "loss", "week"),
                         [("proportional", None, [5 + 6 / 11 * (1 - 2.0 ** -10), 4, 4], 4),
                          ("industry-first", None, [5, 0, 0], 1),
                          ("priority", [0, 2, 0, 1], [5, 8, 0], 2)])
def test_hand_solved_n3_sparse(scheme: str, priority: Any, loss: list[float], week: int) -> None:
    """N3 of ``test_propagation.py`` (hand-worked there) with the technology sparse."""
    A = sp.csr_array(([0.375, 0.125], ([0, 0], [1, 2])), shape=(3, 3))
    res = propagate(A, np.array([10.0, 8.0, 8.0]), np.array([6.0, 8.0, 8.0]),
                    shock=Shock.constant(3, 12, capacity=[0.5, 1.0, 1.0], start=0, end=1),
                    weeks=12, inventory_days=7, scheme=scheme, priority=priority)
    np.testing.assert_allclose(res.total_loss, loss, rtol=0, atol=1e-12)
    assert res.recovery_week == week


def test_hand_solved_m2_sparse() -> None:
    """M2 of ``test_propagation.py``: the import cut, A and Am sparse."""
    A = sp.csr_array(([0.5], ([0], [1])), shape=(2, 2))
    Am = sp.csr_array(([0.25], ([1], [0])), shape=(2, 2))
    res = propagate(A, np.array([10.0, 10.0]), np.array([5.0, 10.0]), Am=Am,
                    shock=Shock.constant(2, 20, imports=[1.0, 0.0], start=0, end=4), weeks=20,
                    inventory_days=7, import_inventory_days=14)
    np.testing.assert_allclose(res.output[:6, 0], [10, 10, 0, 0, 0, 10], rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.total_loss, [31 - 2.0 ** -14, 30], rtol=0, atol=1e-12)
    assert res.recovery_week == 9


def test_segmented_prefix_sums() -> None:
    """Exclusive sums within segments, against a loop; a segment never sees another's entries."""
    rng = np.random.default_rng(0)
    seg = np.sort(rng.integers(0, 40, 300))
    gt = rng.uniform(size=300) * 10.0 ** rng.integers(-6, 6, 300)
    low = np.searchsorted(seg, seg, side="left")
    want = np.array([gt[low[g]:g].sum() for g in range(300)])
    got = _ahead(gt, low, int(np.max(np.arange(300) - low)) + 1)
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)


# -- errors ----------------------------------------------------------------------------------------


def test_sparse_errors_name_the_pair() -> None:
    A = sp.csr_array(([0.2, 0.3], ([0, 2], [1, 0])), shape=(3, 3))
    x0, f0 = np.ones(3), np.ones(3)
    days = sp.csr_array(([10.0], ([0], [1])), shape=(3, 3))  # no entry for pair (2, 0): 0 days
    with pytest.raises(BadValueError, match="input 2 of branch 0 has 0"):
        propagate(A, x0, f0, inventory_days=days)
    with pytest.raises(BadValueError, match="input 0 of branch 1 has 5"):
        propagate(A, x0, f0, inventory_days=np.array([5.0, 9.0, 9.0]))
    with pytest.raises(BadValueError, match="non-negative"):
        propagate(sp.csr_array(([-0.2], ([0], [1])), shape=(3, 3)), x0, f0)
    with pytest.raises(BadValueError, match="finite"):
        propagate(sp.csr_array(([np.nan], ([0], [1])), shape=(3, 3)), x0, f0)
    with pytest.raises(BadValueError, match="square"):
        propagate(sp.csr_array((3, 4)), x0, f0)
    with pytest.raises(BadValueError, match=r"\(3, 3\)"):
        propagate(A, x0, f0, Am=sp.csr_array((2, 2)))
    with pytest.raises(BadValueError, match=r"input 2 of branch 0 has 0\.3"):
        propagate(A, x0, f0, production="weakly-critical",
                  criticality=sp.csr_array(([0.3], ([2], [0])), shape=(3, 3)))
    with pytest.raises(BadValueError, match="non-negative"):
        propagate(A, x0, f0, inventory_days=sp.csr_array(([-1.0], ([1], [1])), shape=(3, 3)))


def test_sparse_and_dense_errors_agree() -> None:
    """The same bad setting gets the same message on either path."""
    A = np.zeros((4, 4))
    A[0, 1], A[3, 1], A[2, 3] = 0.1, 0.2, 0.3
    days = np.full((4, 4), 3.0)
    crit = np.full((4, 4), 0.7)
    for kw in ({"inventory_days": days}, {"production": "strongly-critical", "criticality": crit}):
        msgs = []
        for layout in (np.asarray, sp.csr_array):
            with pytest.raises(BadValueError) as err:
                propagate(layout(A), np.ones(4), np.ones(4), **kw)
            msgs.append(str(err.value))
        assert msgs[0] == msgs[1] and "input 0 of branch 1" in msgs[0]


# -- the callers hand a sparse technology through -------------------------------------------------


def stress_economy(A: Any) -> Economy:
    fd = pd.DataFrame({"consumption": [100.0, 50.0, 20.0]}, index=["a", "b", "c"])
    shares = pd.DataFrame({"a": [0.3, 0.1], "b": [0.0, 0.2], "c": [0.1, 0.0]}, index=["p", "q"])
    return Economy.from_coefficients(
        A, fd, branches=["a", "b", "c"], units="USD million", import_shares=shares,
        partners=pd.DataFrame({"name": ["P", "Q"]}, index=["p", "q"]),
        exports={"p": {"a": 10.0}}, factor_coefficients=[[0.5, 0.8, 0.3]],
        factors=pd.DataFrame({"unit": ["workers"], "availability": [150.0]}, index=["labour"]))


def test_stress_and_partner_criticality_pass_the_sparse_technology() -> None:
    """``stress`` and ``partner_criticality(propagate=True)`` on a sparse economy hand its
    sparse ``A`` to ``propagate`` (no dense copy) and get the dense economy's answers."""
    A = np.array([[0.2, 0.3, 0.0], [0.1, 0.1, 0.0], [0.0, 0.2, 0.1]])
    seen: list[bool] = []

    def spy(A: Any, *args: Any, **kwargs: Any) -> PropagationResult:
        seen.append(sp.issparse(A))
        return propagate(A, *args, **kwargs)

    with mock.patch.object(stress_module, "propagate", spy):
        dense = stress(stress_economy(A), "partner:p", weeks=12, duration=4)
        sparse = stress(stress_economy(sp.csr_array(A)), "partner:p", weeks=12, duration=4)
        crit_d = partner_criticality(stress_economy(A), propagate=True, weeks=8)
        crit_s = partner_criticality(stress_economy(sp.csr_array(A)), propagate=True, weeks=8)
    assert seen == [False, True, False, False, True, True]
    assert dense.propagation is not None and sparse.propagation is not None
    assert np.any(dense.propagation.output < dense.propagation.baseline - 1e-9)
    assert_same(sparse.propagation, dense.propagation)
    np.testing.assert_allclose(crit_s["propagated_loss"], crit_d["propagated_loss"], rtol=1e-12,
                               atol=1e-12)


# -- memory ----------------------------------------------------------------------------------------


def test_sparse_path_never_allocates_n_by_n() -> None:
    """n = 20,000 (a dense n x n float array would be 3.2 GB) with every per-pair feature:
    imported inputs, per-pair inventory days and criticality as sparse matrices, priority
    rationing among many ranks, the half-critical production function. The peak of numpy's
    allocations stays linear in nnz, far below one n x n array."""
    n, k, weeks = 20_000, 5, 3
    rng = np.random.default_rng(1)
    rows, cols = rng.integers(0, n, n * k), np.repeat(np.arange(n), k)
    A = sp.csr_array((rng.uniform(0.02, 0.1, n * k), (rows, cols)), shape=(n, n))
    Am = sp.csr_array((rng.uniform(0.0, 0.05, n), (rng.integers(0, n, n), np.arange(n))),
                      shape=(n, n))
    x0 = np.full(n, 10.0)
    f0 = np.maximum(x0 - A @ x0, 0.0)
    net = SparsePairs(A)
    days = sp.csc_array((rng.uniform(7, 30, net.nnz), net.rows, net.indptr), shape=(n, n))
    crit = sp.csc_array((rng.choice([0.0, 0.5, 1.0], net.nnz), net.rows, net.indptr), shape=(n, n))
    cap = np.ones((weeks, n))
    cap[0, : n // 10] = 0.3
    dense_bytes = 8 * n * n
    tracemalloc.start()
    try:
        res = propagate(A, x0, f0, Am=Am, shock=Shock(capacity=cap), weeks=weeks,
                        inventory_days=days, import_inventory_days=14.0, scheme="priority",
                        priority=rng.integers(0, 50, n + 1), production="half-critical",
                        criticality=crit, import_criticality=1.0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert res.output.shape == (weeks, n) and sp.issparse(res.inventory)
    assert np.any(res.output < x0 - 1e-9)
    assert peak < dense_bytes / 50, f"peak {peak / 2**20:.0f} MiB"
    assert peak < 400 * (net.nnz + n), f"peak {peak / 2**20:.0f} MiB: not linear in nnz"
