"""The scenarios say what each rule is for, and the judge holds rules to it.

- `for:` six times longer: the budgeted scenarios' windows open after their budgets,
  so no firing of such a rule can pass (the live proof: benchmarks/for_intent.py).
- Transients: each `*-transient.yaml` fault is shorter than its rule's `for:`.
- A label-scoped expectation whose alert fired with other labels says so.
- Two alerts at once: an over-broad inhibition (the warning's Slack message never
  comes) fails scenarios/critical-and-warning.yaml; notified, it passes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from benchmarks.for_intent import ALERTS, rules_variant
from harness.engine.history import Episode
from harness.engine.judge import judge_scenario
from harness.engine.plans import Plan, make_plans
from harness.engine.result import PhaseMark
from harness.paths import CORRECTED_DIR, SCENARIOS_DIR
from harness.prepare import pick_intervals
from harness.receivers.models import Notification
from harness.receivers.routes import parse_route_tree
from harness.rules.load import load_rules_text
from harness.rules.model import AlertRule
from harness.rules.scale import scale_rules
from harness.scenarios import load_scenarios
from harness.scenarios.loader import parse_scenario
from harness.scenarios.model import Scenario

K = 60.0
RULES = CORRECTED_DIR / "prometheus-alerts.yml"
AM = yaml.safe_load((CORRECTED_DIR / "alertmanager.yml").read_text())
# The timers as a run at k=60 has them: 10s / 60, raised to the 1 s floor.
TREE = parse_route_tree({"route": {**AM["route"], "group_wait": "1s", "group_interval": "1s"}})


def _scaled(text: str) -> dict[str, AlertRule]:
    path = Path("/tmp/rules.yml")
    scaled = scale_rules(load_rules_text(text, path), K, scrape_interval_s=1.0)
    return {r.name: r for r in load_rules_text(scaled.yaml_text, path).alerts}


def _scenario(path: Path) -> Scenario:
    (scenario,) = load_scenarios([path])
    return scenario


def _fire_plans(scenario: Scenario, rules: dict[str, AlertRule]) -> list[Plan]:
    plans = make_plans(scenario, rules, pick_intervals(K), TREE, K)
    return [p for p in plans if p.exp.fires is not None]


@pytest.mark.parametrize("alert", sorted(ALERTS))
def test_a_for_six_times_longer_cannot_meet_the_budget(alert: str) -> None:
    text = RULES.read_text()
    scenario = _scenario(ALERTS[alert][1])
    (plan,) = _fire_plans(scenario, _scaled(text))
    assert plan.fire_budget is not None, f"{scenario.id}: no `within:` budget"
    # As written, the rule's window opens well inside the budget ...
    assert plan.fire.start < plan.fire_budget.seconds
    (longer,) = _fire_plans(scenario, _scaled(rules_variant(text, alert, 6.0)))
    # ... six times longer, it opens after it: every firing is over budget.
    assert longer.fire.start > longer.fire_budget.seconds + longer.fire_budget.slack  # type: ignore[union-attr]


def test_every_transient_fault_is_shorter_than_its_rules_for() -> None:
    rules = {r.name: r for r in load_rules_text(RULES.read_text(), RULES).alerts}
    files = sorted(SCENARIOS_DIR.glob("*-transient.yaml"))
    files += [transient for transient, _ in ALERTS.values() if transient not in files]
    assert len(files) >= 8
    alerts = set()
    for scenario in load_scenarios(files):
        (exp,) = scenario.expect
        assert exp.never_fires is not None, scenario.id
        fault = scenario.phase("fault")
        assert isinstance(fault.duration, float) and fault.faults, scenario.id
        assert fault.duration < rules[exp.alert].for_s, scenario.id
        alerts.add(exp.alert)
    assert set(ALERTS) <= alerts


SCOPED = """\
name: s
phases: [{name: fault, duration: 1m}]
expect:
  - alert: NotificationDeliveryFailing
    labels: {channel: email}
    fires: {after: fault}
"""


def test_a_scoped_alert_that_fired_with_other_labels_says_so() -> None:
    (scenario,) = parse_scenario(SCOPED, "s.yaml")
    rules = _scaled(RULES.read_text())
    plans = make_plans(scenario, rules, pick_intervals(K), TREE, K)
    labels = {"alertname": "NotificationDeliveryFailing", "channel": "sms",
              "severity": "warning", "team": "backend"}  # fmt: skip
    ep = Episode("NotificationDeliveryFailing", labels, fired_at=114.0)
    phases = {"fault": PhaseMark("fault", 100.0, 160.0)}
    (fires,) = judge_scenario("s", plans, phases, {ep.alert: [ep]}, [], (90.0, 160.0))
    assert not fires.passed
    assert (
        "NotificationDeliveryFailing fired 14.0 s after 'fault' started, but as "
        '{channel="sms", severity="warning", team="backend"}, with channel="sms", not "email"'
    ) in fires.message


def _note(receiver: str, alert: str, at: float) -> Notification:
    return Notification(seq=0, kind="webhook", receiver=receiver, config_index=0,
                        received_at=at, received_monotonic=0.0, status="firing",
                        alertnames=(alert,), labels={}, alerts=(), summary="",
                        dedup_key="", payload={})  # fmt: skip


@pytest.mark.parametrize("inhibited", [False, True])
def test_critical_and_warning_each_reach_their_receivers(inhibited: bool) -> None:
    scenario = _scenario(SCENARIOS_DIR / "critical-and-warning.yaml")
    plans = make_plans(scenario, _scaled(RULES.read_text()), pick_intervals(K), TREE, K)
    t0 = 100.0
    phases = {"warmup": PhaseMark("warmup", 95.0, t0), "fault": PhaseMark("fault", t0, 120.0)}
    crit = {"alertname": "HighErrorRate", "severity": "critical", "team": "backend"}
    warn = {"alertname": "HighLatency", "severity": "warning", "team": "backend"}
    episodes = {
        "HighErrorRate": [Episode("HighErrorRate", crit, fired_at=t0 + 9.0)],
        "HighLatency": [Episode("HighLatency", warn, fired_at=t0 + 14.5)],
    }
    sent = [_note("pagerduty", "HighErrorRate", t0 + 10.0)]
    if not inhibited:  # an inhibition muting every warning would drop this one
        sent.append(_note("slack", "HighLatency", t0 + 15.5))
    verdicts = judge_scenario(scenario.id, plans, phases, episodes, sent, (95.0, 120.0))
    failed = [(v.alert, v.check) for v in verdicts if not v.passed]
    assert failed == ([("HighLatency", "notifies:slack")] if inhibited else [])
