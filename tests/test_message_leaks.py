"""Files stay private (issue 16): a table reference that points at a file that is not a table
(outside the scenario's folder with --allow-outside, or through a symlink inside it) ends in a
message that names the file and what is missing, and quotes nothing of its content."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from autarky.cli.app import main

SECRET = "root:$6$very-secret-hash:19000:0:99999:7:::"


def _scenario(tmp: Path, target: str) -> Path:
    assert main(["data", "export", "island", str(tmp / "s")]) == 0
    path = tmp / "s" / "island.yaml"
    text = path.read_text()
    block = re.search(r"^exports:.*?\n(?=\S)", text, flags=re.S | re.M)
    assert block
    path.write_text(text.replace(block.group(0), f"exports: {target}\n"))
    return path


@pytest.mark.parametrize("how", ["outside", "symlink"])
def test_a_file_that_is_not_a_table_is_not_quoted(how, tmp_path, capsys):
    private = tmp_path / "private" / "shadow.csv"
    private.parent.mkdir()
    private.write_text(SECRET + "\nsecond line,with,commas\n")
    if how == "outside":
        path = _scenario(tmp_path, str(private))
        args = ["validate", str(path), "--allow-outside"]
    else:
        path = _scenario(tmp_path, "exports.csv")
        (path.parent / "exports.csv").symlink_to(private)
        args = ["validate", str(path)]  # the link leads outside: refused, or read and not quoted
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err
    assert ("missing column" in err or "outside" in err), err
    assert "shadow.csv" in err or "exports.csv" in err, err
    for piece in ("very-secret-hash", "root:", "second line", "19000"):
        assert piece not in err, err


def test_an_unknown_column_that_is_no_name_is_named_by_position(tmp_path, capsys):
    path = _scenario(tmp_path, "exports.csv")
    (path.parent / "exports.csv").write_text(
        f"partner,branch,value,{SECRET}\nnorthland,agriculture,60,x\n")
    capsys.readouterr()
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "unknown column 4 (not a column name)" in err and "secret" not in err, err


@pytest.mark.parametrize(("table", "column", "what"), [
    ("technology.csv", 0, "unknown branch id"), ("technology.csv", 2, "non-numeric value"),
    ("imports.csv", 0, "unknown partner id"), ("technology.csv", 8, "unknown distribution")])
def test_a_long_cell_is_quoted_in_part(table, column, what, tmp_path, capsys):
    """An unknown id or a bad number of 5,000 characters: the message names the file, the line
    and the column and quotes the cell's first characters only."""
    import csv
    import shutil

    from autarky import data

    folder = tmp_path / "dprk"
    shutil.copytree(data.dataset("dprk-1963").path, folder)
    rows = list(csv.reader((folder / table).open()))
    rows[1][column] = "Z" * 5000
    with (folder / table).open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    capsys.readouterr()
    assert main(["validate", str(folder)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"{table}:2: {rows[0][column]}: {what} 'ZZZZ" in err, err[:300]
    assert 20 <= err.count("Z") <= 80, err[:300]


def test_a_long_key_is_quoted_in_part(tmp_path, capsys):
    """A 5,000-character key in the scenario file: the field path and the quote are cut."""
    path = _scenario(tmp_path, "exports.csv")
    import yaml

    doc = yaml.safe_load(path.read_text())
    doc["Z" * 5000] = 1
    path.write_text(yaml.safe_dump(doc, width=10**6))
    capsys.readouterr()
    assert main(["validate", str(path)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "island.yaml" in err and "ZZZZ" in err
    assert err.count("Z") <= 200, err[:400]
