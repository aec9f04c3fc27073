"""Tell a rule file, a Kubernetes PrometheusRule, a Grafana dashboard and an
Alertmanager configuration apart by content, and load each with the loader that keeps
its source positions. Valid YAML of another kind (promtool test files, other
manifests) is skipped with the reason, never refused."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from harness.dashboards import Dashboard, DashboardError, parse_dashboard
from harness.errors import InputError
from harness.lint.amdoc import AmDoc, load_amdoc
from harness.lint.grafana import is_dashboard_like, normalise
from harness.rules.load import load_rules_text
from harness.rules.model import RuleFile
from harness.yamlsource import LimitedLoader, Source, read_text


@dataclass(frozen=True)
class Skipped:
    """A readable file with nothing to lint, and why."""

    path: Path
    reason: str


Input = RuleFile | Dashboard | AmDoc | Skipped
_AM_KEYS = frozenset({"route", "receivers", "inhibit_rules"})
_PROMTOOL_TEST_KEYS = frozenset({"rule_files", "tests"})
_SLO_KEYS = frozenset({"service", "indicators"})


@dataclass(frozen=True)
class Loaded:
    item: Input
    text: str = ""  # the rules as promtool should see them ("" : not a rule file)
    note: str = ""  # what was linted of a file that is not plainly one kind
    refers: tuple[Path, ...] = ()  # rule files a promtool test names (to lint as well)


def read_input(path: Path | str) -> Loaded:
    path = Path(path)
    text = read_text(path)  # a regular UTF-8 text file, or InputError with its line
    if text.lstrip().startswith("{"):  # JSON: a dashboard (JSON is YAML, but errors read better)
        return _json(text, path)
    if _multi_document(text):
        return Loaded(Skipped(path, "a multi-document YAML stream: give each document as "
                                    "its own file to lint it"))
    root = Source(text, path, InputError).root()  # invalid YAML: InputError with its line
    keys = {str(k.value) for k, _ in root.value} if isinstance(root, yaml.MappingNode) else set()
    if "groups" in keys:
        return Loaded(load_rules_text(text, path), text)
    if keys & _AM_KEYS:
        return Loaded(load_amdoc(text, path))
    if keys >= _PROMTOOL_TEST_KEYS:
        assert isinstance(root, yaml.MappingNode)
        named = _rule_files(root, path)
        return Loaded(Skipped(path, "a promtool unit-test file: run `promtool test rules` on "
                                    "it; the rule files it names are linted"), refers=named)
    if keys >= _SLO_KEYS:
        return Loaded(Skipped(path, "a harness SLO definition: `harness slo generate` writes "
                                    "its rules; lint those"))
    assert root is None or isinstance(root, yaml.Node)
    groups = _spec_groups(root)
    if groups is not None:
        rules = _embedded(text, *groups)
        note = "a PrometheusRule manifest: its spec.groups linted"
        return Loaded(load_rules_text(rules, path), rules, note)
    return Loaded(Skipped(path, "not a Prometheus rule file ('groups:'), PrometheusRule "
                                "manifest, Alertmanager configuration or Grafana dashboard"))


def _json(text: str, path: Path) -> Loaded:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DashboardError(f"invalid JSON: {exc.msg}", path=path, line=exc.lineno) from None
    if not is_dashboard_like(document):
        return Loaded(Skipped(path, "JSON that is not a Grafana dashboard (no 'panels' or "
                                    "'rows')"))
    document, notes = normalise(document)
    return Loaded(parse_dashboard(document, path), note="; ".join(notes))


def _rule_files(root: yaml.MappingNode, path: Path) -> tuple[Path, ...]:
    """The existing files a promtool test's `rule_files:` names (relative to the test)."""
    names = next((v for k, v in root.value if k.value == "rule_files"), None)
    items = names.value if isinstance(names, yaml.SequenceNode) else []
    found = [path.parent / str(n.value) for n in items if isinstance(n, yaml.ScalarNode)]
    return tuple(p for p in found if p.is_file())


def _multi_document(text: str) -> bool:
    try:
        return sum(1 for _ in yaml.compose_all(text, Loader=LimitedLoader)) > 1
    except yaml.YAMLError:
        return False  # Source.root() reports it with its line


def _spec_groups(root: yaml.Node | None) -> tuple[yaml.Node, yaml.Node] | None:
    """The `groups:` key and value under `spec:` of a Kubernetes PrometheusRule."""
    if not isinstance(root, yaml.MappingNode):
        return None
    top = {str(k.value): v for k, v in root.value}
    kind, spec = top.get("kind"), top.get("spec")
    if not (isinstance(kind, yaml.ScalarNode) and kind.value == "PrometheusRule"
            and isinstance(spec, yaml.MappingNode)):
        return None
    return next(((k, v) for k, v in spec.value if k.value == "groups"), None)


def _embedded(text: str, key: yaml.Node, value: yaml.Node) -> str:
    """The `groups:` block as a rule file of its own, dedented, on its original lines
    (every line above it left blank), so lines in findings are the manifest's."""
    lines = text.splitlines()
    start, column = key.start_mark.line, key.start_mark.column
    end = value.end_mark.line + (1 if value.end_mark.column else 0)
    body = [ln[column:] if not ln[:column].strip() else ln for ln in lines[start:end]]
    return "\n" * start + "\n".join(body) + "\n"
