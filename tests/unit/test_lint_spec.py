"""What `harness lint` finds in the spec's files (pinned per rule, route and panel), and
that the project's corrected rules, routes and dashboards pass with no finding."""

from __future__ import annotations

import shutil
from collections import defaultdict

import pytest

from harness.lint import LintOptions, LintReport, lint_paths
from harness.paths import COMPOSE_DIR, CORRECTED_DIR, SPEC_DIR

HAVE_TOOLS = shutil.which("promtool") is not None and shutil.which("amtool") is not None
DASHBOARDS = COMPOSE_DIR / "grafana" / "dashboards"

SPEC_RULES = {
    "alert 'HighErrorRate'": ["annotation-missing", "high-cardinality", "ratio-unaggregated"],
    "alert 'HighLatency'": ["annotation-missing", "quantile-unaggregated"],
    "alert 'HighQueueDepth'": ["annotation-missing"],
    "alert 'DLQGrowing'": ["annotation-missing"],
    "alert 'SlowDatabaseQueries'": ["annotation-missing", "quantile-unaggregated"],
    "alert 'WorkerStalled'": ["annotation-missing", "template-value-pinned", "vector-matching"],
    "alert 'InterventionCreationFailing'": ["annotation-missing", "for-missing",
                                            "rate-threshold-units"],
    "alert 'NotificationDeliveryFailing'": ["annotation-missing", "high-cardinality",
                                            "ratio-unaggregated"],
}
SPEC_ROUTES = {
    "route.routes[0]": ["am-deprecated-match"],
    "route.routes[1]": ["am-deprecated-match"],
    # team=product behind severity=warning (no continue): InterventionCreationFailing
    # (the only team=product alert) goes to 'slack'; 'slack-product' receives nothing.
    "route.routes[2]": ["am-deprecated-match", "am-route-shadowed"],
    "receiver 'pagerduty' pagerduty_configs[0].description": ["am-template-group-field"],
    "receiver 'pagerduty' pagerduty_configs[0].severity": ["am-template-group-field"],
    "receiver 'slack' slack_configs[0]": ["am-send-resolved"],
    "receiver 'slack' slack_configs[0].text": ["am-template-group-field"],
    "receiver 'slack-product' slack_configs[0]": ["am-send-resolved"],
    "receiver 'slack-product' slack_configs[0].text": ["am-template-group-field"],
}
SPEC_PANELS = {
    "'API Overview' panel 1 'Request rate (requests/sec)' query A": ["high-cardinality"],
    "'API Overview' panel 2 'Error rate (%)' query A": ["high-cardinality",
                                                        "ratio-unaggregated"],
    "'API Overview' panel 3 'P50/P95/P99 latency' query A": ["quantile-unaggregated"],
    "'API Overview' panel 3 'P50/P95/P99 latency' query B": ["quantile-unaggregated"],
    "'API Overview' panel 3 'P50/P95/P99 latency' query C": ["quantile-unaggregated"],
    "'Database Performance' panel 2 'Query duration P95/P99' query A": [
        "quantile-unaggregated"],
    "'Database Performance' panel 2 'Query duration P95/P99' query B": [
        "quantile-unaggregated"],
    "'Database Performance' panel 3 'Slow queries (>1s)' query A": ["bucket-at-or-below"],
    "'EventBus' panel 1 'Events published/sec' query A": ["high-cardinality"],
    "'EventBus' panel 3 'Processing duration P95' query A": ["quantile-unaggregated"],
    "'Queue Workers' panel 2 'Job duration P95 by queue' query A": ["quantile-unaggregated"],
    "'Queue Workers' panel 6 'Job success rate' query A": ["ratio-unaggregated"],
    "'Business Metrics' panel 1 'Total enrolled students' query A": ["high-cardinality"],
    "'Business Metrics' panel 2 'Grades posted today' query A": ["high-cardinality"],
    "'Business Metrics' panel 3 'Attendance marked today' query A": ["high-cardinality"],
    "'Business Metrics' panel 4 'Active interventions' query A": ["high-cardinality"],
}


def _by_subject(report: LintReport) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for f in report.findings:
        found[f.subject.removeprefix("dashboard ")].append(f.check)
    return {k: sorted(v) for k, v in found.items()}


def test_spec_rules_and_routes() -> None:
    tools = HAVE_TOOLS  # promtool and amtool accept the spec's files: nothing added
    report = lint_paths([SPEC_DIR / "prometheus-alerts.yml", SPEC_DIR / "alertmanager.yml"],
                        LintOptions(tools=tools, profile="policy"))
    assert _by_subject(report) == SPEC_RULES | SPEC_ROUTES
    lines = {(f.subject, f.check): f.line for f in report.findings}
    # About the rule: its `alert:` line; about the expression: its `expr:` line.
    assert lines["alert 'HighErrorRate'", "annotation-missing"] == 9
    assert lines["alert 'HighErrorRate'", "ratio-unaggregated"] == 10
    assert lines["route.routes[2]", "am-route-shadowed"] == 27
    assert lines["receiver 'slack' slack_configs[0].text", "am-template-group-field"] == 47


def test_route_shadowing_needs_the_rules() -> None:
    """Alone, the spec's routes are not provably dead: which alerts exist decides it."""
    report = lint_paths([SPEC_DIR / "alertmanager.yml"], LintOptions(tools=False))
    assert "am-route-shadowed" not in {f.check for f in report.findings}


def test_spec_dashboards() -> None:
    report = lint_paths(sorted((DASHBOARDS / "spec").glob("*.json")), LintOptions())
    assert _by_subject(report) == SPEC_PANELS
    assert all(f.line is None and f.expr for f in report.findings)


@pytest.mark.skipif(not HAVE_TOOLS, reason="promtool/amtool not installed")
def test_corrected_files_pass() -> None:
    paths = [CORRECTED_DIR / "prometheus-alerts.yml", CORRECTED_DIR / "alertmanager.yml",
             *sorted((DASHBOARDS / "corrected").glob("*.json"))]
    report = lint_paths(paths)
    assert report.findings == []
    assert [f.kind for f in report.files] == ["rules", "alertmanager"] + ["dashboard"] * 5



def test_corrected_folder_has_no_correctness_finding() -> None:
    """`harness lint compose/corrected/`: every file linted or skipped with a reason."""
    files = sorted(p for p in CORRECTED_DIR.iterdir() if p.suffix in (".yml", ".yaml"))
    assert files
    report = lint_paths(files, LintOptions(tools=HAVE_TOOLS))
    assert report.findings == [] and report.unreadable == []
    assert all(f.note for f in report.files if f.kind == "skipped")
