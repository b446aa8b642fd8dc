"""Heavy runs off the request path: analyses, sweeps and multi-year plans to publish.

A job is a row (:class:`~autarky.service.models.Job`) with its kind, parameters, state and
progress. :func:`run_job` does the work in another process and writes its progress and result
to the database itself, so that the server only hands out job numbers: a local worker process
(:class:`LocalRunner`, the default) or a Dask cluster (:class:`DaskRunner`, ``--dask ADDRESS``)
runs it. Kinds (:data:`KINDS`):

``analysis``
    Analyses of the sweep (``runs``: ``["optimize"]``, ``["stress partner:north"]``, ...) on the
    stated scenario.
``sweep``
    The same over ``draws`` draws of the scenario's uncertain numbers (``seed``); the result
    holds the 5, 50 and 95 % quantiles of each scalar output and the count of failed draws.
``plan``
    The multi-year plan under ``strategy``, published as the plan ``name`` (its targets: the
    plan's industrial output and each branch's gross output per year).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from autarky.errors import AutarkyError, ForbiddenError, ScenarioError
from autarky.service.models import Job, Principal, ScenarioVersion, Unit

__all__ = ["KINDS", "MAX_DRAWS", "MAX_LABELS", "DaskRunner", "LocalRunner", "Runner", "check_params",
           "create_job", "job_dict", "job_or_404", "recover", "run_job", "start_job"]

#: The kinds of job and what each does.
KINDS = {"analysis": "analyses of the stated scenario",
         "sweep": "analyses over draws of its uncertain numbers",
         "plan": "a multi-year plan, published as targets"}
#: The most draws a sweep job may ask for.
MAX_DRAWS = 100_000
#: The most labels (branches, partners) an output keeps in a job's result.
MAX_LABELS = 2_000


def check_params(kind: Any, params: Any) -> dict[str, Any]:
    """The parameters of a job of ``kind``, checked (errors name the field)."""
    from autarky.sweep.analyses import parse_run

    if kind not in KINDS:
        raise ScenarioError(f"kind is one of {', '.join(KINDS)}, not {kind!r}", field="kind")
    p = dict(params or {}) if isinstance(params, dict) or params is None else None
    if p is None:
        raise ScenarioError("params must be a mapping", field="params")
    if kind == "plan":
        name, strategy = p.get("name"), p.get("strategy", "free")
        if not isinstance(name, str) or not name.strip():
            raise ScenarioError("a plan to publish needs a name", field="params.name")
        if not isinstance(strategy, str) or not strategy.strip():
            raise ScenarioError("strategy must be a name", field="params.strategy")
        from autarky.service.watch import check_settings

        return {"name": name.strip(), "strategy": strategy.strip(),
                "settings": check_settings(p.get("settings"))}
    runs = p.get("runs")
    if not isinstance(runs, list) or not runs or not all(isinstance(r, str) for r in runs):
        raise ScenarioError("runs must be a list of analyses (optimize, 'stress SHOCK', ...)",
                            field="params.runs")
    for r in runs:
        try:
            parse_run(r)
        except AutarkyError as exc:
            raise ScenarioError(str(exc), field="params.runs") from None
    out: dict[str, Any] = {"runs": list(runs)}
    if kind == "sweep":
        draws, seed = p.get("draws"), p.get("seed", 0)
        if not isinstance(draws, int) or isinstance(draws, bool) or not 1 <= draws <= MAX_DRAWS:
            raise ScenarioError(f"draws must be a whole number from 1 to {MAX_DRAWS}",
                                field="params.draws")
        if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**63:
            raise ScenarioError("seed must be a non-negative whole number", field="params.seed")
        out.update(draws=draws, seed=seed)
    return out


def create_job(session: Session, by: Unit | Principal, version: ScenarioVersion, kind: Any,
               params: Any) -> Job:
    """A queued job (a planner only); a runner's ``submit(job.id)`` starts it."""
    if by.role != "planner":
        raise ForbiddenError(f"starting a run: only a planner may (unit {by.name!r} is a "
                             f"{by.role})")
    checked = check_params(kind, params)
    job = Job(kind=kind, params=json.dumps(checked), scenario_id=version.id, status="queued",
              progress=0.0, created_by=by.id)
    session.add(job)
    session.flush()
    return job


def start_job(session: Session, by: Unit | Principal, version: ScenarioVersion, kind: Any, params: Any,
              runner: Runner) -> Job:
    """Queue a job (:func:`create_job`), commit it, and hand it to ``runner``: the request
    answers at once, the worker finds the job stored."""
    job = create_job(session, by, version, kind, params)
    session.commit()
    runner.submit(job.id)
    return job


def job_or_404(session: Session, job_id: int) -> Job:
    """The job ``job_id``."""
    from autarky.errors import UnknownIdError

    job = session.get(Job, job_id)
    if job is None:
        raise UnknownIdError(f"no job {job_id}")
    return job


def job_dict(job: Job) -> dict[str, Any]:
    """A job as the API shows it."""
    return {"id": job.id, "kind": job.kind, "params": json.loads(job.params),
            "status": job.status, "progress": job.progress, "message": job.message,
            "runner": job.runner, "result": None if job.result is None else json.loads(job.result),
            "created_at": job.created_at.isoformat(),
            "started_at": job.started_at.isoformat() if job.started_at else None,
            "finished_at": job.finished_at.isoformat() if job.finished_at else None}


# ---------------------------------------------------------------------------- the work
def _num(v: Any) -> float | None:
    f = float(v)
    return f if math.isfinite(f) else None


def _summary(ds: Any, draws: bool) -> dict[str, Any]:
    """The scalar outputs of a sweep result (their quantiles over draws) and its statuses."""
    import numpy as np

    out: dict[str, Any] = {"outputs": {}}
    status = ds["draw_status"].values
    out["draws"] = int(status.size)
    out["failed_draws"] = int((status != 0).sum())
    for name, da in ds.data_vars.items():
        if name in ("input", "draw_status") or str(name).endswith(".status"):
            continue
        extra = [d for d in da.dims if d != "draw"]
        if len(extra) > 1 or da.dtype.kind not in "fiu":
            continue
        if extra:  # one value (or its quantiles) per branch, partner, ...
            if da.sizes[extra[0]] > MAX_LABELS:
                continue
            values: dict[str, Any] = {}
            for label in da[extra[0]].values:
                v = np.asarray(da.sel({extra[0]: label}).values, dtype=float).ravel()
                v = v[np.isfinite(v)]
                if v.size == 0:
                    values[str(label)] = None
                elif draws:
                    q = np.quantile(v, [0.05, 0.5, 0.95])
                    values[str(label)] = {"q05": _num(q[0]), "median": _num(q[1]),
                                          "q95": _num(q[2]), "n": int(v.size)}
                else:
                    values[str(label)] = _num(v[0])
            out["outputs"][str(name)] = {"unit": str(da.attrs.get("unit", "")),
                                         "description": str(da.attrs.get("description", "")),
                                         "by": extra[0], "values": values}
            continue
        v = np.asarray(da.values, dtype=float).ravel()
        v = v[np.isfinite(v)]
        entry: dict[str, Any] = {"unit": str(da.attrs.get("unit", "")),
                                 "description": str(da.attrs.get("description", ""))}
        if v.size == 0:
            entry["note"] = "no draw gave a value"
        elif draws:
            q = np.quantile(v, [0.05, 0.5, 0.95])
            entry.update(q05=_num(q[0]), median=_num(q[1]), q95=_num(q[2]), n=int(v.size))
        else:
            entry["value"] = _num(v[0])
        out["outputs"][str(name)] = entry
    return out


class _Progress:
    """Writes a job's progress in its own short transactions (throttled)."""

    def __init__(self, engine: Any, job_id: int) -> None:
        self.engine, self.job_id, self.last = engine, job_id, -1.0

    def __call__(self, done: float, total: float, message: str = "") -> None:
        from autarky.service.db import session_scope

        frac = 0.0 if total <= 0 else min(1.0, done / total)
        if frac - self.last < 0.01 and frac < 1.0 and not message:
            return
        self.last = frac
        with session_scope(self.engine) as s:
            job = s.get(Job, self.job_id)
            if job is not None:
                job.progress = frac
                if message:
                    job.message = message


def run_job(url: str, job_id: int, runner: str = "local") -> str:
    """Do job ``job_id`` of the database at ``url`` and record its result; returns its final
    status. Runs in a worker (a process of its own or a Dask worker): errors are recorded,
    never raised."""
    from autarky.service.db import make_engine, session_scope
    from autarky.service.store import publish_plan, read_body

    engine = make_engine(url)
    try:
        with session_scope(engine) as s:
            job = s.get(Job, job_id)
            if job is None or job.status != "queued":
                return "missing" if job is None else job.status
            job.status, job.runner = "running", runner
            job.started_at = dt.datetime.now(dt.UTC)
            kind, params = job.kind, json.loads(job.params)
            version_id, by_id = job.scenario_id, job.created_by
            version = s.get(ScenarioVersion, version_id)
            text = version.body if version is not None else ""
        progress = _Progress(engine, job_id)
        progress(0, 1, "reading the scenario")
        scn = read_body(text)
        if kind == "plan":
            from autarky.monitor.reports import targets_from_plan
            from autarky.plan.multiyear import multiyear

            progress(0.1, 1, f"solving the multi-year plan ({params['strategy']})")
            plan = multiyear(scn, params["strategy"])
            targets = targets_from_plan(plan)
            progress(0.9, 1, "publishing")
            with session_scope(engine) as s:
                by, stored = s.get(Unit, by_id), s.get(ScenarioVersion, version_id)
                assert by is not None and stored is not None
                pub = publish_plan(s, by, stored, params["name"], targets,
                                   f"multiyear {params['strategy']}", params["settings"])
                result: dict[str, Any] = {"plan_id": pub.id, "targets": len(targets),
                                          "status": plan.status}
        else:
            from autarky.sweep.engine import sweep

            draws = params.get("draws") if kind == "sweep" else None
            progress(0.05, 1, f"running {', '.join(params['runs'])}")
            ds = sweep(scn, params["runs"], draws=draws, seed=params.get("seed", 0),
                       scheduler="serial",
                       progress=lambda d, n: progress(d, n) if kind == "sweep" else None)
            result = _summary(ds, draws is not None)
        with session_scope(engine) as s:
            job = s.get(Job, job_id)
            assert job is not None
            job.status, job.progress, job.message = "done", 1.0, "done"
            job.result = json.dumps(result, allow_nan=False)
            job.finished_at = dt.datetime.now(dt.UTC)
        return "done"
    except Exception as exc:  # recorded for the planner: a run never takes the server down
        message = str(exc) if isinstance(exc, AutarkyError) else \
            f"internal error ({type(exc).__name__}): {exc}"
        with session_scope(engine) as s:
            job = s.get(Job, job_id)
            if job is not None:
                job.status, job.message = "failed", message[:2000]
                job.finished_at = dt.datetime.now(dt.UTC)
        return "failed"
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------- runners
class Runner(Protocol):
    """Where jobs run."""

    name: str

    def submit(self, job_id: int) -> Any:
        """Start job ``job_id``."""

    def close(self) -> None:
        """Stop taking jobs."""


class LocalRunner:
    """Jobs in a local worker process (spawned: nothing of the server's state is shared)."""

    name = "local"

    def __init__(self, url: str, workers: int = 1) -> None:
        self.url = url
        from autarky.service.watcher import die_with_parent

        self.pool = ProcessPoolExecutor(max_workers=workers,
                                        mp_context=multiprocessing.get_context("spawn"),
                                        initializer=die_with_parent, initargs=(os.getpid(),))

    def submit(self, job_id: int) -> Future[str]:
        return self.pool.submit(run_job, self.url, job_id, self.name)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


class DaskRunner:
    """Jobs on a Dask cluster (``tcp://HOST:PORT``); its workers must reach the database."""

    def __init__(self, url: str, address: str) -> None:
        from dask.distributed import Client

        self.url, self.name = url, f"dask {address}"
        self.client = Client(address, timeout=10)
        self.futures: dict[int, Any] = {}

    def submit(self, job_id: int) -> Any:
        fut = self.client.submit(run_job, self.url, job_id, self.name, pure=False,
                                 key=f"autarky-job-{job_id}")
        self.futures[job_id] = fut  # kept so that the cluster does not drop the task
        fut.add_done_callback(lambda f: self.futures.pop(job_id, None))
        return fut

    def close(self) -> None:
        self.client.close()


def recover(session: Session, runner: Runner) -> int:
    """At start: jobs left running by a stopped server are failed (said so), queued ones are
    submitted again; returns how many were resubmitted."""
    n = 0
    for job in session.scalars(select(Job).where(Job.status.in_(("queued", "running")))):
        if job.status == "running":
            job.status, job.message = "failed", "the server stopped while it ran; start it again"
            job.finished_at = dt.datetime.now(dt.UTC)
        else:
            n += 1
    session.flush()
    session.commit()
    for job in session.scalars(select(Job).where(Job.status == "queued")):
        runner.submit(job.id)
    return n
