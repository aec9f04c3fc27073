"""What the lint knows about the target's series: metric families, their labels, and
which labels are high-cardinality. The defaults are the spec's instrumentation
(the monitoring specification's "Prometheus Metrics" section), as the target exposes it.

Override with a YAML file (``harness lint --catalogue FILE``)::

    replace: false            # true: start from nothing instead of the spec's families
    target_labels: [job, instance]
    high_cardinality: [tenant_id, user_id]
    metrics:
      my_requests_total: {type: counter, labels: [route, code]}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import pydantic

from harness.errors import InputError
from harness.yamlsource import parse_document, read_text, validation_error

HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")

# name: (type, labels), as the spec declares them (prom-client appends nothing).
SPEC_METRICS: dict[str, tuple[str, tuple[str, ...]]] = {
    "http_requests_total": ("counter", ("method", "route", "status_code", "tenant_id")),
    "http_request_duration_seconds": ("histogram", ("method", "route", "status_code")),
    "http_active_requests": ("gauge", ("method", "route")),
    "db_queries_total": ("counter", ("model", "operation", "status")),
    "db_query_duration_seconds": ("histogram", ("model", "operation")),
    "eventbus_published_total": ("counter", ("event_type", "tenant_id")),
    "eventbus_consumed_total": ("counter", ("event_type", "handler", "status")),
    "eventbus_processing_duration_seconds": ("histogram", ("event_type", "handler")),
    "eventbus_queue_depth": ("gauge", ("consumer_group",)),
    "eventbus_dlq_total": ("counter", ("event_type",)),
    "bullmq_jobs_total": ("counter", ("queue", "job_type", "status")),
    "bullmq_job_duration_seconds": ("histogram", ("queue", "job_type")),
    "bullmq_queue_waiting_total": ("gauge", ("queue",)),
    "bullmq_queue_active_total": ("gauge", ("queue",)),
    "bullmq_queue_failed_total": ("counter", ("queue", "job_type")),
    "students_enrolled_total": ("gauge", ("tenant_id", "school_id")),
    "grades_posted_total": ("counter", ("tenant_id", "school_id", "class_id")),
    "attendance_marked_total": ("counter", ("tenant_id", "school_id", "status")),
    "interventions_active_total": ("gauge", ("tenant_id", "school_id", "tier")),
    "notifications_sent_total": ("counter", ("tenant_id", "channel", "type", "status")),
}
# Series Prometheus writes itself: the labels they surely have. Their other labels are
# whatever the scrape target (or the alerting rule) gives them, so they are never exact.
GENERATED: dict[str, tuple[str, ...]] = {
    "up": ("job", "instance"),
    "scrape_duration_seconds": ("job", "instance"),
    "scrape_samples_scraped": ("job", "instance"),
    "scrape_samples_post_metric_relabeling": ("job", "instance"),
    "scrape_series_added": ("job", "instance"),
    "ALERTS": ("alertname", "alertstate"),
    "ALERTS_FOR_STATE": ("alertname",),
}
# Labels every scraped series gets from its scrape target.
TARGET_LABELS = ("job", "instance")
# Labels whose values grow with users, tenants or requests: "Limit high-cardinality
# labels" (the spec's Best Practices). A query should aggregate them away or ask for
# them by name (`sum by (tenant_id)`), never carry them along unnoticed.
HIGH_CARDINALITY = (
    "tenant_id", "school_id", "class_id", "student_id", "user_id", "userId",
    "request_id", "requestId", "session_id", "trace_id", "email",
)


@dataclass(frozen=True)
class Family:
    name: str
    type: str  # counter | gauge | histogram | summary | untyped
    labels: frozenset[str]
    scraped: bool = True  # False: a recording rule's output, with no target labels added


@dataclass(frozen=True)
class Catalogue:
    families: Mapping[str, Family] = field(default_factory=dict)
    target_labels: frozenset[str] = frozenset(TARGET_LABELS)
    high_cardinality: frozenset[str] = frozenset(HIGH_CARDINALITY)

    def series_labels(self, name: str) -> frozenset[str] | None:
        """Label names (without __name__) every series of ``name`` has, or None if unknown.
        A histogram's ``_bucket`` series carry ``le`` besides the family's labels."""
        family = self.families.get(name)
        if family is not None and family.type != "histogram":
            return family.labels | (self.target_labels if family.scraped else frozenset())
        for suffix in HISTOGRAM_SUFFIXES:
            base = name.removesuffix(suffix)
            found = self.families.get(base) if base != name else None
            if found is not None and found.type in ("histogram", "summary"):
                extra = {"le"} if suffix == "_bucket" else set()
                return found.labels | self.target_labels | extra
        return None

    def open_labels(self, name: str) -> frozenset[str]:
        """Labels a Prometheus-generated series surely has (empty for other names)."""
        if name.startswith("scrape_"):
            return frozenset(self.target_labels)
        return frozenset(GENERATED.get(name, ()))

    def with_recording(self, name: str, labels: frozenset[str]) -> Catalogue:
        """A recording rule's output as one more family, with exactly these labels."""
        families = dict(self.families)
        families[name] = Family(name, "untyped", labels, scraped=False)
        return replace(self, families=families)


def default_catalogue() -> Catalogue:
    return Catalogue(
        families={n: Family(n, t, frozenset(labels)) for n, (t, labels) in SPEC_METRICS.items()}
    )


class _MetricFile(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")
    type: Literal["counter", "gauge", "histogram", "summary", "untyped", "info", "stateset",
                  "gaugehistogram"] = "untyped"
    labels: list[str] = []


class _CatalogueFile(pydantic.BaseModel):
    """The file as written; unknown keys are refused with a did-you-mean."""

    model_config = pydantic.ConfigDict(extra="forbid")
    replace: bool = False
    target_labels: list[str] | None = None
    high_cardinality: list[str] | None = None
    metrics: dict[str, _MetricFile] = {}


def load_catalogue(path: Path | str) -> Catalogue:
    """The defaults with the file's overrides (see the module docstring); an empty file
    is the defaults. Problems: InputError at their line (exit 2)."""
    path = Path(path)
    data = parse_document(read_text(path, InputError, "catalogue"), path)
    try:
        spec = _CatalogueFile.model_validate(data if data is not None else {})
    except pydantic.ValidationError as exc:
        raise validation_error(exc, path, data, _CatalogueFile) from None
    base = Catalogue() if spec.replace else default_catalogue()
    families = dict(base.families)
    for name, metric in spec.metrics.items():
        families[name] = Family(name, metric.type, frozenset(metric.labels))
    return Catalogue(
        families=families,
        target_labels=frozenset(spec.target_labels if spec.target_labels is not None
                                else base.target_labels),
        high_cardinality=frozenset(spec.high_cardinality if spec.high_cardinality is not None
                                   else base.high_cardinality),
    )
