"""Labour effort and skills in the multi-year plan (autarky.plan.effort, .mobilisation),
against hand-solved economies.

One good made by labour alone (one worker a unit, 100 workers on an 8-hour day, capacity
never binding), consumption maximised for one year:

* tiers of 2 extra hours at productivity 0.8 and 0.4, disutility ``w`` per unit of relative
  effort (an extra 8-hour day = 1). A unit of relative effort in tier k yields ``100 pi_k``
  of the good: the tier is taken in full where ``100 pi_k > w`` and not at all where it is
  less. With ``w = 50``: tier one only (``e = 0.25``), output 120, optimum 107.5; with
  ``w = 30``: both, output ``100 (1 + 0.25 (0.8 + 0.4)) = 130``, optimum ``130 - 30 x 0.5
  = 115``; with ``w = 90``: neither, 100.
* a participation tier of 10 % at productivity 1, disutility 5: worth ``100 x 1 = 100 > 5``
  a unit, so taken: output 110, optimum ``110 - 0.5 = 109.5``.
* a campaign of 12 hours mandated at ``w = 50``: both tiers in full whatever they yield, output
  130, optimum ``130 - 50 x 0.5 = 105``.

Training: a skilled factor (0.1 of it per unit of output, a stock of 10), labour 1 a unit
(1,000 workers), two years, lag 1, trainees withdrawn from labour in their year of training,
an intake using 0.5 of the good. Year 1: ``x1 <= 10 / 0.1 = 100`` (skills), year 2:
``x2 <= 100 + 10 r1`` (skills) and ``x2 + r2 <= 1000`` (labour). Each trainee of year 1 yields
10 in year 2 for 0.5 in year 1, so the plan trains until labour binds in year 2:
``r1 = 90``, ``x2 = 1000``, ``r2 = 0``; consumption ``c1 = 100 - 45 = 55``, ``c2 = 1000``:
optimum 1,055. With attrition 0.1 the base-year stock loses 10 % a year from 1959 (9 in
1960, 8.1 in 1961) and the trained join at full strength: ``x1 <= 90``, ``x2 <= (8.1 + r1) /
0.1``, so ``r1 = 91.9``, ``c1 = 90 - 45.95 = 44.05``: optimum 1,044.05.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import autarky
from autarky import data
from autarky.economy.settings import EffortTier, Mobilisation, Training
from autarky.errors import BadValueError
from autarky.io.scenario import read_scenario
from autarky.plan.mobilisation import campaign, capped, effort_frontier
from autarky.plan.multiyear import multiyear


def worker_economy(factors: pd.DataFrame | None = None, coefficients: list[list[float]] | None
                   = None) -> autarky.Economy:
    return autarky.Economy(
        pd.DataFrame({"unit": ["t"], "group": ["light"]}, index=["goods"]), np.zeros((1, 1)),
        pd.DataFrame({"consumption": [1.0]}, index=["goods"]), year=1959, prices=[1.0],
        capital=[[0.25]], reported_output=[100.0], initial_capacity=[1e6],
        depreciation=[0.0], gestation=[1],
        factors=factors if factors is not None else
        pd.DataFrame({"unit": ["workers"], "availability": [100.0]}, index=["labour"]),
        factor_coefficients=coefficients if coefficients is not None else [[1.0]])


def one_year(*tiers: EffortTier, min_hours: dict[int, float] | None = None
             ) -> autarky.Scenario:
    return autarky.Scenario(worker_economy()).replace(
        horizon=(1960, 1960), mobilisation=Mobilisation("labour", 8.0, tiers, min_hours or {}))


@pytest.mark.parametrize(("w", "output", "optimum", "hours"),
                         [(50.0, 120.0, 107.5, 10.0), (30.0, 130.0, 115.0, 12.0),
                          (90.0, 100.0, 100.0, 8.0)])
def test_tiers_taken_where_they_pay(w: float, output: float, optimum: float,
                                    hours: float) -> None:
    plan = multiyear(one_year(EffortTier("hours", 2, 0.8, w), EffortTier("hours", 2, 0.4, w)))
    assert plan.ok
    assert plan.objective_value == pytest.approx(optimum, abs=1e-7)
    assert plan.gross_output.iloc[0, 0] == pytest.approx(output, abs=1e-7)
    e = plan.effort
    assert e.loc[1960, "hours"] == pytest.approx(hours, abs=1e-7)
    assert e.loc[1960, "effective_labour"] == pytest.approx(output, abs=1e-7)
    assert e.loc[1960, "welfare"] == pytest.approx(optimum, abs=1e-7)
    assert e.attrs["units"]["hours"] == "hours a day"


def test_participation_and_a_mandated_campaign() -> None:
    plan = multiyear(one_year(EffortTier("participation", 0.1, 1.0, 5.0)))
    assert plan.objective_value == pytest.approx(109.5, abs=1e-7)
    assert plan.effort.loc[1960, "extra_participation"] == pytest.approx(0.1)
    assert plan.effort.loc[1960, "hours"] == pytest.approx(8.0)
    forced = multiyear(one_year(EffortTier("hours", 2, 0.8, 50.0),
                                EffortTier("hours", 2, 0.4, 50.0), min_hours={1960: 12.0}))
    assert forced.objective_value == pytest.approx(105.0, abs=1e-7)
    assert forced.effort.loc[1960, "hours"] == pytest.approx(12.0, abs=1e-7)


def test_zero_extra_effort_reproduces_the_plan_exactly() -> None:
    """Tiers of size zero (and no campaign) leave the multi-year plan as it was."""
    scn = data.load("seven-year-plan")
    plain = multiyear(scn, "heavy-first")
    zero = multiyear(scn.replace(mobilisation=Mobilisation(
        "labour", 8.0, (EffortTier("hours", 0.0, 0.9, 1.0),
                        EffortTier("participation", 0.0, 1.0, 1.0)))), "heavy-first")
    assert plain.ok and zero.ok
    assert zero.objective_value == pytest.approx(plain.objective_value, rel=1e-12, abs=1e-9)
    np.testing.assert_allclose(zero.gross_output.to_numpy(), plain.gross_output.to_numpy(),
                               rtol=1e-9, atol=1e-7)
    assert (zero.effort["hours"] == 8.0).all()
    assert plain.effort is None


def test_frontier_is_monotone_and_starts_at_the_plain_plan() -> None:
    scn = one_year(EffortTier("hours", 2, 0.8, 30.0), EffortTier("hours", 2, 0.4, 30.0),
                   EffortTier("hours", 2, 0.1, 30.0))
    f = effort_frontier(scn)
    assert list(f.index) == [8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0]
    # the cap only widens the feasible set: the optimum never falls
    assert np.all(np.diff(f["objective"].to_numpy()) >= -1e-9)
    # 8 h: no effort; 10 h: the first tier (80 - 30 per unit, e = 0.25: +12.5);
    # 12 h: the second too (40 - 30: +2.5); the third (10 < 30) is never taken
    assert f.loc[8.0, "objective"] == pytest.approx(100.0)
    assert f.loc[10.0, "objective"] == pytest.approx(112.5)
    assert f.loc[12.0, "objective"] == pytest.approx(115.0)
    assert f.loc[14.0, "objective"] == pytest.approx(115.0)
    assert f.loc[14.0, "hours"] == pytest.approx(12.0)


def test_campaign_counts_the_strain() -> None:
    """A 14-hour campaign where the third tier yields 0.1 a unit against 30 of disutility:
    the plan would stop at 12 hours; the campaign's last two hours add 100 x 0.1 x 0.25 = 2.5
    of effective labour, which the plan uses (consumption is the good): welfare falls by
    30 x 0.25 - 2.5 = 5."""
    scn = one_year(EffortTier("hours", 2, 0.8, 30.0), EffortTier("hours", 2, 0.4, 30.0),
                   EffortTier("hours", 2, 0.1, 30.0))
    c = campaign(scn, hours={1960: 14.0})
    s = c.summary
    assert s.loc["balanced", "objective"] == pytest.approx(100.0)
    assert s.loc["chosen", "objective"] == pytest.approx(115.0)
    assert s.loc["campaign", "objective"] == pytest.approx(110.0)
    assert c.by_year.loc[("campaign", 1960), "hours"] == pytest.approx(14.0)
    assert c.by_year.loc[("balanced", 1960), "hours"] == pytest.approx(8.0)


def test_strain_where_effort_buys_nothing() -> None:
    """Capacity 110: beyond 110 units of labour the good cannot be made, so a 12-hour
    campaign (effective labour 130) leaves 20 unused: strain, and the labour value is 0."""
    eco = worker_economy().replace(initial_capacity=[110.0])
    scn = autarky.Scenario(eco).replace(horizon=(1960, 1960), mobilisation=Mobilisation(
        "labour", 8.0, (EffortTier("hours", 2, 0.8, 30.0), EffortTier("hours", 2, 0.4, 30.0))))
    c = campaign(scn, hours={1960: 12.0})
    row = c.by_year.loc[("campaign", 1960)]
    assert row["effective_labour"] == pytest.approx(130.0)
    assert row["labour_used"] == pytest.approx(110.0)
    assert row["strain"] == pytest.approx(20.0)
    assert row["labour_value"] == pytest.approx(0.0, abs=1e-9)
    # the chosen path takes only what capacity can use: 12.5 % more labour, from tier one
    chosen = c.by_year.loc[("chosen", 1960)]
    assert chosen["strain"] == pytest.approx(0.0, abs=1e-7)
    assert chosen["hours"] == pytest.approx(8.0 + 8 * 0.1 / 0.8)


def skill_scenario(attrition: float = 0.0) -> autarky.Scenario:
    eco = worker_economy(pd.DataFrame({"unit": ["workers", "technicians"],
                                       "availability": [1000.0, 10.0]},
                                      index=["labour", "skilled"]), [[1.0], [0.1]])
    return autarky.Scenario(eco).replace(horizon=(1960, 1961), training=Training(
        "skilled", lag=1, attrition=attrition, inputs={"goods": 0.5}, trainee_factor="labour"))


@pytest.mark.parametrize(("attrition", "r1", "optimum"), [(0.0, 90.0, 1055.0),
                                                          (0.1, 91.9, 1044.05)])
def test_training_hand_solved(attrition: float, r1: float, optimum: float) -> None:
    plan = multiyear(skill_scenario(attrition))
    assert plan.ok
    assert plan.objective_value == pytest.approx(optimum, abs=1e-6)
    s = plan.skills
    assert s.loc[1960, "intake"] == pytest.approx(r1, abs=1e-6)
    assert s.loc[1961, "intake"] == pytest.approx(0.0, abs=1e-6)
    assert s.loc[1961, "stock"] == pytest.approx(10 * (1 - attrition) ** 2 + r1, abs=1e-6)
    assert plan.consumption.tolist() == pytest.approx(
        [100 * (1 - attrition) - 0.5 * r1, 1000.0], abs=1e-6)
    assert s.loc[1960, "in_training"] == pytest.approx(r1, abs=1e-6)


def test_scenario_file_round_trip_and_errors(tmp_path: pytest.TempPathFactory) -> None:
    from autarky.io.writer import write_scenario

    scn = skill_scenario().replace(mobilisation=Mobilisation(
        "labour", 8.0, (EffortTier("hours", 2, 0.8, 50.0),), {1961: 10.0}),
        population={1959: 100.0, 1960: 101.0, 1961: 102.0})
    path = tmp_path / "s.yaml"  # type: ignore[operator]
    write_scenario(scn, path)
    back = read_scenario(path)
    assert back.settings.mobilisation == scn.settings.mobilisation
    assert back.settings.training == scn.settings.training
    assert dict(back.settings.population) == {1959: 100.0, 1960: 101.0, 1961: 102.0}
    a, b = multiyear(scn), multiyear(back)
    assert a.objective_value == pytest.approx(b.objective_value, rel=1e-12)
    assert a.effort["consumption_per_head"].tolist() == pytest.approx(
        [a.consumption[1960] * 100 / 101, a.consumption[1961] * 100 / 102])
    text = path.read_text()  # type: ignore[attr-defined]
    for bad, words in [
        (("normal_hours: 8.0", "normal_hours: 30"), "normal_hours"),
        (("productivity: 0.8", "productivity: 1.5"), "productivity"),
        (("kind: hours", "kind: overtime"), "kind is hours or participation"),
        (("factor: labour\n", "factor: capital\n"), "factor"),
        (("lag: 1", "lag: 0"), "lag"),
        (("1961: 10.0", "1961: 20.0"), "min_hours"),
    ]:
        broken = tmp_path / "broken.yaml"  # type: ignore[operator]
        assert bad[0] in text, bad[0]
        broken.write_text(text.replace(bad[0], bad[1], 1))
        with pytest.raises(autarky.errors.ScenarioError, match=words) as err:
            read_scenario(broken)
        assert err.value.line is not None


def test_errors_of_the_analyses() -> None:
    plain = autarky.Scenario(worker_economy()).replace(horizon=(1960, 1960))
    with pytest.raises(BadValueError, match="no mobilisation"):
        effort_frontier(plain)
    scn = one_year(EffortTier("hours", 2, 0.8, 50.0))
    with pytest.raises(BadValueError, match="no campaign"):
        campaign(scn)
    with pytest.raises(BadValueError, match="outside the normal day"):
        campaign(scn, hours={1960: 13.0})
    with pytest.raises(BadValueError, match="not a plan year"):
        campaign(scn, hours={1970: 9.0})
    with pytest.raises(BadValueError, match="shorter than the normal"):
        capped(scn.settings.mobilisation, 7.0)


def test_cli_mobilisation(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from autarky.cli.app import main

    assert main(["mobilisation", "three-year-plan", "--hours", "8,12", "--campaign",
                 "1960:14", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert list(doc["frontier"]) == ["8", "12"]
    assert doc["frontier"]["12"]["objective"] >= doc["frontier"]["8"]["objective"] - 1e-6
    assert doc["by_year"]["campaign@1960"]["hours"] == pytest.approx(14.0)
    assert doc["units"]["hours"].startswith("hours a day")
    for bad in (["--campaign", "1960"], ["--campaign", "1960:20"], ["--hours", "x"],
                ["--hours", "nan"], ["--hours", "30"]):
        assert main(["mobilisation", "three-year-plan", *bad]) == 2
        assert "Traceback" not in capsys.readouterr().err
    assert main(["mobilisation", "textbook"]) == 2
    assert "no mobilisation" in capsys.readouterr().err


@pytest.mark.parametrize("change", ["skilled", "labour", "goods"])
def test_training_answer_does_not_depend_on_units(change: str) -> None:
    """The hand-solved training plan, with an intake limit, measured in other units: the
    same optimum (consumption is a multiple of the basket, so it does not change)."""
    scn = skill_scenario()
    scn = scn.replace(training=Training("skilled", lag=1, inputs={"goods": 0.5},
                                        trainee_factor="labour", max_intake=50.0))
    base = multiyear(scn).objective_value
    other = (scn.rescale_factor(change, 1000.0, "k") if change != "goods"
             else scn.rescale(change, 1000.0, "kt"))
    assert multiyear(other).objective_value == pytest.approx(base, rel=1e-9)


def test_training_inputs_are_used_not_wasted() -> None:
    """With every product's output required to find a use (no_waste), the goods spent on
    training are a use: the hand solution stands (before, they counted as waste and no one
    was trained)."""
    from autarky.plan.multiyear import build_model
    from autarky.solve.lp import solve_lp

    model = build_model(skill_scenario(), no_waste=True)
    res = solve_lp(model.lp)
    assert res.status == "optimal"
    assert res.objective == pytest.approx(1055.0, abs=1e-5)
    assert res.x[model.R][0] == pytest.approx(90.0, abs=1e-6)


def test_review_regressions_of_effort() -> None:
    tiers = (EffortTier("hours", 2, 0.8, 30.0), EffortTier("hours", 2, 0.4, 30.0),
             EffortTier("hours", 2, 0.1, 30.0))
    # a mandated 14-hour day does not bend the frontier: the frontier is the plan's choice
    f = effort_frontier(one_year(*tiers, min_hours={1960: 14.0}))
    assert np.all(np.diff(f["objective"].to_numpy()) >= -1e-9)
    assert f.loc[14.0, "objective"] == pytest.approx(115.0)
    # the balanced path takes no extra participation either
    scn = one_year(EffortTier("hours", 2, 0.8, 30.0),
                   EffortTier("participation", 0.1, 1.0, 5.0))
    c = campaign(scn, hours={1960: 10.0})
    assert c.by_year.loc[("balanced", 1960), "extra_participation"] == pytest.approx(0.0)
    assert c.summary.loc["balanced", "objective"] == pytest.approx(100.0)
    # tiers out of order are refused (the plan would take the later one first)
    with pytest.raises(BadValueError, match="order"):
        multiyear(one_year(EffortTier("hours", 2, 0.3, 30.0), EffortTier("hours", 2, 0.9, 30.0)))
    with pytest.raises(BadValueError, match="at most 1"):
        multiyear(one_year(EffortTier("participation", 8, 0.7, 0.5)))


@pytest.mark.parametrize(("edit", "words"), [
    (lambda d: d["mobilisation"]["tiers"].append(
        {"kind": "hours", "size": 2.0, "productivity": 0.9, "disutility": 50.0}), "order"),
    (lambda d: d["population"].update({1960: 0}), "population must be positive"),
    (lambda d: d["mobilisation"]["tiers"].append(
        {"kind": "participation", "size": 8, "productivity": 0.7}), "at most 1"),
])
def test_effort_file_errors(tmp_path, edit, words: str) -> None:
    import yaml

    from autarky.io.writer import write_scenario

    scn = skill_scenario().replace(mobilisation=Mobilisation(
        "labour", 8.0, (EffortTier("hours", 2, 0.8, 50.0),)),
        population={1959: 100.0, 1960: 101.0, 1961: 102.0})
    path = tmp_path / "s.yaml"
    write_scenario(scn, path)
    doc = yaml.safe_load(path.read_text())
    edit(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    with pytest.raises(autarky.errors.ScenarioError, match=words) as err:
        read_scenario(path)
    assert err.value.line is not None
