"""The ``autarky`` command: outputs, formats and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autarky.cli.app import main

ROOT = Path(__file__).resolve().parents[1]
TEXTBOOK = ROOT / "examples" / "textbook.yaml"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = main(args)
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def test_balance_json_has_gross_output_by_branch(capsys: pytest.CaptureFixture[str]) -> None:
    # Miller & Blair (2009) section 2.3: x = (1247.52, 1841.58) for y = (600, 1500).
    rc, out, _ = run(["balance", str(TEXTBOOK), "--format", "json"], capsys)
    assert rc == 0
    doc = json.loads(out)
    assert doc["gross_output"]["agriculture"] == pytest.approx(1247.52, abs=0.01)
    assert doc["gross_output"]["manufacturing"] == pytest.approx(1841.58, abs=0.01)
    assert doc["units"] == {"agriculture": "USD million", "manufacturing": "USD million"}


def test_balance_csv_and_table(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(["balance", str(TEXTBOOK), "--format", "csv"], capsys)
    assert rc == 0
    header, *rows = out.strip().splitlines()
    assert header.split(",")[:3] == ["branch", "unit", "gross_output"]
    assert rows[0].startswith("agriculture,USD million,1247.52")
    rc, out, _ = run(["balance", str(TEXTBOOK)], capsys)
    assert rc == 0
    assert "1,248" in out  # 1247.52 shown with a thousands separator
    assert "USD million" in out
    assert "Scenario:" in out


def test_bundled_name_is_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(["balance", "dprk-1963", "--format", "json"], capsys)
    assert rc == 0
    # 1963 electricity output in the source: 11,766,000,000 kWh (line 195)
    assert json.loads(out)["gross_output"]["electricity"] == pytest.approx(11766, rel=1e-9)


def test_validate_and_schema(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(["validate", str(TEXTBOOK)], capsys)
    assert rc == 0 and "ok" in out
    rc, out, _ = run(["schema"], capsys)
    schema = json.loads(out)
    assert schema["required"] == ["name", "branches"]
    assert "technology" in schema["properties"]


def test_bad_input_exits_2_with_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = TEXTBOOK.read_text().replace("agriculture: 0.15", "agriculture: -0.15")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    line = text.splitlines().index(
        next(t for t in text.splitlines() if "-0.15" in t)) + 1
    rc, _, err = run(["balance", str(bad)], capsys)
    assert rc == 2
    assert f"bad.yaml:{line}:" in err and "technology.agriculture.agriculture" in err
    assert "negative" in err and "Traceback" not in err


def test_missing_file_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run(["validate", "/nonexistent/scenario.yaml"], capsys)
    assert rc == 2 and "not found" in err


def test_data_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(["data", "list"], capsys)
    assert rc == 0 and "dprk-1963" in out and "claims" in out
    rc, out, _ = run(["data", "show", "claims"], capsys)
    assert rc == 0
    assert "0.348" in out  # 34.8 per cent a year, 1954-63 (line 171), stored as a fraction
    assert "(unclear)" in out
    rc, out, _ = run(["data", "show", "dprk-1963"], capsys)
    assert rc == 0 and "million kWh" in out
    rc, _, _ = run(["data", "export", "dprk-1963", str(tmp_path)], capsys)
    assert rc == 0
    assert (tmp_path / "dprk-1963" / "scenario.yaml").is_file()
    assert (tmp_path / "dprk-1963" / "technology.csv").is_file()
    rc, _, err = run(["data", "show", "nope"], capsys)
    assert rc == 2 and "no bundled dataset" in err


def test_demo_writes_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(["demo", "--out", str(tmp_path / "rep")], capsys)
    assert rc == 0
    page = (tmp_path / "rep" / "index.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
    for name, heading in (("plans.html", "Can industrial output grow 18 % a year"),
                          ("reliance.html", "The two patrons"),
                          ("monitoring.html", "Can the claims all be true")):
        other = (tmp_path / "rep" / name).read_text()
        assert other.startswith("<!DOCTYPE html>") and "<svg" in other and heading in other
        assert f"href='{name}'" in page  # linked from the first page
    assert "Material balance" in out and "thousand t" in out


def test_console_script_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "dup.yaml"
    bad.write_text("name: x\nbranches:\n  - {id: a, unit: t}\n  - {id: a, unit: t}\n"
                   "technology: {a: {a: 0.1}}\n")
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.run([sys.executable, "-m", "autarky", "validate", str(bad)],
                          capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 2
    assert "duplicate id 'a'" in proc.stderr and "dup.yaml:4" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_report_of_a_scenario_with_imports_and_a_horizon(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(["report", "seven-year-plan", "--out", str(tmp_path / "r")], capsys)
    assert rc == 0
    for name in ("index.html", "reliance.html", "compare.html"):
        page = (tmp_path / "r" / name).read_text()
        assert page.startswith("<!DOCTYPE html>") and "<svg" in page
    assert "compare.html" in out


def test_stress_without_limits_explains_and_exits_1(tmp_path, capsys) -> None:
    """The textbook economy has nothing that limits output: the stress test says what it needs,
    in the scenario's keys, and exits 1 (an answer that is a failure, not bad input)."""
    import pathlib

    textbook = str(pathlib.Path(__file__).resolve().parents[1] / "examples" / "textbook.yaml")
    rc = main(["stress", textbook, "--shock", "demand:agriculture:0.1"])
    err = capsys.readouterr().err
    assert rc == 1
    assert "unbounded" in err and "factors[].availability" in err and "capacity" in err


def test_criticality_without_factors_ranks_branches_and_partners(write, textbook_yaml,
                                                                capsys) -> None:
    """An economy with import shares but no factors: branches by extraction, partners by their
    share of import content, with a note saying why the re-planned cost is not given."""
    text = textbook_yaml + "partners:\n  - {id: p}\nimport_shares: {p: {agriculture: 0.2}}\n"
    rc = main(["criticality", str(write(text)), "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert [r["branch"] for r in doc["branches"]] and doc["partners"][0]["partner"] == "p"
    assert "factors[].availability" in doc["partners_note"]
