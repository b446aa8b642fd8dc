"""Every malformed scenario gets one :class:`ScenarioError` naming the file, the line and the field.

The expected line of each error is computed from the text the test writes (the line holding a
marker string), never copied from what the reader reports.
"""

from __future__ import annotations

import pytest

from autarky import read_scenario
from autarky.errors import AutarkyError, ScenarioError

HEAD = """\
name: two branches
branches:
  - {id: agriculture, unit: "USD million"}
  - {id: manufacturing, unit: "USD million"}
"""

TECH = """\
technology:
  agriculture:   {agriculture: 0.15, manufacturing: 0.25}
  manufacturing: {agriculture: 0.20, manufacturing: 0.05}
"""


def fails(path) -> ScenarioError:
    """The ScenarioError that reading ``path`` raises."""
    with pytest.raises(ScenarioError) as info:
        read_scenario(path)
    err = info.value
    assert isinstance(err, AutarkyError)
    # The string form leads with the place, as the command line prints it.
    if err.line is not None:
        assert str(err).startswith(f"{err.file}:{err.line}: ")
    return err


def check(err: ScenarioError, path, line: int, field: str | None, *words: str) -> None:
    assert err.file == str(path)
    assert err.line == line
    assert err.field == field
    for word in words:
        assert word in err.message


# ---------------------------------------------------------------------------- unknown ids
def test_unknown_branch_in_a_technology_row(write, line_of):
    text = HEAD + TECH + "  manufactring: {agriculture: 0.1}\n"
    path = write(text)
    check(fails(path), path, line_of(text, "manufactring:"), "technology.manufactring",
          "unknown branch id 'manufactring'", "did you mean 'manufacturing'")


def test_unknown_branch_in_a_technology_column(write, line_of):
    text = HEAD + """\
technology:
  agriculture:
    agriculture: 0.15
    manufactring: 0.25
"""
    path = write(text)
    check(fails(path), path, line_of(text, "manufactring:"),
          "technology.agriculture.manufactring", "unknown branch id 'manufactring'",
          "did you mean 'manufacturing'")


@pytest.mark.parametrize("order", ["typo-first", "typo-last"])
def test_unknown_branch_in_final_demand(write, line_of, order):
    # The unknown id must be reported wherever it stands in the mapping.
    rows = ["  agriculture: 600\n", "  manufactring: 1500\n"]
    if order == "typo-first":
        rows.reverse()
    text = HEAD + TECH + "final_demand:\n" + "".join(rows)
    path = write(text)
    check(fails(path), path, line_of(text, "manufactring:"), "final_demand.manufactring",
          "unknown branch id 'manufactring'", "did you mean 'manufacturing'")


def test_unknown_branch_in_a_final_demand_category(write, line_of):
    text = HEAD + TECH + """\
final_demand:
  consumption:
    agriculture: 600
    manufactring: 1500
"""
    path = write(text)
    check(fails(path), path, line_of(text, "manufactring:"),
          "final_demand.consumption.manufactring", "unknown branch id 'manufactring'")


def test_unknown_branch_in_gross_output(write, line_of):
    text = HEAD + TECH + "gross_output:\n  agriculture: 1\n  mining: 2\n"
    path = write(text)
    check(fails(path), path, line_of(text, "mining:"), "gross_output.mining",
          "unknown branch id 'mining'")


# ---------------------------------------------------------------------------- bad numbers
def test_negative_coefficient(write, line_of):
    text = HEAD + """\
technology:
  agriculture: {agriculture: 0.15}
  manufacturing:
    agriculture: -0.2
"""
    path = write(text)
    check(fails(path), path, line_of(text, "-0.2"), "technology.manufacturing.agriculture",
          "negative coefficient -0.2")


def test_negative_flow(write, line_of):
    text = HEAD + """\
flows:
  agriculture: {manufacturing: -5}
gross_output: {agriculture: 10, manufacturing: 10}
"""
    path = write(text)
    check(fails(path), path, line_of(text, "-5"), "flows.agriculture.manufacturing",
          "negative flow -5")


def test_non_numeric_coefficient(write, line_of):
    text = HEAD + """\
technology:
  agriculture:
    agriculture: 0.15
    manufacturing: a quarter
"""
    path = write(text)
    check(fails(path), path, line_of(text, "a quarter"), "technology.agriculture.manufacturing",
          "non-numeric value 'a quarter'")


def test_non_numeric_final_demand(write, line_of):
    text = HEAD + TECH + "final_demand:\n  agriculture: 600\n  manufacturing: lots\n"
    path = write(text)
    check(fails(path), path, line_of(text, "lots"), "final_demand.manufacturing",
          "non-numeric value 'lots'")


def test_non_numeric_value_with_provenance(write, line_of):
    text = HEAD + """\
technology:
  agriculture:
    agriculture:
      value: n/a
      source: somewhere
"""
    path = write(text)
    check(fails(path), path, line_of(text, "value: n/a"),
          "technology.agriculture.agriculture.value", "non-numeric value 'n/a'")


def test_negative_factor_availability(write, line_of):
    text = HEAD + TECH + """\
factors:
  - id: labour
    unit: thousand workers
    availability: -3
"""
    path = write(text)
    check(fails(path), path, line_of(text, "availability: -3"), "factors.0.availability",
          "negative availability")


# ---------------------------------------------------------------------------- branches
def test_unit_missing(write, line_of):
    text = """\
name: no unit
branches:
  - {id: agriculture, unit: "USD million"}
  - {id: manufacturing}
technology: {}
"""
    path = write(text)
    check(fails(path), path, line_of(text, "{id: manufacturing}"), "branches.1.unit",
          "unit missing")


def test_unit_empty(write, line_of):
    text = """\
name: empty unit
branches:
  - id: coal
    unit: ""
technology: {}
"""
    path = write(text)
    check(fails(path), path, line_of(text, "id: coal"), "branches.0.unit", "unit missing")


def test_duplicate_branch_id(write, line_of):
    text = """\
name: duplicate
branches:
  - {id: coal, unit: thousand t}
  - {id: power, unit: million kWh}
  - {id: coal, unit: t}
technology: {}
"""
    path = write(text)
    first = line_of(text, "{id: coal")
    check(fails(path), path, line_of(text, "{id: coal", occurrence=2), "branches.2.id",
          "duplicate id 'coal'", f"first at line {first}")


def test_unknown_branch_field(write, line_of):
    text = HEAD.replace('{id: manufacturing, unit: "USD million"}',
                        '{id: manufacturing, units: "USD million"}') + TECH
    path = write(text)
    check(fails(path), path, line_of(text, "units:"), "branches.1.units",
          "unknown field 'units'")


# ---------------------------------------------------------------------------- structure
def test_duplicate_yaml_key(write, line_of):
    text = HEAD + """\
technology:
  agriculture: {agriculture: 0.15}
  manufacturing: {agriculture: 0.20}
  agriculture: {manufacturing: 0.25}
"""
    path = write(text)
    check(fails(path), path, line_of(text, "  agriculture:", occurrence=2),
          "technology.agriculture", "duplicate key 'agriculture'")


def test_duplicate_top_level_key(write, line_of):
    text = HEAD + TECH + "final_demand: {agriculture: 1}\nfinal_demand: {agriculture: 2}\n"
    path = write(text)
    check(fails(path), path, line_of(text, "final_demand:", occurrence=2), "final_demand",
          "duplicate key 'final_demand'")


def test_unknown_top_level_key_suggests_the_right_one(write, line_of):
    text = HEAD + TECH.replace("technology:", "technolgy:")
    path = write(text)
    check(fails(path), path, line_of(text, "technolgy:"), "technolgy",
          "unknown key 'technolgy'", "did you mean 'technology'?")


def test_missing_name(write):
    text = HEAD.replace("name: two branches\n", "") + TECH
    path = write(text)
    check(fails(path), path, 1, "name", "missing required key 'name'")


def test_missing_technology(write):
    path = write(HEAD)
    check(fails(path), path, 1, "technology", "missing 'technology'")


def test_flows_without_gross_output(write, line_of):
    text = HEAD + "flows:\n  agriculture: {agriculture: 150}\n"
    path = write(text)
    check(fails(path), path, line_of(text, "flows:"), "flows", "gross_output")


def test_technology_and_flows_together(write, line_of):
    text = HEAD + TECH + "flows:\n  agriculture: {agriculture: 150}\ngross_output: {}\n"
    path = write(text)
    check(fails(path), path, line_of(text, "flows:"), "flows", "either technology or flows")


def test_inputs_without_output_in_flows_form(write, line_of):
    text = HEAD + """\
flows:
  agriculture: {manufacturing: 5}
gross_output: {agriculture: 10}
"""
    path = write(text)
    check(fails(path), path, line_of(text, "gross_output:"), "gross_output",
          "'manufacturing' uses inputs but has zero gross output")


def test_year_must_be_a_whole_year(write, line_of):
    text = HEAD + TECH + "year: 1963.5\n"
    path = write(text)
    check(fails(path), path, line_of(text, "year:"), "year", "expected a whole year")


@pytest.mark.parametrize(
    ("bad_line", "words"),
    [
        ("  agriculture: {agriculture: 0.15]", "expected ',' or '}'"),
        ("\tmanufacturing: {agriculture: 0.2}", "'\\t'"),
    ],
    ids=["bracket", "tab"],
)
def test_invalid_yaml_syntax(write, line_of, bad_line, words):
    text = HEAD + "technology:\n" + bad_line + "\n"
    path = write(text)
    err = fails(path)
    assert err.file == str(path)
    assert err.line == line_of(text, bad_line)
    assert err.message.startswith("invalid YAML")
    assert words in err.message


@pytest.mark.parametrize("text", ["", "- just\n- a list\n"], ids=["empty", "list"])
def test_not_a_mapping(write, text):
    path = write(text)
    err = fails(path)
    assert err.file == str(path)
    assert err.line == 1
    assert "YAML mapping" in err.message


def test_not_productive(write, line_of):
    # Agriculture is fine; coal and power feed each other: a_coal,power * a_power,coal =
    # 0.9 * 0.9 = 0.81 > (1 - a_coal,coal)(1 - a_power,power) = 0.9 * 0.8 = 0.72, so the 2x2
    # Hawkins-Simon condition (the determinant of I - B positive) fails for that block.
    text = """\
name: energy loop
branches:
  - {id: agriculture, unit: thousand t}
  - {id: coal, unit: thousand t}
  - {id: power, unit: million kWh}
technology:
  agriculture: {agriculture: 0.2}
  coal: {agriculture: 0.1, coal: 0.1, power: 0.9}
  power: {coal: 0.9, power: 0.2}
final_demand: {agriculture: 1, coal: 1, power: 1}
"""
    path = write(text, "loop.yaml")
    err = fails(path)
    check(err, path, line_of(text, "technology:"), "technology", "not productive")
    assert path.name in str(err)
    assert "coal" in err.message and "power" in err.message
    assert "agriculture" not in err.message


# ---------------------------------------------------------------------------- folder form
FOLDER_YAML = HEAD + "technology: technology.csv\nfinal_demand: final_demand.csv\n"
TECH_CSV = """\
input,branch,value
agriculture,agriculture,0.15
agriculture,manufacturing,0.25
manufacturing,agriculture,0.20
manufacturing,manufacturing,0.05
"""
FD_CSV = "branch,category,value\nagriculture,total,600\nmanufacturing,total,1500\n"


@pytest.fixture
def folder(write):
    """Write a folder scenario with the given CSV texts; return the folder."""

    def _folder(tech: str | None = TECH_CSV, fd: str | None = FD_CSV,
                yaml: str = FOLDER_YAML):
        root = write(yaml, "f/scenario.yaml").parent
        if tech is not None:
            write(tech, "f/technology.csv")
        if fd is not None:
            write(fd, "f/final_demand.csv")
        return root

    return _folder


def test_good_folder_reads(folder):
    eco = read_scenario(folder())
    assert eco.ids == ["agriculture", "manufacturing"]


def test_csv_bad_number(folder, line_of):
    bad = TECH_CSV.replace("manufacturing,agriculture,0.20", "manufacturing,agriculture,zero")
    root = folder(tech=bad)
    check(fails(root), root / "technology.csv", line_of(bad, "zero"), "value",
          "non-numeric value 'zero'")


def test_csv_negative_number(folder, line_of):
    bad = TECH_CSV.replace("0.05", "-0.05")
    root = folder(tech=bad)
    check(fails(root), root / "technology.csv", line_of(bad, "-0.05"), "value",
          "negative coefficient -0.05")


def test_csv_unknown_branch(folder, line_of):
    bad = FD_CSV.replace("manufacturing,total", "manufactring,total")
    root = folder(fd=bad)
    check(fails(root), root / "final_demand.csv", line_of(bad, "manufactring"), "branch",
          "unknown branch id 'manufactring'", "did you mean 'manufacturing'")


def test_csv_line_counts_quoted_line_breaks(folder, line_of):
    # A note spanning two lines: the bad row after it is still named by its own line.
    tech = ("input,branch,value,note\n"
            'agriculture,agriculture,0.15,"first line\nsecond line"\n'
            "manufacturing,manufacturing,oops,\n")
    root = folder(tech=tech)
    check(fails(root), root / "technology.csv", line_of(tech, "oops"), "value",
          "non-numeric value 'oops'")


def test_csv_unknown_column(folder):
    tech = "input,branch,value,comment\nagriculture,agriculture,0.15,x\n"
    root = folder(tech=tech)
    check(fails(root), root / "technology.csv", 1, "comment", "unknown column 'comment'")


def test_csv_duplicate_column(folder):
    # pandas would read the second 'value' as 'value.1'; the error names the column as written
    tech = "input,branch,value,value\nagriculture,agriculture,0.15,0.2\n"
    root = folder(tech=tech)
    check(fails(root), root / "technology.csv", 1, "value", "duplicate column 'value'")


def test_csv_missing_column(folder):
    tech = "input,value\nagriculture,0.15\n"
    root = folder(tech=tech)
    check(fails(root), root / "technology.csv", 1, "branch", "missing column 'branch'")


def test_csv_wrong_number_of_fields(folder):
    tech = TECH_CSV + "agriculture,agriculture\n"
    root = folder(tech=tech)
    err = fails(root)
    assert err.file == str(root / "technology.csv")
    assert err.line == len(tech.splitlines())  # the last line of the file
    assert "2 fields where the header has 3" in err.message


def test_csv_duplicate_entry(folder, line_of):
    tech = TECH_CSV + "agriculture,manufacturing,0.3\n"
    root = folder(tech=tech)
    first = line_of(tech, "agriculture,manufacturing")
    check(fails(root), root / "technology.csv",
          line_of(tech, "agriculture,manufacturing", occurrence=2), "value",
          "duplicate entry for agriculture/manufacturing", f"first at line {first}")


def test_missing_csv_file(folder, line_of):
    root = folder(fd=None)
    check(fails(root), root / "scenario.yaml", line_of(FOLDER_YAML, "final_demand:"),
          "final_demand", "table file not found", "final_demand.csv")


def test_table_name_that_is_not_csv(folder, line_of):
    yaml = FOLDER_YAML.replace("technology.csv", "technology.xlsx")
    root = folder(yaml=yaml)
    check(fails(root), root / "scenario.yaml", line_of(yaml, "technology:"), "technology",
          "technology.xlsx")


def test_csv_written_with_a_byte_order_mark(folder):
    # Spreadsheet programs save "CSV UTF-8" with a byte-order mark. It is not part of the
    # first column's name, so the table must read as without it.
    root = folder(tech="\ufeff" + TECH_CSV)
    eco = read_scenario(root)
    assert eco.A.tolist() == [[0.15, 0.25], [0.20, 0.05]]
