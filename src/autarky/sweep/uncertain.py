"""Uncertain inputs and consistent draws of a scenario (issue 14, the sampling engine).

An :class:`Uncertain` entry names one number of a scenario table (``table`` and one label per
dimension) and its distribution: ``uniform`` over ``[low, high]``, ``triangular`` over
``[low, high]`` with its mode at the stated value, ``lognormal`` with median the stated value
and ``sd`` the standard deviation of its logarithm (a relative spread), or ``discrete`` over
``values`` with ``weights`` (the OCR readings of a garbled figure). :func:`sample` draws ``n``
scenarios with every entry replaced by its draw.

Draws are reproducible and independent of how they are batched: each entry has its own random
stream (:func:`entry_stream`, seeded by the seed and a hash of the entry's label) and draw ``i``
is the quantile of its ``i``-th uniform, so draws 0-99 are the same whether made in one call,
in ten, or on ten workers, and an entry's draws do not change when other entries are added or
the branches come in another order. A draw whose technology is not productive is kept
as a draw with its status and the reason (``Draws.status``), never dropped silently.

Examples
--------
>>> from autarky import data
>>> scn = data.load("textbook")
>>> entries = [Uncertain("technology", ("agriculture", "manufacturing"), "uniform",
...                      low=0.2, high=0.3)]
>>> d = sample(scn, entries, 4, seed=1)
>>> d.values.shape, bool(((d.values >= 0.2) & (d.values <= 0.3)).all())
((4, 1), True)
>>> sample(scn, entries, 4, seed=1).values.tolist() == d.values.tolist()
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr

from autarky.economy import Scenario, as_scenario
from autarky.economy.registry import TABLES
from autarky.economy.schema import DISTRIBUTIONS
from autarky.errors import BadValueError, NotProductiveError, UnknownIdError

__all__ = [
    "DISTRIBUTIONS",
    "Draws",
    "Uncertain",
    "choose_entries",
    "draw_values",
    "entries_of",
    "sample",
    "split_entries",
]


@dataclass(frozen=True)
class Uncertain:
    """One uncertain number of a scenario table.

    Attributes
    ----------
    table
        A registry table (``technology``, ``import_shares``, ``capital``, ...).
    key
        One label per dimension of the table (``(input, branch)`` for ``technology``).
    distribution
        One of :data:`DISTRIBUTIONS`.
    low, high
        The range (``uniform``, ``triangular``).
    sd
        Standard deviation of the logarithm (``lognormal``).
    values, weights
        The possible values and their weights (``discrete``; weights default to equal).
    note
        The reasoning behind the spread.
    follows
        With distribution ``follows``: the table whose entry at the same labels this one moves
        with (the same ratio to its stated value); it is not drawn itself.
    """

    table: str
    key: tuple[str, ...]
    distribution: str = "uniform"
    low: float | None = None
    high: float | None = None
    sd: float | None = None
    values: tuple[float, ...] = ()
    weights: tuple[float, ...] = ()
    note: str = ""
    follows: str = ""

    def __post_init__(self) -> None:
        if self.table not in TABLES:
            raise UnknownIdError(f"uncertain entry: no table {self.table!r}")
        if len(self.key) != len(TABLES[self.table].dims):
            raise BadValueError(f"uncertain entry of {self.table}: give one label per dimension "
                                f"({', '.join(TABLES[self.table].dims)}), got {self.key!r}")
        d = self.distribution
        if d not in DISTRIBUTIONS:
            raise BadValueError(f"uncertain entry {self.label}: distribution is one of "
                                f"{', '.join(DISTRIBUTIONS)}, not {d!r}")
        if d in ("uniform", "triangular") and (
                self.low is None or self.high is None or not self.low <= self.high):
            raise BadValueError(f"uncertain entry {self.label}: a {d} distribution needs "
                                "low <= high")
        if d == "lognormal" and not (self.sd is not None and self.sd >= 0):
            raise BadValueError(f"uncertain entry {self.label}: a lognormal distribution needs "
                                "sd >= 0 (the standard deviation of the logarithm)")
        if d == "follows":
            lead = TABLES.get(self.follows)
            if lead is None or lead.dims != TABLES[self.table].dims:
                raise BadValueError(f"uncertain entry {self.label}: it follows a table with "
                                    f"the same dimensions, not {self.follows!r}")
        if d == "discrete":
            if not self.values:
                raise BadValueError(f"uncertain entry {self.label}: a discrete distribution "
                                    "needs values")
            if self.weights and (len(self.weights) != len(self.values)
                                 or min(self.weights) < 0 or sum(self.weights) <= 0):
                raise BadValueError(f"uncertain entry {self.label}: one non-negative weight "
                                    "per value, not all zero")

    @property
    def label(self) -> str:
        """``table[label, ...]``."""
        return f"{self.table}[{', '.join(self.key)}]"

    def draw(self, rng: np.random.Generator, value: float) -> float:
        """One draw (``value``: the number as stated, the mode or median where it is one)."""
        d = self.distribution
        if d == "follows":
            raise BadValueError(f"{self.label} follows {self.follows}: it is not drawn itself")
        if d == "uniform":
            assert self.low is not None and self.high is not None
            return float(rng.uniform(self.low, self.high))
        if d == "triangular":
            assert self.low is not None and self.high is not None
            if self.low == self.high:
                return float(self.low)
            mode = min(max(value, self.low), self.high)
            return float(rng.triangular(self.low, mode, self.high))
        if d == "lognormal":
            assert self.sd is not None
            return float(value * np.exp(rng.normal(0.0, self.sd)))
        w = np.asarray(self.weights or [1.0] * len(self.values), dtype=float)
        return float(self.values[int(rng.choice(len(self.values), p=w / w.sum()))])


    def ppf(self, u: np.ndarray, value: float) -> np.ndarray:
        """The quantiles at ``u`` (uniform on [0, 1)): the inverse distribution function, for
        designs that draw by quantile (Saltelli's)."""
        u = np.asarray(u, dtype=float)
        d = self.distribution
        if d == "uniform":
            assert self.low is not None and self.high is not None
            return self.low + u * (self.high - self.low)
        if d == "triangular":
            assert self.low is not None and self.high is not None
            lo, hi = self.low, self.high
            if lo == hi:
                return np.full_like(u, lo)
            c = min(max(value, lo), hi)
            f = (c - lo) / (hi - lo)
            return np.where(u < f, lo + np.sqrt(u * (hi - lo) * (c - lo)),
                            hi - np.sqrt((1 - u) * (hi - lo) * (hi - c)))
        if d == "lognormal":
            from scipy.stats import norm

            assert self.sd is not None
            return value * np.exp(self.sd * norm.ppf(np.clip(u, 1e-300, 1 - 1e-16)))
        w = np.asarray(self.weights or [1.0] * len(self.values), dtype=float)
        cum = np.cumsum(w / w.sum())
        k = np.minimum(np.searchsorted(cum, u, side="right"), len(self.values) - 1)
        return np.asarray(self.values, dtype=float)[k]


_BY_KEY = {t.scenario_key: name for name, t in TABLES.items() if t.scenario_key}


def _cell(v: Any) -> Any:
    return None if v is None or (isinstance(v, float) and np.isnan(v)) else v


def entries_of(obj: Any) -> list[Uncertain]:
    """The uncertain numbers a scenario file declares (a ``range``, ``distribution``, ``sd`` or
    ``values`` on a table entry), in the order of its provenance table.

    Examples
    --------
    >>> import pandas as pd
    >>> from autarky import Economy
    >>> prov = pd.DataFrame([{"table": "technology", "row": "a", "column": "a",
    ...                       "distribution": "uniform", "low": 0.1, "high": 0.3}])
    >>> eco = Economy.from_coefficients([[0.2]], [1.0], branches=["a"], provenance=prov)
    >>> [e.label for e in entries_of(eco)]
    ['technology[a, a]']
    """
    scn = as_scenario(obj)
    prov = scn.economy.provenance
    if "distribution" not in prov.columns or not len(prov):
        return []
    out = []
    for rec in prov.to_dict("records"):
        dist = _cell(rec.get("distribution"))
        if not dist:
            continue
        table, row, col = str(rec["table"]), str(rec["row"]), _cell(rec.get("column"))
        key: tuple[str, ...]
        if table.startswith("factors."):
            name, key = "factor_coefficients", (table.split(".", 1)[1], row)
        elif table == "factors" and col == "availability":
            name, key = "factor_availability", (row,)
        else:
            name = _BY_KEY.get(table, table)
            if name not in TABLES:
                raise UnknownIdError(f"an uncertain number of {table!r} cannot be drawn: "
                                     "only table entries are sampled")
            key = (row, *str(col).split("/")) if col is not None else (
                (row,) if TABLES[name].dims else ())
        vals, wts = _cell(rec.get("values")), _cell(rec.get("weights"))
        lead = str(_cell(rec.get("follows")) or "")
        out.append(Uncertain(
            name, tuple(key), str(dist), low=_cell(rec.get("low")), high=_cell(rec.get("high")),
            sd=_cell(rec.get("sd")), values=tuple(vals or ()), weights=tuple(wts or ()),
            note=str(_cell(rec.get("range_note")) or ""), follows=_BY_KEY.get(lead, lead)))
    return out


def _position(scn: Scenario, e: Uncertain) -> tuple[int, ...]:
    coords = scn.settings_coords
    out = []
    for dim, lab in zip(TABLES[e.table].dims, e.key, strict=True):
        labels = [str(x) for x in coords.index(dim)]
        if lab not in labels:
            raise UnknownIdError(f"uncertain entry {e.label}: no {dim} {lab!r}")
        out.append(labels.index(lab))
    return tuple(out)


def _dense(scn: Scenario, table: str) -> np.ndarray:
    arr = scn.array(table)
    if arr is None:
        raise BadValueError(f"the scenario has no table {table!r} to make uncertain")
    if hasattr(arr, "toarray"):
        arr = arr.toarray()
    return np.array(arr, dtype=float, copy=True)


def entry_stream(seed: int, e: Uncertain, stream: int = 0) -> np.random.Generator:
    """The random stream of one entry: PCG64 seeded by ``(seed, a hash of the entry's label,
    stream)``, so an entry's draws depend neither on the other entries, nor on their order (the
    branch order), nor on the batching."""
    return np.random.Generator(_bits(seed, e, stream))


def _bits(seed: int, e: Uncertain, stream: int) -> np.random.PCG64:
    h = int.from_bytes(hashlib.sha256(e.label.encode()).digest()[:8], "little")
    return np.random.PCG64([int(seed), h, int(stream)])


def uniforms(seed: int, e: Uncertain, first: int, count: int, stream: int = 0) -> np.ndarray:
    """Uniforms ``first .. first + count - 1`` of an entry's stream (the stream advanced to
    ``first``: each uniform takes one step)."""
    bits = _bits(seed, e, stream)
    bits.advance(int(first))
    return np.random.Generator(bits).random(int(count))


def _runs(draws: Sequence[int]) -> list[tuple[int, int, int]]:
    """Consecutive runs of draw numbers: ``(position in draws, first draw, length)``."""
    out: list[tuple[int, int, int]] = []
    for r, d in enumerate(draws):
        if out and out[-1][1] + out[-1][2] == d:
            k, first, n = out[-1]
            out[-1] = (k, first, n + 1)
        else:
            out.append((r, int(d), 1))
    return out


def draw_values(scn: Any, entries: Sequence[Uncertain], draws: Sequence[int],
                seed: int) -> np.ndarray:
    """The drawn values, ``len(draws) x len(entries)``: draw ``i`` of an entry is the quantile
    (:meth:`Uncertain.ppf`) of the ``i``-th uniform of its own stream (:func:`entry_stream`),
    whatever the batch it is drawn in, whatever the other entries."""
    scn = as_scenario(scn)
    followers = [e.label for e in entries if e.distribution == "follows"]
    if followers:
        raise BadValueError(f"{followers[0]} follows another entry: draw the independent "
                            "entries (split_entries) and pass the followers to the scenario")
    stated = [float(_dense(scn, e.table)[_position(scn, e)]) for e in entries]
    out = np.empty((len(draws), len(entries)))
    runs = _runs([int(d) for d in draws])
    for c, (e, v) in enumerate(zip(entries, stated, strict=True)):
        for k, first, n in runs:
            out[k : k + n, c] = e.ppf(uniforms(seed, e, first, n), v)
    return out


@dataclass(frozen=True)
class Draws:
    """Draws of a scenario: the values drawn and, per draw, whether the scenario holds.

    Attributes
    ----------
    values
        ``draw x entry`` (the entries' own units).
    status
        Per draw: ``ok``, ``not productive`` or ``out of bounds``.
    reasons
        Per draw: empty, or why it fails.
    entries, draws, seed
        What was drawn.
    followers
        The entries that move with a drawn one (``follows``).
    """

    values: np.ndarray
    status: tuple[str, ...]
    reasons: tuple[str, ...]
    entries: tuple[Uncertain, ...]
    draws: tuple[int, ...]
    seed: int
    _scenario: Scenario = field(repr=False)
    followers: tuple[Uncertain, ...] = ()

    @property
    def failed(self) -> int:
        """How many draws broke the scenario (reported, never dropped)."""
        return sum(s != "ok" for s in self.status)

    def scenario(self, k: int) -> Scenario:
        """The scenario of the ``k``-th draw (position in :attr:`draws`)."""
        return _apply(self._scenario, self.entries, self.values[k], self.followers)

    def scenarios(self) -> Iterator[tuple[int, Scenario | None]]:
        """``(draw, scenario)`` for every draw; ``None`` for a draw that breaks it."""
        for k, i in enumerate(self.draws):
            yield i, (self.scenario(k) if self.status[k] == "ok" else None)

    def to_dataset(self) -> xr.Dataset:
        """The draws as a labelled dataset (dims ``draw``, ``entry``)."""
        labels = [e.label for e in self.entries]
        return xr.Dataset(
            {"value": xr.DataArray(self.values, dims=("draw", "entry"),
                                   coords={"draw": list(self.draws), "entry": labels},
                                   attrs={"unit": "the entry's own unit",
                                          "description": "Drawn value."}),
             "status": xr.DataArray(np.array(self.status, dtype=object), dims=("draw",),
                                    coords={"draw": list(self.draws)})},
            attrs={"seed": self.seed, "failed": self.failed,
                   "distributions": [e.distribution for e in self.entries]})


def from_claim(claim: Any, table: str, key: Sequence[str], scale: float = 1.0) -> Uncertain:
    """A claim's possible values as a discrete distribution of one table entry: the value as
    read (weight 1), its OCR ``alternatives`` (weight 1 each) and each reading that changes the
    value (its ``prior``), times ``scale`` (the claim's unit in the table's).

    Examples
    --------
    >>> from autarky.economy.claims import Claim, Reading
    >>> c = Claim("steel-1963", "level", "steel output", 1.2, "million t", 1963,
    ...           alternatives=(12.0,), readings=(Reading("typo", prior=0.5, value=1.02),))
    >>> e = from_claim(c, "reported_output", ("steel",), scale=1000)
    >>> e.values, e.weights
    ((1200.0, 12000.0, 1020.0), (1.0, 1.0, 0.5))
    """
    vals = [float(claim.value), *(float(v) for v in claim.alternatives)]
    wts = [1.0] * len(vals)
    for r in claim.readings:
        if r.value is not None:
            vals.append(float(r.value))
            wts.append(float(r.prior))
    if len(vals) < 2:
        raise BadValueError(f"claim {claim.id!r} has one reading only (no alternatives, no "
                            "reading of its value): nothing to draw")
    note = f"claim {claim.id}" + (f", OCR {claim.ocr!r}" if claim.ocr else "")
    return Uncertain(table, tuple(key), "discrete", values=tuple(v * scale for v in vals),
                     weights=tuple(wts), note=note)


def choose_entries(entries: Sequence[Uncertain], vary: Sequence[str] | None
                   ) -> list[Uncertain]:
    """The entries of the tables in ``vary`` (all where ``None``), with those that follow one
    of them: a number that moves with a drawn table's moves whether named or not.

    Raises
    ------
    BadValueError
        For a table in ``vary`` with no uncertain number.
    """
    if vary is None:
        return list(entries)
    known = {e.table for e in entries}
    bad = [v for v in vary if v not in known]
    if bad:
        raise BadValueError(f"--vary {bad[0]}: no uncertain number in that table (the "
                            f"scenario's are in {', '.join(sorted(known)) or 'none'})")
    chosen = set(vary)
    return [e for e in entries
            if e.table in chosen or (e.distribution == "follows" and e.follows in chosen)]


def split_entries(entries: Sequence[Uncertain]) -> tuple[list[Uncertain], list[Uncertain]]:
    """The entries that are drawn, and those that follow one of them."""
    return ([e for e in entries if e.distribution != "follows"],
            [e for e in entries if e.distribution == "follows"])


def _apply(scn: Scenario, entries: Sequence[Uncertain], row: np.ndarray,
           followers: Sequence[Uncertain] = ()) -> Scenario:
    """The scenario with ``entries`` set to ``row`` and each follower moved with its leader
    (the same ratio to the stated value; left as stated where its leader is not drawn)."""
    tables: dict[str, np.ndarray] = {}
    drawn: dict[tuple[str, tuple[str, ...]], tuple[float, float]] = {}
    for e, v in zip(entries, row, strict=True):
        if e.table not in tables:
            tables[e.table] = _dense(scn, e.table)
        at = _position(scn, e)
        drawn[(e.table, e.key)] = (float(tables[e.table][at]), float(v))
        tables[e.table][at] = v
    for f in followers:
        lead = drawn.get((f.follows, f.key))
        if lead is None:
            continue
        if f.table not in tables:
            tables[f.table] = _dense(scn, f.table)
        at = _position(scn, f)
        stated, new = lead
        tables[f.table][at] = tables[f.table][at] * (new / stated) if stated else new
    if "final_demand" in tables:  # its categories are labels of the table itself
        import pandas as pd

        fd = scn.economy.final_demand
        tables["final_demand"] = pd.DataFrame(tables["final_demand"], index=fd.index,
                                              columns=fd.columns)
    return scn.replace(**tables)


def sample(obj: Any, entries: Sequence[Uncertain], n: int | None = None, seed: int = 0, *,
           draws: Sequence[int] | None = None) -> Draws:
    """Draw scenarios with every uncertain entry replaced by its draw.

    Parameters
    ----------
    obj
        An economy or scenario.
    entries
        The uncertain numbers.
    n
        Draws ``0 .. n-1`` (or give ``draws``, a list of draw numbers: a batch).
    seed
        The seed (with each entry's label, the seed of the entry's stream).

    Returns
    -------
    Draws
        Every draw, with its status: one whose technology is not productive is counted.
    """
    scn = as_scenario(obj)
    if not entries:
        raise BadValueError("no uncertain entry to draw")
    if draws is None:
        if n is None or int(n) < 1:
            raise BadValueError(f"draws: give n >= 1, got {n!r}")
        draws = range(int(n))
    idx = tuple(int(i) for i in draws)
    drawn, followers = split_entries(entries)
    values = draw_values(scn, drawn, idx, seed)
    status, reasons = [], []
    for row in values:
        try:
            _apply(scn, drawn, row, followers)
        except NotProductiveError as exc:
            status.append("not productive")
            reasons.append(str(exc))
        except BadValueError as exc:  # a draw out of the tables' bounds (exports over a limit)
            status.append("out of bounds")
            reasons.append(str(exc))
        else:
            status.append("ok")
            reasons.append("")
    return Draws(values, tuple(status), tuple(reasons), tuple(drawn), idx, int(seed), scn,
                 tuple(followers))

