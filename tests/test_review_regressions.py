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


# ---------------------------------------------------------------------------- review of issue 8
def one_product(share: float) -> Economy:
    """The one-product case (steel, a = 0.1, labour 1 per t and 72 available, target 100, an
    offer of 30 t at price 1, aid 50), with a recorded import share."""
    return Economy(pd.DataFrame({"unit": ["t"]}, index=["steel"]), [[0.1]], [100.0],
                   factors=pd.DataFrame({"unit": ["w"]}, index=["labour"]),
                   factor_coefficients=[[1.0]], factor_availability=[72.0],
                   partners=pd.DataFrame(index=["p"]), aid=[50.0], import_shares=[[share]],
                   import_prices=[[1.0]], import_limits=[[30.0]], currency="USD")


@pytest.mark.parametrize("share", [0.0, 1e-9, 0.01, 0.2])
def test_a_partners_limit_caps_the_channel_in_place_of_the_recorded_share(share: float) -> None:
    """With a limit of 30 t the channel may bring 30 t whatever share of use is recorded: the
    fulfilment does not jump when a tiny share is recorded (0.948 for every share here)."""
    assert optimize(one_product(share)).fulfilment == pytest.approx(0.948, rel=1e-9)


def test_autarky_trades_nothing_either_way() -> None:
    """Capping every import at zero where exports pay for imports: the recorded exports fall to
    zero too (nothing is given away for foreign exchange that buys nothing), so the autarky
    plan is the plan of the economy without any trade. One product, a = 0.2, labour 1 per t and
    100 available, target 100; recorded: share 0.3 from p, exports 10 to p at price 1; import
    price 1, no money. Without trade: x = 100, lam = 0.8 * 100 / 100 = 0.8."""
    eco = Economy(pd.DataFrame({"unit": ["t"]}, index=["s"]), [[0.2]], [100.0],
                  factors=pd.DataFrame({"unit": ["w"]}, index=["labour"]),
                  factor_coefficients=[[1.0]], factor_availability=[100.0],
                  partners=pd.DataFrame(index=["p"]), import_shares=[[0.3]],
                  exports=[[10.0]], import_prices=[[1.0]], export_prices=[[1.0]])
    from autarky.reliance.cost import cost_of_autarky

    assert cost_of_autarky(eco, caps=[0.0]).curve.loc[0.0, "fulfilment"] == pytest.approx(
        0.8, rel=1e-9)


def test_a_cut_off_ends_trade_and_money_with_the_partner() -> None:
    """Cut off, p sells nothing, buys nothing and lends nothing: in the one-product case its aid
    went only to imports from it, so the fulfilment is the one at home, 0.648."""
    from autarky.reliance.stress import stress

    r = stress(one_product(0.0), "partner:p", propagate_too=False)
    assert r.replanned["fulfilment"] == pytest.approx(0.648, rel=1e-12)


def test_reordered_sparse_economies_solve() -> None:
    """A reordered sparse table is in canonical form (sorted indices), so scipy operations on
    the read-only arrays work, and an economy with imported inputs optimizes after reordering."""
    from autarky.testing import random_economy

    eco = random_economy(80, seed=3, density=0.1, sparse=True)
    order = eco.ids[::-1]
    r = eco.reorder(order)
    assert abs(r.A).sum() == pytest.approx(abs(eco.A).sum())
    Am = {"p": (eco.A * 0.5).tocsr()}
    with_m = eco.replace(partners=pd.DataFrame(index=["p"]), imported_technology=Am)
    with_m = with_m.replace(factor_availability=[1e3])
    a = optimize(with_m, method="lp")
    b = optimize(with_m.reorder(order), method="lp")
    assert a.fulfilment == pytest.approx(b.fulfilment, rel=1e-9)


def test_rescaling_factors_or_money_makes_a_new_economy() -> None:
    """The content token and every cached plan follow a rescale: labour in tens of workers
    needs a tenth as many units."""
    eco = half_imported()
    optimize(eco)
    assert eco.rescale_currency(1000.0, "k").token != eco.token
    tens = eco.rescale_factor("labour", 10.0, "tens of w")
    req = optimize(tens).factor_requirements.loc["labour", "required"]
    assert req == pytest.approx(optimize(eco).factor_requirements.loc["labour", "required"] / 10)


def test_derived_technology_is_read_only_and_inputs_are_copied() -> None:
    import scipy.sparse as sp

    eco = half_imported()
    with pytest.raises(ValueError, match="read-only"):
        eco.A_d[0, 0] = 1.0
    block = sp.csr_array(np.array([[0.05, 0.0], [0.0, 0.01]]))
    e2 = Economy.from_coefficients([[0.15, 0.25], [0.2, 0.05]], [600.0, 1500.0],
                                   branches=["a", "b"], partners=pd.DataFrame(index=["p"]),
                                   imported_technology={"p": block})
    block.data[0] = 0.9  # the caller's matrix, not the economy's
    assert e2.table("imported_technology")["p"].loc["a", "a"] == 0.05


def test_a_new_final_demand_keeps_the_recorded_final_imports_as_shares() -> None:
    """Final imports of a (6 of its 120 of final use, a share 0.05) follow a new final demand
    of a, 120 -> 240: 12."""
    eco = Economy.from_coefficients(
        [[0.1, 0.2], [0.1, 0.1]],
        pd.DataFrame({"c": [100.0, 50.0], "g": [20.0, 10.0]}, index=["a", "b"]),
        branches=["a", "b"], partners=pd.DataFrame(index=["p"]),
        final_imports={"p": np.array([[6.0, 0.0], [0.0, 0.0]])})
    new = eco.with_final_demand([240.0, 60.0])
    assert float(new.array("final_imports").sum()) == pytest.approx(12.0)


def test_old_exports_without_destination_earn_no_foreign_exchange(tmp_path) -> None:
    from autarky import read_scenario

    path = tmp_path / "old.yaml"
    path.write_text("""name: old
branches: [{id: a, unit: t}]
technology: {a: {a: 0.1}}
final_demand: {consumption: {a: 50}, exports: {a: 20}}
partners:
  - {id: ussr, imports: {a: {price: 1.0, max: 20, note: offer note}}}
""")
    scn = read_scenario(path)
    assert scn.table("export_prices").loc["unallocated", "a"] == 0.0
    prov = scn.provenance
    assert (prov["note"] == "offer note").sum() == 2  # price and limit keep the offer's note
    assert any("earn no foreign exchange" in n for n in scn.notes)
