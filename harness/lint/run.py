"""Lint files: each file's queries through the checks, then the upstream tools.

Rule files are read first, so their recording rules join the catalogue (a dashboard
or alert over `job:x:rate5m` knows its labels) and their alerts' labels can be routed
through the Alertmanager configurations of the same run. A file that cannot be read is
reported in ``LintReport.unreadable`` while every other file is still linted; files
with nothing to lint (promtool tests, other YAML) are listed as skipped, with why.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from harness.dashboards import Dashboard
from harness.errors import HarnessError
from harness.lint.catalogue import Catalogue
from harness.lint.checks import ALERT_CHECKS, QUERY_CHECKS, receivers, routes
from harness.lint.detect import Loaded, Skipped, read_input
from harness.lint.labels import infer
from harness.lint.model import Finding, LintOptions, Query
from harness.lint.suppress import suppressed
from harness.lint.tools import amtool_findings, promtool_findings
from harness.rules import promql
from harness.rules.model import AlertRule, RuleFile


@dataclass(frozen=True)
class LintedFile:
    path: Path
    kind: str  # "rules" | "dashboard" | "alertmanager" | "skipped"
    items: int  # rules, panels or receivers checked
    note: str = ""  # what was linted or skipped, and why


@dataclass(frozen=True)
class Unreadable:
    path: Path
    reason: str


@dataclass(frozen=True)
class LintReport:
    files: list[LintedFile]
    findings: list[Finding]
    unreadable: list[Unreadable] = field(default_factory=list)


def lint_paths(paths: Iterable[Path | str], options: LintOptions | None = None) -> LintReport:
    """Every readable file linted; an unreadable one is reported, never stops the rest."""
    options = options or LintOptions()
    inputs: list[tuple[Path, Loaded]] = []
    unreadable: list[Unreadable] = []
    queue = [Path(p) for p in paths]
    seen = {p.resolve() for p in queue}
    while queue:
        path = queue.pop(0)
        try:
            loaded = read_input(path)
        except HarnessError as exc:
            unreadable.append(Unreadable(path, str(exc)))  # names the file and line
            continue
        inputs.append((path, loaded))
        # A promtool test's rule files are linted too, once, after what was given.
        new = [r for r in loaded.refers if r.resolve() not in seen]
        seen |= {r.resolve() for r in new}
        queue += new
    rule_files = [i.item for _, i in inputs if isinstance(i.item, RuleFile)]
    options = replace(options, catalogue=_with_recording(rule_files, options))
    alerts = [a for f in rule_files for a in f.alerts]
    files, findings = [], []
    for path, loaded in inputs:
        found, linted = _lint_one(path, loaded, alerts, options)
        files.append(linted)
        found = suppressed(found, loaded.text) if loaded.text else found
        findings += sorted(found, key=lambda f: (f.line or 0, f.subject))
    kept = [f for f in findings if options.wants(f.check)]
    return LintReport(files, kept, unreadable)


def _lint_one(path: Path, loaded: Loaded, alerts: Sequence[AlertRule],
              options: LintOptions) -> tuple[list[Finding], LintedFile]:
    item, note = loaded.item, loaded.note
    if isinstance(item, Skipped):
        return [], LintedFile(path, "skipped", 0, item.reason)
    if isinstance(item, RuleFile):
        found = [f for q in rule_queries(item) for f in check_query(q, options)]
        if options.tools:
            found += promtool_findings(path, loaded.text)
        return found, LintedFile(path, "rules", sum(len(g.rules) for g in item.groups), note)
    if isinstance(item, Dashboard):
        queries, found = dashboard_queries(item, path)
        found += [f for q in queries for f in check_query(q, options)]
        return found, LintedFile(path, "dashboard", len(item.panels), note)
    found = routes.check(item, alerts, options) + receivers.check(item)
    if options.tools:
        tool_found, tool_notes = amtool_findings(item)
        found += tool_found
        note = "; ".join(x for x in (note, *tool_notes) if x)
    return found, LintedFile(path, "alertmanager", len(item.doc.get("receivers") or []), note)


def check_query(query: Query, options: LintOptions) -> list[Finding]:
    checks = QUERY_CHECKS + (ALERT_CHECKS if query.rule is not None else ())
    return [f for check in checks for f in check(query, options)]


def rule_queries(rule_file: RuleFile) -> list[Query]:
    queries = []
    for group, written in zip(rule_file.groups, _written_rules(rule_file), strict=False):
        for rule, raw in zip(group.rules, written, strict=False):
            alert = rule if isinstance(rule, AlertRule) else None
            claim = " ".join([rule.name, *(alert.annotations.get(k, "") for k in (
                "summary", "description"))]) if alert else rule.name
            queries.append(Query(
                rule.expr, promql.parse(rule.expr), rule.source,
                f"{'alert' if alert else 'record'} {rule.name!r}",
                "alert" if alert else "record", rule.expr_line or rule.line, rule.line,
                claim, alert, for_written=alert is not None and "for" in raw))
    return queries


def _written_rules(rule_file: RuleFile) -> list[list[dict[str, object]]]:
    """Each group's rules as written (which keys the author set), in file order."""
    doc = rule_file.document if isinstance(rule_file.document, dict) else {}
    return [[r if isinstance(r, dict) else {} for r in (g.get("rules") or [])]
            if isinstance(g, dict) else [] for g in doc.get("groups") or []]


def dashboard_queries(dashboard: Dashboard, path: Path) -> tuple[list[Query], list[Finding]]:
    queries, problems = [], []
    for panel in dashboard.panels:
        subject = f"dashboard {dashboard.title!r} {panel.label}"
        for target in panel.targets:
            try:
                node = promql.parse(target.expr)
            except promql.PromQLError as exc:
                problems.append(Finding(
                    "query-parse", path, f"{subject} query {target.ref_id}",
                    f"The query does not parse: {exc}",
                    "Fix the PromQL (Grafana variables such as $__rate_interval, $job, "
                    "${var:csv} and [[var]] were substituted before parsing).",
                    expr=target.expr))
                continue
            queries.append(Query(target.expr, node, path, f"{subject} query {target.ref_id}",
                                 "panel", claim=f"{panel.title} {panel.description}"))
    return queries, problems


def _with_recording(rule_files: list[RuleFile], options: LintOptions) -> Catalogue:
    catalogue = options.catalogue
    for rule_file in rule_files:
        for record in rule_file.recording:
            labels = infer(promql.parse(record.expr), catalogue)
            if labels is not None and labels.exact:
                catalogue = catalogue.with_recording(
                    record.name, labels.present | frozenset(record.labels))
    return catalogue
