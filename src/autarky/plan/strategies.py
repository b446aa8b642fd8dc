"""Development strategies: how investment is shared between branch groups over the years.

Built in (and overridable by a scenario's ``strategies:``):

``free``
    No rule: investment goes wherever the objective gains most (the planner's optimum).
``heavy-first``
    The Feldman-Mahalanobis rule (heavy industry first): at least 60 % of investment, every year, to the
    producer-goods groups ``heavy`` and ``energy``.
``light-first``
    Consumer goods first, then the basic industries (the order of many post-war plans that
    first restored consumption): for the first three years at least 50 % of investment to
    ``agriculture`` and ``light`` industry, then at least 60 % to ``heavy`` and ``energy``.
``balanced``
    Investment in each group in proportion to the group's share of base-year output (valued at
    constant prices), within 5 percentage points.
``great-leap``
    An over-ambitious pace, as in the mobilisation campaigns of the late 1950s (China's Great
    Leap Forward): industrial output targets growing 35 % a year, treated as soft, so the plan
    reports where and by how much it falls short instead of failing.

The rules name branch groups (the ``group`` column of the branches); a scenario whose groups
have other names defines its own strategies under ``strategies:``, and a rule on groups the
scenario does not have is refused, naming them.
"""

from __future__ import annotations

from autarky import checks
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
            "light industry, then at least 60 % to heavy industry and energy (consumer goods "
            "first).",
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


def check_groups(strategy: Strategy, groups: set[str]) -> None:
    """Refuse a strategy with a rule whose groups the economy has none of: its share of
    investment would be that of an empty group, forcing investment to zero (a lower bound) or
    making the rule void (an upper bound), silently.

    Examples
    --------
    >>> s = builtin_strategies(1961, 1967)["heavy-first"]
    >>> check_groups(s, {"heavy", "light"})
    >>> check_groups(s, {"primary", "industry"})
    Traceback (most recent call last):
    ...
    autarky.errors.BadValueError: strategy 'heavy-first' has a rule on the groups heavy, energy, \
and the economy has none of them (its groups: industry, primary); define the strategy under \
'strategies:' with the economy's own groups
    """
    for rule in strategy.rules:
        if not set(rule.groups) & groups:
            raise BadValueError(
                f"strategy {strategy.name!r} has a rule on the groups {', '.join(rule.groups)}, "
                f"and the economy has none of them (its groups: {', '.join(sorted(groups))}); "
                "define the strategy under 'strategies:' with the economy's own groups")


def resolve_strategy(settings: PlanSettings, name: str | None) -> Strategy:
    """The strategy called ``name`` (scenario-defined first, then built in; default ``free``)."""
    if settings.horizon is None:
        raise BadValueError("a multi-year plan needs a horizon: {first: year, last: year}")
    known = {**builtin_strategies(*settings.horizon), **settings.strategies}
    name = "free" if name is None or (isinstance(name, str) and not name) else name
    if not isinstance(name, str) or name not in known:
        raise UnknownIdError(f"unknown strategy {checks.quoted(name)}; "
                             f"known: {', '.join(sorted(known))}")
    return known[name]
