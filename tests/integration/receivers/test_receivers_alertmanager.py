"""The rendered configuration in a real Alertmanager 0.25, delivering to the capture receiver.

Also pins what the spec's own alertmanager.yml does when it is actually sent: its
PagerDuty and Slack templates use `.Annotations` / `.Labels`, which do not exist at
the notification (group) level, so those notifications fail to render and are never
sent; only the `default` webhook receiver delivers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from receivers_am import Alertmanager

from harness.paths import SPEC_DIR
from harness.receivers import CaptureReceiver, Notification
from harness.receivers.render import render_alertmanager_config, render_alertmanager_text

pytestmark = pytest.mark.integration
DEADLINE_S = 15.0  # GW = GI = 1 s: a notification lands within ~2 s; slack for slow machines

StartAlertmanager = Callable[[str], Alertmanager]


@pytest.fixture
def capture() -> Iterator[CaptureReceiver]:
    with CaptureReceiver(alertnames=["HighErrorRate", "HighQueueDepth", "Info"]) as rx:
        yield rx


def _alert(name: str, *, ends_in_s: float = 300, **labels: str) -> dict[str, object]:
    now = datetime.now(UTC)
    return {
        "labels": {"alertname": name, **labels},
        "annotations": {"summary": f"{name} summary", "description": f"{name} description"},
        "startsAt": (now - timedelta(seconds=60)).isoformat(),
        "endsAt": (now + timedelta(seconds=ends_in_s)).isoformat(),
        "generatorURL": "http://prometheus.invalid/graph",
    }


def test_spec_config_delivers_default_route_as_webhook_and_resolves(
    alertmanager: StartAlertmanager, capture: CaptureReceiver
) -> None:
    rendered = render_alertmanager_config(SPEC_DIR / "alertmanager.yml", capture.url, time_scale=60)
    am = alertmanager(rendered.yaml_text)
    am.post_alerts(_alert("Info", severity="info", team="backend"))
    firing = capture.wait_for(lambda n: n.status == "firing", DEADLINE_S)
    assert firing is not None, am.log()
    assert (firing.kind, firing.receiver, firing.alertnames) == ("webhook", "default", ("Info",))
    assert firing.labels == {"alertname": "Info", "severity": "info", "team": "backend"}
    # Resolve it: an alert whose endsAt has passed is sent as resolved at the next GI tick.
    am.post_alerts(_alert("Info", ends_in_s=-1, severity="info", team="backend"))
    resolved = capture.wait_for(lambda n: n.status == "resolved", DEADLINE_S)
    assert resolved is not None, am.log()
    assert resolved.received_monotonic > firing.received_monotonic


def test_spec_pagerduty_and_slack_templates_fail_and_send_nothing(
    alertmanager: StartAlertmanager, capture: CaptureReceiver
) -> None:
    rendered = render_alertmanager_config(SPEC_DIR / "alertmanager.yml", capture.url, time_scale=60)
    am = alertmanager(rendered.yaml_text)
    am.post_alerts(
        _alert("HighErrorRate", severity="critical", team="backend"),  # -> pagerduty
        _alert("HighQueueDepth", severity="warning", team="backend"),  # -> slack
    )
    failed = "notify retry canceled due to unrecoverable error after 1 attempts"
    am.wait_for_log(
        f"pagerduty/pagerduty[0]: {failed}: failed to template PagerDuty v2 message: "
        "template: :1:45: executing \\\"\\\" at <.Annotations.summary>: "
        "can't evaluate field Annotations in type *template.Data", DEADLINE_S)
    am.wait_for_log(
        f"slack/slack[0]: {failed}: template: :1:15: executing \\\"\\\" at "
        "<.Annotations.description>: can't evaluate field Annotations", DEADLINE_S)
    assert capture.wait_for(lambda n: n.kind in ("pagerduty", "slack"), 3) is None
    assert capture.rejected() == []
    # The render-time template check predicted exactly these receivers.
    assert {p.receiver for p in rendered.template_problems} == {
        "pagerduty", "slack", "slack-product"}


CORRECTED_TEMPLATES = """
route:
  receiver: default
  group_by: [alertname]
  group_wait: 10s
  group_interval: 10s
  routes:
    - matchers: ['severity="critical"']
      receiver: pagerduty
      continue: true
    - matchers: ['severity=~"critical|warning"']
      receiver: slack
receivers:
  - name: default
    webhook_configs: [{url: 'http://localhost:5001/'}]
  - name: pagerduty
    pagerduty_configs:
      - service_key: '<PAGERDUTY_SERVICE_KEY>'
        description: '{{ .GroupLabels.alertname }}: {{ .CommonAnnotations.summary }}'
        severity: '{{ .CommonLabels.severity }}'
  - name: slack
    slack_configs:
      - api_url: '<SLACK_WEBHOOK_URL>'
        channel: '#eng-alerts'
        send_resolved: true
        title: 'Alert: {{ .GroupLabels.alertname }}'
        text: '{{ .CommonAnnotations.description }}'
        color: '{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}'
"""


def test_pagerduty_v2_substitute_and_slack_are_captured(
    alertmanager: StartAlertmanager, capture: CaptureReceiver
) -> None:
    rendered = render_alertmanager_text(CORRECTED_TEMPLATES, "corrected.yml", capture.url,
                                        time_scale=60)
    am = alertmanager(rendered.yaml_text)
    am.post_alerts(_alert("HighErrorRate", severity="critical", team="backend"))
    pd = capture.wait_for(lambda n: n.kind == "pagerduty", DEADLINE_S)
    slack = capture.wait_for(lambda n: n.kind == "slack", DEADLINE_S)
    assert pd is not None and slack is not None, am.log()
    assert pd.payload["routing_key"] == "<PAGERDUTY_SERVICE_KEY>"
    assert pd.payload["payload"]["summary"] == "HighErrorRate: HighErrorRate summary"
    assert pd.payload["payload"]["severity"] == "critical"
    assert (pd.status, pd.alertnames, pd.labels["team"]) == ("firing", ("HighErrorRate",),
                                                             "backend")
    assert (slack.receiver, slack.status, slack.alertnames) == ("slack", "firing",
                                                                ("HighErrorRate",))
    assert slack.payload["channel"] == "#eng-alerts"
    assert slack.payload["attachments"][0]["text"] == "HighErrorRate description"
    assert capture.wait_for(lambda n: n.kind == "webhook", 2) is None  # continue: not default
    am.post_alerts(_alert("HighErrorRate", ends_in_s=-1, severity="critical", team="backend"))
    for kind in ("pagerduty", "slack"):
        done = capture.wait_for(_resolved(kind), DEADLINE_S)
        assert done is not None, (kind, am.log())


def _resolved(kind: str) -> Callable[[Notification], bool]:
    return lambda n: n.kind == kind and n.status == "resolved"
