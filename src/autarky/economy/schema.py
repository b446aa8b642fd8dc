"""The scenario format's keys, as data.

Every table key (``technology``, ``final_demand``, ``import_shares``, ``exports``, ...) comes from
the table registry (:mod:`autarky.economy.registry`): its YAML form is a mapping nested by the
table's dimensions, its CSV form a long table with one column per dimension and a value column.
The record keys (``branches``, ``factors``, ``partners``) and the settings keys are declared here.
The reader (:mod:`autarky.io.scenario`) validates against these declarations and
``autarky schema`` prints the JSON Schema generated from them, so the documentation cannot
drift from the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from autarky.economy.registry import TABLE_LIST, TableSpec

ColumnType = Literal["string", "number", "boolean", "integer", "offers", "numbers"]
KeyKind = Literal["string", "integer", "number", "records", "table", "custom"]


@dataclass(frozen=True)
class Column:
    """One column of a record table (or one field of a record)."""

    name: str
    type: ColumnType
    required: bool = False
    default: Any = None
    unit: str = ""
    description: str = ""


@dataclass(frozen=True)
class Key:
    """One top-level key of the scenario format."""

    name: str
    kind: KeyKind
    required: bool = False
    description: str = ""
    record: tuple[Column, ...] = ()
    table: TableSpec | None = None
    json: dict[str, Any] | None = None
    old: str = ""


BRANCH_COLUMNS: tuple[Column, ...] = (
    Column("id", "string", True, description="Unique branch id (product or industry)."),
    Column("unit", "string", True, description="Unit of the branch's output, e.g. 'thousand t'."),
    Column("name", "string", description="Human-readable name (default: the id)."),
    Column("group", "string", default="other",
           description="Branch group: heavy, light, agriculture, energy, other, ... (free text)."),
    Column("note", "string", default="", description="Free-text note or source."),
)

FACTOR_COLUMNS: tuple[Column, ...] = (
    Column("id", "string", True, description="Unique factor id, e.g. 'labour'."),
    Column("unit", "string", True, description="Unit of the factor, e.g. 'thousand workers'."),
    Column("availability", "number", default=None, unit="factor unit",
           description="Amount available (omit for unlimited)."),
    Column("coefficients", "number", default=None, unit="factor unit per unit of branch output",
           description="Mapping branch -> factor needed per unit of the branch's output."),
    Column("name", "string", description="Human-readable name (default: the id)."),
    Column("note", "string", default="", description="Free-text note or source."),
    Column("source", "string", default="", description="Where the availability comes from."),
    Column("estimate", "boolean", default=False,
           description="True where the availability is estimated."),
)

PARTNER_COLUMNS: tuple[Column, ...] = (
    Column("id", "string", True, description="Unique partner id, e.g. 'ussr'."),
    Column("name", "string", description="Human-readable name (default: the id)."),
    Column("note", "string", default="", description="Free-text note or source."),
    Column("aid", "number", default=0.0, unit="currency per year",
           description="Yearly grant from the partner."),
    Column("credit", "number", default=0.0, unit="currency per year",
           description="Yearly credit the partner extends."),
    Column("imports", "offers", description="Old form of import_prices and import_limits: "
           "{branch: {price, max}} (still read)."),
    Column("exports", "offers", description="Old form of export_prices and export_limits: "
           "{branch: {price, max}} (still read)."),
)

#: A number may be written as a mapping that carries its provenance.
VALUE_COLUMNS: tuple[Column, ...] = (
    Column("value", "number", True, description="The number."),
    Column("source", "string", default="", description="Where the number comes from."),
    Column("note", "string", default="", description="Reasoning behind the number."),
    Column("estimate", "boolean", default=False, description="True where the number is estimated."),
    Column("range", "numbers", description="The range [low, high] the number may lie in (YAML; "
           "a CSV table gives the columns low and high). Alone, a uniform distribution."),
    Column("low", "number", description="The low end of the range."),
    Column("high", "number", description="The high end of the range."),
    Column("distribution", "string", description="uniform or triangular (with a range; "
           "triangular has its mode at the value), lognormal (with sd: median the value), "
           "discrete (with values: the readings of a garbled figure), follows (with follows)."),
    Column("sd", "number", description="Standard deviation of the logarithm of a lognormal "
           "number (a relative spread: 0.2 is about +-20 %)."),
    Column("values", "numbers", description="The possible values of a discrete number (CSV: "
           "separated by ';'); the value is one of them."),
    Column("weights", "numbers", description="Weights of the values (default equal; CSV: "
           "separated by ';')."),
    Column("follows", "string", description="Another table with the same dimensions: the "
           "number moves with that table's entry at the same labels (the same ratio to its "
           "stated value), as an export limit of a bilateral protocol follows the export."),
    Column("range_note", "string", default="", description="Reasoning behind the spread."),
)

#: The distributions an uncertain number may take.
DISTRIBUTIONS: tuple[str, ...] = ("uniform", "triangular", "lognormal", "discrete", "follows")

#: The fields that give a number's uncertainty (:mod:`autarky.io.spread` reads them).
UNCERTAINTY_COLS: tuple[str, ...] = ("low", "high", "distribution", "sd", "values", "weights",
                                     "follows", "range_note")

#: Optional provenance columns of a CSV table and fields of a number written as a mapping
#: (which also takes ``range``).
PROVENANCE_COLS_ALLOWED: tuple[str, ...] = ("source", "note", "estimate", *UNCERTAINTY_COLS)

#: The columns of an economy's provenance table (``Economy.provenance``): where each number
#: sits (``row`` the first label, ``column`` the others joined by ``/``), then its provenance.
PROVENANCE_COLUMNS: list[str] = ["table", "row", "column", *PROVENANCE_COLS_ALLOWED]

_OBJECTIVE_JSON = {"oneOf": [{"enum": ["max-min", "weighted", "harmony"]},
                             {"type": "object", "properties": {
                                 "type": {"enum": ["max-min", "weighted", "harmony"]},
                                 "weights": {"type": "object",
                                             "additionalProperties": {"type": "number"}}},
                              "required": ["type"], "additionalProperties": False}]}


def _table_keys() -> tuple[Key, ...]:
    out = []
    for t in TABLE_LIST:
        key = t.scenario_key
        if key is None:
            continue
        dims = " x ".join(t.dims) or "a number"
        desc = f"{t.description} Dimensions: {dims}; unit: {t.unit}."
        out.append(Key(key, "table", description=desc, table=t))
    return tuple(out)


SCENARIO_KEYS: tuple[Key, ...] = (
    Key("name", "string", True, "Name of the scenario."),
    Key("description", "string", description="What the scenario describes."),
    Key("source", "string", description="Where the scenario's numbers come from."),
    Key("year", "integer", description="The year the scenario describes."),
    Key("currency", "string", description="Unit of prices, aid and credit."),
    Key("branches", "records", True, "The branches (products or industries).",
        record=BRANCH_COLUMNS),
    Key("factors", "records", description="Primary factors (labour, land, ...).",
        record=FACTOR_COLUMNS),
    Key("partners", "records", description="Trading partners.", record=PARTNER_COLUMNS),
    Key("flows", "table", description="flows[input][using_branch] in the input's unit; with "
        "gross_output, stands instead of technology.",
        table=TableSpec("flows", ("input", "branch"), "unit[input]",
                        "Inter-branch flows.")),
    *_table_keys(),
    Key("imports", "custom", description="{partner: {branch: quantity}}: competitive imports as "
        "flows, from which the import shares follow (needs gross_output).",
        json={"type": "object", "additionalProperties": {
            "type": "object", "additionalProperties": {"type": "number"}}}),
    Key("target", "custom", description="Home final use the optimal plan aims at (default: "
        "final_demand): {branch: value}, or {category: {branch: value}} (summed).",
        json={"type": "object"}),
    Key("objective", "custom", description="max-min (default), weighted or harmony; or "
        "{type: weighted, weights: {branch: w}}.", json=_OBJECTIVE_JSON),
    Key("foreign_exchange", "custom", description="pooled (default: one convertible balance) "
        "or bilateral (one balance per partner, as in clearing trade).",
        json={"enum": ["pooled", "bilateral"]}),
    Key("horizon", "custom", description="First and last year of a multi-year plan.",
        json={"type": "object", "properties": {"first": {"type": "integer"},
                                               "last": {"type": "integer"}},
              "required": ["first", "last"], "additionalProperties": False}),
    Key("consumption", "custom", description="{basket: category or {branch: value}, floor: "
        "multiple of the basket each year (number or {year: value})}.",
        json={"type": "object", "properties": {
            "basket": {"oneOf": [{"type": "string"}, {"type": "object"}]},
            "floor": {"oneOf": [{"type": "number"}, {"type": "object"}]}},
              "additionalProperties": False}),
    Key("exogenous", "custom", description="Final-demand categories held fixed every year.",
        json={"type": "array", "items": {"type": "string"}}),
    Key("industry_groups", "custom", description="Branch groups counted as industry.",
        json={"type": "array", "items": {"type": "string"}}),
    Key("plan_targets", "custom", description="{industrial_growth: rate} and/or {output: "
        "{year: {branch: value}}}.",
        json={"type": "object", "properties": {"industrial_growth": {"oneOf": [
            {"type": "number"}, {"type": "object", "required": ["value"]}]},
                                               "output": {"type": "object"}},
              "additionalProperties": False}),
    Key("discount", "number", description="Yearly discount rate of consumption."),
    Key("strategies", "custom", description="User-defined strategies: {name: {description, "
        "rules: [{groups, min, max, years}], targets: strict|soft, target_growth}}.",
        json={"type": "object", "additionalProperties": {"type": "object"}}),
    Key("mobilisation", "custom", description="Labour effort above normal as a choice of the "
        "multi-year plan: {factor, normal_hours, tiers: [{kind: hours|participation, size, "
        "productivity, disutility}], min_hours: {year: hours}}.",
        json={"type": "object", "properties": {
            "factor": {"type": "string"}, "normal_hours": {"type": "number"},
            "tiers": {"type": "array", "items": {"type": "object"}},
            "min_hours": {"type": "object"}, "campaign": {"type": "object"},
            "note": {"type": "string"},
            "source": {"type": "string"}},
              "required": ["factor"], "additionalProperties": False}),
    Key("training", "custom", description="A skilled factor as a stock trained with a lag: "
        "{factor, lag, attrition, inputs: {branch: units}, trainee_factor, trainee_share, "
        "max_intake}.",
        json={"type": "object", "required": ["factor"]}),
    Key("population", "custom", description="Population by year (base year and plan years), "
        "for consumption per head: {year: number}.",
        json={"type": "object"}),
)

KEYS_BY_NAME: dict[str, Key] = {k.name: k for k in SCENARIO_KEYS}


def _number_schema() -> dict[str, Any]:
    value = {
        "type": "object",
        "properties": {c.name: ({"type": "array", "items": {"type": "number"},
                                 "description": c.description} if c.type == "numbers" else
                                {"type": c.type, "description": c.description})
                       for c in VALUE_COLUMNS},
        "required": ["value"],
        "additionalProperties": False,
    }
    return {"oneOf": [{"type": "number"}, value]}


def _record_schema(cols: tuple[Column, ...]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for c in cols:
        if c.type == "offers":
            offer = {"type": "object", "properties": {"price": {"type": "number"},
                                                      "max": {"type": "number"}},
                     "required": ["price"], "additionalProperties": False}
            props[c.name] = {"type": "object", "additionalProperties": offer,
                             "description": c.description}
        elif c.name == "coefficients":
            props[c.name] = {"type": "object", "additionalProperties": _number_schema(),
                             "description": c.description}
        elif c.type == "number":
            props[c.name] = {**_number_schema(), "description": c.description}
        else:
            props[c.name] = {"type": c.type, "description": c.description}
        if c.default is not None:
            props[c.name]["default"] = c.default
    return {"type": "object", "properties": props,
            "required": [c.name for c in cols if c.required], "additionalProperties": False}


def table_schema(t: TableSpec) -> dict[str, Any]:
    """JSON Schema of a table key: nested mappings by its dimensions, or a CSV file name."""
    csv_ref = {"type": "string", "pattern": r"\.csv$",
               "description": "Name of a CSV file beside scenario.yaml with columns "
                              f"{', '.join([*t.dims, t.value_column])}[, source, note, estimate]."}
    s: dict[str, Any] = _number_schema()
    for _ in t.nested_dims:
        s = {"type": "object", "additionalProperties": s}
    forms = [s, csv_ref]
    if t.nested_dims and (t.scalar_ok or not t.dims):  # (a table of no dims is one number)
        forms.insert(0, _number_schema())
    if t.name == "final_demand":  # {branch: value} stands for one category, 'total'
        forms.insert(1, {"type": "object", "additionalProperties": _number_schema()})
    return {"oneOf": forms}


def json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the scenario format, generated from :data:`SCENARIO_KEYS`
    and the table registry.

    Examples
    --------
    >>> s = json_schema()
    >>> s["required"]
    ['name', 'branches']
    >>> sorted(s["properties"]["branches"]["oneOf"][0]["items"]["required"])
    ['id', 'unit']
    >>> "exports" in s["properties"] and "imported_technology" in s["properties"]
    True
    """
    csv_ref = {"type": "string", "pattern": r"\.csv$",
               "description": "Name of a CSV file beside scenario.yaml (folder form)."}
    props: dict[str, Any] = {}
    for k in SCENARIO_KEYS:
        if k.kind in ("string", "integer", "number"):
            s: dict[str, Any] = {"type": k.kind}
        elif k.kind == "custom":
            s = dict(k.json or {})
        elif k.kind == "records":
            s = {"oneOf": [{"type": "array", "items": _record_schema(k.record)}, csv_ref]}
        else:
            assert k.table is not None
            s = table_schema(k.table)
        s["description"] = k.description
        props[k.name] = s
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "autarky scenario",
        "type": "object",
        "properties": props,
        "required": [k.name for k in SCENARIO_KEYS if k.required],
        "additionalProperties": False,
        "oneOf": [{"required": ["technology"], "not": {"required": ["flows"]}},
                  {"required": ["flows", "gross_output"], "not": {"required": ["technology"]}}],
    }
