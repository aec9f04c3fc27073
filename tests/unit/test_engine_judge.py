"""Notification windows when several instances of an alert share an Alertmanager group."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from harness.engine.history import Episode
from harness.engine.judge import _notification_window, judge_scenario
from harness.engine.plans import make_plans
from harness.engine.result import PhaseMark
from harness.receivers.models import Notification
from harness.receivers.routes import parse_route_tree
from harness.rules.model import AlertRule
from harness.scenarios.loader import parse_scenario
from harness.stack.spec import Intervals

SCENARIO = """\
name: s
phases: [{name: fault, duration: 1m}]
expect:
  - alert: WorkerStalled
    labels: {queue: reports}
    fires: {after: fault}
    notifies: {receivers: [pagerduty]}
"""
AM = """\
route:
  receiver: default
  group_by: [{group_by}]
  group_wait: 1s
  group_interval: 2s
  routes:
    - {{receiver: pagerduty, matchers: ['severity="critical"']}}
receivers: [{{name: default}}, {{name: pagerduty}}]
"""
RULE = AlertRule(name="WorkerStalled", expr="x > 0", group="g", source=Path("r.yml"), line=1,
                 labels={"severity": "critical"})


def _plan(group_by: str):  # type: ignore[no-untyped-def]
    (scenario,) = parse_scenario(SCENARIO, "s.yaml")
    tree = parse_route_tree(yaml.safe_load(AM.format(group_by=group_by)))
    (plan,) = make_plans(scenario, {RULE.name: RULE}, Intervals(), tree)
    return plan


def _ep(queue: str, fired: float) -> Episode:
    labels = {"alertname": "WorkerStalled", "queue": queue, "severity": "critical"}
    return Episode("WorkerStalled", labels, fired_at=fired)


def test_alone_in_its_group_waits_group_wait() -> None:
    plan = _plan("alertname")
    mine = _ep("reports", 10.0)
    window = _notification_window(plan, "pagerduty", mine, [mine])
    assert (window.start, window.end) == (1.0, 1.0)


def test_joining_a_group_before_its_first_flush_goes_out_with_it() -> None:
    plan = _plan("alertname")
    first, mine = _ep("notifications", 10.0), _ep("reports", 10.5)
    window = _notification_window(plan, "pagerduty", mine, [first, mine])
    # The group opened at 10.0 flushes at 11.0: 0.5 s after this alert fired.
    assert (window.start, window.end) == (0.0, 0.5)
    assert window.contains(0.01)


def test_joining_a_group_as_it_flushes_goes_out_with_that_flush_or_the_next_tick() -> None:
    """Seen in a flake run (worker-stalled-dead): the notifications queue fired exactly GW
    before the reports queue (E divides GW), so the group's first flush and the reports
    queue's evaluation were the same instant; its alert reached Alertmanager just after
    that flush and went out at the next group_interval tick, 1.0 s after it fired."""
    plan = _plan("alertname")
    first, mine = _ep("notifications", 10.0), _ep("reports", 11.0)
    window = _notification_window(plan, "pagerduty", mine, [first, mine])
    assert (window.start, window.end) == (0.0, 2.0)  # flush (0 s) + GI
    assert window.contains(1.0086)
    soon = _ep("reports", 10.7)  # the flush 0.3 s after it: within a hop, either one
    assert _notification_window(plan, "pagerduty", soon, [first, soon]).end == pytest.approx(2.3)
    early = _ep("reports", 10.4)  # the flush 0.6 s after it: it is in that flush
    assert _notification_window(plan, "pagerduty", early, [first, early]).end == pytest.approx(0.6)


def test_joining_a_flushed_group_waits_for_the_next_group_interval_tick() -> None:
    plan = _plan("alertname")
    first, mine = _ep("notifications", 10.0), _ep("reports", 14.0)
    window = _notification_window(plan, "pagerduty", mine, [first, mine])
    assert (window.start, window.end) == (0.0, 2.0)


def test_grouped_by_queue_each_instance_has_its_own_group() -> None:
    plan = _plan("alertname, queue")
    first, mine = _ep("notifications", 10.0), _ep("reports", 10.5)
    window = _notification_window(plan, "pagerduty", mine, [first, mine])
    assert (window.start, window.end) == (1.0, 1.0)


def _page(at: float, *queues: str) -> Notification:
    alerts = tuple({"alertname": "WorkerStalled", "queue": q, "severity": "critical"}
                   for q in queues)
    return Notification(0, "pagerduty", "pagerduty", 0, at, at, "firing", ("WorkerStalled",),
                        {"alertname": "WorkerStalled"}, alerts, "", "", {})


def test_a_groups_earlier_notification_is_not_the_joining_instances() -> None:
    """Seen with one core busy (worker-stalled-dead): the notifications queue's page went
    out 1 s before the reports queue fired; the reports queue's own came with the group's
    next tick, 10 ms after it fired. The earlier page is not the reports queue's."""
    plan = _plan("alertname")
    first, mine = _ep("notifications", 73.15), _ep("reports", 75.15)
    pages = [_page(74.16, "notifications"), _page(75.16, "notifications", "reports")]
    verdicts = judge_scenario(
        "s", [plan], {"fault": PhaseMark("fault", 60.0, 80.0)},
        {"WorkerStalled": [first, mine]}, pages, (60.0, 80.0),
    )
    (notified,) = [v for v in verdicts if v.check == "notifies:pagerduty"]
    assert notified.passed, notified.verdict.message
    assert "0.01 s after" in notified.verdict.message
