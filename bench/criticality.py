"""Criticality of every branch of a sparse economy (hypothetical extraction): the diagonal route
(:func:`autarky.solve.extraction.extraction_losses` with ``diagonal="auto"``, i.e. ``x``, ``m`` and
:func:`autarky.solve.inverse_diagonal.leontief_diagonal`) against today's route (``diagonal="columns"``:
the diagonal of ``L`` from its ``n`` columns, solved in blocks), in one run.

Technologies (``n`` products, 20 inputs each, column sums uniform in [0.5, 0.8], productive):

* ``expander``: the inputs drawn at random (``bench/scale.py``'s technology): no structure at all;
* ``banded``: the inputs drawn from within 60 positions of the product in a hidden order (the
  products are shuffled before the run), a local supply network;
* ``hubbed``: ``banded`` plus 5 universal inputs (energy, transport, ...) that every product buys,
  20 % of its inputs;
* ``tiered``: products in tiers of 40, 5 inputs from the own tier (cycles inside a tier) and 15
  from earlier tiers (a supply chain), shuffled;
* ``grid``: products on a square grid, inputs from within 3 cells in each direction (a
  two-dimensional local network), shuffled: local, but no band narrower than about ``6 sqrt(n)``.

Each case runs in a fresh subprocess (its peak resident memory, ``ru_maxrss``, includes building
the technology). Times are wall clock. Agreement: the largest relative difference of ``total``
from today's route where that runs; the true error: against ``numpy.linalg.inv`` up to
``--truth-max`` products, beyond on ``--sample`` branches whose ``L_kk`` is solved for directly
(column ``k`` of ``L``, to the solver's tolerance). The certified bound is the one the result
carries (0 on exact routes).

Writes ``bench/results/criticality.md``. Usage: ``python bench/criticality.py`` (sizes 2,000, 10^4
and 10^5, today's route at 2,000 on the expander and the banded technology: about 4 minutes);
``--sizes``, ``--old`` (``shape:n`` pairs for today's route), ``--shapes``, ``--probes`` (default:
the work budget of ``leontief_diagonal``). The committed results add n = 5,000 with today's route
there too (``--sizes 2000,5000,10000,100000 --old expander:2000,banded:2000,expander:5000,banded:5000
--timeout 900``, about 10 minutes).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from _common import ROOT, command_line, environment, environment_lines

INPUTS = 20


def _scale(rows: np.ndarray, n: int, rng: np.random.Generator) -> sp.csr_array:
    cols = np.repeat(np.arange(n), rows.shape[1])
    vals = rng.uniform(0.1, 1.0, rows.shape)
    A = sp.csr_array((vals.ravel(), (rows.ravel(), cols)), shape=(n, n))
    A.sum_duplicates()
    colsum = np.asarray(A.sum(axis=0)).ravel()
    return sp.csr_array(A @ sp.diags_array(rng.uniform(0.5, 0.8, n) / colsum))


def _shuffle(A: sp.csr_array, rng: np.random.Generator) -> sp.csr_array:
    p = rng.permutation(A.shape[0])
    return sp.csr_array(A[p][:, p])


def technology(shape: str, n: int, seed: int = 1) -> sp.csr_array:
    rng = np.random.default_rng(seed)
    k = INPUTS
    if shape == "expander":
        rows = np.sort(rng.integers(0, n - k + 1, size=(n, k)), axis=1) + np.arange(k)
        return _scale(rows, n, rng)
    if shape in ("banded", "hubbed"):
        rows = np.clip(np.arange(n)[:, None] + rng.integers(-60, 61, (n, k)), 0, n - 1)
        A = _scale(rows, n, rng)
        if shape == "hubbed":
            hubs = rng.choice(n, 5, replace=False)
            r, c = np.repeat(hubs, n), np.tile(np.arange(n), 5)
            A = sp.csr_array(0.8 * A + sp.csr_array((np.full(r.size, 0.2 * 0.65 / 5), (r, c)),
                                                    shape=(n, n)))
        return _shuffle(A, rng)
    if shape == "tiered":
        tier = 40
        t = np.arange(n) // tier
        own = t[:, None] * tier + rng.integers(0, tier, (n, 5))
        earlier = (rng.uniform(0, 1, (n, k - 5)) * (t[:, None] * tier)).astype(np.int64)
        earlier = np.where(t[:, None] > 0, earlier, own[:, :1])
        rows = np.minimum(np.concatenate([own, earlier], axis=1), n - 1)
        return _shuffle(_scale(rows, n, rng), rng)
    if shape == "grid":
        side = math.isqrt(n)
        if side * side != n:
            raise SystemExit(f"grid needs a square n, got {n}")
        gx, gy = np.divmod(np.arange(n), side)
        dx, dy = rng.integers(-3, 4, (n, k)), rng.integers(-3, 4, (n, k))
        rows = np.clip(gx[:, None] + dx, 0, side - 1) * side + np.clip(gy[:, None] + dy, 0, side - 1)
        return _shuffle(_scale(rows, n, rng), rng)
    raise SystemExit(f"unknown shape {shape!r}")


# ------------------------------------------------------------------------------------ worker
def worker(shape: str, n: int, route: str, probes: int, truth_max: int, sample: int,
           split: int = -1) -> dict[str, Any]:
    from autarky.solve.extraction import extraction_losses
    from autarky.solve.leontief import LeontiefSolver

    A = technology(shape, n)
    rng = np.random.default_rng(n)
    y, w = rng.uniform(1.0, 10.0, n), rng.uniform(0.5, 2.0, n)
    solver = LeontiefSolver(A)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a missed 1e-6 is reported as the bound
        res = extraction_losses(A, y, w, solver=solver, diagonal=route,  # type: ignore[arg-type]
                                probes=probes or None, split=None if split < 0 else split)
    seconds = time.perf_counter() - t0
    out: dict[str, Any] = {"shape": shape, "n": n, "route": route, "seconds": seconds,
                           "method": res.method, "bound": res.bound, "nnz": int(A.nnz)}
    if route == "auto":
        x = np.asarray(solver.solve(y)).ravel()
        m = np.asarray(solver.solve_transposed(w)).ravel()
        if n <= truth_max:
            diag = np.diag(np.linalg.inv(np.eye(n) - A.toarray()))
            ks = np.arange(n)
            out["truth"] = "numpy.linalg.inv"
        else:
            ks = np.sort(rng.choice(n, sample, replace=False))
            E = np.zeros((n, len(ks)))
            E[ks, np.arange(len(ks))] = 1.0
            diag = np.full(n, np.nan)
            diag[ks] = np.asarray(solver.solve(E)).reshape(n, len(ks))[ks, np.arange(len(ks))]
            out["truth"] = f"{len(ks)} columns of L"
        true_total = x[ks] * m[ks] / diag[ks]
        out["true_error"] = float(np.max(np.abs(res.total[ks] - true_total) / np.abs(true_total)))
    out["total"] = res.total.tolist() if n <= 5000 else None
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def run_case(shape: str, n: int, route: str, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", f"{shape}:{n}:{route}", "--probes", str(args.probes),
           "--truth-max", str(args.truth_max), "--sample", str(args.sample), "--split", str(args.split)]
    t0 = time.perf_counter()
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout, check=False,
                             cwd=ROOT)
    except subprocess.TimeoutExpired:
        print(f"  {shape} n={n} {route}: not finished in {args.timeout} s", flush=True)
        return {"shape": shape, "n": n, "route": route, "error": f"not finished in {args.timeout} s"}
    if out.returncode:
        error = (out.stderr.strip().splitlines() or ["failed"])[-1]
        print(f"  {shape} n={n} {route}: {error}", flush=True)
        return {"shape": shape, "n": n, "route": route, "error": error}
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res["process_seconds"] = time.perf_counter() - t0
    print(f"  {shape} n={n} {route}: {res['seconds']:.2f} s, bound {res['bound']:.2g}", flush=True)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="2000,10000,100000")
    ap.add_argument("--shapes", default="expander,banded,hubbed,tiered,grid")
    ap.add_argument("--old", default="expander:2000,banded:2000",
                    help="shape:n pairs where today's route runs too")
    ap.add_argument("--probes", type=int, default=0, help="0: leontief_diagonal's default")
    ap.add_argument("--split", type=int, default=-1,
                    help="power of the split bound (0: probing only, the route before it; -1: the default)")
    ap.add_argument("--truth-max", type=int, default=2000)
    ap.add_argument("--sample", type=int, default=16)
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--code", default=None,
                    help="what to record as the code measured (default: the commit and its state)")
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "criticality.md"))
    args = ap.parse_args()
    if args.worker:
        shape, n, route = args.worker.split(":")
        print(json.dumps(worker(shape, int(n), route, args.probes, args.truth_max, args.sample,
                                args.split)))
        return
    env = environment({"code": args.code} if args.code else None)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    shapes = [s for s in args.shapes.split(",") if s]
    old = {(p.split(":")[0], int(p.split(":")[1])) for p in args.old.split(",") if p}
    rows = []
    for n in sizes:
        for shape in shapes:
            size = math.isqrt(n) ** 2 if shape == "grid" else n  # a grid on the nearest square
            new = run_case(shape, size, "auto", args)
            prev = run_case(shape, size, "columns", args) if (shape, size) in old else None
            rows.append((shape, size, new, prev))
    write(args, env, rows)


NOTES = [
    "## Reading", "",
    "- The new route's time includes everything `extraction_losses` does: the solves for `x`, for "
    "the multipliers `m` and for the productiveness certificate `s`, and the diagonal.",
    "- Exact routes (bound 0): strong components (the tiered chain), banded block selected "
    "inversion after reverse Cuthill-McKee (the hidden band is found again), the same with the "
    "hubs as a border (Schur complement), and a dense inverse up to 5,000 branches. Their error "
    "is rounding (1e-14 against the columns of `L`).",
    "- The expander has no structure to exploit: beyond 5,000 branches the diagonal is certified, "
    "not exact. The split bound (`autarky.solve.split_bound`, power `a = 3` by the work budget) "
    "makes the diagonal of `I + A + ... + A^6` exact and bounds the rest by a Schur test; its "
    "width is about `rho^6 s / 20^3`, with Cauchy-Schwarz's slack about `n / 20^3`. The true tail "
    "after `A^5` is itself 1e-6 to 4e-6 at 10^5, so 1e-6 needs the rows of `A^4`, which fill to `n` "
    "entries (3.2e10 multiply-adds for the rows and the columns, about 25 minutes here), or the "
    "`n` columns of `L` (about "
    "3e12 flops): on this technology the cost, not the method, is the limit. Probing alone "
    "(`--split 0`, the route before) sees no further than `1/C` for `C` probe classes.",
    "- The grid (a two-dimensional local network) is the structure the exact routes miss at "
    "10^5: reverse Cuthill-McKee leaves a band of about 2,000, and the banded selected inversion "
    "would need about 1.6e12 flops; a nested-dissection selected inversion (not built) would be "
    "its exact route. The split bound shrinks by about 0.36 a power there but its rows grow "
    "as `(6a + 1)^2`: in a prototype, `a = 6` gave 4.6e-4 in 78 s, `a = 10` 1.2e-5 in 356 s.",
    "- The true error of the certified answers is about half the bound: the value is the "
    "midpoint of the bounds (the choice that makes the certified bound smallest), while the true "
    "`L_kk` lies near the lower bound.",
    "",
]


def _fmt(v: Any, spec: str) -> str:
    return format(v, spec) if isinstance(v, (int, float)) else "-"


def write(args: argparse.Namespace, env: dict[str, str], rows: list[tuple[str, int, dict, Any]]) -> None:
    lines = ["# Criticality of every branch of a sparse economy", ""]
    lines += environment_lines(env, command_line())
    lines += ["", "## The diagonal route against today's route (columns of L)", "",
              "20 inputs per product, column sums in [0.5, 0.8]; times in seconds (wall), peak "
              "resident memory of the whole process in MB; bound: the certified relative error "
              "of `total` the result carries (0: exact route); true error: largest relative error "
              "of `total` against the truth named.", "",
              "| technology | n | new route: method | new s | peak MB | certified bound | true error "
              "(truth) | today's route s | today / new | largest difference |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for shape, n, new, prev in rows:
        if "error" in new:
            lines.append(f"| {shape} | {n:,} | {new['error']} | - | - | - | - | - | - | - |")
            continue
        method = new["method"].removeprefix("low-rank/diagonal ")
        truth = f"{_fmt(new.get('true_error'), '.1e')} ({new.get('truth', '-')})"
        if prev is None:
            old_s = ratio = diff = "not run"
        elif "error" in prev:
            old_s, ratio, diff = prev["error"], "-", "-"
        else:
            old_s = f"{prev['seconds']:.2f}"
            ratio = f"**{prev['seconds'] / new['seconds']:.0f}**"
            a, b = np.asarray(new["total"]), np.asarray(prev["total"])
            diff = f"{np.max(np.abs(a - b) / np.abs(b)):.1e}"
        lines.append(f"| {shape} | {n:,} | {method} | {new['seconds']:.2f} | {new['peak_mb']:.0f} | "
                     f"{new['bound']:.1e} | {truth} | {old_s} | {ratio} | {diff} |")
    lines += ["", "load average at the end is in the header; the machine is shared, so read the "
              "ratios and the bounds, not the absolute times.", ""]
    lines += NOTES
    Path(args.out).write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
