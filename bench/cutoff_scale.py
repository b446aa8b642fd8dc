"""The MRIO cut-off through the whole system at size: dense stocks against stocks on non-zeros.

Random balanced tables (``regions x sectors`` branches, a share ``density`` of the flows
non-zero, two final-use categories per region); one partner region stops supplying every
other region for 13 of 52 weeks (:func:`autarky.mrio.cutoff.cutoff_two_ways`). Below
:data:`~autarky.mrio.cutoff.MAX_NODES` the split network is run dense, above it on the
non-zeros of its technology; at sizes where both run, both are timed (the limit moved for the
run) and their answers compared. Each variant in its own process (peak resident memory is the
process's). Writes ``bench/results/cutoff_scale.md``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import command_line, environment, environment_lines


def one(regions: int, sectors: int, density: float, mode: str) -> dict[str, float]:
    from autarky.mrio import MRIO
    from autarky.mrio import cutoff as co

    rng = np.random.default_rng(regions * sectors)
    n = regions * sectors
    Z = rng.uniform(0, 10, (n, n)) * (rng.uniform(0, 1, (n, n)) < density)
    Y = rng.uniform(20, 60, (n, regions * 2)) * density * n / 10
    x = Z.sum(axis=1) + Y.sum(axis=1)
    t = MRIO(tuple(f"R{k}" for k in range(regions)), tuple(f"s{k}" for k in range(sectors)),
             ("hh", "inv"), Z, Y, (x - Z.sum(axis=0))[None, :], ("VA",))
    del Z, Y
    co.MAX_NODES = 10**9 if mode == "dense" else 0
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    r = co.cutoff_two_ways(t, "R0", ["R1"], weeks=52, duration=13)
    sec = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": sec, "peak_mib": peak, "before_mib": base,
            "lost": float(r.iloc[0, 0]), "unmet": float(r.iloc[1, 0])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default="20x200x0.1:dense+sparse,20x200x0.5:dense+sparse,"
                                       "49x200x0.1:sparse")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "cutoff_scale.md"))
    args = ap.parse_args()
    if args.one:
        r, s, d, mode = args.one.split(":")
        print(json.dumps(one(int(r), int(s), float(d), mode)))
        return
    env = environment()
    rows = []
    for case in args.cases.split(","):
        shape, modes = case.split(":")
        r, s, d = shape.split("x")
        got = {}
        for mode in modes.split("+"):
            out = subprocess.run([sys.executable, __file__, "--one", f"{r}:{s}:{d}:{mode}"],
                                 capture_output=True, text=True, check=True)
            got[mode] = json.loads(out.stdout.strip().splitlines()[-1])
            g = got[mode]
            print(case, mode, g, flush=True)
        n = int(r) * int(s)
        cells = [f"{m} {g['seconds']:.1f} s, peak {g['peak_mib']:,.0f} MiB "
                 f"({g['peak_mib'] - g['before_mib']:,.0f} added)" for m, g in got.items()]
        agree = ""
        if len(got) == 2:
            a, b = got["dense"], got["sparse"]
            rel = max(abs(a[k] - b[k]) / max(abs(a[k]), 1e-300) for k in ("lost", "unmet"))
            agree = f"{rel:.1e}; dense / sparse time **{a['seconds'] / b['seconds']:.2f}**"
        rows.append(f"| {r} x {s} = {n:,} | {d} | {'; '.join(cells)} | {agree or '—'} |")
    text = "\n".join([
        "# The MRIO cut-off through the whole system at size", "",
        "Run by `python bench/cutoff_scale.py`; each variant in its own process.", "",
        *environment_lines(env, command_line()), "",
        "| regions x sectors | density of Z | runs (52 weeks, the partner cut for 13) | "
        "dense and sparse answers (largest relative difference) |", "|---|---|---|---|",
        *rows, "",
    ])
    Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
