"""Report page: the Seven Year Plan followed against its reports, and the claims audit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from autarky.report import figures
from autarky.report.html import _table, esc, num
from autarky.report.plans import write_page


def monitoring_section(targets: Any, reports: Any, claims: Any) -> str:
    """Fulfilment, the growth still needed for 3.2 times 1960, the forecast as a fan chart."""
    from autarky.monitor.monitoring import monitor

    res = monitor(targets, reports)
    branch = "industrial-output"
    latest = reports.latest().loc[branch].dropna()
    target = targets.table().loc[branch].dropna()
    fan = res.fan()[branch]
    fc = res.forecast.loc[branch]
    need = float(res.required_growth[branch])
    r64, r65 = claims["industrial-growth-1964"], claims["industrial-growth-1965"]
    mult = claims["seven-year-plan-output-vs-1960"]
    svg = figures.fan_chart(latest, fan, target, "Industrial output: plan, reports and forecast",
                            "index, 1960 = 100")
    rows = [[str(p), num(target.get(p, np.nan)), num(latest.get(p, np.nan)),
             "–" if pd.isna(res.fulfilment.loc[branch].get(p, np.nan))
             else f"{100 * res.fulfilment.loc[branch][p]:.1f} %"]
            for p in sorted(set(target.index) | set(latest.index))]
    flags = "".join(f"<li>{esc(f['kind'])}: {esc(f['message'])}</li>" for f in res.flags)
    return (
        "<h2>1. The Seven Year Plan, followed</h2>"
        "<p>Targets: 18 % a year from 1960 = 100, and 3.2 times 1960 by 1967 (line "
        f"{mult.line}). Reports: 17 % in 1964 (line {r64.line}) and 14 % in 1965 (line "
        f"{r65.line}); the source gives no figures for 1961-63, which are taken as on plan "
        "(an assumption, marked in the data). Every report is kept with the date it was "
        "published; the latest counts.</p>"
        + _table(["year", "plan (index)", "reported (index)", "fulfilment"], rows,
                 numeric={1, 2, 3})
        + f'<div class="figure">{svg}</div>'
        f"<p>To reach {num(float(fc['target']))} in {fc['period']} from the 1965 level, "
        f"industrial output would have had to grow <b>{100 * need:.1f} % a year</b> in 1966-67, "
        "against 17 % and 14 % in the two years before. The forecast ("
        f"{esc(res.model)} model on log levels) puts 1967 at {num(float(fc['value']))} "
        f"({int(100 * res.interval)} % interval {num(float(fc['low']))}-{num(float(fc['high']))}), "
        f"and the probability of meeting the target at {float(fc['p_meet']):.2g} (model: "
        f"{esc(str(fc['note'] or res.model))}). With six points, three of them assumed on plan, "
        "the interval is narrow: it measures how regular the reported path is, not how reliable "
        "the reports are.</p>"
        + (f"<p>Flags:</p><ul>{flags}</ul>" if flags else "")
    )


def audit_section(result: Any) -> str:
    """The claims audit: the consistent series, each claim's residual, what cannot hold."""
    c = result.claims
    rows = []
    for _, r in c[c["audited"]].iterrows():
        z = r.get("z")
        rows.append([esc(r["id"]), esc(r["kind"]),
                     "" if pd.isna(r.get("line")) else str(int(r["line"])),
                     f"{r['stated']:.4g}",
                     "–" if pd.isna(r["fitted"]) else f"{r['fitted']:.4g}",
                     "–" if pd.isna(r["residual_pct"]) else f"{r['residual_pct']:+.1f} %",
                     "–" if z is None or pd.isna(z) else f"{z:+.2f}",
                     "<b>flag</b>" if r["flag"] else ""])
    idx_rows = []
    try:
        ann = result.annual("industrial-output")
        for _, r in ann.iterrows():
            idx_rows.append([str(int(r["year"])), num(r["value"]), num(r["low"]), num(r["high"]),
                             "interpolated" if r["interpolated"] else "a claimed year"])
    except Exception:
        idx_rows = []
    prod_rows = []
    for q in ("electricity", "coal", "pig-iron", "steel", "structural-steel", "fertilizers",
              "cement", "fabrics"):
        cells = [esc(q)]
        for year in (1946, 1956):
            try:
                e = result.implied(q, year)
                cells.append(f"{num(e.value)} ({num(e.low)}-{num(e.high)})")
            except Exception:
                cells.append("–")
        prod_rows.append(cells)
    verdict = (f"the claims {result.verdict}" if result.consistent or not result.tested
               else "<span class='bad'>the claims cannot all hold together</span>")
    return (
        "<h2>2. Can the claims all be true?</h2>"
        "<p>Each claim is one equation in the logarithms of the levels it speaks of (a level, a "
        "ratio between two years, an average growth rate, a share, or 'N days of year B "
        "produced what year A produced'); weighted least squares, each claim weighted by its "
        "rounding and its confidence, finds the most consistent series; a claim whose "
        "standardised residual exceeds 2 is flagged. "
        f"Chi-square {result.chi2:.2f} on {result.dof} degrees of freedom (p = "
        f"{result.p_value:.3g}): {verdict}.</p>"
        + _table(["claim", "kind", "line", "stated", "fitted", "residual", "z", ""], rows,
                 numeric={2, 3, 4, 5, 6})
        + "<p>The plan's figures are linked to the reports only at the plan's bases (the 1960 "
        "and the pre-war 1944 levels); 1961-63 are assumed on plan with low confidence, since "
        "the source gives no figure. The 20 times pre-war, the 28 days and that assumption sit "
        "on one loop: 20 / 3.2 = 6.25 times 1944 in 1960 by the plan, 365 / 28 / 1.18<sup>3</sup> "
        "= 7.94 by the reports, 27 % apart.</p>"
        + ("<h3>Industrial output implied, 1944 = 100</h3>"
           + _table(["year", "index", "low (68 %)", "high (68 %)", ""], idx_rows,
                    numeric={1, 2, 3}) if idx_rows else "")
        + "<h3>The eight products in 1946 and 1956, implied by the 1963 table</h3>"
        "<p>In each product's unit, with 68 % intervals; the multiples whose OCR is unclear carry "
        "their low confidence and their alternative readings into wider intervals.</p>"
        + _table(["product", "1946", "1956"], prod_rows)
    )


def digits_section(claims: Any) -> str:
    """First-digit (Benford) and last-digit tests of the source's stated levels, as an aid."""
    from autarky.monitor.digits import benford_test, last_digit_test

    values = [c.value for c in claims.claims if c.kind in ("level", "amount", "count")
              and c.value > 0]
    b = benford_test(values)
    last = last_digit_test([round(v) for v in values])
    rows = [[str(d), f"{100 * o:.0f} %", f"{100 * e:.1f} %"]
            for d, o, e in zip(b.digits, b.observed, b.expected, strict=True)]
    return (
        "<h2>3. The digits of the reported figures</h2>"
        f"<p>The {b.n} levels, amounts and counts the source states, tested as an aid only: "
        f"first digits against Benford's law (chi-square p = {b.p_value:.2g}) and last digits "
        f"against uniformity (p = {last.p_value:.2g}). With so few figures neither test has "
        "power; figures rounded to round numbers ('5 million tons', '200,000 technicians') "
        "break the last-digit test by convention, not by invention; and passing says nothing "
        "of honesty.</p>"
        + _table(["first digit", "observed", "Benford"], rows, numeric={1, 2})
    )


def write_monitoring(out_dir: str | Path, claims: Any) -> Path:
    """``out_dir/monitoring.html``: the plan followed, and the claims audit."""
    from autarky.cases.koh1965 import readings_audit, seven_year_plan
    from autarky.cases.koh1965.links import source_audit
    from autarky.cases.koh1965.reconstruction import readings_section

    targets, reports = seven_year_plan()
    body = ("<h1>Monitoring the plan, and auditing the claims</h1>"
            "<p class='muted'><a href='index.html'>← the 1963 balance</a> · "
            "<a href='plans.html'>the Seven Year Plan</a> · "
            "<a href='reliance.html'>self-reliance</a></p>"
            f"<div class='note'><b>Source.</b> {esc(claims.citation)}; the author calls the "
            "statistics 'not wholly reliable' (line 211).</div>"
            + monitoring_section(targets, reports, claims)
            + audit_section(source_audit(claims))
            + readings_section(readings_audit(), "2b. With the other sources' claims, and "
                               "the ambiguous readings weighed")
            + digits_section(claims))
    return write_page(out_dir, "monitoring.html", "Monitoring and audit", body)
