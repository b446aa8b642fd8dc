"""``result.plot`` (issue 10, item 4): the report's charts on matplotlib axes, drawing the
result's own numbers."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from pathlib import Path

import numpy as np
import pytest
from matplotlib.patches import Polygon, Rectangle

from autarky import data
from autarky.economy import Scenario
from autarky.errors import AutarkyError, BadTypeError


@pytest.fixture(scope="module")
def island() -> Scenario:
    return data.load("island")


def test_dependence_bars_are_the_indicators_in_per_cent(island: Scenario) -> None:
    ind = island.reliance.indicators()
    ax = ind.plot()
    heights = sorted(round(p.get_height(), 9) for p in ax.patches if isinstance(p, Rectangle))
    want = sorted(round(100 * v, 9) for col in ("self_sufficiency", "import_share",
                                                "import_content")
                  for v in np.nan_to_num(ind.table[col].to_numpy(dtype=float)))
    assert heights == want


def test_uses_of_each_product_add_up_to_its_supply(island: Scenario) -> None:
    plan = island.plan.balance()
    ax = plan.plot()
    tops: dict[float, float] = {}
    for p in ax.patches:
        if isinstance(p, Rectangle):
            tops[round(p.get_x(), 6)] = max(tops.get(round(p.get_x(), 6), 0.0),
                                            p.get_y() + p.get_height())
    # the balance identity, A x + y + e = x + m, read on the chart: every stack reaches 100 %
    assert len(tops) == island.n
    assert all(abs(v - 100.0) < 1e-6 for v in tops.values()), tops


def test_weekly_stress_path_with_the_shock_shaded(island: Scenario) -> None:
    res = island.reliance.stress("partner:northland", weeks=30, duration=8)
    ax = res.plot()
    pr = res.propagation
    line = ax.get_lines()[0]
    want = pr.output @ res.prices / float(res.prices @ pr.baseline)
    assert np.allclose(line.get_ydata(), want, rtol=1e-12)
    assert list(line.get_xdata()) == list(range(1, 31))
    spans = [p for p in ax.patches if isinstance(p, Polygon | Rectangle)]
    xs = [p.get_xy()[:, 0] for p in spans if isinstance(p, Polygon)] or \
        [np.array([p.get_x(), p.get_x() + p.get_width()]) for p in spans]
    assert any(np.isclose(x.min(), 0.5) and np.isclose(x.max(), 8.5) for x in xs)


def test_cost_curve_and_multiyear_paths() -> None:
    cost = data.load("island").reliance.cost_of_autarky(branches=["manufacturing"])
    ax = cost.plot()
    assert np.allclose(ax.get_lines()[0].get_ydata(), cost.curve["fulfilment"].to_numpy())
    plan = data.load("seven-year-plan").plan.multiyear("balanced")
    ax = plan.plot.paths(variable="consumption")
    assert np.allclose(ax.get_lines()[0].get_ydata(), plan.consumption.to_numpy())
    with pytest.raises(BadTypeError, match="no path 'nope'"):
        plan.plot.paths(variable="nope")


def test_a_chart_for_another_kind_is_refused(island: Scenario) -> None:
    with pytest.raises(BadTypeError, match="for StressResult results, not Indicators") as e:
        island.reliance.indicators().plot.weekly()
    assert isinstance(e.value, AutarkyError) and isinstance(e.value, TypeError)


def test_report_cut_off_chart_is_shaded(tmp_path: Path) -> None:
    from autarky.report.reliance import write_reliance

    page = write_reliance(data.load("island"), tmp_path).read_text(encoding="utf-8")
    assert "cut-off (weeks 1-13)" in page


def test_monitoring_fan_draws_the_reports_the_plan_and_the_forecast(tmp_path: Path) -> None:
    """A plan of 100 growing 10 % a year over 2021-25, reported 100, 108, 118 for 2020-22: the
    chart draws those numbers (plan dashed, reports with markers) and a fan that starts at the
    last report and ends at the forecast's 5 % and 95 % quantiles."""
    from autarky.io.reports import read_actuals, read_targets
    from autarky.monitor import monitor

    (tmp_path / "t.csv").write_text("branch,period,value,unit\n" + "".join(
        f"steel,{2020 + k},{100 * 1.1 ** k:.6f},kt\n" for k in range(6)))
    (tmp_path / "a.csv").write_text("branch,period,value,unit,reported_at\n"
                                    "steel,2020,100,kt,2021-01-01\nsteel,2021,108,kt,2022-01-01\n"
                                    "steel,2022,118,kt,2023-01-01\n")
    res = monitor(read_targets(tmp_path / "t.csv"), read_actuals(tmp_path / "a.csv"))
    ax = res.plot()
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    np.testing.assert_allclose(lines["reported"].get_ydata(), [100, 108, 118])
    np.testing.assert_allclose(lines["plan"].get_ydata(), [100 * 1.1 ** k for k in range(6)])
    assert lines["plan"].get_linestyle() == "--"
    median = lines["forecast median"].get_ydata()
    assert median[0] == 118 and median[-1] == pytest.approx(res.forecast.loc["steel", "value"])
    outer = next(p for p in ax.collections if "5-95" in p.get_label())
    top = outer.get_paths()[0].vertices[:, 1].max()
    assert top == pytest.approx(res.fan()["steel"][0.95].iloc[-1])
    assert ax.get_ylabel() == "kt"
    with pytest.raises(AutarkyError, match="no forecast for branch 'coal'"):
        res.plot.fan(branch="coal")


def test_audit_residuals_are_the_z_scores_with_the_threshold() -> None:
    from autarky.economy.claims import Claim
    from autarky.monitor import audit

    res = audit([Claim("l", "level", "x", 100.0, "t", year=1960),
                 Claim("r", "ratio", "x", 3.2, "times", year=1967, base_year=1960),
                 Claim("g", "growth", "x", 0.18, "fraction per year", year=1967, base_year=1960),
                 Claim("g2", "growth", "x", 0.25, "fraction per year", year=1967,
                       base_year=1960)])
    ax = res.plot()
    heights = [p.get_height() for p in ax.patches if isinstance(p, Rectangle)]
    audited = res.claims[res.claims["audited"]]
    np.testing.assert_allclose(heights, audited["z"].to_numpy())
    assert sorted(abs(ln.get_ydata()[0]) for ln in ax.get_lines()) == [2.0, 2.0]


def test_names_are_drawn_as_written_not_as_math(tmp_path: Path) -> None:
    """A branch id ``$\\x$ 50%`` on the accessor's charts is text: drawing does not fail on
    it as mathtext, and the label reads as written (issue 16)."""
    import re

    from autarky.cli.app import main
    from autarky.io.scenario import read_scenario

    assert main(["data", "export", "island", str(tmp_path / "s")]) == 0
    path = tmp_path / "s" / "island.yaml"
    head, sep, body = path.read_text().partition("branches:")
    path.write_text(head + sep + re.sub(r"\bagriculture\b", lambda _: "'$\\x$ 50%'", body))
    scenario = read_scenario(path)
    for ax in (scenario.reliance.indicators().plot(), scenario.reliance.indicators()
               .plot.partners()):
        ax.figure.canvas.draw()  # mathtext would raise here
        labels = [t.get_text() for t in ax.get_xticklabels()]
        assert "$\\x$ 50%" in labels, labels
