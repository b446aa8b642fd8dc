"""The ``autarky`` command."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from autarky import data as bundled
from autarky.cli import render
from autarky.economy import Scenario, json_schema
from autarky.errors import AutarkyError, PlanFailure
from autarky.io import read_scenario

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Plan and measure the self-reliance of a national economy.")
data_app = typer.Typer(no_args_is_help=True, help="Bundled data: the source's claims and models.")
app.add_typer(data_app, name="data")

out = Console(soft_wrap=False, width=None if sys.stdout.isatty() else 140)
err = Console(stderr=True)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


#: The arguments every scenario command takes.
ScenarioArg = Annotated[str, typer.Argument(help="Scenario file, folder or bundled name.")]
FormatOpt = Annotated[Format, typer.Option(
    "--format", "-f", help="Output format: a table, JSON, or CSV (one row per value, with its "
                           "unit; for balance: the balance table).")]


def load_economy(scenario: str) -> Scenario:
    """A scenario path, or the name of a bundled scenario (``dprk-1963``, ``textbook``); the
    notes of a converted old format go to standard error."""
    p = Path(scenario)
    if not p.exists() and scenario in {d.name for d in bundled.list_datasets()}:
        scn = bundled.load(scenario)
    else:
        scn = read_scenario(p)
    for note in scn.notes:
        err.print(f"note: {note}", highlight=False, markup=False, soft_wrap=True)
    return scn


@app.command()
def validate(scenario: ScenarioArg
             ) -> None:
    """Check a scenario: structure, ids, units, numbers and productiveness."""
    eco = load_economy(scenario)
    out.print(f"[green]ok[/green] {scenario}: {eco.name!r}, {eco.n} branches, "
              f"{len(eco.factors)} factors, {len(eco.partners)} partners; technology productive.")


@app.command()
def balance(
    scenario: ScenarioArg,
    format: FormatOpt = Format.table,
) -> None:
    """Material balance: the gross output that meets the scenario's final demand."""
    eco = load_economy(scenario)
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


@app.command()
def optimize(
    scenario: ScenarioArg,
    format: FormatOpt = Format.table,
    objective: Annotated[Objective | None, typer.Option(help="Override the scenario's.")] = None,
    min_fulfilment: Annotated[float | None, typer.Option(
        help="Require at least this fulfilment of the target (1 = all of it).")] = None,
) -> None:
    """Optimal one-year plan (HiGHS LP) with shadow prices and binding constraints."""
    eco = load_economy(scenario)
    plan = eco.plan.optimize(objective=None if objective is None else objective.value,
                             min_fulfilment=min_fulfilment)
    if format is not Format.table:
        render.print_result(plan, eco, scenario, format.value, currency=eco.currency)
    else:
        for t in render.optimal_tables(plan, eco, scenario):
            out.print(t)
    if not plan.ok:
        raise typer.Exit(1)


@app.command("plan")
def plan_cmd(
    scenario: ScenarioArg,
    strategy: Annotated[str, typer.Option(help="heavy-first, light-first, balanced, great-leap, "
                                                "free, or one the scenario defines.")] = "free",
    format: FormatOpt = Format.table,
) -> None:
    """Multi-year plan: capacity grows from investment, under a development strategy."""
    eco = load_economy(scenario)
    plan = eco.plan.multiyear(strategy)
    if format is not Format.table:
        render.print_result(plan, eco, scenario, format.value)
    else:
        out.print(render.multiyear_table(plan, eco, scenario))
        render.print_table(out, render.shortfall_table(plan))
    if not plan.ok:
        raise typer.Exit(1)


@app.command()
def compare(
    scenario: ScenarioArg,
    strategies: Annotated[str, typer.Option(help="Comma-separated strategy names.")] =
        "heavy-first,light-first,balanced,great-leap",
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the chart page.")] =
        Path("report"),
    format: FormatOpt = Format.table,
) -> None:
    """Strategies side by side, and a page of their paths (output, consumption, capacity)."""
    from autarky.cli import render
    from autarky.report.plans import write_compare

    eco = load_economy(scenario)
    names = [s.strip() for s in strategies.split(",") if s.strip()]
    plans = [eco.plan.multiyear(n) for n in names]
    path = write_compare(eco, plans, out_dir)
    if format is Format.json:
        from autarky.io.results import to_json_dict

        doc = {"scenario": scenario, "report": str(path),
               "plans": {p.strategy: to_json_dict(p) for p in plans}}
        render.print_json(doc)
        return
    out.print(render.compare_table(plans, eco))
    out.print(f"Chart of the paths written to [bold]{path}[/bold]")


@app.command()
def schema() -> None:
    """Print the JSON Schema of the scenario format."""
    render.print_json(json_schema())


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the report.")] = Path("report"),
) -> None:
    """Balance the bundled 1963 model of North Korea and write report/index.html."""
    from autarky.cli import render
    from autarky.report import write_report

    eco = bundled.load("dprk-1963")
    plan = eco.plan.balance()
    render.print_table(out, render.balance_table(plan, eco, "dprk-1963 (bundled)"))
    render.print_table(out, render.factor_table(plan))
    claims = bundled.load_claims()
    path = write_report(eco, out_dir, claims=claims)
    from autarky.report.plans import write_seven_year_plan

    syp = bundled.load("seven-year-plan")
    plans_page = write_seven_year_plan(syp, claims, out_dir)
    from autarky.report.reliance import write_reliance

    rel_page = write_reliance(eco, out_dir, claims=claims, aid_economy=syp)
    from autarky.report.monitoring import write_monitoring

    mon_page = write_monitoring(out_dir, claims)
    out.print(f"Report written to [bold]{path}[/bold] with {plans_page.name}, {rel_page.name} "
              f"and {mon_page.name} beside it")


@app.command()
def report(
    scenario: ScenarioArg,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the report.")] = Path("report"),
) -> None:
    """Write a self-contained HTML report of a scenario: its balance; with import shares, a
    self-reliance page; with a horizon, the strategies compared."""
    from autarky.report import write_report

    eco = load_economy(scenario)
    claims = bundled.load_claims() if scenario == "dprk-1963" else None
    path = write_report(eco, out_dir, claims=claims)
    pages = [path.name]
    if len(eco.coords.partner):
        from autarky.report.reliance import write_reliance

        try:
            pages.append(write_reliance(eco, out_dir, claims=claims).name)
        except AutarkyError as exc:  # e.g. no prices to add products of different units
            err.print(f"self-reliance page skipped: {exc}", markup=False)
    if eco.settings.horizon is not None and eco.capital is not None:
        from autarky.report.plans import write_compare

        plans = [eco.plan.multiyear(s) for s in
                 ("free", "heavy-first", "light-first", "balanced", "great-leap")]
        pages.append(write_compare(eco, plans, out_dir).name)
    out.print(f"Report written to [bold]{out_dir}[/bold]: {', '.join(pages)}")


@data_app.command("list")
def data_list() -> None:
    """List the bundled datasets."""
    t = Table(title="Bundled datasets")
    t.add_column("name")
    t.add_column("kind")
    t.add_column("description")
    for d in bundled.list_datasets():
        t.add_row(d.name, d.kind, d.description)
    out.print(t)


@data_app.command("show")
def data_show(name: Annotated[str, typer.Argument(help="Dataset name (see 'data list').")]) -> None:
    """Show a bundled dataset: the claims with their source lines, or a scenario's tables."""
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


@data_app.command("export")
def data_export(
    name: Annotated[str, typer.Argument(help="Dataset name (see 'data list').")],
    directory: Annotated[Path, typer.Argument(help="Folder to copy it into.")],
) -> None:
    """Copy a bundled dataset into a folder."""
    path = bundled.export(name, directory)
    out.print(f"Exported {name} to {path}")


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs the app; bad input prints one message and exits 2."""
    try:
        rc = app(args=argv, standalone_mode=False)
        if isinstance(rc, int):  # typer returns the code of typer.Exit outside standalone mode
            return rc
    except PlanFailure as exc:  # an answer that is a failure: exit 1
        err.print(f"no plan: {exc}", style="red", highlight=False, markup=False, soft_wrap=True)
        return 1
    except AutarkyError as exc:
        err.print(f"error: {exc}", style="red", highlight=False, markup=False, soft_wrap=True)
        return 2
    except SystemExit as exc:  # typer's --help and usage errors
        return int(exc.code or 0)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except Exception as exc:  # usage errors of the command-line parser (click, vendored by typer)
        if type(exc).__name__ == "Abort":
            return 1
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show()
            return 2
        raise
    return 0
