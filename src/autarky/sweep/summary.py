"""What a sweep's draws say: quantiles, probabilities of events, and which inputs drive an
output.

Every summary counts only the draws where the run succeeded (``RUN.status == 0``) and says
how many those were. Probabilities come with a Wilson 95 % interval. Sensitivity is measured
in one of two ways, each named in the result's ``method`` attribute:

``spearman``
    Spearman's rank correlation of each input with the output, over plain Monte Carlo draws:
    cheap (no extra runs), monotone effects only, interactions not separated.
``sobol``
    Variance-based indices over Saltelli's design (``design="saltelli"``): first-order ``S1``
    by Saltelli et al. (2010, eq. b of table 2) and total ``ST`` by Jansen (1999), with
    bootstrap standard errors over the base points. ``S1`` is the share of the output's
    variance explained by the input alone, ``ST`` with all its interactions.

References: A. Saltelli et al., "Variance based sensitivity analysis of model output", Computer
Physics Communications 181 (2010) 259-270; M. J. W. Jansen, "Analysis of variance designs for
model output", Computer Physics Communications 117 (1999) 35-43.

Examples
--------
>>> import numpy as np
>>> fa, fb = np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 1.0, 4.0, 3.0])
>>> s1, st = sobol_indices(fa, fb, np.stack([fb, fa]))  # input 0 swaps A for B: all of it
>>> float(st[0]) > float(st[1]), float(st[1])
(True, 0.0)
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from autarky.errors import BadValueError

__all__ = ["METHODS", "noise_level", "probability", "quantiles", "sensitivity", "sobol_indices",
           "wilson"]

#: The sensitivity measures.
METHODS = ("spearman", "sobol")

_EVENT = re.compile(r"^\s*(?P<var>.+?)\s*(?P<op>>=|<=|==|>|<)\s*(?P<num>[-+0-9.eE]+)\s*$")


def _spec(ds: xr.Dataset) -> dict[str, Any]:
    return json.loads(ds.attrs.get("autarky_sweep", "{}"))


def _run_of(ds: xr.Dataset, var: str) -> str:
    if var not in ds:
        outs = [v for v in ds.data_vars if "." in str(v) and not str(v).endswith(".status")]
        raise BadValueError(f"no output {var!r}; the sweep has {', '.join(map(str, outs[:12]))}"
                            + (" ..." if len(outs) > 12 else ""))
    return var.rsplit(".", 1)[0]


def _ok(ds: xr.Dataset, var: str) -> xr.DataArray:
    """The output with the draws where its run did not succeed masked."""
    st = ds[f"{_run_of(ds, var)}.status"]
    return ds[var].where(st == 0)


def quantiles(ds: xr.Dataset, var: str, q: Sequence[float] = (0.05, 0.5, 0.95)) -> xr.DataArray:
    """Quantiles of ``var`` over the draws that succeeded (dim ``quantile``); ``attrs["n"]``
    the draws counted.

    Examples
    --------
    >>> ds = xr.Dataset({"r.x": ("draw", [1.0, 2.0, 3.0, 9.0]),
    ...                  "r.status": ("draw", np.array([0, 0, 0, 2], dtype="int8"))})
    >>> quantiles(ds, "r.x", [0.5]).values.tolist()
    [2.0]
    """
    da = _ok(ds, var)
    with warnings.catch_warnings():  # a point where no draw succeeded: NaN, counted in n
        warnings.simplefilter("ignore", RuntimeWarning)
        out = da.quantile(list(q), dim="draw", skipna=True)
    out.attrs = {**ds[var].attrs, "n": int(da.notnull().sum("draw").min()),
                 "description": f"Quantiles over the draws of {var}."}
    return out


def probability(ds: xr.Dataset, event: str) -> xr.Dataset:
    """The probability of ``event`` (``"VAR >= NUMBER"``, also ``<=``, ``>``, ``<``, ``==``)
    over the draws that succeeded: ``probability``, its Wilson 95 % interval ``low, high``
    and ``n`` (per element where the output has dims beyond the draws).

    Examples
    --------
    >>> ds = xr.Dataset({"r.x": ("draw", [1.0, 2.0, 3.0, 4.0]),
    ...                  "r.status": ("draw", np.zeros(4, dtype="int8"))})
    >>> float(probability(ds, "r.x >= 2")["probability"])
    0.75
    """
    m = _EVENT.match(str(event))
    if not m:
        raise BadValueError(f"--event {event!r}: write VAR OP NUMBER, e.g. "
                            "'optimize.fulfilment >= 1'")
    var, op, num = m["var"], m["op"], float(m["num"])
    da = _ok(ds, var)
    test = {">=": da >= num, "<=": da <= num, ">": da > num, "<": da < num,
            "==": da == num}[op]
    n = da.notnull().sum("draw")
    k = test.where(da.notnull()).sum("draw")
    p = k / n.where(n > 0)
    low, high = wilson(k, n)
    attrs = {"unit": "1", "event": f"{var} {op} {num:g}"}
    return xr.Dataset({"probability": p.assign_attrs(attrs),
                       "low": low.assign_attrs(unit="1",
                                               description="Wilson 95 % interval, low end"),
                       "high": high.assign_attrs(unit="1",
                                                 description="Wilson 95 % interval, high end"),
                       "n": n.assign_attrs(unit="draws")}, attrs=attrs)


def wilson(k: Any, n: Any, z: float = 1.959963984540054) -> tuple[Any, Any]:
    """The Wilson score interval of ``k`` successes in ``n`` trials (95 % by default); numbers
    or arrays alike (``nan`` where ``n`` is 0).

    Examples
    --------
    >>> [round(float(x), 4) for x in wilson(0, 20)]
    [0.0, 0.1611]
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        n_ = n * 1.0
        p = k / n_
        centre = (p + z * z / (2 * n_)) / (1 + z * z / n_)
        half = z / (1 + z * z / n_) * np.sqrt(p * (1 - p) / n_ + z * z / (4 * n_ * n_))
    lo, hi = centre - half, centre + half
    return np.clip(lo, 0.0, 1.0), np.clip(hi, 0.0, 1.0)


def noise_level(n: int) -> float:
    """The largest rank correlation over ``n`` draws that cannot be told from none at 95 %:
    ``1.96 / sqrt(n - 1)``."""
    return 1.96 / max(1, int(n) - 1) ** 0.5


def sobol_indices(fa: np.ndarray, fb: np.ndarray, fab: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    """First-order and total indices from Saltelli's design: ``fa, fb`` the output at the
    base points of A and B (``n``), ``fab`` at A with column i from B (``k x n``)."""
    var = np.var(np.concatenate([fa, fb]), ddof=0)
    if not var > 0:
        return np.zeros(len(fab)), np.zeros(len(fab))
    s1 = np.mean(fb * (fab - fa), axis=1) / var
    st = 0.5 * np.mean((fa - fab) ** 2, axis=1) / var
    return s1, st


def _spearman(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata

    rx, ry = rankdata(x, axis=0), rankdata(y)
    rx, ry = rx - rx.mean(axis=0), ry - ry.mean()
    den = np.sqrt((rx**2).sum(axis=0) * (ry**2).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, (rx * ry[:, None]).sum(axis=0) / den, 0.0)


def sensitivity(ds: xr.Dataset, var: str, method: str | None = None, *,
                bootstrap: int = 200, seed: int = 0) -> xr.Dataset:
    """Which uncertain inputs drive ``var`` (a scalar output, or one per grid point), ranked.

    Parameters
    ----------
    method
        ``spearman`` or ``sobol`` (default: ``sobol`` for a Saltelli design, else
        ``spearman``).
    bootstrap
        Resamples of the base points for the standard errors of the Sobol indices.

    Returns
    -------
    xarray.Dataset
        Over dim ``entry`` (and the output's grid dims): ``spearman`` (with ``method``
        spearman) or ``S1, ST, S1_se, ST_se`` (sobol), and ``rank`` (1 = the strongest, by
        ``|spearman|`` or ``ST``).
    """
    spec = _spec(ds)
    design = spec.get("design", "monte-carlo")
    method = method or ("sobol" if design == "saltelli" else "spearman")
    if method not in METHODS:
        raise BadValueError(f"sensitivity method: one of {', '.join(METHODS)}, not {method!r}")
    if "input" not in ds or ds.sizes.get("entry", 0) == 0:
        raise BadValueError("sensitivity: the sweep drew no uncertain input")
    da = _ok(ds, var)
    extra = [d for d in da.dims if d != "draw"]
    x = ds["input"].values
    entries = ds["entry"].values
    stacked = da.stack(_point=extra) if extra else da.expand_dims("_point", axis=1)
    y = stacked.transpose("draw", "_point").values
    if method == "sobol":
        if design != "saltelli":
            raise BadValueError("sensitivity: sobol indices need a Saltelli design "
                                "(--design saltelli)")
        k = len(entries)
        n = y.shape[0] // (k + 2)
        blocks = y[: n * (k + 2)].reshape(n, k + 2, -1)
        rng = np.random.default_rng(seed)
        res = {name: np.full((k, y.shape[1]), np.nan) for name in ("S1", "ST", "S1_se", "ST_se")}
        counted = np.zeros(y.shape[1], dtype=int)
        for p in range(y.shape[1]):
            b = blocks[:, :, p]
            good = np.all(np.isfinite(b), axis=1)  # a base point with a failed run is dropped
            b = b[good]
            counted[p] = len(b)
            if len(b) < 2:
                continue
            s1, st = sobol_indices(b[:, 0], b[:, 1], b[:, 2:].T)
            boots = [sobol_indices(*(lambda r: (r[:, 0], r[:, 1], r[:, 2:].T))(
                b[rng.integers(0, len(b), len(b))])) for _ in range(bootstrap)]
            res["S1"][:, p], res["ST"][:, p] = s1, st
            res["S1_se"][:, p] = np.std([s for s, _ in boots], axis=0, ddof=1)
            res["ST_se"][:, p] = np.std([t for _, t in boots], axis=0, ddof=1)
        score = res["ST"]
        data = {name: (("entry", "_point"), v) for name, v in res.items()}
        n_used = counted
    else:
        score = np.full((len(entries), y.shape[1]), np.nan)
        n_used = np.zeros(y.shape[1], dtype=int)
        for p in range(y.shape[1]):
            good = np.isfinite(y[:, p])
            n_used[p] = int(good.sum())
            if n_used[p] > 2:
                score[:, p] = _spearman(x[good], y[good, p])
        data = {"spearman": (("entry", "_point"), score)}
        score = np.abs(score)
    order = np.argsort(-np.nan_to_num(score, nan=-1.0), axis=0, kind="stable")
    rank = np.empty_like(order)
    for p in range(order.shape[1]):
        rank[order[:, p], p] = np.arange(1, len(entries) + 1)
    data["rank"] = (("entry", "_point"), rank)
    out_n: dict[str, Any] = {"n": (("_point",), n_used)}
    out = xr.Dataset({**data, **out_n}, coords={"entry": entries, "_point": stacked["_point"]})
    out = out.unstack("_point") if extra else out.isel(_point=0, drop=True)
    out.attrs = {"method": method, "output": var,
                 "reference": ("Saltelli et al. 2010 (S1), Jansen 1999 (ST); bootstrap "
                               f"standard errors over {bootstrap} resamples of the base points"
                               if method == "sobol" else "Spearman rank correlation")}
    return out
