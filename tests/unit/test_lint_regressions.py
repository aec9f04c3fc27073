"""False positives the public corpus showed (issue 14), each pinned by a real public rule.

Sources (repository, path, commit):
- KP: prometheus-operator/kube-prometheus, manifests/*-prometheusRule.yaml,
  4d719f1dea8853540b3823ab1fbe6be74a9953b3 (Apache-2.0)
- APA: samber/awesome-prometheus-alerts, dist/rules/<exporter>/*.yml,
  a8533189af0246de5e21a6d8d25bd37816894f07 (CC-BY-4.0)
- WM: wikimedia/operations-alerts, team-*/*.yaml,
  859092e559a14cee0ea6c146771bfec42ed337bd (Apache-2.0)
"""

# ruff: noqa: E501  (public rules are quoted verbatim)
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from harness.lint import LintOptions, lint_paths


def _lint(tmp_path: Path, rule: str) -> list[str]:
    """Check ids for one rule (YAML of a single `- alert:` item, indented 6)."""
    path = tmp_path / "rules.yml"
    path.write_text("groups:\n  - name: g\n    rules:\n" + rule, encoding="utf-8")
    report = lint_paths([path], LintOptions(tools=False))
    assert report.unreadable == [] and report.files[0].kind == "rules"
    return sorted(f.check for f in report.findings)


# KP manifests/kubePrometheus-prometheusRule.yaml, alert TargetDown: `up` carries every
# target label (namespace, service...), never "only job and instance"; and `%` inside a
# printf is template text, not a claim.
TARGET_DOWN = """\
      - alert: TargetDown
        annotations:
          description: '{{ printf "%.4g" $value }}% of the {{ $labels.job }}/{{ $labels.service }} targets in {{ $labels.namespace }} namespace are down.'
          summary: One or more targets are unreachable.
        expr: 100 * (count(up == 0) BY (cluster, job, namespace, service) / count(up) BY (cluster, job, namespace, service)) > 10
        for: 10m
"""

# KP manifests/kubernetesControlPlane-prometheusRule.yaml, alert KubePodNotReady: `or`
# is a union, `and on(...)`, `* on(...) group_left() topk by(...)` and `unless on`.
KUBE_POD_NOT_READY = """\
      - alert: KubePodNotReady
        annotations:
          description: Pod {{ $labels.namespace }}/{{ $labels.pod }} has been in a non-ready state for longer than 15 minutes on cluster {{ $labels.cluster }}.
        expr: |
          sum by (namespace, pod, job, cluster) (
            max by(namespace, pod, job, cluster) (
              kube_pod_status_phase{job="kube-state-metrics", phase=~"Pending|Unknown"}
              or
              (
                kube_pod_status_phase{job="kube-state-metrics", phase="Running"} == 1
                and on(namespace, pod, cluster)
                kube_pod_status_ready{job="kube-state-metrics", condition="true"} == 0
              )
            ) * on(namespace, pod, cluster) group_left() topk by(namespace, pod, cluster) (
              1, max by(namespace, pod, owner_kind, cluster) (kube_pod_owner{owner_kind!="Job"})
            )
          ) > 0
          unless on(namespace, pod, cluster)
          kube_pod_status_reason{job="kube-state-metrics", reason="SchedulingGated"} == 1
        for: 15m
"""

# WM team-wmcs/openstack_nodes_down_codfw.yaml, alert TooManyCloudcontrolsDown:
# `x or vector(-1)` fills the gap when no series exists.
CLOUDCONTROLS_DOWN = """\
      - alert: TooManyCloudcontrolsDown
        annotations:
          summary: "No availability for CloudVPS {{ $externalLabels.site }}"
        expr: (sum(up{job="node", instance=~"cloudcontrol.*"}) or%s vector(-1)) < 1
        for: 5m
"""


# WM team-data-platform/zookeeper.yaml, alert ZookeeperServerDown: a target label named
# by a matcher (`zookeeper_cluster !~ ...`) on `up`, printed by the summary.
ZOOKEEPER_DOWN = """\
      - alert: ZookeeperServerDown
        expr: up{job="jmx_zookeeper", zookeeper_cluster !~ "test.*"} == 0
        for: 2m
        annotations:
          summary: 'Zookeeper on {{ $labels.instance }} (cluster {{ $labels.zookeeper_cluster }}) is down'
"""


@pytest.mark.parametrize("rule", [TARGET_DOWN, ZOOKEEPER_DOWN], ids=["kp", "wm"])
def test_generated_series_carry_target_labels(tmp_path: Path, rule: str) -> None:
    assert _lint(tmp_path, rule) == []


def test_or_is_a_union_and_group_left_keeps_matching_labels(tmp_path: Path) -> None:
    assert _lint(tmp_path, KUBE_POD_NOT_READY) == []


@pytest.mark.parametrize("on", [" on()", ""])
def test_or_vector_fills_gaps(tmp_path: Path, on: str) -> None:
    assert _lint(tmp_path, CLOUDCONTROLS_DOWN % on) == []


def test_labels_named_by_a_selector_exist(tmp_path: Path) -> None:
    """A matcher on a label the catalogue does not list: the label exists by definition
    (the spec catalogue's http_requests_total has no `pod`)."""
    rule = """\
      - alert: PodErrors
        annotations: {summary: "errors on {{ $labels.pod }}"}
        expr: sum by (pod) (rate(http_requests_total{pod=~"api-.*"}[5m])) > 1
        for: 5m
"""
    assert _lint(tmp_path, rule) == []


# APA host-and-hardware/node-exporter.yml, alert HostCpuHighIowait: the rate of a
# `_seconds_total` counter is a fraction of time (0..1 per core), and "10%" says so.
CPU_IOWAIT = """\
      - alert: HostCpuHighIowait
        expr: 'avg without (cpu) (rate(node_cpu_seconds_total{mode="iowait"}[5m])) > .10'
        for: 0m
        annotations:
          summary: Host CPU high iowait (instance {{ $labels.instance }})
          description: "CPU iowait > 10%. Your CPU is idling waiting for storage to respond.\\n  VALUE = {{ $value }}\\n  LABELS = {{ $labels }}"
"""

# APA istio/embedded-exporter.yml, alert IstioHighTotalRequestRate: requests per second
# against requests per second; the `%` is printf's.
ISTIO_REQUEST_RATE = """\
      - alert: IstioHighTotalRequestRate
        expr: 'sum(rate(istio_requests_total{reporter="destination"}[5m])) > 1000'
        for: 2m
        annotations:
          summary: Istio high total request rate (instance {{ $labels.instance }})
          description: "Global request rate in the service mesh is unusually high ({{ $value | printf \\"%.2f\\" }} req/s).\\n  VALUE = {{ $value }}\\n  LABELS = {{ $labels }}"
"""

# WM team-collaboration-services/gerrit.yaml, alert GerritHigh5xxRatio: the share is
# computed; the bare rate beside it is a traffic floor in requests per second.
GERRIT_5XX = """\
      - alert: GerritHigh5xxRatio
        expr: |
          (
            sum by (instance) (rate(apache_http_status_total{instance=~"gerrit.*", status=~"5.*"}[5m]))
            /
            sum by (instance) (rate(apache_http_status_total{instance=~"gerrit.*"}[5m]))
          ) * 100 > 1
          and
          sum by (instance) (rate(apache_http_status_total{instance=~"gerrit.*"}[5m])) > 20
        for: 5m
        annotations:
          summary: "Gerrit 5xx ratio above 1% on {{ $labels.instance }}"
"""


# WM team-sre/gitlab.yaml, alert GitLabCIJobErrors: "error rate" said of a counter of
# failures, per second; nothing in the selector picks failures out of a total.
GITLAB_JOB_ERRORS = """\
      - alert: GitLabCIJobErrors
        expr: sum (rate(gitlab_ci_job_failure_reasons{reason!="script_failure"}[5m])) > 0.05
        for: 10m
        annotations:
          summary: "GitLab - High CI job error rate"
          description: "GitLab CI job error rate {{ $value }} is above threshold of 0.05"
"""


@pytest.mark.parametrize("rule", [CPU_IOWAIT, ISTIO_REQUEST_RATE, GERRIT_5XX, GITLAB_JOB_ERRORS],
                         ids=["seconds-total", "printf", "traffic-floor", "errors-per-second"])
def test_rate_threshold_units_false_positives(tmp_path: Path, rule: str) -> None:
    found = _lint(tmp_path, rule)
    assert "rate-threshold-units" not in found
    # The one thing left is true: sum() drops the instance the summary prints.
    assert found == (["template-label-dropped"] if rule is ISTIO_REQUEST_RATE else [])


# APA coredns/embedded-exporter.yml, alert CorednsPanicCount: `for: 0m` is a decision.
COREDNS_PANICS = """\
      - alert: CorednsPanicCount
        expr: 'increase(coredns_panics_total[1m]) > 0'
%s        annotations:
          summary: CoreDNS Panic Count (instance {{ $labels.instance }})
          description: "Number of CoreDNS panics encountered\\n  VALUE = {{ $value }}\\n  LABELS = {{ $labels }}"
"""


@pytest.mark.parametrize("for_line", ["        for: 0m\n", "        for: 0s\n", ""],
                         ids=["for-0m", "for-0s", "no-for"])
def test_for_missing_respects_decisions_and_events(tmp_path: Path, for_line: str) -> None:
    """`for: 0m` is never reported; and an event count (`increase(...) > 0`) is never
    told to add `for:`, which would keep a single panic (1m in the window) from firing."""
    assert _lint(tmp_path, COREDNS_PANICS % for_line) == []


def test_for_missing_still_reports_a_flapping_rate(tmp_path: Path) -> None:
    """WM team-data-engineering/haproxykafka.yaml, alert HaproxyKafkaDeliveryErrors:
    irate (two samples) without `for:` flaps."""
    rule = """\
      - alert: HaproxyKafkaDeliveryErrors
        expr: sum by (cluster, instance, site) (irate(haproxykafka_saturation_errors{channel='kafka-msg'}[5m])) >= 1
        labels: {team: data-engineering, severity: warning}
"""
    assert _lint(tmp_path, rule) == ["for-missing"]


# APA apache/lusitaniae-apache-exporter.yml, alert ApacheDown: `VALUE = {{ $value }}`
# prints the alert's value as what it is.
APACHE_DOWN = """\
      - alert: ApacheDown
        expr: 'apache_up == 0'
        for: 0m
        annotations:
          summary: Apache down (instance {{ $labels.instance }})
          description: "Apache down\\n  VALUE = {{ $value }}\\n  LABELS = {{ $labels }}"
"""


def test_value_printed_as_value_is_not_pinned(tmp_path: Path) -> None:
    assert _lint(tmp_path, APACHE_DOWN) == []


def test_quantile_of_an_unknown_histogram_is_left_alone(tmp_path: Path) -> None:
    """APA etcd/embedded-exporter.yml, alert EtcdHttpRequestsSlow: no label of its own is
    known, so a per-series quantile is not provably wrong."""
    rule = """\
      - alert: EtcdHttpRequestsSlow
        expr: 'histogram_quantile(0.99, rate(etcd_http_successful_duration_seconds_bucket[1m])) > 0.15'
        for: 2m
"""
    assert _lint(tmp_path, rule) == []


PROOF = Path(__file__).resolve().parent / "lint_data" / "for_missing_proof.yml"


def test_for_missing_suggests_for_only_where_promtool_shows_it_helps() -> None:
    """lint_data/for_missing_proof_test.yml proves both sides with promtool: the noisy
    alert flaps without `for:` and is quiet with it; the event alert fires without
    `for:` and never with it. The lint asks for `for:` on the first only."""
    report = lint_paths([PROOF], LintOptions(tools=False))
    assert [(f.check, f.subject) for f in report.findings] == [
        ("for-missing", "alert 'NoisyWithoutFor'")]
    if shutil.which("promtool") is None:
        pytest.skip("promtool not installed: the lint half ran")
    done = subprocess.run(["promtool", "test", "rules", "for_missing_proof_test.yml"],
                          cwd=PROOF.parent, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
