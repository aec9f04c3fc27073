"""Alertmanager's route tree: which receivers a label set goes to, and with which timers.

The harness's one route model, and the one home of Alertmanager's timer defaults:
rendering, lint and the judge's notification windows (``harness.engine.plans``) all
read this tree. ``Route.match`` re-implements ``dispatch.Route.Match`` of Alertmanager
0.25 (depth first; a matching child stops its siblings unless it has ``continue:
true``; a route none of whose children match is itself the match) in-process, without
a subprocess per alert. Unit tests check it against ``amtool config routes test`` on
the spec's and other configurations.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from harness.durations import parse_seconds

# Alertmanager 0.25 defaults (config/config.go DefaultRouteOpts).
DEFAULT_GROUP_WAIT_S = 30.0
DEFAULT_GROUP_INTERVAL_S = 300.0
DEFAULT_REPEAT_INTERVAL_S = 4 * 3600.0

_MATCHER = re.compile(r"^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$", re.S)


@dataclass(frozen=True)
class Matcher:
    name: str
    op: str  # = != =~ !~
    value: str

    def matches(self, labels: Mapping[str, str]) -> bool:
        actual = labels.get(self.name, "")  # a missing label is the empty string
        if self.op in ("=", "!="):
            return (actual == self.value) == (self.op == "=")
        found = re.fullmatch(self.value, actual, re.S) is not None  # anchored, like Go's
        return found == (self.op == "=~")

    def __str__(self) -> str:
        return f"{self.name}{self.op}{json.dumps(self.value, ensure_ascii=False)}"


@dataclass(frozen=True)
class Route:
    """One node of the tree with its effective (inherited) settings, timers in seconds."""

    receiver: str
    matchers: tuple[Matcher, ...] = ()
    continue_: bool = False
    group_by: tuple[str, ...] = ()
    group_wait_s: float = DEFAULT_GROUP_WAIT_S
    group_interval_s: float = DEFAULT_GROUP_INTERVAL_S
    repeat_interval_s: float = DEFAULT_REPEAT_INTERVAL_S
    mute_time_intervals: tuple[str, ...] = ()
    active_time_intervals: tuple[str, ...] = ()
    path: str = "route"  # where it is in the configuration: route.routes[0].routes[1]
    routes: tuple[Route, ...] = field(default_factory=tuple)

    def match(self, labels: Mapping[str, str]) -> list[Route]:
        """Routes whose groups an alert with these labels joins (Route.Match)."""
        if not all(m.matches(labels) for m in self.matchers):
            return []
        matched: list[Route] = []
        for child in self.routes:
            found = child.match(labels)
            matched += found
            if found and not child.continue_:
                break
        return matched or [self]

    def walk(self) -> list[Route]:
        return [self, *(r for child in self.routes for r in child.walk())]

    def group_key(self, labels: Mapping[str, str]) -> tuple[str, tuple[tuple[str, str], ...]]:
        """The aggregation group an alert with ``labels`` joins on this route: the route
        and its ``group_by`` labels the alert has, every label for ``...``
        (dispatch/dispatch.go, ``getGroupLabels``)."""
        if "..." in self.group_by:
            return self.path, tuple(sorted(labels.items()))
        return self.path, tuple(sorted((k, labels[k]) for k in self.group_by if k in labels))

    def describe(self, indent: str = "") -> list[str]:
        """Readable lines for reports: matchers -> receiver, timers, continue."""
        what = ", ".join(map(str, self.matchers)) or "(everything)"
        line = (
            f"{indent}{what} -> {self.receiver}  [wait {self.group_wait_s:g}s, interval "
            f"{self.group_interval_s:g}s, repeat {self.repeat_interval_s:g}s"
            f"{', continue' if self.continue_ else ''}]"
        )
        return [line, *(ln for c in self.routes for ln in c.describe(indent + "  "))]


def receivers_for(route: Route, labels: Mapping[str, str]) -> list[str]:
    """Receivers notified for this label set, in route order, each once."""
    return list(dict.fromkeys(r.receiver for r in route.match(labels)))


def routes_to(tree: Route, receiver: str, labels: Mapping[str, str]) -> tuple[Route, ...]:
    """The matched routes (``Route.match``) that notify ``receiver``: one group each, so
    a receiver reached through two routes (``continue: true``) is notified by both."""
    return tuple(r for r in tree.match(labels) if r.receiver == receiver)


def parse_matchers(text: str) -> list[Matcher]:
    """One `matchers:` entry: `a="b"`, `a=~b.*`, or several, comma separated, in braces."""
    body = text.strip()
    if body.startswith("{") and body.endswith("}"):
        body = body[1:-1]
    matchers = []
    for part in _split_commas(body):
        if not part.strip():
            continue
        found = _MATCHER.match(part)
        if found is None:
            raise ValueError(f"bad matcher {part.strip()!r}")
        name, op, raw = found.groups()
        matchers.append(Matcher(name, op, _unquote(raw)))
    return matchers


def parse_route_tree(config: Mapping[str, Any]) -> Route:
    """The configuration's ``route`` as a tree of Routes with inherited settings."""
    return _route(config.get("route") or {}, None, "route")


def _route(raw: Mapping[str, Any], parent: Route | None, path: str) -> Route:
    matchers: list[Matcher] = []
    for name, value in (raw.get("match") or {}).items():
        matchers.append(Matcher(str(name), "=", str(value)))
    for name, value in (raw.get("match_re") or {}).items():
        matchers.append(Matcher(str(name), "=~", str(value)))
    for entry in raw.get("matchers") or []:
        matchers += parse_matchers(str(entry))

    def inherit(key: str, default: float) -> float:
        if key in raw:
            return parse_seconds(str(raw[key]))
        return getattr(parent, f"{key}_s") if parent else default

    node = Route(
        receiver=str(raw.get("receiver") or (parent.receiver if parent else "")),
        matchers=tuple(matchers),
        continue_=bool(raw.get("continue", False)),
        group_by=tuple(raw["group_by"])
        if "group_by" in raw
        else (parent.group_by if parent else ()),
        group_wait_s=inherit("group_wait", DEFAULT_GROUP_WAIT_S),
        group_interval_s=inherit("group_interval", DEFAULT_GROUP_INTERVAL_S),
        repeat_interval_s=inherit("repeat_interval", DEFAULT_REPEAT_INTERVAL_S),
        mute_time_intervals=tuple(raw.get("mute_time_intervals") or ()),
        active_time_intervals=tuple(raw.get("active_time_intervals") or ()),
        path=path,
    )
    children = tuple(
        _route(child, node, f"{path}.routes[{i}]")
        for i, child in enumerate(raw.get("routes") or [])
    )
    return replace(node, routes=children)


def _split_commas(text: str) -> list[str]:
    parts, current, quoted, escaped = [], "", False, False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            parts.append(current)
            current = ""
            continue
        current += char
    parts.append(current)
    return parts


def _unquote(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return str(json.loads(raw))
    return raw
