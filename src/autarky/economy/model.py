"""The :class:`Economy`: labelled, validated, immutable tables of one economy.

Notation follows Miller & Blair (2009): ``A`` the input coefficients (``a_ij`` is the input of
product ``i`` per unit of output of branch ``j``, in unit of ``i`` per unit of ``j``), ``x`` gross
output, ``y`` final demand, ``Z = A diag(x)`` the flows, ``F`` factor coefficients. Every table is
declared once in :mod:`autarky.economy.registry`; validation, :meth:`Economy.replace`,
:meth:`Economy.reorder` and :meth:`Economy.rescale` are generic over it.

Trade is one model (:mod:`autarky.economy.trade`): competitive import shares, non-competitive
imported inputs and final imports, exports by destination, and each partner's prices and limits.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from autarky import checks
from autarky.checks import quoted
from autarky.economy import tables as tb
from autarky.economy.inputs import (
    demand_frame,
    offers_to_tables,
    records_table,
    table_from_ids,
)
from autarky.economy.productive import check_productive, domestic_solver
from autarky.economy.registry import TABLES, TECHNOLOGY_TABLES, economy_tables
from autarky.economy.schema import PROVENANCE_COLUMNS
from autarky.errors import (
    BadTypeError,
    BadValueError,
    UnknownIdError,
)
from autarky.solve import LeontiefSolver, calc_A, calc_x_from_flows
from autarky.solve.leontief import ArrayOrSparse, to_dense
from autarky.solve.trade import competitive_technology, domestic_technology, stack_sum

if TYPE_CHECKING:  # registered at run time by the layers above (autarky.economy.accessors)
    from autarky.plan.accessor import PlanAccessor
    from autarky.reliance.accessor import RelianceAccessor

_PROVENANCE_COLS = PROVENANCE_COLUMNS
class Economy:
    """An economy of interlinked branches: technology, final demand, factors, trade.

    Immutable: every operation returns a new economy; every table is stored read-only.
    Validated on construction against the table registry (shapes, labels, bounds), the trade
    model is consistent (shares sum to at most one, imported inputs within the technology, final
    imports within final use, exports within their limits), and the domestic technology is
    productive (Hawkins-Simon), or a :class:`~autarky.errors.NotProductiveError` names the
    branches of the cycles that use up more than they make.

    Parameters
    ----------
    branches
        Table indexed by branch id (or with an ``id`` column): ``unit`` (required), ``name``,
        ``group``, ``note``.
    technology
        ``n x n`` input coefficients ``A`` (dense or ``scipy.sparse``), rows and columns in the
        order of ``branches``: domestic and imported inputs together.
    final_demand
        ``n``-vector, Series, or frame ``branch x category`` of home final use (consumption,
        investment, government, stock change), in each branch's unit. Exports are the table
        ``exports``, not a category.
    factors
        Table indexed by factor id: ``unit``, ``name``, ``note`` and, optionally,
        ``availability`` (NaN for unlimited; or give the table ``factor_availability``).
    partners
        Table indexed by partner id: ``name``, ``note`` and, optionally, ``aid``, ``credit``.
    name, description, source, year, currency
        Metadata; ``currency`` is the unit of prices, aid and credit.
    provenance
        Table with columns ``table, row, column, source, note, estimate`` for individual figures.
    check_productive
        Validate Hawkins-Simon on construction (default ``True``).
    copy
        Copy the arrays given (default ``True``). With ``False`` an array (or sparse matrix)
        of float64 values that owns its memory is kept as it is: it is validated, put in
        canonical form in place (a sparse matrix: sorted indices, no duplicates) and made
        read-only, so the caller's array becomes read-only too (views of it made before must
        not be written; a view or foreign memory is copied as usual). If the construction
        fails, the caller's arrays are writeable again. At 10^7 products this saves one copy of
        the technology (2.4 GB at 20 inputs each).
    **tables
        Any table of the registry (:data:`autarky.economy.registry.TABLES` with holder
        ``economy``): ``factor_coefficients``, ``capacity``, ``prices``, ``capital``,
        ``import_shares``, ``imported_technology``, ``exports``, ``import_prices``, ... as arrays,
        pandas objects or nested mappings by label. ``trade`` (the old offers frame) is read into
        the price and limit tables.

    Examples
    --------
    >>> eco = Economy.from_coefficients(
    ...     [[0.15, 0.25], [0.20, 0.05]], [600, 1500],
    ...     branches=["agriculture", "manufacturing"], units="USD million")
    >>> eco.plan.balance().gross_output.round(2).tolist()
    [1247.52, 1841.58]
    """

    if TYPE_CHECKING:
        plan: PlanAccessor
        reliance: RelianceAccessor

    def __init__(
        self,
        branches: pd.DataFrame | Sequence[Mapping[str, Any]],
        technology: ArrayOrSparse | Sequence[Sequence[float]] | None = None,
        final_demand: Any = None,
        *,
        factors: pd.DataFrame | None = None,
        partners: pd.DataFrame | None = None,
        name: str = "economy",
        description: str = "",
        source: str = "",
        year: int | None = None,
        currency: str = "currency unit",
        provenance: pd.DataFrame | None = None,
        check_productive: bool = True,
        copy: bool = True,
        **tables: Any,
    ) -> None:
        if "settings" in tables:
            raise BadValueError("plan settings belong to a scenario, not to the economy: "
                                "autarky.Scenario(economy, settings)")
        self._branches = records_table(branches, "branch")
        self._factors = records_table(factors, "factor")
        self._partners = records_table(partners, "partner")
        ids = self._branches.index
        fd = demand_frame(final_demand, ids)
        self._coords = tb.Coords(ids, self._factors.index, self._partners.index,
                                 pd.Index(list(fd.columns), name="category", dtype=object),
                                 pd.Index([], name="year", dtype=np.int64))
        self.name = name
        self.description = description
        self.source = source
        self.year = year
        self.currency = currency
        prov = provenance if provenance is not None else pd.DataFrame(columns=_PROVENANCE_COLS)
        self._provenance = prov.reset_index(drop=True).copy()
        self._cache: dict[str, Any] = {}

        # old keyword forms, read into the registry's tables
        if "trade" in tables:
            trade = tables.pop("trade")
            if trade is not None and len(trade):
                for key, val in offers_to_tables(pd.DataFrame(trade)).items():
                    tables.setdefault(key, val)
        if factors is not None and "availability" in factors.columns \
                and "factor_availability" not in tables:
            tables["factor_availability"] = pd.to_numeric(
                factors["availability"], errors="coerce").fillna(np.inf).to_numpy(dtype=float)
        for col in ("aid", "credit"):
            if partners is not None and col in partners.columns and col not in tables:
                tables[col] = partners[col].fillna(0.0).to_numpy(dtype=float)
        unknown = set(tables) - {t.name for t in economy_tables()}
        if unknown:
            raise UnknownIdError(f"unknown table(s) {', '.join(sorted(unknown))}; the economy "
                                 f"holds {', '.join(t.name for t in economy_tables())}")
        if technology is None:
            raise BadTypeError("an economy needs its technology (input coefficients)")
        tables["technology"] = technology
        tables["final_demand"] = fd.to_numpy()
        self._data: dict[str, Any] = {}
        flags = [] if copy else tb.writeable_flags(tables.values())
        try:
            for spec in economy_tables():
                self._data[spec.name] = tb.coerce(spec, tables.get(spec.name), self._coords,
                                                  copy=copy)
            self._check_trade()
            if check_productive:
                self._check_productive()
        except BaseException:
            for arr, writeable in reversed(flags):   # copy=False: the caller's arrays as
                if writeable:                         # they were (bases before their views)
                    with contextlib.suppress(ValueError):
                        arr.flags.writeable = True
            raise

    # ------------------------------------------------------------------ construction helpers
    @classmethod
    def _from_parts(cls, parts: dict[str, Any], data: dict[str, Any],
                    cache: dict[str, Any] | None, check: bool) -> Economy:
        """An economy from already-validated stored tables (no copies, no re-validation of
        unchanged tables); ``cache`` carries the factorization when the technology is the same."""
        eco = cls.__new__(cls)
        eco._branches = parts["branches"]
        eco._factors = parts["factors"]
        eco._partners = parts["partners"]
        eco._coords = parts["coords"]
        for key in ("name", "description", "source", "year", "currency"):
            setattr(eco, key, parts[key])
        eco._provenance = parts["provenance"]
        eco._data = data
        eco._cache = dict(cache or {})
        eco._check_trade()
        if check:
            eco._check_productive()
        return eco

    def _parts(self) -> dict[str, Any]:
        return {"branches": self._branches, "factors": self._factors,
                "partners": self._partners, "coords": self._coords, "name": self.name,
                "description": self.description, "source": self.source, "year": self.year,
                "currency": self.currency, "provenance": self._provenance}

    @classmethod
    def from_coefficients(
        cls,
        A: ArrayOrSparse | pd.DataFrame | Sequence[Sequence[float]],
        final_demand: Any = None,
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
                raise BadValueError("A must have the same labels on rows and columns")
            mat: Any = A.to_numpy(dtype=float)
        else:
            if A is None or isinstance(A, (str, bytes)) or not (hasattr(A, "shape")
                                                                or hasattr(A, "__len__")):
                raise BadTypeError(f"A must be a square matrix of input coefficients, got {A!r:.60}")
            mat = A
            if hasattr(A, "shape") and len(A.shape) != 2:
                raise BadValueError(f"A must be a square matrix of input coefficients, got "
                                    f"shape {A.shape}")
            n = A.shape[0] if hasattr(A, "shape") else len(A)
            ids = [f"b{i}" for i in range(n)]
        table = table_from_ids(branches if branches is not None else ids, units)
        return cls(table, mat, final_demand, **kwargs)

    @classmethod
    def from_flows(
        cls,
        Z: np.ndarray | pd.DataFrame | Sequence[Sequence[float]],
        *,
        x: np.ndarray | pd.Series | Sequence[float] | None = None,
        y: Any = None,
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
        Zv = checks.floats("the flows Z", Z.to_numpy() if isinstance(Z, pd.DataFrame) else Z)
        if branches is None and isinstance(Z, pd.DataFrame):
            branches = [str(i) for i in Z.index]
        if x is None and y is None:
            raise BadTypeError("from_flows needs gross output x or final demand y")
        if Zv.ndim != 2 or Zv.shape[0] != Zv.shape[1]:
            raise BadValueError(f"the flows Z must be a square matrix, got shape {Zv.shape}")
        given = checks.floats("gross output x" if x is not None else "final demand y",
                              x if x is not None else y, finite=True)
        if given.ndim not in (1, 1 if x is not None else 2) or given.shape[0] != Zv.shape[0]:
            raise BadValueError(f"{'gross output x' if x is not None else 'final demand y'} has "
                                f"shape {given.shape}, expected ({Zv.shape[0]},)")
        xv = calc_x_from_flows(Zv, given) if x is None else given
        if np.any(xv < 0):
            raise BadValueError(f"gross output must be non-negative, got {float(xv.min()):g}")
        zero_out = (xv == 0) & (np.abs(Zv).sum(axis=0) > 0)
        if np.any(zero_out):
            raise BadValueError("a branch with zero gross output cannot use inputs "
                                f"(columns {np.flatnonzero(zero_out).tolist()})")
        if y is None:
            y = xv - Zv.sum(axis=1)
        kwargs.setdefault("reported_output", xv)
        return cls.from_coefficients(calc_A(Zv, xv), y, branches=branches, units=units, **kwargs)

    def replace(self, **changes: Any) -> Economy:
        """A copy with some tables, records or metadata replaced.

        Tables are given as for the constructor; a table set to ``None`` takes its default (or
        is removed, when optional). Only the changed tables are validated again, and the
        productiveness check (and the factorization of ``I - A_d``) is reused when none of the
        tables that make the domestic technology changes.

        Examples
        --------
        >>> eco = Economy.from_coefficients([[0.15, 0.25], [0.2, 0.05]], [600, 1500])
        >>> eco.replace(capacity=[1000.0, 2000.0]).capacity.tolist()
        [1000.0, 2000.0]
        """
        records = {"branches", "factors", "partners"}
        meta = {"name", "description", "source", "year", "currency", "provenance"}
        if "settings" in changes:
            raise BadValueError("plan settings belong to a scenario: scenario.replace(...)")
        if "final_demand" in changes and not (records | {"trade"}) & set(changes):
            changes = self._same_categories(changes)
        if (records | {"final_demand", "trade"}) & set(changes):
            return self._rebuild(changes)
        unknown = set(changes) - set(self._data) - meta - {"_final_demand"}
        if unknown:
            raise UnknownIdError(f"unknown table(s) {', '.join(sorted(unknown))}; the economy "
                                 f"holds {', '.join(sorted(self._data))}")
        parts = self._parts()
        data = dict(self._data)
        for key, val in changes.items():
            if key in meta:
                parts[key] = val if key != "provenance" else val.reset_index(drop=True).copy()
            elif key == "_final_demand":  # on the same branches and categories
                data["final_demand"] = tb.coerce(TABLES["final_demand"], val, self._coords)
            else:
                data[key] = tb.coerce(TABLES[key], val, self._coords)
        same_tech = not (TECHNOLOGY_TABLES & set(changes))
        cache = self._tech_cache() if same_tech else {}
        return Economy._from_parts(parts, data, cache, check=not same_tech)

    def _same_categories(self, changes: dict[str, Any]) -> dict[str, Any]:
        """``changes`` with a final demand on the same branches and categories turned into a
        plain table change (no rebuild through the constructor: the records, the coordinates
        and the factorization stay), its recorded final imports following it as
        :meth:`_rebuild` has them; unchanged where the categories differ."""
        fd = demand_frame(changes["final_demand"], self._coords.branch)
        if list(fd.columns) != list(self._coords.category):
            return changes
        out = {**changes, "_final_demand": fd.to_numpy(dtype=float)}
        del out["final_demand"]
        if "final_imports" not in changes and self._data["final_imports"] is not None:
            from autarky.economy.trade import following_final_imports

            out["final_imports"] = following_final_imports(self, out["_final_demand"])
        return out

    def _rebuild(self, changes: dict[str, Any]) -> Economy:
        """Rebuild through the constructor (records or final demand changed): tables not
        changed follow their labels to the new coordinates (new labels take the default)."""
        args: dict[str, Any] = {
            "branches": self._branches, "factors": self._factors, "partners": self._partners,
            "final_demand": self.final_demand, "name": self.name,
            "description": self.description, "source": self.source, "year": self.year,
            "currency": self.currency, "provenance": self._provenance}
        if "trade" in changes:
            for key in ("import_prices", "import_limits", "export_prices", "export_limits"):
                args[key] = None
        args.update(changes)
        branches = records_table(args["branches"], "branch")
        factors = records_table(args["factors"], "factor")
        partners = records_table(args["partners"], "partner")
        fd = demand_frame(args["final_demand"], branches.index)
        new = tb.Coords(branches.index, factors.index, partners.index,
                        pd.Index(list(fd.columns), name="category", dtype=object),
                        self._coords.year)
        if ("final_demand" in changes and "final_imports" not in changes
                and self._data["final_imports"] is not None):
            # recorded final imports follow the new final demand as shares of each product's
            # home final use (the categories may differ)
            from autarky.economy.trade import following_final_imports

            args["final_imports"] = following_final_imports(self, fd.to_numpy(), new.partner,
                                                            new.branch)
        for spec in economy_tables():
            if spec.name not in args and spec.name != "final_demand":
                args[spec.name] = tb.realign(spec, self._data[spec.name], self._coords, new)
        for key, kind in (("factors", "factor"), ("partners", "partner")):
            if key in changes and isinstance(changes[key], pd.DataFrame):
                # an availability, aid or credit column of a new record table is read as the table
                col = {"factor": ("availability",), "partner": ("aid", "credit")}[kind]
                for c in col:
                    name = "factor_availability" if c == "availability" else c
                    if c in changes[key].columns and name not in changes:
                        args.pop(name, None)
        return Economy(args.pop("branches"), args.pop("technology"), args.pop("final_demand"),
                       **args)

    # ------------------------------------------------------------------ validation
    def _check_trade(self) -> None:
        """Cross-table checks of the one trade model (:func:`~autarky.economy.trade.check_trade`)."""
        from autarky.economy.trade import check_trade

        Am = self._data["imported_technology"]
        check_trade(self._data, self._coords, self._A_stored,
                    self.imported_technology_total if Am is not None and len(Am) else None)

    def _domestic_solver(self) -> LeontiefSolver:
        return domestic_solver(self)

    def _check_productive(self) -> None:
        self._cache["tech:solver"] = check_productive(self)

    # ------------------------------------------------------------------ pickling, identity
    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_cache"] = {}  # factorizations are rebuilt on demand, never pickled
        state.pop("_accessors", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    @property
    def token(self) -> str:
        """Content token: a hash of every table, record and unit (equal economies, equal
        tokens); for caching results."""
        if "token" not in self._cache:
            h = hashlib.sha256()
            for df in (self._branches, self._factors, self._partners):
                h.update(pd.util.hash_pandas_object(df.reset_index(), index=False).to_numpy()
                         .tobytes())
            h.update("\x00".join(self._coords.category).encode())
            h.update(self.currency.encode())
            for name in sorted(self._data):
                h.update(name.encode())
                tb.digest_into(h, self._data[name])
            self._cache["token"] = h.hexdigest()[:20]
        return str(self._cache["token"])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Economy) and other.token == self.token

    def __hash__(self) -> int:
        return hash(self.token)

    # ------------------------------------------------------------------ coordinates and records
    @property
    def coords(self) -> tb.Coords:
        """The labels of every dimension (branch, factor, partner, category)."""
        return self._coords

    @property
    def ids(self) -> list[str]:
        """Branch ids, in order."""
        return list(self._branches.index)

    @property
    def index(self) -> pd.Index:
        """Branch ids as an index (for ``get_indexer`` lookups)."""
        return self._coords.branch

    def positions(self, ids: Sequence[str], what: str = "branch") -> np.ndarray:
        """Positions of ``ids`` along ``what`` (branch, factor, partner, category), or an error
        naming the unknown ones; ``O(len(ids))``."""
        checks.choice("what", what, ("branch", "input", "factor", "partner", "category"))
        ids = checks.id_list(f"{what} ids", ids)
        index = self._coords.index(what)
        pos = index.get_indexer(pd.Index(ids, dtype=object))
        if np.any(pos < 0):
            bad = [i for i, p in zip(ids, pos, strict=True) if p < 0]
            raise UnknownIdError(f"unknown {what} id(s): {checks.id_text(bad)}; known: "
                                 f"{checks.id_text(index, k=12) or 'none'}")
        return pos

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
    def factors(self) -> pd.DataFrame:
        """Factor table (``name, unit, availability, note``), indexed by ``factor``."""
        f = self._factors.copy()
        avail = np.array(self._data["factor_availability"], dtype=float)
        f.insert(2, "availability", np.where(np.isinf(avail), np.nan, avail))
        return f[["name", "unit", "availability", "note"]]

    @property
    def partners(self) -> pd.DataFrame:
        """Partner table (``name, note, aid, credit, other_financing``), indexed by ``partner``."""
        p = self._partners.copy()
        p["aid"] = np.array(self._data["aid"], dtype=float)
        p["credit"] = np.array(self._data["credit"], dtype=float)
        p["other_financing"] = np.array(self._data["other_financing"], dtype=float)
        return p

    @property
    def categories(self) -> list[str]:
        """Categories of home final use."""
        return list(self._coords.category)

    @property
    def provenance(self) -> pd.DataFrame:
        """Source and reasoning of individual figures (``table, row, column, source, note, estimate``)."""
        return self._provenance.copy()

    # ------------------------------------------------------------------ tables
    def array(self, name: str) -> Any:
        """The stored, read-only data of table ``name`` (see the registry); ``None`` if absent."""
        if not isinstance(name, str) or name not in self._data:
            raise UnknownIdError(f"unknown table {quoted(name)}; tables: {', '.join(self._data)}")
        return self._data[name]

    def table(self, name: str) -> Any:
        """Table ``name`` labelled: a Series, a DataFrame, a dict of DataFrames by partner, or a
        number; ``None`` if absent."""
        stored = self.array(name)
        return tb.labelled(TABLES[name], stored, self._coords)

    def unit_of(self, name: str) -> str:
        """The unit rule of table ``name`` (``unit[input]/unit[branch]``, ``currency``, ...)."""
        self.array(name)
        return TABLES[name].unit

    @property
    def _A_stored(self) -> ArrayOrSparse:
        return self._data["technology"]

    @property
    def A(self) -> ArrayOrSparse:
        """Input coefficients, domestic and imported (read-only; sparse where built sparse)."""
        return self._data["technology"]

    @property
    def is_sparse(self) -> bool:
        """Whether the technology is stored sparse."""
        return sp.issparse(self._data["technology"])

    @property
    def technology(self) -> pd.DataFrame:
        """``A`` as a labelled frame (``input x branch``); dense, so for small economies."""
        return pd.DataFrame(to_dense(self.A), index=pd.Index(self.ids, name="input"),
                            columns=pd.Index(self.ids, name="branch"))

    @property
    def final_demand(self) -> pd.DataFrame:
        """Home final use, ``branch x category``, in each branch's unit (domestic and imported)."""
        return pd.DataFrame(np.array(self._data["final_demand"]), index=self._coords.branch.copy(),
                            columns=self._coords.category.copy())

    @property
    def factor_coefficients(self) -> pd.DataFrame:
        """``F``: factor per unit of each branch's output, ``factor x branch``."""
        return pd.DataFrame(np.array(self._data["factor_coefficients"]),
                            index=self._factors.index.copy(),
                            columns=self._coords.branch.copy())

    @property
    def capacity(self) -> pd.Series:
        """Upper bound of gross output per branch (``inf`` where unbounded)."""
        return pd.Series(np.array(self._data["capacity"]), index=self._coords.branch.copy(),
                         name="capacity")

    @property
    def reported_output(self) -> pd.Series | None:
        """Gross output as reported by the scenario's source, if given."""
        rep = self._data["reported_output"]
        return None if rep is None else pd.Series(np.array(rep), index=self._coords.branch.copy(),
                                                  name="reported_output")

    @property
    def prices(self) -> pd.Series:
        """Constant prices, in :attr:`currency` per unit of each branch (NaN where not given)."""
        return pd.Series(np.array(self._data["prices"]), index=self._coords.branch.copy(),
                         name="price")

    @property
    def value_added(self) -> pd.Series:
        """Value added per unit of each branch's output, in :attr:`currency` (NaN if not given)."""
        return pd.Series(np.array(self._data["value_added"]), index=self._coords.branch.copy(),
                         name="value_added")

    @property
    def state_revenue(self) -> float | None:
        """State budget revenue of the year, in :attr:`currency`, if given."""
        v = self._data["state_revenue"]
        return None if v is None else float(v)

    @property
    def capital(self) -> pd.DataFrame | None:
        """Capital coefficients ``B`` (``input x branch``): input per unit of new capacity."""
        B = self._data["capital"]
        if B is None:
            return None
        return pd.DataFrame(to_dense(B), index=pd.Index(self.ids, name="input"),
                            columns=pd.Index(self.ids, name="branch"))

    @property
    def import_shares(self) -> pd.DataFrame:
        """Competitive import share of each product's home use, ``partner x branch``."""
        return self.table("import_shares")

    @property
    def import_share_total(self) -> np.ndarray:
        """Total competitive import share ``s`` of each product (sum over partners)."""
        S = self._data["import_shares"]
        return S.sum(axis=0) if S.shape[0] else np.zeros(self.n)

    @property
    def exports(self) -> pd.DataFrame:
        """Recorded exports by destination, ``partner x branch``, in each branch's unit."""
        return self.table("exports")

    @property
    def exports_total(self) -> np.ndarray:
        """Recorded exports of each product, all destinations."""
        E = self._data["exports"]
        return E.sum(axis=0) if E.shape[0] else np.zeros(self.n)

    @property
    def imported_technology_total(self) -> sp.csr_array | None:
        """``sum_p A_m[p]``: the non-competitive imported inputs from every partner."""
        if "imported_total" not in self._cache:
            total = stack_sum(self._data["imported_technology"], self.n)
            self._cache["imported_total"] = None if total is None else tb.freeze(total)
        return self._cache["imported_total"]

    @property
    def trade(self) -> pd.DataFrame:
        """Trade terms as a long table: ``partner, branch, direction, price, max`` for every
        partner and product with a price or a limit (the old offers' view)."""
        rows = []
        P = self._coords.partner
        for kind in ("import", "export"):
            price = self._data[f"{kind}_prices"]
            lim = self._data[f"{kind}_limits"]
            given = ~np.isnan(price) | np.isfinite(lim)
            for p, i in np.argwhere(given):
                rows.append({"partner": str(P[p]), "branch": self.ids[i], "direction": kind,
                             "price": float(price[p, i]), "max": float(lim[p, i])})
        return pd.DataFrame(rows, columns=["partner", "branch", "direction", "price", "max"])

    # ------------------------------------------------------------------ trade-derived numerics
    @property
    def A_c(self) -> ArrayOrSparse:
        """``A - sum_p A_m[p]``: the inputs not recorded as non-competitive imports."""
        if "tech:A_c" not in self._cache:
            A_c = competitive_technology(self.A, self.imported_technology_total)
            self._cache["tech:A_c"] = A_c if A_c is self.A else tb.freeze(A_c)
        return self._cache["tech:A_c"]

    @property
    def A_d(self) -> ArrayOrSparse:
        """Domestic input coefficients ``A_d = (I - diag s)(A - sum_p A_m[p])``: ``A`` itself
        when nothing is imported."""
        if "tech:A_d" not in self._cache:
            A_d = domestic_technology(self.A_c, self.import_share_total)
            self._cache["tech:A_d"] = A_d if A_d is self.A_c else tb.freeze(A_d)
        return self._cache["tech:A_d"]

    @property
    def solver(self) -> LeontiefSolver:
        """Factorization of ``I - A_d``, computed once (by the productiveness check) and reused."""
        if "tech:solver" not in self._cache:
            self._cache["tech:solver"] = self._domestic_solver()
        return self._cache["tech:solver"]

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

    def domestic_final_demand(self, final_demand: pd.DataFrame | np.ndarray | None = None
                              ) -> np.ndarray:
        """The part of home final use met by home output, ``(1 - s)(y - sum_p f_m[p])``, summed
        over categories (exports are not in it: see :attr:`exports_total`)."""
        from autarky.economy.trade import domestic_final_use

        return domestic_final_use(self, final_demand).sum(axis=1)

    # ------------------------------------------------------------------ transformations
    def reorder(self, order: Sequence[str]) -> Economy:
        """The same economy with branches in another order (``O(n + nnz)``)."""
        order = checks.id_list("reorder's order", order)
        pos = self._coords.branch.get_indexer(pd.Index(order, dtype=object))
        if np.any(pos < 0):
            bad = [o for o, p in zip(order, pos, strict=True) if p < 0]
            raise UnknownIdError(f"reorder needs a permutation of the branch ids; unknown: "
                                 f"{', '.join(bad[:5])}")
        if len(order) != self.n or len(set(pos.tolist())) != self.n:
            given = set(order)
            missing = [b for b in self.ids if b not in given]
            dup = sorted(o for o, k in Counter(order).items() if k > 1)
            why = ([f"missing: {', '.join(missing[:5])}"] if missing else []) + \
                ([f"repeated: {', '.join(dup[:5])}"] if dup else [])
            raise BadValueError("reorder needs a permutation of the branch ids; " + "; ".join(why))
        data = {name: tb.take_branches(TABLES[name], val, pos) for name, val in self._data.items()}
        parts = self._parts()
        parts["branches"] = self._branches.iloc[pos]
        parts["coords"] = tb.Coords(parts["branches"].index, self._coords.factor,
                                    self._coords.partner, self._coords.category,
                                    self._coords.year)
        return Economy._from_parts(parts, data, None, check=False)

    def _rescaled(self, symbol: str, position: int | None, factor: float, unit: Any = ""
                  ) -> dict[str, Any]:
        if not isinstance(unit, str):
            raise BadTypeError(f"the new unit must be a string, got {unit!r:.60}")
        if not checks.is_real(factor):
            raise BadTypeError(f"rescale factor must be a positive number, got {factor!r:.60}")
        factor = checks.real("rescale factor", factor, finite=False)  # a float: np.int64 ** -1 fails
        if not (factor > 0 and math.isfinite(factor)):
            raise BadValueError(f"rescale factor must be a positive number, got {quoted(factor)}")
        size = self.n if symbol == "branch" else len(self._factors)
        return tb.rescale_tables(self._data, symbol, position, factor, size)

    def rescale(self, branch: str, factor: float, unit: str) -> Economy:
        """Measure ``branch`` in a new unit, one new unit being ``factor`` old units.

        Every table follows its unit rule: quantities of the branch divide by ``factor``,
        coefficients per unit of it multiply by it, its own coefficient is unchanged.

        Examples
        --------
        >>> eco = Economy.from_coefficients([[0.1, 0.2], [0.3, 0.4]], [10, 20],
        ...                                 branches=["steel", "coal"], units="t")
        >>> kt = eco.rescale("steel", 1000, "thousand t")
        >>> kt.A.tolist()
        [[0.1, 0.0002], [300.0, 0.4]]
        """
        k = int(self.positions([branch])[0])
        data = self._rescaled("branch", k, factor, unit)
        parts = self._parts()
        br = self._branches.copy()
        br.iloc[k, br.columns.get_loc("unit")] = unit
        parts["branches"] = br
        return Economy._from_parts(parts, data, None, check=False)

    def rescale_factor(self, factor_id: str, factor: float, unit: str) -> Economy:
        """Measure factor ``factor_id`` in a unit ``factor`` times larger."""
        k = int(self.positions([factor_id], "factor")[0])
        data = self._rescaled("factor", k, factor, unit)
        parts = self._parts()
        fac = self._factors.copy()
        fac.iloc[k, fac.columns.get_loc("unit")] = unit
        parts["factors"] = fac
        return Economy._from_parts(parts, data, self._tech_cache(), check=False)

    def rescale_currency(self, factor: float, currency: str) -> Economy:
        """Measure money in a unit ``factor`` times larger (prices, aid, credit, revenue)."""
        data = self._rescaled("currency", None, factor, currency)
        parts = self._parts()
        parts["currency"] = currency
        return Economy._from_parts(parts, data, self._tech_cache(), check=False)

    def _tech_cache(self) -> dict[str, Any]:
        """The cached factorization and derived technology (valid while A_d is unchanged)."""
        return {k: v for k, v in self._cache.items() if k.startswith("tech:")}

    def with_final_demand(self, final_demand: Any) -> Economy:
        """The same economy with another final demand."""
        return self.replace(final_demand=final_demand)

    def _repr_html_(self) -> str:
        from autarky.display import economy_html

        return economy_html(self)

    def __repr__(self) -> str:
        kind = "sparse" if self.is_sparse else "dense"
        return (f"<Economy {quoted(self.name)}: {self.n} branches ({kind}), "
                f"{len(self._factors)} factors, {len(self._partners)} partners>")
