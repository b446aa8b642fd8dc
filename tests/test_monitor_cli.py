"""``autarky monitor`` and ``autarky audit``, and the source audit the report shows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autarky.cases.koh1965.links import source_audit
from autarky.cli.app import main
from autarky.data import load_claims


def test_monitor_seven_year_plan_json(capsys: pytest.CaptureFixture[str]) -> None:
    """1965 level = 100 * 1.18^3 * 1.17 * 1.14 = 219.1476...; reaching 320 in 1967 needs
    (320 / 219.1476)^(1/2) - 1 = 20.84 % a year."""
    rc = main(["monitor", "seven-year-plan", "seven-year-plan", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 0
    level_1965 = 100 * 1.18 ** 3 * 1.17 * 1.14
    assert doc["required_growth"]["industrial-output"] == pytest.approx(
        (320 / level_1965) ** 0.5 - 1, rel=1e-9)
    assert doc["fulfilment"]["industrial-output"]["1964"] == pytest.approx(1.17 / 1.18, rel=1e-12)
    assert set(doc) >= {"fulfilment", "required_growth", "forecast", "flags"}
    assert any(f["kind"] == "miss-run" for f in doc["flags"])


def test_monitor_table_and_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["monitor", "seven-year-plan", "seven-year-plan"]) == 0
    assert "20.84 %" in capsys.readouterr().out
    bad = tmp_path / "actuals.csv"
    bad.write_text("branch,period,value,unit,reported_at,source\nx,1961,abc,t,1962,s\n")
    assert main(["monitor", "seven-year-plan", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "actuals.csv:2" in err and "value" in err


def test_source_audit_flags_the_pre_war_loop() -> None:
    """The plan: 3.2 times 1960 and 20 times pre-war (1944) by 1967, so 1960 = 20 / 3.2 = 6.25
    times 1944. The reports: 1963 = 365 / 28 = 13.04 times 1944 ("28 days"), and with 1961-63
    on plan (an assumption) 1963 = 1.18^3 = 1.643 times 1960, so 1960 = 13.04 / 1.643 = 7.94
    times 1944: 27 % apart. These claims sit on one loop; the audit flags them, and not the
    1964-65 reports against their 18 % targets (a target is not a report)."""
    res = source_audit(load_claims())
    flagged = set(res.flagged)
    assert {"seven-year-plan-output-vs-prewar",
            "industrial-output-28-days-1963-vs-1944"} <= flagged
    assert "industrial-growth-1965" not in flagged
    assert not res.consistent
    without = source_audit(load_claims(), assume_on_plan=False)
    assert "seven-year-plan-output-vs-prewar" not in set(without.flagged)


def test_audit_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "claims", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert "industrial-output" in doc["series"]
    assert doc["claims"]["seven-year-plan-output-vs-prewar"]["flag"] is True
    assert main(["audit", "claims"]) == 0
    assert "cannot all hold together" in capsys.readouterr().out


def test_monitor_a_plan_from_autarky_plan_json(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """Targets read from `autarky plan --format json`; reports 5 % below the plan's coal output
    in its first year give a fulfilment of 0.95 exactly."""
    assert main(["plan", "seven-year-plan", "--strategy", "light-first", "--format", "json"]) == 0
    plan_json = tmp_path / "plan.json"
    plan_json.write_text(capsys.readouterr().out)
    doc = json.loads(plan_json.read_text())
    first = str(doc["years"][0])
    coal = doc["gross_output"][first]["coal"]
    actuals = tmp_path / "actuals.csv"
    actuals.write_text("branch,period,value,unit,reported_at,source\n"
                       f"coal,{first},{coal * 0.95!r},thousand t,1962-01-01,test\n")
    assert main(["monitor", str(plan_json), str(actuals), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["fulfilment"]["coal"][first] == pytest.approx(0.95, rel=1e-12)


def test_economy_monitor_defaults_to_its_multiyear_plan(tmp_path: Path) -> None:
    """`economy.monitor(actuals)` follows the economy's own multi-year plan: a report equal to
    the plan's 1961 electricity output is fulfilment 1."""
    from autarky.data import load

    eco = load("seven-year-plan")
    plan = eco.plan.multiyear("free")
    target = float(plan.gross_output.loc[1961, "electricity"])
    actuals = tmp_path / "actuals.csv"
    actuals.write_text("branch,period,value,unit,reported_at,source\n"
                       f"electricity,1961,{target!r},million kWh,1962-01-01,test\n")
    res = eco.monitor(actuals, strategy="free")
    assert res.fulfilment.loc["electricity", 1961] == pytest.approx(1.0, rel=1e-12)


def test_monitor_and_audit_csv(capsys: pytest.CaptureFixture[str]) -> None:
    """``--format csv`` prints the long table, one row per value with its unit: the growth still
    needed is (320 / 219.1476)^(1/2) - 1 a year, as in the JSON."""
    import csv
    import io

    assert main(["monitor", "seven-year-plan", "seven-year-plan", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    need = [r for r in rows if r["variable"] == "required_growth"]
    assert len(need) == 1 and need[0]["branch"] == "industrial-output"
    assert float(need[0]["value"]) == pytest.approx((320 / (100 * 1.18**3 * 1.17 * 1.14)) ** 0.5 - 1,
                                                    rel=1e-9)
    assert need[0]["unit"] == "1/period"
    assert main(["audit", "claims", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {"series", "z", "chi2"} <= {r["variable"] for r in rows}
