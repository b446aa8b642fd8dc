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
