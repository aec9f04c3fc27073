"""Label inference (harness.lint.labels.infer) on the forms real rules use (issue 14):
odd spacing in `by`, `without`, `on`/`ignoring` with group_left/group_right,
label_replace/label_join, absent(), subqueries, `@` and `offset`, and the series
Prometheus writes itself."""

from __future__ import annotations

import pytest

from harness.lint.catalogue import default_catalogue
from harness.lint.labels import LabelSet, infer
from harness.rules import promql

ANY = None  # possible: any label may be there


def _labels(expr: str) -> LabelSet | None:
    return infer(promql.parse(expr), default_catalogue())


def _set(*labels: str) -> frozenset[str]:
    return frozenset(labels)


@pytest.mark.parametrize(("expr", "present", "possible"), [
    ("sum by (a,b,   c) (x)", _set(), _set("a", "b", "c")),
    ("sum by(a)(x)", _set(), _set("a")),
    ('sum without (cpu) (node_cpu_seconds_total{mode="idle"})', _set("mode"), ANY),
    ("sum without (route, tenant_id) (http_requests_total)",
     _set("job", "instance", "method", "status_code"),
     _set("job", "instance", "method", "status_code")),
    ("sum by (a) (x) / ignoring(code) group_left sum by (a, code) (y)", _set(), _set("a")),
    ("sum by (a, code) (y) / ignoring(code) group_right sum by (a) (x)", _set(), _set("a")),
    # group_left copies `team` if the right side has it (not sure for an unknown info)
    ("sum by (a) (x) * on (a) group_left (team) sum by (a, team) (info)",
     _set(), _set("a", "team")),
    ("http_active_requests * on (route) group_left (owner) route_owner{owner!=\"\"}",
     _set("job", "instance", "method", "route", "owner"),
     _set("job", "instance", "method", "route", "owner")),
    ('label_replace(sum by (a) (x), "host", "$1", "instance", "(.*):.*")',
     _set("host"), _set("a", "host")),
    ('label_join(sum by (a) (x), "ab", ",", "a", "b")', _set("ab"), _set("a", "ab")),
    ('absent(up{job="x", instance=~"y"})', _set("job"), _set("job")),
    ('absent(nothing_here)', _set(), _set()),
    ("max_over_time(sum by (a) (rate(x[5m]))[1h:5m])", _set(), _set("a")),
    ("sum by (a) (x @ 1700000000)", _set(), _set("a")),
    ("sum by (a) (x offset 1h)", _set(), _set("a")),
    ("sum by (a) (x) or sum by (b) (y)", _set(), _set("a", "b")),
    ('count_values("v", sum by (a) (x))', _set("v"), _set("v")),
    # Prometheus's own series: their surely-present labels, any target label besides.
    ("up", _set("job", "instance"), ANY),
    ('ALERTS{alertstate="firing"}', _set("alertname", "alertstate"), ANY),
    ("scrape_duration_seconds", _set("job", "instance"), ANY),
    # A matcher names a label the catalogue omits: it may exist (required if `=`).
    ('http_active_requests{pod="a"}', _set("job", "instance", "method", "route", "pod"),
     _set("job", "instance", "method", "route", "pod")),
    ('http_active_requests{pod!="a"}', _set("job", "instance", "method", "route"),
     _set("job", "instance", "method", "route", "pod")),
])
def test_infer(expr: str, present: frozenset[str], possible: frozenset[str] | None) -> None:
    assert _labels(expr) == LabelSet(present, possible)


def test_scalars_have_no_labels() -> None:
    assert _labels("time() - 3600") is None
    assert _labels("vector(0)") == LabelSet(_set(), _set())
