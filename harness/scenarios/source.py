"""YAML with source positions: every mapping key and sequence item keeps its line.

``PositionLoader`` is a ``yaml.SafeLoader`` subclass (nothing is patched globally):
mappings come back as ``LineDict`` and sequences as ``LineList``, plain ``dict`` and
``list`` subclasses that carry the 1-based line of each key / item. ``line_of`` then
turns a key path such as ``("expect", 0, "alert")`` into the line to print. Duplicate
keys, which PyYAML silently lets the last one win, are refused with both lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

Key = str | int
KeyPath = tuple[Key, ...]


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
    """Raised for a key that appears twice in one mapping."""


class PositionLoader(yaml.SafeLoader):
    """SafeLoader whose mappings and sequences remember the line of each entry."""

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
            data.lines.append(_line(item))


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


PositionLoader.add_constructor("tag:yaml.org,2002:map", PositionLoader.construct_yaml_map)
PositionLoader.add_constructor("tag:yaml.org,2002:seq", PositionLoader.construct_yaml_seq)


def load_yaml(text: str) -> Any:
    """Parse one YAML document with positions; raises ``yaml.YAMLError`` on bad YAML."""
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
