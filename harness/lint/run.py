"""Lint files: each file's queries through the checks, then the upstream tools.

Rule files are read first, so their recording rules join the catalogue (a dashboard
or alert over `job:x:rate5m` knows its labels) and their alerts' labels can be routed
through the Alertmanager configurations of the same run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from harness.dashboards import Dashboard
from harness.lint.catalogue import Catalogue
from harness.lint.checks import ALERT_CHECKS, QUERY_CHECKS, receivers, routes
from harness.lint.detect import Input, read_input
from harness.lint.labels import infer
from harness.lint.model import Finding, LintOptions, Query
from harness.lint.tools import amtool_findings, promtool_findings
from harness.rules import promql
from harness.rules.model import AlertRule, RuleFile


@dataclass(frozen=True)
class LintedFile:
    path: Path
    kind: str  # "rules" | "dashboard" | "alertmanager"
    items: int  # rules, panels or receivers checked


@dataclass(frozen=True)
class LintReport:
    files: list[LintedFile]
    findings: list[Finding]


def lint_paths(paths: Iterable[Path | str], options: LintOptions | None = None) -> LintReport:
    options = options or LintOptions()
    inputs = [(Path(p), read_input(p)) for p in paths]  # every file readable, or exit 2 first
    rule_files = [i for _, i in inputs if isinstance(i, RuleFile)]
    options = replace(options, catalogue=_with_recording(rule_files, options))
    alerts = [a for f in rule_files for a in f.alerts]
    files, findings = [], []
    for path, item in inputs:
        found, linted = _lint_one(path, item, alerts, options)
        files.append(linted)
        findings += sorted(found, key=lambda f: (f.line or 0, f.subject))
    kept = [f for f in findings if f.check not in options.ignore]
    return LintReport(files, kept)


def _lint_one(path: Path, item: Input, alerts: Sequence[AlertRule],
              options: LintOptions) -> tuple[list[Finding], LintedFile]:
    if isinstance(item, RuleFile):
        found = [f for q in rule_queries(item) for f in check_query(q, options)]
        if options.tools:
            found += promtool_findings(path)
        return found, LintedFile(path, "rules", sum(len(g.rules) for g in item.groups))
    if isinstance(item, Dashboard):
        queries, found = dashboard_queries(item, path)
        found += [f for q in queries for f in check_query(q, options)]
        return found, LintedFile(path, "dashboard", len(item.panels))
    found = routes.check(item, alerts, options) + receivers.check(item)
    if options.tools:
        found += amtool_findings(item)
    return found, LintedFile(path, "alertmanager", len(item.doc.get("receivers") or []))


def check_query(query: Query, options: LintOptions) -> list[Finding]:
    checks = QUERY_CHECKS + (ALERT_CHECKS if query.rule is not None else ())
    return [f for check in checks for f in check(query, options)]


def rule_queries(rule_file: RuleFile) -> list[Query]:
    queries = []
    for group in rule_file.groups:
        for rule in group.rules:
            alert = rule if isinstance(rule, AlertRule) else None
            claim = " ".join([rule.name, *(alert.annotations.get(k, "") for k in (
                "summary", "description"))]) if alert else rule.name
            queries.append(Query(
                rule.expr, promql.parse(rule.expr), rule.source,
                f"{'alert' if alert else 'record'} {rule.name!r}",
                "alert" if alert else "record", rule.expr_line or rule.line, rule.line,
                claim, alert))
    return queries


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
                    "Fix the PromQL. Grafana variables ($__rate_interval, $job) are not "
                    "PromQL: the harness runs queries as written, so write durations out.",
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
