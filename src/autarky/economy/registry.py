"""The table registry: every table an economy or a scenario holds, declared once, as data.

In the style of PyPSA's component attribute tables, each :class:`TableSpec` names a table, its
dimensions, dtype, storage, bounds, default, **unit rule** and description. Everything generic is
driven by this registry: the constructor's validation, ``replace``, ``reorder`` (``O(nnz)``),
``rescale`` (from the unit rules), the scenario reader's and writer's columns, the JSON Schema and
:func:`autarky.testing.assert_economy_equal`. A new table is one entry in :data:`TABLES`.

Dimensions (:data:`DIMS`): ``branch`` (the using or producing branch), ``input`` (the supplying
branch of a technology; the same coordinate as ``branch``), ``partner``, ``factor``,
``category`` (of final use) and ``year``.

Unit rules are products of powers of the symbols ``unit[branch]``, ``unit[input]``,
``unit[factor]``, ``currency`` and ``year``, written ``currency/unit[branch]`` or ``1``.
Measuring branch ``k`` in a unit ``f`` times larger divides every entry indexed by ``k`` along a
dimension of exponent ``+1`` by ``f`` and multiplies along exponent ``-1`` by ``f``; see
:func:`unit_exponents`.

Examples
--------
>>> TABLES["technology"].dims, TABLES["technology"].unit
(('input', 'branch'), 'unit[input]/unit[branch]')
>>> unit_exponents("currency/unit[branch]")
{'currency': 1, 'branch': -1}
>>> resolve_unit("unit[input]/unit[branch]", {"input": "t", "branch": "kWh"})
't/kWh'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

#: The dimensions of autarky's tables, with what they index.
DIMS: dict[str, str] = {
    "branch": "Branches (products or industries): the producing or using branch.",
    "input": "The supplying branch of a technology coefficient (same coordinate as branch).",
    "partner": "Trading partners (countries or regions).",
    "factor": "Primary factors (labour, land, ...).",
    "category": "Categories of home final use (consumption, investment, government, ...).",
    "year": "Years of a multi-year plan.",
}

#: Dimensions that index the branch coordinate.
BRANCH_DIMS = frozenset({"branch", "input"})

Holder = Literal["economy", "settings"]


@dataclass(frozen=True)
class TableSpec:
    """One table: its dimensions, storage, bounds, default and unit rule.

    Attributes
    ----------
    name
        Name of the table (attribute, keyword argument and scenario key).
    dims
        Dimension names, in storage order.
    unit
        Unit rule, e.g. ``unit[input]/unit[branch]`` (see the module docstring).
    description
        What the table holds.
    default
        Value where nothing is given (``0``, ``inf`` for "unlimited", ``nan`` for "not given").
    lower, upper
        Inclusive bounds of given values (``None``: unbounded); ``upper_open`` makes ``upper``
        exclusive.
    dtype
        ``float`` or ``int``.
    sparse
        Whether the table may be stored sparse (``scipy.sparse`` for two branch dimensions; a
        tuple of sparse matrices, one per partner, for ``partner x input x branch``).
    optional
        ``True``: the table may be absent (``None``) and is then not written; ``False``: it is
        always present, filled with ``default``.
    holder
        ``economy`` (what the economy is) or ``settings`` (what a scenario asks of a plan).
    value_column
        Name of the value column in the table's long CSV form.
    yaml_order
        Order of the dimensions in the YAML nested-mapping form (default: ``dims``).
    """

    name: str
    dims: tuple[str, ...]
    unit: str
    description: str
    default: float = 0.0
    lower: float | None = 0.0
    upper: float | None = None
    upper_open: bool = False
    dtype: Literal["float", "int"] = "float"
    sparse: bool = False
    optional: bool = False
    holder: Holder = "economy"
    value_column: str = "value"
    yaml_order: tuple[str, ...] | None = None
    key: str | None = ""
    scalar_ok: bool = False
    noun: str = "value"

    @property
    def scenario_key(self) -> str | None:
        """Top-level key of the scenario format (``None``: read from records or settings)."""
        return self.name if self.key == "" else self.key

    @property
    def nested_dims(self) -> tuple[str, ...]:
        """Dimensions in the order of the YAML nested mapping."""
        return self.yaml_order or self.dims

    @property
    def branch_axes(self) -> tuple[int, ...]:
        """Axes indexed by the branch coordinate."""
        return tuple(i for i, d in enumerate(self.dims) if d in BRANCH_DIMS)

    def bounds_text(self) -> str:
        """The bounds in words, for error messages."""
        lo = "-inf" if self.lower is None else f"{self.lower:g}"
        hi = "inf" if self.upper is None else f"{self.upper:g}"
        return f"[{lo}, {hi}{')' if self.upper_open else ']'}"


_T = TableSpec

#: Every table, in the order the writer emits them.
TABLE_LIST: tuple[TableSpec, ...] = (
    # ---------------------------------------------------------------- technology and demand
    _T("technology", ("input", "branch"), "unit[input]/unit[branch]",
       "Input coefficients A: input of each product per unit of the using branch's output, "
       "domestic and imported together.", sparse=True, noun="coefficient"),
    _T("final_demand", ("branch", "category"), "unit[branch]",
       "Home final use by category (consumption, investment, government, stock change), "
       "domestic and imported together; exports are the table 'exports'.", lower=None,
       yaml_order=("category", "branch"), noun="final demand"),
    _T("reported_output", ("branch",), "unit[branch]",
       "Gross output as a source reports it, kept for comparison with the balance; with "
       "flows, the output that turns them into coefficients.", default=float("nan"),
       optional=True, key="gross_output"),
    _T("factor_coefficients", ("factor", "branch"), "unit[factor]/unit[branch]",
       "Factor use per unit of each branch's output (also given per factor record, under "
       "factors[].coefficients).", noun="coefficient"),
    _T("factor_availability", ("factor",), "unit[factor]",
       "Amount of each factor available in the year (inf: unlimited).", default=float("inf"),
       key=None),
    _T("capacity", ("branch",), "unit[branch]",
       "Upper bound of each branch's gross output (inf: unbounded).", default=float("inf")),
    _T("prices", ("branch",), "currency/unit[branch]",
       "Constant domestic prices (nan: not given).", default=float("nan")),
    _T("value_added", ("branch",), "currency/unit[branch]",
       "Value added per unit of output (nan: derived as price less inputs).",
       default=float("nan"), lower=None),
    # ---------------------------------------------------------------- capital formation
    _T("capital", ("input", "branch"), "unit[input]/unit[branch]",
       "Capital coefficients B: input per unit of new yearly capacity of the branch.",
       sparse=True, optional=True, noun="coefficient"),
    _T("depreciation", ("branch",), "1/year", "Yearly rate of capacity loss.", upper=1.0,
       upper_open=True, scalar_ok=True),
    _T("gestation", ("branch",), "year",
       "Years before new capacity produces (at least one).", default=1.0, lower=1.0,
       dtype="int", scalar_ok=True),
    _T("initial_capacity", ("branch",), "unit[branch]",
       "Capacity in the first year of a multi-year plan (nan: from capacity or output).",
       default=float("nan"), optional=True),
    _T("damaged_capacity", ("branch",), "unit[branch]",
       "Capacity out of use at the start of a multi-year plan that repair can bring back "
       "(war damage): repair is an investment of its own, with its own norms and lag.",
       optional=True),
    _T("repair_capital", ("input", "branch"), "unit[input]/unit[branch]",
       "Repair norms: input per unit of damaged yearly capacity brought back.",
       sparse=True, optional=True, noun="coefficient"),
    _T("repair_gestation", ("branch",), "year",
       "Years before repaired capacity produces (0: the year of the repair).", default=0.0,
       dtype="int", scalar_ok=True),
    # ---------------------------------------------------------------- trade
    _T("import_shares", ("partner", "branch"), "1",
       "Competitive import share: the share of the home use of each product (less what the "
       "imported-use tables give) supplied by each partner.", upper=1.0,
       value_column="share", noun="share"),
    _T("imported_technology", ("partner", "input", "branch"), "unit[input]/unit[branch]",
       "Non-competitive imported inputs A_m: input imported from each partner per unit of the "
       "using branch's output (what real input-output tables record).", sparse=True,
       optional=True, noun="coefficient"),
    _T("final_imports", ("partner", "branch", "category"), "unit[branch]",
       "Imports for home final use, by partner and category (part of final_demand).",
       optional=True),
    _T("exports", ("partner", "branch"), "unit[branch]",
       "Exports by destination: home output delivered to each partner."),
    _T("import_prices", ("partner", "branch"), "currency/unit[branch]",
       "Price each partner charges for its product (nan: the domestic price).",
       default=float("nan")),
    _T("import_limits", ("partner", "branch"), "unit[branch]",
       "Most each partner will sell of each product (inf: no limit).", default=float("inf")),
    _T("export_prices", ("partner", "branch"), "currency/unit[branch]",
       "Price each partner pays for each product (nan: the domestic price).",
       default=float("nan")),
    _T("export_limits", ("partner", "branch"), "unit[branch]",
       "Most each partner will buy of each product, recorded exports included (inf: no "
       "limit).", default=float("inf")),
    _T("aid", ("partner",), "currency", "Yearly grant from each partner.", key=None),
    _T("credit", ("partner",), "currency", "Yearly credit each partner extends.", key=None),
    _T("other_financing", ("partner",), "currency",
       "Yearly financing of imports from each partner beyond aid and credit (arrears, "
       "unrecorded credits): the balancing item that closes the recorded trade."),
    _T("state_revenue", (), "currency",
       "State budget revenue of the year, for aid dependence.", default=float("nan"),
       optional=True, lower=0.0),
    # ---------------------------------------------------------------- plan settings
    _T("target", ("branch",), "unit[branch]",
       "Home final use the optimal plan aims at (default: final_demand, all categories).",
       optional=True, holder="settings", key=None),
    _T("weights", ("branch",), "1", "Objective weight of each product's fulfilment.",
       default=1.0, optional=True, holder="settings", key=None),
    _T("consumption_basket", ("branch",), "unit[branch]",
       "The consumption basket of a multi-year plan, when given product by product.",
       optional=True, holder="settings", key=None),
    _T("factor_growth", ("factor",), "1/year",
       "Yearly growth rate of each factor's availability.", lower=None, holder="settings"),
    _T("factor_availability_by_year", ("year", "factor"), "unit[factor]",
       "Availability of a factor in given years, overriding its growth (nan: not given).",
       default=float("nan"), optional=True, holder="settings", key="factor_availability",
       yaml_order=("factor", "year")),
    _T("output_targets", ("year", "branch"), "unit[branch]",
       "Gross output targets of a multi-year plan (nan: none).", default=float("nan"),
       optional=True, holder="settings", key=None),
    _T("aid_by_year", ("year", "partner"), "currency",
       "Aid in given years of a multi-year plan, overriding 'aid' (nan: not given).",
       default=float("nan"), optional=True, holder="settings", yaml_order=("partner", "year")),
    _T("credit_by_year", ("year", "partner"), "currency",
       "Credit in given years of a multi-year plan, overriding 'credit' (nan: not given).",
       default=float("nan"), optional=True, holder="settings", yaml_order=("partner", "year")),
)

TABLES: dict[str, TableSpec] = {t.name: t for t in TABLE_LIST}

#: Tables that determine the domestic technology (a change means a new factorization).
TECHNOLOGY_TABLES = frozenset({"technology", "imported_technology", "import_shares"})

_SYMBOL = re.compile(r"unit\[(input|branch|factor)\]|currency|year|1")


def unit_exponents(rule: str) -> dict[str, int]:
    """Exponent of each symbol in a unit rule (``branch``, ``input``, ``factor``, ``currency``,
    ``year``).

    Examples
    --------
    >>> unit_exponents("unit[input]/unit[branch]")
    {'input': 1, 'branch': -1}
    >>> unit_exponents("1")
    {}
    """
    out: dict[str, int] = {}
    num, _, den = rule.partition("/")
    for part, sign in ((num, 1), (den, -1)):
        for m in _SYMBOL.finditer(part):
            sym = m.group(1) or m.group(0)
            if sym == "1":
                continue
            out[sym] = out.get(sym, 0) + sign
    return out


def resolve_unit(rule: str, units: Mapping[str, str]) -> str:
    """The unit a rule gives for one entry, from the units of its symbols.

    ``units`` maps ``branch``, ``input``, ``factor``, ``currency`` (and optionally ``year``)
    to unit names.

    Examples
    --------
    >>> resolve_unit("currency/unit[branch]", {"currency": "million USD", "branch": "thousand t"})
    'million USD/thousand t'
    >>> resolve_unit("1", {})
    '1'
    """
    exps = unit_exponents(rule)
    names = {"year": "year", **units}
    num = [names[s] for s, e in exps.items() if e > 0 for _ in range(e)]
    den = [names[s] for s, e in exps.items() if e < 0 for _ in range(-e)]
    top = " ".join(num) if num else "1"
    if not den:
        return top
    bottom = den[0] if len(den) == 1 else "(" + " ".join(den) + ")"
    return f"{top}/{bottom}"


def economy_tables() -> tuple[TableSpec, ...]:
    """Tables an :class:`~autarky.economy.Economy` holds."""
    return tuple(t for t in TABLE_LIST if t.holder == "economy")


def settings_tables() -> tuple[TableSpec, ...]:
    """Tables a scenario's plan settings hold."""
    return tuple(t for t in TABLE_LIST if t.holder == "settings")
