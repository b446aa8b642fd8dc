"""The scenario schema, as data.

Each table an :class:`~autarky.economy.Economy` holds, and each key of the scenario format, is
described here once: its columns, their types, units, defaults and descriptions. The reader
(:mod:`autarky.io.scenario`) validates against these descriptions and ``autarky schema`` prints
the JSON Schema generated from them, so the documentation cannot drift from the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

ColumnType = Literal["string", "number", "boolean", "integer", "offers"]
KeyKind = Literal["string", "integer", "number", "records", "matrix", "vector", "demand", "custom"]


@dataclass(frozen=True)
class Column:
    """One column of a table (or one field of a record)."""

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
    csv_columns: tuple[str, ...] = ()
    json: dict[str, Any] | None = None


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
    Column("imports", "offers", description="What the partner sells: {branch: {price, max}}."),
    Column("exports", "offers", description="What the partner buys: {branch: {price, max}}."),
)

#: A number may be written as a mapping that carries its provenance.
VALUE_COLUMNS: tuple[Column, ...] = (
    Column("value", "number", True, description="The number."),
    Column("source", "string", default="", description="Where the number comes from."),
    Column("note", "string", default="", description="Reasoning behind the number."),
    Column("estimate", "boolean", default=False, description="True where the number is estimated."),
)

#: Optional provenance columns of a CSV table and fields of a number written as a mapping.
PROVENANCE_COLS_ALLOWED: tuple[str, ...] = ("source", "note", "estimate")

SCENARIO_KEYS: tuple[Key, ...] = (
    Key("name", "string", True, "Name of the scenario."),
    Key("description", "string", description="What the scenario describes."),
    Key("source", "string", description="Where the scenario's numbers come from."),
    Key("year", "integer", description="The year the scenario describes."),
    Key("branches", "records", True, "The branches (products or industries).",
        record=BRANCH_COLUMNS, csv_columns=("id", "unit")),
    Key("technology", "matrix",
        description="technology[input][using_branch] = input per unit of the using branch's "
                    "output. Missing entries are zero.",
        csv_columns=("input", "branch", "value")),
    Key("flows", "matrix",
        description="flows[input][using_branch] in the input's unit; with gross_output, "
                    "stands instead of technology.",
        csv_columns=("input", "branch", "value")),
    Key("gross_output", "vector",
        description="Gross output per branch: required with flows; with technology, the "
                    "reported output kept for comparison.",
        csv_columns=("branch", "value")),
    Key("final_demand", "demand",
        description="Final demand: {branch: value} or {category: {branch: value}} "
                    "(categories such as consumption, investment, government, exports).",
        csv_columns=("branch", "category", "value")),
    Key("factors", "records", description="Primary factors (labour, land, ...).",
        record=FACTOR_COLUMNS),
    Key("capacity", "vector", description="Upper bound of gross output per branch.",
        csv_columns=("branch", "value")),
    Key("partners", "records", description="Trading partners.", record=PARTNER_COLUMNS),
    Key("currency", "string", description="Unit of prices, aid and credit."),
    Key("import_shares", "custom", description="{partner: {branch: share}}: share of the domestic "
        "use of each product supplied by imports from each partner (competitive imports); or a "
        "CSV with columns partner, branch, share.",
        json={"oneOf": [{"type": "object", "additionalProperties": {
            "type": "object", "additionalProperties": {"type": "number"}}},
            {"type": "string", "pattern": r"\.csv$"}]}),
    Key("imports", "custom", description="{partner: {branch: quantity}}: imports as flows, from "
        "which the shares follow (needs gross_output).",
        json={"type": "object", "additionalProperties": {
            "type": "object", "additionalProperties": {"type": "number"}}}),
    Key("value_added", "vector", description="Value added per unit of each branch's output "
        "(currency).", csv_columns=("branch", "value")),
    Key("state_revenue", "number", description="State budget revenue of the year (currency), "
        "for aid dependence."),
    Key("prices", "vector", description="Constant prices: currency per unit of each branch.",
        csv_columns=("branch", "value")),
    Key("target", "demand", description="Final demand the optimal plan aims at "
        "(default: final_demand).", csv_columns=("branch", "category", "value")),
    Key("objective", "custom", description="max-min (default), weighted or harmony; or "
        "{type: weighted, weights: {branch: w}}.",
        json={"oneOf": [{"enum": ["max-min", "weighted", "harmony"]},
                        {"type": "object", "properties": {
                            "type": {"enum": ["max-min", "weighted", "harmony"]},
                            "weights": {"type": "object",
                                        "additionalProperties": {"type": "number"}}},
                         "required": ["type"], "additionalProperties": False}]}),
    Key("horizon", "custom", description="First and last year of a multi-year plan.",
        json={"type": "object", "properties": {"first": {"type": "integer"},
                                               "last": {"type": "integer"}},
              "required": ["first", "last"], "additionalProperties": False}),
    Key("capital", "matrix", description="capital[input][branch]: units of input per unit of "
        "new capacity of branch.", csv_columns=("input", "branch", "value")),
    Key("depreciation", "custom", description="Yearly rate of capacity loss: one number or "
        "{branch: rate}.", json={"oneOf": [{"type": "number"}, {"type": "object"}]}),
    Key("gestation", "custom", description="Years before new capacity produces: one number "
        "or {branch: years}.", json={"oneOf": [{"type": "integer"}, {"type": "object"}]}),
    Key("initial_capacity", "vector", description="Capacity in the first plan year.",
        csv_columns=("branch", "value")),
    Key("factor_growth", "custom", description="Yearly growth rate of each factor's "
        "availability: {factor: rate}.",
        json={"type": "object", "additionalProperties": {"type": "number"}}),
    Key("factor_availability", "custom", description="Availability of a factor in given years, "
        "overriding its growth rate: {factor: {year: value}}.",
        json={"type": "object", "additionalProperties": {"type": "object"}}),
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
        json={"type": "object", "properties": {"industrial_growth": {"type": "number"},
                                               "output": {"type": "object"}},
              "additionalProperties": False}),
    Key("discount", "number", description="Yearly discount rate of consumption."),
    Key("strategies", "custom", description="User-defined strategies: {name: {description, "
        "rules: [{groups, min, max, years}], targets: strict|soft, target_growth}}.",
        json={"type": "object", "additionalProperties": {"type": "object"}}),
)

KEYS_BY_NAME: dict[str, Key] = {k.name: k for k in SCENARIO_KEYS}


def _number_schema() -> dict[str, Any]:
    value = {
        "type": "object",
        "properties": {c.name: {"type": c.type, "description": c.description}
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


def json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the scenario format, generated from :data:`SCENARIO_KEYS`.

    Examples
    --------
    >>> s = json_schema()
    >>> s["required"]
    ['name', 'branches']
    >>> sorted(s["properties"]["branches"]["oneOf"][0]["items"]["required"])
    ['id', 'unit']
    """
    csv_ref = {"type": "string", "pattern": r"\.csv$",
               "description": "Name of a CSV file beside scenario.yaml (folder form)."}
    vector = {"type": "object", "additionalProperties": _number_schema()}
    props: dict[str, Any] = {}
    for k in SCENARIO_KEYS:
        if k.kind in ("string", "integer", "number"):
            s: dict[str, Any] = {"type": k.kind}
        elif k.kind == "custom":
            s = dict(k.json or {})
        elif k.kind == "records":
            s = {"oneOf": [{"type": "array", "items": _record_schema(k.record)}, csv_ref]}
        elif k.kind == "vector":
            s = {"oneOf": [vector, csv_ref]}
        elif k.kind == "matrix":
            s = {"oneOf": [{"type": "object", "additionalProperties": vector}, csv_ref]}
        else:  # demand
            s = {"oneOf": [vector, {"type": "object", "additionalProperties": vector}, csv_ref]}
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
