"""Development strategies: how investment is shared between branch groups over the years.

Built in (and overridable by a scenario's ``strategies:``):

``free``
    No rule: investment goes wherever the objective gains most (the planner's optimum).
``heavy-first``
    The Feldman-Mahalanobis rule (heavy industry first): at least 60 % of investment, every year, to the
    producer-goods groups ``heavy`` and ``energy``.
``light-first``
    The Seven Year Plan's order as Joan Robinson describes it (source lines 243-247): for the
    first three years at least 50 % of investment to ``agriculture`` and ``light`` industry,
    then at least 60 % to the basic industries (``heavy``, ``energy``).
``balanced``
    Investment in each group in proportion to the group's share of base-year output (valued at
    constant prices), within 5 percentage points.
``great-leap``
    An over-ambitious pace, as in the Ch'ollima movement and China's Great Leap Forward:
    industrial output targets growing 35 % a year, treated as soft, so the plan reports where
    and by how much it falls short instead of failing.
"""

from __future__ import annotations

from autarky.economy.settings import PlanSettings, Strategy, StrategyRule
from autarky.errors import BadValueError, UnknownIdError

GREAT_LEAP_GROWTH = 0.35


def builtin_strategies(first_year: int, last_year: int) -> dict[str, Strategy]:
    """The built-in strategies for a horizon."""
    switch = min(first_year + 2, last_year)
    return {
        "free": Strategy("free", "No rule on where investment goes."),
        "heavy-first": Strategy(
            "heavy-first", "At least 60 % of investment to heavy industry and energy "
            "(the Feldman-Mahalanobis rule).",
            (StrategyRule(("heavy", "energy"), min=0.6),)),
        "light-first": Strategy(
            "light-first", "First three years at least 50 % of investment to agriculture and "
            "light industry, then at least 60 % to heavy industry and energy (the Seven Year "
            "Plan's order).",
            (StrategyRule(("agriculture", "light"), min=0.5, years=(first_year, switch)),
             StrategyRule(("heavy", "energy"), min=0.6, years=(switch + 1, last_year)))),
        "balanced": Strategy(
            "balanced", "Investment in each group in proportion to its share of base-year "
            "output (within 5 points).", proportional=True),
        "great-leap": Strategy(
            "great-leap", f"Industrial output targets growing {GREAT_LEAP_GROWTH:.0%} a year, "
            "above what capacity can deliver; shortfalls are reported, not refused.",
            target_growth=GREAT_LEAP_GROWTH),
    }


def resolve_strategy(settings: PlanSettings, name: str | None) -> Strategy:
    """The strategy called ``name`` (scenario-defined first, then built in; default ``free``)."""
    if settings.horizon is None:
        raise BadValueError("a multi-year plan needs a horizon: {first: year, last: year}")
    known = {**builtin_strategies(*settings.horizon), **settings.strategies}
    name = name or "free"
    if not isinstance(name, str) or name not in known:
        raise UnknownIdError(f"unknown strategy {name!r}; known: {', '.join(sorted(known))}")
    return known[name]
