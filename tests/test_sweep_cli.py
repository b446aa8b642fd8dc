"""``autarky sweep`` (issue 14): its numbers are the draws', its grid obeys what a cap must do,
and every bad option is refused with exit 2 and the option's name."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from autarky import data
from autarky.cli.app import main
from autarky.sweep.engine import sweep


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    cap = capsys.readouterr()
    return rc, cap.out, " ".join(cap.err.split())


def test_json_quantiles_and_event_are_those_of_the_draws(capsys):
    rc, out, _ = run(capsys, "sweep", "dprk-1963", "--draws", "24", "--run", "optimize",
                     "--event", "optimize.fulfilment >= 1", "--seed", "3", "--vary",
                     "technology", "--scheduler", "serial", "--format", "json")
    assert rc == 0
    doc = json.loads(out)
    ds = sweep(data.load("dprk-1963"), ["optimize"], draws=24, seed=3, vary=["technology"],
               scheduler="serial")
    f = ds["optimize.fulfilment"].values
    row = next(r for r in doc["quantiles"] if r["output"] == "optimize.fulfilment")
    assert row["n"] == 24 and row["unit"] == "1"
    assert row["q0.5"] == pytest.approx(float(np.quantile(f, 0.5)))
    assert doc["events"][0]["probability"] == pytest.approx(float(np.mean(f >= 1)))
    assert doc["sweep"]["seed"] == 3 and len(doc["sweep"]["entries"]) == 75  # the 75 norms
    s = doc["sensitivity"]["optimize.fulfilment"]
    assert s["method"] == "spearman" and sorted(s["rank"].values()) == list(range(1, 76))


def test_a_grid_of_import_caps_obeys_what_a_cap_means(capsys):
    # allowing a larger share of today's imports can never lower the plan's fulfilment, and
    # at cap 1 (all of today's imports) the plan is today's optimal plan
    rc, out, _ = run(capsys, "sweep", "dprk-1963", "--run", "cost", "--grid",
                     "cap=0:1:5", "--scheduler", "serial", "--format", "json")
    assert rc == 0
    rows = {r["at"]["cap"]: r["q0.5"] for r in json.loads(out)["quantiles"]
            if r["output"] == "cost.fulfilment"}
    caps = sorted(rows)
    vals = [rows[c] for c in caps]
    assert caps == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert all(b >= a - 1e-9 for a, b in itertools.pairwise(vals))
    best = data.load("dprk-1963").plan.optimize().fulfilment
    assert vals[-1] == pytest.approx(best, rel=1e-7)


def test_table_output_names_units_source_and_method(capsys):
    rc, out, _ = run(capsys, "sweep", "dprk-1963", "--draws", "12", "--run",
                     "stress partner:ussr", "--event", "stress_partner:ussr.loss > 0",
                     "--scheduler", "serial", "--vary", "import_shares")
    assert rc == 0
    text = " ".join(out.split())
    for words in ("million won", "Source: B. C. Koh", "Spearman rank correlation",
                  "an estimate from the draws", "12 draws"):
        assert words in text, words


def test_the_store_resumes_from_the_command_line(capsys, tmp_path):
    args = ["sweep", "dprk-1963", "--draws", "6", "--run", "indicators", "--vary",
            "technology", "--scheduler", "serial", "--batch", "2", "--store",
            str(tmp_path / "s.zarr"), "--format", "json"]
    rc, first, _ = run(capsys, *args)
    assert rc == 0
    rc, again, _ = run(capsys, *args)  # all stored: nothing left to compute, same answer
    assert rc == 0 and json.loads(first)["quantiles"] == json.loads(again)["quantiles"]
    rc, _, err = run(capsys, *[a if a != "6" else "7" for a in args])
    assert rc == 2 and "holds another sweep" in err


@pytest.mark.parametrize("argv, words", [
    (["--run", "optimise"], "unknown analysis 'optimise'"),
    (["--run", "stress"], "stress needs a shock"),
    (["--run", "optimize", "--grid", "cap=0:1"], "LO:HI:N"),
    (["--run", "optimize", "--grid", "cap=0:1:3"], "no --run uses it"),
    (["--run", "cost cap={cap}"], "no --grid for {cap}"),
    (["--run", "optimize", "--draws", "4", "--vary", "nonsense"], "--vary nonsense"),
    (["--run", "optimize", "--draws", "0"], "--draws: at least 1"),
    (["--run", "optimize", "--draws", "4", "--event", "fulfilment is high"], "--event"),
    (["--run", "optimize", "--draws", "4", "--event", "optimize.nothing >= 1"],
     "no output 'optimize.nothing'"),
    (["--run", "optimize", "--scheduler", "nowhere"], "--scheduler"),
    (["--run", "optimize", "--design", "latin"], "--design"),
    (["--run", "optimize", "--quantiles", "0.5,2"], "--quantiles"),
    (["--run", "stress partner:atlantis"], "atlantis"),
])
def test_bad_options_exit_2_naming_them(capsys, argv, words):
    rc, _, err = run(capsys, "sweep", "dprk-1963", "--scheduler", "serial", *argv)
    assert rc == 2, err
    assert words in err
