"""Readers of plan targets and reported actuals (the types are in :mod:`autarky.economy.reports`).

File formats (CSV, one row per figure, UTF-8, header line first):

actuals
    ``branch,period,value,unit,reported_at[,source,note]``
targets
    ``branch,period,value,unit[,source,note]``

Periods are integer years (``1964``) or quarters written ``YYYY-Qn`` (``1964-Q2``); one table
uses one kind. ``reported_at`` is an ISO date (``1965-01-16``) or a year (``1965``, read as
January 1 of that year). Values are levels in the row's unit and must be positive (they are
modelled in logs); a branch keeps one unit throughout a table.

Targets may also be read from the JSON that ``autarky plan --format json`` prints
(:func:`targets_from_json`).

Every problem with a file raises :class:`~autarky.errors.ScenarioError` naming the file, the
line and the field.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from autarky.checks import quoted
from autarky.economy.reports import (
    INDUSTRIAL_OUTPUT,
    Period,
    Report,
    Reports,
    Target,
    Targets,
    parse_date,
    parse_period,
)
from autarky.errors import ScenarioError
from autarky.io.entries import CsvRow, parse_number, read_csv_rows

ACTUALS_REQUIRED = ("branch", "period", "value", "unit", "reported_at")
TARGETS_REQUIRED = ("branch", "period", "value", "unit")
OPTIONAL = ("source", "note")


# ---------------------------------------------------------------------------- CSV readers
def _common(row: CsvRow) -> tuple[str, Period, float, str]:
    branch = row.values["branch"]
    if not branch:
        raise row.where("branch").error("empty branch")
    try:
        period = parse_period(row.values["period"])
    except ValueError as exc:
        raise row.where("period").error(str(exc)) from None
    value = parse_number(row.values["value"], row.where("value"), allow_negative=False)
    if value <= 0:
        raise row.where("value").error(f"value must be positive (levels are modelled in logs), "
                                       f"got {value:g}")
    unit = row.values["unit"]
    if not unit:
        raise row.where("unit").error("empty unit; every figure says its unit")
    return branch, period, value, unit


def read_actuals(path: str | Path) -> Reports:
    """Reported actuals from a CSV file ``branch,period,value,unit,reported_at[,source,note]``.

    Every row is kept: a later ``reported_at`` for the same branch and period is a revision.

    Raises
    ------
    ScenarioError
        Naming the file, line and field: a missing column, an empty branch or unit, a period
        that is neither a year nor a quarter, a value that is not a positive number, a
        ``reported_at`` that is not a date, a unit that changes within a branch, or the same
        branch, period and ``reported_at`` reported with two values.

    Examples
    --------
    >>> r = read_actuals(bundled("seven-year-plan-actuals.csv"))
    >>> round(float(r.latest().loc["industrial-output", 1965]), 4)  # 100 * 1.18**3 * 1.17 * 1.14
    219.1476
    """
    reports = []
    for row in read_csv_rows(Path(path), ACTUALS_REQUIRED, OPTIONAL):
        branch, period, value, unit = _common(row)
        try:
            at = parse_date(row.values["reported_at"])
        except ValueError as exc:
            raise row.where("reported_at").error(str(exc)) from None
        reports.append(Report(branch, period, value, unit, at, row.values.get("source", ""),
                              row.values.get("note", ""), row.file, row.line))
    return Reports(reports)


def read_targets(path: str | Path) -> Targets:
    """Plan targets from a CSV file ``branch,period,value,unit[,source,note]``.

    Raises
    ------
    ScenarioError
        Naming the file, line and field, as :func:`read_actuals`; also for a second target for
        the same branch and period.

    Examples
    --------
    >>> t = read_targets(bundled("seven-year-plan-targets.csv"))
    >>> t.end("industrial-output")
    (1967, 320.0)
    """
    targets = []
    for row in read_csv_rows(Path(path), TARGETS_REQUIRED, OPTIONAL):
        branch, period, value, unit = _common(row)
        targets.append(Target(branch, period, value, unit, row.values.get("source", ""),
                              row.values.get("note", ""), row.file, row.line))
    return Targets(targets)


# ---------------------------------------------------------------------------- plan JSON
def _positive(value: Any) -> float | None:
    """A JSON number that is a positive finite level, else None (``null`` is NaN)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    v = float(value)
    return v if math.isfinite(v) and v > 0 else None


def targets_from_json(path: str | Path) -> Targets:
    """Targets from the JSON that ``autarky plan --format json`` prints.

    That document is :func:`autarky.io.results.to_json_dict` of the multi-year plan's dataset:
    ``years`` (the plan years), ``gross_output`` nested year -> branch (each branch in its unit,
    ``units`` branch -> unit), ``industrial_output`` by year at constant prices (base year
    included; only plan years become targets), ``currency`` and ``strategy``. Each positive
    figure of a plan year is a target; industrial output is kept as ``industrial-output``.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "plan.json"
    >>> _ = p.write_text(json.dumps({
    ...     "strategy": "free", "years": [1961, 1962], "currency": "won",
    ...     "gross_output": {"1961": {"steel": 110.0}, "1962": {"steel": 121.0}},
    ...     "industrial_output": {"1960": 100.0, "1961": 110.0, "1962": 121.0},
    ...     "units": {"steel": "kt"}}))
    >>> t = targets_from_json(p)
    >>> t.end("steel"), t.end("industrial-output"), t.units["industrial-output"]
    ((1962, 121.0), (1962, 121.0), 'won at constant prices')
    """
    file = str(path)
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"cannot read the plan: {exc}", file=file) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("gross_output"), dict) \
            or not isinstance(doc.get("years"), list):
        status = doc.get("status") if isinstance(doc, dict) else None
        why = f" (the plan is {status})" if status not in (None, "optimal") else ""
        raise ScenarioError("expected the output of 'autarky plan --format json' (keys years, "
                            f"gross_output){why}", file=file, field="gross_output")
    try:
        years = {int(y) for y in doc["years"]}
    except (TypeError, ValueError):
        raise ScenarioError(f"years must be a list of years, got {quoted(doc['years'])}", file=file,
                            field="years") from None
    units = doc.get("units") or {}
    source = f"autarky plan ({doc.get('strategy', '')})"
    items: list[Target] = []
    for year, row in doc["gross_output"].items():
        if not isinstance(row, dict):
            raise ScenarioError(f"gross_output[{quoted(year)}] must map branch -> value", file=file,
                                field=f"gross_output.{year}")
        for branch, value in row.items():
            v = _positive(value)
            if v is not None:
                items.append(Target(str(branch), int(year), v, str(units.get(branch, "")),
                                    source, "", file, None))
    currency = str(doc.get("currency") or "currency")
    for year, value in (doc.get("industrial_output") or {}).items():
        v = _positive(value)
        if int(year) in years and v is not None:
            items.append(Target(INDUSTRIAL_OUTPUT, int(year), v, f"{currency} at constant prices",
                                source, "", file, None))
    return Targets(tuple(items))


# ---------------------------------------------------------------------------- bundled data
def bundled(name: str) -> Path:
    """Path of a bundled monitoring file (a case study's targets or reports; see
    :func:`autarky.data.monitoring_file`).

    Examples
    --------
    >>> bundled("seven-year-plan-targets.csv").name
    'seven-year-plan-targets.csv'
    """
    from autarky.data import monitoring_file

    return monitoring_file(name)


__all__ = ["ACTUALS_REQUIRED", "OPTIONAL", "TARGETS_REQUIRED", "bundled", "read_actuals",
           "read_targets", "targets_from_json"]
