"""``autarky mobilisation``: the growth-consumption-hours frontier and a campaign against a
balanced path."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from autarky.cli.app import (
    AllowOutsideOpt,
    Format,
    FormatOpt,
    ScenarioArg,
    StrategyOpt,
    app,
    examples,
    load_economy,
    out,
    progress_bar,
)
from autarky.errors import BadValueError


def _hours(text: str | None) -> list[float] | None:
    if text is None:
        return None
    try:
        got = [float(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise BadValueError(f"--hours: comma-separated hours a day, got {text!r}") from None
    if not got:
        raise BadValueError("--hours: give at least one length of the working day")
    bad = [h for h in got if not 0 < h <= 24]
    if bad:
        raise BadValueError(f"--hours: a working day is between 0 and 24 hours, got {bad[0]:g}")
    return got


def _campaign(text: str | None) -> dict[int, float] | None:
    if text is None:
        return None
    out_: dict[int, float] = {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        year, sep, hours = part.partition(":")
        try:
            out_[int(year)] = float(hours)
        except ValueError:
            raise BadValueError(f"--campaign: YEAR:HOURS,..., got {part!r}") from None
        if not sep:
            raise BadValueError(f"--campaign: YEAR:HOURS,..., got {part!r}")
    if not out_:
        raise BadValueError("--campaign: give at least one YEAR:HOURS")
    return out_


def _summary_table(title: str, caption: str, s: Any, first: str) -> Table:
    from autarky.cli.render import fmt

    t = Table(title=title, caption=caption, caption_justify="left")
    for col in (first, "status", "objective", "industry (x base year)", "growth (a year)",
                "hours a day", "consumption per head", "welfare per head",
                "strain (labour units)"):
        t.add_column(col, justify="left" if col in (first, "status") else "right")
    for name, r in s.iterrows():
        if r["status"] != "optimal":
            t.add_row(str(str(name)), str(r["status"]), *["-"] * 7)
            continue
        t.add_row(str(f"{name:g}" if isinstance(name, float) else str(name)), "optimal",
                  fmt(r["objective"]), f"{r['multiple']:.2f}", f"{100 * r['growth']:.1f} %",
                  f"{r['hours']:.1f}", f"{r['consumption_per_head']:.3f}",
                  f"{r['welfare_per_head']:.3f}", fmt(r["strain"]))
    return t


@app.command("mobilisation", epilog=examples(
    'autarky mobilisation three-year-plan',
    'autarky mobilisation three-year-plan --hours 8,10,12,14 --campaign 1959:12,1960:14 '
    '--format json'))
def mobilisation_cmd(
    scenario: ScenarioArg,
    strategy: StrategyOpt = "free",
    hours: Annotated[str | None, typer.Option(
        help="Comma-separated caps on the working day for the frontier, hours a day (default: "
             "every hour from the normal day to the longest the tiers allow).")] = None,
    campaign: Annotated[str | None, typer.Option(
        help="The campaign to compare, YEAR:HOURS,... (default: the scenario's campaign, else "
             "its min_hours; without either, the frontier only).")] = None,
    format: FormatOpt = Format.table,
    allow_outside: AllowOutsideOpt = False,
) -> None:
    """Mobilisation and its human cost: growth, consumption and welfare per head and hours
    along the frontier of the working day, and a campaign against a balanced path and the
    plan's own choice, with the effort that bought nothing (strain) counted."""
    from autarky.cli.render import print_json, source_line
    from autarky.plan.mobilisation import LIMITS, effort_frontier
    from autarky.plan.mobilisation import campaign as run_campaign

    caps, mandated = _hours(hours), _campaign(campaign)
    scn = load_economy(scenario, allow_outside)
    m = scn.settings.mobilisation
    if m is None:
        raise BadValueError("the scenario has no mobilisation (scenario key 'mobilisation': "
                            "the factor, the normal day and the tiers of extra effort)")
    has_campaign = mandated is not None or bool(m.campaign or m.min_hours)
    with progress_bar(2 if has_campaign else 1, "planning the frontier of effort",
                      hide=format is not Format.table) as step:
        frontier = effort_frontier(scn, strategy, hours=caps)
        step("frontier")
        camp = run_campaign(scn, strategy, hours=mandated) if has_campaign else None
        if camp is not None:
            step("campaign")
    if format is Format.json:
        doc: dict[str, Any] = {
            "scenario": scenario, "name": scn.name, "source": scn.source, "strategy": strategy,
            "units": frontier.attrs["units"],
            "frontier": {f"{k:g}": dict(r.items()) for k, r in frontier.iterrows()},
            "limits": list(LIMITS)}
        if camp is not None:
            doc["campaign"] = {k: dict(r.items()) for k, r in camp.summary.iterrows()}
            doc["by_year"] = {f"{p}@{y}": dict(r.items())
                              for (p, y), r in camp.by_year.iterrows()}
        print_json(doc)
        return
    if format is Format.csv:
        f = frontier.copy()
        f.insert(0, "strategy", strategy)
        sys.stdout.write(f.to_csv())
        return
    src = str(source_line(scn, scenario))
    out.print(_summary_table(
        f"Mobilisation: the frontier of the working day — {scn.name}",
        f"{src}. The plan solved with the working day capped at each length (the tiers of "
        "extra effort cut at the cap). Per head: basket multiples per head, base year = 1 "
        "(mean over the years); welfare = consumption less the disutility of effort; strain: "
        "effective labour added by effort that no production used.", frontier, "max hours"))
    if camp is not None:
        out.print(_summary_table(
            "A campaign against a balanced path",
            "balanced: no effort above normal; chosen: the plan's own choice within the tiers; "
            "campaign: the hours mandated year by year.", camp.summary, "path"))
        by = Table(title="Year by year: where effort bought growth and where only strain",
                   caption="labour value: the shadow price of the factor (objective per unit); "
                           "0 where labour did not limit the plan, so effort above normal "
                           "only added strain.", caption_justify="left")
        for col in ("path", "year", "hours", "effective labour", "labour used", "strain",
                    "labour value", "industrial output", "welfare per head"):
            by.add_column(col, justify="left" if col == "path" else "right")
        from autarky.cli.render import fmt

        for (p, y), r in camp.by_year.iterrows():
            by.add_row(str(p), str(y), f"{r['hours']:.1f}", fmt(r["effective_labour"]),
                       fmt(r["labour_used"]), fmt(r["strain"]), fmt(r["labour_value"]),
                       fmt(r["industrial_output"]), f"{r['welfare_per_head']:.3f}")
        out.print(by)
    out.print("What the model cannot say", style="bold")
    for line in LIMITS:
        out.print(f"- {line}", highlight=False)
