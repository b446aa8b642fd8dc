"""The readers of real tables, by format name: ``read_table(FORMAT, PATH)`` returns an
:class:`~autarky.mrio.table.MRIO` with its provenance (file, format, release, year, licence,
the reader and autarky's version).

A table named on the command line as ``FORMAT:PATH`` (``icio:ICIO2023_2020.csv``,
``pymrio:exio3/``) is read by :func:`parse_spec` and :func:`read_table`; with ``--home`` it
becomes an economy (:func:`autarky.mrio.home.home_view`).

Examples
--------
>>> parse_spec("icio:tables/ICIO2023_2020.csv")
('icio', 'tables/ICIO2023_2020.csv')
>>> parse_spec("island") is None
True
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from autarky.errors import BadValueError, TableError
from autarky.mrio.table import MRIO


def _version() -> str:
    from autarky import __version__

    return __version__


def read_pymrio_folder(path: str | Path, **options: Any) -> MRIO:
    """A table pymrio saved (``IOSystem.save_all``: a folder or a zip, text or parquet), read by
    pymrio's ``load_all`` (the optional extra ``interop``)."""
    from autarky.mrio.interop import _pymrio, from_pymrio

    pymrio = _pymrio("reading a table pymrio saved")
    p = Path(path)
    if not p.exists():
        raise TableError("no such file or folder", file=str(p))
    try:
        io = pymrio.load_all(p)
    except (OSError, ValueError, KeyError) as exc:
        raise TableError(f"not a table pymrio saved ({exc})", file=str(p)) from None
    table = from_pymrio(io, **options)
    meta = getattr(io, "meta", None)
    return table.with_provenance(
        file=str(p), format="pymrio", release=str(getattr(meta, "version", "") or ""),
        name=str(getattr(meta, "name", "") or ""), reader=f"autarky {_version()} pymrio")


def read_eora26(path: str | Path, **options: Any) -> MRIO:
    """Eora26 (``Eora26_2015_bp.zip``, or its folder with ``year=``), parsed by pymrio's
    ``parse_eora26`` (which drops the ``ROW`` statistical-discrepancy row and column, and
    records the loss); value added is Eora's ``VA`` block, in thousand US dollars."""
    from autarky.mrio.interop import _pymrio, from_pymrio

    pymrio = _pymrio("reading Eora26")
    p = Path(path)
    if not p.exists():
        raise TableError("no such file or folder", file=str(p))
    try:
        io = pymrio.parse_eora26(p, **options)
    except (OSError, ValueError, KeyError, AttributeError) as exc:
        raise TableError(f"not an Eora26 table pymrio reads ({exc})", file=str(p)) from None
    table = from_pymrio(io, value_added="VA")
    from autarky.mrio.matrix import year_in

    return table.with_provenance(
        file=str(p), format="Eora26", year=year_in(p.name), reader=f"autarky {_version()} "
        "eora26 (via pymrio)", licence="Eora26: free for academic use (see worldmrio.com)")


def read_wiod2013(path: str | Path, **options: Any) -> MRIO:
    """A WIOD 2013 world table (``wiot10_row_sep12.xlsx``; 40 countries and the rest of the
    world, 35 industries, 1995-2011), parsed by pymrio's ``parse_wiod``: value added is its
    factor-input extension (taxes less subsidies, margins, purchases abroad, value added), in
    millions of US dollars."""
    from autarky.mrio.interop import _pymrio, from_pymrio
    from autarky.mrio.matrix import year_in

    pymrio = _pymrio("reading WIOD 2013")
    p = Path(path)
    if not p.exists():
        raise TableError("no such file or folder", file=str(p))
    import warnings

    try:
        with warnings.catch_warnings(record=True) as seen:  # pymrio warns of every satellite
            warnings.simplefilter("always")                  # account it does not find
            io = pymrio.parse_wiod(p, **options)
    except (OSError, ValueError, KeyError, IndexError, AttributeError) as exc:
        raise TableError(f"not a WIOD 2013 table pymrio reads ({exc})", file=str(p)) from None
    missing = [str(w.message) for w in seen if "not found" in str(w.message)]
    return from_pymrio(io).with_provenance(
        notes=[f"{len(missing)} satellite accounts not found beside the table"] if missing else [],
        file=str(p), format="WIOD 2013", year=year_in(p.name) or getattr(io.meta, "year", None),
        reader=f"autarky {_version()} wiod2013 (via pymrio)",
        licence="WIOD: Creative Commons Attribution 4.0")


def read_gloria(path: str | Path, **options: Any) -> MRIO:
    """GLORIA (the folder holding ``GLORIA_MRIOs_59_2022``, ``GLORIA_SatelliteAccounts_059_2022``
    and ``GLORIA_ReadMe_059.xlsx``; ``year=`` and ``version=`` as pymrio takes them), parsed by
    pymrio's ``parse_gloria``: the supply-use tables made symmetric (GLORIA's supply is
    diagonal, so every construct agrees), value added from its ``VA`` block, in thousand US
    dollars; the satellite accounts as an extension. Empty countries are dropped (pymrio)."""
    from autarky.mrio.interop import _pymrio, from_pymrio

    pymrio = _pymrio("reading GLORIA")
    text = str(path)
    if "@" in text and "year" not in options:  # the command line's gloria:FOLDER@YEAR[@VERSION]
        text, *rest = text.split("@")
        if not rest or not all(r.isdigit() for r in rest[:2]):
            raise TableError("write gloria:FOLDER@YEAR or gloria:FOLDER@YEAR@VERSION", file=text)
        options = {**options, "year": int(rest[0]), **({"version": int(rest[1])}
                                                       if len(rest) > 1 else {})}
    p = Path(text)
    if not p.is_dir():
        raise TableError("GLORIA is read from the folder holding its MRIO, satellite and ReadMe "
                         "files", file=str(p))
    try:
        io = pymrio.parse_gloria(p, **options)
    except (OSError, ValueError, KeyError, IndexError, AttributeError) as exc:
        raise TableError(f"not a GLORIA release pymrio reads ({exc})", file=str(p)) from None
    return from_pymrio(io, value_added="VA").with_provenance(
        file=str(p), format="GLORIA", year=options.get("year", 2022),
        release=str(options.get("version", 59)),
        reader=f"autarky {_version()} gloria (via pymrio)",
        licence="GLORIA: Creative Commons Attribution 4.0 (Industrial Ecology Virtual Laboratory)")


#: The readers, by the format name of ``FORMAT:PATH``.
READERS: dict[str, Callable[..., MRIO]] = {"pymrio": read_pymrio_folder,
                                           "eora26": read_eora26, "wiod2013": read_wiod2013,
                                           "gloria": read_gloria}


def register(name: str, reader: Callable[..., MRIO]) -> None:
    """Add a reader under a format name (the command line's ``FORMAT:PATH``)."""
    READERS[name] = reader


def _builtin() -> None:
    """Register the readers of the modules beside this one (imported lazily)."""
    import importlib

    for module in BUILTIN_MODULES:
        importlib.import_module(module)


#: Modules whose readers register themselves on import.
BUILTIN_MODULES: tuple[str, ...] = ("autarky.mrio.icio", "autarky.mrio.figaro",
                                     "autarky.mrio.exiobase", "autarky.mrio.generic",
                                     "autarky.mrio.naio", "autarky.mrio.wiod",
                                     "autarky.mrio.sut_readers")


def parse_spec(spec: str) -> tuple[str, str] | None:
    """``(format, path)`` of a ``FORMAT:PATH`` table name, or ``None`` for anything else (a
    scenario path or a bundled name). A Windows drive letter (``C:\\...``) is not a format."""
    if ":" not in spec:
        return None
    fmt, _, path = spec.partition(":")
    if len(fmt) < 2 or not fmt.replace("-", "").isalnum() or not path:
        return None
    return fmt.lower(), path


def read_table(fmt: str, path: str | Path, **options: Any) -> MRIO:
    """Read the table at ``path`` in format ``fmt`` (see :data:`READERS`)."""
    _builtin()
    reader = READERS.get(fmt)
    if reader is None:
        raise BadValueError(f"unknown table format {fmt!r}; formats: {', '.join(sorted(READERS))}")
    return reader(path, **options)


__all__ = ["READERS", "parse_spec", "read_eora26", "read_gloria", "read_pymrio_folder",
           "read_table", "read_wiod2013", "register"]
