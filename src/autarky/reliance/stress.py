"""Stress tests: a partner's supply cut, an aid cut, capacity lost, a demand jump.

Each shock gets two answers, both from the self-reliance baseline (the optimal plan, so the
stress test starts where ``optimize`` ends):

* **re-planned** (the best case): the one-year LP (:mod:`autarky.reliance.model`) solved under
  the shock — the planners substitute at home and with other partners as far as capacity,
  factors, the other partners' recorded structure and limits, and foreign exchange allow.
  Reported: the fulfilment before and after, and the shortfall of each product against the
  baseline plan (in its unit).
* **unplanned propagation**: no re-planning; the shock spreads week by week through the input
  network with inventories and rationing (:func:`autarky.solve.propagation.propagate`, after
  Pichler & Farmer 2022), from the baseline plan scaled to a week.

Shocks are written ``KIND:ARGS``: ``partner:ussr`` (a cut-off: no trade with the partner either
way, and no aid, credit or other financing from it) or ``partner:ussr:coal+steel`` (its supply of
those products stops);
``aid`` (all partners) or ``aid:ussr``; ``capacity:steel:0.3`` (30 % lost); ``demand:grain:0.2``
(20 % more home final use; exports stay as recorded). In the propagation an aid cut removes
the share of imports (at import prices) that aid financed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from autarky import checks
from autarky.display import DatasetDisplay
from autarky.economy import Economy, Scenario, as_scenario
from autarky.economy.trade import export_channels, import_channels
from autarky.errors import BadTypeError, BadValueError, UnknownIdError
from autarky.plan.optimize import YearData
from autarky.plan.result import OptimalPlan
from autarky.reliance.family import PlanFamily
from autarky.reliance.indicators import valuation
from autarky.reliance.model import base_case, require_baseline
from autarky.solve.production import Households
from autarky.solve.propagation import PropagationResult, Shock, propagate

KINDS = ("partner", "aid", "capacity", "demand")
#: What a re-planned loss is measured against: the optimal plan before the shock (its
#: fulfilment), or the plan's target (fulfilment 1: every home final use met in full).
BASELINES = ("optimal", "target")
#: The baselines in words, for the text that reports a loss.
BASELINE_WORDS = {"optimal": "the optimal plan before the shock",
                  "target": "the target (every home final use met in full)"}
#: Largest demand shock (a hundredfold rise); beyond it the numbers lose meaning and overflow.
MAX_DEMAND_RISE = 100.0


@dataclass(frozen=True)
class ShockSpec:
    """A parsed shock: ``kind``, the partner or branch it hits, the branches, its size."""

    kind: str
    target: str | None = None
    branches: tuple[str, ...] = ()
    size: float = 1.0

    @property
    def label(self) -> str:
        parts = [self.kind] + ([self.target] if self.target else [])
        if self.branches:
            parts.append("+".join(self.branches))
        if self.kind in ("capacity", "demand"):
            parts.append(f"{self.size:g}")
        return ":".join(parts)


def parse_shock(text: str, eco: Economy | Scenario) -> ShockSpec:
    """Parse ``KIND:ARGS`` against the economy's partners and branches.

    Examples
    --------
    >>> eco = Economy.from_coefficients([[0.1]], [1.0], branches=["steel"],
    ...                                 partners=pd.DataFrame(index=["ussr"]))
    >>> parse_shock("partner:ussr", eco), parse_shock("capacity:steel:0.3", eco).size
    (ShockSpec(kind='partner', target='ussr', branches=(), size=1.0), 0.3)
    """
    if not isinstance(text, str):
        raise BadTypeError(f"a shock is a string KIND:ARGS or a ShockSpec, got {text!r:.60}")
    parts = text.strip().split(":")
    kind = parts[0]
    if kind not in KINDS:
        raise BadValueError(f"unknown shock {text!r}; expected one of partner:ID[:BRANCH+...], "
                            "aid[:ID], capacity:BRANCH:FRACTION, demand:BRANCH:FRACTION")
    partners = [str(p) for p in eco.coords.partner]
    ids = set(eco.ids)

    def branch_list(arg: str) -> tuple[str, ...]:
        out = tuple(b for b in arg.split("+") if b)
        bad = [b for b in out if b not in ids]
        if bad:
            raise UnknownIdError(f"shock {text!r}: unknown branch(es) {', '.join(bad)}")
        return out

    if kind in ("partner", "aid"):
        target = parts[1] if len(parts) > 1 and parts[1] else None
        if kind == "partner" and target is None:
            example = partners[0] if partners else "ID"
            raise BadValueError(f"shock {text!r}: name the partner, e.g. partner:{example}")
        if target is not None and target not in partners:
            raise UnknownIdError(f"shock {text!r}: unknown partner {target!r}; partners: "
                                 f"{', '.join(partners) or 'none'}")
        return ShockSpec(kind, target, branch_list(parts[2]) if len(parts) > 2 else ())
    if len(parts) != 3:
        raise BadValueError(f"shock {text!r}: expected {kind}:BRANCH:FRACTION")
    try:
        size = float(parts[2])
    except ValueError:
        raise BadValueError(f"shock {text!r}: {parts[2]!r} is not a number") from None
    if not np.isfinite(size):
        raise BadValueError(f"shock {text!r}: the size must be a finite number")
    if kind == "capacity" and not 0 <= size <= 1:
        raise BadValueError(f"shock {text!r}: the capacity lost is a fraction in [0, 1]")
    if kind == "demand" and size < -1:
        raise BadValueError(f"shock {text!r}: demand cannot fall by more than 100 %")
    if kind == "demand" and size > MAX_DEMAND_RISE:
        raise BadValueError(f"shock {text!r}: a demand rise is at most {MAX_DEMAND_RISE:g} "
                            f"({100 * MAX_DEMAND_RISE:,.0f} %), got {size:g}")
    return ShockSpec(kind, None, branch_list(parts[1]), size)


def shocked_data(scn: Scenario, data: YearData, shock: ShockSpec, x_base: np.ndarray
                 ) -> YearData:
    """The one-year LP's data under ``shock``."""
    eco = scn.economy
    mask = (np.isin(eco.ids, shock.branches) if shock.branches
            else np.ones(eco.n, dtype=bool))
    if shock.kind == "partner":
        imp = import_channels(eco)
        p = int(eco.positions([str(shock.target)], "partner")[0])
        hit = (imp.partner == p) & mask[imp.branch]
        out = replace(data, import_scale=np.where(hit, 0.0, data.import_scale),
                      import_upper=np.where(hit, 0.0, data.import_upper))
        if not shock.branches:  # cut off: no trade with p either way, no aid, credit, financing
            exp = export_channels(eco)
            gone = exp.partner == p
            money = data.money.copy()
            money[p] = 0.0
            out = replace(out, export_lower=np.where(gone, 0.0, out.export_lower),
                          export_upper=np.where(gone, 0.0, out.export_upper), money=money)
        return out
    if shock.kind == "aid":
        aid = np.asarray(eco.array("aid"))
        cut = aid if shock.target is None else np.where(
            np.arange(len(aid)) == eco.positions([shock.target], "partner")[0], aid, 0.0)
        return replace(data, money=data.money - cut)
    if shock.kind == "capacity":
        cap = data.capacity.copy()
        cap[mask] = np.minimum(cap[mask], x_base[mask]) * (1.0 - shock.size)
        return replace(data, capacity=cap)
    target = data.target.copy()
    target[mask] *= 1.0 + shock.size
    return replace(data, target=target)


@dataclass(frozen=True, repr=False)
class StressResult(DatasetDisplay):
    """Both answers to one shock.

    Attributes
    ----------
    shock
        The shock, as written.
    replanned
        ``fulfilment_base`` (the optimal plan's before the shock), ``fulfilment`` (after; both
        as the share of the target met), ``baseline`` (what the loss is measured against:
        ``"optimal"`` or ``"target"``), ``fulfilment_reference`` (the baseline's fulfilment:
        ``fulfilment_base``, or 1 for the target), ``loss`` (``1 - fulfilment /
        fulfilment_reference``; for the target, never below 0: meeting more than the target is
        no loss), ``shortfall`` (branch -> units of home final use short of the baseline:
        the optimal plan's, or the target), ``binding``.
    propagation
        The week-by-week simulation (``None`` if not run): output per week, total loss per
        branch, recovery week.
    duration
        Weeks the shock lasted in the propagation (weeks 1 to ``duration``).
    """

    shock: str
    replanned: dict[str, Any]
    propagation: PropagationResult | None
    ids: tuple[str, ...]
    units: tuple[str, ...]
    value_unit: str
    prices: np.ndarray
    duration: int = 0

    def propagation_frame(self) -> pd.DataFrame:
        """Output per week (``week x branch``), in each branch's unit per week."""
        assert self.propagation is not None
        return pd.DataFrame(self.propagation.output, index=pd.Index(
            range(1, self.propagation.weeks + 1), name="week"), columns=list(self.ids))

    def to_dataset(self) -> xr.Dataset:
        """Both answers as a labelled dataset with units."""
        ids = list(self.ids)
        rp = self.replanned
        data: dict[str, xr.DataArray] = {
            "fulfilment_base": xr.DataArray(float(rp["fulfilment_base"]), attrs={
                "unit": "1", "description": "Fulfilment of the baseline plan."}),
            "fulfilment": xr.DataArray(float(rp["fulfilment"]), attrs={
                "unit": "1", "description": "Fulfilment re-planned under the shock."}),
            "loss": xr.DataArray(float(rp["loss"]), attrs={
                "unit": "1", "description": "Share of the baseline's fulfilment lost; baseline: "
                + BASELINE_WORDS[rp.get("baseline", "optimal")] + "."}),
            "shortfall": xr.DataArray([float(rp["shortfall"].get(b, np.nan)) for b in ids],
                                      dims=("branch",), coords={"branch": ids},
                                      attrs={"unit": "unit[branch]", "description":
                                             "Home final use short of the baseline: "
                                             + BASELINE_WORDS[rp.get("baseline", "optimal")]
                                             + "."}),
        }
        pr = self.propagation
        if pr is not None:
            weeks = list(range(1, pr.weeks + 1))
            data["output"] = xr.DataArray(pr.output, dims=("week", "branch"),
                                          coords={"week": weeks, "branch": ids},
                                          attrs={"unit": "unit[branch]/week",
                                                 "description": "Output per week, propagated."})
            data["total_loss"] = xr.DataArray(pr.total_loss, dims=("branch",),
                                              coords={"branch": ids},
                                              attrs={"unit": "unit[branch]",
                                                     "description": "Output lost over the weeks."})
            data["total_loss_value"] = xr.DataArray(pr.aggregate_loss(self.prices), attrs={
                "unit": self.value_unit, "description": "Output lost, at constant prices."})
            data["final_demand_unmet_value"] = xr.DataArray(
                float((pr.unmet_final_demand.sum(axis=0) * self.prices).sum()),
                attrs={"unit": self.value_unit, "description": "Final demand unmet."})
            data["recovery_week"] = xr.DataArray(
                np.nan if pr.recovery_week is None else float(pr.recovery_week),
                attrs={"unit": "week", "description": "Last week (from 1) in which some output is "
                                                      "more than 1 % from baseline; 0: never; "
                                                      "nan: still in the last week."})
        ds = xr.Dataset(data).assign_coords(unit=("branch", list(self.units)))
        ds.attrs.update({"result": "stress test", "shock": self.shock,
                         "baseline": rp.get("baseline", "optimal"),
                         "status": rp.get("status", ""), "binding": list(rp.get("binding", []))})
        return ds


def stress(obj: Economy | Scenario, shock: str | ShockSpec, *, duration: int = 13,
           weeks: int = 52, scheme: str = "proportional", inventory_days: float = 14.0,
           priority: Any = None, propagate_too: bool = True, baseline: str = "optimal",
           progress: Callable[[int, int], object] | None = None, gamma: float = 0.5,
           production: str = "leontief", criticality: Any = None,
           households: Households | None = None,
           baseline_plan: OptimalPlan | None = None) -> StressResult:
    """Stress-test an economy with ``shock`` (see the module docstring).

    Parameters
    ----------
    baseline
        What the re-planned loss is measured against: ``"optimal"`` (the optimal plan before
        the shock: the loss is the share of its fulfilment lost, and a negative loss is a gain)
        or ``"target"`` (the plan's target: the share of the target not met, 0 while the
        shocked plan still meets it). The propagation starts from the optimal plan either way.
    duration
        Weeks the shock lasts in the propagation (then it is lifted).
    weeks
        Weeks simulated.
    scheme
        Rationing: ``proportional``, ``industry-first`` or ``priority`` (with ``priority``, a
        rank per branch, lower first; final demand last).
    gamma, production, criticality
        Share of the stock gap ordered each week (Pichler et al.'s ``1/tau`` per week), the
        production function and the (input, branch) ratings, passed to
        :func:`~autarky.solve.propagation.propagate` (defaults: 0.5, Leontief).
    households
        :class:`~autarky.solve.production.Households`: home final use follows labour income;
        its ``consumption`` defaults to the baseline plan's weekly home final use and its
        ``labour`` to the value of each branch's output.
    baseline_plan
        The optimal plan before the shock (:func:`baseline_plan` of the same scenario), where
        the caller has it: a family of shocks on one scenario solves it once instead of once
        per shock. Default: solved here.

    Raises
    ------
    PlanFailure
        When the baseline plan is unbounded or infeasible, saying what it needs.
    """
    scn = as_scenario(obj)
    eco = scn.economy
    if not isinstance(shock, (str, ShockSpec)):
        raise BadTypeError(f"a shock is a string KIND:ARGS or a ShockSpec, got {shock!r:.60}")
    spec = parse_shock(shock, eco) if isinstance(shock, str) else shock
    if not isinstance(baseline, str) or baseline not in BASELINES:
        raise BadValueError(f"baseline must be one of {', '.join(BASELINES)}, got {checks.quoted(baseline)}")
    propagate_too = checks.flag("propagate_too", propagate_too)
    if progress is not None and not callable(progress):
        raise BadTypeError(f"progress must be a function of (done, total), got "
                           f"{type(progress).__name__}")
    if propagate_too:
        _check_propagation(weeks, duration)
    data = base_case(scn)
    b = (_baseline(PlanFamily(scn), data, f"the stress test {spec.label}")
         if baseline_plan is None else _given_baseline(baseline_plan))
    x_base = b.gross_output.to_numpy()
    # a family of its own: the same answer whether the baseline was given or solved here
    s = PlanFamily(scn).solve(shocked_data(scn, data, spec, x_base))
    reference = b.fulfilment if baseline == "optimal" else 1.0
    net_base = (b.final_demand.to_numpy().sum(axis=1) if baseline == "optimal"
                else np.asarray(data.target, dtype=float))
    replanned: dict[str, Any] = {"fulfilment_base": b.fulfilment, "status": s.status,
                                 "baseline": baseline, "fulfilment_reference": reference}
    if s.ok:
        net = s.final_demand.to_numpy().sum(axis=1)
        loss = 1.0 - s.fulfilment / reference if reference > 0 else 0.0
        replanned.update({
            "fulfilment": s.fulfilment,
            "loss": max(0.0, loss) if baseline == "target" else loss,
            "shortfall": {bid: float(max(0.0, nb - nv)) for bid, nb, nv
                          in zip(eco.ids, net_base, net, strict=True)},
            "binding": [n for n in s.binding_names if not n.startswith("product")],
        })
    else:
        replanned.update({"fulfilment": 0.0, "loss": 1.0, "shortfall": {}, "binding": []})
    w, wunit = valuation(eco)
    pr = None
    if propagate_too:
        pr = _propagate(scn, b, spec, duration=duration, weeks=weeks, scheme=scheme,
                        inventory_days=inventory_days, priority=priority, progress=progress,
                        gamma=gamma, production=production, criticality=criticality,
                        households=households)
    return StressResult(spec.label, replanned, pr, tuple(eco.ids), tuple(eco.units), wunit, w,
                        duration=duration)


def baseline_plan(obj: Economy | Scenario, what: str = "the stress tests") -> OptimalPlan:
    """The optimal plan every stress test of ``obj`` starts from, solved once: pass it as
    ``stress(..., baseline_plan=...)`` to test many shocks on one scenario.

    The plan is solved on the structured path where it applies
    (:class:`~autarky.reliance.family.PlanFamily`), else by HiGHS, and checked either way.

    Raises
    ------
    PlanFailure
        When the plan is unbounded or infeasible, saying (for ``what``) what it needs.
    """
    scn = as_scenario(obj)
    return _baseline(PlanFamily(scn), base_case(scn), what)


def _baseline(family: PlanFamily, data: YearData, what: str) -> OptimalPlan:
    """Today's optimal plan, first member of ``family``; a plan that is not optimal is
    solved again with its explanation, and raised."""
    plan = family.solve(data)
    return plan if plan.ok else require_baseline(family.scenario, what)


def _given_baseline(plan: Any) -> OptimalPlan:
    if not isinstance(plan, OptimalPlan) or not plan.ok:
        raise BadTypeError("baseline_plan must be the optimal plan of the scenario "
                           "(autarky.reliance.stress.baseline_plan), solved")
    return plan


def _check_propagation(weeks: Any, duration: Any) -> tuple[int, int]:
    """Weeks simulated and weeks the shock lasts, checked."""
    if checks.is_real(weeks) and not 1 <= weeks <= 5200:
        raise BadValueError(f"weeks must lie in [1, 5200], got {weeks}")
    weeks = checks.integer("weeks", weeks)
    if checks.is_real(duration) and duration < 0:
        raise BadValueError(f"the shock's duration must be at least 0 weeks, got {duration}")
    return weeks, checks.integer("duration", duration)


def _propagate(scn: Scenario, base: OptimalPlan, spec: ShockSpec, *, duration: int, weeks: int,
               scheme: str, inventory_days: float, priority: Any,
               progress: Callable[[int, int], object] | None, gamma: float = 0.5,
               production: str = "leontief", criticality: Any = None,
               households: Households | None = None) -> PropagationResult:
    """The unplanned propagation from the baseline plan, per week."""
    eco = scn.economy
    weeks, duration = _check_propagation(weeks, duration)
    x0 = base.gross_output.to_numpy() / 52.0
    M = base.imports.to_numpy()
    E = base.exports.to_numpy()
    m0 = M.sum(axis=0) / 52.0 if M.size else np.zeros(eco.n)
    f0 = (base.final_demand.to_numpy().sum(axis=1) + (E.sum(axis=0) if E.size else 0.0)) / 52.0
    A = eco.A  # dense or sparse as stored: propagate keeps its stocks on the non-zeros
    mask = np.isin(eco.ids, spec.branches) if spec.branches else np.ones(eco.n, dtype=bool)
    cap, imp, dem = np.ones(eco.n), np.ones(eco.n), np.ones(eco.n)
    if spec.kind == "partner":
        p = int(eco.positions([str(spec.target)], "partner")[0])
        total = M.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            lost = np.where(total > 0, M[p] / total, 0.0)
            if not spec.branches and E.size:  # the partner stops buying too
                dem = np.where(f0 > 0, 1.0 - E[p] / 52.0 / f0, 1.0)
        imp = np.where(mask, 1.0 - lost, 1.0)
    elif spec.kind == "aid":
        aid_all = np.asarray(eco.array("aid"))
        aid = float(aid_all.sum() if spec.target is None
                    else aid_all[eco.positions([spec.target], "partner")[0]])
        chan = import_channels(eco)
        price = np.nan_to_num(chan.price) if len(chan) else np.zeros(0)
        value = float((M[chan.partner, chan.branch] * price).sum()) if len(chan) else 0.0
        if value <= 0:
            w, _ = valuation(eco)
            value = float(w @ M.sum(axis=0)) if M.size else 0.0
        imp = np.full(eco.n, max(0.0, 1.0 - aid / value) if value > 0 else 1.0)
    elif spec.kind == "capacity":
        cap = np.where(mask, 1.0 - spec.size, 1.0)
    else:  # more home final use; exports (the rest of the final demand here) unchanged
        home = base.final_demand.to_numpy().sum(axis=1) / 52.0
        with np.errstate(divide="ignore", invalid="ignore"):
            dem = np.where(mask & (f0 > 0), (f0 + spec.size * home) / f0, 1.0)
    shock = Shock.constant(eco.n, weeks, capacity=cap, imports=imp, demand=dem, start=0,
                           end=min(duration, weeks))
    if isinstance(households, Households):
        if households.consumption is None:
            households = replace(households,
                                 consumption=base.final_demand.to_numpy().sum(axis=1) / 52.0)
        if households.labour is None:
            households = replace(households, labour=valuation(eco)[0] * x0)
    return propagate(A, x0, f0, pooled_imports=m0, capacity=x0 * 1.0, shock=shock, weeks=weeks,
                     inventory_days=inventory_days, scheme=scheme, priority=priority,
                     progress=progress, gamma=gamma, production=production,
                     criticality=criticality, households=households)
