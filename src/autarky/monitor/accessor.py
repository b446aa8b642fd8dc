"""``economy.monitor`` and ``scenario.monitor``: a plan against reported actuals, registered from
this layer (as :mod:`autarky.plan.accessor` registers ``economy.plan``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from autarky.economy.accessors import register_accessor
from autarky.economy.reports import Reports, Targets
from autarky.economy.scenario import as_scenario
from autarky.errors import AutarkyError, BadTypeError
from autarky.io.reports import read_actuals, read_targets

if TYPE_CHECKING:
    from autarky.economy import Economy, Scenario
    from autarky.monitor.monitoring import MonitorResult


@register_accessor("monitor")
class MonitorAccessor:
    """Monitoring of one economy or scenario against reports, reached as ``economy.monitor``."""

    def __init__(self, obj: Economy | Scenario) -> None:
        self._scenario = as_scenario(obj)

    def __call__(self, actuals: Reports | str | Path, targets: Targets | str | Path | None = None,
                 *, strategy: str | None = None, **kwargs: Any) -> MonitorResult:
        """Compare the targets with the reported ``actuals``; see :func:`~autarky.monitor.monitor`.

        Parameters
        ----------
        actuals
            :class:`~autarky.economy.reports.Reports`, or the path of an actuals CSV
            (:func:`~autarky.io.reports.read_actuals`).
        targets
            :class:`~autarky.economy.reports.Targets`, or the path of a targets CSV
            (:func:`~autarky.io.reports.read_targets`). By default the targets of the
            scenario's own multi-year plan under ``strategy``
            (:func:`~autarky.monitor.reports.targets_from_plan`).
        strategy
            The strategy of that plan (default: the scenario's).
        **kwargs
            Passed on to :func:`~autarky.monitor.monitoring.monitor` (``end``, ``interval``,
            ``model``, ...).

        Raises
        ------
        AutarkyError
            Where the default plan has no optimum, so no targets.

        Examples
        --------
        The bundled Seven Year Plan: 320 by 1967 from 219.1476 in 1965 needs
        ``(320 / 219.1476) ** 0.5 - 1 = 20.84 %`` a year.

        >>> import autarky
        >>> from autarky.io.reports import bundled
        >>> eco = autarky.Economy.from_coefficients([[0.1]], [5.0])
        >>> res = eco.monitor(bundled("seven-year-plan-actuals.csv"),
        ...                   bundled("seven-year-plan-targets.csv"))
        >>> round(float(res.required_growth["industrial-output"]), 4)
        0.2084
        """
        from autarky.monitor.monitoring import monitor
        from autarky.monitor.reports import targets_from_plan

        if targets is None:
            import autarky.plan  # noqa: F401  (registers the plan accessor)

            plan = self._scenario.plan.multiyear(strategy)
            if not plan.ok:
                raise AutarkyError(f"the {plan.strategy} plan is {plan.status}: no targets")
            targets = targets_from_plan(plan)
        elif not isinstance(targets, Targets):
            if not isinstance(targets, (str, Path)):
                raise BadTypeError(f"targets must be Targets or the path of a targets CSV, got "
                                   f"{type(targets).__name__}")
            targets = read_targets(targets)
        if not isinstance(actuals, (Reports, str, Path)):
            raise BadTypeError(f"actuals must be Reports or the path of an actuals CSV, got "
                               f"{type(actuals).__name__}")
        reports = actuals if isinstance(actuals, Reports) else read_actuals(actuals)
        return monitor(targets, reports, **kwargs)
