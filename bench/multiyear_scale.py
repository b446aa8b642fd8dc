"""Multi-year plans at scale: assembly in non-zeros, and how HiGHS's solvers grow with the size.

Random sparse economies, ``T`` years: 10 inputs per product, capital norms taking three of the
investment-goods branches (a tenth of all) per branch, gestation 1-2 years, 3 % depreciation,
a consumption floor and a soft 8 % industrial-growth target under ``heavy-first`` (the
strategy's investment-share rows). Two technologies of the same density:

* ``random``: inputs from anywhere (an expander, the worst case for factorizations);
* ``hierarchy``: inputs only from lower-numbered products (a triangular technology, whose
  ``I - A`` factors with no fill at all).

For each size the model is built (``autarky.plan.multiyear.build_model``: seconds, peak of
Python allocations, rows x columns, non-zeros), then solved by ``solve_lp`` with each solver
under a time limit; solved answers carry their certificate (largest primal violation, duality
gap, in the model's own units). Writes ``bench/results/multiyear_scale.md``. One run per variant
(wall clock); the machine is shared, so the load average is recorded.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from importlib.metadata import version
from pathlib import Path

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).parent))
from _common import command_line, environment, environment_lines, loadavg

from autarky.economy import Scenario
from autarky.plan.multiyear import build_model
from autarky.solve.lp import solve_lp
from autarky.testing import random_multiyear_scenario


def technology(n: int, kind: str, rng: np.random.Generator, inputs: int = 10) -> sp.csr_array:
    """Column sums 0.12-0.6: productive, ``inputs`` non-zeros per column."""
    cols = np.repeat(np.arange(n), inputs)
    if kind == "random":
        rows = rng.integers(0, n, n * inputs)
        keep = np.ones(n * inputs, dtype=bool)
    else:  # hierarchy: inputs from earlier products only
        rows = (rng.random(n * inputs) * cols).astype(np.int64)
        keep = cols > 0
    M = sp.csc_array((rng.uniform(0, 1, int(keep.sum())), (rows[keep], cols[keep])), shape=(n, n))
    M.sum_duplicates()
    colsum = np.asarray(M.sum(axis=0)).ravel()
    scale = 0.6 * rng.uniform(0.2, 1.0, n) / np.maximum(colsum, 1e-300)
    return sp.csr_array(M @ sp.diags_array(np.where(colsum > 0, scale, 0.0)))


def scenario(n: int, years: int, kind: str, seed: int) -> Scenario:
    return random_multiyear_scenario(n, years, seed, growth=0.08,
                                     technology=lambda n, rng: technology(n, kind, rng))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,200,400,1000")
    ap.add_argument("--build-only", default="10000", help="sizes only built (no solve)")
    ap.add_argument("--years", type=int, default=7)
    ap.add_argument("--kinds", default="random,hierarchy")
    ap.add_argument("--solvers", default="simplex,ipm,pdlp")
    ap.add_argument("--limit", type=float, default=120.0, help="seconds per solve")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" /
                                         "multiyear_scale.md"))
    args = ap.parse_args()
    env = environment({"highspy": version("highspy")})
    T = args.years
    rows = []
    sizes = [int(s) for s in args.sizes.split(",") if s]
    build_only = [int(s) for s in args.build_only.split(",") if s]
    for kind in [k for k in args.kinds.split(",") if k]:
        for n in sizes + build_only:
            scn = scenario(n, T, kind, n)
            build_model(scn, "heavy-first")  # the balance cached, as in a session
            tracemalloc.start()
            t0 = time.perf_counter()
            model = build_model(scn, "heavy-first")
            t_build = time.perf_counter() - t0
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            lp = model.lp
            cells = []
            for solver in [s for s in args.solvers.split(",") if s] if n in sizes else []:
                t0 = time.perf_counter()
                res = solve_lp(lp, solver=solver, time_limit=args.limit)
                t = time.perf_counter() - t0
                if res.status == "optimal" and res.check is not None:
                    its = f"{res.iterations} it; " if res.iterations else ""
                    cells.append(f"{solver} {t:.1f} s ({its}viol "
                                 f"{res.check.primal:.0e}, gap {res.check.gap:.0e})")
                else:
                    over = t >= 0.98 * args.limit
                    cells.append(f"{solver} {'> ' if over else ''}{t:.1f} s ({res.status}"
                                 f"{', time limit' if over else ''})")
                print(kind, n, cells[-1], loadavg(), flush=True)
            rows.append(f"| {kind} | {n:,} | {T} | {lp.shape[0]:,} x {lp.shape[1]:,} | "
                        f"{lp.M.nnz:,} | {t_build:.2f} | {peak:.0f} | "
                        f"{'; '.join(cells) if cells else 'not solved (build only)'} |")
    text = "\n".join([
        "# Multi-year plans at scale", "",
        "Run by `python bench/multiyear_scale.py`; one run per variant (wall clock).", "",
        *environment_lines(env, command_line()), "",
        "| technology | n | years | LP rows x cols | non-zeros | build s | build peak MiB | "
        "solves (time limit " f"{args.limit:.0f} s each) |",
        "|---|---|---|---|---|---|---|---|", *rows, "",
    ])
    Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
