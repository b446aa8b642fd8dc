"""Repair of damaged capacity in the multi-year plan (issue 13, part 1), solved by hand.

Two branches: machines and consumer goods, no intermediate inputs (``A = 0``), no
depreciation. Machines are only investment goods: 20 a year (capacity 20; new machine capacity
costs 1,000 machines a unit, so it never pays). Consumer goods: 100 of working capacity and 30
damaged. New consumer capacity costs 1 machine a unit and produces from the next year;
repairing a unit of damaged capacity costs 0.5 machines and produces in the year of the repair
(``repair_gestation = 0``). Consumption is consumer goods; three years; the plan maximises
``c_1 + c_2 + c_3`` (no discount, no prices, so no terminal investment rule).

With ``r_t`` repaired and ``n_t`` built in year ``t``::

    c_1 = 100 + r_1,  c_2 = 100 + r_1 + r_2 + n_1,  c_3 = c_2 + r_3 + n_2
    0.5 r_t + n_t <= 20 machines a year,  r_1 + r_2 + r_3 <= 30

so ``sum c = 300 + 3 r_1 + 2 r_2 + r_3 + 2 n_1 + n_2``. Per machine: ``r_1`` earns 6, ``n_1`` 2,
``r_2`` 4, ``n_2`` 1. Repair first while damaged capacity lasts: ``r_1 = 30`` (15 machines),
then new construction with the 5 left, ``n_1 = 5``; in year 2 nothing is left to repair,
``n_2 = 20``. ``c = (130, 135, 155)``, optimum 420 (``n_3`` earns nothing inside the horizon).

With a repair gestation of one year, ``r_1`` counts from year 2 (4 a machine, still above
``n_1``'s 2): the same repairs and construction, ``c = (100, 135, 155)``, optimum 390. With
nothing damaged: ``n_1 = n_2 = 20``, optimum ``300 + 40 + 20 = 360``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import autarky
from autarky.errors import BadValueError

IDS = ["machines", "consumer"]


def war_damaged(damaged: float = 30.0, repair_lag: int = 0, *, repair_norms: bool = True,
                prices: list[float] | None = None) -> autarky.Scenario:
    tables: dict = {"damaged_capacity": [0.0, damaged], "repair_gestation": [0, repair_lag]}
    if prices is not None:
        tables["prices"] = prices
    if repair_norms:
        tables["repair_capital"] = np.array([[0.0, 0.5], [0.0, 0.0]])
    eco = autarky.Economy(
        pd.DataFrame({"unit": ["unit", "unit"], "group": ["heavy", "light"]}, index=IDS),
        np.zeros((2, 2)), pd.DataFrame({"consumption": [0.0, 1.0]}, index=IDS), year=1953,
        capital=np.array([[1000.0, 1.0], [0.0, 0.0]]), reported_output=[20.0, 100.0],
        initial_capacity=[20.0, 100.0], depreciation=[0.0, 0.0], gestation=[1, 1], **tables)
    return autarky.Scenario(eco).replace(horizon=[1954, 1956])


def test_repair_first_while_damaged_capacity_lasts_then_new_construction() -> None:
    plan = war_damaged().plan.multiyear()
    assert plan.ok
    assert plan.objective_value == pytest.approx(420.0, rel=1e-9)
    np.testing.assert_allclose(plan.consumption.to_numpy(), [130.0, 135.0, 155.0], rtol=1e-9)
    assert plan.repair is not None and plan.repair_investment is not None
    np.testing.assert_allclose(plan.repair["consumer"].to_numpy(), [30.0, 0.0, 0.0], atol=1e-7)
    np.testing.assert_allclose(plan.new_capacity["consumer"].to_numpy()[:2], [5.0, 20.0],
                               atol=1e-7)
    # capacity counts what was repaired in its year, and what was built from the next
    np.testing.assert_allclose(plan.capacity["consumer"].to_numpy(), [130.0, 135.0, 155.0],
                               rtol=1e-9)
    # the repair goods are investment: 0.5 machine a unit (machines have no price here: 0)
    assert plan.repair_investment.to_numpy().sum() == pytest.approx(0.0, abs=1e-9)


def test_a_slower_repair_counts_from_the_next_year() -> None:
    plan = war_damaged(repair_lag=1).plan.multiyear()
    assert plan.ok
    assert plan.objective_value == pytest.approx(390.0, rel=1e-9)
    np.testing.assert_allclose(plan.consumption.to_numpy(), [100.0, 135.0, 155.0], rtol=1e-9)
    np.testing.assert_allclose(plan.repair["consumer"].to_numpy(), [30.0, 0.0, 0.0], atol=1e-7)


def test_nothing_damaged_is_the_plan_without_repair() -> None:
    plan = war_damaged(damaged=0.0).plan.multiyear()
    assert plan.ok and plan.repair is None
    assert plan.objective_value == pytest.approx(360.0, rel=1e-9)
    np.testing.assert_allclose(plan.new_capacity["consumer"].to_numpy()[:2], [20.0, 20.0],
                               atol=1e-7)


def test_repair_never_exceeds_the_damage_and_costs_its_norms() -> None:
    """Priced machines (1 a unit): the repair's value is 0.5 a unit repaired, inside
    ``investment``; no more is repaired than was damaged, whatever it would earn."""
    plan = war_damaged(damaged=10.0, prices=[1.0, 1.0]).plan.multiyear()
    assert plan.ok
    assert plan.repair["consumer"].sum() == pytest.approx(10.0, rel=1e-9)
    np.testing.assert_allclose(plan.repair_investment["consumer"].to_numpy(),
                               0.5 * plan.repair["consumer"].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(
        plan.investment["consumer"].to_numpy(),
        plan.new_capacity["consumer"].to_numpy() * 1.0 + plan.repair_investment[
            "consumer"].to_numpy(), rtol=1e-12)
    assert plan.to_dataset()["repair"].attrs["unit"] == "unit[branch]"


def test_damage_without_repair_norms_is_refused() -> None:
    with pytest.raises(BadValueError, match="repair_capital"):
        war_damaged(repair_norms=False).plan.multiyear()


def test_the_repair_tables_travel_through_the_scenario_format(tmp_path) -> None:
    folder = tmp_path / "war"
    autarky.write_scenario(war_damaged(), folder)
    back = autarky.read_scenario(folder)
    np.testing.assert_array_equal(back.economy.array("damaged_capacity"), [0.0, 30.0])
    assert back.plan.multiyear().objective_value == pytest.approx(420.0, rel=1e-9)


def test_without_prices_the_output_multiple_is_nan_not_a_warning() -> None:
    import warnings

    plan = war_damaged().plan.multiyear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(plan.multiple())
        assert "repair" in plan.to_dataset()
