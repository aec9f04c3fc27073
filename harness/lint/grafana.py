"""Grafana dashboards as written in the wild, made lintable before parsing.

- Legacy dashboards (schema < 16) keep panels in ``rows: [{panels: [...]}]``; rows can
  also nest rows. Both become one flat ``panels`` list.
- Library panels (``libraryPanel`` without ``targets``) keep their queries in Grafana's
  library: skipped, with a note.
- Template variables and built-ins (``$__rate_interval``, ``$__interval``,
  ``$__range``, ``$var``, ``${var}``, ``${var:csv}``, ``[[var]]``) are not PromQL: they
  are replaced before parsing, by a duration inside ``[...]`` and by the variable's name
  elsewhere (a label value or name that parses and matches like the real one).
"""

from __future__ import annotations

import re
from typing import Any

_VARIABLE = re.compile(r"\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]|\$([A-Za-z_]\w*)")
_DURATION_BUILTINS = {"__rate_interval": "5m", "__interval": "1m", "__range": "1h"}
_NUMBER_BUILTINS = {"__range_s": "3600", "__range_ms": "3600000", "__interval_ms": "60000"}
DEFAULT_WINDOW = "5m"  # what a `[$window]` variable stands for


def is_dashboard_like(document: Any) -> bool:
    if isinstance(document, dict) and isinstance(document.get("dashboard"), dict):
        document = document["dashboard"]
    return isinstance(document, dict) and (isinstance(document.get("panels"), list)
                                           or isinstance(document.get("rows"), list))


def normalise(document: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A copy with a flat ``panels`` list and substituted queries, and notes on skips."""
    wrapped = isinstance(document.get("dashboard"), dict)
    inner = dict(document["dashboard"] if wrapped else document)
    notes: list[str] = []
    panels = list(_flatten(list(inner.get("panels") or []) + list(inner.get("rows") or [])))
    kept = []
    for panel in panels:
        if isinstance(panel.get("libraryPanel"), dict) and not panel.get("targets"):
            name = panel["libraryPanel"].get("name") or panel["libraryPanel"].get("uid")
            notes.append(f"library panel {name!r} skipped: its queries live in Grafana")
            continue
        kept.append(_substituted(panel))
    inner["panels"] = kept
    inner.pop("rows", None)
    return ({**document, "dashboard": inner} if wrapped else inner), notes


def _flatten(items: list[Any]) -> list[dict[str, Any]]:
    """Panels of panels, rows (new: type row; legacy: a rows entry) and nested rows."""
    flat: list[dict[str, Any]] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        nested = item.get("panels")
        if item.get("type") == "row" or (isinstance(nested, list) and "targets" not in item):
            flat += _flatten(list(nested or []))
        else:
            flat.append(item)
    return flat


def _substituted(panel: dict[str, Any]) -> dict[str, Any]:
    targets = []
    for target in panel.get("targets") or []:
        if isinstance(target, dict) and isinstance(target.get("expr"), str):
            target = {**target, "expr": substitute(target["expr"])}
        targets.append(target)
    return {**panel, "targets": targets}


def substitute(expr: str) -> str:
    """The query with Grafana variables replaced by PromQL that parses."""
    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2) or match.group(3)
        before = expr[:match.start()].rstrip()
        if name in _NUMBER_BUILTINS:
            return _NUMBER_BUILTINS[name]
        if before.endswith(("[", ":")) or name in _DURATION_BUILTINS:
            return _DURATION_BUILTINS.get(name, DEFAULT_WINDOW)
        return name.lstrip("_") or "var"
    return _VARIABLE.sub(replace, expr)
