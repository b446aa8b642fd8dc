"""Plan against actuals: fulfilment, required catch-up growth, forecasts and flags.

:func:`monitor` compares plan :class:`~autarky.monitor.reports.Targets` with reported
:class:`~autarky.monitor.reports.Reports` (their newest figure per branch and period) and says,
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

Forecast models (all on log levels ``y = log(value)``, so growth is multiplicative and the
forecast of the value is log-normal; ``value`` is its median ``exp(mean)``):

``'local-linear-trend'`` (default)
    ``y_t = mu_t + eps_t``, ``mu_{t+1} = mu_t + nu_t + eta_t``, ``nu_{t+1} = nu_t + zeta_t``: a
    level and a slope (the growth rate) that both drift. The three noise variances are estimated
    by maximum likelihood with a Kalman filter, initialised exactly from the first two
    observations (level ``y_2``, slope ``y_2 - y_1``); the h-step forecast variance is the
    filter's, observation noise included. Missing periods inside the series are skipped by the
    filter.
``'holt'``
    Holt's linear exponential smoothing, smoothing parameters ``alpha, beta`` in ``[0, 1]`` fitted
    by least squares of the one-step errors; the forecast variance is
    ``s2 * (1 + sum_{j=1}^{h-1} (alpha + j * alpha * beta) ** 2)`` with ``s2`` the mean squared
    one-step error (Hyndman et al. 2008, class 1 model ETS(A,A,N)).
``'random-walk'``
    A random walk with drift: ``drift`` is the mean log growth per period and ``s2`` the sample
    variance of the log growths; the h-step variance ``s2 * h * (1 + h / n)`` includes the
    uncertainty of the drift estimated from ``n`` growths. With a single growth the variance is
    the prior :data:`PRIOR_GROWTH_SD` ``** 2`` (a 5 percentage point growth error).

With fewer than :data:`MIN_TREND_POINTS` observations (2 or 3) the trend models fall back to the
random walk with drift, and the forecast's ``note`` says so. One-step interval flags are raised
only for a model fitted to at least :data:`MIN_TREND_POINTS` observations.

``p_meet = P(end value >= target)`` under the normal forecast distribution of the log level.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from autarky.errors import AutarkyError, ScenarioError
from autarky.monitor.reports import (
    Period,
    Reports,
    Targets,
    parse_period,
    period_from_ordinal,
    period_kind,
    period_ordinal,
)

#: The forecast models :func:`monitor` knows.
MODELS = ("local-linear-trend", "holt", "random-walk")
#: Fewest observations a trend model is fitted to; below it, a random walk with drift.
MIN_TREND_POINTS = 4
#: Prior standard deviation of a period's log growth when only one growth is observed.
PRIOR_GROWTH_SD = 0.05
#: Floor of every estimated variance (log units squared), so exact series stay well defined.
MIN_VARIANCE = 1e-10
#: The quantiles of :meth:`MonitorResult.fan`.
FAN_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)

_TOL = 1e-9  # fulfilment within this of 1 is not a miss


# ---------------------------------------------------------------------------- forecast models
@dataclass(frozen=True, eq=False)
class LogForecast:
    """A forecast of log levels ``h = 1 .. horizon`` periods after the last observation.

    ``checks`` holds, for each observation with a one-step prediction, its position in the input
    array, the predicted log level and the prediction's standard deviation.
    """

    model: str
    mean: np.ndarray
    sd: np.ndarray
    checks: tuple[tuple[int, float, float], ...] = ()
    note: str = ""
    params: dict[str, float] = field(default_factory=dict)

    def p_at_least(self, level: float) -> float:
        """Probability that the value at the horizon is at least ``level``."""
        return _p_at_least(float(self.mean[-1]), float(self.sd[-1]), level)


def _p_at_least(mean: float, sd: float, level: float) -> float:
    z = (math.log(level) - mean) / sd if sd > 0 else math.copysign(math.inf, math.log(level) - mean)
    return float(stats.norm.sf(z))


def _observed(y: np.ndarray) -> np.ndarray:
    return np.flatnonzero(np.isfinite(y))


def _trim_start(y: np.ndarray) -> tuple[np.ndarray, int]:
    """``y`` from its first two consecutive observations (the trend models start there)."""
    obs = np.isfinite(y)
    for i in range(len(y) - 1):
        if obs[i] and obs[i + 1]:
            return y[i:], i
    return y[:0], len(y)


def random_walk_drift(y: np.ndarray, horizon: int, *, checks: bool = False) -> LogForecast:
    """Random walk with drift on log levels ``y`` (NaN for missing periods).

    The drift is the mean log growth per period, ``(y_last - y_first) / span``; the variance of
    a period's growth is the sample variance of the observed one-period growths, or
    ``PRIOR_GROWTH_SD ** 2`` with a single growth. The h-step variance is
    ``s2 * h * (1 + h / span)``.

    Examples
    --------
    Growth of 10 % then 5 %: the forecast two periods on grows by ``1.10 * 1.05``.

    >>> import numpy as np
    >>> f = random_walk_drift(np.log([100.0, 110.0, 115.5]), 2)
    >>> round(float(np.exp(f.mean[-1])), 6)
    133.4025
    """
    idx = _observed(y)
    if len(idx) < 2:
        raise AutarkyError("a random walk with drift needs two observations")
    first, last = int(idx[0]), int(idx[-1])
    span = last - first
    drift = (y[last] - y[first]) / span
    growths = np.array([y[b] - y[a] for a, b in itertools.pairwise(idx) if b - a == 1])
    if len(growths) >= 2:
        s2 = max(float(np.var(growths, ddof=1)), MIN_VARIANCE)
        note = f"random walk with drift: mean and variance of {len(growths)} log growths"
    else:
        s2 = PRIOR_GROWTH_SD**2
        note = (f"random walk with drift: one growth observed, prior growth error "
                f"{PRIOR_GROWTH_SD:.0%} a period")
    h = np.arange(1, horizon + 1, dtype=float)
    mean = y[last] + h * drift
    sd = np.sqrt(s2 * h * (1.0 + h / span))
    chk: tuple[tuple[int, float, float], ...] = ()
    if checks:
        chk = tuple((int(b), float(y[a] + drift), math.sqrt(s2))
                    for a, b in itertools.pairwise(idx) if b - a == 1)
    return LogForecast("random-walk", mean, sd, chk, note,
                       {"drift": float(drift), "growth_variance": s2})


_T = np.array([[1.0, 1.0], [0.0, 1.0]])


def _llt_filter(y: np.ndarray, ve: float, vh: float, vz: float
                ) -> tuple[float, np.ndarray, np.ndarray, list[tuple[int, float, float]]]:
    """Kalman filter of the local linear trend; ``y[0]`` and ``y[1]`` must be observed.

    Returns the log-likelihood of ``y[2:]``, the filtered state and covariance at the end, and
    the one-step predictions ``(position, predicted y, sd)``.
    """
    a = np.array([y[1], y[1] - y[0]])
    P = np.array([[ve, ve], [ve, 2.0 * ve + vh + vz]])  # exact given two observations
    Q = np.diag([vh, vz])
    loglik = 0.0
    preds: list[tuple[int, float, float]] = []
    for t in range(2, len(y)):
        a = _T @ a
        P = _T @ P @ _T.T + Q
        if not np.isfinite(y[t]):
            continue
        F = P[0, 0] + ve
        v = y[t] - a[0]
        K = P[:, 0] / F
        a = a + K * v
        P = P - np.outer(K, K) * F
        P = 0.5 * (P + P.T)
        loglik -= 0.5 * (math.log(2.0 * math.pi * F) + v * v / F)
        preds.append((t, float(y[t] - v), math.sqrt(F)))
    return loglik, a, P, preds


def local_linear_trend(y: np.ndarray, horizon: int) -> LogForecast:
    """Local linear trend on log levels ``y``, variances by maximum likelihood.

    Examples
    --------
    An exact 10 % a year series is extrapolated exactly.

    >>> import numpy as np
    >>> y = np.log(100.0 * 1.1 ** np.arange(6))
    >>> f = local_linear_trend(y, 2)
    >>> round(float(np.exp(f.mean[-1])), 6), round(100.0 * 1.1**7, 6)
    (194.87171, 194.87171)
    """
    z, offset = _trim_start(y)
    n_obs = int(np.isfinite(z).sum())
    if n_obs < 3:
        raise AutarkyError("a local linear trend needs three observations, two consecutive")
    diffs = np.diff(z[np.isfinite(z)])
    s0 = max(float(np.var(np.diff(diffs))) if len(diffs) > 1 else 0.0, 1e-6)
    lo, hi = math.log(MIN_VARIANCE), 0.0

    def nll(theta: np.ndarray) -> float:
        ve, vh, vz = np.exp(theta)
        return -_llt_filter(z, ve, vh, vz)[0]

    best: Any = None
    ls0 = math.log(s0)
    for start in ((0.0, 0.0, 0.0), (0.0, -2.3, -4.6), (-4.6, 0.0, -4.6), (-4.6, -4.6, 0.0),
                  (-4.6, -4.6, -4.6)):
        x0 = np.clip(np.array(start) + ls0, lo, hi)
        res = optimize.minimize(nll, x0, method="L-BFGS-B", bounds=[(lo, hi)] * 3)
        if best is None or res.fun < best.fun:
            best = res
    ve, vh, vz = (float(v) for v in np.exp(best.x))
    _, a, P, preds = _llt_filter(z, ve, vh, vz)
    Q = np.diag([vh, vz])
    mean, var = np.empty(horizon), np.empty(horizon)
    for h in range(horizon):
        a = _T @ a
        P = _T @ P @ _T.T + Q
        mean[h], var[h] = a[0], P[0, 0] + ve
    checks = tuple((t + offset, p, s) for t, p, s in preds)
    return LogForecast("local-linear-trend", mean, np.sqrt(var), checks,
                       f"local linear trend on log levels, {n_obs} observations, variances by "
                       "maximum likelihood",
                       {"var_level_noise": vh, "var_slope_noise": vz, "var_obs_noise": ve,
                        "slope": float(a[1]) if horizon else float("nan")})


def _holt_run(y: np.ndarray, alpha: float, beta: float
              ) -> tuple[float, float, list[tuple[int, float, float]]]:
    level, slope = y[1], y[1] - y[0]
    errors: list[tuple[int, float, float]] = []
    for t in range(2, len(y)):
        pred = level + slope
        if not np.isfinite(y[t]):
            level = pred
            continue
        e = y[t] - pred
        level = pred + alpha * e
        slope = slope + alpha * beta * e
        errors.append((t, float(pred), float(e)))
    return float(level), float(slope), errors


def holt(y: np.ndarray, horizon: int) -> LogForecast:
    """Holt's linear exponential smoothing on log levels ``y``, fitted by least squares.

    Examples
    --------
    >>> import numpy as np
    >>> f = holt(np.log(100.0 * 1.1 ** np.arange(6)), 2)
    >>> round(float(np.exp(f.mean[-1])), 6)
    194.87171
    """
    z, offset = _trim_start(y)
    n_obs = int(np.isfinite(z).sum())
    if n_obs < 3:
        raise AutarkyError("Holt's method needs three observations, two consecutive")

    def sse(p: np.ndarray) -> float:
        return float(sum(e * e for _, _, e in _holt_run(z, float(p[0]), float(p[1]))[2]))

    best: Any = None
    for start in ((0.5, 0.1), (0.9, 0.5), (0.2, 0.9)):
        res = optimize.minimize(sse, np.array(start), method="L-BFGS-B", bounds=[(0, 1), (0, 1)])
        if best is None or res.fun < best.fun:
            best = res
    alpha, beta = (float(v) for v in best.x)
    level, slope, errors = _holt_run(z, alpha, beta)
    s2 = max(sum(e * e for _, _, e in errors) / max(len(errors), 1), MIN_VARIANCE)
    h = np.arange(1, horizon + 1)
    mean = level + h * slope
    c2 = np.array([sum((alpha + j * alpha * beta) ** 2 for j in range(1, k)) for k in h])
    sd = np.sqrt(s2 * (1.0 + c2))
    checks = tuple((t + offset, p, math.sqrt(s2)) for t, p, _ in errors)
    return LogForecast("holt", mean, sd, checks,
                       f"Holt's linear smoothing on log levels, {n_obs} observations, "
                       "least squares", {"alpha": alpha, "beta": beta, "error_variance": s2})


def forecast_log(y: np.ndarray, horizon: int, model: str = "local-linear-trend") -> LogForecast:
    """Forecast of log levels with ``model``, falling back to a random walk with drift on short
    series (fewer than :data:`MIN_TREND_POINTS` observations, or no two consecutive ones).

    Examples
    --------
    >>> import numpy as np
    >>> print(forecast_log(np.log([100.0, 110.0, 121.0]), 1).note)
    fallback: 3 observations are too few for local-linear-trend; random walk with drift: ...
    """
    if model not in MODELS:
        raise AutarkyError(f"unknown forecast model {model!r}; expected one of {', '.join(MODELS)}")
    n_obs = len(_observed(y))
    if model == "random-walk":
        return random_walk_drift(y, horizon, checks=n_obs >= MIN_TREND_POINTS)
    z, _ = _trim_start(y)
    if n_obs < MIN_TREND_POINTS or int(np.isfinite(z).sum()) < 3:
        f = random_walk_drift(y, horizon)
        return LogForecast(f.model, f.mean, f.sd, (), f"fallback: {n_obs} observations are too "
                           f"few for {model}; {f.note}", f.params)
    return local_linear_trend(y, horizon) if model == "local-linear-trend" else holt(y, horizon)


# ---------------------------------------------------------------------------- result
def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _nested(df: pd.DataFrame) -> dict[str, dict[str, float]]:
    return {str(b): {str(p): float(v) for p, v in row.items() if pd.notna(v)}
            for b, row in df.iterrows()}


@dataclass(frozen=True, eq=False)
class MonitorResult:
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

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``fulfilment`` (branch -> period -> value), ``cumulative``,
        ``required_growth`` (branch -> rate), ``forecast`` (branch -> {value, low, high,
        p_meet, ...}), ``flags`` (list), ``units``, ``interval``, ``model``. NaN is ``None``."""
        fc = {}
        for branch, row in self.forecast.iterrows():
            fc[str(branch)] = {
                "value": _num(row["value"]), "low": _num(row["low"]), "high": _num(row["high"]),
                "p_meet": _num(row["p_meet"]), "period": row["period"],
                "target": _num(row["target"]), "model": row["model"], "note": row["note"],
            }
        return {
            "fulfilment": _nested(self.fulfilment),
            "cumulative": _nested(self.cumulative),
            "required_growth": {str(b): _num(v) for b, v in self.required_growth.items()},
            "forecast": fc,
            "flags": [dict(f) for f in self.flags],
            "units": dict(self.units),
            "interval": self.interval,
            "model": self.model,
        }


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


def _revision_flags(reports: Reports, threshold: float) -> list[dict[str, Any]]:
    flags = []
    for i in range(1, len(reports.reports)):
        old, new = reports.reports[i - 1], reports.reports[i]
        if (old.branch, old.period) != (new.branch, new.period):
            continue
        change = new.value / old.value - 1.0
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
        raise ScenarioError(f"branch {branch!r} is reported in {ru!r} but its targets are in "
                            f"{tu!r}", file=r.file, line=r.line, field="unit")


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
        The plan targets and every reported actual (:mod:`autarky.monitor.reports`). Each
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

    >>> from autarky.monitor.reports import seven_year_plan
    >>> res = monitor(*seven_year_plan())
    >>> round(float(res.fulfilment.loc["industrial-output", 1965]), 4)  # 1.17 * 1.14 / 1.18**2
    0.9579
    >>> round(float(res.required_growth["industrial-output"]), 4)  # (320 / 219.1476) ** 0.5 - 1
    0.2084
    >>> [f["kind"] for f in res.flags if f["kind"] == "miss-run"]
    ['miss-run']
    """
    if not 0.0 < interval < 1.0:
        raise AutarkyError(f"interval must lie strictly between 0 and 1, got {interval}")
    if miss_run < 1:
        raise AutarkyError(f"miss_run must be at least 1, got {miss_run}")
    if revision_threshold < 0:
        raise AutarkyError(f"revision_threshold must be non-negative, got {revision_threshold}")
    if model not in MODELS:
        raise AutarkyError(f"unknown forecast model {model!r}; expected one of {', '.join(MODELS)}")
    end_p = parse_period(end) if end is not None else None
    if targets.targets and reports.reports:
        tk, rk = period_kind(targets.targets[0].period), period_kind(reports.reports[0].period)
        if tk != rk:
            raise AutarkyError(f"targets are by {tk} but reports are by {rk}")
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
                   p_meet=_p_at_least(m, s, target), sd_log=s, model=f.model, note=f.note)
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
        interval=interval, model=model,
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
