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

#: autarky's side: parse, view from one region, indicators, TiVA (formatted per layout).
AUTARKY_TEMPLATE = PEAK + """
import json, sys, time
t0 = time.perf_counter()
from autarky.mrio.{module} import {reader}
from autarky.mrio.home import home_view
from autarky.mrio import embodied
t = {reader}(sys.argv[1])
t1 = time.perf_counter()
eco = home_view(t, "{home}", {groups}, factors=None)
ind = eco.reliance.indicators()
t2 = time.perf_counter()
tv = embodied.tiva(t, "{home}")
t3 = time.perf_counter()
print(json.dumps({{"parse": t1 - t0, "view+indicators": t2 - t1, "tiva": t3 - t2,
                  "total": t3 - t0, "peak_mib": peak(),
                  "check": float(tv.final_demand_va.sum()),
                  "content": float(ind.table["import_content"].mean())}}))
"""
AUTARKY = AUTARKY_TEMPLATE.format(module="icio", reader="read_icio", home="DEU",
                                  groups='{"China": ["CHN"], "USA": ["USA"], "rest": "*"}')
AUTARKY_EXIO = AUTARKY_TEMPLATE.format(module="exiobase", reader="read_exiobase", home="DE",
                                       groups='{"China": ["CN"], "USA": ["US"], "rest": "*"}')

#: pymrio's side: its parser, then calc_all.
PYMRIO_TEMPLATE = PEAK + """
import json, sys, time, warnings
warnings.simplefilter("ignore")
t0 = time.perf_counter()
import pymrio
io = pymrio.{parser}(sys.argv[1])
t1 = time.perf_counter()
io.calc_all()
t2 = time.perf_counter()
print(json.dumps({{"parse": t1 - t0, "calc_all": t2 - t1, "total": t2 - t0,
                  "peak_mib": peak()}}))
"""
PYMRIO = PYMRIO_TEMPLATE.format(parser="parse_oecd")
PYMRIO_EXIO = PYMRIO_TEMPLATE.format(parser="parse_exiobase3")

def synthetic(regions: int, sectors: int, seed: int = 0, names: list[str] | None = None,
              categories: tuple[str, ...] | None = None, density: float = 0.85):
    """A balanced table: ICIO-shaped by default (ROW last; CHN, DEU and USA among the
    regions), or with the region names and final-demand categories given."""
    from autarky.mrio import MRIO
    from autarky.mrio.icio import FINAL_DEMAND

    rng = np.random.default_rng(seed)
    names = names or ["CHN", "DEU", "USA"] + [f"R{k:02d}" for k in range(regions - 4)] + ["ROW"]
    categories = categories or FINAL_DEMAND
    n, C = regions * sectors, len(categories)
    Z = rng.lognormal(0.0, 2.0, (n, n)) * (rng.uniform(0, 1, (n, n)) < density)
    Z = np.round(Z, 5)
    Y = np.round(rng.lognormal(3.0, 1.5, (n, regions * C)), 5)
    for k, c in enumerate(categories):  # exports out of a world table are zero (EXIOBASE)
        if "export" in c.lower():
            Y[:, k::C] = 0.0
    x = Z.sum(axis=1) + Y.sum(axis=1)
    colsum = Z.sum(axis=0)
    Z = np.round(Z * np.minimum(1.0, 0.7 * x / np.maximum(colsum, 1e-9))[None, :], 5)
    x = Z.sum(axis=1) + Y.sum(axis=1)
    tls = np.round(0.02 * x, 5)
    va = x - Z.sum(axis=0) - tls
    sectors_ = [f"S{k:02d}_{k:02d}" for k in range(sectors)]
    return MRIO(tuple(names), tuple(sectors_), categories, Z, Y, np.vstack([tls, va]),
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
    ap.add_argument("--exiobase", default="49x200",
                    help="REGIONSxPRODUCTS of the EXIOBASE-layout run ('' to skip)")
    ap.add_argument("--out", default=str(HERE / "results" / "mrio.md"))
    args = ap.parse_args()
    try:
        import pymrio
        version = pymrio.__version__
    except ImportError:  # pragma: no cover
        pymrio, version = None, "not installed"
    env = environment({"pymrio": version})
    from autarky.mrio.exiobase import write_exiobase
    from autarky.mrio.icio import write_icio

    sections = []
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        table = synthetic(args.regions, args.sectors)
        path = write_icio(table, Path(d) / "ICIO2023_2020.csv")
        t_write = time.perf_counter() - t0
        size = path.stat().st_size / 2**20
        dense = (table.n * (table.n + table.Y.shape[1])) * 8 / 2**20
        del table
        ours = [run(AUTARKY, path) for _ in range(args.repeat)]
        peer = [run(PYMRIO, path) for _ in range(args.repeat)] if pymrio is not None else []
        sections.append(section(
            f"OECD ICIO 2023 layout: {args.regions} regions x {args.sectors} industries",
            f"a CSV of {size:.0f} MiB, written in {t_write:.1f} s (not timed)", ours, peer,
            dense, 15, "read_icio with every check", "parse_oecd"))
        path.unlink()
    if args.exiobase:
        regions, products = (int(v) for v in args.exiobase.split("x"))
        with tempfile.TemporaryDirectory() as d:
            t0 = time.perf_counter()
            names = ["CN", "DE", "US"] + [f"R{k:02d}" for k in range(regions - 4)] + ["WM"]
            table = synthetic(regions, products, seed=1, names=names, categories=EXIO_FD,
                              density=0.3)
            folder = write_exiobase(table, Path(d) / "IOT_2022_pxp")
            t_write = time.perf_counter() - t0
            size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20
            dense = (table.n * (table.n + table.Y.shape[1])) * 8 / 2**20
            del table
            ours = [run(AUTARKY_EXIO, folder) for _ in range(max(1, args.repeat - 1))]
            peer = [run(PYMRIO_EXIO, folder)] if pymrio is not None else []
            sections.append(section(
                f"EXIOBASE 3 layout (pxp): {regions} regions x {products} products",
                f"text files of {size:.0f} MiB, written in {t_write:.1f} s (not timed); 30 % "
                "of Z non-zero", ours, peer, dense, 60, "read_exiobase (pyarrow)",
                "parse_exiobase3"))
    text = "\n".join([
        "# Real tables at full size", "",
        "Run by `make bench` (`python bench/mrio.py`). Synthetic balanced tables in the exact "
        "layouts; each side in a fresh process (wall clock, imports included); peak = the "
        "process's maximum resident memory (VmHWM). autarky: parse + home view + indicators "
        "+ the TiVA set of one region (one LU of the whole system); pymrio: parse + "
        "calc_all (L by inversion, every multiplier and footprint).", "",
        *environment_lines(env, command_line()), "", *[ln for sec in sections for ln in sec]])
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)


#: EXIOBASE's seven final-demand categories.
EXIO_FD = ("Final consumption expenditure by households",
           "Final consumption expenditure by non-profit organisations serving households (NPISH)",
           "Final consumption expenditure by government", "Gross fixed capital formation",
           "Changes in inventories", "Changes in valuables", "Exports: Total (fob)")


def section(title: str, what: str, ours: list[dict[str, float]], peer: list[dict[str, float]],
            dense: float, bound: float, parse_ours: str, parse_peer: str) -> list[str]:
    """One table of results, best run of each side."""
    o = min(ours, key=lambda r: r["total"])
    p = min(peer, key=lambda r: r["total"]) if peer else None

    def cell(r: dict[str, float] | None, key: str) -> str:
        return f"{r[key]:.2f}" if r is not None and key in r else "-"

    return [
        f"## {title}", "", f"{what}; {dense:.0f} MiB as float64.", "",
        "| step | autarky s | pymrio s |", "|---|---|---|",
        f"| parse (autarky: {parse_ours}; pymrio: {parse_peer}) | {cell(o, 'parse')} | "
        f"{cell(p, 'parse')} |",
        f"| home view + indicators (autarky) / calc_all (pymrio) | "
        f"{cell(o, 'view+indicators')} | {cell(p, 'calc_all')} |",
        f"| TiVA set of one region (autarky) | {cell(o, 'tiva')} | - |",
        f"| **total** | **{cell(o, 'total')}** | **{cell(p, 'total')}** |",
        f"| peak memory MiB | {o['peak_mib']:.0f} | {p['peak_mib'] if p else 0:.0f} |", "",
        (f"pymrio / autarky total time: **{p['total'] / o['total']:.2f}x**; " if p else "")
        + f"peak memory {o['peak_mib'] / dense:.1f}x the table as float64 (autarky)"
        + (f", {p['peak_mib'] / dense:.1f}x (pymrio)" if p else "")
        + f". The issue's bound: at most {bound} s.", "", "Runs (s):", "",
        *[f"- autarky: {json.dumps({k: round(v, 3) for k, v in r.items()})}" for r in ours],
        *[f"- pymrio: {json.dumps({k: round(v, 3) for k, v in r.items()})}" for r in peer], "",
    ]


if __name__ == "__main__":
    main()
