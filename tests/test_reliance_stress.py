"""Self-reliance under pressure: the cost of autarky (with and without economies of scale, and the
ACR cross-check), stress tests, and the criticality of branches and partners.

The two-branch economy is that of ``test_reliance.py`` (A = [[0.2, 0.3], [0.1, 0.1]], shares
p: (0.3, 0), q: (0.1, 0.2), so s = (0.4, 0.2); home final demand d = consumption (100, 50);
recorded exports e = (10, 0) to p) with labour coefficients F = (0.5, 0.8) and availability 100,
the only limit.

Labour needed to deliver the whole target at a cap kappa (import shares kappa * s). The import
caps bind at the least-labour plan (an import saves domestic output), so
``(I - diag(1 - kappa s) A) x = (1 - kappa s) d + e`` and, the 2x2 inverse in closed form,
``labour(kappa) = F x``::

    kappa = 1: x = (71.6, 40.8) / 0.7952              labour = (0.5*71.6 + 0.8*40.8) / 0.7952 = 68.44 / 0.7952
    kappa = 0: x = [[0.9, 0.3], [0.1, 0.8]] (110, 50) / 0.69 = (114, 51) / 0.69
                                                      labour = (57 + 40.8) / 0.69 = 97.8 / 0.69

The recorded exports are delivered whatever the fulfilment ``lam`` of home final demand, so
``x = lam L_k (1 - kappa s) d + L_k e`` and the largest fulfilment with 100 of labour is
``(100 - F L_k e) / F L_k (1 - kappa s) d`` (``L_k`` the inverse at the cap).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from autarky import Economy
from autarky.errors import AutarkyError
from autarky.io.results import to_json_dict
from autarky.reliance.cost import acr_autarky_ratio, cost_of_autarky
from autarky.reliance.criticality import (
    branch_criticality,
    neutrality,
    partner_criticality,
    partner_dependence,
)
from autarky.reliance.model import base_case, solve
from autarky.reliance.stress import ShockSpec, parse_shock, stress

A2 = np.array([[0.2, 0.3], [0.1, 0.1]])
S2 = np.array([0.4, 0.2])
F2 = np.array([0.5, 0.8])
D_DOM = np.array([100.0, 50.0])
E2 = np.array([10.0, 0.0])
LABOUR = pd.DataFrame({"unit": ["workers"], "availability": [100.0]}, index=["labour"])


def two_branch(*, shares: bool = True, availability: float = 100.0, **kwargs: object) -> Economy:
    fd = pd.DataFrame({"consumption": D_DOM}, index=["a", "b"])
    kwargs.setdefault("exports", {"p": {"a": E2[0]}})
    sh = pd.DataFrame({"a": [0.3, 0.1], "b": [0.0, 0.2]}, index=["p", "q"]) if shares else None
    factors = LABOUR.assign(availability=[availability])
    return Economy.from_coefficients(A2, fd, branches=["a", "b"], units="USD million",
                                     partners=pd.DataFrame({"name": ["P", "Q"]}, index=["p", "q"]),
                                     import_shares=sh, factors=factors, factor_coefficients=[F2],
                                     **kwargs)  # type: ignore[arg-type]


def inv2(M: np.ndarray) -> np.ndarray:
    """2x2 inverse by the closed form."""
    (a, b), (c, d) = M
    return np.array([[d, -b], [-c, a]]) / (a * d - b * c)


def labour_needed(kappa: float) -> float:
    """F (I - diag(1 - kappa s) A)^-1 ((1 - kappa s) d + e), see the module docstring."""
    keep = 1.0 - kappa * S2
    x = inv2(np.eye(2) - keep[:, None] * A2) @ (keep * D_DOM + E2)
    return float(F2 @ x)


def fulfilment(kappa: float, labour: float = 100.0, shares: np.ndarray = S2) -> float:
    """(labour - F L_k e) / F L_k (1 - kappa s) d, see the module docstring."""
    keep = 1.0 - kappa * shares
    L = inv2(np.eye(2) - keep[:, None] * A2)
    return float((labour - F2 @ L @ E2) / (F2 @ L @ (keep * D_DOM)))


# ------------------------------------------------------------------ 5. cost of autarky


def test_closed_form_endpoints_of_labour() -> None:
    assert labour_needed(1.0) == pytest.approx(68.44 / 0.7952, rel=1e-12)
    assert labour_needed(0.0) == pytest.approx(97.8 / 0.69, rel=1e-12)


def test_cost_curve_is_flat_without_imports() -> None:
    """No import shares: every cap is today's economy; labour(0) = 97.8 / 0.69 for the whole
    target and ``lam = (100 - F L e) / F L d`` with ``L e = (9, 1) / 0.69`` (F L e = 5.3 / 0.69)
    and ``F L d = (97.8 - 5.3) / 0.69 = 92.5 / 0.69``: ``lam = (69 - 5.3) / 92.5``."""
    curve = cost_of_autarky(two_branch(shares=False)).curve
    assert list(curve.index) == pytest.approx([1 - k / 10 for k in range(11)])
    np.testing.assert_allclose(curve["fulfilment"], 63.7 / 92.5, rtol=1e-9)
    np.testing.assert_allclose(curve["fulfilment"], curve["fulfilment"].iloc[0], atol=1e-9)
    np.testing.assert_allclose(curve["labour_needed"], 97.8 / 0.69, rtol=1e-9)
    np.testing.assert_allclose(curve["import_value"], 0.0, atol=1e-9)


def test_cost_curve_with_imports_against_the_closed_form() -> None:
    """Fulfilment (100 - F L_k e) / F L_k (1 - kappa s) d and labour(kappa) at every cap;
    fulfilment falls (weakly) and labour rises (weakly) as the cap falls."""
    curve = cost_of_autarky(two_branch()).curve
    kappas = curve.index.to_numpy()
    need = np.array([labour_needed(k) for k in kappas])
    np.testing.assert_allclose(curve["labour_needed"], need, rtol=1e-8)
    np.testing.assert_allclose(curve["fulfilment"], [fulfilment(k) for k in kappas], rtol=1e-8)
    assert np.all(np.diff(curve["fulfilment"].to_numpy()) <= 1e-12)  # kappas run 1 -> 0
    assert np.all(np.diff(curve["labour_needed"].to_numpy()) >= -1e-12)
    assert curve["fulfilment"].iloc[0] > curve["fulfilment"].iloc[-1]  # strictly: imports matter


def test_cost_curve_of_chosen_branches_only() -> None:
    """Capping only b (share 0.2 of q) at 0: labour with s = (0.4, 0): keep = (0.6, 1)."""
    res = cost_of_autarky(two_branch(), caps=[1.0, 0.0], branches=["b"])
    assert res.branches == ("b",)
    keep = np.array([0.6, 1.0])
    x = inv2(np.eye(2) - keep[:, None] * A2) @ (keep * D_DOM + E2)
    assert res.curve.loc[0.0, "labour_needed"] == pytest.approx(F2 @ x, rel=1e-8)
    with pytest.raises(AutarkyError, match="gold"):
        cost_of_autarky(two_branch(), branches=["gold"])


def test_acr_formula_by_hand() -> None:
    """lambda^(1/(theta (1 - alpha))): 0.9^(1/(5*0.5)) = 0.9^0.4; 0.64^(1/2) = 0.8."""
    assert acr_autarky_ratio(0.9, 5.0, 0.5) == pytest.approx(0.9 ** 0.4, rel=1e-14)
    assert acr_autarky_ratio(0.64, 2.0) == pytest.approx(0.8, rel=1e-14)
    assert acr_autarky_ratio(1.0, 3.0, 0.2) == 1.0
    for bad in ((0.0, 5.0, 0.0), (1.1, 5.0, 0.0), (0.5, 0.0, 0.0), (0.5, 5.0, 1.0)):
        with pytest.raises(AutarkyError):
            acr_autarky_ratio(*bad)


def test_acr_cross_check_of_the_worked_economy() -> None:
    """From the balance (test_reliance.py): output (71.6 + 40.8)/D = 112.4/D, imports 52.632/D,
    exports 10 = 7.952/D, so lambda = 1 - 52.632 / (112.4 + 52.632 - 7.952) = 1 - 52.632/157.08;
    intermediate use A x = (26.56 + 11.24)/D: alpha = 37.8 / 112.4."""
    acr = cost_of_autarky(two_branch(), theta=4.0).acr
    lam = 1.0 - 52.632 / 157.08
    alpha = 37.8 / 112.4
    assert acr["domestic_share"] == pytest.approx(lam, rel=1e-10)
    assert acr["alpha"] == pytest.approx(alpha, rel=1e-10)
    assert acr["theta"] == 4.0
    assert acr["autarky_ratio"] == pytest.approx(lam ** (1 / (4.0 * (1 - alpha))), rel=1e-10)
    assert acr["autarky_ratio_no_intermediates"] == pytest.approx(lam ** 0.25, rel=1e-10)
    assert acr["model_ratio"] == pytest.approx(fulfilment(0.0) / fulfilment(1.0), rel=1e-8)


# ------------------------------------------------------------------ 6. economies of scale


def test_scale_economies_one_branch_fixed_point() -> None:
    """One branch, a = 0.5, d = 100, labour 2 per unit at x0 = 100, 300 available, sigma = 0.2.
    Without scale economies lam = (1 - a) 300 / (2 * 100) = 0.75 (x = 150). With them labour per
    unit is 2 (x / 100)^-0.2, labour binding: 2 * 100^0.2 x^0.8 = 300, so
    x* = (150 / 100^0.2)^(1/0.8) and lam* = 0.5 x* / 100 (> 0.75: output above x0 is cheaper)."""
    eco = Economy.from_coefficients([[0.5]], [100.0], branches=["b"], units="t",
                                    factors=LABOUR.assign(availability=[300.0]),
                                    factor_coefficients=[[2.0]], reported_output=[100.0])
    res = cost_of_autarky(eco, caps=[1.0, 0.0], scale_elasticity=0.2, tol=1e-10)
    x_star = (150.0 / 100.0 ** 0.2) ** 1.25
    row = res.curve.loc[1.0]
    assert row["fulfilment"] == pytest.approx(0.75, rel=1e-9)
    assert row["fulfilment_scale"] == pytest.approx(0.5 * x_star / 100.0, rel=1e-8)
    assert bool(row["converged"]) and row["iterations"] > 1


def test_scale_economies_converge_and_help_at_full_cap() -> None:
    """The reference output is the balanced plan x0 = (71.6, 40.8)/D, which needs 86.07 < 100 of
    labour: at the full cap the plan produces 100/86.07 x0 > x0, where coefficients are lower,
    so the fulfilment with scale economies is above the plain one."""
    eco = two_branch()
    eco = eco.replace(reported_output=eco.plan.balance().gross_output.to_numpy())
    curve = cost_of_autarky(eco, scale_elasticity=0.3).curve
    assert curve["converged"].all()
    assert (curve["iterations"] >= 1).all()
    assert curve.loc[1.0, "fulfilment_scale"] > curve.loc[1.0, "fulfilment"] + 1e-6


def test_scale_economies_at_the_reference_change_nothing() -> None:
    """Without reported output the reference is the full-cap plan itself: at x = x0 the
    coefficients are unchanged, so the first successive plan already repeats the fulfilment."""
    curve = cost_of_autarky(two_branch(), caps=[1.0], scale_elasticity=0.3).curve
    assert curve.loc[1.0, "fulfilment_scale"] == pytest.approx(curve.loc[1.0, "fulfilment"], rel=1e-9)
    assert curve.loc[1.0, "iterations"] == 1 and curve.loc[1.0, "converged"]


@pytest.mark.parametrize("sigma", [0.0, {"a": 0.0, "b": 0.0}])
def test_zero_scale_elasticity_is_the_plain_curve(sigma: object) -> None:
    curve = cost_of_autarky(two_branch(), scale_elasticity=sigma).curve
    np.testing.assert_allclose(curve["fulfilment_scale"], curve["fulfilment"], rtol=1e-9)


# ------------------------------------------------------------------ 7. stress


def one_branch(**kwargs: object) -> Economy:
    """a = 0.5 (L = 2), final demand d = 100, capacity 100."""
    return Economy.from_coefficients([[0.5]], [100.0], branches=["b"], units="t", capacity=[100.0],
                                     **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "message"), [
    ("flood:b", "unknown shock 'flood:b'"),
    ("partner", "name the partner, e.g. partner:p"),
    ("partner:mars", "unknown partner 'mars'; partners: p"),
    ("aid:mars", "unknown partner 'mars'"),
    ("partner:p:gold", "unknown branch\\(es\\) gold"),
    ("capacity:gold:0.3", "unknown branch\\(es\\) gold"),
    ("capacity:b", "expected capacity:BRANCH:FRACTION"),
    ("capacity:b:1.5", "fraction in \\[0, 1\\]"),
    ("capacity:b:-0.1", "fraction in \\[0, 1\\]"),
    ("capacity:b:lots", "'lots' is not a number"),
    ("demand:b:-1.5", "more than 100 %"),
])
def test_parse_shock_errors(text: str, message: str) -> None:
    eco = one_branch(partners=pd.DataFrame(index=["p"]))
    with pytest.raises(AutarkyError, match=message):
        parse_shock(text, eco)


def test_parse_shock_forms() -> None:
    eco = Economy.from_coefficients(A2, [1.0, 1.0], branches=["a", "b"], partners=pd.DataFrame(
        index=["p", "q"]))
    assert parse_shock("partner:p:a+b", eco) == ShockSpec("partner", "p", ("a", "b"))
    assert parse_shock("aid", eco) == ShockSpec("aid")
    assert parse_shock("demand:a:0.2", eco) == ShockSpec("demand", None, ("a",), 0.2)
    assert parse_shock(" capacity:a+b:0.25 ", eco).label == "capacity:a+b:0.25"


def test_capacity_shock_one_branch() -> None:
    """Labour (1 per unit, 1000 available) is slack; capacity 100 binds: lam = 100/(L d) = 0.5.
    Losing 30 %: lam = 100 * 0.7 / (2 * 100) = 0.35; loss 0.3; net output short by
    (0.5 - 0.35) * 100 = 15."""
    eco = one_branch(factors=LABOUR.assign(availability=[1000.0]), factor_coefficients=[[1.0]])
    r = stress(eco, "capacity:b:0.3", weeks=12, duration=4)
    rp = r.replanned
    assert rp["fulfilment_base"] == pytest.approx(0.5, rel=1e-9)
    assert rp["fulfilment"] == pytest.approx(0.35, rel=1e-9)
    assert rp["loss"] == pytest.approx(0.3, rel=1e-9)
    assert rp["shortfall"]["b"] == pytest.approx(15.0, rel=1e-9)
    assert "labour" not in rp["binding"]
    pr = r.propagation
    assert pr is not None and pr.weeks == 12
    assert pr.output.shape == (12, 1)
    assert np.all(pr.total_loss >= 0) and pr.total_loss.sum() > 0
    doc = to_json_dict(r)
    assert doc["shock"] == "capacity:b:0.3"
    assert {"fulfilment", "shortfall", "output", "total_loss"} <= set(doc)
    assert len(doc["output"]) == 12 and set(doc["output"]["1"]) == {"b"}
    assert r.propagation_frame().shape == (12, 1)


def test_demand_jump_one_branch() -> None:
    """Target 100 -> 125: lam = 0.5 / 1.25 = 0.4."""
    r = stress(one_branch(), "demand:b:0.25", propagate_too=False)
    assert r.replanned["fulfilment"] == pytest.approx(0.4, rel=1e-9)
    assert r.propagation is None and "output" not in to_json_dict(r)


def aid_economy() -> Economy:
    """One branch (a = 0.5, capacity 100, d = 100) importing from p, share 0.2, at price 2,
    financed by aid 50 and credit 10 (no exports, so no earnings)."""
    return one_branch(partners=pd.DataFrame({"aid": [50.0], "credit": [10.0]}, index=["p"]),
                      import_shares=pd.DataFrame({"b": [0.2]}, index=["p"]),
                      trade=pd.DataFrame([{"partner": "p", "branch": "b", "direction": "import",
                                           "price": 2.0, "max": np.nan}]))


@pytest.mark.parametrize("shock", ["aid", "aid:p"])
def test_aid_cut_binds_foreign_exchange(shock: str) -> None:
    """Baseline: x = 100, imports at their cap m = 0.2 (0.5*100 + 100 lam), and
    100 lam = 50 + m, so 0.8 * 100 lam = 60: lam = 0.75, m = 25 costing 50 <= 60 (slack).
    Aid cut: 10 of credit buys m = 5 (cap 0.2 * 105 = 21 not binding), lam = (50 + 5)/100 = 0.55."""
    r = stress(aid_economy(), shock, weeks=8)
    rp = r.replanned
    assert rp["fulfilment_base"] == pytest.approx(0.75, rel=1e-9)
    assert rp["fulfilment"] == pytest.approx(0.55, rel=1e-9)
    assert rp["loss"] == pytest.approx(0.2 / 0.75, rel=1e-9)
    assert "foreign-exchange" in rp["binding"]


def test_partner_cut_without_imports() -> None:
    """No import shares. q trades nothing: cutting it off costs nothing. p takes the recorded
    exports (10 of a): cut off, it stops buying too, and in this economy (no foreign-exchange
    balance) the exports bought nothing, so the labour they took goes to home use:
    ``lam = 100 / (F L d) = 69 / 92.5`` against ``(100 - F L e) / F L d = 63.7 / 92.5`` before
    (``L = [[0.9, 0.3], [0.1, 0.8]] / 0.69``, ``F L d = 92.5 / 0.69``, ``F L e = 5.3 / 0.69``).
    Unplanned, the lost export demand lowers a's output."""
    eco = two_branch(shares=False)
    r = stress(eco, "partner:q", weeks=10)
    assert r.replanned["loss"] == pytest.approx(0.0, abs=1e-12)
    assert r.propagation is not None
    np.testing.assert_allclose(r.propagation.total_loss, 0.0, atol=1e-9)
    r = stress(eco, "partner:p", weeks=10)
    assert r.replanned["fulfilment_base"] == pytest.approx(63.7 / 92.5, rel=1e-9)
    assert r.replanned["fulfilment"] == pytest.approx(69.0 / 92.5, rel=1e-9)
    assert r.propagation is not None and r.propagation.total_loss[0] > 0


def test_unbounded_baseline_is_refused() -> None:
    """No capacity, no factor, no imports: the fulfilment has no bound, nothing to stress."""
    eco = Economy.from_coefficients([[0.5]], [100.0], branches=["b"])
    with pytest.raises(AutarkyError, match="baseline plan"):
        stress(eco, "demand:b:0.1")


# ------------------------------------------------------------------ 8. criticality

A3 = np.array([[0.10, 0.20, 0.05],
               [0.30, 0.10, 0.20],
               [0.00, 0.25, 0.15]])
S3 = np.array([0.1, 0.0, 0.3])
Y3 = np.array([50.0, 80.0, 30.0])
W3 = np.array([2.0, 1.0, 4.0])


def test_branch_criticality_equals_fresh_solves() -> None:
    """x^(-k) solves with row and column k of A_d zeroed and y_d,k = 0; total_k = w'(x - x^(-k)),
    others_k = total_k - w_k x_k, share = total_k / w'x."""
    ids = ["a", "b", "c"]
    eco = Economy.from_coefficients(A3, Y3, branches=ids, units=["t", "m3", "kWh"], prices=W3,
                                    partners=pd.DataFrame(index=["p"]),
                                    import_shares=pd.DataFrame([S3], index=["p"], columns=ids))
    A_d = (1 - S3)[:, None] * A3
    y_d = (1 - S3) * Y3
    x = np.linalg.solve(np.eye(3) - A_d, y_d)
    total = np.empty(3)
    for k in range(3):
        Ak, yk = A_d.copy(), y_d.copy()
        Ak[k, :] = Ak[:, k] = 0.0
        yk[k] = 0.0
        total[k] = W3 @ (x - np.linalg.solve(np.eye(3) - Ak, yk))
    df = branch_criticality(eco)
    np.testing.assert_allclose(df.loc[ids, "total"], total, rtol=1e-10)
    np.testing.assert_allclose(df.loc[ids, "others"], total - W3 * x, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(df.loc[ids, "share"], total / (W3 @ x), rtol=1e-10)
    assert list(df.index) == [ids[k] for k in np.argsort(-total)]
    assert df["rank"].tolist() == [1, 2, 3]


def two_partner_economy() -> Economy:
    """One branch, a = 0.5, capacity 100, d = 100, shares p 0.3 and q 0.1. With x = 100 at
    capacity and imports at their caps: 100 lam = 50 + theta (50 + 100 lam), so
    lam = (50 + 50 theta) / (100 (1 - theta)): theta 0.4 -> 70/60 = 7/6; p cut (theta 0.1) ->
    55/90; q cut (theta 0.3) -> 65/70."""
    return one_branch(partners=pd.DataFrame({"name": ["P", "Q"]}, index=["p", "q"]),
                      import_shares=pd.DataFrame({"b": [0.3, 0.1]}, index=["p", "q"]))


def test_partner_criticality_ranks_the_costlier_cut_first() -> None:
    df = partner_criticality(two_partner_economy())
    assert list(df.index) == ["p", "q"] and df["rank"].tolist() == [1, 2]
    assert df.loc["p", "fulfilment"] == pytest.approx(55 / 90, rel=1e-9)
    assert df.loc["q", "fulfilment"] == pytest.approx(65 / 70, rel=1e-9)
    assert df.loc["p", "fulfilment_loss"] == pytest.approx(1 - (55 / 90) / (7 / 6), rel=1e-9)
    assert df.loc["q", "fulfilment_loss"] == pytest.approx(1 - (65 / 70) / (7 / 6), rel=1e-9)
    with_prop = partner_criticality(two_partner_economy(), propagate=True, weeks=6)
    assert (with_prop["propagated_loss"] >= -1e-9).all()


def test_partner_dependence_shares() -> None:
    """Balanced plan of the two-partner economy: A_d = 0.6 * 0.5 = 0.3, y_d = 60, x = 60/0.7,
    use = 0.5 x + 100, imports p 0.3 use and q 0.1 use: shares of imports 3/4 and 1/4."""
    dep = partner_dependence(two_partner_economy())
    use = 0.5 * 60 / 0.7 + 100
    np.testing.assert_allclose(dep["imports_value"], [0.3 * use, 0.1 * use], rtol=1e-12)
    np.testing.assert_allclose(dep["share_of_imports"], [0.75, 0.25], rtol=1e-12)
    assert dep["share_of_imports"].sum() == pytest.approx(1.0)


def test_neutrality_by_hand() -> None:
    """Dependence = imports from a partner over the value of home use in the baseline (optimal)
    plan, x = 100 and lam = 7/6: A x + lam d = 50 + 700/6 = 500/3. At fulfilment L (x = 100) the
    imports needed are 100 L - 50, under caps theta (50 + 100 L); the least maximum splits them
    evenly up to q's cap: L <= 0.5 (reachable at home): 0; L = 0.8: 30 needed, q cap 13, p 17
    -> 17 * 3/500; L = 1: 50 needed, q cap 15 -> 35 * 3/500; L = 7/6: q 50/3 and p 50 -> 50 * 3/500."""
    levels = [0.3, 0.5, 0.8, 1.0, 7 / 6]
    curve = neutrality(two_partner_economy(), levels).curve
    assert (curve["status"] == "optimal").all()
    got = curve["max_dependence"].to_numpy()
    np.testing.assert_allclose(got, np.array([0.0, 0.0, 17.0, 35.0, 50.0]) * 3 / 500, atol=1e-9)
    assert np.all(np.diff(got) >= -1e-12)
    for p in ("p", "q"):
        assert np.all(curve[f"dependence:{p}"].to_numpy() <= got + 1e-9)


def test_neutrality_default_levels_are_monotone() -> None:
    curve = neutrality(two_branch()).curve
    assert len(curve) == 5 and (curve["status"] == "optimal").all()
    assert np.all(np.diff(curve["max_dependence"].to_numpy()) >= -1e-9)


def test_reliance_lp_base_case_of_the_worked_economy() -> None:
    """The base LP reaches the fulfilment of the module docstring at kappa = 1 and, capped at zero
    imports, at kappa = 0."""
    eco = two_branch()
    case = base_case(eco)
    assert solve(eco, case).fulfilment == pytest.approx(fulfilment(1.0), rel=1e-9)
    closed = solve(eco, replace(case, import_scale=np.zeros_like(case.import_scale)))
    assert closed.fulfilment == pytest.approx(fulfilment(0.0), rel=1e-9)
    np.testing.assert_allclose(closed.imports, 0.0, atol=1e-12)
