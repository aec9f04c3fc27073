"""How close a quiet alert came to its threshold: the headroom of boundary scenarios."""

from __future__ import annotations

from pathlib import Path

from harness.engine.judge import judge_scenario
from harness.engine.plans import make_plans
from harness.engine.result import PhaseMark
from harness.engine.series import AlertSeries, closest_approach
from harness.receivers.routes import parse_route_tree
from harness.rules.model import AlertRule
from harness.scenarios.loader import parse_scenario
from harness.stack.spec import Intervals

AM = parse_route_tree({"route": {"receiver": "default"}})
RULE = AlertRule(name="NotificationDeliveryFailing", expr="ratio > 0.1", group="g",
                 source=Path("r.yml"), line=1)


def _series() -> AlertSeries:
    return AlertSeries(
        "NotificationDeliveryFailing", "ratio", ">", 0.1,
        [
            {"labels": {"channel": "email"}, "points": [[100.0, 0.02], [101.0, 0.07]]},
            {"labels": {"channel": "sms"}, "points": [[100.0, 0.09], [130.0, 0.5]]},
        ],
    )


def test_the_highest_point_of_matching_series_within_the_interval() -> None:
    a = closest_approach(_series(), {"channel": "email", "severity": "warning"}, 90, 120)
    assert a is not None and (a.at, a.value) == (101.0, 0.07)
    assert a.describe(90.0) == "peaked at 0.07 at 11.0 s (fires at > 0.1; 70% of it)"
    # Every series when no label narrows it; points outside the interval do not count.
    b = closest_approach(_series(), {}, 90, 120)
    assert b is not None and (b.at, b.value) == (100.0, 0.09)


def test_a_lower_than_threshold_takes_the_lowest_point() -> None:
    s = _series()
    s.op = "<"
    a = closest_approach(s, {}, 0, 200)
    assert a is not None and a.value == 0.02
    assert a.describe(0.0).startswith("bottomed out at 0.02")


def test_no_threshold_or_no_points_says_nothing() -> None:
    s = _series()
    assert closest_approach(s, {}, 200, 300) is None
    s.threshold = None
    assert closest_approach(s, {}, 0, 200) is None


def _judge(scenario: str, series: AlertSeries | None):  # type: ignore[no-untyped-def]
    (sc,) = parse_scenario(scenario, "s.yaml")
    plans = make_plans(sc, {RULE.name: RULE}, Intervals(), AM)
    phases = {"fault": PhaseMark("fault", 95.0, 125.0)}
    series_map = {RULE.name: series} if series else None
    return judge_scenario("s", plans, phases, {}, [], (90.0, 140.0), series=series_map)


QUIET = """\
name: s
phases: [{name: fault, duration: 30m}]
expect:
  - {alert: NotificationDeliveryFailing, labels: {channel: email}, never_fires: true}
"""
FIRES = """\
name: s
phases: [{name: fault, duration: 30m}]
expect:
  - {alert: NotificationDeliveryFailing, labels: {channel: email}, fires: {after: fault}}
"""


def test_a_quiet_verdict_says_how_close_it_came() -> None:
    (v,) = _judge(QUIET, _series())
    assert v.passed
    assert v.verdict.message.endswith("; peaked at 0.07 at 11.0 s (fires at > 0.1; 70% of it)")
    assert 'NotificationDeliveryFailing{channel="email"} did not fire' in v.verdict.message


def test_a_missed_firing_says_how_far_the_fault_fell_short() -> None:
    (v,) = _judge(FIRES, _series())
    assert not v.passed and "never fired" in v.verdict.message
    assert v.verdict.message.endswith("peaked at 0.07 at 6.0 s (fires at > 0.1; 70% of it)")


def test_without_series_the_verdict_is_unchanged() -> None:
    (v,) = _judge(QUIET, None)
    assert v.verdict.message.endswith("after the scenario started)")
