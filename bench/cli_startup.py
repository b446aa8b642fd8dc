"""Start-up of the command line: ``autarky --help`` and ``--version`` against a bare Python and
against ``python -c "import typer"`` (the floor any typer command line pays), each in a fresh
process, side by side in one run; also ``import autarky`` and the first numerical use.

Writes ``bench/results/cli_startup.md``. Median and best of ``repeat`` runs (wall clock).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import command_line, environment, environment_lines

CASES = {
    "python -c pass (interpreter floor)": [sys.executable, "-c", "pass"],
    "python -c 'import typer' (typer floor)": [sys.executable, "-c", "import typer"],
    "python -c 'import autarky'": [sys.executable, "-c", "import autarky"],
    "autarky --version": [sys.executable, "-m", "autarky", "--version"],
    "autarky --help": [sys.executable, "-m", "autarky", "--help"],
    "autarky stress --help": [sys.executable, "-m", "autarky", "stress", "--help"],
    "first balance (import autarky; balance the textbook)": [
        sys.executable, "-c", "import autarky; autarky.Economy.from_coefficients("
        "[[0.15, 0.25], [0.2, 0.05]], [600, 1500]).plan.balance()"],
}


def timed(cmd: list[str], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "cli_startup.md"))
    args = ap.parse_args()
    env = environment()
    rows = []
    runs = {name: [] for name in CASES}  # type: dict[str, list[float]]
    for _ in range(args.repeat):  # interleaved, so that a busy moment hits every case alike
        for name, cmd in CASES.items():
            runs[name] += timed(cmd, 1)
    floor = statistics.median(runs["python -c 'import typer' (typer floor)"])
    for name, times in runs.items():
        med = statistics.median(times)
        rows.append(f"| {name} | {1000 * med:.0f} | {1000 * min(times):.0f} | "
                    f"{med / floor:.2f} |")
    lines = ["# Command-line start-up", "", *environment_lines(env, command_line()), "",
             "Each case in a fresh process, the cases interleaved, "
             f"{args.repeat} runs each; ms of wall clock.", "",
             "| case | median (ms) | best (ms) | median / typer floor |",
             "|---|---:|---:|---:|", *rows, ""]
    Path(args.out).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
