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

from autarky.checks import quoted
from autarky.errors import BadValueError
from autarky.mrio.table import MRIO


def _version() -> str:
    from autarky import __version__

    return __version__


#: The readers, by the format name of ``FORMAT:PATH``.
READERS: dict[str, Callable[..., MRIO]] = {}


def register(name: str, reader: Callable[..., MRIO]) -> None:
    """Add a reader under a format name (the command line's ``FORMAT:PATH``)."""
    READERS[name] = reader


def _builtin() -> None:
    """Register the readers of the modules beside this one (imported lazily)."""
    import importlib

    for module in BUILTIN_MODULES:
        importlib.import_module(module)


#: Modules whose readers register themselves on import.
BUILTIN_MODULES: tuple[str, ...] = ("autarky.mrio.via_pymrio", "autarky.mrio.icio",
                                     "autarky.mrio.figaro",
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
        raise BadValueError(f"unknown table format {quoted(fmt)}; formats: {', '.join(sorted(READERS))}")
    return reader(path, **options)


__all__ = ["READERS", "parse_spec", "read_table", "register"]
