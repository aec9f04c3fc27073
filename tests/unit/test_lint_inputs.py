"""Valid input is never refused (issue 14): PrometheusRule manifests, promtool test
files, other YAML, Grafana dashboards as written in the wild (variables, legacy rows,
nested rows, library panels), newer Alertmanager keys; one unreadable file is
reported while the rest are linted."""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path

import pytest

from harness.lint import LintOptions, lint_paths
from harness.lint.grafana import substitute

CORPUS = Path(__file__).resolve().parents[1] / "data" / "lint-corpus"
HAVE_AMTOOL = shutil.which("amtool") is not None


def test_prometheus_rule_manifest_lines_are_the_manifests(tmp_path: Path) -> None:
    """kube-prometheus manifests/alertmanager-prometheusRule.yaml (see LICENSES.md):
    spec.groups linted, findings at the manifest's own lines."""
    manifest = (CORPUS / "prometheus-operator+kube-prometheus" / "manifests"
                / "alertmanager-prometheusRule.yaml")
    report = lint_paths([manifest], LintOptions(tools=False))
    assert report.files[0].kind == "rules" and report.files[0].items == 9
    assert "PrometheusRule" in report.files[0].note
    lines = manifest.read_text(encoding="utf-8").splitlines()
    for finding in report.findings:
        assert finding.line is not None and lines[finding.line - 1].strip().startswith("expr:")


@pytest.mark.parametrize(("text", "why"), [
    ("rule_files: [r.yml]\nevaluation_interval: 1m\ntests: []\n", "promtool unit-test file"),
    ("scrape_configs: []\n", "not a Prometheus rule file"),
    ("apiVersion: v1\nkind: ConfigMap\ndata: {}\n", "not a Prometheus rule file"),
    ("a: 1\n---\nb: 2\n", "multi-document"),
    ("service: api\nindicators: {requests: x}\n", "harness SLO definition"),
])
def test_other_yaml_is_skipped_with_the_reason(tmp_path: Path, text: str, why: str) -> None:
    path = tmp_path / "x.yml"
    path.write_text(text, encoding="utf-8")
    report = lint_paths([path], LintOptions(tools=False))
    assert report.unreadable == [] and report.findings == []
    assert report.files[0].kind == "skipped" and why in report.files[0].note


def test_recording_only_file_is_linted(tmp_path: Path) -> None:
    path = tmp_path / "r.yml"
    path.write_text("groups:\n  - name: g\n    rules:\n      - record: job:x:rate5m\n"
                    "        expr: sum by (job) (rate(x[5m]))\n", encoding="utf-8")
    report = lint_paths([path], LintOptions(tools=False))
    assert report.files[0].kind == "rules" and report.files[0].items == 1


def test_one_unreadable_file_is_reported_and_the_rest_linted(tmp_path: Path) -> None:
    good = CORPUS / "wikimedia+operations-alerts/team-data-engineering/haproxykafka.yaml"
    broken = tmp_path / "broken.yml"
    broken.write_text("groups: [\n", encoding="utf-8")
    report = lint_paths([broken, tmp_path / "missing.yml", good], LintOptions(tools=False))
    assert [u.path.name for u in report.unreadable] == ["broken.yml", "missing.yml"]
    assert "line" in report.unreadable[0].reason
    assert {f.check for f in report.findings} == {"for-missing"}


@pytest.mark.skipif(not HAVE_AMTOOL, reason="amtool not installed")
def test_newer_alertmanager_keys_are_a_note(tmp_path: Path) -> None:
    path = tmp_path / "am.yml"
    path.write_text("route:\n  receiver: a\nreceivers:\n  - name: a\n"
                    "tracing:\n  endpoint: localhost:4317\n", encoding="utf-8")
    report = lint_paths([path])
    assert report.unreadable == [] and report.findings == []
    assert "tracing: newer than Alertmanager" in report.files[0].note


@pytest.mark.parametrize(("expr", "parsed"), [
    ("rate(x{job=~\"$job\"}[$__rate_interval])", "rate(x{job=~\"job\"}[5m])"),
    ("sum by ($label) (increase(x[${window}]))", "sum by (label) (increase(x[5m]))"),
    ("rate(x{a=~\"${a:csv}\"}[[[interval]]])", "rate(x{a=~\"a\"}[5m])"),
    ("increase(x[$__range])", "increase(x[1h])"),
    ("rate(x[5m:$__interval])", "rate(x[5m:1m])"),
    ("x / $__range_s", "x / 3600"),
    ('label_replace(x, "a", "$1", "b", "(.*)")', 'label_replace(x, "a", "$1", "b", "(.*)")'),
])
def test_grafana_variables_are_substituted(expr: str, parsed: str) -> None:
    assert substitute(expr) == parsed


def _dashboard(tmp_path: Path, document: Mapping[str, object]) -> Path:
    path = tmp_path / "d.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _target(expr: str) -> dict[str, object]:
    return {"refId": "A", "expr": expr, "datasource": {"type": "prometheus"}}


def test_legacy_rows_nested_rows_and_library_panels(tmp_path: Path) -> None:
    query = "sum(rate(http_requests_total[$__rate_interval]))"
    document = {
        "title": "legacy", "schemaVersion": 14,
        "rows": [{"title": "r1", "panels": [{"id": 1, "title": "p1", "targets": [_target(query)]}]},
                 {"title": "r2", "panels": [
                     {"type": "row", "panels": [{"id": 2, "title": "p2",
                                                 "targets": [_target(query)]}]},
                     {"id": 3, "title": "lib", "libraryPanel": {"uid": "u", "name": "Shared"}}]}],
    }
    report = lint_paths([_dashboard(tmp_path, document)], LintOptions(tools=False))
    assert report.files[0].kind == "dashboard" and report.files[0].items == 2
    assert "library panel 'Shared' skipped" in report.files[0].note
    assert report.findings == []


def test_a_query_broken_beyond_its_variables_is_still_reported(tmp_path: Path) -> None:
    document = {"title": "t", "panels": [{"id": 1, "title": "p",
                                          "targets": [_target("sum(rate(x[$__interval])")]}]}
    report = lint_paths([_dashboard(tmp_path, document)], LintOptions(tools=False))
    assert [f.check for f in report.findings] == ["query-parse"]


@pytest.mark.skipif(not HAVE_AMTOOL, reason="amtool not installed")
def test_newer_route_fields_are_a_note_and_typos_still_a_finding(tmp_path: Path) -> None:
    """Route `labels:` as in prometheus/alertmanager doc/examples/route_labels.yml
    (68fb2d5759b3a92c0bb2a1a13d4ef7ff5b06256d), newer than 0.25: a note. A misspelt
    key amtool does not know stays a finding."""
    path = tmp_path / "am.yml"
    path.write_text("route:\n  receiver: a\n  labels:\n    reason: disk\n"
                    "receivers:\n  - name: a\n", encoding="utf-8")
    report = lint_paths([path])
    assert report.findings == [] and "labels: newer than Alertmanager" in report.files[0].note
    path.write_text("route:\n  receiver: a\n  recevier: b\nreceivers:\n  - name: a\n",
                    encoding="utf-8")
    assert [f.check for f in lint_paths([path]).findings] == ["amtool-check-config"]


def test_a_promtool_test_brings_its_rule_files_once() -> None:
    """wikimedia/operations-alerts team-sre/gitlab_test.yaml names gitlab.yaml."""
    folder = CORPUS / "wikimedia+operations-alerts" / "team-sre"
    alone = lint_paths([folder / "gitlab_test.yaml"], LintOptions(tools=False))
    assert [(f.path.name, f.kind) for f in alone.files] == [
        ("gitlab_test.yaml", "skipped"), ("gitlab.yaml", "rules")]
    both = lint_paths([folder / "gitlab_test.yaml", folder / "gitlab.yaml"],
                      LintOptions(tools=False))
    assert [f.path.name for f in both.files] == ["gitlab_test.yaml", "gitlab.yaml"]
