"""The full indicator set at size: a dense n = 9,800 economy against pymrio's ``calc_all``, and
sparse product-level economies of 10^5 to 10^7 products, with the bandwidth bound of each solve.

**Dense** (default n = 9,800, the EXIOBASE product-by-product size): a value table with
every entry filled, as in a multi-regional table; column sums of
``A`` uniform in [0.5, 0.8]; two partners with competitive import shares uniform in [0, 0.3];
five factors. autarky, in a fresh process: build the economy (validation and the productiveness
proof), the balance (gross output) and the indicators (import content in total and per partner,
value-added content, the five factor contents ``F L_d``). pymrio, in a fresh process, on the
same domestic system (``Z_d = A_d diag(x)``, home final use, the five factors as one extension):
``IOSystem.calc_all()`` (``A``, ``L``, ``x``, ``S``, ``M`` and the footprint accounts). Each side
reports its time and its peak resident memory (``VmHWM``); the answers are compared (gross output,
and autarky's factor content against pymrio's ``M``).

**Sparse**: ``n`` products with 20 inputs each (``20 n`` non-zeros, the layout of
``bench/scale.py``), the same partners and factors; build, balance and indicators, each timed,
peak memory of the fresh process.

**Bandwidth bound**: the passes over ``A`` each GMRES solve made (from
``LeontiefSolver.history``) times the measured time of one pass with the same number of columns;
the ratio of the solve time to it says how far the solve is from the cost of reading ``A`` that
many times.

**Side by side** (sparse): ``--threads 1,2`` runs today's code once per number of threads
(``AUTARKY_NUM_THREADS``), ``--baseline REV`` the code of commit ``REV`` too (its ``src``
exported with ``git archive``), ``--repeat R`` every variant ``R`` times in turn (the best of
each is reported: the machine is shared), so the variants meet the same load.

**Threads** (``--crossover 10000,100000,1000000``): one product ``A v`` with the sparse
technology of each size, split into row blocks for 1, 2 and 4 threads
(``autarky.solve.parallel.RowBlocks``, every size split whatever its number of non-zeros), the
variants taken in turn 15 times; best and median per product; the answers compared bit for bit.
The dense comparison with ``--baseline`` is likewise repeated ``--repeat`` times, alternating
which code runs first (the first process to touch 1.5 GB of fresh memory pays for it).

Usage: ``python bench/indicators_scale.py`` (dense 9,800, sparse 10^5 and 10^6);
``--dense-n``, ``--sparse-sizes 100000,1000000,10000000``, ``--no-pymrio``, ``--out``,
``--threads``, ``--baseline``, ``--repeat``, ``--crossover``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from _common import ROOT, command_line, environment, environment_lines

FACTORS = 5
PARTNERS = 2
INPUTS = 20


def peak_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def dense_data(n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    A = rng.uniform(0.0, 1.0, (n, n))
    A *= (rng.uniform(0.5, 0.8, n) / A.sum(axis=0))[np.newaxis, :]
    return {"A": A, "y": rng.uniform(1.0, 10.0, n), "S": rng.uniform(0.0, 0.3, (PARTNERS, n)),
            "F": rng.uniform(0.0, 1.0, (FACTORS, n))}


def sparse_A(n: int, seed: int) -> Any:
    sys.path.insert(0, str(ROOT / "bench"))
    from scale import technology

    return technology(n, seed, INPUTS)


# ------------------------------------------------------------------------- worker processes
def pass_time(A: Any, k: int, repeat: int = 3) -> float:
    """Seconds of one product ``A @ V`` with ``k`` columns (best of ``repeat``)."""
    V = np.random.default_rng(0).uniform(size=(A.shape[0], k))
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        A @ V
        best = min(best, time.perf_counter() - t0)
    return best


def run_autarky(kind: str, n: int, workdir: Path) -> dict[str, Any]:
    import pandas as pd

    import autarky.plan  # imports outside the timings
    import autarky.reliance  # noqa: F401
    from autarky import Economy

    if kind == "dense":
        d = {k: np.load(workdir / f"{k}.npy") for k in ("A", "y", "S", "F")}
        A = d["A"]
    else:
        rng = np.random.default_rng(n)
        A = sparse_A(n, n)
        d = {"y": rng.uniform(1.0, 10.0, n), "S": rng.uniform(0.0, 0.3, (PARTNERS, n)),
             "F": rng.uniform(0.0, 1.0, (FACTORS, n))}
    base = peak_mib()
    out: dict[str, Any] = {"n": n, "nnz": int(A.nnz) if kind == "sparse" else n * n}
    # the technology handed over, not copied (codes before 2026-12-02 have no such option)
    import inspect
    own = {"copy": False} if "copy" in inspect.signature(Economy.__init__).parameters else {}
    out["copy"] = not own
    t0 = time.perf_counter()
    eco = Economy.from_coefficients(
        A, d["y"], partners=pd.DataFrame(index=[f"p{i}" for i in range(PARTNERS)]),
        factors=pd.DataFrame({"unit": ["h"] * FACTORS}, index=[f"f{i}" for i in range(FACTORS)]),
        import_shares=d["S"], factor_coefficients=d["F"], **own)
    del A
    out["build"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    plan = eco.plan.balance()
    out["balance"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    ind = eco.reliance.indicators(plan="balance")
    out["indicators"] = time.perf_counter() - t0
    out["peak"] = peak_mib()
    out["added"] = out["peak"] - base
    hist = [{"columns": r.columns, "method": r.method, "passes": r.passes,
             "transposed": r.transposed,
             "iterations": r.iterations, "residual": r.residual, "seconds": r.seconds}
            for r in eco.solver.history]
    out["solves"] = sum(h["seconds"] for h in hist)
    out["history"] = hist
    out["used"] = eco.solver.used
    # the bandwidth bound: passes x one pass with as many columns (of the technology solved)
    Ad = eco.A_d
    from autarky.solve.leontief import SPARSE_BLOCK_BYTES

    chunk = max(1, SPARSE_BLOCK_BYTES // (8 * n)) if kind == "sparse" else 10**9
    solver = eco.solver
    if hasattr(solver, "_operator"):   # the operators the solves used (row blocks on threads)
        fwd, bwd = solver._operator(False), solver._operator(True)
    else:                              # older code: A_d, and the transposed copy
        fwd, bwd = Ad, solver._transpose()
    out["bound"] = sum(h["passes"] * pass_time(bwd if h["transposed"] else fwd,
                                               min(h["columns"], chunk))
                       for h in hist if h["method"].startswith("krylov"))
    out["pass_1"] = pass_time(fwd, 1)
    out["threads"] = getattr(fwd, "threads", 1)
    out["load"] = os.getloadavg()[0]
    if kind == "dense":
        np.save(workdir / "x_autarky.npy", plan.gross_output.to_numpy())
        np.save(workdir / "fc_autarky.npy", ind.factor_content.to_numpy())
    return out


def run_pymrio(n: int, workdir: Path) -> dict[str, Any]:
    import pandas as pd
    import pymrio

    d = {k: np.load(workdir / f"{k}.npy") for k in ("A", "y", "S", "F")}
    base = peak_mib()
    t0 = time.perf_counter()
    # the domestic system autarky's indicators measure: A_d = (1 - s) A, home final use (1 - s) y
    keep = 1.0 - d["S"].sum(axis=0)
    Ad = keep[:, np.newaxis] * d["A"]
    del d["A"]
    yd = keep * d["y"]
    x = np.linalg.solve(np.eye(n) - Ad, yd)
    prep = time.perf_counter() - t0
    idx = pd.MultiIndex.from_product([["r"], [f"b{i}" for i in range(n)]],
                                     names=["region", "sector"])
    Z = pd.DataFrame(Ad * x[np.newaxis, :], index=idx, columns=idx)
    del Ad
    Y = pd.DataFrame(yd, index=idx,
                     columns=pd.MultiIndex.from_tuples([("r", "final")], names=["region", "category"]))
    F = pd.DataFrame(d["F"] * x[np.newaxis, :], index=[f"f{i}" for i in range(FACTORS)], columns=idx)
    io = pymrio.IOSystem(Z=Z, Y=Y)
    io.factors = pymrio.Extension(name="factors", F=F)
    del Z, Y, F
    base2 = peak_mib()
    t0 = time.perf_counter()
    io.calc_all()
    out = {"calc_all": time.perf_counter() - t0, "prep_outside": prep, "peak": peak_mib(),
           "added": peak_mib() - base, "system_built": base2}
    np.save(workdir / "x_pymrio.npy", io.x.to_numpy().ravel())
    np.save(workdir / "M_pymrio.npy", io.factors.M.to_numpy())
    return out


def subprocess_run(args: list[str], src: Path | None = None,
                   threads: int | None = None) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(src or ROOT / "src"))
    if threads is not None:
        env["AUTARKY_NUM_THREADS"] = str(threads)
    res = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                         env=env, check=False)
    if res.returncode != 0:
        return {"error": (res.stderr or res.stdout)[-2000:]}
    return json.loads(res.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------------------ main
def fmt(v: float) -> str:
    return f"{v:.3g}" if v < 100 else f"{v:,.0f}"


def crossover(sizes: list[int]) -> list[str]:
    """One sparse product on 1, 2 and 4 threads per size, in turn (see the module docstring)."""
    from autarky.solve import parallel

    parallel.PARALLEL_MIN_NNZ = 0
    lines = ["## One sparse product on threads (20 inputs per product)", "",
             "| n | non-zeros | 1 thread ms (best / median) | 2 threads | 4 threads | "
             "2 threads / 1 (median) | load (1 min) |", "|---|---|---|---|---|---|---|"]
    for n in sizes:
        A = sparse_A(n, n)
        v = np.random.default_rng(0).uniform(size=n)
        blocks = {t: parallel.RowBlocks(A, threads=t) for t in (1, 2, 4)}
        ref = A @ v
        assert all(np.array_equal(b @ v, ref) for b in blocks.values())
        reps = max(3, int(4e6 // max(A.nnz, 1)))
        times: dict[int, list[float]] = {t: [] for t in blocks}
        for _ in range(15):
            for t, b in blocks.items():
                t0 = time.perf_counter()
                for _ in range(reps):
                    b @ v
                times[t].append((time.perf_counter() - t0) / reps * 1e3)
        med = {t: sorted(x)[len(x) // 2] for t, x in times.items()}
        cells = [f"{min(times[t]):.3f} / {med[t]:.3f}" for t in (1, 2, 4)]
        lines.append(f"| {n:,} | {A.nnz:,} | {' | '.join(cells)} | {med[1] / med[2]:.2f}x | "
                     f"{os.getloadavg()[0]:.2f} |")
        print(lines[-1], flush=True)
    return [*lines, "", "Every split product equal to scipy's serial `A @ v` bit for bit.", ""]


def variants(a: argparse.Namespace, wd: Path) -> list[tuple[str, Path | None, int | None]]:
    """(label, src folder, threads) of every sparse variant: today's code (per number of
    threads), and the baseline commit's."""
    out: list[tuple[str, Path | None, int | None]] = []
    threads = [int(t) for t in a.threads.split(",") if t]
    for t in threads or [None]:
        out.append(("today" + (f", {t} thread{'s' if t != 1 else ''}" if t else ""), None, t))
    if a.baseline:
        rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", a.baseline],
                             capture_output=True, text=True, check=True).stdout.strip()
        dest = wd / f"src-{rev}"
        if not dest.exists():
            dest.mkdir()
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"],
                                     capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
        out.append((f"{rev} (baseline)", dest / "src", None))
    return out


def sparse_section(sizes: list[int], wd: Path, a: argparse.Namespace) -> list[str]:
    """The sparse table: every size, every variant (the best of ``--repeat`` runs in turn)."""
    lines = [f"## Sparse, {INPUTS} inputs per product", "",
             "| n | code | threads | build s | balance s | indicators s | all s | peak MiB "
             "(added) | passes | solves x the bandwidth bound | load (1 min) | solver |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    vs = variants(a, wd)
    for n in sizes:
        runs: dict[str, list[dict[str, Any]]] = {label: [] for label, _, _ in vs}
        for _ in range(max(1, a.repeat)):
            for label, src, threads in vs:
                runs[label].append(subprocess_run(["--worker", "sparse", str(n), str(wd)],
                                                  src, threads))
        base_all = None
        rows = []
        for label, _, _ in vs:
            ok = [r for r in runs[label] if "error" not in r]
            if not ok:
                rows.append(f"| {n:,} | {label} | | failed: {runs[label][0]['error'][-200:]!r} "
                            "| | | | | | | | |")
                continue
            r = min(ok, key=lambda r: r["build"] + r["balance"] + r["indicators"])
            allt = r["build"] + r["balance"] + r["indicators"]
            if "baseline" in label:
                base_all = allt
            rows.append((label, r, allt))
        for row in rows:
            if isinstance(row, str):
                lines.append(row)
                continue
            label, r, allt = row
            ratio = f" ({base_all / allt:.2f}x)" if base_all and "baseline" not in label else ""
            loads = ", ".join(f"{x['load']:.1f}" for x in runs[label] if "load" in x)
            lines.append(
                f"| {n:,} | {label} | {r.get('threads', 1)} | {fmt(r['build'])} | "
                f"{fmt(r['balance'])} | {fmt(r['indicators'])} | **{fmt(allt)}**{ratio} | "
                f"{fmt(r['peak'])} ({fmt(r['added'])}) | "
                f"{sum(h['passes'] for h in r['history'])} | "
                f"{r['solves'] / max(r['bound'], 1e-9):.2f} | {loads or '-'} | {r['used']} |")
            print(lines[-1], flush=True)
    lines += ["", f"Each variant run {max(1, a.repeat)} time(s) in turn; the best shown, with the "
              "load of every run; (Nx): the baseline's time over this one's."
              if len(vs) > 1 else "", ""]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dense-n", type=int, default=9800)
    ap.add_argument("--sparse-sizes", default="100000,1000000")
    ap.add_argument("--no-pymrio", action="store_true")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "indicators_scale.md"))
    ap.add_argument("--threads", default="", help="sparse: today's code once per number of "
                    "threads, e.g. 1,2 (default: one run, threads from the environment)")
    ap.add_argument("--baseline", default="", help="sparse: also the code of this commit")
    ap.add_argument("--repeat", type=int, default=1, help="runs of every sparse variant (and "
                    "of the dense autarky runs, with --baseline)")
    ap.add_argument("--crossover", default="", help="sizes for the threads crossover table")
    ap.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        who, n, wd = a.worker
        res = run_pymrio(int(n), Path(wd)) if who == "pymrio" else run_autarky(who, int(n), Path(wd))
        print(json.dumps(res, default=float))
        return
    try:
        import pymrio
        extra = {"pymrio": pymrio.__version__}
    except ImportError:
        extra = {"pymrio": "not installed"}
    env = environment(extra)
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        wd = Path(tmp)
        if a.dense_n:
            n = a.dense_n
            for k, v in dense_data(n, 1).items():
                np.save(wd / f"{k}.npy", v)
            others = [(label, src) for label, src, _ in variants(a, wd) if src is not None]
            tries: dict[str, list[dict[str, Any]]] = {"today": []}
            tries.update({label: [] for label, _ in others})
            for k in range(max(1, a.repeat) if others else 1):
                order = [("today", None), *others]
                for label, src in (order if k % 2 == 0 else order[::-1]):
                    tries[label].append(subprocess_run(["--worker", "dense", str(n), str(wd)],
                                                       src))

            def fastest(rs: list[dict[str, Any]]) -> dict[str, Any]:
                ok = [r for r in rs if "error" not in r]
                return min(ok, key=lambda r: r["build"] + r["balance"] + r["indicators"]) \
                    if ok else rs[0]

            aut = fastest(tries["today"])
            notes: list[str] = []
            base = [(label, fastest(tries[label])) for label, _ in others]
            pym = {} if a.no_pymrio else subprocess_run(["--worker", "pymrio", str(n), str(wd)])
            lines += [f"## Dense, n = {n:,} (every entry filled; {PARTNERS} partners, "
                      f"{FACTORS} factors)", ""]
            if "error" in aut:
                lines += ["autarky failed:", "```", aut["error"], "```", ""]
            else:
                solve = aut["balance"] + aut["indicators"]
                total = aut["build"] + solve
                lines += ["| | seconds | peak MiB (added by the run) |", "|---|---|---|",
                          f"| autarky build (validation, productiveness proof) | "
                          f"{fmt(aut['build'])} | |",
                          f"| autarky balance (gross output) | {fmt(aut['balance'])} | |",
                          f"| autarky indicators (import content total and per partner, value "
                          f"added, {FACTORS} factor contents) | {fmt(aut['indicators'])} | |",
                          f"| **autarky, all** | **{fmt(total)}** | {fmt(aut['peak'])} "
                          f"({fmt(aut['added'])}) |"]
                for label, b in base:
                    if "error" in b:
                        lines.append(f"| autarky at {label} | failed | |")
                        continue
                    lines.append(f"| autarky at {label}: build {fmt(b['build'])}, balance "
                                 f"{fmt(b['balance'])}, indicators {fmt(b['indicators'])}, all "
                                 f"| {fmt(b['build'] + b['balance'] + b['indicators'])} | "
                                 f"{fmt(b['peak'])} ({fmt(b['added'])}) |")
                if others:
                    notes += ["", f"Each autarky variant run {len(tries['today'])} time(s), "
                              "alternating which runs first; the fastest shown. Every run "
                              "(build / balance / indicators, s): " + "; ".join(
                                  f"{label}: " + ", ".join(
                                      f"{r['build']:.2f} / {r['balance']:.2f} / "
                                      f"{r['indicators']:.2f}" for r in rs if "error" not in r)
                                  for label, rs in tries.items())]
                if pym and "error" not in pym:
                    lines += [f"| pymrio `calc_all()` (A, L, x, S, M, footprints) | "
                              f"{fmt(pym['calc_all'])} | {fmt(pym['peak'])} ({fmt(pym['added'])}) |",
                              "", f"pymrio / autarky: time **{pym['calc_all'] / total:.1f}x**, "
                              f"peak memory **{pym['peak'] / aut['peak']:.1f}x** "
                              f"(added memory {pym['added'] / max(aut['added'], 1):.1f}x)."]
                    xa, xp = np.load(wd / "x_autarky.npy"), np.load(wd / "x_pymrio.npy")
                    fa, mp = np.load(wd / "fc_autarky.npy"), np.load(wd / "M_pymrio.npy")
                    lines += ["", "Agreement (largest relative difference): gross output "
                              f"{np.max(np.abs(xa - xp) / np.abs(xp)):.1e}; factor content "
                              f"against pymrio's M {np.max(np.abs(fa - mp) / np.abs(mp)):.1e}."]
                elif pym:
                    lines += ["", "pymrio failed:", "```", pym["error"], "```"]
                lines += [*notes, "", f"Solver: {aut['used']}.", "",
                          f"Bandwidth bound: {sum(h['passes'] for h in aut['history'])} passes "
                          f"over A in all; one pass with one column {aut['pass_1']:.3f} s; "
                          f"passes x the time of one pass (with as many columns) "
                          f"{aut['bound']:.2f} s against {aut['solves']:.2f} s in the solves "
                          f"(balance and indicators in all {solve:.2f} s): "
                          f"**{aut['solves'] / max(aut['bound'], 1e-9):.2f}x** the bound.", ""]
        sizes = [int(s) for s in a.sparse_sizes.split(",") if s]
        if sizes:
            lines += sparse_section(sizes, wd, a)
        if a.crossover:
            lines += crossover([int(s) for s in a.crossover.split(",") if s])
    lines = ["# The full indicator set at size", "",
             "Run by `python bench/indicators_scale.py`; every variant in its own fresh process.",
             "", *environment_lines(env, command_line()), "", *lines]
    Path(a.out).write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
