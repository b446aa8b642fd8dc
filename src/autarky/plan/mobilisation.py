"""Mobilisation and its human cost: the growth-consumption-hours frontier, and a campaign path
against a balanced one.

Planned economies have sought growth from effort as well as from capital: longer days, more
people at work, mandated campaigns. With the scenario's ``mobilisation`` tiers
(:mod:`autarky.plan.effort`) the multi-year plan chooses effort, and its cost is counted:

* :func:`effort_frontier` solves the plan with the working day capped at each of a list of
  lengths (the tiers cut at the cap, no hours mandated) and reports growth, consumption and
  welfare per head and the hours worked: the frontier. The optimum can only rise with the cap
  (a test says so); where growth stops rising, more hours bought nothing.
* :func:`campaign` compares three paths: *balanced* (no effort above normal: neither longer
  days nor more people at work), *chosen* (the
  plan's own choice of effort within the tiers) and *campaign* (hours mandated year by year, as
  the scenario's ``min_hours`` or given). Year by year it says where mobilisation bought growth
  and where it only bought strain: effective labour that no production used (the factor's row
  slack, its shadow price zero), the "diminishing returns" of the source's line 224.

Examples
--------
One good made by labour alone (one worker a unit), 100 workers on an 8-hour day, consumption
maximised for one year. Two tiers of 2 extra hours: the first at productivity 0.8, the second
0.4, both at a disutility of 50 basket units per unit of relative effort (a whole extra day).
An extra unit of relative effort in the first tier yields ``100 x 0.8 = 80 > 50``: taken in
full (2 hours, ``e = 0.25``); the second yields ``40 < 50``: not taken. Output is
``100 (1 + 0.8 x 0.25) = 120`` and the optimum ``120 - 50 x 0.25 = 107.5``:

>>> import numpy as np, pandas as pd, autarky
>>> from autarky.economy.settings import EffortTier, Mobilisation
>>> from autarky.plan.mobilisation import effort_frontier
>>> eco = autarky.Economy(
...     pd.DataFrame({"unit": ["t"], "group": ["light"]}, index=["goods"]), np.zeros((1, 1)),
...     pd.DataFrame({"consumption": [1.0]}, index=["goods"]), year=1959, prices=[1.0],
...     capital=[[0.25]], reported_output=[100.0], initial_capacity=[1000.0],
...     depreciation=[0.0], gestation=[1],
...     factors=pd.DataFrame({"unit": ["workers"], "availability": [100.0]}, index=["labour"]),
...     factor_coefficients=[[1.0]])
>>> tiers = (EffortTier("hours", 2, 0.8, 50.0), EffortTier("hours", 2, 0.4, 50.0))
>>> scn = autarky.Scenario(eco).replace(horizon=(1960, 1960),
...                                     mobilisation=Mobilisation("labour", 8.0, tiers))
>>> f = effort_frontier(scn, hours=[8, 10, 12])
>>> f["objective"].round(6).tolist(), f["hours"].round(6).tolist()
([100.0, 107.5, 107.5], [8.0, 10.0, 10.0])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from autarky import checks
from autarky.economy import Economy, Scenario, as_scenario
from autarky.economy.settings import EffortTier, Mobilisation
from autarky.errors import BadTypeError, BadValueError
from autarky.plan.multiyear import multiyear
from autarky.plan.multiyear_result import MultiYearPlan

__all__ = ["LIMITS", "Campaign", "campaign", "capped", "effort_frontier", "none_above_normal"]

#: What the comparison cannot say (printed with it).
LIMITS = (
    "The disutility of effort is a stated weight, linear within a tier: the welfare figures "
    "are as good as that weight, and the model cannot say what the hours cost in health, "
    "family life or coercion.",
    "Effort changes no norm: longer days do not wear out machines faster, raise accidents or "
    "call for more food in the model.",
    "The plan chooses effort with perfect foresight; a campaign mandated from above is "
    "modelled only as the hours it asks.",
    "The figures are the scenario's: where they are estimates, so are these answers.",
)


def _mobilisation(scn: Scenario) -> Mobilisation:
    m = scn.settings.mobilisation
    if m is None:
        raise BadValueError("the scenario has no mobilisation (scenario key 'mobilisation': "
                            "the factor, the normal day and the tiers of extra effort)")
    return m


def capped(m: Mobilisation, hours: float) -> Mobilisation:
    """The plan's own choice of effort with the working day cut at ``hours``: the hours tiers
    cut at the cap, participation tiers kept, no hours mandated.

    >>> m = Mobilisation("labour", 8.0, (EffortTier("hours", 2), EffortTier("hours", 2)))
    >>> [t.size for t in capped(m, 9).tiers]
    [1.0, 0.0]
    """
    if hours < m.normal_hours:
        raise BadValueError(f"a working day of {hours:g} hours is shorter than the normal "
                            f"{m.normal_hours:g}")
    room = hours - m.normal_hours
    tiers: list[EffortTier] = []
    for t in m.tiers:
        if t.kind != "hours":
            tiers.append(t)
            continue
        take = min(t.size, max(room, 0.0))
        room -= take
        tiers.append(replace(t, size=take))
    return Mobilisation(m.factor, m.normal_hours, tuple(tiers))


def none_above_normal(m: Mobilisation) -> Mobilisation:
    """No effort above normal: every tier, of hours and of participation, of size zero.

    >>> m = Mobilisation("labour", 8.0, (EffortTier("hours", 2), EffortTier("participation", 0.1)))
    >>> [t.size for t in none_above_normal(m).tiers]
    [0.0, 0.0]
    """
    return Mobilisation(m.factor, m.normal_hours, tuple(replace(t, size=0.0) for t in m.tiers))


def _row(plan: MultiYearPlan, label: Any) -> dict[str, Any]:
    if not plan.ok:
        return {"case": label, "status": plan.status}
    e = plan.effort
    assert e is not None and plan.growth is not None
    return {"case": label, "status": plan.status, "objective": plan.objective_value,
            "multiple": plan.multiple(), "growth": float((1 + plan.growth).prod()
                                                         ** (1 / len(plan.growth)) - 1),
            "hours": float(e["hours"].mean()),
            "consumption_per_head": float(e["consumption_per_head"].mean()),
            "welfare_per_head": float(e["welfare_per_head"].mean()),
            "consumption": float(e["consumption"].mean()),
            "welfare": float(e["welfare"].mean()),
            "unused_labour": float((e["effective_labour"] - e["labour_used"]).clip(lower=0)
                                   .sum()),
            "strain": float(_strain(e).sum())}


def _strain(e: pd.DataFrame) -> pd.Series:
    """Mobilised effort that bought nothing: effective labour above normal that no production
    used (the unused part of the factor, up to what effort added)."""
    slack = (e["effective_labour"] - e["labour_used"]).clip(lower=0)
    added = (e["effective_labour"] - e["normal_labour"]).clip(lower=0)
    return np.minimum(slack, added)


UNITS = {"objective": "consumption-basket multiples less the disutility of effort, "
                      "discounted (with soft targets, less 10^4 per unit of relative shortfall)",
         "multiple": "industrial output in the last year over the base year",
         "growth": "1/year (geometric mean over the horizon)",
         "hours": "hours a day (mean over the years)",
         "consumption_per_head": "basket multiples per head, base year = 1 (mean)",
         "welfare_per_head": "basket multiples per head, base year = 1 (mean)",
         "consumption": "basket multiples (mean)", "welfare": "basket multiples (mean)",
         "unused_labour": "effective labour no production used, summed over the years "
                          "(the factor's unit)",
         "strain": "effective labour added by effort above normal that no production used, "
                   "summed over the years (the factor's unit)"}


def effort_frontier(obj: Economy | Scenario, strategy: str | None = None, *,
                    hours: Sequence[float] | None = None, targets: str | None = None,
                    solver: str = "auto") -> pd.DataFrame:
    """The plan with the working day capped at each length: growth, consumption and welfare
    per head, hours, effort that bought nothing.

    Parameters
    ----------
    obj
        A scenario with a horizon and ``mobilisation``.
    strategy, targets, solver
        As for :func:`~autarky.plan.multiyear.multiyear`.
    hours
        The caps (hours a day), default every whole hour from the normal day to the longest
        the tiers allow.

    Returns
    -------
    pandas.DataFrame
        One row per cap (index ``max_hours``); units in ``attrs["units"]``.
    """
    scn = as_scenario(obj)
    m = _mobilisation(scn)
    if hours is None:
        caps = list(np.arange(m.normal_hours, m.max_hours + 1e-9, 1.0))
    else:
        if not isinstance(hours, (str, bytes, np.ndarray)) and hasattr(hours, "__iter__"):
            hours = list(hours)  # a generator or a set of lengths
        given = np.atleast_1d(checks.floats("hours", hours, finite=True))
        if given.ndim != 1:
            raise BadValueError(f"hours must be a list of lengths of the working day, got an "
                                f"array of shape {given.shape}")
        caps = [float(h) for h in given]
    if not caps:
        raise BadValueError("hours: give at least one length of the working day")
    rows = []
    for cap in caps:
        plan = multiyear(scn.replace(mobilisation=capped(m, cap)), strategy,
                         targets=targets, solver=solver)
        rows.append(_row(plan, cap))
    out = pd.DataFrame(rows).rename(columns={"case": "max_hours"}).set_index("max_hours")
    out.attrs["units"] = UNITS
    out.attrs["source"] = "multi-year plans with the working day capped (autarky.plan.mobilisation)"
    return out


@dataclass(frozen=True)
class Campaign:
    """Balanced, chosen and campaign paths side by side.

    Attributes
    ----------
    summary
        One row per path (``balanced``, ``chosen``, ``campaign``): as a row of
        :func:`effort_frontier`.
    by_year
        Index ``(path, year)``: the plan's effort table (hours, labour normal, effective and
        used, disutility, welfare, per head) with industrial output, the labour shadow price
        (``labour_value``: objective per unit of the factor) and ``strain``: effective labour
        added by effort that no production used (mobilised effort that bought nothing).
    plans
        The plans by path.
    limits
        What the comparison cannot say (:data:`LIMITS`).
    """

    summary: pd.DataFrame
    by_year: pd.DataFrame
    plans: dict[str, MultiYearPlan] = field(repr=False)
    limits: tuple[str, ...] = LIMITS


def campaign(obj: Economy | Scenario, strategy: str | None = None, *,
             hours: Mapping[int, float] | None = None, targets: str | None = None,
             solver: str = "auto") -> Campaign:
    """A mobilisation campaign against a balanced path and the plan's own choice of effort.

    Parameters
    ----------
    obj
        A scenario with a horizon and ``mobilisation``.
    strategy, targets, solver
        As for :func:`~autarky.plan.multiyear.multiyear`.
    hours
        The campaign: ``{year: hours a day}`` mandated; default the scenario's ``campaign``,
        else its ``min_hours``.

    Returns
    -------
    Campaign
    """
    scn = as_scenario(obj)
    m = _mobilisation(scn)
    if hours is not None and not isinstance(hours, Mapping):
        raise BadTypeError(f"hours must be a mapping of year to the working day's hours, got "
                           f"{checks.quoted(hours)}")
    mandated = dict((m.campaign or m.min_hours) if hours is None else hours)
    if not mandated:
        raise BadValueError("no campaign to compare: give hours by year, or campaign (or "
                            "min_hours) in the scenario's mobilisation")
    years = scn.settings.years
    for y, h in mandated.items():
        if y not in years:
            raise BadValueError(f"campaign: {y} is not a plan year ({years[0]}-{years[-1]})")
        if not m.normal_hours <= h <= m.max_hours:
            raise BadValueError(f"campaign: {h:g} hours in {y} is outside the normal day "
                                f"({m.normal_hours:g}) and the longest the tiers allow "
                                f"({m.max_hours:g})")
    paths = {"balanced": none_above_normal(m),
             "chosen": replace(m, min_hours={}),
             "campaign": replace(m, min_hours=mandated)}
    plans: dict[str, MultiYearPlan] = {}
    rows, frames = [], []
    for name, mob in paths.items():
        plan = multiyear(scn.replace(mobilisation=mob), strategy, targets=targets,
                         solver=solver)
        plans[name] = plan
        rows.append(_row(plan, name))
        if plan.ok:
            assert plan.effort is not None and plan.industrial_output is not None
            assert plan.factor_rents is not None
            e = plan.effort.copy()
            e["industrial_output"] = plan.industrial_output.loc[e.index].to_numpy()
            e["labour_value"] = plan.factor_rents[m.factor].to_numpy()
            e["strain"] = _strain(e)
            e.insert(0, "path", name)
            frames.append(e.reset_index().set_index(["path", "year"]))
    summary = pd.DataFrame(rows).rename(columns={"case": "path"}).set_index("path")
    summary.attrs["units"] = UNITS
    summary.attrs["source"] = "multi-year plans: no extra effort, chosen effort, mandated hours"
    by_year = pd.concat(frames) if frames else pd.DataFrame()
    return Campaign(summary, by_year, plans)
