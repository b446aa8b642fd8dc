"""Stress tests: a partner's supply cut, an aid cut, capacity lost, a demand jump.

Each shock gets two answers:

* **re-planned** (the best case): the reliance LP (:mod:`autarky.reliance.model`) solved under the
  shock — the planners substitute at home and with other partners as far as capacity, factors
  and the other partners' import shares allow. Reported: the fulfilment before and after, and
  the shortfall of each product against the baseline plan (in its unit).
* **unplanned propagation**: no re-planning; the shock spreads week by week through the input
  network with inventories and rationing (:func:`autarky.solve.propagation.propagate`, after
  Pichler & Farmer 2022), from the balanced plan scaled to a week.

Shocks are written ``KIND:ARGS``: ``partner:ussr`` (all its supply) or ``partner:ussr:coal+steel``;
``aid`` (all partners) or ``aid:ussr``; ``capacity:steel:0.3`` (30 % lost); ``demand:grain:0.2``
(20 % more). In the propagation an aid cut removes the share of imports that aid financed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from autarky.economy import Economy
from autarky.errors import AutarkyError
from autarky.reliance.indicators import valuation
from autarky.reliance.model import RelianceCase, base_case, solve
from autarky.solve.propagation import PropagationResult, Shock, propagate

KINDS = ("partner", "aid", "capacity", "demand")


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


def parse_shock(text: str, eco: Economy) -> ShockSpec:
    """Parse ``KIND:ARGS`` against the economy's partners and branches.

    Examples
    --------
    >>> eco = Economy.from_coefficients([[0.1]], [1.0], branches=["steel"],
    ...                                 partners=pd.DataFrame(index=["ussr"]))
    >>> parse_shock("partner:ussr", eco), parse_shock("capacity:steel:0.3", eco).size
    (ShockSpec(kind='partner', target='ussr', branches=(), size=1.0), 0.3)
    """
    parts = text.strip().split(":")
    kind = parts[0]
    if kind not in KINDS:
        raise AutarkyError(f"unknown shock {text!r}; expected one of partner:ID[:BRANCH+...], "
                           "aid[:ID], capacity:BRANCH:FRACTION, demand:BRANCH:FRACTION")
    partners = list(eco.partners.index)

    def branch_list(arg: str) -> tuple[str, ...]:
        out = tuple(b for b in arg.split("+") if b)
        bad = [b for b in out if b not in eco.ids]
        if bad:
            raise AutarkyError(f"shock {text!r}: unknown branch(es) {', '.join(bad)}")
        return out

    if kind in ("partner", "aid"):
        target = parts[1] if len(parts) > 1 and parts[1] else None
        if kind == "partner" and target is None:
            example = partners[0] if partners else "ID"
            raise AutarkyError(f"shock {text!r}: name the partner, e.g. partner:{example}")
        if target is not None and target not in partners:
            raise AutarkyError(f"shock {text!r}: unknown partner {target!r}; partners: "
                               f"{', '.join(partners) or 'none'}")
        return ShockSpec(kind, target, branch_list(parts[2]) if len(parts) > 2 else ())
    if len(parts) != 3:
        raise AutarkyError(f"shock {text!r}: expected {kind}:BRANCH:FRACTION")
    try:
        size = float(parts[2])
    except ValueError:
        raise AutarkyError(f"shock {text!r}: {parts[2]!r} is not a number") from None
    if kind == "capacity" and not 0 <= size <= 1:
        raise AutarkyError(f"shock {text!r}: the capacity lost is a fraction in [0, 1]")
    if kind == "demand" and size < -1:
        raise AutarkyError(f"shock {text!r}: demand cannot fall by more than 100 %")
    return ShockSpec(kind, None, branch_list(parts[1]), size)


def shocked_case(eco: Economy, case: RelianceCase, shock: ShockSpec, x_base: np.ndarray
                 ) -> tuple[RelianceCase, Economy]:
    """The reliance case (and, for aid, the economy) under ``shock``."""
    ids = eco.ids
    mask = np.isin(ids, shock.branches) if shock.branches else np.ones(eco.n, dtype=bool)
    if shock.kind == "partner":
        p = list(eco.partners.index).index(shock.target)
        theta = case.theta.copy()
        theta[p, mask] = 0.0
        return replace(case, theta=theta), eco
    if shock.kind == "aid":
        par = eco.partners.copy()
        who = par.index if shock.target is None else [shock.target]
        cut = float(par.loc[who, "aid"].sum())
        return replace(case, money=case.money - cut), eco
    if shock.kind == "capacity":
        cap = case.capacity.copy()
        cap[mask] = np.minimum(cap[mask], x_base[mask]) * (1.0 - shock.size)
        return replace(case, capacity=cap), eco
    target = case.target.copy()
    target[mask] *= 1.0 + shock.size
    exports = case.exports.copy()  # exports grow with the demand for the product
    exports[mask] *= 1.0 + shock.size
    return replace(case, target=target, exports=exports), eco


@dataclass(frozen=True)
class StressResult:
    """Both answers to one shock.

    Attributes
    ----------
    shock
        The shock, as written.
    replanned
        ``fulfilment_base``, ``fulfilment``, ``loss`` (fraction of the baseline fulfilment lost),
        ``shortfall`` (branch -> units short of the baseline plan's final output), ``binding``.
    propagation
        The week-by-week simulation (``None`` if not run): output per week, total loss per
        branch, recovery week.
    """

    shock: str
    replanned: dict[str, Any]
    propagation: PropagationResult | None
    ids: tuple[str, ...]
    units: tuple[str, ...]
    value_unit: str
    prices: np.ndarray

    def propagation_frame(self) -> pd.DataFrame:
        """Output per week (``week x branch``), in each branch's unit per week."""
        assert self.propagation is not None
        return pd.DataFrame(self.propagation.output, index=pd.Index(
            range(1, self.propagation.weeks + 1), name="week"), columns=list(self.ids))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``replanned`` (``fulfilment``, ``shortfall``), ``propagation`` (``weeks``,
        ``output``, ``total_loss``)."""
        out: dict[str, Any] = {"shock": self.shock, "replanned": dict(self.replanned)}
        pr = self.propagation
        if pr is not None:
            out["propagation"] = {
                "weeks": pr.weeks,
                "output": {b: [float(v) for v in pr.output[:, j]] for j, b in enumerate(self.ids)},
                "total_loss": {b: float(v) for b, v in zip(self.ids, pr.total_loss, strict=True)},
                "total_loss_value": pr.aggregate_loss(self.prices),
                "final_demand_unmet_value": float(
                    (pr.unmet_final_demand.sum(axis=0) * self.prices).sum()),
                "value_unit": self.value_unit,
                "recovery_week": pr.recovery_week,
                "units": {b: f"{u} per week" for b, u in zip(self.ids, self.units, strict=True)},
            }
        return out


def stress(eco: Economy, shock: str | ShockSpec, *, duration: int = 13, weeks: int = 52,
           scheme: str = "proportional", inventory_days: float = 14.0,
           priority: Any = None, propagate_too: bool = True,
           progress: Callable[[int, int], object] | None = None) -> StressResult:
    """Stress-test ``eco`` with ``shock`` (see the module docstring).

    Parameters
    ----------
    duration
        Weeks the shock lasts in the propagation (then it is lifted).
    weeks
        Weeks simulated.
    scheme
        Rationing: ``proportional``, ``industry-first`` or ``priority`` (with ``priority``, a
        rank per branch, lower first; final demand last).
    """
    spec = parse_shock(shock, eco) if isinstance(shock, str) else shock
    base = base_case(eco)
    b = solve(eco, base)
    if b.status != "optimal":
        raise AutarkyError(f"the baseline plan is {b.status}; nothing to stress")
    case, _ = shocked_case(eco, base, spec, b.output)
    s = solve(eco, case)
    A = eco.A
    net_base = b.output + b.imports.sum(axis=0) - np.asarray(A @ b.output).ravel()
    replanned: dict[str, Any] = {"fulfilment_base": b.fulfilment, "status": s.status}
    if s.status == "optimal":
        net = s.output + s.imports.sum(axis=0) - np.asarray(A @ s.output).ravel()
        replanned.update({
            "fulfilment": s.fulfilment,
            "loss": 1.0 - s.fulfilment / b.fulfilment if b.fulfilment > 0 else 0.0,
            "shortfall": {bid: float(max(0.0, nb - nv)) for bid, nb, nv
                          in zip(eco.ids, net_base, net, strict=True)},
            "binding": [n for n in s.binding if not n.startswith("balance")],
        })
    else:
        replanned.update({"fulfilment": 0.0, "loss": 1.0, "shortfall": {}, "binding": []})
    w, wunit = valuation(eco)
    pr = None
    if propagate_too:
        pr = _propagate(eco, spec, duration=duration, weeks=weeks, scheme=scheme,
                        inventory_days=inventory_days, priority=priority, progress=progress)
    return StressResult(spec.label, replanned, pr, tuple(eco.ids), tuple(eco.units), wunit, w)


def _propagate(eco: Economy, spec: ShockSpec, *, duration: int, weeks: int, scheme: str,
               inventory_days: float, priority: Any,
               progress: Callable[[int, int], object] | None) -> PropagationResult:
    """The unplanned propagation from the balanced plan, per week."""
    plan = eco.plan.balance()
    x0 = plan.gross_output.to_numpy() / 52.0
    f0 = eco.final_demand.to_numpy().sum(axis=1) / 52.0
    A = np.asarray(eco.technology.to_numpy())
    S = eco.import_shares.to_numpy()
    s = S.sum(axis=0) if len(S) else np.zeros(eco.n)
    # competitive imports: pooled with domestic output of the same product, x0 + m0 = A x0 + f0
    m0 = plan.imports.sum(axis=0).to_numpy() / 52.0 if len(plan.imports) else np.zeros(eco.n)
    mask = np.isin(eco.ids, spec.branches) if spec.branches else np.ones(eco.n, dtype=bool)
    cap, imp, dem = np.ones(eco.n), np.ones(eco.n), np.ones(eco.n)
    if spec.kind == "partner":
        p = list(eco.partners.index).index(spec.target)
        with np.errstate(divide="ignore", invalid="ignore"):
            lost = np.where(s > 0, S[p] / s, 0.0)
        imp = np.where(mask, 1.0 - lost, 1.0)
    elif spec.kind == "aid":
        par = eco.partners
        who = par.index if spec.target is None else [spec.target]
        aid = float(par.loc[who, "aid"].sum())
        w, _ = valuation(eco)
        value = float(w @ (m0 * 52.0))  # yearly imports at constant prices
        imp = np.full(eco.n, max(0.0, 1.0 - aid / value) if value > 0 else 1.0)
    elif spec.kind == "capacity":
        cap = np.where(mask, 1.0 - spec.size, 1.0)
    else:
        dem = np.where(mask, 1.0 + spec.size, 1.0)
    shock = Shock.constant(eco.n, weeks, capacity=cap, imports=imp, demand=dem, start=0,
                           end=min(duration, weeks))
    return propagate(A, x0, f0, pooled_imports=m0, capacity=x0 * 1.0, shock=shock, weeks=weeks,
                     inventory_days=inventory_days, scheme=scheme, priority=priority,
                     progress=progress)
