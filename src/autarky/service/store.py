"""What the plan-operations service keeps, and who may write it.

Every write goes through a function here that checks the writer's role and scope first and
raises :class:`~autarky.errors.ForbiddenError` before anything is added; every input is checked
with the rules of the scenario and actuals readers (:mod:`autarky.io.reports`), raising
:class:`~autarky.errors.ScenarioError` that names the field. Tokens are ``ID.SECRET``: the id
finds the unit, the secret is checked against its argon2 hash (the secret is never stored).

Examples
--------
>>> from autarky.service.db import make_engine, migrate, session_scope
>>> engine = make_engine("sqlite://")
>>> migrate(engine)
>>> with session_scope(engine) as s:
...     office, token = create_unit(s, "planning office", "planner")
...     authenticate(s, token).name
'planning office'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from autarky.economy.reports import Report as ReportFigure
from autarky.economy.reports import Reports, Targets, parse_date, parse_period
from autarky.economy.reports import Target as TargetFigure
from autarky.errors import ForbiddenError, ScenarioError, UnknownIdError
from autarky.service.models import (
    ROLES,
    Alert,
    Principal,
    PublishedPlan,
    PublishedTarget,
    ReportedFigure,
    ReportRevision,
    ScenarioVersion,
    Unit,
    UnitBranch,
)

__all__ = [
    "PlanShape",
    "PlanShapes",
    "acknowledge",
    "add_scenario",
    "authenticate",
    "create_unit",
    "history",
    "plan_shape",
    "publish_plan",
    "read_body",
    "reports_of",
    "require_planner",
    "scenario_of",
    "submit_report",
    "targets_of",
]


def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()


def _field(message: str, field: str) -> ScenarioError:
    return ScenarioError(message, field=field)


# ---------------------------------------------------------------------------- units
def create_unit(session: Session, name: str, role: str, branches: tuple[str, ...] = ()
                ) -> tuple[Unit, str]:
    """A new unit and its token (shown once: only its argon2 hash is kept).

    The hash is computed before the first query, so that a fresh session takes no
    connection (on SQLite, no write lock) while argon2 works.
    """
    if role not in ROLES:
        raise _field(f"role is one of {', '.join(ROLES)}, not {role!r}", "role")
    if not str(name).strip():
        raise _field("a unit needs a name", "name")
    token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    token_hash = _hasher().hash(secret)
    if session.scalar(select(Unit).where(Unit.name == name)) is not None:
        raise _field(f"a unit named {name!r} exists already", "name")
    unit = Unit(name=name, role=role, token_id=token_id, token_hash=token_hash)
    unit.branches = [UnitBranch(branch=str(b)) for b in dict.fromkeys(branches)]
    session.add(unit)
    session.flush()
    return unit, f"{token_id}.{secret}"


def authenticate(session: Session, token: str) -> Unit:
    """The unit a token belongs to.

    Raises
    ------
    ForbiddenError
        For a malformed, unknown or wrong token (the same message for each).
    """
    from argon2.exceptions import VerificationError

    token_id, _, secret = str(token).partition(".")
    unit = session.scalar(select(Unit).where(Unit.token_id == token_id)) if secret else None
    try:
        if unit is None or not _hasher().verify(unit.token_hash, secret):
            raise ForbiddenError("not a valid token")
    except VerificationError:
        raise ForbiddenError("not a valid token") from None
    return unit


def require_planner(unit: Unit | Principal, what: str) -> None:
    """Refuse (403) what only a planner may do."""
    if unit.role != "planner":
        raise ForbiddenError(f"{what}: only a planner may (unit {unit.name!r} is a {unit.role})")


# ---------------------------------------------------------------------------- scenarios, plans
def add_scenario(session: Session, scenario: Any, by: Unit | Principal) -> ScenarioVersion:
    """The immutable version of ``scenario`` (an economy, a scenario or its YAML text),
    stored once per content: the same content gives the version already stored."""
    import yaml

    from autarky.economy import as_scenario
    from autarky.io.writer import scenario_dict

    require_planner(by, "adding a scenario")
    scn = read_body(scenario) if isinstance(scenario, str) else as_scenario(scenario)
    body = yaml.safe_dump(scenario_dict(scn), sort_keys=True, allow_unicode=True)
    token = hashlib.sha256(body.encode()).hexdigest()
    old = session.scalar(select(ScenarioVersion).where(ScenarioVersion.token == token))
    if old is not None:
        return old
    version = ScenarioVersion(token=token, name=scn.name, body=body, created_by=by.id)
    session.add(version)
    session.flush()
    return version


def read_body(text: str) -> Any:
    """A scenario from its YAML text (read as the scenario file it is, errors by line)."""
    import tempfile
    from pathlib import Path

    from autarky.io.scenario import read_scenario

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scenario.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            return read_scenario(path)
        except ScenarioError as exc:  # named as the body it is, not as the temporary file
            if exc.file is not None:
                exc.file = "scenario"
            exc.message = exc.message.replace(str(path), "scenario").replace(tmp, ".")
            exc.args = (str(exc),)
            raise


def scenario_of(version: ScenarioVersion) -> Any:
    """The scenario a stored version holds."""
    return read_body(version.body)


def publish_plan(session: Session, by: Unit | Principal, version: ScenarioVersion, name: str,
                 targets: Targets, method: str, settings: dict[str, Any] | None = None
                 ) -> PublishedPlan:
    """Publish ``targets`` (computed from ``version`` by ``method``) as the plan ``name``,
    watched with ``settings`` (:func:`autarky.service.watch.check_settings`)."""
    import json

    from autarky.service.watch import check_settings

    require_planner(by, "publishing a plan")
    if not str(name).strip():
        raise _field("a plan needs a name", "name")
    if not targets.targets:
        raise _field("a plan needs at least one target", "targets")
    cfg = check_settings(settings)
    if session.scalar(select(PublishedPlan).where(PublishedPlan.name == name)) is not None:
        raise _field(f"a plan named {name!r} exists already", "name")
    plan = PublishedPlan(name=name, scenario_id=version.id, method=method, published_by=by.id,
                         settings=json.dumps(cfg))
    plan.targets = [PublishedTarget(branch=t.branch, period=str(t.period),
                                    value=float(t.value), unit=t.unit) for t in targets.targets]
    session.add(plan)
    session.flush()
    return plan


def plan_or_404(session: Session, plan_id: int) -> PublishedPlan:
    plan = session.get(PublishedPlan, plan_id)
    if plan is None:
        raise UnknownIdError(f"no plan {plan_id}")
    return plan


def targets_of(session: Session, plan_id: int) -> Targets:
    """The published targets of a plan."""
    plan = plan_or_404(session, plan_id)
    return Targets([TargetFigure(t.branch, parse_period(t.period), t.value, t.unit)
                    for t in plan.targets])


# ---------------------------------------------------------------------------- reports
@dataclass(frozen=True)
class PlanShape:
    """What a report is checked against: the unit of each branch of a plan, and its periods
    (a published plan never changes, so its shape may be kept)."""

    units: dict[str, str]
    periods: frozenset[str]


class PlanShapes:
    """Plan shapes kept by plan id for the sessions of one database (put one in the
    sessionmaker's ``info`` as ``"plans"``; sessions without one look the plan up each time)."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.kept: dict[int, PlanShape] = {}
        self.lock = threading.Lock()

    def get(self, plan_id: int) -> PlanShape | None:
        with self.lock:
            return self.kept.get(plan_id)

    def put(self, plan_id: int, shape: PlanShape) -> None:
        with self.lock:
            if len(self.kept) >= self.size:
                self.kept.pop(next(iter(self.kept)))
            self.kept[plan_id] = shape


def plan_shape(session: Session, plan_id: int) -> PlanShape:
    """The branches (with their units) and periods of a plan, in one query, or kept in
    ``session.info["plans"]`` (:class:`PlanShapes`) when there is one (404 for no plan)."""
    kept: PlanShapes | None = session.info.get("plans")
    got = kept.get(plan_id) if kept is not None else None
    if got is not None:
        return got
    rows = session.execute(select(PublishedTarget.branch, PublishedTarget.period,
                                  PublishedTarget.unit)
                           .where(PublishedTarget.plan_id == plan_id)).all()
    if not rows:
        plan_or_404(session, plan_id)
    shape = PlanShape({b: u for b, _, u in rows}, frozenset(p for _, p, _ in rows))
    if kept is not None:
        kept.put(plan_id, shape)
    return shape


#: A report's statements (:func:`submit_report`): the figure with its newest revision (one
#: query), a new figure, a new revision.
_NEWEST_REVISION = (
    select(ReportedFigure.id, ReportRevision.seq, ReportRevision.value,
           ReportRevision.reported_at)
    .outerjoin(ReportRevision, ReportRevision.report_id == ReportedFigure.id)
    .where(ReportedFigure.plan_id == bindparam("plan_id"),
           ReportedFigure.branch == bindparam("branch"),
           ReportedFigure.period == bindparam("period"))
    .order_by(ReportRevision.seq.desc()).limit(1))
_NEW_FIGURE = insert(ReportedFigure)
_NEW_REVISION = insert(ReportRevision)


def submit_report(session: Session, by: Unit | Principal, plan_id: int, branch: str,
                  period: Any, value: Any, unit: str, reported_at: Any, source: str = "",
                  note: str = "") -> ReportRevision:
    """A reported figure, as a new revision of the report of ``branch`` in ``period``.

    Raises
    ------
    ForbiddenError
        When ``by`` may not report ``branch`` (a reporter outside its scope; a planner does not
        report).
    ScenarioError
        Naming the field: an unknown branch or period of the plan, a value that is not a
        positive finite number, another unit than the plan's for the branch, a bad date, or a
        revision dated no later than the revision it replaces (the monitoring orders
        revisions by date).
    UnknownIdError
        For no plan ``plan_id``.
    """
    if by.role != "reporter":
        raise ForbiddenError(f"unit {by.name!r} is a {by.role}: only reporters report")
    if branch not in by.scope:
        raise ForbiddenError(f"unit {by.name!r} may not report {branch!r} (its branches: "
                             f"{', '.join(by.scope) or 'none'})")
    shape = plan_shape(session, plan_id)
    try:
        p = parse_period(period)
    except ValueError as exc:
        raise _field(str(exc), "period") from None
    if branch not in shape.units:
        raise _field(f"the plan has no branch {branch!r}", "branch")
    if unit != shape.units[branch]:
        raise _field(f"{branch} is planned in {shape.units[branch]!r}, not {unit!r}", "unit")
    written = _written(value)
    try:
        v = float(written.replace(",", "")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise _field(f"value must be a number, got {value!r}", "value") from None
    if not math.isfinite(v) or v <= 0:
        raise _field(f"value must be positive and finite (levels are modelled in logs), got "
                     f"{value!r}", "value")
    try:
        when = parse_date(reported_at)
    except (ValueError, TypeError) as exc:
        raise _field(str(exc), "reported_at") from None
    if str(p) not in shape.periods:
        raise _field(f"the plan has no period {p} (its periods: "
                     f"{', '.join(sorted(shape.periods))})", "period")
    # Core on the session's connection (no ORM round trip: nothing here is an ORM object),
    # with statements built once (their compiled form and cache key are kept)
    conn = session.connection()
    row = conn.execute(_NEWEST_REVISION, {"plan_id": plan_id, "branch": branch,
                                          "period": str(p)}).first()
    if row is None:
        report_id = conn.execute(_NEW_FIGURE, {"plan_id": plan_id, "branch": branch,
                                               "period": str(p), "unit": unit}
                                 ).inserted_primary_key[0]  # type: ignore[index]
        seq, previous = 1, None
    else:
        report_id = row.id
        seq, previous = (row.seq or 0) + 1, row.value
        if row.reported_at is not None and when <= parse_date(row.reported_at):
            raise _field(f"{branch} {p} was reported at {row.reported_at} already (revision "
                         f"{row.seq}); a revision is reported at a later date", "reported_at")
    values = {"report_id": report_id, "seq": seq, "value": v, "written": written,
              "previous_value": previous, "reported_at": when.isoformat(), "unit_id": by.id,
              "source": str(source), "note": str(note), "received_at": dt.datetime.now(dt.UTC)}
    # the new ids: RETURNING where the database has it, else the cursor's last row id
    rev_id = conn.execute(_NEW_REVISION, values).inserted_primary_key[0]  # type: ignore[index]
    return ReportRevision(id=rev_id, **values)  # as stored (not added to the session again)


def _written(value: Any) -> str:
    """The figure as its reporter wrote it (a string as given, a number as Python prints it),
    for the last-digit test."""
    if isinstance(value, bool):
        raise _field(f"value must be a number, got {value!r}", "value")
    text = value.strip() if isinstance(value, str) else repr(value)
    if len(text) > 40:
        raise _field("value: at most 40 characters", "value")
    return text


def acknowledge(session: Session, by: Unit | Principal, alert_id: int, note: str = "") -> Alert:
    """Acknowledge an alert (a planner only): it stops escalating."""
    require_planner(by, "acknowledging an alert")
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise UnknownIdError(f"no alert {alert_id}")
    if alert.acknowledged_at is None:
        alert.acknowledged_at = dt.datetime.now(dt.UTC)
        alert.acknowledged_by = by.id
        alert.note = str(note)
        session.flush()
    return alert


def reports_of(session: Session, plan_id: int, upto: int | None = None) -> Reports:
    """Every revision of every report of a plan, as the monitoring reads them (those numbered
    ``upto`` or lower: a consistent set while others are being written)."""
    plan = plan_or_404(session, plan_id)
    q = select(ReportedFigure, ReportRevision).join(ReportRevision).where(
        ReportedFigure.plan_id == plan.id)
    if upto is not None:
        q = q.where(ReportRevision.id <= upto)
    rows = session.execute(q.order_by(ReportRevision.id)).all()
    return Reports([ReportFigure(r.branch, parse_period(r.period), rev.value, r.unit,
                                 parse_date(rev.reported_at), rev.source, rev.note)
                    for r, rev in rows])


def history(session: Session, plan_id: int, branch: str, period: Any) -> list[dict[str, Any]]:
    """The revisions of one figure, first to last: who, when, the value, the value replaced."""
    p = str(parse_period(period))
    rows = session.execute(
        select(ReportRevision, Unit).join(ReportedFigure)
        .join(Unit, Unit.id == ReportRevision.unit_id)
        .where(ReportedFigure.plan_id == plan_id, ReportedFigure.branch == branch,
               ReportedFigure.period == p)
        .order_by(ReportRevision.seq)).all()
    return [{"seq": r.seq, "value": r.value, "written": r.written,
             "previous_value": r.previous_value,
             "reported_at": r.reported_at, "received_at": r.received_at.isoformat(),
             "unit": u.name, "source": r.source, "note": r.note} for r, u in rows]
