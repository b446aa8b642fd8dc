"""Exceptions raised by autarky.

Every error a user can cause by bad input derives from :class:`AutarkyError`; the command line
prints its message and exits with status 2 (1 for :class:`PlanFailure`, an answer that is a
failure), without a traceback. Each subclass also derives from the matching builtin, so code
written against ``ValueError``, ``KeyError``, ``IndexError``, ``TypeError``, ``OSError`` or
``ImportError`` keeps working:

>>> issubclass(BadValueError, ValueError) and issubclass(OutputPathError, OSError)
True
"""

from __future__ import annotations

from collections.abc import Sequence


class AutarkyError(Exception):
    """Base class of every error autarky raises for bad input or an impossible request."""


class ScenarioError(AutarkyError):
    """A scenario or data file is malformed.

    Parameters
    ----------
    message
        What is wrong, in the user's terms.
    file
        The file at fault.
    line
        1-based line in ``file`` (``None`` where unknown).
    field
        Dotted path of the field at fault, e.g. ``technology.coal.steel``.

    Examples
    --------
    >>> str(ScenarioError("negative coefficient -0.2", file="s.yaml", line=7,
    ...                   field="technology.coal.steel"))
    's.yaml:7: technology.coal.steel: negative coefficient -0.2'
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file + (f":{self.line}" if self.line is not None else "") + ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        field = self.field or ""
        if len(field) > 100:  # a long key or id: cut in the middle, both ends kept
            field = field[:48] + "..." + field[-49:]
        return f"{where}{field}: {self.message}" if field else f"{where}{self.message}"


class TableError(ScenarioError):
    """A real table (an input-output or trade table from a statistical producer) is malformed:
    the message names the file and, where it can, the row and column labels at fault.

    Examples
    --------
    >>> str(TableError("totals do not match", file="ICIO.csv", row="AUS_A01_02",
    ...                column="OUT"))
    'ICIO.csv: row AUS_A01_02, column OUT: totals do not match'
    """

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 row: str | None = None, column: str | None = None) -> None:
        self.row = row
        self.column = column
        where = ", ".join(f"{k} {v}" for k, v in (("row", row), ("column", column)) if v)
        super().__init__(message, file=file, line=line, field=where or None)


class NotProductiveError(AutarkyError):
    """The domestic technology cannot yield a positive net product (Hawkins-Simon fails).

    Attributes
    ----------
    branches
        Ids of the branches in the cycles that use up more than they produce.
    spectral_radius
        Estimated spectral radius of the offending technology (>= 1).
    """

    def __init__(self, message: str, branches: Sequence[str], spectral_radius: float) -> None:
        self.branches = list(branches)
        self.spectral_radius = spectral_radius
        super().__init__(message)


class PlanFailure(AutarkyError):
    """A plan a request depends on has no answer (it is infeasible or unbounded): an answer
    that is a failure, not bad input, so the command line exits 1 with the explanation.

    Attributes
    ----------
    status
        ``infeasible``, ``unbounded`` or ``error``.
    """

    def __init__(self, message: str, status: str) -> None:
        self.status = status
        super().__init__(message)


class UnknownIdError(AutarkyError, KeyError):
    """An id (branch, factor, partner, category) the economy does not have."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class BadValueError(AutarkyError, ValueError):
    """A value outside what a calculation accepts (a non-positive factor, a wrong option)."""


class OutOfRangeError(AutarkyError, IndexError):
    """A position (a branch number, a period) outside what the object holds."""


class BadTypeError(AutarkyError, TypeError):
    """An argument of the wrong kind (a string where a table is needed), or a write to an
    immutable object."""


class ForbiddenError(AutarkyError, PermissionError):
    """A write outside what the caller may do (a reporter writing another unit's branch, a
    reporter publishing a plan); nothing is written."""


class OutputPathError(AutarkyError, OSError):
    """An output path that cannot be written: a file where a folder is needed, a read-only or
    missing parent, a symbolic link, a non-empty folder that is not a previous autarky output.

    Examples
    --------
    >>> str(OutputPathError("report", "is a file, not a folder"))
    'report: is a file, not a folder'
    """

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class MissingDependencyError(AutarkyError, ImportError):
    """An optional package a request needs is not installed; the message says how to install it.

    Examples
    --------
    >>> str(MissingDependencyError("pymrio", "reading a pymrio IOSystem", "interop"))
    "reading a pymrio IOSystem needs the optional package 'pymrio': pip install 'autarky[interop]'"
    """

    def __init__(self, package: str, feature: str, extra: str | None = None) -> None:
        self.package = package
        how = f"pip install 'autarky[{extra}]'" if extra else f"pip install {package}"
        super().__init__(f"{feature} needs the optional package {package!r}: {how}")

    def __str__(self) -> str:
        return str(self.args[0])
