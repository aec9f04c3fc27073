"""Issue 2's acceptance, seen through Prometheus's HTTP API: with some traffic on the local
stack, every metric family of the spec is scraped with the spec's type and label names
(and buckets), `up` is 1 for the API and the worker, and /health answers 200, then 503
with Redis stopped, then 200 again once Redis is back.

The table is copied from the monitoring specification (Prometheus Metrics section), not
imported from harness.target.metrics, so a drift on either side fails here.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fault_helpers import first_ids, metric, wait_until

from harness.load.fault_client import FaultClient
from harness.observe.prometheus import PrometheusClient
from harness.stack.base import Stack

pytestmark = pytest.mark.integration

HTTP_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10)
DB_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5)
EVENTBUS_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30)
BULLMQ_BUCKETS = (0.1, 0.5, 1, 5, 10, 30, 60, 120, 300)
# name: (type, label names, buckets of a histogram)
SPEC: dict[str, tuple[str, tuple[str, ...], tuple[float, ...] | None]] = {
    "http_requests_total": ("counter", ("method", "route", "status_code", "tenant_id"), None),
    "http_request_duration_seconds": (
        "histogram",
        ("method", "route", "status_code"),
        HTTP_BUCKETS,
    ),
    "http_active_requests": ("gauge", ("method", "route"), None),
    "db_queries_total": ("counter", ("model", "operation", "status"), None),
    "db_query_duration_seconds": ("histogram", ("model", "operation"), DB_BUCKETS),
    "eventbus_published_total": ("counter", ("event_type", "tenant_id"), None),
    "eventbus_consumed_total": ("counter", ("event_type", "handler", "status"), None),
    "eventbus_processing_duration_seconds": (
        "histogram",
        ("event_type", "handler"),
        EVENTBUS_BUCKETS,
    ),
    "eventbus_queue_depth": ("gauge", ("consumer_group",), None),
    "eventbus_dlq_total": ("counter", ("event_type",), None),
    "bullmq_jobs_total": ("counter", ("queue", "job_type", "status"), None),
    "bullmq_job_duration_seconds": ("histogram", ("queue", "job_type"), BULLMQ_BUCKETS),
    "bullmq_queue_waiting_total": ("gauge", ("queue",), None),
    "bullmq_queue_active_total": ("gauge", ("queue",), None),
    "bullmq_queue_failed_total": ("counter", ("queue", "job_type"), None),
    "students_enrolled_total": ("gauge", ("tenant_id", "school_id"), None),
    "grades_posted_total": ("counter", ("tenant_id", "school_id", "class_id"), None),
    "attendance_marked_total": ("counter", ("tenant_id", "school_id", "status"), None),
    "interventions_active_total": ("gauge", ("tenant_id", "school_id", "tier"), None),
    "notifications_sent_total": ("counter", ("tenant_id", "channel", "type", "status"), None),
}
TARGET_LABELS = {"__name__", "job", "instance"}


def _traffic(stack: Stack, api: httpx.Client, faults: FaultClient) -> None:
    """One of everything, including a failed job and a dead-lettered event."""
    ids = first_ids(api)
    student, cls = ids["student"], ids["class"]
    api.get(f"/api/students/{student}").raise_for_status()
    posts: list[tuple[str, dict[str, Any]]] = [
        ("/api/grades", {"student_id": student, "class_id": cls, "score": 91, "subject": "Art"}),
        ("/api/attendance", {"student_id": student, "class_id": cls, "status": "late"}),
        ("/api/interventions", {"student_id": student, "tier": 1, "reason": "reading"}),
    ]
    for channel in ("email", "push"):
        note = {"recipient_id": student, "channel": channel, "type": "news", "message": "hi"}
        posts.append(("/api/notifications", note))
    worker = stack.endpoints.worker_metrics.removesuffix("/metrics")
    with faults.applied({"notifications": {"fail_ratio": {"push": 1.0}}}):
        for path, body in posts:
            api.post(path, json=body).raise_for_status()
        faults.poison(1, event_type="GradePosted")  # fails every attempt, then dead-lettered
        wait_until(
            lambda: metric(worker, "bullmq_queue_failed_total") >= 1,
            what="the push delivery to fail on the worker",
        )


def _series(prom: PrometheusClient, family: str, kind: str) -> list[dict[str, str]]:
    name = f"{family}_bucket" if kind == "histogram" else family
    body = prom.get("/api/v1/series", {"match[]": name, "start": "0"})
    return list(body["data"])


def _check_family(prom: PrometheusClient, family: str) -> list[str]:
    """What is wrong with one family as Prometheus stores it ([] if nothing)."""
    kind, labels, buckets = SPEC[family]
    series = _series(prom, family, kind)
    if not series:
        return [f"{family}: no series scraped"]
    problems = []
    want = TARGET_LABELS | set(labels) | ({"le"} if kind == "histogram" else set())
    for s in series:
        if set(s) != want:
            problems.append(f"{family}: labels {sorted(set(s) - TARGET_LABELS)}")
            break
    if buckets is not None:
        les = {float(s["le"]) for s in series}
        if les != {*buckets, float("inf")}:
            problems.append(f"{family}: buckets {sorted(les)}")
    metadata = prom.get("/api/v1/metadata", {"metric": family})["data"].get(family, [])
    types = {m["type"] for m in metadata}
    if types != {kind}:
        problems.append(f"{family}: type {types or 'unknown'}, want {kind}")
    return problems


def test_every_spec_family_is_scraped_up_and_health_follows_redis(
    stack: Stack, api: httpx.Client, prom: PrometheusClient, fault_client: FaultClient
) -> None:
    _traffic(stack, api, fault_client)
    problems: list[str] = []

    def all_families() -> bool:
        problems[:] = [p for family in SPEC for p in _check_family(prom, family)]
        return not problems

    wait_until(
        all_families,
        timeout=15,
        interval=0.25,
        what=lambda: "every spec family: " + "; ".join(problems),
    )
    assert prom.targets_up() == {"api": 1.0, "worker": 1.0}

    assert api.get("/health").status_code == 200
    stack.stop_service("redis")
    try:
        health = api.get("/health")
        assert health.status_code == 503, health.text
        assert health.json()["checks"]["redis"] == "unhealthy"
    finally:
        stack.start_service("redis")
    wait_until(lambda: api.get("/health").status_code == 200, what="/health 200 with Redis back")
