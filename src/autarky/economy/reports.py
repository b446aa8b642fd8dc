"""Plan targets and reported actuals, with every revision kept: the types.

Planned economies published their fulfilment figures more than once: a first report early in the
next year, then revised figures. A :class:`Reports` keeps every report; a later ``reported_at``
for the same branch and period is a *revision*, recorded beside the earlier report, never
overwriting it. :meth:`Reports.latest` gives the newest figure per branch and period,
:meth:`Reports.as_of` what was known at a date, :meth:`Reports.revisions` what changed.

Periods are integer years (``1964``) or quarters written ``YYYY-Qn`` (``1964-Q2``); one table
uses one kind. Years are kept as ``int`` and quarters as their normalised ``str``, so the periods
of one table sort in time order either way. Values are levels in the row's unit and must be
positive (they are modelled in logs); a branch keeps one unit throughout a table.

The readers of targets and actuals files are in :mod:`autarky.io.reports`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from autarky.checks import quoted
from autarky.errors import BadValueError, ScenarioError

#: A period: a year (``int``) or a quarter (``'YYYY-Qn'``).
Period = int | str

#: The branch id under which targets and actuals of total industrial output are kept.
INDUSTRIAL_OUTPUT = "industrial-output"

_YEAR = re.compile(r"^\d{4}$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")


# ---------------------------------------------------------------------------- periods
def parse_period(raw: Any) -> Period:
    """A period from its text: a year as ``int``, a quarter as ``'YYYY-Qn'``.

    Examples
    --------
    >>> parse_period("1964"), parse_period("1964-q2"), parse_period(1965)
    (1964, '1964-Q2', 1965)
    """
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    text = str(raw).strip()
    if _YEAR.match(text):
        return int(text)
    m = _QUARTER.match(text)
    if m:
        return f"{m.group(1)}-Q{m.group(2)}"
    raise BadValueError(f"period must be a year (1964) or a quarter (1964-Q2), got {quoted(raw)}")


def period_kind(period: Period) -> str:
    """``'year'`` or ``'quarter'``."""
    return "year" if isinstance(period, int) else "quarter"


def period_ordinal(period: Period) -> int:
    """Position of a period on a line of consecutive periods (years, or ``4 * year + quarter``).

    Examples
    --------
    >>> period_ordinal(1967) - period_ordinal(1965)
    2
    >>> period_ordinal("1965-Q1") - period_ordinal("1964-Q3")
    2
    """
    if isinstance(period, int):
        return period
    year, q = period.split("-Q")
    return 4 * int(year) + int(q) - 1


def period_from_ordinal(ordinal: int, kind: str) -> Period:
    """Inverse of :func:`period_ordinal` for a period ``kind``.

    Examples
    --------
    >>> period_from_ordinal(period_ordinal("1964-Q4") + 1, "quarter")
    '1965-Q1'
    """
    if kind == "year":
        return ordinal
    return f"{ordinal // 4}-Q{ordinal % 4 + 1}"


def parse_date(raw: Any) -> dt.date:
    """A date from an ISO date, a year (January 1) or a :class:`datetime.date`.

    Examples
    --------
    >>> parse_date("1965-01-16"), parse_date("1966"), parse_date(1964)
    (datetime.date(1965, 1, 16), datetime.date(1966, 1, 1), datetime.date(1964, 1, 1))
    """
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool):
        return dt.date(raw, 1, 1)
    text = str(raw).strip()
    if _YEAR.match(text):
        return dt.date(int(text), 1, 1)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadValueError(f"expected an ISO date (1965-01-16) or a year (1965), "
                            f"got {quoted(raw)}") from None


# ---------------------------------------------------------------------------- records
@dataclass(frozen=True)
class Report:
    """One reported figure: the value of ``branch`` in ``period`` as reported at ``reported_at``.

    ``file`` and ``line`` say where it was read (``None`` for a report built in code).
    """

    branch: str
    period: Period
    value: float
    unit: str
    reported_at: dt.date
    source: str = ""
    note: str = ""
    file: str | None = None
    line: int | None = None

    def error(self, message: str, field: str) -> ScenarioError:
        return ScenarioError(message, file=self.file, line=self.line, field=field)


@dataclass(frozen=True)
class Target:
    """One plan target: the level planned for ``branch`` in ``period``."""

    branch: str
    period: Period
    value: float
    unit: str
    source: str = ""
    note: str = ""
    file: str | None = None
    line: int | None = None

    def error(self, message: str, field: str) -> ScenarioError:
        return ScenarioError(message, file=self.file, line=self.line, field=field)


def _check_units_and_periods(items: Iterable[Report | Target], what: str) -> dict[str, str]:
    """Units per branch; one unit per branch and one kind of period per table."""
    units: dict[str, str] = {}
    first: dict[str, Report | Target] = {}
    kind: str | None = None
    for it in items:
        k = period_kind(it.period)
        if kind is None:
            kind = k
        elif k != kind:
            raise it.error(f"period {quoted(it.period)} is a {k} but this table's periods are {kind}s",
                           "period")
        if it.branch not in units:
            units[it.branch] = it.unit
            first[it.branch] = it
        elif it.unit != units[it.branch]:
            f = first[it.branch]
            at = f"line {f.line}" if f.line is not None else "an earlier row"
            raise it.error(f"unit {quoted(it.unit)} differs from the unit {quoted(units[it.branch])} of "
                           f"branch {quoted(it.branch)} at {at}; a branch keeps one unit in {what}",
                           "unit")
    return units


def _sort_key(period: Period) -> tuple[int, int]:
    return (0 if isinstance(period, int) else 1, period_ordinal(period))


def _frame(values: Mapping[tuple[str, Period], float]) -> pd.DataFrame:
    """``branch x period`` from ``{(branch, period): value}``, periods in time order."""
    branches = sorted({b for b, _ in values})
    periods = sorted({p for _, p in values}, key=_sort_key)
    row = {b: i for i, b in enumerate(branches)}
    col = {p: j for j, p in enumerate(periods)}
    data = np.full((len(branches), len(periods)), np.nan)
    for (b, p), v in values.items():  # filled as an array: one .loc per cell costs 0.1 ms
        data[row[b], col[p]] = v
    return pd.DataFrame(data, index=pd.Index(branches, name="branch"),
                        columns=pd.Index(periods, name="period", dtype=object))


# ---------------------------------------------------------------------------- reports
@dataclass(frozen=True)
class Reports:
    """Every reported figure, revisions included; immutable.

    Parameters
    ----------
    reports
        The reports, in any order. A report repeating another exactly (same branch, period,
        ``reported_at`` and value) is kept once; the same ``reported_at`` with a different value
        is a conflict and raises :class:`~autarky.errors.ScenarioError`, as do a change of unit
        within a branch and a mix of years and quarters.

    Examples
    --------
    >>> import datetime as dt
    >>> r = Reports([Report("steel", 1964, 100.0, "kt", dt.date(1965, 1, 16)),
    ...              Report("steel", 1964, 96.0, "kt", dt.date(1966, 1, 19))])
    >>> float(r.latest().loc["steel", 1964]), float(r.as_of("1965-12-31").latest().loc["steel", 1964])
    (96.0, 100.0)
    >>> r.revisions()[["branch", "period", "first", "latest", "change_pct"]]
      branch  period  first  latest  change_pct
    0  steel    1964  100.0    96.0        -4.0
    """

    reports: tuple[Report, ...] = ()
    units: dict[str, str] = field(default_factory=dict, init=False, compare=False, repr=False)

    def __init__(self, reports: Iterable[Report] = ()) -> None:
        kept: list[Report] = []
        seen: dict[tuple[str, Period, dt.date], Report] = {}
        for r in reports:
            key = (r.branch, r.period, r.reported_at)
            old = seen.get(key)
            if old is None:
                seen[key] = r
                kept.append(r)
            elif old.value != r.value:
                at = f"line {old.line}" if old.line is not None else "an earlier report"
                raise r.error(f"{r.branch} {r.period} reported at {r.reported_at.isoformat()} as "
                              f"{r.value:g} and as {old.value:g} ({at}); a revision needs a "
                              "later reported_at", "value")
        units = _check_units_and_periods(kept, "the reports")  # in input order: errors at later rows
        kept.sort(key=lambda r: (r.branch, _sort_key(r.period), r.reported_at))
        object.__setattr__(self, "reports", tuple(kept))
        object.__setattr__(self, "units", units)

    def __len__(self) -> int:
        return len(self.reports)

    @property
    def branches(self) -> list[str]:
        """The branches reported, sorted."""
        return sorted(self.units)

    def add(self, report: Report | Iterable[Report]) -> Reports:
        """A new :class:`Reports` with ``report`` (or several) added; ``self`` is unchanged."""
        extra = [report] if isinstance(report, Report) else list(report)
        return Reports([*self.reports, *extra])

    def as_of(self, date: dt.date | str | int) -> Reports:
        """The reports known at ``date`` (``reported_at <= date``), as a new :class:`Reports`."""
        d = parse_date(date)
        return Reports([r for r in self.reports if r.reported_at <= d])

    def _newest(self) -> dict[tuple[str, Period], Report]:
        newest: dict[tuple[str, Period], Report] = {}
        for r in self.reports:  # sorted by reported_at within branch and period
            newest[(r.branch, r.period)] = r
        return newest

    def latest(self) -> pd.DataFrame:
        """The newest report per branch and period (``branch x period``; NaN where none)."""
        return _frame({k: r.value for k, r in self._newest().items()})

    def series(self, branch: str) -> pd.Series:
        """The newest reports of one branch, indexed by period in time order."""
        rows = sorted(((p, r.value) for (b, p), r in self._newest().items() if b == branch),
                      key=lambda pv: _sort_key(pv[0]))
        return pd.Series([v for _, v in rows], index=pd.Index([p for p, _ in rows], name="period",
                                                              dtype=object), name=branch, dtype=float)

    def history(self, branch: str, period: Period) -> list[Report]:
        """Every report of ``branch`` in ``period``, oldest first."""
        return [r for r in self.reports if r.branch == branch and r.period == period]

    def revisions(self) -> pd.DataFrame:
        """Every branch and period reported more than once.

        Columns: ``branch``, ``period``, ``reports`` (how many), ``first`` and
        ``first_reported_at``, ``latest`` and ``latest_reported_at``, ``change_pct``
        (``100 * (latest / first - 1)``).
        """
        groups: dict[tuple[str, Period], list[Report]] = defaultdict(list)
        for r in self.reports:
            groups[(r.branch, r.period)].append(r)
        rows = []
        for (b, p), rs in groups.items():
            if len(rs) < 2:
                continue
            first, last = rs[0], rs[-1]
            rows.append({"branch": b, "period": p, "reports": len(rs), "first": first.value,
                         "first_reported_at": first.reported_at, "latest": last.value,
                         "latest_reported_at": last.reported_at,
                         "change_pct": 100.0 * (last.value / first.value - 1.0)})
        cols = ["branch", "period", "reports", "first", "first_reported_at", "latest",
                "latest_reported_at", "change_pct"]
        return pd.DataFrame(rows, columns=cols)


# ---------------------------------------------------------------------------- targets
@dataclass(frozen=True)
class Targets:
    """Plan targets, one per branch and period; immutable.

    Examples
    --------
    >>> t = Targets([Target("steel", 1964, 110.0, "kt"), Target("steel", 1965, 121.0, "kt")])
    >>> t.end("steel")
    (1965, 121.0)
    """

    targets: tuple[Target, ...] = ()
    units: dict[str, str] = field(default_factory=dict, init=False, compare=False, repr=False)

    def __init__(self, targets: Iterable[Target] = ()) -> None:
        kept: list[Target] = []
        seen: dict[tuple[str, Period], Target] = {}
        for t in targets:
            old = seen.get((t.branch, t.period))
            if old is not None:
                at = f"line {old.line}" if old.line is not None else "an earlier target"
                raise t.error(f"a second target for {t.branch} {t.period} (first at {at})", "period")
            seen[(t.branch, t.period)] = t
            kept.append(t)
        units = _check_units_and_periods(kept, "the targets")
        kept.sort(key=lambda t: (t.branch, _sort_key(t.period)))
        object.__setattr__(self, "targets", tuple(kept))
        object.__setattr__(self, "units", units)

    def __len__(self) -> int:
        return len(self.targets)

    @property
    def branches(self) -> list[str]:
        """The branches with targets, sorted."""
        return sorted(self.units)

    def table(self) -> pd.DataFrame:
        """Targets as ``branch x period`` (NaN where a branch has no target)."""
        return _frame({(t.branch, t.period): t.value for t in self.targets})

    def series(self, branch: str) -> pd.Series:
        """The targets of one branch, indexed by period in time order."""
        ts = [t for t in self.targets if t.branch == branch]
        return pd.Series([t.value for t in ts],
                         index=pd.Index([t.period for t in ts], name="period", dtype=object),
                         name=branch, dtype=float)

    def end(self, branch: str, end: Period | None = None) -> tuple[Period, float] | None:
        """The end-of-plan target of ``branch``: at ``end``, or its last period by default.

        ``None`` where the branch has no target at ``end``.
        """
        ts = [t for t in self.targets if t.branch == branch]
        if end is not None:
            ts = [t for t in ts if t.period == end]
        return (ts[-1].period, ts[-1].value) if ts else None


__all__ = ["INDUSTRIAL_OUTPUT", "Period", "Report", "Reports", "Target", "Targets", "parse_date",
           "parse_period", "period_from_ordinal", "period_kind", "period_ordinal"]
