"""Write the spread of every estimated figure into a bundled scenario folder.

Run ``python tools/add_spreads.py [FOLDER ...]`` (default: the case's bundled scenarios). For
each table entry marked ``estimate`` (a CSV row with ``estimate`` true, or a YAML number
``{value: ..., estimate: true}``), the rule of its table
(:mod:`autarky.cases.koh1965.spreads`) gives a distribution, its range and the reasoning; this
script writes them next to the figure: CSV columns ``low, high, distribution, values, weights,
range_note``, YAML fields ``range, distribution, values, weights, range_note``. Running it
again changes nothing. Comments and layout of the YAML file are kept: the fields are inserted
into the lines that hold the estimate.

A factor record marked as an estimate gets a spread on its ``availability``. Plan settings
(``mobilisation``, ``training``, ``plan_targets``) are not table entries and are left as they
are: the sampler does not draw them.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from autarky.cases.koh1965.spreads import FOLLOWS, spread_of  # noqa: E402
from autarky.economy.registry import TABLES  # noqa: E402
from autarky.io.yamlmap import load_yaml_text  # noqa: E402

CASE = ROOT / "src" / "autarky" / "cases" / "koh1965" / "data" / "scenarios"
FOLDERS = [CASE / n for n in ("dprk-1963", "seven-year-plan", "three-year-plan")]
CSV_COLS = ["low", "high", "distribution", "values", "weights", "follows", "range_note"]
TRUE = {"true", "yes", "1", "y", "t"}
KEYS = {t.scenario_key: name for name, t in TABLES.items() if t.scenario_key}


def _num(v: float) -> str:
    return f"{v:.12g}"


def _csv_cells(spread: dict[str, Any]) -> dict[str, str]:
    out = {c: "" for c in CSV_COLS}
    for k, v in spread.items():
        if k in ("values", "weights"):
            out[k] = ";".join(_num(x) for x in v)
        elif k in ("low", "high"):
            out[k] = _num(v)
        else:
            out[k] = str(v)
    return out


def _leader_values(folder: Path, table: str) -> dict[tuple[str, ...], float]:
    """The values of the table ``table`` follows (:data:`FOLLOWS`), by labels, if a CSV."""
    import yaml

    if table not in FOLLOWS:
        return {}
    meta = yaml.safe_load((folder / "scenario.yaml").read_text(encoding="utf-8"))
    name = meta.get(FOLLOWS[table][0])
    if not isinstance(name, str):
        return {}
    spec = TABLES[KEYS[FOLLOWS[table][0]]]
    rows = list(csv.DictReader(io.StringIO((folder / name).read_text(encoding="utf-8"))))
    col = spec.value_column if rows and spec.value_column in rows[0] else "value"
    return {tuple(r[d] for d in spec.dims): float(r[col]) for r in rows}


def spread_csv(path: Path, table: str) -> int:
    """Add the spread columns to the estimated rows of one CSV table; the number of rows."""
    text = path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or "estimate" not in rows[0]:
        return 0
    header = [h for h in next(csv.reader(io.StringIO(text))) if h not in CSV_COLS]
    spec = TABLES[KEYS.get(table, table)]
    value_col = spec.value_column if spec.value_column in rows[0] else "value"
    used: set[str] = set()
    leader = _leader_values(path.parent, table)
    n = 0
    for r in rows:
        for c in CSV_COLS:
            r[c] = ""
        if str(r["estimate"]).strip().lower() in TRUE:
            v = float(r[value_col])
            lv = leader.get(tuple(r[d] for d in spec.dims))
            same = lv is not None and abs(lv - v) <= 1e-9 * max(1.0, abs(v))
            cells = _csv_cells(spread_of(table, v, equal_to_leader=same))
            r.update(cells)
            used |= {c for c, v in cells.items() if v}
            n += 1
    cols = header + [c for c in CSV_COLS if c in used]
    out = io.StringIO()
    w = csv.DictWriter(out, cols, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)
    if out.getvalue() != text:
        path.write_text(out.getvalue(), encoding="utf-8")
    return n


def _yaml_fields(spread: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    if "low" in spread:
        out.append(("range", f"[{_num(spread['low'])}, {_num(spread['high'])}]"))
    out.append(("distribution", spread["distribution"]))
    if "follows" in spread:
        out.append(("follows", spread["follows"]))
    for k in ("values", "weights"):
        if k in spread:
            out.append((k, "[" + ", ".join(_num(x) for x in spread[k]) + "]"))
    out.append(("range_note", json.dumps(spread["range_note"], ensure_ascii=False)))
    return out


_SPREAD_KEYS = ("range", "distribution", "values", "weights", "follows", "range_note", "sd")


def _numbers(data: Any, path: tuple[Any, ...]) -> list[tuple[tuple[Any, ...], str, float]]:
    """(path, rule table, value) of every estimated number under a table key."""
    out = []
    if isinstance(data, dict):
        if "value" in data and not isinstance(data["value"], dict | list):
            if data.get("estimate") is True:
                out.append((path, "", float(data["value"])))
            return out
        for k, v in data.items():
            out += _numbers(v, (*path, k))
    return out


def spread_yaml(path: Path) -> int:
    """Insert the spread fields into the estimated numbers of ``scenario.yaml``."""
    text = path.read_text(encoding="utf-8")
    data, lines = load_yaml_text(text, str(path))
    found: list[tuple[tuple[Any, ...], str, float]] = []
    for key, val in data.items():
        if key in KEYS and not isinstance(val, str):
            found += [(p, key, v) for p, _, v in _numbers(val, (key,))]
    for k, rec in enumerate(data.get("factors") or []):
        for p, _, v in _numbers(rec.get("coefficients") or {}, ("factors", k, "coefficients")):
            found.append((p, f"factors.{rec['id']}", v))
        avail = rec.get("availability")
        avail = avail.get("value") if isinstance(avail, dict) else avail
        if rec.get("estimate") is True and isinstance(avail, int | float):
            found.append((("factors", k, "availability"), "factor_availability", float(avail)))
    src = text.split("\n")
    # strip spreads written before (the rules may have changed), then write them afresh
    edits: dict[int, list[tuple[tuple[Any, ...], str, float]]] = {}
    for item in found:
        p = item[0]
        ln = lines.line((*p, "estimate")) if p[-1] != "availability" else lines.line(p)
        assert ln is not None
        edits.setdefault(ln - 1, []).append(item)
    # block-style spreads written by an earlier run sit on their own lines: drop them
    drop = set()
    for i in edits:
        ind = len(src[i]) - len(src[i].lstrip())
        j = i + 1
        key = re.compile(rf"^ {{{ind}}}({'|'.join(_SPREAD_KEYS)}):")
        more = re.compile(rf"^( {{{ind + 1},}}\S| {{{ind}}}- )")  # a value's continuation
        while j < len(src) and key.match(src[j]):
            drop.add(j)
            j += 1
            while j < len(src) and more.match(src[j]):
                drop.add(j)
                j += 1
    n = 0
    for i, items in sorted(edits.items()):
        line = src[i]
        if len(items) > 1:
            raise SystemExit(f"{path}:{i + 1}: several estimates on one line; write them one "
                             "per line")
        p, table, v = items[0]
        fields = _yaml_fields(spread_of(table, v))
        if p[-1] == "availability":
            flow = ", ".join(f"{k}: {val}" for k, val in fields)
            line = re.sub(r"(availability:\s*)(\{value:\s*)?([-+0-9.eE]+)(,[^}]*)?(\})?",
                          rf"\g<1>{{value: \g<3>, {flow}}}", line, count=1)
            src[i] = line
        elif "{" in line:  # flow style: the fields follow 'estimate: true'
            line = re.sub(r",\s*(range|distribution|values|weights|follows|range_note|sd):\s*"
                          r"(\[[^\]]*\]|\"(?:[^\"\\]|\\.)*\"|[^,}]*)", "", line)
            flow = ", ".join(f"{k}: {val}" for k, val in fields)
            src[i] = line.replace("estimate: true", f"estimate: true, {flow}", 1)
        else:
            ind = " " * (len(line) - len(line.lstrip()))
            src[i] = line + "".join(f"\n{ind}{k}: {val}" for k, val in fields)
        n += 1
    new = "\n".join(s for j, s in enumerate(src) if j not in drop)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return n


def apply(folder: Path) -> int:
    """Write the spreads of one scenario folder; the number of figures given one."""
    import yaml

    meta = yaml.safe_load((folder / "scenario.yaml").read_text(encoding="utf-8"))
    n = 0
    for key, val in meta.items():
        if isinstance(val, str) and val.endswith(".csv") and key in KEYS:
            n += spread_csv(folder / val, key)
    return n + spread_yaml(folder / "scenario.yaml")


if __name__ == "__main__":
    for f in [Path(a) for a in sys.argv[1:]] or FOLDERS:
        print(f"{f.name}: {apply(f)} estimates with a spread")
