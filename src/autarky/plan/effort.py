"""Labour effort and skills in the multi-year plan: mobilisation above normal, and a skilled
factor trained with a lag (``docs/theory.md``, section 4).

Mobilisation (scenario key ``mobilisation``). Tiers ``k`` of extra effort: longer days (extra
hours ``h_k``, relative effort ``e_k = h_k / H`` for a normal day of ``H`` hours) or more people
at work (a share ``e_k`` of the normal availability). In year ``t`` the plan chooses
``0 <= e_{t,k} <= size_k`` and the factor's row becomes

    F x_t - L_t sum_k pi_k e_{t,k} <= L_t        (L_t the normal availability)

with ``pi_k`` the tier's productivity (falling from tier to tier: diminishing returns to
effort). A mandated campaign (``min_hours``) asks ``H (1 + sum_{k hours} e_{t,k}) >= h_min``.
The cost is counted, not hidden: the objective is ``sum_t d_t (c_t - sum_k w_k e_{t,k})``, the
welfare of each year being consumption less the disutility of effort (``w_k`` basket multiples
per unit of relative extra effort: linear in effort within a tier, rising from tier to tier,
so convex overall).

Training (scenario key ``training``). A skilled factor ``s`` is a stock: intakes ``r_t >= 0``
train for ``lag`` years and then join it; attrition ``a`` a year. Its row in year ``t``:

    F_s x_t - sum_{u <= t - lag} (1 - a)^(t - u - lag) r_u <= S_t   (S_t: the scenario's stock,
                                                                     less attrition)

While in training, ``trainee_share`` units of the trainee factor (labour) per unit trained are
withdrawn from it, and an intake uses ``inputs`` of the branches' output in its year.

With no tiers and no training the plan is the plain multi-year plan, to the last digit (a test
says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from autarky.economy import Economy, Scenario
from autarky.economy.settings import Mobilisation, Training, tier_problem
from autarky.errors import BadValueError
from autarky.solve.builder import LPBuilder


@dataclass
class Effort:
    """Mobilisation resolved against the economy: index arrays over the tiers."""

    factor: int
    normal_hours: float
    hours: np.ndarray  # bool per tier: a longer day (else more people at work)
    size: np.ndarray  # most relative extra effort per tier
    productivity: np.ndarray
    disutility: np.ndarray
    min_extra: np.ndarray  # per plan year: least relative extra hours (0: none mandated)
    names: list[str]


@dataclass
class Skills:
    """Training resolved against the economy."""

    factor: int
    lag: int
    attrition: float
    inputs: np.ndarray  # n: units per unit trained
    trainee: int | None
    share: float
    max_intake: float | None

    def joined(self, T: int) -> np.ndarray:
        """``T x T``: how much of an intake of year ``u`` is in the stock in year ``t``
        (``(1 - a)^(t - u - lag)`` once trained, else 0)."""
        age = np.arange(T)[:, None] - np.arange(T)[None, :] - self.lag
        return np.where(age >= 0, (1.0 - self.attrition) ** np.maximum(age, 0), 0.0)

    def learning(self, T: int) -> np.ndarray:
        """``T x T``: 1 where an intake of year ``u`` is still in training in year ``t``
        (``u <= t < u + lag``)."""
        d = np.arange(T)[:, None] - np.arange(T)[None, :]
        return ((d >= 0) & (d < self.lag)).astype(float)


def resolve_effort(m: Mobilisation | None, eco: Economy, years: list[int]) -> Effort | None:
    """The mobilisation settings as arrays (``None`` where the scenario has none)."""
    if m is None:
        return None
    fac = [str(f) for f in eco.coords.factor]
    if m.factor not in fac:
        raise BadValueError(f"mobilisation: no factor {m.factor!r}; the factors are "
                            f"{', '.join(fac) or 'none'}")
    tiers = m.tiers
    problem = tier_problem(tiers)
    if problem is not None:
        raise BadValueError(f"mobilisation, tier {problem[0] + 1}: {problem[1]}")
    min_extra = np.array([max(0.0, m.min_hours.get(y, 0.0) - m.normal_hours) / m.normal_hours
                          for y in years])
    names = []
    hours_seen = part_seen = 0.0
    for t in tiers:
        if t.kind == "hours":
            names.append(f"hours {m.normal_hours + hours_seen:g}-"
                         f"{m.normal_hours + hours_seen + t.size:g}")
            hours_seen += t.size
        else:
            names.append(f"participation +{100 * part_seen:g}-{100 * (part_seen + t.size):g} %")
            part_seen += t.size
    return Effort(fac.index(m.factor), m.normal_hours,
                  np.array([t.kind == "hours" for t in tiers], dtype=bool),
                  np.array([m.relative_size(t) for t in tiers], dtype=float),
                  np.array([t.productivity for t in tiers], dtype=float),
                  np.array([t.disutility for t in tiers], dtype=float), min_extra, names)


def resolve_skills(tr: Training | None, eco: Economy) -> Skills | None:
    """The training settings as arrays (``None`` where the scenario has none)."""
    if tr is None:
        return None
    fac = [str(f) for f in eco.coords.factor]
    for what, f in (("factor", tr.factor), ("trainee_factor", tr.trainee_factor)):
        if f is not None and f not in fac:
            raise BadValueError(f"training: {what} {f!r} is not a factor; the factors are "
                                f"{', '.join(fac) or 'none'}")
    inputs = np.zeros(eco.n)
    for b, v in tr.inputs.items():
        if b not in eco.ids:
            raise BadValueError(f"training: inputs name no branch {b!r}")
        inputs[list(eco.ids).index(b)] = v
    return Skills(fac.index(tr.factor), int(tr.lag), float(tr.attrition), inputs,
                  None if tr.trainee_factor is None else fac.index(tr.trainee_factor),
                  float(tr.trainee_share), tr.max_intake)


def add_effort_vars(b: LPBuilder, e: Effort, years: list[int], weights: np.ndarray
                    ) -> np.ndarray:
    """The effort variables ``e_{t,k}`` (``T x K``), their disutility in the objective
    (``weights``: the discount factor of each year) and the mandated hours."""
    T, K = len(years), len(e.size)
    E = b.add_vars("effort", T * K, upper=np.tile(e.size, T),
                   cost=-(weights[:, None] * e.disutility[None, :]).ravel(),
                   labels=[f"{name}@{y}" for y in years for name in e.names],
                   coords={"dims": ("year", "tier"), "year": years, "tier": e.names}
                   ).reshape(T, K)
    for t, y in enumerate(years):
        if e.min_extra[t] > 0:
            if not e.hours.any():
                raise BadValueError("mobilisation: min_hours needs tiers of kind hours")
            b.add_rows(f"mandated-hours@{y}", [(E[t], e.hours.astype(float).reshape(1, -1))],
                       lower=e.min_extra[t], labels=[""], coords={"dims": (), "year": y})
    return E


def add_training_vars(b: LPBuilder, s: Skills, years: list[int]) -> np.ndarray:
    """The intakes ``r_t`` (one a year)."""
    return b.add_vars("training", len(years),
                      upper=np.inf if s.max_intake is None else s.max_intake,
                      labels=[str(y) for y in years],
                      coords={"dims": ("year",), "year": years})


def factor_terms(t: int, n_factors: int, avail: np.ndarray, effort: Effort | None,
                 E: np.ndarray | None, skills: Skills | None, R: np.ndarray | None
                 ) -> list[tuple[np.ndarray, np.ndarray]]:
    """The extra terms of year ``t``'s factor rows (one matrix row per factor): effective
    labour from effort, the trained stock, and trainees withdrawn."""
    out: list[tuple[np.ndarray, np.ndarray]] = []
    if effort is not None and E is not None and len(effort.size):
        M = np.zeros((n_factors, len(effort.size)))
        M[effort.factor] = -avail[effort.factor] * effort.productivity
        out.append((E[t], M))
    if skills is not None and R is not None:
        T = len(R)
        M = np.zeros((n_factors, T))
        M[skills.factor] = -skills.joined(T)[t]
        if skills.trainee is not None:
            M[skills.trainee] += skills.share * skills.learning(T)[t]
        out.append((R, M))
    return out


def skilled_availability(avail: np.ndarray, skills: Skills | None, base: int,
                         years: list[int]) -> np.ndarray:
    """Factor availability by year with the trained factor's stock net of attrition."""
    if skills is None:
        return avail
    out = np.array(avail, dtype=float, copy=True)
    loss = (1.0 - skills.attrition) ** (np.asarray(years) - base)
    out[:, skills.factor] *= loss
    return out


def effort_table(model: Any, res: Any, scenario: Scenario) -> pd.DataFrame | None:
    """Year by year: hours a day, extra participation, normal and effective labour, labour
    used, disutility, welfare, and consumption and welfare per head (where the scenario gives
    population)."""
    h = model.horizon
    e: Effort | None = h.effort
    if e is None:
        return None
    years = list(h.years)
    T = len(years)
    E = res.x[model.E] if model.E is not None else np.zeros((T, 0))
    L = h.availability[:, e.factor]
    hours = e.normal_hours * (1.0 + E[:, e.hours].sum(axis=1))
    part = E[:, ~e.hours].sum(axis=1)
    eff = L * (1.0 + E @ e.productivity)
    F = np.asarray(model.economy.array("factor_coefficients"))[e.factor]
    x = res.x[model.X]
    used = x @ F
    if h.skills is not None and h.skills.trainee == e.factor and model.R is not None:
        used = used + h.skills.share * (h.skills.learning(T) @ res.x[model.R])
    dis = E @ e.disutility
    c = res.x[model.C]
    pop = scenario.settings.population
    base_pop = pop.get(h.base_year)
    per_head = (np.array([base_pop / pop[y] if pop.get(y, 0) > 0 else np.nan for y in years])
                if base_pop and base_pop > 0 else np.full(T, np.nan))
    out = pd.DataFrame({
        "hours": hours, "extra_participation": part, "normal_labour": L,
        "effective_labour": eff, "labour_used": used, "disutility": dis,
        "consumption": c, "welfare": c - dis, "consumption_per_head": c * per_head,
        "welfare_per_head": (c - dis) * per_head}, index=pd.Index(years, name="year"))
    unit = str(model.economy.factors["unit"].iloc[e.factor])
    out.attrs["units"] = {
        "hours": "hours a day", "extra_participation": "share of the normal availability",
        "normal_labour": unit, "effective_labour": unit, "labour_used": unit,
        "disutility": "consumption-basket multiples", "consumption": "consumption-basket "
        "multiples", "welfare": "consumption-basket multiples (consumption less the "
        "disutility of effort)", "consumption_per_head": "basket multiples per head, base "
        "year = 1 per head", "welfare_per_head": "basket multiples per head, base year = 1"}
    out.attrs["source"] = "multi-year plan with mobilisation (autarky.plan.effort)"
    return out


def skills_table(model: Any, res: Any) -> pd.DataFrame | None:
    """Year by year: intake, in training, the skilled stock and what production needs of it."""
    h = model.horizon
    s: Skills | None = h.skills
    if s is None or model.R is None:
        return None
    years = list(h.years)
    T = len(years)
    r = res.x[model.R]
    stock = h.availability[:, s.factor] + s.joined(T) @ r
    training = s.learning(T) @ r
    F = np.asarray(model.economy.array("factor_coefficients"))[s.factor]
    needed = res.x[model.X] @ F
    out = pd.DataFrame({"intake": r, "in_training": training, "stock": stock,
                        "needed": needed}, index=pd.Index(years, name="year"))
    unit = str(model.economy.factors["unit"].iloc[s.factor])
    out.attrs["unit"] = unit
    out.attrs["source"] = "multi-year plan with training (autarky.plan.effort)"
    return out
