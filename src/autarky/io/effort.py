"""Reading of the scenario keys for labour effort and skills: ``mobilisation`` (hours and
participation above normal, in tiers), ``training`` (a skilled factor trained with a lag) and
``population`` (by year, for consumption per head). See ``docs/scenario-format.md``, section
Plans."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from autarky.checks import quoted
from autarky.economy.settings import EffortTier, Mobilisation, Training, tier_problem
from autarky.io.entries import check_id, yaml_where
from autarky.io.planning import _mapping, _num, _year_key

if TYPE_CHECKING:
    from autarky.io.scenario import _Reader

MOBILISATION_FIELDS = ("factor", "normal_hours", "tiers", "min_hours", "campaign", "note",
                       "source")
TIER_FIELDS = ("kind", "size", "productivity", "disutility", "note", "source", "estimate")
TRAINING_FIELDS = ("factor", "lag", "attrition", "inputs", "trainee_factor", "trainee_share",
                   "max_intake", "note", "source", "estimate")


def _unknown(r: _Reader, spec: dict[str, Any], allowed: tuple[str, ...],
             path: tuple[str | int, ...]) -> None:
    unknown = sorted(set(map(str, spec)) - set(allowed))
    if unknown:
        raise yaml_where(r.lines, (*path, unknown[0])).error(
            f"unknown field {quoted(unknown[0])}; {path[-1]} takes "
            f"{', '.join(a for a in allowed if a not in ('note', 'source', 'estimate'))}")


def _block_provenance(r: _Reader, key: str, spec: dict[str, Any]) -> None:
    """The note and source a block gives for all its figures, kept in the provenance."""
    if spec.get("note") or spec.get("source"):
        r.provenance.append({"table": key, "row": key, "column": None,
                             "source": str(spec.get("source") or ""),
                             "note": str(spec.get("note") or ""),
                             "estimate": bool(spec.get("estimate", not spec.get("source")))})


def _block(r: _Reader, key: str, fields: tuple[str, ...], needs: str
           ) -> tuple[dict[str, Any], str] | None:
    """A block keyed by its factor (``mobilisation``, ``training``): its mapping and factor,
    its provenance kept; ``None`` where the scenario has none."""
    raw = r.data.get(key)
    if raw is None:
        return None
    spec = _mapping(r, key, raw)
    _unknown(r, spec, fields, (key,))
    if "factor" not in spec:
        raise yaml_where(r.lines, (key,)).error(f"{key} needs factor: {needs}")
    factor = _factor(r, spec["factor"], (key, "factor"))
    _block_provenance(r, key, spec)
    return spec, factor


def _factor(r: _Reader, raw: Any, path: tuple[str | int, ...]) -> str:
    check_id(str(raw), list(r.factor_ids), yaml_where(r.lines, path), kind="factor")
    return str(raw)


def read_mobilisation(r: _Reader, years: list[int]) -> Mobilisation | None:
    """``mobilisation: {factor, normal_hours, tiers: [...], min_hours: {year: hours}}``."""
    key = "mobilisation"
    block = _block(r, key, MOBILISATION_FIELDS, "the factor (labour) whose effort can rise")
    if block is None:
        return None
    spec, factor = block
    normal = _num(r, (key, "normal_hours"), spec.get("normal_hours", 8.0), what="normal_hours")
    if not 0 < normal <= 24:
        raise yaml_where(r.lines, (key, "normal_hours")).error(
            f"normal_hours is the length of a normal working day, in (0, 24]; got {normal:g}")
    tiers: list[EffortTier] = []
    raw_tiers = spec.get("tiers") or []
    if not isinstance(raw_tiers, list):
        raise yaml_where(r.lines, (key, "tiers")).error("expected a list of tiers")
    for i, t in enumerate(raw_tiers):
        tp: tuple[str | int, ...] = (key, "tiers", i)
        t = _mapping(r, key, t, "tiers", i)
        _unknown(r, t, TIER_FIELDS, tp)
        kind = t.get("kind", "hours")
        if kind not in ("hours", "participation"):
            raise yaml_where(r.lines, (*tp, "kind")).error(
                f"kind is hours or participation, not {quoted(kind)}")
        if "size" not in t:
            raise yaml_where(r.lines, tp).error("a tier needs size: extra hours a day (kind "
                                                "hours) or a share of extra workers")
        size = _num(r, (*tp, "size"), t["size"], what="size")
        prod = _num(r, (*tp, "productivity"), t.get("productivity", 1.0), what="productivity")
        if not 0 < prod <= 1:
            raise yaml_where(r.lines, (*tp, "productivity")).error(
                f"productivity is effective labour per unit relative to normal, in (0, 1]; "
                f"got {prod:g}")
        dis = _num(r, (*tp, "disutility"), t.get("disutility", 0.0), what="disutility")
        tiers.append(EffortTier(kind, size, prod, dis))
        problem = tier_problem(tiers)
        if problem is not None:
            raise yaml_where(r.lines, tp).error(problem[1])
    m = Mobilisation(factor, normal, tuple(tiers))
    if m.max_hours > 24:
        raise yaml_where(r.lines, (key, "tiers")).error(
            f"the tiers allow {m.max_hours:g} hours a day, more than 24")
    by_year: dict[str, dict[int, float]] = {}
    for field in ("min_hours", "campaign"):
        got: dict[int, float] = {}
        for y, v in _mapping(r, key, spec.get(field) or {}, field).items():
            yp = (key, field, y)
            yr = _year_key(r, y, yp)
            if yr not in set(years):
                raise yaml_where(r.lines, yp).error(f"year {yr} is not a plan year")
            h = _num(r, yp, v, what="hours")
            if not normal <= h <= m.max_hours:
                raise yaml_where(r.lines, yp).error(
                    f"{field} must lie between the normal day ({normal:g} h) and the longest "
                    f"day the tiers allow ({m.max_hours:g} h); got {h:g}")
            got[yr] = h
        by_year[field] = got
    return Mobilisation(factor, normal, tuple(tiers), by_year["min_hours"],
                        by_year["campaign"])


def read_training(r: _Reader) -> Training | None:
    """``training: {factor, lag, attrition, inputs: {branch: units}, trainee_factor,
    trainee_share, max_intake}``."""
    key = "training"
    block = _block(r, key, TRAINING_FIELDS, "the skilled factor (its availability is the "
                                            "stock of the base year)")
    if block is None:
        return None
    spec, factor = block
    lag = spec.get("lag", 3)
    if isinstance(lag, dict) and "value" in lag:  # a whole number with its provenance
        lag_value = _num(r, (key, "lag"), lag, what="lag")
        lag = int(lag_value) if float(lag_value).is_integer() else lag_value
    if isinstance(lag, bool) or not isinstance(lag, int) or lag < 1:
        raise yaml_where(r.lines, (key, "lag")).error(
            f"lag is the whole number of years training takes, at least 1; got {quoted(lag)}")
    attrition = _num(r, (key, "attrition"), spec.get("attrition", 0.0), what="attrition")
    if attrition >= 1:
        raise yaml_where(r.lines, (key, "attrition")).error(
            f"attrition is a yearly rate below 1; got {attrition:g}")
    inputs: dict[str, float] = {}
    for b, v in _mapping(r, key, spec.get("inputs") or {}, "inputs").items():
        check_id(str(b), list(r.ids), yaml_where(r.lines, (key, "inputs", b)), kind="branch")
        inputs[str(b)] = _num(r, (key, "inputs", b), v, what="input")
    tf = spec.get("trainee_factor")
    trainee = None if tf is None else _factor(r, tf, (key, "trainee_factor"))
    if trainee == factor:
        raise yaml_where(r.lines, (key, "trainee_factor")).error(
            "trainees are taken from another factor than the one they are trained for")
    share = _num(r, (key, "trainee_share"), spec.get("trainee_share", 1.0),
                 what="trainee_share")
    cap = (None if spec.get("max_intake") is None else
           _num(r, (key, "max_intake"), spec["max_intake"], what="max_intake"))
    return Training(factor, int(lag), attrition, inputs, trainee, share, cap)


def read_population(r: _Reader) -> dict[int, float]:
    """``population: {year: number}`` (a number may carry its source: ``{value, source}``)."""
    raw = r.data.get("population")
    if raw is None:
        return {}
    out: dict[int, float] = {}
    spec = _mapping(r, "population", raw)
    _block_provenance(r, "population", spec)
    for y, v in spec.items():
        if str(y) in ("note", "source", "unit", "estimate"):
            continue
        n = _num(r, ("population", y), v, what="population")
        if not n > 0:
            raise yaml_where(r.lines, ("population", y)).error(
                f"population must be positive, got {n:g}")
        out[_year_key(r, y, ("population", y))] = n
    return out
