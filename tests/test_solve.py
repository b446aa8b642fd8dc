"""Numerical kernels of ``autarky.solve`` against textbook, closed-form and reference answers.

The 2x2 textbook economy (Miller & Blair 2009, section 2.3) solved by hand::

    I - A = [[ 0.85, -0.25],
             [-0.20,  0.95]]
    det(I - A) = 0.85 * 0.95 - (-0.25) * (-0.20) = 0.8075 - 0.05 = 0.7575

The inverse of a 2x2 matrix [[a, b], [c, d]] is 1/det * [[d, -b], [-c, a]] (the adjugate over the
determinant), so::

    L = 1 / 0.7575 * [[0.95, 0.25],
                      [0.20, 0.85]]
      = [[1.254125..., 0.330033...],
         [0.264026..., 1.122112...]]            (Miller & Blair: [[1.2541, 0.3300], [0.2640, 1.1221]])

    x = L y = 1 / 0.7575 * [0.95 * 600 + 0.25 * 1500, 0.20 * 600 + 0.85 * 1500]
            = [945 / 0.7575, 1395 / 0.7575] = [1247.5247..., 1841.5841...]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from autarky.solve import (
    LeontiefSolver,
    calc_A,
    calc_L,
    calc_x,
    calc_x_from_flows,
    calc_Z,
    productive_diagnosis,
    spectral_radius,
)
from autarky.solve.leontief import SingularSystemError

DET = 0.85 * 0.95 - 0.25 * 0.20  # 0.7575, see the module docstring
L_CLOSED = np.array([[0.95, 0.25], [0.20, 0.85]]) / DET
X_CLOSED = np.array([945.0, 1395.0]) / DET
L_TEXTBOOK = np.array([[1.2541, 0.3300], [0.2640, 1.1221]])  # Miller & Blair, table 2.3
X_TEXTBOOK = np.array([1247.52, 1841.58])


# ---------------------------------------------------------------------------- textbook
def test_textbook_gross_output(textbook_A, textbook_y):
    x = LeontiefSolver(textbook_A).solve(textbook_y)
    np.testing.assert_allclose(x, X_TEXTBOOK, atol=0.01)
    np.testing.assert_allclose(x, X_CLOSED, rtol=1e-12)


def test_calc_x_textbook(textbook_A, textbook_y):
    np.testing.assert_allclose(calc_x(textbook_A, textbook_y), X_TEXTBOOK, atol=0.01)


def test_calc_x_sums_final_demand_categories(textbook_A):
    # Two categories whose row sums are the textbook's y = [600, 1500].
    y = np.array([[400.0, 200.0], [1000.0, 500.0]])
    np.testing.assert_allclose(calc_x(textbook_A, y), X_CLOSED, rtol=1e-12)


def test_calc_L_textbook(textbook_A):
    L = calc_L(textbook_A)
    np.testing.assert_allclose(L, L_TEXTBOOK, atol=1e-4)
    # The closed form 1/det * adjugate, derived in the module docstring.
    np.testing.assert_allclose(L, L_CLOSED, rtol=1e-12)


def test_inverse_is_closed_form_2x2():
    # A second 2x2 case, [[0.1, 0.2], [0.3, 0.4]]: I - A = [[0.9, -0.2], [-0.3, 0.6]],
    # det = 0.54 - 0.06 = 0.48, L = 1/0.48 * [[0.6, 0.2], [0.3, 0.9]].
    A = np.array([[0.1, 0.2], [0.3, 0.4]])
    expected = np.array([[0.6, 0.2], [0.3, 0.9]]) / 0.48
    np.testing.assert_allclose(LeontiefSolver(A).inverse(), expected, rtol=1e-12)


def test_labelled_frames_keep_their_labels(textbook_A, textbook_y):
    ids = ["agriculture", "manufacturing"]
    A = pd.DataFrame(textbook_A, index=ids, columns=ids)
    x = calc_x(A, pd.Series(textbook_y, index=ids))
    assert list(x.index) == ids
    np.testing.assert_allclose(x.to_numpy(), X_CLOSED, rtol=1e-12)
    L = calc_L(A)
    assert list(L.index) == ids and list(L.columns) == ids
    np.testing.assert_allclose(L.to_numpy(), L_CLOSED, rtol=1e-12)


def test_flows_and_coefficients_by_hand():
    # Z = A diag(x) with x = [1000, 2000]:
    #   [[0.15 * 1000, 0.25 * 2000], [0.20 * 1000, 0.05 * 2000]] = [[150, 500], [200, 100]]
    A = np.array([[0.15, 0.25], [0.20, 0.05]])
    x = np.array([1000.0, 2000.0])
    Z = np.array([[150.0, 500.0], [200.0, 100.0]])
    np.testing.assert_allclose(calc_Z(A, x), Z, rtol=1e-15)
    np.testing.assert_allclose(calc_A(Z, x), A, rtol=1e-15)
    # x = Z 1 + y with y = x - Z 1 = [1000 - 650, 2000 - 300] = [350, 1700]
    np.testing.assert_allclose(calc_x_from_flows(Z, np.array([350.0, 1700.0])), x, rtol=1e-15)


def test_calc_A_gives_zero_column_for_zero_output():
    # A branch with no output and no inputs: its column of A is zero, not NaN.
    Z = np.array([[1.0, 0.0], [2.0, 0.0]])
    A = calc_A(Z, np.array([10.0, 0.0]))
    np.testing.assert_array_equal(A, [[0.1, 0.0], [0.2, 0.0]])


# ---------------------------------------------------------------------------- solvers
def sparse_technology(n: int, seed: int, per_column: float = 6.0) -> sp.csr_array:
    """Random sparse non-negative technology; each column sums to at most 0.9, so rho(A) < 1.

    Built here, independently of ``autarky.testing``: about ``per_column`` non-zeros per column,
    each column scaled to a random sum in [0.3, 0.9].
    """
    rng = np.random.default_rng(seed)
    M = sp.random_array((n, n), density=min(1.0, per_column / n), format="csc", rng=rng)
    colsum = np.asarray(M.sum(axis=0)).ravel()
    target = rng.uniform(0.3, 0.9, n)
    scale = np.divide(target, colsum, out=np.zeros(n), where=colsum > 0)
    return sp.csr_array(M @ sp.diags_array(scale))


@pytest.fixture(scope="module", params=[300, 2000], ids=["n300", "n2000"])
def system(request):
    """A random sparse system, right-hand sides, and reference answers from LAPACK.

    ``x = M^-1 y``, ``X = M^-1 Y`` and ``Z = M'^-1 Y`` with ``M = I - A`` dense, solved by
    ``numpy.linalg.solve``.
    """
    n = request.param
    A = sparse_technology(n, seed=n)
    M = np.eye(n) - A.toarray()
    rng = np.random.default_rng(n + 1)
    y = rng.uniform(0.0, 100.0, n)
    Y = rng.uniform(0.0, 100.0, (n, 3))
    return {"A": A, "y": y, "Y": Y, "x": np.linalg.solve(M, y), "X": np.linalg.solve(M, Y),
            "Z": np.linalg.solve(M.T, Y)}


METHODS = ["dense", "splu", "krylov"]


def _close(actual: np.ndarray, reference: np.ndarray) -> None:
    # (I - A) has column sums in [1 - 0.9, 1 + 0.9], so its 1-norm condition number is below
    # 1.9 / 0.1 = 19: every method must agree with LAPACK far below 1e-9.
    np.testing.assert_allclose(actual, reference, rtol=1e-9,
                               atol=1e-10 * float(np.abs(reference).max()))


@pytest.mark.parametrize("method", METHODS)
def test_solvers_agree_with_numpy(system, method):
    A, y = system["A"], system["y"]
    solver = LeontiefSolver(A, method=method)
    assert solver.method == method
    x = solver.solve(y)
    _close(x, system["x"])
    # The balance holds: x - A x = y.
    _close(x - A @ x, y)


@pytest.mark.parametrize("method", METHODS)
def test_solvers_multiple_right_hand_sides(system, method):
    Y = system["Y"]
    X = LeontiefSolver(system["A"], method=method).solve(Y)
    assert X.shape == Y.shape
    _close(X, system["X"])


@pytest.mark.parametrize("method", METHODS)
def test_solve_transposed_gives_multipliers(system, method):
    y, Y = system["y"], system["Y"]
    solver = LeontiefSolver(system["A"], method=method)
    c = Y[:, 0]
    z = solver.solve_transposed(c)
    _close(z, system["Z"][:, 0])
    # z' = c' L, so z' y = c' L y = c' x (the same number two ways).
    assert z @ y == pytest.approx(c @ system["x"], rel=1e-9)
    Z = solver.solve_transposed(Y)
    assert Z.shape == Y.shape
    _close(Z, system["Z"])


def test_methods_agree_with_each_other(system):
    answers = [LeontiefSolver(system["A"], method=m).solve(system["y"]) for m in METHODS]
    for other in answers[1:]:
        _close(other, answers[0])


def test_auto_method_follows_storage():
    A = sparse_technology(50, seed=3)
    assert LeontiefSolver(A).method == "splu"
    assert LeontiefSolver(A.toarray()).method == "dense"


def test_wrong_shapes_are_refused(textbook_A):
    with pytest.raises(ValueError, match="square"):
        LeontiefSolver(np.zeros((2, 3)))
    solver = LeontiefSolver(textbook_A)
    with pytest.raises(ValueError, match="rows"):
        solver.solve(np.ones(3))
    with pytest.raises(ValueError, match="rows"):
        solver.solve_transposed(np.ones(3))
    with pytest.raises(ValueError, match="method"):
        LeontiefSolver(textbook_A, method="cholesky")  # type: ignore[arg-type]


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
def test_singular_system_is_refused(sparse):
    # a_11 = 1: I - A = [[0]] has no inverse.
    A = sp.csr_array(np.array([[1.0]])) if sparse else np.array([[1.0]])
    with pytest.raises(SingularSystemError):
        LeontiefSolver(A)


def test_empty_system():
    solver = LeontiefSolver(np.zeros((0, 0)))
    assert solver.solve(np.zeros(0)).shape == (0,)
    assert solver.inverse().shape == (0, 0)


# ---------------------------------------------------------------------------- spectral
def test_spectral_radius_closed_forms():
    # [[0, b], [c, 0]] has eigenvalues +-sqrt(b c): sqrt(2 * 0.5) = 1, sqrt(0.9 * 0.4) = 0.6.
    assert spectral_radius(np.array([[0.0, 2.0], [0.5, 0.0]])) == pytest.approx(1.0, rel=1e-12)
    assert spectral_radius(np.array([[0.0, 0.9], [0.4, 0.0]])) == pytest.approx(0.6, rel=1e-12)
    # A triangular matrix's eigenvalues are its diagonal.
    T = np.array([[0.3, 0.7, 0.2], [0.0, 0.5, 0.9], [0.0, 0.0, 0.1]])
    assert spectral_radius(T) == pytest.approx(0.5, rel=1e-12)


def test_spectral_radius_large_sparse():
    # A diagonal matrix's spectral radius is its largest entry; n > 500 takes the sparse path.
    d = np.linspace(0.0, 0.5, 800)
    d[123] = 0.9
    assert spectral_radius(sp.diags_array(d).tocsr()) == pytest.approx(0.9, rel=1e-9)


def test_productive_diagnosis_names_the_failing_cycle():
    # Branch 0 feeds itself (0.3) and branch 1; branches 1 and 2 form a cycle with
    # a_12 a_21 = 0.9 * 0.9 = 0.81 > (1 - 0.1)(1 - 0.2) = 0.72: Hawkins-Simon fails there.
    # Branch 3 forms its own productive cycle with branch 4 (0.5 * 0.5 = 0.25 < 1).
    A = np.zeros((5, 5))
    A[0, 0], A[0, 1] = 0.3, 0.1
    A[1, 1], A[1, 2], A[2, 1], A[2, 2] = 0.1, 0.9, 0.9, 0.2
    A[3, 4], A[4, 3] = 0.5, 0.5
    d = productive_diagnosis(A)
    assert d.productive is False
    assert d.components == ((1, 2),)
    # Spectral radius of [[0.1, 0.9], [0.9, 0.2]]: (tr + sqrt(tr^2 - 4 det)) / 2 with
    # tr = 0.3, det = 0.02 - 0.81 = -0.79, so (0.3 + sqrt(3.25)) / 2.
    rho = (0.3 + np.sqrt(3.25)) / 2
    assert d.component_radii[0] == pytest.approx(rho, rel=1e-12)
    assert d.spectral_radius == pytest.approx(rho, rel=1e-12)


def test_productive_diagnosis_accepts_textbook(textbook_A):
    d = productive_diagnosis(textbook_A)
    assert d.productive is True
    assert d.components == ()


def test_productive_diagnosis_refuses_negative_entries():
    with pytest.raises(ValueError, match="negative"):
        productive_diagnosis(np.array([[0.1, -0.1], [0.0, 0.1]]))
