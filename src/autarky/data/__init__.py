"""Bundled data: the source document's claims, its economy, and textbook examples.

>>> from autarky import data
>>> sorted(d.name for d in data.list_datasets())
['claims', 'dprk-1963', 'island', 'seven-year-plan', 'textbook']
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

SOURCE_FILE = "000_e798753c0d44f9c1.txt"
SOURCE_CITATION = ('B. C. Koh, "North Korea and Its Quest for Autonomy", '
                   "Pacific Affairs 38 (3/4), 1965-66 (OCR scan)")


@dataclass(frozen=True)
class Dataset:
    """A bundled dataset."""

    name: str
    kind: str
    description: str
    path: Path


def _root() -> Path:
    return Path(str(resources.files("autarky.data")))


def list_datasets() -> list[Dataset]:
    """The bundled datasets."""
    root = _root()
    return [
        Dataset("claims", "claims",
                "Every quantitative statement of the source document, with line, OCR text, "
                "reading, unit and confidence.", root / "claims.yaml"),
        Dataset("dprk-1963", "scenario",
                "Material balance of North Korea around 1963 in physical units: the source's "
                "eight products plus grain, machinery, consumer goods and a catch-all branch.",
                root / "scenarios" / "dprk-1963"),
        Dataset("seven-year-plan", "scenario",
                "North Korea's Seven Year Plan 1961-67 on the dprk-1963 norms: 1960 base, "
                "capital coefficients, depreciation, gestation, labour growth, 18 % target.",
                root / "scenarios" / "seven-year-plan"),
        Dataset("island", "scenario",
                "A synthetic three-branch open economy (EUR million) trading with two partners, "
                "Northland and Southland: for tutorials, tests and the command line's examples.",
                root / "scenarios" / "island.yaml"),
        Dataset("textbook", "scenario",
                "Miller & Blair (2009) ch. 2 two-branch example (USD million).",
                root / "scenarios" / "textbook.yaml"),
    ]


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


def load_claims() -> Claims:
    """The source document's claims."""
    return read_claims(dataset("claims").path)


def source_lines() -> list[str]:
    """Lines of the bundled source document (OCR text), without line ends; line ``k`` is ``[k-1]``."""
    text = (_root() / "source" / SOURCE_FILE).read_text(encoding="utf-8")
    return text.split("\n")


def export(name: str, directory: str | Path, *, force: bool = False) -> Path:
    """Copy a bundled dataset into ``directory``; return the path written.

    A scenario folder is written as a whole (see :func:`autarky.io.output.output_folder`) and
    read back before it is moved into place, so the copy is self-contained: it reads with
    ``autarky validate`` wherever it is put. An existing copy from an earlier export is
    replaced; any other non-empty folder or different file of the same name is refused unless
    ``force``.
    """
    from autarky.io.output import output_file, output_folder

    d = dataset(name)
    target = Path(directory) / d.path.name
    if not d.path.is_dir():
        return output_file(target, d.path.read_bytes(), force=force)
    with output_folder(target, force=force, meta={"command": f"data export {name}"},
                       protect=[d.path]) as tmp:
        shutil.copytree(d.path, tmp, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        read_scenario(tmp)  # self-contained: no table outside the folder
    return target


__all__ = ["Claim", "Claims", "Dataset", "dataset", "export", "list_datasets", "load",
           "load_claims", "read_claims", "source_lines"]
