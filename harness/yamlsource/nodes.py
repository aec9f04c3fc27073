"""YAML read as nodes, for loaders that check a format by hand (rule files, Alertmanager
configurations) and want the line of every key and value they complain about."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from harness.errors import InputError
from harness.yamlsource.messages import unknown, yaml_error
from harness.yamlsource.positions import LimitedLoader, node_line


class Source:
    """One YAML text and the error class its problems are reported with."""

    def __init__(self, text: str, path: Path | str, error: type[InputError]) -> None:
        self.text = text
        self.path = Path(path)
        self.error = error
        self._loader: LimitedLoader | None = None

    def root(self) -> yaml.Node | None:
        """The document's root node; None for an empty document."""
        try:
            self._loader = LimitedLoader(self.text)  # its reader checks every character
            return self._loader.get_single_node()
        except yaml.YAMLError as exc:
            raise yaml_error(exc, self.path, self.error, self.text) from None

    def value(self, node: yaml.Node) -> Any:
        """The node as plain Python (dicts keep key order); after ``root()``."""
        assert self._loader is not None, "value() of a node that root() returned"
        try:
            return self._loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise self.fail(node, f"Invalid YAML value: {exc}") from None

    def fail(
        self, node: yaml.Node | None, message: str, key: str | None = None, hint: str | None = None
    ) -> InputError:
        return self.error(
            message, path=self.path, line=node_line(node) if node else None, key=key, hint=hint
        )

    def mapping(
        self, node: yaml.Node, where: str, allowed: Iterable[str] | None = None
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """Key -> (key node, value node); rejects non-mappings, duplicate and unknown keys."""
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"Expected a mapping, got {_kind(node)}", key=where)
        allowed = list(allowed) if allowed is not None else None
        items: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in items:
                first = node_line(items[key][0])
                raise self.fail(key_node, f"Duplicate key '{key}' (first on line {first})",
                                key=where)
            if allowed is not None and key not in allowed:
                message, hint = unknown("key", key, allowed)
                raise self.fail(key_node, message, key=where, hint=hint)
            items[key] = (key_node, value_node)
        return items

    def sequence(self, node: yaml.Node, where: str) -> list[yaml.Node]:
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"Expected a list, got {_kind(node)}", key=where)
        return list(node.value)

    def string(self, node: yaml.Node, where: str) -> str:
        """A scalar as written (Prometheus/Alertmanager decode `1` or `true` into strings)."""
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, f"Expected a string, got {_kind(node)}", key=where)
        return "" if node.tag.endswith(":null") else str(node.value)

    def string_map(self, node: yaml.Node, where: str) -> dict[str, str]:
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
            return {}
        items = self.mapping(node, where)
        return {k: self.string(v, f"{where}.{k}") for k, (_, v) in items.items()}


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return f"{node.value!r}" if node.value != "" else "nothing"
