"""The spec's five Grafana dashboards (compose/grafana/dashboards/spec/), their corrected
versions, the provisioning files, and the loader other checks read them with."""

from __future__ import annotations

import json
from pathlib import Path

import promql_parser as pp
import pytest
import yaml

from harness.dashboards import DashboardError, iter_queries, load_dashboard, parse_dashboard
from harness.paths import COMPOSE_DIR

GRAFANA = COMPOSE_DIR / "grafana"
SPEC = GRAFANA / "dashboards" / "spec"
CORRECTED = GRAFANA / "dashboards" / "corrected"
ALL = sorted(SPEC.glob("*.json")) + sorted(CORRECTED.glob("*.json"))

# The monitoring specification, Grafana Dashboards: each dashboard's panel list, and
# each of its queries (as written) with the panel it belongs to.
SPEC_PANELS = {
    "API Overview": ["Request rate (requests/sec)", "Error rate (%)", "P50/P95/P99 latency",
                     "Active requests", "Requests by endpoint", "Requests by tenant",
                     "Error breakdown by status code"],
    "Database Performance": ["Query rate (queries/sec)", "Query duration P95/P99",
                             "Slow queries (>1s)", "Queries by model", "Connection pool usage",
                             "Transaction rate"],
    "EventBus": ["Events published/sec", "Events consumed/sec", "Processing duration P95",
                 "Queue depth", "Failed events", "DLQ count", "Consumer lag"],
    "Queue Workers": ["Jobs processed/sec by queue", "Job duration P95 by queue",
                      "Waiting jobs by queue", "Active jobs by queue", "Failed jobs by queue",
                      "Job success rate"],
    "Business Metrics": ["Total enrolled students", "Grades posted today",
                         "Attendance marked today", "Active interventions",
                         "Notifications sent by channel", "User logins by role"],
}
SPEC_QUERIES = {
    "API Overview": {
        1: "rate(http_requests_total[5m])",
        2: 'rate(http_requests_total{status_code=~"5.."}[5m]) / rate(http_requests_total[5m])',
        3: "histogram_quantile(0.95, rate(http_request_duration_seconds_bucket[5m]))",
        5: "topk(10, sum by (route) (rate(http_requests_total[5m])))",
    },
    "Database Performance": {
        1: "rate(db_queries_total[5m])",
        2: "histogram_quantile(0.95, rate(db_query_duration_seconds_bucket[5m]))",
        3: 'rate(db_query_duration_seconds_bucket{le="1"}[5m])',
        4: "topk(10, sum by (model) (rate(db_queries_total[5m])))",
    },
    "EventBus": {
        1: "rate(eventbus_published_total[5m])",
        2: 'rate(eventbus_consumed_total{status="success"}[5m])',
        3: "histogram_quantile(0.95, rate(eventbus_processing_duration_seconds_bucket[5m]))",
        4: "eventbus_queue_depth",
        6: "eventbus_dlq_total",
    },
    "Queue Workers": {
        1: 'rate(bullmq_jobs_total{status="completed"}[5m])',
        2: "histogram_quantile(0.95, rate(bullmq_job_duration_seconds_bucket[5m]))",
        3: "bullmq_queue_waiting_total",
        6: 'rate(bullmq_jobs_total{status="completed"}[5m]) / rate(bullmq_jobs_total[5m])',
    },
    "Business Metrics": {
        1: "students_enrolled_total",
        2: "increase(grades_posted_total[24h])",
        3: "increase(attendance_marked_total[24h])",
        4: "interventions_active_total",
    },
}


def test_the_spec_dashboards_with_the_spec_panels() -> None:
    spec = {d.title: d for d in map(load_dashboard, SPEC.glob("*.json"))}
    corrected = {d.title: d for d in map(load_dashboard, CORRECTED.glob("*.json"))}
    assert set(spec) == set(SPEC_PANELS)
    assert set(corrected) == {f"{t} (corrected)" for t in SPEC_PANELS}
    for title, panels in SPEC_PANELS.items():
        for dashboard in (spec[title], corrected[f"{title} (corrected)"]):
            assert [p.title for p in dashboard.panels] == panels
            assert [p.id for p in dashboard.panels] == list(range(1, len(panels) + 1))


@pytest.mark.parametrize("title", sorted(SPEC_QUERIES))
def test_spec_queries_exactly_as_written(title: str) -> None:
    dashboard = next(d for d in map(load_dashboard, SPEC.glob("*.json")) if d.title == title)
    for panel in dashboard.panels:
        expected = SPEC_QUERIES[title].get(panel.id or 0)
        if expected is None:
            assert panel.origin == "added" and panel.description.startswith("Not in the spec")
            continue
        assert panel.origin == "spec" and expected in panel.queries
        extra = [q for q in panel.queries if q != expected]
        if extra:  # P50/P99 beside the spec's P95: same shape, and the description says so
            assert "not in the spec" in panel.description
            variants = {expected.replace("0.95", q) for q in ("0.50", "0.99")}
            assert set(extra) <= variants


def test_corrected_panels_explain_each_change() -> None:
    spec = {d.uid: d for d in map(load_dashboard, SPEC.glob("*.json"))}
    corrected = [load_dashboard(p) for p in sorted(CORRECTED.glob("*.json"))]
    assert len(corrected) == len(spec) == 5, f"dashboards in {CORRECTED} and {SPEC}"
    for dashboard in corrected:
        original = spec[(dashboard.uid or "").removesuffix("-corrected")]
        for panel, before in zip(dashboard.panels, original.panels, strict=True):
            assert panel.origin in ("corrected", "unchanged", "added"), panel.label
            if panel.origin == "corrected":
                assert panel.queries != before.queries and panel.description.startswith(
                    "Corrected. Spec:"), panel.label
            else:
                assert panel.queries == before.queries, panel.label


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_panel_query_parses(path: Path) -> None:
    dashboard = load_dashboard(path)
    assert dashboard.panels and all(p.queries for p in dashboard.panels)
    for panel in dashboard.panels:
        assert panel.unit and panel.description, panel.label
        for query in panel.queries:
            pp.parse(query)  # raises on anything promql_parser cannot parse
            assert "$" not in query, "no Grafana variables: queries run as written"


def test_provisioning() -> None:
    sources = yaml.safe_load((GRAFANA / "provisioning/datasources/datasources.yml").read_text())
    by_uid = {d["uid"]: d for d in sources["datasources"]}
    assert by_uid["prometheus"]["url"] == "http://127.0.0.1:9090"
    assert by_uid["loki"]["url"] == "http://127.0.0.1:3100"
    providers = yaml.safe_load((GRAFANA / "provisioning/dashboards/dashboards.yml").read_text())
    assert providers["providers"][0]["options"]["foldersFromFilesStructure"] is True
    uids = []
    for path in ALL:
        raw = json.loads(path.read_text())
        uids.append(raw["uid"])
        for panel in raw["panels"]:
            assert panel["datasource"]["uid"] in by_uid
            assert all(t["datasource"]["uid"] in by_uid for t in panel["targets"])
    assert len(set(uids)) == len(uids) == 10


def test_iter_queries_and_panels_without_data() -> None:
    queries = list(iter_queries([SPEC]))
    assert len(queries) == sum(len(p.queries) for d in map(load_dashboard, SPEC.glob("*.json"))
                               for p in d.panels)
    first = queries[0]
    assert first.path.parent == SPEC and first.expr == first.panel.queries[0]
    no_data = sorted(q.panel.title for q in queries if not q.panel.expect_data)
    assert no_data == ["Connection pool usage", "User logins by role"]


def test_loader_reads_rows_exports_and_other_datasources() -> None:
    document = {"dashboard": {"title": "T", "panels": [
        {"type": "row", "title": "r", "collapsed": True, "panels": [
            {"id": 7, "title": "in a row", "targets": [
                {"refId": "A", "expr": "up"},
                {"refId": "B", "expr": "up", "hide": True},
                {"refId": "C", "expr": '{app="x"}', "datasource": {"type": "loki"}},
            ]}]},
        {"id": 8, "title": "text", "type": "text"},
    ]}}
    dashboard = parse_dashboard(document)
    row_panel, text = dashboard.panels
    assert (row_panel.id, row_panel.queries, [t.expr for t in row_panel.other_queries]) == (
        7, ["up"], ['{app="x"}'])
    assert text.queries == [] and text.expect_data


def test_loader_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "panels": [\n    {"id": 1,,}\n  ]\n}\n')
    with pytest.raises(DashboardError, match=r"bad.json, line 3:\n  invalid JSON"):
        load_dashboard(bad)
    not_dashboard = tmp_path / "x.json"
    not_dashboard.write_text('{"title": "no panels"}')
    with pytest.raises(DashboardError, match="not a Grafana dashboard"):
        load_dashboard(not_dashboard)
    with pytest.raises(DashboardError, match="not found"):
        load_dashboard(tmp_path / "missing.json")
