"""The one-year max-min plan of an open economy whose export offers have no limit: the
structured method (given the export limits labour and capacity imply) against HiGHS simplex.

``autarky.testing.random_open_economy(n, seed=7)``: dense technology (about half the inputs
used), two partners with import shares for half the products, recorded exports for a third with
no limit, labour 10 % above what the balanced plan needs. ``eco.plan.optimize()`` (``auto``:
structured from 1,000 branches) against ``eco.plan.optimize(method="lp")``; one run each (wall
clock). Writes ``bench/results/lp_open_exports.md``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import command_line, environment, environment_lines

from autarky.testing import random_open_economy


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,2000")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" /
                                         "lp_open_exports.md"))
    args = ap.parse_args()
    env = environment()
    rows = []
    for n in [int(s) for s in args.sizes.split(",") if s]:
        eco = random_open_economy(n, seed=7)
        t0 = time.perf_counter()
        a = eco.plan.optimize()
        ta = time.perf_counter() - t0
        t0 = time.perf_counter()
        b = eco.plan.optimize(method="lp")
        tb = time.perf_counter() - t0
        c = a.certificate
        rows.append(f"| {n:,} | {ta:.1f} ({c['method']}; violation {c['max_violation']:.0e}, "
                    f"gap {c['duality_gap']:.0e}) | {tb:.1f} ({b.certificate['method']}) | "
                    f"**{tb / ta:.1f}** | {abs(a.fulfilment - b.fulfilment) / b.fulfilment:.0e} |")
        print(rows[-1], flush=True)
    text = "\n".join([
        "# One-year plan of an open economy with unlimited export offers", "",
        "Run by `python bench/lp_open_exports.py`; one run each (wall clock).", "",
        *environment_lines(env, command_line()), "",
        "| n | `optimize()` s | `optimize(method=\"lp\")` s | LP / auto | fulfilment, relative "
        "difference |", "|---|---|---|---|---|", *rows, "",
        "Before this change the structured method declined these economies (\"an export offer "
        "without a limit pays more than its product costs\") and `auto` went to the LP.", "",
    ])
    Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
