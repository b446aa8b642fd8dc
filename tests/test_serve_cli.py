"""``autarky add-unit`` and ``autarky serve`` (issue 15): a unit's token printed once, and a bad
``--db`` refused with a message naming the option, exit 2 (never a traceback, never the
password)."""

from __future__ import annotations

import pytest

from autarky.cli.app import main
from autarky.service.db import make_engine, session_scope
from autarky.service.store import authenticate


def test_add_unit_prints_a_token_that_signs_in(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'ops.db'}"
    assert main(["add-unit", "farms", "--role", "reporter", "--branch", "agriculture",
                 "--db", url]) == 0
    out = capsys.readouterr().out
    token = out.split("token (shown once, keep it): ")[1].split()[0]
    engine = make_engine(url)
    with session_scope(engine) as s:
        assert authenticate(s, token).name == "farms"
    engine.dispose()
    assert main(["add-unit", "farms", "--db", url]) == 2
    assert "exists already" in capsys.readouterr().err


@pytest.mark.parametrize(("url", "says"), [
    ("nonsense://x", "unknown database kind"),
    ("::", "not a database URL"),
    ("sqlite:////nonexistent/folder/x.db", "cannot open the database"),
    ("postgresql+psycopg://someone:s3cret@127.0.0.1:1/x", "cannot open the database"),
])
@pytest.mark.parametrize("command", ["add-unit", "serve"])
def test_a_bad_database_url_is_refused(url, says, command, capsys):
    args = ["add-unit", "x", "--db", url] if command == "add-unit" else \
        ["serve", "--db", url, "--port", "1"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "--db" in err and says in err and "s3cret" not in err, err


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///file:ops?mode=memory&uri=true"])
def test_processes_refuse_a_database_in_memory(url, capsys):
    assert main(["serve", "--db", url, "--port", "1", "--processes", "2"]) == 2
    err = capsys.readouterr().err
    assert "--processes 2" in err and "in memory" in err, err
