"""Real-table work at full size: parse an OECD ICIO 2023 year (77 regions x 45 industries =
3,465 branches, a synthetic table written in the exact layout) and compute the indicator set
of one home region, against pymrio's ``parse_oecd`` and ``calc_all`` on the same file.

autarky: ``read_icio`` (every row checked against output) + ``home_view`` (partner groups)
+ indicators of the home economy (self-sufficiency, import content by partner, the EU flags)
+ the TiVA set of the home region on the whole system (value added by source in its final
demand and exports; one factorization of ``I - A``). pymrio: ``parse_oecd`` + ``calc_all``
(``x``, ``A``, ``L`` by inversion, multipliers and footprints of every extension).

Each side runs in a fresh subprocess, so its peak resident memory (``VmHWM``) is its own;
the table's size on disk and as float64 are given beside it. Writes ``bench/results/mrio.md``.
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

import numpy as np
from _common import command_line, environment, environment_lines

HERE = Path(__file__).resolve().parent

#: The process's peak resident memory (VmHWM: reset at exec, unlike ru_maxrss), MiB.
PEAK = """
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
"""

AUTARKY = PEAK + """
import json, sys, time
t0 = time.perf_counter()
from autarky.mrio.icio import read_icio
from autarky.mrio.home import home_view
from autarky.mrio import embodied
t = read_icio(sys.argv[1])
t1 = time.perf_counter()
eco = home_view(t, "DEU", {"China": ["CHN"], "USA": ["USA"], "rest": "*"}, factors=None)
ind = eco.reliance.indicators()
t2 = time.perf_counter()
tv = embodied.tiva(t, "DEU")
t3 = time.perf_counter()
print(json.dumps({"parse": t1 - t0, "view+indicators": t2 - t1, "tiva": t3 - t2,
                  "total": t3 - t0,
                  "peak_mib": peak(),
                  "check": float(tv.final_demand_va.sum()),
                  "content": float(ind.table["import_content"].mean())}))
"""

PYMRIO = PEAK + """
import json, sys, time, warnings
warnings.simplefilter("ignore")
t0 = time.perf_counter()
import pymrio
io = pymrio.parse_oecd(sys.argv[1])
t1 = time.perf_counter()
io.calc_all()
t2 = time.perf_counter()
print(json.dumps({"parse": t1 - t0, "calc_all": t2 - t1, "total": t2 - t0,
                  "peak_mib": peak()}))
"""


def synthetic(regions: int, sectors: int, seed: int = 0):
    """A balanced ICIO-shaped table: ROW last, CHN and DEU and USA among the regions."""
    from autarky.mrio import MRIO
    from autarky.mrio.icio import FINAL_DEMAND

    rng = np.random.default_rng(seed)
    names = ["CHN", "DEU", "USA"] + [f"R{k:02d}" for k in range(regions - 4)] + ["ROW"]
    n, C = regions * sectors, len(FINAL_DEMAND)
    Z = rng.lognormal(0.0, 2.0, (n, n)) * (rng.uniform(0, 1, (n, n)) < 0.85)
    Z = np.round(Z, 5)
    Y = np.round(rng.lognormal(3.0, 1.5, (n, regions * C)), 5)
    x = Z.sum(axis=1) + Y.sum(axis=1)
    colsum = Z.sum(axis=0)
    Z = np.round(Z * np.minimum(1.0, 0.7 * x / np.maximum(colsum, 1e-9))[None, :], 5)
    x = Z.sum(axis=1) + Y.sum(axis=1)
    tls = np.round(0.02 * x, 5)
    va = x - Z.sum(axis=0) - tls
    sectors_ = [f"S{k:02d}_{k:02d}" for k in range(sectors)]
    return MRIO(tuple(names), tuple(sectors_), FINAL_DEMAND, Z, Y, np.vstack([tls, va]),
                ("TLS", "VA"), unit="USD million")


def run(code: str, path: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                         text=True, check=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--regions", type=int, default=77)
    ap.add_argument("--sectors", type=int, default=45)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--out", default=str(HERE / "results" / "mrio.md"))
    args = ap.parse_args()
    try:
        import pymrio
        version = pymrio.__version__
    except ImportError:  # pragma: no cover
        pymrio, version = None, "not installed"
    env = environment({"pymrio": version})
    from autarky.mrio.icio import write_icio

    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        table = synthetic(args.regions, args.sectors)
        path = write_icio(table, Path(d) / "ICIO2023_2020.csv")
        t_write = time.perf_counter() - t0
        size = path.stat().st_size / 2**20
        dense = (table.n * (table.n + table.Y.shape[1])) * 8 / 2**20
        ours = [run(AUTARKY, path) for _ in range(args.repeat)]
        peer = [run(PYMRIO, path) for _ in range(args.repeat)] if pymrio is not None else []
    best_o = min(ours, key=lambda r: r["total"])
    best_p = min(peer, key=lambda r: r["total"]) if peer else None
    n = args.regions * args.sectors
    lines = [
        "# Real tables at full size: OECD ICIO 2023 layout", "",
        f"Run by `make bench` (`python bench/mrio.py`). A synthetic balanced table of "
        f"{args.regions} regions x {args.sectors} industries = {n:,} branches in the exact "
        f"ICIO 2023 layout ({size:.0f} MiB of CSV, {dense:.0f} MiB as float64; written in "
        f"{t_write:.1f} s, not timed). Best of {args.repeat} fresh processes each (wall clock, "
        "imports included); peak = the process's maximum resident memory.", "",
        *environment_lines(env, command_line()), "",
        "| step | autarky s | pymrio s |", "|---|---|---|",
        f"| parse (autarky: read_icio with every check) | {best_o['parse']:.2f} | "
        f"{best_p['parse']:.2f} |" if best_p else f"| parse | {best_o['parse']:.2f} | - |",
        f"| home view + indicators (autarky) / calc_all (pymrio) | "
        f"{best_o['view+indicators']:.2f} | {best_p['calc_all']:.2f} |" if best_p else
        f"| home view + indicators | {best_o['view+indicators']:.2f} | - |",
        f"| TiVA set of one region (autarky) | {best_o['tiva']:.2f} | - |",
        f"| **total** | **{best_o['total']:.2f}** | **{best_p['total']:.2f}** |" if best_p else
        f"| **total** | **{best_o['total']:.2f}** | - |",
        f"| peak memory MiB | {best_o['peak_mib']:.0f} | {best_p['peak_mib']:.0f} |" if best_p
        else f"| peak memory MiB | {best_o['peak_mib']:.0f} | - |",
        "",
        (f"pymrio / autarky total time: **{best_p['total'] / best_o['total']:.2f}x**; peak "
         f"memory {best_o['peak_mib'] / dense:.1f}x the table as float64 (autarky), "
         f"{best_p['peak_mib'] / dense:.1f}x (pymrio). The issue's bound: at most 15 s."
         if best_p else ""),
        "", "All runs (s):", "",
        *[f"- autarky: {json.dumps({k: round(v, 3) for k, v in r.items()})}" for r in ours],
        *[f"- pymrio: {json.dumps({k: round(v, 3) for k, v in r.items()})}" for r in peer],
    ]
    text = "\n".join(lines)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
