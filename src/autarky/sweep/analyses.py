"""The analyses a sweep can run on every draw, as data: name, parameters, what they return.

A run is written as on the command line: ``"optimize"``, ``"stress partner:ussr"``,
``"stress partner:{partner} duration=26"``, ``"cost cap={cap}"``, ``"max-growth free"``,
``"multiyear heavy-first"``. The
first word names the analysis (:data:`ANALYSES`), a bare word is its argument (the shock, the
strategy), ``key=value`` sets a parameter, and ``{name}`` takes the value of the grid
dimension ``name`` at each grid point. Each analysis returns an :class:`xarray.Dataset` of
numbers with named dims (``branch``, ``partner``, ``factor``) and a unit on every variable.

Examples
--------
>>> r = parse_run("stress partner:{partner} duration=26")
>>> r.name, r.arg, r.params, r.grid_names
('stress', 'partner:{partner}', {'duration': '26'}, ('partner',))
>>> parse_run("cost cap={cap}").label, parse_run("stress partner:{p}").label
('cost', 'stress_partner:p')
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr

from autarky.economy import Scenario
from autarky.errors import BadValueError

__all__ = ["ANALYSES", "Analysis", "Run", "numeric", "parse_run"]


def numeric(ds: xr.Dataset, drop_dims: tuple[str, ...] = ("week", "constraint")
             ) -> xr.Dataset:
    """The numeric variables of a result, without string coordinates (units move to attrs)
    and without the dims a sweep does not keep (a weekly path; the binding constraints, whose
    list changes from draw to draw)."""
    keep = {}
    for name, da in ds.data_vars.items():
        if da.dtype.kind not in "fiub" or any(d in drop_dims for d in da.dims):
            continue
        keep[str(name)] = da.astype(float)
    out = xr.Dataset(keep)
    extra = [c for c in out.coords if c not in out.dims]
    out = out.drop_vars(extra)
    for d in out.dims:
        if out[d].dtype.kind not in "fiuUO":
            out = out.assign_coords({d: out[d].astype(str)})
    return out


def _indicators(scn: Scenario, arg: str | None, p: Mapping[str, Any], cache: dict[str, Any]
               ) -> xr.Dataset:
    from autarky.reliance.indicators import indicators

    return indicators(scn).to_dataset()


def _optimize(scn: Scenario, arg: str | None, p: Mapping[str, Any], cache: dict[str, Any]
               ) -> xr.Dataset:
    from autarky.plan.optimize import optimize

    plan = optimize(scn, objective=arg or p.get("objective"))
    if not plan.ok:
        raise _Failed(f"the optimal plan is {plan.status}")
    return plan.to_dataset()


def _stress(scn: Scenario, arg: str | None, p: Mapping[str, Any], cache: dict[str, Any]
               ) -> xr.Dataset:
    from autarky.reliance.stress import stress

    if not arg:
        raise BadValueError("stress needs a shock: 'stress partner:ID' (or aid:ID, "
                            "capacity:BRANCH:FRACTION, demand:BRANCH:FRACTION)")
    kw: dict[str, Any] = {}
    if "duration" in p:
        kw["duration"] = int(float(p["duration"]))
    if "scheme" in p:
        kw["scheme"] = str(p["scheme"])
    return stress(scn, arg, baseline_plan=_baseline(scn, cache), **kw).to_dataset()


def _cost(scn: Scenario, arg: str | None, p: Mapping[str, Any], cache: dict[str, Any]
               ) -> xr.Dataset:
    from autarky.reliance.cost import cost_of_autarky

    cap = float(p.get("cap", 0.0))
    return cost_of_autarky(scn, caps=[cap], baseline_plan=_baseline(scn, cache)
                           ).to_dataset().isel(cap=0, drop=True)


_BALANCE_UNITS = {"gross_output": "unit[branch]", "intermediate_use": "unit[branch]",
                  "factor_required": "unit[factor]", "imports": "unit[branch]"}


def _balance_parts(eco: Any, x: np.ndarray) -> dict[str, np.ndarray]:
    """The balance's outputs at gross output ``x`` (one economy)."""
    from autarky.economy.trade import imports_at

    fd = np.asarray(eco.final_demand.to_numpy(), dtype=float).sum(axis=1)
    return {"gross_output": x, "intermediate_use": np.asarray(eco.A @ x).ravel(),
            "factor_required": eco.factor_coefficients.to_numpy() @ x,
            "imports": imports_at(eco, x, fd) if len(eco.coords.partner)
            else np.zeros((0, eco.n))}


def _balance_dataset(eco: Any, parts: Mapping[str, np.ndarray]) -> xr.Dataset:
    ids = [str(b) for b in eco.ids]
    coords = {"branch": ids, "factor": [str(f) for f in eco.coords.factor],
              "partner": [str(p) for p in eco.coords.partner]}
    dims = {"gross_output": ("branch",), "intermediate_use": ("branch",),
            "factor_required": ("factor",), "imports": ("partner", "branch")}
    return xr.Dataset({k: xr.DataArray(v, dims=dims[k],
                                       coords={d: coords[d] for d in dims[k]},
                                       attrs={"unit": _BALANCE_UNITS[k]})
                       for k, v in parts.items()})


def _balance(scn: Scenario, arg: str | None, p: Mapping[str, Any], cache: dict[str, Any]
             ) -> xr.Dataset:
    from autarky.plan.balance import balance

    eco = scn.economy
    x = balance(scn).gross_output.to_numpy(dtype=float)
    return _balance_dataset(eco, _balance_parts(eco, x))


def _balance_block(scns: Sequence[Scenario]) -> list[xr.Dataset] | None:
    """The balances of draws that share one domestic technology (one factorization): their
    right-hand sides ``y_d + e`` stacked and solved at once; ``None`` where the draws do not
    share it (each is then balanced by itself)."""
    from autarky.economy.trade import domestic_final_use

    ecos = [s.economy for s in scns]
    solver = ecos[0].solver
    if any(e.solver is not solver for e in ecos[1:]):
        return None
    rhs = np.column_stack([domestic_final_use(e).sum(axis=1) + e.exports_total for e in ecos])
    X = solver.solve(rhs)
    if not np.all(np.isfinite(X)):
        return None  # the per-draw path says which final demand overflows
    return [_balance_dataset(e, _balance_parts(e, X[:, k])) for k, e in enumerate(ecos)]


def _max_growth(scn: Scenario, arg: str | None, p: Mapping[str, Any], cache: dict[str, Any]
               ) -> xr.Dataset:
    from autarky.plan.multiyear import max_uniform_growth

    g = max_uniform_growth(scn, arg or p.get("strategy") or "free", low=-0.5)
    if not np.isfinite(g):
        raise _Failed("no uniform growth above -50 % a year is feasible")
    return xr.Dataset({"max_growth": xr.DataArray(g, attrs={
        "unit": "1/year", "description": "Largest yearly growth of industrial output the plan "
        "can hold every year (strict targets, bisection to 1e-4, from -50 % a year)."})})


def _multiyear(scn: Scenario, arg: str | None, p: Mapping[str, Any], cache: dict[str, Any]
               ) -> xr.Dataset:
    from autarky.plan.multiyear import multiyear

    plan = multiyear(scn, arg or p.get("strategy") or "free")
    if not plan.ok:
        raise _Failed(f"the multi-year plan is {plan.status}")
    ds = plan.to_dataset()
    keep = [v for v in ("industrial_output", "growth", "consumption", "multiple") if v in ds]
    return ds[keep]


def _baseline(scn: Scenario, cache: dict[str, Any]) -> Any:
    """The optimal plan a draw's shocks and caps start from, solved once per draw."""
    from autarky.reliance.stress import baseline_plan

    if "baseline_plan" not in cache:
        cache["baseline_plan"] = baseline_plan(scn)
    return cache["baseline_plan"]


class _Failed(Exception):
    """An analysis that ends without an answer for this draw (infeasible, unbounded)."""


@dataclass(frozen=True)
class Analysis:
    """One analysis a sweep can run.

    Attributes
    ----------
    name
        Its name on the command line.
    run
        ``run(scenario, arg, params, cache) -> Dataset``; ``cache`` is shared by the runs of
        one draw (the baseline plan of its shocks and caps is solved once).
    params
        The parameters it takes (``key=value``, or a grid dimension).
    arg
        What its bare argument is (``""``: none).
    description
        One line.
    block
        Where the analysis can run many draws at once (right-hand sides in blocks): ``block(
        scenarios) -> [Dataset]`` or ``None`` where it cannot for these draws (no argument, no
        parameters).
    """

    name: str
    run: Callable[[Scenario, str | None, Mapping[str, Any], dict[str, Any]], xr.Dataset]
    params: tuple[str, ...] = ()
    arg: str = ""
    description: str = ""
    block: Callable[[Sequence[Scenario]], list[xr.Dataset] | None] | None = None


#: The analyses a sweep can run.
ANALYSES: dict[str, Analysis] = {a.name: a for a in (
    Analysis("balance", _balance, description="The material balance: gross output, "
             "intermediate use, factor requirements, imports by partner; draws that share the "
             "technology are solved together, their right-hand sides in one block.",
             block=_balance_block),
    Analysis("indicators", _indicators, description="Self-reliance indicators at the balanced "
             "plan: import content, dependence on each partner, shares."),
    Analysis("optimize", _optimize, ("objective",), "objective",
             "The optimal one-year plan: fulfilment, outputs, shadow prices."),
    Analysis("stress", _stress, ("duration", "scheme"), "shock",
             "A partner cut-off or another shock: loss of fulfilment, shortfalls."),
    Analysis("cost", _cost, ("cap",), "", "The cost of autarky at an import cap (share of "
             "today's imports allowed): fulfilment, labour needed."),
    Analysis("max-growth", _max_growth, ("strategy",), "strategy",
             "The largest yearly growth of industrial output a multi-year plan can hold."),
    Analysis("multiyear", _multiyear, ("strategy",), "strategy",
             "The multi-year plan under a strategy: industrial output by year, growth, "
             "consumption."),
)}

#: The failures a run records as its status for a draw (the sweep goes on).
FAILURES: tuple[type[BaseException], ...] = (_Failed,)


@dataclass(frozen=True)
class Run:
    """One parsed run: the analysis, its argument and parameters, the grid dims it uses."""

    text: str
    name: str
    arg: str | None
    params: dict[str, str] = field(default_factory=dict)

    @property
    def analysis(self) -> Analysis:
        return ANALYSES[self.name]

    @property
    def grid_names(self) -> tuple[str, ...]:
        """The grid dimensions this run takes (its ``{name}`` placeholders)."""
        return tuple(dict.fromkeys(re.findall(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", self.text)))

    @property
    def label(self) -> str:
        """The run as a variable prefix: its words joined by ``_``, a parameter set by its own
        grid dimension (``cap={cap}``) left out, a placeholder written as its name."""
        words = [w for w in self.text.split()
                 if not re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)=\{\1\}", w)]
        return "_".join(re.sub(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", r"\1", w) for w in words)

    def at(self, point: Mapping[str, Any]) -> tuple[str | None, dict[str, str]]:
        """The argument and parameters at one grid point (placeholders filled)."""
        def fill(s: str) -> str:
            return re.sub(r"\{([A-Za-z_][A-Za-z0-9_]*)\}",
                          lambda m: _text(point[m.group(1)]), s)

        return (None if self.arg is None else fill(self.arg),
                {k: fill(v) for k, v in self.params.items()})

    def raw(self, scn: Scenario, point: Mapping[str, Any],
            cache: dict[str, Any] | None = None) -> xr.Dataset:
        """The analysis's own result at one grid point (all its variables and coordinates);
        ``cache``: shared by the runs on one scenario."""
        arg, params = self.at(point)
        return self.analysis.run(scn, arg, params, {} if cache is None else cache)

    def __call__(self, scn: Scenario, point: Mapping[str, Any],
                 cache: dict[str, Any] | None = None) -> xr.Dataset:
        """The numbers a sweep keeps: numeric variables, dims labelled, units in attrs."""
        return numeric(self.raw(scn, point, cache))


def _text(v: Any) -> str:
    if isinstance(v, float | np.floating):
        return repr(float(v))
    return str(v)


def parse_run(text: str) -> Run:
    """Parse one ``--run`` (see the module docstring).

    Raises
    ------
    BadValueError
        An unknown analysis or parameter, or an argument to an analysis that takes none.
    """
    words = str(text).split()
    if not words:
        raise BadValueError("--run: empty; give an analysis: " + ", ".join(ANALYSES))
    name, rest = words[0], words[1:]
    if name not in ANALYSES:
        raise BadValueError(f"--run {text!r}: unknown analysis {name!r}; expected one of "
                            f"{', '.join(ANALYSES)}")
    a = ANALYSES[name]
    arg = None
    params: dict[str, str] = {}
    for w in rest:
        if "=" in w and not w.startswith("{"):
            k, v = w.split("=", 1)
            if k not in a.params:
                takes = ", ".join(a.params) or "no parameters"
                raise BadValueError(f"--run {text!r}: {name} takes {takes}, not {k!r}")
            params[k] = v
        elif arg is None and a.arg:
            arg = w
        else:
            raise BadValueError(f"--run {text!r}: {name} takes "
                                + (f"one {a.arg}" if a.arg else "no argument")
                                + f"; {w!r} is one too many")
    return Run(" ".join(words), name, arg, params)
