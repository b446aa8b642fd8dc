"""Week-by-week shock propagation on a sparse technology against the dense path, in one run.

``autarky.solve.propagation.propagate`` keeps every per-pair quantity (stocks, targets, orders,
deliveries, inventory days, criticality) on the non-zeros of ``A`` when ``A`` is a scipy.sparse
matrix, and as ``(n, n)`` arrays when it is dense. Each case is a random product-level economy
with exactly ``--inputs`` (20) inputs per product (``20 n`` non-zeros; column sums of ``A`` in
[0.5, 0.8]), one imported input per product, baseline ``x0 = A x0 + f0``, and a shock: a tenth of
the branches lose half their capacity and every import arrives at 60 % for 8 weeks. 52 weeks,
14 days of stock.

* **side by side** (sizes where a dense ``n x n`` fits, ``--sizes``, default 1,000 and 2,000):
  the same case with ``A`` dense and with ``A`` sparse, the time of each, the ratio, the peak
  memory of each and the largest difference of the answers (every result field, relative to its
  scale);
* **sparse alone** (``--sparse-sizes``, up to 10^5 products, 2*10^6 non-zeros): time and peak
  memory with proportional rationing and Leontief production (the defaults), and at the largest
  size also with industry-first and priority rationing (50 ranks) and half-critical production
  with per-pair criticality (a sparse matrix on the pattern of ``A``);
* one denser table (``--dense-table``, n = 1,000 at 30 % fill) for the case a dense path is built for.

Times are the best of ``--repeat`` runs, wall clock (``time.perf_counter``) and CPU
(``time.process_time``), one run for the dense path above n = 1,000 and for the sparse path above
10^4; memory is the peak of numpy's allocations during the runs (``tracemalloc``), which includes
the ``(weeks, n)`` result arrays. The default run takes about 2.5 minutes on the shared 2-core
machine (47 s of CPU); ``--sizes 1000,3000`` makes the dense n = 3,000 run one to two minutes of
it. Writes ``bench/results/propagation.md``.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from _common import command_line, environment, environment_lines

from autarky.solve.propagation import PropagationResult, Shock, propagate

WEEKS = 52
FIELDS = ("output", "demand", "final_demand", "final_delivered", "imports_delivered",
          "total_loss")


def case(n: int, inputs: int, seed: int) -> dict[str, Any]:
    """A random economy with ``inputs`` distinct inputs per product and its shock."""
    rng = np.random.default_rng(seed)
    k = min(inputs, n)
    rows = np.sort(rng.integers(0, n - k + 1, size=(n, k)), axis=1) + np.arange(k)
    vals = rng.uniform(0.1, 1.0, (n, k))
    vals *= (rng.uniform(0.5, 0.8, n) / vals.sum(axis=1))[:, np.newaxis]
    A = sp.csc_array((vals.ravel(), (rows.ravel(), np.repeat(np.arange(n), k))), shape=(n, n))
    Am = sp.csc_array((rng.uniform(0.01, 0.1, n), (rng.integers(0, n, n), np.arange(n))),
                      shape=(n, n))
    f0 = rng.uniform(1.0, 10.0, n)
    x0 = f0.copy()
    for _ in range(200):  # x0 = L f0 by Neumann's series (column sums <= 0.8)
        x0 = A @ x0 + f0
    f0 = np.maximum(x0 - A @ x0, 0.0)
    cap = np.ones((WEEKS, n))
    cap[:8, rng.uniform(size=n) < 0.1] = 0.5
    imp = np.ones((WEEKS, n))
    imp[:8] = 0.6
    return {"A": A, "Am": Am, "x0": x0, "f0": f0, "shock": Shock(capacity=cap, imports=imp),
            "rng": rng}


def run(c: dict[str, Any], dense: bool, **kwargs: Any) -> PropagationResult:
    A, Am = (c["A"].toarray(), c["Am"].toarray()) if dense else (c["A"], c["Am"])
    return propagate(A, c["x0"], c["f0"], Am=Am, shock=c["shock"], weeks=WEEKS,
                     inventory_days=14.0, **kwargs)


def measure(fn: Callable[[], PropagationResult], repeat: int
            ) -> tuple[float, float, float, PropagationResult]:
    """Best wall and best CPU time of ``repeat`` runs (s), the peak of numpy's allocations
    (MiB; every run is traced, which costs no measurable time here: the work is a few dozen
    array operations a week), and the last result."""
    wall = cpu = peak = 0.0
    res = None
    for k in range(max(1, repeat)):
        res = None
        tracemalloc.start()
        t0, c0 = time.perf_counter(), time.process_time()
        res = fn()
        w, c = time.perf_counter() - t0, time.process_time() - c0
        peak = max(peak, tracemalloc.get_traced_memory()[1] / 2**20)
        tracemalloc.stop()
        wall, cpu = (w, c) if k == 0 else (min(wall, w), min(cpu, c))
    assert res is not None
    return wall, cpu, peak, res


def difference(a: PropagationResult, b: PropagationResult) -> float:
    """Largest difference of every field, each relative to the field's scale."""
    worst = 0.0
    for name in FIELDS:
        x, y = getattr(a, name), getattr(b, name)
        worst = max(worst, float(np.max(np.abs(x - y))) / max(1.0, float(np.max(np.abs(y)))))
    for name in ("inventory", "import_inventory"):
        x, y = getattr(a, name), getattr(b, name)
        x = x.toarray() if sp.issparse(x) else x
        y = y.toarray() if sp.issparse(y) else y
        worst = max(worst, float(np.max(np.abs(x - y))) / max(1.0, float(np.max(np.abs(y)))))
    return worst


def side_by_side(n: int, inputs: int, repeat: int, label: str = "") -> str:
    c = case(n, inputs, seed=n)
    nnz = c["A"].nnz
    t_d, c_d, m_d, r_d = measure(lambda: run(c, dense=True), repeat if n <= 1000 else 1)
    t_s, c_s, m_s, r_s = measure(lambda: run(c, dense=False), repeat)
    diff = difference(r_s, r_d)
    assert diff < 1e-10, f"sparse and dense differ by {diff:.1e} at n = {n}"
    lost = float(r_s.total_loss.sum() / (r_s.baseline.sum() * WEEKS))
    return (f"| {n:,}{label} | {nnz:,} | {t_d:.2f} ({c_d:.2f}) | {t_s:.3f} ({c_s:.3f}) | "
            f"**{t_d / t_s:.0f}** ({c_d / c_s:.0f}) | {m_d:.0f} | {m_s:.1f} | {m_d / m_s:.0f} | "
            f"{diff:.1e} | {lost:.2%} |")


def sparse_alone(n: int, inputs: int, repeat: int, variants: bool) -> list[str]:
    c = case(n, inputs, seed=n)
    nnz = c["A"].nnz
    A = c["A"]
    crit = sp.csc_array((c["rng"].choice([0.0, 0.5, 1.0], A.nnz), A.indices, A.indptr),
                        shape=A.shape)
    todo: list[tuple[str, dict[str, Any]]] = [("proportional, Leontief", {})]
    if variants:
        todo += [("industry-first, Leontief", {"scheme": "industry-first"}),
                 ("priority (50 ranks), Leontief",
                  {"scheme": "priority", "priority": c["rng"].integers(0, 50, n + 1)}),
                 ("proportional, half-critical (per-pair criticality)",
                  {"production": "half-critical", "criticality": crit})]
    rows = []
    for label, kw in todo:
        t, cpu, m, r = measure(lambda kw=kw: run(c, dense=False, **kw),
                               repeat if n <= 10_000 else 1)
        lost = float(r.total_loss.sum() / (r.baseline.sum() * WEEKS))
        results = 5 * WEEKS * n * 8 / 2**20
        rows.append(f"| {n:,} | {nnz:,} | {label} | **{t:.2f}** ({cpu:.2f}) | "
                    f"{t / WEEKS * 1e3:.0f} | "
                    f"{m:.0f} | {results:.0f} | {(m - results) * 2**20 / nnz:.0f} | "
                    f"{8 * n * n / 2**20:,.0f} | {lost:.2%} | {r.recovery_week} |")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,2000", help="side by side, dense and sparse")
    ap.add_argument("--sparse-sizes", default="10000,100000", help="sparse path alone")
    ap.add_argument("--inputs", type=int, default=20, help="inputs per product")
    ap.add_argument("--dense-table", type=int, default=1000,
                    help="n of the 30 %% filled table run both ways (0: none)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "propagation.md"))
    args = ap.parse_args()
    env = environment()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    big = [int(s) for s in args.sparse_sizes.split(",") if s]
    both_rows = [side_by_side(n, args.inputs, args.repeat) for n in sizes]
    if args.dense_table:
        both_rows.append(side_by_side(args.dense_table, int(0.3 * args.dense_table), args.repeat,
                                      " (30 % filled)"))
    alone = [row for n in big for row in sparse_alone(n, args.inputs, args.repeat, n == max(big))]
    text = "\n".join([
        "# Shock propagation: sparse technology against dense", "",
        f"`python bench/propagation.py`: {WEEKS} weeks, {args.inputs} inputs per product (one "
        "imported input each), a tenth of the branches at half capacity and imports at 60 % for "
        "8 weeks, 14 days of stock, proportional rationing and Leontief production unless said. "
        f"Times: wall seconds, CPU seconds in brackets (the machine is shared: where the two "
        f"differ, other work was running), best of {args.repeat} runs (one run for the dense "
        "path above n = 1,000 and the sparse path above 10^4); memory: the peak of numpy's "
        "allocations during a run (`tracemalloc`), results included.", "",
        *environment_lines(env, command_line()), "",
        "## Side by side (the same case, `A` dense and `A` sparse)", "",
        "| n | non-zeros | dense s (CPU) | sparse s (CPU) | dense / sparse (CPU) | dense peak MiB | "
        "sparse peak MiB | memory ratio | largest difference | output lost |",
        "|---|---|---|---|---|---|---|---|---|---|", *both_rows, "",
        "Largest difference: over every result field in every week and the final stocks, "
        "relative to the field's largest value. Output lost: the share of baseline output over "
        "the 52 weeks.", "",
        "## The sparse path alone", "",
        "| n | non-zeros | scheme, production | s (CPU) | ms per week | peak MiB | of which results "
        "MiB | rest, bytes per non-zero | one dense n x n MiB | output lost | recovery week |",
        "|---|---|---|---|---|---|---|---|---|---|---|", *alone, "",
        "Results: the five `(weeks, n)` arrays of the answer (output, demand, final demand asked "
        "and served, imports), 5 x 52 x 8 bytes per product. The rest is the per-pair state (a "
        "few arrays of `nnz` floats: stocks, targets, orders, deliveries, the week's "
        "temporaries) and the `(weeks, n)` shock factors. Recovery week `None`: output is still "
        "off its baseline in the last week; priority rationing without spare capacity can "
        "collapse the network (the module docstring says why), which the 50-rank run shows.", "",
        "Goal 6 of issue 12: 10^5 products x 52 weeks in at most 30 s.", "",
    ])
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
