"""The plan-operations service's JSON API and pages (issue 15), with FastAPI's TestClient, on
SQLite and on PostgreSQL: every route; each forbidden write refused with 403 and nothing stored;
each malformed body refused with 422 naming its field; the numbers of the monitoring checked by
hand (fulfilment is reported / target, a revision's change is new / old - 1, the digit tests'
chi-square computed here from the figures)."""

from __future__ import annotations

import csv
import io
import math
import re
import time
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from autarky.service.app import ServiceConfig, create_app
from autarky.service.db import make_engine, migrate, session_scope
from autarky.service.jobs import run_job
from autarky.service.models import Alert, Job, PublishedPlan, ReportRevision, ScenarioVersion, Unit
from autarky.service.store import create_unit

U = "EUR million"


class InlineRunner:
    """Runs a job at once, in the request's thread (the runner itself is tested below)."""

    name = "inline"

    def __init__(self, url: str) -> None:
        self.url = url

    def submit(self, job_id: int) -> str:
        return run_job(self.url, job_id, self.name)

    def close(self) -> None:
        pass


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def svc(db_url):
    """A running app with the planning office, farms (agriculture) and mills (manufacturing),
    the island scenario stored and a plan for 2021-2023."""
    engine = make_engine(db_url)
    migrate(engine)
    with session_scope(engine) as s:
        _, office = create_unit(s, "planning office", "planner")
        _, farm = create_unit(s, "farms", "reporter", ("agriculture",))
        _, mill = create_unit(s, "mills", "reporter", ("manufacturing",))
    engine.dispose()
    app = create_app(ServiceConfig(url=db_url), runner=InlineRunner(db_url))
    with TestClient(app) as client:
        r = client.post("/api/scenarios", json={"bundled": "island"}, headers=bearer(office))
        assert r.status_code == 201, r.text
        version = r.json()["token"]
        targets = [{"branch": b, "period": p, "value": v, "unit": U}
                   for b, base in (("agriculture", 100.0), ("manufacturing", 200.0))
                   for p, v in zip((2021, 2022, 2023), (base, base * 1.1, base * 1.21),
                                   strict=True)]
        r = client.post("/api/plans", json={"name": "island 2021-23", "scenario": version,
                                            "targets": targets,
                                            "settings": {"revision_threshold": 0.05}},
                        headers=bearer(office))
        assert r.status_code == 201, r.text
        yield {"client": client, "url": db_url, "office": office, "farm": farm, "mill": mill,
               "version": version, "plan": r.json()["id"], "app": app}


def count(url: str, model: Any) -> int:
    engine = make_engine(url)
    try:
        with session_scope(engine) as s:
            return int(s.scalar(select(func.count()).select_from(model)))
    finally:
        engine.dispose()


def report(svc, who: str, branch: str, period: Any, value: Any, **extra: Any):
    body = {"branch": branch, "period": period, "value": value, "unit": U,
            "reported_at": "2024-01-15", **extra}
    return svc["client"].post(f"/api/plans/{svc['plan']}/reports", json=body,
                              headers=bearer(svc[who]))


def loc(resp) -> list[Any]:
    assert resp.status_code == 422, resp.text
    return list(resp.json()["detail"][0]["loc"])


# ---------------------------------------------------------------------------- who is asking
def test_health_and_who_am_i(svc):
    c = svc["client"]
    h = c.get("/api/health").json()
    assert h["status"] == "ok" and h["database"] in ("sqlite", "postgresql")
    assert c.get("/api/me", headers=bearer(svc["farm"])).json() == {
        "id": 2, "name": "farms", "role": "reporter", "branches": ["agriculture"]}
    for headers in ({}, bearer("nonsense"), bearer(svc["farm"][:-1] + "x"),
                    {"Authorization": "Basic abc"}):
        r = c.get("/api/me", headers=headers)
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"


def test_units_are_made_by_a_planner_only(svc):
    c = svc["client"]
    r = c.post("/api/units", json={"name": "ministry of fisheries", "role": "reporter",
                                   "branches": ["agriculture"]}, headers=bearer(svc["office"]))
    assert r.status_code == 201
    new = r.json()
    assert c.get("/api/me", headers=bearer(new["token"])).json()["name"] == \
        "ministry of fisheries"
    before = count(svc["url"], Unit)
    r = c.post("/api/units", json={"name": "rogue", "role": "planner"},
               headers=bearer(svc["farm"]))
    assert r.status_code == 403 and count(svc["url"], Unit) == before
    assert c.get("/api/units", headers=bearer(svc["farm"])).status_code == 403
    assert [u["name"] for u in c.get("/api/units", headers=bearer(svc["office"])).json()] == [
        "planning office", "farms", "mills", "ministry of fisheries"]
    o = bearer(svc["office"])
    assert loc(c.post("/api/units", json={"name": "x", "role": "boss"}, headers=o)) == \
        ["body", "role"]
    assert loc(c.post("/api/units", json={"name": "farms", "role": "reporter"}, headers=o)) == \
        ["body", "name"]
    assert loc(c.post("/api/units", json={"name": "a\x00b", "role": "reporter"}, headers=o)) \
        == ["body", "name"]
    assert loc(c.post("/api/units", json={"name": "x", "role": "reporter", "colour": 1},
                      headers=o)) == ["body", "colour"]
    assert count(svc["url"], Unit) == before


# ---------------------------------------------------------------------------- scenarios, plans
def test_scenarios_are_versions_of_their_content(svc):
    c, o = svc["client"], bearer(svc["office"])
    again = c.post("/api/scenarios", json={"bundled": "island"}, headers=o).json()
    assert again["token"] == svc["version"]  # the same content is the same version
    got = c.get(f"/api/scenarios/{svc['version']}", headers=bearer(svc["farm"])).json()
    assert "agriculture" in got["yaml"]
    text = ("name: two\nbranches:\n  - {id: a, unit: t}\n  - {id: b, unit: t}\n"
            "technology:\n  a: {a: 0.1, b: 0.2}\n  b: {a: 0.3, b: 0.1}\n"
            "final_demand: {a: 10, b: 20}\n")
    r = c.post("/api/scenarios", json={"yaml": text}, headers=o)
    assert r.status_code == 201 and r.json()["name"] == "two"
    assert len(c.get("/api/scenarios", headers=o).json()) == 2
    before = count(svc["url"], ScenarioVersion)
    assert c.post("/api/scenarios", json={"yaml": text + "# changed\n"},
                  headers=bearer(svc["farm"])).status_code == 403
    bad = text.replace("a: 10", "a: -x")
    r = c.post("/api/scenarios", json={"yaml": bad}, headers=o)
    assert r.status_code == 422 and "final_demand" in r.text and "/tmp" not in r.text
    assert loc(c.post("/api/scenarios", json={}, headers=o)) == ["body", "yaml"]
    assert loc(c.post("/api/scenarios", json={"bundled": "atlantis"}, headers=o)) == \
        ["body", "bundled"]
    assert count(svc["url"], ScenarioVersion) == before
    assert c.get("/api/scenarios/" + "0" * 64, headers=o).status_code == 404


def test_plans_are_published_by_a_planner_only(svc):
    c, o = svc["client"], bearer(svc["office"])
    plans = c.get("/api/plans", headers=bearer(svc["farm"])).json()
    assert [p["name"] for p in plans] == ["island 2021-23"]
    plan = c.get(f"/api/plans/{svc['plan']}", headers=o).json()
    assert plan["scenario"] == svc["version"] and len(plan["targets"]) == 6
    assert plan["settings"]["revision_threshold"] == 0.05
    good = {"name": "p2", "scenario": svc["version"],
            "targets": [{"branch": "agriculture", "period": 2021, "value": 5.0, "unit": U}]}
    before = count(svc["url"], PublishedPlan)
    assert c.post("/api/plans", json=good, headers=bearer(svc["farm"])).status_code == 403
    assert count(svc["url"], PublishedPlan) == before
    t0 = good["targets"][0]
    cases = [
        ({**good, "name": ""}, ["body", "name"]),
        ({**good, "scenario": "f" * 64}, ["body", "scenario"]),
        ({**good, "scenario": "nope"}, ["body", "scenario"]),
        ({**good, "targets": [{**t0, "value": -1.0}]}, ["body", "targets", "0", "value"]),
        ({**good, "targets": [{**t0, "period": "21st century"}]},
         ["body", "targets", "0", "period"]),
        ({**good, "targets": [{**t0, "branch": "fishing"}]}, ["body", "targets", "0", "branch"]),
        ({**good, "targets": [t0, {**t0, "period": 2022, "unit": "kt"}]},
         ["body", "targets"]),
        ({**good, "targets": []}, ["body", "targets"]),
        ({**good, "settings": {"colour": 1}}, ["body", "settings", "colour"]),
        ({**good, "settings": {"interval": 2}}, ["body", "settings", "interval"]),
        ({**good, "name": "island 2021-23"}, ["body", "name"]),
        ({**good, "targets": [{**t0, "value": "many"}]}, ["body", "targets", 0, "value"]),
    ]
    for body, where in cases:
        got = loc(c.post("/api/plans", json=body, headers=o))
        assert [str(x) for x in got[:len(where)]] == [str(x) for x in where], (body, got)
    assert count(svc["url"], PublishedPlan) == before
    assert c.get("/api/plans/999", headers=o).status_code == 404
    assert c.get("/api/plans/0", headers=o).status_code == 422


# ---------------------------------------------------------------------------- reports
def test_a_reporter_reports_its_own_branches_only(svc):
    r = report(svc, "farm", "agriculture", 2021, 95.0)
    assert r.status_code == 201, r.text
    assert r.json()["seq"] == 1 and r.json()["previous_value"] is None
    before = count(svc["url"], ReportRevision)
    for who, branch in (("farm", "manufacturing"), ("mill", "agriculture"),
                        ("office", "agriculture")):
        assert report(svc, who, branch, 2021, 1.0).status_code == 403
    assert count(svc["url"], ReportRevision) == before
    mine = svc["client"].get(f"/api/plans/{svc['plan']}/reports",
                             headers=bearer(svc["mill"])).json()
    assert mine == []  # a reporter sees its own branches' reports


@pytest.mark.parametrize(("change", "where"), [
    ({"value": "abc"}, ["body", "value"]),
    ({"value": -5}, ["body", "value"]),
    ({"value": 0}, ["body", "value"]),
    ({"value": True}, ["body", "value"]),
    ({"period": 2030}, ["body", "period"]),
    ({"period": "soon"}, ["body", "period"]),
    ({"unit": "kt"}, ["body", "unit"]),
    ({"reported_at": "yesterday"}, ["body", "reported_at"]),
    ({"branch": "services"}, ["body", "branch"]),
    ({"extra": 1}, ["body", "extra"]),
])
def test_a_malformed_report_names_its_field(svc, change, where):
    body = {"branch": "agriculture", "period": 2021, "value": 95.0, "unit": U,
            "reported_at": "2024-01-15", **change}
    who = "farm"
    if change.get("branch") == "services":  # a branch the plan lacks: a reporter scoped to it
        r = svc["client"].post("/api/units", json={"name": "svc", "role": "reporter",
                                                   "branches": ["services"]},
                               headers=bearer(svc["office"]))
        svc = {**svc, "farm": r.json()["token"]}
    r = svc["client"].post(f"/api/plans/{svc['plan']}/reports", json=body,
                           headers=bearer(svc[who]))
    got = loc(r)
    assert [str(x) for x in got[:len(where)]] == where, r.text
    assert count(svc["url"], ReportRevision) == 0


def test_revisions_are_kept_and_flagged(svc):
    c, o = svc["client"], bearer(svc["office"])
    assert report(svc, "farm", "agriculture", 2021, 98.0).status_code == 201
    r = report(svc, "farm", "agriculture", 2021, "90.0", note="corrected")
    assert list(loc(r)) == ["body", "reported_at"]  # a revision is dated after the first
    assert count(svc["url"], ReportRevision) == 1
    r = report(svc, "farm", "agriculture", 2021, "90.0", note="corrected",
               reported_at="2024-02-01")
    assert r.status_code == 201
    assert (r.json()["seq"], r.json()["previous_value"], r.json()["written"]) == (2, 98.0,
                                                                                  "90.0")
    hist = c.get(f"/api/plans/{svc['plan']}/history",
                 params={"branch": "agriculture", "period": "2021"}, headers=o).json()
    assert [(h["seq"], h["value"], h["previous_value"], h["unit"]) for h in hist] == [
        (1, 98.0, None, "farms"), (2, 90.0, 98.0, "farms")]
    m = c.get(f"/api/plans/{svc['plan']}/monitor", headers=o).json()
    assert m["branches"]["agriculture"]["fulfilment"]["2021"] == pytest.approx(90.0 / 100.0)
    rev = [f for f in m["flags"] if f["kind"] == "revision"]
    assert [(f["branch"], f["period"]) for f in rev] == [("agriculture", "2021")]
    assert abs(90.0 / 98.0 - 1) > 0.05  # the revision moved the figure beyond the threshold
    alerts = [a for a in m["alerts"] if a["kind"] == "revision"]
    assert len(alerts) == 1 and alerts[0]["level"] == "notice"
    # a small revision (under 5 %) is not flagged
    report(svc, "mill", "manufacturing", 2021, 200.0)
    report(svc, "mill", "manufacturing", 2021, 201.0, reported_at="2024-03-01")
    m = c.get(f"/api/plans/{svc['plan']}/monitor", headers=o).json()
    assert not [f for f in m["flags"] if f["kind"] == "revision"
                and f["branch"] == "manufacturing"]
    assert len(c.get(f"/api/plans/{svc['plan']}/reports", headers=o).json()) == 4


def test_alerts_escalate_until_acknowledged(svc):
    c, o = svc["client"], bearer(svc["office"])
    report(svc, "farm", "agriculture", 2021, 98.0)
    # a revision of -18 %: an alert in 2021
    report(svc, "farm", "agriculture", 2021, 80.0, reported_at="2024-02-01")
    m = c.get(f"/api/plans/{svc['plan']}/monitor", headers=o).json()
    (alert,) = [a for a in m["alerts"] if a["kind"] == "revision"]
    assert alert["level"] == "notice"  # reports have reached 2021 only
    report(svc, "farm", "agriculture", 2022, 109.0)
    m = c.get(f"/api/plans/{svc['plan']}/monitor", headers=o).json()
    (alert,) = [a for a in m["alerts"] if a["kind"] == "revision"]
    assert alert["level"] == "warning"  # one period later, escalate_after = 1
    before = count(svc["url"], Alert)
    r = c.post(f"/api/alerts/{alert['id']}/acknowledge", json={"note": "a typo"},
               headers=bearer(svc["farm"]))
    assert r.status_code == 403
    r = c.post(f"/api/alerts/{alert['id']}/acknowledge", json={"note": "x" * 2001}, headers=o)
    assert loc(r) == ["body", "note"]
    r = c.post(f"/api/alerts/{alert['id']}/acknowledge", json={"note": "a typo"}, headers=o)
    assert r.status_code == 200 and r.json()["note"] == "a typo"
    report(svc, "farm", "agriculture", 2023, 121.0)
    m = c.get(f"/api/plans/{svc['plan']}/monitor", headers=o).json()
    (alert,) = [a for a in m["alerts"] if a["kind"] == "revision"]
    assert alert["level"] == "acknowledged" and count(svc["url"], Alert) >= before
    assert c.post("/api/alerts/999/acknowledge", json={}, headers=o).status_code == 404


def test_exports_hold_the_numbers_of_the_monitoring(svc):
    c, o = svc["client"], bearer(svc["office"])
    for b, who, vals in (("agriculture", "farm", (95.0, 104.5)),
                         ("manufacturing", "mill", (210.0, 200.0))):
        for p, v in zip((2021, 2022), vals, strict=True):
            assert report(svc, who, b, p, v).status_code == 201
    m = c.get(f"/api/plans/{svc['plan']}/monitor", headers=o).json()

    def table(name: str) -> list[dict[str, str]]:
        r = c.get(f"/api/plans/{svc['plan']}/export/{name}.csv", headers=o)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        return list(csv.DictReader(io.StringIO(r.text)))

    ful = {(r["branch"], r["period"]): r for r in table("fulfilment")}
    # hand: 95/100, 104.5/110; 210/200, 200/220; cumulative: (95+104.5)/(100+110)
    for (b, p), want in {("agriculture", "2021"): 0.95, ("agriculture", "2022"): 0.95,
                         ("manufacturing", "2021"): 1.05,
                         ("manufacturing", "2022"): 200 / 220}.items():
        assert float(ful[(b, p)]["fulfilment"]) == pytest.approx(want, rel=1e-12)
        assert float(ful[(b, p)]["fulfilment"]) == pytest.approx(
            m["branches"][b]["fulfilment"][p], rel=1e-12)
    assert float(ful[("agriculture", "2022")]["cumulative"]) == pytest.approx(
        (95 + 104.5) / (100 + 110), rel=1e-12)
    assert ful[("agriculture", "2023")]["reported"] == ""
    fc = {r["branch"]: r for r in table("forecast")}
    for b in ("agriculture", "manufacturing"):
        f = m["branches"][b]["forecast"]
        assert float(fc[b]["p_meet"]) == pytest.approx(f["p_meet"], rel=1e-9)
        assert float(fc[b]["low"]) <= float(fc[b]["value"]) <= float(fc[b]["high"])
    flags = table("flags")
    assert sorted((f["kind"], f["branch"], f["period"]) for f in flags) == sorted(
        (f["kind"], f["branch"], f["period"]) for f in m["flags"])
    assert ("miss", "manufacturing", "2022") in {(f["kind"], f["branch"], f["period"])
                                                 for f in flags}
    assert len(table("targets")) == 6 and len(table("revisions")) == 4
    assert len(table("alerts")) == len(m["alerts"])
    digits = {r["test"]: r for r in table("digits")}
    assert digits["benford"]["n"] == "4" and "needs 100" in digits["benford"]["note"]
    assert c.get(f"/api/plans/{svc['plan']}/export/secrets.csv", headers=o).status_code == 422


def test_digit_tests_flag_figures_that_look_made_up(db_url):
    """120 figures all starting with 9 and ending in 0: Benford's test and the last-digit test
    both reject; their chi-squares are computed here from the figures."""
    engine = make_engine(db_url)
    migrate(engine)
    with session_scope(engine) as s:
        _, office = create_unit(s, "planning office", "planner")
        _, farm = create_unit(s, "farms", "reporter", ("agriculture", "manufacturing",
                                                       "services"))
    engine.dispose()
    years = list(range(1901, 1941))
    rng = np.random.default_rng(7)
    figures = {(b, y): f"{rng.integers(90, 100)}{rng.integers(0, 10)}0"
               for b in ("agriculture", "manufacturing", "services") for y in years}
    with TestClient(create_app(ServiceConfig(url=db_url), runner=InlineRunner(db_url))) as c:
        o, f = bearer(office), bearer(farm)
        v = c.post("/api/scenarios", json={"bundled": "island"}, headers=o).json()["token"]
        targets = [{"branch": b, "period": y, "value": 950.0, "unit": U} for b, y in figures]
        pid = c.post("/api/plans", json={"name": "century", "scenario": v, "targets": targets},
                     headers=o).json()["id"]
        for (b, y), w in figures.items():
            r = c.post(f"/api/plans/{pid}/reports", headers=f, json={
                "branch": b, "period": y, "value": w, "unit": U, "reported_at": f"{y + 1}-01-10"})
            assert r.status_code == 201, r.text
        m = c.get(f"/api/plans/{pid}/monitor", headers=o).json()
    vals = [float(w) for w in figures.values()]
    first = np.bincount([int(str(int(x))[0]) for x in vals], minlength=10)[1:]
    expected = len(vals) * np.log10(1 + 1 / np.arange(1, 10))
    chi2_b = float(((first - expected) ** 2 / expected).sum())
    last = np.bincount([int(w[-1]) for w in figures.values()], minlength=10)
    chi2_l = float(((last - len(vals) / 10) ** 2 / (len(vals) / 10)).sum())
    assert m["digits"]["benford"]["chi2"] == pytest.approx(chi2_b, rel=1e-9)
    assert m["digits"]["last_digit"]["chi2"] == pytest.approx(chi2_l, rel=1e-9)
    assert chi2_l == pytest.approx(9 * len(vals))  # all in one cell: n (k - 1)
    kinds = {a["kind"] for a in m["alerts"]}
    assert {"benford", "last-digit"} <= kinds


# ---------------------------------------------------------------------------- jobs
def test_jobs_run_and_report_their_result(svc):
    c, o = svc["client"], bearer(svc["office"])
    r = c.post("/api/jobs", json={"kind": "analysis", "scenario": svc["version"],
                                  "params": {"runs": ["balance"]}}, headers=o)
    assert r.status_code == 202, r.text
    job = c.get(f"/api/jobs/{r.json()['id']}", headers=o).json()
    assert job["status"] == "done" and job["progress"] == 1.0, job
    out = job["result"]["outputs"]
    # island's balance: intermediate use is A x of the gross output x (the closed form)
    from autarky import data

    e = data.load("island").economy
    ids = list(e.final_demand.index)
    x = np.array([out["balance.gross_output"]["values"][b] for b in ids])
    used = [out["balance.intermediate_use"]["values"][b] for b in ids]
    assert out["balance.gross_output"]["by"] == "branch"
    assert used == pytest.approx(list(np.asarray(e.A) @ x), rel=1e-9)
    assert (x > 0).all()
    r = c.post("/api/jobs", json={"kind": "sweep", "scenario": svc["version"],
                                  "params": {"runs": ["balance"], "draws": 4, "seed": 1}},
               headers=o)
    job = c.get(f"/api/jobs/{r.json()['id']}", headers=o).json()
    assert job["status"] in ("done", "failed") and job["message"], job
    before = count(svc["url"], Job)
    assert c.post("/api/jobs", json={"kind": "analysis", "scenario": svc["version"],
                                     "params": {"runs": ["balance"]}},
                  headers=bearer(svc["farm"])).status_code == 403
    for params, where in (({"runs": ["levitate"]}, ["body", "params", "runs"]),
                          ({}, ["body", "params", "runs"])):
        assert loc(c.post("/api/jobs", json={"kind": "analysis", "scenario": svc["version"],
                                             "params": params}, headers=o)) == where
    assert loc(c.post("/api/jobs", json={"kind": "sweep", "scenario": svc["version"],
                                         "params": {"runs": ["balance"], "draws": 0}},
                      headers=o)) == ["body", "params", "draws"]
    assert loc(c.post("/api/jobs", json={"kind": "dance", "scenario": svc["version"]},
                      headers=o))[:2] == ["body", "kind"]
    assert count(svc["url"], Job) == before
    assert c.get("/api/jobs/999", headers=o).status_code == 404
    assert len(c.get("/api/jobs", headers=o).json()) == before


def test_a_plan_computed_in_the_background_is_published(svc):
    c, o = svc["client"], bearer(svc["office"])
    seven = c.post("/api/scenarios", json={"bundled": "seven-year-plan"}, headers=o).json()
    r = c.post("/api/plans", json={"name": "computed", "scenario": seven["token"],
                                   "strategy": "free"}, headers=o)
    assert r.status_code == 202, r.text
    job = c.get(f"/api/jobs/{r.json()['id']}", headers=o).json()
    assert job["status"] == "done", job
    plan = c.get(f"/api/plans/{job['result']['plan_id']}", headers=o).json()
    assert plan["name"] == "computed" and plan["method"] == "multiyear free"
    assert len(plan["targets"]) == job["result"]["targets"] > 0
    assert loc(c.post("/api/plans", json={"name": "both", "scenario": svc["version"],
                                          "strategy": "free", "targets": [
                                              {"branch": "agriculture", "period": 2021,
                                               "value": 1.0, "unit": U}]},
                      headers=o)) == ["body", "strategy"]


def _wait(c: TestClient, job_id: int, headers: dict[str, str], timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = c.get(f"/api/jobs/{job_id}", headers=headers).json()
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.2)


@pytest.mark.parametrize("where", ["local", "dask"])
def test_jobs_run_off_the_request_path(tmp_path, where):
    """A real worker process (spawned), and a Dask cluster, do the job; the request returns
    first (202) and the status moves from queued to done."""
    url = f"sqlite:///{tmp_path / 'ops.db'}"
    engine = make_engine(url)
    migrate(engine)
    with session_scope(engine) as s:
        _, office = create_unit(s, "planning office", "planner")
    engine.dispose()
    cluster = None
    cfg = ServiceConfig(url=url)
    if where == "dask":
        from dask.distributed import LocalCluster

        cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                               dashboard_address=":0")
        cfg = ServiceConfig(url=url, dask=cluster.scheduler_address)
    try:
        with TestClient(create_app(cfg)) as c:
            o = bearer(office)
            v = c.post("/api/scenarios", json={"bundled": "island"}, headers=o).json()["token"]
            r = c.post("/api/jobs", json={"kind": "analysis", "scenario": v,
                                          "params": {"runs": ["balance"]}}, headers=o)
            assert r.status_code == 202 and r.json()["status"] == "queued"
            job = _wait(c, r.json()["id"], o)
            assert job["status"] == "done", job
            assert job["runner"].startswith(where)
    finally:
        if cluster is not None:
            cluster.close()


# ---------------------------------------------------------------------------- pages
def _csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, html[:500]
    return m.group(1)


def test_pages_sign_in_and_check_the_csrf_token(svc):
    c = svc["client"]
    r = c.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert c.post("/login", data={"token": "nope"}).status_code == 401
    r = c.post("/login", data={"token": svc["office"]}, follow_redirects=False)
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    home = c.get("/")
    assert home.status_code == 200 and "island 2021-23" in home.text
    token = _csrf(home.text)
    body = {"name": "form plan", "scenario": svc["version"],
            "targets": "branch,period,value,unit\nagriculture,2021,100,EUR million\n"}
    before = count(svc["url"], PublishedPlan)
    r = c.post("/plans", data=body, follow_redirects=False)  # no CSRF token
    assert r.status_code == 403 and count(svc["url"], PublishedPlan) == before
    r = c.post("/plans", data={**body, "csrf": "forged"}, follow_redirects=False)
    assert r.status_code == 403 and count(svc["url"], PublishedPlan) == before
    r = c.post("/plans", data={**body, "csrf": token, "targets": "branch,value\n"},
               follow_redirects=False)
    assert r.status_code == 422 and "header" in r.text
    r = c.post("/plans", data={**body, "csrf": token}, follow_redirects=False)
    assert r.status_code == 303 and count(svc["url"], PublishedPlan) == before + 1
    page = c.get(r.headers["location"])
    assert page.status_code == 200 and "form plan" in page.text
    c.post("/logout", data={"csrf": token})
    assert c.get("/", follow_redirects=False).status_code == 303


def test_a_reporter_reports_through_its_page(svc):
    c = svc["client"]
    c.post("/login", data={"token": svc["farm"]})
    page = c.get(f"/plans/{svc['plan']}")
    assert page.status_code == 200
    token = _csrf(page.text)
    form = {"csrf": token, "branch": "agriculture", "period": "2021", "value": "98",
            "reported_at": "2022-01-05"}
    r = c.post(f"/plans/{svc['plan']}/reports", data=form, follow_redirects=False)
    assert r.status_code == 303
    r = c.post(f"/plans/{svc['plan']}/reports", data={**form, "value": "90",
                                                      "reported_at": "2022-02-01"})
    assert r.status_code == 200 and "revision 2 of agriculture 2021" in r.text
    r = c.post(f"/plans/{svc['plan']}/reports", data={**form, "branch": "manufacturing"})
    assert r.status_code == 403
    r = c.post(f"/plans/{svc['plan']}/reports", data={**form, "value": "lots"})
    assert r.status_code == 422 and "value" in r.text
    assert count(svc["url"], ReportRevision) == 2
    hist = c.get(f"/plans/{svc['plan']}/history",
                 params={"branch": "agriculture", "period": "2021"})
    assert hist.status_code == 200 and "98" in hist.text and "90" in hist.text
    c.post("/logout", data={"csrf": token})
    c.post("/login", data={"token": svc["office"]})
    page = c.get(f"/plans/{svc['plan']}")
    assert "revision" in page.text and "90.0 %" in page.text  # 90 / 100
    exp = c.get(f"/plans/{svc['plan']}/export/revisions.csv")
    rows = list(csv.DictReader(io.StringIO(exp.text)))
    assert [(r["value"], r["previous_value"]) for r in rows] == [("98.0", ""), ("90.0", "98.0")]
    assert math.isclose(float(rows[1]["value"]) / float(rows[0]["value"]) - 1, -0.0816326,
                        rel_tol=1e-5)
    page = c.get(f"/plans/{svc['plan']}")
    alert = re.search(r'action="/alerts/(\d+)/acknowledge"', page.text)
    assert alert, "the revision alert has an acknowledge form"
    r = c.post(f"/alerts/{alert.group(1)}/acknowledge",
               data={"csrf": _csrf(page.text), "note": "checked"}, follow_redirects=False)
    assert r.status_code == 303
    assert c.get("/plans/999").status_code == 404
