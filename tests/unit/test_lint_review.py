"""False positives the full-corpus review showed once merge keys let the Wikimedia files
be read (issue 14), each pinned by a real public rule, quoted verbatim.

Source: wikimedia/operations-alerts at 859092e559a14cee0ea6c146771bfec42ed337bd
(Apache-2.0), the paths named above each rule.
"""

# ruff: noqa: E501  (public rules are quoted verbatim)
from __future__ import annotations

from pathlib import Path

import pytest

from harness.lint import LintOptions, lint_paths


def _lint(tmp_path: Path, rules: str) -> list[str]:
    path = tmp_path / "rules.yml"
    path.write_text("groups:\n  - name: g\n    rules:\n" + rules, encoding="utf-8")
    report = lint_paths([path], LintOptions(tools=False))
    assert report.unreadable == [] and report.files[0].kind == "rules"
    return sorted(f.check for f in report.findings)


# team-perf/navigation_timing.yaml, alert NavtimingTTFBRegression (verbatim, its anchor
# dropped): the share of fast responses (le="0.5" over le="+Inf") fell by 2 points
# against last week. `le="+Inf"` is the total, so the fast bucket is a share there.
NAVTIMING = """\
      - alert: NavtimingTTFBRegression
        # ignore missing metrics from the passive site
        # pint disable promql/series
        expr: |
          label_replace(
            label_replace(
              label_replace(
                -(
                    (
                        sum by (mw_skin) (
                          increase(
                            webperf_navigationtiming_responsestart_seconds_bucket{is_oversample="False",le="0.5",mw_context="anonymous_mainspace_view",mw_skin=~"(minerva|vector-2022)"}[1d]
                          )
                        )
                      /
                        sum by (mw_skin) (
                          increase(
                            webperf_navigationtiming_responsestart_seconds_bucket{is_oversample="False",le="+Inf",mw_context="anonymous_mainspace_view",mw_skin=~"(minerva|vector-2022)"}[1d]
                          )
                        )
                    )
                  -
                    (
                        sum by (mw_skin) (
                          increase(
                            webperf_navigationtiming_responsestart_seconds_bucket{is_oversample="False",le="0.5",mw_context="anonymous_mainspace_view",mw_skin=~"(minerva|vector-2022)"}[1d] offset 1w
                          )
                        )
                      /
                        sum by (mw_skin) (
                          increase(
                            webperf_navigationtiming_responsestart_seconds_bucket{is_oversample="False",le="+Inf",mw_context="anonymous_mainspace_view",mw_skin=~"(minerva|vector-2022)"}[1d] offset 1w
                          )
                        )
                    )
                ),
                "client",
                "mobile",
                "mw_skin",
                "minerva"
              ),
              "client",
              "desktop",
              "mw_skin",
              "vector-2022"
            ),
            "bucket",
            "0.5",
            "__name__",
            ".*"
          ) > 0.02
        for: 1h
        labels:
          severity: critical
          team: perf
          metric: timeToFirstByte
          tool: rum
        annotations:
          summary: "Increased % of {{ $labels.client }} users with TTFB slower than {{ $labels.bucket }} s"
          description: "The difference in time to first byte on {{ $labels.client }} is larger than 2% for users that have a faster experience than {{ $labels.bucket }} seconds."
          dashboard: "https://grafana.wikimedia.org/d/000000326/navigation-timing-alerts?orgId=1&from=now-15d&to=now"
          runbook: https://wikitech.wikimedia.org/wiki/Performance/Guides/RUM_Alert
"""


def test_a_bucket_over_the_inf_bucket_is_a_share(tmp_path: Path) -> None:
    assert _lint(tmp_path, NAVTIMING) == []
    slow = NAVTIMING.replace('le="+Inf"', 'le="2.5"')  # no total: still reported
    assert "bucket-at-or-below" in _lint(tmp_path, slow)


# team-sre/kubernetes-generic.yaml, alert KubeletOperationalLatency: one p99 per instance
# and operation_type is what the alert means: its text names both labels.
KUBELET = """\
      - alert: KubeletOperationalLatency
        expr: histogram_quantile(0.99, rate(kubelet_runtime_operations_duration_seconds_bucket{job="k8s-node",operation_type=~"(run|stop)_podsandbox",instance=~"dse-k8s-.*"}[5m])) > 3.1
        for: 15m
        labels:
          team: sre
          severity: warning
        annotations:
          description: "Kubelet {{ $labels.operation_type }} operations on {{ $labels.instance }} take {{ $value | humanizeDuration }} in p99"
          summary: "High latency for kubelet {{ $labels.operation_type }} operation on {{ $labels.instance }}"
"""


def test_quantile_per_series_the_alert_names_is_intended(tmp_path: Path) -> None:
    assert _lint(tmp_path, KUBELET) == []
    unnamed = KUBELET.replace("{{ $labels.operation_type }} ", "")
    assert "quantile-unaggregated" in _lint(tmp_path, unnamed)


# team-sre/prometheus.yaml, alert JobUnavailable: the share of a job's targets that are
# up, `sum / count` of one set: the numerator's `job!~` picks whole jobs, not events.
JOB_UNAVAILABLE = """\
      - alert: JobUnavailable
        expr: 0.6 >= sum by (job) (up{job!~"(netbox_device_statistics|rails)"}) / count by (job) (up)
        for: 5m
        annotations:
          summary: "Reduced availability for job {{ $labels.job }}"
"""


def test_sum_over_count_of_one_set_is_a_share(tmp_path: Path) -> None:
    assert _lint(tmp_path, JOB_UNAVAILABLE) == []


# team-sre/mw-on-k8s.yaml, alert MediaWikiLatencyExceeded: "75th percentile" is no share,
# `%20` in the dashboard URL is no percent sign, and the `> 300` rate beside the quantile
# is a traffic floor.
MW_LATENCY = """\
      - alert: MediaWikiLatencyExceeded
        annotations:
          description: 'The MediaWiki k8s deployment {{ $labels.deployment }} in {{ $externalLabels.site }} is experiencing slowness in releases routed via {{ $labels.routed_via }}. 75th percentile latency: {{ $value | humanizeDuration }}'
          dashboard: 'https://grafana.wikimedia.org/d/U7JT--knk/mw-on-k8s?orgId=1&viewPanel=55&var-dc={{ $externalLabels.site }}%20prometheus/k8s&var-service=mediawiki'
        expr: >
          histogram_quantile(
            0.75,
            sum(
              rate(envoy_cluster_upstream_rq_time_bucket{ app="mediawiki", envoy_cluster_name=~"(local_service|LOCAL_.*)", deployment!~"mw-jobrunner|mw-parsoid|mw-experimental"}[2m])
            ) by (le, deployment, routed_via)
          ) / 1000 > 0.8
          and sum(
            rate(envoy_cluster_upstream_rq_time_count{app="mediawiki",envoy_cluster_name=~"(local_service|LOCAL_.*)", deployment!~"mw-jobrunner|mw-parsoid|mw-experimental"}[2m])
          ) by (deployment, routed_via) > 300
        for: 4m
"""


@pytest.mark.parametrize("words", ["", "error percentage: "])
def test_percentile_and_url_escapes_are_no_share(tmp_path: Path, words: str) -> None:
    rule = MW_LATENCY.replace("75th percentile latency: ", words)
    assert _lint(tmp_path, rule) == []  # the rate beside a quantile is a floor either way


def test_a_bare_rate_called_a_percentage_is_still_reported(tmp_path: Path) -> None:
    rule = """\
      - alert: CheckoutErrorPercentage
        expr: sum(rate(checkout_requests_total{status="failed"}[5m])) > 5
        for: 5m
"""
    assert _lint(tmp_path, rule) == ["rate-threshold-units"]
