"""Leontief solves, by the method the structure of the technology calls for.

The Leontief inverse ``L = (I - A)^-1`` is never formed unless asked for: :class:`LeontiefSolver`
factorizes ``I - A`` once (dense LU, sparse LU) where that is cheap, and otherwise runs
Jacobi-preconditioned GMRES with all right-hand sides of a call in lockstep
(:mod:`autarky.solve.krylov`: each step one pass over ``A``), checking the true residual of every
answer and falling back to the LU where GMRES does not reach it. A row of multipliers ``c' L`` is
one transposed solve; :attr:`LeontiefSolver.history` says how each solve was answered.

The ``calc_*`` functions are pure, in the style of pymrio: they take numpy arrays (or pandas
frames, whose labels they keep) and return new objects.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from dataclasses import replace as dc_replace
from typing import Any, Literal, TypeAlias, TypeVar

import numpy as np
import pandas as pd
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from autarky import checks
from autarky.errors import AutarkyError, BadValueError
from autarky.solve.krylov import KrylovResult, basis_size, block_gmres
from autarky.solve.parallel import RowBlocks, TransposedBlocks

Method = Literal["auto", "dense", "splu", "krylov", "gmres"]
ArrayOrSparse: TypeAlias = "np.ndarray | sp.sparray | sp.spmatrix"
T = TypeVar("T", np.ndarray, pd.DataFrame)

#: Up to this many branches a sparse technology is factorized by sparse LU; above it, solved by
#: GMRES (:mod:`autarky.solve.krylov`). Sparse LU fills in badly on product-level networks whose
#: inputs come from anywhere (20 inputs per product: 0.56 s at n = 2,000, 9 s at 5,000, 82 s at
#: 10,000), while GMRES needs a few dozen passes over the non-zeros; see bench/results/leontief.md.
SPLU_MAX_N = 500

#: From this many branches a dense technology is solved by GMRES with many right-hand sides at
#: once (each step one pass over ``A``) instead of being factorized (``2/3 n^3`` flops): at
#: n = 9,800 one LU is about 40 s on two cores, a dozen GMRES solves about 2 s. Below it the LU is
#: cheap and kept.
DENSE_KRYLOV_MIN_N = 2000

#: Bytes of right-hand sides one sparse product gathers from at once (about the share of the
#: cache a core can count on); wider blocks are taken in column chunks.
SPARSE_BLOCK_BYTES = 2 * 2**20

#: Non-zeros of a sparse ``A`` up to which the transposed solves keep a row-compressed copy of
#: ``A'`` (faster products, one more copy of the non-zeros: 1.2 GB here); beyond, they scatter
#: through ``A`` itself. Measured on two cores (bench/results/indicators_scale.md): at
#: 2 * 10^8 non-zeros the copy costs 6.7 s and 2.4 GB and saves 0.22 s a product (about 110
#: products in the indicator set), so the scatters cost about 8 % more time for 2.4 GB less.
TRANSPOSE_COPY_MAX_NNZ = 100_000_000

#: GMRES steps per right-hand side assumed before any solve has been measured.
_ITERATIONS_GUESS = 12


class SingularSystemError(AutarkyError, ArithmeticError):
    """``I - A`` is singular (or numerically so); the economy has no unique balance."""


@dataclass(frozen=True)
class SolveRecord:
    """How one call of :meth:`LeontiefSolver.solve` (or ``solve_transposed``) was answered.

    Attributes
    ----------
    transposed
        ``True`` for ``(I - A)' z = c``.
    columns
        Right-hand sides solved.
    method
        ``"dense LU"``, ``"sparse LU"`` or ``"krylov"`` (GMRES); a fallback reads e.g.
        ``"krylov -> dense LU"``.
    iterations
        Largest number of GMRES steps of any column (0 for a direct solve).
    passes
        Products with ``I - A`` made (each one pass over ``A``), 0 for a direct solve.
    residual
        Largest true relative residual ``||b - M x|| / ||b||`` of the GMRES columns (``nan``
        for a direct solve, which is backward stable).
    note
        Why a fallback was taken, if one was.
    seconds
        Wall-clock time of the call (factorization included, where it made one).
    """

    transposed: bool
    columns: int
    method: str
    iterations: int = 0
    passes: int = 0
    residual: float = float("nan")
    note: str = ""
    seconds: float = float("nan")


def to_dense(A: Any) -> np.ndarray:
    """A dense ``float`` copy-free view of a dense or sparse matrix."""
    if sp.issparse(A):
        return np.asarray(A.toarray(), dtype=float)
    try:
        return np.asarray(A, dtype=float)
    except OverflowError:  # a Python integer beyond the float range
        raise BadValueError("A must be finite numbers, got a number beyond the float "
                            "range") from None


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


def _scaling(name: str, value: Any, n: int) -> np.ndarray | None:
    """A diagonal scaling of the technology: ``None``, or ``n`` finite numbers."""
    if value is None:
        return None
    v = checks.floats(name, value)
    if v.shape != (n,):
        raise BadValueError(f"{name} must have one entry per row of A ({n}), got shape {v.shape}")
    return v


class LeontiefSolver:
    """Solver for ``(I - A) x = y`` and ``(I - A)' z = c``, chosen by the structure of ``A``.

    Parameters
    ----------
    A
        Square technology matrix, dense ``numpy`` or ``scipy.sparse``.
    method
        ``"dense"`` (LU, LAPACK ``getrf``), ``"splu"`` (SuperLU with COLAMD ordering),
        ``"krylov"`` (restarted GMRES, Jacobi-preconditioned, all right-hand sides of a call in
        lockstep so each step is one pass over ``A``; ``"gmres"``, its older name, is the same
        and keeps that name in :attr:`method`), or ``"auto"``:

        * sparse ``A``: sparse LU up to :data:`SPLU_MAX_N` branches, GMRES above;
        * dense ``A``: LU below :data:`DENSE_KRYLOV_MIN_N` branches; above it GMRES while the
          passes over ``A`` it makes (measured, counted across calls) cost less than one LU, the LU
          from then on (many right-hand sides at once, e.g. a block of unit vectors, go straight
          to it);
        * GMRES whose true residual does not reach ``rtol`` falls back to the LU (dense, or
          sparse LU), and says so in :attr:`history`.
    rtol
        Relative residual ``||y - (I - A) x||_2 / ||y||_2`` GMRES must reach, per column.
    overwrite_a
        Factorize over ``A`` itself (dense LU; ``A`` a writeable, Fortran-ordered float64
        array the caller no longer needs): no ``n x n`` copy, for the largest tables.
    row_scale
        Solve for the technology ``diag(row_scale) A diag(col_scale)`` without forming it (the
        domestic technology ``diag(1 - s) A_c``): GMRES applies the scalings to its vectors, an
        LU to its copy.
    col_scale
        The column scaling of the same (coefficients from flows, ``Z diag(x)^-1``: see
        :meth:`from_flows`).
    threads
        Threads a product with a large sparse ``A`` is shared between (its rows split into
        blocks, the answer bit-identical to one thread's); ``None``:
        :func:`autarky.solve.parallel.num_threads` (the ``AUTARKY_NUM_THREADS`` environment
        variable, else ``OMP_NUM_THREADS``, else the CPUs this process may use). Pass ``1``
        where many solves already run side by side.
    check_finite
        Whether to check that ``A`` holds only finite numbers (one pass over it); ``False`` for
        a matrix the caller has already validated (as scipy's ``check_finite``).

    Attributes
    ----------
    method
        The strategy (``"auto"`` resolved to ``"dense"``, ``"splu"`` or ``"krylov"``).
    history
        One :class:`SolveRecord` per call (the last 100): which method answered, with how many
        passes and what residual.

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

    The same by GMRES, which says what it did:

    >>> g = LeontiefSolver(A, method="krylov")
    >>> np.round(g.solve(np.array([600.0, 1500.0])), 2)
    array([1247.52, 1841.58])
    >>> g.history[-1].method, g.history[-1].residual < 1e-12
    ('krylov', True)
    """

    def __init__(self, A: ArrayOrSparse, method: Method = "auto", rtol: float = 1e-12,
                 overwrite_a: bool = False, *, row_scale: np.ndarray | None = None,
                 col_scale: np.ndarray | None = None, threads: int | None = None,
                 check_finite: bool = True) -> None:
        A = as_matrix(A)
        if A.ndim != 2 or A.shape[0] != A.shape[1]:
            raise BadValueError(f"A must be square, got shape {A.shape}")
        checks.choice("method", method, ("auto", "dense", "splu", "krylov", "gmres"))
        check_finite = checks.flag("check_finite", check_finite)
        overwrite_a = checks.flag("overwrite_a", overwrite_a)
        finite = A.data if sp.issparse(A) else A
        # one pass and no temporary: a finite sum means every value is finite (the element-wise
        # test only where the sum is not, e.g. an overflow of huge finite values)
        if check_finite and not np.isfinite(np.sum(finite)) and not np.all(np.isfinite(finite)):
            raise BadValueError("A must be finite numbers (no NaN or infinity)")
        self.n: int = int(A.shape[0])
        self.rtol = rtol
        self.history: list[SolveRecord] = []
        self._auto = method == "auto"
        self._overwrite = overwrite_a
        self._lu: Any = None
        self._splu: Any = None
        self._passes = 0                    # GMRES column-passes made so far (dense cost model)
        self._steps: list[int] = []         # GMRES steps per column, measured
        # the technology is diag(row_scale) A diag(col_scale), never formed
        self._rscale = _scaling("row_scale", row_scale, A.shape[0])
        self._cscale = _scaling("col_scale", col_scale, A.shape[0])
        self._A: Any = sp.csr_array(A) if sp.issparse(A) else A
        self._AT: Any = None
        self._threads = threads
        self._ops: dict[bool, Any] = {}     # sparse A, A' split into row blocks
        if method == "auto":
            if sp.issparse(A):
                method = "splu" if self.n <= SPLU_MAX_N else "krylov"
            else:
                method = "dense" if self.n < DENSE_KRYLOV_MIN_N else "krylov"
        self.method: Method = method
        if self.n == 0:
            return
        if method == "dense":
            self._factor_dense()
        elif method == "splu":
            self._factor_sparse()
        else:
            diag = 1.0 - self._diagonal()
            if np.any(diag <= 0):
                raise SingularSystemError("I - A has a non-positive diagonal (a_ii >= 1)")
            self._diag = diag
            self._on_diag = np.flatnonzero(diag != 1.0)       # rows where diag(A) is not zero

    @classmethod
    def from_flows(cls, Z: np.ndarray, x: np.ndarray, method: Method = "auto",
                   rtol: float = 1e-12) -> LeontiefSolver:
        """The solver of ``A = Z diag(x)^-1`` without forming ``A`` (zero output: zero column).

        GMRES works on ``Z`` and the scaling directly, so a dense table costs no ``n x n`` array
        beyond ``Z``; only a fallback to the LU builds ``I - A`` (one ``n x n`` copy).

        Examples
        --------
        >>> Z = np.array([[150.0, 500.0], [200.0, 100.0]])
        >>> s = LeontiefSolver.from_flows(Z, np.array([1000.0, 2000.0]), method="krylov")
        >>> np.round(s.solve(np.array([600.0, 1500.0])), 2)
        array([1247.52, 1841.58])
        """
        xv = checks.floats("x", x)
        inv = np.divide(1.0, xv, out=np.zeros_like(xv), where=xv != 0)
        return cls(Z, method=method, rtol=rtol, col_scale=inv)

    # ------------------------------------------------------------------------------ operators
    def _diagonal(self) -> np.ndarray:
        d = np.asarray(self._A.diagonal(), dtype=float)
        if self._cscale is not None:
            d = d * self._cscale
        return d * self._rscale if self._rscale is not None else d

    def _dense_minus(self) -> np.ndarray:
        """``I - A`` as a new Fortran-ordered array (over ``A`` itself when allowed)."""
        A = self._A
        if sp.issparse(A):
            dense = np.asarray(A.toarray(order="F"), dtype=float)
        elif (self._overwrite and A.dtype == np.float64 and A.flags.f_contiguous
              and A.flags.writeable and self._cscale is None and self._rscale is None):
            dense = A
        else:
            dense = np.array(A, dtype=float, order="F")
        if self._cscale is not None:
            dense *= self._cscale[np.newaxis, :]
        if self._rscale is not None:
            dense *= self._rscale[:, np.newaxis]
        np.negative(dense, out=dense)
        dense.flat[:: self.n + 1] += 1.0
        return dense

    def _factor_dense(self) -> None:
        dense = self._dense_minus()
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", sla.LinAlgWarning)
            lu, piv = sla.lu_factor(dense, overwrite_a=True, check_finite=True)
        if not np.all(np.isfinite(lu)) or np.any(np.diag(lu) == 0.0):
            raise SingularSystemError("I - A is singular")
        self._lu = (lu, piv)
        if dense is self._A:    # factorized over A: no more products with it
            self._A = None

    def _factor_sparse(self) -> None:
        A = self._A
        if self._cscale is not None:
            A = A @ sp.diags_array(self._cscale) if sp.issparse(A) else A * self._cscale
        if self._rscale is not None:
            A = sp.diags_array(self._rscale) @ A if sp.issparse(A) else \
                self._rscale[:, np.newaxis] * A
        M = _identity_minus(A)
        try:
            self._splu = spla.splu(sp.csc_matrix(M))
        except RuntimeError as exc:  # "Factor is exactly singular"
            raise SingularSystemError("I - A is singular") from exc

    def _transpose(self) -> Any:
        """``A'`` for products: a view of a dense ``A``; for a sparse ``A`` a row-compressed copy
        of ``A'``, made on the first transposed solve where it has at most
        :data:`TRANSPOSE_COPY_MAX_NNZ` non-zeros (a product with it gathers, where one with the
        column-compressed view of ``A`` scatters: 0.033 s against 0.05 s a product at 2 * 10^7
        non-zeros on two threads, for one more copy of the non-zeros), else ``None``."""
        if not sp.issparse(self._A):
            return self._A.T
        if self._AT is None and self._A.nnz <= TRANSPOSE_COPY_MAX_NNZ:
            self._AT = sp.csr_array(self._A.T)
        return self._AT

    def _operator(self, transposed: bool) -> Any:
        """What a product is taken with: the dense ``A`` (or its transposed view), or the sparse
        ``A`` (or ``A'``) split into row blocks for the threads (made once, on first use); a
        sparse ``A'`` too large to copy is taken as scatters of ``A``'s row blocks
        (:class:`~autarky.solve.parallel.TransposedBlocks`)."""
        if not sp.issparse(self._A):
            return self._A.T if transposed else self._A
        op = self._ops.get(transposed)
        if op is None:
            if not transposed:
                op = RowBlocks(self._A, self._threads)
            else:
                AT = self._transpose()
                op = RowBlocks(AT, self._threads) if AT is not None else \
                    TransposedBlocks(self._A, self._threads)
            self._ops[transposed] = op
        return op

    def _product(self, V: np.ndarray, transposed: bool) -> np.ndarray:
        """``(I - A) V`` or ``(I - A)' V`` for an ``n x j`` block: one pass over ``A``."""
        AV = self.apply(V, transposed)
        return np.subtract(V, AV, out=AV)

    def _jacobi(self, V: np.ndarray, transposed: bool) -> np.ndarray:
        """``(I - D^-1 (I - A)) V = D^-1 (A - diag A) V`` (``D = diag(I - A)``), the Jacobi
        iteration matrix GMRES takes its steps with (:func:`~autarky.solve.krylov.block_gmres`)."""
        AV = self.apply(V, transposed)
        d, rows = self._diag, self._on_diag
        if 8 * rows.size > self.n:
            AV -= (1.0 - d)[:, np.newaxis] * V
            AV /= d[:, np.newaxis]
        elif rows.size:               # a sparse A seldom has a diagonal: fix those rows only
            AV[rows] = (AV[rows] - (1.0 - d[rows])[:, np.newaxis] * V[rows]) / d[rows, None]
        return AV

    def _chunk(self, j: int) -> int:
        """Columns of a block one sparse product takes at once (all of them for a dense ``A``).

        A sparse product gathers a row of ``V`` per non-zero; once the ``n x j`` block is larger
        than the cache those gathers miss, so the block is taken in column chunks of at most
        :data:`SPARSE_BLOCK_BYTES` (at n = 10^6 and 20 inputs per product, 8 columns at once are
        about twice as slow as 8 single-column passes).
        """
        return max(1, SPARSE_BLOCK_BYTES // (8 * self.n)) if sp.issparse(self._A) else j

    def apply(self, V: np.ndarray, transposed: bool = False) -> np.ndarray:
        """``A V`` (or ``A' V``) with the technology this solver solves for, never formed
        (its scalings applied to ``V``): one pass over the stored matrix, in column chunks
        (:meth:`_chunk`)."""
        s, r = (self._cscale, self._rscale) if not transposed else (self._rscale, self._cscale)
        vector = V.ndim == 1
        if vector:
            V = V[:, np.newaxis]
        U = s[:, np.newaxis] * V if s is not None else V
        op = self._operator(transposed)
        j = V.shape[1]
        step = self._chunk(j)
        if step >= j:
            AV = np.asarray(op @ U)
        else:
            AV = np.empty_like(U)
            for c in range(0, j, step):
                AV[:, c:c + step] = op @ np.ascontiguousarray(U[:, c:c + step])
        if r is not None:
            AV *= r[:, np.newaxis]
        return AV[:, 0] if vector else AV

    def norm_bound(self) -> float:
        """``min(||A||_1, ||A||_inf)`` of the technology solved for: an upper bound on its
        spectral radius, from two passes (column sums ``A' 1``, row sums ``A 1``)."""
        if self._A is None or self.n == 0:
            return float("nan") if self.n else 0.0
        ones = np.ones(self.n)
        A, cs, rs = self._A, self._cscale, self._rscale
        if not sp.issparse(A):
            return _dense_norm_bound(A, rs, cs)
        # column sums through the column-compressed view of A (a scatter, once), so that the
        # row-compressed transpose the transposed solves use is not built for this alone
        col = np.asarray(A.T @ (ones if rs is None else rs)).ravel()
        if cs is not None:
            col = col * cs
        return float(min(col.max(initial=0.0), self.apply(ones).max(initial=0.0)))

    # ----------------------------------------------------------------------------- the solves
    def _direct(self, B: np.ndarray, transposed: bool) -> np.ndarray:
        if self._lu is not None:
            return np.asarray(sla.lu_solve(self._lu, B, trans=1 if transposed else 0))
        return np.asarray(self._splu.solve(B, trans="T" if transposed else "N"))

    def _factorize(self) -> str:
        if sp.issparse(self._A):
            self._factor_sparse()
            return "sparse LU"
        self._factor_dense()
        return "dense LU"

    def _direct_name(self) -> str:
        return "dense LU" if self._lu is not None else "sparse LU"

    def _prefer_direct(self, k: int) -> bool:
        """Dense ``A``, auto: whether an LU now is cheaper than GMRES for ``k`` more columns.

        A pass over a dense ``A`` costs ``2 n^2`` flops per column, the LU ``2/3 n^3``: once the
        passes made plus those expected reach ``n / 3``, factorizing is the cheaper way on.
        """
        if not self._auto or sp.issparse(self._A) or self._A is None:
            return False
        per_column = (max(self._steps) if self._steps else _ITERATIONS_GUESS) + 2
        return self._passes + k * per_column >= self.n / 3

    def _solve(self, B: np.ndarray, transposed: bool, x0: Any = None) -> np.ndarray:
        start = time.perf_counter()
        if x0 is not None:
            x0 = checks.floats("x0", x0).reshape(B.shape[0], -1)
            if x0.shape != B.shape:
                raise BadValueError(f"x0 must have the shape of the right-hand side {B.shape}, "
                                    f"got {x0.shape}")
        X = self._solve_block(B, transposed, x0)
        self.history[-1] = dc_replace(self.history[-1], seconds=time.perf_counter() - start)
        return X

    def _solve_block(self, B: np.ndarray, transposed: bool, x0: np.ndarray | None
                     ) -> np.ndarray:
        k = B.shape[1]
        if self._lu is not None or self._splu is not None:
            self._record(SolveRecord(transposed, k, self._direct_name()))
            return self._direct(B, transposed)
        if self._prefer_direct(k):
            name = self._factorize()
            self._record(SolveRecord(transposed, k, name,
                                     note="LU cheaper than more GMRES passes over A"))
            return self._direct(B, transposed)
        res = self._gmres(B, transposed, x0=x0)
        if bool(res.converged.all()) and k:
            res = self._refine(B, res, transposed)
        self._passes += int(res.iterations.sum()) + k   # column-passes: steps plus checks
        self._steps.extend(int(i) for i in res.iterations)
        del self._steps[:-64]
        its, resid = int(res.iterations.max(initial=0)), float(res.residual.max(initial=0.0))
        if bool(res.converged.all()):
            self._record(SolveRecord(transposed, k, "krylov", its, int(res.passes), resid))
            return res.x
        bad = np.flatnonzero(~res.converged)
        note = (f"GMRES reached a relative residual of {float(res.residual[bad].max()):.1e} "
                f"(not {self.rtol:.0e}) on {bad.size} of {k} columns")
        if not self._auto:
            raise SingularSystemError(f"{note}; I - A may be singular or nearly so "
                                      "(try method='auto' or 'dense')")
        name = self._factorize()
        X = res.x
        X[:, bad] = self._direct(B[:, bad], transposed)
        self._record(SolveRecord(transposed, k, f"krylov -> {name}", its, int(res.passes),
                                 resid, note=note))
        return X

    def _scaled_residual(self, B: np.ndarray, X: np.ndarray, D: np.ndarray,
                         transposed: bool) -> tuple[np.ndarray, np.ndarray]:
        """``(B - M X) / D`` and ``||(B - M X) / D||_2 / ||B / D||_2`` per column."""
        R = (B - self._product(X, transposed)) / D
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.linalg.norm(R, axis=0) / np.linalg.norm(B / D, axis=0)
        return R, np.nan_to_num(out, nan=0.0)

    def _refine(self, B: np.ndarray, res: KrylovResult, transposed: bool) -> KrylovResult:
        """Make the answer independent of the units of the products.

        GMRES's residual is measured in the units the products happen to be in: measuring one
        product in grams instead of tonnes changes which errors count. Measured instead relative
        to the answer itself, ``||(b - M x) / |x| ||``, the residual is the same in any units
        (``x`` and ``b`` scale together, component by component). Where that measure misses
        ``rtol``, the correction is solved in the scaled variables ``x = D x'``,
        ``D = diag(|x|)`` (a diagonal similarity ``D^-1 M D``: the same spectrum, so GMRES
        converges as fast), which is a units-free system.
        """
        X = res.x
        k = X.shape[1]
        floor = 1e-300 + 1e-14 * np.array([np.abs(X[:, q]).max(initial=0.0)
                                           for q in range(k)])
        # the true residual GMRES checked the answer by, B - M X (else one pass to get it)
        Rt = res.r if res.r is not None else B - self._product(X, transposed)
        scaled = np.zeros(k)
        for q in range(k):          # column by column: no n x k temporaries (80 MB a column
            d = np.abs(X[:, q])     # at 10^7 products)
            d += floor[q]
            with np.errstate(divide="ignore", invalid="ignore"):
                scaled[q] = np.nan_to_num(np.linalg.norm(Rt[:, q] / d)
                                          / np.linalg.norm(B[:, q] / d), nan=0.0)
        bad = np.flatnonzero(scaled > self.rtol)
        if bad.size == 0:
            return res
        Db = np.abs(X[:, bad]) + floor[np.newaxis, bad]
        R = np.ascontiguousarray(Rt[:, bad] / Db)
        del Rt

        target = self.rtol * np.linalg.norm(B[:, bad] / Db, axis=0)
        rn = np.linalg.norm(R, axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.clip(np.where(rn > 0, target / rn, 1.0), 1e-15, 0.5)
        fix = self._gmres(R, transposed, col_scale=Db, rtol=float(rel.min()), maxiter=200)
        X = X.copy()
        X[:, bad] += Db * fix.x
        _, after = self._scaled_residual(B[:, bad], X[:, bad], Db, transposed)
        converged = res.converged.copy()
        converged[bad] = after <= self.rtol
        residual = res.residual.copy()
        residual[bad] = np.maximum(after, 0.0)
        iterations = res.iterations.copy()
        iterations[bad] += fix.iterations
        return KrylovResult(X, residual, iterations, res.passes + fix.passes + 1, converged)

    def _gmres(self, B: np.ndarray, transposed: bool, *, col_scale: np.ndarray | None = None,
               rtol: float | None = None, maxiter: int = 400, x0: np.ndarray | None = None
               ) -> KrylovResult:
        """GMRES on all columns of ``B`` in lockstep; a sparse ``A`` takes them in chunks that
        fit :data:`SPARSE_BLOCK_BYTES` (its products do not gain from wider blocks, and the
        Krylov basis of each chunk is then small: at n = 10^6 one column's is ~8 MB a step)."""
        k = B.shape[1]
        step = self._chunk(k)
        tol = self.rtol if rtol is None else rtol
        # one basis for every chunk: its pages are touched once, not once per chunk
        work = np.empty(basis_size(self.n, min(step, k)))

        def run(c: slice) -> KrylovResult:
            return block_gmres(lambda V: self._product(V, transposed),
                               np.ascontiguousarray(B[:, c]), self._diag, rtol=tol,
                               x0=None if x0 is None else x0[:, c],
                               maxiter=maxiter, workspace=work,
                               jacobi=lambda V: self._jacobi(V, transposed),
                               col_scale=None if col_scale is None else col_scale[:, c])

        if step >= k:
            return run(slice(None))
        # each chunk's answer and residual go straight into the whole (no stacked copies:
        # at 10^7 products each n x k array is 80 MB a column)
        X, R = np.empty((self.n, k)), np.empty((self.n, k))
        residual, converged = np.empty(k), np.empty(k, dtype=bool)
        iterations, passes, kept = np.empty(k, dtype=np.int64), 0, True
        for c in range(0, k, step):
            part = run(cols := slice(c, c + step))
            X[:, cols], residual[cols], converged[cols] = part.x, part.residual, part.converged
            iterations[cols], passes = part.iterations, passes + int(part.passes)
            if part.r is not None:
                R[:, cols] = part.r
            kept = kept and part.r is not None
            del part
        return KrylovResult(X, residual, iterations, passes, converged, R if kept else None)

    def _record(self, rec: SolveRecord) -> None:
        self.history.append(rec)
        del self.history[:-100]

    @property
    def used(self) -> str:
        """What answered the solves so far, in words (e.g. ``"krylov (3 solves, largest
        residual 2.1e-13)"`` or ``"dense LU"``)."""
        if not self.history:
            return self.method if self.method != "krylov" else "krylov (no solve yet)"
        names = list(dict.fromkeys(r.method for r in self.history))
        kry = [r for r in self.history if r.method.startswith("krylov")]
        text = ", ".join(names)
        if kry:
            worst = max(r.residual for r in kry)
            text += (f" ({len(kry)} GMRES solve{'s' if len(kry) != 1 else ''}, "
                     f"largest relative residual {worst:.1e})")
        notes = [r.note for r in self.history if r.note]
        if notes:
            text += f"; {notes[-1]}"
        return text

    def _rhs(self, y: Any) -> tuple[np.ndarray, bool]:
        y = checks.floats("the right-hand side", y)
        if y.ndim == 0 or y.shape[0] != self.n:
            raise BadValueError(f"right-hand side has {y.shape[0] if y.ndim else 0} rows, "
                                f"expected {self.n}")
        return (y[:, np.newaxis] if y.ndim == 1 else y, y.ndim == 1)

    def solve(self, y: np.ndarray, *, x0: np.ndarray | None = None) -> np.ndarray:
        """Return ``x`` with ``(I - A) x = y``; ``y`` is a vector or an ``n x k`` matrix.

        ``x0``, of the shape of ``y``, is where GMRES starts (an answer known to be close, e.g.
        from an identity, costs one pass to check); a direct solve ignores it. The answer is
        checked by its true residual either way."""
        B, vector = self._rhs(y)
        if self.n == 0:
            return np.array(y, dtype=float)
        X = self._solve(B, False, x0)
        return X[:, 0] if vector else X

    def solve_transposed(self, c: np.ndarray, *, x0: np.ndarray | None = None) -> np.ndarray:
        """Return ``z`` with ``(I - A)' z = c``, that is ``z' = c' L`` (multipliers); ``x0`` as
        in :meth:`solve`."""
        B, vector = self._rhs(c)
        if self.n == 0:
            return np.array(c, dtype=float)
        X = self._solve(B, True, x0)
        return X[:, 0] if vector else X

    def columns_per_pass(self, k: int) -> int:
        """Columns of a ``k``-column block that one pass over ``A`` takes: all of them for a
        dense ``A``; for a sparse ``A`` a chunk that fits :data:`SPARSE_BLOCK_BYTES` (one column
        at n = 10^6), so that solving columns one call after another costs no more passes."""
        return min(k, self._chunk(k))

    def inverse(self) -> np.ndarray:
        """The Leontief inverse ``L = (I - A)^-1`` as a dense array (``n`` solves; ``O(n^2)`` memory)."""
        return self.solve(np.eye(self.n))


def _dense_norm_bound(A: np.ndarray, rs: np.ndarray | None, cs: np.ndarray | None) -> float:
    """``min(||A_s||_1, ||A_s||_inf)`` of ``A_s = diag(rs) A diag(cs)`` in one pass over a dense
    ``A``: row blocks that fit the cache, each giving its row sums and its share of the column
    sums while it is there."""
    n = A.shape[0]
    M, r, c = (A, rs, cs) if not A.flags.f_contiguous or A.flags.c_contiguous else (A.T, cs, rs)
    ones = np.ones(n)
    rows = np.empty(n)
    cols = np.zeros(n)
    step = max(1, (512 * 1024) // (8 * n))
    for i in range(0, n, step):
        block = M[i:i + step]
        rows[i:i + step] = block @ (ones if c is None else c)
        cols += (ones[: block.shape[0]] if r is None else r[i:i + step]) @ block
    if r is not None:
        rows *= r
    if c is not None:
        cols *= c
    if M is not A:            # the sums of A' are the other way round
        rows, cols = cols, rows
    return float(min(cols.max(initial=0.0), rows.max(initial=0.0)))


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
