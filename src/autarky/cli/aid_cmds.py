"""``autarky aid-timing``: the multi-year plan under other timings of the same aid."""

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


def _names(text: str | None, option: str) -> list[str] | None:
    """The comma-separated names of an option, each once, in order."""
    if text is None:
        return None
    names = list(dict.fromkeys(s.strip() for s in text.split(",") if s.strip()))
    if not names:
        raise BadValueError(f"{option}: give at least one name")
    return names


def _profiles(text: str | None) -> list[str] | None:
    from autarky.plan.aid_timing import PROFILES

    names = _names(text, "--profiles")
    bad = [n for n in names or () if n not in PROFILES]
    if bad:
        raise BadValueError(f"--profiles: unknown aid profile {bad[0]!r}; built in: "
                            f"{', '.join(PROFILES)}")
    return names


def timing_tables(t: Any, economy: Any, scenario: str, kind: str = "profile") -> list[Table]:
    """The profiles (or counterfactual cases) side by side, and the value of aid by year under
    each."""
    from autarky.cli.render import fmt, source_line

    cur = economy.currency
    s = t.summary
    if kind == "profile":
        title = "The same aid, early or late"
        how = ("Each profile spreads each partner's aid over the horizon by its shares; the plan "
               "is solved afresh for each.")
    else:
        title = "Without the aid, or with less"
        how = ("Each case rewrites the scenario's aid by year (a donor left out, aid cut after "
               "a year, scaled); the plan is solved afresh for each.")
    head = Table(title=f"{title} — {economy.name}",
                 caption=str(source_line(economy, scenario)) + ". " + how + " "
                 "Objective: consumption-basket multiples discounted to the first year "
                 "(with soft targets, less 10^4 per unit of relative shortfall); industrial "
                 f"output in {cur} at constant prices.",
                 caption_justify="left")
    for col in (kind, "status", "objective", "consumption (x basket, summed)",
                "own saving (share of investment)", "imports in the last year (share of supply)",
                f"industrial output in the last year ({cur})"):
        head.add_column(col, justify="left" if col in (kind, "status") else "right")
    for name, r in s.iterrows():
        if r["status"] != "optimal":
            head.add_row(str(str(name)), str(r["status"]), *["-"] * 5)
            continue
        head.add_row(str(str(name)), "optimal", fmt(r["objective"]), fmt(r["consumption"]),
                     f"{100 * r['own_saving_share']:.1f} %",
                     f"{100 * r['last_year_import_share']:.1f} %",
                     fmt(r["last_year_industrial_output"]))
    av = t.aid_value
    val = Table(title="Value of one more unit of aid, by year (dual of the year's "
                      "foreign-exchange balance)",
                caption=f"Objective per {cur} of aid (where trade clears partner by "
                        "partner: a unit split between the partners as that year's aid is); 0 "
                        "where foreign exchange does not bind that year (aid is not what limits "
                        "the plan).",
                caption_justify="left")
    val.add_column("year", justify="right")
    for name in av.columns:
        val.add_column(str(str(name)), justify="right")
    for y, row in av.iterrows():
        val.add_row(str(y), *[fmt(v) for v in row.to_numpy()])
    return [head, val]


@app.command("aid-timing", epilog=examples(
    'autarky aid-timing seven-year-plan --strategy heavy-first',
    'autarky aid-timing seven-year-plan --profiles "as given,first year" --format json'))
def aid_timing_cmd(
    scenario: ScenarioArg,
    strategy: StrategyOpt = "free",
    profiles: Annotated[str | None, typer.Option(
        help="Comma-separated profiles: as given, even, front-loaded, back-loaded, first year "
             "(default: all).")] = None,
    format: FormatOpt = Format.table,
    allow_outside: AllowOutsideOpt = False,
) -> None:
    """The same total aid early or late: the plan, consumption, own saving and imports at the
    end under each timing, the value of aid by year, and what the model cannot say."""
    from autarky.plan.aid_timing import PROFILES, aid_timing

    names = _profiles(profiles)
    eco = load_economy(scenario, allow_outside)
    count = len(names) if names is not None else len(PROFILES)
    with progress_bar(1, f"planning {count} timings of the aid",
                      hide=format is not Format.table) as step:
        t = aid_timing(eco, strategy, profiles=names)
        step("done")
    _emit(t, eco, scenario, strategy, format, "profile")


def _emit(t: Any, eco: Any, scenario: str, strategy: str, format: Format, kind: str) -> None:
    """Print a comparison of aid (timings or cases) as a table, JSON or CSV."""
    from autarky.cli.render import print_json

    if format is Format.json:
        doc = {"scenario": scenario, "name": eco.name, "source": eco.source,
               "strategy": strategy, "method": t.summary.attrs["source"],
               "units": t.summary.attrs["units"],
               f"{kind}s": {str(k): {c: v for c, v in r.items()}
                            for k, r in t.summary.iterrows()},
               "aid_value": {"unit": t.aid_value.attrs["unit"],
                             "by_year": {str(y): {str(c): float(v) for c, v in row.items()}
                                         for y, row in t.aid_value.iterrows()}},
               "limits": list(t.limits)}
        print_json(doc)
        return
    if format is Format.csv:
        s = t.summary.copy()
        s.insert(0, "strategy", strategy)
        sys.stdout.write(s.to_csv())
        return
    for table in timing_tables(t, eco, scenario, kind):
        out.print(table)
    out.print("What the model cannot say", style="bold")
    for line in t.limits:
        out.print(f"- {line}", highlight=False)


@app.command("aid-cases", epilog=examples(
    'autarky aid-cases three-year-plan',
    'autarky aid-cases three-year-plan --cases "as given,without ussr,until 1955,times 0.5" '
    '--format json'))
def aid_cases_cmd(
    scenario: ScenarioArg,
    strategy: StrategyOpt = "free",
    cases: Annotated[str | None, typer.Option(
        help="Comma-separated cases: as given, without aid, without PARTNER[+PARTNER], "
             "until YEAR, times FACTOR (default: as given, each donor left out, the two "
             "largest together, no aid).")] = None,
    format: FormatOpt = Format.table,
    allow_outside: AllowOutsideOpt = False,
) -> None:
    """What if the aid had not come: the plan without a donor's aid, cut after a year, or
    scaled, against the aid as given; the value of aid by year in each, and what the model
    cannot say."""
    from autarky.plan.aid_cases import aid_counterfactuals

    names = _names(cases, "--cases")
    eco = load_economy(scenario, allow_outside)
    with progress_bar(1, "planning the counterfactuals of the aid",
                      hide=format is not Format.table) as step:
        t = aid_counterfactuals(eco, strategy, cases=names)
        step("done")
    _emit(t, eco, scenario, strategy, format, "case")
