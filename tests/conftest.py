"""Shared fixtures for the core test suite.

The textbook economy is Miller & Blair (2009), *Input-Output Analysis*, 2nd ed., section 2.3:

    A = [[0.15, 0.25],      y = [ 600,
         [0.20, 0.05]]            1500]

Every number a test asserts is derived by hand (or from a closed form) in the test itself, never
copied from the output of the code under test.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings

import autarky

# CI runs the property tests on a fixed, reproducible set of examples; locally they explore.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

TEXTBOOK_A = [[0.15, 0.25], [0.20, 0.05]]
TEXTBOOK_Y = [600.0, 1500.0]
TEXTBOOK_IDS = ["agriculture", "manufacturing"]

#: The textbook scenario exactly as issue 2 and docs/scenario-format.md write it.
TEXTBOOK_YAML = """\
name: Two-branch textbook economy
branches:
  - {id: agriculture, unit: "USD million"}
  - {id: manufacturing, unit: "USD million"}
technology:          # technology[input][using_branch] = input per unit of the using branch's output
  agriculture:   {agriculture: 0.15, manufacturing: 0.25}
  manufacturing: {agriculture: 0.20, manufacturing: 0.05}
final_demand:
  agriculture: 600
  manufacturing: 1500
"""


@pytest.fixture
def textbook_A() -> np.ndarray:
    """Miller & Blair's input coefficients."""
    return np.array(TEXTBOOK_A)


@pytest.fixture
def textbook_y() -> np.ndarray:
    """Miller & Blair's final demand."""
    return np.array(TEXTBOOK_Y)


@pytest.fixture
def textbook() -> autarky.Economy:
    """The textbook economy built from coefficients, with the branch ids of the scenario."""
    return autarky.Economy.from_coefficients(TEXTBOOK_A, TEXTBOOK_Y, branches=TEXTBOOK_IDS,
                                             units="USD million",
                                             name="Two-branch textbook economy")


@pytest.fixture
def textbook_yaml() -> str:
    """The textbook scenario text."""
    return TEXTBOOK_YAML


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write ``text`` to ``tmp_path / name`` (creating folders) and return the path."""

    def _write(text: str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def line_of() -> Callable[..., int]:
    """1-based line of the ``occurrence``-th line of ``text`` that contains ``marker``.

    Tests use it to compute the line an error must name from the text they wrote, instead of
    copying the number the reader reports.
    """

    def _line_of(text: str, marker: str, occurrence: int = 1) -> int:
        hits = [i + 1 for i, line in enumerate(text.splitlines()) if marker in line]
        if len(hits) < occurrence:
            raise AssertionError(f"marker {marker!r} occurs {len(hits)} time(s) in the text")
        return hits[occurrence - 1]

    return _line_of


@pytest.fixture
def wait_for_temporary() -> Callable[..., bool]:
    """``wait(parent, name, proc)``: wait until the process ``proc`` has made the temporary
    folder of the output ``parent/name`` (it is writing), True; False if it ended first."""
    import subprocess
    import time

    def wait(parent: Path, name: str, proc: subprocess.Popen[bytes], limit: float = 60.0
             ) -> bool:
        t0 = time.monotonic()
        while time.monotonic() - t0 < limit and proc.poll() is None:
            if any(p.name.startswith(f".{name}.autarky-") for p in parent.iterdir()):
                return True
            time.sleep(0.005)
        return False

    return wait


# ---------------------------------------------------------------------------- the service's databases
@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server for the run (``AUTARKY_TEST_PG_URL`` names one already running;
    otherwise Debian's binaries start one). Under CI a missing PostgreSQL fails the run;
    elsewhere the PostgreSQL cases are skipped, saying why."""
    given = os.environ.get("AUTARKY_TEST_PG_URL")
    if given:
        yield given
        return
    from autarky.service.testing import PostgresServer, find_binaries

    if find_binaries() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed: `make pytest` installs Debian's "
                        "postgresql package (apt-get install -y postgresql)")
        pytest.skip("PostgreSQL is not installed (apt-get install -y postgresql)")
    server = PostgresServer(fsync=True).start()
    try:
        yield server
    finally:
        server.stop()


_PG_COUNT = [0]


@pytest.fixture
def pg_url(pg_server) -> str:
    """A fresh, empty PostgreSQL database for one test."""
    _PG_COUNT[0] += 1
    name = f"t{os.getpid()}_{_PG_COUNT[0]}"
    if isinstance(pg_server, str):
        import psycopg
        from sqlalchemy.engine import make_url

        u = make_url(pg_server)
        with psycopg.connect(host=u.host, port=u.port, user=u.username, password=u.password,
                             dbname=u.database, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return str(u.set(database=name).render_as_string(hide_password=False))
    return str(pg_server.create_database(name))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """The service's database: a SQLite file, then a PostgreSQL database (the same tests on
    both)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ops.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def engine(db_url):
    """The service's database at ``db_url``, migrated to the newest schema."""
    from autarky.service.db import make_engine, migrate

    e = make_engine(db_url)
    migrate(e)
    yield e
    e.dispose()


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (never ``playwright install``), for the page
    tests; ``AUTARKY_CHROMIUM`` names another binary."""
    import shutil

    from playwright.sync_api import sync_playwright

    chromium = (os.environ.get("AUTARKY_CHROMIUM") or shutil.which("chromium")
                or "/usr/bin/chromium")
    assert Path(chromium).is_file(), (
        f"no chromium at {chromium}: `make test` installs Debian's chromium (apt-get install -y "
        "chromium); set AUTARKY_CHROMIUM to use another")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium,
                              args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                    "--disable-background-networking"])
        yield b
        b.close()
