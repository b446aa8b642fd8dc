"""The command line at size: ``autarky reliance DIR`` and ``autarky report DIR`` on large
scenario folders, today's code against an old commit (default 6e28791, before the work of
issue 12's goal 7), split into start-up, reading and the library calls.

Two kinds of folder per size ``n`` (``n`` products, 20 inputs each, written by today's
``autarky.write_scenario``):

* **closed**: ``bench/scale.py``'s ``write_folder`` (technology and final demand only): the
  self-reliance table of a closed economy and a report of the balance page alone;
* **open**: the same technology with two partners (import shares from each for about 30 % of
  the products, exports for 10 %, prices), and labour with an availability 10 % above what the
  balanced plan needs, so that the plans are bounded: the report then writes the self-reliance
  page too (a cut-off of each partner re-planned and propagated 52 weeks, the cost-of-autarky
  curve with 11 caps and economies of scale, the criticality of every branch).

Measured for each folder and command:

* **command**: ``python -m autarky COMMAND DIR`` in a fresh process, wall time, standard
  output to a pipe (the table form; the report into a fresh folder), stopped after
  ``--budget`` seconds (``--report-budget`` for the report of an open economy);
* inside a worker process (same code): ``import`` (the command's modules), ``read``
  (``read_scenario``), the **library calls** the command makes, timed one by one (new code
  only: the old code makes more, which is the point), and the command run in-process
  (``autarky.cli.app.main``) after them, with the LPs it solved counted.

The old code runs in a subprocess with ``PYTHONPATH`` on its ``src`` (exported with ``git
archive``), as ``bench/scale.py`` does. Writes ``bench/results/cli_scale.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from _common import command_line, environment, environment_lines
from scale import final_demand, maxrss_mib, old_source, technology, write_folder


# ---------------------------------------------------------------------------------------- data
def open_economy(n: int, seed: int) -> Any:
    """``bench/scale.py``'s technology of size ``n`` with two partners, exports, prices and
    labour limiting output (availability 1.1 x what the balanced plan needs)."""
    import autarky

    rng = np.random.default_rng(seed + 2)
    A = technology(n, seed)
    y = final_demand(n, seed)
    groups = np.array(["primary", "industry", "services"])[rng.integers(0, 3, n)]
    branches = pd.DataFrame({"unit": "EUR million", "group": groups},
                            index=pd.Index([f"b{i}" for i in range(n)], name="id"))
    S = np.zeros((2, n))
    E = np.zeros((2, n))
    for p in range(2):
        pick = rng.random(n) < 0.3
        S[p, pick] = rng.uniform(0.02, 0.3, pick.sum())
        pick = rng.random(n) < 0.1
        E[p, pick] = y[pick] * rng.uniform(0.05, 0.3, pick.sum())
    F = rng.uniform(0.01, 0.03, (1, n))
    eco = autarky.Economy(
        branches, A, y, name=f"open economy, {n:,} products", currency="EUR million",
        partners=pd.DataFrame({"name": ["Northland", "Southland"]}, index=["north", "south"]),
        factors=pd.DataFrame({"unit": ["thousand workers"], "name": ["Labour"]},
                             index=["labour"]),
        factor_coefficients=F, factor_availability=[np.inf], prices=np.ones(n),
        import_shares=S, exports=E, import_prices=np.where(S > 0, 1.0, np.nan),
        export_prices=np.where(E > 0, 1.0, np.nan))
    labour = float(F[0] @ eco.plan.balance().gross_output.to_numpy())
    return eco.replace(factor_availability=[1.1 * labour])


def write(kind: str, n: int, folder: Path) -> float:
    """Write the folder; seconds taken."""
    import autarky

    t0 = time.perf_counter()
    if kind == "closed":
        write_folder(n, folder, n, "writer")
    else:
        if folder.exists():
            shutil.rmtree(folder)
        autarky.write_scenario(open_economy(n, n), folder)
    return time.perf_counter() - t0


# ---------------------------------------------------------------------------------------- workers
def _count_lps() -> dict[str, int]:
    """Count the LPs solved from here on: ``lps`` every ``solve_lp`` call (each module's
    imported name replaced; a cold HiGHS start, two where the answer is solved again with
    tighter tolerances), ``structured`` every structured plan (Leontief pricing and a master
    LP) and ``warm`` every re-run of a live HiGHS instance (autarky.reliance.family, where the
    code has it)."""
    import autarky.solve.lp as lpmod

    orig = lpmod.solve_lp
    counter = {"lps": 0, "structured": 0, "warm": 0}

    def counted(*args: Any, **kwargs: Any) -> Any:
        counter["lps"] += 1
        return orig(*args, **kwargs)

    lpmod.solve_lp = counted
    for mod in list(sys.modules.values()):
        if getattr(mod, "solve_lp", None) is orig and str(getattr(mod, "__name__", "")
                                                            ).startswith("autarky"):
            mod.solve_lp = counted  # type: ignore[attr-defined]
    try:
        import autarky.plan.structured as st
    except ImportError:
        st = None  # type: ignore[assignment]
    if st is not None:
        orig_st = st.solve_structured

        def counted_st(*args: Any, **kwargs: Any) -> Any:
            counter["structured"] += 1
            return orig_st(*args, **kwargs)

        st.solve_structured = counted_st  # type: ignore[assignment]
        for mod in list(sys.modules.values()):
            if getattr(mod, "solve_structured", None) is orig_st:
                mod.solve_structured = counted_st  # type: ignore[attr-defined]
    try:
        from autarky.reliance.family import _Live
    except ImportError:
        return counter
    orig_run = _Live.run

    def counted_run(self: Any) -> Any:
        counter["warm"] += 1
        return orig_run(self)

    _Live.run = counted_run  # type: ignore[method-assign]
    return counter


def _lps(counter: dict[str, Any]) -> str:
    """``cold / warm / structured``: solve_lp calls, live HiGHS runs, structured plans."""
    return f"{counter['lps']} / {counter['warm']} / {counter['structured']}"


def library_calls(command: str, scn: Any) -> dict[str, float]:
    """The library calls ``command`` makes today, timed one by one."""
    times: dict[str, float] = {}

    def timed(name: str, fn: Any) -> Any:
        t0 = time.perf_counter()
        out = fn()
        times[name] = times.get(name, 0.0) + time.perf_counter() - t0
        print(json.dumps({"call": name, "s": time.perf_counter() - t0}), flush=True)
        return out

    if command == "reliance":
        timed("indicators", lambda: scn.reliance.indicators())
        return times
    timed("balance", lambda: scn.plan.balance())
    if not len(scn.partners):
        return times
    from autarky.reliance.criticality import branch_criticality
    from autarky.reliance.stress import baseline_plan

    timed("indicators", lambda: scn.reliance.indicators())
    plan = timed("baseline plan", lambda: baseline_plan(scn))
    for p in scn.partners.index:
        timed("cut-offs (re-planned, propagated)", lambda p=p: scn.reliance.stress(
            f"partner:{p}", weeks=52, duration=13, inventory_days=14.0, baseline_plan=plan))
    timed("cost of autarky", lambda: scn.reliance.cost_of_autarky(scale_elasticity=0.1,
                                                                   baseline_plan=plan))
    timed("criticality", lambda: branch_criticality(scn))
    return times


def worker(args: argparse.Namespace) -> None:
    """In a subprocess (new or old code): time the imports, the read, the library calls (new
    code) and the command in-process; print one JSON line."""
    t0 = time.perf_counter()
    import importlib

    import autarky

    app = importlib.import_module("autarky.cli.app")  # the module (autarky.cli.app is the app)
    app.register_commands()
    modules = ["autarky.reliance.indicators", "autarky.reliance.stress", "autarky.reliance.cost",
               "autarky.reliance.criticality", "autarky.plan.optimize", "autarky.cli.render"]
    if args.command == "report":
        modules += ["autarky.report.site", "autarky.report.reliance"]
    for name in modules:
        importlib.import_module(name)  # imported before the clock of the library calls
    out: dict[str, Any] = {"autarky": str(Path(autarky.__file__).parent),
                           "import_s": time.perf_counter() - t0}
    t0 = time.perf_counter()
    scn = autarky.read_scenario(args.folder)
    out["read_s"] = time.perf_counter() - t0
    counter = _count_lps()
    if args.library:
        out["library"] = library_calls(args.command, scn)
        out["library_lps"] = _lps(counter)
        counter.update(lps=0, structured=0, warm=0)
    argv = [args.command, args.folder]
    if args.command == "report":
        argv += ["--out", args.out_dir, "--force"]
    t0 = time.perf_counter()
    with open(os.devnull, "w") as null, contextlib.redirect_stdout(null):
        rc = app.main(argv)
    out.update(cli_s=time.perf_counter() - t0, rc=rc, cli_lps=_lps(counter),
               peak_mib=maxrss_mib())
    print(json.dumps(out), flush=True)


def run(src: Path | None, cmd: list[str], timeout: float) -> tuple[float | None, str]:
    """Run ``cmd`` with ``src`` first on the path; wall seconds (``None`` past ``timeout``) and
    standard output (what it printed until then, past the timeout)."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src) + (os.pathsep + env["PYTHONPATH"]
                                        if env.get("PYTHONPATH") else "")
    t0 = time.perf_counter()
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout,
                              check=False)
    except subprocess.TimeoutExpired as exc:
        partial = exc.stdout or b""
        return None, partial.decode() if isinstance(partial, bytes) else partial
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(f"failed ({' '.join(cmd)}):\n{done.stderr[-3000:]}")
    return wall, done.stdout


def command_wall(src: Path | None, command: str, folder: Path, out: Path, timeout: float
                 ) -> float | None:
    cmd = [sys.executable, "-m", "autarky", command, str(folder)]
    if command == "report":
        cmd += ["--out", str(out), "--force"]
    return run(src, cmd, timeout)[0]


def worker_run(src: Path | None, command: str, folder: Path, out: Path, timeout: float,
               library: bool) -> dict[str, Any] | None:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", "--command", command,
           "--folder", str(folder), "--out-dir", str(out)] + (["--library"] if library else [])
    wall, text = run(src, cmd, timeout)
    lines = [json.loads(line) for line in text.strip().splitlines() if line.startswith("{")]
    if wall is None:  # past the budget: the library calls that finished, and the one that did not
        done = [d for d in lines if "call" in d]
        return {"partial": [(d["call"], d["s"]) for d in done], "budget": timeout}
    doc: dict[str, Any] = lines[-1]
    if src is not None:
        assert Path(doc["autarky"]).resolve() == (src / "autarky").resolve(), doc
    return doc


# ---------------------------------------------------------------------------------------- main
def fmt(v: float | None, budget: float | None = None) -> str:
    if v is None:
        return f"> {budget:.0f}" if budget is not None else "not run"
    return f"{v:.2f}" if v < 10 else f"{v:.1f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="3000,10000,100000")
    ap.add_argument("--kinds", default="closed,open")
    ap.add_argument("--old-sizes", default="3000,10000,100000",
                    help="sizes at which the old code runs too (within the budget)")
    ap.add_argument("--open-report-sizes", default="300,3000",
                    help="sizes of the open economy whose report is run (its LPs are the "
                         "library's time)")
    ap.add_argument("--old-report-sizes", default=None,
                    help="sizes of the open economy whose report the old code runs too "
                         "(default: every size of --open-report-sizes)")
    ap.add_argument("--budget", type=float, default=300.0,
                    help="seconds a command may take before it is stopped")
    ap.add_argument("--report-budget", type=float, default=600.0,
                    help="seconds the report of an open economy may take")
    ap.add_argument("--old-ref", default="6e28791")
    ap.add_argument("--old-src", default=None)
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "cli_scale.md"))
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--command", help=argparse.SUPPRESS)
    ap.add_argument("--folder", help=argparse.SUPPRESS)
    ap.add_argument("--out-dir", help=argparse.SUPPRESS)
    ap.add_argument("--library", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args)
        return

    env = environment()
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="autarky-cli-"))
    work.mkdir(parents=True, exist_ok=True)
    old_src = Path(args.old_src) if args.old_src else old_source(
        args.old_ref, Path(tempfile.gettempdir()) / f"autarky-old-{args.old_ref}")
    env["old code"] = f"{args.old_ref} from {old_src}"
    sizes = [int(s) for s in args.sizes.split(",") if s]
    old_sizes = {int(s) for s in args.old_sizes.split(",") if s}
    open_report = {int(s) for s in args.open_report_sizes.split(",") if s}
    old_report = open_report if args.old_report_sizes is None else {
        int(s) for s in args.old_report_sizes.split(",") if s}
    kinds = [k for k in args.kinds.split(",") if k]
    rows: list[str] = []
    lib_rows: list[str] = []
    for kind in kinds:
        for n in sorted(set(sizes) | (open_report if kind == "open" else set())):
            folder = work / f"{kind}-{n}"
            t_write = write(kind, n, folder)
            for command in ("reliance", "report"):
                if command == "reliance" and n not in sizes:
                    continue
                budget = args.report_budget if (command == "report" and kind == "open") \
                    else args.budget
                if command == "report" and kind == "open" and n not in open_report:
                    continue
                out = work / f"report-{kind}-{n}"
                wall_new = command_wall(None, command, folder, out, budget)
                new = worker_run(None, command, folder, out,
                                 budget if wall_new is None else 2 * budget + 60, library=True)
                if new is not None and "partial" in new:
                    done = ", ".join(f"{k} {fmt(v)}" for k, v in new["partial"])
                    lib_rows.append(f"| {kind} | {n:,} | `{command}` | {done or 'none'}; "
                                    f"stopped after {new['budget']:.0f} s in the next call | "
                                    "— |")
                    new = None
                wall_old = old = None
                with_old = (n in old_report if (command == "report" and kind == "open")
                            else n in old_sizes)
                if with_old:
                    wall_old = command_wall(old_src, command, folder, out, budget)
                    if wall_old is not None:
                        old = worker_run(old_src, command, folder, out, 3 * budget,
                                         library=False)
                lib = sum(new["library"].values()) if new else None
                ratio = (f"**{wall_old / wall_new:.1f}**" if wall_old and wall_new
                         else (f"> {budget / wall_new:.1f}" if wall_new and with_old
                               else "—"))
                rows.append(
                    f"| {kind} | {n:,} | `{command}` | {fmt(wall_new, budget)} | "
                    + (f"{fmt(new['import_s'])} / {fmt(new['read_s'])} / {fmt(lib)} / "
                       f"{fmt(new['cli_s'])}" if new else "—") + " | "
                    + (str(new["cli_lps"]) if new else "—") + " | "
                    + (fmt(wall_old, budget) if with_old else "not run") + " | "
                    + (f"{fmt(old['import_s'])} / {fmt(old['read_s'])} / — / "
                       f"{fmt(old['cli_s'])}" if old else "—") + " | "
                    + (str(old["cli_lps"]) if old else "—") + f" | {ratio} | "
                    + (f"{new['peak_mib']:.0f}" if new else "—") + f" | {fmt(t_write)} |")
                print(rows[-1], flush=True)
                if new and new["library"]:
                    parts = ", ".join(f"{k} {fmt(v)}" for k, v in new["library"].items())
                    lib_rows.append(f"| {kind} | {n:,} | `{command}` | {parts} | "
                                    f"{new['library_lps']} |")
                shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(folder, ignore_errors=True)

    text = "\n".join([
        "# The command line at size: `autarky reliance` and `autarky report`", "",
        f"Run by `python bench/cli_scale.py`; old code: commit {args.old_ref} in a subprocess.",
        "", *environment_lines(env, command_line()), "",
        "Folders: `n` products, 20 inputs per product, written by today's "
        "`autarky.write_scenario`; *closed*: technology and final demand "
        "(`bench/scale.py`'s `write_folder`); *open*: two partners, exports, prices and labour "
        "limiting output (see the script's docstring). The same folder is read by both codes.",
        "",
        "## Time (seconds, one run each; the machine is shared, so read the ratios)", "",
        "`command`: `python -m autarky COMMAND DIR` in a fresh process (start-up included), "
        "standard output to a pipe. `import / read / library / in-process`: inside a worker "
        "process, the command's imports, `read_scenario`, the library calls the command makes "
        "today (timed one by one, below) and the command run in-process after them "
        "(`autarky.cli.app.main`: reading again, the library calls and the rendering). `LPs`: "
        "the linear programmes the in-process command solved, as `cold / warm / structured`: "
        "`solve_lp` calls (a cold HiGHS start each), re-runs of a live HiGHS instance from its "
        "last basis, structured plans (Leontief pricing and a master LP). `>` a budget: "
        "stopped there.", "",
        "| folder | n | command | new command | new import / read / library / in-process | "
        "new LPs | old command | old import / read / — / in-process | old LPs | "
        "old / new | new peak MiB | write |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|", *rows, "",
        "## The library calls, one by one (new code)", "",
        "| folder | n | command | calls (s) | LPs |", "|---|---|---|---|---|", *lib_rows, "",
    ])
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
