"""The pages: server-rendered (Jinja2), with a session cookie and a CSRF token on every form.

A unit signs in with its token (``/login``); the session lasts
:attr:`~autarky.service.app.ServiceConfig.session_hours`. The planner's page of a plan
(``/plans/N``) shows fulfilment by branch and period, the forecast fan and P(meet) of each
branch, the flags and the alerts (with their escalation, to acknowledge), the digit tests, the
revision history of any figure and CSV exports of each table; a reporter sees the form for its
own branches and its reports. The only JavaScript is ``static/app.js`` (served by the app: the
pages work offline).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from autarky.errors import ForbiddenError, ScenarioError, UnknownIdError
from autarky.service import store
from autarky.service.api import (
    EXPORTS,
    PlanIn,
    ReportIn,
    TargetIn,
    csv_response,
    export_rows,
    plan_or_404,
    publish,
    report,
    version_by_token,
)
from autarky.service.app import HERE, ReadSession, WriteSession
from autarky.service.jobs import KINDS, job_dict, job_or_404, start_job
from autarky.service.models import (
    Job,
    LoginSession,
    Principal,
    PublishedPlan,
    ScenarioVersion,
    Unit,
)

__all__ = ["COOKIE", "error_page", "fan_chart", "router"]

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=HERE / "templates")
#: The session cookie's name.
COOKIE = "autarky_session"


def _fmt(v: Any, digits: int = 4) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    if isinstance(v, float):
        return f"{v:,.{digits}g}"
    return str(v)


def _pct(v: Any) -> str:
    return "–" if v is None else f"{100 * float(v):.1f} %"


templates.env.filters["num"] = _fmt
templates.env.filters["pct"] = _pct


# ---------------------------------------------------------------------------- sessions
def _hash(cookie: str) -> str:
    return hashlib.sha256(cookie.encode()).hexdigest()


@dataclass(frozen=True)
class _Login:
    """A signed-in page session: its unit, its CSRF token and the hash of its cookie."""

    who: Principal
    csrf: str
    key: str


def _lookup(factory: Callable[[], Session], cookie: str) -> _Login | None:
    from autarky.service.db import committed

    with committed(factory) as session:
        ls = session.get(LoginSession, _hash(cookie))
        if ls is None or ls.expires_at.replace(tzinfo=dt.UTC) < dt.datetime.now(dt.UTC):
            return None
        unit = session.get(Unit, ls.unit_id)
        return None if unit is None else _Login(Principal.of(unit), ls.csrf, ls.id)


async def _signed_in(request: Request) -> _Login:
    # looked up in a thread with a session of its own: the route's session takes no
    # connection before the route runs
    from starlette.concurrency import run_in_threadpool

    cookie = request.cookies.get(COOKIE)
    got = await run_in_threadpool(_lookup, request.app.state.read, cookie) if cookie else None
    if got is None:
        raise HTTPException(303, "sign in first", headers={"Location": "/login"})
    request.state.login = got
    return got


async def page_unit(request: Request) -> Principal:
    """The signed-in unit of a page that reads (to /login without a session)."""
    return (await _signed_in(request)).who


#: The signed-in unit of a page (a dependency).
PageUnit = Annotated[Principal, Depends(page_unit)]


async def form_unit(request: Request, csrf: Annotated[str, Form(max_length=200)] = ""
                    ) -> Principal:
    """The signed-in unit of a form post, its CSRF token checked (403 when it does not match)."""
    got = await _signed_in(request)
    if not csrf or not hmac.compare_digest(csrf, got.csrf):
        raise ForbiddenError("the form's CSRF token does not match this session: reload the "
                             "page and send it again")
    return got.who


#: The signed-in unit of a form post, its CSRF token checked (a dependency).
FormUnit = Annotated[Principal, Depends(form_unit)]


def _render(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    got: _Login | None = getattr(request.state, "login", None)
    ctx.setdefault("me", got.who if got else None)
    ctx.setdefault("csrf", got.csrf if got else "")
    ctx.setdefault("message", request.query_params.get("message", ""))
    return templates.TemplateResponse(request, name, ctx, status_code=status)


def error_page(request: Request, status: int, message: str, field: str = "") -> HTMLResponse:
    """A page saying what went wrong (and which field) with the status of the error."""
    return templates.TemplateResponse(request, "error.html", {
        "status": status, "error": message, "field": field, "me": None, "csrf": "",
        "message": ""}, status_code=status)


def _back(url: str, message: str = "") -> RedirectResponse:
    from urllib.parse import quote

    return RedirectResponse(url + (f"?message={quote(message)}" if message else ""), 303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    return _render(request, "login.html")


@router.post("/login")
def login(request: Request, token: Annotated[str, Form(max_length=200)],
          session: WriteSession) -> Response:
    try:
        unit = request.app.state.tokens.verify(request.app.state.read, token.strip())
    except ForbiddenError:
        return _render(request, "login.html", status=401, error="not a valid token")
    cookie = secrets.token_urlsafe(32)
    hours = request.app.state.config.session_hours
    session.add(LoginSession(id=_hash(cookie), unit_id=unit.id, csrf=secrets.token_urlsafe(32),
                             expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)))
    resp = RedirectResponse("/", 303)
    resp.set_cookie(COOKIE, cookie, max_age=int(hours * 3600), httponly=True, samesite="strict",
                    secure=request.app.state.config.secure_cookies)
    return resp


@router.post("/logout")
def logout(request: Request, unit: FormUnit,
           session: WriteSession) -> Response:
    ls = session.get(LoginSession, request.state.login.key)
    if ls is not None:
        ls.expires_at = dt.datetime.now(dt.UTC)
    resp = RedirectResponse("/login", 303)
    resp.delete_cookie(COOKIE)
    return resp


# ---------------------------------------------------------------------------- home
@router.get("/", response_class=HTMLResponse)
def home(request: Request, unit: PageUnit,
         session: ReadSession) -> HTMLResponse:
    from autarky import data

    plans = list(session.scalars(select(PublishedPlan).order_by(PublishedPlan.id.desc())))
    versions = list(session.scalars(select(ScenarioVersion).order_by(ScenarioVersion.id.desc())))
    jobs = [job_dict(j) for j in session.scalars(select(Job).order_by(Job.id.desc()).limit(20))]
    units = list(session.scalars(select(Unit).order_by(Unit.id))) if unit.role == "planner" \
        else []
    bundled = [d.name for d in data.list_datasets() if d.kind == "scenario"]
    return _render(request, "home.html", plans=plans, versions=versions,
                   jobs=jobs, units=units, bundled=sorted({*bundled, "island"}), kinds=KINDS)


@router.post("/scenarios")
def add_scenario_form(request: Request, unit: FormUnit,
                      session: WriteSession,
                      bundled: Annotated[str, Form(max_length=200)] = "",
                      yaml: Annotated[str, Form(max_length=50_000_000)] = "") -> Response:
    from autarky.service.api import ScenarioIn
    from autarky.service.api import add_scenario as api_add

    body = ScenarioIn(bundled=bundled or None, yaml=yaml or None)
    v = api_add(body, unit, session)
    return _back("/", f"scenario version {v['token'][:12]} stored")


def _field_error(exc: ValidationError) -> ScenarioError:
    """A form's first invalid field as the error the pages show (422 naming the field)."""
    err = exc.errors()[0]
    return ScenarioError(err["msg"], field=".".join(str(p) for p in err["loc"]))


def _targets_csv(text: str) -> list[TargetIn]:
    """Targets from the CSV of the form (``branch,period,value,unit``), errors by line."""
    rows = list(csv.reader(io.StringIO(text.strip())))
    if not rows or [c.strip() for c in rows[0]][:4] != ["branch", "period", "value", "unit"]:
        raise ScenarioError("the first line is the header branch,period,value,unit",
                            file="targets", line=1, field="targets")
    out = []
    for i, r in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in r):
            continue
        if len(r) < 4:
            raise ScenarioError(f"4 columns needed, got {len(r)}", file="targets", line=i,
                                field="targets")
        try:
            out.append(TargetIn(branch=r[0].strip(), period=r[1].strip(),
                                value=float(r[2].replace(",", "")), unit=r[3].strip()))
        except (ValueError, ValidationError) as exc:
            raise ScenarioError(f"not a target: {exc.__class__.__name__}", file="targets",
                                line=i, field="targets") from None
    return out


@router.post("/plans")
def add_plan_form(request: Request, unit: FormUnit,
                  session: WriteSession,
                  name: Annotated[str, Form(max_length=200)] = "",
                  scenario: Annotated[str, Form(max_length=64)] = "",
                  targets: Annotated[str, Form(max_length=50_000_000)] = "",
                  strategy: Annotated[str, Form(max_length=200)] = "",
                  revision_threshold: Annotated[float, Form()] = 0.05,
                  escalate_after: Annotated[int, Form()] = 1) -> Response:
    store.require_planner(unit, "publishing a plan")
    settings = {"revision_threshold": revision_threshold, "escalate_after": escalate_after}
    try:
        body = PlanIn(name=name, scenario=scenario, strategy=strategy or None,
                      targets=[] if strategy else _targets_csv(targets), settings=settings)
    except ValidationError as exc:
        raise _field_error(exc) from None
    code, out = publish(session, unit, body, request.app.state.runner)
    if code == 202:
        return _back("/", f"computing plan {name!r} (job {out['id']})")
    return _back(f"/plans/{out['id']}", f"plan {name!r} published")


@router.post("/jobs")
def add_job_form(request: Request, unit: FormUnit,
                 session: WriteSession,
                 kind: Annotated[str, Form(max_length=40)] = "analysis",
                 scenario: Annotated[str, Form(max_length=64)] = "",
                 runs: Annotated[str, Form(max_length=10_000)] = "",
                 draws: Annotated[int, Form(ge=0, le=100_000)] = 0,
                 seed: Annotated[int, Form(ge=0)] = 0) -> Response:
    store.require_planner(unit, "starting a run")
    version = version_by_token(session, scenario)
    params: dict[str, Any] = {"runs": [r.strip() for r in runs.splitlines() if r.strip()]}
    if kind == "sweep":
        params.update(draws=draws, seed=seed)
    job = start_job(session, unit, version, kind, params, request.app.state.runner)
    return _back("/", f"job {job.id} started")


@router.get("/jobs/{job_id}.json")
def job_json(job_id: int, unit: PageUnit,
             session: ReadSession) -> dict[str, Any]:
    return job_dict(job_or_404(session, job_id))


# ---------------------------------------------------------------------------- a plan
def fan_chart(row: dict[str, Any], width: int = 560, height: int = 220) -> dict[str, Any] | None:
    """Coordinates of a branch's fan chart (targets, reports, the 5-95 % and 25-75 % bands
    and the median of the forecast) for the page's SVG; ``None`` without anything to draw.

    Examples
    --------
    >>> c = fan_chart({"targets": {"2021": 100.0, "2022": 110.0}, "reported": {"2021": 90.0}})
    >>> c["periods"], len(c["target"].split())
    (['2021', '2022'], 2)
    """
    fan = row.get("fan")
    periods = sorted({*row["targets"], *row["reported"], *(fan["periods"] if fan else [])})
    values = [v for v in [*row["targets"].values(), *row["reported"].values()] if v]
    if fan:
        values += [v for r in fan["values"] for v in r]
    if not periods or not values:
        return None
    lo, hi = min(values), max(values)
    pad = 0.08 * (hi - lo or abs(hi) or 1.0)
    lo, hi = lo - pad, hi + pad
    left, right, top, bottom = 64, 28, 12, 28  # room for the last period's label
    n = len(periods)

    def x(p: str) -> float:
        i = periods.index(p)
        return left + (width - left - right) * (i / (n - 1) if n > 1 else 0.5)

    def y(v: float) -> float:
        return top + (height - top - bottom) * (1 - (v - lo) / (hi - lo))

    def line(series: dict[str, float]) -> str:
        return " ".join(f"{x(p):.1f},{y(v):.1f}" for p, v in sorted(series.items()) if v)

    out: dict[str, Any] = {"width": width, "height": height, "periods": periods,
                           "target": line(row["targets"]), "reported": line(row["reported"]),
                           "dots": [(round(x(p), 1), round(y(v), 1)) for p, v in
                                    sorted(row["reported"].items()) if v],
                           "xs": [(p, round(x(p), 1)) for p in periods],
                           "ys": [(_fmt(v, 3), round(y(v), 1)) for v in
                                  (lo + pad, (lo + hi) / 2, hi - pad)],
                           "left": left, "bottom": height - bottom, "bands": [], "median": ""}
    if fan and row["reported"]:
        last = max(row["reported"])
        start = [(last, row["reported"][last])]
        qs, fp, vals = fan["quantiles"], fan["periods"], fan["values"]
        for a, b, cls in ((0, len(qs) - 1, "outer"), (1, len(qs) - 2, "inner")):
            upper = start + [(p, r[b]) for p, r in zip(fp, vals, strict=True)]
            lower = start + [(p, r[a]) for p, r in zip(fp, vals, strict=True)]
            pts = [f"{x(p):.1f},{y(v):.1f}" for p, v in upper] + \
                  [f"{x(p):.1f},{y(v):.1f}" for p, v in reversed(lower)]
            out["bands"].append((cls, " ".join(pts)))
        mid = qs.index(0.5) if 0.5 in qs else len(qs) // 2
        out["median"] = " ".join(f"{x(p):.1f},{y(v):.1f}" for p, v in
                                 start + [(p, r[mid]) for p, r in zip(fp, vals, strict=True)])
    return out


@router.get("/plans/{plan_id}", response_class=HTMLResponse)
def plan_page(request: Request, plan_id: int, unit: PageUnit, session: ReadSession,
              write: WriteSession) -> HTMLResponse:
    from autarky.service.watch import refresh

    plan = plan_or_404(session, plan_id)
    watched = refresh(session, plan_id, write)
    version = session.get(ScenarioVersion, plan.scenario_id)
    mine = list(unit.scope)
    charts = {b: fan_chart(row) for b, row in watched["branches"].items()}
    revisions = export_rows(session, plan_id, "revisions", watched)
    if unit.role == "reporter":
        revisions = [r for r in revisions if r["branch"] in mine]
    units = {b: row["unit"] for b, row in watched["branches"].items()}
    return _render(request, "plan.html", plan=plan, version=version,
                   w=watched, charts=charts, mine=[b for b in mine if b in units],
                   units=units, revisions=revisions, exports=list(EXPORTS),
                   settings=json.loads(plan.settings or "{}"),
                   today=dt.datetime.now(dt.UTC).date().isoformat())


@router.post("/plans/{plan_id}/reports")
def report_form(request: Request, plan_id: int, unit: FormUnit,
                session: WriteSession,
                branch: Annotated[str, Form(max_length=200)] = "",
                period: Annotated[str, Form(max_length=20)] = "",
                value: Annotated[str, Form(max_length=40)] = "",
                reported_at: Annotated[str, Form(max_length=40)] = "",
                source: Annotated[str, Form(max_length=2000)] = "",
                note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    units = store.plan_shape(session, plan_id).units
    try:
        body = ReportIn(branch=branch, period=period, value=value,
                        unit=units.get(branch, "?"), reported_at=reported_at or None,
                        source=source, note=note)
    except ValidationError as exc:
        raise _field_error(exc) from None
    rev = report(session, unit, plan_id, body, request)
    what = "revision" if rev["seq"] > 1 else "report"
    return _back(f"/plans/{plan_id}", f"{what} {rev['seq']} of {branch} {rev['period']} stored")


@router.post("/alerts/{alert_id}/acknowledge")
def ack_form(request: Request, alert_id: int, unit: FormUnit,
             session: WriteSession,
             note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    alert = store.acknowledge(session, unit, alert_id, note)
    return _back(f"/plans/{alert.plan_id}", f"alert {alert.id} acknowledged")


@router.get("/plans/{plan_id}/history", response_class=HTMLResponse)
def history_page(request: Request, plan_id: int, branch: str, period: str,
                 unit: PageUnit,
                 session: ReadSession) -> HTMLResponse:
    plan = plan_or_404(session, plan_id)
    try:
        rows = store.history(session, plan_id, branch, period)
    except ValueError as exc:
        raise ScenarioError(str(exc), field="period") from None
    return _render(request, "history.html", plan=plan, branch=branch,
                   period=period, rows=rows)


@router.get("/plans/{plan_id}/export/{table}.csv")
def export_page(plan_id: int, table: str, unit: PageUnit, session: ReadSession,
                write: WriteSession) -> Response:
    from autarky.service.watch import refresh

    if table not in EXPORTS:
        raise UnknownIdError(f"no table {table!r} (tables: {', '.join(EXPORTS)})")
    plan_or_404(session, plan_id)
    watched = refresh(session, plan_id, write) if table not in ("targets", "revisions") else {}
    return csv_response(export_rows(session, plan_id, table, watched), EXPORTS[table],
                        f"plan-{plan_id}-{table}.csv")
