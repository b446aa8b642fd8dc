"""Regressions found in review: each test states the identity the code must keep."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from autarky import Economy, Scenario
from autarky.economy.settings import Strategy, StrategyRule
from autarky.plan.optimize import optimize
from autarky.reliance.model import base_case
from autarky.reliance.stress import parse_shock, shocked_data


def half_imported(labour: float = 800.0) -> Economy:
    return Economy.from_coefficients(
        [[0.15, 0.25], [0.20, 0.05]], [600, 1500], branches=["a", "b"], units="USD",
        factors=pd.DataFrame({"unit": ["w"], "availability": [labour]}, index=["labour"]),
        factor_coefficients=[[0.5, 0.2]], partners=pd.DataFrame(index=["p"]),
        import_shares=pd.DataFrame({"a": [0.5], "b": [0.5]}, index=["p"]))


def test_infeasible_explanation_uses_the_domestic_target_once() -> None:
    """Half of every use imported: A_d = A / 2, home output must meet d = (300, 750). Fulfilment 3
    needs x = 3 (I - A_d)^-1 d and l'x labour; alone, labour must rise to exactly that."""
    A_d = 0.5 * np.array([[0.15, 0.25], [0.20, 0.05]])
    x = 3.0 * np.linalg.solve(np.eye(2) - A_d, [300.0, 750.0])
    need = 0.5 * x[0] + 0.2 * x[1]
    plan = optimize(half_imported(), min_fulfilment=3.0, method="lp")
    assert plan.status == "infeasible"
    alone = [c for c in plan.conflicts if c["kind"] == "alone" and c["constraint"] == "factor:labour"]
    assert alone and alone[0]["needed"] == pytest.approx(need, rel=1e-9)


def test_optimal_plan_table_balances() -> None:
    """Resources = uses in an optimal plan: output + imports = intermediate use + final use.
    The target is home final use (600, 1500); half of it is imported, so the part made at home
    is (300, 750)."""
    plan = optimize(half_imported(), method="lp")
    t = plan.table()
    lhs = t["gross_output"] + t.get("imports", 0.0)
    np.testing.assert_allclose(lhs, t["intermediate_use"] + t["final_demand"], rtol=1e-9)
    np.testing.assert_allclose(plan.target.to_numpy(), [600.0, 1500.0])
    home_made = plan.gross_output.to_numpy() - np.asarray(
        0.5 * np.array([[0.15, 0.25], [0.20, 0.05]]) @ plan.gross_output.to_numpy())
    np.testing.assert_allclose(home_made, plan.fulfilment * np.array([300.0, 750.0]), rtol=1e-9)


def test_investment_is_valued_with_the_whole_capital_norms() -> None:
    """Machines half imported: a unit of capacity still costs p'B of investment goods, of which
    half comes from abroad; reported investment is new capacity times p'B (not p'(1 - s) B)."""
    st = dict(horizon=(1, 3), depreciation=np.zeros(2), gestation=np.ones(2, dtype=int),
                      initial_capacity=np.array([100.0, 200.0]),
                      consumption_basket=pd.Series([0.0, 1.0], index=["k", "c"]),
                      strategies={"s": Strategy("s", rules=(StrategyRule(("heavy",), min=0.6),))})
    capital = np.array([[2.0, 3.0], [0.0, 0.0]])
    eco = Scenario(Economy(pd.DataFrame({"unit": ["machines", "goods"], "group": ["heavy", "light"]},
                                        index=["k", "c"]), np.zeros((2, 2)), [0.0, 0.0], year=0,
                           prices=[1.0, 1.0], capital=capital, reported_output=[100.0, 200.0],
                           partners=pd.DataFrame(index=["p"]),
                           import_shares=pd.DataFrame({"k": [0.5]}, index=["p"]))).replace(**st)
    plan = eco.plan.multiyear("s", targets="none")
    assert plan.ok
    cost = np.array([1.0, 1.0]) @ capital  # p'B = (2, 3)
    np.testing.assert_allclose(plan.investment.to_numpy(), plan.new_capacity.to_numpy() * cost,
                               rtol=1e-12)
    inv = plan.investment_by_group
    total = inv.sum(axis=1)
    share = (inv["heavy"] / total)[total > 1e-9]
    assert (share >= 0.6 - 1e-9).all()


def test_cost_of_autarky_ratio_does_not_depend_on_the_order_of_caps() -> None:
    eco = half_imported(labour=2000.0)
    a = eco.reliance.cost_of_autarky(caps=[1.0, 0.5, 0.0]).acr["model_ratio"]
    b = eco.reliance.cost_of_autarky(caps=[0.0, 0.5, 1.0]).acr["model_ratio"]
    c = eco.reliance.cost_of_autarky(caps=[0.5, 0.0]).acr["model_ratio"]
    assert a == pytest.approx(b, rel=1e-9) and a == pytest.approx(c, rel=1e-9)
    assert a < 1.0


def test_demand_shock_doubles_home_use_not_exports() -> None:
    """Home final use of a: 500, exports 100 (to p); doubling demand for a doubles home use, so
    home use in the target (and in the import caps) rises from 500 to 1000, not 1100, and the
    exports to deliver stay 100."""
    fd = pd.DataFrame({"consumption": [500.0, 1500.0]}, index=["a", "b"])
    eco = Economy.from_coefficients([[0.1, 0.2], [0.1, 0.1]], fd, branches=["a", "b"],
                                    units="USD", partners=pd.DataFrame(index=["p"]),
                                    import_shares=pd.DataFrame({"a": [0.2]}, index=["p"]),
                                    exports={"p": {"a": 100.0}})
    scn = Scenario(eco)
    case = base_case(scn)
    shocked = shocked_data(scn, case, parse_shock("demand:a:1.0", eco), np.ones(2))
    np.testing.assert_allclose(shocked.target, [1000.0, 1500.0])
    np.testing.assert_allclose(shocked.export_lower, [100.0])


def test_soft_targets_are_not_met_with_waste() -> None:
    """Output nobody uses is charged twice what a won of shortfall costs, so the plans pursuing
    soft targets leave (next to) no industrial output unused, great-leap included."""
    from autarky.data import load

    eco = load("seven-year-plan")
    for strategy in ("free", "great-leap"):
        plan = eco.plan.multiyear(strategy)
        assert plan.ok
        assert float(plan.unused_share().max()) < 1e-6


def test_uniform_growth_without_waste_is_at_most_with_it() -> None:
    """Forbidding unused output only adds constraints: the largest uniform growth cannot rise."""
    from autarky.data import load
    from autarky.plan.multiyear import max_uniform_growth

    eco = load("seven-year-plan")
    with_waste = max_uniform_growth(eco, "free", tol=1e-3)
    without = max_uniform_growth(eco, "free", tol=1e-3, no_waste=True)
    assert without <= with_waste + 1e-3


def test_economy_without_partners_or_limits(capsys: pytest.CaptureFixture[str]) -> None:
    """The textbook economy has no partners, factors or capacities: criticality still ranks its
    branches (and no partner), the cost of autarky says why it has no answer (exit 1: an answer
    that is a failure, as the README says)."""
    from pathlib import Path

    from autarky.cli.app import main

    textbook = str(Path(__file__).resolve().parents[1] / "examples" / "textbook.yaml")
    assert main(["criticality", textbook, "--format", "json"]) == 0
    assert main(["autarky-cost", textbook]) == 1
    assert "unbounded" in capsys.readouterr().err
