"""`harness lint` checks: one known-bad file per check (tests/bad_input/lint/), the
clean files (tests/unit/lint_data/), and edge cases of each check inline."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from harness.lint import LintOptions, lint_paths
from harness.lint.checks import CHECKS
from harness.lint.model import Query
from harness.lint.run import check_query
from harness.rules import promql
from harness.rules.model import AlertRule

BAD = Path(__file__).resolve().parents[1] / "bad_input" / "lint"
DATA = Path(__file__).resolve().parent / "lint_data"
HAVE_TOOLS = shutil.which("promtool") is not None and shutil.which("amtool") is not None

# file -> [(check id, line)]: exactly what the lint reports for it. Findings about the
# expression point at its `expr:` line (6), those about the rule at its `alert:` line (5).
EXPECTED: dict[str, list[tuple[str, int | None]]] = {
    "vector_matching.yml": [("vector-matching", 6)],
    "ratio_unaggregated.yml": [("ratio-unaggregated", 6)],
    "quantile_without_le.yml": [("quantile-without-le", 6)],
    "quantile_unaggregated.yml": [("quantile-unaggregated", 6)],
    "bucket_at_or_below.yml": [("bucket-at-or-below", 6)],
    "range_window_short.yml": [("range-window-short", 6)],
    "high_cardinality.yml": [("high-cardinality", 6)],
    "rate_threshold_units.yml": [("rate-threshold-units", 6)],
    "for_missing.yml": [("for-missing", 5)],
    "annotation_missing.yml": [("annotation-missing", 5)],
    "template_label_dropped.yml": [("template-label-dropped", 6)] * 2,
    "template_value_pinned.yml": [("template-value-pinned", 6)],
    "query_parse.json": [],  # $__rate_interval is substituted before parsing
    "am_route_shadowed.yml": [("am-route-shadowed", 6)],
    "am_template_group_field.yml": [("am-template-group-field", 9)],
    "am_send_resolved.yml": [("am-send-resolved", 7)],
    "am_deprecated_match.yml": [("am-deprecated-match", 5), ("am-deprecated-match", 9),
                                ("am-deprecated-match", 11)],
    # These need promtool / amtool.
    "promtool_check_rules.yml": [("promtool-check-rules", None)],
    "am_template_render.yml": [("am-template-render", 8)],
    "amtool_check_config.yml": [("amtool-check-config", None)],
}
# Bad cases kept with the unit tests' own data (tests/unit/lint_data/bad/).
MORE_BAD = DATA / "bad"
MORE_EXPECTED: dict[str, list[tuple[str, int | None]]] = {
    "promtool_duplicate_rules.yml": [("promtool-duplicate-rules", None)],
    "query_parse_broken.json": [("query-parse", None)],
}
NEEDS_TOOLS = {"promtool_check_rules.yml", "am_template_render.yml", "amtool_check_config.yml",
               "promtool_duplicate_rules.yml"}


def test_every_check_has_a_bad_case() -> None:
    cases = EXPECTED | MORE_EXPECTED
    assert {c for found in cases.values() for c, _ in found} == set(CHECKS)
    assert {p.name for p in BAD.iterdir()} == set(EXPECTED)
    assert {p.name for p in MORE_BAD.iterdir()} == set(MORE_EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED | MORE_EXPECTED))
def test_bad_case(name: str) -> None:
    if name in NEEDS_TOOLS and not HAVE_TOOLS:
        pytest.skip("promtool/amtool not installed")
    path = BAD / name if name in EXPECTED else MORE_BAD / name
    options = LintOptions(tools=name in NEEDS_TOOLS, profile="policy")
    report = lint_paths([path], options)
    assert [(f.check, f.line) for f in report.findings] == (EXPECTED | MORE_EXPECTED)[name]
    for finding in report.findings:
        assert finding.message and finding.fix and finding.subject
        assert finding.path == path


@pytest.mark.skipif(not HAVE_TOOLS, reason="promtool/amtool not installed")
def test_clean_files_have_no_findings() -> None:
    report = lint_paths([DATA / "clean_rules.yml", DATA / "clean_alertmanager.yml"])
    assert report.findings == []
    assert [(f.kind, f.items) for f in report.files] == [("rules", 7), ("alertmanager", 4)]


def _checks(expr: str, *, claim: str = "", alert: str | None = None, for_s: float = 0.0,
            annotations: dict[str, str] | None = None) -> list[str]:
    """Check ids reported for one expression: a panel's query, or an alert's (``alert``)."""
    rule = None
    if alert is not None:
        notes = {"summary": "s", "description": "d", "runbook_url": "u", **(annotations or {})}
        rule = AlertRule(name=alert, expr=expr, group="g", source=Path("x.yml"), line=1,
                         for_s=for_s, annotations=notes)
        claim = " ".join([alert, *notes.values()])
    query = Query(expr, promql.parse(expr), Path("x.yml"), "q", "alert" if rule else "panel",
                  claim=claim, rule=rule)
    return sorted(f.check for f in check_query(query, LintOptions()))


@pytest.mark.parametrize(("expr", "expected"), [
    # vector matching
    # `or` is a union, `x or vector(0)` fills gaps (kubernetes-mixin style): never matching
    ("sum by (queue) (bullmq_queue_waiting_total) or vector(0)", []),
    ("sum(bullmq_queue_waiting_total) or vector(0)", []),
    ("sum(rate(http_requests_total[5m])) / sum by (job) (rate(http_requests_total[5m]))",
     ["vector-matching"]),
    ("bullmq_queue_waiting_total and on (queue) rate(bullmq_jobs_total[5m])", []),
    ("bullmq_queue_waiting_total and on () vector(1)", []),
    ("bullmq_queue_waiting_total unless ignoring (job_type, status) "
     "rate(bullmq_jobs_total[5m])", []),
    ("bullmq_queue_waiting_total and on (consumer_group) eventbus_queue_depth",
     ["vector-matching"]),
    ("unknown_metric and other_unknown", []),
    # ratios
    ('rate(http_requests_total{route="/x"}[5m]) / rate(http_requests_total[5m])',
     ["high-cardinality", "ratio-unaggregated"]),
    ('sum by (route) (rate(http_requests_total{route=~"/api.*", status_code=~"5.."}[5m]))'
     " / sum by (route) (rate(http_requests_total[5m]))", []),
    ('sum by (status) (rate(db_queries_total{status="error"}[5m]))'
     " / sum by (status) (rate(db_queries_total[5m]))", ["ratio-unaggregated"]),
    ('rate(x_total{code="500"}[5m]) / rate(x_total[5m])', ["ratio-unaggregated"]),
    ("rate(db_query_duration_seconds_sum[5m]) / rate(db_query_duration_seconds_count[5m])", []),
    # histograms
    ("histogram_quantile(0.9, sum by (le) (rate(unknown_bucket[5m])))", []),
    ("histogram_quantile(0.9, sum(rate(unknown_bucket[5m])))", ["quantile-without-le"]),
    # unknown metric: no label of its own is known, one quantile per target may be meant
    ("histogram_quantile(0.9, rate(unknown_bucket[5m]))", []),
    ("histogram_quantile(0.9, rate(http_request_duration_seconds_bucket[5m]))",
     ["quantile-unaggregated"]),
    # a label pinned to one value by `=` splits nothing
    ('histogram_quantile(0.9, rate(unknown_bucket{route="/a"}[5m]))', []),
    ('histogram_quantile(0.9, rate(unknown_bucket{route=~"/a|/b"}[5m]))',
     ["quantile-unaggregated"]),
    # windows: 4 x 15 s is enough
    ("sum(rate(http_requests_total[1m]))", []),
    ("sum(rate(http_requests_total[59s]))", ["range-window-short"]),
    # cardinality: named on purpose, or aggregated away
    ("sum by (tenant_id) (rate(http_requests_total[5m]))", []),
    ("topk(5, sum by (class_id) (increase(grades_posted_total[1h])))", []),
    ("sum without (route) (rate(http_requests_total[5m]))", ["high-cardinality"]),
])
def test_query_checks(expr: str, expected: list[str]) -> None:
    assert _checks(expr) == expected


def test_bucket_check_reads_the_claim() -> None:
    expr = 'sum(rate(db_query_duration_seconds_bucket{le="1"}[5m]))'
    assert _checks(expr, claim="Fast queries (<= 1s)") == []
    assert _checks(expr, claim="Slow queries (>1s)") == ["bucket-at-or-below"]


def test_alert_checks_edge_cases() -> None:
    # A long window does not flap: no `for:` needed (the corrected DLQGrowing).
    assert _checks("sum(increase(eventbus_dlq_total[1h])) > 100", alert="DLQ") == []
    assert _checks("sum(rate(eventbus_dlq_total[10m])) > 1", alert="DLQ") == [
        "for-missing"]
    # A gauge threshold without for: not this check's business.
    assert _checks("sum(bullmq_queue_waiting_total) > 10", alert="Q") == []
    # $value of `unless` whose left side is the number the text describes.
    expr = ("sum by (queue) (bullmq_queue_waiting_total) > 0 unless on (queue) "
            'sum by (queue) (rate(bullmq_jobs_total{status="completed"}[10m])) > 0')
    assert _checks(expr, alert="W", for_s=300.0,
                   annotations={"description": "{{ $value }} jobs waiting"}) == []
    # rate() against a count, but the words do not claim a share: not reported.
    assert _checks('sum(rate(eventbus_consumed_total{status="failed"}[15m])) > 5',
                   alert="ManyFailures", for_s=300.0) == []
    assert _checks('sum(rate(eventbus_consumed_total{status="failed"}[15m])) > 5',
                   alert="Failures", for_s=300.0, annotations={"summary": "High failure rate"},
                   ) == ["rate-threshold-units"]


def test_scrape_interval_option() -> None:
    expr = "sum(rate(http_requests_total[1m]))"
    query = Query(expr, promql.parse(expr), Path("x"), "q", "panel")
    assert check_query(query, LintOptions(scrape_interval_s=1)) == []
    found = check_query(query, LintOptions(scrape_interval_s=30))
    assert [f.check for f in found] == ["range-window-short"] and "[2m]" in found[0].fix


def test_ignore_drops_a_check() -> None:
    options = LintOptions(tools=False, ignore=frozenset({"annotation-missing"}))
    assert lint_paths([BAD / "annotation_missing.yml"], options).findings == []
