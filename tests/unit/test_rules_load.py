"""Loading rule files: the spec's file and analysis of windows (bad ones: tests/bad_input/)."""

from __future__ import annotations

import pytest

from harness.paths import SPEC_DIR
from harness.rules.load import alert_names, load_rules, load_rules_text
from harness.rules.model import AlertRule, RecordingRule

SPEC_RULES = SPEC_DIR / "prometheus-alerts.yml"


def test_spec_rules_load_with_lines_and_durations() -> None:
    rules = load_rules(SPEC_RULES)
    assert [g.name for g in rules.groups] == ["api_alerts", "business_alerts"]
    by_name = {a.name: a for a in rules.alerts}
    assert len(by_name) == 8 and rules.recording == ()
    high = by_name["HighErrorRate"]
    assert (high.line, high.for_s, high.group_interval_s, high.group) == (9, 300, 30, "api_alerts")
    assert (high.max_range_s, high.uses_range) == (300, True)
    assert high.labels == {"severity": "critical", "team": "backend"}
    assert high.annotations["summary"] == "High error rate detected"
    assert high.expr.startswith("rate(http_requests_total") and not high.expr.endswith("\n")
    queue = by_name["HighQueueDepth"]
    assert (queue.max_range_s, queue.uses_range, queue.for_s) == (0, False, 300)
    assert by_name["DLQGrowing"].for_s == 0 and by_name["DLQGrowing"].max_range_s == 3600
    assert by_name["InterventionCreationFailing"].group_interval_s == 60


def test_alert_names_in_file_order_without_repeats() -> None:
    text = """
groups:
  - name: a
    rules:
      - {alert: B, expr: x > 1}
      - {alert: A, expr: x > 2, labels: {severity: warning}}
      - {alert: B, expr: x > 3, labels: {severity: critical}}
      - {record: "job:x:sum", expr: sum(x)}
"""
    rules = load_rules_text(text, "inline.yml")
    assert alert_names(rules) == ["B", "A"]
    assert alert_names(rules.alerts) == ["B", "A"]
    assert [type(r) for r in rules.groups[0].rules] == [AlertRule] * 3 + [RecordingRule]
    assert rules.recording[0].name == "job:x:sum"


@pytest.mark.parametrize(
    ("expr", "lookback", "uses_range"),
    [
        ("x > 1", 0, False),
        ("rate(x[5m]) > 1", 300, True),
        ("rate(x[5m]) / rate(y[15m]) > 1", 900, True),
        ("max_over_time(rate(x[5m])[1h:1m]) > 1", 3900, True),  # nested windows add up
        ("x offset 10m > 1", 600, False),
        ("rate(x[5m] offset 1m) > 1", 360, True),
        ("x offset -5m > 1", 0, False),  # a negative offset looks into the future
        ("holt_winters(x[1h], 0.5, 0.5) > 1", 3600, True),  # Prometheus 2.42 function
    ],
)
def test_window_analysis(expr: str, lookback: float, uses_range: bool) -> None:
    text = f"groups: [{{name: g, rules: [{{alert: A, expr: '{expr}'}}]}}]"
    rules = load_rules_text(text, "x.yml")
    [rule] = rules.alerts
    assert (rule.max_range_s, rule.uses_range) == (lookback, uses_range)


def test_label_values_are_read_as_written() -> None:
    text = "groups: [{name: g, rules: [{alert: A, expr: x, labels: {prio: 01, page: true}}]}]"
    [rule] = load_rules_text(text, "x.yml").alerts
    assert rule.labels == {"prio": "01", "page": "true"}


def test_empty_file_has_no_rules() -> None:
    assert load_rules_text("", "empty.yml").groups == ()
