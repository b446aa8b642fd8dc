"""Optimal plans with real choice at scale: the structured method against HiGHS PDLP and simplex.

Random sparse economies (20 inputs per product) with two partners (recorded import shares, open
import offers at a price, recorded and priced exports with limits, aid, so the foreign-exchange
balance binds), two factors at 90 % of what the balance needs, and capacities 1.5-3 x the
balance output (a share ``--tight`` of the branches 1.0-1.2 x). Each size is one max-min LP
built once (``autarky.plan.optimize.build_model``), then solved by:

* ``structured``: :func:`autarky.plan.structured.solve_structured` (Leontief pricing by policy
  iteration, a master LP over the coupling rows, the answer certified in the full LP);
* ``PDLP``: ``solve_lp(lp, solver="pdlp")`` (HiGHS's first-order method, scaled; the answer is
  checked and, failing the check, solved again with tighter tolerances or refused);
* ``simplex``: ``solve_lp(lp)`` (HiGHS dual simplex), with a time limit.

Build, solve and read-back (``autarky.plan.read.read_optimal``) are timed apart; the objective of
each answer is compared with the best proven one, and every answer's certificate (largest
primal violation, duality gap) is given. Writes ``bench/results/lp_scale.md``. One run per
variant (wall clock); the machine is shared, so the load average is recorded.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from _common import command_line, environment, environment_lines

from autarky import Economy
from autarky.plan.optimize import build_model, explain_infeasible, explain_unbounded
from autarky.plan.read import read_optimal
from autarky.plan.structured import solve_structured
from autarky.solve.lp import solve_lp
from autarky.testing import random_technology


def economy(n: int, seed: int, tight: float) -> Economy:
    rng = np.random.default_rng(seed)
    A = random_technology(n, density=min(1.0, 20 / n), spectral=0.8, seed=rng, sparse=True)
    d = rng.uniform(1, 10, n)
    P = 2
    shares = np.where(rng.uniform(0, 1, (P, n)) < 0.3, rng.uniform(0.02, 0.15, (P, n)), 0.0)
    exports = np.where(rng.uniform(0, 1, (P, n)) < 0.2, rng.uniform(0.05, 0.2, (P, n)) * d, 0.0)
    iprice = np.where((shares > 0) | (rng.uniform(0, 1, (P, n)) < 0.25),
                      rng.uniform(0.8, 1.5, (P, n)), np.nan)
    priced = (exports > 0) | (rng.uniform(0, 1, (P, n)) < 0.1)
    eprice = np.where(priced, rng.uniform(0.7, 1.2, (P, n)), np.nan)
    elimit = np.where(priced, 3.0 * (exports + 0.1 * d), np.inf)
    F = rng.uniform(0.1, 1.0, (2, n))
    eco = Economy.from_coefficients(
        A, d, factors=pd.DataFrame({"unit": ["workers", "ha"]}, index=["labour", "land"]),
        factor_coefficients=F, partners=pd.DataFrame(index=["p1", "p2"]),
        import_shares=shares, exports=exports, import_prices=iprice, export_prices=eprice,
        export_limits=elimit, aid=[0.01 * d.sum(), 0.005 * d.sum()], prices=np.ones(n))
    x = eco.plan.balance().gross_output.to_numpy()
    capf = np.where(rng.uniform(0, 1, n) < tight, rng.uniform(1.0, 1.2, n),
                    rng.uniform(1.5, 3.0, n))
    return eco.replace(factor_availability=list(0.9 * (F @ x)), capacity=x * capf)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_size(n: int, variants: list[str], limit: float, seed: int, tight: float
             ) -> dict[str, Any]:
    t0 = time.perf_counter()
    eco = economy(n, seed, tight)
    t1 = time.perf_counter()
    model = build_model(eco)
    t2 = time.perf_counter()
    row: dict[str, Any] = {"n": n, "economy_s": t1 - t0, "build_s": t2 - t1,
                           "shape": model.lp.shape, "nnz": model.lp.M.nnz, "variants": {}}
    for v in variants:
        print(f"n = {n}: {v}", file=sys.stderr, flush=True)
        t = time.perf_counter()
        info: dict[str, Any] = {}
        if v == "structured":
            out = solve_structured(model, time_limit=limit, max_rounds=10_000)
            res = out.result
            info["stats"] = out.stats
            info["reason"] = out.reason
        elif v == "PDLP":
            res = solve_lp(model.lp, solver="pdlp", time_limit=limit)
        else:
            res = solve_lp(model.lp, time_limit=limit)
        info["solve_s"] = time.perf_counter() - t
        if res is not None and res.status == "optimal":
            t = time.perf_counter()
            plan = read_optimal(model, res, explain_infeasible, explain_unbounded)
            info["read_s"] = time.perf_counter() - t
            info["objective"] = float(res.objective)
            info["fulfilment"] = plan.fulfilment
            info["check"] = res.check
            info["binding"] = len(plan.binding)
        else:
            info["status"] = "no answer" if res is None else f"{res.status}: {res.message[:120]}"
        info["peak_mb"] = peak_mb()
        row["variants"][v] = info
    return row


def fmt(x: Any, spec: str = ".2f") -> str:
    return "-" if x is None else format(x, spec)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000", help="all three variants")
    ap.add_argument("--structured-sizes", default="100000", help="the structured method only")
    ap.add_argument("--limit", type=float, default=120.0, help="seconds per solve")
    ap.add_argument("--big-limit", type=float, default=300.0,
                    help="seconds for the structured-only sizes")
    ap.add_argument("--tight", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "lp_scale.md"))
    args = ap.parse_args()
    env = environment({"highspy": version("highspy")})
    rows = [run_size(int(n), ["structured", "PDLP", "simplex"], args.limit, args.seed,
                     args.tight) for n in args.sizes.split(",") if n]
    rows += [run_size(int(n), ["structured"], args.big_limit, args.seed, args.tight)
             for n in args.structured_sizes.split(",") if n]
    lines = ["# Optimal plans with choice at scale: structured against PDLP and simplex", "",
             f"Run by `{command_line()}`. One run per variant (wall clock).", ""]
    lines += environment_lines(env, command_line())
    lines += ["", "Economy: random sparse technology, 20 inputs per product, 2 partners (import "
              "shares on 30 % of products, open offers at a price on 25 %, exports on 20 % with "
              "prices and limits, aid), 2 factors at 90 % of the balance, capacities 1.5-3 x the "
              f"balance output (a share {args.tight:g} at 1.0-1.2 x). Max-min objective. Time "
              f"limit {args.limit:g} s per solve ({args.big_limit:g} s for the structured-only "
              "sizes).", "",
              "| n | LP rows x cols | non-zeros | economy s | build s | variant | solve s | "
              "read back s | objective, rel. to best | max violation | duality gap | status / "
              "rounds | peak MB |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        objs = [v["objective"] for v in row["variants"].values()
                if "objective" in v and v["check"] is not None and v["check"].ok]
        best = max(objs) if objs else None
        for name, v in row["variants"].items():
            chk = v.get("check")
            rel = (abs(v["objective"] - best) / max(1.0, abs(best))
                   if best is not None and "objective" in v else None)
            status = v.get("status", "optimal")
            if name == "structured":
                st = v["stats"]
                status = (f"{'certified' if 'objective' in v else v['reason']}; "
                          f"{st.get('rounds', 0)} rounds, {st.get('policy_iterations', 0)} policy "
                          f"iterations, {st.get('master_rows', 0)} master rows")
            elif chk is not None and not chk.ok:
                status = "answer fails its check"
            lines.append(
                f"| {row['n']:,} | {row['shape'][0]:,} x {row['shape'][1]:,} | {row['nnz']:,} | "
                f"{row['economy_s']:.2f} | {row['build_s']:.2f} | {name} | {v['solve_s']:.2f} | "
                f"{fmt(v.get('read_s'))} | {fmt(rel, '.1e')} | "
                f"{fmt(chk.primal if chk else None, '.1e')} | "
                f"{fmt(chk.gap if chk else None, '.1e')} | {status} | {v['peak_mb']:.0f} |")
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
