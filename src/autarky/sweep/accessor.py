"""``economy.uncertainty`` and ``scenario.uncertainty``: the scenario's uncertain numbers, draws of
them and sweeps over them, registered from this layer.

Examples
--------
>>> from autarky import data
>>> scn = data.load("island")
>>> [e.label for e in scn.uncertainty.entries][:1]
['technology[manufacturing, manufacturing]']
>>> d = scn.uncertainty.sample(3, seed=1, vary=["import_shares"])
>>> d.values.shape, d.failed
((3, 2), 0)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from autarky.economy.accessors import register_accessor
from autarky.economy.scenario import as_scenario
from autarky.sweep.uncertain import Draws, Uncertain, choose_entries, entries_of, sample

if TYPE_CHECKING:
    import xarray as xr

    from autarky.economy import Economy, Scenario


@register_accessor("uncertainty")
class UncertaintyAccessor:
    """The uncertain numbers of one economy or scenario, reached as ``economy.uncertainty``."""

    def __init__(self, obj: Economy | Scenario) -> None:
        self._scenario = as_scenario(obj)

    @property
    def entries(self) -> list[Uncertain]:
        """Every uncertain number the scenario declares (those that follow another included)."""
        return entries_of(self._scenario)

    def sample(self, n: int, seed: int = 0, *, vary: Sequence[str] | None = None) -> Draws:
        """``n`` consistent draws (see :func:`autarky.sweep.uncertain.sample`): draws that break
        the scenario are counted in ``Draws.failed``, never dropped."""
        return sample(self._scenario, choose_entries(self.entries, vary), n, seed)

    def sweep(self, runs: Sequence[str], **kwargs: Any) -> xr.Dataset:
        """Analyses over draws and a grid; see :func:`autarky.sweep.engine.sweep`."""
        from autarky.sweep.engine import sweep

        return sweep(self._scenario, runs, **kwargs)
