"""Results at home in a notebook (issue 10, item 4): a one-line repr and an HTML summary built
from the result's dataset, for every result kind; economies and scenarios likewise."""

from __future__ import annotations

import html
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest

from autarky import data


class _Tags(HTMLParser):
    """Checks that every opened tag is closed in order (the summaries use no void tags)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.ok = True

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.ok = False


def balanced(text: str) -> bool:
    p = _Tags()
    p.feed(text)
    return p.ok and not p.stack


def _audit() -> Any:
    from autarky.cases import case_for

    return case_for("claims").audit()  # type: ignore[union-attr]


def _monitor() -> Any:
    from autarky.io.reports import bundled, read_actuals, read_targets
    from autarky.monitor import monitor

    return monitor(read_targets(bundled("seven-year-plan-targets.csv")),
                   read_actuals(bundled("seven-year-plan-actuals.csv")))


RESULTS: dict[str, Callable[[], Any]] = {
    "Plan": lambda: data.load("dprk-1963").plan.balance(),
    "OptimalPlan": lambda: data.load("dprk-1963").plan.optimize(),
    "MultiYearPlan": lambda: data.load("seven-year-plan").plan.multiyear("light-first"),
    "Indicators": lambda: data.load("dprk-1963").reliance.indicators(),
    "StressResult": lambda: data.load("dprk-1963").reliance.stress("partner:ussr", weeks=8,
                                                                    duration=2),
    "AutarkyCost": lambda: data.load("dprk-1963").reliance.cost_of_autarky(
        branches=["machinery"]),
    "NeutralPlan": lambda: data.load("dprk-1963").reliance.neutrality(),
    "AuditResult": _audit,
    "MonitorResult": _monitor,
}


@pytest.mark.parametrize("kind", sorted(RESULTS))
def test_result_repr_is_one_short_line(kind: str) -> None:
    res = RESULTS[kind]()
    text = repr(res)
    assert text.startswith(f"<{kind}") and text.endswith(">")
    assert "\n" not in text and len(text) < 400, text
    ds = res.to_dataset()
    for dim, size in ds.sizes.items():
        assert f"{dim} ({size})" in text


@pytest.mark.parametrize("kind", sorted(RESULTS))
def test_result_html_lists_every_variable_with_its_unit(kind: str) -> None:
    res = RESULTS[kind]()
    page = res._repr_html_()
    assert balanced(page)
    ds = res.to_dataset()
    for name, var in ds.data_vars.items():
        assert str(name) in page
        if var.ndim > 0 and var.attrs.get("unit"):
            assert html.escape(str(var.attrs["unit"])) in page


def test_headline_figures_carry_units() -> None:
    ind = RESULTS["Indicators"]()
    text = repr(ind)
    value = float(ind.to_dataset()["imports_value"])
    from autarky.report.format import format_number

    assert f"imports_value {format_number(value, digits=4)} million won" in text


@pytest.mark.parametrize("name", ["dprk-1963", "seven-year-plan", "textbook"])
def test_economy_and_scenario_html(name: str) -> None:
    scn = data.load(name)
    for obj in (scn, scn.economy):
        page = obj._repr_html_()
        assert balanced(page)
        assert html.escape(scn.name) in page
        for b in list(scn.ids)[:20]:
            assert f"<td>{b}</td>" in page
        assert "<code>technology</code>" in page and "<code>final_demand</code>" in page
    assert ("plan 1961-1967" in scn._repr_html_()) == (name == "seven-year-plan")
