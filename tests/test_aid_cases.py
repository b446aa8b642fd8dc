"""Counterfactuals of aid (autarky.plan.aid_cases), against the hand-solved one-good economy
of tests/test_aid_timing.py, and on the bundled reconstruction scenario.

In the one-good economy a unit of aid is worth 3 in the first year and 1 in the second (the
derivation is in tests/test_aid_timing.py): the optimum is ``2 K0 + m1 + m2 +
(K0 + m1)(1 - 2b)/b = 400 + 3 m1 + m2`` for ``K0 = 100``, ``b = 0.25``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from tests.test_aid_timing import one_good

from autarky import data
from autarky.cli.app import main
from autarky.errors import BadValueError
from autarky.plan.aid_cases import aid_counterfactuals, case_aid, default_cases


def optimum(m1: float, m2: float) -> float:
    return 400.0 + 3.0 * m1 + m2


def test_cases_meet_the_hand_solution() -> None:
    t = aid_counterfactuals(one_good([10.0, 30.0]),
                            cases=["as given", "without aid", "without p", "until 1954",
                                   "times 0.5", "times 2"])
    expected = {"as given": (10, 30), "without aid": (0, 0), "without p": (0, 0),
                "until 1954": (10, 0), "times 0.5": (5, 15), "times 2": (20, 60)}
    assert t.summary.index.name == "case"
    for name, (m1, m2) in expected.items():
        assert t.summary.loc[name, "objective"] == pytest.approx(optimum(m1, m2), rel=1e-9)
        assert t.aid.loc[(name, 1954), "p"] == pytest.approx(m1)
        assert t.aid.loc[(name, 1955), "p"] == pytest.approx(m2)
    # the value of aid by year is the hand-solved 3 and 1 wherever aid still pays imports
    assert t.aid_value["as given"].tolist() == pytest.approx([3.0, 1.0], abs=1e-9)


def test_case_strings_and_their_errors() -> None:
    given = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    years, partners = [1954, 1955], ["a", "b", "c"]
    assert case_aid("without a+c", given, years, partners).tolist() == [[0, 2, 0], [0, 5, 0]]
    assert case_aid(" times 0 ", given, years, partners).sum() == 0
    assert default_cases(partners, given) == ["as given", "without c", "without b",
                                              "without a", "without c+b", "without aid"]
    assert default_cases(partners, np.array([[0.0, 1.0, 0.0]])) == ["as given", "without b"]
    for bad, words in [("without z", "no partner 'z'"), ("until 1960", "horizon 1954-1955"),
                       ("until soon", "takes a year"), ("times -1", ">= 0"),
                       ("times x", ">= 0"), ("sometimes", "unknown aid case")]:
        with pytest.raises(BadValueError, match=words):
            case_aid(bad, given, years, partners)
    with pytest.raises(BadValueError, match="at least one"):
        aid_counterfactuals(one_good([10.0, 30.0]), cases=[])
    with pytest.raises(BadValueError, match="no aid"):
        aid_counterfactuals(one_good([0.0, 0.0]))


def test_reconstruction_without_the_aid() -> None:
    """The bundled 1954-60 reconstruction: less aid never gives a better plan (the feasible set
    only shrinks), and each donor left out costs something."""
    t = aid_counterfactuals(data.load("three-year-plan"), "free")
    s = t.summary
    assert (s["status"] == "optimal").all()
    assert list(s.index) == ["as given", "without china", "without ussr", "without row",
                             "without china+ussr", "without aid"]
    obj = s["objective"]
    for name in s.index[1:]:
        assert obj[name] <= obj["as given"] + 1e-6 * abs(obj["as given"])
    assert obj["without aid"] <= obj["without china+ussr"] <= obj["without china"]
    assert obj["without aid"] < obj["as given"]
    # without aid the whole investment is the plan's own saving (no foreign money to use
    # beyond what exports earn)
    assert s.loc["without aid", "own_saving_share"] >= s.loc["as given", "own_saving_share"]


def test_bundled_folder_is_what_the_generator_writes(tmp_path: Path) -> None:
    """tools/build_three_year_plan.py writes the bundled three-year-plan folder byte for byte:
    its figures, citations and estimates are the ones in the script."""
    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("build3",
                                                  root / "tools" / "build_three_year_plan.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    checks = mod.main(tmp_path)
    mod.write_scenario(checks, tmp_path)
    bundled = data.dataset("three-year-plan").path
    names = sorted(p.name for p in bundled.iterdir())
    assert names == sorted(p.name for p in tmp_path.iterdir())
    for name in names:
        assert (tmp_path / name).read_bytes() == (bundled / name).read_bytes(), name


def test_cli_aid_cases(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    assert main(["aid-cases", "three-year-plan", "--cases", "as given,without aid",
                 "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc["cases"]) == {"as given", "without aid"}
    assert doc["cases"]["without aid"]["objective"] < doc["cases"]["as given"]["objective"]
    assert main(["aid-cases", "three-year-plan", "--cases", "without nobody"]) == 2
    assert "no partner 'nobody'" in capsys.readouterr().err
