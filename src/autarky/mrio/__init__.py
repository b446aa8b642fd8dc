"""Multi-regional input-output tables: the table (:class:`~autarky.mrio.table.MRIO`), its
readers (pymrio both ways, OECD ICIO, FIGARO, a generic labelled matrix), the home-region view
that turns one region into an :class:`~autarky.economy.Economy` with partners, and the
accounts of the whole system (value added embodied by source region, the TiVA set)."""

from __future__ import annotations

from autarky.mrio.table import MRIO, Extension, calc_A

__all__ = ["MRIO", "Extension", "calc_A"]
