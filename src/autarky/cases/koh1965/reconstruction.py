"""The case's pages for the bundled ``three-year-plan``: the post-war reconstruction (the model's
best path against the claims, the paths with and without aid, the value of aid by year, repair
against new construction, the audit of the plans' growth claims) and the Ch'ollima mobilisation
(the growth-consumption-hours frontier, a campaign against a balanced path, the technicians)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from autarky.economy import Scenario
from autarky.report import figures
from autarky.report.html import _table, esc, num
from autarky.report.plans import write_page

#: The plans' claimed growth of industrial output (research-claims.yaml): id -> (first, last).
CLAIMED = {"growth-three-year-plan": (1953, 1956), "growth-five-year-plan": (1956, 1960)}


def _claimed_path(research: Any, base: int, years: list[int]) -> pd.Series:
    """Industrial output, base year = 100, growing at the claimed rates year by year."""
    rate = {}
    for cid, (first, last) in CLAIMED.items():
        c = research[cid]
        for y in range(first + 1, last + 1):
            rate[y] = float(c.value)
    level, out = 100.0, {base: 100.0}
    for y in years:
        level *= 1 + rate.get(y, 0.0)
        out[y] = level
    return pd.Series(out)


def _fig(svg: str) -> str:
    """A chart in its own scrolling box (wide charts never widen the page)."""
    return f'<div class="figure">{svg}</div>'


def _index(plan: Any) -> pd.Series:
    q = plan.industrial_output
    return 100.0 * q / float(q.iloc[0])


def _page_head(scn: Scenario, title: str) -> str:
    return (f"<h1>{esc(title)}</h1>"
            "<p class='muted'><a href='index.html'>← the 1953 balance</a></p>"
            f"<div class='note'><b>Source.</b> {esc(scn.source)}</div>")


def reconstruction_body(scn: Scenario, research: Any, readings: Any) -> str:
    """The reconstruction page's body."""
    from autarky.plan.aid_cases import aid_counterfactuals
    from autarky.plan.aid_timing import LIMITS, aid_timing

    cases = aid_counterfactuals(scn, "free")
    timing = aid_timing(scn, "free")
    plan = cases.plans["as given"]
    years = list(plan.years)
    base = plan.base_year
    cur = esc(scn.economy.currency)
    claimed = _claimed_path(research, base, years)
    g3, g5 = research["growth-three-year-plan"], research["growth-five-year-plan"]
    model_1956 = float(_index(plan).loc[1956]) if 1956 in years else float("nan")
    parts = [
        "<h2>1. The model's best path against the claimed growth</h2>",
        f"<p>Industrial output, {base} = 100, in the model's best plan (strategy <i>free</i>: "
        "the plan pursues the targets as far as it can, consumption never below its 1953 level) "
        f"against the claims: <b>{100 * g3.value:.1f} % a year</b> in the Three Year Plan "
        f"({esc(g3.source_type)}: {esc(g3.source)}: “{esc(g3.quote)}”) and "
        f"<b>{100 * g5.value:.1f} %</b> in the Five Year Plan ({esc(g5.source_type)}: "
        f"{esc(g5.source)}). By 1956 the model reaches {model_1956:.0f} against the claimed "
        f"{float(claimed.loc[1956]):.0f}; by {years[-1]} {float(_index(plan).iloc[-1]):.0f} against "
        f"{float(claimed.iloc[-1]):.0f}. The scenario's figures are estimates where its files say "
        "so (the note on every row); what limits the model's path is listed in section 4.</p>",
        _fig(figures.paths_chart({"model: best plan": _index(plan)},
                            f"Industrial output ({base} = 100)", "index",
                            reference={"claimed: 41.7 % then 36.6 % a year": claimed},
                            logy=True)),
        "<h2>2. With and without the aid</h2>",
        "<p>The same plan with the aid of one donor left out, of the two largest, and of all: "
        "aid is foreign exchange that pays for imported equipment and materials (within the "
        "import limits the scenario records). Each path is a whole plan solved afresh.</p>",
        _fig(figures.paths_chart({name: _index(p) for name, p in cases.plans.items() if p.ok},
                            f"Industrial output ({base} = 100) by counterfactual of the aid",
                            "index", logy=True)),
        _summary_table(cases.summary, "case", cur),
        "<h2>3. The value of aid by year: Joan Robinson's thesis</h2>",
        "<p>“The pernicious effect of foreign aid prolonged beyond the first boost” (Robinson, "
        "quoted by Koh, seed lines 236-243). The value of one more unit of aid in each year is "
        "the dual of that year's foreign-exchange balance (objective per "
        f"{cur} of aid); the same total aid spread over the years by other profiles gives "
        "whole other plans. Zero where foreign exchange did not bind that year: aid was not "
        "what limited the plan.</p>",
        _fig(figures.paths_chart({name: timing.aid_value[name] for name in timing.aid_value.columns},
                            "Value of one more unit of aid, by year", f"objective per {cur}")),
        _summary_table(timing.summary, "profile", cur),
        "<p><b>What the model cannot say.</b></p><ul>"
        + "".join(f"<li>{esc(s)}</li>" for s in LIMITS) + "</ul>",
    ]
    if plan.repair is not None:
        assert plan.repair_investment is not None and plan.investment is not None
        rep = plan.repair_investment.sum(axis=1)
        new = plan.investment.sum(axis=1) - rep
        rows = [[str(y), num(float(rep[y])), num(float(new[y])),
                 ", ".join(b for b, v in plan.repair.loc[y].items() if v > 1e-9) or "–"]
                for y in years]
        parts += [
            "<h2>4. Repair before new construction</h2>",
            "<p>Damaged capacity (standing but out of use: pre-war capacity less the working "
            "capacity of 1954) can be repaired at a share of the cost of new capacity and "
            f"sooner. Investment by kind, {cur} at constant prices, and the branches repaired "
            "each year. Bottlenecks of the first plan year (value of one more unit of capacity, "
            "1 = the scarcest): "
            + ", ".join(f"<b>{esc(b)}</b> ({v:.2f})"
                        for b, v in plan.bottlenecks(years[0]).items()) + ".</p>",
            _table(["year", f"repair ({cur})", f"new construction ({cur})", "branches repaired"],
                   rows, numeric={1, 2}),
        ]
    parts += [readings_section(readings, "5. The audit of the plans' growth claims")]
    return "".join(parts)


def _summary_table(s: pd.DataFrame, kind: str, cur: str) -> str:
    rows = []
    for name, r in s.iterrows():
        if r["status"] != "optimal":
            rows.append([esc(name), esc(r["status"]), "–", "–", "–", "–"])
            continue
        rows.append([esc(name), num(r["objective"]), f"{100 * r['own_saving_share']:.1f} %",
                     f"{100 * r['last_year_import_share']:.1f} %",
                     num(r["last_year_industrial_output"]), num(r["consumption"])])
    return _table([kind, "objective", "own saving (share of investment)",
                   "imports in the last year (share of supply)",
                   f"industrial output in the last year ({cur})",
                   "consumption (basket, summed)"], rows, numeric={1, 2, 3, 4, 5})


def readings_section(r: Any, heading: str) -> str:
    """The audit of the claims, the source's with the other sources', with the readings of
    the ambiguous ones weighed (:class:`autarky.monitor.readings.ReadingsAudit`)."""
    rows = [[esc(x["claim"]), esc(x["reading"]), esc(x["changes"]),
             esc(x["source_type"] or "the document"), f"{x['prior']:.2f}",
             f"{x['posterior']:.3f}", num(x["bayes_factor"])]
            for _, x in r.readings.iterrows()]
    best = r.best
    c = best.claims[best.claims["audited"]]
    flagged = c[c["flag"]]
    frows = [[esc(x["id"]), esc(x["years"]), num(x["stated"]), num(x["fitted"]),
              f"{x['z']:+.2f}"] for _, x in flagged.iterrows()]
    ser = best.series[best.series["quantity"] == "industrial-output"]
    implied = pd.Series(ser["value"].to_numpy(), index=ser["year"].to_numpy())
    return (
        f"<h2>{esc(heading)}</h2>"
        "<p>The source's claims and the other sources' (Soviet-bloc archives, DPRK statements, "
        "Western reproductions and estimates, each weighed by its type) fitted together in log "
        "levels; where a text is ambiguous its readings are weighed by the rest (Bayes factor "
        "against the claim as read: above 150 very strong; method: " + esc(r.method) + ").</p>"
        + _table(["claim", "reading", "changes", "source type", "prior", "posterior",
                  "Bayes factor"], rows, numeric={4, 5, 6})
        + "<p>Under the most probable readings the claims "
        + (best.verdict if best.consistent or not best.tested
           else "<b>cannot all hold together</b>")
        + f" (chi-square {best.chi2:.1f} on {best.dof} degrees of freedom, p = "
        f"{best.p_value:.2g}). The claims that stand out (|z| above {best.z_threshold:g}):</p>"
        + _table(["claim", "years", "stated", "fitted", "z"], frows, numeric={2, 3, 4})
        + _fig(figures.paths_chart({"implied by all the claims": implied.sort_index()},
                              "Industrial output implied by the claims "
                              f"({int(implied.index.min())} = 100)", "index", logy=True))
    )


def mobilisation_body(scn: Scenario) -> str:
    """The mobilisation page's body."""
    from autarky.plan.mobilisation import LIMITS, campaign, effort_frontier

    f = effort_frontier(scn, "free")
    c = campaign(scn, "free")
    m = scn.settings.mobilisation
    assert m is not None
    unit = esc(str(scn.economy.factors["unit"].loc[m.factor]))
    by = c.by_year
    hours = {p: by.loc[p]["hours"] for p in ("balanced", "chosen", "campaign")}
    welfare = {p: by.loc[p]["welfare_per_head"] for p in ("balanced", "chosen", "campaign")}
    strain = by.loc["campaign"]["strain"]
    frows = [[f"{h:g}", f"{r['multiple']:.2f}", f"{100 * r['growth']:.1f} %",
              f"{r['hours']:.1f}", f"{r['consumption_per_head']:.3f}",
              f"{r['welfare_per_head']:.3f}", num(r["strain"])]
             for h, r in f.iterrows() if r["status"] == "optimal"]
    crow = [[esc(p), f"{r['multiple']:.2f}", f"{100 * r['growth']:.1f} %", f"{r['hours']:.1f}",
             f"{r['consumption_per_head']:.3f}", f"{r['welfare_per_head']:.3f}",
             num(r["strain"])] for p, r in c.summary.iterrows() if r["status"] == "optimal"]
    head = ["", "industry (x 1953)", "growth (a year)", "hours a day", "consumption per head",
            "welfare per head", f"strain ({unit})"]
    # the frontier under other growth of labour: the assumption the answer depends on most
    k = list(scn.economy.coords.factor).index(m.factor)
    growth0 = scn.array("factor_growth")
    sens = {}
    for g in (float(growth0[k]), 0.046, 0.0):
        grown = growth0.copy()
        grown[k] = g
        fs = effort_frontier(scn.replace(factor_growth=grown), "free")
        sens[f"labour +{100 * g:.1f} % a year"
             + (" (the scenario)" if g == float(growth0[k]) else "")] = fs["multiple"]
    parts = [
        "<h2>1. The frontier of the working day</h2>",
        "<p>Labour effort above normal as a choice of the plan: tiers of longer days (each "
        "extra hour less productive than the last) and more people at work, each with a "
        "disutility counted in consumption-basket units. The plan solved with the working day "
        "capped at each length: growth of industrial output, consumption and welfare per head "
        "(basket multiples per head, 1953 = 1, the mean over the years) and hours. Strain: "
        "effective labour added by effort that no production used.</p>",
        _table(["max hours", *head[1:]], frows, numeric={1, 2, 3, 4, 5, 6}),
        "<p>Whether longer days buy growth depends above all on how fast labour (counted at "
        "1963 productivity) grows without them: the scenario's rate adds workers and some "
        "productivity within each branch; 4.6 % a year is workers alone; 0 % a stagnant "
        "labour force. Where a line is flat, more hours bought nothing: capital goods, cement "
        "and technicians limited the plan, not labour (the diminishing returns of the source's "
        "line 224).</p>",
        _fig(figures.paths_chart(sens, "Industrial output in 1960 (x 1953) against the longest "
                            "working day allowed", "x 1953", xlabel="hours a day")),
        "<h2>2. The Ch'ollima campaign against a balanced path</h2>",
        "<p>“Factory workers toil 12 to 14 hours a day” in 1960 (TIME, 14 November 1960, in the "
        "research file). The campaign mandates the hours below year by year; the balanced path "
        "works a normal day; the chosen path is the plan's own choice within the tiers. Where "
        "the labour row's shadow price is zero, labour did not limit the plan, and the "
        "campaign's extra hours bought strain, not growth.</p>",
        _table(["path", *head[1:]], crow, numeric={1, 2, 3, 4, 5, 6}),
        _fig(figures.paths_chart(hours, "Hours a day", "hours")),
        _fig(figures.paths_chart(welfare, "Welfare per head (consumption less the disutility of "
                            "effort; 1953 = 1)", "basket per head")),
        _fig(figures.paths_chart({"campaign": strain}, "Strain: effort that bought nothing",
                            unit)),
        "<p><b>What the model cannot say.</b></p><ul>"
        + "".join(f"<li>{esc(s)}</li>" for s in LIMITS) + "</ul>",
    ]
    plan = c.plans["chosen"]
    if plan.ok and plan.skills is not None:
        s = plan.skills
        rows = [[str(y), num(r["intake"]), num(r["in_training"]), num(r["stock"]),
                 num(r["needed"])] for y, r in s.iterrows()]
        parts += [
            "<h2>3. Technicians trained with a lag</h2>",
            "<p>“A pool of 200,000 technicians and experts has been built up from nearly "
            "nothing” (Robinson, seed line 248). Technicians are a stock: intakes train for "
            "some years, withdrawing workers meanwhile, and then join it. Where the stock equals "
            f"what production needs, it binds ({esc(s.attrs.get('unit', ''))}).</p>",
            _table(["year", "intake", "in training", "stock", "needed"], rows,
                   numeric={1, 2, 3, 4}),
        ]
    return "".join(parts)


def write_reconstruction(scn: Scenario, research: Any, readings: Any,
                         out_dir: str | Path) -> Path:
    """``out_dir/reconstruction.html``."""
    body = (_page_head(scn, "Reconstruction 1954-60: war damage, repair, aid")
            + reconstruction_body(scn, research, readings))
    return write_page(out_dir, "reconstruction.html", scn.name, body)


def write_mobilisation(scn: Scenario, out_dir: str | Path) -> Path:
    """``out_dir/mobilisation.html``."""
    body = (_page_head(scn, "Mobilisation and its human cost: Ch'ollima")
            + mobilisation_body(scn))
    return write_page(out_dir, "mobilisation.html", scn.name, body)
