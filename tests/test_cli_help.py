"""A command line that keeps its word (issue 10, item 3): an example in every command's help,
and the examples that need only bundled data run; ``--help`` loads none of the numerical stack;
numbers rounded for people; flags spelled out; periods named; revisions reported."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from autarky.cli.app import main
from autarky.report.format import format_number


def commands() -> list[list[str]]:
    """Every command path of the app (``["balance"]``, ``["data", "export"]``, ...)."""
    import typer.main

    group = typer.main.get_command(__import__("autarky.cli", fromlist=["app"]).app)
    out = []
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        sub = getattr(cmd, "commands", None)
        out += [[name, s] for s in sub] if sub else [[name]]
    return out


def help_text(capsys: pytest.CaptureFixture[str], path: list[str]) -> str:
    assert main([*path, "--help"]) == 0
    return capsys.readouterr().out


def examples(text: str) -> list[list[str]]:
    lines = text.split("Examples:", 1)[1].strip().splitlines()
    return [shlex.split(line.strip()) for line in lines if line.strip().startswith("autarky ")]


@pytest.mark.parametrize("path", commands(), ids=" ".join)
def test_every_command_has_examples(path: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    text = help_text(capsys, path)
    assert "Examples:" in text, text
    exs = examples(text)
    assert exs and any(e[1:1 + len(path)] == path for e in exs), exs


def _runnable(argv: list[str]) -> bool:
    """An example that needs only bundled data (no redirect, no file of the user's)."""
    if ">" in argv:
        return False
    values = [a for a in argv[1:] if not a.startswith("-")]
    paths = [a for a in values if "/" in a or a.endswith((".yaml", ".csv", ".json"))]
    return all(p.startswith("my-scenarios/") for p in paths)


@pytest.mark.parametrize("path", commands(), ids=" ".join)
def test_examples_run(path: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for argv in examples(help_text(capsys, path)):
        if not _runnable(argv):
            continue
        if argv[1:3] == ["validate", "my-scenarios/island.yaml"]:
            assert main(["data", "export", "island", "my-scenarios"]) == 0
        rc = main(argv[1:])
        err = capsys.readouterr().err
        assert rc == 0, (argv, err)


def test_help_loads_no_numerical_stack() -> None:
    """``--help`` imports neither numpy, pandas, scipy, matplotlib nor the solvers: the reason it
    answers in a fraction of a second (bench/cli_startup.py measures it)."""
    code = ("import sys; from autarky.cli.app import main; import contextlib, io\n"
            "with contextlib.redirect_stdout(io.StringIO()): main(['--help'])\n"
            "with contextlib.redirect_stdout(io.StringIO()): main(['stress', '--help'])\n"
            "heavy = [m for m in ('numpy', 'pandas', 'scipy', 'matplotlib', 'highspy', 'xarray')"
            " if m in sys.modules]\n"
            "print(','.join(heavy))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    assert proc.stdout.strip() == "", proc.stdout


@pytest.mark.parametrize(("value", "digits", "text"), [
    (2.06e-23, 3, "0"),         # solver noise
    (-0.0, 3, "0"),             # no minus zero
    (-1e-13, 3, "0"),
    (6.9e-05, 3, "0.000069"),   # a small shadow price, not 6.9e-05
    (0.012345, 3, "0.0123"),
    (1.0, 3, "1"),
    (2.5, 4, "2.5"),
    (0.000123456, 4, "0.0001235"),
    (-3.2e-08, 3, "-3.20e-08"),  # below a millionth: scientific
    (948.54, 3, "948.5"),
    (11766.4, 3, "11,766"),
    (-2500.0, 3, "-2,500"),
])
def test_numbers_for_people(value: float, digits: int, text: str) -> None:
    assert format_number(value, digits=digits) == text


def test_reliance_flags_spelled_out(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reliance", "dprk-1963"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "concentrated" in text and "imports > exports" in text
    assert "HHI > 0.4" in text


def test_monitor_names_the_period_and_reports_revisions(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    targets = tmp_path / "targets.csv"
    targets.write_text("branch,period,value,unit\nsteel,1961,110,kt\nsteel,1962,121,kt\n"
                       "steel,1963,133.1,kt\n")
    actuals = tmp_path / "actuals.csv"
    actuals.write_text("branch,period,value,unit,reported_at,source\n"
                       "steel,1961,108,kt,1962-01-10,first\n"
                       "steel,1961,105,kt,1962-06-01,revised\n"
                       "steel,1962,118,kt,1963-01-10,first\n")
    assert main(["monitor", str(targets), str(actuals)]) == 0
    text = " ".join(capsys.readouterr().out.split())
    # growth still needed from the last report 118 (1962) to 133.1 (1963): 133.1 / 118 - 1
    assert f"{100 * (133.1 / 118 - 1):.2f} % a year" in text
    assert "% a period" not in text
    # the revision 108 -> 105: 105 / 108 - 1 = -2.8 %, under the 5 % flag threshold
    assert "1 revision(s)" in text and "steel 1961 108 -> 105 (-2.8 %)" in text


def test_stress_names_a_final_demand_shortfall_behind_steady_output(
        capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 10: 'recovery week 0' was printed for cut-offs whose final users went short. The
    shortfall is read here from the propagation itself: output never leaves its 1 % band, yet
    final deliveries fall more than 1 % below what is asked in some weeks."""
    import numpy as np

    from autarky import data

    res = data.load("island").reliance.stress("partner:southland:agriculture", weeks=52,
                                              duration=13)
    pr = res.propagation
    assert np.all(np.abs(pr.output - pr.baseline) <= 0.01 * pr.baseline + 1e-9)
    short = np.flatnonzero(np.any(pr.final_delivered < 0.99 * pr.final_demand - 1e-9, axis=1))
    assert short.size > 0
    assert pr.served_week() == short[-1] + 1
    assert main(["stress", "island", "--shock", "partner:southland:agriculture"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert (f"outputs stayed within 1 % of baseline, but final demand went short until week "
            f"{short[-1] + 1}") in text
