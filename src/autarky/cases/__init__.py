"""Case studies: the data, claims, narrative and extra report pages of one source, kept out of
the general layers (which know no case). The command line asks :func:`case_for` whether a
bundled dataset belongs to a case, and lets the case add its pages to the report.

>>> case_for("dprk-1963").name, case_for("island")
('koh1965', None)
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any


@dataclass(frozen=True)
class Case:
    """One case study: its name, title, the bundled datasets that belong to it, the scenario
    ``autarky demo`` reports, and the module that implements it (``datasets()``, ``claims()``,
    ``audit()``, ``export_bytes(name)``, ``additions(scenario_name)``); its files are in the
    module's ``data`` folder."""

    name: str
    title: str
    datasets: tuple[str, ...]
    demo: str
    module: str

    def _impl(self) -> ModuleType:
        return importlib.import_module(self.module)

    def data_dir(self) -> Path:
        """The folder of the case's bundled files."""
        spec = importlib.util.find_spec(self.module)
        assert spec is not None and spec.origin is not None
        return Path(spec.origin).parent / "data"

    def datasets_(self) -> list[Any]:
        """The case's bundled datasets (:class:`autarky.data.Dataset`)."""
        return list(self._impl().datasets())

    def export_bytes(self, dataset: str) -> bytes:
        """The content ``autarky data export`` writes for the case's file dataset ``dataset``
        (claims with the case's links and assumptions, marked as such)."""
        return bytes(self._impl().export_bytes(dataset))

    def claims(self) -> Any:
        """The source's claims."""
        return self._impl().claims()

    def audit(self) -> Any:
        """The audit of the source's claims, with the links and assumptions the case adds."""
        return self._impl().audit()

    def audit_additions(self, readings: bool = False) -> tuple[Any, ...]:
        """The claims the case adds to its source's for the audit (links, assumptions), each
        marked by its ``added`` field; with ``readings``, also the links its claims' other
        readings need."""
        impl = self._impl()
        return (tuple(impl.audit_additions(readings=readings))
                if hasattr(impl, "audit_additions") else ())

    def readings_audit(self) -> Any:
        """The readings of the ambiguous claims weighed by all the case's claims
        (:class:`autarky.monitor.readings.ReadingsAudit`), or ``None`` where the case has
        none."""
        impl = self._impl()
        return impl.readings_audit() if hasattr(impl, "readings_audit") else None

    def additions(self, scenario: str) -> Any:
        """What the case adds to the report of its bundled scenario ``scenario``
        (:class:`autarky.report.site.Additions`)."""
        return self._impl().additions(scenario)


CASES = (
    Case("koh1965", "North Korea and its quest for autonomy (B. C. Koh, 1965-66)",
         ("dprk-1963", "seven-year-plan", "three-year-plan", "claims", "research-claims"),
         "dprk-1963", "autarky.cases.koh1965"),
)


def case_for(dataset: str) -> Case | None:
    """The case a bundled dataset belongs to, if any."""
    return next((c for c in CASES if dataset in c.datasets), None)


__all__ = ["CASES", "Case", "case_for"]
