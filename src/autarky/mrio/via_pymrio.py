"""The formats autarky reads through pymrio's own parsers (the optional extra ``interop``): a
table pymrio saved, Eora26, WIOD 2013, GLORIA, and EXIOBASE in parquet. One path for all of
them (:func:`parse`): the parser's errors become a :class:`~autarky.errors.TableError` naming the
file, its warnings of satellite accounts it did not find become a note in the provenance, and
the ``IOSystem`` becomes an :class:`~autarky.mrio.table.MRIO` by
:func:`~autarky.mrio.interop.from_pymrio`.

Examples
--------
>>> import tempfile, pathlib, pymrio
>>> folder = pathlib.Path(tempfile.mkdtemp()) / "saved"
>>> _ = pymrio.load_test().save_all(folder)
>>> t = read_pymrio_folder(folder)
>>> t.provenance["format"], t.regions[:2]
('pymrio', ('reg1', 'reg2'))
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autarky.errors import TableError
from autarky.mrio.matrix import reader_name, year_in
from autarky.mrio.readers import register
from autarky.mrio.table import MRIO


def parse(path: Path, parser: str, what: str, *, value_added: str | None = "factor_inputs",
          **provenance: Any) -> Callable[..., MRIO]:
    """Read ``path`` with ``pymrio.<parser>``; returns a function of the parser's options."""

    def run(**options: Any) -> MRIO:
        from autarky.mrio.interop import _pymrio, from_pymrio

        pymrio = _pymrio(f"reading {what}")
        if not path.exists():
            raise TableError("no such file or folder", file=str(path))
        try:
            with warnings.catch_warnings(record=True) as seen:  # pymrio warns of every
                warnings.simplefilter("always")                  # satellite it does not find
                io = getattr(pymrio, parser)(path, **options)
        except (OSError, ValueError, KeyError, IndexError, AttributeError) as exc:
            raise TableError(f"not {what} pymrio reads ({exc})", file=str(path)) from None
        missing = [w for w in seen if "not found" in str(w.message)]
        meta = getattr(io, "meta", None)
        return from_pymrio(io, value_added=value_added).with_provenance(
            file=str(path), year=year_in(path.name),
            release=str(getattr(meta, "version", "") or ""),
            reader=reader_name(f"{provenance.get('format', parser)} (via pymrio {parser})"),
            notes=[f"{len(missing)} satellite accounts not found beside the table"]
            if missing else [], **provenance)

    return run


def read_pymrio_folder(path: str | Path, **options: Any) -> MRIO:
    """A table pymrio saved (``IOSystem.save_all``: a folder or a zip, text or parquet)."""
    return parse(Path(path), "load_all", "a table pymrio saved", format="pymrio")(**options)


def read_eora26(path: str | Path, **options: Any) -> MRIO:
    """Eora26 (``Eora26_2015_bp.zip``, or its folder with ``year=``), parsed by pymrio's
    ``parse_eora26`` (which drops the ``ROW`` statistical-discrepancy row and column, and
    records the loss); value added is Eora's ``VA`` block, in thousand US dollars."""
    return parse(Path(path), "parse_eora26", "an Eora26 table", value_added="VA",
                 format="Eora26",
                 licence="Eora26: free for academic use (see worldmrio.com)")(**options)


def read_wiod2013(path: str | Path, **options: Any) -> MRIO:
    """A WIOD 2013 world table (``wiot10_row_sep12.xlsx``; 40 countries and the rest of the
    world, 35 industries, 1995-2011), parsed by pymrio's ``parse_wiod``: value added is its
    factor-input extension (taxes less subsidies, margins, purchases abroad, value added), in
    millions of US dollars."""
    return parse(Path(path), "parse_wiod", "a WIOD 2013 table", format="WIOD 2013",
                 licence="WIOD: Creative Commons Attribution 4.0")(**options)


def read_gloria(path: str | Path, **options: Any) -> MRIO:
    """GLORIA (the folder holding ``GLORIA_MRIOs_59_2022``, ``GLORIA_SatelliteAccounts_059_2022``
    and ``GLORIA_ReadMe_059.xlsx``; ``year=`` and ``version=`` as pymrio takes them; on the
    command line ``gloria:FOLDER@YEAR[@VERSION]``), parsed by pymrio's ``parse_gloria``: the
    supply-use tables made symmetric (GLORIA's supply is diagonal, so every construct agrees),
    value added from its ``VA`` block, in thousand US dollars; the satellite accounts as an
    extension. Empty countries are dropped (pymrio)."""
    text = str(path)
    if "@" in text and "year" not in options:
        text, *rest = text.split("@")
        if not rest or not all(r.isdigit() for r in rest[:2]):
            raise TableError("write gloria:FOLDER@YEAR or gloria:FOLDER@YEAR@VERSION", file=text)
        options = {**options, "year": int(rest[0]),
                   **({"version": int(rest[1])} if len(rest) > 1 else {})}
    p = Path(text)
    if not p.is_dir():
        raise TableError("GLORIA is read from the folder holding its MRIO, satellite and ReadMe "
                         "files", file=str(p))
    table = parse(p, "parse_gloria", "a GLORIA release", value_added="VA", format="GLORIA",
                  licence="GLORIA: Creative Commons Attribution 4.0 (Industrial Ecology "
                          "Virtual Laboratory)")(**options)
    return table.with_provenance(year=options.get("year", 2022),
                                 release=str(options.get("version", 59)))


for _name, _reader in (("pymrio", read_pymrio_folder), ("eora26", read_eora26),
                       ("wiod2013", read_wiod2013), ("gloria", read_gloria)):
    register(_name, _reader)

__all__ = ["parse", "read_eora26", "read_gloria", "read_pymrio_folder", "read_wiod2013"]
