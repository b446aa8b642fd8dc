"""Claims audit: do a source's numbers hold together?

Every audited claim is one linear equation in the logarithms of the levels it mentions. The
unknowns are ``log q(y)``, one for each quantity ``q`` and year ``y`` the claims involve:

========  ===============================================  =======================================
kind      claim                                            equation
========  ===============================================  =======================================
level     ``q(y) = v``                                     ``log q(y) = log v``
ratio     ``q(y) / q(b) = v``                              ``log q(y) - log q(b) = log v``
growth    average annual rate ``r`` from ``b`` to ``y``    ``log q(y) - log q(b) = (y-b) log(1+r)``
share     ``q(y)`` is a share ``v`` of ``of(y)``           ``log q(y) - log of(y) = log v``
duration  ``N`` days of ``y`` make what all of ``b`` made  ``log q(y) - log q(b) = log(365 / N)``
========  ===============================================  =======================================

Kinds ``amount``, ``count`` and ``date`` say nothing about a level path; they are listed as not
audited. So are claims whose value has no logarithm (a share of 0, a growth rate of -100 %).

Weighted least squares (one SVD of the weighted design) gives the most consistent log series, its
covariance ``(J'WJ)^+`` and a residual for every claim; the chi-square of the weighted residuals
says whether the set as a whole can hold together. See :func:`audit` for the weighting rule, the
identification rule (indexes), and how residuals are standardised.

>>> from autarky.economy.claims import Claim
>>> res = audit([
...     Claim("a", "level", "x", 100.0, "t", year=1960),
...     Claim("b", "growth", "x", 0.1, "fraction per year", year=1962, base_year=1960),
...     Claim("c", "ratio", "x", 1.1, "times", year=1962, base_year=1961),
... ])
>>> [round(v, 6) for v in res.series["value"]]
[100.0, 110.0, 121.0]
>>> round(res.chi2, 12), res.dof, res.consistent
(0.0, 0, True)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from autarky import checks
from autarky.checks import quoted
from autarky.display import DatasetDisplay
from autarky.economy.claims import TWO_YEAR_KINDS, Claim, Claims
from autarky.errors import BadTypeError, BadValueError, OutOfRangeError, UnknownIdError
from autarky.io.claims import read_claims_csv
from autarky.solve.wls import in_row_space, weighted_least_squares

#: Kinds that become equations in log levels.
AUDITED_KINDS = ("level", "ratio", "growth", "share", "duration")
#: Days in the year of a duration claim ("N days of 1963 made what all of 1944 made").
DAYS_PER_YEAR = 365.0
#: The factor a claim's standard deviation is multiplied by for the type of its source
#: (``source_type``; a claim of the audited document itself has none and keeps its own):
#: ``official`` claims, and the secondary works that ``reproduce`` them, are the least checked
#: (x 2); internal documents (``archive``) pass on official statistics but were written for
#: internal use and sometimes criticise them, and ``independent`` estimates rest on other
#: evidence (x 1.5); blogs, translations and mirrors (``weak``) are leads only (x 3).
SOURCE_WEIGHTS: dict[str, float] = {"official": 2.0, "archive": 1.5, "reproduction": 2.0,
                                    "independent": 1.5, "weak": 3.0}
_TWO_YEARS = TWO_YEAR_KINDS
_in_row_space = in_row_space  # moved to autarky.solve.wls
_Key = tuple[str, int]


# ----------------------------------------------------------------------------- weights
def half_unit(value: float) -> float:
    """Half a unit of the last stated digit of ``value``.

    The number is taken as Python writes it shortest (``repr``): ``3.2`` -> 0.05, ``0.348`` ->
    0.0005, ``0.18`` -> 0.005. A whole number's last stated digit is its units digit, so
    ``20`` -> 0.5 and ``5000`` -> 0.5; a value the source printed as ``3.0`` is stored as the
    number 3 and is likewise treated as a whole number.

    Examples
    --------
    >>> half_unit(3.2), half_unit(0.18), half_unit(20.0), half_unit(0.348)
    (0.05, 0.005, 0.5, 0.0005)
    """
    try:
        v = abs(float(value))
    except ValueError:
        raise BadValueError(f"half_unit needs a number, got {value!r:.60}") from None
    except TypeError:
        raise BadTypeError(f"half_unit needs a number, got {value!r:.60}") from None
    if not math.isfinite(v):
        raise BadValueError(f"half_unit of a non-finite value {quoted(value)}")
    if v == int(v):
        return 0.5
    exponent = Decimal(repr(v)).normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return 0.5 * 10.0**exponent


def _rhs(kind: str, value: float, span: int) -> float | None:
    """Right-hand side of a claim's log equation, or None where ``value`` has no logarithm."""
    if kind == "growth":
        return span * math.log1p(value) if value > -1.0 else None
    if value <= 0.0:
        return None
    if kind == "duration":
        return math.log(DAYS_PER_YEAR / value)
    return math.log(value)


def stated_half_unit(claim: Claim) -> float:
    """Half a unit of the last digit of ``claim.value`` as the source states it.

    Growth rates, and shares whose unit is a ``fraction``, are stated in per cent and stored as
    fractions, so their half unit is that of ``100 v``, over 100: 18 % -> 0.005, 10 % -> 0.005
    (not the 0.05 of the digits of 0.1), 34.8 % -> 0.0005. Other values: :func:`half_unit`.

    Examples
    --------
    >>> from autarky.economy.claims import Claim
    >>> stated_half_unit(Claim("g", "growth", "x", 0.1, "fraction per year", 1962, 1960))
    0.005
    >>> stated_half_unit(Claim("r", "ratio", "x", 3.2, "times", 1967, 1960))
    0.05
    """
    if not isinstance(claim, Claim):
        raise BadTypeError(f"stated_half_unit needs a Claim, got {claim!r:.60}")
    if claim.kind == "growth" or (claim.kind == "share" and "fraction" in claim.unit.lower()):
        return half_unit(round(100.0 * claim.value, 9)) / 100.0
    return half_unit(claim.value)


def _rounding(claim: Claim, span: int) -> float:
    """Rounding half-unit of the claim's value carried into its log equation."""
    kind, value = claim.kind, claim.value
    h = stated_half_unit(claim)
    if kind == "growth":
        return span * h / (1.0 + value)
    return h / abs(value)


# ----------------------------------------------------------------------------- equations
@dataclass(frozen=True)
class _Equation:
    claim: Claim
    terms: tuple[tuple[_Key, float], ...]
    rhs: float
    sigma: float
    span: int


def _years_text(c: Claim) -> str:
    if c.kind in _TWO_YEARS and c.base_year is not None:
        return f"{c.base_year}-{c.year}"
    return "" if c.year is None else str(c.year)


def _equation(
    c: Claim, *, sigma_floor: float, sigma: Mapping[str, float], use_alternatives: bool,
    source_weights: Mapping[str, float] | None = None,
) -> _Equation | str:
    """The claim's equation, or the reason it is not audited."""
    if c.kind not in AUDITED_KINDS:
        return f"not audited: kind {c.kind}"
    if c.year is None:
        return "not audited: no year"
    span = 0
    if c.kind in _TWO_YEARS:
        if c.base_year is None:
            return f"not audited: a {c.kind} claim needs base_year"
        span = c.year - c.base_year
        if span == 0:
            return "not audited: base_year equals year"
    if c.kind == "share" and (not c.of or c.of == c.quantity):
        return "not audited: a share claim needs 'of', a quantity other than its own"
    if c.confidence <= 0.0:
        return "not audited: confidence 0 gives it no weight"
    _check_takes(c)
    rhs = _rhs(c.kind, c.value, span)
    if rhs is None:  # a zero: a possible statement ("none"), but it has no logarithm
        return f"not audited: value {c.value:g} has no logarithm"
    if c.kind == "level":
        terms: tuple[tuple[_Key, float], ...] = (((c.quantity, c.year), 1.0),)
    elif c.kind == "share":
        assert c.of is not None
        terms = (((c.quantity, c.year), 1.0), ((c.of, c.year), -1.0))
    else:
        assert c.base_year is not None
        terms = (((c.quantity, c.year), 1.0), ((c.quantity, c.base_year), -1.0))
    if c.id in sigma or c.sigma is not None:
        given = sigma.get(c.id, c.sigma)
        s = float(checks.number(f"sigma for claim {quoted(c.id)}", given))
        if not (math.isfinite(s) and s > 0.0):
            raise BadValueError(f"sigma for claim {quoted(c.id)} must be a positive number, "
                                f"got {quoted(s)}")
    else:
        rounding = _rounding(c, span)
        spread = 0.0
        if use_alternatives:
            for a in c.alternatives:
                ra = _rhs(c.kind, a, span)
                if ra is not None:
                    spread = max(spread, abs(ra - rhs))
        s = max(sigma_floor, math.hypot(rounding, spread) / c.confidence)
        if c.source_type:
            weights = SOURCE_WEIGHTS if source_weights is None else source_weights
            s *= float(weights.get(c.source_type, 1.0))
    return _Equation(c, terms, rhs, s, span)


def _check_takes(c: Claim) -> None:
    """Refuse an impossible claim: a negative level, ratio, share or duration, a fall of more
    than 100 %, a share (as a fraction) above 1. A zero is possible ("no aid") but has no
    logarithm: it is not audited, and the claims table says so."""
    v = float(c.value)
    where = f"claim {quoted(c.id)}" + (f" (line {c.file_line})" if c.file_line else
                                 f" (the source's line {c.line})" if c.line else "")
    if not math.isfinite(v):
        raise BadValueError(f"{where}: value {quoted(v)} is not a finite number")
    if c.kind == "growth":
        if v < -1.0:
            raise BadValueError(f"{where}: a growth of {100 * v:g} % a year is impossible (a "
                                "fall is at most 100 %)")
        return
    if v < 0.0:
        raise BadValueError(f"{where}: a {c.kind} of {v:g} is impossible: a {c.kind} is not "
                            "negative")
    if c.kind == "share" and str(c.unit).strip().lower() in ("fraction", "1", "share", "") \
            and v > 1.0:
        raise BadValueError(f"{where}: a share of {v:g} is more than the whole (a share as a "
                            "fraction lies in (0, 1]; write per cent with unit 'per cent')")


def _fitted_value(eq: _Equation, fitted_log: float) -> float:
    """A fitted log equation written back in the claim's own terms."""
    if eq.claim.kind == "growth":
        return math.expm1(fitted_log / eq.span)
    if eq.claim.kind == "duration":
        return DAYS_PER_YEAR / math.exp(fitted_log)
    return math.exp(fitted_log)


# ----------------------------------------------------------------------------- result
@dataclass(frozen=True)
class Estimate:
    """A level implied by the audited series, with its 68 % interval."""

    quantity: str
    year: int
    value: float
    low: float
    high: float
    log_se: float
    interpolated: bool
    basis: str


@dataclass(frozen=True, eq=False, repr=False)
class AuditResult(DatasetDisplay):
    """Outcome of :func:`audit`.

    Attributes
    ----------
    series
        One row per unknown ``(quantity, year)``: ``value`` (fitted level), ``low``/``high`` (68 %
        interval, ``exp(log value -/+ log_se)``), ``log_se`` (standard error of the log level),
        ``identified`` (False where the claims cannot fix it; value NaN) and ``basis``
        (``"absolute"``, or the index or anchor the value is relative to).
    claims
        One row per claim: ``id, kind, quantity, of, years, stated, fitted, residual_pct, z, flag,
        line, confidence, sigma, audited, added, note``; ``added`` is ``"link"`` or
        ``"assumption"`` for a claim that is not the source's (empty otherwise).
        ``residual_pct`` is ``100 (exp(r) - 1)`` with ``r`` = observed minus fitted log;
        ``fitted`` is in the claim's own terms (a rate for a
        growth claim, days for a duration claim).
    chi2, dof, p_value
        Sum of squared weighted residuals, its degrees of freedom (audited claims minus
        identified parameters) and ``P(chi2_dof >= chi2)``; ``p_value`` is NaN when ``dof`` is 0.
    consistent
        False when ``p_value < alpha``: the claims cannot all hold together. With ``dof`` 0
        nothing is tested (every audited claim is fitted exactly): see :attr:`tested` and
        :attr:`verdict`, which say so instead of calling such a set consistent.
    z_threshold, alpha
        The thresholds used.
    keys, log_levels, covariance
        The unknowns, their fitted log levels (NaN where not identified) and covariance.
    """

    series: pd.DataFrame
    claims: pd.DataFrame
    chi2: float
    dof: int
    p_value: float
    consistent: bool
    z_threshold: float = 2.0
    alpha: float = 0.05
    keys: tuple[_Key, ...] = field(default=(), repr=False)
    log_levels: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    covariance: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)
    bases: tuple[str, ...] = field(default=(), repr=False)

    @property
    def tested(self) -> bool:
        """Whether the set was tested at all: at least one degree of freedom."""
        return self.dof > 0

    @property
    def verdict(self) -> str:
        """What the audit says of the set as a whole, in words."""
        if not self.tested:
            return ("cannot be tested: no degrees of freedom (each audited claim is fitted "
                    "exactly; a claim that restates another is needed to test them)")
        return "can hold together" if self.consistent else "cannot all hold together"

    @property
    def flagged(self) -> list[str]:
        """Ids of the flagged claims, largest ``|z|`` first."""
        f = self.claims[self.claims["flag"]]
        return list(f.reindex(f["z"].abs().sort_values(ascending=False).index)["id"])

    def _positions(self, quantity: str) -> list[tuple[int, int]]:
        pos = [(y, j) for j, (q, y) in enumerate(self.keys)
               if q == quantity and math.isfinite(self.log_levels[j])]
        if not pos:
            known = sorted({q for q, _ in self.keys})
            raise UnknownIdError(f"no identified level of {quoted(quantity)} in the audit; "
                                 f"quantities: {', '.join(known)}")
        return sorted(pos)

    def implied(self, quantity: str, year: int) -> Estimate:
        """The level of ``quantity`` in ``year`` implied by the fitted series.

        At a year the claims involve this is the fitted value. Between two such years it is
        log-linear interpolation of the two nearest identified fitted levels (a constant growth
        rate between them): ``log q(t) = (1-w) log q(a) + w log q(b)``, ``w = (t-a)/(b-a)``, with
        variance ``(1-w)^2 V_aa + w^2 V_bb + 2 w (1-w) V_ab`` from the covariance. Years outside
        the identified span raise :class:`~autarky.errors.OutOfRangeError`.

        Examples
        --------
        >>> from autarky.economy.claims import Claim
        >>> res = audit([Claim("a", "level", "x", 100.0, "t", year=2000),
        ...              Claim("b", "level", "x", 400.0, "t", year=2002)])
        >>> round(res.implied("x", 2001).value, 9)
        200.0
        """
        pos = self._positions(quantity)
        year = checks.integer("year", year)
        years = [y for y, _ in pos]
        if not years[0] <= year <= years[-1]:
            raise OutOfRangeError(f"{quantity} {year} lies outside the identified years "
                                  f"{years[0]}..{years[-1]}; the audit does not extrapolate")
        k = int(np.searchsorted(years, year))
        if years[k] == year:
            j = pos[k][1]
            lv, var, interp, basis = self.log_levels[j], self.covariance[j, j], False, self.bases[j]
        else:
            (ya, ja), (yb, jb) = pos[k - 1], pos[k]
            w = (year - ya) / (yb - ya)
            lv = (1 - w) * self.log_levels[ja] + w * self.log_levels[jb]
            c = self.covariance
            var = (1 - w) ** 2 * c[ja, ja] + w**2 * c[jb, jb] + 2 * w * (1 - w) * c[ja, jb]
            interp = True
            basis = self.bases[ja] if self.bases[ja] == self.bases[jb] else (
                f"{self.bases[ja]} / {self.bases[jb]}")
        se = math.sqrt(max(float(var), 0.0))
        return Estimate(quantity, int(year), math.exp(lv), math.exp(lv - se), math.exp(lv + se), se,
                        interp, basis)

    def annual(self, quantity: str) -> pd.DataFrame:
        """Every year from the first to the last identified year of ``quantity``.

        Columns ``year, value, low, high, log_se, interpolated, basis``; years no claim involves
        are interpolated as in :meth:`implied`.
        """
        pos = self._positions(quantity)
        rows = [dataclasses.asdict(self.implied(quantity, y))
                for y in range(pos[0][0], pos[-1][0] + 1)]
        return pd.DataFrame(rows).drop(columns="quantity")

    def to_dataset(self) -> xr.Dataset:
        """The audit as a labelled dataset (:mod:`autarky.io.results` writes it).

        Variables: ``series`` (``quantity x year``: the fitted level, NaN where a quantity is not
        identified or its claims do not involve the year), ``series_low``/``series_high`` (the
        68 % interval), ``log_se``; per ``claim``: ``residual`` (``exp(r) - 1``), ``log_residual``
        ``r``, ``z`` and ``sigma`` (NaN for claims not audited); and ``chi2``, ``dof``,
        ``p_value``. Attributes: ``consistent``, ``z_threshold``, ``alpha``, ``claims`` (per id:
        ``residual``, ``log_residual``, ``z``, ``flag``, ``audited``) and ``basis`` (per
        quantity and year, what the level is relative to).

        Examples
        --------
        >>> from autarky.economy.claims import Claim
        >>> res = audit([Claim("a", "level", "x", 100.0, "t", year=2000),
        ...              Claim("b", "level", "x", 400.0, "t", year=2002)])
        >>> ds = res.to_dataset()
        >>> ds["series"].sel(quantity="x").values.round(6).tolist(), ds.attrs["claims"]["b"]["flag"]
        ([100.0, 400.0], False)
        """
        ser = self.series
        quantities = [str(q) for q in dict.fromkeys(ser["quantity"])]
        years = sorted({int(y) for y in ser["year"]})
        shape = (len(quantities), len(years))
        cols = {name: np.full(shape, np.nan) for name in ("value", "low", "high", "log_se")}
        basis: dict[str, dict[str, str]] = {}
        for row in ser.itertuples(index=False):
            i, k = quantities.index(str(row.quantity)), years.index(int(row.year))
            for name, arr in cols.items():
                arr[i, k] = float(getattr(row, name))
            basis.setdefault(str(row.quantity), {})[str(int(row.year))] = str(row.basis)
        qy = {"quantity": quantities, "year": years}
        level = "level of the quantity, in its claims' unit (an index where basis says so)"

        def per_claim(values: Any, unit: str, desc: str) -> xr.DataArray:
            return xr.DataArray(np.asarray(values, dtype=float), dims=("claim",),
                                coords={"claim": [str(c) for c in self.claims["id"]]},
                                attrs={"unit": unit, "description": desc})

        c = self.claims
        data = {
            "series": xr.DataArray(cols["value"], dims=("quantity", "year"), coords=qy,
                                   attrs={"unit": level, "description": "The most consistent "
                                          "level of each quantity in each year its claims "
                                          "involve."}),
            "series_low": xr.DataArray(cols["low"], dims=("quantity", "year"), coords=qy,
                                       attrs={"unit": level, "description": "Lower end of the "
                                              "68 % interval, exp(log value - log_se)."}),
            "series_high": xr.DataArray(cols["high"], dims=("quantity", "year"), coords=qy,
                                        attrs={"unit": level, "description": "Upper end of the "
                                               "68 % interval, exp(log value + log_se)."}),
            "log_se": xr.DataArray(cols["log_se"], dims=("quantity", "year"), coords=qy,
                                   attrs={"unit": "1", "description": "Standard error of the "
                                          "log level."}),
            "residual": per_claim(c["residual_pct"].to_numpy(dtype=float) / 100.0, "1",
                                  "Stated over fitted, minus 1: exp(r) - 1."),
            "log_residual": per_claim(c["log_residual"], "1", "Observed minus fitted log, r."),
            "z": per_claim(c["z"], "1", "Standardised residual."),
            "sigma": per_claim(c["sigma"], "1", "Standard deviation of the claim in log terms."),
            "chi2": xr.DataArray(float(self.chi2), attrs={
                "unit": "1", "description": "Sum of squared weighted residuals."}),
            "dof": xr.DataArray(int(self.dof), attrs={
                "unit": "1", "description": "Audited claims minus identified parameters."}),
            "p_value": xr.DataArray(float(self.p_value), attrs={
                "unit": "1", "description": "P(chi2_dof >= chi2); NaN when dof is 0."}),
        }
        records: dict[str, dict[str, Any]] = {}
        for row in c.itertuples(index=False):
            res = float(row.residual_pct)
            records[str(row.id)] = {
                "residual": res / 100.0 if math.isfinite(res) else None,
                "log_residual": float(row.log_residual), "z": float(row.z),
                "flag": bool(row.flag), "audited": bool(row.audited),
            }
        return xr.Dataset(data, attrs={
            "result": "claims audit", "consistent": bool(self.consistent),
            "tested": bool(self.tested), "verdict": self.verdict,
            "z_threshold": float(self.z_threshold), "alpha": float(self.alpha),
            "claims": records, "basis": basis})


# ----------------------------------------------------------------------------- audit
def _as_list(claims: Claims | Iterable[Claim] | None) -> list[Claim]:
    if claims is None:
        return []
    if isinstance(claims, Claims):
        return list(claims.claims)
    if isinstance(claims, (str, bytes)) or not isinstance(claims, Iterable):
        raise BadTypeError(f"expected Claims or a list of Claim objects, got {claims!r:.60}")
    out = list(claims)
    for c in out:
        if not isinstance(c, Claim):
            raise BadTypeError(f"expected Claim objects, got {type(c).__name__}")
    return out


def audit(
    claims: Claims | Sequence[Claim],
    *,
    quantities: Iterable[str] | None = None,
    aliases: Mapping[str, str] | None = None,
    anchors: Mapping[str, tuple[int, float]] | None = None,
    z_threshold: float = 2.0,
    sigma_floor: float = 0.01,
    extra: Sequence[Claim] | None = None,
    sigma: Mapping[str, float] | None = None,
    use_alternatives: bool = True,
    alpha: float = 0.05,
    source_weights: Mapping[str, float] | None = None,
) -> AuditResult:
    r"""Fit the most consistent log-level series to a set of claims and test each claim against it.

    Parameters
    ----------
    claims
        A :class:`~autarky.economy.claims.Claims` set or a list of :class:`Claim`.
    quantities
        Audit only the claims on these quantities (after ``aliases``); the totals of their
        share claims come along.
    aliases
        ``{quantity: merged_quantity}``: treat two ids as one series, e.g.
        ``{"industrial-output-plan": "industrial-output"}`` so that the plan's base-year level is
        the reported level of that year. Applied to ``quantity`` and ``of`` of every claim.
    anchors
        ``{quantity: (year, value)}``: the absolute level of a quantity the claims identify only up
        to a constant (instead of an index 100). The year must be one its claims involve.
    z_threshold
        A claim is flagged when its standardised residual exceeds this in absolute value.
    sigma_floor
        Least standard deviation of a claim in log terms (see the weighting rule).
    extra
        More claims added to the set: assumptions such as "the plan was fulfilled in 1961-63",
        best given a low confidence.
    sigma
        ``{claim id: sigma}`` overriding the weighting rule for those claims (log terms, final);
        a claim's own ``sigma`` field does the same and is overridden by this mapping.
    use_alternatives
        Widen unclear readings by the spread of their ``alternatives`` (see below).
    alpha
        Level of the global chi-square test.
    source_weights
        ``{source_type: factor}`` multiplying the standard deviation of a claim of another
        source (default :data:`SOURCE_WEIGHTS`); not applied to a given ``sigma``.

    Returns
    -------
    AuditResult

    Notes
    -----
    **Weighting rule.** Claim ``k`` with value ``v``, confidence ``c`` and log equation right-hand
    side ``g(v)`` (the table in :mod:`autarky.monitor.audit`) has standard deviation, in log terms,

    .. math:: \sigma_k = \max\left(\sigma_{floor},\ \sqrt{\rho_k^2 + a_k^2}\,/\,c\right)

    * ``rho_k`` (rounding) is the half unit ``h`` of the last stated digit of ``v``
      (:func:`stated_half_unit`; growth rates and fraction shares count in per cent, so 18 % has
      ``h = 0.005``) carried through ``g``: ``h/v`` for a level, ratio or share (3.2 -> 0.05/3.2),
      ``h/N`` for a duration of ``N`` days (28 -> 0.5/28), and ``(y-b) h/(1+r)`` for a growth rate
      ``r`` over ``y-b`` years (18 % over 7 years: 7 * 0.005 / 1.18).
    * ``a_k`` (reading spread; 0 without alternatives or with ``use_alternatives=False``) is the
      largest ``|g(alt) - g(v)|`` over the claim's alternative readings: a garbled "11" that could
      be 12 carries ``log(12/11)``.
    * Dividing by the confidence ``c`` doubles the deviation at ``c = 0.5``; ``c = 0`` drops the claim.
    * A claim of another source is then multiplied by its source type's factor
      (:data:`SOURCE_WEIGHTS`: official x 2, archive x 1.5, reproduction x 2,
      independent x 1.5, weak x 3).
    * A whole number's last digit is its units digit (``20 times`` -> +-0.5), so round figures
      really rounded to tens should be given a ``sigma``.

    **Estimate.** With ``J`` the design (one row per claim), ``W = diag(1/sigma^2)`` and ``b`` the
    right-hand sides, the log levels ``x`` minimise ``(b - Jx)' W (b - Jx)``; one SVD of
    ``W^{1/2} J`` gives ``x`` (minimum norm) and the covariance ``(J'WJ)^+``. Values are
    ``exp(x)`` with 68 % interval ``exp(x -/+ se)``.

    **Identification.** A level is identified when the claims pin it down (its unit vector lies in
    the row space of ``J``). Quantities are taken in order of first appearance; anchored ones first
    get their anchor; then a quantity none of whose levels is identified is normalised as an
    index: its earliest year in the claims is fixed at 100 (standard error 0; the others are
    relative to it, and the ``basis`` column says so). Levels still not identified after that
    (e.g. a year linked to the rest only through shares) are reported as NaN; the claims that
    involve them are still fitted, since ``Jx`` is always identified.

    **Residuals.** ``r_k = b_k - (Jx)_k``, reported as ``100 (exp(r_k) - 1)`` per cent and as the
    standardised residual ``z_k = r_k / sqrt(sigma_k^2 - v_k)``, ``v_k = J_k (J'WJ)^+ J_k'`` the
    variance of the fitted value. Where ``sigma_k^2 - v_k`` is ~0 (the claim alone determines what
    it states: nothing checks it) ``z_k = r_k / sigma_k`` and the note says so. Flag: ``|z_k| >
    z_threshold``. Globally ``chi2 = sum (r_k/sigma_k)^2`` with ``dof`` = audited claims minus
    ``rank(J)`` (after normalisation); ``p = chi2.sf(chi2, dof)``; the set cannot all hold together
    when ``p < alpha``.

    Examples
    --------
    Level 100 in 2000, ratio 1.2 to 2001 and a level 115 in 2001 cannot all hold; the misfit
    ``e = log(115/120)`` is shared in proportion to the variances:

    >>> from autarky.economy.claims import Claim
    >>> res = audit([Claim("l0", "level", "x", 100.0, "t", year=2000),
    ...              Claim("r", "ratio", "x", 1.2, "times", year=2001, base_year=2000),
    ...              Claim("l1", "level", "x", 115.0, "t", year=2001)], sigma_floor=0.05)
    >>> res.dof, [round(z, 4) for z in res.claims["z"]]
    (1, [0.4914, 0.4914, -0.4914])
    """
    for name, arg in (("aliases", aliases), ("anchors", anchors), ("sigma", sigma)):
        if arg is not None and not isinstance(arg, Mapping):
            raise BadTypeError(f"{name} must be a mapping, got {arg!r:.60}")
    if quantities is not None:
        quantities = checks.id_list("quantities", quantities)
    use_alternatives = checks.flag("use_alternatives", use_alternatives)
    alpha = checks.real("alpha", alpha, lower=0.0, upper=1.0, upper_open=True)
    aliases = dict(aliases or {})
    sigma = dict(sigma or {})
    sigma_floor = checks.real("sigma_floor", sigma_floor, lower=0.0)
    if not checks.number("z_threshold", z_threshold) > 0:
        raise BadValueError(f"z_threshold must be positive, got {quoted(z_threshold)}")

    def alias_of(q: str | None) -> str | None:
        return None if q is None else aliases.get(q, q)

    all_claims = _as_list(claims) + _as_list(extra)
    seen: set[str] = set()
    for c in all_claims:
        if c.id in seen:
            raise BadValueError(f"duplicate claim id {quoted(c.id)}")
        seen.add(c.id)
    merged = [dataclasses.replace(c, quantity=aliases.get(c.quantity, c.quantity), of=alias_of(c.of))
              for c in all_claims]
    if quantities is not None:
        wanted = {aliases.get(q, q) for q in quantities}
        merged = [c for c in merged if c.quantity in wanted]

    eqs: list[_Equation] = []
    skipped: dict[str, str] = {}
    for c in merged:
        e = _equation(c, sigma_floor=sigma_floor, sigma=sigma, use_alternatives=use_alternatives,
                      source_weights=source_weights)
        if isinstance(e, str):
            skipped[c.id] = e
        else:
            eqs.append(e)

    # Unknowns, ordered by quantity (first appearance) then year.
    order: dict[str, int] = {}
    key_set: set[_Key] = set()
    for e in eqs:
        for (q, y), _ in e.terms:
            order.setdefault(q, len(order))
            key_set.add((q, y))
    keys = sorted(key_set, key=lambda k: (order[k[0]], k[1]))
    col = {k: j for j, k in enumerate(keys)}
    n, m = len(eqs), len(keys)
    J = np.zeros((n, m))
    b = np.array([e.rhs for e in eqs])
    s = np.array([e.sigma for e in eqs])
    for i, e in enumerate(eqs):
        for k, coef in e.terms:
            J[i, col[k]] += coef

    # Normalisation: anchors, then an index for every wholly unidentified quantity.
    fixed: dict[int, tuple[float, str]] = {}
    exact: dict[int, float] = {}  # the normalised levels as given (exp(log 100) is not 100)

    def identified_now() -> np.ndarray:
        free = [j for j in range(m) if j not in fixed]
        ident = np.ones(m, dtype=bool)
        ident[free] = in_row_space(J[:, free])
        return ident

    for q, anchor in (anchors or {}).items():
        q = aliases.get(q, q)
        try:
            year, value = int(anchor[0]), float(anchor[1])
        except (TypeError, ValueError, IndexError):
            raise BadValueError(f"anchor for {quoted(q)} must be (year, value), "
                                f"got {quoted(anchor)}") from None
        if not (math.isfinite(value) and value > 0):
            raise BadValueError(f"anchor for {quoted(q)} must be a positive level, got {quoted(value)}")
        if (q, year) not in col:
            years = sorted(y for qq, y in keys if qq == q)
            raise UnknownIdError(f"anchor {q} {year}: the audited claims involve {quoted(q)} in "
                                 f"{', '.join(map(str, years)) or 'no year'}")
        j = col[(q, year)]
        if identified_now()[j]:
            raise BadValueError(f"anchor {q} {year}: the claims already fix this level; an anchor "
                                "would over-determine it (add a level claim through extra instead)")
        fixed[j] = (math.log(value), f"anchor: {q} {year} = {value:g}")
        exact[j] = value
    for q in order:
        js = [col[k] for k in keys if k[0] == q]
        if not identified_now()[js].any():
            j0 = js[0]  # keys are sorted by year within a quantity
            fixed[j0] = (math.log(100.0), f"index: {q} {keys[j0][1]} = 100")
            exact[j0] = 100.0

    fit = weighted_least_squares(J, b, s, fixed={j: v for j, (v, _) in fixed.items()})
    x, cov, ident = fit.estimate, fit.covariance, fit.identified
    fitted, resid = fit.fitted, fit.residuals
    chi2, dof, p_value = fit.chi2, fit.dof, fit.p_value
    consistent = not (p_value < alpha)

    # Basis of every level: absolute, or relative to the normalisations it moves with.
    bases: list[str] = []
    for j in range(m):
        if j in fixed:
            bases.append(fixed[j][1])
            continue
        if not ident[j]:
            bases.append("not identified")
            continue
        deps = [fixed[fj][1] for t, fj in enumerate(fit.fixed_columns)
                if abs(fit.sensitivity[j, t]) > 1e-9]
        bases.append("; ".join(deps) if deps else "absolute")

    log_levels = np.where(ident, x, np.nan)
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    se = np.where(ident, se, np.nan)
    val, low, high = np.exp(log_levels), np.exp(log_levels - se), np.exp(log_levels + se)
    for j, v in exact.items():
        val[j] = low[j] = high[j] = v
    series = pd.DataFrame({
        "quantity": [q for q, _ in keys],
        "year": np.array([y for _, y in keys], dtype=int),
        "value": val,
        "low": low,
        "high": high,
        "log_se": se,
        "identified": ident,
        "basis": bases,
    })

    rows: list[dict[str, Any]] = []
    eq_of = {e.claim.id: i for i, e in enumerate(eqs)}
    for c in merged:
        row: dict[str, Any] = {
            "id": c.id, "kind": c.kind, "quantity": c.quantity, "of": c.of or "",
            "years": _years_text(c), "stated": c.value, "fitted": math.nan,
            "residual_pct": math.nan, "log_residual": math.nan, "z": math.nan, "flag": False,
            "line": c.line, "confidence": c.confidence, "sigma": math.nan, "audited": False,
            "added": c.added, "note": skipped.get(c.id, ""),
        }
        if c.id in eq_of:
            i = eq_of[c.id]
            e = eqs[i]
            r = float(resid[i])
            z = float(fit.standardized[i])
            note = "" if fit.checked[i] else "no other claim checks it: z = residual / sigma"
            row.update(fitted=_fitted_value(e, float(fitted[i])), residual_pct=100.0 * math.expm1(r),
                       log_residual=r, z=z, flag=bool(abs(z) > z_threshold), sigma=e.sigma,
                       audited=True, note=note)
        rows.append(row)
    table = pd.DataFrame(rows, columns=[
        "id", "kind", "quantity", "of", "years", "stated", "fitted", "residual_pct", "log_residual",
        "z", "flag", "line", "confidence", "sigma", "audited", "added", "note"])
    table["line"] = table["line"].astype("Int64")
    table["flag"] = table["flag"].astype(bool)
    table["audited"] = table["audited"].astype(bool)
    return AuditResult(series=series, claims=table, chi2=chi2, dof=dof, p_value=p_value,
                       consistent=consistent, z_threshold=z_threshold, alpha=alpha,
                       keys=tuple(keys), log_levels=log_levels, covariance=cov, bases=tuple(bases))


__all__ = ["AUDITED_KINDS", "DAYS_PER_YEAR", "SOURCE_WEIGHTS", "AuditResult", "Estimate", "audit",
           "half_unit", "read_claims_csv", "stated_half_unit"]
