"""Notification windows follow the routes an alert's labels really match (Route.match):
matchers, `continue`, per-route and inherited timers; a receiver reached through two
routes gets a window covering both."""

from __future__ import annotations

from pathlib import Path

import yaml

from harness.engine.history import Episode
from harness.engine.judge import _notification_window
from harness.engine.plans import Plan, make_plans
from harness.receivers.routes import parse_route_tree
from harness.rules.model import AlertRule
from harness.scenarios.loader import parse_scenario
from harness.stack.spec import Intervals

AM = """\
route:
  receiver: default
  group_by: [alertname]
  group_wait: 30s
  group_interval: 40s
  routes:
    - {receiver: pagerduty, matchers: ['team="checkout"'], group_wait: 2s}
    - receiver: slack
      matchers: ['severity="critical"']
      group_wait: 4s
      group_interval: 8s
      continue: true
    - {receiver: pagerduty, matchers: ['team="payments"'], group_wait: 6s, continue: true}
    - receiver: pagerduty
      matchers: ['severity="critical"']
      group_wait: 10s
      group_interval: 20s
"""
SCENARIO = """\
name: s
phases: [{name: fault, duration: 1m}]
expect:
  - alert: PaymentsDown
    fires: {after: fault}
    notifies: {receivers: [pagerduty, slack], resolved: true}
  - alert: PaymentsDown
    labels: {team: checkout}
    fires: {after: fault}
    notifies: {receivers: [pagerduty]}
"""
TREE = parse_route_tree(yaml.safe_load(AM))


def _plans(team: str) -> list[Plan]:
    rule = AlertRule(
        name="PaymentsDown",
        expr="x > 0",
        group="g",
        source=Path("r.yml"),
        line=1,
        labels={"severity": "critical", "team": team},
    )
    (scenario,) = parse_scenario(SCENARIO, "s.yaml")
    return make_plans(scenario, {rule.name: rule}, Intervals(), TREE)


def _edges(plan: Plan, receiver: str) -> tuple[tuple[float, float], tuple[float, float]]:
    first, resolved = plan.first_notification[receiver], plan.resolved_notification[receiver]
    return (first.start, first.end), (resolved.start, resolved.end)


def test_a_receiver_reached_through_two_routes_gets_a_window_covering_both() -> None:
    plan, _ = _plans("payments")
    # routes[2] (GW 6 s, GI inherited 40 s) and routes[3] (GW 10 s, GI 20 s), both
    # after slack's `continue`; routes[0], the first naming pagerduty, does not match.
    assert _edges(plan, "pagerduty") == ((6.0, 10.0), (0.0, 40.0))
    formula = plan.first_notification["pagerduty"].formula
    assert "covers 2 routes" in formula
    assert "route.routes[2]" in formula and "route.routes[3]" in formula
    assert _edges(plan, "slack") == ((4.0, 4.0), (0.0, 8.0))
    assert plan.first_notification["slack"].formula == "FiredAt + GW (route.routes[1])"


def test_the_labels_an_expectation_is_scoped_to_choose_the_route() -> None:
    # A templated team is unknown before the run: severity alone reaches routes[3].
    unscoped, scoped = _plans("{{ $labels.team }}")
    assert _edges(unscoped, "pagerduty") == ((10.0, 10.0), (0.0, 20.0))
    # `labels: {team: checkout}` stops at routes[0] (no `continue`): GW 2 s, GI 40 s.
    assert _edges(scoped, "pagerduty") == ((2.0, 2.0), (0.0, 40.0))


def test_the_judge_routes_by_the_labels_the_alert_fired_with() -> None:
    plan, _ = _plans("{{ $labels.team }}")
    labels = {"alertname": "PaymentsDown", "severity": "critical"}
    checkout = Episode("PaymentsDown", {**labels, "team": "checkout"}, fired_at=100.0)
    window = _notification_window(plan, "pagerduty", checkout, [checkout])
    assert (window.start, window.end) == (2.0, 2.0)
    payments = Episode("PaymentsDown", {**labels, "team": "payments"}, fired_at=100.0)
    window = _notification_window(plan, "pagerduty", payments, [payments])
    assert (window.start, window.end) == (6.0, 10.0)
