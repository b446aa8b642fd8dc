"""Every ``--format`` a command offers works (issue 9: ``--format csv`` was silently ignored by
nine commands). JSON parses; CSV reads back with pandas, and every number in it is one of the
numbers of the same command's JSON."""

from __future__ import annotations

import io
import json
import math
from typing import Any

import pandas as pd
import pytest

from autarky.cli.app import main

STRESS = ["stress", "dprk-1963", "--shock", "partner:ussr", "--weeks", "10", "--duration", "3"]
COMMANDS = {
    "balance": ["balance", "dprk-1963"],
    "optimize": ["optimize", "dprk-1963"],
    "plan": ["plan", "seven-year-plan", "--strategy", "light-first"],
    "compare": ["compare", "seven-year-plan", "--strategies", "free,balanced"],
    "reliance": ["reliance", "dprk-1963"],
    "autarky-cost": ["autarky-cost", "dprk-1963", "--branches", "machinery"],
    "stress": STRESS,
    "criticality": ["criticality", "dprk-1963"],
    "monitor": ["monitor", "seven-year-plan", "seven-year-plan"],
    "audit": ["audit", "claims"],
}


def numbers(doc: Any) -> list[float]:
    """Every finite number in a JSON document."""
    if isinstance(doc, dict):
        return [x for v in doc.values() for x in numbers(v)]
    if isinstance(doc, list):
        return [x for v in doc for x in numbers(v)]
    if isinstance(doc, bool) or not isinstance(doc, int | float):
        return []
    return [float(doc)] if math.isfinite(doc) else []


def output(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert main(argv) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_json_and_csv_agree(command: str, tmp_path: Any,
                            capsys: pytest.CaptureFixture[str]) -> None:
    argv = COMMANDS[command] + (["--out", str(tmp_path / "c")] if command == "compare" else [])
    doc = json.loads(output(capsys, [*argv, "--format", "json"]))
    table = output(capsys, [*argv, "--format", "csv"])
    assert not table.lstrip().startswith(("{", "┏", "━")), table[:200]  # not JSON, not a box
    df = pd.read_csv(io.StringIO(table))
    assert len(df) > 0 and len(df.columns) >= 2
    if command == "balance":
        check_balance(df, doc)
        return
    in_json = sorted(numbers(doc))
    numeric = [c for c in df.columns if pd.api.types.is_float_dtype(df[c])]
    cols = ["value"] if "value" in df.columns else numeric  # a long table, or criticality's
    assert cols, df.columns
    values = pd.to_numeric(df[cols].stack(), errors="coerce").dropna()
    values = values[values.map(math.isfinite)]
    assert len(values) > 0
    missing = [v for v in values.unique() if not _close_to_any(float(v), in_json)]
    assert not missing, (command, missing[:5])


def _close_to_any(v: float, pool: list[float]) -> bool:
    import bisect

    k = bisect.bisect_left(pool, v)
    return any(math.isclose(v, pool[j], rel_tol=1e-9, abs_tol=1e-12)
               for j in (k - 1, k) if 0 <= j < len(pool))


def check_balance(df: pd.DataFrame, doc: dict[str, Any]) -> None:
    """The wide balance table: per branch, the JSON's numbers, summed over categories and
    partners where the table sums them; exactly (the CSV is written in full precision)."""
    df = df.set_index("branch")
    for b, row in df.iterrows():
        want = {
            "gross_output": doc["gross_output"][b],
            "intermediate_use": doc["intermediate_use"][b],
            "final_demand": sum(doc["final_demand"][b].values()),
            "imports": sum(doc["imports"][p][b] for p in doc["imports"]),
            "exports": sum(doc["exports"][p][b] for p in doc["exports"]),
            "reported": doc["reported_output"][b],
        }
        for col, v in want.items():
            assert row[col] == pytest.approx(v, rel=1e-15, abs=1e-12), (b, col)
        assert row["unit"] == doc["units"][b]
