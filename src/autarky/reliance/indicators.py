"""Self-reliance indicators: self-sufficiency, import content, partner dependence, concentration.

Measured at a plan (default :func:`autarky.reliance.model.baseline`: trade as the economy records
it, or, where it records none but partners offer trade, the optimal plan that uses the offers),
so that every view of an economy sees the same trade. From the plan's output ``x``, imports
``m[p]``, exports ``e[p]`` and home final use ``y``, and the trade model's structure
(:mod:`autarky.economy.trade`):

* the imported coefficients the plan realises, ``A_imp[p] = diag(phi_p) A_m[p] + diag(rho_p) A_c``
  (the recorded non-competitive imports served first, the rest a competitive share of home use;
  at the recorded structure ``phi = 1`` and ``rho = S[p]``), and ``A_d = A - sum_p A_imp[p]``,
  ``L_d = (I - A_d)^-1``; ``w`` the value of a unit of each product (constant prices; ones in an
  economy measured in one unit);
* self-sufficiency of product ``i``: ``x_i / (x_i + m_i - e_i)`` (output over apparent
  consumption);
* import share of home use: ``m_i / (A x + y)_i``;
* total (direct + indirect) import content per unit of final product ``j``, as a share of its
  value: ``mu_j = (w' A_imp L_d)_j / w_j``; per partner ``mu_p = w' A_imp[p] L_d / w``. Each is ONE
  transposed solve with the factorization of ``I - A_d`` (``L_d`` is never formed);
* domestic value-added content: ``(v' L_d)_j / w_j`` with ``v`` the value added per unit
  (``v_j = w_j - sum_i w_i a_ij`` unless the scenario gives it). With ``v`` so defined,
  ``w' A_imp L_d + v' L_d = w'(A - A_d + I - A) L_d ... = w'``: import and domestic value-added
  content sum to one per unit of final product;
* whole final demand (OECD TiVA): ``(w' A_imp L_d y_d + w' m_f) / w' y``, with ``y_d`` the final use
  met at home and ``m_f`` imported final goods; of exports (vertical specialisation,
  Hummels-Ishii-Yi): ``w' A_imp L_d e / w' e``;
* concentration of each product's imports across partners: Herfindahl ``sum_p (m_p,i / m_i)^2``;
* dependence flags in the style of the European Commission's 2021 method (SWD(2021) 352):
  concentration > 0.4, import share of use > 0.5, imports over exports > 1; a product is
  dependent when all three hold;
* aid dependence: aid over state revenue, and over the value of investment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
import xarray as xr

from autarky import checks
from autarky.display import DatasetDisplay
from autarky.economy import Economy, Scenario, as_scenario
from autarky.economy.trade import final_import_ratio, imported_use_weights, imports_at
from autarky.errors import BadTypeError, BadValueError
from autarky.plan.result import Plan
from autarky.solve import LeontiefSolver
from autarky.solve.trade import split_imports

#: Thresholds of the European Commission's 2021 dependence method.
EU_THRESHOLDS: dict[str, float] = {"concentration": 0.4, "import_share": 0.5,
                                   "imports_over_exports": 1.0}


def calc_self_sufficiency(x: np.ndarray, m: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Output over apparent consumption ``x / (x + m - e)`` (NaN where nothing is consumed).

    Examples
    --------
    >>> calc_self_sufficiency(np.array([80.0, 50.0]), np.array([20.0, 0.0]), np.array([0.0, 0.0]))
    array([0.8, 1. ])
    """
    apparent = x + m - e
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(apparent > 0, x / apparent, np.nan)


def calc_herfindahl(shares: np.ndarray) -> np.ndarray:
    """Herfindahl index of each column's split across rows (partners); NaN where nothing.

    Examples
    --------
    >>> calc_herfindahl(np.array([[0.3, 0.0], [0.1, 0.0]]))
    array([0.625,   nan])
    """
    total = shares.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(total > 0, shares / total, np.nan)
    return np.where(total > 0, np.nansum(frac ** 2, axis=0), np.nan)


def valuation(eco: Economy) -> tuple[np.ndarray, str]:
    """Weights that make products of different units addable: prices, or ones if all branches
    share one unit."""
    prices = eco.prices.to_numpy()
    if not np.isnan(prices).any():
        return prices, eco.currency
    units = eco.units.unique()
    if len(units) == 1:
        return np.ones(eco.n), str(units[0])
    missing = eco.index[np.isnan(prices)].tolist()
    raise BadValueError("import content adds up products measured in different units; give "
                        f"'prices' (currency per unit) for: {', '.join(missing)}")


@dataclass(frozen=True)
class TradeState:
    """The trade structure a plan realises (see the module docstring).

    Attributes
    ----------
    A_imp
        Imported coefficients per partner (``n x n`` each); empty at the recorded structure,
        whose coefficients are the economy's own (:func:`~autarky.economy.trade.imported_use_weights`
        gives what the indicators need of them without forming them).
    g
        Share of each product's home final use imported from each partner (``P x n``).
    solver
        Factorization of ``I - A_d`` for this structure.
    recorded
        Whether the structure is the recorded one (the economy's own factorization reused).
    """

    A_imp: tuple[Any, ...]
    g: np.ndarray
    solver: LeontiefSolver
    recorded: bool


def trade_state(eco: Economy, x: np.ndarray, m: np.ndarray, y: np.ndarray) -> TradeState:
    """The imported coefficients a plan with output ``x``, imports ``m`` (``P x n``) and home
    final use ``y`` realises."""
    from autarky.economy.trade import final_import_shares

    P = m.shape[0]
    recorded = imports_at(eco, x, y) if P else np.zeros((0, eco.n))
    if np.allclose(m, recorded, rtol=1e-9, atol=1e-12 * max(1.0, float(np.abs(m).max(initial=0)))):
        # the recorded structure: its coefficients are the economy's own, read lazily
        return TradeState((), final_import_shares(eco), eco.solver, True)
    Am = eco.array("imported_technology")
    phi_f = final_import_ratio(eco)
    A_c = eco.A_c
    comp_use = np.asarray(A_c @ x).ravel() + (1.0 - phi_f.sum(axis=0)) * y
    blocks, g = [], np.zeros((P, eco.n))
    for p in range(P):
        nc = phi_f[p] * y
        if Am is not None:
            nc = nc + np.asarray(Am[p] @ x).ravel()
        phi, rho = split_imports(m[p], nc, comp_use)
        part = sp.csr_array(sp.diags_array(rho) @ sp.csr_array(A_c))
        if Am is not None:
            part = part + sp.csr_array(sp.diags_array(phi) @ Am[p])
        blocks.append(part if sp.issparse(eco.A) else part.toarray())
        g[p] = phi * phi_f[p] + rho * (1.0 - phi_f.sum(axis=0))
    total = blocks[0]
    for bl in blocks[1:]:
        total = total + bl
    A_d = eco.A - total if not sp.issparse(eco.A) else sp.csr_array(sp.csr_array(eco.A) - total)
    return TradeState(tuple(blocks), g, LeontiefSolver(A_d), False)


@dataclass(frozen=True, repr=False)
class Indicators(DatasetDisplay):
    """Self-reliance indicators of one economy at one plan (see the module docstring).

    Attributes
    ----------
    table
        Per branch: ``unit``, ``self_sufficiency``, ``import_share`` (of home use),
        ``import_content`` (total, per unit value of final product), ``domestic_value_added``,
        ``concentration`` (Herfindahl across partners), ``imports_over_exports`` and the flags.
    partner_content
        ``partner x branch``: total import content from each partner per unit value.
    totals
        Economy-wide figures, with ``valuation_unit``.
    basis
        The plan the indicators are measured at.
    partners
        Per partner: ``import_content_of_final_demand`` (its imports embodied in home-made
        final goods plus its final goods, over the value of final demand) and
        ``imports_value`` (its direct imports at constant prices).
    factor_content
        ``factor x branch``: each home factor embodied in a unit of each final product,
        ``F L_d`` (direct and indirect home use; factor unit per product unit).
    solved_by
        The method that answered the contents' solve (e.g. ``krylov``, ``dense LU``).
    """

    table: pd.DataFrame
    partner_content: pd.DataFrame
    totals: dict[str, Any]
    thresholds: dict[str, float] = field(default_factory=dict)
    basis: str = "balanced plan"
    partners: pd.DataFrame = field(default_factory=pd.DataFrame)
    factor_content: pd.DataFrame = field(default_factory=pd.DataFrame)
    solved_by: str = ""

    @property
    def flags(self) -> pd.DataFrame:
        """The EU-2021 criteria per branch and whether all hold (``dependent``)."""
        return self.table[["flag_concentration", "flag_import_share", "flag_imports_over_exports",
                           "dependent"]].copy()

    def to_dataset(self) -> xr.Dataset:
        """The indicators as a labelled dataset, a unit on every variable."""
        t = self.table
        ids = [str(b) for b in t.index]
        unit = self.totals.get("valuation_unit", "")
        share = {"unit": "1"}
        data: dict[str, xr.DataArray] = {}
        desc = {"self_sufficiency": "Output over apparent consumption x / (x + m - e).",
                "import_share": "Imports over home use m / (A x + y).",
                "import_content": "Imports embodied in a unit of final product, share of its value.",
                "domestic_value_added": "Home value added embodied, share of its value.",
                "concentration": "Herfindahl index of imports across partners.",
                "imports_over_exports": "Imports over exports of the product."}
        for col, d in desc.items():
            data[col] = xr.DataArray(t[col].to_numpy(dtype=float), dims=("branch",),
                                     coords={"branch": ids}, attrs={**share, "description": d})
        for col in ("flag_concentration", "flag_import_share", "flag_imports_over_exports",
                    "dependent"):
            data[col] = xr.DataArray(t[col].to_numpy(dtype=bool), dims=("branch",),
                                     coords={"branch": ids},
                                     attrs={"unit": "1", "description": "EU 2021 criterion."})
        pc = self.partner_content
        data["partner_content"] = xr.DataArray(
            pc.to_numpy(dtype=float), dims=("partner", "branch"),
            coords={"partner": [str(p) for p in pc.index], "branch": ids},
            attrs={"unit": "1", "description": "Import content from each partner."})
        fc = self.factor_content
        if len(fc):
            data["factor_content"] = xr.DataArray(
                fc.to_numpy(dtype=float), dims=("factor", "branch"),
                coords={"factor": [str(f) for f in fc.index], "branch": ids},
                attrs={"unit": "unit[factor]/unit[branch]",
                       "description": "Home factor embodied in a unit of final product, F L_d."})
        for k, v in self.totals.items():
            if isinstance(v, (int, float)) or v is None:
                u = (unit if k in ("imports_value", "exports_value", "output_value")
                     else self.totals.get("currency", "currency") if k == "aid" else "1")
                data[k] = xr.DataArray(np.nan if v is None else float(v),
                                       attrs={"unit": u, "description": k.replace("_", " ")})
        ds = xr.Dataset(data).assign_coords(unit=("branch", [str(u) for u in t["unit"]]))
        ds.attrs.update({"result": "self-reliance indicators", "basis": self.basis,
                         "solved_by": self.solved_by,
                         "valuation_unit": unit, "thresholds": dict(self.thresholds)})
        return ds


def _plan_flows(scn: Scenario, plan: Plan) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Output, imports and exports (``P x n``) and home final use of a plan."""
    eco = scn.economy
    P = len(eco.coords.partner)
    index = plan.gross_output.index
    if len(index) != eco.n or not np.array_equal(np.asarray(index.astype(str), dtype=object),
                                                 np.asarray(eco.index, dtype=object)):
        raise BadValueError(f"the plan is not of this economy: its branches are "
                            f"{', '.join(map(str, plan.gross_output.index[:5]))}, the economy's "
                            f"{', '.join(eco.ids[:5])}")
    x = plan.gross_output.to_numpy()
    m = plan.imports.reindex(index=[str(p) for p in eco.coords.partner]).fillna(0.0).to_numpy() \
        if P else np.zeros((0, eco.n))
    e = plan.exports.reindex(index=[str(p) for p in eco.coords.partner]).fillna(0.0).to_numpy() \
        if P else np.zeros((0, eco.n))
    y = plan.final_demand.to_numpy().sum(axis=1)
    return x, m, e, y


def _thresholds(thresholds: Any) -> dict[str, float]:
    """The thresholds a caller gives, checked: known names, non-negative finite numbers."""
    if thresholds is None:
        return {}
    if not isinstance(thresholds, Mapping):
        raise BadTypeError(f"thresholds must be a mapping {{name: number}}, got {thresholds!r:.60}")
    checks.known("threshold", thresholds, EU_THRESHOLDS)
    return {str(k): checks.real(f"threshold {k}", v, lower=0.0) for k, v in thresholds.items()}


def indicators(obj: Economy | Scenario, *, plan: Plan | str | None = None,
               thresholds: dict[str, float] | None = None) -> Indicators:
    """Self-reliance indicators at a plan (see the module docstring).

    Parameters
    ----------
    plan
        ``None`` or ``"baseline"``: trade as recorded (the balanced plan), or, for an economy
        whose trade is only offers, the optimal plan that uses them
        (:func:`autarky.reliance.model.baseline`); ``"balance"``: the balanced plan;
        ``"optimal"``: the optimal plan; or a plan of this economy.

    Examples
    --------
    One product at home, 30 % of its use imported from ``a`` and 10 % from ``b``:

    >>> eco = Economy.from_coefficients([[0.5]], [100.0], branches=["steel"], units="USD",
    ...     partners=pd.DataFrame(index=["a", "b"]),
    ...     import_shares=pd.DataFrame({"steel": [0.3, 0.1]}, index=["a", "b"]))
    >>> ind = indicators(eco)
    >>> round(float(ind.table.loc["steel", "import_content"]), 4)  # 0.4*0.5 / (1 - 0.6*0.5)
    0.2857
    >>> round(float(ind.table.loc["steel", "concentration"]), 3)  # 0.75^2 + 0.25^2
    0.625
    """
    from autarky.reliance.model import baseline

    scn = as_scenario(obj)
    eco = scn.economy
    th = {**EU_THRESHOLDS, **_thresholds(thresholds)}
    w, wunit = valuation(eco)
    if plan is not None and not isinstance(plan, (str, Plan)):
        raise BadTypeError(f"plan is 'baseline', 'balance', 'optimal' or a Plan, not "
                           f"{type(plan).__name__}")
    if plan is None or plan == "baseline":
        basis_plan, basis = baseline(scn)
    elif plan == "balance":
        basis_plan, basis = scn.plan.balance(), "recorded trade (balanced plan)"
    elif plan == "optimal":
        from autarky.reliance.model import require_baseline

        best = require_baseline(scn, "indicators at the optimal plan")
        basis_plan, basis = best, f"optimal plan (fulfilment {best.fulfilment:.4f})"
    elif isinstance(plan, Plan):
        basis_plan, basis = plan, f"{plan.method} plan"
    else:
        raise BadValueError(f"plan is 'baseline', 'balance', 'optimal' or a Plan, not {plan!r:.60}")
    x, m_by_p, e_by_p, y = _plan_flows(scn, basis_plan)
    P = m_by_p.shape[0]
    state = trade_state(eco, x, m_by_p, y) if P else None
    m = m_by_p.sum(axis=0) if P else np.zeros(eco.n)
    e = e_by_p.sum(axis=0) if P else np.zeros(eco.n)
    solver = eco.solver if state is None else state.solver
    use = np.asarray(eco.A @ x).ravel() + y
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(use > 0, m / use, 0.0)
    g_total = state.g.sum(axis=0) if state is not None else np.zeros(eco.n)
    va = eco.value_added.to_numpy()
    v = np.where(np.isnan(va), w - np.asarray(eco.A.T @ w).ravel(), va)
    # every content is c' L_d for its own c (the partners' imported inputs, value added, each
    # home factor): ONE transposed block solve, one pass over A_d per step for all of them; the
    # total import content is the sum of the partners' (L_d is linear)
    F = eco.array("factor_coefficients")
    K = F.shape[0]
    if state is None:
        imported = np.zeros((eco.n, 0))
    elif state.recorded:
        imported = imported_use_weights(eco, w)
    else:
        imported = np.column_stack([np.asarray(A_imp.T @ w).ravel() for A_imp in state.A_imp])
    P_ = imported.shape[1]
    width = P_ + 1 + K                    # the partners' columns, value added, the factors
    factor_rows = [np.asarray(F[k]).ravel() for k in range(K)]
    n = eco.n
    if P_ and np.isnan(va).all() and (P_ + K) % solver.columns_per_pass(width) == 0:
        # v = w - A'w, so v' L_d = w' - sum_p (A_imp[p]' w)' L_d: once the partners' columns
        # are solved, that is where the value-added column starts (its residual is still
        # checked, in one pass instead of a dozen); worth it where that column would need a
        # chunk of passes of its own, not where it shares the passes of others
        rest = solver.solve_transposed(np.column_stack([imported, *factor_rows]))
        Zc = np.empty((n, width))
        Zc[:, :P_], Zc[:, P_ + 1:] = rest[:, :P_], rest[:, P_:]
        del rest
        Zc[:, P_] = solver.solve_transposed(v, x0=w - Zc[:, :P_].sum(axis=1))
    else:
        Zc = solver.solve_transposed(np.column_stack([imported, v, *factor_rows]))
    del factor_rows
    factor_z = Zc[:, width - K:]
    # contents per unit of value: in place (each n x k temporary is 80 MB a column at 10^7)
    content_of = Zc[:, : width - K]
    with np.errstate(divide="ignore", invalid="ignore"):
        content_of /= w[:, np.newaxis]
        content_of[~(w > 0)] = np.nan
        dva = content_of[:, -1]
    partner = {str(p): content_of[:, k] for k, p in enumerate(eco.coords.partner)} \
        if state is not None else {}
    mu = content_of[:, :-1].sum(axis=1) if state is not None else np.zeros(eco.n)
    with np.errstate(divide="ignore", invalid="ignore"):
        m_over_e = np.where(e > 0, m / e, np.where(m > 0, np.inf, np.nan))
    hhi = calc_herfindahl(m_by_p) if P else np.full(eco.n, np.nan)
    f_c = np.nan_to_num(hhi) > th["concentration"]
    f_s = s > th["import_share"]
    f_e = np.nan_to_num(m_over_e, nan=0.0, posinf=np.inf) > th["imports_over_exports"]
    idx = pd.Index(eco.index.to_numpy(), name="branch", dtype="str")
    table = pd.DataFrame({
        "unit": eco.units, "self_sufficiency": calc_self_sufficiency(x, m, e),
        "import_share": s, "import_content": mu, "domestic_value_added": dva,
        "concentration": hhi, "imports_over_exports": m_over_e,
        "flag_concentration": f_c, "flag_import_share": f_s,
        "flag_imports_over_exports": f_e, "dependent": f_c & f_s & f_e,
    }, index=idx)
    y_dom = (1.0 - g_total) * y
    m_final = g_total * y
    content = float(mu * w @ y_dom + w @ m_final)
    totals: dict[str, Any] = {
        "valuation_unit": wunit,
        "import_content_final_demand": content / float(w @ y) if w @ y > 0 else None,
        "import_content_exports": float((mu * w) @ e / (w @ e)) if w @ e > 0 else None,
        "imports_value": float(w @ m),
        "exports_value": float(w @ e),
        "output_value": float(w @ x),
    }
    aid = float(np.sum(eco.array("aid")))
    if eco.state_revenue is not None:
        totals["aid_over_revenue"] = aid / eco.state_revenue
    fd = eco.final_demand
    if "investment" in fd.columns:
        inv = float(w @ fd["investment"].to_numpy())
        totals["aid_over_investment"] = aid / inv if inv > 0 else None
    totals["aid"] = aid
    totals["currency"] = eco.currency
    pc = pd.DataFrame(partner, index=idx).T if partner else pd.DataFrame(columns=idx)
    pc.index.name = "partner"
    wy = float(w @ y)
    prow = []
    for k, p in enumerate(eco.coords.partner):
        mu_p = partner[str(p)]
        own = float((mu_p * w) @ y_dom + w @ (state.g[k] * y)) if state is not None else 0.0
        prow.append({"partner": str(p), "import_content_of_final_demand":
                     own / wy if wy > 0 else np.nan, "imports_value": float(w @ m_by_p[k])})
    partners = pd.DataFrame(prow, columns=["partner", "import_content_of_final_demand",
                                           "imports_value"]).set_index("partner")
    fcont = pd.DataFrame(factor_z.T, index=pd.Index(eco.coords.factor, name="factor"),
                         columns=idx)
    return Indicators(table, pc, totals, th, basis, partners, fcont,
                      solver.history[-1].method if solver.history else solver.method)
