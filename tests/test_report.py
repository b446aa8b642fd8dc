"""The HTML report and the source table it shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from autarky import data
from autarky.cases.koh1965.tables import output_table_1963
from autarky.report import write_report


def test_output_table_implied_levels() -> None:
    t = output_table_1963(data.load_claims())
    # Source table, lines 195-203: 1963 level and multiples of 1956 and 1946.
    # Electricity 11,766 million kWh, 2.3 times 1956, 3 times 1946.
    assert t.loc["electricity", "level_1956"] == pytest.approx(11766 / 2.3)
    assert t.loc["electricity", "level_1946"] == pytest.approx(11766 / 3)
    # Fabrics 227 million m, 3.0 times 1956 and "84-4" = 84.4 times 1946.
    assert t.loc["fabrics", "level_1956"] == pytest.approx(227 / 3.0)
    assert t.loc["fabrics", "level_1946"] == pytest.approx(227 / 84.4)
    # Cement's 1956 multiple is OCR "4·'" (4.something): the implied 1956 level must span
    # 2526/4.9 .. 2526/4.1 at least, whatever the chosen reading.
    assert t.loc["cement", "unclear_1956"]
    assert t.loc["cement", "level_1956_low"] <= 2526 / 4.7
    assert t.loc["cement", "level_1956_high"] >= 2526 / 4.2
    assert list(t.index) == ["electricity", "coal", "pig-iron", "steel", "structural-steel",
                             "fertilizers", "cement", "fabrics"]


def test_report_is_self_contained_and_sourced(tmp_path: Path) -> None:
    from autarky.cases import case_for

    eco = data.load("dprk-1963")
    add = case_for("dprk-1963").additions("dprk-1963")  # type: ignore[union-attr]
    path = write_report(eco, tmp_path / "r", sections=add.index_sections, sources=add.sources)
    page = path.read_text(encoding="utf-8")
    # self-contained: no external scripts, stylesheets or images
    assert not re.search(r"<(script|link|img)\b[^>]*(src|href)=", page)
    assert page.count("<svg") >= 3  # balance bars, interlinkage heat map, history chart
    for heading in ("The balance of every branch", "How the branches are interlinked",
                    "The source's 1963 table", "Input norms", "Plan arithmetic",
                    "Sources and method"):
        assert heading in page
    # units and sources beside the figures
    assert "million kWh" in page and "thousand t" in page
    assert "Koh 1965-66, line 195" in page
    # the implied 1956 electricity level, 11,766 / 2.3 = 5,115.7, and the OCR of steel's cell
    assert "5,116" in page
    assert "&#x27;04" in page
    # 18 % a year for seven years against 3.2 times: 1.18^7 = 3.1855 -> "3.185"
    assert "3.185" in page and "agree to rounding" in page


def test_reliance_page_compares_the_losses_as_they_stand(tmp_path: Path) -> None:
    # The sentence that compares the model's cost of autarky with the ACR formula's must follow
    # the two numbers printed beside it, whichever is larger.
    from autarky.report.reliance import write_reliance

    eco = data.load("dprk-1963")
    page = write_reliance(eco, tmp_path).read_text(encoding="utf-8")
    m = re.search(r"Autarky \(cap 0\) leaves <b>([0-9.]+)</b>.*?real income in autarky of "
                  r"<b>([0-9.]+)</b>", page, flags=re.S)
    assert m is not None
    model_loss, formula_loss = 1 - float(m.group(1)), 1 - float(m.group(2))
    assert abs(model_loss - formula_loss) > 0.001  # the bundled case: 1.4 % against 2.0 %
    expected = "larger" if model_loss > formula_loss else "smaller"
    assert f"The model's loss is {expected}" in page
