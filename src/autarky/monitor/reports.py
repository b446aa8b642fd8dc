"""Plan targets and reported actuals, with every revision kept.

The types live in :mod:`autarky.economy.reports` (:class:`Reports`, :class:`Targets`, periods)
and the readers in :mod:`autarky.io.reports` (:func:`read_actuals`, :func:`read_targets`,
:func:`targets_from_json`); both are re-exported here. This module adds what needs a plan:
:func:`targets_from_plan`.
"""

from __future__ import annotations

import math
from typing import Any

from autarky.checks import quoted
from autarky.economy.reports import (
    INDUSTRIAL_OUTPUT,
    Period,
    Report,
    Reports,
    Target,
    Targets,
    _check_units_and_periods,
    _frame,
    _sort_key,
    parse_date,
    parse_period,
    period_from_ordinal,
    period_kind,
    period_ordinal,
)
from autarky.errors import AutarkyError, BadTypeError
from autarky.io.reports import (
    ACTUALS_REQUIRED,
    OPTIONAL,
    TARGETS_REQUIRED,
    _common,
    bundled,
    read_actuals,
    read_targets,
    targets_from_json,
)


def targets_from_plan(plan: Any) -> Targets:
    """Targets from a :class:`~autarky.plan.multiyear_result.MultiYearPlan`.

    One series ``industrial-output`` (the plan's industrial output at constant prices, in its
    currency) and one per branch (its gross output, in the branch's unit), for each plan year.
    The base year is not a target: it is where the plan starts.

    Examples
    --------
    >>> import pandas as pd
    >>> from autarky.plan.multiyear_result import MultiYearPlan
    >>> years = pd.Index([1961, 1962], name="year")
    >>> plan = MultiYearPlan(
    ...     strategy="balanced", status="optimal", years=(1961, 1962), base_year=1960,
    ...     units=pd.Series({"steel": "kt"}), currency="won",
    ...     gross_output=pd.DataFrame({"steel": [110.0, 121.0]}, index=years),
    ...     industrial_output=pd.Series([100.0, 110.0, 121.0], index=[1960, 1961, 1962]))
    >>> t = targets_from_plan(plan)
    >>> t.table()
    period             1961   1962
    branch
    industrial-output  110.0  121.0
    steel              110.0  121.0
    >>> t.units["industrial-output"]
    'won at constant prices'
    """
    if not all(hasattr(plan, a) for a in ("ok", "status", "years", "gross_output")):
        raise BadTypeError(f"targets come from a multi-year plan (MultiYearPlan), got "
                           f"{type(plan).__name__}")
    if not getattr(plan, "ok", False):
        raise AutarkyError(f"plan {quoted(getattr(plan, 'strategy', '?'))} has status "
                           f"{quoted(getattr(plan, 'status', '?'))}: no targets to monitor")
    if plan.gross_output is None or plan.industrial_output is None:
        raise AutarkyError("the plan has no output paths")
    source = f"plan {plan.strategy!r}"
    years = [int(y) for y in plan.years]
    out = [Target(INDUSTRIAL_OUTPUT, y, float(plan.industrial_output[y]),
                  f"{plan.currency} at constant prices", source) for y in years]
    for branch in plan.gross_output.columns:
        unit = str(plan.units.get(branch, "")) or "units"
        for y in years:
            v = float(plan.gross_output.loc[y, branch])
            if math.isfinite(v) and v > 0:
                out.append(Target(str(branch), y, v, unit, source))
    return Targets(out)


__all__ = [
    "ACTUALS_REQUIRED",
    "INDUSTRIAL_OUTPUT",
    "OPTIONAL",
    "TARGETS_REQUIRED",
    "Period",
    "Report",
    "Reports",
    "Target",
    "Targets",
    "_check_units_and_periods",
    "_common",
    "_frame",
    "_sort_key",
    "bundled",
    "parse_date",
    "parse_period",
    "period_from_ordinal",
    "period_kind",
    "period_ordinal",
    "read_actuals",
    "read_targets",
    "targets_from_json",
    "targets_from_plan",
]
