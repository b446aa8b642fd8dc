"""Benchmarks of plans: autarky against HiGHS called directly on the same LP, in one run.

For random economies with labour and capacities (``n`` branches):

* ``autarky lp``: ``economy.plan.optimize(method="lp")`` — building the LP from the economy,
  scaling it, solving it with HiGHS, checking the answer against the unscaled program, and
  reading outputs, duals and binding constraints back (``bench/lp_checks.py`` measures the
  scaling and the check alone);
* ``HiGHS direct``: the same LP (built once beforehand) passed to ``highspy`` and solved — the
  floor any wrapper of HiGHS has;
* ``autarky closed form``: ``method="closed-form"``, one Leontief solve and one transposed solve.

and multi-year plans (``n`` branches, ``T`` years): ``scenario.plan.multiyear`` against HiGHS
direct on its LP; the scenario is built with ``Scenario(economy).replace(horizon=...)``, with
depreciation, gestation and the initial capacity as tables of the economy. Writes
``bench/results/lp.md`` (with the machine, load average and BLAS kernel). Times are best of
``repeat`` runs (wall clock).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import highspy
import numpy as np
import pandas as pd
from _common import best, command_line, environment, environment_lines

from autarky import Economy, Scenario
from autarky.plan.multiyear import build_model as build_multiyear
from autarky.plan.optimize import build_model as build_optimize
from autarky.solve.lp import _new_highs, _to_highs_lp
from autarky.testing import random_technology


def highs_direct(lp: object) -> Callable[[], object]:
    h_lp = _to_highs_lp(lp)  # type: ignore[arg-type]

    def run() -> object:
        h = _new_highs()
        h.passModel(h_lp)
        h.run()
        assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        return h.getInfo().objective_function_value

    return run


def one_year_economy(n: int, seed: int) -> Economy:
    rng = np.random.default_rng(seed)
    A = random_technology(n, density=min(1.0, 20 / n), spectral=0.8, seed=rng)
    d = rng.uniform(1, 10, n)
    x1 = np.linalg.solve(np.eye(n) - A, d)
    lab = rng.uniform(0.1, 1.0, n)
    fac = pd.DataFrame({"unit": ["workers"], "availability": [float(lab @ x1) * 1.3]},
                       index=["labour"])
    return Economy.from_coefficients(A, d, factors=fac, factor_coefficients=[lab],
                                     capacity=x1 * rng.uniform(1.0, 2.0, n))


def multiyear_economy(n: int, years: int, seed: int) -> Scenario:
    """A random economy with capital coefficients, as a scenario with a ``years``-year horizon.

    Depreciation, gestation and the initial capacity are tables of the economy; the horizon,
    the consumption floor and the industrial growth target are the scenario's plan settings.
    """
    rng = np.random.default_rng(seed)
    A = random_technology(n, density=min(1.0, 10 / n), spectral=0.6, seed=rng)
    x0 = rng.uniform(50, 100, n)
    y = x0 - A @ x0
    B = np.zeros((n, n))
    inv = rng.choice(n, size=max(1, n // 10), replace=False)  # investment-goods branches
    B[inv] = rng.uniform(0.05, 0.3, (len(inv), n)) / len(inv)
    groups = rng.choice(["heavy", "light", "agriculture"], n)
    ids = pd.Index([f"b{i}" for i in range(n)])
    fd = pd.DataFrame({"consumption": 0.7 * y, "government": 0.3 * y}, index=ids)
    eco = Economy(pd.DataFrame({"unit": "u", "group": groups}, index=ids), A, fd, year=0,
                  prices=np.ones(n), capital=B, reported_output=x0,
                  depreciation=np.full(n, 0.03), gestation=rng.integers(1, 3, n),
                  initial_capacity=1.05 * x0)
    return Scenario(eco).replace(horizon=(1, years), consumption_floor=0.9,
                                 industrial_growth=0.08)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,300,1000,2000")
    ap.add_argument("--multiyear", default="20x7,100x7,200x7")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "lp.md"))
    args = ap.parse_args()
    env = environment({"highspy": version("highspy")})
    rows = []
    for n in [int(s) for s in args.sizes.split(",") if s]:
        eco = one_year_economy(n, n)
        lp = build_optimize(eco).lp
        t_lp = best(lambda eco=eco: eco.plan.optimize(method="lp"), args.repeat)
        t_hi = best(highs_direct(lp), args.repeat)
        t_cf = best(lambda eco=eco: eco.plan.optimize(method="closed-form"), args.repeat)
        a, b = eco.plan.optimize(method="lp"), eco.plan.optimize(method="closed-form")
        assert abs(a.fulfilment - b.fulfilment) <= 1e-7 * b.fulfilment
        rows.append(f"| {n} | {lp.shape[0]} x {lp.shape[1]} | {t_lp * 1e3:.1f} | {t_hi * 1e3:.1f} | "
                    f"**{t_lp / t_hi:.2f}** | {t_cf * 1e3:.2f} | **{t_hi / t_cf:.0f}** |")
    mrows = []
    for spec in [s for s in args.multiyear.split(",") if s]:
        n, T = (int(v) for v in spec.split("x"))
        scn = multiyear_economy(n, T, n)
        lp = build_multiyear(scn, "heavy-first").lp
        t_my = best(lambda scn=scn: scn.plan.multiyear("heavy-first"), args.repeat)
        t_hi = best(highs_direct(lp), args.repeat)
        mrows.append(f"| {n} | {T} | {lp.shape[0]} x {lp.shape[1]} | {t_my * 1e3:.1f} | "
                     f"{t_hi * 1e3:.1f} | **{t_my / t_hi:.2f}** |")
    text = "\n".join([
        "# Plan benchmarks", "",
        f"Run by `make bench` (`python bench/lp.py`). Best of {args.repeat} runs (wall clock).",
        "", *environment_lines(env, command_line()), "",
        "## One-year optimal plan (max-min, labour and capacities, 20 inputs per product)", "",
        "| n | LP rows x cols | autarky lp ms | HiGHS direct ms | autarky / HiGHS | "
        "closed form ms | HiGHS / closed form |", "|---|---|---|---|---|---|---|", *rows, "",
        "`autarky / HiGHS` is the cost of building the LP, scaling it, checking the answer and "
        "reading it back, on top of the solve (HiGHS solves the scaled program, so its path "
        "may differ; `bench/lp_checks.py` separates the scaling and the check); "
        "`HiGHS / closed form` is what the closed form saves where it applies.", "",
        "## Multi-year plan (heavy-first, soft 8 % target)", "",
        "| n | years | LP rows x cols | autarky ms | HiGHS direct ms | autarky / HiGHS |",
        "|---|---|---|---|---|---|", *mrows, "",
    ])
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
