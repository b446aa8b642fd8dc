"""Provenance on every number (issue 16): any number of the scenario format, settings included
(``discount: {value: 0.02, note: ...}``), may be written as ``{value, note}``; the scenario read
is the same as with the plain numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from autarky.cli.app import main
from autarky.io.scenario import read_scenario
from autarky.testing import assert_economy_equal

#: Keys whose numbers are not quantities (years, spreads, seeds): written plainly.
PLAIN = {"year", "horizon", "range", "values", "weights", "seed"}


def _wrap(node: Any, wrapped: list[str], path: str = "") -> Any:
    if isinstance(node, dict):
        if "value" in node:  # a number with provenance already
            return node
        return {k: v if k in PLAIN else _wrap(v, wrapped, f"{path}.{k}".lstrip("."))
                for k, v in node.items()}
    if isinstance(node, bool) or not isinstance(node, int | float):
        return node
    wrapped.append(path)
    return {"value": node, "note": f"provenance of {path}"}


@pytest.mark.parametrize("name", ["island", "textbook", "seven-year-plan", "three-year-plan"])
def test_every_number_may_carry_its_provenance(name: str, tmp_path: Path) -> None:
    assert main(["data", "export", name, str(tmp_path / "x")]) == 0
    plain = next(p for p in (tmp_path / "x").rglob("*.yaml"))
    wrapped: list[str] = []
    doc = _wrap(yaml.safe_load(plain.read_text()), wrapped)
    assert wrapped  # the scenario has numbers written in its YAML
    other = plain.with_name("wrapped.yaml")
    other.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    a, b = read_scenario(plain), read_scenario(other)
    assert_economy_equal(a.economy, b.economy)
    assert a.settings == b.settings, wrapped


def test_a_discount_with_its_note(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "export", "seven-year-plan", str(tmp_path / "x")]) == 0
    path = next((tmp_path / "x").rglob("scenario.yaml"))
    text = path.read_text()
    assert "\ndiscount: 0.0\n" in text
    path.write_text(text.replace("\ndiscount: 0.0\n",
                                 '\ndiscount: {value: 0.02, note: "an estimate"}\n'))
    assert read_scenario(path.parent).settings.discount == 0.02
    assert main(["validate", str(path.parent)]) == 0, capsys.readouterr().err
