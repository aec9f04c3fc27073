"""The System Admin page's JSON: figures from the corrected dashboards' PromQL (scaled
windows, units), Alertmanager's active alerts, health, worker, trends; Prometheus,
Alertmanager and the worker are mocked at the HTTP layer only."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from harness.target.admin.panels import PANELS, TRENDS, PanelQuery, load_queries
from harness.target.admin.snapshot import NOT_CONFIGURED, Monitor
from harness.target.admin.users import ActiveUsers
from harness.target.settings import Settings
from tests.support.target import run

PROM, AM, WORKER = "http://prom:9090", "http://am:9093", "http://worker:8001"
NOW = 1_700_000_000.0
K = 60.0


@pytest.fixture(scope="module")
def queries() -> dict[str, PanelQuery]:
    return load_queries(Path(Settings().dashboards_dir), K)


def _vector(*items: tuple[dict[str, str], str]) -> dict[str, Any]:
    result = [{"metric": labels, "value": [NOW, value]} for labels, value in items]
    return {"status": "success", "data": {"resultType": "vector", "result": result}}


ALERTS = [
    {"labels": {"alertname": "HighErrorRate", "severity": "critical", "job": "api"},
     "annotations": {"summary": "High error rate detected"},
     "startsAt": "2026-12-04T10:00:05.000Z", "status": {"state": "active"}},
    {"labels": {"alertname": "HighQueueDepth", "severity": "warning"}, "annotations": {},
     "startsAt": "2026-12-04T10:00:01.000Z", "status": {"state": "active"}},
]


def _handler(
    queries: dict[str, PanelQuery], seen: list[str], prom_status: int = 200
) -> Callable[[httpx.Request], httpx.Response]:
    answers = {
        "request_rate": _vector(({}, "12.5")),
        "error_rate": _vector(({}, "0.02")),
        "p95_latency": _vector(({}, "0.18")),
        "db_query_rate": _vector(({}, "NaN")),
        "queue_waiting": _vector(({"queue": "reports"}, "7"), ({"queue": "notifications"}, "1")),
        "queue_active": _vector(({"queue": "reports"}, "3")),
    }
    by_expr = {queries[k].scaled: body for k, body in answers.items()}

    def handle(request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        if url.startswith(PROM):
            if prom_status != 200:
                return httpx.Response(prom_status, text="boom")
            expr = request.url.params["query"]
            seen.append(expr)
            return httpx.Response(200, json=by_expr.get(expr, _vector()))
        if url.startswith(AM + "/api/v2/alerts"):
            assert request.url.params["active"] == "true"
            return httpx.Response(200, json=ALERTS)
        if url.startswith(WORKER + "/health"):
            return httpx.Response(503, json={"status": "unhealthy", "checks": {"redis": "x"}})
        return httpx.Response(404)

    return handle


async def _health() -> tuple[int, dict[str, Any]]:
    return 200, {"status": "healthy", "checks": {"database": "healthy"}}


def _monitor(
    queries: dict[str, PanelQuery], handler: Callable[[httpx.Request], httpx.Response], **kw: Any
) -> Monitor:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    users = ActiveUsers(clock=lambda: 100.0)
    values: dict[str, Any] = {"prometheus": PROM, "alertmanager": AM, "worker": WORKER}
    values.update(kw)
    return Monitor(http=http, health=_health, users=users, queries=queries,
                   clock=lambda: NOW, **values)


def test_snapshot_figures_come_from_the_scaled_dashboard_queries(
    queries: dict[str, PanelQuery],
) -> None:
    seen: list[str] = []
    monitor = _monitor(queries, _handler(queries, seen))
    monitor.users.note("teacher-1")
    monitor.users.note("teacher-2")
    snap = run(monitor.snapshot())
    m = snap["metrics"]
    assert sorted(seen) == sorted(q.scaled for q in queries.values())
    assert all("[5s]" in q.scaled and "[5m]" in q.expr for q in queries.values()
               if "rate(" in q.expr)
    assert (m["request_rate"]["value"], m["error_rate"]["value"]) == (12.5, 2.0)  # ratio -> %
    assert m["p95_latency"]["value"] == pytest.approx(180.0)  # s -> ms
    assert m["db_query_rate"]["value"] is None  # NaN: no data, not a number
    assert m["queue_waiting"]["value"] == 8.0  # the queues' sum; each queue in "series"
    assert {s["labels"]["queue"]: s["value"] for s in m["queue_waiting"]["series"]} == {
        "reports": 7.0, "notifications": 1.0}
    assert m["events_published"]["value"] is None  # no series at all
    assert snap["prometheus"] == "ok" and snap["at"] == NOW and snap["window_s"] == 5.0
    assert snap["worker"] == {"health": "unhealthy", "checks": {"redis": "x"},
                              "jobs_per_s": None, "active_jobs": 3.0}
    assert snap["active_users"] == {"value": 2, "window_s": 5.0}
    assert snap["health"] == {"http_status": 200, "status": "healthy",
                              "checks": {"database": "healthy"}}


def test_alerts_carry_severity_and_since_newest_first(queries: dict[str, PanelQuery]) -> None:
    snap = run(_monitor(queries, _handler(queries, [])).snapshot())
    items = snap["alerts"]["items"]
    assert [(a["name"], a["severity"], a["since"]) for a in items] == [
        ("HighErrorRate", "critical", "2026-12-04T10:00:05.000Z"),
        ("HighQueueDepth", "warning", "2026-12-04T10:00:01.000Z"),
    ]
    assert items[0]["summary"] == "High error rate detected"
    assert snap["alerts"]["error"] is None


def test_without_prometheus_the_page_says_not_configured(queries: dict[str, PanelQuery]) -> None:
    monitor = _monitor(queries, _handler(queries, []), prometheus=None, alertmanager=None,
                       worker=None)
    snap = run(monitor.snapshot())
    assert snap["prometheus"] == NOT_CONFIGURED == "Prometheus not configured"
    assert snap["metrics"] == {}
    assert snap["alerts"] == {"items": [], "error": "Alertmanager not configured"}
    assert snap["worker"]["health"] == "unknown"
    assert snap["health"]["status"] == "healthy"  # the API's own checks still show
    trends = run(monitor.trends())
    assert trends["charts"] == [] and trends["prometheus"] == NOT_CONFIGURED


def test_a_failing_prometheus_marks_each_figure_and_keeps_the_rest(
    queries: dict[str, PanelQuery],
) -> None:
    snap = run(_monitor(queries, _handler(queries, [], prom_status=500)).snapshot())
    rate = snap["metrics"]["request_rate"]
    assert rate["value"] is None and "HTTP 500" in rate["error"]
    assert len(snap["alerts"]["items"]) == 2


def test_unreadable_dashboards_are_reported() -> None:
    monitor = _monitor({}, lambda r: httpx.Response(404),
                       query_error="dashboards unreadable: no dashboard JSON")
    snap = run(monitor.snapshot())
    assert snap["prometheus"] == "dashboards unreadable: no dashboard JSON"
    assert snap["metrics"] == {}


def test_trends_align_range_queries_on_their_steps(queries: dict[str, PanelQuery]) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        p = request.url.params
        start, step = float(p["start"]), float(p["step"])
        values = [[start, "0.5"], [start + 2 * step, "NaN"], [start + 3 * step, "0.25"]]
        body = {"status": "success",
                "data": {"resultType": "matrix", "result": [{"metric": {}, "values": values}]}}
        return httpx.Response(200, json=body)

    trends = run(_monitor(queries, handle).trends())
    charts = {c["key"]: c for c in trends["charts"]}
    assert list(charts) == list(TRENDS)
    err = charts["error_rate"]
    assert len(err["times"]) == len(err["series"][0]["values"]) > 100
    assert err["series"][0]["values"][:5] == [50.0, None, None, 25.0, None]  # ratio -> %
    assert err["series"][0]["label"] == "Error rate"
    assert trends["end"] - trends["start"] == 300.0


def test_active_users_forget_users_outside_the_window() -> None:
    now = [0.0]
    users = ActiveUsers(clock=lambda: now[0])
    users.note("a")
    now[0] = 4.0
    users.note("b")
    now[0] = 6.0
    assert users.count(5.0) == 1
    assert users.count(1.0) == 0


def test_every_page_figure_names_a_distinct_panel_target() -> None:
    keys = [(p.dashboard, p.panel, p.ref_id) for p in PANELS]
    assert len(set(keys)) == len(keys) == len({p.key for p in PANELS})
    assert all(math.isfinite(p.factor) for p in PANELS)
