"""``--parallel N`` under pytest: the session's scenario items run N at a time.

pytest runs one item after another; a scenario is mostly waiting (for scrapes, rule
evaluations, notifications), so the session starts every selected scenario item on a
pool of N threads when the first of them runs, in pytest's order, and each item waits
for its own result. Each scenario still has a stack of its own, as under
`harness run --parallel N`. Items deselected (-m, -k, --alert, --shard) are never
started; ones that have not started when the session ends (-x, Ctrl-C) are cancelled.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING

from harness.engine.result import ScenarioResult

if TYPE_CHECKING:
    from harness.engine.suite import Suite
    from harness.scenarios.model import Scenario

_WAIT_SLICE_S = 0.2  # bounded waits: Ctrl-C reaches the main thread between them


class RunAhead:
    def __init__(self, suite: Suite, scenarios: list[Scenario], parallel: int) -> None:
        self._suite = suite
        self._scenarios = scenarios
        self._pool = ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="scenario")
        self._futures: dict[str, Future[ScenarioResult]] = {
            s.id: self._pool.submit(suite.run_one, s) for s in scenarios
        }

    def result_of(self, scenario: Scenario) -> ScenarioResult:
        """This scenario's result, once it ended (run now if it was not planned)."""
        future = self._futures.get(scenario.id)
        if future is None:
            return self._suite.run_one(scenario)
        while True:
            try:
                return future.result(timeout=_WAIT_SLICE_S)
            except FutureTimeout:
                continue

    def close(self, *, interrupted: bool) -> None:
        """Cancel what has not started; on Ctrl-C stop what runs; wait for the rest."""
        if interrupted:
            self._suite.cancel.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._suite.keep_order(self._scenarios)
