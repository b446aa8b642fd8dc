"""Fuzzing the command line (issue 9): Hypothesis-driven mutations of the bundled scenarios,
of option values and of output paths. Each case must end with exit 0, 1 or 2 (0 only where
the mutation leaves a valid input), no traceback and no internal error, the file or option at
fault named, and in under 10 s.

``make test`` runs a fixed-seed profile (a few dozen cases per test, the same every run);
``make fuzz`` (``AUTARKY_FUZZ=long``) runs a longer, random one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autarky import data
from autarky.cli.app import EXIT_INTERNAL, main

LONG = os.environ.get("AUTARKY_FUZZ") == "long"
FUZZ = settings(max_examples=400 if LONG else 60, derandomize=not LONG, deadline=None,
                database=None, print_blob=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
#: Longest a case may take (issue 9).
LIMIT_S = 10.0

SCENARIOS = {name: data.dataset(name).path for name in ("textbook", "dprk-1963",
                                                         "seven-year-plan")}

#: Values a malformed file may hold where a number, an id or a table should be.
BAD_VALUES: list[Any] = [None, "", "abc", "nan", "-inf", float("nan"), float("inf"),
                         float("-inf"), 1e308, -1e308, -1, 0, 10**30, True, [], {}, [1, [2]],
                         {"a": {"b": None}}, "x" * 5000, "../../etc/passwd", "../x", "📈",
                         "Ünïcödé", "a\nb", " ", "0x1F", "1,5", "1e-400", "x\0.csv", "n" * 3000 + ".csv",
                         10**20, -(10**20)]
BAD_CELLS = ["nan", "NaN", "inf", "-inf", "1e308", "-1", "abc", "", "../x", "ü", '"', "1;2",
             "0x10", "1e-400", "  3  ", "\t", "null", "True"]


def check(capsys: pytest.CaptureFixture[str], argv: list[str], named: list[str],
          valid_possible: bool = True) -> int:
    """Run the command in-process; assert the issue's conditions; return the exit code."""
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rc = main(argv)
    took = time.perf_counter() - t0
    numeric = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert not numeric, (argv, numeric)  # overflow or NaN on the way: refuse the input instead
    err = " ".join(capsys.readouterr().err.split())
    assert took < LIMIT_S, f"{argv}: {took:.1f} s"
    assert rc != EXIT_INTERNAL and "internal error" not in err, err
    assert "Traceback" not in err, err
    assert rc in ((0, 1, 2) if valid_possible else (1, 2)), (rc, err)
    if rc == 2:
        assert any(n in err for n in named), (named, err)
    return rc


@contextmanager
def copy_of(name: str) -> Iterator[Path]:
    """A copy of a bundled scenario in a fresh folder: the YAML file itself (textbook) or the
    folder's scenario.yaml (the folder copied with its tables)."""
    src = SCENARIOS[name]
    with tempfile.TemporaryDirectory() as tmp:
        if src.is_dir():
            dest = Path(tmp) / name
            shutil.copytree(src, dest)
            yield dest / "scenario.yaml"
        else:
            dest = Path(tmp) / src.name
            shutil.copy(src, dest)
            yield dest


def paths(tree: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path into a nested YAML value (mapping keys and list indices)."""
    yield prefix
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from paths(v, (*prefix, k))
    elif isinstance(tree, list):
        for i, v in enumerate(tree[:30]):
            yield from paths(v, (*prefix, i))


def mutate(tree: Any, path: tuple[Any, ...], op: str, value: Any) -> Any:
    """``tree`` with the node at ``path`` replaced, deleted, renamed or given an extra key."""
    if not path:
        return value if op == "replace" else tree
    parent = tree
    for p in path[:-1]:
        parent = parent[p]
    last = path[-1]
    if op == "replace":
        parent[last] = value
    elif op == "delete":
        del parent[last]
    elif op == "rename" and isinstance(parent, dict):
        parent[str(value)[:40] or "empty"] = parent.pop(last)
    elif op == "extra" and isinstance(parent, dict):
        parent[f"unknown_{str(value)[:20]}"] = value
    return tree


# ------------------------------------------------------------------ mutated YAML values

@FUZZ
@given(name=st.sampled_from(sorted(SCENARIOS)), pick=st.integers(0, 10**6),
       op=st.sampled_from(["replace", "replace", "delete", "rename", "extra"]),
       value=st.sampled_from(BAD_VALUES))
def test_mutated_yaml_values(name: str, pick: int, op: str, value: Any,
                             capsys: pytest.CaptureFixture[str]) -> None:
    with copy_of(name) as path:
        tree = yaml.safe_load(path.read_text(encoding="utf-8"))
        all_paths = list(paths(tree))
        target = all_paths[pick % len(all_paths)]
        tree = mutate(tree, target, op, value)
        path.write_text(yaml.safe_dump(tree, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
        # the message names the scenario file, or the table of its folder that no longer fits
        check(capsys, ["validate", str(path)], [str(path), str(path.parent)])


# ------------------------------------------------------------------ mutated text

def _text_mutation(text: str, kind: str, where: float, junk: str) -> str:
    k = int(where * len(text))
    lines = text.splitlines(keepends=True)
    j = int(where * (len(lines) - 1))
    return {
        "bom": "\ufeff" + text,
        "crlf": text.replace("\n", "\r\n"),
        "empty": "",
        "truncate": text[:k],
        "duplicate-line": "".join(lines[:j + 1] + lines[j:]),
        "drop-line": "".join(lines[:j] + lines[j + 1:]),
        "junk": text[:k] + junk + text[k:],
        "deep": text + "deep: " + "[" * 5000 + "]" * 5000 + "\n",
        "bomb": text + "b0: &b0 [1,1,1,1,1,1,1,1,1]\n" + "".join(
            f"b{i}: &b{i} [" + ",".join([f"*b{i - 1}"] * 9) + "]\n" for i in range(1, 10)),
        "duplicate-key": text + "name: again\n",
        "tabs": text.replace("  ", "\t"),
    }[kind]


#: Text mutations that leave the file valid (the rest may or may not).
VALID_TEXT = {"bom", "crlf"}
INVALID_TEXT = {"empty", "deep", "bomb", "duplicate-key"}


@FUZZ
@given(name=st.sampled_from(sorted(SCENARIOS)),
       kind=st.sampled_from(["bom", "crlf", "empty", "truncate", "duplicate-line", "drop-line",
                             "junk", "deep", "bomb", "duplicate-key", "tabs"]),
       where=st.floats(0, 1), junk=st.text(min_size=1, max_size=12))
def test_mutated_yaml_text(name: str, kind: str, where: float, junk: str,
                           capsys: pytest.CaptureFixture[str]) -> None:
    with copy_of(name) as path:
        text = path.read_text(encoding="utf-8")
        path.write_text(_text_mutation(text, kind, where, junk), encoding="utf-8",
                        newline="")
        rc = check(capsys, ["validate", str(path)], [str(path)],
                   valid_possible=kind not in INVALID_TEXT)
        if kind in VALID_TEXT:
            assert rc == 0


@FUZZ
@given(name=st.sampled_from(["dprk-1963", "seven-year-plan"]), pick=st.integers(0, 10**6),
       kind=st.sampled_from(["cell", "cell", "cell", "bom", "crlf", "empty", "truncate",
                             "duplicate-line", "drop-line", "drop-column", "junk"]),
       cell=st.sampled_from(BAD_CELLS), where=st.floats(0, 1),
       junk=st.text(min_size=1, max_size=12))
def test_mutated_csv_tables(name: str, pick: int, kind: str, cell: str, where: float, junk: str,
                            capsys: pytest.CaptureFixture[str]) -> None:
    with copy_of(name) as path:
        tables = sorted(path.parent.glob("*.csv"))
        table = tables[pick % len(tables)]
        text = table.read_text(encoding="utf-8")
        if kind == "cell":
            rows = text.splitlines()
            data_rows = [i for i, r in enumerate(rows) if r and not r.startswith("#")][1:]
            i = data_rows[pick % len(data_rows)]
            cells = rows[i].split(",")
            cells[(pick // 7) % len(cells)] = cell
            rows[i] = ",".join(cells)
            new = "\n".join(rows) + "\n"
        elif kind == "drop-column":
            rows = text.splitlines()
            c = pick % max(1, len(rows[0].split(",")))
            new = "\n".join(",".join(x for k, x in enumerate(r.split(",")) if k != c)
                            for r in rows) + "\n"
        else:
            new = _text_mutation(text, kind, where, junk)
        table.write_text(new, encoding="utf-8", newline="")
        rc = check(capsys, ["validate", str(path)], [table.name, str(path)])
        if kind in VALID_TEXT:
            assert rc == 0


# ------------------------------------------------------------------ option values

NUMERIC_OPTIONS = [
    (["stress", "dprk-1963", "--shock", "partner:ussr"], "--weeks"),
    (["stress", "dprk-1963", "--shock", "partner:ussr"], "--duration"),
    (["stress", "dprk-1963", "--shock", "partner:ussr"], "--inventory-days"),
    (["autarky-cost", "textbook"], "--theta"),
    (["autarky-cost", "dprk-1963", "--branches", "coal"], "--scale-elasticity"),
    (["optimize", "dprk-1963"], "--min-fulfilment"),
]

numbers = st.one_of(st.integers(-10**12, 10**12).map(str),
                    st.floats(allow_nan=True, allow_infinity=True).map(repr),
                    st.sampled_from(["nan", "-inf", "1e308", "-0", "0", "1e-320", "", "abc",
                                     "1_000", "٣", "0x10"]))


@FUZZ
@given(case=st.sampled_from(NUMERIC_OPTIONS), value=numbers)
def test_option_values(case: tuple[list[str], str], value: str,
                       capsys: pytest.CaptureFixture[str]) -> None:
    argv, option = case
    check(capsys, [*argv, option, value], [option, "Invalid value", "No such option"])


shocks = st.one_of(
    st.text(max_size=30),
    st.builds(lambda kind, a, b: f"{kind}:{a}:{b}",
              st.sampled_from(["partner", "aid", "capacity", "demand", "nope"]),
              st.sampled_from(["ussr", "china", "coal", "steel", "", "nope", "../x", "ü"]),
              st.sampled_from(["0.5", "nan", "-1", "2", "1e308", "", "coal+steel", "x"])))


@settings(FUZZ, max_examples=200 if LONG else 20)  # a valid shock costs an LP and a run
@given(shock=shocks)
def test_shock_specs(shock: str, capsys: pytest.CaptureFixture[str]) -> None:
    check(capsys, ["stress", "dprk-1963", "--shock", shock, "--weeks", "20", "--duration", "5"],
          ["shock", "--shock", "Invalid value"])


# ------------------------------------------------------------------ output paths

def _nasty_paths(root: Path) -> list[str]:
    (root / "afile").write_text("x")
    (root / "foreign").mkdir(exist_ok=True)
    (root / "foreign" / "keep.txt").write_text("mine")
    (root / "dir").mkdir(exist_ok=True)
    if not (root / "link").exists():
        (root / "link").symlink_to(root / "dir")
    return ["/dev/null", "/proc/autarky-x", "/sys/autarky-x", str(root / "afile"),
            str(root / "afile" / "below"), str(root / "foreign"), str(root / "link"),
            str(root / ("n" * 300)), str(root / "new\nline"), str(root / "ünïcode"),
            str(root / "a" / ".." / "b"), "", "."]


@FUZZ
@given(command=st.sampled_from(["report", "export", "compare"]), pick=st.integers(0, 100),
       extra=st.text(min_size=1, max_size=20).filter(lambda s: "\x00" not in s))
def test_output_paths(command: str, pick: int, extra: str,
                      capsys: pytest.CaptureFixture[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        root = Path(tmp)
        mp.chdir(root)
        options = [*_nasty_paths(root), str(root / extra.replace("/", "_"))]
        target = options[pick % len(options)]
        argv = {"report": ["report", "textbook", "--out", target],
                "export": ["data", "export", "textbook", target],
                "compare": ["compare", "seven-year-plan", "--strategies", "free",
                            "--out", target]}[command]
        before = sorted(p.name for p in root.iterdir())
        rc = check(capsys, argv, [target, "Invalid value", "Missing"]
                   + ([str(Path(target).absolute())] if target in ("", ".") else []))
        assert (root / "foreign" / "keep.txt").read_text() == "mine"
        assert (root / "afile").read_text() == "x"
        if rc != 0:  # nothing written, no temporary folder left
            assert sorted(p.name for p in root.iterdir()) == before
