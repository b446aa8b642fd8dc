"""What a sweep evaluates: the grid of choices and the design of the draws.

A grid dimension is written ``name=lo:hi:n`` (``n`` evenly spaced numbers from ``lo`` to ``hi``)
or ``name=a,b,c`` (numbers or words). Draws are either plain Monte Carlo (draw ``i`` from its
own random stream per entry, :func:`autarky.sweep.uncertain.draw_values`) or Saltelli's design for
variance-based sensitivity indices (:func:`saltelli_values`): ``n`` base points, each giving
``k + 2`` draws (the matrices A, B and the k matrices A with column i from B), ``n (k + 2)``
draws in all.

Examples
--------
>>> parse_grid("cap=0:1:3")
('cap', (0.0, 0.5, 1.0))
>>> parse_grid("partner=ussr,china")
('partner', ('ussr', 'china'))
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from autarky.errors import BadValueError
from autarky.sweep.uncertain import Uncertain

__all__ = ["DESIGNS", "grid_points", "parse_grid", "saltelli_values"]

#: How the draws are made.
DESIGNS = ("monte-carlo", "saltelli")


def _number_or_word(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def parse_grid(text: str) -> tuple[str, tuple[Any, ...]]:
    """One ``--grid`` option: ``name=lo:hi:n`` or ``name=a,b,c``.

    Raises
    ------
    BadValueError
        Naming the option, for a malformed range or an empty list.
    """
    name, sep, spec = str(text).partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise BadValueError(f"--grid {text!r}: write NAME=LO:HI:N or NAME=A,B,C")
    spec = spec.strip()
    if ":" in spec:
        parts = spec.split(":")
        try:
            lo, hi, n = float(parts[0]), float(parts[1]), int(parts[2])
        except (ValueError, IndexError):
            raise BadValueError(f"--grid {text!r}: a range is LO:HI:N (N a whole number of "
                                "points, at least 1)") from None
        if len(parts) != 3 or n < 1 or not (np.isfinite(lo) and np.isfinite(hi)):
            raise BadValueError(f"--grid {text!r}: a range is LO:HI:N (N a whole number of "
                                "points, at least 1)")
        return name, tuple(float(v) for v in np.round(np.linspace(lo, hi, n), 12))
    values = tuple(_number_or_word(v.strip()) for v in spec.split(",") if v.strip())
    if not values:
        raise BadValueError(f"--grid {text!r}: no values")
    if len(set(map(str, values))) != len(values):
        raise BadValueError(f"--grid {text!r}: a value is repeated")
    return name, values


def grid_points(grid: Mapping[str, Sequence[Any]], names: Sequence[str]
                ) -> Iterator[tuple[tuple[int, ...], dict[str, Any]]]:
    """``(position, point)`` for every point of the grid over ``names`` (row-major)."""
    axes = [range(len(grid[n])) for n in names]
    for pos in itertools.product(*axes):
        yield pos, {n: grid[n][i] for n, i in zip(names, pos, strict=True)}


def saltelli_values(entries: Sequence[Uncertain], stated: Sequence[float], draws: Sequence[int],
                    seed: int) -> np.ndarray:
    """The values of Saltelli-design draws: draw ``d`` is base point ``j = d // (k + 2)`` and
    block ``b = d % (k + 2)``: ``b = 0`` A, ``b = 1`` B, ``b = 2 + i`` A with column ``i``
    from B. The A and B values of an entry at base point ``j`` are the quantiles of the
    ``j``-th uniform of its streams 1 and 2 (:func:`autarky.sweep.uncertain.uniforms`).

    Examples
    --------
    >>> e = [Uncertain("technology", ("a", "b"), "uniform", low=0.0, high=1.0),
    ...      Uncertain("technology", ("b", "a"), "uniform", low=0.0, high=1.0)]
    >>> v = saltelli_values(e, [0.5, 0.5], range(4), seed=0)
    >>> bool((v[2] == [v[1][0], v[0][1]]).all()), bool((v[3] == [v[0][0], v[1][1]]).all())
    (True, True)
    """
    from autarky.sweep.uncertain import uniforms

    k = len(entries)
    pos = np.asarray(draws, dtype=np.int64)
    j, b = np.divmod(pos, k + 2)
    lo, n = int(j.min()), int(j.max() - j.min() + 1)
    a = np.column_stack([e.ppf(uniforms(seed, e, lo, n, 1), s)
                         for e, s in zip(entries, stated, strict=True)])
    bb = np.column_stack([e.ppf(uniforms(seed, e, lo, n, 2), s)
                          for e, s in zip(entries, stated, strict=True)])
    out = a[j - lo].copy()
    out[b == 1] = bb[j[b == 1] - lo]
    for i in range(k):
        rows = b == 2 + i
        out[rows, i] = bb[j[rows] - lo, i]
    return out
