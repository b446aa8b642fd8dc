"""The ``autarky`` command."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from autarky.errors import AutarkyError, BadValueError, PlanFailure

if TYPE_CHECKING:
    from autarky.economy import Scenario

# Numpy, pandas, the solvers and matplotlib are imported inside the commands that need them,
# so that ``--help`` and ``--version`` answer at once (measured in bench/cli_startup.py).

def examples(*lines: str) -> str:
    """A command's help epilog: its example command lines, kept as written (click's ``\\b``)."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  rich_markup_mode=None,
                  help="Plan and measure the self-reliance of a national economy.")
data_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                       help="Bundled data: the source's claims and models.")
app.add_typer(data_app, name="data")

def literal(text: str) -> str:
    r"""``text`` with its control characters (but newline and tab) shown escaped (``\x1b``):
    a name from a scenario file reaches the terminal as the text it is, never as a command.

    Examples
    --------
    >>> literal("steel\x1b[31m red")
    'steel\\x1b[31m red'
    >>> literal("a\tb")
    'a\tb'
    """
    if all(c.isprintable() or c in "\n\t" for c in text):
        return text
    return "".join(c if c.isprintable() or c in "\n\t" else repr(c)[1:-1] for c in text)


class LiteralConsole(Console):
    """A console that prints every string as the literal text it is: no markup (``[/]`` is
    text), no emoji codes (``:100:`` stays), no highlighting, control characters escaped.
    The command line's own styles are given as styles, never as markup."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.update(markup=False, emoji=False, highlight=False)
        super().__init__(**kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Text:
        kwargs.update(markup=False, emoji=False, highlight=False)
        return super().render_str(literal(text), **kwargs)


out = LiteralConsole(soft_wrap=False,
                     width=None if sys.stdout is not None and sys.stdout.isatty() else 140)
err = LiteralConsole(stderr=True)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


#: The arguments every scenario command takes.
ScenarioArg = Annotated[str, typer.Argument(help="Scenario file, folder or bundled name.")]
FormatOpt = Annotated[Format, typer.Option(
    "--format", "-f", help="Output format: a table, JSON, or CSV (one row per value, with its "
                           "unit; for balance: the balance table).")]


AllowOutsideOpt = Annotated[bool, typer.Option(
    "--allow-outside", help="Read table files the scenario names outside its own folder "
                            "(refused by default: a scenario folder is self-contained).")]
StrategyOpt = Annotated[str, typer.Option(help="heavy-first, light-first, balanced, great-leap, "
                                               "free, or one the scenario defines.")]
class Baseline(StrEnum):
    optimal = "optimal"
    target = "target"


BaselineOpt = Annotated[Baseline, typer.Option(
    "--baseline", help="What a re-planned loss is measured against: the optimal plan before "
                       "the shock, or the target (every home final use met in full).")]
HomeOpt = Annotated[str | None, typer.Option(
    "--home", help="With a table FORMAT:PATH (icio:ICIO2023_2020.csv, pymrio:folder): the "
                   "region seen as the home economy (each branch's capacity its output in the "
                   "table).")]
GroupOpt = Annotated[list[str] | None, typer.Option(
    "--group", help="With --home: a partner group NAME=CODE,CODE (or NAME=* for every other "
                    "region); repeat it. Default: each other region its own partner.")]
ForceOpt = Annotated[bool, typer.Option(
    "--force", help="Replace the output folder even if it is not a previous autarky output "
                    "(everything in it is deleted).")]


def finite(low: float, high: float, option: str, *, open_low: bool = False,
           open_high: bool = False) -> Callable[[float | None], float | None]:
    """A typer callback refusing a number that is NaN, infinite or outside [low, high] (an open
    end where ``open_low``/``open_high``); the usage error names the option and the range."""
    lo, hi = "(" if open_low else "[", ")" if open_high else "]"

    def check(value: float | None) -> float | None:
        if value is None:
            return None
        bad = (not math.isfinite(value) or value < low or value > high
               or (open_low and value == low) or (open_high and value == high))
        if bad:
            raise typer.BadParameter(f"{value:g} is not a finite number in {lo}{low:g}, "
                                     f"{high:g}{hi}", param_hint=f"'{option}'")
        return value

    return check


def read_scenario(path: Path, allow_outside: bool = False) -> Scenario:
    """:func:`autarky.io.read_scenario`, imported on first use."""
    from autarky.io import read_scenario as read

    return read(path, allow_outside=allow_outside)


def parse_groups(group: list[str] | None) -> dict[str, str | list[str]] | None:
    """``--group NAME=CODE,CODE`` options as the groups of :func:`autarky.mrio.home.home_view`."""
    if not group:
        return None
    out: dict[str, str | list[str]] = {}
    for g in group:
        name, eq, codes = g.partition("=")
        if not eq or not name.strip() or not codes.strip():
            raise typer.BadParameter(f"{g!r}: write NAME=CODE,CODE or NAME=*",
                                     param_hint="'--group'")
        if name.strip() in out:
            raise typer.BadParameter(f"group {name.strip()!r} given twice", param_hint="'--group'")
        members = [c.strip() for c in codes.split(",") if c.strip()]
        out[name.strip()] = "*" if members == ["*"] else members
    return out


def load_table_economy(spec: tuple[str, str], home: str | None, group: list[str] | None,
                       ) -> Scenario:
    """The home-region view of a table named ``FORMAT:PATH``."""
    from autarky.economy import Scenario as ScenarioType
    from autarky.mrio.home import home_view
    from autarky.mrio.readers import read_table

    fmt, path = spec
    if home is None:
        raise typer.BadParameter(f"the table {fmt}:{path} needs --home REGION (the region seen "
                                 "as the home economy)", param_hint="'--home'")
    groups = parse_groups(group)
    with working(f"reading {fmt}:{path}"):
        table = read_table(fmt, path)
        # the short run: no branch makes more than it does in the table (the plans, stress
        # tests and the cost of autarky need a bound; `autarky import --capacity` sets another)
        return ScenarioType(home_view(table, home, groups, capacity=1.0))


def load_economy(scenario: str, allow_outside: bool = False, home: str | None = None,
                 group: list[str] | None = None) -> Scenario:
    """A scenario path, the name of a bundled scenario (``island``, ``textbook``, ...), or a
    table ``FORMAT:PATH`` seen from ``home``; the notes of a converted old format go to
    standard error."""
    from autarky import data as bundled
    from autarky.mrio.readers import parse_spec

    p = Path(scenario)
    spec = parse_spec(scenario) if not p.exists() else None
    if spec is not None:
        return load_table_economy(spec, home, group)
    if home is not None or group:
        raise typer.BadParameter(f"{scenario} is a scenario, not a table FORMAT:PATH; --home and "
                                 "--group are for tables", param_hint="'--home'")
    with working(f"reading {scenario}"):
        if not p.exists() and scenario in {d.name for d in bundled.list_datasets()}:
            scn = bundled.load(scenario)
        else:
            scn = read_scenario(p, allow_outside=allow_outside)
    for note in scn.notes:
        err.print(f"note: {note}", highlight=False, markup=False, soft_wrap=True)
    return scn


@app.command(epilog=examples(
    'autarky validate island',
    'autarky validate my-economy/ --allow-outside'))
def validate(scenario: ScenarioArg, allow_outside: AllowOutsideOpt = False,
             home: HomeOpt = None, group: GroupOpt = None) -> None:
    """Check a scenario: structure, ids, units, numbers and productiveness."""
    eco = load_economy(scenario, allow_outside, home, group)
    out.print(Text.assemble(("ok", "green"), f" {scenario}: '{eco.name}', {eco.n} branches, "
                            f"{len(eco.factors)} factors, {len(eco.partners)} partners; "
                            "technology productive."))


@app.command(epilog=examples(
    'autarky balance textbook',
    'autarky balance island --format csv > balance.csv'))
def balance(
    scenario: ScenarioArg,
    format: FormatOpt = Format.table,
    allow_outside: AllowOutsideOpt = False,
    home: HomeOpt = None,
    group: GroupOpt = None,
) -> None:
    """Material balance: the gross output that meets the scenario's final demand."""
    from autarky.cli import render

    eco = load_economy(scenario, allow_outside, home, group)
    with working("solving the balance"):
        plan = eco.plan.balance()
    if format is Format.json:
        render.print_result(plan, eco, scenario, "json")
    elif format is Format.csv:
        sys.stdout.write(render.balance_csv(plan))
    else:
        render.print_table(out, render.balance_table(plan, eco, scenario))
        render.print_table(out, render.factor_table(plan))


class Objective(StrEnum):
    max_min = "max-min"
    weighted = "weighted"
    harmony = "harmony"


@app.command(epilog=examples(
    'autarky optimize island',
    'autarky optimize island --objective weighted --format json'))
def optimize(
    scenario: ScenarioArg,
    format: FormatOpt = Format.table,
    objective: Annotated[Objective | None, typer.Option(help="Override the scenario's.")] = None,
    min_fulfilment: Annotated[float | None, typer.Option(
        help="Require at least this fulfilment of the target (1 = all of it), 0 to 1000.",
        callback=finite(0.0, 1000.0, "--min-fulfilment"))] = None,
    allow_outside: AllowOutsideOpt = False,
    home: HomeOpt = None,
    group: GroupOpt = None,
) -> None:
    """Optimal one-year plan (HiGHS LP) with shadow prices and binding constraints."""
    from autarky.cli import render

    eco = load_economy(scenario, allow_outside, home, group)
    with working("solving the plan (linear programme)"):
        plan = eco.plan.optimize(objective=None if objective is None else objective.value,
                                 min_fulfilment=min_fulfilment)
    if format is not Format.table:
        render.print_result(plan, eco, scenario, format.value, currency=eco.currency)
    else:
        for t in render.optimal_tables(plan, eco, scenario):
            out.print(t)
    if not plan.ok:
        _no_plan(plan, detail=format is not Format.table)


@app.command("plan", epilog=examples(
    'autarky plan seven-year-plan --strategy light-first',
    'autarky plan seven-year-plan --strategy heavy-first --format json > plan.json'))
def plan_cmd(
    scenario: ScenarioArg,
    strategy: StrategyOpt = "free",
    format: FormatOpt = Format.table,
    allow_outside: AllowOutsideOpt = False,
    home: HomeOpt = None,
    group: GroupOpt = None,
) -> None:
    """Multi-year plan: capacity grows from investment, under a development strategy."""
    from autarky.cli import render

    eco = load_economy(scenario, allow_outside, home, group)
    with working(f"planning the horizon ({strategy})"):
        plan = eco.plan.multiyear(strategy)
    if format is not Format.table:
        render.print_result(plan, eco, scenario, format.value)
    else:
        out.print(render.multiyear_table(plan, eco, scenario))
        render.print_table(out, render.shortfall_table(plan))
    if not plan.ok:
        _no_plan(plan, detail=format is not Format.table)


def _no_plan(plan: Any, detail: bool) -> None:
    """Exit 1 for a plan without an answer; with JSON or CSV on standard output, say why on
    standard error (the table form has said it already)."""
    if detail:
        why = ""
        if getattr(plan, "conflicts", None):
            names = dict.fromkeys(str(c["constraint"]) for c in plan.conflicts)
            why = "; conflicting: " + ", ".join(list(names)[:5])
        elif getattr(plan, "unbounded_by", None):
            why = "; can grow without limit: " + ", ".join(map(str, plan.unbounded_by[:5]))
        elif plan.status not in ("infeasible", "unbounded"):
            from autarky.cli.render import why_no_plan

            why = "; " + why_no_plan(plan)
        _fail(f"no plan: the plan is {plan.status}{why}")
    raise typer.Exit(1)


def _inputs(scenario: str) -> list[Path]:
    """The scenario's files, which an output folder may not hold (see ``check_target``)."""
    p = Path(scenario)
    return [p] if p.exists() else []


#: Most strategies ``compare`` runs in one call.
MAX_STRATEGIES = 20


@app.command(epilog=examples(
    'autarky compare seven-year-plan --out compare',
    'autarky compare seven-year-plan --strategies free,balanced --format csv'))
def compare(
    scenario: ScenarioArg,
    strategies: Annotated[str, typer.Option(help=f"Comma-separated strategy names (at most "
                                                 f"{MAX_STRATEGIES}).")] =
        "heavy-first,light-first,balanced,great-leap",
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the chart page (written "
                                                        "as a whole; see --force).")] =
        Path("compare"),
    format: FormatOpt = Format.table,
    force: ForceOpt = False,
    allow_outside: AllowOutsideOpt = False,
    home: HomeOpt = None,
    group: GroupOpt = None,
) -> None:
    """Strategies side by side, and a page of their paths (output, consumption, capacity)."""
    from autarky.cli import render
    from autarky.io.output import check_target, output_folder
    from autarky.report.plans import write_compare

    names = list(dict.fromkeys(s.strip() for s in strategies.split(",") if s.strip()))
    if not names:
        raise BadValueError("--strategies: give at least one strategy name")
    if len(names) > MAX_STRATEGIES:
        raise BadValueError(f"--strategies: at most {MAX_STRATEGIES} strategies, got {len(names)}")
    check_target(out_dir, force=force, protect=_inputs(scenario))
    eco = load_economy(scenario, allow_outside, home, group)
    with progress_bar(len(names) + 1, "planning", hide=format is not Format.table) as step:
        plans = []
        for n in names:
            plans.append(eco.plan.multiyear(n))
            step(f"strategy {n}")
        with output_folder(out_dir, force=force, protect=_inputs(scenario),
                           meta={"command": "compare", "scenario": scenario}) as tmp:
            path = out_dir / write_compare(eco, plans, tmp).name
            step("page written")
    if format is not Format.table:
        if format is Format.csv:
            from autarky.io.results import to_text

            frames = [to_text(p, "csv") for p in plans]
            sys.stdout.write(_stack_csv([(p.strategy, f) for p, f in zip(plans, frames,
                                                                          strict=True)]))
            return
        from autarky.io.results import to_json_dict

        doc = {"scenario": scenario, "report": str(path),
               "plans": {p.strategy: to_json_dict(p) for p in plans}}
        render.print_json(doc)
        return
    out.print(render.compare_table(plans, eco))
    out.print(f"Chart of the paths written to {path}")


def _stack_csv(parts: list[tuple[str, str]]) -> str:
    """Long CSV tables of several plans as one, with a leading ``strategy`` column."""
    import io

    import pandas as pd

    frames = [pd.read_csv(io.StringIO(text)).assign(strategy=name) for name, text in parts]
    df = pd.concat(frames, ignore_index=True)
    df = df[["strategy", *[c for c in df.columns if c != "strategy"]]]
    return str(df.to_csv(index=False))


@app.command(epilog=examples('autarky schema > scenario.schema.json'))
def schema() -> None:
    """Print the JSON Schema of the scenario format."""
    from autarky.cli import render
    from autarky.economy import json_schema

    render.print_json(json_schema())


@app.command(epilog=examples('autarky demo --out report', 'autarky demo --out report --force'))
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the report (written as a "
                                                        "whole; see --force).")] =
        Path("report"),
    force: ForceOpt = False,
    baseline: BaselineOpt = Baseline.optimal,
) -> None:
    """Balance the bundled case study's economy and write its report (the report command on
    the first case's main scenario, with every page the case adds)."""
    from autarky.cases import CASES

    _write_report(CASES[0].demo, out_dir, force=force, allow_outside=False, balance_table=True,
                  baseline=baseline.value)


@app.command(epilog=examples(
    'autarky report island --out island-report',
    'autarky report my-economy.yaml --out my-report --force'))
def report(
    scenario: ScenarioArg,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the report (written as a "
                                                        "whole; see --force).")] =
        Path("report"),
    force: ForceOpt = False,
    allow_outside: AllowOutsideOpt = False,
    home: HomeOpt = None,
    group: GroupOpt = None,
    baseline: BaselineOpt = Baseline.optimal,
) -> None:
    """Write a self-contained HTML report of a scenario: its balance; with partners, a
    self-reliance page; with a horizon, the strategies compared; for a bundled case study,
    the case's own pages."""
    _write_report(scenario, out_dir, force=force, allow_outside=allow_outside,
                  baseline=baseline.value, home=home, group=group)


def _write_report(scenario: str, out_dir: Path, *, force: bool, allow_outside: bool,
                  balance_table: bool = False, baseline: str = "optimal",
                  home: str | None = None, group: list[str] | None = None) -> None:
    """The one path of ``report`` and ``demo``."""
    from autarky.cases import case_for
    from autarky.io.output import check_target
    from autarky.report.site import steps_of, write_site

    check_target(out_dir, force=force, protect=_inputs(scenario))
    eco = load_economy(scenario, allow_outside, home, group)
    if balance_table:
        from autarky.cli import render

        plan = eco.plan.balance()
        render.print_table(out, render.balance_table(plan, eco, f"{scenario} (bundled)"))
        render.print_table(out, render.factor_table(plan))
    case = case_for(scenario) if not Path(scenario).exists() else None
    additions = case.additions(scenario) if case is not None else None
    with progress_bar(steps_of(eco, additions), "writing the report") as step:
        pages = write_site(
            eco, out_dir, additions=additions, force=force, step=step,
            meta={"command": "report", "scenario": scenario, "baseline": baseline},
            protect=_inputs(scenario), baseline=baseline,
            skipped=lambda f, e: err.print(f"{f} skipped: {e}", markup=False))
    out.print(f"Report written to {out_dir / 'index.html'} with "
              f"{', '.join(pages[1:]) or 'no other page'} beside it", highlight=False)


@data_app.command("list", epilog=examples('autarky data list'))
def data_list() -> None:
    """List the bundled datasets."""
    from autarky import data as bundled

    t = Table(title="Bundled datasets")
    t.add_column("name")
    t.add_column("kind")
    t.add_column("description")
    for d in bundled.list_datasets():
        t.add_row(d.name, d.kind, d.description)
    out.print(t)


@data_app.command("show", epilog=examples(
    'autarky data show island',
    'autarky data show claims'))
def data_show(name: Annotated[str, typer.Argument(help="Dataset name (see 'data list').")]) -> None:
    """Show a bundled dataset: the claims with their source lines, or a scenario's tables."""
    from autarky import data as bundled
    from autarky.cli import render

    d = bundled.dataset(name)
    if d.kind == "claims":
        claims = bundled.load_claims()
        t = Table(title=f"Claims of {claims.citation}",
                  caption=f"Line: line of {claims.source_file}; confidence < 1 where the OCR is "
                          "unclear.", caption_justify="left")
        for col in ("id", "kind", "value", "unit", "years", "line", "OCR text", "conf."):
            t.add_column(col, justify="right" if col in ("value", "line", "conf.") else "left")
        for c in claims.claims:
            years = (f"{c.base_year}-{c.year}" if c.base_year else str(c.year or ""))
            conf = f"{c.confidence:.2f}" + (" (unclear)" if c.unclear else "")
            t.add_row(c.id, c.kind, f"{c.value:g}", c.unit, years, str(c.line or ""), c.ocr, conf)
        out.print(t)
        return
    eco = bundled.load(name)
    br = Table(title=f"{eco.name} — branches", caption=render.source_line(eco, name),
               caption_justify="left")
    for col in ("branch", "name", "unit", "group"):
        br.add_column(col)
    for b, r in eco.branches.iterrows():
        br.add_row(str(b), r["name"], r["unit"], r["group"])
    out.print(br)
    out.print(f"{eco.n} branches, {int((eco.technology.to_numpy() > 0).sum())} non-zero input "
              f"norms, final-demand categories: {', '.join(eco.final_demand.columns)}; "
              f"partners: {', '.join(eco.partners['name'])}.")


@data_app.command("export", epilog=examples(
    'autarky data export island my-scenarios',
    'autarky validate my-scenarios/island.yaml'))
def data_export(
    name: Annotated[str, typer.Argument(help="Dataset name (see 'data list').")],
    directory: Annotated[Path, typer.Argument(help="Folder to copy it into (the dataset goes "
                                                    "to DIRECTORY/NAME).")],
    force: Annotated[bool, typer.Option(
        "--force", help="Replace an existing DIRECTORY/NAME that is not an earlier export.")] =
        False,
) -> None:
    """Copy a bundled dataset into a folder; the copy is self-contained."""
    from autarky import data as bundled

    path = bundled.export(name, directory, force=force)
    out.print(f"Exported {name} to {path}")


@contextmanager
def working(what: str) -> Iterator[None]:
    """A spinner with ``what`` on standard error while a step with no countable parts runs (a
    solve, reading a table); only on a terminal, and gone when the step ends."""
    if not err.is_terminal:
        yield
        return
    with err.status(what, spinner="dots"):
        yield


@contextmanager
def progress_bar(total: int, what: str, hide: bool = False) -> Iterator[Callable[[str], None]]:
    """A progress bar on standard error (only on a terminal); yields ``step(label)``."""
    from rich.progress import Progress

    with Progress(console=err, transient=True,
                  disable=hide or not sys.stderr.isatty()) as bar:
        task = bar.add_task(what, total=total)

        def step(label: str) -> None:
            bar.update(task, advance=1, description=f"{what}: {label}")

        yield step


def _version(value: bool) -> None:
    if value:
        from autarky import __version__

        out.print(f"autarky {__version__}", highlight=False)
        raise typer.Exit(0)


@app.callback()
def _options(
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of an error (for a "
                                                        "bug report).")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Plan and measure the self-reliance of a national economy."""


def register_commands() -> None:
    """Import the modules that add their commands to :data:`app`."""
    from autarky.cli import (  # noqa: F401
        aid_cmds,
        effort_cmds,
        monitor_cmds,
        product_cmds,
        reliance_cmds,
        serve_cmds,
        sweep_cmds,
        table_cmds,
    )


#: Exit status of an interrupt (128 + SIGINT, as shells expect), and of SIGTERM (128 + 15).
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143
#: Exit status of an internal error (a bug; sysexits EX_SOFTWARE).
EXIT_INTERNAL = 70


def _fail(message: str) -> None:
    err.print(message, style="red", highlight=False, markup=False, soft_wrap=True)


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs the app. Bad input prints one message and exits 2, an answer that is a
    failure (an infeasible plan) exits 1, an interrupt 130, a bug 70; never a traceback unless
    ``--debug`` is given."""
    register_commands()
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args  # accepted anywhere on the line, not only before the command
    args = [a for a in args if a != "--debug"]
    try:
        rc = app(args=args, standalone_mode=False)
        if rc == EXIT_INTERRUPTED:  # typer >= 0.22 turns Ctrl-C into Exit(130)
            return _report_error(KeyboardInterrupt())
        if isinstance(rc, int):  # typer returns the code of typer.Exit outside standalone mode
            return rc
    except BaseException as exc:  # the one place every error is reported
        if debug:
            import traceback

            traceback.print_exc()
        try:
            return _report_error(exc)
        except Exception:  # never a traceback, even from the reporting itself
            sys.stderr.write(f"internal error (a bug in autarky): {type(exc).__name__}\n")
            return EXIT_INTERNAL
    return 0


def _report_error(exc: BaseException) -> int:
    """Print one line for ``exc`` and return the exit status."""
    if isinstance(exc, typer.Abort) and isinstance(exc.__cause__, KeyboardInterrupt):
        exc = exc.__cause__
    if isinstance(exc, PlanFailure):
        _fail(f"no plan: {exc}")
        return 1
    if isinstance(exc, AutarkyError):
        _fail(f"error: {exc}")
        return 2
    from autarky._entry import Terminated

    if isinstance(exc, KeyboardInterrupt | typer.Abort | Terminated):
        what = "terminated" if isinstance(exc, Terminated) else "interrupted"
        _fail(f"{what}: an output folder is either complete or left as it was")
        return EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED
    if isinstance(exc, typer.Exit):
        return int(exc.exit_code)
    if isinstance(exc, SystemExit):
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # click's usage errors (bad options)
        exc.show()
        return int(exc.exit_code)
    if isinstance(exc, ImportError) and (exc.name or "").split(".")[0] not in ("", "autarky"):
        name = exc.name or str(exc)
        _fail(f"error: this needs the optional package {name!r}, which is not installed: "
              f"pip install {name}")
        return 2
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        _fail(f"error: {where}{exc.strerror or exc}")
        return 2
    if isinstance(exc, MemoryError):
        _fail("error: out of memory: the input is too large for this machine")
        return 2
    _fail(f"internal error (a bug in autarky): {type(exc).__name__}: {exc}. Run again with "
          "--debug for the traceback, and please report it.")
    return EXIT_INTERNAL
