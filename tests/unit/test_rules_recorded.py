"""Alerts that read recording rules inherit their windows (verdict windows need them);
and the time-scale rewrite does not mistake prettify()'s matcher order for a change."""

from __future__ import annotations

from pathlib import Path

from harness.rules.load import load_rules_text
from harness.rules.recorded import metric_names
from harness.rules.rewrite import scale_expression

RULES = """\
groups:
  - name: g
    rules:
      - record: job:errors:ratio_rate1h
        expr: sum by (job) (rate(errors_total[1h])) / sum by (job) (rate(requests_total[1h]))
      - record: job:errors:ratio_max6h
        expr: max_over_time(job:errors:ratio_rate1h[6h])
      - alert: ReadsARecord
        expr: job:errors:ratio_rate1h > 0.01
      - alert: ReadsAChain
        expr: job:errors:ratio_max6h > 0.01
      - alert: OwnWindowOnARecord
        expr: avg_over_time(job:errors:ratio_rate1h[30m]) > 0.01
      - alert: Plain
        expr: up == 0
"""


def _alerts() -> dict[str, tuple[float, bool]]:
    rules = load_rules_text(RULES, Path("rules.yml"))
    return {a.name: (a.max_range_s, a.uses_range) for a in rules.alerts}


def test_alert_on_a_recorded_ratio_lags_by_its_window() -> None:
    alerts = _alerts()
    assert alerts["ReadsARecord"] == (3600, True)
    assert alerts["ReadsAChain"] == (3600 + 6 * 3600, True)  # max over 6h of a 1h rate
    assert alerts["OwnWindowOnARecord"] == (1800 + 3600, True)
    assert alerts["Plain"] == (0, False)


def test_metric_names() -> None:
    assert metric_names('a{x="1"} / on() {__name__="b"} and rate(c[5m])') == {"a", "b", "c"}


def test_matcher_order_is_not_a_change() -> None:
    """prettify() sorts several matchers by name; the rewrite used to refuse that."""
    expr = 'slo:ratio_rate1h{slo="availability", service="api"} > (14.4 * 0.001)'
    assert scale_expression(expr, 60).text == (
        'slo:ratio_rate1h{service="api",slo="availability"} > (14.4 * 0.001)'
    )
    assert scale_expression('rate(x{z="1", a="2"}[5m])', 60).text == 'rate(x{a="2",z="1"}[5s])'
