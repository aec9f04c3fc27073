"""Switching a phase's faults on (off) takes time, and their effect can begin anywhere in
it: a queue backlog is in Redis before the call that made it returns, and the phase's
start is stamped after the last fault is on. The windows' early edges move back by the
switch's measured length (measured in flake runs: 0.13-0.42 s for a 1500-job backlog)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.engine import phase_driver
from harness.engine.history import Episode
from harness.engine.judge import judge_scenario
from harness.engine.phase_driver import PhaseDriver
from harness.engine.plans import make_plans
from harness.engine.result import PhaseMark
from harness.receivers.routes import Route
from harness.rules.model import AlertRule
from harness.scenarios.loader import parse_scenario
from harness.stack.spec import Intervals
from harness.verdicts.verdict import Outcome

SCENARIO = """\
name: s
phases:
  - {name: fault, duration: 1m, faults: [{kind: worker_stuck}]}
  - {name: recovery, duration: 1m}
expect:
  - alert: A
    fires: {after: fault}
    resolves: {after: fault}
"""
RULE = AlertRule(name="A", expr="x > 1", group="g", source=Path("r.yml"), line=1, for_s=5.0)
T0, T1 = 100.0, 130.0  # the fault phase's start and end


def _verdicts(fired: float, resolved: float, on_s: float, off_s: float) -> dict[str, Any]:
    (scenario,) = parse_scenario(SCENARIO, "s.yaml")
    plans = make_plans(scenario, {"A": RULE}, Intervals(), Route("default"))
    phases = {
        "fault": PhaseMark("fault", T0, T1, faults_on_s=on_s, faults_off_s=off_s),
        "recovery": PhaseMark("recovery", T1, T1 + 30),
    }
    ep = Episode("A", {"alertname": "A"}, fired_at=fired, resolved_at=resolved)
    verdicts = judge_scenario("s", plans, phases, {"A": [ep]}, [], (T0 - 1, T1 + 30))
    return {v.check: v.verdict for v in verdicts}


def test_a_firing_during_the_switch_on_is_on_time_not_early() -> None:
    # F* = 5 s: [5, 7.5) after T0, 0.5 s slack. Fired 0.7 s before T0 + F*: early unless
    # the faults took 0.4 s to switch on, in which case the condition may have begun then.
    fired = T0 + 5.0 - 0.7
    assert _verdicts(fired, T1 + 1.0, 0.0, 0.0)["fires"].outcome is Outcome.EARLY
    verdict = _verdicts(fired, T1 + 1.0, 0.4, 0.0)["fires"]
    assert verdict.outcome is Outcome.ON_TIME, verdict.message
    assert verdict.window is not None and verdict.window.start == 4.6
    assert "switching faults on 0.40 s" in verdict.window.formula


def test_a_resolve_during_the_switch_off_is_on_time_not_early() -> None:
    resolved = T1 - 0.6  # before the phase's end as stamped, inside its 0.3 s switch-off
    assert _verdicts(T0 + 6.0, resolved, 0.0, 0.0)["resolves"].outcome is Outcome.EARLY
    verdict = _verdicts(T0 + 6.0, resolved, 0.0, 0.3)["resolves"]
    assert verdict.outcome is Outcome.ON_TIME, verdict.message


def test_the_late_edges_do_not_move() -> None:
    late = T0 + 7.5 + 0.5 + 0.01  # just past the widened late edge
    assert _verdicts(late, T1 + 1.0, 0.4, 0.3)["fires"].outcome is Outcome.LATE


class _Clock:
    """time.time() for the driver: it moves only when a fault switch works."""

    def __init__(self) -> None:
        self.now = 1000.0

    def time(self) -> float:
        return self.now


class _SlowFaults:
    def __init__(self, clock: _Clock) -> None:
        self.clock = clock

    def apply(self, faults: Any) -> None:
        self.clock.now += 0.25 if faults else 0.0

    def revert(self) -> None:
        self.clock.now += 0.125


def test_the_driver_records_how_long_each_switch_took(monkeypatch: Any) -> None:
    clock = _Clock()
    monkeypatch.setattr(phase_driver, "time", clock)
    (scenario,) = parse_scenario(SCENARIO, "s.yaml")
    # k infinite: every phase's scaled length is 0, the loop ends at its first check.
    driver = PhaseDriver(scenario, [], float("inf"), _SlowFaults(clock), None, None)  # type: ignore[arg-type]
    fault, recovery = driver.run()
    assert (fault.faults_on_s, fault.faults_off_s) == (0.25, 0.125)
    assert fault.end - fault.start == 0.125  # stamped once the faults are off
    assert recovery.faults_on_s == 0.0
    assert fault.to_dict()["faults_on_s"] == 0.25
