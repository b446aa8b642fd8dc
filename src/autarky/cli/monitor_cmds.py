"""``autarky monitor`` and ``autarky audit``: plans against reports, and claims against each other."""

from __future__ import annotations

import math
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from autarky.cli.app import Format, FormatOpt, app, examples, out


def _bundled(spec: str, kind: str) -> Path | None:
    """The bundled monitoring file ``SPEC-KIND.csv`` of a case study, when ``spec`` is not a
    file here and names one (``seven-year-plan`` -> ``seven-year-plan-targets.csv``)."""
    from autarky.data import monitoring_file
    from autarky.errors import UnknownIdError

    if Path(spec).exists() or "/" in spec or "." in spec:
        return None
    try:
        return monitoring_file(f"{spec}-{kind}.csv")
    except UnknownIdError:
        from autarky.cases import CASES
        from autarky.errors import BadValueError

        names = sorted(f.name[:-len("-targets.csv")] for c in CASES
                       for f in (c.data_dir() / "monitoring").glob("*-targets.csv"))
        raise BadValueError(f"{spec}: no such file, and no bundled plan of that name "
                            f"(bundled: {', '.join(names) or 'none'})") from None


def _targets(spec: str) -> Any:
    """A targets CSV, the JSON that ``autarky plan --format json`` prints, or the name of a
    bundled plan (its ``NAME-targets.csv``)."""
    from autarky.io.reports import read_targets, targets_from_json

    p = _bundled(spec, "targets") or Path(spec)
    if p.suffix.lower() == ".json":
        return targets_from_json(p)
    return read_targets(p)


def _actuals(spec: str) -> Any:
    """A reports CSV, or the name of a bundled plan (its ``NAME-actuals.csv``)."""
    from autarky.io.reports import read_actuals

    return read_actuals(_bundled(spec, "actuals") or Path(spec))


def _read(spec: str) -> tuple[list[Any], Any]:
    """The claims of one claims file (YAML or CSV) or bundled claims dataset, and the case it
    belongs to (``None`` for a file)."""
    from autarky import data
    from autarky.cases import case_for
    from autarky.io.claims import read_claims, read_claims_csv

    p = Path(spec)
    case = case_for(spec) if not p.exists() else None
    if case is not None:
        ds = data.dataset(spec)
        if ds.kind != "claims":
            from autarky.errors import BadValueError

            raise BadValueError(f"{spec} is a bundled {ds.kind}, not a claims file")
        return list(read_claims(ds.path).claims), case
    if p.suffix.lower() == ".csv":
        return list(read_claims_csv(p).claims), None
    return list(read_claims(p).claims), None


def _audit(specs: list[str], readings: bool = False) -> Any:
    """The audit of claims files (YAML or CSV) and bundled claims datasets together; the
    bundled ``claims`` of a case come with the links and assumptions that case adds. With
    ``readings``, the readings of the ambiguous claims are weighed
    (:func:`autarky.monitor.readings.audit_readings`), with the links the case's readings
    need."""
    from autarky.monitor.audit import audit
    from autarky.monitor.readings import audit_readings

    read = [_read(s) for s in specs]
    claims = [c for got, _ in read for c in got]
    extra = []
    for spec, (_, case) in zip(specs, read, strict=True):
        if case is not None and spec == "claims":  # the case's links (and, for readings, the
            extra = list(case.audit_additions(readings=readings))  # ones its readings need)
    if readings:
        return audit_readings(claims, extra=extra or None)
    return audit(claims, extra=extra or None)


def _probability(p: float) -> str:
    """A probability in per cent, 'below 0.1 %' or 'above 99.9 %' at the ends."""
    if p is None or math.isnan(p):
        return "-"
    if p < 0.001:
        return "below 0.1 %"
    if p > 0.999:
        return "above 99.9 %"
    return f"{100 * p:.1f} %"


def _print(res: Any, format: Format, **header: str) -> None:
    """A result as JSON (``header`` first, then :func:`~autarky.io.results.to_json_dict`) or
    as the long CSV table of :func:`~autarky.io.results.to_text`."""
    from autarky.cli.render import print_json
    from autarky.io.results import to_json_dict, to_text

    if format is Format.json:
        print_json({**header, **to_json_dict(res)})
    else:
        sys.stdout.write(to_text(res, "csv"))


class ForecastModel(StrEnum):
    local_linear_trend = "local-linear-trend"
    holt = "holt"
    random_walk = "random-walk"


@app.command(epilog=examples(
    'autarky monitor seven-year-plan seven-year-plan',
    'autarky plan seven-year-plan --strategy free --format json > plan.json',
    'autarky monitor plan.json reports.csv --model holt'))
def monitor(
    plan: Annotated[str, typer.Argument(help="Targets CSV (branch,period,value,unit[,source]) or "
                                              "'seven-year-plan'.")],
    actuals: Annotated[str, typer.Argument(help="Reports CSV (branch,period,value,unit,"
                                                "reported_at,source) or 'seven-year-plan'.")],
    model: Annotated[ForecastModel, typer.Option(help="Forecast model of each branch's path.")] =
        ForecastModel.local_linear_trend,
    format: FormatOpt = Format.table,
) -> None:
    """A plan against reported actuals: fulfilment, growth still needed, forecast, flags."""
    from autarky.cli.render import fmt
    from autarky.economy.reports import period_kind
    from autarky.monitor.monitoring import monitor as run
    from autarky.monitor.monitoring import revisions

    reports = _actuals(actuals)
    res = run(_targets(plan), reports, model=model.value)
    if format is not Format.table:
        _print(res, format, plan=plan, actuals=actuals)
        return
    ful = res.fulfilment
    t = Table(title="Plan fulfilment (latest report over target)",
              caption=f"Targets: {plan}; reports: {actuals} (every revision kept, the latest used).",
              caption_justify="left")
    t.add_column("branch")
    for p in ful.columns:
        t.add_column(str(p), justify="right")
    for b, row in ful.iterrows():
        t.add_row(str(b), *["-" if (v is None or math.isnan(v)) else f"{100 * v:.1f} %"
                            for v in row])
    out.print(t)
    f = res.forecast
    ft = Table(title=f"Forecast of the end of the plan ({res.model}, {int(100 * res.interval)} % "
                     "interval)")
    for col in ("branch", "unit", "period", "target", "forecast", "low", "high",
                "P(meet target)", "growth still needed"):
        ft.add_column(col, justify="left" if col in ("branch", "unit") else "right")
    for b, r in f.iterrows():
        ft.add_row(str(b), str(res.units.get(b, "")), str(r["period"]), fmt(r["target"]),
                   fmt(r["value"]), fmt(r["low"]), fmt(r["high"]), _probability(r["p_meet"]),
                   f"{100 * res.required_growth[b]:.2f} % a {period_kind(r['period'])}")
    out.print(ft)
    for flag in res.flags:
        out.print(Text.assemble(("flag", "yellow"), f" {flag['kind']}: {flag['message']}"))
    revised = revisions(reports)
    if revised:
        out.print(f"{len(revised)} revision(s) in the reports (the latest figure is used): "
                  + "; ".join(f"{r['branch']} {r['period']} {r['old'].value:g} -> "
                              f"{r['new'].value:g} ({100 * r['change']:+.1f} %)"
                              for r in revised[:10]) + ("; ..." if len(revised) > 10 else ""),
                  highlight=False, markup=False)


@app.command(epilog=examples('autarky audit claims', 'autarky audit my-claims.yaml --format csv',
                             'autarky audit claims research-claims --readings'))
def audit(
    claims: Annotated[list[str], typer.Argument(
        help="Claims files (YAML or CSV), or bundled claims: 'claims' for the source's, "
             "'research-claims' for other sources'.")],
    readings: Annotated[bool, typer.Option(
        "--readings", help="Weigh the other readings of ambiguous claims by the rest: which "
                           "reading the claims support, and how strongly.")] = False,
    format: FormatOpt = Format.table,
) -> None:
    """Can a set of claimed statistics all be true? Weighted least squares in log levels."""
    res = _audit(list(claims), readings)
    if readings:
        _print_readings(res, format, ", ".join(claims))
        return
    if format is not Format.table:
        _print(res, format, claims_file=", ".join(claims))
        return
    c = res.claims
    t = Table(title="Claims audit: each claim against the most consistent series",
              caption=f"chi-square {res.chi2:.2f} on {res.dof} degrees of freedom, p = "
              f"{res.p_value:.3g}: the claims "
              + res.verdict + "."
              + " Claims of amounts, counts and dates are not audited.",
              caption_justify="left")
    for col in ("claim", "kind", "line", "stated", "fitted", "residual", "z", "flag"):
        t.add_column(col, justify="left" if col in ("claim", "kind", "flag") else "right")
    import pandas as pd

    def cell(v: Any, spec: str) -> str:
        return "-" if v is None or pd.isna(v) else f"{v:{spec}}"

    for _, r in c[c["audited"]].iterrows():
        t.add_row(str(r["id"]), str(r["kind"]), cell(r.get("line"), ".0f"), cell(r["stated"], ".4g"),
                  cell(r["fitted"], ".4g"), cell(r["residual_pct"], "+.1f") + " %",
                  cell(r["z"], "+.2f"), "FLAG" if r["flag"] else "")
    out.print(t)
    st = Table(title="Implied series (68 % intervals); years no claim states are interpolated "
                     "at a constant growth rate", caption_justify="left")
    for col in ("quantity", "year", "value", "low", "high", "basis"):
        st.add_column(col, justify="left" if col in ("quantity", "basis") else "right")
    ser = res.series
    for q in dict.fromkeys(ser["quantity"]):
        try:
            ann = res.annual(q)
        except Exception:  # not identified: nothing to print
            continue
        for _, r in ann.iterrows():
            st.add_row(str(q), str(int(r["year"])), cell(r["value"], ".4g"), cell(r["low"], ".4g"),
                       cell(r["high"], ".4g"),
                       str(r["basis"]) + (" (interpolated)" if r["interpolated"] else ""))
    out.print(st)


def _print_readings(r: Any, format: Format, files: str) -> None:
    """The weighed readings: each claim's readings with prior, posterior and Bayes factor,
    and the audit under the most probable combination."""
    from autarky.cli.render import fmt, print_json

    best = r.best
    if format is Format.json:
        print_json({"claims_file": files, "method": r.method,
                    "units": r.readings.attrs.get("units", {}),
                    "readings": r.readings.to_dict(orient="records"),
                    "chosen": r.chosen(),
                    "best": {"chi2": best.chi2, "dof": best.dof, "p_value": best.p_value,
                             "consistent": best.consistent, "tested": best.tested,
                             "verdict": best.verdict,
                             "flagged": list(best.flagged)}})
        return
    if format is Format.csv:
        sys.stdout.write(r.readings.to_csv(index=False))
        return
    t = Table(title="Readings of the ambiguous claims, weighed by the other claims",
              caption=f"Claims: {files}. Method: {r.method}. Posterior: the "
                      "probability of the reading given all the claims (priors as stated); "
                      "Bayes factor: the evidence for the reading over the claim as read (above "
                      "1 the claims support it; 3-20 positive, 20-150 strong, over 150 very "
                      "strong, Kass & Raftery 1995).", caption_justify="left")
    for col in ("claim", "reading", "changes", "source type", "prior", "posterior",
                "Bayes factor"):
        t.add_column(col, justify="right" if col in ("prior", "posterior", "Bayes factor")
                     else "left")
    for _, row in r.readings.iterrows():
        t.add_row(str(row["claim"]), str(row["reading"]),
                  str(row["changes"]), str(row["source_type"] or "the document"),
                  f"{row['prior']:.2f}", f"{row['posterior']:.3f}", fmt(row["bayes_factor"]))
    out.print(t)
    out.print(f"Under the most probable readings: chi-square {best.chi2:.2f} on {best.dof} "
              f"degrees of freedom, p = {best.p_value:.3g}: the claims "
              + best.verdict + "."
              + (f" Flagged: {', '.join(best.flagged)}." if best.flagged else ""),
              highlight=False, markup=False)
