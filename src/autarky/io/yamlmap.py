"""YAML loading that remembers the line of every key and value.

``load_yaml`` returns plain Python data plus a :class:`LineMap` from each path (a tuple of keys
and list indices) to its 1-based line, so that a validator can name the exact place of an error.
Duplicate keys, which PyYAML silently overwrites, are errors here. So are documents nested
deeper than :data:`MAX_DEPTH` and aliases (``*name``) that would expand the document by more
than :data:`MAX_ALIAS_EXPANSION` values (a "billion laughs" bomb): both are refused before any
value is built, in time proportional to the text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from autarky.checks import quoted
from autarky.errors import ScenarioError

PathKey = tuple[str | int, ...]
#: Deepest nesting of mappings and lists a scenario file may have.
MAX_DEPTH = 64
#: Most values that aliases may add to a document when expanded.
MAX_ALIAS_EXPANSION = 100_000


class LineMap:
    """Lines of the nodes of one YAML document, by path.

    Examples
    --------
    >>> data, lines = load_yaml_text("a:\\n  b: 1\\n  c: [2, 3]\\n", "x.yaml")
    >>> lines.line(("a", "c", 1)), lines.line(("a", "missing"))
    (3, 1)
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self._lines: dict[PathKey, int] = {}

    def set(self, path: PathKey, line: int) -> None:
        self._lines[path] = line

    def line(self, path: PathKey) -> int | None:
        """Line of ``path``, or of its nearest ancestor that has one."""
        p = tuple(path)
        while p:
            if p in self._lines:
                return self._lines[p]
            p = p[:-1]
        return self._lines.get((), None)

    def error(self, path: PathKey, message: str) -> ScenarioError:
        """A :class:`ScenarioError` at ``path``."""
        field = ".".join(str(p) for p in path) or None
        return ScenarioError(message, file=self.file, line=self.line(path), field=field)


def _check_shape(node: yaml.Node, file: str) -> None:
    """Refuse a document nested deeper than MAX_DEPTH or whose aliases expand it by more than
    MAX_ALIAS_EXPANSION values. Iterative, each distinct node visited once."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(node, False)]
    while stack:
        n, done = stack.pop()
        if id(n) in size:
            continue
        kids: list[yaml.Node] = []
        if isinstance(n, yaml.MappingNode):
            kids = [x for pair in n.value for x in pair]
        elif isinstance(n, yaml.SequenceNode):
            kids = list(n.value)
        if not done:
            stack.append((n, True))
            stack.extend((k, False) for k in kids if id(k) not in size)
            continue
        size[id(n)] = 1 + sum(size.get(id(k), 1) for k in kids)
        depth[id(n)] = 1 + max((depth.get(id(k), 1) for k in kids), default=0)
        if depth[id(n)] > MAX_DEPTH:  # through aliases
            raise _too_deep(file, n.start_mark)
    total = size.get(id(node), 0)
    if total - len(size) > MAX_ALIAS_EXPANSION:
        raise ScenarioError(f"the YAML's aliases (*name) would expand it to {total:,} values "
                            f"from {len(size):,} written; at most {MAX_ALIAS_EXPANSION:,} more "
                            "are allowed (write the values out, or use CSV tables)", file=file)


def _line(event: Any) -> int | None:
    mark = getattr(event, "start_mark", None)
    return None if mark is None else int(mark.line) + 1


def _too_deep(file: str, mark: Any) -> ScenarioError:
    return ScenarioError(f"the YAML is nested more than {MAX_DEPTH} levels deep; a scenario "
                         "needs a few", file=file, line=mark.line + 1)


def _compose(loader: Any, file: str) -> yaml.Node | None:
    """The document's node graph, built from the parser's events without recursion (PyYAML's
    composer recurses once per level and takes seconds to fail on a deeply nested file), with
    the depth checked as it goes. An alias may only name a finished node (no cycles)."""
    loader.get_event()  # stream start
    if loader.check_event(yaml.StreamEndEvent):
        return None
    loader.get_event()  # document start
    anchors: dict[str, yaml.Node] = {}
    stack: list[tuple[yaml.Node, str | None]] = []  # open collections and their anchors
    pending: list[yaml.Node | None] = []  # a mapping's key waiting for its value
    root: yaml.Node | None = None
    aliases = False
    while not loader.check_event(yaml.DocumentEndEvent):
        ev: Any = loader.get_event()
        if isinstance(ev, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            done, anchor = stack.pop()
            pending.pop()
            done.end_mark = ev.end_mark
            if anchor:
                anchors[anchor] = done
            continue
        node: yaml.Node
        if isinstance(ev, yaml.AliasEvent):
            if ev.anchor not in anchors:
                raise ScenarioError(f"alias *{ev.anchor} names no finished value (anchors are "
                                    "written &name before the alias; no value may contain "
                                    "itself)", file=file, line=_line(ev))
            node = anchors[ev.anchor]
            aliases = True
        elif isinstance(ev, yaml.ScalarEvent):
            tag = ev.tag if ev.tag not in (None, "!") else loader.resolve(
                yaml.ScalarNode, ev.value, ev.implicit)
            start: Any = ev.start_mark  # libyaml's marks are of its own class
            end: Any = ev.end_mark
            node = yaml.ScalarNode(tag, ev.value, start, end, style=ev.style)
            if ev.anchor:
                anchors[ev.anchor] = node
        else:  # a sequence or a mapping starts
            kind = yaml.SequenceNode if isinstance(ev, yaml.SequenceStartEvent) else \
                yaml.MappingNode
            tag = ev.tag if ev.tag not in (None, "!") else loader.resolve(kind, None,
                                                                         ev.implicit)
            opened: Any = ev.start_mark
            node = kind(tag, [], opened, None, flow_style=ev.flow_style)
        if stack:
            parent = stack[-1][0]
            if isinstance(parent, yaml.SequenceNode):
                parent.value.append(node)
            elif pending[-1] is None:
                pending[-1] = node
            else:
                parent.value.append((pending[-1], node))
                pending[-1] = None
        else:
            root = node
        if isinstance(node, yaml.SequenceNode | yaml.MappingNode) and not isinstance(
                ev, yaml.AliasEvent):
            if len(stack) >= MAX_DEPTH:
                raise _too_deep(file, ev.start_mark)
            stack.append((node, ev.anchor))
            pending.append(None)
    loader.get_event()  # document end
    if not loader.check_event(yaml.StreamEndEvent):
        raise ScenarioError("a scenario file holds one YAML document (found a second '---')",
                            file=file, line=_line(loader.peek_event()))
    if root is not None and aliases:  # without aliases the depth was checked as it went
        _check_shape(root, file)
    return root


def _convert(node: yaml.Node, path: PathKey, lines: LineMap, loader: Any) -> Any:
    lines.set(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)):
                raise ScenarioError("mapping keys must be plain values", file=lines.file,
                                    line=key_node.start_mark.line + 1,
                                    field=".".join(map(str, path)) or None)
            key = str(key) if not isinstance(key, str) else key
            if key in out:
                raise ScenarioError(f"duplicate key {quoted(key)}", file=lines.file,
                                    line=key_node.start_mark.line + 1,
                                    field=".".join(map(str, (*path, key))))
            out[key] = _convert(value_node, (*path, key), lines, loader)
            lines.set((*path, key), key_node.start_mark.line + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), lines, loader) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


#: The C parser of libyaml where PyYAML has it (several times faster on large files).
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", None)


def load_yaml_text(text: str, file: str = "<string>") -> tuple[Any, LineMap]:
    """Parse YAML text into data and a :class:`LineMap`; syntax errors become ScenarioError.

    The C parser reads; a file it refuses is parsed again by the pure-Python one, whose messages
    the errors quote."""
    if _FAST_LOADER is not None:
        lines = LineMap(file)
        fast = _FAST_LOADER(text)
        try:
            node = _compose(fast, file)
            return (None if node is None else _convert(node, (), lines, fast)), lines
        except yaml.YAMLError:
            pass
        finally:
            fast.dispose()
    lines = LineMap(file)
    try:
        loader = yaml.SafeLoader(text)
    except yaml.YAMLError as exc:  # the reader refuses control characters at once
        raise ScenarioError(f"invalid YAML: {exc}", file=file) from None
    try:
        node = _compose(loader, file)
        if node is None:
            return None, lines
        return _convert(node, (), lines, loader), lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ScenarioError(f"invalid YAML: {exc.problem or exc}", file=file, line=line) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"invalid YAML: {exc}", file=file) from None
    finally:
        loader.dispose()


def load_yaml(path: str | Path) -> tuple[Any, LineMap]:
    """Read a YAML file into data and a :class:`LineMap`."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"cannot read file: {exc}", file=str(p)) from None
    return load_yaml_text(text, str(p))
