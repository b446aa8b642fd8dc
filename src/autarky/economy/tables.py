"""Generic operations on the tables the registry declares: coercion to read-only storage,
validation, reordering, rescaling, equality and labelled views.

Storage forms: a read-only ``numpy`` array of the table's shape (a 0-d array for a scalar); a
read-only ``scipy.sparse.csr_array`` for a sparse two-dimensional table; a tuple of read-only
``csr_array`` (one per partner) for ``partner x input x branch``. Every operation is ``O(size)``
or ``O(nnz)``: positions come from ``pd.Index.get_indexer``, never from list searches.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from autarky import checks
from autarky.economy.registry import BRANCH_DIMS, TABLES, TableSpec, unit_exponents
from autarky.errors import BadTypeError, BadValueError, UnknownIdError

Stored = Any  # np.ndarray | sp.csr_array | tuple[sp.csr_array, ...]


@dataclass(frozen=True)
class Coords:
    """The coordinates of an economy's (and its scenario's) dimensions."""

    branch: pd.Index
    factor: pd.Index
    partner: pd.Index
    category: pd.Index
    year: pd.Index

    def index(self, dim: str) -> pd.Index:
        """The labels along ``dim`` (``input`` shares the branch labels)."""
        return self.branch if dim in BRANCH_DIMS else getattr(self, dim)

    def shape(self, spec: TableSpec) -> tuple[int, ...]:
        return tuple(len(self.index(d)) for d in spec.dims)

    @staticmethod
    def make(branch: Sequence[str], factor: Sequence[str] = (), partner: Sequence[str] = (),
             category: Sequence[str] = ("total",), year: Sequence[int] = ()) -> Coords:
        return Coords(pd.Index(list(branch), name="branch", dtype=object),
                      pd.Index(list(factor), name="factor", dtype=object),
                      pd.Index(list(partner), name="partner", dtype=object),
                      pd.Index(list(category), name="category", dtype=object),
                      pd.Index([int(y) for y in year], name="year", dtype=np.int64))


def _name(spec: TableSpec) -> str:
    """The table's name in messages (``factor coefficients``)."""
    return spec.name.replace("_", " ")


def freeze(value: Stored) -> Stored:
    """Make stored data read-only (in place) and return it; sparse data is put in canonical
    form first (sorted indices, no duplicates), since later scipy calls sort indices in place."""
    if isinstance(value, tuple):
        for block in value:
            freeze(block)
    elif sp.issparse(value):
        value.sum_duplicates()
        value.sort_indices()
        for arr in (value.data, value.indices, value.indptr):
            arr.flags.writeable = False
    elif isinstance(value, np.ndarray):
        value.flags.writeable = False
    return value


def _positions(labels: Any, index: pd.Index, spec: TableSpec, dim: str) -> np.ndarray:
    """Positions of ``labels`` in ``index``; an error naming unknown labels."""
    lab = pd.Index([str(v) if not isinstance(v, (int, np.integer)) or dim != "year" else int(v)
                    for v in labels])
    pos = index.get_indexer(lab)
    if np.any(pos < 0):
        raise UnknownIdError(f"{_name(spec)}: unknown {dim} id(s) {checks.id_text(lab[pos < 0])}"
                             + (f"; known: {checks.id_text(index, k=8)}" if len(index) else ""))
    if lab.has_duplicates:
        raise BadValueError(f"{_name(spec)}: duplicate {dim} id(s) "
                            f"{checks.id_text(lab[lab.duplicated()])}")
    return pos


def _from_pandas(value: pd.Series | pd.DataFrame, spec: TableSpec, coords: Coords) -> np.ndarray:
    shape = coords.shape(spec)
    out = np.full(shape, spec.default, dtype=float)
    if isinstance(value, pd.Series):
        if len(spec.dims) != 1:
            raise BadTypeError(f"{_name(spec)} has dimensions {', '.join(spec.dims)}; a Series "
                               "fits one-dimensional tables only")
        pos = _positions(value.index, coords.index(spec.dims[0]), spec, spec.dims[0])
        out[pos] = checks.floats(_name(spec), value.to_numpy())
        return out
    if len(spec.dims) != 2:
        raise BadTypeError(f"{_name(spec)} has dimensions {', '.join(spec.dims)}; a DataFrame "
                           "fits two-dimensional tables only")
    r = _positions(value.index, coords.index(spec.dims[0]), spec, spec.dims[0])
    c = _positions(value.columns, coords.index(spec.dims[1]), spec, spec.dims[1])
    vals = checks.floats(_name(spec), value.to_numpy())
    given = ~np.isnan(vals) if np.isnan(spec.default) else np.ones(vals.shape, dtype=bool)
    block = np.where(given, vals, spec.default)
    out[np.ix_(r, c)] = block
    return out


def _from_mapping(value: Mapping[Any, Any], spec: TableSpec, coords: Coords) -> np.ndarray:
    """A nested mapping in ``spec.dims`` order (``{partner: {branch: value}}``)."""
    out = np.full(coords.shape(spec), spec.default, dtype=float)

    def fill(obj: Any, depth: int, at: tuple[int, ...]) -> None:
        if depth == len(spec.dims):
            try:
                out[at] = float(obj)
            except ValueError:
                raise BadValueError(f"{_name(spec)}: {obj!r:.60} is not a number") from None
            except TypeError:
                raise BadTypeError(f"{_name(spec)}: expected a number, got {obj!r:.60}") from None
            return
        if not isinstance(obj, Mapping):
            raise BadTypeError(f"{_name(spec)}: expected a mapping by {spec.dims[depth]}, got "
                               f"{obj!r:.60}")
        dim = spec.dims[depth]
        pos = _positions(list(obj.keys()), coords.index(dim), spec, dim)
        for p, v in zip(pos, obj.values(), strict=True):
            fill(v, depth + 1, (*at, int(p)))

    fill(value, 0, ())
    return out


def _sparse_2d(value: Any, spec: TableSpec, coords: Coords, shape: tuple[int, int],
               copy: bool = True) -> Any:
    if sp.issparse(value):
        # a copy unless asked not to: canonical form is made in place, on the caller's arrays
        # only where the caller handed them over (copy=False)
        m = sp.csr_array(value, dtype=float, copy=copy)
        m.sum_duplicates()
        m.sort_indices()
        if m.shape != shape:
            raise BadValueError(f"{_name(spec)} has shape {m.shape}, expected {shape}")
        return m
    if isinstance(value, (pd.DataFrame, Mapping)):
        sub = TableSpec(spec.name, spec.dims[-2:], spec.unit, spec.description)
        dense = _from_pandas(value, sub, coords) if isinstance(value, pd.DataFrame) else \
            _from_mapping(value, sub, coords)
        return dense
    arr = checks.floats(_name(spec), value)
    n = shape[0]
    if arr.size == 0 and n == 0:
        arr = arr.reshape(shape)
    if arr.shape != shape:
        raise BadValueError(f"{_name(spec)} has shape {arr.shape}, expected {shape}")
    return np.array(arr, dtype=float, copy=True if copy else None)


def coerce(spec: TableSpec, value: Any, coords: Coords, copy: bool = True) -> Stored | None:
    """The stored, read-only form of ``value`` for ``spec`` (``None`` for an absent optional
    table); raises :class:`~autarky.errors.BadValueError` for a wrong shape or value,
    :class:`~autarky.errors.UnknownIdError` for an unknown label.

    With ``copy=False`` a table given as a float64 dense array that owns its memory, or as a
    sparse matrix over numpy arrays, is stored as it is, made read-only in place (the caller's
    arrays and their bases too); a dense view, or memory numpy does not own, is copied as usual
    (sealing it would seal memory beyond the table, or could not stop writes through its
    owner). Views the caller made before remain writeable: they must not be written."""
    if not copy and not _owns(value):
        copy = True
    shape = coords.shape(spec)
    if value is None:
        if spec.optional:
            return None
        # a table left at its default is one number seen in every cell (read-only, no memory:
        # at 10^6 products the absent price, limit and capacity tables were 100 MB to write)
        stored: Stored = np.broadcast_to(np.float64(spec.default), shape)
        return freeze(stored)
    if spec.sparse and len(spec.dims) == 3:
        P = shape[0]
        if isinstance(value, Mapping):
            pos = _positions(list(value.keys()), coords.partner, spec, "partner")
            blocks: list[Any] = [sp.csr_array(shape[1:], dtype=float) for _ in range(P)]
            for p, v in zip(pos, value.values(), strict=True):
                blocks[int(p)] = v
        elif isinstance(value, np.ndarray) and value.ndim == 3:
            blocks = list(value)
        else:
            blocks = list(value)
        if len(blocks) != P:
            raise BadValueError(f"{_name(spec)}: {len(blocks)} partner blocks, expected {P}")
        inner = (shape[1], shape[2])
        # each block a matrix of its own (a sparse one copied by _sparse_2d, a dense one
        # converted)
        out = tuple(m if sp.issparse(m := _sparse_2d(b, spec, coords, inner))
                    else sp.csr_array(m) for b in blocks)
        for b in out:
            b.eliminate_zeros()
        validate(spec, out, coords)
        return freeze(out)
    if len(spec.dims) == 3 and isinstance(value, Mapping) and value and all(
            isinstance(v, (pd.DataFrame, np.ndarray)) or sp.issparse(v) for v in value.values()):
        stored = np.full(shape, spec.default, dtype=float)
        pos = _positions(list(value.keys()), coords.index(spec.dims[0]), spec, spec.dims[0])
        sub = TableSpec(spec.name, spec.dims[1:], spec.unit, spec.description, spec.default)
        for p, v in zip(pos, value.values(), strict=True):
            block = (_from_pandas(v, sub, coords) if isinstance(v, pd.DataFrame)
                     else (v.toarray() if sp.issparse(v) else checks.floats(_name(spec), v)))
            if block.shape != shape[1:]:
                raise BadValueError(f"{_name(spec)}: a block of shape {block.shape}, expected "
                                    f"{shape[1:]}")
            stored[int(p)] = block
    elif spec.sparse and len(spec.dims) == 2:
        stored = _sparse_2d(value, spec, coords, shape, copy)  # type: ignore[arg-type]
    elif isinstance(value, (pd.Series, pd.DataFrame)):
        stored = _from_pandas(value, spec, coords)
    elif isinstance(value, Mapping):
        stored = _from_mapping(value, spec, coords)
    else:
        arr = np.array(checks.floats(_name(spec), value), dtype=float,
                       copy=True if copy else None)
        if arr.ndim == 0 and shape != ():
            arr = np.full(shape, float(arr))
        if arr.shape != shape:
            if arr.size == 0 and int(np.prod(shape)) == 0:
                arr = arr.reshape(shape)
            else:
                raise BadValueError(f"{_name(spec)} has shape {arr.shape}, expected {shape} "
                                    f"({' x '.join(spec.dims) or 'a number'})")
        stored = arr
    validate(spec, stored, coords)
    stored = freeze(stored)
    if not copy:
        _seal(value, stored)
    return stored


def _owns(value: Any) -> bool:
    """Whether ``copy=False`` may keep ``value``: a dense array that owns its memory (a view
    would seal the memory around it), or a sparse matrix over numpy arrays (scipy's own
    arrays are often views of its buffers)."""
    if sp.issparse(value):
        arrays = [getattr(value, a) for a in ("data", "indices", "indptr", "row", "col")
                  if hasattr(value, a)]
        # numpy's own memory at the end of each chain of views, not a foreign buffer
        return bool(arrays) and all(isinstance(a, np.ndarray) and _chain(a)[-1].base is None
                                    for a in arrays)
    return isinstance(value, np.ndarray) and bool(value.flags.owndata)


def _chain(a: np.ndarray) -> list[np.ndarray]:
    """``a`` and the numpy arrays it is a view of, innermost first."""
    out = [a]
    while isinstance(out[-1].base, np.ndarray):
        out.append(out[-1].base)
    return out


def _seal(value: Any, stored: Stored) -> None:
    """Make the caller's arrays that ``stored`` shares read-only too (``copy=False``): the
    stored matrix may be a new object over the same memory, and a view made read-only leaves
    its base writeable, so the chain of bases is sealed (for a sparse matrix, scipy's own
    buffers)."""
    pairs: list[tuple[Any, Any]] = []
    if sp.issparse(value) and sp.issparse(stored):
        names = ("data", "indices", "indptr")
        pairs = [(getattr(value, a), getattr(stored, a)) for a in names
                 if hasattr(value, a) and hasattr(stored, a)]
    elif isinstance(value, np.ndarray) and isinstance(stored, np.ndarray):
        pairs = [(value, stored)]
    for mine, theirs in pairs:
        for base in _chain(mine) if isinstance(mine, np.ndarray) else []:
            if np.may_share_memory(base, theirs):
                base.flags.writeable = False


def writeable_flags(values: Any) -> list[tuple[np.ndarray, bool]]:
    """The caller's arrays among ``values`` with their ``writeable`` flags, so that a failed
    construction with ``copy=False`` can give them back as they were."""
    out: list[tuple[np.ndarray, bool]] = []
    for v in values:
        arrays = [getattr(v, a) for a in ("data", "indices", "indptr") if hasattr(v, a)] \
            if sp.issparse(v) else [v]
        out.extend((b, bool(b.flags.writeable)) for a in arrays if isinstance(a, np.ndarray)
                   for b in _chain(a))            # the bases too: _seal seals them
    return out


def _values(stored: Stored) -> list[np.ndarray]:
    if isinstance(stored, tuple):
        return [b.data for b in stored]
    if sp.issparse(stored):
        return [stored.data]
    return [np.asarray(stored)]


def _where(spec: TableSpec, stored: Stored, coords: Coords, bad: np.ndarray, block: int) -> str:
    """Labels of the first offending entry."""
    if isinstance(stored, tuple) or sp.issparse(stored):
        m = stored[block] if isinstance(stored, tuple) else stored
        k = int(np.flatnonzero(bad)[0])
        row = int(np.searchsorted(m.indptr, k, side="right") - 1)
        labels = ([str(coords.partner[block])] if isinstance(stored, tuple) else []) + \
            [str(coords.branch[row]), str(coords.branch[m.indices[k]])]
        return "/".join(labels)
    idx = np.unravel_index(int(np.flatnonzero(bad.ravel())[0]), bad.shape)
    return "/".join(str(coords.index(d)[i]) for d, i in zip(spec.dims, idx, strict=True))


def _min_max(v: np.ndarray) -> tuple[float, float]:
    """Smallest and largest value; a large array in cache-sized chunks, each read once for both
    (one pass over memory instead of two)."""
    step = 1 << 16
    flat = v.reshape(-1) if v.flags.c_contiguous else None
    if flat is None or flat.size <= 4 * step:
        return float(v.min()), float(v.max())
    lo, hi = np.inf, -np.inf
    for i in range(0, flat.size, step):
        chunk = flat[i:i + step]
        c_lo, c_hi = float(chunk.min()), float(chunk.max())
        if c_lo != c_lo:               # nan (in both): the verdict is known
            return c_lo, c_hi
        lo, hi = min(lo, c_lo), max(hi, c_hi)
    return lo, hi


def _plainly_valid(spec: TableSpec, v: np.ndarray) -> bool:
    """The common case in one pass and no large temporaries: every value finite and within the
    bounds (the detailed checks below then only run to name what is wrong)."""
    lo, hi = _min_max(v)                           # nan propagates into both
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return False
    if spec.lower is not None and lo < spec.lower:
        return False
    if spec.upper is not None and (hi >= spec.upper if spec.upper_open else hi > spec.upper):
        return False
    return spec.dtype != "int"


def validate(spec: TableSpec, stored: Stored, coords: Coords) -> None:
    """Finite values within the bounds (``nan``/``inf`` only where they are the default)."""
    for block, v in enumerate(_values(stored)):
        if v.size == 0:
            continue
        if _plainly_valid(spec, v):
            continue
        allow_nan = bool(np.isnan(spec.default))
        allow_inf = bool(np.isinf(spec.default))
        nan = np.isnan(v)
        if nan.any() and not allow_nan:
            raise BadValueError(f"{_name(spec)} of {_where(spec, stored, coords, nan, block)} "
                                "is not a number (non-finite values are not allowed)")
        inf = np.isinf(v)
        if inf.any() and not (allow_inf and np.all(v[inf] > 0)):
            raise BadValueError(f"{_name(spec)} of {_where(spec, stored, coords, inf, block)} "
                                "is non-finite; it must be a finite number")
        fin = np.where(nan, 0.0 if spec.lower is None else spec.lower, v)
        low = np.zeros(v.shape, dtype=bool) if spec.lower is None else fin < spec.lower
        if spec.upper is None:
            high = np.zeros(v.shape, dtype=bool)
        else:
            high = (fin >= spec.upper) if spec.upper_open else (fin > spec.upper)
            high &= ~inf
        out = low | high
        if out.any():
            k = np.flatnonzero(out.ravel())[0]
            what = "negative" if low.ravel()[k] and spec.lower == 0 else "out of bounds"
            raise BadValueError(f"{_name(spec)} of {_where(spec, stored, coords, out, block)} is "
                                f"{what} ({v.ravel()[k]:g}); it must lie in {spec.bounds_text()}")
        if spec.dtype == "int" and np.any(fin != np.round(fin)):
            bad = fin != np.round(fin)
            raise BadValueError(f"{_name(spec)} of {_where(spec, stored, coords, bad, block)} must "
                                "be a whole number")


# ---------------------------------------------------------------------------- transformations
def take_branches(spec: TableSpec, stored: Stored | None, pos: np.ndarray) -> Stored | None:
    """The table with its branch axes permuted (or subset) by ``pos``."""
    if stored is None or not spec.branch_axes:
        return stored
    if isinstance(stored, tuple):
        return freeze(tuple(sp.csr_array(b[pos][:, pos]) for b in stored))
    if sp.issparse(stored):
        return freeze(sp.csr_array(sp.csr_array(stored)[pos][:, pos]))
    out = np.asarray(stored)
    for ax in spec.branch_axes:
        out = np.take(out, pos, axis=ax)
    return freeze(np.array(out))


def take_axis(spec: TableSpec, stored: Stored | None, dim: str, pos: np.ndarray
              ) -> Stored | None:
    """The table with its ``dim`` axis (``factor``, ``partner``, ``category``) taken at ``pos``."""
    if stored is None or dim not in spec.dims:
        return stored
    ax = spec.dims.index(dim)
    if isinstance(stored, tuple):
        return freeze(tuple(stored[int(p)] for p in pos))
    return freeze(np.array(np.take(np.asarray(stored), pos, axis=ax)))


def _selection(old: pd.Index, new: pd.Index) -> sp.csr_array:
    """``new x old`` 0/1 matrix picking each new label's old position (zero rows for new ones)."""
    pos = old.get_indexer(new)
    keep = np.flatnonzero(pos >= 0)
    return sp.csr_array((np.ones(len(keep)), (keep, pos[keep])), shape=(len(new), len(old)))


def realign(spec: TableSpec, stored: Stored | None, old: Coords, new: Coords) -> Stored | None:
    """The table moved from ``old`` to ``new`` coordinates by label: labels that go are
    dropped, new labels take the default."""
    if stored is None:
        return None
    if all(old.index(d).equals(new.index(d)) for d in spec.dims):
        return stored
    if isinstance(stored, tuple):
        P = _selection(old.partner, new.partner)
        R = _selection(old.branch, new.branch)
        blocks = []
        for k in range(len(new.partner)):
            src = P.indices[P.indptr[k]:P.indptr[k + 1]]
            b = stored[int(src[0])] if len(src) else sp.csr_array((len(old.branch),) * 2)
            blocks.append(sp.csr_array(R @ b @ R.T))
        return freeze(tuple(blocks))
    if sp.issparse(stored):
        R = _selection(old.branch, new.branch)
        return freeze(sp.csr_array(R @ stored @ R.T))
    out = np.asarray(stored, dtype=float)
    for ax, d in enumerate(spec.dims):
        o, n_ = old.index(d), new.index(d)
        if o.equals(n_):
            continue
        pos = o.get_indexer(n_)
        taken = np.take(out, np.maximum(pos, 0), axis=ax) if len(o) else np.full(
            tuple(len(n_) if a == ax else s for a, s in enumerate(out.shape)), spec.default)
        shape = [1] * out.ndim
        shape[ax] = -1
        out = np.where((pos < 0).reshape(shape), spec.default, taken)
    return freeze(np.array(out))


def scale_along(spec: TableSpec, stored: Stored | None, factors: Mapping[str, np.ndarray | float]
                ) -> Stored | None:
    """Multiply by ``factors[dim]`` along each dim it names (a vector over the dim's
    coordinate, or a number for a dimensionless symbol such as ``currency``)."""
    if stored is None:
        return None
    vecs: dict[int, np.ndarray] = {}
    scalar = 1.0
    for key, f in factors.items():
        if np.ndim(f) == 0:
            scalar *= float(np.asarray(f))
            continue
        for ax, d in enumerate(spec.dims):
            if d == key:
                vecs[ax] = np.asarray(f, dtype=float)
    if isinstance(stored, tuple):
        r = vecs.get(1)
        c = vecs.get(2)
        p = vecs.get(0)
        out = []
        for k, b in enumerate(stored):
            m = sp.csr_array(b, copy=True)
            if r is not None:
                m = sp.csr_array(sp.diags_array(r) @ m)
            if c is not None:
                m = sp.csr_array(m @ sp.diags_array(c))
            s = scalar * (1.0 if p is None else float(p[k]))
            out.append(sp.csr_array(m * s) if s != 1.0 else m)
        return freeze(tuple(out))
    if sp.issparse(stored):
        m = sp.csr_array(stored, copy=True)
        if 0 in vecs:
            m = sp.csr_array(sp.diags_array(vecs[0]) @ m)
        if 1 in vecs:
            m = sp.csr_array(m @ sp.diags_array(vecs[1]))
        return freeze(sp.csr_array(m * scalar) if scalar != 1.0 else m)
    out_arr = np.array(stored, dtype=float) * scalar
    for ax, v in vecs.items():
        shape = [1] * out_arr.ndim
        shape[ax] = -1
        out_arr = out_arr * v.reshape(shape)
    return freeze(out_arr)


def rescale_factors(spec: TableSpec, symbol: str, position: int | None, factor: float,
                    size: int) -> dict[str, np.ndarray | float]:
    """The ``scale_along`` factors that measure one entry of ``symbol`` (a branch or factor at
    ``position``; ``currency`` with ``position=None``) in a unit ``factor`` times larger."""
    exps = unit_exponents(spec.unit)
    out: dict[str, np.ndarray | float] = {}
    if symbol == "currency":
        e = exps.get("currency", 0)
        if e:
            out["currency"] = float(factor) ** (-e)  # numpy integers take no negative powers
        return out
    dims = ("input", "branch") if symbol == "branch" else (symbol,)
    for d in dims:
        e = exps.get(d, 0)
        if e and d in spec.dims:
            v = np.ones(size)
            v[position] = float(factor) ** (-e)
            out[d] = v
    return out


def rescale_tables(tables: Mapping[str, Stored | None], symbol: str, position: int | None,
                   factor: float, size: int) -> dict[str, Stored | None]:
    """Every table of ``tables`` (registry name to stored data) with one entry of ``symbol``
    measured in a unit ``factor`` times larger (see :func:`rescale_factors`); tables the unit
    does not enter are passed on as they are."""
    out = {}
    for name, val in tables.items():
        f = rescale_factors(TABLES[name], symbol, position, factor, size)
        out[name] = scale_along(TABLES[name], val, f) if f else val
    return out


# ---------------------------------------------------------------------------- comparison, views
def dense(stored: Stored) -> np.ndarray:
    """A dense copy of stored data (a 3-D array for a partner stack)."""
    if isinstance(stored, tuple):
        if not stored:
            return np.zeros((0, 0, 0))
        return np.stack([b.toarray() for b in stored])
    if sp.issparse(stored):
        return np.asarray(stored.toarray())
    return np.array(stored, dtype=float)


def assert_table_equal(spec: TableSpec, a: Stored | None, b: Stored | None, rtol: float,
                       atol: float) -> None:
    """Assert two stored tables hold the same values (``nan`` equal to ``nan``)."""
    if (a is None) != (b is None):
        raise AssertionError(f"{spec.name} is present in one only")
    if a is None or b is None:
        return
    pairs = list(zip(a, b, strict=True)) if isinstance(a, tuple) and isinstance(b, tuple) \
        else [(a, b)]
    if all(sp.issparse(x) and sp.issparse(y) for x, y in pairs):  # never densify
        for x, y in pairs:
            if x.shape != y.shape:
                raise AssertionError(f"{spec.name} has shape {x.shape} against {y.shape}")
            diff = abs(sp.csr_array(x) - sp.csr_array(y))
            bound = abs(sp.csr_array(y)) * rtol
            excess = sp.csr_array(diff - bound)
            if excess.nnz and float(excess.data.max()) > atol:
                raise AssertionError(f"{spec.name} differs (by up to {float(diff.max()):g})")
        return
    da, db = dense(a), dense(b)
    if da.shape != db.shape:
        raise AssertionError(f"{_name(spec)} has shape {da.shape} against {db.shape}")
    np.testing.assert_allclose(da, db, rtol=rtol, atol=atol, equal_nan=True,
                               err_msg=f"{spec.name} differs")


def labelled(spec: TableSpec, stored: Stored | None, coords: Coords) -> Any:
    """A labelled copy: a Series (one dim), a DataFrame (two), a dict of DataFrames by partner
    (``partner x ...`` three-dimensional tables), a float (a scalar); ``None`` when absent."""
    if stored is None:
        return None
    if not spec.dims:
        return float(np.asarray(stored))
    if len(spec.dims) == 1:
        return pd.Series(np.array(stored, dtype=float), index=coords.index(spec.dims[0]).copy(),
                         name=spec.name)
    if len(spec.dims) == 2:
        idx = coords.index(spec.dims[0]).copy()
        idx.name = spec.dims[0]
        cols = coords.index(spec.dims[1]).copy()
        cols.name = spec.dims[1]
        return pd.DataFrame(dense(stored), index=idx, columns=cols)
    arr = dense(stored)
    out = {}
    for k, p in enumerate(coords.index(spec.dims[0])):
        idx = coords.index(spec.dims[1]).copy()
        idx.name = spec.dims[1]
        cols = coords.index(spec.dims[2]).copy()
        cols.name = spec.dims[2]
        out[str(p)] = pd.DataFrame(arr[k], index=idx, columns=cols)
    return out


def nbytes(stored: Stored | None) -> int:
    """Memory held by stored data."""
    if stored is None:
        return 0
    if isinstance(stored, tuple):
        return sum(nbytes(b) for b in stored)
    if sp.issparse(stored):
        return int(stored.data.nbytes + stored.indices.nbytes + stored.indptr.nbytes)
    return int(np.asarray(stored).nbytes)


def digest_into(h: Any, stored: Stored | None) -> None:
    """Feed stored data into a hash (content token)."""
    if stored is None:
        h.update(b"none")
        return
    if isinstance(stored, tuple):
        for b in stored:
            digest_into(h, b)
        return
    if sp.issparse(stored):
        for arr in (stored.indptr, stored.indices, stored.data):
            h.update(np.ascontiguousarray(arr).tobytes())
        h.update(repr(stored.shape).encode())
        return
    arr = np.ascontiguousarray(stored)
    h.update(arr.tobytes())
    h.update(repr(arr.shape).encode())
