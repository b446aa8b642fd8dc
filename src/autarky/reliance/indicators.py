"""Self-reliance indicators: self-sufficiency, import content, partner dependence, concentration.

Notation: ``s_p`` the share of each product's domestic use imported from partner ``p`` (``s`` their
sum), ``A_m,p = diag(s_p) A`` the imported input coefficients from ``p`` (``A_m`` their sum),
``A_d = A - A_m`` the domestic ones, ``L_d = (I - A_d)^-1``, ``w`` the value of a unit of each
product (constant prices; ones in an economy measured in money).

* Self-sufficiency of product ``i``: ``x_i / (x_i + m_i - e_i)`` (output over apparent
  consumption); in [0, 1] when nothing is exported.
* Direct import share of use: ``s_i``.
* Total (direct + indirect) import content per unit of final product ``j``, as a share of its
  value: ``mu_j = (w' A_m L_d)_j / w_j`` — the imported inputs, at every stage, embodied in one
  unit of ``j`` made at home. Per partner: ``mu_p = w' A_m,p L_d / w``. Each is ONE transposed
  solve with the factorization of ``I - A_d`` (``L_d`` is never formed).
* Domestic value-added content: ``(v' L_d)_j / w_j`` with ``v`` the value added per unit
  (``v_j = w_j - sum_i w_i a_ij`` unless the scenario gives it). With ``v`` so defined,
  ``w' A_m L_d + v' L_d = w'(A_m + I - A) L_d = w'`` : import and domestic value-added content
  sum to one per unit of final product.
* Whole final demand (OECD TiVA): ``(w' A_m L_d y_d + w' m_f) / w' y``, with ``y_d`` the final demand
  met at home and ``m_f`` imported final goods; of exports (vertical specialisation,
  Hummels-Ishii-Yi): ``w' A_m L_d e / w' e``.
* Concentration of each product's imports across partners: Herfindahl ``sum_p (s_p,i / s_i)^2``.
* Dependence flags in the style of the European Commission's 2021 method (SWD(2021) 352):
  concentration > 0.4, import share of use > 0.5, imports over exports > 1; a product is
  dependent when all three hold.
* Aid dependence: aid over state revenue, and over the value of investment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from autarky.economy import Economy
from autarky.errors import AutarkyError
from autarky.plan.balance import balance

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
    units = set(eco.units)
    if len(units) == 1:
        return np.ones(eco.n), units.pop()
    missing = [b for b, p in zip(eco.ids, prices, strict=True) if np.isnan(p)]
    raise AutarkyError("import content adds up products measured in different units; give "
                       f"'prices' (currency per unit) for: {', '.join(missing)}")


def calc_import_content(eco: Economy, w: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """``w' diag(shares) A L_d / w``: imported inputs per unit value of each final product (one
    transposed solve)."""
    A = eco.A
    c = np.asarray(A.T @ (w * shares)).ravel()  # (diag(s) A)' w
    z = eco.solver.solve_transposed(c)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(w > 0, z / w, np.nan)


@dataclass(frozen=True)
class Indicators:
    """Self-reliance indicators of one economy (see the module docstring for the formulas).

    Attributes
    ----------
    table
        Per branch: ``unit``, ``self_sufficiency``, ``import_share`` (direct, of domestic use),
        ``import_content`` (total, per unit value of final product), ``domestic_value_added``,
        ``concentration`` (Herfindahl across partners), ``imports_over_exports`` and the flags.
    partner_content
        ``partner x branch``: total import content from each partner per unit value.
    totals
        Economy-wide figures with their units.
    """

    table: pd.DataFrame
    partner_content: pd.DataFrame
    totals: dict[str, Any]
    thresholds: dict[str, float] = field(default_factory=dict)

    @property
    def flags(self) -> pd.DataFrame:
        """The EU-2021 criteria per branch and whether all hold (``dependent``)."""
        return self.table[["flag_concentration", "flag_import_share", "flag_imports_over_exports",
                           "dependent"]].copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``self_sufficiency``, ``import_content`` (branch -> value),
        ``import_content_total``, ``partner_content`` (partner -> branch -> value),
        ``concentration``, ``flags``, and more."""
        t = self.table

        def col(name: str) -> dict[str, float | None]:
            return {str(b): (None if pd.isna(v) else float(v)) for b, v in t[name].items()}

        return {
            "self_sufficiency": col("self_sufficiency"),
            "import_share": col("import_share"),
            "import_content": col("import_content"),
            "domestic_value_added": col("domestic_value_added"),
            "import_content_total": self.totals["import_content_final_demand"],
            "partner_content": {str(p): {str(b): float(v) for b, v in row.items()}
                                for p, row in self.partner_content.iterrows()},
            "concentration": col("concentration"),
            "flags": {str(b): {"concentration": bool(r["flag_concentration"]),
                               "import_share": bool(r["flag_import_share"]),
                               "imports_over_exports": bool(r["flag_imports_over_exports"]),
                               "dependent": bool(r["dependent"])} for b, r in t.iterrows()},
            "thresholds": dict(self.thresholds),
            "totals": dict(self.totals),
        }


def indicators(eco: Economy, *, thresholds: dict[str, float] | None = None) -> Indicators:
    """Self-reliance indicators of ``eco`` at its balanced plan (see the module docstring).

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
    th = {**EU_THRESHOLDS, **(thresholds or {})}
    w, wunit = valuation(eco)
    plan = balance(eco)
    x = plan.gross_output.to_numpy()
    imports = plan.imports
    m_by_p = imports.to_numpy() if len(imports) else np.zeros((0, eco.n))
    m = m_by_p.sum(axis=0) if len(m_by_p) else np.zeros(eco.n)
    fd = eco.final_demand
    e = fd["exports"].to_numpy() if "exports" in fd.columns else np.zeros(eco.n)
    S = eco.import_shares.to_numpy()
    s = S.sum(axis=0) if len(S) else np.zeros(eco.n)
    mu = calc_import_content(eco, w, s)
    partner = {p: calc_import_content(eco, w, S[k]) for k, p in enumerate(eco.import_shares.index)}
    A = eco.A
    va = eco.value_added.to_numpy()
    v = np.where(np.isnan(va), w - np.asarray(A.T @ w).ravel(), va)
    dva_raw = eco.solver.solve_transposed(v)
    with np.errstate(divide="ignore", invalid="ignore"):
        dva = np.where(w > 0, dva_raw / w, np.nan)
        m_over_e = np.where(e > 0, m / e, np.where(m > 0, np.inf, np.nan))
    hhi = calc_herfindahl(S) if len(S) else np.full(eco.n, np.nan)
    f_c = np.nan_to_num(hhi) > th["concentration"]
    f_s = s > th["import_share"]
    f_e = np.nan_to_num(m_over_e, nan=0.0, posinf=np.inf) > th["imports_over_exports"]
    idx = pd.Index(eco.ids, name="branch")
    table = pd.DataFrame({
        "unit": eco.units, "self_sufficiency": calc_self_sufficiency(x, m, e),
        "import_share": s, "import_content": mu, "domestic_value_added": dva,
        "concentration": hhi, "imports_over_exports": m_over_e,
        "flag_concentration": f_c, "flag_import_share": f_s,
        "flag_imports_over_exports": f_e, "dependent": f_c & f_s & f_e,
    }, index=idx)
    y = fd.to_numpy().sum(axis=1)
    y_dom = eco.domestic_final_demand()
    m_final = s * (y - e)
    content = float(mu * w @ y_dom + w @ m_final)
    totals: dict[str, Any] = {
        "valuation_unit": wunit,
        "import_content_final_demand": content / float(w @ y) if w @ y > 0 else None,
        "import_content_exports": float((mu * w) @ e / (w @ e)) if w @ e > 0 else None,
        "imports_value": float(w @ m),
        "output_value": float(w @ x),
    }
    aid = float(eco.partners["aid"].sum()) if len(eco.partners) else 0.0
    if eco.state_revenue is not None:
        totals["aid_over_revenue"] = aid / eco.state_revenue
    if "investment" in fd.columns:
        inv = float(w @ fd["investment"].to_numpy())
        totals["aid_over_investment"] = aid / inv if inv > 0 else None
    totals["aid"] = aid
    pc = pd.DataFrame(partner, index=idx).T if partner else pd.DataFrame(columns=idx)
    pc.index.name = "partner"
    return Indicators(table, pc, totals, th)
