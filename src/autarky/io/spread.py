"""The uncertainty of a number in a scenario file: its range or distribution, and why.

Any table entry written as a mapping may say how sure it is::

    technology:
      coal:
        steel: {value: 1.6, range: [1.2, 2.0], range_note: "norms of 1958-63 plants"}
        cement: {value: 0.1, distribution: lognormal, sd: 0.3}
    gross_output:
      steel: {value: 1.2, values: [1.2, 12.0], weights: [3, 1]}   # two OCR readings

A CSV table gives the same as columns ``low, high, distribution, sd, values, weights,
follows, range_note`` (``values`` and ``weights`` separated by ``;``). A range alone is a uniform
distribution; ``triangular`` puts its mode at the value; ``lognormal`` has its median at the
value and ``sd`` the standard deviation of its logarithm; ``discrete`` takes ``values`` (the value
is one of them) with ``weights`` (default equal); ``follows: TABLE`` moves the number with
the entry of another table at the same labels (the same ratio to its stated value). The parsed
form is a plain mapping with the
keys of :data:`~autarky.economy.schema.UNCERTAINTY_COLS` that apply; the sampler
(:mod:`autarky.sweep.uncertain`) draws from it.

Examples
--------
>>> from autarky.io.entries import Where
>>> w = Where("s.yaml", 3, "technology.coal.steel")
>>> parse_spread({"range": [1.2, 2.0]}.get, lambda f: w, 1.6, allow_negative=False)
{'distribution': 'uniform', 'low': 1.2, 'high': 2.0}
>>> parse_spread({"low": "1", "high": "3", "distribution": "triangular"}.get, lambda f: w, 2.0,
...              allow_negative=False)
{'distribution': 'triangular', 'low': 1.0, 'high': 3.0}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autarky.checks import quoted
from autarky.economy.schema import DISTRIBUTIONS
from autarky.io.entries import Where, parse_number

__all__ = ["parse_spread", "row_provenance", "spread_fields"]

Check = Callable[[float, Any, Where], None]


def _given(raw: Any) -> bool:
    return raw is not None and not (isinstance(raw, str) and not raw.strip())


def _numbers(raw: Any, where: Where, *, allow_negative: bool, what: str) -> tuple[float, ...]:
    items = raw.split(";") if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple) or not items:
        raise where.error(f"expected a list of numbers (CSV: separated by ';'), got {raw!r:.60}")
    return tuple(parse_number(x.strip() if isinstance(x, str) else x, where,
                              allow_negative=allow_negative, what=what) for x in items)


def spread_fields(get: Callable[[str], Any]) -> bool:
    """Whether any uncertainty field is given (``get(name)`` is the raw field or ``None``)."""
    return any(_given(get(k)) for k in ("range", "low", "high", "distribution", "sd", "values",
                                          "weights", "follows", "range_note"))


def parse_spread(get: Callable[[str], Any], where: Callable[[str], Where], value: float, *,
                 allow_negative: bool, what: str = "value", check: Check | None = None
                 ) -> dict[str, Any]:
    """The uncertainty of ``value`` from its fields, or ``{}`` where none is given.

    Parameters
    ----------
    get
        ``get(field)``: the raw field (YAML value or CSV text), ``None`` where absent.
    where
        ``where(field)``: the place of a field, for errors.
    value
        The number as stated (the mode of a triangular, the median of a lognormal).
    check
        Checks a bound against the table's own limits (``check(number, raw, where)``).

    Raises
    ------
    ScenarioError
        Naming the field: an unknown distribution, a range without both ends or not holding
        the value, a lognormal without ``sd``, a discrete number whose value is not one of its
        values, weights that do not match.
    """
    if not spread_fields(get):
        return {}
    out: dict[str, Any] = {}
    low = high = None
    if _given(get("range")):
        if _given(get("low")) or _given(get("high")):
            raise where("range").error("give range or low and high, not both")
        rng = get("range")
        if not isinstance(rng, list | tuple) or len(rng) != 2:
            raise where("range").error(f"expected [low, high], got {rng!r:.60}")
        low, high = (parse_number(x, where("range"), allow_negative=allow_negative, what=what)
                     for x in rng)
        w_low = w_high = where("range")
    elif _given(get("low")) or _given(get("high")):
        if not (_given(get("low")) and _given(get("high"))):
            missing = "high" if _given(get("low")) else "low"
            raise where(missing).error(f"a range needs both low and high; {missing} is missing")
        w_low, w_high = where("low"), where("high")
        low = parse_number(get("low"), w_low, allow_negative=allow_negative, what=what)
        high = parse_number(get("high"), w_high, allow_negative=allow_negative, what=what)
    values = (_numbers(get("values"), where("values"), allow_negative=allow_negative, what=what)
              if _given(get("values")) else None)
    sd = (parse_number(get("sd"), where("sd"), allow_negative=False, what="sd")
          if _given(get("sd")) else None)
    follows = str(get("follows")).strip() if _given(get("follows")) else None
    dist = str(get("distribution")).strip() if _given(get("distribution")) else (
        "uniform" if low is not None else "discrete" if values is not None
        else "lognormal" if sd is not None else "follows" if follows else None)
    if dist is None:
        raise where("range_note").error("range_note explains a spread: give range (or low and "
                                        "high), sd or values too")
    if dist not in DISTRIBUTIONS:
        raise where("distribution").error(f"unknown distribution {quoted(dist)}; expected one of "
                                          f"{', '.join(DISTRIBUTIONS)}")
    out["distribution"] = dist
    needs = {"uniform": "range", "triangular": "range", "lognormal": "sd", "discrete": "values",
             "follows": "follows"}
    given = {"range": low is not None, "sd": sd is not None, "values": values is not None,
             "follows": follows is not None}
    if not given[needs[dist]]:
        hint = "range: [low, high] (CSV: low, high)" if needs[dist] == "range" else needs[dist]
        raise where("distribution").error(f"a {dist} number needs {hint}")
    extra = [k for k, g in given.items() if g and k != needs[dist]]
    if extra:
        raise where(extra[0] if extra[0] != "range" else "distribution").error(
            f"a {dist} number takes {needs[dist]}, not {extra[0]}")
    if low is not None and high is not None:
        if not low <= value <= high:
            raise w_low.error(f"the range [{low:g}, {high:g}] does not hold the value {value:g}")
        if check is not None:
            check(low, low, w_low)
            check(high, high, w_high)
        out["low"], out["high"] = low, high
    if sd is not None:
        if value <= 0:
            raise where("sd").error(f"a lognormal number must be positive (value {value:g})")
        out["sd"] = sd
    if values is not None:
        if not any(abs(v - value) <= 1e-12 * max(1.0, abs(value)) for v in values):
            raise where("values").error(f"the value {value:g} is not one of the values "
                                        f"{', '.join(f'{v:g}' for v in values)}")
        if check is not None:
            for v in values:
                check(v, v, where("values"))
        out["values"] = values
        if _given(get("weights")):
            wts = _numbers(get("weights"), where("weights"), allow_negative=False, what="weight")
            if len(wts) != len(values) or sum(wts) <= 0:
                raise where("weights").error(f"give one weight per value ({len(values)}), not "
                                             "all zero")
            out["weights"] = wts
    elif _given(get("weights")):
        raise where("weights").error("weights go with values (a discrete number)")
    if follows is not None:
        out["follows"] = follows
    if _given(get("range_note")):
        out["range_note"] = str(get("range_note"))
    return out


def row_provenance(get: Callable[[str], Any], where: Callable[[str], Where], value: float, *,
                   allow_negative: bool, what: str = "value", check: Check | None = None
                   ) -> dict[str, Any]:
    """The provenance of one CSV row (``source, note, estimate`` and the spread), ``{}`` where
    it has none."""
    from autarky.io.entries import parse_bool

    est = parse_bool(get("estimate") or "", where("estimate"))
    spread = parse_spread(get, where, value, allow_negative=allow_negative, what=what,
                          check=check)
    prov = {"source": str(get("source") or ""), "note": str(get("note") or ""),
            "estimate": est, **spread}
    return prov if prov["source"] or prov["note"] or est or spread else {}
