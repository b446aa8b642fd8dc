"""The case's reconstruction and mobilisation pages (autarky.cases.koh1965.reconstruction):
the claimed path is the compounded claims, and the pages carry what they promise."""

from __future__ import annotations

from pathlib import Path

import pytest

from autarky import data
from autarky.cases import koh1965
from autarky.cases.koh1965.reconstruction import _claimed_path, write_mobilisation


def test_claimed_path_compounds_the_claims() -> None:
    path = _claimed_path(koh1965.research_claims(), 1953, list(range(1954, 1961)))
    assert path[1953] == 100.0
    assert path[1956] == pytest.approx(100 * 1.417**3, rel=1e-12)
    assert path[1960] == pytest.approx(100 * 1.417**3 * 1.366**4, rel=1e-12)


def test_mobilisation_page(tmp_path: Path) -> None:
    page = write_mobilisation(data.load("three-year-plan"), tmp_path).read_text()
    for words in ("The frontier of the working day", "Ch'ollima campaign", "Strain",
                  "Technicians trained with a lag", "What the model cannot say"):
        assert words in page, words
