"""A multi-regional input-output table: regions x sectors, in one monetary unit.

The layout is the one every producer (OECD ICIO, EXIOBASE, FIGARO, WIOD, Eora) and pymrio use:
rows and columns of the flows ``Z`` are ``(region, sector)`` pairs, region-major; final demand
``Y`` has a column per ``(region, category)``; value-added rows ``V`` and extensions ``F``
(employment, emissions, energy) have a column per ``(region, sector)``. Following Miller & Blair
(2009, ch. 3), gross output is ``x = Z 1 + Y 1`` and the technology ``A = Z diag(x)^-1``.

The arrays are plain numpy (dense, float64) held read-only; the labels are tuples. A table is
checked on construction: shapes, finite numbers, no negative flows where none may be (``Z``),
and, where the source states gross output (an ``OUT`` row), that it matches the row sums
within ``output_tol`` (relative), or a :class:`~autarky.errors.TableError` names the region
and sector.

Examples
--------
>>> import numpy as np
>>> t = MRIO(regions=("home", "abroad"), sectors=("goods",), categories=("consumption",),
...          Z=np.array([[10.0, 5.0], [2.0, 20.0]]), Y=np.array([[85.0, 0.0], [3.0, 75.0]]),
...          value_added=np.array([[88.0, 75.0]]), value_added_rows=("VA",), unit="USD million")
>>> t.x.tolist()
[100.0, 100.0]
>>> t.label(1)
('abroad', 'goods')
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from autarky.checks import quoted
from autarky.errors import BadValueError, TableError


def _frozen(a: Any, name: str, ndim: int) -> np.ndarray:
    """A read-only float64 copy of ``a``; an array that is read-only already (a reader's
    fresh, frozen block) is taken as it is, without a copy."""
    if isinstance(a, np.ndarray) and a.dtype == np.float64 and not a.flags.writeable \
            and a.flags.owndata:
        if a.ndim != ndim:
            raise BadValueError(f"{name} must be {ndim}-dimensional, got shape {a.shape}")
        return a
    arr = np.array(a, dtype=float, copy=True)
    if arr.ndim != ndim:
        raise BadValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True)
class Extension:
    """An extension (satellite account): rows (stressors) by ``(region, sector)`` columns, a
    unit per row, and optionally the stressors of final demand ``F_Y`` (by ``(region,
    category)``)."""

    rows: tuple[str, ...]
    F: np.ndarray
    units: tuple[str, ...]
    F_Y: np.ndarray | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", tuple(str(r) for r in self.rows))
        object.__setattr__(self, "units", tuple(str(u) for u in self.units))
        object.__setattr__(self, "F", _frozen(self.F, "F", 2))
        if self.F_Y is not None:
            object.__setattr__(self, "F_Y", _frozen(self.F_Y, "F_Y", 2))
        if self.F.shape[0] != len(self.rows) or len(self.units) != len(self.rows):
            raise BadValueError(f"an extension with {len(self.rows)} rows has F of shape "
                                f"{self.F.shape} and {len(self.units)} units")


@dataclass(frozen=True)
class MRIO:
    """A multi-regional input-output table (see the module docstring).

    Attributes
    ----------
    regions, sectors, categories
        Labels: every region has the same sectors and final-demand categories.
    Z
        ``(R S, R S)`` intermediate flows, row ``(r, i)`` selling to column ``(s, j)``.
    Y
        ``(R S, R C)`` final demand: row ``(r, i)`` bought by the final users ``(s, c)``.
    value_added, value_added_rows
        ``(K, R S)`` value added (and taxes less subsidies) by component, in the table's unit.
    extensions
        ``{name: Extension}``: physical or other accounts by ``(region, sector)``.
    unit
        The monetary unit of ``Z``, ``Y`` and ``value_added`` (e.g. ``"USD million"``).
    stated_output
        Gross output as the source states it (an ``OUT`` row), checked against ``x``.
    imports_out
        Competitive imports from outside the table, ``(R S,)``: the value of product ``(r,
        i)`` that region ``r`` imports from the rest of the world (a national table's imports
        column); they are part of the uses in ``Z`` and ``Y`` (which hold total use, domestic
        and imported), so the supply of ``(r, i)`` is ``x + imports_out``. ``None``: none.
    provenance
        Where the table comes from: ``format``, ``file``, ``release``, ``year``, ``licence``,
        ``reader`` (the reader and autarky's version) and notes.
    output_tol, output_atol
        Relative and absolute tolerance of the check of ``stated_output`` against
        ``Z 1 + Y 1`` (a published table rounds its entries: ``atol`` in the table's unit).
    """

    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    categories: tuple[str, ...]
    Z: np.ndarray
    Y: np.ndarray
    value_added: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    value_added_rows: tuple[str, ...] = ()
    extensions: dict[str, Extension] = field(default_factory=dict)
    unit: str = "currency unit"
    stated_output: np.ndarray | None = None
    imports_out: np.ndarray | None = None
    provenance: dict[str, Any] = field(default_factory=dict)
    output_tol: float = 1e-6
    output_atol: float = 0.0

    def __post_init__(self) -> None:
        for name in ("regions", "sectors", "categories", "value_added_rows"):
            labels = tuple(str(v) for v in getattr(self, name))
            dup = sorted({v for v in labels if labels.count(v) > 1})
            if dup:
                raise TableError(f"duplicate {name[:-1].replace('_', ' ')} label(s): "
                                 f"{', '.join(dup[:5])}", file=self.provenance.get("file"))
            object.__setattr__(self, name, labels)
        R, S, C = len(self.regions), len(self.sectors), len(self.categories)
        Z = _frozen(self.Z, "Z", 2)
        Y = _frozen(self.Y, "Y", 2)
        if Z.shape != (R * S, R * S):
            raise TableError(f"Z has shape {Z.shape}; {R} regions x {S} sectors need "
                             f"({R * S}, {R * S})", file=self.provenance.get("file"))
        if Y.shape != (R * S, R * C):
            raise TableError(f"Y has shape {Y.shape}; {R} regions x {C} categories need "
                             f"({R * S}, {R * C})", file=self.provenance.get("file"))
        V = self.value_added if isinstance(self.value_added, np.ndarray) else \
            np.asarray(self.value_added, dtype=float)
        V = _frozen(np.zeros((0, R * S)) if V.size == 0 and not self.value_added_rows else V,
                    "value_added", 2)
        if V.shape != (len(self.value_added_rows), R * S):
            raise TableError(f"value_added has shape {V.shape}; expected "
                             f"({len(self.value_added_rows)}, {R * S})",
                             file=self.provenance.get("file"))
        object.__setattr__(self, "Z", Z)
        object.__setattr__(self, "Y", Y)
        object.__setattr__(self, "value_added", V)
        for name, arr in (("Z", Z), ("Y", Y), ("value_added", V)):
            if not np.isfinite(arr).all():
                k = int(np.flatnonzero(~np.isfinite(arr.ravel()))[0])
                r, c = divmod(k, arr.shape[1])
                raise TableError(f"{name}: a value that is not a finite number at row "
                                 f"{self._row_label(name, r)}, column {self._col_label(name, c)}",
                                 file=self.provenance.get("file"))
        if (Z < 0).any():
            r, c = np.argwhere(Z < 0)[0]
            raise TableError(f"Z: negative intermediate flow {Z[r, c]:g} from "
                             f"{'/'.join(self.label(int(r)))} to {'/'.join(self.label(int(c)))}",
                             file=self.provenance.get("file"))
        for name, ext in self.extensions.items():
            if ext.F.shape[1] != R * S:
                raise TableError(f"extension {quoted(name)}: F has {ext.F.shape[1]} columns, "
                                 f"expected {R * S}", file=self.provenance.get("file"))
            if ext.F_Y is not None and ext.F_Y.shape != (len(ext.rows), R * C):
                raise TableError(f"extension {quoted(name)}: F_Y has shape {ext.F_Y.shape}, expected "
                                 f"({len(ext.rows)}, {R * C})", file=self.provenance.get("file"))
        if self.imports_out is not None:
            m = _frozen(self.imports_out, "imports_out", 1)
            if m.shape != (R * S,):
                raise TableError(f"imports_out has {m.size} entries, expected {R * S}",
                                 file=self.provenance.get("file"))
            if (m < 0).any():
                k = int(np.flatnonzero(m < 0)[0])
                raise TableError(f"imports_out: negative imports {m[k]:g} of "
                                 f"{'/'.join(self.label(k))}", file=self.provenance.get("file"))
            object.__setattr__(self, "imports_out", m)
        object.__setattr__(self, "extensions", dict(self.extensions))
        object.__setattr__(self, "provenance", dict(self.provenance))
        if self.stated_output is not None:
            stated = _frozen(self.stated_output, "stated_output", 1)
            object.__setattr__(self, "stated_output", stated)
            self.check_output()

    # ------------------------------------------------------------------ labels
    @property
    def n(self) -> int:
        """Number of ``(region, sector)`` pairs."""
        return len(self.regions) * len(self.sectors)

    def label(self, k: int) -> tuple[str, str]:
        """The ``(region, sector)`` of row or column ``k`` of ``Z``."""
        r, s = divmod(int(k), len(self.sectors))
        return self.regions[r], self.sectors[s]

    def labels(self) -> list[tuple[str, str]]:
        """Every ``(region, sector)``, in the order of ``Z``'s rows."""
        return [(r, s) for r in self.regions for s in self.sectors]

    def _row_label(self, name: str, r: int) -> str:
        if name == "value_added":
            return self.value_added_rows[r]
        return "/".join(self.label(r))

    def _col_label(self, name: str, c: int) -> str:
        if name == "Y":
            reg, cat = divmod(c, max(len(self.categories), 1))
            return f"{self.regions[reg]}/{self.categories[cat]}"
        return "/".join(self.label(c))

    def region_slice(self, region: str) -> slice:
        """The rows (or columns) of ``Z`` that belong to ``region``."""
        try:
            r = self.regions.index(region)
        except ValueError:
            from autarky.errors import UnknownIdError

            raise UnknownIdError(f"no region {quoted(region)}; regions: "
                                 f"{', '.join(self.regions[:20])}"
                                 f"{', ...' if len(self.regions) > 20 else ''}") from None
        S = len(self.sectors)
        return slice(r * S, (r + 1) * S)

    # ------------------------------------------------------------------ accounts
    @property
    def x(self) -> np.ndarray:
        """Gross output ``Z 1 + Y 1 - imports_out`` (the table's unit): total use less what
        comes from outside the table."""
        x = self.Z.sum(axis=1) + self.Y.sum(axis=1)
        return x - self.imports_out if self.imports_out is not None else x

    @property
    def A(self) -> np.ndarray:
        """Technology ``A = Z diag(x)^-1`` (columns of sectors with no output are zero)."""
        return calc_A(self.Z, self.x)

    def check_output(self) -> None:
        """Refuse a stated gross output that differs from ``Z 1 + Y 1`` by more than
        ``output_tol`` (relative to the larger of the two, or to the largest output)."""
        assert self.stated_output is not None
        x, stated = self.x, self.stated_output
        if stated.shape != x.shape:
            raise TableError(f"the stated output has {stated.size} entries, the table {x.size}",
                             file=self.provenance.get("file"))
        scale = np.maximum(np.maximum(np.abs(x), np.abs(stated)),
                           1e-9 * max(float(np.abs(x).max(initial=0.0)), 1.0))
        excess = np.abs(x - stated) - (self.output_tol * scale + self.output_atol)
        if (excess > 0).any():
            k = int(np.argmax(excess))
            rel = abs(x[k] - stated[k]) / scale[k]
            region, sector = self.label(k)
            raise TableError(
                f"totals do not match: the row sums to {x[k]:.10g} (intermediate + final use) "
                f"but its stated output is {stated[k]:.10g} ({100 * rel:.3g} % apart; "
                f"tolerance {100 * self.output_tol:g} % + {self.output_atol:g} {self.unit})",
                file=self.provenance.get("file"), row=f"{region}/{sector}")

    def with_provenance(self, **items: Any) -> MRIO:
        """The same table with ``items`` added to its provenance."""
        return replace(self, provenance={**self.provenance, **items})


def calc_A(Z: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Technical coefficients ``A = Z diag(x)^-1``, zero in the columns of zero output
    (Miller & Blair 2009, eq. 2.4).

    Examples
    --------
    >>> calc_A(np.array([[1.0, 2.0], [3.0, 0.0]]), np.array([10.0, 0.0])).tolist()
    [[0.1, 0.0], [0.3, 0.0]]
    """
    Z = np.asarray(Z, dtype=float)
    x = np.asarray(x, dtype=float)
    cols = np.broadcast_to(x[np.newaxis, :], Z.shape)
    return np.divide(Z, cols, out=np.zeros_like(Z), where=cols != 0)


def coefficients(rows: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Per unit of output: ``rows diag(x)^-1`` (value added or stressor coefficients), zero
    where output is zero."""
    return calc_A(rows, x)


__all__ = ["MRIO", "Extension", "calc_A", "coefficients"]
