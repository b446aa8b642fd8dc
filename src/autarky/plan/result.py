"""The :class:`Plan`: the result of balancing (and later optimizing) an economy."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


def _ro(s: pd.Series) -> pd.Series:
    return s.copy()


@dataclass(frozen=True)
class Plan:
    """A balanced plan: what each branch must produce, what it uses, and the factors it needs.

    All series are indexed by branch id and measured in each branch's unit (see :attr:`units`).
    Instances are immutable; the accessors return copies.

    Attributes
    ----------
    method
        How the plan was obtained (e.g. ``"balance"``).
    """

    method: str
    _gross_output: pd.Series
    _intermediate_use: pd.Series
    _final_demand: pd.DataFrame
    _units: pd.Series
    _factors: pd.DataFrame
    _reported_output: pd.Series | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def gross_output(self) -> pd.Series:
        """Gross output ``x`` per branch, in the branch's unit."""
        return _ro(self._gross_output)

    @property
    def intermediate_use(self) -> pd.Series:
        """Intermediate use ``A x`` of each product, in the product's unit."""
        return _ro(self._intermediate_use)

    @property
    def final_demand(self) -> pd.DataFrame:
        """Final demand by category (``branch x category``) the plan delivers."""
        return self._final_demand.copy()

    @property
    def units(self) -> pd.Series:
        """Unit of each branch."""
        return _ro(self._units)

    @property
    def factor_requirements(self) -> pd.DataFrame:
        """Per factor: ``unit``, ``required`` (``F x``), ``available`` and ``utilisation``."""
        return self._factors.copy()

    @property
    def reported_output(self) -> pd.Series | None:
        """The scenario's reported output, where it has one."""
        return None if self._reported_output is None else _ro(self._reported_output)

    def table(self) -> pd.DataFrame:
        """The balance of each product, one row per branch.

        Columns: ``unit``, ``gross_output``, ``intermediate_use``, ``final_demand`` (resources =
        uses: ``gross_output = intermediate_use + final_demand``), and, where the scenario reports
        output, ``reported`` and ``deviation`` (relative, balance over reported minus one).
        """
        df = pd.DataFrame({
            "unit": self._units,
            "gross_output": self._gross_output,
            "intermediate_use": self._intermediate_use,
            "final_demand": self._final_demand.sum(axis=1),
        })
        if self._reported_output is not None:
            rep = self._reported_output
            df["reported"] = rep
            with np.errstate(divide="ignore", invalid="ignore"):
                df["deviation"] = np.where(rep != 0, self._gross_output / rep - 1.0, np.nan)
        df.index.name = "branch"
        return df

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary; ``gross_output`` maps branch id to its value."""
        fac = self._factors
        return {
            "method": self.method,
            "gross_output": {k: float(v) for k, v in self._gross_output.items()},
            "intermediate_use": {k: float(v) for k, v in self._intermediate_use.items()},
            "final_demand": {k: float(v) for k, v in self._final_demand.sum(axis=1).items()},
            "units": {k: str(v) for k, v in self._units.items()},
            "factor_requirements": {
                str(f): {"unit": str(row["unit"]), "required": float(row["required"]),
                         "available": None if pd.isna(row["available"])
                         else float(row["available"])}
                for f, row in fac.iterrows()
            },
            **({"meta": self.meta} if self.meta else {}),
        }
