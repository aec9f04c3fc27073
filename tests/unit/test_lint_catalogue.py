"""The lint's catalogue of metric families, against the target's, and label inference."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.metrics import MetricWrapperBase

from harness.errors import InputError
from harness.lint.catalogue import default_catalogue, load_catalogue
from harness.lint.labels import LabelSet, infer
from harness.rules.promql import parse
from harness.target.metrics import TargetMetrics


def test_catalogue_is_what_the_target_exposes() -> None:
    metrics = TargetMetrics(CollectorRegistry())
    exposed = {}
    for value in vars(metrics).values():
        if isinstance(value, MetricWrapperBase):  # prometheus_client keeps these private
            kind = value._type
            name = value._name + ("_total" if kind == "counter" else "")
            exposed[name] = (kind, frozenset(value._labelnames))
    families = default_catalogue().families
    assert {n: (f.type, f.labels) for n, f in families.items() if n != "up"} == exposed


@pytest.mark.parametrize(("expr", "present", "possible"), [
    ("rate(http_request_duration_seconds_bucket[5m])",
     {"method", "route", "status_code", "le", "job", "instance"}, "same"),
    ("histogram_quantile(0.9, sum by (job, le) (rate(http_request_duration_seconds_bucket[5m])))",
     {"job"}, "same"),
    ("sum without (instance, tenant_id) (rate(http_requests_total[5m]))",
     {"method", "route", "status_code", "job"}, "same"),
    ("topk(3, bullmq_queue_waiting_total)", {"queue", "job", "instance"}, "same"),
    ("bullmq_queue_waiting_total / on (queue) group_left (job_type) bullmq_jobs_total",
     {"queue", "job_type", "job", "instance"}, "same"),
    ("sum(bullmq_queue_waiting_total) > 0", set(), "same"),
    ("unknown_total{a='x', b=~'.*'}", {"a"}, None),
    ("sum by (a) (unknown_total)", set(), {"a"}),
])
def test_label_inference(expr: str, present: set[str], possible: set[str] | str | None) -> None:
    known = present if possible == "same" else possible
    assert not isinstance(known, str)
    expected = LabelSet(frozenset(present), None if known is None else frozenset(known))
    assert infer(parse(expr), default_catalogue()) == expected


def test_scalars_have_no_labels() -> None:
    assert infer(parse("scalar(up) * 2"), default_catalogue()) is None
    assert infer(parse("time()"), default_catalogue()) is None


def test_load_catalogue(tmp_path: Path) -> None:
    path = tmp_path / "c.yml"
    path.write_text("replace: true\ntarget_labels: [job]\nhigh_cardinality: [pod]\n"
                    "metrics:\n  x_total: {type: counter, labels: [pod]}\n")
    catalogue = load_catalogue(path)
    assert set(catalogue.families) == {"x_total"}
    assert catalogue.series_labels("x_total") == {"pod", "job"}
    assert catalogue.high_cardinality == {"pod"}
    path.write_text("metricz: {}\n")
    with pytest.raises(InputError, match="Unknown key 'metricz' -> did you mean 'metrics'"):
        load_catalogue(path)
    path.write_text("metrics: [\n")
    with pytest.raises(InputError, match=r"line 1:\n  Invalid YAML: .* at the end of the file"):
        load_catalogue(path)
