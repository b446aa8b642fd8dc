"""Bundled data: general examples (``island``, ``textbook``) and the datasets of the case
studies (:mod:`autarky.cases`), whose files live in each case's package.

>>> from autarky import data
>>> sorted(d.name for d in data.list_datasets())  # doctest: +NORMALIZE_WHITESPACE
['claims', 'dprk-1963', 'island', 'research-claims', 'seven-year-plan', 'textbook',
 'three-year-plan']
>>> eco = data.load("dprk-1963")
>>> eco.n
12
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from autarky.data.claims import Claim, Claims, read_claims
from autarky.economy import Scenario
from autarky.errors import BadValueError, UnknownIdError
from autarky.io import read_scenario


@dataclass(frozen=True)
class Dataset:
    """A bundled dataset: its name, kind (``scenario`` or ``claims``), description, path, and
    the case study it belongs to (empty for the general examples)."""

    name: str
    kind: str
    description: str
    path: Path
    case: str = ""


def _root() -> Path:
    return Path(str(resources.files("autarky.data")))


def list_datasets() -> list[Dataset]:
    """The bundled datasets: the general examples, then each case study's."""
    from autarky.cases import CASES

    root = _root()
    general = [
        Dataset("island", "scenario",
                "A synthetic three-branch open economy (EUR million) trading with two partners, "
                "Northland and Southland: for tutorials, tests and the command line's examples.",
                root / "scenarios" / "island.yaml"),
        Dataset("textbook", "scenario",
                "Miller & Blair (2009) ch. 2 two-branch example (USD million).",
                root / "scenarios" / "textbook.yaml"),
    ]
    return general + [d for case in CASES for d in case.datasets_()]


def dataset(name: str) -> Dataset:
    """The bundled dataset called ``name``."""
    for d in list_datasets():
        if d.name == name:
            return d
    names = ", ".join(d.name for d in list_datasets())
    raise UnknownIdError(f"no bundled dataset {name!r}; available: {names}")


def load(name: str) -> Scenario:
    """Load a bundled scenario (a :class:`~autarky.economy.Scenario`)."""
    d = dataset(name)
    if d.kind != "scenario":
        raise BadValueError(f"{name!r} is a {d.kind} dataset, not a scenario; use load_claims()")
    return read_scenario(d.path)


def load_claims(name: str = "claims") -> Claims:
    """A bundled claims dataset (by default ``claims``, the first case study's)."""
    d = dataset(name)
    if d.kind != "claims":
        raise BadValueError(f"{name!r} is a {d.kind} dataset, not claims; use load()")
    return read_claims(d.path)


def monitoring_file(name: str) -> Path:
    """Path of a bundled monitoring file (targets or reports CSV) of a case study.

    Examples
    --------
    >>> monitoring_file("seven-year-plan-targets.csv").parent.name
    'monitoring'
    """
    from autarky.cases import CASES

    for case in CASES:
        path = case.data_dir() / "monitoring" / name
        if path.is_file():
            return path
    raise UnknownIdError(f"no bundled monitoring file {name!r}")


def export(name: str, directory: str | Path, *, force: bool = False) -> Path:
    """Copy a bundled dataset into ``directory``; return the path written.

    A scenario folder is written as a whole (see :func:`autarky.io.output.output_folder`) and
    read back before it is moved into place, so the copy is self-contained: it reads with
    ``autarky validate`` wherever it is put. An existing copy from an earlier export is
    replaced; any other non-empty folder or different file of the same name is refused unless
    ``force``.
    """
    from autarky.cases import case_for
    from autarky.io.output import output_file, output_folder

    d = dataset(name)
    target = Path(directory) / d.path.name
    if not d.path.is_dir():
        case = case_for(name)
        content = case.export_bytes(name) if case is not None else d.path.read_bytes()
        return output_file(target, content, force=force)
    with output_folder(target, force=force, meta={"command": f"data export {name}"},
                       protect=[d.path]) as tmp:
        shutil.copytree(d.path, tmp, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        read_scenario(tmp)  # self-contained: no table outside the folder
    return target


__all__ = ["Claim", "Claims", "Dataset", "dataset", "export", "list_datasets", "load",
           "load_claims", "monitoring_file", "read_claims"]
