"""The JSON API (``/api``): every route, its body and what it returns; its OpenAPI schema
at ``/openapi.json``.

Every write names its unit by a bearer token and is checked against the unit's role and scope
by :mod:`autarky.service.store` before anything is stored (403 otherwise); bodies are checked
by their schema and then by the scenario and actuals readers' rules (422 naming the field).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from autarky.errors import AutarkyError, ScenarioError, UnknownIdError
from autarky.service import store
from autarky.service.app import Caller, ReadSession, WriteSession
from autarky.service.db import committed
from autarky.service.jobs import KINDS, job_dict, job_or_404, start_job
from autarky.service.models import Alert, Job, Principal, PublishedPlan, ScenarioVersion, Unit
from autarky.service.store import plan_or_404

__all__ = ["EXPORTS", "router"]

router = APIRouter(prefix="/api")

#: A name or id: printable, no control characters.
_Name = Annotated[str, StringConstraints(min_length=1, max_length=200,
                                        pattern=r"^[^\x00-\x1f\x7f]+$")]
#: Free text (a source, a note): no NUL, at most 2,000 characters.
_Text = Annotated[str, StringConstraints(max_length=2000, pattern=r"^[^\x00]*$")]
_PlanId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The plan's number.")]
_Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UnitIn(_Body):
    """A unit to create."""

    name: _Name
    role: Annotated[str, Field(pattern="^(planner|reporter)$")]
    branches: Annotated[list[_Name], Field(max_length=10_000)] = []


class ScenarioIn(_Body):
    """A scenario version to store: its YAML text (the scenario format) or a bundled name."""

    yaml: Annotated[str | None, Field(max_length=50_000_000)] = None
    bundled: _Name | None = None


class TargetIn(_Body):
    """One target: the level planned for a branch in a period."""

    branch: _Name
    period: Annotated[int, Field(ge=1, le=9999)] | Annotated[str, Field(max_length=20)]
    value: Annotated[float, Field(strict=True)]
    unit: _Name


class PlanIn(_Body):
    """A plan to publish with its targets, or (``strategy``) to compute as a multi-year plan
    in the background and publish when done."""

    name: _Name
    scenario: Annotated[str, Field(pattern="^[0-9a-f]{64}$", description="A version token.")]
    targets: Annotated[list[TargetIn], Field(max_length=1_000_000)] = []
    strategy: _Name | None = None
    settings: dict[str, Any] = {}


class ReportIn(_Body):
    """A reported figure (a new revision when the branch and period are reported already)."""

    branch: _Name
    period: Annotated[int, Field(ge=1, le=9999)] | Annotated[str, Field(max_length=20)]
    value: Annotated[float, Field(strict=True)] | Annotated[str, Field(max_length=40)] = Field(
        description="The figure; as a string it is kept as written (for the last-digit test).")
    unit: _Name
    reported_at: Annotated[str, Field(max_length=40)] | None = None
    source: _Text = ""
    note: _Text = ""


class AckIn(_Body):
    """An acknowledgement of an alert."""

    note: _Text = ""


class JobIn(_Body):
    """A background run on a scenario version."""

    kind: Annotated[str, Field(max_length=40, json_schema_extra={"enum": list(KINDS)},
                               description="analysis, sweep or plan")]
    scenario: Annotated[str, Field(pattern="^[0-9a-f]{64}$")]
    params: dict[str, Any] = {}


# ---------------------------------------------------------------------------- helpers
def unit_dict(u: Unit | Principal) -> dict[str, Any]:
    return {"id": u.id, "name": u.name, "role": u.role,
            "branches": list(u.scope)}


def version_dict(v: ScenarioVersion, with_body: bool = False) -> dict[str, Any]:
    out = {"id": v.id, "token": v.token, "name": v.name, "created_at": v.created_at.isoformat()}
    if with_body:
        out["yaml"] = v.body
    return out


def plan_dict(p: PublishedPlan, version: ScenarioVersion | None = None) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "scenario": version.token if version else None,
            "method": p.method, "published_at": p.published_at.isoformat(),
            "settings": json.loads(p.settings or "{}"),
            "targets": [{"branch": t.branch, "period": t.period, "value": t.value,
                         "unit": t.unit} for t in p.targets]}


def version_by_token(session: Session, token: str, field: str = "scenario") -> ScenarioVersion:
    v = session.scalar(select(ScenarioVersion).where(ScenarioVersion.token == token))
    if v is None:
        raise ScenarioError(f"no scenario version {token}", field=field)
    return v


def targets_from(items: list[TargetIn]) -> Any:
    """Targets from a body, each checked (fields ``targets.I.FIELD``)."""
    import math

    from autarky.economy.reports import Target, Targets, parse_period

    out = []
    for i, t in enumerate(items):
        try:
            p = parse_period(t.period)
        except ValueError as exc:
            raise ScenarioError(str(exc), field=f"targets.{i}.period") from None
        if not math.isfinite(t.value) or t.value <= 0:
            raise ScenarioError(f"a target must be positive and finite, got {t.value!r}",
                                field=f"targets.{i}.value")
        out.append(Target(t.branch, p, float(t.value), t.unit))
    try:
        return Targets(out)
    except ScenarioError as exc:
        raise ScenarioError(exc.message, field=f"targets.{exc.field or ''}".rstrip(".")) from None


def check_plan_branches(version: ScenarioVersion, items: list[TargetIn]) -> None:
    """Each target's branch is a branch of the scenario (or its industrial output)."""
    from autarky.economy.reports import INDUSTRIAL_OUTPUT

    scn = store.scenario_of(version)
    known = {str(b) for b in scn.economy.branches.index} | {INDUSTRIAL_OUTPUT}
    for i, t in enumerate(items):
        if t.branch not in known:
            raise ScenarioError(f"{t.branch!r} is not a branch of scenario {version.name!r}",
                                field=f"targets.{i}.branch")


def publish(session: Session, by: Principal, body: PlanIn, runner: Any) -> tuple[int, dict[str, Any]]:
    """Publish a plan (201) or queue its computation (202); shared by the API and the pages."""
    store.require_planner(by, "publishing a plan")
    version = version_by_token(session, body.scenario)
    if body.strategy is not None:
        if body.targets:
            raise ScenarioError("give targets or a strategy to compute them, not both",
                                field="strategy")
        job = start_job(session, by, version, "plan", {"name": body.name,
                                                       "strategy": body.strategy,
                                                       "settings": body.settings}, runner)
        return 202, job_dict(job)
    if not body.targets:
        raise ScenarioError("a plan needs targets (or a strategy to compute them)",
                            field="targets")
    targets = targets_from(body.targets)
    check_plan_branches(version, body.targets)
    plan = store.publish_plan(session, by, version, body.name, targets, "given",
                              body.settings)
    return 201, plan_dict(plan, version)


def report(session: Session, by: Principal, plan_id: int, body: ReportIn, request: Request
           ) -> dict[str, Any]:
    """Store a report (tried up to three times when a concurrent report took the same
    figure or revision number first)."""
    when = body.reported_at or dt.datetime.now(dt.UTC).date().isoformat()
    for attempt in range(3):
        try:
            rev = store.submit_report(session, by, plan_id, body.branch, body.period,
                                      body.value, body.unit, when, body.source, body.note)
            session.commit()
            break
        except IntegrityError:
            session.rollback()
            if attempt == 2:
                raise
    request.app.state.watcher.poke(plan_id)
    return {"id": rev.id, "branch": body.branch, "period": str(body.period), "seq": rev.seq,
            "value": rev.value, "written": rev.written, "previous_value": rev.previous_value,
            "reported_at": rev.reported_at, "received_at": rev.received_at.isoformat()}


#: The tables a plan exports as CSV, and their columns.
EXPORTS = {
    "targets": ("branch", "period", "value", "unit"),
    "fulfilment": ("branch", "period", "target", "reported", "fulfilment", "cumulative"),
    "forecast": ("branch", "unit", "period", "target", "value", "low", "high", "p_meet",
                 "required_growth", "model", "note"),
    "flags": ("kind", "branch", "period", "message"),
    "alerts": ("id", "kind", "branch", "period", "level", "acknowledged", "raised_at",
               "message"),
    "digits": ("test", "n", "chi2", "df", "p_value", "rejects", "mad", "conformity", "note"),
    "revisions": ("branch", "period", "seq", "value", "written", "previous_value",
                  "reported_at", "received_at", "unit", "source", "note"),
}


def export_rows(session: Session, plan_id: int, table: str, watched: dict[str, Any]
                ) -> list[dict[str, Any]]:
    """The rows of an exported table (the same numbers as the page shows)."""
    plan = plan_or_404(session, plan_id)
    if table == "targets":
        return [{"branch": t.branch, "period": t.period, "value": t.value, "unit": t.unit}
                for t in plan.targets]
    if table == "fulfilment":
        return [{"branch": b, "period": p, "target": row["targets"].get(p),
                 "reported": row["reported"].get(p), "fulfilment": row["fulfilment"].get(p),
                 "cumulative": row["cumulative"].get(p)}
                for b, row in watched["branches"].items() for p in watched["periods"]
                if p in row["targets"] or p in row["reported"]]
    if table == "forecast":
        return [{"branch": b, "unit": row["unit"], **row["forecast"],
                 "required_growth": row["required_growth"]}
                for b, row in watched["branches"].items()]
    if table == "flags":
        return list(watched["flags"])
    if table == "alerts":
        return list(watched["alerts"])
    if table == "digits":
        return [{"test": name, "df": df, **watched["digits"][name]}
                for name, df in (("benford", 8), ("last_digit", 9))]
    return [{"branch": b, "period": p, **h} for b, p in sorted(
        {(t.branch, t.period) for t in plan.targets}) for h in store.history(
        session, plan_id, b, p)]


def csv_response(rows: list[dict[str, Any]], columns: tuple[str, ...], name: str) -> Response:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in columns})
    return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# ---------------------------------------------------------------------------- routes
@router.get("/health", summary="The service is up")
def health(request: Request) -> dict[str, Any]:
    w = request.app.state.watcher
    return {"status": "ok", "database": request.app.state.write.kw["bind"].dialect.name,
            "runner": request.app.state.runner.name, "recomputed": w.done,
            "watcher_errors": list(w.errors)}


@router.get("/me", summary="The unit of the token")
def me(unit: Caller) -> dict[str, Any]:
    return unit_dict(unit)


@router.post("/units", status_code=201, summary="Create a unit (planner); its token is shown once")
def add_unit(body: UnitIn, unit: Caller,
             session: WriteSession) -> dict[str, Any]:
    store.require_planner(unit, "creating a unit")
    new, token = store.create_unit(session, body.name, body.role, tuple(body.branches))
    return {**unit_dict(new), "token": token}


@router.get("/units", summary="Every unit (planner)")
def units(unit: Caller,
          session: ReadSession) -> list[dict[str, Any]]:
    store.require_planner(unit, "listing units")
    return [unit_dict(u) for u in session.scalars(select(Unit).order_by(Unit.id))]


@router.post("/scenarios", status_code=201, summary="Store a scenario version (planner)")
def add_scenario(body: ScenarioIn, unit: Caller,
                 session: WriteSession) -> dict[str, Any]:
    store.require_planner(unit, "adding a scenario")
    if (body.yaml is None) == (body.bundled is None):
        raise ScenarioError("give yaml (the scenario's text) or bundled (a name), one of them",
                            field="yaml")
    if body.bundled is not None:
        from autarky import data

        try:
            scn: Any = data.load(body.bundled)
        except AutarkyError:
            names = ", ".join(d.name for d in data.list_datasets())
            raise ScenarioError(f"no bundled scenario {body.bundled!r} (bundled: {names}, "
                                "island)", field="bundled") from None
    else:
        scn = body.yaml
    return version_dict(store.add_scenario(session, scn, unit))


@router.get("/scenarios", summary="The stored scenario versions")
def scenarios(unit: Caller,
              session: ReadSession) -> list[dict[str, Any]]:
    return [version_dict(v) for v in session.scalars(select(ScenarioVersion)
                                                     .order_by(ScenarioVersion.id))]


@router.get("/scenarios/{token}", summary="One scenario version with its YAML text")
def scenario(token: Annotated[str, Path(max_length=64)], unit: Caller,
             session: ReadSession) -> dict[str, Any]:
    v = session.scalar(select(ScenarioVersion).where(ScenarioVersion.token == token))
    if v is None:
        raise UnknownIdError(f"no scenario version {token}")
    return version_dict(v, with_body=True)


@router.post("/plans", status_code=201, summary="Publish a plan (planner)",
             responses={202: {"description": "The plan is computed in the background (a job)"}})
def add_plan(body: PlanIn, request: Request, unit: Caller,
             session: WriteSession) -> Any:
    from fastapi.responses import JSONResponse

    code, out = publish(session, unit, body, request.app.state.runner)
    return JSONResponse(out, status_code=code)


@router.get("/plans", summary="The published plans")
def plans(unit: Caller,
          session: ReadSession) -> list[dict[str, Any]]:
    return [{"id": p.id, "name": p.name, "method": p.method,
             "published_at": p.published_at.isoformat()}
            for p in session.scalars(select(PublishedPlan).order_by(PublishedPlan.id))]


@router.get("/plans/{plan_id}", summary="A plan and its targets")
def get_plan(plan_id: _PlanId, unit: Caller,
         session: ReadSession) -> dict[str, Any]:
    p = plan_or_404(session, plan_id)
    return plan_dict(p, session.get(ScenarioVersion, p.scenario_id))


@router.get("/plans/{plan_id}/monitor",
            summary="Fulfilment, forecasts, P(meet), flags, digit tests and alerts")
def monitor(plan_id: _PlanId, unit: Caller, session: ReadSession,
            write: WriteSession) -> dict[str, Any]:
    from autarky.service.watch import refresh

    plan_or_404(session, plan_id)
    return refresh(session, plan_id, write)


@router.post("/plans/{plan_id}/reports", status_code=201, response_model=dict[str, Any],
             summary="Report a figure (a reporter, for its own branches)")
async def add_report(plan_id: _PlanId, body: ReportIn, request: Request,
                     unit: Caller) -> Response:
    # The hot path of the service: one thread from the first query to the commit, and the
    # answer written as JSON without a second validation of what the store returned.
    def write() -> dict[str, Any]:
        with committed(request.app.state.write) as session:
            return report(session, unit, plan_id, body, request)

    return JSONResponse(await run_in_threadpool(write), status_code=201)


@router.get("/plans/{plan_id}/reports", summary="Every revision of every report of a plan")
def reports(plan_id: _PlanId, unit: Caller,
            session: ReadSession) -> list[dict[str, Any]]:
    plan_or_404(session, plan_id)
    rows = export_rows(session, plan_id, "revisions", {})
    if unit.role == "reporter":
        mine = set(unit.scope)
        rows = [r for r in rows if r["branch"] in mine]
    return rows


@router.get("/plans/{plan_id}/history", summary="The revisions of one figure")
def history(plan_id: _PlanId, branch: Annotated[str, Query(max_length=200)],
            period: Annotated[str, Query(max_length=20)], unit: Caller,
            session: ReadSession) -> list[dict[str, Any]]:
    plan_or_404(session, plan_id)
    try:
        return store.history(session, plan_id, branch, period)
    except ValueError as exc:
        raise ScenarioError(str(exc), field="period") from None


@router.get("/plans/{plan_id}/export/{table}.csv", summary="A table of the planner's page as CSV",
            response_class=Response)
def export(plan_id: _PlanId, table: Annotated[str, Path(pattern="^(" + "|".join(EXPORTS) + ")$")],
           unit: Caller, session: ReadSession, write: WriteSession) -> Response:
    from autarky.service.watch import refresh

    plan_or_404(session, plan_id)
    watched = refresh(session, plan_id, write) if table not in ("targets", "revisions") else {}
    return csv_response(export_rows(session, plan_id, table, watched), EXPORTS[table],
                        f"plan-{plan_id}-{table}.csv")


@router.post("/alerts/{alert_id}/acknowledge", summary="Acknowledge an alert (planner)")
def acknowledge(alert_id: _Id, body: AckIn, unit: Caller,
                session: WriteSession) -> dict[str, Any]:
    a: Alert = store.acknowledge(session, unit, alert_id, body.note)
    return {"id": a.id, "acknowledged_at": a.acknowledged_at.isoformat()  # type: ignore[union-attr]
            , "note": a.note}


@router.post("/jobs", status_code=202, summary="Start a background run (planner)")
def add_job(body: JobIn, request: Request, unit: Caller,
            session: WriteSession) -> dict[str, Any]:
    store.require_planner(unit, "starting a run")
    version = version_by_token(session, body.scenario)
    return job_dict(start_job(session, unit, version, body.kind, body.params,
                              request.app.state.runner))


@router.get("/jobs", summary="The background runs")
def jobs(unit: Caller,
         session: ReadSession) -> list[dict[str, Any]]:
    return [job_dict(j) for j in session.scalars(select(Job).order_by(Job.id.desc()).limit(200))]


@router.get("/jobs/{job_id}", summary="A background run: status, progress, result")
def job(job_id: _Id, unit: Caller,
        session: ReadSession) -> dict[str, Any]:
    return job_dict(job_or_404(session, job_id))
