"""The capture receiver answers like PagerDuty / Slack / a webhook and records each request."""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx
import pytest

from harness.errors import StackError
from harness.receivers import CaptureReceiver, Notification, receiver_path
from harness.receivers.pagerduty import parse_instances

WEBHOOK: dict[str, Any] = {
    "version": "4",
    "groupKey": "{}:{alertname=\"HighErrorRate\"}",
    "status": "firing",
    "receiver": "default",
    "groupLabels": {"alertname": "HighErrorRate"},
    "commonLabels": {"alertname": "HighErrorRate", "severity": "critical"},
    "commonAnnotations": {"summary": "High error rate detected"},
    "externalURL": "http://127.0.0.1:9093",
    "alerts": [
        {
            "status": "firing",
            "labels": {"alertname": "HighErrorRate", "severity": "critical", "route": "/a"},
            "annotations": {},
            "startsAt": "2024-01-01T00:00:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "fingerprint": "abc",
        },
        {
            "status": "firing",
            "labels": {"alertname": "HighErrorRate", "severity": "critical", "route": "/b"},
            "annotations": {},
            "startsAt": "2024-01-01T00:00:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "fingerprint": "abd",
        },
    ],
}

PD_DETAILS_FIRING = (
    "Labels:\n - alertname = HighErrorRate\n - severity = critical\n - team = backend\n"
    "Annotations:\n - summary = High error rate detected\n"
    "Source: http://prometheus/graph\n"
)
PAGERDUTY: dict[str, Any] = {
    "routing_key": "secret-key",
    "dedup_key": "d1e2",
    "event_action": "trigger",
    "payload": {
        "summary": "HighErrorRate: High error rate detected",
        "source": "Alertmanager",
        "severity": "critical",
        "custom_details": {"firing": PD_DETAILS_FIRING, "resolved": "", "num_firing": "1"},
    },
    "client": "Alertmanager",
}

SLACK: dict[str, Any] = {
    "channel": "#eng-alerts",
    "username": "Alertmanager",
    "attachments": [{"title": "Alert: HighLatency", "text": "P95 is 3s", "color": "danger"}],
}


@pytest.fixture
def capture() -> Any:
    with CaptureReceiver(alertnames=["HighLatency", "HighErrorRate"]) as rx:
        yield rx


def test_start_returns_base_url_and_stop_frees_it() -> None:
    rx = CaptureReceiver()
    url = rx.start()
    assert url.startswith("http://127.0.0.1:") and url == rx.url
    assert httpx.get(url + "/-/healthy").text == "ok"
    rx.stop()
    with pytest.raises(StackError):
        _ = rx.url


def test_webhook_recorded_and_normalised(capture: CaptureReceiver) -> None:
    r = httpx.post(capture.url + "/webhook/default", json=WEBHOOK)
    assert r.status_code == 200
    [n] = capture.notifications()
    assert (n.kind, n.receiver, n.status) == ("webhook", "default", "firing")
    assert n.alertnames == ("HighErrorRate",)
    assert n.labels == {"alertname": "HighErrorRate", "severity": "critical"}
    assert [a["route"] for a in n.alerts] == ["/a", "/b"]
    assert n.payload == WEBHOOK
    assert n.received_at > 0 and n.received_monotonic > 0


def test_pagerduty_answers_like_pagerduty(capture: CaptureReceiver) -> None:
    r = httpx.post(capture.url + "/pagerduty/pagerduty", json=PAGERDUTY)
    assert r.status_code == 202
    assert r.json() == {"status": "success", "message": "Event processed", "dedup_key": "d1e2"}
    [n] = capture.notifications()
    assert (n.kind, n.status, n.dedup_key) == ("pagerduty", "firing", "d1e2")
    assert n.alertnames == ("HighErrorRate",)
    assert n.labels["team"] == "backend"
    resolve = {**PAGERDUTY, "event_action": "resolve"}
    httpx.post(capture.url + "/pagerduty/pagerduty", json=resolve)
    assert capture.notifications()[1].status == "resolved"


def test_pagerduty_without_default_details_falls_back_to_known_names(
    capture: CaptureReceiver,
) -> None:
    body = {**PAGERDUTY, "payload": {**PAGERDUTY["payload"], "custom_details": {}}}
    httpx.post(capture.url + "/pagerduty/pd", json=body)
    [n] = capture.notifications()
    assert n.alertnames == ("HighErrorRate",) and n.labels == {}


def test_slack_answers_ok(capture: CaptureReceiver) -> None:
    r = httpx.post(capture.url + "/slack/slack", json=SLACK)
    assert (r.status_code, r.text) == (200, "ok")
    [n] = capture.notifications()
    assert (n.kind, n.status, n.alertnames, n.summary) == (
        "slack", "firing", ("HighLatency",), "Alert: HighLatency"
    )


def test_slack_status_from_default_title() -> None:
    from harness.receivers import slack

    body = {"attachments": [{"title": "[RESOLVED] HighLatency", "color": "#fff"}]}
    assert slack.parse(body).status == "resolved"
    assert slack.parse({"attachments": [{"title": "x"}]}).status == "unknown"


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        ("/webhook/x", {"version": "3", "status": "firing", "alerts": []}, 400),
        ("/pagerduty/x", {"routing_key": "k", "event_action": "trigger"}, 400),
        ("/slack/x", {"channel": "#a"}, 400),
        ("/nothing/x", {}, 404),
        ("/webhook", {}, 404),
    ],
)
def test_bad_requests_rejected_not_recorded(
    capture: CaptureReceiver, path: str, body: Any, code: int
) -> None:
    assert httpx.post(capture.url + path, json=body).status_code == code
    assert capture.notifications() == []
    assert capture.rejected()[0]["path"] == path


def test_invalid_json_rejected(capture: CaptureReceiver) -> None:
    r = httpx.post(capture.url + "/webhook/x", content=b"{nope")
    assert r.status_code == 400


def test_receiver_names_with_odd_characters_and_config_index(capture: CaptureReceiver) -> None:
    path = receiver_path("webhook", "team a/ops", 2)
    assert path == "/webhook/team%20a%2Fops/2"
    httpx.post(capture.url + path, json=WEBHOOK)
    [n] = capture.notifications()
    assert (n.receiver, n.config_index) == ("team a/ops", 2)


def test_inbox_and_clear(capture: CaptureReceiver) -> None:
    httpx.post(capture.url + "/webhook/default", json=WEBHOOK)
    inbox = httpx.get(capture.url + "/inbox").json()
    assert [n["kind"] for n in inbox["notifications"]] == ["webhook"]
    json.dumps(inbox)  # plain JSON all the way down
    assert httpx.delete(capture.url + "/inbox").status_code == 204
    assert capture.notifications() == []
    httpx.post(capture.url + "/webhook/default", json=WEBHOOK)
    capture.clear()
    assert capture.notifications() == []


def test_wait_for_sees_past_and_future_notifications(capture: CaptureReceiver) -> None:
    httpx.post(capture.url + "/slack/slack", json=SLACK)
    found = capture.wait_for(lambda n: n.kind == "slack", timeout=0)
    assert found is not None and found.seq == 0

    def later() -> None:
        httpx.post(capture.url + "/webhook/default", json=WEBHOOK)

    timer = threading.Timer(0.2, later)
    timer.start()
    got: Notification | None = capture.wait_for(lambda n: n.kind == "webhook", timeout=5)
    timer.join()
    assert got is not None and got.receiver == "default"


def test_wait_for_times_out(capture: CaptureReceiver) -> None:
    assert capture.wait_for(lambda n: True, timeout=0.05) is None


def test_parse_instances_reads_default_pagerduty_details() -> None:
    text = PD_DETAILS_FIRING + "Labels:\n - alertname = B\nAnnotations:\nSource: \n"
    assert parse_instances(text) == [
        {"alertname": "HighErrorRate", "severity": "critical", "team": "backend"},
        {"alertname": "B"},
    ]


def test_the_inbox_needs_the_token_and_never_shows_a_routing_key() -> None:
    """What `harness up` serves: the fault token guards it, keys are redacted as in reports."""
    with CaptureReceiver(token="t0ken-for-this-run") as rx:
        assert httpx.post(rx.url + "/pagerduty/pd", json=PAGERDUTY).status_code == 202
        for headers in ({}, {"X-Fault-Token": "wrong"}):
            assert httpx.get(rx.url + "/inbox", headers=headers).status_code == 401
            assert httpx.delete(rx.url + "/inbox", headers=headers).status_code == 401
        good = {"X-Fault-Token": "t0ken-for-this-run"}
        answer = httpx.get(rx.url + "/inbox", headers=good)
        assert answer.status_code == 200 and "secret-key" not in answer.text
        (notification,) = answer.json()["notifications"]
        assert notification["payload"]["routing_key"] == "<redacted>"
        assert rx.notifications()[0].payload["routing_key"] == "secret-key"  # the engine's copy
        assert httpx.delete(rx.url + "/inbox", headers=good).status_code == 204
