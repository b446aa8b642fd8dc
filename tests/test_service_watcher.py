"""The watcher (issue 15): a plan's monitoring recomputed after reports arrive, in a worker
process of its own, coalesced, with one BLAS thread; a dead worker is replaced."""

from __future__ import annotations

import json
import os
import time

import pytest

from autarky import data
from autarky.economy.reports import Target, Targets
from autarky.service import store
from autarky.service.db import make_engine, migrate, session_scope
from autarky.service.models import MonitorSnapshot, Unit
from autarky.service.watcher import Watcher

U = "EUR million"


@pytest.fixture
def plan(engine):
    return _plan(engine)


def _plan(engine):
    """A plan of agriculture for 2021-2022 (targets 100 and 110) and a reporter of it."""
    with session_scope(engine) as s:
        office, _ = store.create_unit(s, "planning office", "planner")
        v = store.add_scenario(s, data.load("island"), office)
        p = store.publish_plan(s, office, v, "island", Targets([
            Target("agriculture", 2021, 100.0, U), Target("agriculture", 2022, 110.0, U)]),
            "balance")
        farm, _ = store.create_unit(s, "farms", "reporter", ("agriculture",))
        return p.id, farm.id


def _report(engine, plan, farm, period, value, when):
    with session_scope(engine) as s:
        return store.submit_report(s, s.get(Unit, farm), plan, "agriculture", period, value,
                                   U, when).id


def _until(cond, limit=120.0):
    end = time.monotonic() + limit
    while not cond():
        assert time.monotonic() < end, "the watcher did not finish in time"
        time.sleep(0.02)


def _stored_at(engine, plan):
    with session_scope(engine) as s:
        return s.get(MonitorSnapshot, plan).computed_at


def _snapshot(engine, plan):
    with session_scope(engine) as s:
        snap = s.get(MonitorSnapshot, plan)
        return None if snap is None else (snap.last_revision, json.loads(snap.body))


def test_the_worker_process_recomputes_and_stores_the_snapshot(engine, plan, db_url,
                                                               monkeypatch):
    plan_id, farm = plan
    _report(engine, plan_id, farm, 2021, 95.0, "2022-01-10")
    last = _report(engine, plan_id, farm, 2021, 98.0, "2022-02-10")  # a revision
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")  # the server's own setting, inherited
    w = Watcher(db_url, engine, interval=0.05)
    try:
        w.poke(plan_id)
        _until(lambda: w.stored >= 1)
        assert w.errors == []
        assert w.pool is not None  # a file or a server: computed in the worker process
        got = _snapshot(engine, plan_id)
        assert got is not None and got[0] == last
        # the newest revision against its target, by hand: 98 / 100
        assert got[1]["branches"]["agriculture"]["fulfilment"]["2021"] == pytest.approx(0.98)
        # the worker has one BLAS thread whatever the server has
        assert w.pool.submit(os.getenv, "OPENBLAS_NUM_THREADS").result() == "1"
    finally:
        w.stop()


def test_pokes_coalesce_and_wait_for_the_interval(engine, plan, db_url):
    plan_id, farm = plan
    _report(engine, plan_id, farm, 2021, 98.0, "2022-01-10")
    w = Watcher(db_url, engine, interval=3.0, share=1.0)  # share 1: the interval alone paces
    try:
        w.poke(plan_id)
        _until(lambda: w.stored >= 1 and plan_id in w.took)  # took is set just after stored
        first = time.monotonic()  # at most a poll (0.02 s) after the first one ended
        took = w.took[plan_id]    # its work, in the worker (a fresh worker's imports included)
        assert took < 2.0, f"the first recomputation took {took:.2f} s: nothing left to test"
        _report(engine, plan_id, farm, 2022, 104.0, "2023-01-10")
        for _ in range(50):
            w.poke(plan_id)
        _until(lambda: w.stored >= 2)
        # the second recomputation began an interval after the first began: at least
        # interval - took after the first ended (a loaded machine makes took long, not shorter)
        assert time.monotonic() - first >= 3.0 - took - 0.1
        time.sleep(0.5)
        assert (w.done, w.stored) == (2, 2), "50 pokes of a pending plan recompute it once"
        got = _snapshot(engine, plan_id)
        assert got is not None
        assert got[1]["branches"]["agriculture"]["fulfilment"]["2022"] == pytest.approx(
            104.0 / 110.0)
    finally:
        w.stop()


def test_watchers_of_several_processes_share_the_interval(engine, plan, db_url):
    """Two servers' watchers (``--processes 2``): a snapshot one stored lately holds the
    other back until it is an interval old, and then the other stores the newer reports."""
    plan_id, farm = plan
    _report(engine, plan_id, farm, 2021, 98.0, "2022-01-10")
    a = Watcher(db_url, engine, interval=3.0, share=1.0, shared=True)
    b = Watcher(db_url, engine, interval=3.0, share=1.0, shared=True)
    try:
        b.start_worker()  # warm: its start is not what holds it back
        a.poke(plan_id)
        _until(lambda: a.stored >= 1)
        first = _stored_at(engine, plan_id)
        last = _report(engine, plan_id, farm, 2022, 104.0, "2023-01-10")
        b.poke(plan_id)
        _until(lambda: b.stored >= 1)
        got = _snapshot(engine, plan_id)
        assert got is not None and got[0] == last  # b stored the newer report
        # an interval after a's snapshot by the database's clock (the work takes a tenth of
        # a second or so; without the rule b would have stored at once)
        assert (_stored_at(engine, plan_id) - first).total_seconds() >= 2.5
        assert (a.stored, b.stored, b.done) == (1, 1, 1)
    finally:
        a.stop()
        b.stop()


def test_a_dead_worker_is_reported_and_replaced(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'ops.db'}"  # the same code path on every database
    engine = make_engine(db_url)
    migrate(engine)
    plan_id, farm = _plan(engine)
    _report(engine, plan_id, farm, 2021, 98.0, "2022-01-10")
    w = Watcher(db_url, engine, interval=0.05)
    try:
        w.poke(plan_id)
        _until(lambda: w.stored >= 1)
        assert w.pool is not None
        for proc in list(w.pool._processes.values()):  # the worker dies (the OOM killer, say)
            proc.kill()
            proc.join()
        last = _report(engine, plan_id, farm, 2022, 104.0, "2023-01-10")
        w.poke(plan_id)
        _until(lambda: w.errors or w.stored >= 2)
        if w.errors:  # the dead pool was noticed: a fresh worker recomputes on the next poke
            assert "the worker died" in w.errors[-1]
            w.poke(plan_id)
            _until(lambda: w.stored >= 2)
        got = _snapshot(engine, plan_id)
        assert got is not None and got[0] == last
    finally:
        w.stop()
        engine.dispose()
