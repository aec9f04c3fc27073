"""YAML read with its source positions (SafeLoader nodes carry marks), for errors that
name the file and line. Shared by the rule loader and the Alertmanager renderer."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from harness.errors import InputError


class Source:
    """One YAML text and the error class its problems are reported with."""

    def __init__(self, text: str, path: Path | str, error: type[InputError]) -> None:
        self.text = text
        self.path = Path(path)
        self.error = error
        self._loader = yaml.SafeLoader(text)

    def root(self) -> yaml.Node | None:
        try:
            return self._loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            if exc.context_mark and mark and mark.index >= len(self.text.rstrip()):
                mark = exc.context_mark  # "got <stream end>": where the open construct began
            problem = " ".join(p for p in (exc.context, exc.problem) if p)
            raise self.error(
                f"invalid YAML: {problem}",
                path=self.path,
                line=mark.line + 1 if mark else None,
            ) from None
        except yaml.YAMLError as exc:
            raise self.error(f"invalid YAML: {exc}", path=self.path) from None

    def value(self, node: yaml.Node) -> Any:
        """The node as plain Python (dicts keep key order)."""
        try:
            return self._loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise self.fail(node, f"invalid YAML value: {exc}") from None

    def fail(
        self, node: yaml.Node | None, message: str, key: str | None = None, hint: str | None = None
    ) -> InputError:
        return self.error(
            message, path=self.path, line=line_of(node) if node else None, key=key, hint=hint
        )

    def mapping(
        self, node: yaml.Node, where: str, allowed: Iterable[str] | None = None
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """Key -> (key node, value node); rejects non-mappings, duplicate and unknown keys."""
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{where} must be a mapping, got {_kind(node)}", key=where)
        allowed = list(allowed) if allowed is not None else None
        items: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in items:
                raise self.fail(key_node, f"duplicate key {key!r} in {where}", key=where)
            if allowed is not None and key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"valid keys: {', '.join(allowed)}"
                msg = f"unknown key {key!r} in {where}" + (
                    f" -> did you mean {close[0]!r}?" if close else ""
                )
                raise self.fail(key_node, msg, key=where, hint=hint)
            items[key] = (key_node, value_node)
        return items

    def sequence(self, node: yaml.Node, where: str) -> list[yaml.Node]:
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"{where} must be a list, got {_kind(node)}", key=where)
        return list(node.value)

    def string(self, node: yaml.Node, where: str) -> str:
        """A scalar as written (Prometheus/Alertmanager decode `1` or `true` into strings)."""
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, f"{where} must be a string, got {_kind(node)}", key=where)
        return "" if node.tag.endswith(":null") else str(node.value)

    def string_map(self, node: yaml.Node, where: str) -> dict[str, str]:
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
            return {}
        items = self.mapping(node, where)
        return {k: self.string(v, f"{where}.{k}") for k, (_, v) in items.items()}


def line_of(node: yaml.Node) -> int:
    """1-based line of a node; for a block scalar (`|`, `>`), the line its text starts on."""
    line = int(node.start_mark.line) + 1
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        line += 1
    return line


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return f"{node.value!r}" if node.value != "" else "nothing"
