"""The case's report: the source's 1963 table and the plan arithmetic on the balance page, the
Seven Year Plan examined, the loss of aid on the self-reliance page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from autarky.cases.koh1965.tables import output_table_1963
from autarky.data.claims import Claims
from autarky.economy import Economy, Scenario
from autarky.plan import check_rate_against_multiple
from autarky.report import figures
from autarky.report.format import format_percent
from autarky.report.html import _table, esc, num
from autarky.report.plans import compare_section, write_page


def _pct(v: float) -> str:
    return format_percent(v, missing="–")


def section_source_table(claims: Claims) -> str:
    t = output_table_1963(claims)
    rows, classes = [], []
    for p, r in t.iterrows():
        unclear = bool(r["unclear_1956"]) or bool(r["unclear_1946"])
        cells = [esc(p), esc(r["unit"]), num(r["level_1963"])]
        for base in (1956, 1946):
            rng = ""
            if r[f"unclear_{base}"]:
                rng = (f"<br><span class='muted'>range {num(r[f'level_{base}_low'])}–"
                       f"{num(r[f'level_{base}_high'])} over readings "
                       f"{esc(r[f'alternatives_{base}'])}</span>")
            cells += [f"{r[f'multiple_{base}']:g}×<br><span class='ocr'>"
                      f"{esc(r[f'ocr_{base}'])}</span>",
                      num(r[f"level_{base}"]) + rng,
                      f"{r[f'confidence_{base}']:.2f}"]
        cells.append(f"{int(r['line'])}")
        rows.append(cells)
        classes.append("unclear" if unclear else "")
    headers = ["product", "unit", "1963 level", "1963 as multiple of 1956 (OCR)",
               "implied 1956 level", "confidence", "1963 as multiple of 1946 (OCR)",
               "implied 1946 level", "confidence", "source line"]
    svg = figures.history_bars(t, "Levels implied by the source's multiples, relative to 1963")
    return (
        "<h2>The source's 1963 table, and the levels it implies</h2>"
        f"<p>From {esc(claims.citation)}, table 'Industrial Goods Output in 1963' (lines "
        "192-203 of the OCR text). The implied level of an earlier year is the 1963 level "
        "divided by the multiple. The OCR text of each multiple is shown as scanned; rows "
        "shaded amber hold a multiple whose OCR is unclear (coal's <span class='ocr'>H</span>, "
        "steel's <span class='ocr'>'04</span>, cement's <span class='ocr'>4·'</span>, and two "
        "whose digits are clean but implausibly large), with the range of levels over the "
        "plausible readings.</p>"
        + _table(headers, rows, classes, numeric={2, 4, 5, 7, 8, 9})
        + f'<div class="figure">{svg}</div>'
        "<p class='muted'>Hatched bars and whiskers: unclear readings and their range.</p>"
    )


def section_arithmetic(claims: Claims) -> str:
    rate = claims["seven-year-plan-growth-target"]
    mult = claims["seven-year-plan-output-vs-1960"]
    c = check_rate_against_multiple(f"{100 * rate.value:g}", f"{mult.value:g}",
                                    int(mult.base_year or 1960), int(mult.year or 1967))
    verdict = ('<span class="ok">agree to rounding</span>' if c.agree
               else '<span class="bad">do not agree</span>')
    return (
        "<h2>Plan arithmetic</h2>"
        f"<p>The Seven Year Plan: <b>{100 * c.rate:g} % a year</b> (line {rate.line}) and "
        f"<b>{c.mult:g} times 1960 by 1967</b> (line {mult.line}). Seven years of 18 % growth give "
        f"1.18<sup>7</sup> = <b>{c.implied_multiple:.3f}</b> times; {c.mult:g} times in seven "
        f"years needs <b>{100 * c.implied_rate:.2f} %</b> a year. Allowing each figure its "
        f"rounding ({100 * c.rate_range[0]:.1f}-{100 * c.rate_range[1]:.1f} % and "
        f"{c.multiple_range[0]:.2f}-{c.multiple_range[1]:.2f} times), the two statements "
        f"{verdict}.</p>"
    )


def _strict_conflicts(eco: Economy | Scenario, growth: float) -> list[dict[str, Any]]:
    p = eco.plan.multiyear("free", targets="strict", target_growth=growth)
    return [] if p.ok else list(p.conflicts)


def seven_year_plan_section(eco: Economy | Scenario, claims: Any, strategies: list[str]) -> str:
    """The Seven Year Plan examined: can output grow 18 % a year; what each strategy yields by
    1967 against 3.2 times 1960; the reported 1964 and 1965 growth against the plan path."""
    from autarky.plan.multiyear import max_uniform_growth

    target = claims["seven-year-plan-growth-target"]
    mult = claims["seven-year-plan-output-vs-1960"]
    r64, r65 = claims["industrial-growth-1964"], claims["industrial-growth-1965"]
    g = float(target.value)
    plans = [eco.plan.multiyear(s) for s in strategies]
    by_name = {p.strategy: p for p in plans}
    years = list(plans[0].years)
    base = plans[0].base_year
    g_max = max_uniform_growth(eco, "free")
    g_max_lf = max_uniform_growth(eco, "light-first")
    g_used = max_uniform_growth(eco, "free", no_waste=True)
    conflicts = _strict_conflicts(eco, g)
    first_year = min((int(c["year"]) for c in conflicts if c.get("year") is not None),
                     default=None)
    first = [c for c in conflicts if first_year is not None and c.get("year") == first_year]
    free = by_name.get("free") or eco.plan.multiyear("free")
    bn = free.bottlenecks(years[0]) if free.ok else pd.Series(dtype=float)
    parts = [
        "<h2>1. Can industrial output grow 18 % a year in this model?</h2>",
        f"<p>The plan's target: <b>{100 * g:g} % a year</b> (line {target.line}), "
        f"<b>{mult.value:g} times {mult.base_year} by {mult.year}</b> (line {mult.line}). "
        f"In the model, the largest growth of industrial output that can be held <i>every</i> year "
        f"from {years[0]} to {years[-1]} is <b>{100 * g_max:.1f} %</b> with investment free to go "
        f"where it helps most, and <b>{100 * g_max_lf:.1f} %</b> under the plan's own order "
        f"(light-first). {100 * g:g} % a year is "
        + ("<span class='ok'>feasible</span>." if g_max >= g else
           "<span class='bad'>not feasible</span>.")
        + " These rates count output whether or not anyone uses it, as gross-output statistics "
        f"did; if every product must find a use, the largest uniform rate is {100 * g_used:.1f} % "
        "(the consumption basket and the other final uses are fixed in their proportions).</p>",
    ]
    if first:
        rows = [[esc(c["constraint"]), num(c["bound"]), num(c["needed"])] for c in first]
        parts.append(
            f"<p>Asked for {100 * g:g} % every year as a hard requirement, the plan breaks first in "
            f"<b>{first_year}</b>. One smallest relaxation that would allow it (each "
            "constraint weighted by its size, so it favours moving small bounds) moves these "
            "constraints of that year, in each branch's unit:</p>"
            + _table(["constraint", "bound", "needed"], rows, numeric={1, 2}))
    if len(bn):
        parts.append("<p>In the best plan (strategy <i>free</i>, targets pursued as far as "
                     f"possible), the scarcest capacities of {years[0]}, ranked by the value of "
                     "one more won of capacity, are: "
                     + ", ".join(f"<b>{esc(b)}</b> ({v:.2f})" for b, v in bn.items())
                     + " (1 = the scarcest).</p>")
    plan_path = pd.Series([(1 + g) ** (y - base) for y in [base, *years]], index=[base, *years])
    parts.append(_uncertain_growth(eco, g, plan_path))
    parts += [
        f"<h2>2. What each strategy yields by {years[-1]}</h2>",
        f"<p>Against the target of {mult.value:g} times {mult.base_year} (dashed: the plan's "
        f"{100 * g:g} % path). Every strategy pursues the targets as far as it can (shortfall "
        "minimised first), keeping consumption at least at its base-year level; output that "
        "nobody would use is charged, so no strategy meets a target with waste.</p>",
        compare_section(eco, plans, reference={f"plan: {100 * g:g} % a year": plan_path}),
    ]
    lf = by_name.get("light-first")
    rows = []
    for y, claim in ((1964, r64), (1965, r65)):
        if lf is None or not lf.ok or y not in lf.years:
            continue
        bn_y = lf.bottlenecks(y)
        rows.append([str(y), f"{100 * g:g} %", f"{100 * claim.value:g} % (line {claim.line})",
                     f"{100 * lf.growth[y]:.1f} %",
                     ", ".join(f"{esc(b)} ({v:.2f})" for b, v in bn_y.items()) or "–"])
    if rows:
        gap = (1 + r64.value) * (1 + r65.value) / (1 + g) ** 2 - 1
        parts += [
            "<h2>3. The reported 17 % (1964) and 14 % (1965) against the plan path</h2>",
            f"<p>Compounded, the reported growth leaves 1965 output <b>{100 * abs(gap):.1f} % "
            f"{'below' if gap < 0 else 'above'}</b> where two years at {100 * g:g} % would have "
            "put it (1.17 × 1.14 against 1.18²). The model, planned on the Seven Year Plan's own "
            "order (light-first), grows as follows in those years; the capacities that bind "
            "hardest explain the slowdown in the model:</p>",
            _table(["year", "plan", "reported", "model (light-first)",
                    "scarcest capacities in the model (1 = scarcest)"], rows),
        ]
    return "".join(parts)


#: Draws of the Seven Year Plan's estimates the page makes (each a bisection of multi-year
#: plans and one plan under the free strategy).
SEVEN_YEAR_DRAWS = 40


def _uncertain_growth(eco: Economy | Scenario, g: float, plan_path: pd.Series) -> str:
    """Section 1b: the largest uniform growth and the path of industrial output under the
    estimates' uncertainty, the probability that the target was feasible, what drives it."""
    from autarky.report import figures
    from autarky.report.uncertainty import has_uncertainty, report_sweep
    from autarky.sweep.summary import noise_level, probability, quantiles, sensitivity, wilson

    if not has_uncertainty(eco):
        return ""
    n = SEVEN_YEAR_DRAWS
    ds = report_sweep(eco, ["max-growth free", "multiyear free"], draws=n, seed=0)
    p = probability(ds, f"max-growth_free.max_growth >= {g}")
    q = quantiles(ds, "max-growth_free.max_growth", (0.05, 0.5, 0.95)).values
    broken = int((ds["draw_status"] == 1).sum())
    # a draw where no uniform growth above -50 % is feasible is one where the target was not:
    # it counts against the target, it is not dropped
    none = int((ds["max-growth_free.status"] == 2).sum())
    k = round(float(p["probability"]) * int(p["n"]))
    total = int(p["n"]) + none
    lo, hi = wilson(k, total)
    out_ = ds["multiyear_free.industrial_output"].where(ds["multiyear_free.status"] == 0)
    index = out_ / out_.isel(output_year=0)
    fan = index.quantile([0.05, 0.25, 0.5, 0.75, 0.95], dim="draw").transpose(
        "output_year", "quantile").to_pandas()
    s = sensitivity(ds, "max-growth_free.max_growth")
    top = s.sortby("rank").isel(entry=slice(0, 10))
    noise = noise_level(int(s["n"]))
    return (
        "<h2>1b. The same question under the estimates' uncertainty</h2>"
        f"<p>Every estimate of the scenario drawn from its range ({n} Monte Carlo draws, seed "
        f"0; {broken} broke the scenario and are counted). In {none} draws no uniform growth "
        "above -50 % a year can be held at all: the strict plan has no solution, the drawn "
        "capacities and norms cannot supply the final uses the plan holds fixed. In the "
        "others the largest uniform growth has a median of "
        f"<b>{100 * q[1]:.1f} %</b> a year (5-95 %: {100 * q[0]:.1f}-{100 * q[2]:.1f} %). "
        f"The probability that {100 * g:g} % a year was feasible is <b>{k / max(total, 1):.2f}"
        f"</b> ({k} of {total} draws; Wilson 95 % interval {lo:.2f}-{hi:.2f}): an estimate, and "
        "only of what the scenario's estimates leave open, not of the plan's other assumptions "
        "(fixed norms, no substitution).</p>"
        + '<div class="figure">'
        + figures.quantile_fan(fan, plan_path, "Industrial output under strategy free, the "
                               "draws where the plan has a solution",
                               "industrial output (base year = 1)",
                               f"plan: {100 * g:g} % a year")
        + '</div><div class="figure">'
        + figures.tornado_chart(
            pd.Series(top["spearman"].values, index=[str(e) for e in top["entry"].values]),
            "What drives the largest uniform growth", "Spearman rank correlation", noise)
        + "</div>"
        + f"<p class='muted'>Spearman rank correlation over {int(s['n'])} draws; within the "
        f"grey band (+-{noise:.2f}) a correlation cannot be told from none at 95 %.</p>")


def write_seven_year_plan(eco: Economy | Scenario, claims: Any, out_dir: str | Path,
                          strategies: list[str] | None = None) -> Path:
    """``out_dir/plans.html``: the Seven Year Plan examined."""
    strategies = strategies or ["free", "heavy-first", "light-first", "balanced", "great-leap"]
    body = (f"<h1>{esc(eco.name)}</h1>"
            "<p class='muted'><a href='index.html'>← the 1963 balance</a></p>"
            f"<div class='note'><b>Source.</b> {esc(eco.source)}</div>"
            f"<p>{esc(eco.description)}</p>"
            + seven_year_plan_section(eco, claims, strategies))
    return write_page(out_dir, "plans.html", eco.name, body)


def aid_section(eco: Economy | Scenario, claims: Any) -> str:
    """What aid worth 4.5 % of state revenue (1958) meant, in the 1960 economy."""
    share = 0.045
    line = ""
    if claims is not None:
        c = claims["foreign-aid-share-of-revenue-1958-text"]
        share, line = float(c.value), f" (line {c.line})"
    revenue = float(eco.state_revenue or 0.0)
    par = eco.partners.copy()
    total_now = float(par["aid"].sum())
    aid = share * revenue
    weights = par["aid"] / total_now if total_now > 0 else pd.Series(1.0 / len(par), par.index)
    par["aid"] = aid * weights
    with_aid = eco.replace(partners=par)
    res = with_aid.reliance.stress("aid", weeks=52, duration=52)
    pr = res.propagation
    return (
        "<h2>Losing aid worth 4.5 % of state revenue</h2>"
        f"<p>In 1958 foreign aid was {100 * share:g} % of state revenue{esc(line)}; from 1961 "
        "none. In the 1960 economy (revenue estimated at "
        f"{num(revenue)} {esc(eco.currency)}), aid of that weight is {num(aid)} {esc(eco.currency)} "
        "a year, spent on imports at the partners' prices. Cutting it: re-planned, the largest "
        f"common fulfilment falls from {res.replanned['fulfilment_base']:.4f} to "
        f"{res.replanned['fulfilment']:.4f} (<b>{_pct(res.replanned['loss'])}</b>); without "
        "re-planning, imports fall by the share aid financed: over the year output falls by "
        f"{num(pr.aggregate_loss(res.prices))} and final demand goes short by "
        f"{num(float((pr.unmet_final_demand.sum(axis=0) * res.prices).sum()))} "
        f"{esc(eco.currency)} at constant prices (the shortage falls on final users first, as "
        "branches order more to rebuild their inventories).</p>"
    )
