"""Sparse products on a few threads, with the same answer as on one.

A product ``A @ v`` with a row-compressed ``A`` computes each row's sum on its own, so the rows
can be shared between threads: :class:`RowBlocks` splits ``A`` once into contiguous row blocks of
about equal non-zeros (views of its arrays, no copy of the non-zeros) and runs the blocks of each
product on a small thread pool (scipy's sparse kernels release the GIL). Every row is summed in
the same order as by ``A @ v`` itself, so the answer is bit-identical to the serial product.

How many threads: the environment variable ``AUTARKY_NUM_THREADS`` if set (``1`` turns the
threads off, e.g. where many solves already run side by side, as under Dask), else
``OMP_NUM_THREADS`` if set (the convention BLAS libraries follow, and the variable a Dask worker
sets to one), else the CPUs this process may run on (``os.sched_getaffinity``). Products with
fewer than :data:`PARALLEL_MIN_NNZ` non-zeros run on one thread (the hand-off costs more than it
saves there).

A transposed product ``A' @ v`` without a transposed copy of ``A`` (:class:`TransposedBlocks`)
scatters each row of ``A`` into the answer, so the threads cannot share one answer: each thread
scatters its own row block into an answer of its own, and the answers are summed. The sum is
the serial one up to rounding, the same on every run with the same number of threads.
"""

from __future__ import annotations

import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = ["PARALLEL_MIN_NNZ", "RowBlocks", "TransposedBlocks", "num_threads"]

#: Non-zeros from which a sparse product is shared between threads. Measured on two shared
#: cores (load 3.5; bench/results/indicators_scale.md): at 2 * 10^5 non-zeros two threads double
#: the time of a 0.2 ms product (the hand-off), at 6 * 10^5 to 2 * 10^6 they break even, at
#: 2 * 10^7 they cut the median product from 0.31 s to 0.18 s (unloaded: 0.071 s to 0.039 s).
PARALLEL_MIN_NNZ = 1_000_000

#: Row blocks per thread: the threads take the blocks in turn.
BLOCKS_PER_THREAD = 4

#: Environment variable that sets the number of threads of a sparse product.
THREADS_ENV = "AUTARKY_NUM_THREADS"

_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_pool_lock = threading.Lock()


def _from_env(name: str) -> int | None:
    text = os.environ.get(name, "").strip().split(",")[0].strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        return None
    return value if value >= 1 else None


def num_threads() -> int:
    """Threads a sparse product may use: ``AUTARKY_NUM_THREADS``, else ``OMP_NUM_THREADS``,
    else the number of CPUs this process may run on.

    Examples
    --------
    >>> num_threads() >= 1
    True
    """
    for name in (THREADS_ENV, "OMP_NUM_THREADS"):
        value = _from_env(name)
        if value is not None:
            return value
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on every platform
        return max(1, os.cpu_count() or 1)


def _executor(workers: int) -> ThreadPoolExecutor:
    """The shared pool, grown to at least ``workers`` threads."""
    global _pool, _pool_size
    with _pool_lock:
        if _pool is None or _pool_size < workers:
            old = _pool
            _pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="autarky")
            _pool_size = workers
            if old is not None:
                old.shutdown(wait=False)
        return _pool


def _block(M: Any, r0: int, r1: int) -> sp.csr_array:
    """Rows ``r0:r1`` of the row-compressed ``M`` as a matrix over views of its arrays (scipy's
    own slicing, and its constructor from a slice, copy the non-zeros)."""
    s = int(M.indptr[r0])
    B = sp.csr_array((r1 - r0, M.shape[1]), dtype=M.dtype)
    B.indptr = np.asarray(M.indptr[r0:r1 + 1] - s, dtype=M.indices.dtype)
    B.indices = M.indices[s:int(M.indptr[r1])]
    B.data = M.data[s:int(M.indptr[r1])]
    return B


def _split_setup(M: Any, threads: int | None) -> tuple[sp.csr_array, int]:
    """``M`` as row-compressed (not copied if it is) and the threads a product with it runs on
    (the calling thread and ``threads - 1`` of the pool): one below :data:`PARALLEL_MIN_NNZ`
    non-zeros, never more than its rows."""
    matrix = M if isinstance(M, sp.csr_array) else sp.csr_array(M)
    workers = num_threads() if threads is None else max(1, int(threads))
    if int(matrix.nnz) < PARALLEL_MIN_NNZ:
        workers = 1
    return matrix, max(1, min(workers, matrix.shape[0]))


def _transposed(B: sp.csr_array) -> sp.csc_array:
    """``B'`` as a column-compressed matrix over the same arrays (scipy's ``.T`` of a matrix
    over views copies them)."""
    T = sp.csc_array((B.shape[1], B.shape[0]), dtype=B.dtype)
    T.indptr, T.indices, T.data = B.indptr, B.indices, B.data
    return T


class RowBlocks:
    """A row-compressed matrix split into contiguous row blocks of about equal non-zeros, for
    products on a thread pool that equal the serial product bit for bit.

    Parameters
    ----------
    M
        A sparse matrix (taken as row-compressed: a CSR matrix is not copied).
    threads
        Blocks to split into; ``None``: :func:`num_threads`. A matrix with fewer than
        :data:`PARALLEL_MIN_NNZ` non-zeros (or fewer rows than threads) is one block.

    Examples
    --------
    >>> A = sp.random_array((2000, 2000), density=0.3, format="csr", rng=0)
    >>> v = np.arange(2000.0)
    >>> blocks = RowBlocks(A, threads=4)
    >>> blocks.threads, len(blocks.bounds) - 1, bool(np.array_equal(blocks @ v, A @ v))
    (4, 16, True)
    >>> RowBlocks(A[:100], threads=4).threads      # 60,000 non-zeros: not worth a thread
    1
    """

    def __init__(self, M: Any, threads: int | None = None) -> None:
        self.matrix, self.threads = _split_setup(M, threads)
        n, nnz = self.matrix.shape[0], int(self.matrix.nnz)
        # more blocks than threads, taken in turn: on a shared machine a thread that loses its
        # core holds up one small block, not half the product
        parts = 1 if self.threads == 1 else min(n, BLOCKS_PER_THREAD * self.threads)
        # row r0 of block b is the first row whose non-zeros start at or after b * nnz / parts
        cuts = np.searchsorted(self.matrix.indptr, np.arange(1, parts) * (nnz / parts))
        bounds = np.unique(np.concatenate(([0], np.clip(cuts, 0, n), [n])))
        #: Row ranges of the blocks: block ``b`` is rows ``bounds[b]:bounds[b + 1]``.
        self.bounds = bounds
        self._blocks = [self.matrix] if bounds.size <= 2 else [
            _block(self.matrix, int(a), int(b)) for a, b in itertools.pairwise(bounds)]

    @property
    def shape(self) -> tuple[int, int]:
        """The shape of the matrix."""
        return self.matrix.shape

    def __matmul__(self, U: np.ndarray) -> np.ndarray:
        """``M @ U`` for a vector or an ``n x k`` block, the row blocks on the thread pool."""
        if len(self._blocks) == 1:
            return np.asarray(self.matrix @ U)
        out = np.empty((self.matrix.shape[0], *U.shape[1:]),
                       dtype=np.result_type(self.matrix.dtype, U.dtype))
        bounds, blocks = self.bounds, self._blocks
        turn = itertools.count()      # next() on it is atomic: each block is taken once
        finished = threading.Condition()
        state: dict[str, Any] = {"done": 0, "error": None}

        def run() -> None:
            done, error = 0, None
            while (b := next(turn)) < len(blocks):
                try:
                    out[bounds[b]:bounds[b + 1]] = blocks[b] @ U
                except BaseException as exc:      # handed to the calling thread
                    error = exc
                done += 1
            if done:
                with finished:
                    state["done"] += done
                    state["error"] = state["error"] or error
                    finished.notify_all()

        pool = _executor(self.threads - 1)
        for _ in range(self.threads - 1):
            pool.submit(run)
        run()                          # the calling thread takes blocks too
        # wait for the blocks others took, not for threads that found none left (on a busy
        # machine a pool thread may start only after the calling thread has done them all)
        with finished:
            finished.wait_for(lambda: state["done"] == len(blocks))
        if state["error"] is not None:
            raise state["error"]
        return out


class TransposedBlocks:
    """``M' @ U`` of a row-compressed ``M`` without a transposed copy: one row block per
    thread, each scattered into a partial answer of its own, the partial answers summed.

    A product with a row-compressed copy of ``M'`` gathers, and gathers faster (measured on
    two cores at 2 * 10^8 non-zeros: 0.85 s against 1.07 s a product, bench/results/
    indicators_scale.md), but the copy costs as much memory as ``M`` and a transpose; this
    serves where that memory is not there (see :data:`autarky.solve.leontief.TRANSPOSE_COPY_MAX_NNZ`).

    Examples
    --------
    >>> A = sp.random_array((3000, 3000), density=0.2, format="csr", rng=1)
    >>> v = np.arange(3000.0)
    >>> blocks = TransposedBlocks(A, threads=2)
    >>> blocks.threads, bool(np.allclose(blocks @ v, A.T @ v, rtol=1e-13, atol=0))
    (2, True)
    """

    def __init__(self, M: Any, threads: int | None = None) -> None:
        self.matrix, self.threads = _split_setup(M, threads)     # one row block a thread
        n, nnz = self.matrix.shape[0], int(self.matrix.nnz)
        cuts = np.searchsorted(self.matrix.indptr, np.arange(1, self.threads)
                               * (nnz / self.threads))
        self.bounds = np.unique(np.concatenate(([0], np.clip(cuts, 0, n), [n])))
        self._blocks = [_transposed(_block(self.matrix, int(a), int(b)))
                        for a, b in itertools.pairwise(self.bounds)]

    @property
    def shape(self) -> tuple[int, int]:
        """The shape of ``M'``."""
        return self.matrix.shape[1], self.matrix.shape[0]

    def __matmul__(self, U: np.ndarray) -> np.ndarray:
        """``M' @ U`` for a vector or an ``n x k`` block."""
        if len(self._blocks) == 1:
            return np.asarray(self._blocks[0] @ U)
        bounds = self.bounds
        pool = _executor(len(self._blocks) - 1)
        def part(b: int) -> np.ndarray:
            return np.asarray(self._blocks[b] @ U[bounds[b]:bounds[b + 1]])

        futures = [pool.submit(part, b) for b in range(1, len(self._blocks))]
        out = part(0)
        for f in futures:
            out += f.result()
        return out
