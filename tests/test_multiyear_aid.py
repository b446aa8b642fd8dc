"""The value of aid year by year in the multi-year plan (issue 13, Joan Robinson's question).

``MultiYearPlan.aid_value`` is the dual of each year's foreign-exchange balance. It is checked
here against what it claims to be: the change of the optimum when one more unit of aid arrives
in that year (a finite difference, each a plan solved afresh), to 1e-6.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import autarky
from autarky.plan.multiyear_result import POOLED

IDS = ["grain", "machines"]
YEARS = [1954, 1955, 1956]


def reconstruction(aid: dict[str, list[float]], mode: str = "pooled",
                   prices: dict[str, float] | None = None) -> autarky.Scenario:
    """Grain and machines; machines (the investment good) also bought abroad at a price, paid
    by each year's aid; consumption is grain."""
    partners = list(aid)
    prices = prices or {p: 3.0 for p in partners}
    branches = pd.DataFrame({"unit": ["t", "t"], "group": ["agriculture", "heavy"]}, index=IDS)
    trade = pd.DataFrame({"partner": partners, "branch": ["machines"] * len(partners),
                          "direction": ["import"] * len(partners),
                          "price": [prices[p] for p in partners],
                          "max": [np.nan] * len(partners)})
    eco = autarky.Economy(
        branches, np.array([[0.1, 0.1], [0.05, 0.1]]),
        pd.DataFrame({"consumption": [10.0, 0.0]}, index=IDS), year=1953, prices=[1.0, 2.0],
        capital=np.array([[0.0, 0.0], [1.0, 1.5]]), reported_output=[100.0, 20.0],
        partners=pd.DataFrame({"name": partners}, index=partners), trade=trade)
    return autarky.Scenario(eco).replace(
        horizon=[YEARS[0], YEARS[-1]], foreign_exchange=mode,
        aid_by_year=pd.DataFrame(aid, index=YEARS))


BASE = {"p": [30.0, 20.0, 10.0]}


def test_the_value_of_aid_by_year_is_the_finite_difference_of_the_optimum() -> None:
    plan = reconstruction(BASE).plan.multiyear()
    assert plan.ok
    av = plan.aid_value
    assert av is not None and list(av.index) == YEARS and list(av.columns) == [POOLED]
    assert "per currency unit" in av.attrs["unit"]
    for t, year in enumerate(YEARS):
        more = {"p": list(BASE["p"])}
        more["p"][t] += 1.0                          # one more unit of aid in that year
        again = reconstruction(more).plan.multiyear()
        fd = again.objective_value - plan.objective_value
        assert av.loc[year, POOLED] == pytest.approx(fd, rel=1e-6, abs=1e-9), year
    # aid buys machines: worth something in every year here, and not the same in each
    assert (av[POOLED] > 0).all()
    assert av[POOLED].nunique() == len(YEARS)


def test_bilateral_clearing_values_each_partners_aid_on_its_own() -> None:
    """Two partners, clearing trade partner by partner: one column each, each the finite
    difference of that partner's aid; the dearer partner's aid is worth less a unit (its
    machines cost 4 against 3)."""
    aid = {"su": [30.0, 20.0, 10.0], "cn": [10.0, 10.0, 10.0]}
    prices = {"su": 3.0, "cn": 4.0}
    plan = reconstruction(aid, mode="bilateral", prices=prices).plan.multiyear()
    assert plan.ok
    av = plan.aid_value
    assert av is not None and list(av.columns) == ["su", "cn"]
    for partner in aid:
        for t, year in enumerate(YEARS):
            more = {p: list(v) for p, v in aid.items()}
            more[partner][t] += 1.0
            again = reconstruction(more, mode="bilateral", prices=prices).plan.multiyear()
            fd = again.objective_value - plan.objective_value
            assert av.loc[year, partner] == pytest.approx(fd, rel=1e-6, abs=1e-9)
    # a unit of money buys 1/3 of a machine from one and 1/4 from the other
    np.testing.assert_allclose(av["cn"].to_numpy(), av["su"].to_numpy() * 3.0 / 4.0,
                               rtol=1e-9)
    ds = plan.to_dataset()
    assert ds["aid_value"].dims == ("year", "money_from")
    assert "per currency unit" in ds["aid_value"].attrs["unit"]


def test_no_trade_prices_no_aid_value() -> None:
    eco = autarky.Economy(
        pd.DataFrame({"unit": ["t", "t"], "group": ["agriculture", "heavy"]}, index=IDS),
        np.array([[0.1, 0.1], [0.05, 0.1]]),
        pd.DataFrame({"consumption": [10.0, 0.0]}, index=IDS), year=1953, prices=[1.0, 2.0],
        capital=np.array([[0.0, 0.0], [1.0, 1.5]]), reported_output=[100.0, 20.0])
    plan = autarky.Scenario(eco).replace(horizon=[1954, 1956]).plan.multiyear()
    assert plan.ok and plan.aid_value is None
