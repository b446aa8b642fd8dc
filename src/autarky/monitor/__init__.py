"""Layer 6: monitoring — a plan against reported actuals, and the audit of claimed statistics.

Importing this package registers the ``monitor`` accessor (``economy.monitor(actuals)``)."""

from autarky.monitor.accessor import MonitorAccessor
from autarky.monitor.audit import AuditResult, Estimate, audit, half_unit, read_claims_csv, stated_half_unit
from autarky.monitor.digits import (
    BenfordResult,
    LastDigitResult,
    benford_expected,
    benford_test,
    last_digit_test,
)
from autarky.monitor.monitoring import MonitorResult, monitor
from autarky.monitor.reports import Reports, Targets, read_actuals, read_targets, targets_from_plan

__all__ = [
    "AuditResult",
    "BenfordResult",
    "Estimate",
    "LastDigitResult",
    "MonitorAccessor",
    "MonitorResult",
    "Reports",
    "Targets",
    "audit",
    "benford_expected",
    "benford_test",
    "half_unit",
    "last_digit_test",
    "monitor",
    "read_actuals",
    "read_claims_csv",
    "read_targets",
    "stated_half_unit",
    "targets_from_plan",
]
