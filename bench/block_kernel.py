"""Would a compiled multi-column sparse product cut the cost of the indicator set's passes?

The indicator set of a sparse economy makes about 120 single-column passes over ``A`` (scipy's
``csr_matvec``); its seven transposed right-hand sides could share passes if a product with
``k`` columns cost about as much as one with one column (each gathered row of a C-ordered
``n x k`` block is one cache line for ``k = 8``). This measures, on the technology of
``bench/scale.py`` (20 inputs per product, random rows):

* scipy, one column (``A @ v``) and ``k`` columns (``A @ V``, ``csr_matvecs``);
* a numba kernel with ``k`` accumulators in registers (``k`` = 1 and 8), compiled before the
  timing; numba is not a dependency of autarky: ``pip install numba`` to run this.

Each product is timed ``--repeat`` times in turn with the others; the best is reported, with the
time per column. Usage: ``python bench/block_kernel.py --sizes 1000000,10000000``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from _common import command_line, environment, environment_lines
from scale import technology


def kernels() -> tuple:
    import numba

    @numba.njit(boundscheck=False, nogil=True, fastmath=True)
    def one(indptr, indices, data, x, y):  # pragma: no cover - compiled
        for i in range(y.shape[0]):
            s = 0.0
            for jj in range(indptr[i], indptr[i + 1]):
                s += data[jj] * x[indices[jj]]
            y[i] = s

    @numba.njit(boundscheck=False, nogil=True, fastmath=True)
    def eight(indptr, indices, data, X, Y):  # pragma: no cover - compiled
        for i in range(Y.shape[0] // 8):
            s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
            for jj in range(indptr[i], indptr[i + 1]):
                j = indices[jj] * 8
                a = data[jj]
                s0 += a * X[j]
                s1 += a * X[j + 1]
                s2 += a * X[j + 2]
                s3 += a * X[j + 3]
                s4 += a * X[j + 4]
                s5 += a * X[j + 5]
                s6 += a * X[j + 6]
                s7 += a * X[j + 7]
            o = i * 8
            Y[o], Y[o + 1], Y[o + 2], Y[o + 3] = s0, s1, s2, s3
            Y[o + 4], Y[o + 5], Y[o + 6], Y[o + 7] = s4, s5, s6, s7

    return one, eight


def products(A, x, X8, y, flat, Y8, one, eight) -> dict:
    """The four products, each with its number of columns."""
    return {
        "scipy, 1 column": (1, lambda: A @ x),
        "scipy, 8 columns": (8, lambda: A @ X8),
        "numba, 1 column": (1, lambda: one(A.indptr, A.indices, A.data, x, y)),
        "numba, 8 columns": (8, lambda: eight(A.indptr, A.indices, A.data, flat, Y8)),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000000,10000000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "block_kernel.md"))
    a = ap.parse_args()
    import numba

    env = environment({"numba": numba.__version__})
    one, eight = kernels()
    rows = []
    for n in [int(s) for s in a.sizes.split(",") if s]:
        A = technology(n, n)
        rng = np.random.default_rng(0)
        x = rng.random(n)
        X8 = rng.random((n, 8))
        y, Y8 = np.empty(n), np.empty(n * 8)
        flat = X8.ravel()
        one(A.indptr, A.indices, A.data, x, y)             # compile outside the timings
        eight(A.indptr, A.indices, A.data, flat, Y8)
        variants = products(A, x, X8, y, flat, Y8, one, eight)
        best = {k: np.inf for k in variants}
        for _ in range(a.repeat):
            for k, (_, fn) in variants.items():
                t0 = time.perf_counter()
                fn()
                best[k] = min(best[k], time.perf_counter() - t0)
        ref = A @ X8
        assert np.allclose(Y8.reshape(n, 8), ref, rtol=1e-12, atol=0)
        assert np.allclose(y, A @ x, rtol=1e-12, atol=0)
        base = best["scipy, 1 column"]
        for k, (cols, _) in variants.items():
            per = best[k] / cols
            rows.append(f"| {n:,} | {A.nnz:,} | {k} | {best[k]:.3f} | {per:.4f} | "
                        f"{base / per:.2f}x |")
        print(rows[-4:], flush=True)
    text = "\n".join([
        "# A multi-column sparse product, scipy against a compiled kernel", "",
        *environment_lines(env, command_line()), "",
        "| n | non-zeros | product | best s | s per column | columns per second vs scipy's "
        "one-column product |", "|---|---|---|---|---|---|", *rows, ""])
    Path(a.out).write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
