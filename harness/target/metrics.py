"""Every metric family of the spec (Prometheus Metrics section), names/labels/buckets as written.

prometheus_client appends ``_total`` to a Counter's name, so counters are declared
without it and expose exactly the spec's name. Gauges the spec names ``*_total`` keep
that name as Gauges. Both processes build the whole set; each updates what it does.
"""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

HTTP_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10)
DB_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5)
EVENTBUS_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30)
BULLMQ_BUCKETS = (0.1, 0.5, 1, 5, 10, 30, 60, 120, 300)


class _Families:
    """Registers families on one registry: one call per family, the spec's row as arguments."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def counter(self, name: str, doc: str, labels: Sequence[str]) -> Counter:
        return Counter(name, doc, labels, registry=self.registry)

    def gauge(self, name: str, doc: str, labels: Sequence[str]) -> Gauge:
        return Gauge(name, doc, labels, registry=self.registry)

    def histogram(
        self, name: str, doc: str, labels: Sequence[str], buckets: Sequence[float]
    ) -> Histogram:
        return Histogram(name, doc, labels, buckets=buckets, registry=self.registry)


class TargetMetrics:
    """The spec's metric families, registered on ``registry`` (in the spec's order)."""

    # One declaration per family, all of one shape: that is the spec's table, kept verbatim.

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        families = _Families(registry)
        self._add_http(families)
        self._add_database(families)
        self._add_eventbus(families)
        self._add_queues(families)
        self._add_business(families)

    def _add_http(self, f: _Families) -> None:
        self.http_requests = f.counter(
            "http_requests",
            "Total number of HTTP requests",
            ("method", "route", "status_code", "tenant_id"),
        )
        self.http_request_duration = f.histogram(
            "http_request_duration_seconds",
            "Duration of HTTP requests in seconds",
            ("method", "route", "status_code"),
            HTTP_BUCKETS,
        )
        self.http_active_requests = f.gauge(
            "http_active_requests", "Number of active HTTP requests", ("method", "route")
        )

    def _add_database(self, f: _Families) -> None:
        self.db_queries = f.counter(
            "db_queries", "Total number of database queries", ("model", "operation", "status")
        )
        self.db_query_duration = f.histogram(
            "db_query_duration_seconds",
            "Duration of database queries in seconds",
            ("model", "operation"),
            DB_BUCKETS,
        )

    def _add_eventbus(self, f: _Families) -> None:
        self.eventbus_published = f.counter(
            "eventbus_published", "Total number of events published", ("event_type", "tenant_id")
        )
        self.eventbus_consumed = f.counter(
            "eventbus_consumed",
            "Total number of events consumed",
            ("event_type", "handler", "status"),
        )
        self.eventbus_processing_duration = f.histogram(
            "eventbus_processing_duration_seconds",
            "Duration of event processing in seconds",
            ("event_type", "handler"),
            EVENTBUS_BUCKETS,
        )
        self.eventbus_queue_depth = f.gauge(
            "eventbus_queue_depth", "Number of pending events in queue", ("consumer_group",)
        )
        self.eventbus_dlq = f.counter(
            "eventbus_dlq", "Total number of events in dead letter queue", ("event_type",)
        )

    # Same shape as _add_eventbus: the spec's families for another subsystem, declared flat.
    def _add_queues(self, f: _Families) -> None:
        """BullMQ."""
        self.bullmq_jobs = f.counter(
            "bullmq_jobs", "Total number of jobs processed", ("queue", "job_type", "status")
        )
        self.bullmq_job_duration = f.histogram(
            "bullmq_job_duration_seconds",
            "Duration of job processing in seconds",
            ("queue", "job_type"),
            BULLMQ_BUCKETS,
        )
        self.bullmq_queue_waiting = f.gauge(
            "bullmq_queue_waiting_total", "Number of jobs waiting in queue", ("queue",)
        )
        self.bullmq_queue_active = f.gauge(
            "bullmq_queue_active_total", "Number of jobs currently processing", ("queue",)
        )
        self.bullmq_queue_failed = f.counter(
            "bullmq_queue_failed", "Total number of failed jobs", ("queue", "job_type")
        )

    def _add_business(self, f: _Families) -> None:
        self.students_enrolled = f.gauge(
            "students_enrolled_total",
            "Total number of enrolled students",
            ("tenant_id", "school_id"),
        )
        self.grades_posted = f.counter(
            "grades_posted",
            "Total number of grades posted",
            ("tenant_id", "school_id", "class_id"),
        )
        self.attendance_marked = f.counter(
            "attendance_marked",
            "Total number of attendance records",
            ("tenant_id", "school_id", "status"),
        )
        self.interventions_active = f.gauge(
            "interventions_active_total",
            "Number of active interventions",
            ("tenant_id", "school_id", "tier"),
        )
        self.notifications_sent = f.counter(
            "notifications_sent",
            "Total number of notifications sent",
            ("tenant_id", "channel", "type", "status"),
        )
