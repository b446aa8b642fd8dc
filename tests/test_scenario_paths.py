"""Self-contained scenarios (issue 9): table files are read from the scenario's folder only,
unless the user allows otherwise; every bundled dataset exports to a folder that validates;
content of files that are not scenario files is never echoed; YAML bombs are refused fast."""

from __future__ import annotations

import filecmp
import time
from pathlib import Path

import pytest

from autarky import data
from autarky.cli.app import main
from autarky.errors import ScenarioError
from autarky.io import read_scenario
from autarky.io.yamlmap import MAX_ALIAS_EXPANSION, MAX_DEPTH, load_yaml_text

SECRET = "TOPSECRET-7f3a"

SCENARIO = """\
name: Two branches
branches:
  - {id: agriculture, unit: "USD million"}
  - {id: manufacturing, unit: "USD million"}
technology: TECH
final_demand: {agriculture: 600, manufacturing: 1500}
"""
TECH_CSV = "input,branch,value\nagriculture,agriculture,0.15\nmanufacturing,agriculture,0.20\n" \
           "agriculture,manufacturing,0.25\nmanufacturing,manufacturing,0.05\n"


def scenario(folder: Path, tech_ref: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "scenario.yaml"
    path.write_text(SCENARIO.replace("TECH", tech_ref))
    return path


def test_reference_inside_the_folder_reads(tmp_path: Path) -> None:
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "tables").mkdir()
    (tmp_path / "s" / "tables" / "tech.csv").write_text(TECH_CSV)
    eco = read_scenario(scenario(tmp_path / "s", "tables/tech.csv"))
    # by hand: det(I - A) = 0.85 * 0.95 - 0.25 * 0.20 = 0.7575;
    # x1 = (0.95 * 600 + 0.25 * 1500) / 0.7575, x2 = (0.20 * 600 + 0.85 * 1500) / 0.7575
    x = eco.plan.balance().gross_output.to_numpy()
    assert x == pytest.approx([945 / 0.7575, 1395 / 0.7575], rel=1e-12)


@pytest.mark.parametrize("ref", ["../shared/tech.csv", "ABSOLUTE", "tables/../../shared/tech.csv",
                                 "link.csv"])
def test_reference_outside_the_folder_is_refused(ref: str, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "tech.csv").write_text(TECH_CSV)
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "tables").mkdir()
    (folder / "link.csv").symlink_to(shared / "tech.csv")  # a link out of the folder
    ref = str(shared / "tech.csv") if ref == "ABSOLUTE" else ref
    path = scenario(folder, ref)
    with pytest.raises(ScenarioError, match="outside the scenario's folder") as err:
        read_scenario(path)
    assert err.value.field == "technology" and err.value.line == 5
    assert "--allow-outside" in str(err.value)
    eco = read_scenario(path, allow_outside=True)  # the user's explicit choice
    assert eco.technology.to_numpy()[1, 0] == pytest.approx(0.20)


def test_cli_names_the_key_and_allows_outside_on_request(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "tech.csv").write_text(TECH_CSV)
    path = scenario(tmp_path / "s", "../tech.csv")
    assert main(["validate", str(path)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"{path}:5: technology: table file '../tech.csv' is outside" in err
    assert main(["balance", str(path), "--allow-outside"]) == 0


def test_no_echo_of_a_file_that_is_not_a_table(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "notes.txt").write_text(f"{SECRET},{SECRET}\n")
    (tmp_path / "secret.csv").write_text(f"{SECRET},x\n1,2\n")
    for ref in ("notes.txt", "../secret.csv"):
        path = scenario(folder, ref)
        assert main(["validate", str(path)]) == 2
        err = capsys.readouterr().err
        assert SECRET not in err and "technology" in err


def test_no_echo_of_a_file_given_as_the_scenario(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """A file that is not a .yaml file is not read (a .env or a passwd file would otherwise be
    parsed as YAML, and its keys quoted in 'unknown key' messages)."""
    env = tmp_path / ".env"
    env.write_text(f"PASSWORD: {SECRET}\n")
    assert main(["validate", str(env)]) == 2
    err = capsys.readouterr().err
    assert SECRET not in err and "PASSWORD" not in err and "not a scenario file" in err


@pytest.mark.parametrize("name", [d.name for d in data.list_datasets()])
def test_data_export_then_validate(name: str, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Every bundled dataset exports to a copy that reads on its own, moved far from the
    package, with the outside references refused."""
    assert main(["data", "export", name, str(tmp_path / "a")]) == 0
    exported = tmp_path / "a" / data.dataset(name).path.name
    moved = tmp_path / "elsewhere" / exported.name
    moved.parent.mkdir()
    exported.rename(moved)
    capsys.readouterr()
    if data.dataset(name).kind == "claims":
        assert main(["audit", str(moved), "--format", "json"]) == 0
        return
    assert main(["validate", str(moved)]) == 0, capsys.readouterr().err
    assert read_scenario(moved).n == data.load(name).n
    assert main(["data", "export", name, str(tmp_path / "a")]) == 0  # again: replaced


def test_seven_year_plan_reuses_the_1963_norms_unchanged() -> None:
    """The Seven Year Plan folder carries its own copy of the 1963 technology: the same file."""
    root = data.dataset("dprk-1963").path.parent
    assert filecmp.cmp(root / "dprk-1963" / "technology.csv",
                       root / "seven-year-plan" / "technology.csv", shallow=False)


# ------------------------------------------------------------------ YAML limits

def alias_bomb(levels: int) -> str:
    """The "billion laughs": each level repeats the one before nine times."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_fast(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb(12))  # 9**13 ~ 2.5e12 values once expanded
    t0 = time.perf_counter()
    assert main(["validate", str(path)]) == 2
    assert time.perf_counter() - t0 < 2.0
    err = " ".join(capsys.readouterr().err.split())
    assert str(path) in err and "aliases" in err and "Traceback" not in err


def test_small_aliases_are_allowed() -> None:
    data_, _ = load_yaml_text("a: &x [1, 2]\nb: *x\n", "ok.yaml")
    assert data_ == {"a": [1, 2], "b": [1, 2]}
    # just over the limit: 11 copies of a list of 10_000 (the first is written, ten are added)
    big = "a: &x [" + ",".join(["1"] * 10_000) + "]\n" + "".join(f"b{i}: *x\n" for i in range(11))
    with pytest.raises(ScenarioError, match="aliases"):
        load_yaml_text(big, "big.yaml")
    assert MAX_ALIAS_EXPANSION == 100_000


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5000])
def test_deep_nesting_is_refused(depth: int) -> None:
    t0 = time.perf_counter()
    with pytest.raises(ScenarioError, match="nested more than") as err:
        load_yaml_text("a: " + "[" * depth + "]" * depth + "\n", "deep.yaml")
    assert err.value.file == "deep.yaml"
    assert time.perf_counter() - t0 < 5.0


def test_nesting_at_the_limit_reads() -> None:
    d = MAX_DEPTH - 1  # the mapping is one level
    value, _ = load_yaml_text("a: " + "[" * d + "]" * d + "\n", "ok.yaml")
    value = value["a"]
    for _ in range(d - 1):
        value = value[0]
    assert value == []


@pytest.mark.parametrize("argv", [["monitor", "FILE", "seven-year-plan"],
                                  ["monitor", "seven-year-plan", "FILE"], ["audit", "FILE"]])
def test_no_echo_of_a_file_of_the_wrong_kind(argv: list[str], tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Targets, reports and claims are read only from .csv (or .yaml) files."""
    f = tmp_path / "id_rsa"
    f.write_text(f"{SECRET}: {SECRET}\n")
    assert main([str(f) if a == "FILE" else a for a in argv]) == 2
    err = capsys.readouterr().err
    assert SECRET not in err and "id_rsa" in err and "expected a ." in err
