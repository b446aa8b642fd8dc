"""Benchmarks: autarky's Leontief work against pymrio and plain numpy, on the same inputs.

Run with ``make bench`` (installs pymrio). Writes ``bench/results/leontief.md`` with times, peak
memory and ratios. Each task is what a user asks for:

* ``x``: gross output for one final demand (pymrio: ``calc_L`` then ``calc_x_from_L``);
* ``x, 3 y``: gross output for three final-demand vectors (scenarios);
* ``multipliers``: total requirement multipliers ``c' L`` for one coefficient row
  (pymrio: ``calc_L`` then ``c @ L``; autarky: one transposed solve).

Times are the best of ``repeat`` runs (wall clock, ``time.perf_counter``); memory is the peak of
numpy allocations during one run (``tracemalloc``). Tests check answers; this file only measures.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
from _common import command_line, environment, environment_lines

from autarky.solve import LeontiefSolver
from autarky.testing import random_technology

try:
    import pymrio
except ImportError:  # pragma: no cover - make bench installs it
    pymrio = None


def measure(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, peak / 2**20


def dense_rows(sizes: list[int], repeat: int) -> list[str]:
    return [row for n in sizes for row in dense_case(n, repeat)]


def dense_case(n: int, repeat: int) -> list[str]:
    rows: list[str] = []
    rng = np.random.default_rng(n)
    A = random_technology(n, density=0.3, spectral=0.7, seed=rng)
    ys = rng.uniform(1, 10, (n, 3))
    c = rng.uniform(0, 1, n)
    tasks: dict[str, dict[str, Callable[[], object]]] = {
        "x": {
            "autarky": lambda: LeontiefSolver(A).solve(ys[:, 0]),
            "numpy.solve": lambda: np.linalg.solve(np.eye(n) - A, ys[:, 0]),
        },
        "x, 3 y": {
            "autarky": lambda: LeontiefSolver(A).solve(ys),
            "numpy.solve": lambda: np.linalg.solve(np.eye(n) - A, ys),
        },
        "multipliers": {
            "autarky": lambda: LeontiefSolver(A).solve_transposed(c),
            "numpy.solve": lambda: np.linalg.solve((np.eye(n) - A).T, c),
        },
    }
    if pymrio is not None:
        tasks["x"]["pymrio"] = lambda: pymrio.calc_x_from_L(pymrio.calc_L(A), ys[:, 0])
        tasks["x, 3 y"]["pymrio"] = lambda: pymrio.calc_L(A) @ ys
        tasks["multipliers"]["pymrio"] = lambda: c @ pymrio.calc_L(A)
    # same answers before timing
    ref = np.linalg.solve(np.eye(n) - A, ys[:, 0])
    assert np.allclose(LeontiefSolver(A).solve(ys[:, 0]), ref, rtol=1e-9)
    if pymrio is not None:
        assert np.allclose(np.asarray(pymrio.calc_x_from_L(pymrio.calc_L(A), ys[:, 0])).ravel(),
                           ref, rtol=1e-8)
    for task, impls in tasks.items():
        res = {k: measure(f, repeat) for k, f in impls.items()}
        a_t, a_m = res["autarky"]
        for peer, (t, m) in res.items():
            if peer == "autarky":
                continue
            rows.append(f"| {n} | {task} | {peer} | {a_t * 1e3:.2f} | {t * 1e3:.2f} | "
                        f"**{t / a_t:.2f}** | {a_m:.1f} | {m:.1f} | {m / max(a_m, 1e-9):.2f} |")
    return rows


def sparse_rows(sizes: list[int], inputs: int, repeat: int) -> list[str]:
    return [row for n in sizes for row in sparse_case(n, inputs, repeat)]


def sparse_case(n: int, inputs: int, repeat: int) -> list[str]:
    rows: list[str] = []
    A = random_technology(n, density=inputs / n, spectral=0.7, seed=n, sparse=True)
    y = np.random.default_rng(n).uniform(1, 10, n)
    methods = ("splu", "gmres") if n <= 5000 else ("gmres",)  # splu fills in: minutes beyond
    for method in methods:
        t, m = measure(lambda method=method: LeontiefSolver(A, method).solve(y), repeat)
        x = LeontiefSolver(A, method).solve(y)
        resid = np.linalg.norm(x - A @ x - y) / np.linalg.norm(y)
        dense_mb = n * n * 8 / 2**20
        rows.append(f"| {n:,} | {A.nnz:,} | {method} | {t * 1e3:.1f} | {m:.1f} | "
                    f"{dense_mb:,.0f} | {resid:.1e} |")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,500,1000,2000,4000")
    ap.add_argument("--sparse-sizes", default="2000,5000,100000,1000000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "leontief.md"))
    args = ap.parse_args()
    env = environment({"pymrio": getattr(pymrio, "__version__", "not installed")})
    sizes = [int(s) for s in args.sizes.split(",") if s]
    sparse_sizes = [int(s) for s in args.sparse_sizes.split(",") if s]
    head = ("| n | task | peer | autarky ms | peer ms | peer/autarky time | autarky MiB | "
            "peer MiB | peer/autarky memory |\n|---|---|---|---|---|---|---|---|---|")
    dense = dense_rows(sizes, args.repeat)
    sparse = sparse_rows(sparse_sizes, 20, max(1, args.repeat - 2))
    text = "\n".join([
        "# Leontief benchmarks", "",
        "Run by `make bench` (`python bench/run.py`). Best of "
        f"{args.repeat} runs; memory is the peak of numpy allocations in one run.", "",
        *environment_lines(env, command_line()), "",
        "## Dense technology (random, 30 % filled, spectral radius <= 0.7)", "",
        "Ratios above 1 mean autarky is faster (time) or leaner (memory).", "", head, *dense, "",
        "## Sparse technology (20 inputs per product); no peer solves these sizes", "",
        "| n | non-zeros | method | ms | peak MiB | a dense A would need MiB | relative residual |",
        "|---|---|---|---|---|---|---|", *sparse, "",
    ])
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
