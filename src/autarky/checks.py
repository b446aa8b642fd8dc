"""Checks of the arguments of public functions: each raises the project's own error
(:mod:`autarky.errors`), whose message names the argument, the value given and what is accepted.

Only :mod:`autarky.errors` is imported, so every layer (the numerical kernels of
:mod:`autarky.solve` included) may use them.

Examples
--------
>>> real("theta", 5)
5.0
>>> real("theta", "five")
Traceback (most recent call last):
...
autarky.errors.BadTypeError: theta must be a number, got 'five'
>>> real("theta", 0, lower=0, lower_open=True)
Traceback (most recent call last):
...
autarky.errors.BadValueError: theta must be greater than 0, got 0
>>> choice("scheme", "random", ("proportional", "priority"))
Traceback (most recent call last):
...
autarky.errors.BadValueError: scheme must be one of 'proportional', 'priority', got 'random'
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Collection, Iterable
from typing import Any

import numpy as np

from autarky.errors import BadTypeError, BadValueError, UnknownIdError


def quoted(value: Any, width: int = 60) -> str:
    """``repr(value)``, cut to ``width`` characters: what an error message quotes of a value it
    was given (a cell of a scenario file, an argument), never all of a long one. ``repr`` also
    shows control characters escaped.

    Examples
    --------
    >>> quoted("steel")
    "'steel'"
    >>> quoted("Z" * 500, width=12)
    "'ZZZZZZZZ..."
    """
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."



def id_text(ids: Iterable[Any], k: int = 5, width: int = 60) -> str:
    """The first ``k`` of ``ids``, comma-separated, each cut to ``width`` characters, with
    ``...`` where more follow: how a message lists ids it was given or knows.

    Examples
    --------
    >>> id_text(["coal", "steel", "x" * 80], k=2, width=8)
    'coal, steel, ...'
    >>> id_text(["x" * 80], width=8)
    'xxxxx...'
    """
    items = list(ids)
    shown = [s if len(s) <= width else s[: width - 3] + "..." for s in map(str, items[:k])]
    return ", ".join(shown) + (", ..." if len(items) > k else "")


def is_real(value: Any) -> bool:
    """Whether ``value`` is one real number (a Python or numpy number, not a bool)."""
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, numbers.Real):
        return True
    return isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf"


def number(name: str, value: Any) -> Any:
    """``value`` unchanged if it is a real number, else a :class:`BadTypeError` naming ``name``
    (the caller checks the range with its own message)."""
    if not is_real(value):
        raise BadTypeError(f"{name} must be a number, got {quoted(value)}")
    return value


def real(name: str, value: Any, *, finite: bool = True, lower: float | None = None,
         upper: float | None = None, lower_open: bool = False, upper_open: bool = False) -> float:
    """``value`` as a float, or an error naming ``name``: :class:`BadTypeError` for what is not a
    number, :class:`BadValueError` for NaN, an infinity (unless ``finite=False``) or a value
    outside the bounds."""
    if not is_real(value):
        raise BadTypeError(f"{name} must be a number, got {quoted(value)}")
    try:
        v = float(value)
    except OverflowError:  # an integer beyond the float range
        raise BadValueError(f"{name} must be a finite number, got {quoted(value)}") from None
    if math.isnan(v) or (finite and math.isinf(v)):
        raise BadValueError(f"{name} must be a finite number, got {quoted(value)}")
    if lower is not None and (v <= lower if lower_open else v < lower):
        word = "greater than" if lower_open else "at least"
        raise BadValueError(f"{name} must be {word} {lower:g}, got {quoted(value)}")
    if upper is not None and (v >= upper if upper_open else v > upper):
        word = "less than" if upper_open else "at most"
        raise BadValueError(f"{name} must be {word} {upper:g}, got {quoted(value)}")
    return v


def integer(name: str, value: Any, *, lower: int | None = None, upper: int | None = None) -> int:
    """``value`` as an int (a whole number of a Python or numpy integer type), or an error naming
    ``name``."""
    if isinstance(value, (bool, np.bool_)):
        raise BadTypeError(f"{name} must be an integer, got {value!r}")
    try:
        v = operator.index(value)
    except TypeError:
        if is_real(value):
            raise BadValueError(f"{name} must be an integer, got {quoted(value)}") from None
        raise BadTypeError(f"{name} must be an integer, got {quoted(value)}") from None
    if lower is not None and v < lower:
        raise BadValueError(f"{name} must be at least {lower}, got {v}")
    if upper is not None and v > upper:
        raise BadValueError(f"{name} must be at most {upper}, got {v}")
    return v


def flag(name: str, value: Any) -> bool:
    """``value`` as a bool (``True``, ``False``, a numpy bool, or the integers 0 and 1), else a
    :class:`BadTypeError` naming ``name`` (an array or a string is not a yes or no).

    Examples
    --------
    >>> flag("propagate", 1)
    True
    >>> flag("propagate", "no")
    Traceback (most recent call last):
    ...
    autarky.errors.BadTypeError: propagate must be True or False, got 'no'
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and value in (0, 1):
        return bool(value)
    raise BadTypeError(f"{name} must be True or False, got {quoted(value)}")


def choice(name: str, value: Any, options: Iterable[str]) -> str:
    """``value`` if it is one of ``options``, else a :class:`BadValueError` listing them."""
    opts = list(options)
    if not isinstance(value, str) or value not in opts:
        raise BadValueError(f"{name} must be one of {', '.join(map(repr, opts))}, "
                            f"got {quoted(value)}")
    return value


def floats(name: str, value: Any, *, finite: bool = False, nonnegative: bool = False
           ) -> np.ndarray:
    """``value`` (an array, a list, a Series, a number) as a float array, or an error naming
    ``name``: :class:`BadTypeError` for a string or ``None`` where numbers are needed,
    :class:`BadValueError` for entries that are not numbers, rows of unequal length, and (with
    ``finite``, ``nonnegative``) NaN, infinities or negative entries."""
    if value is None or isinstance(value, (str, bytes)):
        raise BadTypeError(f"{name} must be numbers (an array, a list or a table), "
                           f"got {quoted(value)}")
    try:
        arr = np.asarray(value, dtype=float)
    except TypeError as exc:
        raise BadTypeError(f"{name} must be numbers, got {quoted(value)} ({exc})") from None
    except OverflowError:  # a Python integer beyond the float range
        raise BadValueError(f"{name} must be finite numbers, got a number beyond the float "
                            f"range") from None
    except ValueError as exc:
        why = ("rows of unequal length" if "sequence" in str(exc) or "inhomogeneous" in str(exc)
               else str(exc))
        raise BadValueError(f"{name} must be numbers: {why}") from None
    if finite and arr.size and not np.all(np.isfinite(arr)):
        bad = float(arr[~np.isfinite(arr)].ravel()[0])
        raise BadValueError(f"{name} must be finite numbers, got {bad!r}")
    if nonnegative and arr.size and np.any(arr < 0):
        raise BadValueError(f"{name} must be non-negative, got {float(arr.min()):g}")
    return arr


def known(what: str, ids: Iterable[Any], valid: Collection[str]) -> None:
    """An :class:`UnknownIdError` naming the ids not in ``valid`` (and listing a few valid)."""
    bad = sorted({str(i) for i in ids} - set(valid))
    if bad:
        names = list(valid)
        shown = id_text(names, k=12)
        plural = what + ("(es)" if what.endswith(("s", "sh", "ch", "x")) else "(s)")
        raise UnknownIdError(f"unknown {plural}: {id_text(bad)}; known: {shown or 'none'}")


def id_list(name: str, value: Any) -> list[str]:
    """A list of ids: a string (one id) is refused with a :class:`BadTypeError`, since iterating
    over it would take its characters for ids."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise BadTypeError(f"{name} must be a list of ids, got {quoted(value)}")
    return [str(v) for v in value]
