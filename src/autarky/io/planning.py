"""Reading of the planning keys of a scenario: prices, trade offers, targets, the horizon,
capital formation and strategies (see ``docs/scenario-format.md``, section Plans)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from autarky.economy.schema import PROVENANCE_COLS_ALLOWED
from autarky.economy.settings import PlanSettings, Strategy, StrategyRule
from autarky.io.entries import (
    Where,
    check_id,
    parse_bool,
    parse_number,
    read_csv_rows,
    value_with_provenance,
    yaml_vector_entries,
    yaml_where,
)

if TYPE_CHECKING:
    from autarky.io.scenario import _Reader

OBJECTIVES = ("max-min", "weighted", "harmony")


def _num(r: _Reader, path: tuple[str | int, ...], raw: Any, *, what: str = "value",
         allow_negative: bool = False) -> float:
    w = yaml_where(r.lines, path)
    return value_with_provenance(raw, w, r.lines, path, allow_negative=allow_negative,
                                 what=what)[0]


def _mapping(r: _Reader, key: str, raw: Any, *path: str | int) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise yaml_where(r.lines, (key, *path)).error("expected a mapping")
    return raw


def read_trade(r: _Reader, partner_recs: list[tuple[dict[str, Any], Where]]
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Partner aid/credit and the trade offers table."""
    rows, offers = [], []
    for k, (rec, _where) in enumerate(partner_recs):
        pid = str(rec["id"])
        path: tuple[str | int, ...] = ("partners", k)
        aid = _num(r, (*path, "aid"), rec["aid"], what="aid") if rec.get("aid") is not None else 0.0
        credit = (_num(r, (*path, "credit"), rec["credit"], what="credit")
                  if rec.get("credit") is not None else 0.0)
        rows.append({"id": pid, "aid": aid, "credit": credit})
        for direction, key in (("import", "imports"), ("export", "exports")):
            raw = rec.get(key)
            if raw is None:
                continue
            if not isinstance(raw, dict):
                raise yaml_where(r.lines, (*path, key)).error(
                    "expected {branch: {price: ..., max: ...}}")
            for branch, offer in raw.items():
                opath = (*path, key, branch)
                check_id(str(branch), r.ids, yaml_where(r.lines, opath))
                if not isinstance(offer, dict) or "price" not in offer:
                    raise yaml_where(r.lines, opath).error("expected {price: ..., max: ...}")
                unknown = set(offer) - {"price", "max", "note", "source"}
                if unknown:
                    raise yaml_where(r.lines, (*opath, sorted(unknown)[0])).error(
                        f"unknown field {sorted(unknown)[0]!r}; an offer takes price, max")
                price = _num(r, (*opath, "price"), offer["price"], what="price")
                qmax = (_num(r, (*opath, "max"), offer["max"], what="quantity")
                        if offer.get("max") is not None else np.inf)
                offers.append({"partner": pid, "branch": str(branch), "direction": direction,
                               "price": price, "max": qmax})
    money = pd.DataFrame(rows, columns=["id", "aid", "credit"]).set_index("id")
    trade = pd.DataFrame(offers, columns=["partner", "branch", "direction", "price", "max"])
    return money, trade


def _per_branch(r: _Reader, key: str, default: float, *, integer: bool = False,
                lo: float = 0.0, hi: float = np.inf, hi_open: bool = False) -> np.ndarray | None:
    """One number for all branches or ``{branch: number}``, each in ``[lo, hi]`` (or ``[lo, hi)``)."""
    raw = r.data.get(key)
    if raw is None:
        return None
    out = np.full(len(r.ids), default)
    items = raw.items() if isinstance(raw, dict) else [(None, raw)]
    for b, v in items:
        path: tuple[str | int, ...] = (key,) if b is None else (key, b)
        if b is not None:
            check_id(str(b), r.ids, yaml_where(r.lines, path))
        val = _num(r, path, v)
        if integer and val != round(val):
            raise yaml_where(r.lines, path).error(f"expected a whole number of years, got {v!r}")
        if val < lo or val > hi or (hi_open and val >= hi):
            rng = f"[{lo:g}, {hi:g}{')' if hi_open else ']'}"
            raise yaml_where(r.lines, path).error(f"{key} must lie in {rng}, got {val:g}")
        if b is None:
            out[:] = val
        else:
            out[r.ids.index(str(b))] = val
    return out.astype(int) if integer else out


def _years(r: _Reader, raw: Any, path: tuple[str | int, ...]) -> tuple[int, int]:
    if (not isinstance(raw, list) or len(raw) != 2
            or not all(isinstance(y, int) and not isinstance(y, bool) for y in raw)):
        raise yaml_where(r.lines, path).error("expected [first_year, last_year]")
    if raw[1] < raw[0]:
        raise yaml_where(r.lines, path).error(f"last year {raw[1]} comes before the first {raw[0]}")
    return int(raw[0]), int(raw[1])


def _year_key(r: _Reader, key: Any, path: tuple[str | int, ...]) -> int:
    if isinstance(key, bool) or not (isinstance(key, int) or (isinstance(key, str) and key.isdigit())):
        raise yaml_where(r.lines, path).error(f"expected a year, got {key!r}")
    return int(key)


def _bool(r: _Reader, raw: Any, path: tuple[str | int, ...]) -> bool:
    if not isinstance(raw, bool):
        raise yaml_where(r.lines, path).error(f"expected true or false, got {raw!r}")
    return raw


def read_strategies(r: _Reader) -> dict[str, Strategy]:
    raw = r.data.get("strategies")
    if raw is None:
        return {}
    out = {}
    for name, spec in _mapping(r, "strategies", raw).items():
        path: tuple[str | int, ...] = ("strategies", name)
        spec = _mapping(r, "strategies", spec, name)
        unknown = set(spec) - {"description", "rules", "targets", "target_growth", "proportional",
                               "tolerance"}
        if unknown:
            raise yaml_where(r.lines, (*path, sorted(unknown)[0])).error(
                f"unknown field {sorted(unknown)[0]!r}")
        rules = []
        for i, rule in enumerate(spec.get("rules") or []):
            rp = (*path, "rules", i)
            if not isinstance(rule, dict) or not rule.get("groups"):
                raise yaml_where(r.lines, rp).error("a rule needs groups: [...]")
            unknown = set(rule) - {"groups", "min", "max", "years"}
            if unknown:
                raise yaml_where(r.lines, (*rp, sorted(unknown)[0])).error(
                    f"unknown field {sorted(unknown)[0]!r}; a rule takes groups, min, max, years")
            groups = rule["groups"] if isinstance(rule["groups"], list) else [rule["groups"]]
            for g in groups:
                check_id(str(g), sorted(set(r.groups)), yaml_where(r.lines, (*rp, "groups")),
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


def read_settings(r: _Reader, target: pd.DataFrame | None, factor_ids: list[str]) -> PlanSettings:
    """The :class:`PlanSettings` of a scenario."""
    d = r.data
    objective, weights = "max-min", None
    if "objective" in d:
        raw = d["objective"]
        if isinstance(raw, dict):
            kind = raw.get("type")
            if "weights" in raw:
                w = _mapping(r, "objective", raw["weights"], "weights")
                for b in w:
                    check_id(str(b), r.ids, yaml_where(r.lines, ("objective", "weights", b)))
                weights = pd.Series({str(b): _num(r, ("objective", "weights", b), v)
                                     for b, v in w.items()}).reindex(r.ids).fillna(1.0)
        else:
            kind = raw
        if kind not in OBJECTIVES:
            raise yaml_where(r.lines, ("objective",)).error(
                f"unknown objective {kind!r}; expected one of {', '.join(OBJECTIVES)}")
        objective = kind
    horizon = None
    if "horizon" in d:
        h = _mapping(r, "horizon", d["horizon"])
        if set(h) != {"first", "last"} or not all(
                isinstance(h[k], int) and not isinstance(h[k], bool) for k in ("first", "last")):
            raise yaml_where(r.lines, ("horizon",)).error("expected {first: year, last: year}")
        if h["last"] < h["first"]:
            raise yaml_where(r.lines, ("horizon",)).error("last year comes before the first")
        horizon = (int(h["first"]), int(h["last"]))
    growth: dict[str, float] = {}
    for f, v in _mapping(r, "factor_growth", d.get("factor_growth") or {}).items():
        check_id(str(f), factor_ids, yaml_where(r.lines, ("factor_growth", f)), kind="factor")
        growth[str(f)] = _num(r, ("factor_growth", f), v, allow_negative=True)
    by_year: dict[str, dict[int, float]] = {}
    for f, row in _mapping(r, "factor_availability", d.get("factor_availability") or {}).items():
        check_id(str(f), factor_ids, yaml_where(r.lines, ("factor_availability", f)), kind="factor")
        by_year[str(f)] = {
            _year_key(r, y, ("factor_availability", f, y)): _num(r, ("factor_availability", f, y), v)
            for y, v in _mapping(r, "factor_availability", row, f).items()}
    basket: str | pd.Series | None = None
    floor: float | dict[int, float] = 0.0
    if "consumption" in d:
        c = _mapping(r, "consumption", d["consumption"])
        unknown = set(c) - {"basket", "floor"}
        if unknown:
            raise yaml_where(r.lines, ("consumption", sorted(unknown)[0])).error(
                f"unknown field {sorted(unknown)[0]!r}; consumption takes basket, floor")
        b = c.get("basket", "consumption")
        if isinstance(b, dict):
            for k in b:
                check_id(str(k), r.ids, yaml_where(r.lines, ("consumption", "basket", k)))
            basket = pd.Series({str(k): _num(r, ("consumption", "basket", k), v)
                                for k, v in b.items()}).reindex(r.ids).fillna(0.0)
        else:
            basket = str(b)
            if r.categories and basket not in r.categories:
                raise yaml_where(r.lines, ("consumption", "basket")).error(
                    f"unknown final-demand category {basket!r}; categories: "
                    f"{', '.join(r.categories)}")
        f = c.get("floor", 0.0)
        if isinstance(f, dict):
            floor = {_year_key(r, y, ("consumption", "floor", y)): _num(r, ("consumption", "floor", y), v)
                     for y, v in f.items()}
        else:
            floor = _num(r, ("consumption", "floor"), f)
    exo = d.get("exogenous")
    if exo is not None and (not isinstance(exo, list) or not all(isinstance(x, str) for x in exo)):
        raise yaml_where(r.lines, ("exogenous",)).error("expected a list of category names")
    for i, cat in enumerate(exo or []):
        if r.categories and cat not in r.categories:
            raise yaml_where(r.lines, ("exogenous", i)).error(
                f"unknown final-demand category {cat!r}; categories: {', '.join(r.categories)}")
    groups = d.get("industry_groups", ["energy", "heavy", "light"])
    if not isinstance(groups, list):
        raise yaml_where(r.lines, ("industry_groups",)).error("expected a list of group names")
    pt = _mapping(r, "plan_targets", d.get("plan_targets") or {})
    unknown = set(pt) - {"industrial_growth", "output"}
    if unknown:
        raise yaml_where(r.lines, ("plan_targets", sorted(unknown)[0])).error(
            f"unknown field {sorted(unknown)[0]!r}; plan_targets takes industrial_growth, output")
    ig = (_num(r, ("plan_targets", "industrial_growth"), pt["industrial_growth"],
               allow_negative=True) if "industrial_growth" in pt else None)
    targets: dict[int, dict[str, float]] = {}
    for ykey, row in _mapping(r, "plan_targets", pt.get("output") or {}, "output").items():
        yp = ("plan_targets", "output", ykey)
        year = _year_key(r, ykey, yp)
        targets[year] = {}
        for b, v in _mapping(r, "plan_targets", row, "output", ykey).items():
            check_id(str(b), r.ids, yaml_where(r.lines, (*yp, b)))
            targets[year][str(b)] = _num(r, (*yp, b), v)
    discount = (parse_number(d["discount"], yaml_where(r.lines, ("discount",)),
                             allow_negative=False, what="discount") if "discount" in d else 0.0)
    return PlanSettings(
        target=target, objective=objective, weights=weights,  # type: ignore[arg-type]
        horizon=horizon,
        depreciation=_per_branch(r, "depreciation", 0.0, hi=1.0, hi_open=True),
        gestation=_per_branch(r, "gestation", 1.0, integer=True, lo=1.0),
        initial_capacity=None, factor_growth=growth,
        factor_availability=by_year, consumption_basket=basket,
        consumption_floor=floor, exogenous=None if exo is None else tuple(exo),
        industry_groups=tuple(map(str, groups)), industrial_growth=ig, output_targets=targets,
        discount=discount, strategies=read_strategies(r))


def read_import_shares(r: _Reader, partners: list[str]) -> pd.DataFrame | None:
    """``import_shares``: a mapping partner -> {branch: share} or a long CSV (partner, branch,
    share[, source, note, estimate])."""
    if "import_shares" not in r.data:
        return None
    raw = r.data["import_shares"]
    table = pd.DataFrame(0.0, index=pd.Index(partners, name="partner"),
                         columns=pd.Index(r.ids, name="branch"))
    if isinstance(raw, str):
        path = r.csv_path("import_shares")
        assert path is not None
        for row in read_csv_rows(path, ["partner", "branch", "share"], PROVENANCE_COLS_ALLOWED):
            p = check_id(row.values["partner"], partners, row.where("partner"), kind="partner")
            b = check_id(row.values["branch"], r.ids, row.where("branch"))
            v = parse_number(row.values["share"], row.where("share"), allow_negative=False,
                             what="share")
            if v > 1:
                raise row.where("share").error(f"a share lies in [0, 1], got {v:g}")
            table.loc[p, b] = v
            est = parse_bool(row.values.get("estimate", ""), row.where("estimate"))
            if row.values.get("source") or row.values.get("note") or est:
                r.provenance.append({"table": "import_shares", "row": p, "column": b,
                                     "source": row.values.get("source", ""),
                                     "note": row.values.get("note", ""), "estimate": est})
    else:
        for p, row in _mapping(r, "import_shares", raw).items():
            check_id(str(p), partners, yaml_where(r.lines, ("import_shares", p)), kind="partner")
            for e in yaml_vector_entries(row, r.lines, ("import_shares", p), r.ids,
                                         allow_negative=False, what="share"):
                if e.value > 1:
                    raise e.where.error(f"a share lies in [0, 1], got {e.value:g}")
                table.loc[str(p), e.row] = e.value
                if e.has_provenance:
                    r.provenance.append({"table": "import_shares", "row": str(p), "column": e.row,
                                         "source": e.source, "note": e.note,
                                         "estimate": e.estimate})
    over = [b for b, v in table.sum(axis=0).items() if v > 1 + 1e-12]
    if over:
        raise yaml_where(r.lines, ("import_shares",)).error(
            f"import shares of {', '.join(over)} sum to more than one")
    return table
