"""Uncertainty in the scenario format (issue 14, part 1): ranges, distributions and OCR readings
on any table entry, in YAML and CSV, read with line-numbered errors, written back, in the schema.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from autarky import read_scenario, write_scenario
from autarky.cli.app import main
from autarky.errors import ScenarioError
from autarky.sweep.uncertain import entries_of, sample

HEAD = """\
name: two branches
branches:
  - {id: agriculture, unit: "USD million"}
  - {id: manufacturing, unit: "USD million"}
final_demand: {agriculture: 600, manufacturing: 1500}
"""

SPREADS = HEAD + """\
technology:
  agriculture:
    agriculture: {value: 0.15, range: [0.1, 0.2], range_note: "norms of the 1950s"}
    manufacturing: {value: 0.25, distribution: triangular, range: [0.2, 0.4]}
  manufacturing:
    agriculture: {value: 0.20, distribution: lognormal, sd: 0.1, estimate: true}
    manufacturing: {value: 0.05, values: [0.05, 0.5], weights: [3, 1], note: "OCR: 0.05 or 0.5"}
"""


def _write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _spec(e) -> tuple:
    return (e.table, e.key, e.distribution, e.low, e.high, e.sd, tuple(e.values),
            tuple(e.weights))


def test_yaml_spreads_are_read_as_uncertain_entries(tmp_path):
    eco = read_scenario(_write(tmp_path, SPREADS))
    got = {e.key: _spec(e) for e in entries_of(eco)}
    assert got == {
        ("agriculture", "agriculture"): ("technology", ("agriculture", "agriculture"), "uniform",
                                         0.1, 0.2, None, (), ()),
        ("agriculture", "manufacturing"): ("technology", ("agriculture", "manufacturing"),
                                           "triangular", 0.2, 0.4, None, (), ()),
        ("manufacturing", "agriculture"): ("technology", ("manufacturing", "agriculture"),
                                           "lognormal", None, None, 0.1, (), ()),
        ("manufacturing", "manufacturing"): ("technology", ("manufacturing", "manufacturing"),
                                             "discrete", None, None, None, (0.05, 0.5),
                                             (3.0, 1.0)),
    }
    assert next(e.note for e in entries_of(eco)) == "norms of the 1950s"
    # the stated values are the economy's (the spread does not change the number)
    assert np.allclose(eco.technology.to_numpy(), [[0.15, 0.25], [0.20, 0.05]])


def test_csv_spread_columns(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "scenario.yaml").write_text(HEAD + "technology: technology.csv\n")
    (folder / "technology.csv").write_text(
        "input,branch,value,low,high,distribution,sd,values,weights,range_note\n"
        "agriculture,agriculture,0.15,0.1,0.2,,,,,norms\n"
        "agriculture,manufacturing,0.25,,,lognormal,0.2,,,\n"
        "manufacturing,agriculture,0.2,,,,,0.2;0.02,1;1,two readings\n"
        "manufacturing,manufacturing,0.05,,,,,,,\n")
    eco = read_scenario(folder)
    got = {e.key: _spec(e)[2:] for e in entries_of(eco)}
    assert got == {("agriculture", "agriculture"): ("uniform", 0.1, 0.2, None, (), ()),
                   ("agriculture", "manufacturing"): ("lognormal", None, None, 0.2, (), ()),
                   ("manufacturing", "agriculture"): ("discrete", None, None, None,
                                                      (0.2, 0.02), (1.0, 1.0))}


@pytest.mark.parametrize("form", ["economy.yaml", "economy"])
def test_spreads_survive_the_round_trip(tmp_path, form):
    eco = read_scenario(_write(tmp_path, SPREADS))
    back = read_scenario(write_scenario(eco, tmp_path / form))
    assert sorted(map(_spec, entries_of(back))) == sorted(map(_spec, entries_of(eco)))
    assert sorted(e.note for e in entries_of(back)) == sorted(e.note for e in entries_of(eco))


def test_draws_from_a_file_respect_the_declared_ranges(tmp_path):
    eco = read_scenario(_write(tmp_path, SPREADS))
    entries = entries_of(eco)
    d = sample(eco, entries, 400, seed=3)
    col = {e.key: d.values[:, k] for k, e in enumerate(entries)}
    a = col[("agriculture", "agriculture")]
    assert a.min() >= 0.1 and a.max() <= 0.2
    assert set(np.round(col[("manufacturing", "manufacturing")], 12)) == {0.05, 0.5}
    # P(0.05) = 3/4: 300 of 400 expected, sd sqrt(400 * 3/16) = 8.7
    assert abs(int((col[("manufacturing", "manufacturing")] == 0.05).sum()) - 300) < 45


@pytest.mark.parametrize("entry, line, field, words", [
    ("{value: 0.15, range: [0.2, 0.3]}", 8, "range", "does not hold the value 0.15"),
    ("{value: 0.15, distribution: lognormal}", 8, "distribution", "needs sd"),
    ("{value: 0.15, distribution: gamma, sd: 0.1}", 8, "distribution", "unknown distribution"),
    ("{value: 0.15, values: [0.2, 0.3]}", 8, "values", "not one of the values"),
    ("{value: 0.15, values: [0.15, 0.3], weights: [1]}", 8, "weights", "one weight per value"),
    ("{value: 0.15, range: [-0.1, 0.2]}", 8, "range", "negative coefficient"),
    ("{value: 0.15, range: [0.1, 0.2], sd: 0.1}", 8, "sd", "takes range, not sd"),
    ("{value: 0.15, range_note: why}", 8, "range_note", "explains a spread"),
    ("{value: 0.15, spread: 2}", 8, "spread", "unknown field"),
])
def test_bad_spreads_name_the_line_and_field(tmp_path, entry, line, field, words):
    text = HEAD + f"technology:\n  agriculture:\n    agriculture: {entry}\n"
    with pytest.raises(ScenarioError) as err:
        read_scenario(_write(tmp_path, text))
    e = err.value
    assert e.line == line, str(e)
    assert e.field.endswith(field), str(e)
    assert words in str(e)


def test_bad_csv_spread_names_the_line_and_column(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "scenario.yaml").write_text(HEAD + "technology: technology.csv\n")
    (folder / "technology.csv").write_text(
        "input,branch,value,low,high\n"
        "agriculture,agriculture,0.15,0.1,0.2\n"
        "agriculture,manufacturing,0.25,0.1,\n")
    with pytest.raises(ScenarioError) as err:
        read_scenario(folder)
    assert (err.value.line, err.value.field) == (3, "high")


def test_a_setting_cannot_carry_a_spread(tmp_path):
    text = HEAD + ("technology: {agriculture: {agriculture: 0.1}}\n"
                   "partners:\n  - id: p\n    aid: {value: 5, range: [1, 9]}\n")
    with pytest.raises(ScenarioError, match="cannot carry a spread"):
        read_scenario(_write(tmp_path, text))


def test_cli_reads_a_bad_spread_with_exit_2(tmp_path, capsys):
    text = HEAD + "technology:\n  agriculture:\n    agriculture: {value: 0.15, range: [0.2, 0.3]}\n"
    rc = main(["validate", str(_write(tmp_path, text))])
    err = " ".join(capsys.readouterr().err.split())
    assert rc == 2
    assert "s.yaml:8" in err and "does not hold the value" in err


def test_schema_describes_the_spread_fields():
    import jsonschema
    import yaml

    from autarky.economy import json_schema

    schema = json_schema()
    jsonschema.validate(yaml.safe_load(SPREADS), schema)
    bad = yaml.safe_load(SPREADS)
    bad["technology"]["agriculture"]["agriculture"]["range"] = "wide"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
