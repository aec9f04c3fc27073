"""The target's metric families match the monitoring specification's table exactly.

The table is copied from the specification (Prometheus Metrics > Application Metrics), not
imported from harness.target.metrics, so a drift on either side fails here.
"""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from harness.target.metrics import TargetMetrics

INF = float("inf")
# name (as exposed): (type, label names, buckets or None)
SPEC = {
    "http_requests_total": ("counter", ("method", "route", "status_code", "tenant_id"), None),
    "http_request_duration_seconds": (
        "histogram",
        ("method", "route", "status_code"),
        (0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10),
    ),
    "http_active_requests": ("gauge", ("method", "route"), None),
    "db_queries_total": ("counter", ("model", "operation", "status"), None),
    "db_query_duration_seconds": (
        "histogram",
        ("model", "operation"),
        (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5),
    ),
    "eventbus_published_total": ("counter", ("event_type", "tenant_id"), None),
    "eventbus_consumed_total": ("counter", ("event_type", "handler", "status"), None),
    "eventbus_processing_duration_seconds": (
        "histogram",
        ("event_type", "handler"),
        (0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30),
    ),
    "eventbus_queue_depth": ("gauge", ("consumer_group",), None),
    "eventbus_dlq_total": ("counter", ("event_type",), None),
    "bullmq_jobs_total": ("counter", ("queue", "job_type", "status"), None),
    "bullmq_job_duration_seconds": (
        "histogram",
        ("queue", "job_type"),
        (0.1, 0.5, 1, 5, 10, 30, 60, 120, 300),
    ),
    "bullmq_queue_waiting_total": ("gauge", ("queue",), None),
    "bullmq_queue_active_total": ("gauge", ("queue",), None),
    "bullmq_queue_failed_total": ("counter", ("queue", "job_type"), None),
    "students_enrolled_total": ("gauge", ("tenant_id", "school_id"), None),
    "grades_posted_total": ("counter", ("tenant_id", "school_id", "class_id"), None),
    "attendance_marked_total": ("counter", ("tenant_id", "school_id", "status"), None),
    "interventions_active_total": ("gauge", ("tenant_id", "school_id", "tier"), None),
    "notifications_sent_total": ("counter", ("tenant_id", "channel", "type", "status"), None),
}


def _values(labels: tuple[str, ...]) -> dict[str, str]:
    return {name: f"v-{name}" for name in labels}


@pytest.fixture(scope="module")
def populated() -> CollectorRegistry:
    """A fresh registry with one child of every family, touched once."""
    registry = CollectorRegistry()
    m = TargetMetrics(registry)
    for attr in vars(m).values():
        if hasattr(attr, "_labelnames"):
            child = attr.labels(**_values(attr._labelnames))
            if hasattr(child, "observe"):
                child.observe(0.2)
            else:
                child.inc()
    return registry


def test_every_spec_family_and_nothing_else(populated: CollectorRegistry) -> None:
    exposed = {}
    for family in populated.collect():
        name = family.name + ("_total" if family.type == "counter" else "")
        exposed[name] = family
    assert sorted(exposed) == sorted(SPEC)


@pytest.mark.parametrize("name", sorted(SPEC))
def test_family_type_labels_and_buckets(populated: CollectorRegistry, name: str) -> None:
    kind, labels, buckets = SPEC[name]
    base = name.removesuffix("_total") if kind == "counter" else name
    family = next(f for f in populated.collect() if f.name == base)
    assert family.type == kind
    values = _values(labels)
    if kind == "histogram":
        les = [
            float(s.labels["le"])
            for s in family.samples
            if s.name == f"{name}_bucket" and s.labels.get(labels[0]) == values[labels[0]]
        ]
        assert les == [*map(float, buckets or ()), INF]
        assert populated.get_sample_value(f"{name}_count", values) == 1
    else:
        assert populated.get_sample_value(name, values) == 1
        sample = next(s for s in family.samples if s.name == name)
        assert tuple(sample.labels) == labels


def test_counters_expose_the_spec_names_without_a_double_suffix() -> None:
    registry = CollectorRegistry()
    m = TargetMetrics(registry)
    m.http_requests.labels("GET", "/api/schools", "200", "tenant-1").inc()
    labels = {"method": "GET", "route": "/api/schools", "status_code": "200"}
    assert registry.get_sample_value("http_requests_total", {**labels, "tenant_id": "tenant-1"})
    assert registry.get_sample_value("http_requests_total_total", labels) is None
