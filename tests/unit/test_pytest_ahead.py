"""--parallel N under pytest (harness.pytest_plugin.ahead): scenario items run N at a
time from the first one on, each item gets its own result, what has not started when
the session ends is cancelled. The suite is a stand-in: only the pool around it is
under test (the scenarios themselves run for real in the integration tests)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from harness.engine.result import ScenarioResult
from harness.pytest_plugin.ahead import RunAhead

WAIT_S = 10.0


@dataclass
class _Scenario:
    id: str


@dataclass
class _Suite:
    """Each run_one blocks until its scenario is released; records what ran at once."""

    cancel: threading.Event = field(default_factory=threading.Event)
    release: dict[str, threading.Event] = field(default_factory=dict)
    started: list[str] = field(default_factory=list)
    running: int = 0
    most_at_once: int = 0
    ordered_by: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    two_started: threading.Event = field(default_factory=threading.Event)

    def run_one(self, scenario: Any) -> ScenarioResult:
        with self.lock:
            self.started.append(scenario.id)
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
            if len(self.started) == 2:
                self.two_started.set()
        assert self.release[scenario.id].wait(WAIT_S)
        with self.lock:
            self.running -= 1
        return ScenarioResult(scenario.id, None, 0.0, 1.0)  # type: ignore[arg-type]

    def keep_order(self, scenarios: Any) -> None:
        self.ordered_by = [s.id for s in scenarios]


def _setup(names: list[str]) -> tuple[_Suite, list[_Scenario]]:
    suite = _Suite(release={n: threading.Event() for n in names})
    return suite, [_Scenario(n) for n in names]


def test_n_at_a_time_in_pytests_order_each_item_its_own_result() -> None:
    suite, scenarios = _setup(["a", "b", "c", "d"])
    ahead = RunAhead(suite, scenarios, parallel=2)  # type: ignore[arg-type]
    assert suite.two_started.wait(WAIT_S)
    assert suite.started == ["a", "b"]  # c waits for a free slot
    suite.release["b"].set()  # b ends first: c starts while a still runs
    for name in ("a", "c", "d"):
        suite.release[name].set()
    results = [ahead.result_of(s).scenario_id for s in scenarios]  # type: ignore[arg-type]
    ahead.close(interrupted=False)
    assert results == ["a", "b", "c", "d"]
    assert suite.most_at_once == 2
    assert suite.ordered_by == ["a", "b", "c", "d"]
    assert not suite.cancel.is_set()


def test_what_has_not_started_is_cancelled_and_ctrl_c_stops_what_runs() -> None:
    suite, scenarios = _setup(["a", "b", "c"])
    ahead = RunAhead(suite, scenarios, parallel=1)  # type: ignore[arg-type]
    closing = threading.Thread(target=ahead.close, kwargs={"interrupted": True})
    closing.start()
    assert suite.cancel.wait(WAIT_S)  # the running scenario is told to stop
    suite.release["a"].set()  # ... and it ends
    closing.join(WAIT_S)
    assert not closing.is_alive()
    assert suite.started == ["a"]  # b and c never started


def test_a_scenario_not_planned_runs_when_asked() -> None:
    suite, scenarios = _setup(["a", "z"])
    suite.release["z"].set()
    ahead = RunAhead(suite, scenarios[:1], parallel=2)  # type: ignore[arg-type]
    assert ahead.result_of(scenarios[1]).scenario_id == "z"  # type: ignore[arg-type]
    suite.release["a"].set()
    ahead.close(interrupted=False)
