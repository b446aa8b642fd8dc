"""Forecasts of log levels: random walk with drift, local linear trend, Holt's method.

Kernels on plain numpy arrays: ``y`` holds the log levels of consecutive periods, NaN where a
period is not observed; a forecast is a :class:`LogForecast` of the log level ``h = 1 ..
horizon`` periods after the last observation, normal with mean ``mean[h-1]`` and standard
deviation ``sd[h-1]`` (so the forecast of the level is log-normal, median ``exp(mean)``).

``'local-linear-trend'``
    ``y_t = mu_t + eps_t``, ``mu_{t+1} = mu_t + nu_t + eta_t``, ``nu_{t+1} = nu_t + zeta_t``: a
    level and a slope (the growth rate) that both drift. The three noise variances are estimated
    by maximum likelihood with a Kalman filter, initialised exactly from the first two
    observations (level ``y_2``, slope ``y_2 - y_1``); the h-step forecast variance is the
    filter's, observation noise included. Missing periods inside the series are skipped.
``'holt'``
    Holt's linear exponential smoothing, ``alpha, beta`` in ``[0, 1]`` fitted by least squares
    of the one-step errors; the forecast variance is
    ``s2 * (1 + sum_{j=1}^{h-1} (alpha + j * alpha * beta) ** 2)`` with ``s2`` the mean squared
    one-step error (Hyndman et al. 2008, class 1 model ETS(A,A,N)).
``'random-walk'``
    A random walk with drift: ``drift`` is the mean log growth per period and ``s2`` the sample
    variance of the log growths; the h-step variance ``s2 * h * (1 + h / n)`` includes the
    uncertainty of the drift estimated from ``n`` growths. With a single growth the variance is
    the prior :data:`PRIOR_GROWTH_SD` ``** 2``.

:func:`forecast_log` picks a model and falls back to the random walk with drift on series
shorter than :data:`MIN_TREND_POINTS` observations.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import optimize, stats

from autarky.checks import floats, integer
from autarky.errors import BadValueError

#: The forecast models :func:`forecast_log` knows.
MODELS = ("local-linear-trend", "holt", "random-walk")
#: Fewest observations a trend model is fitted to; below it, a random walk with drift.
MIN_TREND_POINTS = 4
#: Prior standard deviation of a period's log growth when only one growth is observed.
PRIOR_GROWTH_SD = 0.05
#: Floor of every estimated variance (log units squared), so exact series stay well defined.
MIN_VARIANCE = 1e-10


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
        """Probability that the value at the horizon is at least ``level``.

        Examples
        --------
        The median of the forecast is ``exp(mean)``: the chance of reaching it is one half, and
        of reaching one standard deviation above it ``1 - Phi(1) = 0.1587``.

        >>> import math
        >>> import numpy as np
        >>> f = LogForecast("demo", np.array([math.log(100.0)]), np.array([0.1]))
        >>> round(f.p_at_least(100.0), 4), round(f.p_at_least(100.0 * math.exp(0.1)), 4)
        (0.5, 0.1587)
        """
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
        raise BadValueError("a random walk with drift needs two observations")
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
    # The 2 x 2 recursions written out in scalars (P is symmetric: p00, p01, p11); numpy's
    # per-call overhead on 2-vectors made this loop the cost of every fit.
    obs = [float(v) for v in y]
    a0, a1 = obs[1], obs[1] - obs[0]
    p00, p01, p11 = ve, ve, 2.0 * ve + vh + vz  # exact given two observations
    loglik = 0.0
    log2pi = math.log(2.0 * math.pi)
    preds: list[tuple[int, float, float]] = []
    for t in range(2, len(obs)):
        a0 += a1  # a = T a, P = T P T' + Q with T = [[1, 1], [0, 1]], Q = diag(vh, vz)
        p00, p01, p11 = p00 + 2.0 * p01 + p11 + vh, p01 + p11, p11 + vz
        yt = obs[t]
        if not math.isfinite(yt):
            continue
        F = p00 + ve
        v = yt - a0
        preds.append((t, a0, math.sqrt(F)))
        k0, k1 = p00 / F, p01 / F
        a0, a1 = a0 + k0 * v, a1 + k1 * v
        p00, p01, p11 = p00 - k0 * p00, p01 - k0 * p01, p11 - k1 * p01
        loglik -= 0.5 * (log2pi + math.log(F) + v * v / F)
    return loglik, np.array([a0, a1]), np.array([[p00, p01], [p01, p11]]), preds


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
        raise BadValueError("a local linear trend needs three observations, two consecutive")
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
        raise BadValueError("Holt's method needs three observations, two consecutive")

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
        raise BadValueError(f"unknown forecast model {model!r}; expected one of {', '.join(MODELS)}")
    y = floats("y", y)
    if y.ndim != 1:
        raise BadValueError(f"y must be a series of log levels (one dimension), got shape {y.shape}")
    horizon = integer("horizon", horizon, lower=1)
    n_obs = len(_observed(y))
    if model == "random-walk":
        return random_walk_drift(y, horizon, checks=n_obs >= MIN_TREND_POINTS)
    z, _ = _trim_start(y)
    if n_obs < MIN_TREND_POINTS or int(np.isfinite(z).sum()) < 3:
        f = random_walk_drift(y, horizon)
        return LogForecast(f.model, f.mean, f.sd, (), f"fallback: {n_obs} observations are too "
                           f"few for {model}; {f.note}", f.params)
    return local_linear_trend(y, horizon) if model == "local-linear-trend" else holt(y, horizon)


__all__ = ["MIN_TREND_POINTS", "MIN_VARIANCE", "MODELS", "PRIOR_GROWTH_SD", "LogForecast",
           "forecast_log", "holt", "local_linear_trend", "random_walk_drift"]
