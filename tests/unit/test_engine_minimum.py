"""The theoretical minimum and the phase driver share one rule for what holds an
``auto`` phase open (``harness.engine.phase_driver.holds``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.engine.minimum import minimum_seconds
from harness.engine.phase_driver import holds
from harness.engine.plans import make_plans
from harness.receivers.routes import Route
from harness.rules.model import AlertRule
from harness.scenarios.loader import parse_scenario
from harness.stack.spec import Intervals

RULE = AlertRule(name="HighErrorRate", expr="x > 0.05", group="g", source=Path("r.yml"),
                 line=1, for_s=10.0)
SCENARIO = """\
name: s
phases:
  - {name: warmup, duration: 5m}
  - {name: fault, duration: auto, max: 40m, faults: [{kind: errors, ratio: 0.2}]}
  - {name: recovery, duration: auto, max: 40m}
  - {name: calm, duration: auto, max: 40m}
expect:
  - {alert: HighErrorRate, fires: {after: fault}, resolves: {after: fault}}
  - {alert: HighErrorRate, never_fires: {during: calm}}
"""


def test_each_auto_phase_is_held_by_its_expectations_until_their_earliest() -> None:
    (scenario,) = parse_scenario(SCENARIO, "s.yaml")
    fire, quiet = make_plans(scenario, {RULE.name: RULE}, Intervals(), Route("default"))
    kinds = [[(h.kind, h.plan) for h in holds(scenario, i, [fire, quiet])] for i in range(4)]
    assert kinds == [[], [("fires", fire)], [("resolves", fire)], [("never_fires", quiet)]]
    expected = 300 / 60 + fire.fire.start + fire.resolve.start + quiet.fire.closes_at
    assert minimum_seconds(scenario, [fire, quiet], 60) == pytest.approx(expected)
    assert fire.fire.start > 0 and fire.resolve.start >= 0 and quiet.fire.closes_at > 0
