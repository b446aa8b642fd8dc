"""A family of one-year LPs solved from one start (autarky.reliance.family): the cost of
autarky's caps, the least labour at each cap, the scale iterations and the re-planned shocks
give the answers of fresh cold solves, on the warm simplex path and on the structured path
(Leontief pricing, and Newton's method on the labour availability for the least labour); a
hand-solved economy whose plan becomes infeasible under a cap; and the report of an open
economy of a few hundred products starts a handful of HiGHS instances, not one per LP."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import autarky
import autarky.solve.lp as lpmod
from autarky.economy import as_scenario
from autarky.reliance import family as fam
from autarky.reliance.cost import cost_of_autarky
from autarky.reliance.family import PlanFamily, implied_export_limits
from autarky.reliance.model import base_case, solve, with_caps
from autarky.testing import random_open_economy

open_economy = random_open_economy


def members(eco: autarky.Economy) -> list[tuple[Any, int | None]]:
    """Caps 1 to 0 (exports falling with them, as the cost of autarky does), each with the
    least labour for the whole target and a change of the labour coefficients."""
    base = base_case(eco)
    out: list[tuple[Any, int | None]] = [(base, None)]
    for k in (1.0, 0.7, 0.4, 0.0):
        data = replace(with_caps(base, base.import_scale * k, base.import_upper),
                       export_lower=base.export_lower * k)
        out += [(data, None), (replace(data, min_fulfilment=1.0), 0),
                (replace(data, F=data.F * (1.0 - 0.2 * k)), None)]
    return out


def assert_same(got: Any, cold: Any, vertex: bool = True) -> None:
    """The same status, fulfilment and factor use; with ``vertex`` (the same simplex from
    another start) the same imports too (another method may end at another optimal plan
    where the optimum is not unique)."""
    assert got.status == cold.status
    if not cold.ok:
        return
    np.testing.assert_allclose(got.fulfilment, cold.fulfilment, rtol=1e-9)
    np.testing.assert_allclose(got.factor_requirements["required"].to_numpy(),
                               cold.factor_requirements["required"].to_numpy(), rtol=1e-7)
    if vertex:
        np.testing.assert_allclose(got.imports.to_numpy().sum(),
                                   cold.imports.to_numpy().sum(), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_warm_simplex_path_gives_the_answers_of_cold_solves(seed: int) -> None:
    eco = open_economy(12, seed)
    family = PlanFamily(eco)
    for data, k in members(eco):
        assert_same(family.solve(data, minimize_factor=k), solve(eco, data, minimize_factor=k))
    # two live instances (the max-min plans and the least labour), every other member warm
    assert family.stats["highs_starts"] == 2
    assert family.stats["warm"] == len(members(eco)) - 2
    assert family.stats["cold"] == family.stats["structured"] == 0


@pytest.mark.parametrize("seed", [3, 4])
def test_the_structured_path_and_newton_give_the_answers_of_cold_solves(
        seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fam, "STRUCTURED_MIN_N", 1)  # the path of 1,000 products and more
    eco = open_economy(15, seed)
    family = PlanFamily(eco)
    for data, k in members(eco):
        assert_same(family.solve(data, minimize_factor=k), solve(eco, data, minimize_factor=k),
                    vertex=False)
    assert family.stats["structured"] > 0 and family.stats["newton"] > 0
    assert family.stats["highs_starts"] + family.stats["cold"] <= 2  # declines are rare


def test_implied_export_limits_are_what_labour_and_capacity_allow() -> None:
    from autarky.economy.trade import export_channels

    eco = open_economy(6, 5)
    exported = export_channels(eco).branch
    cap = np.full(6, np.inf)
    cap[exported[0]] = 3.0
    data = replace(base_case(eco), capacity=cap)
    a, F = data.availability[0], data.F[0]
    want = np.minimum(cap, a / F)[exported]
    np.testing.assert_allclose(implied_export_limits(data, exported), want)
    # without the labour row (the least-labour LP) only the capacity limits them
    np.testing.assert_allclose(implied_export_limits(data, exported, skip=0), cap[exported])


def one_product() -> autarky.Economy:
    """Steel: a = 0.2, one worker-year per t and 100 available, a target of 10 t, 85 t of
    exports owed, imports up to half of home use (``m <= kappa 0.5 (0.2 x + lam 10)``).

    By hand: at ``x = 100`` (labour), ``0.8 x + m - 85 = 10 lam`` with ``m`` at its cap gives
    ``lam = (10 kappa - 5) / (10 (1 - kappa / 2))``: 1 at kappa 1, 0.5 at 0.8, 0 at 0.5, and
    no plan below 0.5. The least labour for the whole target: ``(0.8 + 0.1 kappa) x + 5 kappa
    = 95``, ``x = (95 - 5 kappa) / (0.8 + 0.1 kappa)``."""
    return autarky.Economy(
        pd.DataFrame({"unit": ["t"]}, index=["steel"]), [[0.2]], [10.0],
        partners=pd.DataFrame(index=["p"]),
        factors=pd.DataFrame({"unit": ["worker-years"]}, index=["labour"]),
        factor_coefficients=[[1.0]], factor_availability=[100.0], import_shares=[[0.5]],
        exports=[[85.0]])


CAPS = [1.0, 0.4, 0.8, 0.0, 0.5]  # infeasible at 0.4 and 0, feasible again after each


def test_a_cap_that_makes_the_plan_infeasible_and_the_caps_after_it() -> None:
    curve = cost_of_autarky(one_product(), caps=CAPS, branches=["steel"]).curve
    lam = {1.0: 1.0, 0.4: np.nan, 0.8: 0.5, 0.0: np.nan, 0.5: 0.0}
    np.testing.assert_allclose(curve["fulfilment"].to_numpy(), [lam[k] for k in CAPS],
                               atol=1e-9)
    labour = [(95 - 5 * k) / (0.8 + 0.1 * k) for k in CAPS]
    np.testing.assert_allclose(curve["labour_needed"].to_numpy(), labour, rtol=1e-9)


def test_the_warm_curve_with_scale_economies_is_that_of_cold_solves() -> None:
    """Every cap re-solved from scratch (the cold path), successive linear plans by hand."""
    eco = open_economy(10, 6)
    caps = [1.0, 0.6, 0.2, 0.0]
    got = cost_of_autarky(eco, caps=caps, scale_elasticity=0.1).curve
    base = base_case(eco)
    today = solve(eco, base)
    x0 = today.gross_output.to_numpy()
    for k in caps:
        data = replace(with_caps(base, base.import_scale * k, base.import_upper),
                       export_lower=base.export_lower * k)
        sol = solve(eco, data)
        need = solve(eco, replace(data, min_fulfilment=1.0), minimize_factor=0)
        fulfilment, iterations = sol.fulfilment, 0
        for it in range(1, 51):
            ratio = sol.gross_output.to_numpy() / x0
            new = solve(eco, replace(data, F=data.F * ratio[np.newaxis, :] ** -0.1))
            iterations, done = it, abs(new.fulfilment - sol.fulfilment) <= 1e-6 * max(
                1.0, abs(sol.fulfilment))
            sol = new
            if done:
                break
        row = got.loc[k]
        np.testing.assert_allclose(row["fulfilment"], fulfilment, rtol=1e-9)
        np.testing.assert_allclose(row["labour_needed"],
                                   need.factor_requirements["required"].iloc[0], rtol=1e-9)
        np.testing.assert_allclose(row["fulfilment_scale"], sol.fulfilment, rtol=1e-9)
        assert row["iterations"] == iterations and row["converged"]
    assert got["iterations"].max() > 1  # the scale economies iterate


def test_a_shock_re_planned_from_the_family_is_the_cold_answer() -> None:
    from autarky.reliance.stress import baseline_plan, parse_shock, shocked_data, stress

    eco = open_economy(12, 7)
    plan = baseline_plan(eco)
    assert plan.fulfilment == pytest.approx(solve(eco, base_case(eco)).fulfilment, rel=1e-9)
    for shock in ("partner:north", "capacity:b3:0.5", "demand:b1:0.3"):
        res = stress(eco, shock, baseline_plan=plan, propagate_too=False)
        data = shocked_data(as_scenario(eco), base_case(eco), parse_shock(shock, eco),
                            plan.gross_output.to_numpy())
        assert res.replanned["fulfilment"] == pytest.approx(solve(eco, data).fulfilment,
                                                            rel=1e-9)


def test_the_report_of_an_open_economy_starts_a_handful_of_solvers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before, every LP was a cold HiGHS start of a rebuilt model (86 at 300 products)."""
    from autarky.cli.app import main

    eco = open_economy(150, 8)
    folder = tmp_path / "scn"
    autarky.write_scenario(eco, folder)
    starts = {"highs": 0, "solve_lp": 0}
    new_highs, solve_lp = lpmod._new_highs, lpmod.solve_lp

    def counted_highs() -> Any:
        starts["highs"] += 1
        return new_highs()

    def counted_solve(*args: Any, **kwargs: Any) -> Any:
        starts["solve_lp"] += 1
        return solve_lp(*args, **kwargs)

    monkeypatch.setattr(lpmod, "_new_highs", counted_highs)
    monkeypatch.setattr(fam, "solve_lp", counted_solve)
    assert main(["report", str(folder), "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "reliance.html").exists()
    # the baseline, one per partner cut off, the curve's max-min plans and its least labour
    assert starts["highs"] == 1 + 2 + 2
    assert starts["solve_lp"] == 0  # no member fell back to a cold solve


def test_newton_proves_that_no_labour_reaches_the_target(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    """Steel's capacity (30 t) and its imports (a tenth of home use) cannot deliver 50 t: the
    max-min plan's labour rent falls to zero below the target, which proves the least-labour
    LP infeasible without solving it."""
    monkeypatch.setattr(fam, "STRUCTURED_MIN_N", 1)
    eco = autarky.Economy(
        pd.DataFrame({"unit": ["t", "t"]}, index=["steel", "coal"]),
        [[0.2, 0.1], [0.1, 0.2]], [50.0, 50.0], partners=pd.DataFrame(index=["p"]),
        factors=pd.DataFrame({"unit": ["workers"]}, index=["labour"]),
        factor_coefficients=[[1.0, 1.0]], factor_availability=[60.0], capacity=[30.0, 1e3],
        import_shares=[[0.1, 0.1]], import_prices=[[1.0, 1.0]], export_prices=[[1.0, 1.0]],
        exports=[[1.0, 1.0]], aid=[5.0], currency="USD")
    family = PlanFamily(eco)
    data = replace(base_case(eco), min_fulfilment=1.0)
    assert solve(eco, data, minimize_factor=0).status == "infeasible"
    assert family.solve(data, minimize_factor=0).status == "infeasible"
    assert family.stats["structured"] > 0
    assert family.stats["highs_starts"] == family.stats["cold"] == 0
