"""Budgets (`fires`/`notifies` `within:`): a late firing fails even when the rule's own
`for:` explains it, and the verdict names both the budget and the rule-derived window."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from harness.engine.history import Episode
from harness.engine.judge import judge_scenario
from harness.engine.plans import make_plans
from harness.engine.result import ExpectationVerdict, PhaseMark
from harness.receivers.models import Notification
from harness.receivers.routes import Route
from harness.report.model import Verdict as ReportVerdict
from harness.report.schema import SCHEMA_PATH
from harness.rules.model import AlertRule
from harness.scenarios.loader import parse_scenario
from harness.stack.spec import Intervals
from harness.verdicts.verdict import Outcome

K = 60.0
SCENARIO = """\
name: s
phases: [{name: warmup, duration: 1m}, {name: fault, duration: 1h}]
expect:
  - alert: A
    fires: {after: fault, within: 10m}
    notifies: {receivers: [default], within: 11m}
"""
T0 = 100.0  # the fault phase starts (epoch seconds)
ROOT = Route("default", group_wait_s=1.0, group_interval_s=1.0)


def _rule(for_s: float) -> AlertRule:
    return AlertRule(name="A", expr="x > 1", group="g", source=Path("r.yml"), line=1,
                     for_s=for_s, labels={"severity": "critical"})  # fmt: skip


def _verdicts(for_s: float, fired_after: float, notified_after: float | None = None):  # type: ignore[no-untyped-def]
    (scenario,) = parse_scenario(SCENARIO, "s.yaml")
    plans = make_plans(scenario, {"A": _rule(for_s)}, Intervals(), ROOT, K)
    phases = {"warmup": PhaseMark("warmup", 90.0, T0), "fault": PhaseMark("fault", T0, 200.0)}
    fired = T0 + fired_after
    ep = Episode("A", {"alertname": "A", "severity": "critical"}, fired_at=fired)
    got = []
    if notified_after is not None:
        got.append(Notification(seq=1, kind="webhook", receiver="default", config_index=0,
                                received_at=T0 + notified_after, received_monotonic=0.0,
                                status="firing", alertnames=("A",), labels={}, alerts=(),
                                summary="", dedup_key="", payload={}))  # fmt: skip
    verdicts = judge_scenario("s", plans, phases, {"A": [ep]}, got, (90.0, 200.0))
    return {v.check: v.verdict for v in verdicts}


def test_budget_is_production_time_divided_by_the_time_scale() -> None:
    (scenario,) = parse_scenario(SCENARIO, "s.yaml")
    (plan,) = make_plans(scenario, {"A": _rule(300 / K)}, Intervals(), ROOT, K)
    assert plan.fire_budget is not None and plan.notify_budget is not None
    assert plan.fire_budget.seconds == pytest.approx(10.0)
    assert plan.notify_budget.seconds == pytest.approx(11.0)
    assert str(plan.fire_budget) == "10m (10.0 s at k=60)"


def test_on_time_and_within_budget_passes_and_says_so() -> None:
    fires = _verdicts(300 / K, 5.5)["fires"]
    assert fires.outcome is Outcome.ON_TIME
    assert "within its budget 10m (10.0 s at k=60)" in fires.message


def test_late_for_the_budget_fails_although_the_rules_for_explains_it() -> None:
    # for: 30m (30 s at k=60): on time for the rule's window, 20 s over the budget.
    fires = _verdicts(1800 / K, 30.3)["fires"]
    assert fires.outcome is Outcome.LATE and not fires.passed
    assert "window [30.0, 32.5) s: on time" in fires.message  # the rule-derived window
    assert "but over its budget 10m (10.0 s at k=60) after 'fault' started by 20.3 s" in (
        fires.message
    )
    assert "the rule's own timing (window = [t0 + F*," in fires.message
    assert fires.budget is not None and fires.budget.to_dict()["within"] == "10m"


def test_never_fired_with_a_window_after_the_budget_says_the_rule_cannot_meet_it() -> None:
    (scenario,) = parse_scenario(SCENARIO, "s.yaml")
    plans = make_plans(scenario, {"A": _rule(1800 / K)}, Intervals(), ROOT, K)
    phases = {"warmup": PhaseMark("warmup", 90.0, T0), "fault": PhaseMark("fault", T0, 120.0)}
    (fires, _) = judge_scenario("s", plans, phases, {}, [], (90.0, 120.0))
    assert fires.verdict.outcome is Outcome.NEVER
    assert "the rule cannot meet it (its window opens 30.0 s after 'fault' started)" in (
        fires.message
    )


def test_notification_budget_runs_from_the_phase_start_not_from_firing() -> None:
    # Fired at 5.5 s, notified 1 s later: 6.5 s to page, inside 11 s.
    ok = _verdicts(300 / K, 5.5, notified_after=6.5)["notifies:default"]
    assert ok.passed, ok.message
    assert "within its budget 11m (11.0 s at k=60) after 'fault' started (6.5 s" in ok.message
    # Fired at 10.4 s (inside the 10 s budget and its slack), paged at 12.0 s: over 11 s.
    late = _verdicts(600 / K, 10.4, notified_after=12.0)["notifies:default"]
    assert late.outcome is Outcome.LATE, late.message
    assert "over its budget 11m (11.0 s at k=60)" in late.message and "by 1.0 s" in late.message


def test_report_json_carries_the_budget_and_its_schema_describes_it() -> None:
    fires = _verdicts(1800 / K, 30.3)["fires"]
    data = ExpectationVerdict.of("s", "A", "fires", fires).to_dict()
    assert data["budget"] == {"within": "10m", "seconds": 10.0, "reference": "'fault' started"}
    assert ReportVerdict.model_validate(data).budget is not None
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.validate(data, {"$defs": schema["$defs"], "$ref": "#/$defs/Verdict"})
