"""Load any Prometheus rule file into AlertRule / RecordingRule objects, with file and line.

Checks what Prometheus 2.42's rulefmt checks (keys, exactly one of record/alert, expr,
names) and parses every expression with promql_parser. Every problem is a RuleError
naming the file, the line and the rule. ``promtool check rules`` remains the last word
(``harness.rules.promtool``): it also checks label and annotation templates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from harness.durations import parse_ms
from harness.errors import RuleError
from harness.rules import promql
from harness.rules.model import AlertRule, RecordingRule, RuleFile, RuleGroup
from harness.rules.recorded import resolve_groups
from harness.yamlsource import Source, node_line, read_text

TOP_KEYS = ("groups",)
GROUP_KEYS = ("name", "interval", "limit", "rules")
RULE_KEYS = ("record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations")
_METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


def load_rules(path: Path | str) -> RuleFile:
    path = Path(path)
    return load_rules_text(read_text(path, RuleError, "rule file"), path)


def load_rules_text(text: str, source: Path | str) -> RuleFile:
    src = Source(text, source, RuleError)
    root = src.root()
    if root is None:  # an empty file: promtool accepts it too (0 rules)
        return RuleFile(source=src.path, groups=(), document={"groups": []})
    top = src.mapping(root, "the rule file", TOP_KEYS)
    if "groups" not in top:
        raise src.fail(root, "The rule file has no 'groups' list")
    groups: list[RuleGroup] = []
    seen: dict[str, int] = {}
    for i, node in enumerate(src.sequence(top["groups"][1], "groups")):
        group = _group(src, node, f"groups[{i}]")
        if group.name in seen:
            raise src.fail(
                node,
                f"Group name {group.name!r} is repeated (first on line {seen[group.name]})",
                key=f"group {group.name!r}",
            )
        seen[group.name] = group.line
        groups.append(group)
    # Alerts reading this file's recording rules lag by their windows too.
    resolved = resolve_groups(groups)
    return RuleFile(source=src.path, groups=resolved, document=src.value(root))


def alert_names(rules: RuleFile | Iterable[AlertRule | RuleFile]) -> list[str]:
    """Distinct alert names, in file order."""
    items = [rules] if isinstance(rules, RuleFile) else list(rules)
    names: dict[str, None] = {}
    for item in items:
        for rule in item.alerts if isinstance(item, RuleFile) else (item,):
            names.setdefault(rule.name, None)
    return list(names)


def _group(src: Source, node: yaml.Node, where: str) -> RuleGroup:
    items = src.mapping(node, where, GROUP_KEYS)
    if "name" not in items or not src.string(items["name"][1], f"{where}.name"):
        raise src.fail(node, "The rule group has no name", key=where)
    name = src.string(items["name"][1], f"{where}.name")
    where = f"group {name!r}"
    interval_s = _duration(src, items, "interval", where)
    limit = None
    if "limit" in items:
        value = src.value(items["limit"][1])
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise src.fail(items["limit"][1], "'limit' must be a whole number >= 0", key=where)
        limit = value
    rules = tuple(
        _rule(src, rule_node, name, interval_s, f"{where}, rules[{j}]")
        for j, rule_node in enumerate(
            src.sequence(items["rules"][1], f"{where}.rules") if "rules" in items else []
        )
    )
    return RuleGroup(
        name=name,
        source=src.path,
        line=node_line(node),
        interval_s=interval_s,
        limit=limit,
        rules=rules,
    )


_Items = dict[str, tuple[yaml.Node, yaml.Node]]


def _rule(
    src: Source, node: yaml.Node, group: str, interval_s: float | None, where: str
) -> AlertRule | RecordingRule:
    where = _rule_where(node, where)
    items = src.mapping(node, where, RULE_KEYS)
    if ("alert" in items) == ("record" in items):
        raise src.fail(node, "A rule needs exactly one of 'alert' or 'record'", key=where)
    kind = "alert" if "alert" in items else "record"
    key_node, name_node = items[kind]
    name = src.string(name_node, f"{where}.{kind}")
    if not name:
        raise src.fail(name_node, f"'{kind}' is empty", key=where)
    where = f"{kind} {name!r}"
    common = _common(src, node, items, where)
    # A name merged in (`- <<: *anchor`) is written at the anchor: the rule's own line.
    inside = node.start_mark.index <= key_node.start_mark.index < node.end_mark.index
    common.update(name=name, group=group, source=src.path,
                  line=node_line(key_node) if inside else node_line(node),
                  group_interval_s=interval_s)
    if kind == "record":
        for forbidden in ("for", "keep_firing_for", "annotations"):
            if forbidden in items:
                raise src.fail(items[forbidden][0],
                               f"Invalid field {forbidden!r} in a recording rule", key=where)
        if not _METRIC_NAME.match(name):
            raise src.fail(name_node, f"Invalid recording rule name {name!r}", key=where)
        return RecordingRule(**common)
    annotations = _annotations(src, items, where)
    return AlertRule(
        **common,
        for_s=_duration(src, items, "for", where) or 0.0,
        keep_firing_for_s=_duration(src, items, "keep_firing_for", where) or 0.0,
        annotations=annotations,
    )


def _common(src: Source, node: yaml.Node, items: _Items, where: str) -> dict[str, Any]:
    """What alerting and recording rules share: the expression, its windows, the labels."""
    if "expr" not in items:
        raise src.fail(node, "The rule has no 'expr'", key=where)
    expr_key, expr_node = items["expr"]
    expr = src.string(expr_node, f"{where}.expr").strip()
    if not expr:
        raise src.fail(expr_node, "'expr' is empty", key=f"{where}, expr")
    try:
        parsed = promql.parse(expr)
    except promql.PromQLError as exc:
        raise src.fail(
            expr_node, f"PromQL does not parse: {exc}\n  expr: {expr}", key=f"{where}, expr"
        ) from None
    labels = src.string_map(items["labels"][1], f"{where}.labels") if "labels" in items else {}
    for label in labels:
        if not _LABEL_NAME.match(label) or label == "__name__":
            raise src.fail(items["labels"][1], f"Invalid label name {label!r}", key=where)
    return {
        "expr": expr,
        "expr_line": node_line(expr_key),
        "labels": labels,
        "max_range_s": promql.lookback_s(parsed),
        "uses_range": promql.uses_range(parsed),
    }


def _annotations(src: Source, items: _Items, where: str) -> dict[str, str]:
    if "annotations" not in items:
        return {}
    annotations = src.string_map(items["annotations"][1], f"{where}.annotations")
    for annotation in annotations:
        if not _LABEL_NAME.match(annotation):
            raise src.fail(
                items["annotations"][1], f"Invalid annotation name {annotation!r}", key=where
            )
    return annotations


def _rule_where(node: yaml.Node, fallback: str) -> str:
    """`alert 'X'` for messages, read before the rule is validated."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value in ("alert", "record") and isinstance(value, yaml.ScalarNode):
                return f"{key.value} {value.value!r}"
    return fallback


def _duration(src: Source, items: _Items, key: str, where: str) -> float | None:
    if key not in items:
        return None
    node = items[key][1]
    try:
        return parse_ms(src.string(node, f"{where}.{key}")) / 1000
    except ValueError as exc:
        raise src.fail(node, f"{key}: {exc}", key=where) from None
