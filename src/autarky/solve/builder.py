"""Assemble a :class:`~autarky.solve.lp.LinearProgram` block by block.

Model-building code adds named blocks of variables and of constraint rows; each row block is a
sum of sparse matrices over variable blocks. Names (``"balance:coal"``) are kept for every row
and column so that binding constraints, infeasibilities and unbounded rays can be explained in
the user's terms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from autarky.errors import BadValueError
from autarky.solve.lp import INF, LinearProgram

Term = tuple[np.ndarray, "sp.sparray | np.ndarray"]


def _full(value: float | np.ndarray, n: int) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    return np.full(n, float(arr)) if arr.ndim == 0 else arr.astype(float).copy()


def _cat(parts: list[np.ndarray], dtype: type = float) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)


@dataclass
class LPBuilder:
    """Collects variables and rows; :meth:`build` returns the program.

    Examples
    --------
    ``max x + y`` with ``x + 2 y <= 4`` and ``x <= 3``:

    >>> b = LPBuilder()
    >>> v = b.add_vars("v", 2, upper=[3.0, INF], labels=["x", "y"], cost=1.0)
    >>> _ = b.add_rows("cap", [(v, np.array([[1.0, 2.0]]))], upper=4.0, labels=["total"])
    >>> lp = b.build()
    >>> lp.shape, lp.row_names, lp.col_names
    ((1, 2), ('cap:total',), ('v:x', 'v:y'))
    """

    _lower: list[np.ndarray] = field(default_factory=list)
    _upper: list[np.ndarray] = field(default_factory=list)
    _cost: list[np.ndarray] = field(default_factory=list)
    _col_names: list[str] = field(default_factory=list)
    _rows: list[tuple[list[Term], np.ndarray, np.ndarray]] = field(default_factory=list)
    _row_names: list[str] = field(default_factory=list)
    n_cols: int = 0
    n_rows: int = 0
    blocks: dict[str, np.ndarray] = field(default_factory=dict)
    row_blocks: dict[str, np.ndarray] = field(default_factory=dict)
    #: Labels of each block's entries: ``{block: {"dims": (...), dim: labels, ...}}``.
    coords: dict[str, dict[str, Any]] = field(default_factory=dict)
    _extra_cost: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)

    def add_cost(self, cols: np.ndarray, values: float | np.ndarray) -> None:
        """Add ``values`` to the objective coefficients of columns ``cols``."""
        cols = np.asarray(cols, dtype=np.int64)
        self._extra_cost.append((cols, np.broadcast_to(np.asarray(values, dtype=float),
                                                       cols.shape).copy()))

    def add_vars(self, name: str, n: int, *, lower: float | Sequence[float] | np.ndarray = 0.0,
                 upper: float | Sequence[float] | np.ndarray = INF,
                 cost: float | Sequence[float] | np.ndarray = 0.0,
                 labels: Sequence[str] | None = None,
                 coords: dict[str, Any] | None = None) -> np.ndarray:
        """Add ``n`` variables; return their column indices. ``coords`` keeps the labels of the
        block's entries (``{"dims": ("branch",), "branch": ids}``) for labelled results."""
        idx = np.arange(self.n_cols, self.n_cols + n)
        self._lower.append(_full(np.asarray(lower, dtype=float), n))
        self._upper.append(_full(np.asarray(upper, dtype=float), n))
        self._cost.append(_full(np.asarray(cost, dtype=float), n))
        labels = [str(i) for i in range(n)] if labels is None else list(labels)
        self._col_names += [f"{name}:{lab}" if lab != "" else name for lab in labels]
        self.n_cols += n
        self.blocks[name] = idx
        if coords is not None:
            self.coords[name] = coords
        return idx

    def add_rows(self, name: str, terms: list[Term], *,
                 lower: float | Sequence[float] | np.ndarray = -INF,
                 upper: float | Sequence[float] | np.ndarray = INF,
                 labels: Sequence[str] | None = None,
                 coords: dict[str, Any] | None = None) -> np.ndarray:
        """Add rows ``lower <= sum(M_k v[cols_k]) <= upper``; return their row indices."""
        m = int(terms[0][1].shape[0])
        for cols, mat in terms:
            if mat.shape != (m, len(cols)):
                raise BadValueError(f"block {name}: matrix {mat.shape} does not fit ({m}, {len(cols)})")
        idx = np.arange(self.n_rows, self.n_rows + m)
        self._rows.append((terms, _full(np.asarray(lower, dtype=float), m),
                           _full(np.asarray(upper, dtype=float), m)))
        labels = [str(i) for i in range(m)] if labels is None else list(labels)
        self._row_names += [f"{name}:{lab}" if lab != "" else name for lab in labels]
        self.n_rows += m
        self.row_blocks[name] = idx
        if coords is not None:
            self.coords[name] = coords
        return idx

    def build(self) -> LinearProgram:
        """The assembled program."""
        rows, cols, vals = [], [], []
        row_lower, row_upper = [], []
        offset = 0
        for terms, lo, hi in self._rows:
            for cidx, mat in terms:
                coo = sp.coo_array(mat)
                rows.append(coo.row + offset)
                cols.append(cidx[coo.col])
                vals.append(coo.data)
            offset += len(lo)
            row_lower.append(lo)
            row_upper.append(hi)
        M = sp.csr_array((_cat(vals), (_cat(rows, np.int64), _cat(cols, np.int64))),
                         shape=(self.n_rows, self.n_cols))
        M.sum_duplicates()
        cost = _cat(self._cost)
        for extra_cols, extra in self._extra_cost:
            np.add.at(cost, extra_cols, extra)
        return LinearProgram(cost, M, _cat(row_lower), _cat(row_upper), _cat(self._lower),
                             _cat(self._upper), tuple(self._row_names), tuple(self._col_names))
