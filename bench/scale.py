"""Large scenarios: reading, validating and balancing, and ``Economy.reorder``, today's code
against an old commit (default 9262aa8, before the table registry), in one run.

For each size ``n`` a scenario folder is generated (``n`` products, exactly 20 inputs per
product, so ``20 n`` non-zeros; column sums of ``A`` uniform in [0.5, 0.8], so the technology is
productive; positive final demand) and written with today's ``autarky.write_scenario``
(``scenario.yaml`` with the branch records, ``technology.csv`` and ``final_demand.csv`` as long
CSV tables, a layout the old reader accepts too). Then, on the same folder:

* **new**: ``read_scenario(folder)`` (parsing, validation, the productiveness check, whose
  factorization is kept) and ``.plan.balance()``, timed in this process; and again in a fresh
  subprocess for its peak memory (``ru_maxrss``);
* **old**: the same two calls in a subprocess importing the old commit's ``src`` (exported with
  ``git archive``; timed inside the subprocess, after a warm-up read of a tiny scenario), only at
  the sizes in ``--old-sizes``: its reader is ``O(nnz n)``.

Both balances must agree (largest relative difference of gross output). Then
``Economy.reorder`` with a random permutation at ``--reorder-n`` (sparse, 20 inputs per
product), new in this process against old in a subprocess stopped after ``--reorder-timeout``
seconds, and the cost of constructing (validating) that economy in memory, for reference.

Writes ``bench/results/scale.md``. Usage: ``python bench/scale.py`` (defaults: sizes
2,000, 5,000, 8,000 and 100,000; old code at the first three); ``--sizes``, ``--old-sizes``,
``--reorder-n``, ``--workdir`` (default a temporary folder) to change them.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from _common import ROOT, command_line, environment, environment_lines

INPUTS = 20


# ---------------------------------------------------------------------------------------- data
def technology(n: int, seed: int, inputs: int = INPUTS) -> sp.csr_array:
    """``n x n`` sparse technology: ``inputs`` distinct inputs per using branch, column sums
    uniform in [0.5, 0.8]."""
    rng = np.random.default_rng(seed)
    k = min(inputs, n)
    # k distinct sorted rows per column: sorted draws from [0, n - k] plus 0, 1, ..., k - 1
    rows = rng.integers(0, n - k + 1, size=(n, k))
    rows.sort(axis=1)
    rows += np.arange(k)
    index = np.int32 if n < 2**31 else np.int64
    rows = rows.astype(index).ravel()            # the row indices of each column, in order
    vals = rng.uniform(0.1, 1.0, (n, k))
    vals *= (rng.uniform(0.5, 0.8, n) / vals.sum(axis=1))[:, np.newaxis]
    # the columns are given whole: column-compressed as drawn (no coordinate triples, whose
    # int64 copies held 7.8 GB at 10^7), then converted once
    csc = sp.csc_array((vals.ravel(), rows, np.arange(0, n * k + 1, k, dtype=index)),
                       shape=(n, n))
    del rows, vals
    return sp.csr_array(csc.tocsr())


def final_demand(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed + 1).uniform(1.0, 10.0, n)


def write_folder(n: int, folder: Path, seed: int, layout: str) -> tuple[float, int, str]:
    """Write the scenario folder of size ``n``: with today's ``write_scenario`` (``writer``), or
    (``own``) as CSV files in the layout both readers accept (``branches.csv``,
    ``technology.csv``, ``final_demand.csv`` and a ``scenario.yaml`` naming them). Returns
    seconds, non-zeros and the files written."""
    import pandas as pd

    import autarky

    A = technology(n, seed)
    y = final_demand(n, seed)
    if folder.exists():
        shutil.rmtree(folder)
    t0 = time.perf_counter()
    if layout == "writer":
        autarky.write_scenario(autarky.Economy.from_coefficients(A, y), folder)
    else:
        folder.mkdir(parents=True)
        ids = np.array([f"b{i}" for i in range(n)], dtype=object)
        pd.DataFrame({"id": ids, "unit": "unit"}).to_csv(folder / "branches.csv", index=False)
        coo = sp.coo_array(A)
        order = np.lexsort((coo.col, coo.row))
        pd.DataFrame({"input": ids[coo.row[order]], "branch": ids[coo.col[order]],
                      "value": coo.data[order]}).to_csv(folder / "technology.csv", index=False)
        pd.DataFrame({"branch": ids, "category": "total", "value": y}).to_csv(
            folder / "final_demand.csv", index=False)
        (folder / "scenario.yaml").write_text(
            "name: economy\nbranches: branches.csv\ntechnology: technology.csv\n"
            "final_demand: final_demand.csv\n", encoding="utf-8")
    elapsed = time.perf_counter() - t0
    files = ", ".join(sorted(p.name for p in folder.iterdir()))
    return elapsed, int(A.nnz), files


def maxrss_mib() -> float:
    """Peak resident memory of this process, MiB: ``VmHWM`` of ``/proc/self/status`` on Linux
    (``ru_maxrss`` there keeps the parent's peak across fork and exec), else ``ru_maxrss``."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# ---------------------------------------------------------------------------------------- workers
def read_and_balance(folder: Path) -> tuple[float, float, np.ndarray, str]:
    """``read_scenario(folder)`` then ``.plan.balance()``: seconds each, gross output, solver."""
    import autarky

    gc.collect()
    t0 = time.perf_counter()
    scn = autarky.read_scenario(folder)
    t1 = time.perf_counter()
    plan = scn.plan.balance()
    t2 = time.perf_counter()
    x = plan.gross_output.to_numpy()
    solver = str(getattr(plan, "meta", {}).get("solver", "?"))
    return t1 - t0, t2 - t1, x, solver


def worker(args: argparse.Namespace) -> None:
    """Run in a subprocess (new or old code): print one JSON line with times and memory."""
    import autarky

    base = maxrss_mib()
    out: dict[str, Any] = {"autarky": str(Path(autarky.__file__).parent)}
    if args.worker == "balance":
        if args.warmup:
            read_and_balance(Path(args.warmup))
        base = maxrss_mib()
        t_read, t_bal, x, solver = read_and_balance(Path(args.folder))
        np.save(args.x_out, x)
        out.update(read_s=t_read, balance_s=t_bal, solver=solver)
    else:  # reorder
        A = sp.load_npz(args.matrix)
        y = np.load(args.demand)
        perm = np.load(args.perm)
        t0 = time.perf_counter()
        eco = autarky.Economy.from_coefficients(A, y)
        out["construct_s"] = time.perf_counter() - t0
        base = maxrss_mib()
        order = [eco.ids[i] for i in perm]
        t0 = time.perf_counter()
        back = eco.reorder(order)
        out["reorder_s"] = time.perf_counter() - t0
        sp.save_npz(args.x_out, sp.csr_array(back.A))
    out.update(peak_mib=maxrss_mib(), baseline_mib=base)
    print(json.dumps(out), flush=True)


class WorkerError(RuntimeError):
    """A worker subprocess failed (its stderr is in the message)."""


def run_worker(src: Path | None, argv: list[str], timeout: float) -> dict[str, Any] | None:
    """Run this script as a worker with ``src`` first on the path (``None``: today's code);
    the worker's JSON, or ``None`` after ``timeout`` seconds (the subprocess is killed)."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src) + (os.pathsep + env["PYTHONPATH"]
                                        if env.get("PYTHONPATH") else "")
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", *argv]
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout,
                              check=False)
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0:
        raise WorkerError(f"worker failed ({' '.join(cmd)}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def old_source(ref: str, where: Path) -> Path:
    """The old commit's ``src`` folder, exported with ``git archive`` (read-only for the repo)."""
    src = where / "src"
    if (src / "autarky" / "__init__.py").is_file():
        return src
    where.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "--no-optional-locks", "-C", str(ROOT), "archive", ref],
                             capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(where)], input=archive.stdout, check=True)
    return src


# ---------------------------------------------------------------------------------------- main
def fmt_s(v: float | None, timeout: float | None = None) -> str:
    if v is None:
        return f"> {timeout:.0f}" if timeout is not None else "not run"
    return f"{v:.3f}" if v < 10 else f"{v:.1f}"


def duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.1f} hours"


def max_rel_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="2000,5000,8000,100000")
    ap.add_argument("--old-sizes", default="2000,5000,8000",
                    help="sizes at which the old code runs too (its reader is O(nnz n))")
    ap.add_argument("--reorder-n", type=int, default=8000, help="0: skip the reorder benchmark")
    ap.add_argument("--old-ref", default="9262aa8")
    ap.add_argument("--old-src", default=None,
                    help="an old src folder to use (default: git archive of --old-ref)")
    ap.add_argument("--workdir", default=None, help="where scenario folders are written")
    ap.add_argument("--old-timeout", type=float, default=600.0)
    ap.add_argument("--reorder-timeout", type=float, default=180.0)
    ap.add_argument("--layout", choices=["writer", "own"], default="writer",
                    help="write the folders with today's write_scenario (falling back to own "
                         "CSV files where the old reader refuses them), or always as own CSVs")
    ap.add_argument("--keep", action="store_true", help="keep the scenario folders")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "scale.md"))
    # worker mode (internal)
    ap.add_argument("--worker", choices=["balance", "reorder"], help=argparse.SUPPRESS)
    ap.add_argument("--folder", help=argparse.SUPPRESS)
    ap.add_argument("--warmup", help=argparse.SUPPRESS)
    ap.add_argument("--x-out", help=argparse.SUPPRESS)
    ap.add_argument("--matrix", help=argparse.SUPPRESS)
    ap.add_argument("--demand", help=argparse.SUPPRESS)
    ap.add_argument("--perm", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args)
        return

    import autarky
    from autarky.io.yamlmap import load_yaml

    env = environment()
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="autarky-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    old_src = Path(args.old_src) if args.old_src else old_source(
        args.old_ref, Path(tempfile.gettempdir()) / f"autarky-old-{args.old_ref}")
    env["old code"] = f"{args.old_ref} from {old_src}"
    sizes = [int(s) for s in args.sizes.split(",") if s]
    old_sizes = {int(s) for s in args.old_sizes.split(",") if s}

    warm = work / "warmup"
    write_folder(50, warm, 50, "own")
    notes: list[str] = []
    layouts: dict[str, list[str]] = {}
    read_and_balance(warm)  # today's code warmed up in this process

    trows, mrows = [], []
    old_fit: tuple[int, int, float] | None = None
    for n in sizes:
        folder = work / f"n{n}"
        for layout in dict.fromkeys([args.layout, "own"]):
            t_write, nnz, files = write_folder(n, folder, n, layout)
            t_yaml0 = time.perf_counter()
            load_yaml(folder / "scenario.yaml")
            t_yaml = time.perf_counter() - t_yaml0
            t_read, t_bal, x_new, solver = read_and_balance(folder)
            fresh = run_worker(None, ["balance", "--folder", str(folder), "--warmup", str(warm),
                                      "--x-out", str(work / "x-fresh.npy")], args.old_timeout)
            assert fresh is not None and Path(fresh["autarky"]) == Path(autarky.__file__).parent
            diff_fresh = max_rel_diff(np.load(work / "x-fresh.npy"), x_new)
            old = None
            timed_out = False
            if n in old_sizes:
                try:
                    old = run_worker(old_src, ["balance", "--folder", str(folder), "--warmup",
                                               str(warm), "--x-out", str(work / "x-old.npy")],
                                     args.old_timeout)
                except WorkerError as exc:
                    if layout == "own" or "ScenarioError" not in str(exc):
                        raise
                    notes.append(f"n = {n:,}: the old reader refused the folder today's writer "
                                 f"wrote ({files}); measured on the own layout instead:\n\n"
                                 "```\n" + str(exc).strip().splitlines()[-1] + "\n```")
                    continue
                timed_out = old is None
                if old is not None:
                    assert Path(old["autarky"]).resolve() == (old_src / "autarky").resolve(), old
                    old_fit = (n, nnz, old["read_s"])
            break
        layouts.setdefault(f"{layout}: {files}", []).append(f"{n:,}")
        diff_old = max_rel_diff(x_new, np.load(work / "x-old.npy")) if old else None
        r_old = fmt_s(old["read_s"] if old else None, args.old_timeout if timed_out else None)
        b_old = fmt_s(old["balance_s"] if old else None, args.old_timeout if timed_out else None)
        trows.append(
            f"| {n:,} | {nnz:,} | {fmt_s(t_read)} | {fmt_s(t_bal)} ({solver}) | {r_old} | "
            f"{b_old} | " + (f"**{old['read_s'] / t_read:.0f}**" if old else "—") + " | "
            + (f"**{old['balance_s'] / t_bal:.2f}**" if old else "—") + " | "
            + f"{fmt_s(fresh['read_s'])} / {fmt_s(fresh['balance_s'])} | {fmt_s(t_yaml)} | "
            f"{fmt_s(t_write)} |")
        mrows.append(
            f"| {n:,} | {fresh['peak_mib']:.0f} ({fresh['peak_mib'] - fresh['baseline_mib']:.0f})"
            " | " + (f"{old['peak_mib']:.0f} ({old['peak_mib'] - old['baseline_mib']:.0f})"
                     if old else "—")
            + " | " + (f"{diff_old:.1e}" if diff_old is not None else "—")
            + f" | {diff_fresh:.1e} |")
        print(trows[-1], flush=True)
        if not args.keep:
            shutil.rmtree(folder)

    # extrapolation of the old reader beyond the sizes it ran at: O(nnz n)
    extra = []
    if old_fit is not None:
        n0, nnz0, t0 = old_fit
        for n in sizes:
            if n not in old_sizes:
                est = t0 * (INPUTS * n * n) / (nnz0 * n0)
                extra.append(f"At n = {n:,} the old reader was not run; scaling its "
                             f"{t0:.1f} s at n = {n0:,} by nnz x n gives about "
                             f"{duration(est)} (an extrapolation, not a measurement).")

    # ---------------------------------------------------------------- reorder
    reorder_lines: list[str] = []
    if args.reorder_n:
        n = args.reorder_n
        A = technology(n, n + 7)
        y = final_demand(n, n + 7)
        perm = np.random.default_rng(n).permutation(n)
        sp.save_npz(work / "A.npz", A)
        np.save(work / "y.npy", y)
        np.save(work / "perm.npy", perm)
        t0 = time.perf_counter()
        eco = autarky.Economy.from_coefficients(A, y)
        t_construct = time.perf_counter() - t0
        order = [eco.ids[i] for i in perm]
        times = []
        for _ in range(10):
            t0 = time.perf_counter()
            back = eco.reorder(order)
            times.append(time.perf_counter() - t0)
        expect = sp.csr_array(A[perm][:, perm])
        assert abs(sp.csr_array(back.A) - expect).max() == 0
        new_fresh = run_worker(None, ["reorder", "--matrix", str(work / "A.npz"), "--demand",
                                      str(work / "y.npy"), "--perm", str(work / "perm.npy"),
                                      "--x-out", str(work / "A-new.npz")], args.reorder_timeout)
        assert new_fresh is not None
        old = run_worker(old_src, ["reorder", "--matrix", str(work / "A.npz"), "--demand",
                                   str(work / "y.npy"), "--perm", str(work / "perm.npy"),
                                   "--x-out", str(work / "A-old.npz")], args.reorder_timeout)
        same = "—"
        if old is not None:
            same = "yes" if abs(sp.load_npz(work / "A-old.npz") - expect).max() == 0 else "NO"
        t_new = min(times)
        old_s = fmt_s(old["reorder_s"] if old else None, args.reorder_timeout)
        ratio = (f"**{old['reorder_s'] / t_new:,.0f}**" if old
                 else f"> {args.reorder_timeout / t_new:,.0f}")
        reorder_lines = [
            f"## Economy.reorder, random permutation, n = {n:,} ({A.nnz:,} non-zeros)", "",
            "| | new | old | old / new |", "|---|---|---|---|",
            f"| reorder s | {t_new:.4f} (best of 10; fresh process, one run: {new_fresh['reorder_s']:.4f}) "
            f"| {old_s} | {ratio} |",
            "| construct `Economy.from_coefficients(A, y)` s (validation and productiveness "
            f"check) | {t_construct:.3f} (fresh process {new_fresh['construct_s']:.3f}) | "
            + (f"{old['construct_s']:.3f}" if old else "—") + " | "
            + (f"{old['construct_s'] / t_construct:.2f}" if old else "—") + " |",
            "| peak MiB of the process (above the economy built) | "
            + f"{new_fresh['peak_mib']:.0f} "
              f"({new_fresh['peak_mib'] - new_fresh['baseline_mib']:.0f}) | "
            + (f"{old['peak_mib']:.0f} ({old['peak_mib'] - old['baseline_mib']:.0f})" if old else "—")
            + " | |",
            f"| reordered A equals A[p][:, p] | yes | {same} | |", "",
            "The new `reorder` takes every table along the permutation (`O(n + nnz)`) and does "
            "not validate again (a permutation keeps every check); the old one looked each id "
            "up in a list (`O(n^2)`) and rebuilt the economy through `replace`, validation and "
            "productiveness check included.", "",
        ]
        for f in ("A.npz", "y.npy", "perm.npy", "A-new.npz", "A-old.npz", "x-fresh.npy",
                  "x-old.npy"):
            (work / f).unlink(missing_ok=True)
    if not args.keep:
        shutil.rmtree(warm, ignore_errors=True)

    text = "\n".join([
        "# Large scenarios: read, validate, balance and reorder, new code against old", "",
        f"Run by `python bench/scale.py`; old code: commit {args.old_ref} in a subprocess.", "",
        *environment_lines(env, command_line()), "",
        f"Scenario folders: `n` products, {INPUTS} inputs per product (`{INPUTS} n` non-zeros), "
        "column sums of A uniform in [0.5, 0.8], final demand uniform in [1, 10]; the old reader "
        "reads the same folder as the new. Written (`writer`: today's `autarky.write_scenario`; "
        "`own`: CSV files written by this script in the layout both readers accept):", "",
        *[f"- {k} (n = {', '.join(v)})" for k, v in layouts.items()], "", *notes,
        *([""] if notes else []),
        "## Time (seconds, one run each; the machine is shared, so read the ratios)", "",
        "`read` is `read_scenario(folder)`: parsing, validation and the productiveness check. "
        "New: in this process (warmed up on a tiny scenario); old: in a subprocess, timed "
        "inside it after the same warm-up. `fresh` is the new code again in a fresh subprocess "
        "(the run that gives its memory). `YAML` is `autarky.io.yamlmap.load_yaml` alone on "
        "`scenario.yaml` (today's code), a part of the new read.", "",
        "| n | non-zeros | new read | new balance (solver) | old read | old balance | "
        "read old / new | balance old / new | new read / balance, fresh process | "
        "of which YAML (new) | write (new writer) |",
        "|---|---|---|---|---|---|---|---|---|---|---|", *trows, "",
        *extra, *([""] if extra else []),
        "## Memory and agreement", "",
        "Peak resident memory of the subprocess (`VmHWM`, MiB), and in brackets what "
        "reading and balancing added above the process after imports and warm-up. "
        "Agreement: the largest relative difference of gross output between balances.", "",
        "| n | new peak MiB (added) | old peak MiB (added) | new vs old gross output | "
        "new in-process vs fresh process |", "|---|---|---|---|---|", *mrows, "",
        *reorder_lines,
    ])
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)
    if not args.keep and not args.workdir:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
