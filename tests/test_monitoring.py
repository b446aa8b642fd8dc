"""Plan against actuals: fulfilment, required growth, forecasts, flags and reported revisions.

Every number asserted is worked by hand in the test's docstring (or computed in the test from
the closed form written there), never copied from the output of the code under test.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pytest
from scipy import stats

from autarky.cases.koh1965 import seven_year_plan
from autarky.errors import AutarkyError, ScenarioError
from autarky.io.results import to_json_dict
from autarky.monitor.monitoring import PRIOR_GROWTH_SD, MonitorResult, forecast_log, monitor
from autarky.monitor.reports import (
    Report,
    Reports,
    Target,
    Targets,
    read_actuals,
    read_targets,
    targets_from_plan,
)

HAND_TARGETS = """\
branch,period,value,unit
steel,1960,100,kt
steel,1961,110,kt
steel,1962,121,kt
steel,1963,133.1,kt
"""

HAND_ACTUALS = """\
branch,period,value,unit,reported_at,source
steel,1960,100,kt,1961-01-15,yearbook
steel,1961,105,kt,1962-01-15,yearbook
steel,1962,112,kt,1963-01-15,yearbook
"""


def hand_plan(write) -> MonitorResult:
    targets = read_targets(write(HAND_TARGETS, "targets.csv"))
    reports = read_actuals(write(HAND_ACTUALS, "actuals.csv"))
    return monitor(targets, reports)


# ---------------------------------------------------------------------------- 1. fulfilment
def test_fulfilment_cumulative_required_growth_and_miss_run(write) -> None:
    """Targets 100, 110, 121, 133.1 (10 % a year from 1960); actuals 100, 105, 112.

    fulfilment: 1960 100/100 = 1; 1961 105/110 = 0.954545...; 1962 112/121 = 0.925619...
    cumulative: 1960 1; 1961 (100+105)/(100+110) = 205/210; 1962 317/331.
    required growth to 133.1 (1963) from 112 (1962), one period left:
    133.1/112 - 1 = 0.188393 = 18.84 %.
    1961 and 1962 both miss: one run of 2 >= miss_run = 2, flagged at 1962; with
    ``miss_run=3`` nothing is flagged.
    """
    res = hand_plan(write)
    f = res.fulfilment.loc["steel"]
    assert f[1960] == pytest.approx(1.0)
    assert f[1961] == pytest.approx(105 / 110)
    assert f[1962] == pytest.approx(112 / 121)
    c = res.cumulative.loc["steel"]
    assert c[1961] == pytest.approx(205 / 210)
    assert c[1962] == pytest.approx(317 / 331)
    assert res.required_growth["steel"] == pytest.approx(133.1 / 112 - 1)
    assert round(100 * res.required_growth["steel"], 2) == 18.84
    runs = [fl for fl in res.flags if fl["kind"] == "miss-run"]
    assert len(runs) == 1
    assert runs[0]["branch"] == "steel" and runs[0]["period"] == 1962
    assert "1961-1962" in runs[0]["message"]
    targets = read_targets(write(HAND_TARGETS, "targets.csv"))
    reports = read_actuals(write(HAND_ACTUALS, "actuals.csv"))
    assert not [fl for fl in monitor(targets, reports, miss_run=3).flags if fl["kind"] == "miss-run"]
    assert res.units == {"steel": "kt"}


def test_json_form_and_fan_is_ordered(write) -> None:
    """The JSON form carries the documented keys; the fan's quantiles rise with the level and
    its median at the end period is the point forecast."""
    res = hand_plan(write)
    d = json.loads(json.dumps(to_json_dict(res)))
    assert set(d) >= {"fulfilment", "required_growth", "forecast", "flags", "p_meet"}
    assert d["fulfilment"]["steel"]["1961"] == pytest.approx(105 / 110)
    assert d["required_growth"]["steel"] == pytest.approx(133.1 / 112 - 1)
    assert set(d["forecast"]["steel"]) >= {"value", "low", "high"} and "steel" in d["p_meet"]
    assert {fl["kind"] for fl in d["flags"]} == {"miss-run"}
    fan = res.fan()["steel"]
    assert list(fan.index) == [1963]
    assert list(fan.columns) == [0.05, 0.25, 0.5, 0.75, 0.95]
    assert np.all(np.diff(fan.to_numpy(), axis=1) > 0)
    assert fan.loc[1963, 0.5] == pytest.approx(d["forecast"]["steel"]["value"])


# ---------------------------------------------------------------------------- 2. revisions
def test_revision_keeps_the_earlier_report() -> None:
    """Steel 1964 first reported 100 (1965-01-16), revised to 92 (1966-01-19): -8 %.
    Steel 1963 reported 102 then 101: -0.98 %, below the 5 % threshold.

    latest() gives 92; as_of(1965-12-31) gives 100 (the revision was not yet known);
    revisions() lists both with change 100 * (92/100 - 1) = -8.0 and 100 * (101/102 - 1);
    only the -8 % revision is flagged at revision_threshold = 0.05.
    """
    d1, d2 = dt.date(1965, 1, 16), dt.date(1966, 1, 19)
    reports = Reports([Report("steel", 1963, 102.0, "kt", d1), Report("steel", 1964, 100.0, "kt", d1)])
    revised = reports.add([Report("steel", 1964, 92.0, "kt", d2), Report("steel", 1963, 101.0, "kt", d2)])
    # add() returns a new object; the old one is unchanged
    assert len(reports) == 2 and len(revised) == 4
    assert reports.latest().loc["steel", 1964] == 100.0
    assert revised.latest().loc["steel", 1964] == 92.0
    assert revised.as_of("1965-12-31").latest().loc["steel", 1964] == 100.0
    assert revised.as_of(dt.date(1966, 1, 19)).latest().loc["steel", 1964] == 92.0
    assert [r.value for r in revised.history("steel", 1964)] == [100.0, 92.0]
    rev = revised.revisions().set_index("period")
    assert rev.loc[1964, "first"] == 100.0 and rev.loc[1964, "latest"] == 92.0
    assert rev.loc[1964, "change_pct"] == pytest.approx(-8.0)
    assert rev.loc[1963, "change_pct"] == pytest.approx(100 * (101 / 102 - 1))
    targets = Targets([Target("steel", 1963, 100.0, "kt"), Target("steel", 1964, 110.0, "kt"),
                       Target("steel", 1965, 121.0, "kt")])
    flags = [f for f in monitor(targets, revised).flags if f["kind"] == "revision"]
    assert [(f["branch"], f["period"]) for f in flags] == [("steel", 1964)]
    assert "-8.0%" in flags[0]["message"]
    assert not [f for f in monitor(targets, revised, revision_threshold=0.1).flags
                if f["kind"] == "revision"]


def test_identical_duplicate_is_kept_once() -> None:
    """The same figure reported twice at the same date is one report, not a revision."""
    d = dt.date(1965, 1, 16)
    r = Reports([Report("steel", 1964, 100.0, "kt", d), Report("steel", 1964, 100.0, "kt", d)])
    assert len(r) == 1 and r.revisions().empty


# ---------------------------------------------------------------------------- 3. forecasts
@pytest.mark.parametrize("model", ["local-linear-trend", "holt", "random-walk"])
def test_exact_geometric_series_is_extrapolated(model: str) -> None:
    """Actuals 100 * 1.1**t for 1960-67 (t = 0..7), end target in 1970 (three periods on).

    With no noise every model extrapolates exactly: 100 * 1.1**10 = 259.374246...
    A target 10 % below that is met with probability ~1; one twice as high ~0.
    """
    years = list(range(1960, 1968))
    reports = Reports([Report("x", y, 100.0 * 1.1 ** (y - 1960), "t", dt.date(y + 1, 1, 1))
                       for y in years])
    expected = 100.0 * 1.1**10
    for target, p in ((0.9 * expected, 1.0), (2.0 * expected, 0.0)):
        res = monitor(Targets([Target("x", 1970, target, "t")]), reports, model=model)
        fc = res.forecast.loc["x"]
        assert fc["value"] == pytest.approx(expected, rel=1e-6)
        assert fc["p_meet"] == pytest.approx(p, abs=1e-6)
        assert fc["model"] == model
        assert fc["low"] <= fc["value"] <= fc["high"]
    assert not [f for f in res.flags if f["kind"] == "outside-interval"]


def test_random_walk_fallback_with_two_growths() -> None:
    """Actuals 100, 110, 115.5 (growth 10 %, then 5 %): three points, too few for a trend model.

    Random walk with drift on logs: drift = (log 1.10 + log 1.05) / 2, so two periods on the
    median is 115.5 * exp(2 * drift) = 115.5 * 1.10 * 1.05 = 133.4025.
    Growth variance s2 = (log 1.10 - log 1.05)**2 / 2 (sample variance of two values); two-step
    variance s2 * h * (1 + h / n) with h = 2, n = 2 growths: 4 * s2, so sd = 2 * sqrt(s2) and
    high / value = exp(z * sd) with z = 1.644854 (90 %). The target 133.4025 is the median:
    p_meet = 0.5.
    """
    reports = Reports([Report("x", 1960 + i, v, "t", dt.date(1970, 1, 1))
                       for i, v in enumerate((100.0, 110.0, 115.5))])
    res = monitor(Targets([Target("x", 1964, 133.4025, "t")]), reports)
    fc = res.forecast.loc["x"]
    assert fc["value"] == pytest.approx(133.4025, rel=1e-12)
    s2 = (math.log(1.10) - math.log(1.05)) ** 2 / 2
    assert fc["sd_log"] == pytest.approx(2 * math.sqrt(s2), rel=1e-12)
    assert fc["high"] / fc["value"] == pytest.approx(math.exp(stats.norm.ppf(0.95) * 2 * math.sqrt(s2)))
    assert fc["p_meet"] == pytest.approx(0.5, abs=1e-9)
    assert fc["model"] == "random-walk" and "fallback" in fc["note"]


def test_random_walk_with_one_growth_uses_the_prior() -> None:
    """Actuals 100, 110 (one growth): the variance of a growth is the prior 0.05**2, and one
    period on: median 110 * 1.1 = 121, variance 0.0025 * 1 * (1 + 1/1) = 0.005."""
    f = forecast_log(np.log([100.0, 110.0]), 1)
    assert math.exp(f.mean[0]) == pytest.approx(121.0)
    assert f.sd[0] == pytest.approx(math.sqrt(2 * PRIOR_GROWTH_SD**2))
    assert "prior" in f.note


# ---------------------------------------------------------------------------- 4. Seven Year Plan
def test_seven_year_plan() -> None:
    """The bundled Seven Year Plan, industrial output index 1960 = 100.

    Targets: 100 * 1.18**t for 1961-66 and the stated end target 3.2 * 100 = 320 for 1967.
    Actuals: on plan 1961-63 (an assumption: the source gives no figures), then 17 % (1964) and
    14 % (1965): 1963 = 164.3032, 1964 = 164.3032 * 1.17 = 192.234744,
    1965 = 192.234744 * 1.14 = 219.14760816.

    fulfilment 1964 = 1.17 / 1.18 = 0.991525...; 1965 = 1.17 * 1.14 / 1.18**2 = 0.957914...
    required growth 1966-67: (320 / 219.14760816) ** (1/2) - 1 = 1.460203023372... ** 0.5 - 1
    = 0.208388606108... = 20.84 % a year (against the 18 % planned).
    1964 and 1965 both miss: a run of two, flagged at 1965. Even growing as fast as planned
    (18 % a year) from 1965 would give 219.15 * 1.18**2 = 305.1 < 320, and the trend of
    the reports is slower, so the median forecast falls below 320 and p_meet < 0.5.
    """
    targets, reports = seven_year_plan()
    assert targets.end("industrial-output") == (1967, 320.0)
    assert targets.units["industrial-output"] == "index 1960=100"
    res = monitor(targets, reports)
    f = res.fulfilment.loc["industrial-output"]
    assert f[1961] == pytest.approx(1.0) and f[1963] == pytest.approx(1.0)
    assert f[1964] == pytest.approx(1.17 / 1.18, rel=1e-12)
    assert f[1965] == pytest.approx(1.17 * 1.14 / 1.18**2, rel=1e-12)
    g = res.required_growth["industrial-output"]
    assert g == pytest.approx(0.20838860610819933, rel=1e-12)
    assert g == pytest.approx((320 / (100 * 1.18**3 * 1.17 * 1.14)) ** 0.5 - 1, rel=1e-12)
    runs = [fl for fl in res.flags if fl["kind"] == "miss-run"]
    assert [(fl["branch"], fl["period"]) for fl in runs] == [("industrial-output", 1965)]
    assert "1964-1965" in runs[0]["message"]
    fc = res.forecast.loc["industrial-output"]
    assert fc["period"] == 1967 and fc["target"] == 320.0
    assert fc["p_meet"] < 0.5
    assert fc["value"] < 100 * 1.18**3 * 1.17 * 1.14 * 1.18**2
    assert fc["low"] < fc["value"] < fc["high"]
    assert list(res.fan()["industrial-output"].index) == [1966, 1967]
    # What was known in mid-1965: 1961-63 on plan and 1964 at 17 %
    early = monitor(targets, reports.as_of("1965-06-30"))
    assert early.required_growth["industrial-output"] == pytest.approx(
        (320 / (100 * 1.18**3 * 1.17)) ** (1 / 3) - 1, rel=1e-12)
    assert not [fl for fl in early.flags if fl["kind"] == "miss-run"]


def test_targets_from_plan() -> None:
    """A two-year plan: industrial output 110, 121 after the 1960 base of 100; steel likewise."""
    import pandas as pd

    from autarky.plan.multiyear_result import MultiYearPlan

    years = pd.Index([1961, 1962], name="year")
    plan = MultiYearPlan(strategy="balanced", status="optimal", years=(1961, 1962), base_year=1960,
                         units=pd.Series({"steel": "kt"}), currency="won",
                         gross_output=pd.DataFrame({"steel": [110.0, 121.0]}, index=years),
                         industrial_output=pd.Series([100.0, 110.0, 121.0], index=[1960, 1961, 1962]))
    t = targets_from_plan(plan)
    assert t.branches == ["industrial-output", "steel"]
    assert t.end("industrial-output") == (1962, 121.0)
    assert t.units["steel"] == "kt"
    bad = MultiYearPlan(strategy="x", status="infeasible", years=(1961,), base_year=1960,
                        units=pd.Series(dtype=str), currency="won")
    with pytest.raises(AutarkyError, match="infeasible"):
        targets_from_plan(bad)


# ---------------------------------------------------------------------------- 5. bad input
def fails(reader, path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        reader(path)
    err = info.value
    assert str(err).startswith(f"{err.file}:{err.line}: ")
    return err


def test_missing_column(write) -> None:
    """An actuals table without reported_at fails at the header (line 1)."""
    path = write("branch,period,value,unit\nsteel,1964,1,kt\n", "a.csv")
    err = fails(read_actuals, path)
    assert (err.file, err.line, err.field) == (str(path), 1, "reported_at")
    path = write("branch,period,unit\nsteel,1964,kt\n", "t.csv")
    err = fails(read_targets, path)
    assert (err.line, err.field) == (1, "value")


def test_non_numeric_value(write, line_of) -> None:
    """'abc' as a value fails on its own line, field value."""
    text = HAND_ACTUALS + "steel,1963,abc,kt,1964-01-15,yearbook\n"
    path = write(text, "a.csv")
    err = fails(read_actuals, path)
    assert (err.file, err.line, err.field) == (str(path), line_of(text, ",abc,"), "value")
    assert "non-numeric" in err.message
    text = HAND_TARGETS.replace("121,kt", "12x1,kt")
    err = fails(read_targets, write(text, "t.csv"))
    assert (err.line, err.field) == (line_of(text, "12x1"), "value")


def test_conflicting_duplicate(write, line_of) -> None:
    """1962 reported at 1963-01-15 as 112 and again, same date, as 113: the second row fails."""
    text = HAND_ACTUALS + "steel,1962,113,kt,1963-01-15,other\n"
    err = fails(read_actuals, write(text, "a.csv"))
    assert (err.line, err.field) == (line_of(text, "1962,113"), "value")
    assert f"line {line_of(text, '1962,112')}" in err.message
    text = HAND_TARGETS + "steel,1962,120,kt\n"
    err = fails(read_targets, write(text, "t.csv"))
    assert (err.line, err.field) == (line_of(text, "1962,120"), "period")


@pytest.mark.parametrize(("row", "field", "words"), [
    ("steel,1963,113,t,1964-01-15,x", "unit", "differs"),
    ("steel,1963-Q5,113,kt,1964-01-15,x", "period", "quarter"),
    ("steel,1963-Q2,113,kt,1964-01-15,x", "period", "quarter"),
    ("steel,1963,113,kt,15/01/1964,x", "reported_at", "ISO date"),
    ("steel,1963,-4,kt,1964-01-15,x", "value", "negative"),
    ("steel,1963,0,kt,1964-01-15,x", "value", "positive"),
    (",1963,113,kt,1964-01-15,x", "branch", "empty"),
    ("steel,1963,113,,1964-01-15,x", "unit", "empty"),
])
def test_bad_rows(write, line_of, row: str, field: str, words: str) -> None:
    """Each bad row fails on its own line, naming the field at fault."""
    text = HAND_ACTUALS + row + "\n"
    err = fails(read_actuals, write(text, "a.csv"))
    assert (err.line, err.field) == (line_of(text, row), field)
    assert words in err.message


def test_unit_mismatch_between_targets_and_reports(write) -> None:
    """Targets in kt, reports in t: monitoring refuses to divide one by the other."""
    targets = read_targets(write(HAND_TARGETS, "t.csv"))
    reports = read_actuals(write(HAND_ACTUALS.replace(",kt,", ",t,"), "a.csv"))
    with pytest.raises(ScenarioError) as info:
        monitor(targets, reports)
    assert info.value.field == "unit" and info.value.line == 2


def test_quarters_sort_in_time_order() -> None:
    """Quarters are strings 'YYYY-Qn'; required growth counts quarters: from 1964-Q4 (100) to a
    1965-Q2 target of 121 is two quarters, 121/100 = 1.1**2, so 10 % a quarter."""
    d = dt.date(1965, 2, 1)
    reports = Reports([Report("x", "1964-Q3", 95.0, "t", d), Report("x", "1964-Q4", 100.0, "t", d)])
    res = monitor(Targets([Target("x", "1965-Q2", 121.0, "t")]), reports)
    assert res.required_growth["x"] == pytest.approx(0.1)
    assert list(res.fan()["x"].index) == ["1965-Q1", "1965-Q2"]


def test_mixed_periods_fail_at_the_later_row(write, line_of) -> None:
    """A quarter after yearly rows fails on the quarter's own line."""
    text = "branch,period,value,unit\nsteel,1961-Q1,10,kt\nsteel,1962,11,kt\n"
    err = fails(read_targets, write(text, "t.csv"))
    assert (err.line, err.field) == (line_of(text, "1962,11"), "period")
