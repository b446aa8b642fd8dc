"""Bad arguments to the library raise the project's own errors (:mod:`autarky.errors`).

Every call below is a public entry point given a bad argument: an unknown id, a position out of
range, NaN, an infinity, a negative, zero or huge number, a string or ``None`` where a number or a
table is needed, an empty list. Each must raise an :class:`~autarky.errors.AutarkyError` that is
also the matching builtin (``KeyError`` for an unknown id, ``IndexError`` for a position,
``TypeError`` for the wrong kind of argument, ``ValueError`` for a wrong value), with a message
that names the bad argument or value; never a bare numpy or pandas error, and never a silent NaN.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import pytest

import autarky
import autarky.monitor as mon
import autarky.solve as solve
from autarky import data
from autarky.economy import PlanSettings, Scenario
from autarky.economy.reports import parse_date, parse_period
from autarky.errors import AutarkyError, PlanFailure
from autarky.plan import (
    average_rate,
    chain,
    check_rate_against_multiple,
    compound,
    multiple,
    years_to_multiple,
)
from autarky.plan.growth import half_unit as growth_half_unit
from autarky.plan.multiyear import max_uniform_growth
from autarky.reliance.cost import acr_autarky_ratio
from autarky.solve.extraction import extraction_loss_vector, extraction_losses
from autarky.solve.forecast import forecast_log
from autarky.solve.propagation import Shock, propagate, ration, recovery_week
from autarky.solve.wls import weighted_least_squares

NAN, INF = float("nan"), float("inf")
A2 = np.array([[0.15, 0.25], [0.20, 0.05]])
Y2 = np.array([600.0, 1500.0])


@cache
def load(name: str) -> Scenario:
    """A bundled scenario, read once for the whole module (scenarios are immutable)."""
    return data.load(name)


def dp() -> Scenario:
    return load("dprk-1963")


def syp() -> Scenario:
    return load("seven-year-plan")


def tx() -> Scenario:
    return load("textbook")


@cache
def syp_plan() -> Any:
    return syp().plan.multiyear("free")


K, IX, T, V = KeyError, IndexError, TypeError, ValueError

#: (test id, call, matching builtin, pattern the message must contain)
CASES: list[tuple[str, Callable[[], Any], type[Exception], str]] = [
    # ------------------------------------------------------------ Economy and Scenario methods
    ("rescale-unknown-branch", lambda: dp().rescale("nope", 1000, "kt"), K, "nope"),
    ("rescale-nan-factor", lambda: dp().rescale("coal", NAN, "kt"), V, "rescale factor.*nan"),
    ("rescale-zero-factor", lambda: dp().rescale("coal", 0, "kt"), V, "positive number, got 0"),
    ("rescale-negative-factor", lambda: dp().economy.rescale("coal", -2.0, "kt"), V, "-2"),
    ("rescale-infinite-factor", lambda: dp().rescale("coal", INF, "kt"), V, "inf"),
    ("rescale-string-factor", lambda: dp().rescale("coal", "big", "kt"), T, "'big'"),
    ("rescale-none-factor", lambda: dp().economy.rescale("coal", None, "kt"), T, "None"),
    ("rescale-factor-unknown", lambda: dp().rescale_factor("land", 10, "ha"), K, "land"),
    ("rescale-currency-string", lambda: dp().rescale_currency("ten", "k"), T, "'ten'"),
    ("reorder-unknown", lambda: dp().reorder(["nope", *dp().ids[1:]]), K, "unknown: nope"),
    ("reorder-too-short", lambda: dp().reorder(dp().ids[:3]), V, "missing: steel"),
    ("reorder-repeated", lambda: tx().reorder(["agriculture", "agriculture"]), V,
     "repeated: agriculture"),
    ("reorder-empty", lambda: tx().reorder([]), V, "missing: agriculture"),
    ("reorder-none", lambda: tx().reorder(None), T, "None"),
    ("reorder-string", lambda: tx().economy.reorder("agriculture"), T, "'agriculture'"),
    ("replace-unknown-table", lambda: dp().economy.replace(nope=1.0), K, "nope"),
    ("replace-capacity-nan", lambda: dp().replace(capacity=[NAN] * 12), V,
     "capacity of electricity is not a number"),
    ("replace-capacity-negative", lambda: dp().replace(capacity=[-1.0] * 12), V,
     r"capacity of electricity is negative \(-1\)"),
    ("replace-capacity-short", lambda: dp().replace(capacity=[1.0] * 3), V, r"shape \(3,\)"),
    ("replace-capacity-string", lambda: dp().economy.replace(capacity="big"), T,
     "capacity.*'big'"),
    ("replace-capacity-strings", lambda: dp().economy.replace(capacity=["a"] * 12), V,
     "capacity.*'a'"),
    ("replace-capacity-unknown", lambda: dp().replace(capacity={"gold": 1.0}), K, "gold"),
    ("replace-technology-ragged", lambda: tx().replace(technology=[[0.1, 0.2], [0.3]]), V,
     "technology.*unequal length"),
    ("replace-settings-on-economy", lambda: dp().economy.replace(settings=PlanSettings()), V,
     "settings"),
    ("replace-horizon-backwards", lambda: syp().replace(horizon=(1967, 1961)), V, "1967-1961"),
    ("replace-horizon-string", lambda: syp().replace(horizon="1961-67"), T, "'1961-67'"),
    ("replace-objective", lambda: dp().replace(objective="greed"), V, "'greed'"),
    ("replace-basket-unknown", lambda: dp().replace(consumption_basket="luxury"), K, "luxury"),
    ("positions-unknown", lambda: dp().economy.positions(["nope"]), K, "nope"),
    ("positions-bad-dimension", lambda: dp().economy.positions(["coal"], "planet"), V,
     "'planet'"),
    ("array-unknown", lambda: dp().array("nope"), K, "'nope'"),
    ("table-unknown", lambda: dp().table("nope"), K, "'nope'"),
    ("unit-of-unknown", lambda: dp().economy.unit_of("nope"), K, "'nope'"),
    ("final-demand-unknown", lambda: dp().with_final_demand({"gold": 1.0}), K, "gold"),
    ("final-demand-short", lambda: dp().with_final_demand([1.0, 2.0]), V, "2 rows, expected 12"),
    ("final-demand-string", lambda: dp().with_final_demand("lots"), T, "'lots'"),
    ("from-coefficients-none", lambda: autarky.Economy.from_coefficients(None, [1.0]), T, "None"),
    ("from-coefficients-nan", lambda: autarky.Economy.from_coefficients([[NAN]], [1.0]), V,
     "not a number"),
    ("from-coefficients-units", lambda: autarky.Economy.from_coefficients(
        [[0.1]], [1.0], units=["t", "kg"]), V, "2 units for 1 branches"),
    ("from-flows-negative-x", lambda: autarky.Economy.from_flows([[1.0]], x=[-5.0]), V, "-5"),
    ("from-flows-string-x", lambda: autarky.Economy.from_flows([[1.0]], x=["a"]), V, "'a'"),
    ("from-flows-short-x", lambda: autarky.Economy.from_flows(np.eye(2), x=[10.0]), V,
     r"gross output x has shape \(1,\)"),
    ("scenario-of-a-string", lambda: Scenario("dprk"), T, "str"),
    ("economy-branches-string", lambda: autarky.Economy("steel", [[0.1]], [1.0]), T, "'steel'"),
    ("economy-factors-string", lambda: autarky.Economy(
        [{"id": "steel", "unit": "t"}], [[0.1]], [1.0], factors="labour"), T, "'labour'"),
    ("rescale-unit-none", lambda: dp().rescale("coal", 1000, None), T, "unit.*None"),
    ("domestic-final-demand-string", lambda: dp().economy.domestic_final_demand("x"), T, "'x'"),
    ("settings-are-immutable", lambda: syp().settings.strategies.update(x=1), T, "immutable"),
    # ------------------------------------------------------------ plans
    ("balance-unknown", lambda: dp().plan.balance({"gold": 1.0}), K, "gold"),
    ("balance-nan", lambda: dp().plan.balance([NAN] * 12), V, "electricity/total is nan"),
    ("balance-inf", lambda: dp().plan.balance([INF] * 12), V, "is inf"),
    ("balance-huge", lambda: dp().plan.balance([1e308] * 12), V, "overflows.*1e\\+308.*too large"),
    ("balance-string", lambda: tx().plan.balance("x"), T, "'x'"),
    ("balance-empty", lambda: tx().plan.balance([]), V, "0 rows, expected 2"),
    ("optimize-target-unknown", lambda: dp().plan.optimize(target={"gold": 1.0}), K, "gold"),
    ("optimize-target-nan", lambda: dp().plan.optimize(target=[NAN] * 12), V, "nan"),
    ("optimize-target-inf", lambda: dp().plan.optimize(target=[INF] * 12), V, "inf"),
    ("optimize-target-negative", lambda: tx().plan.optimize(target=[-1.0, 1.0]), V,
     "agriculture is -1"),
    ("optimize-target-zero", lambda: tx().plan.optimize(target=[0.0, 0.0]), V, "zero"),
    ("optimize-target-string", lambda: tx().plan.optimize(target="x"), T, "'x'"),
    ("optimize-target-empty", lambda: tx().plan.optimize(target=[]), V, r"shape \(0,\)"),
    ("optimize-objective", lambda: dp().plan.optimize(objective="greed"), V, "'greed'"),
    ("optimize-method", lambda: tx().plan.optimize(method="guess"), V, "'guess'"),
    ("optimize-solver", lambda: tx().plan.optimize(solver="magic"), V, "'magic'"),
    ("optimize-weights-unknown", lambda: dp().plan.optimize(
        objective="weighted", weights={"gold": 2.0}), K, "gold"),
    ("optimize-weights-nan", lambda: dp().plan.optimize(
        objective="weighted", weights={"coal": NAN}), V, "weights of coal"),
    ("optimize-weights-negative", lambda: dp().plan.optimize(
        objective="weighted", weights={"coal": -1.0}), V, "weights of coal is negative"),
    ("optimize-weights-short", lambda: dp().plan.optimize(
        objective="weighted", weights=[1.0, 2.0]), V, r"weights has shape \(2,\)"),
    ("optimize-min-fulfilment-nan", lambda: dp().plan.optimize(min_fulfilment=NAN), V,
     "min_fulfilment.*nan"),
    ("optimize-min-fulfilment-negative", lambda: dp().plan.optimize(min_fulfilment=-1), V,
     "min_fulfilment.*-1"),
    ("optimize-min-fulfilment-string", lambda: dp().plan.optimize(min_fulfilment="all"), T,
     "min_fulfilment.*'all'"),
    ("multiyear-unknown-strategy", lambda: syp().plan.multiyear("stalinist"), K, "'stalinist'"),
    ("multiyear-strategy-number", lambda: syp().plan.multiyear(3), K, "strategy 3"),
    ("multiyear-targets", lambda: syp().plan.multiyear(targets="maybe"), V, "'maybe'"),
    ("multiyear-target-growth-nan", lambda: syp().plan.multiyear(target_growth=NAN), V,
     "target_growth.*nan"),
    ("multiyear-target-growth-below-minus-one", lambda: syp().plan.multiyear(target_growth=-2.0),
     V, "target_growth.*-2"),
    ("multiyear-target-growth-string", lambda: syp().plan.multiyear(target_growth="fast"), T,
     "'fast'"),
    ("multiyear-solver", lambda: syp().plan.multiyear(solver="magic"), V, "'magic'"),
    ("multiyear-target-growth-overflows", lambda: syp().replace(horizon=(1961, 2160)).plan.multiyear(
        target_growth=50.0), V, "target_growth 50 a year overflows: the target for 2139"),
    ("multiyear-plan-year-out-of-range", lambda: syp_plan().multiple(end=1990), IX, "1990"),
    ("multiyear-plan-year-string", lambda: syp_plan().bottlenecks("1964"), T, "'1964'"),
    ("multiyear-plan-k-string", lambda: syp_plan().bottlenecks(1964, k="3"), T, "k.*'3'"),
    ("max-uniform-growth-low-string", lambda: max_uniform_growth(syp(), low="0"), T, "low.*'0'"),
    ("multiyear-plan-k-zero", lambda: syp_plan().bottlenecks(1964, k=0), V, "k must be at least 1"),
    # ------------------------------------------------------------ plan arithmetic
    ("average-rate-zero-multiple", lambda: average_rate(0.0, 7), V, "multiple 0"),
    ("average-rate-nan", lambda: average_rate(NAN, 7), V, "multiple.*nan"),
    ("average-rate-string", lambda: average_rate("3.2", 7), T, "'3.2'"),
    ("years-to-multiple-rate-zero", lambda: years_to_multiple(0.0, 3.0), V, "rate of 0"),
    ("years-to-multiple-rate-below-minus-one", lambda: years_to_multiple(-2.0, 3.0), V, "rate -2"),
    ("multiple-nan", lambda: multiple(NAN, 7), V, "rate.*nan"),
    ("multiple-none", lambda: multiple(None, 7), T, "rate.*None"),
    ("compound-string", lambda: compound("100", 0.1, 2), T, "level.*'100'"),
    ("chain-string-rate", lambda: chain([0.1, "x"]), T, r"rates\[1\].*'x'"),
    ("chain-none", lambda: chain(None), T, "None"),
    ("chain-inf", lambda: chain([INF]), V, "inf"),
    ("check-rate-end-before-start", lambda: check_rate_against_multiple("18", "3.2", 1967, 1960),
     V, "start 1967 and end 1960"),
    ("check-rate-not-a-number", lambda: check_rate_against_multiple("lots", "3.2", 1960, 1967), V,
     "'lots'"),
    ("check-rate-nan", lambda: check_rate_against_multiple(NAN, "3.2", 1960, 1967), V, "nan"),
    ("check-rate-start-string", lambda: check_rate_against_multiple("18", "3.2", "1960", 1967), T,
     "start.*'1960'"),
    ("stated-half-unit-garbage", lambda: growth_half_unit("3,2"), V, "'3,2'"),
    # ------------------------------------------------------------ self-reliance
    ("indicators-plan", lambda: dp().reliance.indicators(plan="best"), V, "'best'"),
    ("indicators-thresholds-string", lambda: dp().reliance.indicators(thresholds="high"), T,
     "'high'"),
    ("indicators-thresholds-unknown", lambda: dp().reliance.indicators(thresholds={"gdp": 0.5}),
     K, "gdp"),
    ("indicators-thresholds-nan", lambda: dp().reliance.indicators(
        thresholds={"concentration": NAN}), V, "concentration.*nan"),
    ("indicators-plan-of-another-economy", lambda: dp().reliance.indicators(
        plan=tx().plan.balance()), V, "not of this economy.*agriculture"),
    ("cost-theta-zero", lambda: dp().reliance.cost_of_autarky(theta=0), V, "theta.*got 0"),
    ("cost-theta-string", lambda: dp().reliance.cost_of_autarky(theta="five"), T, "'five'"),
    ("cost-caps-negative", lambda: dp().reliance.cost_of_autarky(caps=[-1.0]), V, "-1"),
    ("cost-caps-string", lambda: dp().reliance.cost_of_autarky(caps=["half"]), V, "'half'"),
    ("cost-caps-empty", lambda: dp().reliance.cost_of_autarky(caps=[]), V, "caps.*empty"),
    ("cost-caps-nan", lambda: dp().reliance.cost_of_autarky(caps=[NAN]), V, "nan"),
    ("cost-branches-unknown", lambda: dp().reliance.cost_of_autarky(branches=["gold"]), K,
     "gold"),
    ("cost-branches-string", lambda: dp().reliance.cost_of_autarky(branches="coal"), T, "'coal'"),
    ("cost-scale-unknown", lambda: dp().reliance.cost_of_autarky(
        caps=[1.0], scale_elasticity={"gold": 0.1}), K, "gold"),
    ("cost-scale-nan", lambda: dp().reliance.cost_of_autarky(caps=[1.0], scale_elasticity=NAN),
     V, "scale_elasticity.*nan"),
    ("cost-max-iter-zero", lambda: dp().reliance.cost_of_autarky(caps=[1.0], max_iter=0), V,
     "max_iter.*0"),
    ("acr-ratio-string", lambda: acr_autarky_ratio("0.9", 5.0), T, "domestic_share.*'0.9'"),
    ("acr-ratio-share-above-one", lambda: acr_autarky_ratio(1.5, 5.0), V, "domestic share 1.5"),
    ("stress-unknown-kind", lambda: dp().reliance.stress("flood:coal"), V, "'flood:coal'"),
    ("stress-unknown-partner", lambda: dp().reliance.stress("partner:mars"), K, "'mars'"),
    ("stress-unknown-branch", lambda: dp().reliance.stress("capacity:gold:0.5"), K, "gold"),
    ("stress-size-not-a-number", lambda: dp().reliance.stress("capacity:coal:x"), V, "'x'"),
    ("stress-size-nan", lambda: dp().reliance.stress("capacity:coal:nan"), V, "finite"),
    ("stress-shock-none", lambda: dp().reliance.stress(None), T, "None"),
    ("stress-weeks-zero", lambda: dp().reliance.stress("capacity:coal:0.5", weeks=0), V,
     "weeks.*got 0"),
    ("stress-weeks-string", lambda: dp().reliance.stress("capacity:coal:0.5", weeks="52"), T,
     "weeks.*'52'"),
    ("stress-weeks-fraction", lambda: dp().reliance.stress("capacity:coal:0.5", weeks=10.5), V,
     "weeks.*10.5"),
    ("stress-duration-nan", lambda: dp().reliance.stress("capacity:coal:0.5", duration=NAN), V,
     "duration.*nan"),
    ("stress-scheme", lambda: dp().reliance.stress("capacity:coal:0.5", scheme="lottery"), V,
     "'lottery'"),
    ("stress-inventory-negative", lambda: dp().reliance.stress(
        "capacity:coal:0.5", inventory_days=-1.0), V, "inventory_days.*-1"),
    ("neutrality-levels-string", lambda: dp().reliance.neutrality("high"), T, "'high'"),
    ("neutrality-levels-nan", lambda: dp().reliance.neutrality([NAN]), V, "levels.*nan"),
    ("neutrality-levels-negative", lambda: dp().reliance.neutrality([-0.5]), V, "levels.*-0.5"),
    ("neutrality-levels-empty", lambda: dp().reliance.neutrality([]), V, "levels.*empty"),
    ("criticality-weeks-zero", lambda: dp().reliance.criticality(propagate=True, weeks=0), V,
     "weeks.*got 0"),
    # ------------------------------------------------------------ numerical kernels
    ("calc-x-not-square", lambda: solve.calc_x(np.ones((2, 3)), [1.0, 1.0]), V,
     r"square.*\(2, 3\)"),
    ("calc-x-short-demand", lambda: solve.calc_x(A2, [1.0]), V, "1 rows, expected 2"),
    ("calc-x-method", lambda: solve.calc_x(A2, Y2, method="guess"), V, "'guess'"),
    ("calc-x-string", lambda: solve.calc_x("A", Y2), T, "'A'"),
    ("calc-x-nan", lambda: solve.calc_x([[NAN]], [1.0]), V, "NaN"),
    ("calc-l-singular", lambda: solve.calc_L([[1.0]]), ArithmeticError, "singular"),
    ("calc-a-short-output", lambda: solve.calc_A(A2, [1.0]), V, r"x must have.*\(1,\)"),
    ("calc-z-short-output", lambda: solve.calc_Z(A2, [1.0]), V, r"x must have.*\(1,\)"),
    ("calc-x-from-flows-short", lambda: solve.calc_x_from_flows(A2, [1.0]), V,
     r"y must have.*\(1,\)"),
    ("solver-none", lambda: solve.LeontiefSolver(None), T, "None"),
    ("solver-solve-string", lambda: solve.LeontiefSolver(A2).solve("y"), T, "'y'"),
    ("spectral-radius-not-square", lambda: solve.spectral_radius(np.ones((2, 3))), V,
     r"\(2, 3\)"),
    ("spectral-radius-nan", lambda: solve.spectral_radius(np.array([[NAN]])), V, "NaN"),
    ("productive-negative", lambda: solve.productive_diagnosis(np.array([[-0.5]])), V,
     "negative"),
    ("extraction-position-out-of-range", lambda: extraction_loss_vector(A2, Y2, 5), IX,
     "branch 5 out of range"),
    ("extraction-position-string", lambda: extraction_loss_vector(A2, Y2, "coal"), T, "'coal'"),
    ("extraction-demand-nan", lambda: extraction_losses(A2, [NAN, 1.0]), V, "final demand"),
    ("extraction-weights-short", lambda: extraction_losses(A2, Y2, [1.0]), V, r"weights.*\(1,\)"),
    ("propagate-weeks-zero", lambda: propagate(A2, Y2, Y2, weeks=0), V, "weeks.*0"),
    ("propagate-gamma-string", lambda: propagate(A2, Y2, Y2, gamma="x"), V, "gamma.*'x'"),
    ("propagate-x0-nan", lambda: propagate(A2, [NAN, 1.0], Y2), V, "x0 must be finite"),
    ("propagate-empty", lambda: propagate(np.zeros((0, 0)), [], []), V, "at least one branch"),
    ("ration-short-ranks", lambda: ration([1.0], [[1.0, 2.0]], [1.0]), V, r"ranks.*\(1,\)"),
    ("recovery-week-shapes", lambda: recovery_week(np.ones((3, 2)), np.ones(3)), V, r"\(3,\)"),
    ("recovery-week-negative-tol", lambda: recovery_week(np.ones((3, 2)), np.ones(2), tol=-1),
     V, "tol.*-1"),
    ("forecast-horizon-zero", lambda: forecast_log(np.log([100.0, 110.0, 121.0]), 0), V,
     "horizon.*0"),
    ("forecast-model", lambda: forecast_log(np.log([100.0, 110.0]), 1, "oracle"), V, "'oracle'"),
    ("wls-negative-sd", lambda: weighted_least_squares(np.eye(2), [1.0, 2.0], [1.0, -1.0]), V,
     "standard deviation"),
    ("wls-fixed-column-out-of-range", lambda: weighted_least_squares(
        np.eye(2), [1.0, 2.0], [1.0, 1.0], fixed={5: 1.0}), IX, "fixed column 5"),
    ("shock-start-after-end", lambda: Shock.constant(2, 5, start=4, end=2), V, "start=4"),
    # ------------------------------------------------------------ monitoring and audit
    ("benford-empty", lambda: mon.benford_test([]), V, "non-zero finite value"),
    ("benford-strings", lambda: mon.benford_test(["many"]), V, "'many'"),
    ("benford-none", lambda: mon.benford_test(None), T, "None"),
    ("benford-alpha", lambda: mon.benford_test([1, 2, 3], alpha=2.0), V, "alpha.*2"),
    ("last-digit-string", lambda: mon.last_digit_test("1234"), T, "'1234'"),
    ("last-digit-no-digits", lambda: mon.last_digit_test(["x"]), V, "'x'"),
    ("last-digit-digits-fraction", lambda: mon.last_digit_test([12, 13], digits=0.5), V,
     "digits.*0.5"),
    ("half-unit-nan", lambda: mon.half_unit(NAN), V, "nan"),
    ("half-unit-string", lambda: mon.half_unit("lots"), V, "'lots'"),
    ("half-unit-none", lambda: mon.half_unit(None), T, "None"),
    ("audit-string", lambda: mon.audit("claims.csv"), T, "'claims.csv'"),
    ("audit-not-claims", lambda: mon.audit([1, 2]), T, "int"),
    ("audit-sigma-floor-negative", lambda: mon.audit([], sigma_floor=-1.0), V, "sigma_floor.*-1"),
    ("audit-sigma-floor-string", lambda: mon.audit([], sigma_floor="1%"), T, "'1%'"),
    ("audit-z-threshold-nan", lambda: mon.audit([], z_threshold=NAN), V, "z_threshold.*nan"),
    ("audit-quantities-string", lambda: mon.audit([], quantities="steel"), T, "'steel'"),
    ("audit-aliases-string", lambda: mon.audit([], aliases="steel=iron"), T, "aliases.*'steel"),
    ("audit-implied-year-string", lambda: mon.audit(data.load_claims()).implied(
        "industrial-output", "1960"), T, "year.*'1960'"),
    ("stated-half-unit-not-a-claim", lambda: mon.stated_half_unit(3.2), T, "Claim.*3.2"),
    ("monitor-accessor-actuals-number", lambda: syp().monitor(1965), T, "actuals.*int"),
    ("targets-from-plan-string", lambda: mon.targets_from_plan("free"), T, "str"),
    ("audit-implied-unknown", lambda: mon.audit(data.load_claims()).implied("gold", 1960), K,
     "'gold'"),
    ("claims-unknown-id", lambda: data.load_claims()["nope"], K, "nope"),
    ("monitor-interval", lambda: mon.monitor(*_bundled_reports(), interval=2.0), V,
     "interval.*2"),
    ("monitor-interval-string", lambda: mon.monitor(*_bundled_reports(), interval="90%"), T,
     "'90%'"),
    ("monitor-miss-run-zero", lambda: mon.monitor(*_bundled_reports(), miss_run=0), V,
     "miss_run.*0"),
    ("monitor-model", lambda: mon.monitor(*_bundled_reports(), model="crystal-ball"), V,
     "'crystal-ball'"),
    ("monitor-targets-string", lambda: mon.monitor("targets.csv", _bundled_reports()[1]), T,
     "str"),
    ("parse-period", lambda: parse_period("1964-Q5"), V, "'1964-Q5'"),
    ("parse-date", lambda: parse_date("16 January 1965"), V, "'16 January 1965'"),
]


@cache
def _bundled_reports() -> tuple[Any, Any]:
    from autarky.cases.koh1965 import seven_year_plan

    return seven_year_plan()


@pytest.mark.parametrize(("call", "builtin", "match"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_argument_raises_the_project_error(call: Callable[[], Any], builtin: type[Exception],
                                               match: str) -> None:
    with pytest.raises(AutarkyError, match=match) as info:
        call()
    assert isinstance(info.value, builtin), f"{type(info.value).__name__} is not a {builtin}"


def test_case_ids_are_unique() -> None:
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 40


def test_a_failed_plan_refuses_its_paths() -> None:
    """A multi-year plan without an optimum has no paths: asking for them is a PlanFailure
    (the CLI's exit 1), not an AssertionError."""
    plan = syp().plan.multiyear("great-leap", targets="strict")
    assert not plan.ok
    with pytest.raises(PlanFailure, match=plan.status):
        plan.multiple()


def test_valid_calls_keep_their_answers() -> None:
    """The checks refuse only bad input: the documented answers stand."""
    assert round(multiple(0.18, 7), 4) == 3.1855
    assert years_to_multiple(0.0, 1.0) == 0.0
    assert math.isclose(years_to_multiple(0.348, 9), math.log(9) / math.log1p(0.348))
    assert round(chain([0.17, 0.14]), 4) == 1.3338
    assert check_rate_against_multiple(18, 3.2, 1960, 1967).agree
    np.testing.assert_allclose(solve.calc_x(A2.tolist(), Y2.tolist()), [1247.52475, 1841.58416],
                               rtol=1e-6)
    assert tx().rescale("agriculture", 2, "USD 2 million").n == 2
    plan = dp().plan.optimize(objective="weighted", weights={"coal": 2.0})
    assert plan.ok


def test_valid_arguments_of_other_kinds_still_work() -> None:
    """What the stricter checks must not refuse: units as a Series, a numpy integer factor,
    alpha 0 (flag nothing), hours as a generator, a generous upper end of the growth search."""
    import pandas as pd

    from autarky.plan.mobilisation import effort_frontier

    eco = autarky.Economy.from_coefficients(A2, Y2, units=pd.Series(["t", "kWh"]))
    assert list(eco.branches["unit"]) == ["t", "kWh"]
    from autarky.testing import assert_economy_equal

    assert_economy_equal(dp().rescale("coal", np.int64(1000), "kt").economy,
                         dp().rescale("coal", 1000.0, "kt").economy)
    assert mon.audit(data.load_claims(), alpha=0.0).consistent  # no test can reject at 0
    frontier = effort_frontier(load("three-year-plan"), hours=(h for h in (8.0, 9.0)))
    assert list(frontier.index) == [8.0, 9.0]
    assert 0.0 < max_uniform_growth(syp(), high=150.0) < 1.0
