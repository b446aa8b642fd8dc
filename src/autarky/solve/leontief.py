"""Leontief solves by factorization, reused across right-hand sides.

The Leontief inverse ``L = (I - A)^-1`` is never formed unless asked for: :class:`LeontiefSolver`
factorizes ``I - A`` once (dense LU, sparse LU) or, for the largest sparse systems, runs a
Jacobi-preconditioned Krylov method (GMRES), and then solves for any number of right-hand sides. A row of
multipliers ``c' L`` is one transposed solve.

The ``calc_*`` functions are pure, in the style of pymrio: they take numpy arrays (or pandas
frames, whose labels they keep) and return new objects.
"""

from __future__ import annotations

import warnings
from typing import Any, Literal, TypeAlias, TypeVar

import numpy as np
import pandas as pd
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from autarky import checks
from autarky.errors import AutarkyError, BadValueError

Method = Literal["auto", "dense", "splu", "gmres"]
ArrayOrSparse: TypeAlias = "np.ndarray | sp.sparray | sp.spmatrix"
T = TypeVar("T", np.ndarray, pd.DataFrame)

#: Above this many branches, a sparse technology is solved iteratively instead of by sparse LU.
#: Sparse LU fills in badly on product-level networks (20 inputs per product: 0.56 s at n = 2,000,
#: 9 s at 5,000, 82 s at 10,000), while Jacobi-preconditioned GMRES needs a few dozen sparse products
#: (0.1 s at 100,000 and 2 s at 1,000,000); see bench/results/leontief.md.
SPLU_MAX_N = 500


class SingularSystemError(AutarkyError, ArithmeticError):
    """``I - A`` is singular (or numerically so); the economy has no unique balance."""


def to_dense(A: Any) -> np.ndarray:
    """A dense ``float`` copy-free view of a dense or sparse matrix."""
    if sp.issparse(A):
        return np.asarray(A.toarray(), dtype=float)
    return np.asarray(A, dtype=float)


def as_matrix(A: Any) -> Any:
    """``A`` as a float ndarray or a scipy.sparse matrix; an error naming ``A`` otherwise."""
    if sp.issparse(A):
        return A
    if isinstance(A, (pd.DataFrame, pd.Series)):
        A = A.to_numpy()
    return checks.floats("A", A)


def _identity_minus(A: ArrayOrSparse) -> ArrayOrSparse:
    n = A.shape[0]
    if sp.issparse(A):
        return sp.csc_array(sp.eye_array(n, format="csc") - sp.csc_array(A))
    return np.eye(n) - np.asarray(A, dtype=float)


class LeontiefSolver:
    """Solver for ``(I - A) x = y`` and ``(I - A)' z = c`` with one factorization.

    Parameters
    ----------
    A
        Square technology matrix, dense ``numpy`` or ``scipy.sparse``.
    method
        ``"dense"`` (LU, LAPACK ``getrf``), ``"splu"`` (SuperLU with COLAMD ordering),
        ``"gmres"`` (restarted GMRES, Jacobi-preconditioned), or ``"auto"``:
        dense for dense input, sparse LU for sparse input up to :data:`SPLU_MAX_N` branches,
        GMRES above.
    rtol
        Relative residual tolerance of the iterative method.
    overwrite_a
        Factorize over ``A`` itself (dense method; ``A`` a writeable, Fortran-ordered float64
        array the caller no longer needs): no ``n x n`` copy, for the largest tables.

    Examples
    --------
    Miller & Blair (2009), section 2.3, the two-sector example:

    >>> A = np.array([[0.15, 0.25], [0.20, 0.05]])
    >>> s = LeontiefSolver(A)
    >>> np.round(s.solve(np.array([600.0, 1500.0])), 2)
    array([1247.52, 1841.58])
    >>> np.round(s.inverse(), 4)
    array([[1.2541, 0.33  ],
           [0.264 , 1.1221]])
    """

    def __init__(self, A: ArrayOrSparse, method: Method = "auto", rtol: float = 1e-12,
                 overwrite_a: bool = False) -> None:
        A = as_matrix(A)
        if A.ndim != 2 or A.shape[0] != A.shape[1]:
            raise BadValueError(f"A must be square, got shape {A.shape}")
        if method not in ("auto", "dense", "splu", "gmres"):
            raise BadValueError(f"unknown method {method!r}; expected auto, dense, splu or gmres")
        finite = A.data if sp.issparse(A) else A
        if not np.all(np.isfinite(finite)):
            raise BadValueError("A must be finite numbers (no NaN or infinity)")
        self.n: int = int(A.shape[0])
        self.rtol = rtol
        if method == "auto":
            sparse_method: Method = "splu" if self.n <= SPLU_MAX_N else "gmres"
            method = sparse_method if sp.issparse(A) else "dense"
        self.method: Method = method
        if method == "dense":
            # one n x n allocation: I - A built in place and factorized over itself (over ``A``
            # itself where the caller gives it up: a writeable Fortran-ordered float array)
            own = (overwrite_a and isinstance(A, np.ndarray) and A.dtype == np.float64
                   and A.flags.f_contiguous and A.flags.writeable)
            dense = A if own else np.array(to_dense(A), dtype=float, order="F")
            np.negative(dense, out=dense)
            dense.flat[:: self.n + 1] += 1.0
            if self.n == 0:
                self._lu = None
            else:
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore", sla.LinAlgWarning)
                    lu, piv = sla.lu_factor(dense, overwrite_a=True, check_finite=True)
                if not np.all(np.isfinite(lu)) or np.any(np.diag(lu) == 0.0):
                    raise SingularSystemError("I - A is singular")
                self._lu = (lu, piv)
            return
        M = _identity_minus(A)
        if method == "splu":
            try:
                self._splu = spla.splu(sp.csc_matrix(M))
            except RuntimeError as exc:  # "Factor is exactly singular"
                raise SingularSystemError("I - A is singular") from exc
        elif method == "gmres":
            self._M = sp.csr_array(M)
            self._MT = sp.csr_array(M.T)
            diag = self._M.diagonal()
            if np.any(diag <= 0):
                raise SingularSystemError("I - A has a non-positive diagonal (a_ii >= 1)")
            # Jacobi preconditioner: I - A is an M-matrix when A is productive, so GMRES on the
            # diagonally scaled system converges at a rate set by the spectral radius.
            self._pre = spla.LinearOperator(M.shape, lambda v: v / diag)
            self._preT = self._pre
        else:
            raise BadValueError(f"unknown method {method!r}")

    def _gmres(self, M: sp.csr_array, pre: spla.LinearOperator, b: np.ndarray) -> np.ndarray:
        if b.ndim == 2:
            return np.column_stack([self._gmres(M, pre, b[:, k]) for k in range(b.shape[1])])
        x, info = spla.gmres(M, b, M=pre, rtol=self.rtol, atol=0.0, restart=50, maxiter=1000)
        if info != 0:
            raise SingularSystemError(f"GMRES did not converge (info={info})")
        return np.asarray(x)

    def solve(self, y: np.ndarray) -> np.ndarray:
        """Return ``x`` with ``(I - A) x = y``; ``y`` is a vector or an ``n x k`` matrix."""
        y = checks.floats("the right-hand side", y)
        if y.ndim == 0 or y.shape[0] != self.n:
            raise BadValueError(f"right-hand side has {y.shape[0]} rows, expected {self.n}")
        if self.n == 0:
            return y.copy()
        if self.method == "dense":
            return np.asarray(sla.lu_solve(self._lu, y))
        if self.method == "splu":
            return np.asarray(self._splu.solve(y))
        return self._gmres(self._M, self._pre, y)

    def solve_transposed(self, c: np.ndarray) -> np.ndarray:
        """Return ``z`` with ``(I - A)' z = c``, that is ``z' = c' L`` (multipliers)."""
        c = checks.floats("the right-hand side", c)
        if c.ndim == 0 or c.shape[0] != self.n:
            raise BadValueError(f"right-hand side has {c.shape[0]} rows, expected {self.n}")
        if self.n == 0:
            return c.copy()
        if self.method == "dense":
            return np.asarray(sla.lu_solve(self._lu, c, trans=1))
        if self.method == "splu":
            return np.asarray(self._splu.solve(c, trans="T"))
        return self._gmres(self._MT, self._preT, c)

    def inverse(self) -> np.ndarray:
        """The Leontief inverse ``L = (I - A)^-1`` as a dense array (``n`` solves; ``O(n^2)`` memory)."""
        return self.solve(np.eye(self.n))


def _values(M: np.ndarray | pd.DataFrame | pd.Series, name: str = "the argument") -> np.ndarray:
    return checks.floats(name, M.to_numpy() if isinstance(M, (pd.DataFrame, pd.Series)) else M)


def _check_columns(M: np.ndarray, x: np.ndarray, m_name: str, x_name: str) -> None:
    """``M`` a matrix and ``x`` one entry per column of it."""
    if M.ndim != 2:
        raise BadValueError(f"{m_name} must be a matrix, got shape {M.shape}")
    if x.shape != (M.shape[1],):
        raise BadValueError(f"{x_name} must have one entry per column of {m_name} "
                            f"({M.shape[1]}), got shape {x.shape}")


def calc_A(Z: T, x: np.ndarray | pd.Series) -> T:
    """Input coefficients ``A = Z diag(x)^-1``; columns with zero output get zero coefficients.

    Examples
    --------
    >>> Z = np.array([[150.0, 500.0], [200.0, 100.0]])
    >>> calc_A(Z, np.array([1000.0, 2000.0]))
    array([[0.15, 0.25],
           [0.2 , 0.05]])
    """
    xv, Zv = _values(x, "x"), _values(Z, "Z")
    _check_columns(Zv, xv, "Z", "x")
    inv = np.divide(1.0, xv, out=np.zeros_like(xv), where=xv != 0)
    A = Zv * inv[np.newaxis, :]
    if isinstance(Z, pd.DataFrame):
        return pd.DataFrame(A, index=Z.index, columns=Z.columns)
    return A


def calc_Z(A: T, x: np.ndarray | pd.Series) -> T:
    """Flows ``Z = A diag(x)``.

    Examples
    --------
    >>> calc_Z(np.array([[0.15, 0.25], [0.2, 0.05]]), np.array([1000.0, 2000.0]))
    array([[150., 500.],
           [200., 100.]])
    """
    Av, xv = _values(A, "A"), _values(x, "x")
    _check_columns(Av, xv, "A", "x")
    Z = Av * xv[np.newaxis, :]
    if isinstance(A, pd.DataFrame):
        return pd.DataFrame(Z, index=A.index, columns=A.columns)
    return Z


def calc_x_from_flows(Z: np.ndarray | pd.DataFrame, y: np.ndarray | pd.Series) -> np.ndarray:
    """Gross output as row sums of flows plus final demand, ``x = Z 1 + y``.

    Examples
    --------
    >>> calc_x_from_flows(np.array([[150.0, 500.0], [200.0, 100.0]]), np.array([350.0, 1700.0]))
    array([1000., 2000.])
    """
    yv, Zv = _values(y, "y"), _values(Z, "Z")
    if yv.ndim == 2:
        yv = yv.sum(axis=1)
    if Zv.ndim != 2 or yv.shape != (Zv.shape[0],):
        raise BadValueError(f"y must have one entry per row of Z ({Zv.shape[0] if Zv.ndim else 0}"
                            f"), got shape {yv.shape}")
    return np.asarray(Zv.sum(axis=1) + yv)


def calc_x(A: Any, y: Any, method: Method = "auto") -> Any:
    """Gross output ``x`` solving ``(I - A) x = y`` by one factorization (no inverse).

    A final-demand matrix (one column per category) is summed over its columns first.

    Examples
    --------
    >>> A = np.array([[0.15, 0.25], [0.2, 0.05]])
    >>> np.round(calc_x(A, np.array([600.0, 1500.0])), 2)
    array([1247.52, 1841.58])
    """
    if isinstance(A, pd.DataFrame):
        yv = _values(y)
        if yv.ndim == 2:
            yv = yv.sum(axis=1)
        return pd.Series(LeontiefSolver(_values(A), method).solve(yv), index=A.index, name="x")
    yv = checks.floats("y", y)
    if yv.ndim == 2:
        yv = yv.sum(axis=1)
    return LeontiefSolver(A, method).solve(yv)


def calc_L(A: Any) -> Any:
    """The Leontief inverse ``(I - A)^-1``, formed explicitly: for users who ask for it.

    Prefer :class:`LeontiefSolver` (or :func:`calc_x`) to solve for outputs.

    Examples
    --------
    >>> np.round(calc_L(np.array([[0.15, 0.25], [0.2, 0.05]])), 4)
    array([[1.2541, 0.33  ],
           [0.264 , 1.1221]])
    """
    if isinstance(A, pd.DataFrame):
        L = LeontiefSolver(_values(A)).inverse()
        return pd.DataFrame(L, index=A.index, columns=A.columns)
    return LeontiefSolver(A).inverse()
