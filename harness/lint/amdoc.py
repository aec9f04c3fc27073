"""An Alertmanager configuration as read for the lint: the document, and the line of
each place a finding can point at (routes, receivers' fields, inhibit rules)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from harness.errors import ConfigError
from harness.yamlsource import Source
from harness.yamlsource import node_line as line_of


@dataclass(frozen=True)
class AmDoc:
    path: Path
    text: str
    doc: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)  # "route.routes[1]" -> line

    def line(self, where: str) -> int | None:
        """Line of ``where`` or of its closest enclosing place."""
        while where:
            if where in self.lines:
                return self.lines[where]
            where = where.rpartition(".")[0] if "." in where else ""
        return None


def load_amdoc(text: str, path: Path) -> AmDoc:
    src = Source(text, path, ConfigError)
    root = src.root()
    if root is None or not isinstance(root, yaml.MappingNode):
        raise ConfigError("the Alertmanager configuration is not a mapping", path=path)
    doc = src.value(root)
    lines: dict[str, int] = {}
    _index(root, "", lines)
    return AmDoc(path, text, doc, lines)


def _index(node: yaml.Node, where: str, lines: dict[str, int]) -> None:
    if where:
        lines.setdefault(where, line_of(node) if not isinstance(node, yaml.ScalarNode)
                         or node.style not in ("|", ">") else line_of(node) - 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = f"{where}.{key.value}" if where else str(key.value)
            lines.setdefault(child, line_of(key))
            _index(value, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, f"{where}[{i}]", lines)
