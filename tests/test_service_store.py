"""The plan-operations store (issue 15, first step): migrations make the schema, history is
append only in the database itself, tokens are kept hashed, every write is checked against the
writer's role and scope before anything is stored, and inputs are checked field by field."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text

from autarky import data
from autarky.economy.reports import Target, Targets
from autarky.errors import ForbiddenError, ScenarioError
from autarky.service import store
from autarky.service.db import session_scope
from autarky.service.models import ReportRevision, ScenarioVersion, Unit
from autarky.testing import assert_economy_equal

U = "EUR million"


@pytest.fixture
def world(engine):
    """A planner, a plan on island (agriculture and manufacturing, 2021-2022) and two
    reporters, each scoped to one branch."""
    with session_scope(engine) as s:
        office, tok = store.create_unit(s, "planning office", "planner")
        v = store.add_scenario(s, data.load("island"), office)
        plan = store.publish_plan(s, office, v, "island 2021-22", Targets([
            Target("agriculture", 2021, 100.0, U), Target("agriculture", 2022, 110.0, U),
            Target("manufacturing", 2021, 200.0, U), Target("manufacturing", 2022, 220.0, U)]),
            "balance")
        farm, farm_tok = store.create_unit(s, "farms", "reporter", ("agriculture",))
        mill, mill_tok = store.create_unit(s, "mills", "reporter", ("manufacturing",))
        return {"plan": plan.id, "office": office.id, "farm": farm.id, "mill": mill.id,
                "tokens": {"office": tok, "farm": farm_tok, "mill": mill_tok}}


def _revisions(engine) -> int:
    with session_scope(engine) as s:
        return int(s.scalar(select(func.count()).select_from(ReportRevision)))


def test_the_database_refuses_to_rewrite_history(engine, world):
    with session_scope(engine) as s:
        farm = s.get(Unit, world["farm"])
        store.submit_report(s, farm, world["plan"], "agriculture", 2021, 98, U, "2022-01-10")
    for sql in ("UPDATE report_revisions SET value = 1", "DELETE FROM report_revisions",
                "DELETE FROM scenario_versions", "UPDATE targets SET value = 0"):
        with pytest.raises(Exception, match="append only"), engine.begin() as conn:
            conn.execute(text(sql))
    assert _revisions(engine) == 1
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_tokens_are_kept_hashed_and_checked(engine, world):
    tok = world["tokens"]["farm"]
    token_id, secret = tok.split(".")
    with session_scope(engine) as s:
        assert store.authenticate(s, tok).name == "farms"
        stored = s.get(Unit, world["farm"]).token_hash
        assert secret not in stored and stored.startswith("$argon2")
        for bad in (f"{token_id}.wrong", "nodot", f"unknown.{secret}", ""):
            with pytest.raises(ForbiddenError, match="not a valid token"):
                store.authenticate(s, bad)


@pytest.mark.parametrize("who, branch", [("mill", "agriculture"), ("office", "agriculture")])
def test_a_write_outside_the_scope_is_refused_and_nothing_is_stored(engine, world, who, branch):
    with pytest.raises(ForbiddenError), session_scope(engine) as s:
        store.submit_report(s, s.get(Unit, world[who]), world["plan"], branch, 2021, 98, U,
                            "2022-01-10")
    assert _revisions(engine) == 0


def test_only_a_planner_publishes(engine, world):
    with pytest.raises(ForbiddenError, match="only a planner"), session_scope(engine) as s:
        v = s.scalar(select(ScenarioVersion))
        store.publish_plan(s, s.get(Unit, world["farm"]), v, "mine",
                           Targets([Target("agriculture", 2021, 1.0, U)]), "balance")


@pytest.mark.parametrize("changes, field", [
    ({"value": -1}, "value"), ({"value": "abc"}, "value"), ({"value": float("inf")}, "value"),
    ({"unit": "t"}, "unit"), ({"period": "1964-Q9"}, "period"), ({"period": 2030}, "period"),
    ({"reported_at": "yesterday"}, "reported_at"),
])
def test_bad_input_names_the_field(engine, world, changes, field):
    args = {"branch": "agriculture", "period": 2021, "value": 98.0, "unit": U,
            "reported_at": "2022-01-10", **changes}
    with pytest.raises(ScenarioError) as err, session_scope(engine) as s:
        store.submit_report(s, s.get(Unit, world["farm"]), world["plan"], **args)
    assert err.value.field == field
    assert _revisions(engine) == 0


def test_revisions_are_kept_and_monitoring_reads_them(engine, world):
    from autarky.monitor.monitoring import monitor

    with session_scope(engine) as s:
        farm = s.get(Unit, world["farm"])
        for value, when in ((98.0, "2022-01-10"), (96.0, "2022-03-01"), (95.5, "2022-06-30")):
            store.submit_report(s, farm, world["plan"], "agriculture", 2021, value, U, when)
        mill = s.get(Unit, world["mill"])
        store.submit_report(s, mill, world["plan"], "manufacturing", 2021, 210.0, U,
                            "2022-01-12")
    with session_scope(engine) as s:
        h = store.history(s, world["plan"], "agriculture", 2021)
        assert [(r["seq"], r["value"], r["previous_value"], r["unit"]) for r in h] == [
            (1, 98.0, None, "farms"), (2, 96.0, 98.0, "farms"), (3, 95.5, 96.0, "farms")]
        reports = store.reports_of(s, world["plan"])
        latest = reports.latest()
        assert float(latest.loc["agriculture", 2021]) == 95.5
        assert float(reports.as_of(dt.date(2022, 2, 1)).latest().loc["agriculture", 2021]) == 98
        m = monitor(store.targets_of(s, world["plan"]), reports)
        # fulfilment = latest report / target: 95.5 / 100 and 210 / 200
        f = m.fulfilment
        assert float(f.loc["agriculture", 2021]) == pytest.approx(0.955)
        assert float(f.loc["manufacturing", 2021]) == pytest.approx(1.05)


def test_a_scenario_version_is_its_content(engine, world):
    with session_scope(engine) as s:
        office = s.get(Unit, world["office"])
        again = store.add_scenario(s, data.load("island"), office)
        other = store.add_scenario(s, data.load("textbook"), office)
        first = s.scalar(select(ScenarioVersion).order_by(ScenarioVersion.id))
        assert again.id == first.id and other.id != first.id
        assert len(first.token) == 64
        assert_economy_equal(store.scenario_of(first).economy, data.load("island").economy)
