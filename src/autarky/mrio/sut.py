"""Supply and use tables made symmetric: the industry- and product-technology constructs
(Miller & Blair, *Input-Output Analysis*, 2nd ed. 2009, ch. 5), as pure functions on numpy
arrays; the readers of real tables (BEA, ABS) are in :mod:`autarky.mrio.sut_readers`.

Notation (Miller & Blair): ``U`` the use table (commodity x industry), ``V`` the make table
(industry x commodity), ``e`` final demand by commodity (here a matrix ``E``, one column per
category), ``W`` value added by industry (one row per component), ``m`` imports by commodity;
industry output ``g = V 1``, commodity output ``q = V' 1``. Then

* ``B = U ĝ^-1``: the inputs of each commodity per unit of an industry's output;
* ``D = V q̂^-1``: market shares, the part of each commodity's output each industry makes;
* ``C = V' ĝ^-1``: product mix, the commodities each industry makes per unit of its output.

*Industry technology* (each industry has one input structure, whatever it makes): commodity
by commodity ``A = B D`` (flows ``Z = U ĝ^-1 V``, final demand ``E``, value added
``W ĝ^-1 V``); industry by industry ``A = D B`` (flows ``Z = D U``, final demand ``D E``,
imports ``D m``, value added ``W``). Any shape: the commodities need not match the industries.

*Product (commodity) technology* (each commodity has one input structure, whoever makes it):
commodity by commodity ``A = B C^-1`` (``Z = U V'^-1 q̂``, value added ``W V'^-1 q̂``);
industry by industry ``A = C^-1 B`` (``Z = ĝ V'^-1 U``, final demand ``ĝ V'^-1 E``, imports
``ĝ V'^-1 m``). ``C`` must be square and invertible: a table with more commodities than
industries is refused, naming the commodities no industry is named after (the BEA tables'
"Scrap, used and secondhand goods" and "Noncomparable imports"); use the industry technology
there. Every product is computed by a linear solve with ``V'`` (one factorization), never an
inverse. The construct gives negative flows where an industry's secondary products are made
with inputs unlike the primary producers'; they are counted and reported
(:class:`Negatives`), never clipped: :func:`to_mrio` refuses them or moves them, balances kept,
to an adjustment row and column (``negatives="move"``, the readers' default).

In both constructs the rows and columns balance as the supply and use tables do: industry by
industry, rows ``Z 1 + Y 1 - m = g`` and columns ``1' Z + 1' W = g'``; commodity by
commodity, ``q`` both ways.

Example, solved by hand: industry 1 makes 100 of commodity 1 and 50 of commodity 2, industry 2
makes 100 of commodity 2, so ``g = (150, 100)``, ``q = (100, 150)``; ``U = [[30, 10], [15,
30]]``, value added ``(105, 60)``, final demand ``e = q - U 1 = (60, 105)``. Then ``D = [[1,
1/3], [0, 2/3]]`` and the industry-technology industry-by-industry flows are ``D U = [[30 + 15/3,
10 + 30/3], [2/3 15, 2/3 30]] = [[35, 20], [10, 20]]``, final demand ``D e = (60 + 35, 70)``:

>>> V = np.array([[100.0, 50.0], [0.0, 100.0]]); U = np.array([[30.0, 10.0], [15.0, 30.0]])
>>> E = np.array([[60.0], [105.0]]); W = np.array([[105.0, 60.0]])
>>> s = symmetric(U, V, E, W)
>>> s.Z.tolist(), s.Y.tolist(), s.x.tolist()
([[35.0, 20.0], [10.0, 20.0]], [[95.0], [70.0]], [150.0, 100.0])

``C = V' ĝ^-1 = [[2/3, 0], [1/3, 1]]``, ``C^-1 = [[3/2, 0], [-1/2, 1]]``, and the
product-technology commodity coefficients ``B C^-1 = [[0.2, 0.1], [0.1, 0.3]] C^-1 = [[0.25,
0.1], [0, 0.3]]``:

>>> technical_coefficients(U, V, technology="product", by="product").round(12).tolist()
[[0.25, 0.1], [0.0, 0.3]]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from autarky.checks import quoted
from autarky.errors import BadValueError, TableError
from autarky.mrio.table import MRIO, calc_A

#: The final-demand category that holds the moved negative flows, and the value-added row.
ADJUSTMENT = "Negative flows moved (adjustment)"


def market_shares(V: np.ndarray) -> np.ndarray:
    """``D = V q̂^-1``, ``q = V' 1``: the share of each commodity's output each industry makes
    (columns of commodities nobody makes are zero).

    >>> market_shares(np.array([[100.0, 50.0], [0.0, 100.0]])).round(4).tolist()
    [[1.0, 0.3333], [0.0, 0.6667]]
    """
    V = np.asarray(V, dtype=float)
    return calc_A(V, V.sum(axis=0))


def product_mix(V: np.ndarray) -> np.ndarray:
    """``C = V' ĝ^-1``, ``g = V 1``: the commodities each industry makes per unit of output.

    >>> product_mix(np.array([[100.0, 50.0], [0.0, 100.0]])).round(4).tolist()
    [[0.6667, 0.0], [0.3333, 1.0]]
    """
    V = np.asarray(V, dtype=float)
    return calc_A(V.T, V.sum(axis=1))


def _check(technology: str, by: str) -> None:
    if technology not in ("industry", "product"):
        raise BadValueError(f"technology is 'industry' or 'product', not {quoted(technology)}")
    if by not in ("industry", "product"):
        raise BadValueError(f"by is 'industry' (industry by industry) or 'product' (product "
                            f"by product), not {quoted(by)}")


def _square(V: np.ndarray, commodities: Any = None, industries: Any = None) -> None:
    ni, nc = V.shape
    if ni != nc:
        extra = [str(c) for c in commodities if c not in set(industries or ())] \
            if commodities is not None else []
        raise BadValueError(
            f"the product-technology construct needs as many commodities as industries; the "
            f"table has {nc} commodities and {ni} industries"
            + (f" (commodities no industry is named after: {'; '.join(extra[:5])})" if extra
               else "") + "; use technology='industry', which takes any shape")


def _solve(M: np.ndarray, R: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.solve(M, R)
    except np.linalg.LinAlgError:
        raise BadValueError("the make table is singular: the product-technology construct "
                            "needs the industries' product mixes to be independent") from None


def technical_coefficients(U: np.ndarray, V: np.ndarray, *, technology: str = "industry",
                           by: str = "industry") -> np.ndarray:
    """The direct requirements ``A`` of the symmetric table (see the module docstring):
    industry technology ``D B`` (by industry) or ``B D`` (by product); product technology
    ``C^-1 B`` or ``B C^-1``, solved (``C A = B``, ``C' A' = B'``), never inverted.

    >>> V = np.array([[100.0, 50.0], [0.0, 100.0]]); U = np.array([[30.0, 10.0], [15.0, 30.0]])
    >>> technical_coefficients(U, V).round(4).tolist()
    [[0.2333, 0.2], [0.0667, 0.2]]
    """
    _check(technology, by)
    U, V = np.asarray(U, dtype=float), np.asarray(V, dtype=float)
    B = calc_A(U, V.sum(axis=1))
    if technology == "industry":
        D = market_shares(V)
        return D @ B if by == "industry" else B @ D
    _square(V)
    C = product_mix(V)
    return _solve(C, B) if by == "industry" else _solve(C.T, B.T).T


@dataclass(frozen=True)
class Negatives:
    """The negative flows of a symmetric table: how many, the largest (most negative, ``0.0``
    where none) and where (row, column), and their sum."""

    count: int
    largest: float
    at: tuple[int, int] | None
    total: float

    @classmethod
    def of(cls, Z: np.ndarray) -> Negatives:
        neg = Z < 0
        if not neg.any():
            return cls(0, 0.0, None, 0.0)
        i, j = np.unravel_index(int(np.argmin(Z)), Z.shape)
        return cls(int(neg.sum()), float(Z[i, j]), (int(i), int(j)), float(Z[neg].sum()))


@dataclass(frozen=True)
class Symmetric:
    """A symmetric table: flows ``Z``, final demand ``Y`` (by category), value added ``W`` (by
    component), imports ``m`` (or ``None``), output ``x`` and its negative flows."""

    technology: str
    by: str
    Z: np.ndarray
    Y: np.ndarray
    W: np.ndarray
    m: np.ndarray | None
    x: np.ndarray
    negatives: Negatives

    @property
    def A(self) -> np.ndarray:
        """``Z x̂^-1``."""
        return calc_A(self.Z, self.x)


def symmetric(U: np.ndarray, V: np.ndarray, E: np.ndarray, W: np.ndarray,
              m: np.ndarray | None = None, *, technology: str = "industry",
              by: str = "industry", commodities: Any = None,
              industries: Any = None) -> Symmetric:
    """The symmetric table of the supply and use tables ``U`` (commodity x industry), ``V``
    (industry x commodity), ``E`` (commodity x category), ``W`` (component x industry) and
    ``m`` (imports by commodity), by the industry or product technology, industry by industry
    or product by product (see the module docstring). ``commodities`` and ``industries``
    (labels) name the ones at fault in errors."""
    _check(technology, by)
    U, V, E, W = (np.asarray(a, dtype=float) for a in (U, V, E, W))
    ni, nc = V.shape
    mm = np.zeros(nc) if m is None else np.asarray(m, dtype=float)
    if U.shape != (nc, ni) or E.shape[0] != nc or W.shape[1] != ni or mm.shape != (nc,):
        raise BadValueError(f"shapes do not fit: V {V.shape} (industry x commodity), U "
                            f"{U.shape}, E {E.shape}, W {W.shape}, m {mm.shape}")
    g, q = V.sum(axis=1), V.sum(axis=0)
    cl = list(commodities) if commodities is not None else list(range(nc))
    il = list(industries) if industries is not None else list(range(ni))
    lost = np.flatnonzero((g == 0) & ((U != 0).any(axis=0) | (W != 0).any(axis=0)))
    if lost.size:
        raise BadValueError(f"industry {il[lost[0]]} makes nothing but has inputs")
    lost = np.flatnonzero((q == 0) & ((U != 0).any(axis=1) | (E != 0).any(axis=1) | (mm != 0)))
    if lost.size and not (technology == "industry" and by == "product"):
        raise BadValueError(f"commodity {cl[lost[0]]} is used but no industry makes it: the "
                            "construct has no industry to place it in")
    if technology == "industry":
        D = market_shares(V)
        if by == "industry":
            Z, Y, Wn, mo, x = D @ U, D @ E, W, D @ mm, g
        else:
            Z, Y, Wn, mo, x = calc_A(U, g) @ V, E, calc_A(W, g) @ V, mm, q
    else:
        _square(V, cl if commodities is not None else None, il)
        if by == "industry":  # C^-1 [U E m] = ĝ V'^-1 [U E m], one factorization
            S = g[:, None] * _solve(V.T, np.hstack([U, E, mm[:, None]]))
            Z, Y, Wn, mo, x = S[:, :ni], S[:, ni:-1], W, S[:, -1], g
        else:  # [U; W] V'^-1 q̂: V [A' | ...] = [U' | W']
            S = _solve(V, np.hstack([U.T, W.T])).T * q[None, :]
            Z, Y, Wn, mo, x = S[:nc], E, S[nc:], mm, q
    return Symmetric(technology, by, Z, Y, Wn, None if m is None else mo, x, Negatives.of(Z))


def to_mrio(s: Symmetric, *, sectors: Any, categories: Any, value_added_rows: Any,
            region: str, unit: str, provenance: dict[str, Any],
            stated_output: np.ndarray | None = None, output_tol: float = 1e-6,
            negatives: str = "move") -> MRIO:
    """The symmetric table ``s`` as a one-region :class:`MRIO`.

    Negative flows (and negative imports) ``negatives="refuse"``: a :class:`TableError`
    naming the count, the largest and where; ``"move"``: each is set to zero and added to a
    final-demand category and a value-added row :data:`ADJUSTMENT` (row ``i`` and column
    ``j`` of a flow ``Z[i, j] < 0``), so that rows and columns still balance; recorded in the
    provenance (``negatives``: count, largest, where, total)."""
    if negatives not in ("move", "refuse"):
        raise BadValueError(f"negatives is 'move' or 'refuse', not {quoted(negatives)}")
    Z, Y, W = s.Z.copy(), s.Y.copy(), s.W.copy()
    m = None if s.m is None else s.m.copy()
    cats, va_rows, sec = list(categories), list(value_added_rows), [str(x) for x in sectors]
    neg, file = s.negatives, provenance.get("file")
    bad_m = m is not None and bool((m < 0).any())
    record: dict[str, Any] = {"count": neg.count, "largest": neg.largest, "total": neg.total,
                              "at": [sec[k] for k in neg.at] if neg.at else None,
                              "treatment": "none"}
    if neg.count or bad_m:
        if negatives == "refuse":
            if neg.at is None:
                assert m is not None
                k = int(np.argmin(m))
                raise TableError(f"the {s.technology}-technology construct gives negative "
                                 f"imports ({m[k]:.6g} of {sec[k]}); negatives='move' moves "
                                 "them to an adjustment column", file=file, row=sec[k])
            raise TableError(f"the {s.technology}-technology construct gives {neg.count} "
                             f"negative flows (the largest {neg.largest:.6g} from "
                             f"{sec[neg.at[0]]} to {sec[neg.at[1]]}; {neg.total:.6g} in all); "
                             "negatives='move' moves them to an adjustment row and column",
                             file=file, row=sec[neg.at[0]], column=sec[neg.at[1]])
        low = np.where(Z < 0, Z, 0.0)
        col = low.sum(axis=1)
        if m is not None and bad_m:
            record["negative_imports"] = int((m < 0).sum())
            col = col - np.minimum(m, 0.0)
            m = np.maximum(m, 0.0)
        Z = Z - low
        Y = np.hstack([Y, col[:, None]])
        W = np.vstack([W, low.sum(axis=0)[None, :]])
        cats.append(ADJUSTMENT)
        va_rows.append(ADJUSTMENT)
        record["treatment"] = f"moved to the final-demand category and value-added row {quoted(ADJUSTMENT)}"
    prov = {**provenance, "construct": f"{s.technology} technology, {s.by} by {s.by}",
            "negatives": record}
    return MRIO(regions=(region,), sectors=tuple(sec), categories=tuple(cats), Z=Z, Y=Y,
                value_added=W, value_added_rows=tuple(va_rows), unit=unit,
                stated_output=stated_output, imports_out=m, provenance=prov,
                output_tol=output_tol)


__all__ = ["ADJUSTMENT", "Negatives", "Symmetric", "market_shares", "product_mix", "symmetric",
           "technical_coefficients", "to_mrio"]
