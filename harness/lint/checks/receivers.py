"""Alertmanager receivers and deprecated syntax.

- am-template-group-field: a notification template reads `.Annotations`, `.Labels`...
  on the notification itself. Its dot is the group (template.Data: Receiver, Status,
  Alerts, GroupLabels, CommonLabels, CommonAnnotations, ExternalURL); per-alert fields
  exist only inside `{{ range .Alerts }}`. Rendering fails at notify time ("can't
  evaluate field Annotations in type *template.Data") and the notification is dropped.
- am-send-resolved: an integration whose send_resolved defaults to false (Slack, email,
  WeChat) without it: nobody learns that the incident is over.
- am-deprecated-match: `match`/`match_re` (routes) and `source_match`/`target_match`
  (inhibit rules) are deprecated since Alertmanager 0.22: use `matchers`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from harness.lint.amdoc import AmDoc
from harness.lint.model import Finding
from harness.receivers.render import SEND_RESOLVED_DEFAULT

GROUP_FIELD = "am-template-group-field"
SEND_RESOLVED = "am-send-resolved"
DEPRECATED_MATCH = "am-deprecated-match"
DATA_FIELDS = frozenset({"Receiver", "Status", "Alerts", "GroupLabels", "CommonLabels",
                         "CommonAnnotations", "ExternalURL"})
_ACTION = re.compile(r"\{\{-?(.*?)-?\}\}", re.S)
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`')
_FIELD = re.compile(r"(?<![\w$)\].])\.([A-Za-z_]\w*)")
_OPENS_SCOPE = re.compile(r"^\s*(range|with)\b")
_OPENS_BLOCK = re.compile(r"^\s*(if|define|block)\b")
_ENDS = re.compile(r"^\s*end\b")
_ROUTE_KEYS = ("match", "match_re")
_INHIBIT_KEYS = ("source_match", "source_match_re", "target_match", "target_match_re")


def check(am: AmDoc) -> list[Finding]:
    return _templates(am) + _send_resolved(am) + _deprecated(am)


def group_level_fields(template: str) -> list[str]:
    """Fields read on the notification's own dot that template.Data does not have."""
    bad: list[str] = []
    scopes: list[bool] = []  # True: a range/with block (dot changes); False: if/define
    for action in _ACTION.findall(template):
        code = _STRING.sub('""', action)
        if _ENDS.match(code):
            if scopes:
                scopes.pop()
            continue
        if not any(scopes):
            # `range .Alerts` reads .Alerts on the outer dot before the scope opens
            bad += [f for f in _FIELD.findall(code) if f not in DATA_FIELDS and f not in bad]
        if _OPENS_SCOPE.match(code):
            scopes.append(True)
        elif _OPENS_BLOCK.match(code):
            scopes.append(False)
    return bad


def _integrations(am: AmDoc) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(receiver name, e.g. "slack_configs[0]", where in the file, config)."""
    for i, receiver in enumerate(am.doc.get("receivers") or []):
        if not isinstance(receiver, dict):
            continue
        for kind, configs in receiver.items():
            if kind == "name" or not isinstance(configs, list):
                continue
            for j, config in enumerate(configs):
                if isinstance(config, dict):
                    yield (str(receiver.get("name")), f"{kind}[{j}]",
                           f"receivers[{i}].{kind}[{j}]", config)


def _templates(am: AmDoc) -> list[Finding]:
    found = []
    for name, kind, where, config in _integrations(am):
        for key, value in config.items():
            if not isinstance(value, str) or "{{" not in value:
                continue
            fields = group_level_fields(value)
            if not fields:
                continue
            use = {"Annotations": "CommonAnnotations", "Labels": "CommonLabels"}
            hint = ", ".join(f"`.{use[f]}`" for f in fields if f in use)
            found.append(Finding(
                GROUP_FIELD, am.path, f"receiver {name!r} {kind}.{key}",
                f"`{value}` reads {', '.join('.' + f for f in fields)} on the notification, "
                "which is a group (template.Data) and has no such field: rendering fails at "
                "notify time (\"can't evaluate field "
                f"{fields[0]} in type *template.Data\") and Alertmanager drops the "
                "notification.",
                (f"Use {hint} (values shared by all alerts of the group), or "
                 if hint else "Use ") + "`{{ range .Alerts }}...{{ end }}` for each alert's own.",
                line=am.line(f"{where}.{key}"),
            ))
    return found


def _send_resolved(am: AmDoc) -> list[Finding]:
    found = []
    for name, kind, where, config in _integrations(am):
        integration = kind.partition("[")[0]
        if SEND_RESOLVED_DEFAULT.get(integration, True) or "send_resolved" in config:
            continue
        found.append(Finding(
            SEND_RESOLVED, am.path, f"receiver {name!r} {kind}",
            f"{integration} default to send_resolved: false, and this one does not set it: the "
            "channel hears when an alert fires, never that it resolved, so people keep "
            "working an incident that is over (or learn nothing of a flapping one).",
            "Add `send_resolved: true`.",
            line=am.line(where),
        ))
    return found


def _deprecated(am: AmDoc) -> list[Finding]:
    found = []

    def route(node: Any, where: str) -> None:
        if not isinstance(node, dict):
            return
        for key in _ROUTE_KEYS:
            if key in node:
                found.append(_deprecation(am, where, key, node[key]))
        for i, child in enumerate(node.get("routes") or []):
            route(child, f"{where}.routes[{i}]")

    route(am.doc.get("route"), "route")
    for i, rule in enumerate(am.doc.get("inhibit_rules") or []):
        for key in _INHIBIT_KEYS if isinstance(rule, dict) else ():
            if key in rule:
                found.append(_deprecation(am, f"inhibit_rules[{i}]", key, rule[key]))
    return found


def _deprecation(am: AmDoc, where: str, key: str, value: Any) -> Finding:
    new = "matchers" if key.startswith("match") else key.split("_")[0] + "_matchers"
    op = "=~" if key.endswith("_re") else "="
    pairs = value.items() if isinstance(value, dict) else []
    example = "[" + ", ".join(f"'{k}{op}\"{v}\"'" for k, v in pairs) + "]"
    return Finding(
        DEPRECATED_MATCH, am.path, where,
        f"`{key}:` is deprecated since Alertmanager 0.22 and will be removed; it also "
        "cannot express negative matches.",
        f"Write `{new}: {example}` instead (same meaning, one string per matcher).",
        line=am.line(f"{where}.{key}"),
    )
