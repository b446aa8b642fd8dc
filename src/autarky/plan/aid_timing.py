"""The same aid, early or late: the multi-year plan under other timings of the same total.

Joan Robinson (1965), as the source document quotes her, saw in the "Korean miracle" the
"pernicious effect of foreign aid prolonged beyond the first boost". The plan can say part of
that: :func:`aid_timing` keeps each partner's total aid over the horizon and spreads it over
the years by a *profile* (shares of the total, year by year), solves the multi-year plan for
each profile, and reports what changes: the optimum, consumption year by year, the plan's own
saving (investment not paid by foreign money) and how dependent on imports the economy ends the
horizon. With the duals of :attr:`~autarky.plan.multiyear_result.MultiYearPlan.aid_value` it
says which years' aid is worth most at the margin.

What it cannot say (:data:`LIMITS`): the plan is an optimum under perfect foresight, so aid
cannot weaken effort, breed waste or dull the "national pride" Robinson credits; the strings
attached to aid and the politics of two patrons are outside it; a dual is a marginal value and
a profile a whole different plan; and the economy's figures are those of the scenario, not
checked here.

Built-in profiles: ``as given`` (the scenario's own aid by year), ``even``, ``front-loaded``
(shares falling linearly, ``T, T-1, ..., 1``), ``back-loaded`` (rising), ``first year`` (all of
it at once, "the first boost"); or any mapping of a name to ``T`` non-negative shares summing to
one. Credit and other financing stay as they are.

Examples
--------
One good, no inputs, new capacity at 0.25 a unit from the next year, imports at price 1 paid by
40 of aid, two years, consumption maximised. Investing in year one pays four units of output in
year two for each unit saved, so the first year's aid is worth ``(1 - b) / b = 3`` and the
second year's 1: the optimum is ``240 + 2 (100 + m_1)`` for ``m_1`` of aid in the first year,
``520`` with all of it at once, ``480`` spread evenly, ``466.67`` with a third first (the hand
solution is in ``tests/test_aid_timing.py``):

>>> import numpy as np, pandas as pd, autarky
>>> from autarky.plan.aid_timing import aid_timing
>>> eco = autarky.Economy(
...     pd.DataFrame({"unit": ["t"], "group": ["heavy"]}, index=["goods"]), np.zeros((1, 1)),
...     pd.DataFrame({"consumption": [1.0]}, index=["goods"]), year=1953, prices=[1.0],
...     capital=[[0.25]], reported_output=[100.0], initial_capacity=[100.0],
...     depreciation=[0.0], gestation=[1], partners=pd.DataFrame(index=["p"]),
...     trade=pd.DataFrame({"partner": ["p"], "branch": ["goods"], "direction": ["import"],
...                         "price": [1.0], "max": [np.nan]}))
>>> scn = autarky.Scenario(eco).replace(
...     horizon=[1954, 1955], aid_by_year=pd.DataFrame({"p": [20.0, 20.0]}, index=[1954, 1955]))
>>> t = aid_timing(scn, profiles=["first year", "even", "back-loaded"])
>>> t.summary["objective"].round(6).tolist()
[520.0, 480.0, 466.666667]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from autarky import checks
from autarky.economy import Economy, Scenario, as_scenario
from autarky.errors import BadValueError
from autarky.plan.multiyear import _by_year, multiyear, resolve_horizon
from autarky.plan.multiyear_result import POOLED, MultiYearPlan

__all__ = ["LIMITS", "PROFILES", "AidTiming", "aid_timing"]

#: The built-in profiles, in the order they are reported.
PROFILES = ("as given", "even", "front-loaded", "back-loaded", "first year")

#: What the comparison cannot say (printed with it).
LIMITS = (
    "The plan is an optimum under perfect foresight: aid cannot weaken effort, breed waste or "
    "change behaviour in it, which is much of what Robinson's 'pernicious effect' means.",
    "The conditions attached to aid, and the politics of balancing two patrons, are not in "
    "the model.",
    "Each profile is a whole plan solved afresh; the yearly aid values are marginal, valid "
    "while the plan's binding constraints stay the same.",
    "Foreign exchange is not carried from year to year: aid a year cannot spend on imports "
    "(within the import limits) is lost, as if there were no reserves.",
    "The figures are the scenario's: where they are estimates, so are these answers.",
)


@dataclass(frozen=True)
class AidTiming:
    """The multi-year plan under each timing of the same aid.

    Attributes
    ----------
    summary
        One row per profile: ``objective`` (the plan's objective: consumption-basket multiples,
        discounted), ``consumption`` (the levels summed over the years), ``own_saving_share``
        (investment not paid by foreign money, over all investment of the horizon),
        ``last_year_import_share`` (imports over gross output plus imports in the last year,
        at constant prices), ``last_year_industrial_output`` (currency, constant prices) and
        ``status``.
    aid
        The aid each profile gives: index ``(profile, year)``, one column per partner
        (currency).
    consumption, own_saving, aid_value
        ``year x profile``: the consumption level; investment less the foreign money used that
        year (imports less exports at trade prices; currency); the value of one more unit of
        aid that year (pooled foreign exchange: the dual; bilateral: the partners' duals
        weighted by their shares of that year's aid, else of the horizon's: a unit of aid
        split between the partners as the profile splits it).
    plans
        The plans themselves, by profile.
    limits
        What the comparison cannot say (:data:`LIMITS`).
    """

    summary: pd.DataFrame
    aid: pd.DataFrame
    consumption: pd.DataFrame
    own_saving: pd.DataFrame
    aid_value: pd.DataFrame
    plans: dict[str, MultiYearPlan] = field(repr=False)
    limits: tuple[str, ...] = LIMITS


def _shares(name: str, T: int) -> np.ndarray:
    if name == "even":
        w = np.ones(T)
    elif name == "front-loaded":
        w = np.arange(T, 0, -1, dtype=float)
    elif name == "back-loaded":
        w = np.arange(1, T + 1, dtype=float)
    elif name == "first year":
        w = np.zeros(T)
        w[0] = 1.0
    else:
        raise BadValueError(f"unknown aid profile {name!r}; built in: {', '.join(PROFILES)}, "
                            "or give a mapping of a name to shares by year")
    return w / w.sum()


def _profiles(profiles: Sequence[str] | Mapping[str, Sequence[float]] | None,
              T: int) -> dict[str, np.ndarray | None]:
    """Name -> shares by year (``None``: the scenario's own aid)."""
    if profiles is None:
        profiles = PROFILES
    out: dict[str, np.ndarray | None] = {}
    if isinstance(profiles, Mapping):
        for name, shares in profiles.items():
            w = np.atleast_1d(checks.floats(f"aid profile {name}", shares))
            if w.shape != (T,) or not np.all(np.isfinite(w)) or np.any(w < 0) or \
                    abs(float(w.sum()) - 1.0) > 1e-9:
                raise BadValueError(f"aid profile {name!r}: {T} non-negative shares summing to "
                                    f"one, one per plan year, got {list(w)}")
            out[str(name)] = w
        if not out:
            raise BadValueError("profiles: give at least one aid profile")
        return out
    if isinstance(profiles, str):
        profiles = [profiles]
    profiles = checks.id_list("profiles", profiles)
    for name in profiles:
        out[name] = None if name == "as given" else _shares(name, T)
    if not out:
        raise BadValueError("profiles: give at least one aid profile; built in: "
                            f"{', '.join(PROFILES)}")
    return out


def _unit_value(av: pd.DataFrame | None, aid: np.ndarray, T: int) -> np.ndarray:
    """The value of one more unit of aid in each year: the pooled dual, or the partners'
    duals weighted by their shares of the year's aid (of the horizon's where none that year;
    equal shares where there is none at all)."""
    if av is None:
        return np.full(T, np.nan)
    if list(av.columns) == [POOLED]:
        return av[POOLED].to_numpy(dtype=float)
    total = aid.sum(axis=0)
    horizon = total / total.sum() if total.sum() > 0 else np.full(len(total), 1 / len(total))
    year_total = aid.sum(axis=1, keepdims=True)
    shares = np.where(year_total > 0, aid / np.where(year_total > 0, year_total, 1.0),
                      horizon[np.newaxis, :])
    return np.sum(av.to_numpy(dtype=float) * shares, axis=1)


def _prepare(obj: Economy | Scenario, strategy: str | None,
             targets: str | None) -> tuple[Scenario, Any, np.ndarray]:
    """The scenario, its horizon and its aid by year (``years x partners``), refused where aid
    can change nothing."""
    scn = as_scenario(obj)
    h = resolve_horizon(scn, strategy, targets)
    if not h.fx:
        raise BadValueError("aid pays for imports through the foreign-exchange balance; the "
                            "scenario gives no trade prices, so aid changes nothing in its plans")
    given = _by_year(scn, "aid_by_year", list(h.years), np.asarray(scn.economy.array("aid")))
    if not np.any(given.sum(axis=0) > 0):
        raise BadValueError("the scenario has no aid over the horizon (aid_by_year or the "
                            "partners' aid) to spread")
    return scn, h, given


def compare_aid(scn: Scenario, h: Any, cases: Mapping[str, np.ndarray], strategy: str | None,
                targets: str | None, solver: str, kind: str, source: str) -> AidTiming:
    """Solve the multi-year plan once per case (``years x partners`` aid) and compare."""
    eco = scn.economy
    years = list(h.years)
    T = len(years)
    partners = [str(p) for p in eco.coords.partner]
    p = h.meta["prices"]
    rows: list[dict[str, Any]] = []
    aid_rows: list[pd.DataFrame] = []
    cons: dict[str, np.ndarray] = {}
    saving: dict[str, np.ndarray] = {}
    values: dict[str, np.ndarray] = {}
    plans: dict[str, MultiYearPlan] = {}
    for name, aid in cases.items():
        frame = pd.DataFrame(aid, index=pd.Index(years, name="year"), columns=partners)
        plan = multiyear(scn.replace(aid_by_year=frame), strategy, targets=targets,
                         solver=solver)
        plans[name] = plan
        aid_rows.append(frame.assign(**{kind: name}).set_index(kind, append=True)
                        .reorder_levels([kind, "year"]))
        if not plan.ok:
            rows.append({kind: name, "status": plan.status})
            continue
        assert plan.investment is not None and plan.consumption is not None
        assert plan.gross_output is not None and plan.imports is not None
        assert plan.industrial_output is not None
        invest = plan.investment.sum(axis=1).to_numpy()
        tb = plan.trade_balance
        foreign = np.zeros(T) if tb is None else (
            (tb["imports"] - tb["exports"]).groupby(level="year").sum().reindex(years)
            .fillna(0.0).to_numpy())
        own = invest - foreign
        m_last = plan.imports.loc[years[-1]].sum(axis=0).to_numpy() @ p
        x_last = plan.gross_output.loc[years[-1]].to_numpy() @ p
        cons[name] = plan.consumption.to_numpy()
        saving[name] = own
        values[name] = _unit_value(plan.aid_value, aid, T)
        rows.append({kind: name, "status": plan.status,
                     "objective": plan.objective_value,
                     "consumption": float(plan.consumption.sum()),
                     "own_saving_share": float(own.sum() / invest.sum())
                     if invest.sum() > 0 else np.nan,
                     "last_year_import_share": float(m_last / (x_last + m_last))
                     if x_last + m_last > 0 else np.nan,
                     "last_year_industrial_output": float(plan.industrial_output.iloc[-1])})
    summary = pd.DataFrame(rows).set_index(kind)
    summary.attrs["units"] = {
        "objective": "consumption-basket multiples, discounted to the first plan year (with "
                     "soft targets, less 10^4 per unit of relative shortfall)",
        "consumption": "consumption-basket multiples, summed over the years",
        "own_saving_share": "1", "last_year_import_share": "1",
        "last_year_industrial_output": f"{eco.currency} at constant prices"}
    summary.attrs["source"] = source

    def by_year(d: dict[str, Any], unit: str) -> pd.DataFrame:
        out = pd.DataFrame(d, index=pd.Index(years, name="year"))
        out.columns.name = kind
        out.attrs["unit"] = unit
        return out

    return AidTiming(
        summary, pd.concat(aid_rows), by_year(cons, "consumption-basket multiples"),
        by_year(saving, f"{eco.currency} at constant prices"),
        by_year(values, "objective per currency unit of aid"), plans)


def aid_timing(obj: Economy | Scenario, strategy: str | None = None, *,
               profiles: Sequence[str] | Mapping[str, Sequence[float]] | None = None,
               targets: str | None = None, solver: str = "auto") -> AidTiming:
    """Solve the multi-year plan with each partner's aid spread over the years by each profile.

    Parameters
    ----------
    obj
        A scenario with a horizon, trade prices (aid only pays through the foreign-exchange
        balance) and aid (``aid_by_year``, else the partners' yearly ``aid``).
    strategy, targets, solver
        As for :func:`~autarky.plan.multiyear.multiyear`.
    profiles
        Names of built-in profiles (:data:`PROFILES`; default all of them), or a mapping of a
        name to one non-negative share per plan year, summing to one.

    Returns
    -------
    AidTiming

    Raises
    ------
    BadValueError
        Without trade prices, without aid, or for a malformed profile.
    """
    scn, h, given = _prepare(obj, strategy, targets)
    total = given.sum(axis=0)
    T = len(h.years)
    cases = {name: given if shares is None else shares[:, np.newaxis] * total[np.newaxis, :]
             for name, shares in _profiles(profiles, T).items()}
    return compare_aid(scn, h, cases, strategy, targets, solver, "profile",
                       "multi-year plans solved for each timing of the same aid")
