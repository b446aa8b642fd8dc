"""Sweep throughput: serial against a 2-worker Dask LocalCluster, the overhead per task, and a
projection to 64 workers from the measured costs (issue 14).

Measured on the bundled ``dprk-1963`` scenario, every estimate drawn (242 independent numbers):

* ``--indicator-draws`` (default 10^4) draws of the indicator set and ``--optimize-draws``
  (default 10^3) of the optimal plan, serially and on ``LocalCluster(n_workers=2,
  threads_per_worker=1)``, the same batches (``--batch``) both ways; the results are checked
  to be bit-identical before any time is reported;
* the overhead per task: the same 400 optimal-plan draws on the cluster in batches of 1 and of
  100, ``(t_1 - t_100) / (400 - 4)``;
* the store: the same sweep with and without a zarr store (the driver writes every batch);
* a projection to 64 workers: ``T(W) = t_start + max(N t_draw / W, tasks (t_task + t_write))``
  with ``t_draw`` the serial cost of one draw, ``t_task`` the overhead per task (all of it
  counted as scheduler time, the pessimistic reading), ``t_write`` the store's cost per batch
  (written by the one driver) and ``t_start`` the cluster's start. It is a projection from
  costs measured here, not a run on 64 workers.

Usage: ``python bench/sweep.py [--indicator-draws N] [--optimize-draws N] [--batch B]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import command_line, environment, environment_lines


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def same(a, b) -> None:
    for v in a.data_vars:
        np.testing.assert_array_equal(a[v].values, b[v].values, err_msg=str(v))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--indicator-draws", type=int, default=10_000)
    p.add_argument("--optimize-draws", type=int, default=1_000)
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--out", default=str(Path(__file__).with_name("results") / "sweep.md"))
    a = p.parse_args()
    import dask
    import distributed
    import zarr
    from distributed import LocalCluster

    from autarky import data
    from autarky.sweep.engine import sweep

    env = environment({"dask": f"dask {dask.__version__}, distributed {distributed.__version__}, "
                               f"zarr {zarr.__version__}"})
    scn = data.load("dprk-1963")
    rows, facts = [], {}
    t_start0 = time.perf_counter()
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=":0")
    t_start = time.perf_counter() - t_start0
    facts["cluster start (s)"] = t_start
    addr = cluster.scheduler_address
    try:
        for run, n in (("indicators", a.indicator_draws), ("optimize", a.optimize_draws)):
            ser, t_ser = timed(lambda run=run, n=n: sweep(
                scn, [run], draws=n, seed=1, scheduler="serial", batch=a.batch))
            par, t_par = timed(lambda run=run, n=n: sweep(
                scn, [run], draws=n, seed=1, scheduler=addr, batch=a.batch))
            same(ser, par)
            facts[f"{run}: serial s per draw"] = t_ser / n
            rows.append(f"| {run} | {n:,} | {a.batch} | {t_ser:.1f} | {n / t_ser:.1f} | "
                        f"{t_par:.1f} | {n / t_par:.1f} | {t_ser / t_par:.2f}x |")
            print(rows[-1], flush=True)
        m = 400
        _, t1 = timed(lambda: sweep(scn, ["optimize"], draws=m, seed=2, scheduler=addr, batch=1))
        _, t100 = timed(lambda: sweep(scn, ["optimize"], draws=m, seed=2, scheduler=addr,
                                      batch=100))
        t_task = max(0.0, (t1 - t100) / (m - m // 100))
        facts["overhead per task (s)"] = t_task
        tmp = Path(tempfile.mkdtemp())
        try:
            _, t_plain = timed(lambda: sweep(scn, ["optimize"], draws=m, seed=3,
                                             scheduler="serial", batch=10))
            _, t_store = timed(lambda: sweep(scn, ["optimize"], draws=m, seed=3,
                                             scheduler="serial", batch=10,
                                             store=tmp / "s.zarr"))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        t_write = max(0.0, (t_store - t_plain) / (m // 10))
        facts["store write per batch (s)"] = t_write
    finally:
        cluster.close()
    proj = []
    for run, n in (("indicators", a.indicator_draws), ("optimize", a.optimize_draws)):
        t_draw = facts[f"{run}: serial s per draw"]
        tasks = -(-n // a.batch)
        for w in (1, 2, 8, 64):
            compute = n * t_draw / w
            serial_part = tasks * (t_task + t_write)
            total = t_start + max(compute, serial_part)
            proj.append(f"| {run} | {n:,} | {w} | {compute:.1f} | {serial_part:.2f} | "
                        f"{total:.1f} | {n / total:.0f} |")
        # how many draws 64 workers need before the driver's share stops mattering
        proj.append(f"| {run} | 10^6 | 64 | {1e6 * t_draw / 64:.1f} | "
                    f"{1e6 / a.batch * (t_task + t_write):.1f} | "
                    f"{t_start + max(1e6 * t_draw / 64, 1e6 / a.batch * (t_task + t_write)):.1f} "
                    f"| {1e6 / (t_start + max(1e6 * t_draw / 64, 1e6 / a.batch * (t_task + t_write))):.0f} |")
    text = "\n".join([
        "# Sweeps: serial against a 2-worker Dask LocalCluster", "",
        *environment_lines(env, command_line()), "",
        "Results are bit-identical between the two (checked before timing is reported).", "",
        "| analysis | draws | draws per task | serial s | draws/s | 2 workers s | draws/s | "
        "speed-up |", "|---|---|---|---|---|---|---|---|", *rows, "",
        "| measured | value |", "|---|---|",
        *[f"| {k} | {v:.4g} |" for k, v in facts.items()], "",
        "## Projection to more workers (from the costs above; not a run)", "",
        "T = start + max(N t_draw / W, tasks (t_task + t_write)); the second term is the "
        "driver's and the scheduler's share, which does not shrink with workers.", "",
        "| analysis | draws | workers | compute s | driver+scheduler s | total s | draws/s |",
        "|---|---|---|---|---|---|---|", *proj, ""])
    Path(a.out).write_text(text + "\n", encoding="utf-8")
    Path(a.out).with_suffix(".json").write_text(json.dumps({"env": env, "facts": facts},
                                                           indent=2) + "\n")
    print(text)


if __name__ == "__main__":
    main()
