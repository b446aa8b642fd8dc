"""The :class:`Economy`: labelled, validated, immutable tables of one economy.

Notation follows Miller & Blair (2009): ``A`` the input coefficients (``a_ij`` is the input of
product ``i`` per unit of output of branch ``j``, in unit of ``i`` per unit of ``j``), ``x`` gross
output, ``y`` final demand, ``Z = A diag(x)`` the flows, ``F`` factor coefficients.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from autarky.economy.settings import PlanSettings
from autarky.errors import AutarkyError, NotProductiveError
from autarky.solve import LeontiefSolver, calc_A, calc_x_from_flows, productive_diagnosis
from autarky.solve.leontief import ArrayOrSparse, to_dense

if TYPE_CHECKING:
    from autarky.plan.accessor import PlanAccessor
    from autarky.reliance.accessor import RelianceAccessor

_PROVENANCE_COLS = ["table", "row", "column", "source", "note", "estimate"]


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float, copy=True)
    a.flags.writeable = False
    return a


def _branch_table(branches: pd.DataFrame | Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    df = pd.DataFrame(branches).copy() if not isinstance(branches, pd.DataFrame) else branches.copy()
    if "id" in df.columns:
        df = df.set_index("id")
    df.index = df.index.astype(str)
    df.index.name = "branch"
    if df.index.has_duplicates:
        dup = df.index[df.index.duplicated()].tolist()
        raise AutarkyError(f"duplicate branch id(s): {', '.join(dup)}")
    if "unit" not in df.columns or df["unit"].isna().any() or (df["unit"].astype(str) == "").any():
        missing = df.index[df.get("unit", pd.Series(index=df.index)).isna()].tolist()
        raise AutarkyError(f"every branch needs a unit; missing for: {', '.join(missing) or '?'}")
    if "name" not in df.columns:
        df["name"] = df.index
    df["name"] = df["name"].fillna(pd.Series(df.index, index=df.index))
    if "group" not in df.columns:
        df["group"] = "other"
    df["group"] = df["group"].fillna("other")
    if "note" not in df.columns:
        df["note"] = ""
    df["note"] = df["note"].fillna("")
    return df[["name", "unit", "group", "note"]].astype(str)


class Economy:
    """An economy of interlinked branches: technology, final demand, factors, partners.

    Immutable: every operation returns a new economy. Validated on construction: shapes and
    labels agree, coefficients are finite and non-negative, every branch has a unit, and the
    technology is productive (Hawkins-Simon), or a :class:`~autarky.errors.NotProductiveError`
    names the branches of the cycles that use up more than they make.

    Parameters
    ----------
    branches
        Table indexed by branch id (or with an ``id`` column): ``unit`` (required), ``name``,
        ``group``, ``note``.
    technology
        ``n x n`` input coefficients ``A`` (dense or ``scipy.sparse``), rows and columns in the
        order of ``branches``.
    final_demand
        ``n``-vector or a frame ``branch x category`` (consumption, investment, ...), in each
        branch's unit.
    name, description, source, year
        Metadata.
    factors
        Table indexed by factor id: ``unit``, ``availability`` (NaN for unlimited), ``name``,
        ``note``.
    factor_coefficients
        ``k x n`` factor use per unit of each branch's output.
    capacity
        Upper bound of each branch's gross output (``inf`` where unbounded).
    partners
        Table indexed by partner id: ``name``, ``note``.
    reported_output
        Gross output as reported by a source, kept for comparison with the balance.
    provenance
        Table with columns ``table, row, column, source, note, estimate`` for individual figures.
    check_productive
        Validate Hawkins-Simon on construction (default ``True``).

    Examples
    --------
    >>> eco = Economy.from_coefficients(
    ...     [[0.15, 0.25], [0.20, 0.05]], [600, 1500],
    ...     branches=["agriculture", "manufacturing"], units="USD million")
    >>> eco.plan.balance().gross_output.round(2).tolist()
    [1247.52, 1841.58]
    """

    def __init__(
        self,
        branches: pd.DataFrame | Sequence[Mapping[str, Any]],
        technology: ArrayOrSparse | Sequence[Sequence[float]],
        final_demand: pd.DataFrame | pd.Series | np.ndarray | Sequence[float] | None = None,
        *,
        name: str = "economy",
        description: str = "",
        source: str = "",
        year: int | None = None,
        factors: pd.DataFrame | None = None,
        factor_coefficients: np.ndarray | None = None,
        capacity: pd.Series | np.ndarray | None = None,
        partners: pd.DataFrame | None = None,
        reported_output: pd.Series | np.ndarray | None = None,
        provenance: pd.DataFrame | None = None,
        prices: pd.Series | np.ndarray | None = None,
        currency: str = "currency unit",
        capital: ArrayOrSparse | None = None,
        trade: pd.DataFrame | None = None,
        settings: PlanSettings | None = None,
        import_shares: pd.DataFrame | None = None,
        value_added: pd.Series | np.ndarray | None = None,
        state_revenue: float | None = None,
        check_productive: bool = True,
    ) -> None:
        self._branches = _branch_table(branches)
        ids = self._branches.index
        n = len(ids)
        A: ArrayOrSparse
        if sp.issparse(technology):
            A = sp.csr_array(technology, dtype=float)
            A.data.flags.writeable = False
            values = A.data
        else:
            A = _frozen(np.asarray(technology, dtype=float).reshape(n, n) if n else np.zeros((0, 0)))
            values = A
        if A.shape != (n, n):
            raise AutarkyError(f"technology has shape {A.shape}, expected ({n}, {n})")
        if not np.all(np.isfinite(values)):
            raise AutarkyError("technology has non-finite coefficients")
        if np.any(values < 0):
            raise AutarkyError("technology has negative coefficients")
        self._A = A

        self._final_demand = self._demand_frame(final_demand, ids)
        self.name = name
        self.description = description
        self.source = source
        self.year = year

        if factors is None:
            factors = pd.DataFrame(columns=["name", "unit", "availability", "note"])
        fac = factors.copy()
        fac.index = fac.index.astype(str)
        fac.index.name = "factor"
        for col, default in (("name", None), ("unit", ""), ("availability", np.nan), ("note", "")):
            if col not in fac.columns:
                fac[col] = default
        fac["name"] = fac["name"].fillna(pd.Series(fac.index, index=fac.index)).astype(str)
        fac["availability"] = fac["availability"].astype(float)
        self._factors = fac[["name", "unit", "availability", "note"]]
        k = len(fac)
        F = np.zeros((k, n)) if factor_coefficients is None else np.asarray(factor_coefficients)
        if F.shape != (k, n):
            raise AutarkyError(f"factor coefficients have shape {F.shape}, expected ({k}, {n})")
        if np.any(~np.isfinite(F)) or np.any(F < 0):
            raise AutarkyError("factor coefficients must be finite and non-negative")
        self._F = _frozen(F)

        cap = np.full(n, np.inf) if capacity is None else np.asarray(capacity, dtype=float)
        if cap.shape != (n,) or np.any(np.isnan(cap)) or np.any(cap < 0):
            raise AutarkyError("capacity must be one non-negative number per branch")
        self._capacity = _frozen(cap)

        if partners is None:
            partners = pd.DataFrame(columns=["name", "note"])
        par = partners.copy()
        par.index = par.index.astype(str)
        par.index.name = "partner"
        for col in ("name", "note"):
            if col not in par.columns:
                par[col] = None
        par["name"] = par["name"].fillna(pd.Series(par.index, index=par.index))
        par["note"] = par["note"].fillna("")
        for col in ("aid", "credit"):
            par[col] = par[col].fillna(0.0).astype(float) if col in par.columns else 0.0
        if np.any(par[["aid", "credit"]].to_numpy() < 0):
            raise AutarkyError("partner aid and credit must be non-negative")
        self._partners = par[["name", "note", "aid", "credit"]]

        pr = np.full(n, np.nan) if prices is None else np.asarray(prices, dtype=float)
        if pr.shape != (n,) or np.any(pr[~np.isnan(pr)] < 0):
            raise AutarkyError("prices must be one non-negative number (or NaN) per branch")
        self._prices = _frozen(pr)
        self.currency = currency
        if capital is None:
            self._B: ArrayOrSparse | None = None
        else:
            B = sp.csr_array(capital, dtype=float) if sp.issparse(capital) else _frozen(capital)
            if B.shape != (n, n):
                raise AutarkyError(f"capital coefficients have shape {B.shape}, expected ({n}, {n})")
            bvals = sp.csr_array(B).data if sp.issparse(B) else np.asarray(B)
            if np.any(~np.isfinite(bvals)) or np.any(bvals < 0):
                raise AutarkyError("capital coefficients must be finite and non-negative")
            self._B = B
        self._trade = _trade_table(trade, list(ids), list(par.index))
        self._settings = settings if settings is not None else PlanSettings()
        self._import_shares = _import_share_table(import_shares, list(ids), list(par.index))
        va = np.full(n, np.nan) if value_added is None else np.asarray(value_added, dtype=float)
        if va.shape != (n,):
            raise AutarkyError("value added must be one number (or NaN) per branch")
        self._value_added = _frozen(va)
        if state_revenue is not None and (not np.isfinite(state_revenue) or state_revenue <= 0):
            raise AutarkyError("state revenue must be a positive number")
        self.state_revenue = state_revenue

        if reported_output is not None:
            rep = np.asarray(reported_output, dtype=float)
            if rep.shape != (n,):
                raise AutarkyError("reported output must be one number per branch")
            self._reported: np.ndarray | None = _frozen(rep)
        else:
            self._reported = None
        prov = provenance if provenance is not None else pd.DataFrame(columns=_PROVENANCE_COLS)
        self._provenance = prov.reset_index(drop=True).copy()
        if check_productive:
            self._check_productive()

    # ------------------------------------------------------------------ construction helpers
    @staticmethod
    def _demand_frame(final_demand: Any, ids: pd.Index) -> pd.DataFrame:
        n = len(ids)
        if final_demand is None:
            fd = pd.DataFrame({"total": np.zeros(n)}, index=ids)
        elif isinstance(final_demand, pd.DataFrame):
            fd = final_demand.reindex(ids).fillna(0.0).astype(float)
        elif isinstance(final_demand, pd.Series):
            fd = final_demand.reindex(ids).fillna(0.0).astype(float).to_frame("total")
        else:
            arr = np.asarray(final_demand, dtype=float)
            if arr.ndim == 1:
                arr = arr[:, np.newaxis]
            if arr.shape[0] != n:
                raise AutarkyError(f"final demand has {arr.shape[0]} rows, expected {n}")
            cols = ["total"] if arr.shape[1] == 1 else [f"category_{i}" for i in range(arr.shape[1])]
            fd = pd.DataFrame(arr, index=ids, columns=cols)
        fd.index = ids
        fd.columns = fd.columns.astype(str)
        fd.columns.name = "category"
        if not np.all(np.isfinite(fd.to_numpy())):
            raise AutarkyError("final demand has non-finite values")
        return fd

    @classmethod
    def from_coefficients(
        cls,
        A: ArrayOrSparse | pd.DataFrame | Sequence[Sequence[float]],
        final_demand: pd.DataFrame | pd.Series | np.ndarray | Sequence[float] | None = None,
        *,
        branches: Sequence[str] | pd.DataFrame | None = None,
        units: str | Sequence[str] = "unit",
        **kwargs: Any,
    ) -> Economy:
        """Build from input coefficients ``A`` and final demand.

        ``branches`` may be ids (with ``units``, one for all or one each) or a full branch table;
        a labelled ``A`` supplies the ids itself.
        """
        if isinstance(A, pd.DataFrame):
            ids = [str(i) for i in A.index]
            if [str(c) for c in A.columns] != ids:
                raise AutarkyError("A must have the same labels on rows and columns")
            mat: Any = A.to_numpy(dtype=float)
        else:
            mat = A
            n = A.shape[0] if hasattr(A, "shape") else len(A)
            ids = [f"b{i}" for i in range(n)]
        table = _table_from_ids(branches if branches is not None else ids, units)
        return cls(table, mat, final_demand, **kwargs)

    @classmethod
    def from_flows(
        cls,
        Z: np.ndarray | pd.DataFrame | Sequence[Sequence[float]],
        *,
        x: np.ndarray | pd.Series | Sequence[float] | None = None,
        y: pd.DataFrame | pd.Series | np.ndarray | Sequence[float] | None = None,
        branches: Sequence[str] | pd.DataFrame | None = None,
        units: str | Sequence[str] = "unit",
        **kwargs: Any,
    ) -> Economy:
        """Build from inter-branch flows ``Z`` with gross output ``x`` or final demand ``y``.

        With ``x``: ``A = Z diag(x)^-1`` and, unless given, ``y = x - Z 1``. With ``y`` only:
        ``x = Z 1 + y`` first. Flows are in the unit of the row (supplying) branch.

        Examples
        --------
        >>> eco = Economy.from_flows([[150, 500], [200, 100]], x=[1000, 2000])
        >>> eco.A.tolist(), eco.final_demand["total"].tolist()
        ([[0.15, 0.25], [0.2, 0.05]], [350.0, 1700.0])
        """
        Zv = Z.to_numpy(dtype=float) if isinstance(Z, pd.DataFrame) else np.asarray(Z, dtype=float)
        if branches is None and isinstance(Z, pd.DataFrame):
            branches = [str(i) for i in Z.index]
        if x is None and y is None:
            raise AutarkyError("from_flows needs gross output x or final demand y")
        xv = (calc_x_from_flows(Zv, np.asarray(y, dtype=float)) if x is None
              else np.asarray(x, dtype=float))
        if np.any(xv < 0):
            raise AutarkyError("gross output must be non-negative")
        zero_out = (xv == 0) & (np.abs(Zv).sum(axis=0) > 0)
        if np.any(zero_out):
            raise AutarkyError("a branch with zero gross output cannot use inputs "
                               f"(columns {np.flatnonzero(zero_out).tolist()})")
        if y is None:
            y = xv - Zv.sum(axis=1)
        kwargs.setdefault("reported_output", xv)
        return cls.from_coefficients(calc_A(Zv, xv), y, branches=branches, units=units, **kwargs)

    def replace(self, **changes: Any) -> Economy:
        """A copy with some constructor arguments replaced (validated again)."""
        args: dict[str, Any] = {
            "branches": self._branches, "technology": self._A,
            "final_demand": self._final_demand, "name": self.name,
            "description": self.description, "source": self.source, "year": self.year,
            "factors": self._factors, "factor_coefficients": self._F,
            "capacity": self._capacity, "partners": self._partners,
            "reported_output": self._reported, "provenance": self._provenance,
            "prices": self._prices, "currency": self.currency, "capital": self._B,
            "trade": self._trade, "settings": self._settings,
            "import_shares": self._import_shares, "value_added": self._value_added,
            "state_revenue": self.state_revenue,
        }
        args.update(changes)
        return Economy(**args)

    # ------------------------------------------------------------------ validation
    def _check_productive(self) -> None:
        diag = productive_diagnosis(self.A_d)
        if diag.productive:
            return
        ids = self.ids
        cycles = []
        named: list[str] = []
        for comp, rho in zip(diag.components, diag.component_radii, strict=True):
            names = [ids[i] for i in comp]
            named += names
            kind = "branch" if len(names) == 1 else "cycle"
            cycles.append(f"{kind} {' <-> '.join(names)} (spectral radius {rho:.4g})")
        msg = (f"technology is not productive: spectral radius {diag.spectral_radius:.4g} >= 1, "
               "so no positive final demand can be met (Hawkins-Simon fails). "
               f"Offending: {'; '.join(cycles) or 'the economy as a whole'}.")
        if self._branches["unit"].nunique() == 1:
            colsum = np.asarray(self._A.sum(axis=0)).ravel()
            over = [ids[j] for j in np.flatnonzero(colsum >= 1.0)]
            if over:
                msg += f" Columns whose coefficients sum to one or more: {', '.join(over)}."
        raise NotProductiveError(msg, named, diag.spectral_radius)

    # ------------------------------------------------------------------ read-only views
    @property
    def ids(self) -> list[str]:
        """Branch ids, in order."""
        return list(self._branches.index)

    @property
    def n(self) -> int:
        """Number of branches."""
        return len(self._branches)

    @property
    def branches(self) -> pd.DataFrame:
        """Branch table (``name, unit, group, note``), indexed by ``branch``."""
        return self._branches.copy()

    @property
    def units(self) -> pd.Series:
        """Unit of each branch's output."""
        return self._branches["unit"].copy()

    @property
    def A(self) -> ArrayOrSparse:
        """Input coefficients (read-only array; sparse where built sparse)."""
        return self._A

    @property
    def A_d(self) -> ArrayOrSparse:
        """Domestic input coefficients ``A_d = (I - diag(s)) A``, ``s`` the total import share of
        each product's use (competitive imports); ``A`` itself when nothing is imported."""
        s = self.import_share_total
        if not np.any(s):
            return self._A
        if sp.issparse(self._A):
            return sp.csr_array(sp.diags_array(1.0 - s) @ self._A)
        return (1.0 - s)[:, np.newaxis] * self._A

    @property
    def import_shares(self) -> pd.DataFrame:
        """Share of the domestic use of each product (``partner x branch``) supplied by imports
        from each partner (competitive imports); zeros where nothing is imported."""
        return self._import_shares.copy()

    @property
    def import_share_total(self) -> np.ndarray:
        """Total import share ``s`` of each product's domestic use (sum over partners)."""
        return self._import_shares.to_numpy().sum(axis=0) if len(self._import_shares) \
            else np.zeros(self.n)

    @property
    def value_added(self) -> pd.Series:
        """Value added per unit of each branch's output, in :attr:`currency` (NaN if not given)."""
        return pd.Series(self._value_added, index=self._branches.index, name="value_added")

    def domestic_final_demand(self, final_demand: pd.DataFrame | None = None) -> np.ndarray:
        """The part of final demand met by domestic output: ``(1 - s) y`` for domestic uses plus
        exports (category ``exports``, which are domestic output by definition)."""
        fd = self._final_demand if final_demand is None else final_demand
        exp = fd["exports"].to_numpy() if "exports" in fd.columns else np.zeros(self.n)
        dom = fd.to_numpy().sum(axis=1) - exp
        return (1.0 - self.import_share_total) * dom + exp

    @property
    def is_sparse(self) -> bool:
        """Whether the technology is stored sparse."""
        return sp.issparse(self._A)

    @property
    def technology(self) -> pd.DataFrame:
        """``A`` as a labelled frame (``input x branch``); dense, so for small economies."""
        dense = to_dense(self._A)
        return pd.DataFrame(dense, index=pd.Index(self.ids, name="input"),
                            columns=pd.Index(self.ids, name="branch"))

    @property
    def final_demand(self) -> pd.DataFrame:
        """Final demand, ``branch x category``, in each branch's unit."""
        return self._final_demand.copy()

    @property
    def factors(self) -> pd.DataFrame:
        """Factor table (``name, unit, availability, note``), indexed by ``factor``."""
        return self._factors.copy()

    @property
    def factor_coefficients(self) -> pd.DataFrame:
        """``F``: factor per unit of each branch's output, ``factor x branch``."""
        return pd.DataFrame(self._F, index=self._factors.index,
                            columns=pd.Index(self.ids, name="branch"))

    @property
    def capacity(self) -> pd.Series:
        """Upper bound of gross output per branch (``inf`` where unbounded)."""
        return pd.Series(self._capacity, index=self._branches.index, name="capacity")

    @property
    def partners(self) -> pd.DataFrame:
        """Partner table (``name, note``), indexed by ``partner``."""
        return self._partners.copy()

    @property
    def reported_output(self) -> pd.Series | None:
        """Gross output as reported by the scenario's source, if given."""
        if self._reported is None:
            return None
        return pd.Series(self._reported, index=self._branches.index, name="reported_output")

    @property
    def provenance(self) -> pd.DataFrame:
        """Source and reasoning of individual figures (``table, row, column, source, note, estimate``)."""
        return self._provenance.copy()

    @property
    def prices(self) -> pd.Series:
        """Constant prices, in :attr:`currency` per unit of each branch (NaN where not given)."""
        return pd.Series(self._prices, index=self._branches.index, name="price")

    @property
    def capital(self) -> pd.DataFrame | None:
        """Capital coefficients ``B`` (``input x branch``): input per unit of new capacity."""
        if self._B is None:
            return None
        return pd.DataFrame(to_dense(self._B), index=pd.Index(self.ids, name="input"),
                            columns=pd.Index(self.ids, name="branch"))

    @property
    def trade(self) -> pd.DataFrame:
        """Trade offers: ``partner, branch, direction (import|export), price, max``."""
        return self._trade.copy()

    @property
    def settings(self) -> PlanSettings:
        """How to plan: target, objective, horizon, capital formation, strategies."""
        return self._settings

    # ------------------------------------------------------------------ numerics
    @cached_property
    def solver(self) -> LeontiefSolver:
        """Factorization of ``I - A_d``, computed once and reused by every balance."""
        return LeontiefSolver(self.A_d)

    def leontief_inverse(self) -> pd.DataFrame:
        """The Leontief inverse ``L = (I - A_d)^-1``, formed explicitly on request.

        Examples
        --------
        >>> eco = Economy.from_coefficients([[0.15, 0.25], [0.20, 0.05]], [600, 1500])
        >>> eco.leontief_inverse().round(4).to_numpy().tolist()
        [[1.2541, 0.33], [0.264, 1.1221]]
        """
        return pd.DataFrame(self.solver.inverse(), index=pd.Index(self.ids, name="input"),
                            columns=pd.Index(self.ids, name="branch"))

    # ------------------------------------------------------------------ transformations
    def reorder(self, order: Sequence[str]) -> Economy:
        """The same economy with branches in another order."""
        if sorted(order) != sorted(self.ids):
            raise AutarkyError("reorder needs a permutation of the branch ids")
        pos = [self.ids.index(b) for b in order]
        A = self._A[pos][:, pos]
        rep = None if self._reported is None else self._reported[pos]
        B = None if self._B is None else self._B[pos][:, pos]
        st = self._settings
        settings = replace(
            st,
            target=None if st.target is None else st.target.loc[list(order)],
            depreciation=None if st.depreciation is None else st.depreciation[pos],
            gestation=None if st.gestation is None else st.gestation[pos],
            initial_capacity=None if st.initial_capacity is None else st.initial_capacity[pos])
        return self.replace(branches=self._branches.loc[list(order)], technology=A,
                            final_demand=self._final_demand.loc[list(order)],
                            factor_coefficients=self._F[:, pos], capacity=self._capacity[pos],
                            reported_output=rep, prices=self._prices[pos], capital=B,
                            settings=settings, value_added=self._value_added[pos],
                            import_shares=self._import_shares[list(order)])

    def rescale(self, branch: str, factor: float, unit: str) -> Economy:
        """Measure ``branch`` in a new unit, one new unit being ``factor`` old units.

        Its output, final demand, capacity and the row of ``A`` divide by ``factor``; the column
        of ``A`` and of the factor coefficients multiply by it; its own coefficient is unchanged.

        Examples
        --------
        >>> eco = Economy.from_coefficients([[0.1, 0.2], [0.3, 0.4]], [10, 20],
        ...                                 branches=["steel", "coal"], units="t")
        >>> kt = eco.rescale("steel", 1000, "thousand t")
        >>> kt.A.tolist()
        [[0.1, 0.0002], [300.0, 0.4]]
        """
        if factor <= 0 or not np.isfinite(factor):
            raise AutarkyError("rescale factor must be positive")
        if branch not in self.ids:
            raise AutarkyError(f"unknown branch id {branch!r}")
        k = self.ids.index(branch)
        s = np.ones(self.n)
        s[k] = factor
        if sp.issparse(self._A):
            A: ArrayOrSparse = sp.csr_array(sp.diags_array(1 / s) @ self._A @ sp.diags_array(s))
        else:
            A = self._A / s[:, np.newaxis] * s[np.newaxis, :]
        br = self._branches.copy()
        br.loc[branch, "unit"] = unit
        fd = self._final_demand.copy()
        fd.loc[branch] = fd.loc[branch] / factor
        rep = None if self._reported is None else self._reported / s
        B = None
        if self._B is not None:
            B = (sp.csr_array(sp.diags_array(1 / s) @ self._B @ sp.diags_array(s))
                 if sp.issparse(self._B) else self._B / s[:, np.newaxis] * s[np.newaxis, :])
        trade = self._trade.copy()
        hit = trade["branch"] == branch
        trade.loc[hit, "price"] *= factor
        trade.loc[hit, "max"] /= factor
        st = self._settings
        target = None
        if st.target is not None:
            target = st.target.copy()
            target.loc[branch] = target.loc[branch] / factor
        basket = st.consumption_basket
        if isinstance(basket, pd.Series):
            basket = basket.copy()
            basket.loc[branch] = basket.loc[branch] / factor
        settings = replace(
            st, target=target, consumption_basket=basket,
            initial_capacity=None if st.initial_capacity is None else st.initial_capacity / s,
            output_targets={y: {b: (v / factor if b == branch else v) for b, v in t.items()}
                            for y, t in st.output_targets.items()})
        return self.replace(branches=br, technology=A, final_demand=fd,
                            factor_coefficients=self._F * s[np.newaxis, :],
                            capacity=self._capacity / s, reported_output=rep,
                            prices=self._prices * s, capital=B, trade=trade, settings=settings,
                            value_added=self._value_added * s)

    def with_final_demand(self, final_demand: Any) -> Economy:
        """The same economy with another final demand."""
        return self.replace(final_demand=final_demand)

    # ------------------------------------------------------------------ accessors
    @property
    def plan(self) -> PlanAccessor:
        """Planning accessor: ``economy.plan.balance()``."""
        from autarky.plan.accessor import PlanAccessor

        return PlanAccessor(self)

    @property
    def reliance(self) -> RelianceAccessor:
        """Self-reliance accessor: ``economy.reliance.indicators()``, ..."""
        from autarky.reliance.accessor import RelianceAccessor

        return RelianceAccessor(self)

    def monitor(self, actuals: Any, targets: Any = None, *, strategy: str | None = None,
                **kwargs: Any) -> Any:
        """Follow a plan against reported actuals (:func:`autarky.monitor.monitoring.monitor`).

        ``targets`` defaults to this economy's multi-year plan under ``strategy`` (industrial
        output and each branch's gross output per year); ``actuals`` is a
        :class:`~autarky.monitor.reports.Reports` or the path of a reports CSV.
        """
        from autarky.monitor.monitoring import monitor
        from autarky.monitor.reports import Reports, read_actuals, read_targets, targets_from_plan

        reports = actuals if isinstance(actuals, Reports) else read_actuals(actuals)
        if targets is None:
            plan = self.plan.multiyear(strategy)
            if not plan.ok:
                raise AutarkyError(f"the {plan.strategy} plan is {plan.status}: no targets")
            targets = targets_from_plan(plan)
        elif not hasattr(targets, "table"):
            targets = read_targets(targets)
        return monitor(targets, reports, **kwargs)

    def __repr__(self) -> str:
        kind = "sparse" if self.is_sparse else "dense"
        return (f"<Economy {self.name!r}: {self.n} branches ({kind}), "
                f"{len(self._factors)} factors, {len(self._partners)} partners>")


def _table_from_ids(branches: Sequence[str] | pd.DataFrame, units: str | Sequence[str]) -> Any:
    if isinstance(branches, pd.DataFrame):
        return branches
    ids = [str(b) for b in branches]
    unit_list = [units] * len(ids) if isinstance(units, str) else list(units)
    if len(unit_list) != len(ids):
        raise AutarkyError("one unit per branch, or one unit for all")
    return pd.DataFrame({"unit": unit_list}, index=pd.Index(ids, name="branch"))


TRADE_COLUMNS = ["partner", "branch", "direction", "price", "max"]


def _trade_table(trade: pd.DataFrame | None, ids: list[str], partners: list[str]) -> pd.DataFrame:
    if trade is None or len(trade) == 0:
        return pd.DataFrame({c: pd.Series(dtype=float if c in ("price", "max") else object)
                             for c in TRADE_COLUMNS})
    t = trade.reset_index(drop=True)[TRADE_COLUMNS].copy()
    t["price"] = t["price"].astype(float)
    t["max"] = t["max"].astype(float).fillna(np.inf)
    bad = set(t["branch"]) - set(ids)
    if bad:
        raise AutarkyError(f"trade names unknown branch(es): {', '.join(sorted(map(str, bad)))}")
    bad = set(t["partner"]) - set(partners)
    if bad:
        raise AutarkyError(f"trade names unknown partner(s): {', '.join(sorted(map(str, bad)))}")
    if not set(t["direction"]) <= {"import", "export"}:
        raise AutarkyError("trade direction must be 'import' or 'export'")
    if np.any(t["price"] < 0) or np.any(t["max"] < 0):
        raise AutarkyError("trade prices and quantities must be non-negative")
    return t


def _import_share_table(shares: pd.DataFrame | None, ids: list[str], partners: list[str]
                        ) -> pd.DataFrame:
    """``partner x branch`` import shares, validated: known ids, each in [0, 1], sums <= 1."""
    if shares is None or len(shares) == 0:
        return pd.DataFrame(np.zeros((len(partners), len(ids))),
                            index=pd.Index(partners, name="partner"),
                            columns=pd.Index(ids, name="branch"))
    bad = set(map(str, shares.index)) - set(partners)
    if bad:
        raise AutarkyError(f"import shares name unknown partner(s): {', '.join(sorted(bad))}")
    bad = set(map(str, shares.columns)) - set(ids)
    if bad:
        raise AutarkyError(f"import shares name unknown branch(es): {', '.join(sorted(bad))}")
    t = shares.reindex(index=partners, columns=ids).fillna(0.0).astype(float)
    t.index.name, t.columns.name = "partner", "branch"
    v = t.to_numpy()
    if np.any(~np.isfinite(v)) or np.any(v < 0) or np.any(v > 1):
        raise AutarkyError("import shares must lie in [0, 1]")
    over = [b for b, s in zip(ids, v.sum(axis=0), strict=True) if s > 1 + 1e-12]
    if over:
        raise AutarkyError(f"import shares of {', '.join(over)} sum to more than one")
    return t
