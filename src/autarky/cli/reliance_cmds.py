"""``autarky reliance``, ``autarky-cost``, ``stress``, ``criticality``: self-reliance commands."""

from __future__ import annotations

import math
import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from autarky.cli.app import (
    AllowOutsideOpt,
    Baseline,
    BaselineOpt,
    Format,
    FormatOpt,
    GroupOpt,
    HomeOpt,
    ScenarioArg,
    app,
    err,
    examples,
    finite,
    load_economy,
    out,
    working,
)
from autarky.errors import AutarkyError, BadValueError, PlanFailure


def _pct(v: float) -> str:
    from autarky.report.format import format_percent

    return format_percent(v)


@app.command(epilog=examples(
    'autarky reliance island',
    'autarky reliance island --format csv'))
def reliance(
    scenario: ScenarioArg,
    format: FormatOpt = Format.table,
    allow_outside: AllowOutsideOpt = False,
    home: HomeOpt = None,
    group: GroupOpt = None,
) -> None:
    """Self-reliance indicators: self-sufficiency, import content, dependence, concentration
    (above 50 branches, the 20 with the largest import content; --format csv gives all)."""
    from autarky.cli.render import fmt, print_result, source_line, top_rows
    from autarky.report.topk import ranked

    eco = load_economy(scenario, allow_outside, home, group)
    with working("measuring self-reliance"):
        ind = eco.reliance.indicators()
    if format is not Format.table:
        print_result(ind, eco, scenario, format.value)
        return
    t, note = top_rows(ind.table, ranked(ind.table["import_content"]),
                       "the largest import content first")
    unit = ind.totals["valuation_unit"]
    table = Table(title=f"Self-reliance — {eco.name}",
                  caption=source_line(eco, scenario) + f". Shares in per cent of value at "
                  f"constant prices ({unit}); import content per unit of final product, direct "
                  "and indirect. Flags (EU 2021 method): concentrated = imports from few partners "
                  "(HHI > 0.4); import share = more than half of home use imported; imports > "
                  "exports = the product is a net import; DEPENDENT = all three." + note,
                  caption_justify="left")
    for col in ("branch", "self-sufficiency", "import share", "import content",
                "dom. value added", "concentration (HHI)", "flags"):
        table.add_column(col, justify="left" if col in ("branch", "flags") else "right")
    for b, r in t.iterrows():
        flags = [name for name, f in (("concentrated", r["flag_concentration"]),
                                      ("import share", r["flag_import_share"]),
                                      ("imports > exports", r["flag_imports_over_exports"])) if f]
        table.add_row(str(b), _pct(r["self_sufficiency"]), _pct(r["import_share"]),
                      _pct(r["import_content"]), _pct(r["domestic_value_added"]),
                      "-" if math.isnan(r["concentration"]) else f"{r['concentration']:.2f}",
                      ("DEPENDENT: " if r["dependent"] else "") + ", ".join(flags) or "-")
    out.print(table)
    pc = ind.partner_content
    if len(pc) and pc.shape[1] == len(t):  # every branch: one column each
        pt = Table(title="Import content by partner (share of the value of each final product)")
        pt.add_column("partner")
        for b in eco.ids:
            pt.add_column(b, justify="right")
        for p, row in pc.iterrows():
            pt.add_row(str(p), *[_pct(v) for v in row])
        out.print(pt)
    elif len(pc):  # too many branches for columns: the branches shown above, one row each
        pt = Table(title="Import content by partner (share of the value of each final product)",
                   caption=f"The {len(t)} branches above; --format csv gives every one.",
                   caption_justify="left")
        pt.add_column("branch")
        for p in pc.index:
            pt.add_column(str(p), justify="right")
        sub = pc[list(t.index)]
        for b in sub.columns:
            pt.add_row(str(b), *[_pct(v) for v in sub[b]])
        out.print(pt)
    tot = ind.totals
    out.print(f"Import content of final demand: {_pct(tot['import_content_final_demand'])}; "
              f"of exports (vertical specialisation): {_pct(tot['import_content_exports'])}; "
              f"aid {fmt(tot['aid'])} {eco.currency}"
              + (f" = {_pct(tot['aid_over_revenue'])} of state revenue" if "aid_over_revenue"
                 in tot else "") + ".")


@app.command("autarky-cost", epilog=examples(
    'autarky autarky-cost island',
    'autarky autarky-cost island --branches manufacturing --theta 4'))
def autarky_cost(
    scenario: ScenarioArg,
    branches: Annotated[str | None, typer.Option(help="Comma-separated branches to cap "
                                                      "(default all).")] = None,
    theta: Annotated[float, typer.Option(
        help="Trade elasticity for the ACR cross-check, in (0, 100].",
        callback=finite(0.0, 100.0, "--theta", open_low=True))] = 5.0,
    scale_elasticity: Annotated[float | None, typer.Option(
        help="Scale elasticity of every branch (economies of scale), in [0, 1).",
        callback=finite(0.0, 1.0, "--scale-elasticity", open_high=True))] = None,
    format: FormatOpt = Format.table,
    allow_outside: AllowOutsideOpt = False,
    home: HomeOpt = None,
    group: GroupOpt = None,
) -> None:
    """The cost of autarky: fulfilment and labour as import shares are capped down to zero."""
    from autarky.cli.render import fmt, print_result, source_line

    eco = load_economy(scenario, allow_outside, home, group)
    with working("re-planning as imports are capped"):
        res = eco.reliance.cost_of_autarky(
            branches=None if branches is None else [b.strip() for b in branches.split(",")],
            theta=theta, scale_elasticity=scale_elasticity)
    if format is not Format.table:
        print_result(res, eco, scenario, format.value)
        return
    c = res.curve
    table = Table(title=f"Cost of autarky — {eco.name}",
                  caption=source_line(eco, scenario) + ". cap: share of today's import shares "
                  "allowed; fulfilment: largest common fulfilment of the target; labour: least "
                  f"{res.factor or 'factor'} delivering the whole target "
                  f"({eco.factors['unit'].iloc[0] if len(eco.factors) else '-'}).",
                  caption_justify="left")
    for col in ["cap", "fulfilment", f"{res.factor or 'factor'} needed", "imports value"] + (
            ["fulfilment with scale economies", "iterations"] if "fulfilment_scale" in c else []):
        table.add_column(col, justify="right")
    for k, r in c.iterrows():
        cells = [f"{k:.1f}", f"{r['fulfilment']:.4f}", fmt(r.get("labour_needed", float("nan"))),
                 fmt(r["import_value"])]
        if "fulfilment_scale" in c:
            cells += [f"{r['fulfilment_scale']:.4f}", f"{int(r['iterations'])}"
                      + ("" if r["converged"] else " (not converged)")]
        table.add_row(*cells)
    out.print(table)
    a = res.acr
    out.print(f"ACR cross-check (theta = {a['theta']:g}): domestic share {a['domestic_share']:.3f}, "
              f"intermediate share {a['alpha']:.3f}: real income in autarky = "
              f"{a['autarky_ratio']:.3f} x trade ({a['autarky_ratio_no_intermediates']:.3f} without "
              f"the intermediate-input correction); the model's fulfilment ratio: "
              f"{a['model_ratio']:.3f}.")


def _priority_ranks(spec: str, ids: list[str]) -> list[int]:
    """Ranks from ``--priority a,b``: the branches listed first, in order; the rest after them;
    final demand last."""
    order = [b.strip() for b in spec.split(",") if b.strip()]
    unknown = [b for b in order if b not in ids]
    if unknown or not order or len(set(order)) != len(order):
        why = f"unknown branch(es) {', '.join(unknown)}; branches: {', '.join(ids)}" if unknown \
            else "list each branch once"
        raise typer.BadParameter(why, param_hint="'--priority'")
    ranks = [order.index(b) if b in order else len(order) for b in ids]
    return [*ranks, len(order) + 1]


class Scheme(StrEnum):
    proportional = "proportional"
    industry_first = "industry-first"
    priority = "priority"


#: Longest simulation ``stress`` runs (a century of weeks; the work grows linearly).
MAX_WEEKS = 5200
#: Weeks a shock lasts unless ``--duration`` says otherwise (a quarter).
DEFAULT_DURATION = 13
#: Largest inventory ``stress`` accepts (ten years of each input).
MAX_INVENTORY_DAYS = 3650.0


@app.command(epilog=examples(
    'autarky stress island --shock partner:northland',
    'autarky stress island --shock partner:southland:agriculture --weeks 104 --duration 26',
    'autarky stress island --shock capacity:manufacturing:0.3 --scheme priority '
    '--priority services,agriculture'))
def stress(
    scenario: ScenarioArg,
    shock: Annotated[str, typer.Option(help="partner:ID[:BRANCH+...], aid[:ID], "
                                            "capacity:BRANCH:FRACTION, demand:BRANCH:FRACTION")],
    scheme: Annotated[Scheme, typer.Option(help="How short inputs are rationed.")] =
        Scheme.proportional,
    weeks: Annotated[int, typer.Option(help=f"Weeks simulated, 1 to {MAX_WEEKS}.", min=1,
                                       max=MAX_WEEKS)] = 52,
    duration: Annotated[int | None, typer.Option(
        help="Weeks the shock lasts, 0 to --weeks [default: 13, or --weeks if shorter].",
        min=0, max=MAX_WEEKS)] = None,
    inventory_days: Annotated[float, typer.Option(
        help=f"Days of each input held, 7 to {MAX_INVENTORY_DAYS:g}.",
        callback=finite(7.0, MAX_INVENTORY_DAYS, "--inventory-days"))] = 14.0,
    priority: Annotated[str | None, typer.Option(
        help="With --scheme priority: comma-separated branches served first, in order (the "
             "others after them, final demand last).")] = None,
    baseline: BaselineOpt = Baseline.optimal,
    format: FormatOpt = Format.table,
    allow_outside: AllowOutsideOpt = False,
    home: HomeOpt = None,
    group: GroupOpt = None,
) -> None:
    """A shock, re-planned (best case) and propagated week by week without re-planning."""
    from rich.progress import Progress

    from autarky.cli.render import fmt, print_result, source_line, top_rows
    from autarky.report.topk import ranked

    if duration is None:
        duration = min(DEFAULT_DURATION, weeks)
    if duration > weeks:
        raise typer.BadParameter(f"{duration} is longer than --weeks {weeks}",
                                 param_hint="'--duration'")
    if (priority is None) != (scheme is not Scheme.priority):
        raise typer.BadParameter("give --priority exactly when --scheme is priority",
                                 param_hint="'--priority'")
    eco = load_economy(scenario, allow_outside, home, group)
    ranks = None if priority is None else _priority_ranks(priority, list(eco.ids))
    with Progress(console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("propagating", total=weeks)
        try:
            res = eco.reliance.stress(shock, scheme=scheme.value, weeks=weeks,
                                      duration=duration, inventory_days=inventory_days,
                                      priority=ranks, baseline=baseline.value,
                                      progress=lambda t, n: bar.update(task, completed=t))
        except PlanFailure:
            raise
        except AutarkyError as exc:  # say which option led there
            if shock in str(exc):
                raise
            raise BadValueError(f"--shock {shock!r}: {exc}") from exc
    if format is not Format.table:
        print_result(res, eco, scenario, format.value)
        return
    from autarky.reliance.stress import BASELINE_WORDS

    rp = res.replanned
    if baseline is Baseline.optimal:
        against = (f"{_pct(rp['loss'])} lost against the optimal plan before the shock, "
                   f"fulfilment {_pct(rp['fulfilment_base'])}")
    else:
        against = (f"{_pct(rp['loss'])} of the target not met" if rp["loss"] > 0 else
                   "the target is still met in full")
    out.print(f"{res.shock} on {eco.name}: re-planned, every home final use "
              f"reaches {_pct(rp['fulfilment'])} of the target ({against}; the best the "
              "planners can do).", highlight=False)
    table = Table(title="Shortfall per product", caption=source_line(eco, scenario) +
                  f". Re-planned: home final use short of {BASELINE_WORDS[baseline.value]} "
                  "(per year); "
                  f"propagated: output lost over {weeks} weeks, shock lasting {duration} weeks, "
                  f"{scheme.value} rationing.", caption_justify="left")
    for col in ("branch", "unit", "re-planned shortfall", "propagated output lost"):
        table.add_column(col, justify="left" if col in ("branch", "unit") else "right")
    pr = res.propagation
    import pandas as pd

    pos = pd.Series(range(eco.n), index=list(eco.ids))
    lost = (pd.Series(pr.total_loss * res.prices, index=pos.index) if pr is not None else
            pd.Series(rp["shortfall"], dtype=float).reindex(pos.index) * res.prices)
    rows, note = top_rows(pos.to_frame("j"), ranked(lost),
                          "the largest propagated output lost at constant prices first"
                          if pr is not None else "the largest re-planned shortfall first")
    if note:
        table.caption = f"{table.caption}{note}"
    for b, j in zip(rows.index, rows["j"], strict=True):
        table.add_row(b, eco.units[b], fmt(rp["shortfall"].get(b, float("nan"))),
                      fmt(pr.total_loss[j]) if pr is not None else "-")
    out.print(table)
    if pr is not None:
        from autarky.report.format import format_recovery

        rec = format_recovery(pr.recovery_week, pr.served_week(), pr.weeks, pr.tol)
        unmet = float((pr.unmet_final_demand.sum(axis=0) * res.prices).sum())
        out.print(f"Propagated over {pr.weeks} weeks: output lost "
                  f"{fmt(pr.aggregate_loss(res.prices))} and final demand unmet {fmt(unmet)} "
                  f"{res.value_unit} at constant prices; {rec}.")


@app.command(epilog=examples('autarky criticality island --format json'))
def criticality(
    scenario: ScenarioArg,
    format: FormatOpt = Format.table,
    allow_outside: AllowOutsideOpt = False,
    home: HomeOpt = None,
    group: GroupOpt = None,
) -> None:
    """Branches ranked by hypothetical extraction; partners by the cost of a cut-off."""
    import pandas as pd

    from autarky.cli.render import fmt, print_json, source_line, top_rows
    from autarky.reliance.criticality import accuracy_note

    eco = load_economy(scenario, allow_outside, home, group)
    with working("extracting each branch, cutting off each partner"):
        crit = eco.reliance.criticality()
    br, pa = crit["branches"], crit["partners"]
    if format is Format.json:
        print_json({"scenario": scenario, "branches": br.reset_index().to_dict("records"),
                    "branches_method": br.attrs.get("method", ""),
                    "branches_bound": float(br.attrs.get("bound", 0.0)),
                    "partners": pa.reset_index().to_dict("records"),
                    **({"partners_note": pa.attrs["note"]} if "note" in pa.attrs else {})})
        return
    if format is Format.csv:
        rows = [br.reset_index().assign(kind="branch").rename(columns={"branch": "id"}),
                pa.reset_index().assign(kind="partner").rename(columns={"partner": "id"})]
        sys.stdout.write(pd.concat(rows, ignore_index=True).to_csv(index=False))
        return
    unit = eco.currency if not eco.prices.isna().any() else eco.units.iloc[0]
    t = Table(title=f"Branch criticality — {eco.name}", caption=source_line(eco, scenario) +
              f". Output lost if the branch is extracted, valued at constant prices ({unit}).",
              caption_justify="left")
    for col in ("rank", "branch", "output lost", "of which elsewhere", "share of output"):
        t.add_column(col, justify="left" if col == "branch" else "right")
    shown, note = top_rows(br, br.index, "the most critical first")
    if note:
        t.caption = f"{t.caption}{note}"
    if accuracy_note(br):
        t.caption = f"{t.caption} {accuracy_note(br)}"
    for b, r in shown.iterrows():
        t.add_row(str(int(r["rank"])), str(b), fmt(r["total"]), fmt(r["others"]), _pct(r["share"]))
    out.print(t)
    if len(pa):
        note = pa.attrs.get("note")
        t2 = Table(title="Partner criticality (re-planned loss of fulfilment if cut off)"
                   if note is None else "Partner criticality (share of the import content of "
                   "final demand)", caption=note, caption_justify="left")
        for col in ("rank", "partner", "fulfilment after", "loss", "share of imports",
                    "import content of final demand"):
            t2.add_column(col, justify="left" if col == "partner" else "right")
        for p, r in pa.iterrows():
            t2.add_row(str(int(r["rank"])), str(p), fmt(r["fulfilment"]),
                       _pct(r["fulfilment_loss"]), _pct(r["share_of_imports"]),
                       _pct(r["import_content_of_final_demand"]))
        out.print(t2)
