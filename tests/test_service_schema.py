"""The OpenAPI schema fuzzed (issue 15): schemathesis generates requests for every operation of
``/openapi.json`` from its schema (a bounded number each), sent with a planner's token and with
a reporter's; the service answers every one of them without a server error (no 5xx)."""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from autarky.service.app import ServiceConfig, create_app
from autarky.service.db import make_engine, migrate, session_scope
from autarky.service.store import add_scenario, create_unit, publish_plan

TOKENS: dict[str, str] = {}


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory):
    from autarky import data
    from autarky.economy.reports import Target, Targets

    url = f"sqlite:///{tmp_path_factory.mktemp('schema') / 'ops.db'}"
    engine = make_engine(url)
    migrate(engine)
    with session_scope(engine) as s:
        office, TOKENS["planner"] = create_unit(s, "planning office", "planner")
        _, TOKENS["reporter"] = create_unit(s, "farms", "reporter", ("agriculture",))
        v = add_scenario(s, data.load("island"), office)
        publish_plan(s, office, v, "island", Targets([
            Target("agriculture", 2021, 100.0, "EUR million"),
            Target("agriculture", 2022, 110.0, "EUR million")]), "given")
    engine.dispose()

    class NoRuns:  # the fuzzer's jobs are queued, not run (their runs are tested elsewhere)
        name = "none"

        def submit(self, job_id: int) -> None:
            pass

        def close(self) -> None:
            pass

    app = create_app(ServiceConfig(url=url), runner=NoRuns())
    with TestClient(app):  # the app's lifespan (its watcher) runs while the fuzzer sends
        yield schemathesis.openapi.from_asgi("/openapi.json", app)


SEEN: list[int] = []


def _check(case, who: str) -> None:
    response = case.call(headers={"Authorization": f"Bearer {TOKENS[who]}"})
    SEEN.append(response.status_code)
    assert response.status_code < 500, (case.method, case.formatted_path, case.body,
                                        response.status_code, response.text[:500])


@pytest.mark.parametrize(("who", "examples"), [("planner", 30), ("reporter", 15)])
def test_no_request_makes_a_server_error(api_schema, who, examples):
    operations = [r.ok() for r in api_schema.get_all_operations()]
    assert len(operations) >= 19  # every route of the API is in the schema
    for op in operations:
        @given(case=op.as_strategy())
        @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            _check(case, who)

        run()
    codes = {c // 100 for c in SEEN}
    assert len(SEEN) > 5 * len(operations) and {2, 4} <= codes, sorted(set(SEEN))
    SEEN.clear()
