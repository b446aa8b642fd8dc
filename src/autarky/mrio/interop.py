"""pymrio, both ways: an ``IOSystem`` into an :class:`~autarky.mrio.table.MRIO` and back.

pymrio (LGPL) is an optional extra (``pip install 'autarky[interop]'``); through it come the
tables pymrio parses (EXIOBASE 3, Eora26, GLORIA, WIOD 2013, OECD ICIO). The conversion keeps
every number: ``Z``, ``Y``, the value-added rows (pymrio's ``factor_inputs`` extension, by
default) and every other extension with its ``F``, ``F_Y`` and units, and the row labels of
each extension as pymrio had them (a ``(stressor, compartment)`` index comes back as one).

Examples
--------
>>> import pymrio
>>> io = pymrio.load_test()
>>> t = from_pymrio(io)
>>> len(t.regions), len(t.sectors), t.unit, sorted(t.extensions)
(6, 8, 'Mill USD', ['emissions'])
>>> back = to_pymrio(t)
>>> bool((back.Z.to_numpy() == io.Z.to_numpy()).all())
True
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from autarky.errors import BadTypeError, MissingDependencyError, TableError
from autarky.mrio.table import MRIO, Extension


def _pymrio(feature: str) -> Any:
    try:
        import pymrio
    except ImportError:
        raise MissingDependencyError("pymrio", feature, "interop") from None
    return pymrio


def _label(v: Any) -> str:
    return " / ".join(map(str, v)) if isinstance(v, tuple) else str(v)


def _units(unit: pd.DataFrame | None, n: int, what: str) -> tuple[str, ...]:
    if unit is None:
        return ("",) * n
    col = unit["unit"] if "unit" in unit.columns else unit.iloc[:, 0]
    return tuple(str(u) for u in col.to_numpy())


def from_pymrio(io: Any, *, value_added: str | None = "factor_inputs") -> MRIO:
    """A pymrio ``IOSystem`` as an :class:`MRIO`.

    Parameters
    ----------
    io
        The ``IOSystem`` (with ``Z`` and ``Y``; where only ``A`` and ``x`` are present, ``Z``
        is computed by pymrio's ``calc_system``). It is not modified.
    value_added
        The extension holding value added in the table's money (pymrio's ``factor_inputs``,
        EXIOBASE's taxes, wages and operating surplus); ``None``: treat every extension as an
        extension.
    """
    pymrio = _pymrio("reading a pymrio IOSystem")
    if not isinstance(io, pymrio.IOSystem):
        raise BadTypeError(f"expected a pymrio IOSystem, got {type(io).__name__}")
    if io.Z is None:
        io = io.copy()
        io.calc_system()
    Z, Y = io.Z, io.Y
    if Y is None:
        raise TableError("the IOSystem has no final demand Y", file=_file(io))
    regions = tuple(str(r) for r in Z.index.get_level_values(0).unique())
    sectors = tuple(str(s) for s in Z.index.get_level_values(1).unique())
    categories = tuple(str(c) for c in Y.columns.get_level_values(1).unique())
    rows = pd.MultiIndex.from_product([list(Z.index.get_level_values(0).unique()),
                                       list(Z.index.get_level_values(1).unique())])
    cols_y = pd.MultiIndex.from_product([list(Y.columns.get_level_values(0).unique()),
                                         list(Y.columns.get_level_values(1).unique())])
    Zv = Z.reindex(index=rows, columns=rows).to_numpy(dtype=float)
    Yv = Y.reindex(index=rows, columns=cols_y).to_numpy(dtype=float)
    if np.isnan(Zv).any() or np.isnan(Yv).any():
        raise TableError("the IOSystem's Z or Y is not a full regions x sectors table (some "
                         "region lacks a sector or a category)", file=_file(io))
    unit = _money_unit(io)
    va_rows: tuple[str, ...] = ()
    va = np.zeros((0, len(rows)))
    extensions: dict[str, Extension] = {}
    meta: dict[str, dict[str, Any]] = {"index": {}, "names": {}}
    for name in io.get_extensions():
        ext = getattr(io, name)
        F = ext.F.reindex(columns=rows).fillna(0.0)
        labels = tuple(_label(v) for v in F.index)
        meta["index"][name] = F.index
        meta["names"][name] = ext.name
        if name == value_added:
            va_rows, va = labels, F.to_numpy(dtype=float)
            continue
        F_Y = None
        if getattr(ext, "F_Y", None) is not None:
            F_Y = ext.F_Y.reindex(index=F.index, columns=cols_y).fillna(0.0).to_numpy(float)
        extensions[name] = Extension(labels, F.to_numpy(dtype=float),
                                     _units(ext.unit, len(labels), name), F_Y)
    return MRIO(regions, sectors, categories, Zv, Yv, va, va_rows, extensions, unit,
                provenance={"format": "pymrio", "name": str(getattr(io, "name", "") or ""),
                            "file": _file(io), "value_added_extension": value_added,
                            "pymrio_version": pymrio.__version__,
                            "pymrio_index": meta["index"], "pymrio_names": meta["names"]})


def _file(io: Any) -> str | None:
    meta = getattr(io, "meta", None)
    path = getattr(meta, "_path_in_mrio", None) if meta is not None else None
    return str(path) if path else None


def _money_unit(io: Any) -> str:
    unit = getattr(io, "unit", None)
    if unit is None:
        return "currency unit"
    units = sorted({str(u) for u in _units(unit, len(unit), "unit")})
    if len(units) != 1:
        raise TableError(f"the table mixes units ({', '.join(units[:4])}); autarky reads "
                         "monetary tables in one unit (a hybrid table is not supported yet)",
                         file=_file(io))
    return units[0]


def to_pymrio(table: MRIO, *, name: str | None = None) -> Any:
    """The :class:`MRIO` as a pymrio ``IOSystem`` (``Z``, ``Y``, ``x``, ``unit`` and the
    extensions; value added as the ``factor_inputs`` extension, or the name it was read
    from)."""
    pymrio = _pymrio("writing a pymrio IOSystem")
    rows = pd.MultiIndex.from_product([list(table.regions), list(table.sectors)],
                                      names=["region", "sector"])
    cols_y = pd.MultiIndex.from_product([list(table.regions), list(table.categories)],
                                        names=["region", "category"])
    index_of = table.provenance.get("pymrio_index", {})
    names = table.provenance.get("pymrio_names", {})
    kwargs: dict[str, Any] = {}
    exts = dict(table.extensions)
    va_name = table.provenance.get("value_added_extension") or "factor_inputs"
    ext_objects = []

    def extension(key: str, labels: tuple[str, ...], F: np.ndarray, units: tuple[str, ...],
                  F_Y: np.ndarray | None) -> Any:
        idx = index_of.get(key)
        if idx is None or len(idx) != len(labels):
            idx = pd.Index(list(labels), name="stressor")
        kw: dict[str, Any] = {"F": pd.DataFrame(F, index=idx, columns=rows),
                              "unit": pd.DataFrame({"unit": list(units)}, index=idx),
                              "name": names.get(key, key)}
        if F_Y is not None:
            kw["F_Y"] = pd.DataFrame(F_Y, index=idx, columns=cols_y)
        return kw

    if table.value_added_rows:
        ext_objects.append((va_name, extension(va_name, table.value_added_rows,
                                               table.value_added,
                                               (table.unit,) * len(table.value_added_rows),
                                               None)))
    for key, ext in exts.items():
        ext_objects.append((key, extension(key, ext.rows, ext.F, ext.units, ext.F_Y)))
    for key, obj in ext_objects:
        kwargs[key] = obj
    io = pymrio.IOSystem(
        Z=pd.DataFrame(table.Z, index=rows, columns=rows),
        Y=pd.DataFrame(table.Y, index=rows, columns=cols_y),
        x=pd.DataFrame({"indout": table.x}, index=rows),
        unit=pd.DataFrame({"unit": [table.unit] * table.n}, index=rows),
        name=name or table.provenance.get("name") or "autarky", **kwargs)
    return io


__all__ = ["from_pymrio", "to_pymrio"]
