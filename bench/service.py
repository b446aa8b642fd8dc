"""Benchmark of the plan-operations service (issue 15): many reporters against one plan.

* load: ``autarky serve --processes N`` (default one per CPU) runs in real separate processes
  on SQLite (a file in a temporary folder, WAL, ``synchronous=FULL``) and on PostgreSQL (a
  throw-away server of :class:`autarky.service.testing.PostgresServer`, ``fsync=on``); the
  planner stores the bundled ``island`` scenario through the API, publishes the plans and
  creates the reporters (each scoped to one branch). Each reporter, on a connection of its
  own (``aiohttp``, all in one asyncio process; its token verified on that connection before
  the clock starts), owns ``--figures-each`` figures of its branch and reports them in turn:
  a new figure, then revisions dated a day later each.

  - *closed loop*: ``--reports`` reports, every reporter sending its next one as soon as the
    last is answered: the most the service takes (latency then follows from Little's law,
    ``latency = reporters / throughput``);
  - *open loop*: to a second plan, reports due on a fixed schedule (the goal's ``--rate``, or
    ``--open-share`` of the closed loop's throughput when that is less), each latency counted
    from the moment the report was due;
  - one reporter alone, against the size of the plan (``--sweep-targets``).

  Every request is timed; an answer other than 201 is an error. After each run the planner
  reads the monitor and the stored revisions are counted in the database.
* monitoring recomputation: :func:`autarky.service.watch.watch` in-process on synthetic targets
  and reports for branches x periods, best of ``--repeat``.

Writes ``bench/results/service.md``. The load generator, the server and the database share the
machine's CPUs; the CPU time of each is recorded beside the numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import math
import os
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import numpy as np
from _common import ROOT, best, command_line, environment, environment_lines
from service_server import CpuWindow, Server
from service_workload import (
    BRANCHES,
    FIRST_DATE,
    FIRST_PERIOD,
    UNIT,
    Job,
    Workload,
    auth,
    check,
    plan_body,
    report_body,
    scaling,
    scaling_tables,
    target_value,
    workload,
)

from autarky.economy.reports import Report, Reports, Target, Targets
from autarky.service.watch import watch


# ---------------------------------------------------------------------------- running the load
@dataclass
class Run:
    """One load run: per-request latencies (seconds) and errors."""

    offered: float | None = None  # reports/s offered (open loop)
    reporters: int = 0
    planned: int = 0  # reports in the workload; fewer sent when stopped at the time limit
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    wall: float = 0.0
    cpu: CpuWindow | None = None

    def record(self, started: float, code: int, detail: str) -> None:
        """One answer (``code`` 0: no answer; ``detail``: the body or the exception)."""
        self.latencies.append(time.perf_counter() - started)
        self.statuses[code] = self.statuses.get(code, 0) + 1
        if code != 201:
            self.error_count += 1
            if len(self.errors) < 5:
                self.errors.append(f"HTTP {code}: {detail[:300]}")

    def stats(self) -> dict[str, float]:
        lat = np.asarray(self.latencies) * 1e3
        n = len(lat)
        return {"n": n, "wall": self.wall, "rate": n / self.wall if self.wall else 0.0,
                "mean": float(lat.mean()) if n else math.nan,
                **{f"p{q}": float(np.percentile(lat, q)) if n else math.nan
                   for q in (50, 95, 99)},
                "max": float(lat.max()) if n else math.nan, "errors": self.error_count}

    def cpu_text(self) -> str:
        return self.cpu.text() if self.cpu is not None else "-"


async def post_report(client: aiohttp.ClientSession, run: Run, plan: int, job: Job, k: int,
                      due: float | None = None) -> None:
    started = time.perf_counter() if due is None else due
    try:
        async with client.post(f"/api/plans/{plan}/reports", json=report_body(job, k)) as resp:
            code, detail = resp.status, await resp.text()
    except (aiohttp.ClientError, TimeoutError) as exc:
        code, detail = 0, repr(exc)
    run.record(started, code, detail)


def client_for(base: str, connections: int, token: str | None = None) -> httpx.AsyncClient:
    """The set-up's client (httpx)."""
    return httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(300.0, pool=None),
                             headers=auth(token) if token else None,
                             limits=httpx.Limits(max_connections=connections,
                                                 max_keepalive_connections=connections))


def reporter_client(base: str, token: str) -> aiohttp.ClientSession:
    """A reporter's client in the measured runs: aiohttp, one kept-alive connection. It costs
    the shared CPUs about a third of what httpx does per request (measured side by side)."""
    return aiohttp.ClientSession(base_url=base, headers=auth(token),
                                 connector=aiohttp.TCPConnector(limit=1),
                                 timeout=aiohttp.ClientTimeout(total=300.0))


async def load(base: str, plan: int, tokens: list[str], work: Workload, cpu: CpuWindow,
               rate: float | None = None, max_seconds: float = math.inf) -> Run:
    """Each reporter on a connection of its own sends its reports in order. Closed loop
    (``rate`` None): the next as soon as the last is answered. Open loop: report ``i`` of the
    reporters' reports interleaved round-robin is due at ``t0 + i / rate``; a reporter sends
    each when due or, when its last answer comes later, on that answer; the latency counts
    from the moment the report was due. No report is sent after ``max_seconds``."""
    due: list[list[float]] = [[0.0] * len(j) for j in work.jobs]
    if rate is not None:
        i = 0
        for rnd in range(max(len(j) for j in work.jobs)):
            for k, jobs in enumerate(work.jobs):
                if rnd < len(jobs):
                    due[k][rnd] = i / rate
                    i += 1
    run = Run(offered=rate, reporters=len(work.jobs), planned=work.reports, cpu=cpu)
    clients = [reporter_client(base, t) for t in tokens[:len(work.jobs)]]
    try:
        async def reporter(k: int) -> None:
            for job, at in zip(work.jobs[k], due[k], strict=True):
                if time.perf_counter() - t0 > max_seconds:
                    return
                if rate is None:
                    await post_report(clients[k], run, plan, job, k)
                    continue
                delay = t0 + at - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                await post_report(clients[k], run, plan, job, k, t0 + at)

        # each reporter's connection opened and its token verified by the server process
        # that connection landed on (argon2, then cached in that process), before the clock
        sem = asyncio.Semaphore(8)

        async def connect(c: aiohttp.ClientSession) -> None:
            async with sem, c.get("/api/me") as resp:
                await resp.read()

        await asyncio.gather(*(connect(c) for c in clients))
        # and once more, all verified now: no connection has been idle for the server's
        # keep-alive timeout (5 s) when the clock starts (the first pass took longer)
        await asyncio.gather(*(connect(c) for c in clients))
        cpu.start()
        t0 = time.perf_counter()
        await asyncio.gather(*(reporter(k) for k in range(len(work.jobs))))
        run.wall = time.perf_counter() - t0
        cpu.stop()
    finally:
        await asyncio.gather(*(c.close() for c in clients))
    return run


async def sequential(base: str, plan: int, token: str, reports: int, periods: int
                     ) -> list[float]:
    """One reporter, one connection: ``reports`` new figures of agriculture (spread over the
    plan's periods), one after the other; the latency of each (seconds)."""
    out = []
    step = max(1, periods // reports)
    async with reporter_client(base, token) as client:
        for i in range(reports):
            job = Job(BRANCHES[0], FIRST_PERIOD + (i * step) % periods,
                      round(target_value(0, FIRST_PERIOD + i * step) * 1.01, 1), FIRST_DATE)
            t = time.perf_counter()
            async with client.post(f"/api/plans/{plan}/reports",
                                   json=report_body(job, 0)) as resp:
                body = await resp.text()
            if resp.status != 201:
                raise RuntimeError(f"report to a plan of {len(BRANCHES) * periods} targets: "
                                   f"HTTP {resp.status}: {body[:300]}")
            out.append(time.perf_counter() - t)
    return out


async def make_reporters(base: str, planner: str, n: int, concurrency: int = 8) -> list[str]:
    tokens: list[str] = [""] * n
    sem = asyncio.Semaphore(concurrency)
    async with client_for(base, concurrency, planner) as client:
        async def one(k: int) -> None:
            async with sem:
                resp = await client.post("/api/units", json={
                    "name": f"reporter-{k:03d}", "role": "reporter",
                    "branches": [BRANCHES[k % len(BRANCHES)]]})
                tokens[k] = check(resp, 201, f"creating reporter {k}")["token"]

        await asyncio.gather(*(one(k) for k in range(n)))
    return tokens


async def warm_up(base: str, tokens: list[str], concurrency: int = 8
                  ) -> tuple[dict[int, int], list[str]]:
    """Each reporter's token verified once, ``concurrency`` at a time (argon2; the service
    then caches it): the statuses and the first errors."""
    sem = asyncio.Semaphore(concurrency)
    statuses: dict[int, int] = {}
    errors: list[str] = []
    async with client_for(base, concurrency) as client:
        async def me(t: str) -> None:
            async with sem:
                try:
                    resp = await client.get("/api/me", headers=auth(t))
                    code = resp.status_code
                    if code != 200:
                        errors.append(f"HTTP {code}: {resp.text[:300]}")
                except httpx.HTTPError as exc:
                    code = 0
                    errors.append(repr(exc))
                statuses[code] = statuses.get(code, 0) + 1

        await asyncio.gather(*(me(t) for t in tokens))
    return statuses, errors[:5]


def stored_revisions(url: str, plan: int) -> int:
    """Revisions of the plan's reports in the database (a read-only count)."""
    from sqlalchemy import func, select

    from autarky.service.db import make_engine
    from autarky.service.models import ReportedFigure, ReportRevision

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(ReportRevision).join(
                ReportedFigure).where(ReportedFigure.plan_id == plan)) or 0)
    finally:
        engine.dispose()


def watcher_idle(base: str, quiet: float = 3.0, limit: float = 120.0) -> int:
    """Wait until the watcher has not finished a recomputation for ``quiet`` seconds; the
    number of recomputations so far."""
    deadline = time.monotonic() + limit
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        done = int(httpx.get(f"{base}/api/health", timeout=60).json()["recomputed"])
        if done != last:
            last, since = done, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
        time.sleep(0.5)
    return last


@dataclass
class BackendResult:
    name: str
    detail: str
    setup: dict[str, float] = field(default_factory=dict)
    runs: dict[str, Run] = field(default_factory=dict)
    after: dict[str, dict[str, Any]] = field(default_factory=dict)
    sweep: dict[int, list[float]] = field(default_factory=dict)
    warm_statuses: dict[int, int] = field(default_factory=dict)
    warm_errors: list[str] = field(default_factory=list)
    watcher_errors: list[str] = field(default_factory=list)
    server_log: str = ""
    exceptions: dict[str, int] = field(default_factory=dict)
    run_exceptions: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Options:
    reports: int
    reporters: int
    concurrency: tuple[int, ...]
    max_seconds: float
    figures_each: int
    goal_rate: float
    open_share: float
    open_seconds: float
    sweep_targets: tuple[int, ...]
    sweep_reports: int
    seed: int
    serve_args: tuple[str, ...] = ()
    processes: int = 1
    threads: int = 16


def after_run(res: BackendResult, kind: str, server: Server, url: str, plan: int, before: int
              ) -> None:
    """The planner reads the monitor twice; the revisions stored are counted."""
    with httpx.Client(base_url=server.base, timeout=600, headers=auth(server.token)) as c:
        t = time.perf_counter()
        mon = check(c.get(f"/api/plans/{plan}/monitor"), 200, "monitor")
        t_mon = time.perf_counter() - t
        t = time.perf_counter()
        again = check(c.get(f"/api/plans/{plan}/monitor"), 200, "monitor")
        t_again = time.perf_counter() - t
    done = watcher_idle(server.base)
    res.after[kind] = {"monitor_s": t_mon, "monitor_again_s": t_again,
                       "revisions_seen": mon["revisions"], "flags": len(mon["flags"]),
                       "alerts": len(again["alerts"]), "stored": stored_revisions(url, plan),
                       "recomputations": done - before}
    print(f"{res.name} {kind} after: {res.after[kind]}", flush=True)


def run_backend(name: str, detail: str, url: str, folder: Path, opt: Options) -> BackendResult:
    res = BackendResult(name, detail)
    server = Server(url, folder, opt.serve_args)
    t = time.perf_counter()
    server.start()
    res.setup["start `autarky serve` (migrations, planner, uvicorn)"] = time.perf_counter() - t
    assert server.proc is not None
    work = workload(opt.reports, opt.reporters, opt.figures_each, opt.seed)
    closed = [f"closed {n}" for n in opt.concurrency]
    try:
        with httpx.Client(base_url=server.base, timeout=600, headers=auth(server.token)) as c:
            t = time.perf_counter()
            scenario = check(c.post("/api/scenarios", json={"bundled": "island"}), 201,
                             "storing island")["token"]
            res.setup["store the bundled island scenario"] = time.perf_counter() - t
            plans = {}
            for kind in [*closed, "open"]:
                t = time.perf_counter()
                plans[kind] = check(c.post("/api/plans", json=plan_body(
                    f"bench {kind}", scenario, work.periods)), 201, "publishing")["id"]
                res.setup[f"publish a plan of {work.targets:,} targets"] = (
                    time.perf_counter() - t)
            sweep_plans = {}
            for n in opt.sweep_targets:
                periods = math.ceil(n / len(BRANCHES))
                t = time.perf_counter()
                sweep_plans[n] = (check(c.post("/api/plans", json=plan_body(
                    f"bench sweep {n}", scenario, periods)), 201, "publishing")["id"], periods)
                res.setup[f"publish a plan of {len(BRANCHES) * periods:,} targets"] = (
                    time.perf_counter() - t)
        t = time.perf_counter()
        tokens = asyncio.run(make_reporters(server.base, server.token, opt.reporters))
        res.setup[f"create {opt.reporters} reporters (an argon2 hash each; 8 requests at a "
                  "time)"] = time.perf_counter() - t
        t = time.perf_counter()
        res.warm_statuses, res.warm_errors = asyncio.run(warm_up(server.base, tokens))
        res.setup["first request of each reporter (an argon2 verification each, then cached; "
                  "8 at a time)"] = time.perf_counter() - t
        print(f"{name}: set up {res.setup}", flush=True)

        for kind, n in zip(closed, opt.concurrency, strict=True):
            before = watcher_idle(server.base)
            since = len(server.stderr())
            job = workload(opt.reports, min(n, opt.reporters), opt.figures_each, opt.seed)
            run = asyncio.run(load(server.base, plans[kind], tokens, job,
                                   CpuWindow(server.proc.pid, server.processes), None, opt.max_seconds))
            res.runs[kind] = run
            print(f"{name} {kind}: {run.stats()} {run.cpu_text()}", flush=True)
            after_run(res, kind, server, url, plans[kind], before)
            res.run_exceptions[kind] = server.exceptions(since)

        clean = [r.stats()["rate"] for r in res.runs.values() if not r.error_count]
        capacity = max(clean or [r.stats()["rate"] for r in res.runs.values()])
        rate = min(opt.goal_rate, opt.open_share * capacity)
        n_open = min(opt.reports, max(opt.reporters, math.ceil(rate * opt.open_seconds)))
        open_work = workload(n_open, opt.reporters, opt.figures_each, opt.seed + 1)
        before = watcher_idle(server.base)
        since = len(server.stderr())
        run = asyncio.run(load(server.base, plans["open"], tokens, open_work,
                               CpuWindow(server.proc.pid, server.processes), rate, 3 * opt.open_seconds))
        res.runs["open"] = run
        print(f"{name} open loop at {rate:.1f}/s: {run.stats()} {run.cpu_text()}", flush=True)
        after_run(res, "open", server, url, plans["open"], before)
        res.run_exceptions["open"] = server.exceptions(since)

        for n, (plan, periods) in sweep_plans.items():
            watcher_idle(server.base)
            res.sweep[n] = asyncio.run(sequential(server.base, plan, tokens[0],
                                                  opt.sweep_reports, periods))
            print(f"{name} one reporter, plan of {n} targets: p50 "
                  f"{1e3 * float(np.median(res.sweep[n])):.1f} ms", flush=True)
        health = httpx.get(f"{server.base}/api/health", timeout=60).json()
        res.watcher_errors = list(health.get("watcher_errors", []))
    finally:
        server.stop()
        res.server_log = server.stderr_tail()
        res.exceptions = server.exceptions()
    return res


# ---------------------------------------------------------------------------- watch scaling
def synthetic_plan(work: Workload) -> tuple[Targets, Reports, list[str]]:
    """The load's plan with every report of the closed loop in it (what the watcher
    recomputes at the end of the run)."""
    ts = [Target(b, FIRST_PERIOD + p, target_value(i, FIRST_PERIOD + p), UNIT)
          for i, b in enumerate(BRANCHES) for p in range(work.periods)]
    rs = [Report(j.branch, j.period, j.value, UNIT, dt.date.fromisoformat(j.reported_at))
          for jobs in work.jobs for j in jobs]
    newest = {(j.branch, j.period): repr(j.value) for jobs in work.jobs for j in jobs}
    return Targets(ts), Reports(rs), list(newest.values())


# ---------------------------------------------------------------------------- the results
def ms(v: float) -> str:
    return "-" if v != v else f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b and a == a and b == b else "-"


def load_table(results: list[BackendResult], kinds: list[str]) -> list[str]:
    cols = ["backend", "reporters", "offered reports/s", "reports sent (planned)", "wall s",
            "reports/s", "mean ms", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors",
            "CPU during the run"]
    rows = ["| " + " | ".join(cols) + " |", "|---" * len(cols) + "|"]
    for kind in kinds:
        stats = []
        for r in results:
            if kind not in r.runs:
                continue
            run = r.runs[kind]
            s = run.stats()
            stats.append(s)
            offered = "as fast as answered" if run.offered is None else f"{run.offered:.1f}"
            rows.append(f"| {r.name} | {run.reporters} | {offered} | {s['n']:,} "
                        f"({run.planned:,}) | {s['wall']:.1f} | **{s['rate']:.1f}** | "
                        f"{ms(s['mean'])} | {ms(s['p50'])} | {ms(s['p95'])} | "
                        f"**{ms(s['p99'])}** | {ms(s['max'])} | {s['errors']:,} | "
                        f"{run.cpu_text()} |")
        if len(stats) == 2:
            a, b = stats[1], stats[0]
            rows.append("| PostgreSQL / SQLite | | | | " + " | ".join(
                ratio(a[k], b[k]) for k in ("wall", "rate", "mean", "p50", "p95", "p99", "max"))
                + " | | |")
    return rows


def after_table(results: list[BackendResult]) -> list[str]:
    rows = ["| backend | run | revisions stored (reports answered 201) | monitor read after the "
            "run s | read again s | watcher recomputations during the run and until idle | "
            "flags | alerts |", "|---" * 8 + "|"]
    for r in results:
        for kind, a in r.after.items():
            ok = len(r.runs[kind].latencies) - r.runs[kind].error_count
            rows.append(f"| {r.name} | {kind} | {a['stored']:,} ({ok:,}) | "
                        f"{a['monitor_s']:.2f} | {a['monitor_again_s']:.2f} | "
                        f"{a['recomputations']} | {a['flags']:,} | {a['alerts']:,} |")
    return rows


def sweep_table(results: list[BackendResult]) -> list[str]:
    sizes = list(dict.fromkeys(n for r in results for n in r.sweep))
    head = ["targets"]
    for r in results:
        head += [f"{r.name} p50 ms", f"{r.name} max ms"]
    if len(results) == 2:
        head.append("PostgreSQL / SQLite p50")
    rows = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for n in sizes:
        cells = [f"{len(BRANCHES) * math.ceil(n / len(BRANCHES)):,}"]
        p50s = []
        for r in results:
            lat = np.asarray(r.sweep.get(n, [math.nan])) * 1e3
            p50s.append(float(np.median(lat)))
            cells += [ms(p50s[-1]), ms(float(lat.max()))]
        if len(results) == 2:
            cells.append(ratio(p50s[1], p50s[0]))
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def setup_table(results: list[BackendResult]) -> list[str]:
    keys = list(dict.fromkeys(k for r in results for k in r.setup))
    rows = ["| step, seconds | " + " | ".join(r.name for r in results) + " |",
            "|---" * (len(results) + 1) + "|"]
    for k in keys:
        rows.append(f"| {k} | " + " | ".join(f"{r.setup.get(k, math.nan):.2f}"
                                              for r in results) + " |")
    return rows


def errors_lines(results: list[BackendResult]) -> list[str]:
    lines = []
    for r in results:
        if set(r.warm_statuses) - {200}:
            lines.append(f"- {r.name}, every reporter's first request (GET /api/me, 8 at a "
                         f"time): statuses {r.warm_statuses}; the first errors:")
            lines += [f"  - `{e}`" for e in r.warm_errors]
        for kind, run in r.runs.items():
            if run.errors:
                lines.append(f"- {r.name}, {kind}: {run.error_count:,} errors "
                             f"(statuses {run.statuses}); the first:")
                lines += [f"  - `{e}`" for e in run.errors]
            if r.run_exceptions.get(kind):
                lines.append("  - in the server's log during the run and until the watcher was "
                             "idle: " + "; ".join(f"{n} x `{e[:120]}`" for e, n in sorted(
                                 r.run_exceptions[kind].items(), key=lambda kv: -kv[1])[:4]))
        if r.watcher_errors:
            lines.append(f"- {r.name}: watcher errors (from /api/health): "
                         + "; ".join(f"`{e[:300]}`" for e in r.watcher_errors))
        if r.exceptions:
            lines.append(f"- {r.name}: exceptions in the whole server log (count, the last line "
                         "of each traceback):")
            lines += [f"  - {n} x `{e}`" for e, n in sorted(r.exceptions.items(),
                                                          key=lambda kv: -kv[1])[:8]]
    return lines or ["- none: every request was answered 2xx and the watcher reported no error."]


def closed_kinds(results: list[BackendResult]) -> list[str]:
    return list(dict.fromkeys(k for r in results for k in r.runs if k.startswith("closed")))


def reading(results: list[BackendResult], opt: Options, work: Workload,
            times: dict[tuple[int, int], float], plan_watch: float) -> list[str]:
    out = []
    by = {r.name: r for r in results}
    pg, lite = by.get("PostgreSQL"), by.get("SQLite")
    if pg is not None and "open" in pg.runs:
        closed = {k: pg.runs[k].stats() for k in pg.runs if k.startswith("closed")}
        top = max(closed, key=lambda k: closed[k]["rate"])
        c, o = closed[top], pg.runs["open"].stats()
        offered = pg.runs["open"].offered or 0.0
        met = c["rate"] >= opt.goal_rate and o["p99"] < 100 and not o["errors"]
        out.append(
            f"- **Goal on PostgreSQL (p99 under 100 ms and at least {opt.goal_rate:.0f} "
            f"reports/s with {opt.reporters} reporters): {'met' if met else 'not met'}.** The "
            f"most it took was {c['rate']:.1f} reports/s ({pg.runs[top].reporters} reporters "
            f"back to back, p99 {c['p99']:,.0f} ms, {c['errors']:,} errors); offered "
            f"{offered:.1f} reports/s by {pg.runs['open'].reporters} reporters"
            + (" (the goal's rate)" if offered >= opt.goal_rate else
               f" ({opt.open_share:.0%} of that, not the goal's rate, which it cannot carry)")
            + f", the p99 was {o['p99']:,.0f} ms with {o['errors']:,} errors.")
    for r in results:
        for k in [*closed_kinds([r]), "open"]:
            run = r.runs.get(k, Run())
            if run.error_count:
                v = run.cpu.values if run.cpu is not None else {}
                server = v.get("server", math.nan) / v.get("wall", math.nan) if v else math.nan
                idle = server < 0.2
                how = ("at once" if run.offered is None else
                       f"sending {run.offered:.1f} reports/s in all (the open loop)")
                out.append(
                    f"- {r.name}, {run.reporters} reporters {how}: {run.error_count:,} of "
                    f"{len(run.latencies):,} reports failed (statuses {run.statuses}; 0: the "
                    f"connection failed or was closed by the server), "
                    f"{len(run.latencies) / run.wall:.1f} were answered a second and the "
                    f"slowest took {max(run.latencies):.0f} s; the server used {server:.2f} CPUs"
                    + (": it was waiting, not working" if idle else "")
                    + " (the exceptions are under Errors).")
    if any(r.exceptions for r in results):
        out.append(
            "- Server exceptions were logged (under Errors): read them before the numbers. A "
            f"request runs its database work in one of the {opt.threads} request threads of "
            "its process, from its first query to its commit, with a connection of its own.")
    if lite is not None and pg is not None:
        for k in closed_kinds(results):
            if k in lite.runs and k in pg.runs:
                a, b = pg.runs[k].stats(), lite.runs[k].stats()
                out.append(f"- PostgreSQL against SQLite, {pg.runs[k].reporters} reporters "
                           f"back to back: {ratio(a['rate'], b['rate'])}x the throughput, "
                           f"{ratio(a['p50'], b['p50'])}x the p50 and {ratio(a['p99'], b['p99'])}x "
                           "the p99.")
    out.append(
        "- Reporters that each wait for their answer see a mean latency of reporters / "
        f"throughput (Little's law): with {opt.reporters} of them back to back, a p99 under "
        f"100 ms would need well over {opt.reporters / 0.1:,.0f} reports/s. The goal's two "
        "numbers can only hold together for reporters that send at a rate (the open loop).")
    if any(r.sweep for r in results):
        parts = []
        for r in results:
            if r.sweep:
                lo, hi = min(r.sweep), max(r.sweep)
                parts.append(f"{r.name} {1e3 * float(np.median(r.sweep[lo])):.0f} ms at {lo:,} "
                             f"targets and {1e3 * float(np.median(r.sweep[hi])):.0f} ms at "
                             f"{hi:,}")
        out.append(
            "- The size of the plan: a report checks its branch, period and unit against the "
            "plan's shape, read once per server process and kept (published plans do not "
            "change), and then runs one SELECT and one or two INSERTs. One reporter alone, "
            "p50: " + "; ".join(parts) + ".")
    out.append(
        "- Every accepted report pokes the watcher of its server process; the watcher "
        "recomputes the plan's monitoring in a worker process of its own (one BLAS thread), "
        "at most once per watch interval (1 s) and for at most a fifth of the time, counting "
        "the snapshots the other server processes stored. In-process, `watch` on the load's "
        f"plan shape ({len(BRANCHES)} branches x {work.periods:,} periods, every figure "
        f"reported, {work.reports // max(1, work.figures)} reports each) takes "
        f"{plan_watch:.2f} s; its CPU is the watcher column of the tables.")
    small, big = min(times), max(times)
    out.append(
        f"- Recomputation scaling: {times[small]:.3f} s at {small[0]} x {small[1]} and "
        f"{times[big]:.2f} s at {big[0]} x {big[1]} branches x periods "
        f"({1e3 * times[small] / (small[0] * small[1]):.2f} and "
        f"{1e3 * times[big] / (big[0] * big[1]):.2f} ms per branch-period): roughly in "
        "proportion to the branch-periods, with a fixed part per call and per branch (a "
        "forecast fitted per branch).")
    out.append(
        f"- Bounds of this measurement: the server is `autarky serve --processes "
        f"{opt.processes}` ({opt.processes} uvicorn processes on one socket, httptools and "
        f"uvloop, {opt.threads} request threads each); the load generator (aiohttp, one "
        "asyncio process), the database and the watcher run on the same 2 CPUs, and other "
        "work on the machine as well (the load averages above), so their CPU time (in the "
        "tables) is taken from the server. Each reporter keeps one connection for a run; its "
        "token is verified (argon2) by the server process that connection reached before the "
        "clock starts, and then cached there, so argon2 is not in the measured requests. "
        "SQLite runs with `synchronous=FULL` and PostgreSQL with `fsync=on`, on this "
        "machine's disk. Runs stop sending after the time limit "
        f"({opt.max_seconds:.0f} s), so a run may send fewer reports than planned.")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=10_000, help="reports in the closed loop")
    ap.add_argument("--reporters", type=int, default=200,
                    help="reporters (all of them send in the open loop)")
    ap.add_argument("--concurrency", default="200,30",
                    help="closed loops: this many of the reporters back to back, each")
    ap.add_argument("--max-seconds", type=float, default=60.0,
                    help="a closed loop sends no report after this many seconds")
    ap.add_argument("--figures-each", type=int, default=2,
                    help="figures each reporter owns (the plan has about reporters x this "
                         "targets); reports beyond them are revisions")
    ap.add_argument("--rate", type=float, default=500.0,
                    help="the goal's rate (reports/s): the open loop offers it, or "
                         "--open-share of the closed loop's throughput when that is less")
    ap.add_argument("--open-share", type=float, default=0.9,
                    help="the open loop's rate: the goal's, or this share of the closed "
                    "loop's throughput when that is less")
    ap.add_argument("--open-seconds", type=float, default=45.0,
                    help="the open loop sends about this many seconds of reports (at most "
                         "--reports)")
    ap.add_argument("--sweep-targets", default="200,1000,3000,10000",
                    help="plan sizes for one reporter's reports one after the other")
    ap.add_argument("--sweep-reports", type=int, default=10)
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--branches", default="3,10,30,100", help="watch scaling: branches")
    ap.add_argument("--periods", default="5,10,20,40", help="watch scaling: periods")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true",
                    help="a quick run: 600 reports from 30 reporters, a shorter open loop, "
                         "smaller sweeps")
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--processes", type=int, default=os.cpu_count() or 1,
                    help="`autarky serve --processes` (default: one per CPU)")
    ap.add_argument("--threads", type=int, default=16, help="`autarky serve --threads`")
    ap.add_argument("--serve-args", default="",
                    help="more options for `autarky serve`, e.g. '--threads 32'")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "service.md"))
    args = ap.parse_args()
    if args.quick:
        args.reports, args.reporters = min(args.reports, 600), min(args.reporters, 30)
        args.concurrency = "30"
        args.open_seconds, args.sweep_targets, args.sweep_reports = 20.0, "200,3000", 10
        args.branches, args.periods, args.repeat = "3,10,30", "5,10,20", 1
    opt = Options(args.reports, args.reporters,
                  tuple(int(c) for c in args.concurrency.split(",") if c), args.max_seconds,
                  args.figures_each, args.rate, args.open_share,
                  args.open_seconds, tuple(int(s) for s in args.sweep_targets.split(",") if s),
                  args.sweep_reports, args.seed,
                  ("--processes", str(args.processes), "--threads", str(args.threads),
                   *shlex.split(args.serve_args)), args.processes, args.threads)
    branches = [int(s) for s in args.branches.split(",") if s]
    periods = [int(s) for s in args.periods.split(",") if s]
    backends = [s.strip().lower() for s in args.backends.split(",") if s.strip()]
    env = environment({"httpx": httpx.__version__, "aiohttp": aiohttp.__version__})
    work = workload(opt.reports, opt.reporters, opt.figures_each, opt.seed)
    t_start = time.perf_counter()
    results: list[BackendResult] = []
    with tempfile.TemporaryDirectory(prefix="autarky-bench-service-") as tmp:
        if "sqlite" in backends:
            folder = Path(tmp) / "sqlite"
            folder.mkdir()
            results.append(run_backend("SQLite", "a file in a temporary folder, WAL, "
                                       "synchronous=FULL", f"sqlite:///{folder / 'ops.db'}",
                                       folder, opt))
        from autarky.service.testing import PostgresServer, find_binaries

        if "postgresql" in backends and find_binaries() is None:
            print("PostgreSQL is not installed (Debian: apt-get install -y postgresql): "
                  "SQLite only", file=sys.stderr)
            backends.remove("postgresql")
        if "postgresql" in backends:
            folder = Path(tmp) / "pg"
            folder.mkdir()
            with PostgresServer(fsync=True) as pg:
                version = subprocess.run([str(pg.bin / "postgres"), "--version"],
                                         capture_output=True, text=True).stdout.strip()
                results.append(run_backend("PostgreSQL", f"{version}, fsync=on, a server of "
                                           "its own (PostgresServer)",
                                           pg.create_database("bench"), folder, opt))
    load_wall = time.perf_counter() - t_start
    times = scaling(branches, periods, args.repeat)
    plan_shape = synthetic_plan(work)
    plan_watch = best(lambda: watch(*plan_shape, {}), 1)
    print(f"watch on the load's plan shape: {plan_watch:.2f} s", flush=True)
    per_figure = work.reports / max(1, work.figures)
    text = "\n".join([
        "# Plan-operations service benchmark (issue 15)", "",
        "Run by `make bench` (`python bench/service.py`). `autarky serve --processes "
        f"{opt.processes}` runs in processes of its own on each database in turn; the "
        "reporters are one asyncio process of `aiohttp` clients on the same machine.", "",
        *environment_lines(env, command_line()),
        "- databases: " + "; ".join(f"{r.name}: {r.detail}" for r in results),
        f"- the load runs and their set-up took {load_wall:.0f} s", "",
        "## The load", "",
        f"{opt.reporters} reporters, each with a connection of its own and scoped to one of "
        f"the {len(BRANCHES)} branches of `island`, report to one plan of {work.targets:,} "
        f"targets (yearly periods {FIRST_PERIOD} to {FIRST_PERIOD + work.periods - 1}). Each "
        f"reporter owns {opt.figures_each} figures and reports them in turn, a new figure "
        f"first and then revisions dated a day later each: {work.figures:,} figures and "
        f"{work.revisions:,} revisions in the closed loop ({per_figure:.0f} reports per "
        "figure). Latency: from sending a report (open loop: from the moment it was due) to "
        "its answer; an answer other than 201 is an error. The open loop goes to a second "
        "plan of the same shape.", "",
        "### Closed loop: each reporter sends its next report when answered", "",
        f"With {' and then '.join(str(min(n, opt.reporters)) for n in opt.concurrency)} of "
        f"the reporters (each run to a plan of its own, at most {opt.reports:,} reports, no "
        f"report sent after {opt.max_seconds:.0f} s).", "",
        *load_table(results, closed_kinds(results)), "",
        "### Open loop: reports sent on a schedule, whatever the answers", "",
        f"Offered: the goal's {opt.goal_rate:.0f} reports/s, or {opt.open_share:.0%} of the "
        f"closed loop's throughput on that database when that is less; "
        f"{opt.open_seconds:.0f} s of reports at that rate, at most {opt.reports:,} reports.",
        "",
        *load_table(results, ["open"]), "",
        "### After each run", "",
        "The planner reads the monitor (recomputed on the spot when a report came in since the "
        "stored snapshot; the second read is the snapshot); the revisions are counted in the "
        "database.", "",
        *after_table(results), "",
        "### One reporter against the size of the plan", "",
        f"{opt.sweep_reports} new figures sent one after the other by one reporter, to plans "
        "of 3 branches x N periods (after the load runs, on the same server).", "",
        *sweep_table(results), "",
        "### Set-up (through the API)", "", *setup_table(results), "",
        "### Errors", "", *errors_lines(results), "",
        "## Monitoring recomputation against branches and periods", "",
        "`autarky.service.watch.watch(targets, reports, written, settings)` in-process on "
        "synthetic plans (every period reported, one figure in ten revised; default settings: "
        f"the local-linear-trend forecast), best of {args.repeat}.", "",
        *scaling_tables(times, branches, periods), "",
        f"The load's plan shape ({len(BRANCHES)} branches x {work.periods:,} periods, "
        f"{per_figure:.0f} reports per figure, one run): {plan_watch:.2f} s.", "",
        "## Reading", "",
        *reading(results, opt, work, times, plan_watch), "",
    ])
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)
    for r in results:
        if r.exceptions or r.watcher_errors:
            print(f"{r.name} server log (end):\n{r.server_log}", file=sys.stderr)


if __name__ == "__main__":
    main()
