"""The workload of bench/service.py: what each reporter sends (its figures, revisions and
dates), the request bodies, and the synthetic plans on which the monitoring recomputation is
timed against branches x periods."""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from typing import Any

import httpx
from _common import best

from autarky.economy.reports import Report, Reports, Target, Targets
from autarky.service.watch import watch

BRANCHES = ("agriculture", "manufacturing", "services")
UNIT = "EUR million"
FIRST_PERIOD = 1001
FIRST_DATE = "2025-01-15"
REVISION_DATE = "2025-03-15"



# ---------------------------------------------------------------------------- the workload
@dataclass(frozen=True)
class Job:
    """One report to send."""

    branch: str
    period: int
    value: float
    reported_at: str


@dataclass
class Workload:
    """What each reporter sends: ``jobs[k]`` for reporter ``k``, in order."""

    periods: int
    figures: int
    jobs: list[list[Job]]

    @property
    def reports(self) -> int:
        return sum(len(j) for j in self.jobs)

    @property
    def revisions(self) -> int:
        return self.reports - self.figures

    @property
    def targets(self) -> int:
        return len(BRANCHES) * self.periods


def target_value(branch: int, period: int) -> float:
    return round(100.0 * (branch + 1) + 0.05 * (period - FIRST_PERIOD), 1)


def workload(reports: int, reporters: int, figures_each: int, seed: int) -> Workload:
    """``reports`` reports from ``reporters`` reporters: reporter ``k`` reports branch
    ``k % 3`` and owns ``figures_each`` figures of it (yearly periods from 1001, its own), which
    it reports in turn: first a new figure, then revisions, each dated a day after the last
    (a revision must be dated after the one it replaces). The plan has a target for every
    period of every branch, as many periods as the branch with the most reporters needs."""
    rng = random.Random(seed)
    nb = len(BRANCHES)
    periods = math.ceil(reporters / nb) * figures_each
    first = dt.date.fromisoformat(FIRST_DATE)
    jobs: list[list[Job]] = []
    figures = 0
    for k in range(reporters):
        b, slot = k % nb, k // nb
        count = reports // reporters + (k < reports % reporters)
        last: dict[int, float] = {}
        mine: list[Job] = []
        for r in range(count):
            j, rev = r % figures_each, r // figures_each
            period = FIRST_PERIOD + slot * figures_each + j
            if j in last:
                value = round(last[j] * rng.uniform(0.97, 1.03), 1)
            else:
                value = round(target_value(b, period) * rng.uniform(0.9, 1.1), 1)
                figures += 1
            last[j] = value
            mine.append(Job(BRANCHES[b], period, value,
                            (first + dt.timedelta(days=rev)).isoformat()))
        jobs.append(mine)
    return Workload(periods, figures, jobs)


def plan_body(name: str, scenario: str, periods: int) -> dict[str, Any]:
    return {"name": name, "scenario": scenario, "settings": {},
            "targets": [{"branch": b, "period": FIRST_PERIOD + p, "unit": UNIT,
                         "value": target_value(i, FIRST_PERIOD + p)}
                        for i, b in enumerate(BRANCHES) for p in range(periods)]}


def report_body(job: Job, k: int) -> dict[str, Any]:
    return {"branch": job.branch, "period": job.period, "value": job.value, "unit": UNIT,
            "reported_at": job.reported_at, "source": f"bench reporter {k}", "note": ""}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def check(resp: httpx.Response, status: int, what: str) -> Any:
    if resp.status_code != status:
        raise RuntimeError(f"{what}: HTTP {resp.status_code}: {resp.text[:500]}")
    return resp.json()



# ---------------------------------------------------------------------------- watch scaling
def synthetic(branches: int, periods: int, seed: int = 0
              ) -> tuple[Targets, Reports, list[str]]:
    """Targets growing 3 % a period; every period reported (within +-8 % of its target) and
    one figure in ten revised a month later."""
    rng = random.Random(seed)
    ts, rs, written = [], [], []
    first = dt.date(2025, 1, 15)
    for b in range(branches):
        base = 50.0 + 10.0 * b
        for p in range(periods):
            period = 2001 + p
            target = base * 1.03 ** p
            ts.append(Target(f"branch-{b:03d}", period, target, UNIT))
            v = round(target * rng.uniform(0.92, 1.08), 1)
            rs.append(Report(f"branch-{b:03d}", period, v, UNIT, first))
            if rng.random() < 0.1:
                v = round(v * rng.uniform(0.97, 1.03), 1)
                rs.append(Report(f"branch-{b:03d}", period, v, UNIT, first + dt.timedelta(31)))
            written.append(f"{v:.1f}")
    return Targets(ts), Reports(rs), written



def scaling(branches: list[int], periods: list[int], repeat: int
            ) -> dict[tuple[int, int], float]:
    watch(*synthetic(3, 5))  # imports and first-call costs out of the way
    out = {}
    for b in branches:
        for p in periods:
            t, r, w = synthetic(b, p)
            out[(b, p)] = best(lambda t=t, r=r, w=w: watch(t, r, w, {}), repeat)
            print(f"watch {b} branches x {p} periods: {out[(b, p)]:.3f} s", flush=True)
    return out



def scaling_tables(times: dict[tuple[int, int], float], branches: list[int],
                   periods: list[int]) -> list[str]:
    head = "| branches \\ periods | " + " | ".join(str(p) for p in periods) + " |"
    sep = "|---" * (len(periods) + 1) + "|"
    secs = [head, sep] + [f"| {b} | " + " | ".join(f"{times[(b, p)]:.3f}" for p in periods)
                          + " |" for b in branches]
    per = [head, sep] + [f"| {b} | " + " | ".join(f"{1e3 * times[(b, p)] / (b * p):.2f}"
                                                   for p in periods) + " |" for b in branches]
    return ["Seconds per recomputation:", "", *secs, "",
            "Milliseconds per branch-period:", "", *per]


