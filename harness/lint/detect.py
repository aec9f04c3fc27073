"""Tell a rule file, a Grafana dashboard and an Alertmanager configuration apart by
content, and load each with the loader that keeps its source positions."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from harness.dashboards import Dashboard, DashboardError, is_dashboard, parse_dashboard
from harness.errors import InputError
from harness.lint.amdoc import AmDoc, load_amdoc
from harness.rules.load import load_rules_text
from harness.rules.model import RuleFile
from harness.rules.yamlsrc import Source

Input = RuleFile | Dashboard | AmDoc
_AM_KEYS = frozenset({"route", "receivers", "inhibit_rules"})


def read_input(path: Path | str) -> Input:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", path=path) from None
    except IsADirectoryError:
        raise InputError("is a directory: give the files in it", path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", path=path) from None
    if text.lstrip().startswith("{"):  # JSON: a dashboard (JSON is YAML, but errors read better)
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DashboardError(f"invalid JSON: {exc.msg}", path=path,
                                 line=exc.lineno) from None
        if is_dashboard(document):
            return parse_dashboard(document, path)
        raise InputError("JSON that is not a Grafana dashboard (no 'panels' list)", path=path)
    root = Source(text, path, InputError).root()  # invalid YAML: InputError with its line
    keys = {str(k.value) for k, _ in root.value} if isinstance(root, yaml.MappingNode) else set()
    if "groups" in keys:
        return load_rules_text(text, path)
    if keys & _AM_KEYS:
        return load_amdoc(text, path)
    raise InputError(
        "cannot tell what this file is: expected a Prometheus rule file ('groups:'), an "
        "Alertmanager configuration ('route:', 'receivers:') or a Grafana dashboard (JSON "
        "with 'panels')", path=path)
