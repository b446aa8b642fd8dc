"""``autarky import`` and ``FORMAT:PATH --home`` on every analysis command (issue 11, item 5)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pymrio
import pytest

from autarky import read_scenario
from autarky.cli.app import main


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pymrio's test system as pymrio saves it (text files and metadata)."""
    folder = tmp_path_factory.mktemp("pymrio") / "test-mrio"
    pymrio.load_test().save_all(folder)
    return folder


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(list(argv))
    o, e = capsys.readouterr()
    return rc, o, e


def test_import_writes_a_scenario_with_its_provenance(saved: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "reg2"
    rc, _o, e = run(capsys, "import", "pymrio", str(saved), "--home", "reg2",
                   "--group", "near=reg1,reg3", "--group", "rest=*", "--out", str(out))
    assert rc == 0, e
    prov = json.loads((out / "table-provenance.json").read_text())
    assert prov["format"] == "pymrio" and prov["home"] == "reg2"
    assert prov["groups"] == {"near": ["reg1", "reg3"], "rest": ["reg4", "reg5", "reg6"]}
    assert prov["reader"].startswith("autarky ")
    eco = read_scenario(out).economy
    io = pymrio.load_test()
    io.calc_all()
    x = io.x.loc["reg2"].to_numpy().ravel()
    np.testing.assert_allclose(eco.plan.balance().gross_output.to_numpy(), x, rtol=1e-12)


def test_every_analysis_command_reads_a_table_directly(saved: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    spec = f"pymrio:{saved}"
    rc, o, e = run(capsys, "reliance", spec, "--home", "reg2", "--group", "near=reg1",
                   "--group", "rest=*", "--format", "json")
    assert rc == 0, e
    doc = json.loads(o)
    assert doc["name"] == "reg2 (pymrio)"
    rc, o, e = run(capsys, "balance", spec, "--home", "reg1", "--format", "csv")
    assert rc == 0, e
    assert "food" in o


@pytest.mark.parametrize(("argv", "message"), [
    (["reliance", "pymrio:{saved}"], "needs --home REGION"),
    (["reliance", "pymrio:{saved}", "--home", "reg9"], "no region 'reg9'"),
    (["reliance", "pymrio:{saved}", "--home", "reg1", "--group", "near"],
     "write NAME=CODE,CODE or NAME=*"),
    (["reliance", "pymrio:{saved}", "--home", "reg1", "--group", "a=reg2"],
     "regions in no group: reg3"),
    (["reliance", "nosuch:{saved}", "--home", "reg1"], "unknown table format 'nosuch'"),
    (["reliance", "pymrio:/no/such/folder", "--home", "reg1"], "no such file or folder"),
    (["reliance", "island", "--home", "reg1"], "--home and --group are for tables"),
])
def test_bad_table_options_exit_2_with_a_message(argv: list[str], message: str, saved: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    rc, _o, e = run(capsys, *[a.format(saved=saved) for a in argv])
    assert rc == 2
    assert message in " ".join(e.split()), e
    assert "Traceback" not in e
