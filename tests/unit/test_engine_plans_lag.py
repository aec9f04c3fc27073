"""A slowed call is observed when it completes: latency faults widen the late edges."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.engine.plans import make_plans
from harness.receivers.routes import Route
from harness.rules.model import AlertRule
from harness.scenarios.loader import parse_scenario
from harness.stack.spec import Intervals

RULE = AlertRule(name="HighLatency", expr="x > 2", group="g", source=Path("r.yml"), line=1,
                 for_s=10.0)
SCENARIO = """\
name: s
phases:
  - {{name: warmup, duration: 5m}}
  - {{name: fault, duration: 5m, faults: [{fault}]}}
expect:
  - {{alert: HighLatency, fires: {{after: fault}}, resolves: {{after: fault}}}}
  - {{alert: HighLatency, never_fires: {{during: warmup}}}}
"""


def _plans(fault: str):  # type: ignore[no-untyped-def]
    (scenario,) = parse_scenario(SCENARIO.format(fault=fault), "s.yaml")
    return make_plans(scenario, {RULE.name: RULE}, Intervals(), Route("default"))


@pytest.mark.parametrize(("fault", "lag"), [
    ("{kind: latency, seconds: 3}", 3.0),
    ("{kind: latency, seconds: 2, distribution: uniform}", 3.0),
    ("{kind: latency, seconds: 0.2, distribution: tail, tail_seconds: 4}", 4.0),
    ("{kind: slow_db, seconds: 1.5}", 1.5),
])
def test_the_late_edges_move_by_the_added_latency(fault: str, lag: float) -> None:
    base, _ = _plans("{kind: errors, ratio: 0.1}")
    slow, quiet = _plans(fault)
    assert slow.fire.start == base.fire.start  # never earlier than `for:` allows
    assert slow.fire.end == pytest.approx(base.fire.end + lag)
    assert slow.resolve.end == pytest.approx(base.resolve.end + lag)
    # The warm-up has no fault: its never_fires watch is not stretched.
    assert quiet.aftermath == _plans("{kind: errors, ratio: 0.1}")[1].aftermath
