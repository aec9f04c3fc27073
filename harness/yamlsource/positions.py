"""YAML parsed with source positions and bounded in size.

``PositionLoader`` (a ``yaml.SafeLoader`` subclass, nothing patched globally) returns
mappings as ``LineDict`` and sequences as ``LineList``: plain ``dict``/``list``
subclasses carrying the 1-based line of each key / item; ``line_of`` turns a key path
such as ``("expect", 0, "alert")`` into the line to print. Duplicate keys, which PyYAML
silently lets the last one win, are refused with both lines.

Both loaders here (``LimitedLoader`` keeps plain dicts, for node-level readers) bound
what a small file can make the harness do: nesting deeper than ``MAX_DEPTH`` (PyYAML's
composer recurses, so 500 levels is a RecursionError) and anchors/aliases expanding to
more than ``MAX_NODES`` values and ``ALIAS_FACTOR`` times the values written (an alias
bomb of under 1 KB expands to millions of items, which every later walk of the data pays
for; a big file without aliases is only bounded by ``read.MAX_BYTES``). Aliases
themselves stay allowed: they are common in Alertmanager configurations, and so are
merge keys in rule files (``merge``: resolved on the nodes, so every reader sees them). The size is
counted on the composed node graph, each anchored node once, so the check is linear.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from harness.yamlsource.merge import resolve_merges

Key = str | int
KeyPath = tuple[Key, ...]
MAX_DEPTH = 100
MAX_NODES = 200_000
ALIAS_FACTOR = 10


class LineDict(dict[Any, Any]):
    """A mapping from YAML; ``lines[key]`` is the line of the key, ``line`` its own start."""

    def __init__(self, *args: Any, line: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line = line
        self.lines: dict[Any, int] = {}


class LineList(list[Any]):
    """A sequence from YAML; ``lines[i]`` is the line where item ``i`` starts."""

    def __init__(self, *args: Any, line: int = 0) -> None:
        super().__init__(*args)
        self.line = line
        self.lines: list[int] = []


class DuplicateKeyError(yaml.MarkedYAMLError):
    """A key that appears twice in one mapping."""


class LimitError(yaml.MarkedYAMLError):
    """Nesting too deep, or aliases expanding too far."""


class LimitedLoader(yaml.SafeLoader):
    """SafeLoader refusing nesting deeper than MAX_DEPTH and expansion beyond MAX_NODES."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._mappings: list[MappingNode] = []  # in the order their composition ended

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise LimitError(
                    problem=f"nested deeper than {MAX_DEPTH} levels",
                    problem_mark=self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def compose_mapping_node(self, anchor: Any) -> MappingNode:
        node: MappingNode = super().compose_mapping_node(anchor)
        self._mappings.append(node)
        return node

    def compose_document(self) -> Node | None:
        self._mappings = []
        node = super().compose_document()
        resolve_merges(self._mappings, LimitError)  # `<<: *anchor`, for every reader
        self._mappings = []
        _check_expansion(node)  # merged keys count
        return node


def _check_expansion(root: Node | None) -> None:
    """Refuse a node graph whose aliases expand past MAX_NODES nodes or MAX_DEPTH levels."""
    known: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded size, expanded depth)
    open_nodes: set[int] = set()  # being measured: an alias to one is a cycle

    def measure(node: Node) -> tuple[int, int]:
        if id(node) in known:  # an alias: already measured where its anchor was
            return known[id(node)]
        if id(node) in open_nodes:
            raise LimitError(problem="an alias inside its own anchor (a recursive structure)",
                             problem_mark=node.start_mark)
        open_nodes.add(id(node))
        size, depth = 1, 0
        children: list[Node] = []
        if isinstance(node, SequenceNode):
            children = list(node.value)
        elif isinstance(node, MappingNode):
            children = [n for pair in node.value for n in pair]
        for child in children:
            child_size, child_depth = measure(child)
            size, depth = size + child_size, max(depth, child_depth)
        known[id(node)] = result = (size, depth + 1)
        open_nodes.discard(id(node))
        if (size > MAX_NODES and size > ALIAS_FACTOR * len(known)) or depth + 1 > MAX_DEPTH:
            what = f"{MAX_NODES} values" if size > MAX_NODES else f"{MAX_DEPTH} levels"
            raise LimitError(
                problem=f"anchors and aliases expand to more than {what}",
                problem_mark=node.start_mark,
            )
        return result

    if root is not None:
        measure(root)


class PositionLoader(LimitedLoader):
    """A LimitedLoader whose mappings and sequences remember the line of each entry."""

    def construct_yaml_map(self, node: MappingNode) -> Any:
        data = LineDict(line=node.start_mark.line + 1)
        yield data
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, list | dict):
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    "found an unhashable key",
                    key_node.start_mark,
                )
            if key in data:
                raise DuplicateKeyError(
                    problem=f"'{key}' (first on line {data.lines[key]})",
                    problem_mark=key_node.start_mark,
                )
            data[key] = self.construct_object(value_node, deep=True)
            data.lines[key] = key_node.start_mark.line + 1

    def construct_yaml_seq(self, node: SequenceNode) -> Any:
        data = LineList(line=node.start_mark.line + 1)
        yield data
        for item in node.value:
            data.append(self.construct_object(item, deep=True))
            data.lines.append(int(item.start_mark.line) + 1)


PositionLoader.add_constructor("tag:yaml.org,2002:map", PositionLoader.construct_yaml_map)
PositionLoader.add_constructor("tag:yaml.org,2002:seq", PositionLoader.construct_yaml_seq)


def parse_positions(text: str) -> Any:
    """One YAML document with positions; raises ``yaml.YAMLError`` on bad or oversized YAML."""
    return yaml.load(text, Loader=PositionLoader)  # a SafeLoader subclass


def line_of(data: Any, path: Sequence[Key]) -> int | None:
    """The line of the deepest entry of ``path`` that exists in ``data``.

    A path that runs past what the document holds (a missing key) gets the line of
    the last mapping or item that does exist, which is where the key belongs.
    """
    line = getattr(data, "line", None) or None
    node = data
    for key in path:
        if isinstance(node, LineDict) and key in node:
            line = node.lines.get(key, line)
            node = node[key]
        elif isinstance(node, LineList) and isinstance(key, int) and 0 <= key < len(node):
            line = node.lines[key]
            node = node[key]
        else:
            break
    return line


def format_path(path: Sequence[Key]) -> str:
    """``("expect", 0, "alert")`` -> ``expect[0].alert``."""
    out = ""
    for key in path:
        if isinstance(key, int):
            out += f"[{key}]"
        else:
            out += f".{key}" if out else str(key)
    return out


def node_line(node: Node) -> int:
    """1-based line of a node; for a block scalar (`|`, `>`), the line its text starts on."""
    line = int(node.start_mark.line) + 1
    if isinstance(node, ScalarNode) and node.style in ("|", ">"):
        line += 1
    return line
