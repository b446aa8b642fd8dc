"""The self-contained HTML report: one page, inline SVG figures, no external assets."""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from autarky import __version__
from autarky.data.claims import Claims
from autarky.data.tables import output_table_1963
from autarky.economy import Economy, Scenario
from autarky.io.writer import atomic_write
from autarky.plan import Plan, check_rate_against_multiple
from autarky.report import figures
from autarky.report.format import format_number

#: Largest economy whose every branch the report draws and lists one by one.
MAX_DRAWN = 40

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.8em 0;font-size:.88em}
th,td{border:1px solid #ddd;padding:.3em .55em;vertical-align:top}
th{background:#f4f4f4;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.unclear td{background:#fff6e0}.muted{color:#666;font-size:.88em}.ocr{font-family:monospace;
background:#f6f6f6;padding:0 .2em}.figure{margin:1em 0;overflow-x:auto}.figure svg{max-width:100%;height:auto}
div.table{overflow-x:auto}
.note{background:#f0f5fb;border-left:4px solid #4c72b0;padding:.5em .8em;margin:1em 0}
details{margin:.6em 0}summary{cursor:pointer;font-weight:600}
.ok{color:#2a7a2a;font-weight:600}.bad{color:#b22;font-weight:600}
"""


def esc(value: object) -> str:
    """HTML-escaped text."""
    return html.escape(str(value), quote=True)


def num(v: float | None) -> str:
    """A number for a report table."""
    return format_number(v, missing="–")


def _table(headers: list[str], rows: list[list[str]], classes: list[str] | None = None,
           numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for k, r in enumerate(rows):
        cls = f' class="{classes[k]}"' if classes and classes[k] else ""
        cells = "".join(f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>"
                        for i, c in enumerate(r))
        body.append(f"<tr{cls}>{cells}</tr>")
    return (f'<div class="table"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>")


def _prov(economy: Economy | Scenario, table: str, row: str, column: str | None = None) -> str:
    p = economy.provenance
    if p.empty:
        return ""
    m = (p["table"] == table) & (p["row"] == row)
    if column is not None:
        m &= p["column"] == column
    hit = p[m]
    if hit.empty:
        return ""
    r = hit.iloc[0]
    src = str(r.get("source") or "")
    return src + (" (estimate)" if bool(r.get("estimate")) and "estim" not in src else "")


def section_balance(economy: Economy | Scenario, plan: Plan) -> str:
    t = plan.table()
    fd = plan.final_demand
    rows = []
    has_m = "imports" in t.columns
    has_e = "exports" in t.columns
    for b, r in t.iterrows():
        src = _prov(economy, "gross_output", str(b)) or "scenario"
        cells = [esc(b), esc(r["unit"]), num(r["gross_output"]),
                 *([num(r["imports"])] if has_m else []), num(r["intermediate_use"])]
        cells += [num(fd.loc[b, c]) for c in fd.columns]
        cells += [num(r["exports"])] if has_e else []
        if "reported" in t.columns:
            cells += [num(r["reported"]), f"{round(100 * r['deviation'], 2) + 0.0:+.2f} %", esc(src)]
        rows.append(cells)
    headers = ["branch", "unit", "gross output", *(["imports"] if has_m else []),
               "intermediate use", *[f"final: {c.replace('_', ' ')}" for c in fd.columns],
               *(["exports"] if has_e else [])]
    if "reported" in t.columns:
        headers += ["reported 1963" if economy.year == 1963 else "reported", "balance vs reported",
                    "source of reported output"]
    numeric = set(range(2, len(headers) - 1)) if "reported" in t.columns else set(
        range(2, len(headers)))
    supply = t["gross_output"] + (t["imports"] if has_m else 0.0)
    uses = fd.assign(exports=t["exports"]) if has_e else fd
    bars = ("" if economy.n > MAX_DRAWN else
            figures.balance_bars(t.assign(gross_output=supply), uses,
                                 "Uses of each product (share of its supply, output + imports)"))
    resources = "gross output + imports" if has_m else "gross output"
    use_text = "intermediate use + final demand" + (" + exports" if has_e else "")
    formula = ("<code>x = (I - A<sub>d</sub>)<sup>-1</sup> (y<sub>d</sub> + e)</code>, with "
               "<code>A<sub>d</sub></code> the domestic input norms, <code>y<sub>d</sub></code> "
               "the home final use met at home (imports at each product's recorded share) and "
               "<code>e</code> the recorded exports"
               if has_m or has_e else "<code>x = (I - A)<sup>-1</sup> y</code>")
    return (
        "<h2>1. The balance of every branch</h2>"
        f"<p>Resources equal uses for each product: {resources} = {use_text}, with gross "
        f"output solved from {formula} by one LU factorization. Every figure "
        "is in its branch's own unit (physical units where the source gives them; million won "
        "where it does not).</p>"
        + _table(headers, rows, numeric=numeric)
        + f'<div class="figure">{bars}</div>'
    )


def section_interlinkage(economy: Economy | Scenario, plan: Plan) -> str:
    if economy.n > MAX_DRAWN:
        return ("<h2>2. How the branches are interlinked</h2>"
                f"<p>{economy.n} branches are too many to draw as a heat map; export the "
                "technology with <code>write_scenario</code> to study it.</p>")
    x = plan.gross_output.to_numpy()
    A = economy.technology
    Z = A.to_numpy() * x[np.newaxis, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(x[:, np.newaxis] > 0, Z / x[:, np.newaxis], 0.0)
        final = np.where(x > 0, (plan.final_demand.sum(axis=1).to_numpy()
                                 + plan.exports.sum(axis=0).reindex(economy.ids).fillna(0.0)
                                 .to_numpy()) / x, 0.0)
    frame = pd.DataFrame(share, index=economy.ids, columns=economy.ids)
    frame["final demand"] = final
    svg = figures.allocation_heatmap(frame, "Where each product goes (per cent of its output)")
    return (
        "<h2>2. How the branches are interlinked</h2>"
        "<p>Row <i>i</i>, column <i>j</i>: the per cent of product <i>i</i>'s gross output used "
        "as input by branch <i>j</i> (<code>a<sub>ij</sub> x<sub>j</sub> / x<sub>i</sub></code>); "
        "the last column is the per cent left for final demand. Shares are unit-free, so a "
        "product measured in kWh compares with one measured in tonnes. Each row sums to 100.</p>"
        f'<div class="figure">{svg}</div>'
    )


def section_norms(economy: Economy | Scenario) -> str:
    if economy.n > MAX_DRAWN:
        return ""
    A = economy.technology
    units = economy.units
    rows = []
    for i in A.index:
        for j in A.columns:
            v = float(A.loc[i, j])
            if v == 0:
                continue
            p = economy.provenance
            hit = p[(p["table"] == "technology") & (p["row"] == i) & (p["column"] == j)] \
                if not p.empty else p
            note = esc(hit.iloc[0]["note"]) if len(hit) else ""
            src = esc(hit.iloc[0]["source"]) if len(hit) else ""
            est = "estimate" if len(hit) and bool(hit.iloc[0]["estimate"]) else ""
            rows.append([esc(i), esc(j), num(v), esc(f"{units[i]} per {units[j]}"), est, src, note])
    return (
        "<h2>4. Input norms</h2>"
        f"<details><summary>All {len(rows)} non-zero input norms, with their units and reasoning"
        "</summary>"
        + _table(["input", "using branch", "norm", "unit", "status", "source", "reasoning"], rows,
                 numeric={2})
        + "</details>"
    )


def section_factors(plan: Plan) -> str:
    fac = plan.factor_requirements
    if fac.empty:
        return ""
    rows = [[esc(f), esc(r["unit"]), num(r["required"]), num(r["available"]),
             "–" if pd.isna(r["utilisation"]) else f"{100 * r['utilisation']:.1f} %"]
            for f, r in fac.iterrows()]
    return ("<h3>Factors</h3><p>Factor needed by the balanced output (<code>F x</code>) "
            "against what is available.</p>"
            + _table(["factor", "unit", "required", "available", "utilisation"], rows,
                     numeric={2, 3, 4}))


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
        "<h2>3. The source's 1963 table, and the levels it implies</h2>"
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
        "<h2>5. Plan arithmetic</h2>"
        f"<p>The Seven Year Plan: <b>{100 * c.rate:g} % a year</b> (line {rate.line}) and "
        f"<b>{c.mult:g} times 1960 by 1967</b> (line {mult.line}). Seven years of 18 % growth give "
        f"1.18<sup>7</sup> = <b>{c.implied_multiple:.3f}</b> times; {c.mult:g} times in seven "
        f"years needs <b>{100 * c.implied_rate:.2f} %</b> a year. Allowing each figure its "
        f"rounding ({100 * c.rate_range[0]:.1f}-{100 * c.rate_range[1]:.1f} % and "
        f"{c.multiple_range[0]:.2f}-{c.multiple_range[1]:.2f} times), the two statements "
        f"{verdict}.</p>"
    )


def render_report(economy: Economy | Scenario, plan: Plan, claims: Claims | None = None) -> str:
    """The report as one HTML string."""
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>autarky — {esc(economy.name)}</title><style>{CSS}</style></head><body>",
        f"<h1>{esc(economy.name)}</h1>",
        f"<p class='muted'>autarky {esc(__version__)} · report of {date.today().isoformat()} · "
        f"{economy.n} branches · {len(economy.factors)} factors · "
        f"partners: {esc(', '.join(economy.partners['name'])) or 'none'}</p>",
        f"<p>{esc(economy.description)}</p>" if economy.description else "",
        f"<div class='note'><b>Source.</b> {esc(economy.source)}</div>" if economy.source else "",
        ("<p>Other pages: <a href='plans.html'>the Seven Year Plan examined</a> — can "
         "industrial output grow 18 % a year, what each development strategy yields by 1967; "
         "<a href='reliance.html'>self-reliance</a> — import content, the Soviet Union against "
         "China, what a cut-off or the loss of aid would cost, the cost of autarky; "
         "<a href='monitoring.html'>monitoring and audit</a> — the plan against its reports, "
         "and whether the claimed statistics can all be true.</p>")
        if claims is not None else "",
        section_balance(economy, plan),
        section_factors(plan),
        section_interlinkage(economy, plan),
    ]
    if claims is not None:
        parts.append(section_source_table(claims))
    parts.append(section_norms(economy))
    if claims is not None:
        parts.append(section_arithmetic(claims))
    parts.append(
        "<h2>Sources and method</h2><ul>"
        f"<li>Scenario: {esc(economy.name)}. {esc(economy.source)}</li>"
        + (f"<li>Claims: {esc(claims.citation)}; file {esc(claims.source_file)}, cited by "
           "line.</li>" if claims is not None else "")
        + "<li>Method: Leontief material balance, Miller &amp; Blair (2009) ch. 2; "
          "no matrix is inverted.</li>"
        "<li>Norms marked <i>estimate</i> are the modellers' estimates, documented above; "
        "they are not figures of the source.</li></ul></body></html>"
    )
    return "\n".join(p for p in parts if p)


def write_report(economy: Economy | Scenario, out_dir: str | Path, claims: Claims | None = None) -> Path:
    """Balance ``economy`` and write ``out_dir/index.html`` (atomically); return its path."""
    plan = economy.plan.balance()
    return atomic_write(Path(out_dir) / "index.html", render_report(economy, plan, claims))
