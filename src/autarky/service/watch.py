"""Watching a published plan: the monitoring and audit of its reports, flags and alerts.

:func:`watch` runs :func:`autarky.monitor.monitor` on a plan's targets and every revision of
its reports, adds the flags that need the service's records (a period missed; the digit tests on
the reported figures as written) and returns one JSON-ready mapping: what the planner's page and
the API show, and what :func:`refresh` stores as the plan's snapshot.

Flags and alerts
    Every flag is shown; only a *significant* deviation raises an alert (Cyberstride's rule):
    a report outside its forecast interval, a run of missed periods, a revision beyond the
    threshold, a digit test that rejects. A single missed period is a flag, not an alert.
Escalation
    An alert not acknowledged rises one level for every ``escalate_after`` periods reported
    after the period it was raised for: ``notice``, then ``warning``, then ``critical``
    (:data:`LEVELS`). An acknowledged alert stays acknowledged.
Digit tests
    Benford's first-digit test over the newest figure of every branch and period, and the
    last-digit test over the figures as written, each at level ``digit_alpha``; run only with
    at least :data:`MIN_BENFORD` and :data:`MIN_LAST_DIGIT` figures (about five expected in
    each digit cell: the chi-square approximation needs it), and said so otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from autarky.economy.reports import Reports, Targets, parse_period, period_ordinal
from autarky.errors import ScenarioError
from autarky.service.models import Alert, MonitorSnapshot, ReportedFigure, ReportRevision

__all__ = ["ALERTING", "DEFAULT_SETTINGS", "LEVELS", "MIN_BENFORD", "MIN_LAST_DIGIT",
           "check_settings", "escalation", "recompute", "refresh", "store_snapshot",
           "watch"]

#: The monitoring settings of a plan and their defaults.
DEFAULT_SETTINGS: dict[str, Any] = {
    "interval": 0.9,  # probability mass of the forecast intervals
    "revision_threshold": 0.05,  # a revision moving a figure by more than this is flagged
    "miss_run": 2,  # this many consecutive missed periods raise an alert
    "escalate_after": 1,  # periods reported after an alert before it rises one level
    "model": "local-linear-trend",  # the forecast model (autarky.solve.forecast)
    "digit_alpha": 0.01,  # level of the digit tests
}
#: The flags that raise an alert (significant deviations); ``miss`` is shown only.
ALERTING = ("outside-interval", "miss-run", "revision", "benford", "last-digit")
#: Alert levels, lowest first.
LEVELS = ("notice", "warning", "critical")
#: The fewest figures for Benford's test (digit 9 expects 4.6 % of them: about 5 at 100).
MIN_BENFORD = 100
#: The fewest figures for the last-digit test (5 expected per digit).
MIN_LAST_DIGIT = 50


def check_settings(raw: Any) -> dict[str, Any]:
    """The monitoring settings of a plan: ``raw`` over :data:`DEFAULT_SETTINGS`, each checked.

    Raises
    ------
    ScenarioError
        Naming the field (``settings.interval``, ...) of an unknown or out-of-range setting.
    """
    from autarky.solve.forecast import MODELS

    raw = {} if raw is None else raw
    if not isinstance(raw, dict):
        raise ScenarioError("settings must be a mapping", field="settings")
    unknown = sorted(set(raw) - set(DEFAULT_SETTINGS))
    if unknown:
        raise ScenarioError(f"unknown setting {unknown[0]!r} (known: "
                            f"{', '.join(DEFAULT_SETTINGS)})", field=f"settings.{unknown[0]}")
    out = {**DEFAULT_SETTINGS, **raw}

    def num(key: str, lo: float, hi: float, integer: bool = False) -> None:
        v = out[key]
        ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
        if integer:
            ok = ok and float(v).is_integer()
        if not ok or not lo <= v <= hi:
            kind = "a whole number" if integer else "a number"
            raise ScenarioError(f"{key} must be {kind} in [{lo:g}, {hi:g}], got {v!r}",
                                field=f"settings.{key}")
        out[key] = int(v) if integer else float(v)

    num("interval", 0.01, 0.999)
    num("revision_threshold", 0.0, 10.0)
    num("miss_run", 1, 1000, integer=True)
    num("escalate_after", 1, 1000, integer=True)
    num("digit_alpha", 1e-6, 0.5)
    if out["model"] not in MODELS:
        raise ScenarioError(f"model is one of {', '.join(MODELS)}, not {out['model']!r}",
                            field="settings.model")
    return out


def _num(v: Any) -> float | None:
    """A float for JSON (``None`` for NaN)."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _figures(n: int) -> str:
    return "1 figure" if n == 1 else f"{n} figures"


def _digit_flags(latest: list[float], written: list[str], alpha: float, last: str
                 ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    from autarky.monitor.digits import benford_test, last_digit_test

    out: dict[str, Any] = {}
    flags: list[dict[str, Any]] = []
    if len(latest) >= MIN_BENFORD:
        b = benford_test(latest, alpha=alpha)
        out["benford"] = {"n": b.n, "chi2": b.chi2, "p_value": b.p_value, "mad": b.mad,
                          "conformity": b.conformity, "rejects": b.rejects,
                          "observed": list(b.observed), "expected": list(b.expected)}
        if b.rejects:
            flags.append({"kind": "benford", "branch": "*", "period": last,
                          "message": f"first digits of {b.n} reported figures depart from "
                                     f"Benford's law (chi-square {b.chi2:.1f} on 8 df, p = "
                                     f"{b.p_value:.2g}; MAD {b.mad:.4f}, {b.conformity})"})
    else:
        out["benford"] = {"n": len(latest), "note": f"not run: {_figures(len(latest))}, the "
                                                    f"test needs {MIN_BENFORD}"}
    if len(written) >= MIN_LAST_DIGIT:
        t = last_digit_test(written, alpha=alpha)
        out["last_digit"] = {"n": t.n, "chi2": t.chi2, "p_value": t.p_value,
                             "rejects": t.rejects, "observed": list(t.observed)}
        if t.rejects:
            flags.append({"kind": "last-digit", "branch": "*", "period": last,
                          "message": f"last digits of {t.n} reported figures (as written) are "
                                     f"not uniform (chi-square {t.chi2:.1f} on 9 df, p = "
                                     f"{t.p_value:.2g})"})
    else:
        out["last_digit"] = {"n": len(written), "note": f"not run: {_figures(len(written))}, "
                                                        f"the test needs {MIN_LAST_DIGIT}"}
    return out, flags


def watch(targets: Targets, reports: Reports, written: list[str] | None = None,
          settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """The monitoring of a plan, JSON-ready.

    Parameters
    ----------
    targets, reports
        The plan's targets and every revision of its reports.
    written
        The newest figure of each report as its reporter wrote it (for the last-digit test).
    settings
        The plan's monitoring settings (:func:`check_settings`).

    Returns
    -------
    dict
        ``periods``; per branch (``branches``) its ``unit``, ``fulfilment`` and ``cumulative``
        per period, ``required_growth``, the ``forecast`` of the end value (``value``, ``low``,
        ``high``, ``p_meet``, ``model``, ``note``) and its ``fan`` (quantiles per future
        period); ``flags``; ``digits``; ``latest_period``.

    Examples
    --------
    >>> from autarky.economy.reports import Report, Reports, Target, Targets
    >>> t = Targets([Target("steel", 2021, 100.0, "kt"), Target("steel", 2022, 110.0, "kt")])
    >>> r = Reports([Report("steel", 2021, 90.0, "kt", "2022-01-05")])
    >>> w = watch(t, r)
    >>> w["branches"]["steel"]["fulfilment"]
    {'2021': 0.9}
    >>> [f["kind"] for f in w["flags"]]
    ['miss']
    """
    from autarky.monitor import monitor

    cfg = check_settings(settings)
    res = monitor(targets, reports, interval=cfg["interval"],
                  revision_threshold=cfg["revision_threshold"], miss_run=cfg["miss_run"],
                  model=cfg["model"])
    fan = res.fan()
    periods = [str(p) for p in res.targets.columns] if res.targets is not None else []
    branches: dict[str, Any] = {}
    flags = [{**f, "period": str(f["period"])} for f in res.flags]
    for b in targets.branches:
        ful = res.fulfilment.loc[b] if b in res.fulfilment.index else None
        cum = res.cumulative.loc[b] if b in res.cumulative.index else None
        fc = res.forecast.loc[b]
        row: dict[str, Any] = {
            "unit": res.units[b],
            "targets": {str(p): _num(v) for p, v in targets.series(b).items()},
            "reported": {str(p): _num(v) for p, v in reports.series(b).items()},
            "fulfilment": {} if ful is None else {str(p): _num(v) for p, v in ful.items()
                                                  if _num(v) is not None},
            "cumulative": {} if cum is None else {str(p): _num(v) for p, v in cum.items()
                                                  if _num(v) is not None},
            "required_growth": _num(res.required_growth.get(b)),
            "forecast": {"period": None if fc["period"] is None else str(fc["period"]),
                         "target": _num(fc["target"]), "value": _num(fc["value"]),
                         "low": _num(fc["low"]), "high": _num(fc["high"]),
                         "p_meet": _num(fc["p_meet"]), "model": str(fc["model"]),
                         "note": str(fc["note"])},
        }
        if b in fan:
            q = fan[b]
            row["fan"] = {"quantiles": [float(c) for c in q.columns],
                          "periods": [str(p) for p in q.index],
                          "values": [[float(x) for x in r] for r in q.to_numpy()]}
        for p, v in row["fulfilment"].items():
            if v < 1.0 - 1e-9:
                flags.append({"kind": "miss", "branch": b, "period": p,
                              "message": f"{100 * v:.1f} % of the target"})
        branches[b] = row
    latest = reports.latest()
    last_p = max((p for p in latest.columns), key=period_ordinal, default=None) \
        if len(latest.columns) else None
    last = "" if last_p is None else str(last_p)
    values = [float(v) for v in latest.to_numpy().ravel() if _num(v) is not None]
    digits, dflags = _digit_flags(values, list(written or []), cfg["digit_alpha"], last)
    flags.extend(dflags)
    flags.sort(key=lambda f: (f["branch"], f["period"], f["kind"]))
    return {"periods": periods, "branches": branches, "flags": flags, "digits": digits,
            "latest_period": last or None, "settings": cfg,
            "interval": cfg["interval"], "revisions": len(reports)}


def escalation(alert_period: str, latest_period: str | None, every: int) -> str:
    """The level of an unacknowledged alert raised for ``alert_period`` when reports have
    reached ``latest_period``: one level up per ``every`` periods, at most ``critical``.

    Examples
    --------
    >>> escalation("2021", "2021", 1), escalation("2021", "2022", 1), escalation("2021", "2025", 1)
    ('notice', 'warning', 'critical')
    >>> escalation("2021Q1", "2021Q3", 2)
    'warning'
    """
    if not latest_period or not alert_period:
        return LEVELS[0]
    try:
        gap = period_ordinal(parse_period(latest_period)) - period_ordinal(
            parse_period(alert_period))
    except (ValueError, TypeError):
        return LEVELS[0]
    return LEVELS[min(len(LEVELS) - 1, max(0, gap) // max(1, every))]


def _inputs(session: Session, plan_id: int) -> tuple[Targets, Reports, list[str], int]:
    """The plan's targets, its revisions up to the newest at the start, the newest figures as
    written, and that newest revision's id: one consistent set, whatever is written meanwhile
    (PostgreSQL reads each statement afresh at READ COMMITTED)."""
    from autarky.service.store import reports_of, targets_of

    last = _last_revision(session, plan_id)
    targets, reports = targets_of(session, plan_id), reports_of(session, plan_id, upto=last)
    newest = (select(ReportRevision.report_id, func.max(ReportRevision.seq).label("seq"))
              .join(ReportedFigure).where(ReportedFigure.plan_id == plan_id,
                                          ReportRevision.id <= last)
              .group_by(ReportRevision.report_id).subquery())
    written = list(session.scalars(select(ReportRevision.written).join(
        newest, (ReportRevision.report_id == newest.c.report_id)
        & (ReportRevision.seq == newest.c.seq))))
    return targets, reports, [w for w in written if w], last


def _plan_settings(session: Session, plan_id: int) -> dict[str, Any]:
    from autarky.service.store import plan_or_404

    return check_settings(json.loads(plan_or_404(session, plan_id).settings or "{}"))


def _last_revision(session: Session, plan_id: int) -> int:
    return int(session.scalar(select(func.max(ReportRevision.id)).join(ReportedFigure).where(
        ReportedFigure.plan_id == plan_id)) or 0)


def recompute(session: Session, plan_id: int) -> tuple[int, dict[str, Any]] | None:
    """The plan's monitoring, recomputed when a report has arrived since its stored snapshot:
    ``(newest revision id, body)``; ``None`` when the snapshot is current. Only reads."""
    settings = _plan_settings(session, plan_id)
    snap = session.get(MonitorSnapshot, plan_id)
    if snap is not None and snap.last_revision == _last_revision(session, plan_id):
        return None
    targets, reports, written, last = _inputs(session, plan_id)
    body = watch(targets, reports, written, settings)
    body["computed_at"] = dt.datetime.now(dt.UTC).isoformat()
    return last, body


def store_snapshot(session: Session, plan_id: int, last: int, body: dict[str, Any]) -> None:
    """Keep ``body`` as the plan's snapshot (unless a newer one is stored) and raise an alert
    for each significant flag not raised before."""
    known = {(a.kind, a.branch, a.period) for a in session.scalars(
        select(Alert).where(Alert.plan_id == plan_id))}
    for f in body["flags"]:
        key = (f["kind"], f["branch"], f["period"])
        if f["kind"] in ALERTING and key not in known:
            known.add(key)
            _insert(session, Alert(plan_id=plan_id, kind=f["kind"], branch=f["branch"],
                                   period=f["period"], message=f["message"]))
    text = json.dumps(body, allow_nan=False)
    snap = session.get(MonitorSnapshot, plan_id)
    if snap is None:
        _insert(session, MonitorSnapshot(plan_id=plan_id, last_revision=last, body=text))
    elif snap.last_revision < last:
        snap.last_revision, snap.body = last, text
        snap.computed_at = dt.datetime.now(dt.UTC)
        session.flush()


def refresh(session: Session, plan_id: int, write: Session | None = None) -> dict[str, Any]:
    """The plan's monitoring, recomputed first when a report has arrived since the stored
    snapshot (:func:`recompute`, :func:`store_snapshot`), with its alerts (each with its
    escalation level).

    Computed in ``session``, which only reads; a new snapshot and its alerts are stored in
    ``write`` (default ``session``), so that a session that writes is used only when there is
    something to store.
    """
    settings = _plan_settings(session, plan_id)
    got = recompute(session, plan_id)
    if got is not None:
        alerts_from = write if write is not None else session
        store_snapshot(alerts_from, plan_id, *got)
        body = got[1]
    else:
        alerts_from = session
        snap = session.get(MonitorSnapshot, plan_id)
        assert snap is not None
        body = json.loads(snap.body)
    body["alerts"] = [_alert(a, body.get("latest_period"), settings["escalate_after"])
                      for a in alerts_from.scalars(select(Alert).where(Alert.plan_id == plan_id)
                                                   .order_by(Alert.id))]
    return body


def _insert(session: Session, row: Any) -> None:
    """Add ``row`` unless a concurrent refresh stored the same one first."""
    from sqlalchemy.exc import IntegrityError

    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        pass


def _alert(a: Alert, latest: str | None, every: int) -> dict[str, Any]:
    acked_at = a.acknowledged_at
    acked = acked_at is not None
    return {"id": a.id, "kind": a.kind, "branch": a.branch, "period": a.period,
            "message": a.message, "raised_at": a.raised_at.isoformat(),
            "acknowledged": acked,
            "acknowledged_at": acked_at.isoformat() if acked_at is not None else None,
            "note": a.note,
            "level": "acknowledged" if acked else escalation(a.period, latest, every)}

