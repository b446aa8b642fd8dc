"""Reading of the planning keys of a scenario: the target, objective, horizon, consumption,
plan targets and strategies (see ``docs/scenario-format.md``, section Plans). Scalars become a
:class:`~autarky.economy.settings.PlanSettings`; tables (by branch, factor, partner or year)
become the scenario's settings tables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from autarky.checks import quoted
from autarky.economy.inputs import EXPORT_CATEGORY_NAMES
from autarky.economy.registry import TABLES
from autarky.economy.scenario import MAX_HORIZON_YEARS
from autarky.economy.settings import FOREIGN_EXCHANGE, OBJECTIVES, PlanSettings, Strategy, StrategyRule
from autarky.io.entries import check_id, value_with_provenance, yaml_where
from autarky.io.tables import read_yaml_table

if TYPE_CHECKING:
    from autarky.io.scenario import _Reader



def _num(r: _Reader, path: tuple[str | int, ...], raw: Any, *, what: str = "value",
         allow_negative: bool = False) -> float:
    w = yaml_where(r.lines, path)
    value, extra = value_with_provenance(
        raw, w, r.lines, path, allow_negative=allow_negative, what=what, uncertain=False)
    if extra:  # a setting given with its provenance keeps it
        r.provenance.append({"table": str(path[0]), "row": ".".join(map(str, path[1:])),
                             "column": None, **extra})
    return value


def _mapping(r: _Reader, key: str, raw: Any, *path: str | int) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise yaml_where(r.lines, (key, *path)).error("expected a mapping")
    return raw


def _years(r: _Reader, raw: Any, path: tuple[str | int, ...]) -> tuple[int, int]:
    if (not isinstance(raw, list) or len(raw) != 2
            or not all(isinstance(y, int) and not isinstance(y, bool) for y in raw)):
        raise yaml_where(r.lines, path).error("expected [first_year, last_year]")
    if raw[1] < raw[0]:
        raise yaml_where(r.lines, path).error(f"last year {raw[1]} comes before the first {raw[0]}")
    return int(raw[0]), int(raw[1])


def _year_key(r: _Reader, key: Any, path: tuple[str | int, ...]) -> int:
    if isinstance(key, bool) or not (isinstance(key, int) or (isinstance(key, str) and key.isdigit())):
        raise yaml_where(r.lines, path).error(f"expected a year, got {quoted(key)}")
    return int(key)


def _bool(r: _Reader, raw: Any, path: tuple[str | int, ...]) -> bool:
    if not isinstance(raw, bool):
        raise yaml_where(r.lines, path).error(f"expected true or false, got {quoted(raw)}")
    return raw


def read_strategies(r: _Reader) -> dict[str, Strategy]:
    raw = r.data.get("strategies")
    if raw is None:
        return {}
    out = {}
    groups_known = sorted(set(r.groups))
    for name, spec in _mapping(r, "strategies", raw).items():
        path: tuple[str | int, ...] = ("strategies", name)
        spec = _mapping(r, "strategies", spec, name)
        unknown = set(spec) - {"description", "rules", "targets", "target_growth", "proportional",
                               "tolerance"}
        if unknown:
            raise yaml_where(r.lines, (*path, sorted(unknown)[0])).error(
                f"unknown field {quoted(sorted(unknown)[0])}")
        rules = []
        for i, rule in enumerate(spec.get("rules") or []):
            rp = (*path, "rules", i)
            if not isinstance(rule, dict) or not rule.get("groups"):
                raise yaml_where(r.lines, rp).error("a rule needs groups: [...]")
            unknown = set(rule) - {"groups", "min", "max", "years"}
            if unknown:
                raise yaml_where(r.lines, (*rp, sorted(unknown)[0])).error(
                    f"unknown field {quoted(sorted(unknown)[0])}; a rule takes groups, min, max, years")
            groups = rule["groups"] if isinstance(rule["groups"], list) else [rule["groups"]]
            for g in groups:
                check_id(str(g), groups_known, yaml_where(r.lines, (*rp, "groups")),
                         kind="branch group")
            lo = _num(r, (*rp, "min"), rule["min"]) if "min" in rule else 0.0
            hi = _num(r, (*rp, "max"), rule["max"]) if "max" in rule else 1.0
            if not 0 <= lo <= hi <= 1:
                raise yaml_where(r.lines, rp).error(f"need 0 <= min <= max <= 1, got {lo}, {hi}")
            years = _years(r, rule["years"], (*rp, "years")) if "years" in rule else None
            rules.append(StrategyRule(tuple(map(str, groups)), lo, hi, years))
        mode = spec.get("targets", "soft")
        if mode not in ("strict", "soft", "none"):
            raise yaml_where(r.lines, (*path, "targets")).error("targets is soft, strict or none")
        tg = spec.get("target_growth")
        proportional = (_bool(r, spec["proportional"], (*path, "proportional"))
                        if "proportional" in spec else False)
        tol = _num(r, (*path, "tolerance"), spec["tolerance"]) if "tolerance" in spec else 0.05
        out[str(name)] = Strategy(
            str(name), str(spec.get("description", "")), tuple(rules), proportional, tol, mode,
            None if tg is None else _num(r, (*path, "target_growth"), tg, allow_negative=True))
    return out


def _target(r: _Reader) -> np.ndarray | None:
    """``target``: {branch: value} or {category: {branch: value}}, summed over categories (an old
    ``exports`` category is left out: exports are delivered as recorded)."""
    raw = r.data.get("target")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise yaml_where(r.lines, ("target",)).error(
            "expected {branch: value} or {category: {branch: value}}")
    by_branch = not any(isinstance(v, dict) and "value" not in v for v in raw.values())
    spec = TABLES["target"]
    known = r.known()
    if by_branch:
        t = read_yaml_table(raw, r.lines, ("target",), spec, known, what="final demand")
        return t.dense((len(r.ids),), 0.0)
    total = np.zeros(len(r.ids))
    for cat, vec in raw.items():
        if str(cat).lower() in EXPORT_CATEGORY_NAMES:
            r.notes.append(f"target: the category {quoted(cat)} is left out of the target: exports are "
                           "delivered as the table 'exports' records them")
            continue
        t = read_yaml_table(vec, r.lines, ("target", cat), spec, known, what="final demand")
        total += t.dense((len(r.ids),), 0.0)
    return total


def read_settings(r: _Reader, fd: pd.DataFrame) -> tuple[PlanSettings, dict[str, Any]]:
    """The :class:`PlanSettings` of a scenario and its settings tables."""
    d = r.data
    tables: dict[str, Any] = {}
    objective = "max-min"
    if "objective" in d:
        raw = d["objective"]
        if isinstance(raw, dict):
            kind = raw.get("type")
            if "weights" in raw:
                w = read_yaml_table(_mapping(r, "objective", raw["weights"], "weights"), r.lines,
                                    ("objective", "weights"), TABLES["weights"], r.known(),
                                    what="weight")
                tables["weights"] = w.dense((len(r.ids),), 1.0)
        else:
            kind = raw
        if kind not in OBJECTIVES:
            raise yaml_where(r.lines, ("objective",)).error(
                f"unknown objective {quoted(kind)}; expected one of {', '.join(OBJECTIVES)}")
        objective = kind
    fx = d.get("foreign_exchange", "pooled")
    if fx not in FOREIGN_EXCHANGE:
        raise yaml_where(r.lines, ("foreign_exchange",)).error(
            f"foreign_exchange is {' or '.join(FOREIGN_EXCHANGE)}, not {quoted(fx)}")
    horizon = None
    if "horizon" in d:
        h = _mapping(r, "horizon", d["horizon"])
        if set(h) != {"first", "last"} or not all(
                isinstance(h[k], int) and not isinstance(h[k], bool) for k in ("first", "last")):
            raise yaml_where(r.lines, ("horizon",)).error("expected {first: year, last: year}")
        if h["last"] < h["first"]:
            raise yaml_where(r.lines, ("horizon",)).error("last year comes before the first")
        if not 1 <= h["first"] <= 9999 or h["last"] - h["first"] + 1 > MAX_HORIZON_YEARS:
            raise yaml_where(r.lines, ("horizon",)).error(
                f"a horizon is at most {MAX_HORIZON_YEARS} years, from year 1 to 9999; got "
                f"{h['first']}-{h['last']}")
        horizon = (int(h["first"]), int(h["last"]))
    years = pd.Index(list(range(horizon[0], horizon[1] + 1)) if horizon else [], dtype=np.int64)
    known = {**r.known(), "year": years}
    target = _target(r)
    if target is not None:
        tables["target"] = target
    if "factor_growth" in d:
        t = read_yaml_table(_mapping(r, "factor_growth", d["factor_growth"]), r.lines,
                            ("factor_growth",), TABLES["factor_growth"], known, what="growth rate")
        r.provenance += t.provenance
        tables["factor_growth"] = t.dense((len(r.factor_ids),), 0.0)

    def by_year(key: str, name: str, inner: str) -> None:
        if key not in d:
            return
        if horizon is None:
            raise yaml_where(r.lines, (key,)).error(f"{key} is given by year, but the scenario "
                                                    "has no horizon")
        spec = TABLES[name]
        raw = _mapping(r, key, d[key])
        for outer, row in raw.items():  # years first checked against the horizon
            for y in _mapping(r, key, row, outer):
                yr = _year_key(r, y, (key, outer, y))
                if yr not in set(years):
                    raise yaml_where(r.lines, (key, outer, y)).error(
                        f"year {yr} is outside the horizon {horizon[0]}-{horizon[1]}")
        t = read_yaml_table(raw, r.lines, (key,), spec, known, what=inner)
        r.provenance += t.provenance
        other = known[spec.dims[1]]
        shape = (len(years), 0 if other is None else len(other))
        tables[name] = t.dense(shape, np.nan)

    by_year("factor_availability", "factor_availability_by_year", "availability")
    by_year("aid_by_year", "aid_by_year", "aid")
    by_year("credit_by_year", "credit_by_year", "credit")
    basket: str | None = None
    floor: float | dict[int, float] = 0.0
    cats = list(fd.columns)
    if "consumption" in d:
        c = _mapping(r, "consumption", d["consumption"])
        unknown = set(c) - {"basket", "floor"}
        if unknown:
            raise yaml_where(r.lines, ("consumption", sorted(unknown)[0])).error(
                f"unknown field {quoted(sorted(unknown)[0])}; consumption takes basket, floor")
        b = c.get("basket", "consumption" if "consumption" in cats else None)
        if isinstance(b, dict):
            t = read_yaml_table(b, r.lines, ("consumption", "basket"),
                                TABLES["consumption_basket"], known, what="basket")
            tables["consumption_basket"] = t.dense((len(r.ids),), 0.0)
        elif b is not None:
            basket = str(b)
            if basket not in cats:
                raise yaml_where(r.lines, ("consumption", "basket")).error(
                    f"unknown final-demand category {quoted(basket)}; categories: {', '.join(cats)}")
        f = c.get("floor", 0.0)
        if isinstance(f, dict) and "value" not in f:  # by year (a number with provenance else)
            floor = {_year_key(r, y, ("consumption", "floor", y)):
                     _num(r, ("consumption", "floor", y), v) for y, v in f.items()}
        else:
            floor = _num(r, ("consumption", "floor"), f)
    exo = d.get("exogenous")
    if exo is not None and (not isinstance(exo, list) or not all(isinstance(x, str) for x in exo)):
        raise yaml_where(r.lines, ("exogenous",)).error("expected a list of category names")
    kept: list[str] = []
    for i, cat in enumerate(exo or []):
        if cat.lower() in EXPORT_CATEGORY_NAMES and cat not in cats:
            r.notes.append(f"exogenous: {quoted(cat)} is no longer a final-demand category; exports "
                           "are delivered every year as the table 'exports' records them")
            continue
        if cat not in cats:
            raise yaml_where(r.lines, ("exogenous", i)).error(
                f"unknown final-demand category {quoted(cat)}; categories: {', '.join(cats)}")
        kept.append(cat)
    groups = d.get("industry_groups", ["energy", "heavy", "light"])
    if not isinstance(groups, list):
        raise yaml_where(r.lines, ("industry_groups",)).error("expected a list of group names")
    pt = _mapping(r, "plan_targets", d.get("plan_targets") or {})
    unknown = set(pt) - {"industrial_growth", "output"}
    if unknown:
        raise yaml_where(r.lines, ("plan_targets", sorted(unknown)[0])).error(
            f"unknown field {quoted(sorted(unknown)[0])}; plan_targets takes industrial_growth, output")
    ig = (_num(r, ("plan_targets", "industrial_growth"), pt["industrial_growth"],
               allow_negative=True) if "industrial_growth" in pt else None)
    if pt.get("output"):
        out = _mapping(r, "plan_targets", pt["output"], "output")
        if horizon is None:
            raise yaml_where(r.lines, ("plan_targets", "output")).error(
                "output targets are given by year, but the scenario has no horizon")
        for y in out:
            yr = _year_key(r, y, ("plan_targets", "output", y))
            if yr not in set(years):
                raise yaml_where(r.lines, ("plan_targets", "output", y)).error(
                    f"year {yr} is outside the horizon {horizon[0]}-{horizon[1]}")
        t = read_yaml_table(out, r.lines, ("plan_targets", "output"), TABLES["output_targets"],
                            known, what="output target")
        tables["output_targets"] = t.dense((len(years), len(r.ids)), np.nan)
    discount = _num(r, ("discount",), d["discount"], what="discount") if "discount" in d else 0.0
    from autarky.io.effort import read_mobilisation, read_population, read_training

    settings = PlanSettings(
        objective=objective, foreign_exchange=fx, horizon=horizon,  # type: ignore[arg-type]
        consumption_basket=basket, consumption_floor=floor,
        exogenous=None if exo is None else tuple(kept),
        industry_groups=tuple(map(str, groups)), industrial_growth=ig, discount=discount,
        strategies=read_strategies(r), mobilisation=read_mobilisation(r, list(years)),
        training=read_training(r), population=read_population(r))
    return settings, tables
