"""One trade model: each flow once, every view of an economy agrees, non-competitive imports.

Numbers are derived by hand in each test's docstring (or, for the bundled scenario and pymrio's
test system, summed from the data files and solved with numpy, independently of autarky).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from autarky import Economy, Scenario, data
from autarky.plan.multiyear import multiyear
from autarky.plan.optimize import optimize
from autarky.reliance.cost import cost_of_autarky
from autarky.reliance.indicators import indicators
from autarky.reliance.stress import stress

SCENARIOS = data.dataset("dprk-1963").path.parent


# ---------------------------------------------------------------------------- one product
def one_product() -> Economy:
    """The one-product case: steel in t, ``a = 0.1``, one worker-year per t, 72 available, a
    target of 100 t; partner p sells up to 30 t at 1 USD per t, aid 50 pays for it. No import
    share is recorded: the offer is the only trade."""
    return Economy(pd.DataFrame({"unit": ["t"]}, index=["steel"]), [[0.1]], [100.0],
                   factors=pd.DataFrame({"unit": ["worker-years"]}, index=["labour"]),
                   factor_coefficients=[[1.0]], factor_availability=[72.0],
                   partners=pd.DataFrame(index=["p"]), aid=[50.0],
                   import_prices=[[1.0]], import_limits=[[30.0]], currency="USD")


def test_one_product_every_view_imports_the_same_30_t() -> None:
    """At home x = 72 nets 0.9 x = 64.8 t; the 30 t imported (cost 30 <= aid 50) make
    ``lam = (64.8 + 30) / 100 = 0.948``. Home use is ``A x + lam d = 7.2 + 94.8 = 102``, so the
    import share is 30/102 and self-sufficiency 72/102. Cutting p leaves ``lam = 64.8/100``."""
    eco = one_product()
    plan = optimize(eco)
    assert plan.fulfilment == pytest.approx(0.948, rel=1e-12)
    assert float(plan.imports.loc["p", "steel"]) == pytest.approx(30.0, rel=1e-12)
    assert plan.check is not None and plan.check["primal_violation"] < 1e-9
    # reliance: the economy records no trade, so it is measured at the plan that uses the offer
    ind = indicators(eco)
    assert ind.basis.startswith("optimal plan")
    assert ind.table.loc["steel", "import_share"] == pytest.approx(30.0 / 102.0, rel=1e-12)
    assert ind.table.loc["steel", "self_sufficiency"] == pytest.approx(72.0 / 102.0, rel=1e-12)
    assert ind.totals["imports_value"] == pytest.approx(30.0, rel=1e-12)
    # stress starts where optimize ends and the cut-off costs 30 t
    r = stress(eco, "partner:p", weeks=8)
    assert r.replanned["fulfilment_base"] == pytest.approx(0.948, rel=1e-12)
    assert r.replanned["fulfilment"] == pytest.approx(0.648, rel=1e-12)
    assert r.replanned["shortfall"]["steel"] == pytest.approx(30.0, rel=1e-9)
    # the cost of autarky runs from the same plan to the cut-off
    curve = cost_of_autarky(eco, caps=[1.0, 0.0]).curve
    assert curve.loc[1.0, "fulfilment"] == pytest.approx(0.948, rel=1e-12)
    assert curve.loc[0.0, "fulfilment"] == pytest.approx(0.648, rel=1e-12)


def test_one_product_one_year_multiyear_plan_agrees() -> None:
    """A one-year plan of the same economy (no capital formation: B = 0; capacity ample;
    the basket is the target, nothing exogenous) maximises the basket's level ``c = lam``."""
    scn = Scenario(one_product().replace(capital=[[0.0]], initial_capacity=[1e6])).replace(
        horizon=(1, 1), consumption_basket=[100.0], exogenous=(), year=0)
    plan = multiyear(scn, "free", targets="none")
    assert plan.ok
    assert float(plan.consumption.iloc[0]) == pytest.approx(0.948, rel=1e-9)
    assert float(plan.imports.loc[(1, "p"), "steel"]) == pytest.approx(30.0, rel=1e-9)


def test_shares_without_prices_cost_no_foreign_exchange_and_with_prices_do() -> None:
    """A recorded share s = 0.5 and no prices: no foreign-exchange balance, the imports are the
    share of home use. With a price of 2 and aid of 10 they are paid for: at most 5 t come in
    and the rest is made at home. One product, a = 0.2, labour 1 per t, 60 available, d = 100.

    Without prices: home output meets the home half of the target, ``x - 0.1 x = 50 lam``
    (A_d = 0.5 * 0.2), labour ``x <= 60``: lam = 54 / 50 = 1.08, imports half of home use.
    With prices: ``x + m - 0.2 x = 100 lam``, ``m <= 0.5 (0.2 x + 100 lam)``, ``2 m <= 10``:
    m = 5 (the cap, 0.5 (12 + 53) = 32.5, does not bind), x = 60: lam = (48 + 5) / 100 = 0.53."""
    base = Economy(pd.DataFrame({"unit": ["t"]}, index=["steel"]), [[0.2]], [100.0],
                   factors=pd.DataFrame({"unit": ["w"]}, index=["labour"]),
                   factor_coefficients=[[1.0]], factor_availability=[60.0],
                   partners=pd.DataFrame(index=["p"]), import_shares=[[0.5]])
    free = optimize(base)
    assert free.fulfilment == pytest.approx(1.08, rel=1e-12)
    assert float(free.imports.loc["p", "steel"]) == pytest.approx(0.5 * (12.0 + 108.0), rel=1e-12)
    priced = base.replace(import_prices=[[2.0]], aid=[10.0])
    plan = optimize(priced)
    assert plan.fulfilment == pytest.approx(0.53, rel=1e-12)
    assert float(plan.imports.loc["p", "steel"]) == pytest.approx(5.0, rel=1e-12)
    assert "foreign-exchange" in plan.binding


# ---------------------------------------------------------------------------- each flow once
def _csv_sum(path: Path, key: tuple[str, ...]) -> dict[tuple[str, ...], float]:
    out: dict[tuple[str, ...], float] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            k = tuple(row[c] for c in key)
            out[k] = out.get(k, 0.0) + float(row["value"])
    return out


def test_dprk_each_flow_appears_once() -> None:
    """The recorded exports (exports.csv, summed here by hand) are what every plan delivers:
    the balance and the optimal plan export exactly them, partner by partner; valued at the
    scenario's prices they are the 290.2 million won of the old exports category, not the 414
    that the old offers added on top. Final demand holds home use only."""
    eco = data.load("dprk-1963")
    exports = _csv_sum(SCENARIOS / "dprk-1963" / "exports.csv", ("partner", "branch"))
    prices = {k[0]: v for k, v in _csv_sum(SCENARIOS / "dprk-1963" / "exports.csv",
                                           ("branch",)).items()}
    assert set(prices) <= set(eco.ids)
    bal = eco.plan.balance()
    best = optimize(eco)
    assert best.ok
    for plan in (bal, best):
        for (p, b), v in exports.items():
            assert float(plan.exports.loc[p, b]) == pytest.approx(v, rel=1e-9, abs=1e-9)
        assert float(plan.exports.to_numpy().sum()) == pytest.approx(sum(exports.values()),
                                                                     rel=1e-9)
    value = sum(v * float(eco.prices[b]) for (_, b), v in exports.items())
    assert value == pytest.approx(290.209, abs=0.01)
    assert float((best.exports.sum(axis=0) * eco.prices).sum()) == pytest.approx(value, rel=1e-9)
    assert "exports" not in eco.final_demand.columns


def test_dprk_optimal_imports_are_at_most_the_recorded_shares_and_reach_them_when_paid() -> None:
    """The optimal plan imports each product from each partner at most its recorded share of home
    use (one channel, no second copy). With enough credit to pay for everything (foreign exchange
    no longer binding) it imports exactly the recorded shares of its home use."""
    eco = data.load("dprk-1963")
    S = eco.import_shares
    for plan in (optimize(eco), optimize(eco.replace(credit=[1e5, 1e5, 1e5]))):
        use = plan.intermediate_use + plan.final_demand.sum(axis=1)
        cap = S * use
        assert (plan.imports <= cap * (1 + 1e-9) + 1e-9).to_numpy().all()
    rich = optimize(eco.replace(credit=[1e5, 1e5, 1e5]))
    use = rich.intermediate_use + rich.final_demand.sum(axis=1)
    np.testing.assert_allclose(rich.imports.to_numpy(), (S * use).to_numpy(), rtol=1e-9,
                               atol=1e-9)
    assert "foreign-exchange" not in rich.binding


@pytest.mark.parametrize(("labour", "f_base", "f_cut"), [(72.0, 0.948, 0.648),
                                                          (200.0, 2.1, 1.8)])
def test_one_product_cut_off_loss_against_the_baseline_asked_for(labour: float, f_base: float,
                                                                 f_cut: float) -> None:
    """By hand: home output x = labour nets 0.9 x; the 30 t offer adds 30, so ``lam = (0.9 x +
    30) / 100``, and ``0.9 x / 100`` once p is cut. Against the optimal plan the loss is ``1 -
    f_cut / f_base``; against the target it is ``1 - f_cut`` and never below 0 (with 200
    worker-years the cut economy still meets 180 % of the target)."""
    eco = replace_availability(one_product(), labour)
    by_optimal = stress(eco, "partner:p", propagate_too=False)
    by_target = stress(eco, "partner:p", propagate_too=False, baseline="target")
    for r in (by_optimal, by_target):
        assert r.replanned["fulfilment_base"] == pytest.approx(f_base, rel=1e-12)
        assert r.replanned["fulfilment"] == pytest.approx(f_cut, rel=1e-12)
    assert by_optimal.replanned["loss"] == pytest.approx(1 - f_cut / f_base, rel=1e-12)
    assert by_target.replanned["loss"] == pytest.approx(max(0.0, 1 - f_cut), abs=1e-12)
    assert by_optimal.replanned["shortfall"]["steel"] == pytest.approx(30.0, rel=1e-9)
    assert by_target.replanned["shortfall"]["steel"] == pytest.approx(
        max(0.0, 100.0 - 0.9 * labour), abs=1e-9)
    ds = by_target.to_dataset()
    assert ds.attrs["baseline"] == "target" and "target" in ds["loss"].attrs["description"]
    with pytest.raises(ValueError, match="baseline must be one of optimal, target"):
        stress(eco, "partner:p", baseline="recorded")


def replace_availability(eco: Economy, labour: float) -> Economy:
    """``eco`` with ``labour`` worker-years available."""
    return Economy(eco.branches, eco.technology.to_numpy(), eco.final_demand.to_numpy(),
                   factors=eco.factors, factor_coefficients=[[1.0]],
                   factor_availability=[labour], partners=pd.DataFrame(index=["p"]), aid=[50.0],
                   import_prices=[[1.0]], import_limits=[[30.0]], currency="USD")


def test_dprk_optimal_plan_stress_and_autarky_cost_share_one_baseline() -> None:
    """The optimal plan, the stress test's baseline and the cost of autarky at cap 1 are one LP,
    so they give the same fulfilment."""
    eco = data.load("dprk-1963")
    lam = optimize(eco).fulfilment
    assert stress(eco, "aid", propagate_too=False).replanned["fulfilment_base"] == pytest.approx(
        lam, rel=1e-9)
    assert cost_of_autarky(eco, caps=[1.0]).curve.loc[1.0, "fulfilment"] == pytest.approx(
        lam, rel=1e-9)


def test_dprk_one_year_multiyear_plan_gives_the_optimal_fulfilment() -> None:
    """The same economy as a one-year multi-year plan (no capital formation, ample capacity, the
    basket the whole target, nothing exogenous, the partners' money in the year) maximises the
    basket's level, which is the optimal plan's fulfilment: trade, aid and credit included."""
    eco = data.load("dprk-1963")
    lam = optimize(eco).fulfilment
    one = Scenario(eco.economy.replace(capital=np.zeros((eco.n, eco.n)),
                                       initial_capacity=np.full(eco.n, 1e9))).replace(
        horizon=(1964, 1964), consumption_basket=eco.final_demand.sum(axis=1).to_numpy(),
        exogenous=())
    plan = multiyear(one, "free", targets="none")
    assert plan.ok
    assert float(plan.consumption.iloc[0]) == pytest.approx(lam, rel=1e-7)
    assert plan.trade_balance is not None
    fx = plan.trade_balance.loc[1964]
    assert float(fx["imports"].sum()) <= float(fx["exports"].sum() + fx["money"].sum()) + 1e-6


def test_seven_year_plan_trades_every_year_within_its_money() -> None:
    """The Seven Year Plan now carries trade, aid and credit every year: imports at the partners'
    prices are paid by exports at theirs plus aid and credit (115 million won a year) and the
    balancing item of the recorded 1960 trade, and the recorded exports are delivered every
    year."""
    syp = data.load("seven-year-plan")
    par = syp.partners
    assert float(par["aid"].sum() + par["credit"].sum()) == pytest.approx(115.0)
    money = float(par["aid"].sum() + par["credit"].sum() + par["other_financing"].sum())
    plan = syp.plan.multiyear("light-first")
    assert plan.ok and plan.trade_balance is not None
    for y in plan.years:
        fx = plan.trade_balance.loc[y]
        assert float(fx["money"].sum()) == pytest.approx(money)
        assert float(fx["imports"].sum()) <= float(fx["exports"].sum()) + money + 1e-6
        np.testing.assert_allclose(plan.exports.loc[y].to_numpy(), syp.exports.to_numpy(),
                                   rtol=1e-9, atol=1e-9)
        assert float(plan.imports.loc[y].to_numpy().sum()) > 0


# ---------------------------------------------------------------------------- non-competitive
A2 = [[0.2, 0.3], [0.1, 0.1]]


def noncompetitive() -> Economy:
    """Two branches, two partners, imports recorded as non-competitive inputs::

        A = [[0.2, 0.3], [0.1, 0.1]]      A_m[p] = [[0.05, 0], [0, 0.02]]
                                          A_m[q] = [[0.05, 0.1], [0, 0]]
        A_d = A - A_m[p] - A_m[q] = [[0.1, 0.2], [0.1, 0.08]]
        home final use y = (100, 50), of which imported f_m[p] = (10, 0), f_m[q] = (0, 5)
        exports e = (20, 0) to p; labour F = (0.5, 0.8), 100 available.

    ``I - A_d = [[0.9, -0.2], [-0.1, 0.92]]``, det 0.808, ``L_d = [[0.92, 0.2], [0.1, 0.9]] / 0.808``.
    """
    return Economy.from_coefficients(
        A2, pd.DataFrame({"consumption": [100.0, 50.0]}, index=["a", "b"]), branches=["a", "b"],
        units="USD", partners=pd.DataFrame(index=["p", "q"]),
        imported_technology={"p": np.array([[0.05, 0.0], [0.0, 0.02]]),
                             "q": np.array([[0.05, 0.1], [0.0, 0.0]])},
        final_imports={"p": np.array([[10.0], [0.0]]), "q": np.array([[0.0], [5.0]])},
        exports={"p": {"a": 20.0}},
        factors=pd.DataFrame({"unit": ["w"], "availability": [100.0]}, index=["labour"]),
        factor_coefficients=[[0.5, 0.8]])


def test_noncompetitive_balance_and_imports_by_hand() -> None:
    """``x = L_d (y - f_m + e) = L_d (110, 45) = (110.2, 51.5) / 0.808``; imports
    ``m[p] = A_m[p] x + f_m[p] = (5.51/0.808 + 10, 1.03/0.808)``,
    ``m[q] = ((5.51 + 5.15)/0.808, 5)``."""
    eco = noncompetitive()
    D = 0.808
    plan = eco.plan.balance()
    np.testing.assert_allclose(plan.gross_output.to_numpy(), np.array([110.2, 51.5]) / D,
                               rtol=1e-12)
    np.testing.assert_allclose(plan.imports.loc["p"].to_numpy(), [5.51 / D + 10.0, 1.03 / D],
                               rtol=1e-12)
    np.testing.assert_allclose(plan.imports.loc["q"].to_numpy(), [10.66 / D, 5.0], rtol=1e-12)
    t = plan.table()
    np.testing.assert_allclose(t["gross_output"] + t["imports"],
                               t["intermediate_use"] + t["final_demand"] + t["exports"],
                               rtol=1e-12)


def test_noncompetitive_import_content_by_hand() -> None:
    """``mu' = 1' A_m L_d`` with ``1' A_m = (0.1, 0.12)``: ``(0.104, 0.128) / 0.808``; per partner
    ``1' A_m[p] = (0.05, 0.02) -> (0.048, 0.028) / 0.808`` and
    ``1' A_m[q] = (0.05, 0.1) -> (0.056, 0.1) / 0.808``."""
    ind = indicators(noncompetitive())
    D = 0.808
    np.testing.assert_allclose(ind.table["import_content"], np.array([0.104, 0.128]) / D,
                               rtol=1e-12)
    np.testing.assert_allclose(ind.partner_content.loc["p"], np.array([0.048, 0.028]) / D,
                               rtol=1e-12)
    np.testing.assert_allclose(ind.partner_content.loc["q"], np.array([0.056, 0.1]) / D,
                               rtol=1e-12)
    np.testing.assert_allclose(ind.table["import_content"] + ind.table["domestic_value_added"],
                               1.0, rtol=1e-12)


def test_noncompetitive_plan_and_cut_off_by_hand() -> None:
    """Optimal plan (labour the limit, imports free, so at their recorded structure):
    ``x = lam L_d (90, 45) + L_d (20, 0) = lam (91.8, 49.5)/0.808 + (18.4, 2)/0.808``; labour
    ``lam 85.5/0.808 + 10.8/0.808 = 100``: ``lam = 70/85.5``. Cutting q: its inputs and its 5 of
    final b are made at home, ``A_d' = A_d + A_m[q] = [[0.15, 0.3], [0.1, 0.08]]`` (det 0.752,
    inverse ``[[0.92, 0.3], [0.1, 0.85]] / 0.752``), home target (90, 50):
    ``lam' (90.1/0.752) + 10.8/0.752 = 100``, ``lam' = 64.4/90.1``."""
    eco = noncompetitive()
    plan = optimize(eco, method="lp")
    assert plan.fulfilment == pytest.approx(70.0 / 85.5, rel=1e-10)
    assert optimize(eco).fulfilment == pytest.approx(70.0 / 85.5, rel=1e-12)  # closed form
    r = stress(eco, "partner:q", propagate_too=False)
    assert r.replanned["fulfilment_base"] == pytest.approx(70.0 / 85.5, rel=1e-10)
    assert r.replanned["fulfilment"] == pytest.approx(64.4 / 90.1, rel=1e-10)


def test_noncompetitive_inputs_must_lie_within_the_technology() -> None:
    from autarky.errors import AutarkyError

    with pytest.raises(AutarkyError, match="imported_technology of a/a exceeds the technology"):
        Economy.from_coefficients(A2, [1.0, 1.0], branches=["a", "b"],
                                  partners=pd.DataFrame(index=["p"]),
                                  imported_technology={"p": np.array([[0.25, 0.0], [0.0, 0.0]])})
    with pytest.raises(AutarkyError, match="final_imports of a exceed the home final use"):
        Economy.from_coefficients(A2, [1.0, 1.0], branches=["a", "b"],
                                  partners=pd.DataFrame(index=["p"]),
                                  final_imports={"p": np.array([[2.0], [0.0]])})


def test_pymrio_test_system_import_content_is_u_am_ld() -> None:
    """pymrio's test system (6 regions, 8 sectors), reg1 as home and the other regions as
    partners: A is reg1's total use (every region's supply), A_m[p] the part from region p,
    final imports the other regions' deliveries to reg1's final use, exports reg1's deliveries to
    the others (and its 'Export' column). The balance reproduces reg1's output, and the import
    content per product is ``u' A_m L_d`` with ``L_d = (I - A_11)^-1`` (numpy), to 1e-12."""
    import pymrio  # a test dependency (pyproject [test])
    io = pymrio.load_test()
    io.calc_all()
    Z, Y, x = io.Z, io.Y, io.x["indout"]
    regions, sectors = list(io.regions), list(io.sectors)
    home, partners = regions[0], regions[1:]
    A_full = Z.div(x.replace(0, np.nan), axis=1).fillna(0.0)
    cats = [c for c in Y[home].columns if c != "Export"]
    block = {r: A_full.loc[r, home].to_numpy() for r in regions}
    A_tot = sum(block.values())
    Am = {p: block[p] for p in partners}
    y_home = sum(Y.loc[r, home][cats].to_numpy() for r in regions)
    fm = {p: Y.loc[p, home][cats].to_numpy() for p in partners}
    exports = {p: Z.loc[home, p].to_numpy().sum(axis=1) + Y.loc[home, p].to_numpy().sum(axis=1)
               for p in partners}
    exports["outside"] = Y.loc[home, home]["Export"].to_numpy()
    eco = Economy.from_coefficients(
        A_tot, pd.DataFrame(y_home, index=sectors, columns=cats), branches=sectors,
        units="M.EUR", partners=pd.DataFrame(index=[*partners, "outside"]),
        imported_technology={**Am, "outside": np.zeros_like(A_tot)},
        final_imports={**fm, "outside": np.zeros_like(y_home)},
        exports=pd.DataFrame(exports, index=sectors).T)
    x_home = x.loc[home].to_numpy()
    np.testing.assert_allclose(eco.plan.balance().gross_output.to_numpy(), x_home, rtol=1e-10)
    L_d = np.linalg.inv(np.eye(len(sectors)) - block[home])
    Am_tot = sum(Am.values())
    mu = np.ones(len(sectors)) @ Am_tot @ L_d
    ind = indicators(eco)
    np.testing.assert_allclose(ind.table["import_content"].to_numpy(), mu, rtol=1e-12, atol=1e-14)
    for p in partners:
        np.testing.assert_allclose(ind.partner_content.loc[p].to_numpy(),
                                   np.ones(len(sectors)) @ Am[p] @ L_d, rtol=1e-12, atol=1e-14)
    # competitive shares applied to every user alike would miss it badly (the 2.3-14x)
    s = (Am_tot @ x_home + sum(fm.values()).sum(axis=1)) / (A_tot @ x_home + y_home.sum(axis=1))
    uniform = indicators(Economy.from_coefficients(
        A_tot, pd.DataFrame(y_home, index=sectors, columns=cats), branches=sectors,
        units="M.EUR", partners=pd.DataFrame(index=["world"]), import_shares=[s])).table
    ratio = uniform["import_content"].to_numpy() / mu
    assert ratio.max() / ratio.min() > 1.5


def test_dprk_recorded_trade_is_paid_for_at_the_partners_prices() -> None:
    """The recorded 1963 trade, valued at each partner's prices (import_prices.csv and
    export_prices.csv, read here by hand), is financed exactly by aid, credit and the balancing
    item: imports = exports + aid + credit + other financing, partner by partner where there is
    a deficit. So the optimal plan can import what the shares record, and at the recorded
    levels (fulfilment 1) the least labour is the recorded 4498.029."""
    eco = data.load("dprk-1963")
    pm = _csv_sum(SCENARIOS / "dprk-1963" / "import_prices.csv", ("partner", "branch"))
    pe = _csv_sum(SCENARIOS / "dprk-1963" / "export_prices.csv", ("partner", "branch"))
    ex = _csv_sum(SCENARIOS / "dprk-1963" / "exports.csv", ("partner", "branch"))
    bal = eco.plan.balance()
    prices = eco.prices
    for p in eco.partners.index:
        imports = sum(float(bal.imports.loc[p, b]) * pm.get((p, b), float(prices[b]))
                      for b in eco.ids)
        exports = sum(v * pe.get((q, b), float(prices[b])) for (q, b), v in ex.items() if q == p)
        money = float(eco.partners.loc[p, ["aid", "credit", "other_financing"]].sum())
        assert imports == pytest.approx(exports + money, rel=1e-9)
    curve = cost_of_autarky(eco, caps=[1.0]).curve
    assert curve.loc[1.0, "labour_needed"] == pytest.approx(4498.029, rel=1e-6)
