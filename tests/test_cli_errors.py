"""One error path for the command line (issue 9): every failure a user can cause prints one
message naming what is wrong and where, and exits 2 (bad input) or 1 (an answer that is a
failure); never a traceback unless ``--debug``. One test per case of the issue."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from autarky.cli.app import EXIT_INTERNAL, main

cli = importlib.import_module("autarky.cli.app")  # the module (the package exports the app)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    cap = capsys.readouterr()
    return rc, cap.out, " ".join(cap.err.split())


STRESS = ["stress", "dprk-1963", "--shock", "partner:ussr"]

#: (command line, text the message must contain): bad option values, exit 2.
BAD_OPTIONS = [
    ([*STRESS, "--scheme", "nope"], "'--scheme'"),
    ([*STRESS, "--scheme", "priority"], "'--priority'"),
    ([*STRESS, "--scheme", "priority", "--priority", "nope"], "unknown branch(es) nope"),
    ([*STRESS, "--priority", "coal"], "'--priority'"),
    ([*STRESS, "--weeks", "-5"], "'--weeks'"),
    ([*STRESS, "--weeks", "0"], "'--weeks'"),
    ([*STRESS, "--weeks", "100000000000"], "'--weeks'"),
    ([*STRESS, "--weeks", "many"], "'--weeks'"),
    ([*STRESS, "--duration", "-1"], "'--duration'"),
    ([*STRESS, "--duration", "60"], "'--duration'"),
    ([*STRESS, "--weeks", "5", "--duration", "6"], "'--duration'"),
    ([*STRESS, "--inventory-days", "nan"], "'--inventory-days'"),
    ([*STRESS, "--inventory-days", "inf"], "'--inventory-days'"),
    ([*STRESS, "--inventory-days", "3"], "'--inventory-days'"),
    ([*STRESS, "--inventory-days", "1e308"], "'--inventory-days'"),
    (["stress", "dprk-1963", "--shock", "partner:nope"], "unknown partner 'nope'"),
    (["stress", "dprk-1963", "--shock", "capacity:coal:nan"], "capacity:coal:nan"),
    (["stress", "dprk-1963", "--shock", "capacity:nope:0.5"], "nope"),
    (["stress", "dprk-1963", "--shock", ""], "unknown shock"),
    (["stress", "dprk-1963", "--shock", "demand:coal:1e308"], "a demand rise is at most 100"),
    (["stress", "dprk-1963", "--shock", "demand::-1"], "--shock 'demand::-1'"),
    (["autarky-cost", "dprk-1963", "--theta", "0"], "'--theta'"),
    (["autarky-cost", "dprk-1963", "--theta", "-2"], "'--theta'"),
    (["autarky-cost", "dprk-1963", "--theta", "nan"], "'--theta'"),
    (["autarky-cost", "dprk-1963", "--scale-elasticity", "nan"], "'--scale-elasticity'"),
    (["autarky-cost", "dprk-1963", "--scale-elasticity", "1"], "'--scale-elasticity'"),
    (["autarky-cost", "dprk-1963", "--branches", "nope"], "nope"),
    (["optimize", "dprk-1963", "--min-fulfilment", "nan"], "'--min-fulfilment'"),
    (["optimize", "dprk-1963", "--objective", "nope"], "'--objective'"),
    (["plan", "seven-year-plan", "--strategy", "nope"], "unknown strategy 'nope'"),
    (["compare", "seven-year-plan", "--strategies", ",,"], "--strategies"),
    (["compare", "seven-year-plan", "--strategies", ",".join(f"s{i}" for i in range(30))],
     "--strategies"),
    (["monitor", "seven-year-plan", "seven-year-plan", "--model", "nope"], "'--model'"),
    (["balance", "dprk-1963", "--format", "xml"], "'--format'"),
    (["data", "show", "nope"], "no bundled dataset 'nope'"),
    (["validate", "no-such-file.yaml"], "no-such-file.yaml"),
    (["audit", "no-such-claims.yaml"], "no-such-claims.yaml"),
    (["monitor", "no-targets.csv", "seven-year-plan"], "no-targets.csv"),
    (["nope-command"], "nope-command"),
    (["balance"], "Missing argument"),
]


@pytest.mark.parametrize(("argv", "named"), BAD_OPTIONS,
                         ids=[" ".join(a[:1] + a[3:] if a[0] == "stress" else a)[:60]
                              for a, _ in BAD_OPTIONS])
def test_bad_option_value(argv: list[str], named: str,
                          capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run(capsys, *argv)
    assert rc == 2, err
    assert "Traceback" not in err and "internal error" not in err
    assert named in err, err


def test_plan_failure_exits_1_with_the_reason(capsys: pytest.CaptureFixture[str]) -> None:
    """Twice the target is more than the 1963 labour force can make: infeasible, exit 1."""
    rc, out, err = run(capsys, "optimize", "dprk-1963", "--min-fulfilment", "2", "--format", "json")
    assert rc == 1
    assert "no plan: the plan is infeasible" in err and "minimum-fulfilment" in err
    assert '"status": "infeasible"' in out


def test_debug_shows_the_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run(capsys, "validate", "no-such-file.yaml", "--debug")
    assert rc == 2
    assert "Traceback" in err and "ScenarioError" in err and "no-such-file.yaml" in err
    rc, _, err = run(capsys, "--debug", "validate", "no-such-file.yaml")
    assert rc == 2 and "Traceback" in err


def test_internal_error_is_one_line_and_exit_70(capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def bug(*args: object, **kwargs: object) -> None:
        raise TypeError("unsupported operand")

    monkeypatch.setattr(cli, "read_scenario", bug)
    rc, _, err = run(capsys, "validate", "x.yaml")
    assert rc == EXIT_INTERNAL == 70
    assert "internal error (a bug in autarky): TypeError: unsupported operand" in err
    assert "--debug" in err and "Traceback" not in err


def test_missing_optional_dependency(capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(*args: object, **kwargs: object) -> None:
        raise ModuleNotFoundError("No module named 'pymrio'", name="pymrio")

    monkeypatch.setattr(cli, "read_scenario", missing)
    rc, _, err = run(capsys, "validate", "x.yaml")
    assert rc == 2
    assert "optional package 'pymrio'" in err and "pip install pymrio" in err


def test_unreadable_input_is_named(tmp_path: pytest.TempPathFactory,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "s.yaml"  # type: ignore[operator]
    folder.mkdir()  # a folder named like a file, without scenario.yaml
    rc, _, err = run(capsys, "validate", str(folder))
    assert rc == 2 and "scenario.yaml" in err and "not found" in err


def test_interrupt_before_any_output(capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "read_scenario", interrupted)
    rc, _, err = run(capsys, "validate", "x.yaml")
    assert rc == 130
    assert "interrupted" in err and "Traceback" not in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    import autarky

    rc, out, _ = run(capsys, "--version")
    assert rc == 0 and out.strip() == f"autarky {autarky.__version__}"


def test_console_script_has_no_traceback() -> None:
    """The real entry point, in a child process: a bad option value, exit 2, no traceback."""
    proc = subprocess.run([sys.executable, "-m", "autarky", *STRESS, "--weeks", "-5"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "'--weeks'" in proc.stderr


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_a_plan_ending_in_error_says_why(capsys, monkeypatch, fmt):
    """A plan that ends in ``error`` (the solver gave no answer it could check) says why, in
    the solver's words, and exits 1 (issue 16: 12 of 2,000 mutated plans had an empty
    explanation). The solver is made to fail (a time limit, say) by replacing it."""
    import numpy as np

    import autarky.plan.optimize as optimize_module
    from autarky.solve.lp import LPResult

    def failing(lp, solver="simplex", time_limit=None):
        m, n = lp.shape
        nan_x, nan_r = np.full(n, np.nan), np.full(m, np.nan)
        return LPResult("error", np.nan, nan_x, nan_r, nan_r, nan_x, None,
                        "Time limit reached", 7), solver, None

    monkeypatch.setattr(optimize_module, "solve_lp_or_simplex", failing)
    rc, out, err = run(capsys, "optimize", "island", "--format", fmt)
    assert rc == 1
    said = " ".join(out.split()) if fmt == "table" else err
    assert "error" in said and "Time limit reached" in said, (out, err)
