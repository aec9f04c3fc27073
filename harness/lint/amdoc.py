"""An Alertmanager configuration as read for the lint: the document, and the line of
each place a finding can point at (routes, receivers' fields, inhibit rules)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from harness.errors import ConfigError
from harness.receivers.render import check_duration
from harness.yamlsource import Source
from harness.yamlsource import node_line as line_of

_TIMERS = ("group_wait", "group_interval", "repeat_interval")


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
    _check_timers(src, root)
    lines: dict[str, int] = {}
    _index(root, "", lines)
    return AmDoc(path, text, doc, lines)


def _check_timers(src: Source, root: yaml.MappingNode) -> None:
    """Route timers and resolve_timeout that Alertmanager would refuse (`group_wait:
    banana`): one located error, as `harness run` gives, not a note or a traceback."""
    for key, value in root.value:
        if key.value == "route":
            _route_timers(src, value, "route")
        elif key.value == "global" and isinstance(value, yaml.MappingNode):
            for name, timer in value.value:
                if name.value == "resolve_timeout":
                    check_duration(src, timer, "global.resolve_timeout")


def _route_timers(src: Source, node: yaml.Node, where: str) -> None:
    # Lenient twin of receivers.render._check_timers: a bad shape is left to amtool here.
    if not isinstance(node, yaml.MappingNode):
        return  # other shapes are amtool's to report
    for key, value in node.value:
        if key.value in _TIMERS:
            check_duration(src, value, f"{where}.{key.value}")
        elif key.value == "routes" and isinstance(value, yaml.SequenceNode):
            for i, child in enumerate(value.value):
                _route_timers(src, child, f"{where}.routes[{i}]")


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
