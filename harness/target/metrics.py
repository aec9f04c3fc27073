"""Every metric family of the spec (Prometheus Metrics section), names/labels/buckets as written.

prometheus_client appends ``_total`` to a Counter's name, so counters are declared
without it and expose exactly the spec's name. Gauges the spec names ``*_total`` keep
that name as Gauges. Both processes build the whole set; each updates what it does.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

HTTP_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10)
DB_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5)
EVENTBUS_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30)
BULLMQ_BUCKETS = (0.1, 0.5, 1, 5, 10, 30, 60, 120, 300)


class TargetMetrics:
    """The spec's metric families, registered on ``registry``."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        r = registry
        # HTTP
        self.http_requests = Counter(
            "http_requests",
            "Total number of HTTP requests",
            ["method", "route", "status_code", "tenant_id"],
            registry=r,
        )
        self.http_request_duration = Histogram(
            "http_request_duration_seconds",
            "Duration of HTTP requests in seconds",
            ["method", "route", "status_code"],
            buckets=HTTP_BUCKETS,
            registry=r,
        )
        self.http_active_requests = Gauge(
            "http_active_requests",
            "Number of active HTTP requests",
            ["method", "route"],
            registry=r,
        )
        # Database
        self.db_queries = Counter(
            "db_queries",
            "Total number of database queries",
            ["model", "operation", "status"],
            registry=r,
        )
        self.db_query_duration = Histogram(
            "db_query_duration_seconds",
            "Duration of database queries in seconds",
            ["model", "operation"],
            buckets=DB_BUCKETS,
            registry=r,
        )
        # EventBus
        self.eventbus_published = Counter(
            "eventbus_published",
            "Total number of events published",
            ["event_type", "tenant_id"],
            registry=r,
        )
        self.eventbus_consumed = Counter(
            "eventbus_consumed",
            "Total number of events consumed",
            ["event_type", "handler", "status"],
            registry=r,
        )
        self.eventbus_processing_duration = Histogram(
            "eventbus_processing_duration_seconds",
            "Duration of event processing in seconds",
            ["event_type", "handler"],
            buckets=EVENTBUS_BUCKETS,
            registry=r,
        )
        self.eventbus_queue_depth = Gauge(
            "eventbus_queue_depth",
            "Number of pending events in queue",
            ["consumer_group"],
            registry=r,
        )
        self.eventbus_dlq = Counter(
            "eventbus_dlq",
            "Total number of events in dead letter queue",
            ["event_type"],
            registry=r,
        )
        # Queues (BullMQ)
        self.bullmq_jobs = Counter(
            "bullmq_jobs",
            "Total number of jobs processed",
            ["queue", "job_type", "status"],
            registry=r,
        )
        self.bullmq_job_duration = Histogram(
            "bullmq_job_duration_seconds",
            "Duration of job processing in seconds",
            ["queue", "job_type"],
            buckets=BULLMQ_BUCKETS,
            registry=r,
        )
        self.bullmq_queue_waiting = Gauge(
            "bullmq_queue_waiting_total",
            "Number of jobs waiting in queue",
            ["queue"],
            registry=r,
        )
        self.bullmq_queue_active = Gauge(
            "bullmq_queue_active_total",
            "Number of jobs currently processing",
            ["queue"],
            registry=r,
        )
        self.bullmq_queue_failed = Counter(
            "bullmq_queue_failed",
            "Total number of failed jobs",
            ["queue", "job_type"],
            registry=r,
        )
        # Business
        self.students_enrolled = Gauge(
            "students_enrolled_total",
            "Total number of enrolled students",
            ["tenant_id", "school_id"],
            registry=r,
        )
        self.grades_posted = Counter(
            "grades_posted",
            "Total number of grades posted",
            ["tenant_id", "school_id", "class_id"],
            registry=r,
        )
        self.attendance_marked = Counter(
            "attendance_marked",
            "Total number of attendance records",
            ["tenant_id", "school_id", "status"],
            registry=r,
        )
        self.interventions_active = Gauge(
            "interventions_active_total",
            "Number of active interventions",
            ["tenant_id", "school_id", "tier"],
            registry=r,
        )
        self.notifications_sent = Counter(
            "notifications_sent",
            "Total number of notifications sent",
            ["tenant_id", "channel", "type", "status"],
            registry=r,
        )
