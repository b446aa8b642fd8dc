"""Overflow is refused (issue 16): a final demand whose gross output overflows 64-bit floats
ends with a message naming the branch and the input, exit 2, never a table of ``inf``."""

from __future__ import annotations

import pytest

from autarky import Economy
from autarky.cli.app import main
from autarky.errors import BadValueError
from autarky.plan.balance import balance


def test_the_library_refuses_an_overflowed_balance():
    # x = (I - A)^-1 y: with A = [[0.5]] the output is 2 y, and 2 x 1e308 overflows
    eco = Economy.from_coefficients([[0.5, 0.0], [0.1, 0.2]], [1e308, 1.0],
                                    branches=["steel", "coal"], units="t")
    with pytest.raises(BadValueError, match=r"gross output of steel.*demand on steel of 1e\+308"):
        balance(eco)
    assert balance(Economy.from_coefficients([[0.5, 0.0], [0.1, 0.2]], [1e307, 1.0],
                                             branches=["steel", "coal"])).gross_output[
        "steel"] == pytest.approx(2e307)  # 2 y, finite


@pytest.mark.parametrize("command", ["balance", "reliance", "report"])
def test_the_command_line_says_which_branch_overflowed(command, tmp_path, capsys):
    assert main(["data", "export", "textbook", str(tmp_path / "s")]) == 0
    path = next((tmp_path / "s").glob("*.yaml"))
    path.write_text(path.read_text().replace("agriculture: 600", "agriculture: 1.7e308"))
    capsys.readouterr()
    args = [command, str(path)] + (["--out", str(tmp_path / "r")] if command == "report" else [])
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "agriculture" in err and "1.7e+308" in err and "overflows" in err, err
    assert not (tmp_path / "r" / "index.html").exists()
