"""Right-hand sides in blocks: the ``balance`` analysis of a sweep whose draws leave the
technology alone (one factorization, every draw's ``y_d + e`` solved at once) against the same
draws balanced one by one, side by side in one run, on dprk-1963 (final demand and exports
drawn) and on a sparse economy of ``--n`` products (20 inputs each, final demand drawn on 50
products). Usage: ``python bench/sweep_blocks.py [--draws 400] [--n 20000]``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from _common import command_line, environment, environment_lines


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--draws", type=int, default=400)
    p.add_argument("--n", type=int, default=20_000)
    p.add_argument("--out", default=str(Path(__file__).with_name("results") / "sweep_blocks.md"))
    a = p.parse_args()
    from scale import technology

    import autarky.sweep.analyses as an
    from autarky import Economy, data
    from autarky.sweep.engine import sweep
    from autarky.sweep.uncertain import Uncertain, choose_entries, entries_of

    env = environment()
    cases = []
    scn = data.load("dprk-1963")
    cases.append(("dprk-1963 (12 branches)", scn,
                  choose_entries(entries_of(scn), ["final_demand", "exports"])))
    A = technology(a.n, 0)
    rng = np.random.default_rng(0)
    ids = [f"p{i}" for i in range(a.n)]
    big = Economy.from_coefficients(A, rng.uniform(1, 10, a.n), branches=ids)
    y = big.final_demand.to_numpy()[:, 0]
    cases.append((f"sparse, {a.n:,} products", big,
                  [Uncertain("final_demand", (ids[i], "total"), "uniform", low=0.5 * y[i],
                             high=1.5 * y[i]) for i in range(50)]))
    block = an.ANALYSES["balance"]
    one_by_one = an.Analysis("balance", an._balance)
    rows = []
    for name, obj, entries in cases:
        n = a.draws if "dprk" in name else max(20, a.draws // 10)
        times = {}
        results = {}
        for label, analysis in (("in blocks", block), ("one by one", one_by_one)):
            an.ANALYSES["balance"] = analysis
            try:
                sweep(obj, ["balance"], draws=2, entries=entries, seed=1, scheduler="serial")
                t0 = time.perf_counter()
                results[label] = sweep(obj, ["balance"], draws=n, entries=entries, seed=1,
                                       scheduler="serial", batch=min(n, 100))
                times[label] = time.perf_counter() - t0
            finally:
                an.ANALYSES["balance"] = block
        d = float(np.max(np.abs(results["in blocks"]["balance.gross_output"].values
                                - results["one by one"]["balance.gross_output"].values)
                         / np.maximum(1.0, np.abs(results["one by one"]["balance.gross_output"]
                                                  .values))))
        rows.append(f"| {name} | {n} | {times['in blocks'] / n * 1e3:.2f} | "
                    f"{times['one by one'] / n * 1e3:.2f} | "
                    f"{times['one by one'] / times['in blocks']:.2f}x | {d:.1e} |")
        print(rows[-1], flush=True)
    text = "\n".join([
        "# Sweeps: balances with their right-hand sides in blocks", "",
        *environment_lines(env, command_line()), "",
        "| economy | draws | ms per draw, in blocks | ms per draw, one by one | speed-up | "
        "largest relative difference |", "|---|---|---|---|---|---|", *rows, ""])
    Path(a.out).write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
