"""Benchmarks of self-reliance work, against the naive methods and pymrio, on the same inputs.

* hypothetical extraction of every branch: autarky's rank-one updates of one factorization
  (:func:`autarky.solve.extraction.extraction_losses`) against ``n`` fresh solves
  (:func:`extraction_losses_fresh`, the textbook method);
* total import content per unit of final product: one transposed solve with autarky's
  factorization against pymrio's route (``calc_L`` then the multiplier product).

Writes ``bench/results/reliance.md``. Best of ``repeat`` runs (wall clock).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from _common import best, command_line, environment, environment_lines

from autarky.solve import LeontiefSolver
from autarky.solve.extraction import extraction_losses, extraction_losses_fresh
from autarky.testing import random_technology

try:
    import pymrio
except ImportError:  # pragma: no cover
    pymrio = None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,300,1000")
    ap.add_argument("--content-sizes", default="500,1000,2000,4000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "reliance.md"))
    args = ap.parse_args()
    env = environment({"pymrio": getattr(pymrio, "__version__", "not installed")})
    rows = []
    for n in [int(s) for s in args.sizes.split(",") if s]:
        rng = np.random.default_rng(n)
        A = random_technology(n, density=0.3, spectral=0.7, seed=rng)
        y, w = rng.uniform(1, 10, n), rng.uniform(0.5, 2, n)
        fast = extraction_losses(A, y, w)
        slow = extraction_losses_fresh(A, y, w)
        assert np.allclose(fast.total, slow.total, rtol=1e-8)
        t_fast = best(lambda A=A, y=y, w=w: extraction_losses(A, y, w), args.repeat)
        t_slow = best(lambda A=A, y=y, w=w: extraction_losses_fresh(A, y, w), 1)
        rows.append(f"| {n} | {t_fast * 1e3:.1f} | {t_slow * 1e3:.1f} | **{t_slow / t_fast:.0f}** |")
    crows = []
    for n in [int(s) for s in args.content_sizes.split(",") if s]:
        rng = np.random.default_rng(n)
        A = random_technology(n, density=0.3, spectral=0.7, seed=rng)
        s = rng.uniform(0, 0.3, n)
        Ad = (1 - s)[:, None] * A
        Am = s[:, None] * A

        def ours(Ad: np.ndarray = Ad, Am: np.ndarray = Am) -> np.ndarray:
            return LeontiefSolver(Ad).solve_transposed(Am.T @ np.ones(len(Ad)))

        def peer(Ad: np.ndarray = Ad, Am: np.ndarray = Am) -> np.ndarray:
            return np.ones(len(Ad)) @ Am @ pymrio.calc_L(Ad)

        if pymrio is not None:
            assert np.allclose(ours(), peer(), rtol=1e-8)
            t_o, t_p = best(ours, args.repeat), best(peer, args.repeat)
            crows.append(f"| {n} | {t_o * 1e3:.1f} | {t_p * 1e3:.1f} | **{t_p / t_o:.2f}** |")
    text = "\n".join([
        "# Self-reliance benchmarks", "",
        f"Run by `make bench` (`python bench/reliance.py`). Best of {args.repeat} runs (fresh: "
        "one run).", "", *environment_lines(env, command_line()), "",
        "## Hypothetical extraction of every branch (dense, 30 % filled)", "",
        "| n | autarky rank-one updates ms | n fresh solves ms | fresh / autarky |",
        "|---|---|---|---|", *rows, "",
        "## Total import content per unit of final product", "",
        "| n | autarky transposed solve ms | pymrio calc_L route ms | pymrio / autarky |",
        "|---|---|---|---|", *crows, "",
    ])
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
