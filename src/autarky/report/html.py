"""The self-contained HTML report: one page, inline SVG figures, no external assets."""

from __future__ import annotations

import csv
import html
import io
import re
import urllib.parse
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from autarky import __version__
from autarky.economy import Economy, Scenario
from autarky.io.writer import atomic_write
from autarky.plan import Plan
from autarky.report import figures, topk
from autarky.report.format import format_number
from autarky.report.topk import FullTable

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
div.table{overflow-x:auto}p,li,.note{overflow-wrap:break-word}
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


def _plain(cell: str) -> str:
    """A table cell's text without its markup."""
    text = html.unescape(re.sub(r"<br\s*/?>", " ", re.sub(r"<(?!br)[^>]+>", "", cell)))
    text = " ".join(text.split())
    return "" if text in ("–", "-") else text


def _csv_link(headers: list[str], rows: list[list[str]], numeric: set[int]) -> str:
    """A link that downloads the table as shown, as CSV (numbers without thousands separators,
    per cent columns as numbers with ``(%)`` in their header); inline, so the page stays
    self-contained."""
    plain = [[_plain(c) for c in r] for r in rows]
    percent = {i for i in numeric if any(r[i].endswith(" %") for r in plain)}
    for r in plain:
        for i in numeric:
            r[i] = r[i].replace(",", "").removesuffix(" %")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([h + (" (%)" if i in percent else "") for i, h in enumerate(headers)])
    writer.writerows(plain)
    slug = re.sub(r"[^a-z0-9]+", "-", "-".join(headers[:2]).lower()).strip("-") or "table"
    href = "data:text/csv;charset=utf-8," + urllib.parse.quote(buf.getvalue())
    return (f"<a class='csv' download='{esc(slug)}.csv' href='{href}'>download this table "
            "as CSV</a>")


def _table(headers: list[str], rows: list[list[str]], classes: list[str] | None = None,
           numeric: set[int] | None = None, full: FullTable | None = None) -> str:
    """A table with a link that downloads it as CSV: the rows shown, inline; or, for a table
    shortened to its first rows (``full``), the note saying so and the link to the full
    table's file."""
    numeric = numeric or set()
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for k, r in enumerate(rows):
        cls = f' class="{classes[k]}"' if classes and classes[k] else ""
        cells = "".join(f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>"
                        for i, c in enumerate(r))
        body.append(f"<tr{cls}>{cells}</tr>")
    link = (full.note(len(rows)) if full is not None
            else f"<p class='muted csv'>{_csv_link(headers, rows, numeric)}</p>")
    return (f'<div class="table"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>{link}")


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


def section_balance(economy: Economy | Scenario, plan: Plan,
                    downloads: topk.Downloads | None = None) -> str:
    t = plan.table()
    fd = plan.final_demand
    rows = []
    has_m = "imports" in t.columns
    has_e = "exports" in t.columns
    full = None
    order, ranking = topk.balance_order(economy, t) if economy.n > topk.MAX_ROWS else (t.index, "")
    shown = topk.shorten(order, economy.n)
    if shown is not None:
        whole = pd.concat([t, fd.add_prefix("final: ")], axis=1)
        full = (downloads or topk.Downloads(None, "index.html")).add("balance", whole, ranking)
        t = t.loc[shown]
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
                                 "Uses of each product (share of its supply)",
                                 basis="share of supply (output + imports)" if has_m
                                 else "share of gross output"))
    resources = "gross output + imports" if has_m else "gross output"
    use_text = "intermediate use + final demand" + (" + exports" if has_e else "")
    formula = ("<code>x = (I - A<sub>d</sub>)<sup>-1</sup> (y<sub>d</sub> + e)</code>, with "
               "<code>A<sub>d</sub></code> the domestic input norms, <code>y<sub>d</sub></code> "
               "the home final use met at home (imports at each product's recorded share) and "
               "<code>e</code> the recorded exports"
               if has_m or has_e else "<code>x = (I - A)<sup>-1</sup> y</code>")
    return (
        "<h2>The balance of every branch</h2>"
        f"<p>Resources equal uses for each product: {resources} = {use_text}, with gross "
        f"output solved from {formula} by one LU factorization. Every figure "
        f"is in its branch's own unit (the units column; {esc(economy.currency)} where a branch "
        "is measured in money).</p>"
        + _table(headers, rows, numeric=numeric, full=full)
        + f'<div class="figure">{bars}</div>'
    )


def section_interlinkage(economy: Economy | Scenario, plan: Plan) -> str:
    if economy.n > MAX_DRAWN:
        return ("<h2>How the branches are interlinked</h2>"
                f"<p>{economy.n} branches are too many to draw as a heat map; export the "
                "technology with <code>write_scenario</code> to study it.</p>")
    x = plan.gross_output.to_numpy()
    supply = x + plan.imports.sum(axis=0).reindex(economy.ids).fillna(0.0).to_numpy()
    A = economy.technology
    Z = A.to_numpy() * x[np.newaxis, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(supply[:, np.newaxis] > 0, Z / supply[:, np.newaxis], 0.0)
        final = np.where(supply > 0, (plan.final_demand.sum(axis=1).to_numpy()
                                      + plan.exports.sum(axis=0).reindex(economy.ids)
                                      .fillna(0.0).to_numpy()) / supply, 0.0)
    frame = pd.DataFrame(share, index=economy.ids, columns=economy.ids)
    frame["final demand"] = final
    sums = 100 * frame.sum(axis=1)
    exact = bool(np.all(np.abs(sums[supply > 0] - 100) < 0.05))
    svg = figures.allocation_heatmap(frame, "Where each product goes (per cent of its supply)")
    total = ("Each row sums to 100: what is supplied is used." if exact else
             f"Rows sum to {sums.min():.0f}-{sums.max():.0f} (the balance does not close "
             "exactly for every product).")
    return (
        "<h2>How the branches are interlinked</h2>"
        "<p>Row <i>i</i>, column <i>j</i>: the per cent of the supply of product <i>i</i> "
        "(home output and imports) used as input by branch <i>j</i> "
        "(<code>a<sub>ij</sub> x<sub>j</sub> / (x<sub>i</sub> + m<sub>i</sub>)</code>); the last "
        "column is the per cent left for final demand and exports. Shares are unit-free, so a "
        f"product measured in kWh compares with one measured in tonnes. {total}</p>"
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
        "<h2>Input norms</h2>"
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


def render_report(economy: Economy | Scenario, plan: Plan, *,
                  pages: Sequence[tuple[str, str]] = (), sections: Sequence[str] = (),
                  sources: Sequence[str] = (), downloads: topk.Downloads | None = None) -> str:
    """The balance page as one HTML string.

    Parameters
    ----------
    pages
        ``(file, sentence)`` of each other page written beside this one: the page links them
        (and only them).
    sections
        Further sections (HTML), after the interlinkage: what a case study adds.
    sources
        Further entries (HTML) of the sources list.
    downloads
        Where the full tables of shortened tables go (above
        :data:`~autarky.report.topk.MAX_ROWS` branches); default: inline in their links.
    """
    links = "; ".join(f"<a href='{esc(f)}'>{esc(f.removesuffix('.html'))}</a> — {esc(t)}"
                      for f, t in pages)
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>autarky — {esc(economy.name)}</title><style>{CSS}</style></head><body>",
        f"<h1>{esc(economy.name)}</h1>",
        f"<p class='muted'>autarky {esc(__version__)} · {economy.n} branches · "
        f"{len(economy.factors)} factors · "
        f"partners: {esc(', '.join(economy.partners['name'])) or 'none'}</p>",
        f"<p>{esc(economy.description)}</p>" if economy.description else "",
        f"<div class='note'><b>Source.</b> {esc(economy.source)}</div>" if economy.source else "",
        f"<p>Other pages: {links}.</p>" if links else "",
        section_balance(economy, plan, downloads),
        section_factors(plan),
        section_interlinkage(economy, plan),
        *sections,
        section_norms(economy),
        "<h2>Sources and method</h2><ul>"
        f"<li>Scenario: {esc(economy.name)}. {esc(economy.source)}</li>"
        + "".join(f"<li>{s}</li>" for s in sources)
        + "<li>Method: Leontief material balance, Miller &amp; Blair (2009) ch. 2; "
          "no matrix is inverted.</li>"
        "<li>Norms marked <i>estimate</i> are the modellers' estimates, documented above; "
        "they are not figures of the source.</li></ul></body></html>",
    ]
    return "\n".join(p for p in parts if p)


def write_report(economy: Economy | Scenario, out_dir: str | Path, *,
                 pages: Sequence[tuple[str, str]] = (), sections: Sequence[str] = (),
                 sources: Sequence[str] = ()) -> Path:
    """Balance ``economy`` and write ``out_dir/index.html`` (atomically), with the full tables
    of shortened tables beside it as CSV files; return its path. See :func:`render_report`
    for the keywords."""
    plan = economy.plan.balance()
    return atomic_write(Path(out_dir) / "index.html",
                        render_report(economy, plan, pages=pages, sections=sections,
                                      sources=sources,
                                      downloads=topk.Downloads(out_dir, "index.html")))
