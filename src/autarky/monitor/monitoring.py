"""Plan against actuals: fulfilment, required catch-up growth, forecasts and flags.

:func:`monitor` compares plan :class:`~autarky.economy.reports.Targets` with reported
:class:`~autarky.economy.reports.Reports` (their newest figure per branch and period) and says,
per branch:

fulfilment
    ``actual / target`` per period, and cumulative fulfilment: the sum of the actuals over the
    sum of the targets of the periods up to and including each period (periods with both a
    target and an actual). For an index-like quantity (``1960 = 100``) the cumulative figure is
    a ratio of summed index *levels*, i.e. of output summed over the years, never of growth rates.
required growth
    The constant growth rate per remaining period that takes the last reported value to the
    end-of-plan target: ``(target_end / actual_last) ** (1 / periods_left) - 1``.
forecast
    The end value with an interval and the probability ``p_meet`` of reaching the target.
flags
    A report outside its one-step forecast interval, a revision that moved a figure by more
    than ``revision_threshold``, and a run of ``miss_run`` or more consecutive periods with
    fulfilment below 1.

Forecasts use the kernels of :mod:`autarky.solve.forecast`, where the three models
(``'local-linear-trend'``, the default; ``'holt'``; ``'random-walk'`` with drift) are written
out. All work on log levels ``y = log(value)``, so growth is multiplicative and the forecast of
the value is log-normal, ``value`` being its median ``exp(mean)``. With fewer than
:data:`MIN_TREND_POINTS` observations the trend models fall back to the random walk with drift,
and the forecast's ``note`` says so; one-step interval flags are raised only for a model fitted
to at least :data:`MIN_TREND_POINTS` observations.

``p_meet = P(end value >= target)`` under the normal forecast distribution of the log level.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from scipy import stats

from autarky import checks
from autarky.checks import quoted
from autarky.display import DatasetDisplay
from autarky.economy.reports import (
    Period,
    Reports,
    Targets,
    parse_period,
    period_from_ordinal,
    period_kind,
    period_ordinal,
)
from autarky.errors import BadTypeError, BadValueError, ScenarioError
from autarky.solve.forecast import (
    MIN_TREND_POINTS,
    MIN_VARIANCE,
    MODELS,
    PRIOR_GROWTH_SD,
    LogForecast,
    forecast_log,
    holt,
    local_linear_trend,
    random_walk_drift,
)

#: The quantiles of :meth:`MonitorResult.fan`.
FAN_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)

_TOL = 1e-9  # fulfilment within this of 1 is not a miss


# ---------------------------------------------------------------------------- result
def _labels(index: Any) -> list[Any]:
    """Period labels as plain ``int`` (years) or ``str`` (quarters), for a coordinate."""
    return [p if isinstance(p, str) else int(p) for p in index]


#: The statistics of the forecast variable of :meth:`MonitorResult.to_dataset`.
FORECAST_STATISTICS = ("target", "value", "low", "high")


@dataclass(frozen=True, eq=False, repr=False)
class MonitorResult(DatasetDisplay):
    """What :func:`monitor` found.

    Attributes
    ----------
    fulfilment, cumulative
        ``branch x period``: actual over target, and summed actuals over summed targets.
    required_growth
        Per branch, the growth rate per remaining period needed to reach the end target (NaN
        where nothing is reported or the end period is already reported).
    forecast
        Per branch: ``period`` (the end), ``target``, ``value`` (median forecast), ``low`` and
        ``high`` (the ``interval``), ``p_meet``, ``sd_log``, ``model``, ``note``.
    flags
        Dicts with ``kind`` (``outside-interval``, ``revision``, ``miss-run``), ``branch``,
        ``period`` and ``message``.
    paths
        Per branch, the forecast of the log level for each future period up to the end
        (columns ``mean_log``, ``sd_log``).
    units
        Per branch, the unit of its targets and actuals.
    targets, reported
        ``branch x period``: the plan's targets and the newest reported levels (what the fan
        chart of ``.plot.fan()`` draws).
    """

    fulfilment: pd.DataFrame
    cumulative: pd.DataFrame
    required_growth: pd.Series
    forecast: pd.DataFrame
    flags: tuple[dict[str, Any], ...]
    paths: dict[str, pd.DataFrame] = field(repr=False)
    units: dict[str, str] = field(repr=False)
    interval: float = 0.9
    model: str = "local-linear-trend"
    targets: pd.DataFrame | None = field(default=None, repr=False)
    reported: pd.DataFrame | None = field(default=None, repr=False)

    def fan(self, quantiles: tuple[float, ...] = FAN_QUANTILES) -> dict[str, pd.DataFrame]:
        """Per branch, forecast quantiles (columns) for each future period (rows), for a fan chart.

        The quantiles are of the value (``exp`` of the normal quantiles of the log level); the
        0.5 column of the end period is the forecast ``value``.
        """
        z = stats.norm.ppf(np.asarray(quantiles, dtype=float))
        out = {}
        for branch, path in self.paths.items():
            q = np.exp(path["mean_log"].to_numpy()[:, None] + np.outer(path["sd_log"].to_numpy(), z))
            out[branch] = pd.DataFrame(q, index=path.index,
                                       columns=pd.Index(list(quantiles), name="quantile"))
        return out

    def to_dataset(self) -> xr.Dataset:
        """The result as a labelled dataset (:mod:`autarky.io.results` writes it).

        Variables: ``fulfilment`` and ``cumulative`` (``branch x period``), ``required_growth``
        and ``p_meet`` (``branch``), ``forecast`` (``branch x statistic``: the end ``target``,
        the median forecast ``value`` and its interval ``low``/``high``, in the branch's unit),
        ``sd_log`` (``branch``) and, where anything is forecast, ``fan`` (``branch x
        forecast_period x quantile``, see :meth:`fan`). Attributes: ``model``, ``interval``,
        ``flags`` (the list of flag dicts) and ``forecast_basis`` (per branch, the end
        ``period``, the ``model`` used and its ``note``).

        Examples
        --------
        >>> from autarky.cases.koh1965 import seven_year_plan
        >>> ds = monitor(*seven_year_plan()).to_dataset()
        >>> round(float(ds["forecast"].sel(branch="industrial-output", statistic="target")), 1)
        320.0
        >>> ds["fulfilment"].dims, ds["forecast"].attrs["unit"]
        (('branch', 'period'), 'unit[branch]')
        """
        branches = [str(b) for b in self.fulfilment.index]
        fc = self.forecast.reindex(index=branches, columns=list(self.forecast.columns) or [
            "period", *FORECAST_STATISTICS, "p_meet", "sd_log", "model", "note"])

        def by_branch(values: Any, unit: str, desc: str) -> xr.DataArray:
            return xr.DataArray(np.asarray(values, dtype=float), dims=("branch",),
                                coords={"branch": branches},
                                attrs={"unit": unit, "description": desc})

        def table(df: pd.DataFrame, desc: str) -> xr.DataArray:
            return xr.DataArray(df.reindex(branches).to_numpy(dtype=float),
                                dims=("branch", "period"),
                                coords={"branch": branches, "period": _labels(df.columns)},
                                attrs={"unit": "1", "description": desc})

        data: dict[str, xr.DataArray] = {
            "fulfilment": table(self.fulfilment, "Newest reported actual over target."),
            "cumulative": table(self.cumulative, "Summed actuals over summed targets, up to "
                                                 "each period."),
            "required_growth": by_branch(
                self.required_growth.reindex(branches), "1/period",
                "Growth per remaining period that takes the last report to the end target."),
            "forecast": xr.DataArray(
                fc[list(FORECAST_STATISTICS)].to_numpy(dtype=float), dims=("branch", "statistic"),
                coords={"branch": branches, "statistic": list(FORECAST_STATISTICS)},
                attrs={"unit": "unit[branch]",
                       "description": f"End-of-plan target, median forecast and its "
                                      f"{self.interval:.0%} interval."}),
            "p_meet": by_branch(fc["p_meet"], "1", "Probability that the end value reaches the "
                                                   "target."),
            "sd_log": by_branch(fc["sd_log"], "1", "Standard deviation of the forecast log level "
                                                   "at the end."),
        }
        fans = self.fan()
        if fans:
            periods = sorted({p for f in fans.values() for p in f.index}, key=period_ordinal)
            quantiles = [float(q) for q in next(iter(fans.values())).columns]
            arr = np.full((len(branches), len(periods), len(quantiles)), np.nan)
            for b, f in fans.items():
                for p, row in f.iterrows():
                    arr[branches.index(b), periods.index(p)] = row.to_numpy(dtype=float)
            data["fan"] = xr.DataArray(
                arr, dims=("branch", "forecast_period", "quantile"),
                coords={"branch": branches, "forecast_period": _labels(periods),
                        "quantile": quantiles},
                attrs={"unit": "unit[branch]", "description": "Quantiles of the forecast value "
                                                              "in each future period."})
        ds = xr.Dataset(data)
        ds = ds.assign_coords(unit=("branch", [str(self.units.get(b, "")) for b in branches]))
        ds.attrs.update({
            "result": "monitor", "model": self.model, "interval": float(self.interval),
            "flags": [dict(f) for f in self.flags],
            "forecast_basis": {b: {"period": fc.loc[b, "period"], "model": str(fc.loc[b, "model"]),
                                   "note": str(fc.loc[b, "note"])} for b in branches},
            "unit_rules": "unit[branch] is the branch's unit (coordinate 'unit')",
        })
        return ds


# ---------------------------------------------------------------------------- monitor
def _miss_runs(fulfil: pd.Series, branch: str, miss_run: int) -> list[dict[str, Any]]:
    flags = []
    run: list[tuple[Period, float]] = []
    items = [*fulfil.items(), (None, math.inf)]  # a sentinel closes the last run
    for p, f in items:
        if f < 1.0 - _TOL:
            run.append((p, float(f)))
            continue
        if len(run) >= miss_run:
            vals = ", ".join(f"{v:.4f}" for _, v in run)
            flags.append({"kind": "miss-run", "branch": branch, "period": run[-1][0],
                          "message": f"fulfilment below 1 in {len(run)} consecutive periods "
                                     f"{run[0][0]}-{run[-1][0]}: {vals}"})
        run = []
    return flags


def revisions(reports: Reports) -> list[dict[str, Any]]:
    """Every revision in ``reports``: a figure reported again for the same branch and period,
    with ``branch``, ``period``, ``old`` and ``new`` (the reports) and ``change`` (new / old - 1).
    """
    out = []
    for i in range(1, len(reports.reports)):
        old, new = reports.reports[i - 1], reports.reports[i]
        if (old.branch, old.period) == (new.branch, new.period):
            out.append({"branch": new.branch, "period": new.period, "old": old, "new": new,
                        "change": new.value / old.value - 1.0 if old.value else math.inf})
    return out


def _revision_flags(reports: Reports, threshold: float) -> list[dict[str, Any]]:
    flags = []
    for rev in revisions(reports):
        old, new, change = rev["old"], rev["new"], rev["change"]
        if abs(change) > threshold:
            flags.append({"kind": "revision", "branch": new.branch, "period": new.period,
                          "message": f"{new.period} revised from {old.value:g} (reported "
                                     f"{old.reported_at.isoformat()}) to {new.value:g} (reported "
                                     f"{new.reported_at.isoformat()}): {change:+.1%}, more than "
                                     f"{threshold:.1%}"})
    return flags


def _check_units(branch: str, targets: Targets, reports: Reports) -> None:
    tu, ru = targets.units[branch], reports.units.get(branch)
    if ru is not None and ru != tu:
        r = next(r for r in reports.reports if r.branch == branch)
        raise ScenarioError(f"branch {quoted(branch)} is reported in {quoted(ru)} but its targets are in "
                            f"{quoted(tu)}", file=r.file, line=r.line, field="unit")


def monitor(
    targets: Targets,
    reports: Reports,
    *,
    end: Period | None = None,
    interval: float = 0.9,
    revision_threshold: float = 0.05,
    miss_run: int = 2,
    model: str = "local-linear-trend",
) -> MonitorResult:
    """Compare a plan's targets with the newest reported actuals.

    Parameters
    ----------
    targets, reports
        The plan targets and every reported actual (:mod:`autarky.economy.reports`). Each
        branch with targets is monitored; its actuals must be in the targets' unit. To monitor
        with what was known at a date, pass ``reports.as_of(date)``.
    end
        The end-of-plan period; by default each branch's last target period. The end target is
        the target written for that period (for the bundled Seven Year Plan: the stated
        ``3.2 x 1960 = 320`` for 1967, not the ``100 * 1.18**7 = 318.5`` of the yearly path).
    interval
        Probability mass of the forecast intervals (two-sided, central).
    revision_threshold
        A revision that moves a figure by more than this fraction of the figure it replaces is
        flagged.
    miss_run
        Flag a run of this many or more consecutive periods with fulfilment below 1.
    model
        ``'local-linear-trend'``, ``'holt'`` or ``'random-walk'`` (see the module docstring).

    Returns
    -------
    MonitorResult

    Examples
    --------
    The bundled Seven Year Plan: 17 % in 1964 and 14 % in 1965 against 18 % planned.

    >>> from autarky.cases.koh1965 import seven_year_plan
    >>> res = monitor(*seven_year_plan())
    >>> round(float(res.fulfilment.loc["industrial-output", 1965]), 4)  # 1.17 * 1.14 / 1.18**2
    0.9579
    >>> round(float(res.required_growth["industrial-output"]), 4)  # (320 / 219.1476) ** 0.5 - 1
    0.2084
    >>> [f["kind"] for f in res.flags if f["kind"] == "miss-run"]
    ['miss-run']
    """
    if not isinstance(targets, Targets):
        raise BadTypeError(f"targets must be Targets (autarky.monitor.read_targets), got "
                           f"{type(targets).__name__}")
    if not isinstance(reports, Reports):
        raise BadTypeError(f"reports must be Reports (autarky.monitor.read_actuals), got "
                           f"{type(reports).__name__}")
    if not 0.0 < checks.number("interval", interval) < 1.0:
        raise BadValueError(f"interval must lie strictly between 0 and 1, got {interval}")
    if checks.integer("miss_run", miss_run) < 1:
        raise BadValueError(f"miss_run must be at least 1, got {miss_run}")
    if not checks.number("revision_threshold", revision_threshold) >= 0:
        raise BadValueError(f"revision_threshold must be non-negative, got {revision_threshold}")
    checks.choice("model", model, MODELS)
    end_p = parse_period(end) if end is not None else None
    if targets.targets and reports.reports:
        tk, rk = period_kind(targets.targets[0].period), period_kind(reports.reports[0].period)
        if tk != rk:
            raise BadValueError(f"targets are by {tk} but reports are by {rk}")
    z = float(stats.norm.ppf(0.5 + interval / 2.0))

    fulfil_rows: dict[str, pd.Series] = {}
    cum_rows: dict[str, pd.Series] = {}
    required: dict[str, float] = {}
    fc_rows: dict[str, dict[str, Any]] = {}
    paths: dict[str, pd.DataFrame] = {}
    flags: list[dict[str, Any]] = []
    for branch in targets.branches:
        _check_units(branch, targets, reports)
        tser, aser = targets.series(branch), reports.series(branch)
        common = [p for p in tser.index if p in aser.index]
        act = aser[common].astype(float)
        tgt = tser[common].astype(float)
        fulfil_rows[branch] = act / tgt
        cum_rows[branch] = act.cumsum() / tgt.cumsum()
        flags.extend(_miss_runs(fulfil_rows[branch], branch, miss_run))

        end_t = targets.end(branch, end_p)
        row: dict[str, Any] = {"period": end_p, "target": math.nan, "value": math.nan,
                               "low": math.nan, "high": math.nan, "p_meet": math.nan,
                               "sd_log": math.nan, "model": "", "note": ""}
        required[branch] = math.nan
        fc_rows[branch] = row
        if end_t is None:
            row["note"] = f"no target for {end_p}"
            continue
        end_period, target = end_t
        row.update(period=end_period, target=target)
        if aser.empty:
            row["note"] = "nothing reported"
            continue
        last = aser.index[-1]
        left = period_ordinal(end_period) - period_ordinal(last)
        if end_period in aser.index:
            v = float(aser[end_period])
            row.update(value=v, low=v, high=v, p_meet=float(v >= target), sd_log=0.0,
                       model="reported", note=f"{end_period} is reported")
            continue
        if left <= 0:
            row["note"] = f"reports run past {end_period} but skip it"
            continue
        required[branch] = (target / float(aser[last])) ** (1.0 / left) - 1.0

        first = period_ordinal(aser.index[0])
        y = np.full(period_ordinal(last) - first + 1, np.nan)
        for p, v in aser.items():
            y[period_ordinal(p) - first] = math.log(float(v))
        if len(aser) < 2:
            row["note"] = "one observation: no forecast"
            continue
        f = forecast_log(y, left, model)
        m, s = float(f.mean[-1]), float(f.sd[-1])
        row.update(value=math.exp(m), low=math.exp(m - z * s), high=math.exp(m + z * s),
                   p_meet=f.p_at_least(target), sd_log=s, model=f.model, note=f.note)
        kind = period_kind(last)
        future = [period_from_ordinal(period_ordinal(last) + h, kind) for h in range(1, left + 1)]
        paths[branch] = pd.DataFrame({"mean_log": f.mean, "sd_log": f.sd},
                                     index=pd.Index(future, name="period", dtype=object))
        for t, pred, sd in f.checks:
            lo, hi = pred - z * sd, pred + z * sd
            if not lo <= y[t] <= hi:
                p = period_from_ordinal(first + t, kind)
                flags.append({"kind": "outside-interval", "branch": branch, "period": p,
                              "message": f"{p} reported {math.exp(y[t]):.6g}, outside the "
                                         f"{interval:.0%} one-step forecast interval "
                                         f"[{math.exp(lo):.6g}, {math.exp(hi):.6g}] ({f.model})"})

    flags.extend(_revision_flags(reports, revision_threshold))
    flags.sort(key=lambda f: (f["branch"], period_ordinal(f["period"]), f["kind"]))
    return MonitorResult(
        fulfilment=_table(fulfil_rows), cumulative=_table(cum_rows),
        required_growth=pd.Series(required, name="required_growth", dtype=float),
        forecast=pd.DataFrame.from_dict(fc_rows, orient="index").rename_axis("branch"),
        flags=tuple(flags), paths=paths,
        units={b: targets.units[b] for b in targets.branches},
        interval=interval, model=model, targets=targets.table(), reported=reports.latest(),
    )


def _table(rows: dict[str, pd.Series]) -> pd.DataFrame:
    """``branch x period`` from per-branch series, periods in time order."""
    periods = sorted({p for s in rows.values() for p in s.index}, key=period_ordinal)
    df = pd.DataFrame(math.nan, index=pd.Index(sorted(rows), name="branch"),
                      columns=pd.Index(periods, name="period", dtype=object))
    for b, s in rows.items():
        for p, v in s.items():
            df.loc[b, p] = float(v)
    return df


__all__ = [  # the forecast kernels live in autarky.solve.forecast and are re-exported here
    "FAN_QUANTILES",
    "FORECAST_STATISTICS",
    "MIN_TREND_POINTS",
    "MIN_VARIANCE",
    "MODELS",
    "PRIOR_GROWTH_SD",
    "LogForecast",
    "MonitorResult",
    "forecast_log",
    "holt",
    "local_linear_trend",
    "monitor",
    "random_walk_drift",
]
