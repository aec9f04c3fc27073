"""The routed live leg's pure parts: which notification carries an alert, the deadline
from the route timers, the exp_notifications verdicts, the observed list (redacted) and
the report's notifications section."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from harness.promtool.notifications import load_expectations
from harness.promtool.report import passed, print_tables, rows_for, write_json
from harness.promtool.routing import Timing, carries, deadline_s, judge, observed
from harness.promtool.testfile import load_test_file
from harness.receivers.models import Notification
from harness.receivers.render import render_alertmanager_config

DATA = Path(__file__).resolve().parents[1] / "data" / "promtool-notify"
DISK = {"alertname": "DiskFull", "instance": "db1", "severity": "page"}
QUEUE = {"alertname": "QueueSlow", "queue": "mail", "severity": "ticket"}
T0 = 1000.0
TIMING = Timing(T0, 60.0, 1.0, 1.0)
ROUTED = render_alertmanager_config(DATA / "alertmanager.yml", time_scale=60, check=False)
TREE = ROUTED.route_tree


def _note(receiver: str, labels: dict[str, str], at_s: float, status: str = "firing",
          alerts: bool = True, seq: int = 0, payload: Any = None) -> Notification:
    return Notification(seq, "webhook", receiver, 0, T0 + at_s, 0.0, status,  # type: ignore[arg-type]
                        (labels["alertname"],), dict(labels) if alerts else {},
                        (dict(labels),) if alerts else (), "", "", payload or {})


def _expectations(name: str = "alerts") -> list[Any]:
    test_file = load_test_file(DATA / f"{name}.test.yml")
    return load_expectations(DATA / f"{name}.test.notifications.yml", test_file,
                             ROUTED.receivers)


def test_a_notification_carries_an_alert_by_its_exact_labels() -> None:
    assert carries(_note("pager", DISK, 1), DISK)
    assert not carries(_note("pager", {**DISK, "instance": "db2"}, 1), DISK)
    assert not carries(_note("pager", DISK, 1), {**DISK, "extra": "x"})
    # A Slack message has no per-alert labels: alertname and common labels decide.
    assert carries(_note("pager", DISK, 1, alerts=False), DISK)
    assert not carries(_note("pager", DISK, 1, alerts=False), QUEUE)


def test_deadline_is_eval_time_plus_the_pipeline_and_the_route_timers() -> None:
    due, how = deadline_s(600_000, DISK, TREE, TIMING)
    # 10m / 60 = 10 s; S + E = 2 s; GI 5 s (5m / 60) beats GW 1 s (floor); slack 0.5 s.
    assert due == pytest.approx(17.5)
    assert "GI 5s at route.routes[0]" in how


def test_right_expectations_pass() -> None:
    notes = [_note("tickets", QUEUE, 5.0, seq=0), _note("pager", DISK, 6.0, seq=1),
             _note("pager", DISK, 16.0, "resolved", seq=2)]
    verdicts = [v for e in _expectations() for v in judge(e, notes, TREE, TIMING)]
    assert [(v.alertname, v.receiver, v.expected, v.status) for v in verdicts] == [
        ("DiskFull", "pager", "notified", "pass"),
        ("DiskFull", "tickets", "not notified", "pass"),
        ("DiskFull", "default", "not notified", "pass"),
        ("QueueSlow", "tickets", "notified", "pass"),
        ("QueueSlow", "pager", "not notified", "pass")]
    assert passed([], verdicts) is False  # no case row: nothing ran
    assert all(v.message == "" for v in verdicts)


def test_wrong_expectations_fail_naming_the_side_file_line() -> None:
    notes = [_note("pager", DISK, 6.0)]
    tickets, pager = judge(_expectations("wrong")[0], notes, TREE, TIMING)
    assert (tickets.status, pager.status) == ("fail", "fail")
    assert tickets.message.startswith(f"{DATA / 'wrong.test.notifications.yml'}:2: ")
    assert "receiver 'tickets' was not notified of" in tickets.message
    assert "by 17m30s test time" in tickets.message
    assert "notifications of it went to ['pager']" in tickets.message
    assert "the routing tree sends it to ['pager'] (route.routes[0])" in tickets.message
    assert "receiver 'pager' was notified of" in pager.message
    assert "at 6m test time, and must not be" in pager.message


def test_late_missing_and_resolved_notifications_fail() -> None:
    disk = _expectations()[0]
    late = judge(disk, [_note("pager", DISK, 30.0)], TREE, TIMING)[0]
    assert late.status == "fail" and "it came late, at 30m" in late.message
    none = judge(disk, [_note("pager", DISK, 6.0, "resolved")], TREE, TIMING)[0]
    assert none.status == "fail" and "no receiver was notified of it" in none.message


def test_observed_lists_fields_in_test_time_with_secrets_redacted() -> None:
    payload = {"routing_key": "harness-test-routing-key-0123", "event_action": "trigger",
               "payload": {"summary": "x"}}
    note = _note("pager", {**DISK, "url": "https://tickets.example.com/hook?token="
                           "harness-test-token-4567"}, 6.5, seq=3, payload=payload)
    (record,) = observed([note], TIMING, 0, ROUTED.secrets)
    assert record["at"] == "6m30s"
    assert record["payload_fields"] == ["event_action", "payload", "routing_key"]
    assert record["receiver"] == "pager" and record["status"] == "firing"
    assert "harness-test" not in json.dumps(record)
    assert "<redacted>" in record["labels"]["url"]


def test_report_has_a_notifications_section(tmp_path: Path) -> None:
    test_file = load_test_file(DATA / "wrong.test.yml")
    rows = rows_for(test_file, {}, {})
    verdicts = judge(_expectations("wrong")[0], [_note("pager", DISK, 6.0)], TREE, TIMING)
    records = [{"file": "wrong.test.yml", **r}
               for r in observed([_note("pager", DISK, 6.0)], TIMING, 0, ())]
    write_json(rows, tmp_path / "r.json", verdicts, records)
    section = json.loads((tmp_path / "r.json").read_text())["notifications"]
    assert [e["status"] for e in section["expectations"]] == ["fail", "fail"]
    assert section["observed"][0]["receiver"] == "pager"
    console = Console(record=True, width=200)
    print_tables(rows, console, verdicts, records)
    text = console.export_text()
    assert "notifications (live replay)" in text and "exp_notifications: 0/2 pass" in text
    assert "wrong.test.yml tests[0]" in text
    assert not passed(rows, verdicts)
