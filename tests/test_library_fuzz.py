"""Every public entry point, every one of its arguments, every bad value (issue 16).

``tests/test_library_errors.py`` states, case by case, which error and which message a bad
argument must give. This module is the systematic sweep behind it, as the fuzz that found the
bare errors ran it: each entry point is first called with arguments that work, then once per
(argument, bad value) with just that argument replaced. A call may return (a bad-looking value
can be a valid one: ``0`` for a tolerance) or raise an :class:`~autarky.errors.AutarkyError`
with a message; any other exception (a bare ``TypeError`` from ``'str' object is not
callable``, numpy's ``truth value of an array is ambiguous``, an ``OverflowError``) fails. The
arguments of an entry point are read from its signature, so a new argument is swept without
being listed here.
"""

from __future__ import annotations

import inspect
import signal
import traceback
import warnings
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import pytest

import autarky
import autarky.monitor as mon
import autarky.solve as solve
from autarky import data
from autarky.errors import AutarkyError
from autarky.mrio import MRIO

#: Values a careless or hostile caller passes where something else is meant.
BAD: list[Any] = [None, "x", "", float("nan"), float("inf"), -1, 0, 1e308, -1e-300, 10**30,
                  10**400, True, [], {}, [1, [2]], {"nope": 1}, ["nope"], np.array([]),
                  np.array([[1.0, 2.0]]), (1, 2, 3), object(), "a" * 300, "[bold]x[/]",
                  np.int64(2), np.float64("nan"), np.bool_(True)]

#: Parameters never swept: the object an accessor or method is bound to.
BOUND = {"self", "obj", "scenario", "economy", "table"}

A2 = np.array([[0.15, 0.25], [0.20, 0.05]])
Y2 = np.array([600.0, 1500.0])


@cache
def load(name: str) -> Any:
    return data.load(name)


@cache
def seven_year_plan_result() -> Any:
    return load("seven-year-plan").plan.multiyear("free")


@cache
def bundled_monitoring() -> tuple[Any, Any]:
    from autarky.cases.koh1965 import seven_year_plan

    return seven_year_plan()


@cache
def small_mrio() -> MRIO:
    """Two regions, two sectors, one final demand category: columns balance."""
    rng = np.random.default_rng(7)
    Z = rng.uniform(1, 10, (4, 4))
    Y = rng.uniform(20, 60, (4, 2))
    x = Z.sum(axis=1) + Y.sum(axis=1)
    from autarky.mrio.table import Extension

    return MRIO(("home", "abroad"), ("goods", "services"), ("final",), Z, Y,
                np.atleast_2d(x - Z.sum(axis=0)), ("value added",),
                extensions={"co2": Extension(("co2",), np.atleast_2d(x * 0.3), ("t",))},
                unit="EUR million")


def _entries() -> list[tuple[str, Callable[..., Any], Callable[..., Any], dict[str, Any]]]:
    """(name, call, the function whose signature lists the arguments, arguments that work)."""
    import importlib

    from autarky.mrio import cutoff, dependence, embodied
    from autarky.plan import aid_cases, aid_timing, mobilisation, multiyear
    from autarky.plan import optimize as po
    from autarky.reliance import cost, criticality, stress
    from autarky.solve import extraction, propagation

    ind = importlib.import_module("autarky.reliance.indicators")
    dp, syp, tx, typ = (lambda: load("dprk-1963")), (lambda: load("seven-year-plan")), \
        (lambda: load("textbook")), (lambda: load("three-year-plan"))
    return [
        ("balance", lambda **k: dp().plan.balance(**k), autarky.plan.balance, {}),
        ("optimize", lambda **k: dp().plan.optimize(**k), po.optimize, {}),
        ("optimize-closed", lambda **k: tx().plan.optimize(**k), po.optimize, {}),
        ("multiyear", lambda **k: syp().plan.multiyear(**k), multiyear.multiyear, {}),
        ("max-uniform-growth", lambda **k: multiyear.max_uniform_growth(syp(), **k),
         multiyear.max_uniform_growth, {}),
        ("aid-timing", lambda **k: syp().plan.aid_timing(**k), aid_timing.aid_timing, {}),
        ("aid-counterfactuals", lambda **k: aid_cases.aid_counterfactuals(typ(), **k),
         aid_cases.aid_counterfactuals, {}),
        ("effort-frontier", lambda **k: mobilisation.effort_frontier(typ(), **k),
         mobilisation.effort_frontier, {"hours": [8.0, 10.0]}),
        ("campaign", lambda **k: mobilisation.campaign(typ(), **k), mobilisation.campaign, {}),
        ("plan-multiple", lambda **k: seven_year_plan_result().multiple(**k),
         type(seven_year_plan_result()).multiple, {}),
        ("plan-bottlenecks", lambda **k: seven_year_plan_result().bottlenecks(**k),
         type(seven_year_plan_result()).bottlenecks, {"year": 1964}),
        ("indicators", lambda **k: dp().reliance.indicators(**k), ind.indicators, {}),
        ("cost-of-autarky", lambda **k: dp().reliance.cost_of_autarky(**k),
         cost.cost_of_autarky, {"caps": [1.0, 0.5]}),
        ("stress", lambda **k: dp().reliance.stress(**k), stress.stress,
         {"shock": "capacity:coal:0.5", "weeks": 8}),
        ("partner-criticality", lambda **k: dp().reliance.criticality(**k),
         criticality.partner_criticality, {}),
        ("neutrality", lambda **k: dp().reliance.neutrality(**k), criticality.neutrality, {}),
        ("rescale", lambda **k: dp().rescale(**k), autarky.Scenario.rescale,
         {"branch": "coal", "factor": 1000, "unit": "kt"}),
        ("rescale-currency", lambda **k: dp().rescale_currency(**k),
         autarky.Scenario.rescale_currency, {"factor": 1000, "currency": "thousand won"}),
        ("reorder", lambda **k: tx().reorder(**k), autarky.Scenario.reorder,
         {"order": ["manufacturing", "agriculture"]}),
        ("with-final-demand", lambda **k: tx().with_final_demand(**k),
         autarky.Scenario.with_final_demand, {"final_demand": [10.0, 20.0]}),
        ("from-coefficients", autarky.Economy.from_coefficients,
         autarky.Economy.from_coefficients, {"A": A2, "final_demand": Y2}),
        ("calc-x", solve.calc_x, solve.calc_x, {"A": A2, "y": Y2}),
        ("calc-L", solve.calc_L, solve.calc_L, {"A": A2}),
        ("spectral-radius", solve.spectral_radius, solve.spectral_radius, {"A": A2}),
        ("leontief-solver", lambda **k: solve.LeontiefSolver(**k).solve(Y2),
         solve.LeontiefSolver, {"A": A2}),
        ("propagate", propagation.propagate, propagation.propagate,
         {"A": A2, "x0": Y2 * 2.2, "f0": Y2, "weeks": 8}),
        ("extraction-losses", extraction.extraction_losses, extraction.extraction_losses,
         {"A": A2, "y": Y2}),
        ("benford", mon.benford_test, mon.benford_test, {"values": [1, 2, 3, 15, 27, 180]}),
        ("last-digit", mon.last_digit_test, mon.last_digit_test, {"values": [12, 13, 27, 45]}),
        ("audit", mon.audit, mon.audit, {"claims": data.load_claims()}),
        ("monitor", mon.monitor, mon.monitor,
         {"targets": bundled_monitoring()[0], "reports": bundled_monitoring()[1]}),
        ("tiva", lambda **k: embodied.tiva(small_mrio(), **k), embodied.tiva,
         {"region": "home"}),
        ("multipliers", lambda **k: embodied.multipliers(small_mrio(), **k),
         embodied.multipliers, {"extension": "co2"}),
        ("mrio-dependence", lambda **k: dependence.partner_dependence(small_mrio(), **k),
         dependence.partner_dependence, {"home": "home"}),
        ("mrio-cutoff", lambda **k: cutoff.cutoff_two_ways(small_mrio(), **k),
         cutoff.cutoff_two_ways, {"home": "home", "partner": ["abroad"], "weeks": 8,
                                  "duration": 2}),
    ]


ENTRIES = _entries()


def _swept(fn: Callable[..., Any]) -> list[str]:
    return [p.name for p in inspect.signature(fn).parameters.values()
            if p.name not in BOUND and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]


def _where(exc: BaseException) -> str:
    """The last line of autarky's own code the exception passed through."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/autarky/" in f.filename]
    return f"{frames[-1].filename.split('/autarky/')[-1]}:{frames[-1].lineno}" if frames else "?"


#: Longest a call may take: a bad argument that makes a call hang fails the test, not the suite.
LIMIT_S = 20


class _Hung(Exception):
    pass


def _call(call: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
    def hung(*_: Any) -> None:
        raise _Hung(f"no answer within {LIMIT_S} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(LIMIT_S)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return call(**kwargs)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize(("call", "kwargs"), [(e[1], e[3]) for e in ENTRIES],
                         ids=[e[0] for e in ENTRIES])
def test_the_working_call_works(call: Callable[..., Any], kwargs: dict[str, Any]) -> None:
    """The base of every sweep is a valid call: a sweep from a broken base tests nothing."""
    assert _call(call, kwargs) is not None


@pytest.mark.parametrize(("call", "source", "kwargs"), [e[1:] for e in ENTRIES],
                         ids=[e[0] for e in ENTRIES])
def test_every_bad_argument_is_the_project_error(call: Callable[..., Any],
                                                 source: Callable[..., Any],
                                                 kwargs: dict[str, Any]) -> None:
    names = _swept(source)
    assert names, "nothing to sweep"
    bare: list[str] = []
    for name in names:
        for value in BAD:
            try:
                _call(call, {**kwargs, name: value})
            except AutarkyError as exc:
                if not str(exc).strip():
                    bare.append(f"{name}={value!r:.40}: {type(exc).__name__} without a message")
            except Exception as exc:
                bare.append(f"{name}={value!r:.40}: {type(exc).__name__}: {str(exc)[:80]} "
                            f"(at {_where(exc)})")
    assert not bare, "\n".join(bare)


def test_a_message_quotes_a_long_value_in_part() -> None:
    """A 5,000-character argument is quoted, not copied, into the message."""
    long = "Z" * 5000
    for call in (lambda: load("dprk-1963").plan.optimize(objective=long),
                 lambda: load("dprk-1963").rescale(long, 10, "kt"),
                 lambda: mon.audit(data.load_claims()).implied(long, 1960)):
        with pytest.raises(AutarkyError) as info:
            call()
        assert "ZZZZ" in str(info.value)
        assert str(info.value).count("Z") <= 120, str(info.value)[:200]
