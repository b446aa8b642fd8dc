"""Every bundled figure of the case study has a provenance of one of three kinds: a claim of
the source document (with its line), a figure of another source (with its citation), or a
model estimate (with its reasoning). The test walks the bundled files themselves: every row of
every table file, every number of every scenario file, every claim."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
import yaml

from autarky import data
from autarky.cases import koh1965
from autarky.cases.koh1965.provenance import KINDS, kind_of, provenance_kinds

SCENARIOS = sorted(p for p in (koh1965.DATA / "scenarios").iterdir() if p.is_dir())
#: Choices of the analyst, not figures: the horizon, the base year, the discount rate and
#: the consumption floor (documented in the scenario file's comments).
CHOICES = {"horizon", "year", "discount", "floor"}
PROVENANCE_KEYS = {"source", "note", "estimate"}


def numbers_without_provenance(node: Any, path: list[str], covered: bool) -> list[str]:
    """Paths of numbers in a YAML tree that no mapping around them gives a source, note or
    estimate flag for."""
    if isinstance(node, dict):
        cov = covered or bool(PROVENANCE_KEYS & set(map(str, node)))
        return [p for k, v in node.items()
                for p in numbers_without_provenance(v, [*path, str(k)], cov)]
    if isinstance(node, list):
        return [p for i, v in enumerate(node)
                for p in numbers_without_provenance(v, [*path, str(i)], covered)]
    if isinstance(node, (int, float)) and not isinstance(node, bool):
        return [] if covered or CHOICES & set(path) else [".".join(path)]
    return []


def test_the_walk_finds_a_number_without_provenance() -> None:
    """Control: the walk is not blind."""
    doc = {"gestation": {"coal": 1, "steel": {"value": 2, "note": "n"}}, "discount": 0.0}
    assert [p for k, v in doc.items()
            for p in numbers_without_provenance(v, [k], False)] == ["gestation.coal"]


@pytest.mark.parametrize("folder", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_every_number_of_the_scenario_file_has_a_provenance(folder: Path) -> None:
    doc = yaml.safe_load((folder / "scenario.yaml").read_text(encoding="utf-8"))
    missing = [p for k, v in doc.items() for p in numbers_without_provenance(v, [k], False)]
    assert missing == []


@pytest.mark.parametrize("folder", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_every_row_of_every_table_file_has_a_provenance(folder: Path) -> None:
    for f in sorted(folder.glob("*.csv")):
        with open(f, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert rows, f.name
        for i, r in enumerate(rows, start=2):
            assert r.get("source"), f"{f.name} line {i}: no source"
            assert r.get("estimate", "").lower() in ("true", "false"), f"{f.name} line {i}"
            if r["estimate"].lower() == "true":
                assert r.get("note"), f"{f.name} line {i}: an estimate without its reasoning"


@pytest.mark.parametrize("name", [p.name for p in SCENARIOS])
def test_every_provenance_row_is_of_one_kind(name: str) -> None:
    p = provenance_kinds(data.load(name).provenance)
    assert len(p) > 0
    assert set(p["kind"]) <= set(KINDS)
    for _, r in p.iterrows():
        if r["kind"] == "estimate":
            assert r["note"], (r["table"], r["row"])
        elif r["kind"] == "claim":
            assert "line" in str(r["source"]), (r["table"], r["row"], r["source"])
        else:
            assert str(r["source"]).strip() and "estimate" not in str(r["source"]).lower(), (
                r["table"], r["row"], r["source"])


def test_every_claim_has_its_place() -> None:
    """The document's claims carry their line and OCR text; other sources' claims their
    source, type and quote (tests/test_readings.py checks the quotes against the research
    file)."""
    for c in koh1965.claims().claims:
        assert c.line is not None and c.ocr, c.id
    for c in koh1965.research_claims().claims:
        assert c.source and c.source_type and c.quote, c.id


def test_kinds_by_hand() -> None:
    assert kind_of("Koh 1965-66, line 195", False) == "claim"
    assert kind_of("B. C. Koh ... seed text lines 300-316", False) == "claim"
    assert kind_of("Tugarinov memo, 16 May 1960", False) == "cited"
    assert kind_of("Koh", True) == "estimate"
